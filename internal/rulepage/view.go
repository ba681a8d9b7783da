package rulepage

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/highlight"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// Page is what a rule page shows: a rule document and, inside a catalog,
// what the catalog knows about it (corpus counts are in the document).
type Page struct {
	Doc *rule.Document
	// Rule is the catalog's rule (neighbours, same action); nil when the
	// page is rendered outside a catalog (`detwiki analyze --format html`).
	Rule *catalog.Rule
	// Catalog, when set, resolves the titles of related rules.
	Catalog *catalog.Catalog
	URLs    URLs
}

// languageNames are the display names of rule families.
var languageNames = map[string]string{
	rule.LangKusto: "Kusto", rule.LangSigma: "Sigma", rule.LangElastic: "Elastic", rule.LangSplunk: "Splunk",
	rule.LangChronicle: "Chronicle", rule.LangPanther: "Panther", rule.LangSublime: "Sublime",
}

// queryLanguageNames are the display names of query languages.
var queryLanguageNames = map[string]string{
	"kql": "KQL", "kusto": "KQL", "sigma": "Sigma", "eql": "EQL", "esql": "ES|QL", "es|ql": "ES|QL",
	"kuery": "Kibana KQL", "lucene": "Lucene", "spl": "SPL", "yaral": "YARA-L 2.0", "yara-l": "YARA-L 2.0",
	"python": "Python", "sql": "SQL", "mql": "MQL", "ml": "machine learning job",
}

// LanguageName returns the display name of a rule family.
func LanguageName(lang string) string {
	if n, ok := languageNames[lang]; ok {
		return n
	}
	return lang
}

// QueryLanguageName returns the display name of a query language.
func QueryLanguageName(ql string) string {
	if n, ok := queryLanguageNames[strings.ToLower(ql)]; ok {
		return n
	}
	return ql
}

// kindPhrases say in words what each kind compares.
var kindPhrases = map[string]string{
	rule.KindEq: "equals", rule.KindNe: "differs from", rule.KindIn: "is one of", rule.KindContains: "contains",
	rule.KindMatch: "matches the term or pattern", rule.KindStartsWith: "starts with", rule.KindEndsWith: "ends with",
	rule.KindRegex: "matches the regular expression", rule.KindGt: "is greater than", rule.KindGe: "is at least",
	rule.KindLt: "is less than", rule.KindLe: "is at most", rule.KindCIDR: "is in the network",
	rule.KindIsNull: "is empty", rule.KindIsNotNull: "is not empty",
}

// KindPhrase returns a kind in words.
func KindPhrase(kind string) string {
	if p, ok := kindPhrases[kind]; ok {
		return p
	}
	return kind
}

// transformLabels are the display labels of transforms.
var transformLabels = map[string]string{
	rule.TransformCased: "case-sensitive", rule.TransformAll: "all values", rule.TransformWindash: "windash",
	rule.TransformBase64: "base64", rule.TransformBase64Offset: "base64 offset", rule.TransformWide: "UTF-16",
	rule.TransformFieldRef: "column", rule.TransformWildcard: "wildcard", rule.TransformExpression: "expression",
}

// TransformLabel returns the display label of a transform.
func TransformLabel(t string) string {
	if l, ok := transformLabels[t]; ok {
		return l
	}
	return t
}

// Link is a labelled link.
type Link struct {
	Text  string
	Href  string
	Title string
}

// metaRow is one line of the metadata table.
type metaRow struct {
	Label string
	Text  string
	Links []Link
	Code  bool
}

type attackRow struct {
	TacticID, Tactic, TechniqueID, Technique, Href string
}

type eventRow struct {
	Provider, ProviderHref, Event, Href, Title, Class string
	Equivalent                                        bool
}

type valueCell struct {
	Value      string
	Href       string
	FieldRef   string // the column linked when the value is another column
	Transforms []string
	Expression bool
	HasCorpus  bool
	Count      int
	ByLanguage []langCount
}

type langCount struct {
	Language string
	Count    int
}

type indicatorRow struct {
	Field, FieldHref, Canonical, Kind, KindPhrase string
	Values                                        []valueCell
}

type predView struct {
	Field, FieldHref, Kind, KindPhrase string
	Values                             []string
	Transforms                         []string
	Negated                            bool
}

type paramView struct {
	Name, Anchor string
	Values       []string
	Text         string
}

type bindingView struct {
	Name, Anchor string
	DerivedFrom  []Link
	Text         string
}

type stageView struct {
	N, Steps   int
	Kind       string
	Line       int
	LineHref   string
	Text       string
	Predicates []predView
	Note       string // the analysis's remark: where traced columns come from, the time filter
}

type pipelineView struct {
	Name   string
	Stages []stageView
}

// codeBlock is a block of rule text shown with numbered lines.
type codeBlock struct {
	Text   string
	Lang   string
	Prefix string       // anchor prefix of its lines: Q (query) or L (file)
	Mark   map[int]bool // lines diagnostics point at
}

type diagView struct {
	Severity, Code, Pos, Href, Message, Snippet string
}

type relatedView struct {
	Title, Href, Language, ID string
	Diff                      []predView
}

type sectionView struct {
	Title string
	Text  string // prose, rendered by writeProse
}

type variantView struct {
	Name, Language string
	Text, Lang     string
}

type testView struct {
	Name, Expect, Path, Event string
}

// view is the template data of a rule page: every string is plain text
// (the templates escape it); the template.HTML fields come from the
// highlighter and the prose renderer, which escape every byte they copy.
type view struct {
	P          *Page
	URLs       URLs
	ID         string
	Title      string
	Language   string
	LangName   string
	QLName     string
	Badges     []string
	Severity   string
	Feed       bool
	Deprecated bool
	SourceHref string
	SourceText string
	Meta       []metaRow
	Summary    summary
	Desc       string // prose, rendered by writeProse
	Attack     []attackRow
	References []Link
	Events     []eventRow
	// Lang is the highlighter's language of the query.
	Lang     string
	Query    *codeBlock
	Body     *codeBlock
	BodyPath string
	// BodyHref links the source file in its public repository when the
	// page does not show it (URLs.LinkPublicSource).
	BodyHref   string
	Params     []paramView
	Bindings   []bindingView
	Pipelines  []pipelineView
	Indicators []indicatorRow
	Exclusions []indicatorRow
	Outputs    []rule.Output
	Narrower   []relatedView
	Broader    []relatedView
	Same       []relatedView
	NarrowerN  int
	BroaderN   int
	SameN      int
	SameAction []relatedView
	SameActN   int
	InCatalog  bool
	FalsePos   []string
	Sections   []sectionView
	Links      []Link
	Tests      []testView
	// Runs is what running the rule on events found (nil when it did not
	// run); sample values are untrusted text, escaped by the template.
	Runs     *rule.Runs
	Variants []variantView
	Diags    []diagView
}

// summary is the "at a glance" box.
type summary struct {
	Reads       []Link
	Events      []Link
	Indicators  int
	Values      int
	Fields      int
	Exclusions  int
	Unique      int
	Shared      int
	TopShared   []sharedView
	Outputs     []string
	TimeWindow  string
	Frequency   string
	Stages      int
	Bindings    int
	Errors      int
	Warnings    int
	Techniques  int
	HasAnalysis bool
}

type sharedView struct {
	Field, Kind, Value, Href string
	Count                    int
}

func (p *Page) view() *view {
	d := p.Doc
	u := p.URLs
	v := &view{P: p, URLs: u, ID: d.ID, Title: d.Title, Language: d.Language, LangName: LanguageName(d.Language),
		QLName: QueryLanguageName(d.QueryLanguage), Severity: strings.ToLower(d.Severity), Feed: d.ThirdPartyFeed,
		Deprecated: d.Deprecated, InCatalog: p.Rule != nil}
	if v.Title == "" {
		v.Title = d.ID
	}
	for _, b := range []string{d.Format, d.Status, d.Kind} {
		if b != "" && !slices.Contains(v.Badges, b) {
			v.Badges = append(v.Badges, b)
		}
	}
	v.SourceText = d.Source.Repo + "/" + d.Source.Path
	v.SourceHref = catalog.SourceURL(d.Source.Repo, d.Source.Path)
	v.meta()
	v.Desc = trimQuotes(d.Description)
	for _, a := range d.Attack {
		row := attackRow{TacticID: a.TacticID, Tactic: a.Tactic, TechniqueID: a.TechniqueID, Technique: a.Technique}
		if a.TechniqueID != "" {
			row.Href = u.Technique(a.TechniqueID)
		}
		v.Attack = append(v.Attack, row)
	}
	for _, r := range d.References {
		v.References = append(v.References, Link{Text: r, Href: safeHref(r)})
	}
	v.events()
	v.code()
	v.analysis()
	v.related()
	v.extras()
	v.diagnostics()
	v.summarize()
	return v
}

// link returns the link of a catalog page path, or "" when the catalog has
// no such page (so a page never links to a missing one).
func (v *view) link(path string) string {
	if path == "" || !exists(v.P.Catalog, v.URLs, path) {
		return ""
	}
	return v.URLs.Page(path)
}

func (v *view) fieldLink(ind rule.Indicator) string {
	return v.link("fields/" + catalog.FieldSlug(v.Language, ind))
}

// fieldKeyLink links the field of a corpus field key (a map lookup in a
// catalog rather than the page key computed again).
func (v *view) fieldKeyLink(key string) string {
	if c := v.P.Catalog; c != nil {
		if f, ok := c.FieldByName(key); ok {
			return v.URLs.FieldSlug(f.Slug)
		}
		return ""
	}
	return v.link("fields/" + catalog.PageKey(key))
}

func (v *view) fieldNameLink(name string) string {
	return v.link("fields/" + catalog.FieldSlugByName(v.Language, name))
}

func (v *view) indicatorLink(ind rule.Indicator, val rule.Value) string {
	slug := catalog.IndicatorSlug(v.Language, ind, val)
	if slug == "" {
		return ""
	}
	return v.link("indicators/" + slug)
}

func (v *view) eventLink(provider, event string) string {
	return v.link("events/" + catalog.EventSlug(provider, event))
}

func (v *view) providerLink(provider string) string {
	return v.link("events/" + catalog.PageKey(provider))
}

// Browse returns the link of the rule list filtered on key=value.
func (v *view) Browse(key, value string) string { return v.URLs.Browse(url.Values{key: {value}}) }

// trimQuotes drops the quotes some Sentinel descriptions keep around their
// text ('...').
func trimQuotes(s string) string {
	t := strings.TrimSpace(s)
	if len(t) >= 2 && t[0] == '\'' && t[len(t)-1] == '\'' {
		return strings.TrimSpace(t[1 : len(t)-1])
	}
	return s
}

// safeHref returns s when it is an http(s) URL, "" otherwise, with the
// bytes a URL cannot hold as they are (spaces, quotes, parentheses,
// non-ASCII) percent-encoded, as html/template would.
func safeHref(s string) string {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return normalizeURL(s)
}

// normalizeURL percent-encodes the bytes of s other than letters, digits,
// the unreserved and reserved punctuation of RFC 3986 (but for quotes and
// parentheses) and '%'.
func normalizeURL(s string) string {
	const hex = "0123456789ABCDEF"
	keep := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~!#$&*+,/:;=?@[]%", c) >= 0
	}
	i := 0
	for i < len(s) && keep(s[i]) {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s[:i])
	for ; i < len(s); i++ {
		if c := s[i]; keep(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

func (v *view) meta() {
	d := v.P.Doc
	u := v.URLs
	add := func(label, text string) {
		if strings.TrimSpace(text) != "" {
			v.Meta = append(v.Meta, metaRow{Label: label, Text: text})
		}
	}
	addLinks := func(label string, links []Link) {
		if len(links) > 0 {
			v.Meta = append(v.Meta, metaRow{Label: label, Links: links})
		}
	}
	v.Meta = append(v.Meta, metaRow{Label: "ID", Text: d.ID, Code: true})
	addLinks("Language", []Link{{Text: v.LangName, Href: u.Browse(url.Values{"lang": {d.Language}})}})
	if v.QLName != "" {
		add("Query language", v.QLName)
	}
	add("Author", d.Author)
	add("Status", d.Status)
	add("Severity", d.Severity)
	add("Rule type", d.Kind)
	add("Time window", d.TimeWindow)
	add("Runs every", d.Frequency)
	if len(d.GroupBy) > 0 {
		add("Group by", strings.Join(d.GroupBy, ", "))
	}
	var plats []Link
	for _, p := range d.Platforms {
		plats = append(plats, Link{Text: p, Href: u.Browse(url.Values{"platform": {p}})})
	}
	addLinks("Platforms", plats)
	if len(d.DataSources) > 0 {
		add("Data sources", strings.Join(d.DataSources, ", "))
	}
	var tables []Link
	for _, t := range d.Analysis.Tables {
		tables = append(tables, Link{Text: t, Href: u.Table(t)})
	}
	addLinks("Reads", tables)
	add("Version", d.Version)
	add("Created", d.Created)
	add("Modified", d.Modified)
	if len(d.Tags) > 0 {
		add("Tags", strings.Join(d.Tags, ", "))
	}
	src := []Link{{Text: v.SourceText, Href: v.SourceHref}}
	if d.Source.Repo != "" {
		src = append(src, Link{Text: "other rules of " + d.Source.Repo, Href: u.Browse(url.Values{"source": {d.Source.Repo}})})
	}
	addLinks("Source", src)
}

func (v *view) events() {
	evs := slices.Clone(v.P.Doc.Analysis.Events)
	slices.SortStableFunc(evs, func(a, b rule.Event) int {
		ra, rb := a.Via == rule.ViaEquivalent, b.Via == rule.ViaEquivalent
		if ra != rb {
			if ra {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Class, b.Class)
	})
	for _, e := range evs {
		v.Events = append(v.Events, eventRow{Provider: e.Provider, ProviderHref: v.providerLink(e.Provider), Event: e.Event,
			Href: v.eventLink(e.Provider, e.Event), Title: e.Title, Class: e.Class, Equivalent: e.Via == rule.ViaEquivalent})
	}
}

// marked returns the file lines diagnostics point at.
func marked(diags []source.Diagnostic) map[int]bool {
	m := map[int]bool{}
	for _, d := range diags {
		if d.Line > 0 {
			m[d.Line] = true
		}
	}
	return m
}

func block(text, lang, prefix string, mark map[int]bool) *codeBlock {
	return &codeBlock{Text: strings.TrimRight(text, "\n"), Lang: lang, Prefix: prefix, Mark: mark}
}

// queryLang maps a query language to the highlighter's language.
func queryLang(ql string) string {
	switch strings.ToLower(ql) {
	case "sigma":
		return "yaml"
	case "kuery":
		return "kuery"
	}
	return strings.ToLower(ql)
}

func (v *view) code() {
	d := v.P.Doc
	v.Lang = queryLang(d.QueryLanguage)
	if d.Query != "" {
		v.Query = block(d.Query, v.Lang, "Q", nil)
	}
	if d.Body != "" && strings.TrimSpace(d.Body) != strings.TrimSpace(d.Query) {
		mark := marked(d.Analysis.Diagnostics)
		v.BodyPath = path.Base(d.Source.Path)
		if v.URLs.LinkPublicSource && v.SourceHref != "" && len(mark) == 0 {
			v.BodyHref = v.SourceHref
			return
		}
		v.Body = block(d.Body, highlight.ForPath(d.Source.Path), "L", mark)
	}
}

func (v *view) indicatorRows(list []rule.Indicator, counts bool) []indicatorRow {
	var out []indicatorRow
	// In a catalog, the statistics of the indicators' values know their
	// pages: no need to compute each value's key again.
	var stats []*catalog.IndicatorStat
	if counts && v.P.Rule != nil && v.P.Rule.Document == v.P.Doc {
		stats = v.P.Rule.ValueStats()
	}
	n := 0
	for _, ind := range list {
		row := indicatorRow{Field: ind.Field, FieldHref: v.fieldLink(ind), Kind: ind.Kind, KindPhrase: KindPhrase(ind.Kind)}
		if ind.CanonicalField != "" && !strings.EqualFold(ind.CanonicalField, ind.Field) {
			row.Canonical = ind.CanonicalField
		}
		for _, val := range ind.Values {
			c := valueCell{Value: val.Value, Transforms: val.Transforms}
			var st *catalog.IndicatorStat
			if n < len(stats) {
				st = stats[n]
			}
			n++
			switch {
			case slices.Contains(val.Transforms, rule.TransformFieldRef):
				c.FieldRef = v.fieldNameLink(val.Value)
			case ind.Kind == rule.KindIsNull || ind.Kind == rule.KindIsNotNull:
			case st != nil:
				if v.URLs.HasIndicatorPage(st) {
					c.Href = v.URLs.IndicatorSlug(st.Slug)
				}
			case stats == nil:
				c.Href = v.indicatorLink(ind, val)
			}
			c.Expression = slices.Contains(val.Transforms, rule.TransformExpression)
			if counts && val.Corpus != nil {
				c.HasCorpus = true
				c.Count = val.Corpus.Total
				for _, l := range sortedLangs(val.Corpus.ByLanguage) {
					c.ByLanguage = append(c.ByLanguage, langCount{l, val.Corpus.ByLanguage[l]})
				}
			}
			row.Values = append(row.Values, c)
		}
		out = append(out, row)
	}
	return out
}

func sortedLangs(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func anchor(prefix, name string) string {
	return prefix + "-" + catalog.PageKey(name)
}

func (v *view) analysis() {
	a := &v.P.Doc.Analysis
	names := map[string]string{}
	for _, p := range a.Parameters {
		names[p.Name] = anchor("param", p.Name)
		v.Params = append(v.Params, paramView{Name: p.Name, Anchor: anchor("param", p.Name), Values: p.Values, Text: p.Text})
	}
	for _, b := range a.Bindings {
		names[b.Name] = anchor("binding", b.Name)
	}
	for _, b := range a.Bindings {
		bv := bindingView{Name: b.Name, Anchor: anchor("binding", b.Name), Text: b.Text}
		for _, from := range b.DerivedFrom {
			l := Link{Text: from}
			if an, ok := names[from]; ok {
				l.Href = "#" + an
			}
			bv.DerivedFrom = append(bv.DerivedFrom, l)
		}
		v.Bindings = append(v.Bindings, bv)
	}
	// Predicates name fields as written: link them to the field page of the
	// indicator on the same field (which knows its canonical name).
	byField := map[string]rule.Indicator{}
	for _, list := range [][]rule.Indicator{a.Indicators, a.Exclusions} {
		for _, ind := range list {
			if _, ok := byField[ind.Field]; !ok {
				byField[ind.Field] = ind
			}
		}
	}
	fieldHref := func(f string) string {
		if ind, ok := byField[f]; ok {
			return v.fieldLink(ind)
		}
		return v.fieldNameLink(f)
	}
	for _, s := range a.Stages {
		pl := s.Pipeline
		if pl == "" {
			pl = "main"
		}
		if len(v.Pipelines) == 0 || v.Pipelines[len(v.Pipelines)-1].Name != pl {
			v.Pipelines = append(v.Pipelines, pipelineView{Name: pl})
		}
		sv := stageView{N: s.N, Steps: s.Steps, Kind: s.Kind, Line: s.Line, Text: s.Text, Note: s.Note}
		if s.Line > 0 && v.Query != nil {
			sv.LineHref = "#Q" + strconv.Itoa(s.Line)
		}
		for _, p := range s.Predicates {
			sv.Predicates = append(sv.Predicates, predView{Field: p.Field, FieldHref: fieldHref(p.Field), Kind: p.Kind,
				KindPhrase: KindPhrase(p.Kind), Values: p.Values, Transforms: p.Transforms, Negated: p.Negated})
		}
		pv := &v.Pipelines[len(v.Pipelines)-1]
		pv.Stages = append(pv.Stages, sv)
	}
	v.Indicators = v.indicatorRows(a.Indicators, true)
	v.Exclusions = v.indicatorRows(a.Exclusions, false)
	v.Outputs = a.Outputs
}

func (v *view) relatedList(list []catalog.Related) []relatedView {
	var out []relatedView
	for _, r := range list {
		rv := relatedView{ID: r.ID, Title: r.ID, Href: v.URLs.Rule(r.ID)}
		if r.Rule != nil {
			rv.Title, rv.Language = r.Rule.Title, r.Rule.Language
		}
		for _, p := range r.Diff {
			rv.Diff = append(rv.Diff, predView{Field: p.Field, FieldHref: v.fieldKeyLink(p.FieldKey), Kind: p.Kind,
				KindPhrase: KindPhrase(p.Kind), Values: []string{p.Value}, Negated: p.Negated})
		}
		out = append(out, rv)
	}
	return out
}

func (v *view) related() {
	r := v.P.Rule
	if r == nil {
		return
	}
	v.Narrower, v.NarrowerN = v.relatedList(r.Neighbours.Narrower), r.Neighbours.NarrowerTotal
	v.Broader, v.BroaderN = v.relatedList(r.Neighbours.Broader), r.Neighbours.BroaderTotal
	v.Same, v.SameN = v.relatedList(r.Neighbours.Same), r.Neighbours.SameTotal
	v.SameAction, v.SameActN = v.relatedList(r.SameAction), r.SameActionTotal
}

func (v *view) extras() {
	d := v.P.Doc
	v.FalsePos = d.FalsePositives
	for _, s := range d.Sections {
		v.Sections = append(v.Sections, sectionView{Title: s.Title, Text: s.Text})
	}
	for _, l := range d.Links {
		text := l.Title
		if text == "" {
			text = l.Target
		}
		link := Link{Text: text, Title: l.Kind, Href: safeHref(l.Target)}
		if link.Href == "" && v.P.Catalog != nil {
			if r, ok := v.P.Catalog.Rule(l.Target); ok {
				link.Href = v.URLs.Rule(r.ID)
				if l.Title == "" {
					link.Text = r.Title
				}
			} else if sh, ok := v.P.Catalog.SharedID(l.Target); ok {
				// Several rules were read with the id: the one of this
				// rule's source when there is exactly one, else the page
				// that lists them.
				link.Href = v.URLs.Rule(sh.ID)
				var same *catalog.Rule
				n := 0
				for _, r := range sh.Rules {
					if r.Source.Repo == d.Source.Repo {
						same, n = r, n+1
					}
				}
				if n == 1 {
					link.Href = v.URLs.Rule(same.ID)
					if l.Title == "" {
						link.Text = same.Title
					}
				}
			}
		}
		v.Links = append(v.Links, link)
	}
	for _, t := range d.Tests {
		v.Tests = append(v.Tests, testView{Name: t.Name, Expect: t.Expect, Path: t.Path, Event: t.Event})
	}
	v.Runs = d.Runs
	for _, va := range d.Variants {
		ql := va.QueryLanguage
		if ql == "" {
			ql = d.QueryLanguage
		}
		v.Variants = append(v.Variants, variantView{Name: va.Name, Language: QueryLanguageName(ql), Text: va.Query, Lang: queryLang(ql)})
	}
}

func (v *view) diagnostics() {
	d := v.P.Doc
	for _, dg := range d.Analysis.Diagnostics {
		dv := diagView{Severity: string(dg.Severity), Code: dg.Code, Message: dg.Message}
		if dg.Line > 0 {
			dv.Pos = fmt.Sprintf("%d:%d", dg.Line, dg.Col)
			if v.Body != nil {
				dv.Href = "#L" + strconv.Itoa(dg.Line)
			}
			if text := d.Body; text != "" {
				dv.Snippet = source.Snippet(text, dg)
			}
		}
		v.Diags = append(v.Diags, dv)
	}
}

func (v *view) summarize() {
	d := v.P.Doc
	a := &d.Analysis
	s := &v.Summary
	u := v.URLs
	for _, t := range a.Tables {
		s.Reads = append(s.Reads, Link{Text: t, Href: u.Table(t)})
	}
	for _, e := range a.Events {
		if e.Via != rule.ViaEquivalent {
			s.Events = append(s.Events, Link{Text: e.Provider + " " + e.Event, Title: e.Title, Href: v.eventLink(e.Provider, e.Event)})
		}
	}
	fields := map[string]bool{}
	var shared []sharedView
	for _, ind := range a.Indicators {
		s.Indicators++
		fields[strings.ToLower(ind.Field)] = true
		for _, val := range ind.Values {
			s.Values++
			if val.Corpus == nil {
				continue
			}
			if val.Corpus.Total <= 1 {
				s.Unique++
			} else {
				s.Shared++
				shared = append(shared, sharedView{Field: ind.Field, Kind: ind.Kind, Value: val.Value, Href: v.indicatorLink(ind, val), Count: val.Corpus.Total})
			}
		}
	}
	slices.SortStableFunc(shared, func(a, b sharedView) int { return b.Count - a.Count })
	if len(shared) > 3 {
		shared = shared[:3]
	}
	s.TopShared = shared
	s.Fields = len(fields)
	for _, ex := range a.Exclusions {
		s.Exclusions += len(ex.Values)
	}
	for _, o := range a.Outputs {
		s.Outputs = append(s.Outputs, o.Field)
	}
	s.TimeWindow, s.Frequency = d.TimeWindow, d.Frequency
	s.Stages, s.Bindings = len(a.Stages), len(a.Bindings)
	for _, dg := range a.Diagnostics {
		switch dg.Severity {
		case source.Error:
			s.Errors++
		case source.Warning:
			s.Warnings++
		}
	}
	s.Techniques = len(d.Attack)
	s.HasAnalysis = len(a.Stages)+len(a.Indicators)+len(a.Tables) > 0
}
