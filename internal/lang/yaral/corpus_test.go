package yaral

import (
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/lang/langtest"
	"github.com/detwiki/detwiki/internal/source"
)

// corpusFiles returns the .yaral files of the shared chronicle-detection-rules corpus, keyed
// by their path inside it.
func corpusFiles(tb testing.TB) map[string]string {
	tb.Helper()
	return langtest.CorpusFiles(tb, "chronicle-detection-rules", ".yaral")
}

// knownWarnings are the rule-quality warnings real corpus rules deserve
// (see docs/lang-yaral.md): path -> codes.
var knownWarnings = map[string][]string{
	// A Sigma conversion turned "\r" in two file paths into line breaks.
	"rules/_deprecated/soc_prime_rules/threat_hunting/sysmon/paymen45_ransomware.yaral": {CodeMultiline, CodeMultiline},
}

// TestCorpus parses every rule of the Chronicle corpus: all must parse
// without an error, print back to text that parses to the same tree, keep
// the position invariants, and raise only the known warnings.
func TestCorpus(t *testing.T) {
	files := corpusFiles(t)
	if len(files) < 880 {
		t.Fatalf("corpus has %d .yaral files, want about 886", len(files))
	}
	rules, withOutcome, withMatch := 0, 0, 0
	for path, src := range files {
		f, errs := Parse(src)
		for _, d := range errs.Diagnostics(src) {
			t.Errorf("%s:%s", path, d)
		}
		rules += len(f.Rules)
		for _, r := range f.Rules {
			if r.Outcome != nil {
				withOutcome++
			}
			if r.Match != nil {
				withMatch++
			}
		}
		printed := Print(f)
		f2, errs2 := Parse(printed)
		if len(errs2) > 0 || Print(f2) != printed {
			t.Errorf("%s: printed text does not parse back to the same tree: %v", path, errs2)
		}
		var codes []string
		for _, w := range Check(f) {
			codes = append(codes, w.Code)
		}
		if strings.Join(codes, ",") != strings.Join(knownWarnings[path], ",") {
			t.Errorf("%s: warnings %v, want %v", path, Check(f).DiagnosticsAs(src, source.Warning), knownWarnings[path])
		}
		checkSpans(t, src, f)
	}
	t.Logf("%d files, %d rules, %d with outcome, %d with match", len(files), rules, withOutcome, withMatch)
	if rules != len(files) {
		t.Errorf("rules = %d, want one per file (%d)", rules, len(files))
	}
	if withOutcome < 300 || withMatch < 250 {
		t.Errorf("outcome sections %d, match sections %d: fewer than the corpus has", withOutcome, withMatch)
	}
}

func BenchmarkParseCorpus(b *testing.B) {
	langtest.BenchmarkParse(b, corpusFiles(b), Parse)
}
