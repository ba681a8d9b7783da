package rulepage_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/catalog/catalogtest"
	"github.com/detwiki/detwiki/internal/htmlcheck"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/rulepage"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func page(t *testing.T, c *catalog.Catalog, id string) *rulepage.Page {
	t.Helper()
	r, ok := c.Rule(id)
	if !ok {
		t.Fatalf("no rule %s", id)
	}
	return &rulepage.Page{Doc: r.Document, Rule: r, Catalog: c, URLs: rulepage.Server}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./internal/rulepage -update and review the diff)\n--- got:\n%s", name, got)
	}
}

func TestMarkdownGolden(t *testing.T) {
	c := catalog.New(catalogtest.Documents(), catalog.Info{}, nil)
	for _, tt := range []struct{ id, file string }{
		{catalogtest.MMCInjection, "mmc-injection.md"},
		{catalogtest.SigmaMMCChild, "sigma-mmc-child.md"},
		{catalogtest.Hostile, "hostile.md"},
	} {
		var buf bytes.Buffer
		if err := rulepage.RenderMarkdown(&buf, page(t, c, tt.id)); err != nil {
			t.Fatal(err)
		}
		golden(t, tt.file, buf.Bytes())
	}
	// Outside a catalog: no corpus counts, no related rules.
	d := catalogtest.Documents()[0]
	var buf bytes.Buffer
	if err := rulepage.RenderMarkdown(&buf, &rulepage.Page{Doc: d, URLs: rulepage.Server}); err != nil {
		t.Fatal(err)
	}
	golden(t, "mmc-injection-standalone.md", buf.Bytes())
}

func TestMarkdownContent(t *testing.T) {
	c := catalog.New(catalogtest.Documents(), catalog.Info{}, nil)
	var buf bytes.Buffer
	rulepage.RenderMarkdown(&buf, page(t, c, catalogtest.MMCInjection))
	md := buf.String()
	for _, want := range []string{
		"# Process Injection Initiated By MMC",
		"[`InitiatingProcessFileName`](/fields/process.parent.name) (= `process.parent.name`) | eq | [`mmc.exe`](/indicators/process.parent.name/eq/mmc.exe) — corpus 6 (elastic 1, kusto 3, sigma 1, splunk 1)",
		"| Defense Evasion (TA0005) | [T1218.014](/attack/T1218.014) | System Binary Proxy Execution: MMC |",
		"5. **Stage 5: extend** (3 consecutive steps)",
		"| `timeframe` | `2h` | `let timeframe = 2*1h;` |",
		"### Narrower (they add) (1)",
		"[`process.name`](/fields/process.name) eq `lsass.exe`",
		"≈ equivalent",
		"- **warning** `KQL2001` 6:9:",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	// Only http(s) references are links.
	if strings.Contains(md, "](javascript:") {
		t.Error("javascript: link in markdown")
	}
}

func assertInert(t *testing.T, doc string) {
	t.Helper()
	for _, p := range htmlcheck.Injected(doc) {
		t.Error(p)
	}
}

func TestHTMLIsInert(t *testing.T) {
	c := catalog.New(catalogtest.Documents(), catalog.Info{}, nil)
	for _, r := range c.Rules {
		var buf bytes.Buffer
		if err := rulepage.RenderHTML(&buf, page(t, c, r.ID)); err != nil {
			t.Fatal(err)
		}
		assertInert(t, buf.String())
	}
	var buf bytes.Buffer
	rulepage.RenderHTML(&buf, page(t, c, catalogtest.Hostile))
	doc := buf.String()
	// The hostile text is there, as text.
	title := htmlcheck.Text(doc, "h1")
	if !strings.Contains(title, catalogtest.ScriptTag) || !strings.Contains(title, catalogtest.ImgTag) {
		t.Errorf("title text = %q", title)
	}
	if !strings.Contains(doc, "&lt;script&gt;") {
		t.Error("escaped script tag not on the page")
	}
}

func TestHTMLContent(t *testing.T) {
	c := catalog.New(catalogtest.Documents(), catalog.Info{}, nil)
	var buf bytes.Buffer
	if err := rulepage.RenderHTML(&buf, page(t, c, catalogtest.MMCInjection)); err != nil {
		t.Fatal(err)
	}
	doc := buf.String()
	for _, want := range []string{
		`<h1 class="title">Process Injection Initiated By MMC</h1>`,
		`data-corpus="6"`,
		`corpus 6 (elastic 1, kusto 3, sigma 1, splunk 1)`,
		`href="/indicators/process.parent.name/eq/mmc.exe"`,
		`href="/fields/process.parent.name"`,
		`href="/events/Defender-DeviceEvents/CreateRemoteThreadApiCall"`,
		`href="/attack/T1218.014"`,
		`<span class="via-eq">≈ equivalent</span>`,
		`id="Q4"`,
		`<i class="k">where</i>`,
		`(3 consecutive steps)`,
		`id="param-timeframe"`,
		`href="/rules/kusto/MMC-Injection-Narrow"`,
		`name="viewport"`,
		`href="https://github.com/FalconForceTeam/FalconFriday/blob/HEAD/0xFF-0546-Process_Injection_Initiated_By_MMC-Win.md"`,
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// The javascript: reference is shown as text, not linked.
	if strings.Contains(doc, `href="javascript:`) || !strings.Contains(doc, "javascript:alert(1)") {
		t.Error("javascript: reference linked or missing")
	}
}

func TestStaticURLs(t *testing.T) {
	u := rulepage.Static(2)
	if got := u.Rule("kusto/x"); got != "../../rules/kusto/x.html" {
		t.Errorf("rule link %s", got)
	}
	if got := u.Dir("rules/"); got != "../../rules/index.html" {
		t.Errorf("dir link %s", got)
	}
	if got := rulepage.Server.Search("a b"); got != "/search?q=a+b" {
		t.Errorf("search link %s", got)
	}
}

func TestProse(t *testing.T) {
	got := string(rulepage.Prose("## Triage\n\nSee [docs](https://example.org/x) and `code <b>`.\n\n- one\n- two [x](javascript:alert(1))\n\n```\n<script>\n```\nhttps://example.org/a)."))
	for _, want := range []string{"<h4>Triage</h4>", `<a href="https://example.org/x" rel="noopener noreferrer">docs</a>`, "<code>code &lt;b&gt;</code>",
		"<li>one</li>", "<li>two x)</li>", "&lt;script&gt;", `<a href="https://example.org/a" rel="noopener noreferrer">https://example.org/a</a>).`} {
		if !strings.Contains(got, want) {
			t.Errorf("prose lacks %s:\n%s", want, got)
		}
	}
	assertInert(t, got)
}

// TestLinksToSharedIDs: a link naming an id several rules were read with
// goes to the rule of the linking rule's source when there is exactly one,
// else to the page that lists them.
func TestLinksToSharedIDs(t *testing.T) {
	doc := func(repo, path, title string, links ...rule.Link) *rule.Document {
		return &rule.Document{ID: rule.MakeID(rule.LangKusto, path, ""), Language: rule.LangKusto, Title: title,
			Source: rule.Source{Repo: repo, Path: path}, Query: "T", Links: links}
	}
	c := catalog.New([]*rule.Document{
		doc("repo-a", "old.kql", "Old rule of A"),
		doc("repo-b", "old.kql", "Old rule of B"),
		doc("repo-a", "new.kql", "New rule of A", rule.Link{Kind: "replaces", Target: "kusto/old"}),
		doc("repo-c", "other.kql", "Rule of C", rule.Link{Kind: "replaces", Target: "kusto/old"}),
	}, catalog.Info{}, nil)
	for _, tt := range []struct{ id, href, text string }{
		{"kusto/new", `href="/rules/kusto/old~repo-a"`, "Old rule of A"},
		{"kusto/other", `href="/rules/kusto/old"`, "kusto/old"},
	} {
		html := string(rulepage.AppendFragment(nil, page(t, c, tt.id)))
		if !strings.Contains(html, tt.href) || !strings.Contains(html, tt.text) {
			t.Errorf("%s: no link %s (%s) in\n%s", tt.id, tt.href, tt.text, html)
		}
	}
}
