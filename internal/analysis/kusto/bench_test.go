package kusto_test

import (
	"testing"

	"github.com/detwiki/detwiki/internal/analysis/kusto"
	"github.com/detwiki/detwiki/internal/cputime"
	"github.com/detwiki/detwiki/internal/lang/kql"
	"github.com/detwiki/detwiki/internal/rule"
)

// corpusQueries returns the query of every Kusto rule of the corpora.
func corpusQueries(b *testing.B) []string {
	b.Helper()
	var out []string
	for _, d := range readKusto(b) {
		if d.Query != "" {
			out = append(out, d.Query)
		}
	}
	return out
}

// BenchmarkAnalyzeCorpus analyses every Kusto query of the corpora from
// its syntax tree (parsed once, before timing): one op is the whole
// corpus. docs/performance.md, "KQL analysis", has the figures.
func BenchmarkAnalyzeCorpus(b *testing.B) {
	queries := corpusQueries(b)
	scripts := make([]*kql.Script, len(queries))
	size := 0
	for i, q := range queries {
		scripts[i], _ = kql.Parse(q)
		size += len(q)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Now()
	for range b.N {
		for i, q := range queries {
			d := &rule.Document{Query: q}
			kusto.Analyze(d, scripts[i])
		}
	}
	b.ReportMetric(float64(cputime.Now()-cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(len(queries)), "queries/op")
}

// BenchmarkParseAndAnalyzeCorpus parses and analyses every Kusto query of
// the corpora.
func BenchmarkParseAndAnalyzeCorpus(b *testing.B) {
	queries := corpusQueries(b)
	size := 0
	for _, q := range queries {
		size += len(q)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Now()
	for range b.N {
		for _, q := range queries {
			d := &rule.Document{Query: q}
			s, _ := kql.Parse(q)
			kusto.Analyze(d, s)
		}
	}
	b.ReportMetric(float64(cputime.Now()-cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(len(queries)), "queries/op")
}
