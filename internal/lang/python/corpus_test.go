package python

import (
	"testing"

	"github.com/detwiki/detwiki/internal/lang/langtest"
)

// corpusFiles returns the .py files of the shared panther-analysis corpus, keyed
// by their path inside it.
func corpusFiles(tb testing.TB) map[string]string {
	tb.Helper()
	return langtest.CorpusFiles(tb, "panther-analysis", ".py")
}

// TestCorpusParses parses every Python file of panther-analysis: at least
// 99% of the files with a rule() function must parse without error, and
// every other file too (helpers, data models, tests).
func TestCorpusParses(t *testing.T) {
	files := corpusFiles(t)
	rules, rulesOK, failed := 0, 0, 0
	for path, src := range files {
		mod, errs := Parse(src)
		checkSpans(t, path, src, mod)
		hasRule := mod.Func("rule") != nil
		if hasRule {
			rules++
		}
		if len(errs) > 0 {
			failed++
			if failed <= 10 {
				t.Errorf("%s: %s", path, errs.Diagnostics(src)[0])
			}
			continue
		}
		if hasRule {
			rulesOK++
		}
	}
	t.Logf("%d Python files, %d fail to parse; %d of %d rule() files parse without error (%.2f%%)",
		len(files), failed, rulesOK, rules, 100*float64(rulesOK)/float64(max(rules, 1)))
	if rules < 850 {
		t.Errorf("only %d files with rule(); the corpus has about 900", rules)
	}
	if float64(rulesOK) < 0.99*float64(rules) {
		t.Errorf("rule() parse rate %d/%d is under 99%%", rulesOK, rules)
	}
}

// checkSpans checks that every node lies inside the source.
func checkSpans(t testing.TB, name, src string, mod *Module) {
	t.Helper()
	Inspect(mod, func(n Node) bool {
		if n.Pos() < 0 || int(n.End()) > len(src) || n.End() < n.Pos() {
			t.Fatalf("%s: node %T span %d..%d outside source of %d bytes", name, n, n.Pos(), n.End(), len(src))
		}
		return true
	})
}

func BenchmarkParseCorpus(b *testing.B) {
	langtest.BenchmarkParse(b, corpusFiles(b), Parse)
}
