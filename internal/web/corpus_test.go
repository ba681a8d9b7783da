package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/detwiki/detwiki/internal/catalog"
	_ "github.com/detwiki/detwiki/internal/formats/all"
	"github.com/detwiki/detwiki/internal/htmlcheck"
	"github.com/detwiki/detwiki/internal/sharedtest"
	"github.com/detwiki/detwiki/internal/web"
)

var (
	corpusOnce sync.Once
	corpusCat  *catalog.Catalog
	corpusErr  error
)

// corpusCatalog builds the catalog of the whole shared corpus in memory,
// once per test binary.
func corpusCatalog(tb testing.TB) *catalog.Catalog {
	tb.Helper()
	root := sharedtest.Path(tb, "corpus")
	corpusOnce.Do(func() {
		entries, err := os.ReadDir(root)
		if err != nil {
			corpusErr = err
			return
		}
		var sources []string
		for _, e := range entries {
			if e.IsDir() {
				sources = append(sources, filepath.Join(root, e.Name()))
			}
		}
		corpusCat, _, corpusErr = catalog.Build(catalog.Options{Sources: sources})
	})
	if corpusErr != nil {
		tb.Fatal(corpusErr)
	}
	return corpusCat
}

// TestCorpusPages serves the real corpus and checks that every kind of page
// renders (200) and is inert, on a sample of rules from every language and
// every index page.
func TestCorpusPages(t *testing.T) {
	c := corpusCatalog(t)
	srv := httptest.NewServer(web.New(c, web.Options{CacheBytes: -1}))
	defer srv.Close()
	paths := []string{"/", "/rules/", "/rules/?sort=severity&order=desc&page=3", "/attack/", "/attack/?lang=sigma", "/events/",
		"/fields/", "/indicators/", "/patterns/", "/coverage", "/search?q=mmc.exe", "/search?q=" + url.QueryEscape("field:CommandLine kind:contains value:lsass"),
		"/api/rules?per_page=500", "/api/attack/layer", "/api/events", "/api/indicators?value=lsass", "/api/coverage"}
	// Rules: every 12th of each language, and every rule with an error.
	perLang := map[string]int{}
	for _, r := range c.Rules {
		perLang[r.Language]++
		hasErr := false
		for _, d := range r.Analysis.Diagnostics {
			hasErr = hasErr || d.IsError()
		}
		if perLang[r.Language]%12 == 1 || hasErr {
			paths = append(paths, "/rules/"+r.ID, "/api/rules/"+r.ID)
		}
	}
	for i, e := range c.Events {
		if i%10 == 0 {
			paths = append(paths, "/events/"+e.Slug)
		}
	}
	for i, p := range c.Providers {
		if i%3 == 0 {
			paths = append(paths, "/events/"+p.Slug)
		}
	}
	for i, f := range c.Fields {
		if i < 20 || i%50 == 0 {
			paths = append(paths, "/fields/"+f.Slug)
		}
	}
	for i, st := range c.Indicators {
		if i < 20 || i%500 == 0 {
			paths = append(paths, "/indicators/"+st.Slug)
		}
	}
	for i, p := range c.Patterns {
		if i < 10 {
			paths = append(paths, "/patterns/"+p.Slug)
		}
	}
	for i, te := range c.Techniques {
		if i%10 == 0 {
			paths = append(paths, "/attack/"+te.ID)
		}
	}
	t.Logf("%d pages", len(paths))
	client := srv.Client()
	for _, p := range paths {
		resp, err := client.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		buf := make([]byte, 64<<10)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d %.300s", p, resp.StatusCode, b.String())
			continue
		}
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			for _, problem := range htmlcheck.Injected(b.String(), "/static/detwiki.js") {
				t.Errorf("GET %s: %s", p, problem)
			}
		}
	}
}
