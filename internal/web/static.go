package web

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/rulepage"
)

// ExportOptions configure a static site export.
type ExportOptions struct {
	// BaseURL is where the site will be published (https://host/path), for
	// the absolute links Navigator layers need; without it, layers link
	// each rule to its public source when detwiki knows the repository.
	BaseURL string
	// Notes are shown on the home page.
	Notes []string
	// RuleJSON also writes every rule document as rules/<id>.json (and
	// links it from the rule page); the server has them at /api/rules/<id>
	// and the catalog database holds them all. Off by default: they are
	// 14,000 files and 170 MB over the full corpus.
	RuleJSON bool
	// Workers rendering pages at once (default GOMAXPROCS).
	Workers int
	// Progress is called as pages are written.
	Progress func(done, total int)
}

// ExportReport says what an export wrote.
type ExportReport struct {
	Pages int
	Bytes int64
	// Removed counts the files of the previous export into the same
	// folder that this one no longer writes (pages of deleted rules).
	Removed int
}

// staticJob is one file of the static site.
type staticJob struct {
	path   string // slash-separated, relative to the site root
	render func(w io.Writer, u rulepage.URLs) error
}

// Export writes the catalog as a static site into dir: the same pages as
// the server, with relative links (so the site works from any folder, any
// static host and file://), plus the data files the browser uses for the
// rule list, search and matrix filters.
func Export(c *catalog.Catalog, dir string, opt ExportOptions) (*ExportReport, error) {
	s := newSite(c, opt.Notes)
	s.ruleJSON = opt.RuleJSON
	var jobs []staticJob
	add := func(p string, fn func(w io.Writer, u rulepage.URLs) error) {
		jobs = append(jobs, staticJob{p, fn})
	}
	b := func(u rulepage.URLs) Base { return Base{URLs: u, Static: true, Cat: c} }
	page := func(p, nav, title, content string, data func(u rulepage.URLs) any) {
		add(p, func(w io.Writer, u rulepage.URLs) error {
			return s.render(w, u, true, nav, title, "", content, data(u))
		})
	}

	css := stylesheet()
	js, _ := fs.ReadFile(assetFS, "assets/detwiki.js")
	add("static/detwiki.css", func(w io.Writer, _ rulepage.URLs) error { _, err := io.WriteString(w, css); return err })
	add("static/detwiki.js", func(w io.Writer, _ rulepage.URLs) error { _, err := w.Write(js); return err })

	page("index.html", "home", "Detection rules", "home", func(u rulepage.URLs) any { return s.home(b(u)) })
	page("rules/index.html", "rules", "Rules", "list", func(u rulepage.URLs) any { return s.list(b(u), url.Values{}, false) })
	page("search.html", "search", "Search", "list", func(u rulepage.URLs) any { return s.list(b(u), url.Values{}, true) })
	for _, r := range c.Rules {
		r := r
		add("rules/"+r.ID+".html", func(w io.Writer, u rulepage.URLs) error { return s.rulePage(w, u, true, r) })
		if opt.RuleJSON {
			add("rules/"+r.ID+".json", func(w io.Writer, _ rulepage.URLs) error { return json.NewEncoder(w).Encode(r.Document) })
		}
	}

	// A shared id's page at each spelling of it (the same page: a
	// file system that ignores letter case keeps one).
	for _, sh := range c.SharedIDs() {
		sh := sh
		for _, sp := range sh.Spellings {
			page("rules/"+sp+".html", "rules", sh.ID, "shared", func(u rulepage.URLs) any { return &sharedData{Base: b(u), Shared: sh} })
		}
	}

	page("attack/index.html", "attack", "ATT&CK matrix", "matrix", func(u rulepage.URLs) any { return s.matrix(b(u), "", "") })
	seenTechnique := map[string]bool{}
	for _, t := range c.Attack.Techniques {
		id := t.ID
		if seenTechnique[id] {
			continue
		}
		seenTechnique[id] = true
		page("attack/"+id+".html", "attack", id, "technique", func(u rulepage.URLs) any {
			d, _ := s.technique(b(u), id)
			return d
		})
	}
	// A layer per filter of the matrix page, written once per distinct set
	// of rules (the Sigma rules are the rules of the sigma repository: one
	// file); matrix-data.js says which file each filter downloads.
	layerFiles := map[string]string{}
	bySet := map[string]string{}
	var combos []layerCombo
	for _, combo := range layerCombos(c) {
		f := catalog.MatrixFilter{}
		if combo.lang != "" {
			f.Languages = []string{combo.lang}
		}
		if combo.source != "" {
			f.Sources = []string{combo.source}
		}
		var set strings.Builder
		for _, r := range c.Rules {
			if !r.ThirdPartyFeed && f.Match(r) {
				set.WriteString(strconv.Itoa(r.Index) + ",")
			}
		}
		name := staticLayerName(combo.lang, combo.source)
		if first, ok := bySet[set.String()]; ok {
			layerFiles[combo.lang+"|"+combo.source] = first
			continue
		}
		bySet[set.String()] = name
		layerFiles[combo.lang+"|"+combo.source] = name
		combos = append(combos, combo)
	}
	add("attack/matrix-data.js", func(w io.Writer, _ rulepage.URLs) error { return writeMatrixData(w, c, layerFiles) })
	for _, combo := range combos {
		combo := combo
		add("attack/"+staticLayerName(combo.lang, combo.source), func(w io.Writer, _ rulepage.URLs) error {
			f := catalog.MatrixFilter{}
			if combo.lang != "" {
				f.Languages = []string{combo.lang}
			}
			if combo.source != "" {
				f.Sources = []string{combo.source}
			}
			return json.NewEncoder(w).Encode(c.Layer(catalog.LayerOptions{MatrixFilter: f, RuleURL: staticRuleURL(c, opt.BaseURL)}))
		})
	}

	page("events/index.html", "events", "Events", "events", func(u rulepage.URLs) any {
		return &eventsData{Base: b(u), Providers: c.Providers}
	})
	for _, p := range c.Providers {
		p := p
		page("events/"+p.Slug+".html", "events", p.Name, "provider", func(u rulepage.URLs) any {
			return s.provider(b(u), p)
		})
	}
	for _, e := range c.Events {
		e := e
		page("events/"+e.Slug+".html", "events", e.Provider+" "+e.Event, "event", func(u rulepage.URLs) any { return s.event(b(u), e) })
	}
	page("fields/index.html", "fields", "Fields", "fields", func(u rulepage.URLs) any { return &fieldsData{Base: b(u), Fields: c.Fields} })
	for _, f := range c.Fields {
		f := f
		page("fields/"+f.Slug+".html", "fields", f.Name, "field", func(u rulepage.URLs) any { return s.field(b(u), f) })
	}
	page("indicators/index.html", "indicators", "Indicators", "indicators", func(u rulepage.URLs) any {
		list := c.Indicators
		if len(list) > maxIndicatorList {
			list = list[:maxIndicatorList]
		}
		return &indicatorsData{Base: b(u), Indicators: list, Total: len(c.Indicators)}
	})
	for _, st := range c.Indicators {
		st := st
		if !rulepage.Static(0).HasIndicatorPage(st) {
			continue // a value one rule looks for: its rule page says it all
		}
		page("indicators/"+st.Slug+".html", "indicators", st.Field+" "+st.Kind+" "+st.Value, "indicator", func(u rulepage.URLs) any {
			return s.indicator(b(u), st)
		})
	}
	page("patterns/index.html", "patterns", "Detection patterns", "patterns", func(u rulepage.URLs) any {
		list := c.Patterns
		if len(list) > maxPatternList {
			list = list[:maxPatternList]
		}
		return &patternsData{Base: b(u), Patterns: list, Total: len(c.Patterns)}
	})
	for _, p := range c.Patterns {
		p := p
		page("patterns/"+p.Slug+".html", "patterns", "Detection pattern", "pattern", func(u rulepage.URLs) any {
			return &patternData{Base: b(u), Pattern: p, Rules: c.RulesAt(p.Rules)}
		})
	}
	page("coverage.html", "coverage", "Coverage per language", "coverage", func(u rulepage.URLs) any {
		return &coverageData{Base: b(u), Coverage: c.Coverage(catalog.MatrixFilter{})}
	})
	add("search-index.js", func(w io.Writer, _ rulepage.URLs) error { return writeSearchIndex(w, c) })
	add("search-text.js", func(w io.Writer, _ rulepage.URLs) error { return writeSearchText(w, c) })
	// 404.html: what static hosts (GitHub Pages, Netlify, Cloudflare
	// Pages, ...) answer for a path the site does not have, at any depth:
	// its links start at the site's path on its host (from BaseURL, else
	// the host's root), not at the page's folder.
	add(notFoundPage, func(w io.Writer, _ rulepage.URLs) error {
		u := notFoundURLs(opt.BaseURL)
		return s.render(w, u, true, "", "Page not found", "", "error", &errorData{Base: b(u), Status: http.StatusNotFound,
			Title: "Page not found", Message: "no such page in this wiki"})
	})
	add("search-indicators.js", func(w io.Writer, _ rulepage.URLs) error { return writeSearchIndicators(w, c) })

	return runJobs(dir, jobs, opt)
}

// notFoundPage is the static site's page for paths it does not have.
const notFoundPage = "404.html"

// notFoundURLs are the links of the static site's 404 page: from the path
// of the site's public URL ("https://example.org/wiki" links "/wiki/..."),
// else from the root of its host.
func notFoundURLs(baseURL string) rulepage.URLs {
	u := rulepage.Static(0)
	u.Base = "/"
	if p, err := url.Parse(baseURL); err == nil && baseURL != "" {
		u.Base = strings.TrimSuffix(p.EscapedPath(), "/") + "/"
	}
	return u
}

// staticRuleURL is the absolute URL of a rule in layers of the static site.
func staticRuleURL(c *catalog.Catalog, base string) func(id string) string {
	if base != "" {
		base = strings.TrimSuffix(base, "/")
		return func(id string) string { return base + "/rules/" + id + ".html" }
	}
	return func(id string) string {
		if r, ok := c.Rule(id); ok {
			return catalog.SourceURL(r.Source.Repo, r.Source.Path)
		}
		return ""
	}
}

type layerCombo struct{ lang, source string }

// layerCombos lists the (language, source) filters the static site has a
// layer for: everything, each language, each source, and each pair that
// has rules.
func layerCombos(c *catalog.Catalog) []layerCombo {
	out := []layerCombo{{}}
	pairs := map[layerCombo]bool{}
	for _, r := range c.Rules {
		pairs[layerCombo{r.Language, r.Source.Repo}] = true
	}
	for _, l := range c.Languages {
		out = append(out, layerCombo{lang: l})
	}
	for _, s := range c.Repos() {
		out = append(out, layerCombo{source: s})
	}
	var ps []layerCombo
	for p := range pairs {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b layerCombo) int { return strings.Compare(a.lang+"\x00"+a.source, b.lang+"\x00"+b.source) })
	return append(out, ps...)
}

// runJobs renders the jobs in parallel into dir.
func runJobs(dir string, jobs []staticJob, opt ExportOptions) (*ExportReport, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	previous := readManifest(dir)
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	rep := &ExportReport{}
	var done, bytesOut atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var madeDirs sync.Map
	next := make(chan staticJob)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for j := range next {
				buf.Reset()
				depth := strings.Count(j.path, "/")
				err := j.render(&buf, rulepage.Static(depth))
				if err == nil {
					target := filepath.Join(dir, filepath.FromSlash(j.path))
					d := filepath.Dir(target)
					if _, ok := madeDirs.Load(d); !ok {
						err = os.MkdirAll(d, 0o755)
						madeDirs.Store(d, true)
					}
					if err == nil {
						err = os.WriteFile(target, buf.Bytes(), 0o644)
					}
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("%s: %w", j.path, err)
					}
					mu.Unlock()
				}
				bytesOut.Add(int64(buf.Len()))
				n := done.Add(1)
				if opt.Progress != nil {
					opt.Progress(int(n), len(jobs))
				}
			}
		}()
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	rep.Pages = len(jobs)
	rep.Bytes = bytesOut.Load()
	if firstErr != nil {
		return rep, firstErr
	}
	written := make([]string, len(jobs))
	for i, j := range jobs {
		written[i] = j.path
	}
	rep.Removed = removeStale(dir, previous, written)
	return rep, writeManifest(dir, written)
}

// manifestName is the file in which an export lists the files it wrote, so
// that the next export into the same folder removes those it no longer
// writes (the pages of deleted rules) and nothing else: files detwiki did
// not write stay.
const manifestName = ".detwiki-site"

// manifestHeader is the manifest's first line.
const manifestHeader = "# files written by detwiki build --site; the next export removes those it no longer writes"

// readManifest returns the files the previous export into dir wrote (none
// when it has no manifest).
func readManifest(dir string) []string {
	data, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return nil
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) == 0 || lines[0] != manifestHeader {
		return nil
	}
	var out []string
	for _, l := range lines[1:] {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// writeManifest records the files an export wrote.
func writeManifest(dir string, written []string) error {
	sorted := slices.Clone(written)
	slices.Sort(sorted)
	var b strings.Builder
	b.WriteString(manifestHeader + "\n")
	for _, p := range sorted {
		b.WriteString(p + "\n")
	}
	return os.WriteFile(filepath.Join(dir, manifestName), []byte(b.String()), 0o644)
}

// removeStale removes the files of the previous export that this one did
// not write, and the folders that leaves empty, and returns how many files
// it removed. A manifest line naming a path outside the site (absolute, or
// with a ".." element) is ignored, as is anything but a regular file.
func removeStale(dir string, previous, written []string) int {
	keep := make(map[string]bool, len(written))
	for _, p := range written {
		keep[p] = true
	}
	removed := 0
	dirs := map[string]bool{}
	for _, p := range previous {
		if keep[p] || !filepath.IsLocal(filepath.FromSlash(p)) {
			continue
		}
		target := filepath.Join(dir, filepath.FromSlash(p))
		if st, err := os.Lstat(target); err != nil || !st.Mode().IsRegular() {
			continue
		}
		if os.Remove(target) == nil {
			removed++
			for d := filepath.Dir(target); d != dir && len(d) > len(dir); d = filepath.Dir(d) {
				dirs[d] = true
			}
		}
	}
	// Deepest folders first; os.Remove leaves a folder that is not empty.
	list := make([]string, 0, len(dirs))
	for d := range dirs {
		list = append(list, d)
	}
	slices.SortFunc(list, func(a, b string) int { return len(b) - len(a) })
	for _, d := range list {
		os.Remove(d)
	}
	return removed
}

// staticRule is a rule in search-index.js (short keys keep the file small).
type staticRule struct {
	ID          string   `json:"i"`
	Title       string   `json:"t"`
	TitleLower  string   `json:"tl"`
	Lang        int      `json:"l"`
	Source      int      `json:"s"`
	Severity    string   `json:"sev,omitempty"`
	Status      string   `json:"st,omitempty"`
	Format      string   `json:"fmt,omitempty"`
	Tested      string   `json:"ts,omitempty"`
	Platforms   []string `json:"p,omitempty"`
	Tactics     []string `json:"ta,omitempty"`
	TacticNames []string `json:"tan,omitempty"`
	Techniques  []string `json:"te,omitempty"`
	Tables      []string `json:"tb,omitempty"`
	Events      []string `json:"ev,omitempty"`
	Tags        []string `json:"tg,omitempty"`
	Author      string   `json:"a,omitempty"`
	Feed        bool     `json:"f,omitempty"`
	Deprecated  bool     `json:"dep,omitempty"`
	Errors      bool     `json:"err,omitempty"`
	Description string   `json:"d,omitempty"`
	Modified    string   `json:"m,omitempty"`
}

const staticDescLen = 400

func lowerAll(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		out = append(out, strings.ToLower(s))
	}
	return out
}

// writeSearchIndex writes search-index.js: what the static site's rule
// list and search need of every rule (see writeData).
func writeSearchIndex(w io.Writer, c *catalog.Catalog) error {
	langIdx := map[string]int{}
	var langs, langNames []string
	for _, l := range c.Languages {
		langIdx[l] = len(langs)
		langs = append(langs, l)
		langNames = append(langNames, rulepage.LanguageName(l))
	}
	srcIdx := map[string]int{}
	var sources []string
	for _, r := range c.Rules {
		if _, ok := srcIdx[r.Source.Repo]; !ok {
			srcIdx[r.Source.Repo] = len(sources)
			sources = append(sources, r.Source.Repo)
		}
	}
	rules := make([]staticRule, 0, len(c.Rules))
	for _, r := range c.Rules {
		sr := staticRule{ID: r.ID, Title: r.Title, TitleLower: strings.ToLower(r.Title), Lang: langIdx[r.Language], Source: srcIdx[r.Source.Repo],
			Severity: strings.ToLower(r.Severity), Status: strings.ToLower(r.Status), Format: strings.ToLower(r.Format),
			Platforms: lowerAll(r.Platforms), Tables: lowerAll(r.Analysis.Tables), Tags: lowerAll(r.Tags), Techniques: r.Techniques,
			Author: strings.ToLower(r.Author), Feed: r.ThirdPartyFeed, Deprecated: r.Deprecated, Modified: r.Modified,
			Tested: catalog.TestedValue(r.Document)}
		for _, a := range r.Attack {
			if a.TacticID != "" && !slices.Contains(sr.Tactics, strings.ToLower(a.TacticID)) {
				sr.Tactics = append(sr.Tactics, strings.ToLower(a.TacticID))
				sr.TacticNames = append(sr.TacticNames, strings.ToLower(a.Tactic))
				if ta, ok := c.Attack.Tactic(a.TacticID); ok {
					sr.TacticNames = append(sr.TacticNames, ta.Shortname)
				}
			}
		}
		for _, e := range r.Analysis.Events {
			for _, k := range []string{e.Provider + "/" + e.Event, e.Provider, e.Class} {
				if k = strings.ToLower(k); k != "" && !slices.Contains(sr.Events, k) {
					sr.Events = append(sr.Events, k)
				}
			}
		}
		for _, d := range r.Analysis.Diagnostics {
			if d.IsError() {
				sr.Errors = true
			}
		}
		desc := r.Description
		if len(desc) > staticDescLen {
			desc = desc[:staticDescLen]
		}
		sr.Description = desc
		rules = append(rules, sr)
	}
	return writeData(w, "search-index", map[string]any{"langs": langs, "langNames": langNames, "sources": sources, "rules": rules})
}

// writeSearchIndicators writes search-indicators.js, loaded for field:,
// kind: and value: terms: every distinct indicator of the corpus with the
// rules that look for it.
func writeSearchIndicators(w io.Writer, c *catalog.Catalog) error {
	fieldIdx := map[string]int{}
	var fields, spellings []string
	spellIdx := map[string]int{}
	inds := make([][]any, 0, len(c.Indicators))
	for _, st := range c.Indicators {
		fi, ok := fieldIdx[st.Key.Field]
		if !ok {
			fi = len(fields)
			fieldIdx[st.Key.Field] = fi
			fields = append(fields, st.Key.Field)
		}
		var sp []int
		for _, s := range st.Spellings {
			si, ok := spellIdx[s]
			if !ok {
				si = len(spellings)
				spellIdx[s] = si
				spellings = append(spellings, s)
			}
			sp = append(sp, si)
		}
		inds = append(inds, []any{fi, st.Kind, st.Key.Value, sp, st.Rules})
	}
	return writeData(w, "search-indicators", map[string]any{"fields": fields, "spellings": spellings, "ind": inds})
}

const staticTextLen = 4096

// writeSearchText writes search-text.js, loaded for free-text search only:
// for every rule, lower case, its metadata (tags, tables, techniques, data
// sources, indicator fields and values) and the start of its query text.
func writeSearchText(w io.Writer, c *catalog.Catalog) error {
	texts := make([]string, len(c.Rules))
	var b strings.Builder
	for i, r := range c.Rules {
		b.Reset()
		// The text the server searches besides title, description and
		// query (already in lower case), then the start of the query.
		b.WriteString(c.SearchMeta(r))
		// The description past what search-index.js holds, from the start
		// of the word it cuts.
		if d := r.Description; len(d) > staticDescLen {
			from := staticDescLen
			for from > 0 && isWordByte(d[from-1]) {
				from--
			}
			b.WriteString(strings.ToLower(d[from:]))
			b.WriteByte('\n')
		}
		q := r.Query
		if q == "" {
			q = r.Body
		}
		if len(q) > staticTextLen {
			q = q[:staticTextLen]
		}
		b.WriteString(strings.ToLower(q))
		texts[i] = b.String()
	}
	return writeData(w, "search-text", texts)
}

// isWordByte reports whether b may be part of a search token (letters and
// digits; any byte of a multi-byte character).
func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b >= 0x80
}

// writeMatrixData writes attack/matrix-data.js: for every matrix cell
// (tactic/technique, sub-techniques rolled up into their parent) the rules
// on it, and each rule's language and source, so that the static matrix
// can be filtered in the browser, and the layer file of each filter
// ("lang|source"). Third-party feeds are left out.
func writeMatrixData(w io.Writer, c *catalog.Catalog, layers map[string]string) error {
	langIdx, srcIdx := map[string]int{}, map[string]int{}
	var langs, sources []string
	keys := map[string]string{}
	var rules [][2]int
	cells := map[string][]int{}
	tactics := map[string][]int{}
	for _, r := range c.Rules {
		if r.ThirdPartyFeed {
			continue
		}
		li, ok := langIdx[r.Language]
		if !ok {
			li = len(langs)
			langIdx[r.Language] = li
			langs = append(langs, r.Language)
			keys[r.Language] = catalog.PageKey(r.Language)
		}
		si, ok := srcIdx[r.Source.Repo]
		if !ok {
			si = len(sources)
			srcIdx[r.Source.Repo] = si
			sources = append(sources, r.Source.Repo)
			keys[r.Source.Repo] = catalog.PageKey(r.Source.Repo)
		}
		ri := len(rules)
		rules = append(rules, [2]int{li, si})
		seen := map[string]bool{}
		for _, a := range r.Attack {
			if a.TechniqueID == "" || a.TacticID == "" {
				continue
			}
			ks := []string{a.TacticID + "/" + a.TechniqueID}
			if p, _, sub := strings.Cut(a.TechniqueID, "."); sub {
				ks = append(ks, a.TacticID+"/"+p)
			}
			for _, k := range ks {
				if !seen[k] {
					seen[k] = true
					cells[k] = append(cells[k], ri)
				}
			}
			if !seen[a.TacticID] {
				seen[a.TacticID] = true
				tactics[a.TacticID] = append(tactics[a.TacticID], ri)
			}
		}
	}
	return writeData(w, "matrix-data", map[string]any{"langs": langs, "sources": sources, "keys": keys,
		"rules": rules, "cells": cells, "tactics": tactics, "layers": layers})
}

// writeData writes a data file of the static site: a script (the site
// must work from file://, where pages cannot fetch files) that stores v as
// JSON, gzip-compressed and base64-encoded, under window.DETWIKI_DATA[name];
// detwiki.js decompresses it with the browser's DecompressionStream. The
// search data is a fifth of its JSON size this way (base64 has no "<", so
// the data cannot end the script).
func writeData(w io.Writer, name string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return err
	}
	zw.Write(raw)
	if err := zw.Close(); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "(window.DETWIKI_DATA = window.DETWIKI_DATA || {})[%q] = \"", name)
	enc := base64.NewEncoder(base64.StdEncoding, bw)
	enc.Write(gz.Bytes())
	enc.Close()
	bw.WriteString("\";\n")
	return bw.Flush()
}

// ReadData decodes a data file written by writeData (for tests and tools):
// its name and JSON.
func ReadData(script []byte) (name string, data []byte, err error) {
	const prefix = `(window.DETWIKI_DATA = window.DETWIKI_DATA || {})[`
	rest, ok := bytes.CutPrefix(script, []byte(prefix))
	if !ok {
		return "", nil, fmt.Errorf("not a detwiki data file")
	}
	q, rest, ok := bytes.Cut(rest, []byte("] = \""))
	if !ok {
		return "", nil, fmt.Errorf("not a detwiki data file")
	}
	if name, err = strconv.Unquote(string(q)); err != nil {
		return "", nil, err
	}
	b64, _, ok := bytes.Cut(rest, []byte("\";"))
	if !ok {
		return "", nil, fmt.Errorf("unterminated data file")
	}
	gz, err := base64.StdEncoding.DecodeString(string(b64))
	if err != nil {
		return "", nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return "", nil, err
	}
	data, err = io.ReadAll(zr)
	return name, data, err
}
