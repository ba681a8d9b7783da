package catalog_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/rule"
)

// docReader reads *.ruledoc.json files (one rule document each). Like the
// Splunk reader with its macros, it shares per-source state: the text of
// the source's "macros.txt" is appended to every description.
type docReader struct{}

func (docReader) Format() string   { return "ruledoc-test" }
func (docReader) Language() string { return rule.LangKusto }
func (docReader) Detect(f *formats.File) bool {
	return strings.HasSuffix(f.Path, ".ruledoc.json")
}
func (docReader) Read(f *formats.File, env *formats.Env) []*rule.Document {
	macros := env.Shared("ruledoc:"+f.Root, func() any {
		b, _ := os.ReadFile(filepath.Join(f.Root, "macros.txt"))
		return strings.TrimSpace(string(b))
	}).(string)
	d := formats.StubDocument(docReader{}, f, "")
	if err := json.Unmarshal(f.Data, d); err != nil {
		return []*rule.Document{d}
	}
	d.Source = rule.Source{Repo: f.Repo, Path: f.Path}
	d.ID = rule.MakeID(d.Language, strings.TrimSuffix(f.Path, ".ruledoc.json"), "")
	d.Description += " macros=" + macros
	return []*rule.Document{d}
}

func init() { formats.Register(docReader{}) }

var clock = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// writeFile writes a file with a fresh modification time.
func writeFile(t *testing.T, dir, name, text string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(time.Minute)
	os.Chtimes(p, clock, clock)
}

func ruleJSON(title, value string) string {
	d := rule.Document{Language: rule.LangKusto, Title: title, Query: "T | where F == \"" + value + "\"",
		Analysis: rule.Analysis{Indicators: []rule.Indicator{{Field: "F", Kind: rule.KindEq, Values: []rule.Value{{Value: value}}}}}}
	b, _ := json.Marshal(d)
	return string(b)
}

func TestBuildIncremental(t *testing.T) {
	src := filepath.Join(t.TempDir(), "rules")
	out := t.TempDir()
	writeFile(t, src, "a.ruledoc.json", ruleJSON("Rule A", "x"))
	writeFile(t, src, "sub/b.ruledoc.json", ruleJSON("Rule B", "x"))
	writeFile(t, src, "other/b.ruledoc.json", ruleJSON("Rule B again", "y"))
	writeFile(t, src, "macros.txt", "v1")
	writeFile(t, src, "README.md", "not a rule")

	build := func() (*catalog.Catalog, *catalog.Report) {
		t.Helper()
		c, rep, err := catalog.Build(catalog.Options{Sources: []string{src, filepath.Join(src, "..", "missing")}, Out: out, Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		return c, rep
	}
	c, rep := build()
	if !rep.Full || rep.Read != 5 || rep.Files != 5 {
		t.Fatalf("first build: %+v", rep)
	}
	if len(c.Rules) != 3 {
		t.Fatalf("rules = %d", len(c.Rules))
	}
	// The two b files collide: each gets its source and folder as a
	// suffix, and kusto/b lists them.
	b1, ok1 := c.Rule("kusto/b~rules.other")
	b2, ok2 := c.Rule("kusto/b~rules.sub")
	if !ok1 || !ok2 || b1.Source.Path != "other/b.ruledoc.json" || b2.Source.Path != "sub/b.ruledoc.json" {
		t.Fatalf("collision ids: %v %v", b1, b2)
	}
	if s, ok := c.SharedID("kusto/b"); !ok || len(s.Rules) != 2 {
		t.Fatalf("shared id kusto/b: %+v", s)
	}
	a, _ := c.Rule("kusto/a")
	if a == nil || a.Analysis.Indicators[0].Values[0].Corpus.Total != 2 || !strings.HasSuffix(a.Description, "macros=v1") {
		t.Fatalf("rule a = %+v", a)
	}
	// The missing source is reported, not dropped silently.
	var missing *catalog.SourceInfo
	for i, s := range c.Info.Sources {
		if s.Name == "missing" {
			missing = &c.Info.Sources[i]
		}
	}
	if missing == nil || len(missing.Diagnostics) != 1 || missing.Errors != 1 {
		t.Errorf("sources = %+v", c.Info.Sources)
	}

	// Nothing changed: nothing is read, and the catalog is the same.
	c, rep = build()
	if rep.Full || rep.Read != 0 || rep.Reused != 5 || rep.Wrote {
		t.Fatalf("unchanged rebuild: %+v", rep)
	}
	if len(c.Rules) != 3 {
		t.Fatalf("rules after reuse = %d", len(c.Rules))
	}
	if a, _ := c.Rule("kusto/a"); a.Analysis.Indicators[0].Values[0].Corpus.Total != 2 {
		t.Errorf("corpus count after reuse = %+v", a.Analysis.Indicators[0].Values[0].Corpus)
	}

	// One rule changed: only its file is read; counts follow.
	writeFile(t, src, "a.ruledoc.json", ruleJSON("Rule A v2", "y"))
	c, rep = build()
	if rep.Read != 1 || rep.Reused != 4 {
		t.Fatalf("one change: %+v", rep)
	}
	if a, _ := c.Rule("kusto/a"); a.Title != "Rule A v2" || a.Analysis.Indicators[0].Values[0].Corpus.Total != 2 {
		t.Errorf("changed rule a = %+v", a)
	}
	if b, _ := c.Rule("kusto/b~rules.sub"); b.Analysis.Indicators[0].Values[0].Corpus.Total != 1 {
		t.Errorf("count of x after the change = %+v", b.Analysis.Indicators[0].Values[0].Corpus)
	}
	// Touching a file without changing it reads nothing.
	p := filepath.Join(src, "a.ruledoc.json")
	clock = clock.Add(time.Minute)
	os.Chtimes(p, clock, clock)
	if _, rep = build(); rep.Read != 0 {
		t.Errorf("touched file re-read: %+v", rep)
	}

	// A support file changed: the whole source is read again.
	writeFile(t, src, "macros.txt", "v2")
	c, rep = build()
	if rep.Read != 5 {
		t.Fatalf("macro change: %+v", rep)
	}
	if a, _ := c.Rule("kusto/a"); !strings.HasSuffix(a.Description, "macros=v2") {
		t.Errorf("rule a after the macro change: %q", a.Description)
	}

	// A rule file removed: its rule goes, and the other b, alone with its
	// id again, takes it back.
	os.Remove(filepath.Join(src, "other", "b.ruledoc.json"))
	c, rep = build()
	if rep.Read != 0 || len(c.Rules) != 2 {
		t.Fatalf("removal: %+v, %d rules", rep, len(c.Rules))
	}
	if _, ok := c.Rule("kusto/b"); !ok {
		t.Error("kusto/b gone after its twin was removed")
	}
	if _, ok := c.SharedID("kusto/b"); ok {
		t.Error("kusto/b still shared after its twin was removed")
	}

	// The stored catalog loads back the same.
	loaded, err := catalog.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded.Rules) != len(c.Rules) || loaded.Info.Rules != 2 || len(loaded.Info.Sources) != 2 {
		t.Fatalf("loaded %d rules, info %+v", len(loaded.Rules), loaded.Info)
	}
	for _, r := range c.Rules {
		l, ok := loaded.Rule(r.ID)
		if !ok || l.Title != r.Title || l.Analysis.Indicators[0].Values[0].Corpus.Total != r.Analysis.Indicators[0].Values[0].Corpus.Total {
			t.Errorf("loaded %s = %+v", r.ID, l)
		}
	}

	// --full reads everything again.
	_, rep, err = catalog.Build(catalog.Options{Sources: []string{src}, Out: out, Full: true})
	if err != nil || !rep.Full || rep.Read != 4 {
		t.Errorf("full rebuild: %+v %v", rep, err)
	}
}

func TestLoadRefusesNonCatalogs(t *testing.T) {
	dir := t.TempDir()
	if _, err := catalog.Load(dir); err == nil || !strings.Contains(err.Error(), "no catalog") {
		t.Errorf("empty folder: %v", err)
	}
	os.WriteFile(filepath.Join(dir, catalog.DBName), []byte("not sqlite"), 0o644)
	if _, err := catalog.Load(dir); err == nil {
		t.Error("garbage database loaded")
	}
}

// TestBuildIncrementalRelinks: a rule linking to a rule of another file
// (Sigma related) is read again when that file changes, so that the link
// carries the linked rule's title as it is now, as a full build would.
func TestBuildIncrementalRelinks(t *testing.T) {
	if !registered("sigma") {
		t.Skip("no Sigma reader")
	}
	src := filepath.Join(t.TempDir(), "sigma")
	out := t.TempDir()
	sigmaRule := func(id, title, related string) string {
		s := "title: " + title + "\nid: " + id + "\nstatus: test\nlogsource:\n    category: process_creation\n    product: windows\n" +
			"detection:\n    selection:\n        Image|endswith: '\\" + strings.ToLower(strings.ReplaceAll(title, " ", "")) + ".exe'\n    condition: selection\nlevel: low\n"
		if related != "" {
			s += "related:\n    - id: " + related + "\n      type: derived\n"
		}
		return s
	}
	const idA, idC = "5b3c1e0a-7d2f-4c1b-9e8a-1f2d3c4b5a60", "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
	writeFile(t, src, "rules/a.yml", sigmaRule(idA, "Rule A", ""))
	writeFile(t, src, "rules/c.yml", sigmaRule(idC, "Rule C", idA))
	writeFile(t, src, "rules/d.yml", sigmaRule("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "Rule D", ""))
	build := func() (*catalog.Catalog, *catalog.Report) {
		t.Helper()
		c, rep, err := catalog.Build(catalog.Options{Sources: []string{src}, Out: out})
		if err != nil {
			t.Fatal(err)
		}
		return c, rep
	}
	linkOf := func(c *catalog.Catalog) rule.Link {
		t.Helper()
		r, ok := c.Rule("sigma/c")
		if !ok || len(r.Links) != 1 {
			t.Fatalf("rule c: %+v", r)
		}
		return r.Links[0]
	}
	c, _ := build()
	if l := linkOf(c); l.Target != "sigma/a" || l.Title != "Rule A" {
		t.Fatalf("link of c = %+v", l)
	}
	// A's title changes: c is read again (d, which links nowhere, is not).
	writeFile(t, src, "rules/a.yml", sigmaRule(idA, "Rule A Renamed", ""))
	c, rep := build()
	if rep.Read != 2 || rep.Relinked != 1 || rep.Reused != 1 {
		t.Errorf("rebuild after a's change: %+v", rep)
	}
	if l := linkOf(c); l.Title != "Rule A Renamed" {
		t.Errorf("link of c after a's change = %+v", l)
	}
	// A's file moves (a new file: the source is read again whole): c
	// links to its new id.
	os.Remove(filepath.Join(src, "rules", "a.yml"))
	writeFile(t, src, "rules/moved/a2.yml", sigmaRule(idA, "Rule A Renamed", ""))
	c, _ = build()
	if l := linkOf(c); l.Target != "sigma/a2" {
		t.Errorf("link of c after a moved = %+v", l)
	}
}
