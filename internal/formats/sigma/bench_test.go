package sigma

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/cputime"
	"github.com/detwiki/detwiki/internal/formats"
	lang "github.com/detwiki/detwiki/internal/lang/sigma"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

// loadCorpus reads every Sigma rule file of the shared corpus into memory.
func loadCorpus(b *testing.B) ([]*formats.File, int64) {
	root := sharedtest.Corpus(b, "sigma")
	var files []*formats.File
	var size int64
	filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if de.IsDir() {
			if de.Name() == "regression_data" {
				return filepath.SkipDir
			}
			return nil
		}
		if filepath.Ext(p) != ".yml" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		rel, _ := filepath.Rel(root, p)
		files = append(files, &formats.File{Repo: "sigma", Root: root, Path: filepath.ToSlash(rel), Abs: p, Data: data})
		size += int64(len(data))
		return nil
	})
	return files, size
}

// BenchmarkReadCorpus reads and explains every rule of the Sigma corpus
// (4,039 files, 4,041 rules, 6 MB) on one goroutine, as a build does: each
// iteration starts a new run (the rule and regression indexes are built
// again). Run with -cpu 1 for the one-core figure of docs/performance.md.
func BenchmarkReadCorpus(b *testing.B) {
	files, size := loadCorpus(b)
	r := New()
	b.SetBytes(size)
	b.ReportAllocs()
	rules := 0
	cpu := cputime.Now()
	for b.Loop() {
		env := &formats.Env{Attack: attack.Default()}
		rules = 0
		for _, f := range files {
			rules += len(r.Read(f, env))
		}
	}
	reportRates(b, rules, cputime.Now()-cpu)
}

// BenchmarkParseCorpus parses every file of the corpus into the rule model
// (YAML, detection items, conditions), without explaining.
func BenchmarkParseCorpus(b *testing.B) {
	files, size := loadCorpus(b)
	b.SetBytes(size)
	b.ReportAllocs()
	rules := 0
	cpu := cputime.Now()
	for b.Loop() {
		rules = 0
		for _, f := range files {
			rules += len(lang.ParseFile(f.Data).Rules)
		}
	}
	reportRates(b, rules, cputime.Now()-cpu)
}

// reportRates reports rules per second of wall time and, where it can be
// measured, per second of CPU time (the figure that holds on a busy
// machine; with -cpu 1 it includes the garbage collector's work).
func reportRates(b *testing.B, rulesPerOp int, cpu time.Duration) {
	total := float64(rulesPerOp) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "rules/s")
	if cpu > 0 {
		b.ReportMetric(total/cpu.Seconds(), "rules/cpu-s")
	}
}
