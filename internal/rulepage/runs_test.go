package rulepage_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/catalog/catalogtest"
	"github.com/detwiki/detwiki/internal/htmlcheck"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/rulepage"
)

// TestRunsSection: a rule that ran on events shows its positive tests, the
// data sets it fires on and the matching events, escaped.
func TestRunsSection(t *testing.T) {
	docs := catalogtest.Documents()
	var d *rule.Document
	for _, x := range docs {
		if x.ID == catalogtest.SigmaMMCChild {
			d = x
		}
	}
	if d == nil {
		t.Fatal("no fixture")
	}
	d.Runs = &rule.Runs{
		Of:       3,
		Datasets: []rule.DatasetHits{{Dataset: "atomic/mmc.zip", Hits: 4}},
		Tests:    []rule.TestRun{{Dataset: "regression_data/x.json", Hits: 0, OK: false, Problem: "events: bad <json>"}},
		Samples: []rule.RunSample{{Dataset: "atomic/mmc.zip", Fields: []rule.SampleField{
			{Name: "CommandLine", Value: `mmc.exe "<script>alert(1)</script>"`},
			{Name: "<b>odd</b>", Value: "x"},
		}}},
	}
	c := catalog.New(docs, catalog.Info{}, nil)
	var buf bytes.Buffer
	if err := rulepage.RenderHTML(&buf, page(t, c, catalogtest.SigmaMMCChild)); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{
		`<section id="runs">`,
		"Fires on 1 of the 3 event data sets it ran on.",
		"<code>atomic/mmc.zip</code></td><td>4</td>",
		"<strong>does not fire</strong>: events: bad &lt;json&gt;",
		"&lt;script&gt;alert(1)&lt;/script&gt;",
		"<th>&lt;b&gt;odd&lt;/b&gt;</th>",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(html, "<script>alert") || strings.Contains(html, "<b>odd") {
		t.Error("a sample value reached the page unescaped")
	}
	for _, p := range htmlcheck.Injected(html) {
		t.Errorf("injected markup: %s", p)
	}
	// a rule that did not run has no section
	buf.Reset()
	rulepage.RenderHTML(&buf, page(t, c, catalogtest.MMCInjection))
	if strings.Contains(buf.String(), `id="runs"`) {
		t.Error("runs section without runs")
	}
}
