package kql

import (
	"testing"
	"time"

	"github.com/detwiki/detwiki/internal/cputime"
)

// corpusQueries returns the text of every corpus query and their total size.
func corpusQueries(b *testing.B) ([]string, int64) {
	vs := loadVerdicts(b)
	qs := make([]string, len(vs))
	var n int64
	for i, v := range vs {
		qs[i] = v.Query
		n += int64(len(v.Query))
	}
	return qs, n
}

// reportRates adds queries per second of wall time and, steadier on a
// shared machine, per second of process CPU time (cpu-queries/s) and CPU
// megabytes per second (cpu-MB/s).
func reportRates(b *testing.B, queries int, size int64, cpu0 time.Duration) {
	n := float64(b.N)
	b.ReportMetric(float64(queries)*n/b.Elapsed().Seconds(), "queries/s")
	if cpu := (cputime.Now() - cpu0).Seconds(); cpu > 0 {
		b.ReportMetric(float64(queries)*n/cpu, "cpu-queries/s")
		b.ReportMetric(float64(size)*n/cpu/1e6, "cpu-MB/s")
	}
}

// BenchmarkParseCorpus parses every corpus query once per iteration
// (about 2,760 queries); see docs/performance.md for figures.
func BenchmarkParseCorpus(b *testing.B) {
	qs, size := corpusQueries(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Now()
	for b.Loop() {
		for _, q := range qs {
			Parse(q)
		}
	}
	reportRates(b, len(qs), size, cpu0)
}

// BenchmarkScanCorpus runs only the scanner over every corpus query.
func BenchmarkScanCorpus(b *testing.B) {
	qs, size := corpusQueries(b)
	b.SetBytes(size)
	b.ReportAllocs()
	var s Scanner
	buf := make([]lexeme, 0, 1024)
	b.ResetTimer()
	cpu0 := cputime.Now()
	for b.Loop() {
		for _, q := range qs {
			s.Init(q)
			buf = s.scanAll(buf[:0])
		}
	}
	reportRates(b, len(qs), size, cpu0)
}

// BenchmarkPrintCorpus prints every parsed corpus query.
func BenchmarkPrintCorpus(b *testing.B) {
	qs, size := corpusQueries(b)
	scripts := make([]*Script, len(qs))
	for i, q := range qs {
		scripts[i], _ = Parse(q)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Now()
	for b.Loop() {
		for _, s := range scripts {
			Print(s)
		}
	}
	reportRates(b, len(qs), size, cpu0)
}
