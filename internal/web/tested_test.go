package web_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/catalog/catalogtest"
	"github.com/detwiki/detwiki/internal/htmlcheck"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/web"
)

// TestTestedFilter: in a catalog whose rules ran on events, browse and
// search offer the tested filter, it selects the rules, and the rule page
// shows the matching events escaped.
func TestTestedFilter(t *testing.T) {
	docs := catalogtest.Documents()
	var ran *rule.Document
	for _, d := range docs {
		if d.ID == catalogtest.SigmaMMCChild {
			ran = d
		}
	}
	ran.Runs = &rule.Runs{Of: 1, Datasets: []rule.DatasetHits{{Dataset: "mmc.jsonl", Hits: 2}},
		Samples: []rule.RunSample{{Dataset: "mmc.jsonl", Fields: []rule.SampleField{{Name: "CommandLine", Value: "<script>alert(1)</script>"}}}}}
	c := catalog.New(docs, catalog.Info{Detwiki: "test"}, nil)
	srv := httptest.NewServer(web.New(c, web.Options{}))
	t.Cleanup(srv.Close)

	code, _, body := get(t, srv, "/rules/")
	if !strings.Contains(body, "Process Injection Initiated By MMC") {
		t.Fatal("the unfiltered list lacks the rule the filter must leave out")
	}
	if code != 200 || !strings.Contains(body, `<select name="tested">`) || !strings.Contains(body, `<option value="fires">fires (1)</option>`) {
		t.Errorf("browse: %d, no tested filter", code)
	}
	_, _, body = get(t, srv, "/rules/?tested=fires")
	if !strings.Contains(body, ran.Title) || strings.Contains(body, "Process Injection Initiated By MMC") {
		t.Errorf("tested=fires does not select only the rule that ran")
	}
	_, _, body = get(t, srv, "/search?q=is:tested")
	if !strings.Contains(body, ran.Title) {
		t.Errorf("is:tested does not find the rule that ran")
	}
	_, _, page := get(t, srv, "/rules/"+ran.ID)
	if !strings.Contains(page, `<section id="runs">`) || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("rule page without its runs")
	}
	if bad := htmlcheck.Injected(page, "/static/detwiki.js"); len(bad) > 0 {
		t.Errorf("rule page: %v", bad)
	}
	// a catalog without runs has no tested select
	_, _, body = get(t, fixtureServer(t), "/rules/")
	if strings.Contains(body, `<select name="tested">`) {
		t.Error("tested filter in a catalog built without events")
	}
}
