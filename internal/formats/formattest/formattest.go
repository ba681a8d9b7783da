// Package formattest holds what the tests of the format readers share:
// loading a file the way a run lists it, the run environment, comparing the
// predicates a reader explained, the corpus-count keys of a document, and
// the benchmark that reads a whole corpus. Only tests import it.
package formattest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/cputime"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/schema"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

// Env returns a run environment with the built-in ATT&CK catalog.
func Env() *formats.Env { return &formats.Env{Attack: attack.Default()} }

// LoadFile reads root/rel into a file as a run lists it: its repository is
// the base name of root and its path rel.
func LoadFile(tb testing.TB, root, rel string) *formats.File {
	tb.Helper()
	abs := filepath.Join(root, filepath.FromSlash(rel))
	data, err := os.ReadFile(abs)
	if err != nil {
		tb.Fatal(err)
	}
	return &formats.File{Repo: filepath.Base(root), Root: root, Path: rel, Abs: abs, Data: data}
}

// CorpusFile loads one file of a shared corpus as a run would see it
// (skipping the test when the corpus is absent).
func CorpusFile(tb testing.TB, corpus, rel string) *formats.File {
	tb.Helper()
	return LoadFile(tb, sharedtest.Corpus(tb, corpus), rel)
}

// CorpusRule reads one file of a shared corpus with the reader registered
// as format and returns its one rule document (skipping the test when the
// corpus or the reader is absent; failing when the file gives another
// number of documents).
func CorpusRule(tb testing.TB, format, corpus, rel string) *rule.Document {
	tb.Helper()
	r, ok := formats.Lookup(format)
	if !ok {
		tb.Skipf("no %s reader is registered", format)
	}
	docs := formats.ReadFile(r, CorpusFile(tb, corpus, rel), Env())
	if len(docs) != 1 {
		tb.Fatalf("%s: %d documents", rel, len(docs))
	}
	return docs[0]
}

// EqualPredicates reports whether two predicate lists say the same, in the
// same order: the same fields, kinds, negations, values and transforms.
func EqualPredicates(a, b []rule.Predicate) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Field != y.Field || x.Kind != y.Kind || x.Negated != y.Negated || !slices.Equal(x.Values, y.Values) ||
			!slices.Equal(x.Transforms, y.Transforms) {
			return false
		}
	}
	return true
}

// CountKeys returns the corpus-count keys of a document's indicators after
// the shared schema pass (which it runs on d): the keys by which documents
// in different languages are found to look for the same thing.
func CountKeys(d *rule.Document) map[string]bool {
	schema.Enrich(d)
	keys := map[string]bool{}
	for _, ind := range d.Analysis.Indicators {
		for _, v := range ind.Values {
			if k, ok := schema.CountKey(d.Language, ind, v); ok {
				keys[k] = true
			}
		}
	}
	return keys
}

// BenchmarkReadCorpus reads the shared corpus with r as a run does, from
// files already in memory: every iteration starts a new run environment,
// reads every file r detects and enriches the documents. Besides wall time
// it reports the CPU time per pass (cpu-ns/op).
func BenchmarkReadCorpus(b *testing.B, corpus string, r formats.Reader) {
	root := sharedtest.Corpus(b, corpus)
	files, _ := formats.List([]string{root})
	var size int64
	for _, f := range files {
		data, err := os.ReadFile(f.Abs)
		if err != nil {
			b.Fatal(err)
		}
		f.Data = data
		size += int64(len(data))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	start := cputime.Now()
	for b.Loop() {
		env := Env()
		for _, f := range files {
			if !r.Detect(f) {
				continue
			}
			for _, d := range formats.ReadFile(r, f, env) {
				schema.Enrich(d)
			}
		}
	}
	b.ReportMetric(float64(cputime.Now()-start)/float64(b.N), "cpu-ns/op")
}
