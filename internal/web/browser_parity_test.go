package web_test

import (
	"context"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/catalog/catalogtest"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/web"
)

// staticSearches are queries whose results the static site, searching in
// the browser, must count as the server does.
var staticSearches = []string{
	// words: whole tokens, the last one from three characters on a prefix
	"mmc", "mmc.exe", "lsa", "ess", "mm", "e", "exe", "mmc.ex", "script host", `"script host"`, `c:\windows`, "injection mmc",
	// negated words and phrases
	"-mmc", "mmc -lsass", `technique:T1218 -"script host"`, "-lang:kusto mmc",
	// indicator terms
	"field:process.parent.name", "field:ParentImage value:mmc", "kind:in", "kind:eq value:mmc.exe", "value:=mmc.exe",
	"kind:eq -value:mmc", "-value:mmc",
	// other terms
	"technique:T1218", "technique:t1218.014", "-technique:T1218", "tactic:defense-evasion", "tactic:TA0005", `tactic:"Defense Evasion"`,
	"event:sysmon/1", "event:process_creation", "event:Sysmon", "table:DeviceProcessEvents", "source:repo-a", "is:feed", "vendor",
	"is:deprecated", "is:error", "author:falconforce", "id:sigma/", "id:proc", "id:sigma/proc", "platform:windows", "severity:high",
	"status:experimental", "format:sigma", "tested:fires", "is:tested",
}

// staticLists are rule list filters (URL parameters) the static site must
// apply as the server does.
var staticLists = []string{"lang=kusto", "lang=sigma,kusto", "tactic=TA0005&lang=kusto", "technique=T1218", "event=Sysmon/1",
	"tested=fires", "severity=medium", "feeds=1", "q=mmc&lang=elastic"}

// pollRetry polls expr until it is truthy, again when the page's
// JavaScript context went away under the poll (a navigation finishing
// late on a loaded machine).
func pollRetry[T any](ctx context.Context, expr string, timeout time.Duration) (T, error) {
	var v T
	var err error
	for range 3 {
		v, err = chromedp.Run(ctx, chromedp.Poll[T](expr, chromedp.WithPollingTimeout(timeout)))
		if err == nil || !strings.Contains(err.Error(), "Cannot find context") {
			return v, err
		}
		time.Sleep(200 * time.Millisecond)
	}
	return v, err
}

// TestBrowserStaticSearchMatchesServer runs searches and list filters in
// the static site, in Chromium, and checks that each finds as many rules
// as the server's search (catalog.Find) does.
func TestBrowserStaticSearchMatchesServer(t *testing.T) {
	ctx := newBrowser(t)
	docs := catalogtest.Documents()
	for _, d := range docs {
		if d.ID == catalogtest.SigmaMMCChild {
			d.Runs = &rule.Runs{Of: 1, Datasets: []rule.DatasetHits{{Dataset: "mmc.jsonl", Hits: 2}}}
		}
	}
	c := catalog.New(docs, catalog.Info{}, nil)
	dir := t.TempDir()
	if _, err := web.Export(c, dir, web.ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	root := "file://" + filepath.ToSlash(dir)
	count := func(page string) (int, bool) {
		t.Helper()
		do(t, ctx, "open "+page, chromedp.Navigate(root+page))
		text, err := pollRetry[string](ctx, `document.querySelector("#results[data-rendered] p.count") ? document.querySelector("#results p.count").textContent : null`, 15*time.Second)
		if err != nil {
			t.Errorf("%s: no results (%v)", page, err)
			return 0, false
		}
		n, err := strconv.Atoi(strings.Fields(text)[0])
		return n, err == nil
	}
	checked := 0
	for _, q := range staticSearches {
		res, err := c.Find(catalog.Filter{Q: q})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if got, ok := count("/search.html?q=" + url.QueryEscape(q)); ok && got != res.Total {
			t.Errorf("search %s: the static site finds %d rules, the server %d", q, got, res.Total)
		}
		if res.Total > 0 {
			checked++
		}
	}
	for _, l := range staticLists {
		params, _ := url.ParseQuery(l)
		f := catalog.Filter{Q: params.Get("q"), Feeds: params.Get("feeds") == "1", Filters: map[string][]string{}}
		for _, k := range catalog.FilterKeys {
			for _, v := range params[k] {
				f.Filters[k] = append(f.Filters[k], strings.Split(v, ",")...)
			}
		}
		res, err := c.Find(f)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := count("/rules/index.html?" + l); ok && got != res.Total {
			t.Errorf("list %s: the static site lists %d rules, the server %d", l, got, res.Total)
		}
	}
	if checked < 30 {
		t.Errorf("only %d searches find rules: the comparison proves little", checked)
	}
}
