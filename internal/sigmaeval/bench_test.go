package sigmaeval

import (
	"archive/zip"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/detwiki/detwiki/internal/cputime"
	"github.com/detwiki/detwiki/internal/events"
	"github.com/detwiki/detwiki/internal/lang/sigma"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

// compileCorpus compiles every detection rule of the Sigma corpus.
func compileCorpus(tb testing.TB) []*Rule {
	tb.Helper()
	root := sharedtest.Corpus(tb, "sigma")
	var out []*Rule
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "regression_data" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".yml") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f := sigma.ParseFile(data)
		for _, r := range f.Rules {
			if r.Kind == sigma.KindDetection {
				if c := Compile(r, f.Lines, nil); c.Runnable() {
					out = append(out, c)
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

var (
	otrfOnce   sync.Once
	otrfBlocks []*events.Block
	otrfBytes  int64
	otrfErr    error
)

// loadOTRF decodes the 20 OTRF data sets into blocks, once.
func loadOTRF(tb testing.TB) ([]*events.Block, int64) {
	tb.Helper()
	dir := sharedtest.Path(tb, "datasets", "otrf")
	otrfOnce.Do(func() {
		files, err := events.Files([]string{dir})
		if err != nil {
			otrfErr = err
			return
		}
		for _, f := range files {
			otrfErr = events.ReadFile(f, func(b *events.Block) error {
				otrfBlocks = append(otrfBlocks, b)
				return nil
			})
			if otrfErr != nil {
				return
			}
		}
		otrfBytes = uncompressedSize(files)
	})
	if otrfErr != nil {
		tb.Fatal(otrfErr)
	}
	return otrfBlocks, otrfBytes
}

// evaluateAll runs every rule on every block, blocks spread over workers,
// and returns the total hits.
func evaluateAll(rules []*Rule, blocks []*events.Block, workers int) int {
	var mu sync.Mutex
	total := 0
	next := make(chan *events.Block)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []int32
			n := 0
			for b := range next {
				blk := NewBlock(b, nil)
				for _, r := range rules {
					buf = blk.Match(r, buf)
					n += len(buf)
				}
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	for _, b := range blocks {
		next <- b
	}
	close(next)
	wg.Wait()
	return total
}

// BenchmarkCorpusOnOTRF evaluates every runnable Sigma rule of the corpus
// (about 4,000, compiled once) over the 20 OTRF data sets, decoded once
// beforehand, on GOMAXPROCS workers (the target: under 10 s on the
// 2-core machine, decoding included: see BenchmarkCorpusOnOTRFWithDecode).
// SetBytes counts the uncompressed JSON.
func BenchmarkCorpusOnOTRF(b *testing.B) {
	rules := compileCorpus(b)
	blocks, size := loadOTRF(b)
	rows := 0
	for _, bl := range blocks {
		rows += bl.Len
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Now()
	hits := 0
	for i := 0; i < b.N; i++ {
		hits = evaluateAll(rules, blocks, runtime.GOMAXPROCS(0))
	}
	reportEval(b, len(rules), rows, hits, cputime.Now()-cpu)
}

// BenchmarkCorpusOnOTRFWithDecode is the same with the data sets read from
// their zip files in every iteration (what detwiki test --events does).
func BenchmarkCorpusOnOTRFWithDecode(b *testing.B) {
	rules := compileCorpus(b)
	dir := sharedtest.Path(b, "datasets", "otrf")
	files, err := events.Files([]string{dir})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(uncompressedSize(files))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Now()
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		next := make(chan string)
		for w := 0; w < runtime.GOMAXPROCS(0); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for f := range next {
					events.ReadFile(f, func(bl *events.Block) error {
						evaluateAll(rules, []*events.Block{bl}, 1)
						return nil
					})
				}
			}()
		}
		for _, f := range files {
			next <- f
		}
		close(next)
		wg.Wait()
	}
	b.ReportMetric((cputime.Now()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkCompileCorpus compiles every detection rule of the corpus from
// parsed rules.
func BenchmarkCompileCorpus(b *testing.B) {
	root := sharedtest.Corpus(b, "sigma")
	type parsed struct {
		r *sigma.Rule
		f *sigma.File
	}
	var all []parsed
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yml") && !strings.Contains(p, "regression_data") {
			data, _ := os.ReadFile(p)
			f := sigma.ParseFile(data)
			for _, r := range f.Rules {
				if r.Kind == sigma.KindDetection {
					all = append(all, parsed{r, f})
				}
			}
		}
		return nil
	})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, p := range all {
			Compile(p.r, p.f.Lines, nil)
		}
	}
	b.ReportMetric(float64(len(all)*b.N)/b.Elapsed().Seconds(), "rules/s")
}

func reportEval(b *testing.B, rules, rows, hits int, cpu time.Duration) {
	per := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(rules), "rules")
	b.ReportMetric(float64(rows), "events")
	b.ReportMetric(float64(hits), "hits")
	b.ReportMetric(float64(rules)*float64(rows)/per, "rule-events/s")
	if cpu > 0 {
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	}
}

// uncompressedSize sums the sizes of the event files, their zip members
// uncompressed.
func uncompressedSize(files []string) int64 {
	var n int64
	for _, f := range files {
		n += fileSize(f)
	}
	return n
}

// TestCorpusOnOTRFSmoke checks, on two data sets, that the corpus compiles
// and runs without a panic and that the rules which fire are stable (a
// quick stand-in for the benchmark in every go test).
func TestCorpusOnOTRFSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the Sigma corpus")
	}
	rules := compileCorpus(t)
	if len(rules) < 4000 {
		t.Errorf("%d runnable detection rules, want the corpus's 4,000 or more", len(rules))
	}
	dir := sharedtest.Path(t, "datasets", "otrf", "datasets", "atomic", "windows", "credential_access", "host")
	var fired []string
	err := events.ReadFile(filepath.Join(dir, "psh_lsass_memory_dump_comsvcs.zip"), func(b *events.Block) error {
		blk := NewBlock(b, nil)
		for _, r := range rules {
			if blk.Count(r) > 0 {
				fired = append(fired, r.Source.Title)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(fired)
	want := []string{"Comsvcs.DLL", "LSASS", "Lsass"}
	for _, w := range want {
		found := false
		for _, f := range fired {
			if strings.Contains(f, w) {
				found = true
			}
		}
		if !found {
			t.Errorf("no rule about %q fires on the comsvcs LSASS dump data set; fired: %v", w, fired)
		}
	}
}

// fileSize returns a file's size, or the uncompressed size of a zip
// archive's members.
func fileSize(path string) int64 {
	if strings.EqualFold(filepath.Ext(path), ".zip") {
		zr, err := zip.OpenReader(path)
		if err != nil {
			return 0
		}
		defer zr.Close()
		var n int64
		for _, f := range zr.File {
			n += int64(f.UncompressedSize64)
		}
		return n
	}
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}
