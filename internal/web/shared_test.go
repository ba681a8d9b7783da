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

// TestSharedIDPage: an id several rules were read with is a page listing
// them (in any letter case), and the API answers it 300 Multiple Choices
// with the candidates; the rules themselves are at their own ids.
func TestSharedIDPage(t *testing.T) {
	srv := fixtureServer(t)
	for _, p := range []string{"/rules/" + catalogtest.SharedDuplicate, "/rules/KUSTO/DUP"} {
		status, h, body := get(t, srv, p)
		if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s: %d %s", p, status, h.Get("Content-Type"))
		}
		for _, want := range []string{`href="/rules/` + catalogtest.Duplicate + `"`, `href="/rules/` + catalogtest.Duplicate2 + `"`,
			"Duplicate from repo-a", "Duplicate from repo-b", "2 rules were read with the id"} {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s lacks %q", p, want)
			}
		}
		for _, problem := range htmlcheck.Injected(body, "/static/detwiki.js") {
			t.Errorf("GET %s: %s", p, problem)
		}
	}
	for _, p := range []string{"/rules/" + catalogtest.Duplicate, "/rules/" + catalogtest.Duplicate2, "/api/rules/" + catalogtest.Duplicate} {
		if status, _, _ := get(t, srv, p); status != 200 {
			t.Errorf("GET %s: %d", p, status)
		}
	}
	for _, p := range []string{"/api/rules/" + catalogtest.SharedDuplicate, "/api/related/" + catalogtest.SharedDuplicate} {
		status, h, body := get(t, srv, p)
		var v struct {
			Status     int
			ID         string
			Error      string
			Candidates []struct{ ID, URL, API string }
		}
		if err := json.Unmarshal([]byte(body), &v); err != nil || status != 300 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
			t.Fatalf("GET %s: %d %s %v", p, status, body, err)
		}
		if v.Status != 300 || v.ID != catalogtest.SharedDuplicate || len(v.Candidates) != 2 || v.Candidates[0].ID != catalogtest.Duplicate ||
			v.Candidates[1].API != "/api/rules/"+catalogtest.Duplicate2 || v.Error == "" {
			t.Errorf("GET %s: %+v", p, v)
		}
	}
}

// TestStaticSharedIDPage: the static site has the shared id's page too.
func TestStaticSharedIDPage(t *testing.T) {
	dir := t.TempDir()
	c := catalog.New(catalogtest.Documents(), catalog.Info{}, nil)
	if _, err := web.Export(c, dir, web.ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "rules", filepath.FromSlash(catalogtest.SharedDuplicate)+".html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`href="../../rules/` + catalogtest.Duplicate + `.html"`, `href="../../rules/` + catalogtest.Duplicate2 + `.html"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("shared id page lacks %s", want)
		}
	}
}
