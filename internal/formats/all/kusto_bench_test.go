package all

import (
	"os"
	"testing"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/cputime"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

var kustoCorpora = []string{"Azure-Sentinel", "FalconFriday", "Microsoft-365-Defender-Hunting-Queries"}

// loadKusto lists and reads every file of the Kusto corpora into memory.
func loadKusto(b *testing.B) ([]*formats.File, int64) {
	var files []*formats.File
	var size int64
	for _, name := range kustoCorpora {
		fs, _ := formats.List([]string{sharedtest.Corpus(b, name)})
		for _, f := range fs {
			data, err := os.ReadFile(f.Abs)
			if err != nil {
				b.Fatal(err)
			}
			f.Data = data
			size += int64(len(data))
		}
		files = append(files, fs...)
	}
	return files, size
}

// BenchmarkKustoCorpus reads the whole Kusto corpus (about 2,800 rules) on
// one goroutine. "readers": detection and reading of files already in
// memory, every query parsed by the KQL front end; "run": what `detwiki
// analyze` does with one worker, from the file system, enrichers included.
// Run with -cpu 1 for the one-core figure; cpu-s/op is the CPU time per
// pass (GC included), which a busy machine does not inflate.
func BenchmarkKustoCorpus(b *testing.B) {
	files, size := loadKusto(b)
	env := &formats.Env{Attack: attack.Default()}
	b.Run("readers", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(size)
		docs := 0
		cpu0 := cputime.Now()
		for b.Loop() {
			docs = 0
			for _, f := range files {
				if r := formats.Detect(f); r != nil {
					docs += len(formats.ReadFile(r, f, env))
				}
			}
		}
		b.ReportMetric(float64(docs), "rules/op")
		b.ReportMetric((cputime.Now()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	})
	b.Run("run", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(size)
		docs := 0
		cpu0 := cputime.Now()
		for b.Loop() {
			fresh := make([]*formats.File, len(files))
			for i, f := range files {
				fresh[i] = &formats.File{Repo: f.Repo, Root: f.Root, Path: f.Path, Abs: f.Abs}
			}
			res, err := formats.ReadFiles(fresh, nil, formats.Options{Workers: 1, Attack: env.Attack})
			if err != nil {
				b.Fatal(err)
			}
			docs = len(res.Documents)
		}
		b.ReportMetric(float64(docs), "rules/op")
		b.ReportMetric((cputime.Now()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	})
}
