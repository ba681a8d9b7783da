package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/detwiki/detwiki/internal/web"
)

// serve runs one request against the handler and fails on a non-200.
func serve(b *testing.B, h http.Handler, path string) int {
	req := httptest.NewRequest("GET", path, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		b.Fatalf("GET %s: %d", path, rec.Code)
	}
	return rec.Body.Len()
}

// BenchmarkRulePage renders rule pages of the corpus without the page
// cache (the cost of a first visit), cycling through every rule.
func BenchmarkRulePage(b *testing.B) {
	c := corpusCatalog(b)
	h := web.New(c, web.Options{CacheBytes: -1})
	b.ReportAllocs()
	b.ResetTimer()
	var bytes int64
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		r := c.Rules[(i*7919)%len(c.Rules)]
		bytes += int64(serve(b, h, "/rules/"+r.ID))
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	b.ReportMetric(float64(bytes)/float64(b.N), "page-bytes")
}

// BenchmarkRulePageCached serves rule pages from the page cache.
func BenchmarkRulePageCached(b *testing.B) {
	c := corpusCatalog(b)
	h := web.New(c, web.Options{CacheBytes: 1 << 30})
	for _, r := range c.Rules[:500] {
		serve(b, h, "/rules/"+r.ID)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		serve(b, h, "/rules/"+c.Rules[i%500].ID)
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkPages measures rendering the other pages of the wiki over the
// corpus (without the page cache).
func BenchmarkPages(b *testing.B) {
	c := corpusCatalog(b)
	h := web.New(c, web.Options{CacheBytes: -1})
	for _, bc := range []struct{ name, path string }{
		{"home", "/"},
		{"browse", "/rules/"},
		{"browse-filtered", "/rules/?lang=sigma&tactic=TA0005&sort=severity"},
		{"search-word", "/search?q=mmc.exe"},
		{"search-structured", "/search?q=" + url.QueryEscape("field:CommandLine kind:contains value:lsass lang:sigma")},
		{"api-search", "/api/search?q=powershell+encoded"},
		{"matrix", "/attack/"},
		{"technique", "/attack/T1059.001"},
		{"event", "/events/Sysmon/1"},
		{"indicator", "/indicators/process.name/eq/powershell.exe"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := processCPU()
			for i := 0; i < b.N; i++ {
				serve(b, h, bc.path)
			}
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}

// BenchmarkLayer serves the Navigator layer of every rule of the corpus:
// built for each request (a new base URL each time, as the first request
// of a filter), and from the layer cache to clients with and without gzip.
func BenchmarkLayer(b *testing.B) {
	c := corpusCatalog(b)
	h := web.New(c, web.Options{CacheBytes: -1})
	for _, bc := range []struct {
		name     string
		gzip     bool
		newHosts bool
	}{{"uncached", true, true}, {"cached-gzip", true, false}, {"cached-plain", false, false}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var n int64
			cpu0 := processCPU()
			for i := 0; i < b.N; i++ {
				req := httptest.NewRequest("GET", "/api/attack/layer", nil)
				if bc.newHosts {
					req.Host = fmt.Sprintf("wiki%d.example", i)
				}
				if bc.gzip {
					req.Header.Set("Accept-Encoding", "gzip")
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("layer: %d", rec.Code)
				}
				n += int64(rec.Body.Len())
			}
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
			b.ReportMetric(float64(n)/float64(b.N), "body-bytes")
		})
	}
}
