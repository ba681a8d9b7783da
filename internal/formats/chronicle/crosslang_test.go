package chronicle_test

import (
	"testing"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/formats"
	_ "github.com/detwiki/detwiki/internal/formats/all"
	"github.com/detwiki/detwiki/internal/formats/formattest"
	"github.com/detwiki/detwiki/internal/rule"
)

func readWith(t *testing.T, format, path, text string) *rule.Document {
	t.Helper()
	r, ok := formats.Lookup(format)
	if !ok {
		t.Skipf("no %s reader is registered yet", format)
	}
	f := &formats.File{Repo: "x", Root: "/x", Path: path, Abs: "/x/" + path, Data: []byte(text)}
	docs := formats.ReadFile(r, f, &formats.Env{Attack: attack.Default()})
	if len(docs) != 1 {
		t.Fatalf("%s: %d documents", format, len(docs))
	}
	return docs[0]
}

const chronicleRule = `rule mimikatz_logonpasswords {
  meta:
    author = "detwiki tests"
  events:
    $e.metadata.event_type = "PROCESS_LAUNCH"
    strings.contains(strings.to_lower($e.target.process.command_line), "sekurlsa::logonpasswords")
  condition:
    $e
}
`

const sigmaRule = `title: Mimikatz logonpasswords
id: 5c4a7cbb-2a2f-4a53-9d1c-6a0f0f2b7a11
status: test
author: detwiki tests
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    CommandLine|contains: 'sekurlsa::logonpasswords'
  condition: selection
level: high
`

// TestCountsWithSigma is the cross-language check: a Chronicle rule on a
// process command line and a Sigma rule with the same indicator count
// together (one corpus-count key) once the shared schema pass has run.
func TestCountsWithSigma(t *testing.T) {
	chron := readWith(t, "chronicle", "mimikatz.yaral", chronicleRule)
	sig := readWith(t, "sigma", "proc_creation_win_mimikatz.yml", sigmaRule)
	ck, sk := formattest.CountKeys(chron), formattest.CountKeys(sig)
	const want = "process.command_line|contains|sekurlsa::logonpasswords"
	if !ck[want] || !sk[want] {
		t.Errorf("key %s missing\nchronicle %v\nsigma     %v", want, ck, sk)
	}
}
