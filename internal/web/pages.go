package web

import (
	"cmp"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/rulepage"
)

// Base is what every page's data carries.
type Base struct {
	URLs   rulepage.URLs
	Static bool
	Cat    *catalog.Catalog
}

// homeData is the home page.
type homeData struct {
	Base
	Info       catalog.Info
	Languages  []langCount
	Sources    []catalog.SourceInfo
	Tactics    []tacticCount
	Notes      []string
	Indicators int
	Fields     int
	Events     int
	Patterns   int
	Techniques int
	Covered    int
	Feeds      int
}

type tacticCount struct {
	ID, Name string
	Count    int
}

func (s *site) home(b Base) *homeData {
	c := s.cat
	d := &homeData{Base: b, Info: c.Info, Sources: c.Info.Sources, Notes: s.notes, Indicators: len(c.Indicators),
		Fields: len(c.Fields), Events: len(c.Events), Patterns: len(c.Patterns), Techniques: len(c.Techniques), Feeds: c.Info.Feeds}
	// The counts per language and tactic link to the rule list, so they
	// are the list's own counts: third-party feeds left out, and a tactic
	// counts every rule mapped to it, with or without a technique (the
	// matrix counts only rules on a technique of the tactic).
	listed := map[string]map[string]int{}
	if res, err := c.Find(catalog.Filter{PerPage: 1}); err == nil {
		for _, f := range res.Facets {
			listed[f.Key] = map[string]int{}
			for _, v := range f.Values {
				listed[f.Key][strings.ToLower(v.Value)] = v.Count
			}
		}
	}
	d.Languages = sortedCounts(listed[catalog.FilterLanguage])
	m := c.Matrix(catalog.MatrixFilter{})
	d.Covered = m.Covered
	for _, t := range m.Tactics {
		d.Tactics = append(d.Tactics, tacticCount{t.ID, t.Name, listed[catalog.FilterTactic][strings.ToLower(t.ID)]})
	}
	return d
}

// allFacets returns the facet values of the whole catalog (computed once).
func (s *site) allFacets() map[string]catalog.Facet {
	s.facetsOnce.Do(func() {
		s.facetsAll = map[string]catalog.Facet{}
		res, err := s.cat.Find(catalog.Filter{Q: "", Feeds: true, PerPage: 1})
		if err == nil {
			for _, f := range res.Facets {
				s.facetsAll[f.Key] = f
			}
		}
	})
	return s.facetsAll
}

// listData is the rule list (browse) and the search page.
type listData struct {
	Base
	Search  bool
	Q       string
	Params  url.Values
	Results *catalog.Results
	Hits    []catalog.Hit
	Error   string
	Facets  map[string]catalog.Facet
	Filters map[string][]string
	Sorts   []string
	Path    string // "rules/" or "search"
	Pages   []pageLink
	Prev    string
	Next    string
	Took    string
	// Rows are the result rows, rendered.
	Rows template.HTML
	// Opts are the choices of each filter select, Selects the selects.
	Opts    map[string][]option
	Selects template.HTML
	all     map[string]catalog.Facet
}

type pageLink struct {
	N       int
	Href    string
	Current bool
	Gap     bool
}

// list runs a filter from URL query values.
func (s *site) list(b Base, q url.Values, search bool) *listData {
	d := &listData{Base: b, Search: search, Q: q.Get("q"), Params: q, Sorts: catalog.SortKeys, Path: "rules/", all: s.allFacets()}
	if search {
		d.Path = "search"
	}
	page, _ := strconv.Atoi(q.Get("page"))
	per, _ := strconv.Atoi(q.Get("per_page"))
	f := catalog.Filter{Q: d.Q, Filters: filterValues(q), Feeds: q.Get("feeds") == "1", Sort: q.Get("sort"),
		Desc: q.Get("order") == "desc", Page: page, PerPage: per}
	d.Filters = f.Filters
	res, err := s.cat.Find(f)
	if err != nil {
		d.Error = err.Error()
		res, _ = s.cat.Find(catalog.Filter{Q: "", Filters: map[string][]string{"lang": {"\x00none"}}})
	}
	d.Results = res
	d.Hits = res.Hits
	d.Took = fmt.Sprintf("%.1f ms", float64(res.Took.Microseconds())/1000)
	d.Facets = map[string]catalog.Facet{}
	for _, fc := range res.Facets {
		d.Facets[fc.Key] = fc
	}
	d.Opts = map[string][]option{}
	var sb rulepage.Builder
	for _, k := range []string{"lang", "source", "platform", "tactic", "severity", "status", "format", "tested"} {
		d.Opts[k] = d.Options(k)
		if k == "tested" && len(d.Opts[k]) == 0 {
			continue
		}
		writeSelect(&sb, k, d.Opts[k])
	}
	d.Selects = sb.HTML()
	d.Rows = resultRows(b.URLs, d.Hits)
	link := func(n int) string {
		v := cloneValues(q)
		if n <= 1 {
			v.Del("page")
		} else {
			v.Set("page", strconv.Itoa(n))
		}
		return d.href(v)
	}
	if res.Page > 1 {
		d.Prev = link(res.Page - 1)
	}
	if res.Page < res.Pages {
		d.Next = link(res.Page + 1)
	}
	for n := 1; n <= res.Pages; n++ {
		if n == 1 || n == res.Pages || n >= res.Page-2 && n <= res.Page+2 {
			d.Pages = append(d.Pages, pageLink{N: n, Href: link(n), Current: n == res.Page})
		} else if len(d.Pages) > 0 && !d.Pages[len(d.Pages)-1].Gap {
			d.Pages = append(d.Pages, pageLink{Gap: true})
		}
	}
	return d
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		if len(vs) > 0 && vs[0] != "" {
			out[k] = slices.Clone(vs)
		}
	}
	return out
}

func (d *listData) href(v url.Values) string {
	if d.Search {
		return rulepage.WithQuery(d.URLs.Page("search"), v)
	}
	return d.URLs.Browse(v)
}

// SortHref returns the link that sorts by key (toggling the order when it
// is the current key).
func (d *listData) SortHref(key string) string {
	v := cloneValues(d.Params)
	v.Del("page")
	if d.Results.Sort == key && d.Params.Get("order") != "desc" {
		v.Set("order", "desc")
	} else {
		v.Del("order")
	}
	v.Set("sort", key)
	return d.href(v)
}

// SortMark is the arrow shown on the current sort column.
func (d *listData) SortMark(key string) string {
	if d.Results.Sort != key {
		return ""
	}
	if d.Params.Get("order") == "desc" {
		return "▼"
	}
	return "▲"
}

// FacetHref returns the link that toggles a facet value.
func (d *listData) FacetHref(key, value string) string {
	v := cloneValues(d.Params)
	v.Del("page")
	cur := v[key]
	if i := slices.IndexFunc(cur, func(x string) bool { return strings.EqualFold(x, value) }); i >= 0 {
		cur = slices.Delete(cur, i, i+1)
	} else {
		cur = append(cur, value)
	}
	if len(cur) == 0 {
		v.Del(key)
	} else {
		v[key] = cur
	}
	return d.href(v)
}

// Selected reports whether a filter value is selected.
func (d *listData) Selected(key, value string) bool {
	for _, x := range d.Filters[key] {
		if strings.EqualFold(x, value) {
			return true
		}
	}
	return false
}

// FilterText returns the current value of a free-text filter.
func (d *listData) FilterText(key string) string { return strings.Join(d.Filters[key], ",") }

// Facet returns the facet of a key.
func (d *listData) Facet(key string) catalog.Facet { return d.Facets[key] }

// Active lists the active filters with the links that remove them.
func (d *listData) Active() []activeFilter {
	var out []activeFilter
	for _, k := range catalog.FilterKeys {
		for _, v := range d.Filters[k] {
			out = append(out, activeFilter{Key: k, Value: v, Href: d.FacetHref(k, v)})
		}
	}
	return out
}

type activeFilter struct {
	Key, Value, Href string
}

// matrixData is the ATT&CK matrix page.
type matrixData struct {
	Base
	Matrix    *catalog.Matrix
	Cells     template.HTML
	Languages []string
	Sources   []string
	Lang      string
	Source    string
	LayerHref string
	AttackVer string
}

func (s *site) matrix(b Base, lang, source string) *matrixData {
	f := catalog.MatrixFilter{}
	if lang != "" {
		f.Languages = []string{lang}
	}
	if source != "" {
		f.Sources = []string{source}
	}
	d := &matrixData{Base: b, Matrix: s.cat.Matrix(f), Languages: s.cat.Languages, Lang: lang, Source: source, AttackVer: s.cat.Attack.Version}
	d.Sources = s.cat.Repos()
	d.Cells = matrixCells(b, d.Matrix)
	if b.Static {
		d.LayerHref = b.URLs.Base + "attack/" + staticLayerName(lang, source)
	} else {
		v := url.Values{}
		if lang != "" {
			v.Set("lang", lang)
		}
		if source != "" {
			v.Set("source", source)
		}
		d.LayerHref = rulepage.WithQuery(b.URLs.Base+"api/attack/layer", v)
	}
	return d
}

// CellHref links a matrix cell to the technique page.
func (d *matrixData) CellHref(id string) string { return d.URLs.Technique(id) }

// staticLayerName is the file of a layer in the static site.
func staticLayerName(lang, source string) string {
	name := "layer"
	if lang != "" {
		name += "-lang-" + catalog.PageKey(lang)
	}
	if source != "" {
		name += "-source-" + catalog.PageKey(source)
	}
	return name + ".json"
}

// techniqueData is a technique page.
type techniqueData struct {
	Base
	ID, Name    string
	Technique   *attack.Technique
	Tactics     []*attack.Tactic
	Stat        *catalog.TechniqueStat
	Subs        []*catalog.TechniqueStat
	Parent      *attack.Technique
	Rules       []*catalog.Rule
	SubRules    []*catalog.Rule
	ByLanguage  []langCount
	AttackURL   string
	BrowseHref  string
	SearchLangs []langCount
}

func (s *site) technique(b Base, id string) (*techniqueData, bool) {
	st, t, ok := s.cat.Technique(id)
	if !ok {
		return nil, false
	}
	d := &techniqueData{Base: b, ID: st.ID, Name: st.Name, Technique: t, Stat: st}
	if t != nil {
		for _, sn := range t.Tactics {
			if ta := s.cat.Attack.TacticByShortname(sn); ta != nil {
				d.Tactics = append(d.Tactics, ta)
			}
		}
		if t.IsSub() {
			d.Parent, _ = s.cat.Attack.Technique(t.ParentID())
		}
		d.AttackURL = "https://attack.mitre.org/techniques/" + strings.ReplaceAll(st.ID, ".", "/") + "/"
	}
	d.Rules = s.cat.RulesAt(st.Rules)
	d.Subs = s.cat.SubTechniques(st.ID)
	seen := map[*catalog.Rule]bool{}
	for _, r := range d.Rules {
		seen[r] = true
	}
	byLang := map[string]int{}
	for _, r := range d.Rules {
		byLang[r.Language]++
	}
	for _, sub := range d.Subs {
		for _, r := range s.cat.RulesAt(sub.Rules) {
			if !seen[r] {
				seen[r] = true
				d.SubRules = append(d.SubRules, r)
				byLang[r.Language]++
			}
		}
	}
	d.ByLanguage = sortedCounts(byLang)
	d.BrowseHref = b.URLs.Browse(url.Values{"technique": {st.ID}})
	return d, true
}

// eventsData lists providers and events.
type eventsData struct {
	Base
	Providers []*catalog.ProviderStat
}

// providerData is one provider's page.
type providerData struct {
	Base
	Provider *catalog.ProviderStat
	// Samples are sample events of its events (one per event, a few).
	Samples template.HTML
}

// Sample events on event and provider pages.
const (
	maxEventSamples    = 5
	maxProviderSamples = 3
	maxSampleFields    = 60
	maxSampleValue     = 400
)

func (s *site) provider(b Base, p *catalog.ProviderStat) *providerData {
	d := &providerData{Base: b, Provider: p}
	var samples []catalog.EventSample
	var events []*catalog.EventStat
	for _, e := range p.Events {
		if len(samples) == maxProviderSamples {
			break
		}
		if es := s.cat.EventSamples(e, 1); len(es) > 0 {
			samples = append(samples, es[0])
			events = append(events, e)
		}
	}
	d.Samples = samplesHTML(b, samples, events)
	return d
}

// eventData is one event's page.
type eventData struct {
	Base
	Event      *catalog.EventStat
	Direct     []*catalog.Rule
	Equivalent []*catalog.Rule
	ByLanguage []langCount
	BrowseHref string
	Samples    template.HTML
}

func (s *site) event(b Base, e *catalog.EventStat) *eventData {
	d := &eventData{Base: b, Event: e, BrowseHref: b.URLs.Browse(url.Values{"event": {e.Provider + "/" + e.Event}})}
	d.Direct, d.Equivalent = s.cat.EventRules(e)
	d.ByLanguage = sortedCounts(e.ByLanguage)
	d.Samples = samplesHTML(b, s.cat.EventSamples(e, maxEventSamples), nil)
	return d
}

// samplesHTML renders sample events (events[i], when given, is the event
// of samples[i]): each in a <details>, its fields as a table. The fields
// and values are the events' own text: every byte is escaped, long values
// are cut.
func samplesHTML(b Base, samples []catalog.EventSample, events []*catalog.EventStat) template.HTML {
	if len(samples) == 0 {
		return ""
	}
	var rb rulepage.Builder
	rb.Raw(`<h2 id="samples">Sample events</h2><p class="explain">Events of the event data sets that rules reading it matched (<code>detwiki build --events</code>), and sample events that rules ship with, as they are.</p>` + "\n")
	for i, sm := range samples {
		rb.Raw(`<details class="sample"><summary>`)
		if events != nil {
			rb.Link(events[i].Event, b.EventHref(events[i]))
			rb.Raw(": ")
		}
		if sm.Dataset != "" {
			rb.Code(sm.Dataset, "")
			rb.Raw(", matched by ")
		} else {
			rb.Raw("sample event of ")
		}
		for j, r := range sm.Rules {
			if j > 0 {
				rb.Raw(", ")
			}
			rb.Open("a", "class", "rule-link", "href", b.URLs.Rule(r.ID))
			rb.Esc(r.Title)
			rb.Raw("</a>")
		}
		if more := sm.RulesTotal - len(sm.Rules); more > 0 {
			rb.Raw(" and " + strconv.Itoa(more) + " more")
		}
		rb.Raw("</summary>")
		if sm.Text != "" {
			rb.Raw(`<pre class="snippet"><code>`)
			rb.Esc(cut(sm.Text, 8*maxSampleValue))
			rb.Raw("</code></pre>")
		} else {
			rb.Raw(`<div class="table-wrap"><table><tbody>`)
			for j, f := range sm.Fields {
				if j == maxSampleFields {
					rb.Raw(`<tr><td colspan="2" class="muted">` + strconv.Itoa(len(sm.Fields)-j) + " more fields</td></tr>")
					break
				}
				rb.Raw("<tr><th>")
				rb.Esc(f.Name)
				rb.Raw("</th><td><code>")
				rb.Esc(cut(f.Value, maxSampleValue))
				rb.Raw("</code></td></tr>")
			}
			rb.Raw("</tbody></table></div>")
		}
		rb.Raw("</details>\n")
	}
	return rb.HTML()
}

// cut shortens s to at most n bytes (at a rune boundary), marking the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// fieldsData lists fields.
type fieldsData struct {
	Base
	Fields []*catalog.FieldStat
}

// fieldData is one field's page.
type fieldData struct {
	Base
	Field      *catalog.FieldStat
	Indicators []*catalog.IndicatorStat
	More       int
	ByLanguage []langCount
	SearchHref string
}

const maxFieldIndicators = 1000

func (s *site) field(b Base, f *catalog.FieldStat) *fieldData {
	d := &fieldData{Base: b, Field: f, Indicators: f.Indicators, ByLanguage: sortedCounts(f.ByLanguage)}
	if len(d.Indicators) > maxFieldIndicators {
		d.More = len(d.Indicators) - maxFieldIndicators
		d.Indicators = d.Indicators[:maxFieldIndicators]
	}
	name := f.Name
	if len(f.Spellings) > 0 && strings.Contains(f.Key, ":") {
		name = f.Spellings[0]
	}
	d.SearchHref = b.URLs.Search("field:" + quoteTerm(name))
	return d
}

func quoteTerm(s string) string {
	if strings.ContainsAny(s, " \t") {
		return `"` + strings.ReplaceAll(s, `"`, "") + `"`
	}
	return s
}

// indicatorsData lists the most used indicators.
type indicatorsData struct {
	Base
	Indicators []*catalog.IndicatorStat
	Total      int
}

// indicatorData is one indicator's page: every rule that looks for it.
type indicatorData struct {
	Base
	Stat       *catalog.IndicatorStat
	Rules      []indicatorUse
	Rows       template.HTML
	ByLanguage []langCount
	FieldSlug  string
}

// indicatorUse is a rule and how it writes the indicator.
type indicatorUse struct {
	Rule  *catalog.Rule
	Field string
	Kind  string
	Value string
	Tf    []string
}

func (s *site) indicator(b Base, st *catalog.IndicatorStat) *indicatorData {
	d := &indicatorData{Base: b, Stat: st, ByLanguage: sortedCounts(st.ByLanguage), FieldSlug: catalog.PageKey(st.Key.Field)}
	for _, r := range s.cat.RulesAt(st.Rules) {
		use := indicatorUse{Rule: r}
	found:
		for _, ind := range r.Analysis.Indicators {
			for _, v := range ind.Values {
				if k, ok := catalog.CountKey(r.Language, ind, v); ok && k == st.Key {
					use.Field, use.Kind, use.Value, use.Tf = ind.Field, ind.Kind, v.Value, v.Transforms
					break found
				}
			}
		}
		d.Rules = append(d.Rules, use)
	}
	slices.SortStableFunc(d.Rules, func(a, b indicatorUse) int {
		return cmp.Or(strings.Compare(a.Rule.Language, b.Rule.Language), strings.Compare(strings.ToLower(a.Rule.Title), strings.ToLower(b.Rule.Title)))
	})
	var rb rulepage.Builder
	for _, use := range d.Rules {
		r := use.Rule
		rb.Raw("<tr><td>")
		rb.Open("a", "class", "rule-link", "href", b.URLs.Rule(r.ID))
		rb.Esc(r.Title)
		rb.Raw("</a></td><td>")
		rb.Open("span", "class", "lang lang-"+r.Language)
		rb.Esc(rulepage.LanguageName(r.Language))
		rb.Raw("</span></td><td>")
		rb.Code(use.Field, "")
		rb.Raw(" ")
		rb.Esc(use.Kind)
		rb.Raw(" ")
		rb.Code(use.Value, "")
		for _, t := range use.Tf {
			rb.Raw(` <span class="tf">`)
			rb.Esc(rulepage.TransformLabel(t))
			rb.Raw("</span>")
		}
		rb.Raw("</td><td>")
		rb.Esc(r.Source.Repo)
		rb.Raw("</td></tr>\n")
	}
	d.Rows = rb.HTML()
	return d
}

// matrixCells renders the columns of the ATT&CK matrix.
func matrixCells(b Base, m *catalog.Matrix) template.HTML {
	var rb rulepage.Builder
	cell := func(tactic string, c catalog.MatrixCell, sub bool) {
		n := strconv.Itoa(c.Count)
		rb.Open("li", "class", "cell "+heatClass(c.Count, m.Max), "data-cell", tactic+"/"+c.ID, "data-count", n)
		title := c.ID
		if !sub {
			title += " " + c.Name + ": " + n + " rules"
		}
		rb.Open("a", "href", b.URLs.Technique(c.ID), "title", title)
		if sub {
			rb.Esc(c.Name)
		} else {
			rb.Raw(`<span class="tname">`)
			rb.Esc(c.Name)
			rb.Raw("</span>")
		}
		rb.Raw(` <span class="tcount">` + n + "</span></a>")
	}
	for _, t := range m.Tactics {
		rb.Open("section", "class", "tactic", "data-tactic", t.ID)
		rb.Raw("<h2>")
		rb.Link(t.Name, b.Browse("tactic", t.ID))
		rb.Raw(" ")
		rb.Open("span", "class", "muted count", "data-tactic-count", t.ID)
		rb.Raw(strconv.Itoa(t.Rules) + "</span></h2>\n<ol>")
		for _, c := range t.Techniques {
			cell(t.ID, c, false)
			if len(c.Subs) > 0 {
				rb.Raw("<details><summary>" + strconv.Itoa(len(c.Subs)) + ` sub-techniques</summary><ol class="subs">`)
				for _, sc := range c.Subs {
					cell(t.ID, sc, true)
					rb.Raw("</li>")
				}
				rb.Raw("</ol></details>")
			}
			rb.Raw("</li>\n")
		}
		rb.Raw("</ol>\n</section>\n")
	}
	return rb.HTML()
}

// patternsData lists detection patterns.
type patternsData struct {
	Base
	Patterns []*catalog.Pattern
	Total    int
}

// patternData is one detection pattern.
type patternData struct {
	Base
	Pattern *catalog.Pattern
	Rules   []*catalog.Rule
}

// coverageData is the coverage page.
type coverageData struct {
	Base
	Coverage *catalog.Coverage
}

// errorData is an error page.
type errorData struct {
	Base
	Status  int
	Title   string
	Message string
	// Hint is a search for the words of a path that names no page.
	Hint string
}

// SearchHint returns the link of the hint's search.
func (d *errorData) SearchHint() string { return d.URLs.Search(d.Hint) }

// hintQuery returns the words of the last segment of a path that names no
// page ("/rules/kusto/Process_Injection-By_MMC.md": "Process Injection By
// MMC"), at most eight of them, as a search for the page's content.
func hintQuery(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	for _, ext := range []string{".html", ".md", ".json"} {
		p = strings.TrimSuffix(p, ext)
	}
	words := strings.FieldsFunc(p, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r > 0x7f)
	})
	var keep []string
	for _, w := range words {
		if w = strings.Trim(w, "."); w != "" && len(w) <= 64 {
			keep = append(keep, w)
		}
		if len(keep) == 8 {
			break
		}
	}
	return strings.Join(keep, " ")
}

// sharedData is the page of a shared rule id: the rules that were read
// with it, each with the id of its own.
type sharedData struct {
	Base
	Shared *catalog.SharedID
}

// Browse links the rule list filtered on key=value.
func (b Base) Browse(key, value string) string { return b.URLs.Browse(url.Values{key: {value}}) }

// Search links a search.
func (b Base) Search(q string) string { return b.URLs.Search(q) }

// EventHref links an event page.
func (b Base) EventHref(e *catalog.EventStat) string { return b.URLs.Page("events/" + e.Slug) }

// ProviderHref links a provider page.
func (b Base) ProviderHref(p *catalog.ProviderStat) string { return b.URLs.Page("events/" + p.Slug) }

// FieldHref links a field page.
func (b Base) FieldHref(f *catalog.FieldStat) string { return b.URLs.FieldSlug(f.Slug) }

// IndicatorHref links an indicator page ("" when the wiki has none: the
// static site has pages only for indicators two rules or more share).
func (b Base) IndicatorHref(st *catalog.IndicatorStat) string {
	if !b.URLs.HasIndicatorPage(st) {
		return ""
	}
	return b.URLs.IndicatorSlug(st.Slug)
}

// PatternHref links a detection pattern page.
func (b Base) PatternHref(p *catalog.Pattern) string { return b.URLs.Pattern(p.Slug) }

// RuleHref links a rule page.
func (b Base) RuleHref(r *catalog.Rule) string { return b.URLs.Rule(r.ID) }

// option is one choice of a filter select.
type option struct {
	Value, Label string
	Count        int
	Selected     bool
}

// writeSelect writes the select of one filter (a page of results has a
// few hundred choices: written here rather than by the template).
func writeSelect(b *rulepage.Builder, key string, opts []option) {
	b.Raw("<label>")
	b.Esc(key)
	b.Open("select", "name", key)
	b.Raw(`<option value="">any</option>`)
	for _, o := range opts {
		b.Raw(`<option value="`)
		b.Esc(o.Value)
		if o.Selected {
			b.Raw(`" selected>`)
		} else {
			b.Raw(`">`)
		}
		b.Esc(o.Label)
		if o.Count > 0 {
			b.Raw(" (" + strconv.Itoa(o.Count) + ")")
		}
		b.Raw("</option>")
	}
	b.Raw("</select></label>\n")
}

// Options lists the values of a filter over the whole catalog, with their
// counts among the current results.
func (d *listData) Options(key string) []option {
	cur := map[string]int{}
	for _, v := range d.Facets[key].Values {
		cur[v.Value] = v.Count
	}
	var out []option
	for _, v := range d.all[key].Values {
		label := v.Label
		if label == "" {
			label = v.Value
		}
		if key == catalog.FilterLanguage {
			label = rulepage.LanguageName(v.Value)
		}
		out = append(out, option{Value: v.Value, Label: label, Count: cur[v.Value], Selected: d.Selected(key, v.Value) || d.Selected(key, v.Label)})
	}
	return out
}

// maxRuleList is the number of rules a list on a page shows; the rest are
// a link to the rule list with the matching filter.
const maxRuleList = 300

// ruleListData is a list of rules (template "rulelist").
type ruleListData struct {
	Base
	Rules    []*catalog.Rule
	Rows     template.HTML
	More     int
	MoreHref string
}

func newRuleList(b Base, rules []*catalog.Rule, moreHref string) ruleListData {
	d := ruleListData{Base: b, Rules: rules, MoreHref: moreHref}
	if len(rules) > maxRuleList {
		d.More = len(rules) - maxRuleList
		rules = rules[:maxRuleList]
	}
	var rb rulepage.Builder
	for _, r := range rules {
		rb.Raw("<tr><td>")
		rb.Open("a", "class", "rule-link", "href", b.URLs.Rule(r.ID))
		rb.Esc(r.Title)
		rb.Raw("</a></td><td>")
		languageSourceSeverity(&rb, r)
		rb.Raw("</td></tr>\n")
	}
	d.Rows = rb.HTML()
	return d
}

// languageSourceSeverity writes the language, source and severity cells
// that rule lists and result tables share (between the cells' tags).
func languageSourceSeverity(b *rulepage.Builder, r *catalog.Rule) {
	b.Open("span", "class", "lang lang-"+r.Language)
	b.Esc(rulepage.LanguageName(r.Language))
	b.Raw("</span></td><td>")
	b.Esc(r.Source.Repo)
	b.Raw("</td><td>")
	if sev := strings.ToLower(r.Severity); sev != "" {
		b.Open("span", "class", "sev sev-"+sev)
		b.Esc(sev)
		b.Raw("</span>")
	}
}

// resultRows renders the rows of a result table (a list can show hundreds
// of rules; see rulepage.Builder).
func resultRows(u rulepage.URLs, hits []catalog.Hit) template.HTML {
	var b rulepage.Builder
	for _, h := range hits {
		r := h.Rule
		b.Raw(`<tr class="hit"><td class="title-cell">`)
		b.Open("a", "class", "rule-link", "href", u.Rule(r.ID))
		b.Esc(r.Title)
		b.Raw("</a>")
		if r.ThirdPartyFeed {
			b.Raw(` <span class="badge feed">feed</span>`)
		}
		if r.Deprecated {
			b.Raw(` <span class="badge deprecated">deprecated</span>`)
		}
		if len(h.Matched) > 0 {
			b.Raw(`<div class="matched">`)
			for _, m := range h.Matched {
				b.Code(m.Field, "")
				b.Raw(" ")
				b.Esc(m.Kind)
				b.Raw(" ")
				b.Code(m.Value, "")
				b.Raw("; ")
			}
			b.Raw("</div>")
		}
		if h.Snippet != "" {
			b.Raw(`<div class="snippet">`)
			b.Esc(h.Snippet)
			b.Raw("</div>")
		}
		b.Raw("</td><td>")
		languageSourceSeverity(&b, r)
		b.Raw(`</td><td class="techs">`)
		for i, t := range r.Techniques {
			if i == 4 {
				b.Raw("…")
				break
			}
			b.Link(t, u.Technique(t))
			b.Raw(" ")
		}
		b.Raw(`</td><td class="reads">`)
		for i, t := range r.Analysis.Tables {
			if i == 3 {
				break
			}
			b.Code(t, "")
			b.Raw(" ")
		}
		b.Raw("</td></tr>\n")
	}
	return b.HTML()
}
