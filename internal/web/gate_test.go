package web_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/catalog/catalogtest"
	"github.com/detwiki/detwiki/internal/htmlcheck"
	"github.com/detwiki/detwiki/internal/web"
)

// TestGate: while the catalog loads, every request gets 503 with
// Retry-After (a page that reloads itself, JSON under /api/); once the
// gate is open the server answers.
func TestGate(t *testing.T) {
	g := web.NewGate("loading " + catalogtest.ScriptTag)
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	code, h, body := get(t, srv, "/rules/")
	if code != 503 || h.Get("Retry-After") == "" || !strings.Contains(body, `http-equiv="refresh"`) || h.Get("Content-Security-Policy") == "" {
		t.Errorf("closed gate: %d %v %s", code, h, body)
	}
	if bad := htmlcheck.Injected(body); len(bad) > 0 {
		t.Errorf("closed gate page: %v", bad)
	}
	code, _, body = get(t, srv, "/api/info")
	if code != 503 || !strings.Contains(body, `"loading":true`) {
		t.Errorf("closed gate API: %d %s", code, body)
	}
	g.Open(web.New(catalog.New(catalogtest.Documents(), catalog.Info{}, nil), web.Options{}))
	if code, _, _ = get(t, srv, "/api/info"); code != 200 {
		t.Errorf("open gate: %d", code)
	}
}
