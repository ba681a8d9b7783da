package web_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/catalog/catalogtest"
	"github.com/detwiki/detwiki/internal/web"
)

// recordPayloads runs before every page's own scripts: it records any
// alert (the hostile rule's payloads call alert) and any script the
// page's Content-Security-Policy refused (an injected inline script or
// event handler the policy caught).
const recordPayloads = `window.__alerts = [];
window.alert = function (m) { window.__alerts.push(String(m)); };
window.__refused = [];
document.addEventListener("securitypolicyviolation", function (e) {
  if (e.effectiveDirective.indexOf("script-src") === 0) window.__refused.push(e.effectiveDirective + " " + e.sample);
});`

// injectedJS lists what the hostile strings would have become had they
// been inserted as markup: elements they create, event handler attributes,
// alerts raised, inline scripts refused.
const injectedJS = `(() => {
  const out = [];
  document.querySelectorAll("img[src='x'], img[onerror], script:not([src])").forEach(e => out.push("element " + e.outerHTML.slice(0, 80)));
  document.querySelectorAll("*").forEach(e => { for (const a of e.attributes) if (a.name.startsWith("on")) out.push("attribute " + a.name + " on " + e.tagName); });
  document.querySelectorAll("a[href^='javascript:' i]").forEach(e => out.push("javascript link " + e.getAttribute("href")));
  (window.__alerts || []).forEach(m => out.push("alert " + m));
  (window.__refused || []).forEach(m => out.push("refused " + m));
  return out;
})()`

// checkInert fails the test when the page holds anything the hostile
// strings made, and when it does not show wantText (the hostile title,
// as text).
func checkInert(t *testing.T, ctx context.Context, where, wantText string) {
	t.Helper()
	if wantText != "" {
		// Pages of the static site render their results in the browser:
		// wait for the text.
		_, err := pollRetry[bool](ctx, `document.body.innerText.includes(`+jsString(wantText)+`)`, 15*time.Second)
		if err != nil {
			t.Errorf("%s: the text %q is not shown (%v)", where, wantText, err)
		}
	}
	for _, problem := range read(t, ctx, where, chromedp.Evaluate[[]string](injectedJS)) {
		t.Errorf("%s: %s", where, problem)
	}
}

func jsString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString(`\x3c`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestBrowserHostileRuleInert opens the pages that show the hostile rule
// (title, description, query, values, tables and fields holding <script>
// and "><img onerror=...>), on the server and in the static site, whose
// lists and search results are built by the browser, in real Chromium: the
// strings show as text, nothing runs and no element or handler is made of
// them. The static site has no Content-Security-Policy to fall back on.
func TestBrowserHostileRuleInert(t *testing.T) {
	ctx := newBrowser(t)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: recordPayloads}); err != nil {
		t.Fatal(err)
	}
	c := catalog.New(catalogtest.Documents(), catalog.Info{}, nil)
	hostile, ok := c.Rule(catalogtest.Hostile)
	if !ok {
		t.Fatal("no hostile rule in the fixture")
	}
	title := hostile.Title
	srv := httptest.NewServer(web.New(c, web.Options{}))
	defer srv.Close()

	for _, p := range []struct{ path, want string }{
		{"/rules/" + catalogtest.Hostile, title},
		{"/search?q=hostile", title},
		{"/search?q=" + url.QueryEscape("value:"+catalogtest.ImgTag), title},
		{"/rules/?lang=sigma", title},
		{"/rules/?table=" + url.QueryEscape(catalogtest.ScriptTag), title},
		{"/fields/", ""},
		{"/indicators/", ""},
		{"/events/", ""},
	} {
		do(t, ctx, "open "+p.path, chromedp.Navigate(srv.URL+p.path))
		checkInert(t, ctx, "server "+p.path, p.want)
	}

	// The static site: the rule page, and lists and searches rendered by
	// detwiki.js from the site's data files.
	root := "file://" + filepath.ToSlash(exportFixture(t))
	// The list and search pages come with the first page of all rules
	// (for browsers without JavaScript), which detwiki.js replaces by the
	// results: count is what the results say, to wait for.
	for _, p := range []struct{ path, want, count string }{
		{"/rules/" + catalogtest.Hostile + ".html", title, ""},
		{"/search.html?q=hostile", title, "1 rule"},
		{"/search.html?q=" + url.QueryEscape("value:img"), title, "1 rule"},
		{"/rules/index.html?lang=sigma", title, "2 rules"},
		{"/indicators/index.html", "", ""},
	} {
		do(t, ctx, "open "+p.path, chromedp.Navigate(root+p.path))
		if p.count != "" {
			if _, err := pollRetry[bool](ctx, `document.querySelector("#results[data-rendered] p.count") && document.querySelector("p.count").textContent.startsWith(`+jsString(p.count)+`)`, 15*time.Second); err != nil {
				t.Errorf("static %s: no %q results (%v)", p.path, p.count, err)
			}
		}
		checkInert(t, ctx, "static "+p.path, p.want)
	}
	// Typed into the static search box, the hostile string is a query
	// like any other.
	do(t, ctx, "open the static search", chromedp.Navigate(root+"/search.html"))
	do(t, ctx, "type a hostile query", chromedp.SendKeys(chromedp.CSS("#q"), catalogtest.ImgTag+kb.Enter))
	checkInert(t, ctx, "static search typed", "")
}

// TestBrowserPhoneAndKeyboard opens the main pages at the width of a phone:
// none is wider than the screen (wide tables and the matrix scroll in their
// own box) and the search box is there; "/" focuses the search box and the
// first Tab reaches the skip link.
func TestBrowserPhoneAndKeyboard(t *testing.T) {
	ctx := newBrowser(t)
	srv := fixtureServer(t)
	do(t, ctx, "emulate a phone", chromedp.EmulateViewport(375, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
	for _, p := range []string{"/", "/rules/", "/search?q=mmc.exe", "/rules/" + catalogtest.MMCInjection, "/rules/" + catalogtest.Hostile,
		"/attack/", "/attack/T1218", "/events/Sysmon/1", "/fields/process.parent.name", "/indicators/process.parent.name/eq/mmc.exe", "/coverage", "/patterns/"} {
		do(t, ctx, "open "+p, chromedp.Navigate(srv.URL+p))
		widths := read(t, ctx, "measure "+p, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth, Math.round(document.getElementById("q").getBoundingClientRect().width)]`))
		if widths[0] > widths[1] {
			wide := read(t, ctx, "find the wide element", chromedp.Evaluate[string](`(() => {
  let worst = "";
  document.querySelectorAll("main *").forEach(e => {
    const r = e.getBoundingClientRect();
    if (r.right > window.innerWidth + 1 && !e.closest(".table-wrap, .matrix-wrap, pre, .code")) worst = worst || (e.tagName + "." + e.className + " " + Math.round(r.right));
  });
  return worst;
})()`))
			t.Errorf("%s: %d px wide on a %d px screen (%s)", p, widths[0], widths[1], wide)
		}
		if widths[2] < 100 {
			t.Errorf("%s: the search box is %d px wide", p, widths[2])
		}
	}

	do(t, ctx, "open the home page", chromedp.Navigate(srv.URL+"/"))
	// "/" as a keyboard sends it: a key down that carries its text (the
	// page's handler cancels it, so nothing is typed), then a key up.
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
		ev := input.DispatchKeyEventParams{Type: typ, Key: "/", Code: "Slash", WindowsVirtualKeyCode: 191, NativeVirtualKeyCode: 191}
		if typ == input.DispatchKeyEventTypeKeyDown {
			ev.Text, ev.UnmodifiedText = "/", "/"
		}
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, ev); err != nil {
			t.Fatalf("press /: %v", err)
		}
	}
	if id := read(t, ctx, "focused element", chromedp.Evaluate[string](`document.activeElement && document.activeElement.id`)); id != "q" {
		t.Errorf(`"/" focused %q, want the search box`, id)
	}
	if v := read(t, ctx, "search box text", chromedp.Value(chromedp.CSS("#q"))); v != "" {
		t.Errorf(`"/" was typed into the search box: %q`, v)
	}
	do(t, ctx, "reload", chromedp.Navigate(srv.URL+"/rules/"))
	do(t, ctx, "press Tab", chromedp.KeyEvent(kb.Tab))
	if cls := read(t, ctx, "focused element", chromedp.Evaluate[string](`document.activeElement && document.activeElement.className`)); cls != "skip" {
		t.Errorf("the first Tab focused %q, want the skip link", cls)
	}
}
