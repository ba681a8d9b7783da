// Package langtest holds what the tests of the hand-written parsers share:
// the span invariants every parsed tree keeps, the print, parse and print
// again round trip their fuzz targets drive, the /*ERROR*/ mark their error
// tests place in a query (eql, esql, kuery, lucene), the loading of a
// shared corpus's source files (python, yaral) and the benchmark that parses
// a corpus (mql, python, yaral). Only tests import it.
package langtest

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/cputime"
	"github.com/detwiki/detwiki/internal/sharedtest"
	"github.com/detwiki/detwiki/internal/source"
)

// Node is what every syntax tree node has: the byte span it covers.
type Node interface {
	Pos() source.Pos
	End() source.Pos
}

// Grammar is the part of a front end the checks drive. N is the front end's
// Node interface, whose nil value ends a node's children in Inspect.
type Grammar[N Node] struct {
	// Parse parses a whole query.
	Parse func(src string) (N, source.ErrorList)
	// Print turns a tree back into query text.
	Print func(N) string
	// Inspect walks a tree depth first and calls f(nil) after the children
	// of each node, as go/ast.Inspect does.
	Inspect func(root N, f func(N) bool)
}

// CheckSpans asserts that every node of the tree under root has a valid span
// inside src and that children lie inside their parents.
func (g Grammar[N]) CheckSpans(t testing.TB, src string, root N) {
	t.Helper()
	var stack []N
	g.Inspect(root, func(n N) bool {
		if any(n) == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		p, e := n.Pos(), n.End()
		if p < 0 || e < p || int(e) > len(src) {
			t.Errorf("%T: span [%d,%d) outside [0,%d)", n, p, e, len(src))
		}
		if len(stack) > 0 {
			parent := stack[len(stack)-1]
			if p < parent.Pos() || e > parent.End() {
				t.Errorf("%T [%d,%d) outside its parent %T [%d,%d)", n, p, e, parent, parent.Pos(), parent.End())
			}
		}
		stack = append(stack, n)
		return true
	})
}

// CheckPrint parses in, which must parse without errors, and checks that it
// prints as want, that its spans are valid, and that the print parses again
// without errors to a tree that prints the same.
func (g Grammar[N]) CheckPrint(t testing.TB, in, want string) {
	t.Helper()
	q, errs := g.Parse(in)
	if len(errs) > 0 {
		t.Fatalf("Parse(%q): %v", in, errs)
	}
	got := g.Print(q)
	if got != want {
		t.Errorf("Print:\n%s\nwant:\n%s", got, want)
	}
	g.CheckSpans(t, in, q)
	q2, errs := g.Parse(got)
	if len(errs) > 0 {
		t.Fatalf("re-parse of %q: %v", got, errs)
	}
	if again := g.Print(q2); again != got {
		t.Errorf("print not stable:\n%s\n%s", got, again)
	}
}

// CheckReprint is the body of a parser's fuzz target once it has parsed src
// into root with errs: the errors convert to diagnostics and the tree prints
// without a panic, and when the parse had no errors (and gave a tree) the
// spans are valid and the print parses without errors to a tree that prints
// the same.
func (g Grammar[N]) CheckReprint(t testing.TB, src string, root N, errs source.ErrorList) {
	t.Helper()
	_ = errs.Diagnostics(src)
	out := g.Print(root)
	if len(errs) > 0 || any(root) == nil {
		return
	}
	g.CheckSpans(t, src, root)
	q2, errs2 := g.Parse(out)
	if len(errs2) > 0 {
		t.Fatalf("print of %q is %q, which does not parse: %v", src, out, errs2)
	}
	if out2 := g.Print(q2); out2 != out {
		t.Fatalf("print not stable for %q:\n%s\n%s", src, out, out2)
	}
}

// ErrorMark marks, in an error test's input, where the first error is.
const ErrorMark = "/*ERROR*/"

// Unmark removes the first ErrorMark from in and returns the text to parse and
// the byte offset the mark stood at (-1 when in has none).
func Unmark(in string) (src string, at int) {
	return strings.Replace(in, ErrorMark, "", 1), strings.Index(in, ErrorMark)
}

// CorpusFiles returns the text of every file of the named shared corpus whose
// name ends in ext, keyed by its slash path inside the corpus (skipping the
// test when the corpus is absent).
func CorpusFiles(tb testing.TB, corpus, ext string) map[string]string {
	tb.Helper()
	root := sharedtest.Corpus(tb, corpus)
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ext) {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		files[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

// BenchmarkParse parses every text of srcs with parse once per iteration.
// Besides wall time it reports the CPU time per pass (cpu-ns/op) and, with
// SetBytes, the throughput over the texts' total size.
func BenchmarkParse[T, E any](b *testing.B, srcs map[string]string, parse func(string) (T, E)) {
	list := make([]string, 0, len(srcs))
	var size int64
	for _, s := range srcs {
		list = append(list, s)
		size += int64(len(s))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	start := cputime.Now()
	for b.Loop() {
		for _, s := range list {
			parse(s)
		}
	}
	b.ReportMetric(float64(cputime.Now()-start)/float64(b.N), "cpu-ns/op")
}
