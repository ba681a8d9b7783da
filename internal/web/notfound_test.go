package web_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/catalog/catalogtest"
	"github.com/detwiki/detwiki/internal/htmlcheck"
	"github.com/detwiki/detwiki/internal/web"
)

// TestNotFoundPage: a path that names no page, whatever its shape, is the
// wiki's 404 page (the site's header with the search box, a search for the
// path's words as a hint), status 404; under /api/ a JSON error.
func TestNotFoundPage(t *testing.T) {
	srv := fixtureServer(t)
	for _, tt := range []struct{ path, hint string }{
		{"/rules/Process_Injection-MMC", `href="/search?q=Process+Injection+MMC"`},
		{"/rules/kusto/Process_Injection-MMC.md", `href="/search?q=Process+Injection+MMC"`},
		{"/rules/kusto/a/b", `href="/search?q=b"`},
		{"/nope", `href="/search?q=nope"`},
		{"/events/Sysmon/1/extra", `href="/search?q=extra"`},
		{"/attack/T9999", `href="/search?q=T9999"`},
		{"/fields/nope", `href="/search?q=nope"`},
		{"/static/nope.css", `href="/search?q=nope.css"`},
	} {
		status, h, body := get(t, srv, tt.path)
		if status != 404 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s: %d %s %.100s", tt.path, status, h.Get("Content-Type"), body)
			continue
		}
		body = strings.ReplaceAll(body, "&#43;", "+")
		for _, want := range []string{"<title>Page not found · detwiki</title>", `role="search"`, `href="/static/detwiki.css"`, tt.hint} {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s lacks %s:\n%s", tt.path, want, body)
			}
		}
		if h.Get("Content-Security-Policy") == "" {
			t.Errorf("GET %s: no Content-Security-Policy", tt.path)
		}
	}
	// Hostile paths are escaped.
	status, _, body := get(t, srv, "/nope/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
	if status != 400 {
		for _, problem := range htmlcheck.Injected(body, "/static/detwiki.js") {
			t.Errorf("hostile path: %s", problem)
		}
	}
	status, _, body = get(t, srv, "/x/%3Cscript%3Ealert(1)")
	if status != 404 || strings.Contains(body, "<script>alert") {
		t.Errorf("hostile path: %d\n%s", status, body)
	}
	for _, p := range []string{"/api/nope", "/api/rules/kusto/nope", "/api/events/a/b/c"} {
		status, h, body := get(t, srv, p)
		var v struct {
			Error  string
			Status int
		}
		if err := json.Unmarshal([]byte(body), &v); err != nil || status != 404 || v.Status != 404 || v.Error == "" ||
			!strings.HasPrefix(h.Get("Content-Type"), "application/json") {
			t.Errorf("GET %s: %d %s", p, status, body)
		}
	}
}

// TestStaticNotFoundPage: the static site has a 404.html for static hosts,
// linking from the site's path on its host.
func TestStaticNotFoundPage(t *testing.T) {
	c := catalog.New(catalogtest.Documents(), catalog.Info{}, nil)
	for _, tt := range []struct{ base, css, search string }{
		{"", `href="/static/detwiki.css"`, `action="/search.html"`},
		{"https://example.org/wiki/", `href="/wiki/static/detwiki.css"`, `action="/wiki/search.html"`},
	} {
		dir := t.TempDir()
		if _, err := web.Export(c, dir, web.ExportOptions{BaseURL: tt.base}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "404.html"))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Page not found", `role="search"`, tt.css, tt.search} {
			if !strings.Contains(string(b), want) {
				t.Errorf("base %q: 404.html lacks %s", tt.base, want)
			}
		}
	}
}
