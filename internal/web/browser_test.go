package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/catalog/catalogtest"
	"github.com/detwiki/detwiki/internal/web"
)

// chromium returns the Chromium executable, skipping the test when there is
// none (failing it under CI, which installs it).
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("DETWIKI_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is not installed (apt-get install chromium); CI must run the browser tests")
	}
	t.Skip("Chromium is not installed; the browser tests need it (apt-get install chromium)")
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile and returns a
// tab context with a deadline for the test's steps. A browser that dies
// while starting (it happens on a loaded machine: the crash reporter, a
// full /dev/shm) is started again, up to three times.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	exe := chromium(t)
	var (
		bctx                   context.Context
		cancelCtx, cancelAlloc context.CancelFunc
		err                    error
	)
	for attempt := 1; attempt <= 3; attempt++ {
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(exe),
			chromedp.Flag("headless", true),
			chromedp.Flag("no-sandbox", true),
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("no-first-run", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("disable-crash-reporter", true),
			chromedp.Flag("disable-breakpad", true),
			chromedp.UserDataDir(t.TempDir()),
			chromedp.WindowSize(1280, 1000),
		}
		var actx context.Context
		actx, cancelAlloc = chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, cancelCtx = chromedp.NewContext(actx)
		// The first run starts the browser: no deadline on it (a deadline
		// there would stop the whole browser).
		if err = chromedp.Do(bctx); err == nil {
			break
		}
		cancelCtx()
		cancelAlloc()
		t.Logf("starting Chromium (attempt %d): %v", attempt, err)
		time.Sleep(time.Second)
	}
	if err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(bctx, 120*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	return ctx
}

func fail(t *testing.T, ctx context.Context, step string, err error) {
	t.Helper()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	t.Fatalf("%s (at %s): %v", step, loc, err)
}

// do runs steps that return nothing.
func do(t *testing.T, ctx context.Context, step string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		fail(t, ctx, step, err)
	}
}

// navigate runs steps that load a new page (a click on a link, a form
// submission) and waits for the page.
func navigate(t *testing.T, ctx context.Context, step string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if _, err := chromedp.RunResponse(ctx, steps...); err != nil {
		fail(t, ctx, step, err)
	}
}

// read runs one action and returns its value.
func read[T any](t *testing.T, ctx context.Context, step string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		fail(t, ctx, step, err)
	}
	return v
}

// corpusCounts reads the indicator values of a rule page with their corpus
// counts: value -> the text of its count.
const corpusCountsJS = `(() => {
  const out = {};
  document.querySelectorAll('#indicators li.value').forEach(li => {
    const v = li.querySelector('code'), c = li.querySelector('[data-corpus]');
    if (v && c) out[v.textContent] = c.textContent;
  });
  return out;
})()`

// change sets a select's value and fires its change event (the filter forms
// apply on change).
func change(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const s = document.querySelector(%q); s.value = %q; s.dispatchEvent(new Event('change', {bubbles: true})); })()`, sel, value))
}

func TestBrowser(t *testing.T) {
	ctx := newBrowser(t)
	c := catalog.New(catalogtest.Documents(), catalog.Info{}, nil)
	srv := httptest.NewServer(web.New(c, web.Options{}))
	defer srv.Close()

	// Home, then a search for mmc.exe from the search box.
	do(t, ctx, "open home", chromedp.Navigate(srv.URL+"/"))
	if h := read(t, ctx, "read the home heading", chromedp.Text(chromedp.CSS("h1"))); h != "Detection rules, explained" {
		t.Errorf("home heading = %q", h)
	}
	navigate(t, ctx, "search mmc.exe", chromedp.SendKeys(chromedp.CSS("#q"), "mmc.exe"+kb.Enter))
	do(t, ctx, "wait for the results", chromedp.WaitVisible(chromedp.CSS("table.results")))
	if loc := read(t, ctx, "location", chromedp.Location()); !strings.Contains(loc, "/search?q=mmc.exe") {
		t.Errorf("search URL = %s", loc)
	}
	titles := read(t, ctx, "read the results", chromedp.Evaluate[[]string](`[...document.querySelectorAll('a.rule-link')].map(a => a.textContent)`))
	if !contains(titles, "Process Injection Initiated By MMC") || !contains(titles, "MMC Spawning a Script Host") {
		t.Fatalf("search results = %q", titles)
	}

	// Open the rule page from the results and read its indicators.
	navigate(t, ctx, "open the rule page", chromedp.Click(chromedp.Search(`//a[@class="rule-link"][text()="Process Injection Initiated By MMC"]`)))
	do(t, ctx, "wait for the indicators", chromedp.WaitVisible(chromedp.CSS("#indicators")))
	if title := read(t, ctx, "read the title", chromedp.Text(chromedp.CSS("h1.title"))); title != "Process Injection Initiated By MMC" {
		t.Errorf("rule title = %q", title)
	}
	counts := read(t, ctx, "read the indicators", chromedp.Evaluate[map[string]string](corpusCountsJS))
	if got := counts["mmc.exe"]; got != "corpus 6 (elastic 1, kusto 3, sigma 1, splunk 1)" {
		t.Errorf("mmc.exe corpus = %q (all: %v)", got, counts)
	}
	if got := counts["CreateRemoteThreadApiCall"]; got != "corpus 2 (kusto 2)" {
		t.Errorf("CreateRemoteThreadApiCall corpus = %q", got)
	}

	// Follow the mmc.exe indicator to every rule that looks for it.
	navigate(t, ctx, "open the indicator page", chromedp.Click(chromedp.Search(`//li[@class="value"]//a[code="mmc.exe"]`)))
	if n := read(t, ctx, "count the rules", chromedp.Evaluate[int](`document.querySelectorAll('table.results tbody tr').length`)); n != 6 {
		t.Errorf("rules on mmc.exe = %d, want 6", n)
	}

	// The ATT&CK matrix, a language filter, and a technique page.
	do(t, ctx, "open the matrix", chromedp.Navigate(srv.URL+"/attack/"), chromedp.WaitVisible(chromedp.CSS("#matrix")))
	if cell := read(t, ctx, "read a cell", chromedp.AttributeValue(chromedp.CSS(`[data-cell="TA0005/T1218"]`), "data-count")); cell.Value != "5" {
		t.Errorf("T1218 under Defense Evasion = %q, want 5", cell.Value)
	}
	navigate(t, ctx, "filter the matrix on Sigma", change(`#matrix-filters select[name="lang"]`, "sigma"))
	if cell := read(t, ctx, "read a cell", chromedp.AttributeValue(chromedp.CSS(`[data-cell="TA0005/T1218"]`), "data-count")); cell.Value != "1" {
		t.Errorf("T1218 for Sigma = %q, want 1", cell.Value)
	}
	navigate(t, ctx, "open a technique page", chromedp.Click(chromedp.CSS(`[data-cell="TA0005/T1218"] > a`)))
	if h := read(t, ctx, "read the technique", chromedp.Text(chromedp.CSS("h1"))); !strings.Contains(h, "T1218") || !strings.Contains(h, "System Binary Proxy Execution") {
		t.Errorf("technique heading = %q", h)
	}

	// The rule list with a filter applied from the form.
	do(t, ctx, "open the rule list", chromedp.Navigate(srv.URL+"/rules/"), chromedp.WaitVisible(chromedp.CSS("#filters")))
	navigate(t, ctx, "filter the rule list", change(`#filters select[name="lang"]`, "sigma"))
	count := read(t, ctx, "read the count", chromedp.Text(chromedp.CSS("p.count")))
	if loc := read(t, ctx, "location", chromedp.Location()); !strings.Contains(loc, "lang=sigma") || !strings.HasPrefix(count, "2 rules") {
		t.Errorf("filtered list: %s, %q", loc, count)
	}

	// Download the Navigator layer from the matrix page.
	dir := t.TempDir()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "download the layer",
		chromedp.Navigate(srv.URL+"/attack/?lang=kusto"),
		chromedp.WaitVisible(chromedp.CSS("#layer-download")),
		chromedp.Click(chromedp.CSS("#layer-download")))
	layerFile := waitForFile(t, dir, ".json", 30*time.Second)
	var layer catalog.Layer
	b, _ := os.ReadFile(layerFile)
	if err := json.Unmarshal(b, &layer); err != nil {
		t.Fatalf("layer %s: %v", layerFile, err)
	}
	if layer.Versions.Layer != "4.5" || layer.Domain != "enterprise-attack" || len(layer.Techniques) == 0 {
		t.Fatalf("layer = %+v", layer)
	}
	found := false
	for _, te := range layer.Techniques {
		if te.TechniqueID == "T1218.014" {
			found = true
			if te.Score != 2 || len(te.Links) != 2 || !strings.HasPrefix(te.Links[0].URL, srv.URL+"/rules/kusto/") || len(te.Metadata) != 2 {
				t.Errorf("T1218.014 in the Kusto layer = %+v", te)
			}
		}
	}
	if !found {
		t.Errorf("Kusto layer lacks T1218.014: %+v", layer.Techniques)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// waitForFile waits for a complete file with the given suffix in dir.
func waitForFile(t *testing.T, dir, suffix string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), suffix) {
				return filepath.Join(dir, e.Name())
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no %s file downloaded into %s", suffix, dir)
	return ""
}

// TestBrowserStaticSite opens the exported static site from file:// and
// checks that search, the rule list filter and the matrix filter work in
// the browser.
func TestBrowserStaticSite(t *testing.T) {
	ctx := newBrowser(t)
	dir := exportFixture(t)
	root := "file://" + filepath.ToSlash(dir)
	hits := `[...document.querySelectorAll('#results a.rule-link')].map(a => a.textContent)`

	do(t, ctx, "open the static home", chromedp.Navigate(root+"/index.html"))
	navigate(t, ctx, "search in the static site", chromedp.SendKeys(chromedp.CSS("#q"), "mmc.exe"+kb.Enter))
	do(t, ctx, "wait for the results", chromedp.WaitVisible(chromedp.CSS(`#results tbody tr`)))
	titles := read(t, ctx, "read the results", chromedp.Poll[[]string](`(() => { const h = `+hits+`; return h.includes("Process Injection Initiated By MMC") ? h : null; })()`, chromedp.WithPollingTimeout(15*time.Second)))
	if !contains(titles, "MMC Spawning a Script Host") || contains(titles, "Vendor alerts pass-through") {
		t.Errorf("static search results = %q", titles)
	}

	q := strings.ReplaceAll("field:InitiatingProcessFileName value:mmc lang:elastic", " ", "+")
	do(t, ctx, "structured search", chromedp.Navigate(root+"/search.html?q="+q))
	links := read(t, ctx, "read the results", chromedp.Poll[[]string](`(() => { const h = [...document.querySelectorAll('#results a.rule-link')].map(a => a.getAttribute('href')); return h.length === 1 && document.querySelector('p.count').textContent.startsWith('1 rule') ? h : null; })()`, chromedp.WithPollingTimeout(15*time.Second)))
	if !strings.HasSuffix(links[0], "rules/"+catalogtest.ElasticMMCChild+".html") {
		t.Errorf("structured static search = %q", links)
	}
	navigate(t, ctx, "open a rule page from the results", chromedp.Click(chromedp.CSS(`#results a.rule-link`)))
	counts := read(t, ctx, "read the indicators", chromedp.Evaluate[map[string]string](corpusCountsJS))
	if got := counts["mmc.exe"]; got != "corpus 6 (elastic 1, kusto 3, sigma 1, splunk 1)" {
		t.Errorf("static rule page: mmc.exe corpus = %q (all: %v)", got, counts)
	}

	do(t, ctx, "open the static rule list", chromedp.Navigate(root+"/rules/index.html"), chromedp.WaitVisible(chromedp.CSS("#filters")),
		change(`#filters select[name="lang"]`, "kusto"))
	// Kusto: 6 rules, the third-party feed left out of the list.
	count := read(t, ctx, "read the count", chromedp.Poll[string](`(() => { const c = document.querySelector('p.count').textContent; return c.startsWith('5 rules') ? c : null; })()`, chromedp.WithPollingTimeout(15*time.Second)))
	if loc := read(t, ctx, "location", chromedp.Location()); !strings.Contains(loc, "lang=kusto") {
		t.Errorf("static list URL %s (%s)", loc, count)
	}

	do(t, ctx, "open the static matrix", chromedp.Navigate(root+"/attack/index.html"), chromedp.WaitVisible(chromedp.CSS("#matrix")),
		change(`#matrix-filters select[name="lang"]`, "sigma"))
	read(t, ctx, "wait for the filtered matrix", chromedp.Poll[bool](`document.querySelector('[data-cell="TA0005/T1218"]').getAttribute('data-count') === '1'`, chromedp.WithPollingTimeout(15*time.Second)))
	href := read(t, ctx, "read the layer link", chromedp.AttributeValue(chromedp.CSS(`#layer-download`), "href"))
	if !strings.HasSuffix(href.Value, "attack/layer-lang-sigma.json") {
		t.Errorf("static matrix layer link for sigma: %s", href.Value)
	}
	if _, err := os.Stat(filepath.Join(dir, "attack", "layer-lang-sigma.json")); err != nil {
		t.Errorf("layer file: %v", err)
	}
}
