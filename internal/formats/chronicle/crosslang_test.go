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

// TestCorpusCountsWithSigma is the same check on real rules of the two
// corpora: Chronicle's community rule hacktool_mimikatz_execution tests
// strings.contains(strings.to_lower($process.target.process.command_line),
// "sekurlsa::"), SigmaHQ's proc_creation_win_hktl_mimikatz_command_line
// CommandLine|contains 'sekurlsa::'; both count under one key, and so do
// their other shared module names.
func TestCorpusCountsWithSigma(t *testing.T) {
	read := func(format, corpus, rel string) *rule.Document {
		return formattest.CorpusRule(t, format, corpus, rel)
	}
	chron := read("chronicle", "chronicle-detection-rules", "rules/community/microsoft/windows/hacktool_mimikatz_execution.yaral")
	sig := read("sigma", "sigma", "rules/windows/process_creation/proc_creation_win_hktl_mimikatz_command_line.yml")
	ck, sk := formattest.CountKeys(chron), formattest.CountKeys(sig)
	for _, want := range []string{
		"process.command_line|contains|sekurlsa::",
		"process.command_line|contains|lsadump::",
		"process.command_line|contains|kerberos::",
	} {
		if !ck[want] || !sk[want] {
			t.Errorf("key %s: chronicle %v, sigma %v", want, ck[want], sk[want])
		}
	}
	shared := 0
	for k := range ck {
		if sk[k] {
			shared++
		}
	}
	t.Logf("%d keys shared by the two rules", shared)
	if shared < 10 {
		t.Errorf("only %d keys shared:\nchronicle %v\nsigma     %v", shared, ck, sk)
	}
}
