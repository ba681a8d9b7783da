package catalog_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/formats"
)

// corpusBytes is the size of the rule files of the corpus folders.
func corpusBytes(tb testing.TB, sources []string) int64 {
	var n int64
	for _, s := range sources {
		filepath.WalkDir(s, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if info, err := d.Info(); err == nil {
					n += info.Size()
				}
			}
			return nil
		})
	}
	return n
}

// BenchmarkBuildCorpus is the full build over ../shared/corpus: list, read
// and analyse every file, compute the statistics and write the SQLite
// catalog (target: under 15 s on 2 cores, peak memory under 1.5 GiB; see
// docs/performance.md). The peak heap is reported as peak-heap-MiB.
func BenchmarkBuildCorpus(b *testing.B) {
	sources := corpusSources(b)
	b.SetBytes(corpusBytes(b, sources))
	b.ReportAllocs()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		_, rep, err := catalog.Build(catalog.Options{Sources: sources, Out: dir, Full: true})
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range rep.Phases {
			b.ReportMetric(p.Duration.Seconds(), p.Name+"-s")
		}
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.Sys)/(1<<20), "sys-MiB")
}

// BenchmarkNewCorpus measures the corpus statistics and the search index
// alone (Build's "analyze" phase) over documents read once.
func BenchmarkNewCorpus(b *testing.B) {
	res, err := formats.Read(corpusSources(b), formats.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		catalog.New(res.Documents, catalog.Info{}, nil)
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkLoadCorpus measures loading a stored catalog (what
// `detwiki serve --catalog` does at start).
func BenchmarkLoadCorpus(b *testing.B) {
	_, _, dir := corpusCatalog(b)
	if st, err := os.Stat(filepath.Join(dir, catalog.DBName)); err == nil {
		b.SetBytes(st.Size())
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		if _, err := catalog.Load(dir); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkFind measures search and browse queries over the corpus
// (target: well under 100 ms).
func BenchmarkFind(b *testing.B) {
	c, _, _ := corpusCatalog(b)
	for _, bc := range []struct {
		name string
		f    catalog.Filter
	}{
		{"browse", catalog.Filter{}},
		{"browse-filtered", catalog.Filter{Filters: map[string][]string{"lang": {"sigma"}, "tactic": {"TA0005"}}, Sort: "severity"}},
		{"word", catalog.Filter{Q: "mmc.exe"}},
		{"words", catalog.Filter{Q: "powershell encoded command"}},
		{"common-word", catalog.Filter{Q: "windows"}},
		{"structured", catalog.Filter{Q: "field:CommandLine kind:contains value:lsass lang:sigma"}},
		{"value", catalog.Filter{Q: "value:lsass"}},
		{"value-short-scan", catalog.Filter{Q: "value:ls"}},
		{"technique-event", catalog.Filter{Q: "technique:T1003 event:sysmon/10"}},
		// Terms that match most of the 74,500 indicators, alone and as
		// many as a query may hold (MaxQueryTerms).
		{"value-broad", catalog.Filter{Q: "value:a"}},
		{"kind-broad", catalog.Filter{Q: "kind:eq"}},
		{"negated-values-max", catalog.Filter{Q: broadNegatedValues(catalog.MaxQueryTerms)}},
		{"negated-authors-max", catalog.Filter{Q: strings.ReplaceAll(broadNegatedValues(catalog.MaxQueryTerms), "value:", "author:")}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := processCPU()
			for i := 0; i < b.N; i++ {
				if _, err := c.Find(bc.f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}

// broadNegatedValues is a query of n negated value: terms, each matching
// most indicators (-value:a -value:e ...).
func broadNegatedValues(n int) string {
	letters := "aeiostnrlcdmpuhgbfywkvxzjq0123456789"
	var q []string
	for i := 0; i < n; i++ {
		q = append(q, "-value:"+string(letters[i%len(letters)]))
	}
	return strings.Join(q, " ")
}

// BenchmarkMatrixAndLayer measures the ATT&CK matrix and Navigator layer of
// the whole corpus.
func BenchmarkMatrixAndLayer(b *testing.B) {
	c, _, _ := corpusCatalog(b)
	b.Run("matrix", func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := processCPU()
		for i := 0; i < b.N; i++ {
			c.Matrix(catalog.MatrixFilter{})
		}
		b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	})
	b.Run("layer", func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := processCPU()
		for i := 0; i < b.N; i++ {
			c.Layer(catalog.LayerOptions{RuleURL: func(id string) string { return "https://wiki/rules/" + id }})
		}
		b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	})
}

// BenchmarkRebuildUnchanged measures a rebuild over the stored corpus
// catalog with nothing changed (no file is read; the documents come from
// the database).
func BenchmarkRebuildUnchanged(b *testing.B) {
	_, _, dir := corpusCatalog(b)
	sources := corpusSources(b)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		_, rep, err := catalog.Build(catalog.Options{Sources: sources, Out: dir})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Read != 0 || rep.Wrote {
			b.Fatalf("unchanged rebuild read %d files (wrote %v)", rep.Read, rep.Wrote)
		}
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}
