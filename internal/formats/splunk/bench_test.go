package splunk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/cputime"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/lang/spl"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

// loadDetections returns the detection files of the corpus with their
// bytes, in the order formats.List gives.
func loadDetections(b *testing.B) ([]*formats.File, int64) {
	dir := sharedtest.Corpus(b, "security_content")
	files, _ := formats.List([]string{filepath.Join(dir, "detections")})
	var total int64
	var out []*formats.File
	for _, f := range files {
		if !strings.HasSuffix(f.Path, ".yml") {
			continue
		}
		data, err := os.ReadFile(f.Abs)
		if err != nil {
			b.Fatal(err)
		}
		f.Data = data
		total += int64(len(data))
		out = append(out, f)
	}
	return out, total
}

// BenchmarkReadCorpus reads and explains every security_content detection,
// one after the other, from bytes already in memory: YAML decoding, the
// corpus's macros, stories and data sources (loaded once per iteration, as
// once per run), expansion, parsing and explanation. Run with -cpu 1 for the
// one-core figure of docs/performance.md.
func BenchmarkReadCorpus(b *testing.B) {
	files, total := loadDetections(b)
	r := New()
	cat := attack.Default()
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Now()
	for i := 0; i < b.N; i++ {
		env := &formats.Env{Attack: cat}
		for _, f := range files {
			if !r.Detect(f) {
				b.Fatalf("%s: not detected", f.Path)
			}
			formats.ReadFile(r, f, env)
		}
	}
	reportCPU(b, cpu0)
	b.ReportMetric(float64(len(files)), "detections/op")
}

// BenchmarkSearches expands, parses and explains the searches alone.
func BenchmarkSearches(b *testing.B) {
	files, _ := loadDetections(b)
	env := &formats.Env{Attack: attack.Default()}
	var searches []string
	var total int64
	r := New()
	for _, f := range files {
		for _, d := range formats.ReadFile(r, f, env) {
			for _, v := range d.Variants {
				if v.Name == "source" {
					searches = append(searches, v.Query)
					total += int64(len(v.Query))
				}
			}
		}
	}
	c := corpusFor(files[0], env)
	opt := spl.ExpandOptions{Fallback: func(name string, n int) *spl.Macro {
		if n == 0 && strings.HasSuffix(name, "_filter") {
			return &spl.Macro{Name: name, Definition: "search *"}
		}
		return nil
	}}
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Now()
	defer reportCPU(b, cpu0)
	for i := 0; i < b.N; i++ {
		for _, s := range searches {
			e := spl.Expand(s, c.Macros, opt)
			pl, _ := spl.ParseQuery(e.Text)
			spl.Explain(pl, e.Text, e, spl.ExplainOptions{})
		}
	}
}

// reportCPU adds the CPU time per iteration (cpu-ms/op) since cpu0: with
// GOMAXPROCS=1 (-cpu 1) it is the one-core cost even on a busy machine.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	if d := cputime.Now() - cpu0; d > 0 {
		b.ReportMetric(float64(d.Milliseconds())/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkLoadCorpus loads the macros, stories and data sources of the
// corpus (done once per run and corpus root).
func BenchmarkLoadCorpus(b *testing.B) {
	dir := sharedtest.Corpus(b, "security_content")
	b.ReportAllocs()
	cpu0 := cputime.Now()
	for i := 0; i < b.N; i++ {
		if c := LoadCorpus(dir); c.Macros.Len() < 100 || len(c.Stories) < 100 || len(c.DataSources) < 100 {
			b.Fatalf("corpus: %d macros, %d stories, %d data sources", c.Macros.Len(), len(c.Stories), len(c.DataSources))
		}
	}
	reportCPU(b, cpu0)
}
