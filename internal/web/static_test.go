package web_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/catalog/catalogtest"
	"github.com/detwiki/detwiki/internal/htmlcheck"
	"github.com/detwiki/detwiki/internal/web"
)

func exportFixture(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	c := catalog.New(catalogtest.Documents(), catalog.Info{}, nil)
	rep, err := web.Export(c, dir, web.ExportOptions{RuleJSON: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pages < 100 || rep.Bytes == 0 {
		t.Fatalf("export report %+v", rep)
	}
	return dir
}

// TestStaticSiteLinks exports the fixture catalog and checks that every
// relative link of every page points at a file of the site, that pages are
// inert, and that the data files the browser loads are there.
func TestStaticSiteLinks(t *testing.T) {
	dir := exportFixture(t)
	for _, f := range []string{"index.html", "rules/index.html", "search.html", "attack/index.html", "coverage.html",
		"rules/" + catalogtest.MMCInjection + ".html", "rules/" + catalogtest.MMCInjection + ".json",
		"search-index.js", "search-text.js", "attack/matrix-data.js", "attack/layer.json", "attack/layer-lang-sigma.json",
		"attack/layer-lang-kusto.json", "attack/T1218.html",
		"events/Sysmon/1.html", "events/Sysmon.html", "fields/process.parent.name.html",
		"indicators/process.parent.name/eq/mmc.exe.html", "static/detwiki.css", "static/detwiki.js"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	checked := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, _ := os.ReadFile(p)
		doc := string(b)
		rel, _ := filepath.Rel(dir, p)
		for _, problem := range htmlcheck.Injected(doc, "static/detwiki.js") {
			t.Errorf("%s: %s", rel, problem)
		}
		for _, el := range htmlcheck.Elements(doc) {
			href := el.Attrs["href"]
			if el.Name == "script" || el.Name == "link" {
				href = el.Attrs["src"] + el.Attrs["href"]
			}
			if href == "" || strings.HasPrefix(href, "#") || strings.Contains(href, "://") || strings.HasPrefix(href, "/") && el.Name != "a" {
				continue
			}
			// 404.html is served at any path: it links from the host's root.
			notFound := filepath.ToSlash(rel) == "404.html"
			if strings.HasPrefix(href, "/") != notFound {
				t.Errorf("%s: link %s (absolute links only in 404.html)", rel, href)
				continue
			}
			target := href
			if i := strings.IndexAny(target, "?#"); i >= 0 {
				target = target[:i]
			}
			full := path.Join(path.Dir(filepath.ToSlash(rel)), target)
			if notFound {
				full = strings.TrimPrefix(target, "/")
			}
			if strings.HasPrefix(full, "..") {
				t.Errorf("%s: link %s leaves the site", rel, href)
				continue
			}
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(full))); err != nil {
				t.Errorf("%s: broken link %s", rel, href)
			}
			checked++
		}
		return nil
	})
	if checked < 1000 {
		t.Errorf("only %d links checked", checked)
	}
	// The layers are valid Navigator layers linking each rule somewhere.
	var layer catalog.Layer
	b, _ := os.ReadFile(filepath.Join(dir, "attack", "layer.json"))
	if err := json.Unmarshal(b, &layer); err != nil || layer.Versions.Layer != "4.5" || len(layer.Techniques) == 0 {
		t.Fatalf("layer: %v %+v", err, layer.Versions)
	}
	for _, te := range layer.Techniques {
		if len(te.Metadata) != te.Score {
			t.Errorf("%s: %d metadata for %d rules", te.TechniqueID, len(te.Metadata), te.Score)
		}
	}
	// Without a base URL, rules of known repositories link to their public
	// source.
	found := false
	for _, te := range layer.Techniques {
		for _, l := range te.Links {
			if strings.HasPrefix(l.URL, "https://github.com/") {
				found = true
			}
		}
	}
	if !found {
		t.Error("no public source link in the layer")
	}
	// The data files are scripts holding compressed JSON: nothing in them
	// can end the script, and they decode to what the browser needs.
	for _, f := range []string{"search-index.js", "search-text.js", "search-indicators.js", "attack/matrix-data.js"} {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(string(b), "<>") {
			t.Errorf("%s: not a safe script", f)
		}
		name, data, err := web.ReadData(b)
		if err != nil || name != strings.TrimSuffix(path.Base(f), ".js") || !json.Valid(data) {
			t.Errorf("%s: %q, %v", f, name, err)
		}
		if f == "search-text.js" && !strings.Contains(string(data), "mmc.exe") {
			t.Errorf("%s lacks the query texts", f)
		}
		if f == "attack/matrix-data.js" {
			// Every filter of the matrix downloads a layer that exists.
			var m struct{ Layers map[string]string }
			json.Unmarshal(data, &m)
			if m.Layers["sigma|"] != "layer-lang-sigma.json" || len(m.Layers) < 5 {
				t.Errorf("matrix layers %v", m.Layers)
			}
			for k, name := range m.Layers {
				if _, err := os.Stat(filepath.Join(dir, "attack", name)); err != nil {
					t.Errorf("layer of %s: %v", k, err)
				}
			}
		}
	}
}

// TestStaticSiteSize checks what the static site leaves out to stay small:
// no rule JSON unless asked for (and no link to it), no page for an
// indicator only one rule looks for (and no link to one).
func TestStaticSiteSize(t *testing.T) {
	dir := t.TempDir()
	c := catalog.New(catalogtest.Documents(), catalog.Info{}, nil)
	if _, err := web.Export(c, dir, web.ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "rules", catalogtest.MMCInjection+".json")); err == nil {
		t.Error("rule JSON written without RuleJSON")
	}
	page, _ := os.ReadFile(filepath.Join(dir, "rules", catalogtest.MMCInjection+".html"))
	if strings.Contains(string(page), ".json") {
		t.Error("rule page links JSON the site does not have")
	}
	shared, unique := 0, 0
	for _, st := range c.Indicators {
		_, err := os.Stat(filepath.Join(dir, "indicators", filepath.FromSlash(st.Slug)+".html"))
		switch {
		case st.Total >= 2 && err != nil:
			t.Errorf("no page for %s (%d rules)", st.Slug, st.Total)
		case st.Total < 2 && err == nil:
			t.Errorf("page for %s, used by one rule", st.Slug)
		case st.Total >= 2:
			shared++
		default:
			unique++
		}
	}
	if shared == 0 || unique == 0 {
		t.Errorf("fixture has %d shared and %d unique indicators", shared, unique)
	}
}

// TestStaticSiteReexport exports twice into one folder: the second export
// removes what the first wrote and it no longer writes (the page of a
// rule deleted since), keeps every file detwiki did not write, and never
// follows a manifest line out of the site.
func TestStaticSiteReexport(t *testing.T) {
	dir := exportFixture(t)
	manifest, err := os.ReadFile(filepath.Join(dir, ".detwiki-site"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(manifest), "\nrules/"+catalogtest.MMCInjection+".html\n") {
		t.Fatalf("manifest does not list the rule page:\n%.500s", manifest)
	}
	outside := filepath.Join(t.TempDir(), "outside.html")
	for name, content := range map[string]string{
		"rules/deleted-rule.html": "stale", "old-folder/page.html": "stale", // written by the first export
		"CNAME": "wiki.example.org", "rules/notes.html": "mine", // the user's
	} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
		os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
	}
	os.WriteFile(outside, []byte("outside"), 0o644)
	rel, _ := filepath.Rel(dir, outside)
	m := string(manifest) + "rules/deleted-rule.html\nold-folder/page.html\n" + filepath.ToSlash(rel) + "\n" + outside + "\n"
	os.WriteFile(filepath.Join(dir, ".detwiki-site"), []byte(m), 0o644)

	c := catalog.New(catalogtest.Documents(), catalog.Info{}, nil)
	rep, err := web.Export(c, dir, web.ExportOptions{}) // without RuleJSON: the .json files go too
	if err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{"rules/deleted-rule.html", "old-folder/page.html", "old-folder", "rules/" + catalogtest.MMCInjection + ".json"} {
		if _, err := os.Stat(filepath.Join(dir, gone)); err == nil {
			t.Errorf("%s is still there", gone)
		}
	}
	for _, kept := range []string{"CNAME", "rules/notes.html", "rules/" + catalogtest.MMCInjection + ".html"} {
		if _, err := os.Stat(filepath.Join(dir, kept)); err != nil {
			t.Errorf("%s was removed", kept)
		}
	}
	if _, err := os.Stat(outside); err != nil {
		t.Errorf("a file outside the site was removed")
	}
	docs := 0
	for _, l := range strings.Split(string(manifest), "\n") {
		if strings.HasPrefix(l, "rules/") && strings.HasSuffix(l, ".json") {
			docs++
		}
	}
	if docs == 0 || rep.Removed != 2+docs {
		t.Errorf("removed %d files, want the 2 stale pages and the %d rule documents", rep.Removed, docs)
	}
}
