package catalog

import (
	"cmp"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/rule"
)

// Filter keys: the browse filters, also accepted as search terms.
const (
	FilterLanguage  = "lang"
	FilterSource    = "source"
	FilterPlatform  = "platform"
	FilterTactic    = "tactic"
	FilterTechnique = "technique"
	FilterSeverity  = "severity"
	FilterStatus    = "status"
	FilterTable     = "table"
	FilterEvent     = "event"
	FilterFormat    = "format"
	// FilterTested: fires, failing, silent (rules run on events; see
	// rule.Document.Runs).
	FilterTested = "tested"
)

// FilterKeys lists the browse filters in the order pages show them.
var FilterKeys = []string{FilterLanguage, FilterSource, FilterPlatform, FilterTactic, FilterTechnique,
	FilterSeverity, FilterStatus, FilterTable, FilterEvent, FilterFormat, FilterTested}

// facetKeys are the filters whose value counts a result lists.
var facetKeys = []string{FilterLanguage, FilterSource, FilterSeverity, FilterStatus, FilterPlatform, FilterTactic, FilterFormat, FilterTested}

// Sort orders of results.
var SortKeys = []string{"relevance", "title", "id", "language", "source", "severity", "status", "modified"}

// Paging defaults.
const (
	DefaultPerPage = 50
	MaxPerPage     = 500
)

// Filter selects rules: a search query plus browse filters (values of one
// key are alternatives; keys all apply), a sort order and a page.
type Filter struct {
	Q       string
	Filters map[string][]string
	// Feeds includes third-party feeds in a list without a query (a query
	// always searches them).
	Feeds   bool
	Sort    string
	Desc    bool
	Page    int
	PerPage int
}

// Results is one page of rules matching a Filter.
type Results struct {
	Query   *Query        `json:"-"`
	Total   int           `json:"total"`
	Page    int           `json:"page"`
	PerPage int           `json:"per_page"`
	Pages   int           `json:"pages"`
	Sort    string        `json:"sort"`
	Hits    []Hit         `json:"-"`
	Facets  []Facet       `json:"facets"`
	Took    time.Duration `json:"took_ns"`
}

// Hit is one matching rule, with why it matched.
type Hit struct {
	Rule  *Rule
	Score int
	// Snippet is a piece of the description or query around the first word
	// of the query; Matched the rule's indicators that match the query's
	// field/kind/value terms.
	Snippet string
	Matched []Predicate
}

// Facet counts the values of one filter among all matching rules.
type Facet struct {
	Key    string       `json:"key"`
	Values []FacetValue `json:"values"`
}

// FacetValue is one value of a facet.
type FacetValue struct {
	Value    string `json:"value"`
	Label    string `json:"label,omitempty"`
	Count    int    `json:"count"`
	Selected bool   `json:"selected,omitempty"`
}

// searchIndex is the in-memory index behind Find.
type searchIndex struct {
	n        int
	tokens   []string
	postings [][]int32
	// lower-case texts per rule for verification, scoring and snippets.
	title, desc, meta []string
	// body is each rule's query (or file) text as written (for snippets),
	// bodyLower its lower-case form (for matching: strings.Contains is far
	// faster than a case-folding scan, and text costs the collector
	// nothing to keep).
	body      []string
	bodyLower []string
	facets    map[string]map[string]bitset
	labels    map[string]map[string]string
	nonFeed   bitset
	feeds     bitset
	errs      bitset
	deprec    bitset

	// idLower and authorLower are each rule's id and author in lower case,
	// for id: and author: terms.
	idLower, authorLower []string
	// titleDict and descDict index titles and descriptions alone, for
	// scoring.
	titleDict, descDict dict
	// orders are the rules sorted by each sort key (ascending); titleRank[i]
	// is rule i's position in the title order.
	orders    map[string][]int32
	titleRank []int32
	// valueGrams indexes the indicator statistics' values by trigram;
	// valueText holds them end to end, NUL-separated, valueStarts[i] being
	// where statistic i's value starts.
	valueGrams  map[[3]byte][]int32
	valueText   string
	valueStarts []int32
	// fieldsByName are the fields by lower-case canonical name and
	// spelling.
	fieldsByName map[string][]*FieldStat
	// byteFreq counts the bytes of a sample of the rules' texts, so that
	// contains can anchor its scan on a word's rarest byte.
	byteFreq [256]int64
}

// dict is a sorted token dictionary with postings.
type dict struct {
	tokens   []string
	postings [][]int32
}

func newDict(post map[string][]int32) dict {
	d := dict{tokens: make([]string, 0, len(post))}
	for t := range post {
		d.tokens = append(d.tokens, t)
	}
	sort.Strings(d.tokens)
	d.postings = make([][]int32, len(d.tokens))
	for i, t := range d.tokens {
		d.postings[i] = post[t]
	}
	return d
}

// set returns the rules holding tok (or, with prefix, a token starting
// with tok).
func (d *dict) set(n int, tok string, prefix bool) bitset {
	b := newBitset(n)
	i := sort.SearchStrings(d.tokens, tok)
	for ; i < len(d.tokens); i++ {
		t := d.tokens[i]
		if t != tok && !(prefix && strings.HasPrefix(t, tok)) {
			break
		}
		b.addAll(d.postings[i])
	}
	return b
}

// wordTokens returns the tokens of a query word and whether the last one
// matches by prefix.
func wordTokens(word string) ([]string, bool) {
	var toks []string
	tokenize(word, func(t string) { toks = append(toks, t) })
	return toks, len(toks) > 0 && len(toks[len(toks)-1]) >= 3
}

// inDict returns the rules whose text in d holds every token of word.
func (ix *searchIndex) inDict(d *dict, word string) bitset {
	toks, prefix := wordTokens(word)
	out := fullBitset(ix.n)
	for i, t := range toks {
		out.and(d.set(ix.n, t, prefix && i == len(toks)-1))
	}
	return out
}

const maxTokenLen = 64

// tokenize calls fn for every word of s (runs of letters and digits); s
// is lower case already.
func tokenize(s string, fn func(tok string)) {
	start := -1
	flush := func(end int) {
		if start >= 0 {
			if end-start <= maxTokenLen {
				fn(s[start:end])
			}
			start = -1
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
				if start < 0 {
					start = i
				}
			} else {
				flush(i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
		} else {
			flush(i)
		}
		i += size
	}
	flush(len(s))
}

// buildSearchText builds the part of the search index that depends only
// on the documents (the text, facets and sort orders); finish adds the
// rest once the statistics are computed.
func buildSearchText(c *Catalog) *searchIndex {
	n := len(c.Rules)
	ix := &searchIndex{
		n: n, title: make([]string, n), desc: make([]string, n), body: make([]string, n), bodyLower: make([]string, n), meta: make([]string, n),
		idLower: make([]string, n), authorLower: make([]string, n),
		facets: map[string]map[string]bitset{}, labels: map[string]map[string]string{},
		nonFeed: newBitset(n), feeds: newBitset(n), errs: newBitset(n), deprec: newBitset(n),
	}
	post := map[string][]int32{}
	titlePost := map[string][]int32{}
	descPost := map[string][]int32{}
	var sb strings.Builder
	for _, r := range c.Rules {
		i := r.Index
		adder := func(post map[string][]int32) func(string) {
			return func(tok string) {
				l := post[tok]
				if len(l) == 0 || l[len(l)-1] != int32(i) {
					post[tok] = append(l, int32(i))
				}
			}
		}
		add := adder(post)
		ix.title[i] = strings.ToLower(r.Title)
		ix.desc[i] = strings.ToLower(r.Description)
		q := r.Query
		if q == "" {
			q = r.Body
		}
		ix.body[i] = q
		ix.bodyLower[i] = strings.ToLower(q)
		ix.idLower[i], ix.authorLower[i] = strings.ToLower(r.ID), strings.ToLower(r.Author)
		sb.Reset()
		for _, s := range []string{r.ID, r.Author, r.Source.Path, r.Kind, r.QueryLanguage} {
			sb.WriteString(s)
			sb.WriteByte('\n')
		}
		for _, list := range [][]string{r.Tags, r.Analysis.Tables, r.DataSources, r.References, r.FalsePositives} {
			for _, s := range list {
				sb.WriteString(s)
				sb.WriteByte('\n')
			}
		}
		for _, a := range r.Attack {
			sb.WriteString(a.TechniqueID + " " + a.Technique + " " + a.Tactic + "\n")
		}
		for _, ind := range r.Analysis.Indicators {
			sb.WriteString(ind.Field + " " + ind.CanonicalField + "\n")
			// Only the text of each value: countIndicators writes their
			// corpus counts at the same time (see New).
			for k := range ind.Values {
				sb.WriteString(ind.Values[k].Value)
				sb.WriteByte('\n')
			}
		}
		for _, e := range r.Analysis.Events {
			sb.WriteString(e.Provider + " " + e.Event + " " + e.Title + "\n")
		}
		ix.meta[i] = strings.ToLower(sb.String())
		for _, s := range []string{ix.title[i], ix.desc[i], ix.meta[i]} {
			tokenize(s, add)
		}
		tokenize(ix.bodyLower[i], add)
		tokenize(ix.title[i], adder(titlePost))
		tokenize(ix.desc[i], adder(descPost))
		if r.ThirdPartyFeed {
			ix.feeds.set(i)
		} else {
			ix.nonFeed.set(i)
		}
		if r.Deprecated {
			ix.deprec.set(i)
		}
		for _, d := range r.Analysis.Diagnostics {
			if d.IsError() {
				ix.errs.set(i)
				break
			}
		}
		facet := func(key, value, label string) {
			if value == "" {
				return
			}
			m := ix.facets[key]
			if m == nil {
				m = map[string]bitset{}
				ix.facets[key] = m
				ix.labels[key] = map[string]string{}
			}
			v := strings.ToLower(value)
			b := m[v]
			if b == nil {
				b = newBitset(n)
				m[v] = b
			}
			b.set(i)
			if _, ok := ix.labels[key][v]; !ok {
				ix.labels[key][v] = label
			}
		}
		facet(FilterLanguage, r.Language, r.Language)
		facet(FilterSource, r.Source.Repo, r.Source.Repo)
		facet(FilterSeverity, r.Severity, r.Severity)
		facet(FilterStatus, r.Status, r.Status)
		facet(FilterFormat, r.Format, r.Format)
		if v := testedValue(r.Document); v != "" {
			facet(FilterTested, v, v)
		}
		for _, p := range r.Platforms {
			facet(FilterPlatform, p, p)
		}
		for _, a := range r.Attack {
			if a.TacticID != "" {
				facet(FilterTactic, a.TacticID, a.Tactic)
			}
			if a.TechniqueID != "" {
				facet(FilterTechnique, a.TechniqueID, a.Technique)
				if p, _, sub := strings.Cut(a.TechniqueID, "."); sub {
					name := p
					if t, ok := c.Attack.Technique(p); ok {
						name = t.Name
					}
					facet(FilterTechnique, p, name)
				}
			}
		}
		for _, t := range r.Analysis.Tables {
			facet(FilterTable, t, t)
		}
		for _, e := range r.Analysis.Events {
			facet(FilterEvent, e.Provider+"/"+e.Event, e.Provider+"/"+e.Event)
			facet(FilterEvent, e.Provider, e.Provider)
			if e.Class != "" {
				facet(FilterEvent, e.Class, e.Class)
			}
		}
		for _, t := range r.Tags {
			facet("tag", t, t)
		}
	}
	all := newDict(post)
	ix.tokens, ix.postings = all.tokens, all.postings
	ix.titleDict, ix.descDict = newDict(titlePost), newDict(descPost)
	ix.sortOrders(c)
	return ix
}

// finish adds to the index what depends on the corpus statistics: the
// value index and the fields by name.
func (ix *searchIndex) finish(c *Catalog) {
	ix.buildValueIndex(c.Indicators)
	ix.countBytes()
	ix.fieldsByName = map[string][]*FieldStat{}
	for _, f := range c.Fields {
		names := append([]string{f.Key}, f.Spellings...)
		for i, name := range names {
			name = strings.ToLower(name)
			if i > 0 && slices.Contains(names[:i], name) || slices.Contains(ix.fieldsByName[name], f) {
				continue
			}
			ix.fieldsByName[name] = append(ix.fieldsByName[name], f)
		}
	}
}

// sortOrders precomputes the rules in every sort order, ties broken by
// title then id.
func (ix *searchIndex) sortOrders(c *Catalog) {
	base := make([]int32, ix.n)
	for i := range base {
		base[i] = int32(i)
	}
	byTitle := func(a, b int32) int {
		return cmp.Or(strings.Compare(ix.title[a], ix.title[b]), strings.Compare(c.Rules[a].ID, c.Rules[b].ID))
	}
	sorted := func(primary func(a, b *Rule) int) []int32 {
		o := slices.Clone(base)
		slices.SortStableFunc(o, func(a, b int32) int {
			return cmp.Or(primary(c.Rules[a], c.Rules[b]), byTitle(a, b))
		})
		return o
	}
	none := func(a, b *Rule) int { return 0 }
	ix.orders = map[string][]int32{
		"title":    sorted(none),
		"id":       sorted(func(a, b *Rule) int { return strings.Compare(a.ID, b.ID) }),
		"language": sorted(func(a, b *Rule) int { return strings.Compare(a.Language, b.Language) }),
		"source":   sorted(func(a, b *Rule) int { return strings.Compare(a.Source.Repo, b.Source.Repo) }),
		"status":   sorted(func(a, b *Rule) int { return strings.Compare(strings.ToLower(a.Status), strings.ToLower(b.Status)) }),
		"severity": sorted(func(a, b *Rule) int {
			return severityRank[strings.ToLower(b.Severity)] - severityRank[strings.ToLower(a.Severity)]
		}),
		"modified": sorted(func(a, b *Rule) int { return strings.Compare(lastChange(b), lastChange(a)) }),
	}
	ix.titleRank = make([]int32, ix.n)
	for pos, i := range ix.orders["title"] {
		ix.titleRank[i] = int32(pos)
	}
}

// wordSet returns the rules whose tokens match every token of word (the
// last by prefix, when it has 3 characters or more) and, for a word that
// is more than one token, whose text holds the word itself.
func (ix *searchIndex) wordSet(word string) bitset {
	var toks []string
	tokenize(word, func(t string) { toks = append(toks, t) })
	out := fullBitset(ix.n)
	if len(toks) == 0 {
		// Punctuation only: verify against the texts.
		out = newBitset(ix.n)
		for i := 0; i < ix.n; i++ {
			if ix.contains(i, word) {
				out.set(i)
			}
		}
		return out
	}
	for ti, t := range toks {
		prefix := ti == len(toks)-1 && len(t) >= 3
		out.and(ix.tokenSet(t, prefix))
	}
	if len(toks) > 1 || toks[0] != word {
		out.each(func(i int) {
			if !ix.contains(i, word) {
				out.clear(i)
			}
		})
	}
	return out
}

func (ix *searchIndex) tokenSet(tok string, prefix bool) bitset {
	b := newBitset(ix.n)
	i := sort.SearchStrings(ix.tokens, tok)
	for ; i < len(ix.tokens); i++ {
		t := ix.tokens[i]
		if t != tok && !(prefix && strings.HasPrefix(t, tok)) {
			break
		}
		b.addAll(ix.postings[i])
	}
	return b
}

// SearchMeta returns the lower-case text, besides the title, description
// and query, in which search words are found: the rule's id, author, path,
// tags, tables, data sources, references, false positives, ATT&CK
// mappings, indicator fields and values, and events. (The static site
// searches the same text.)
func (c *Catalog) SearchMeta(r *Rule) string { return c.search.meta[r.Index] }

func (ix *searchIndex) contains(i int, word string) bool {
	at := ix.anchor(word)
	return containsAnchored(ix.title[i], word, at) || containsAnchored(ix.desc[i], word, at) ||
		containsAnchored(ix.meta[i], word, at) || containsAnchored(ix.bodyLower[i], word, at)
}

// countBytes fills byteFreq from every eighth rule's texts (enough to
// rank bytes; the whole corpus would slow loading for nothing).
func (ix *searchIndex) countBytes() {
	for i := 0; i < ix.n; i += 8 {
		for _, s := range [...]string{ix.title[i], ix.desc[i], ix.meta[i], ix.bodyLower[i]} {
			for j := 0; j < len(s); j++ {
				ix.byteFreq[s[j]]++
			}
		}
	}
}

// anchor returns the position in word of its rarest byte in the corpus
// (the first such).
func (ix *searchIndex) anchor(word string) int {
	at := 0
	for j := 1; j < len(word); j++ {
		if ix.byteFreq[word[j]] < ix.byteFreq[word[at]] {
			at = j
		}
	}
	return at
}

// containsAnchored reports whether s contains word, like strings.Contains,
// by looking for word's byte at anchor and comparing around it. The
// verification of words with punctuation (http://, .sys, domain_name)
// scans thousands of long rule texts; strings.Contains steps through the
// occurrences of the word's first byte, often a common letter, where a
// rare byte (':', '_', 'y') leaves far fewer places to compare.
func containsAnchored(s, word string, anchor int) bool {
	if len(word) == 0 {
		return true
	}
	if len(word) > len(s) {
		return false
	}
	c := word[anchor]
	hi := len(s) - len(word) + anchor + 1 // anchor positions are in [anchor, hi)
	for from := anchor; from < hi; {
		j := strings.IndexByte(s[from:hi], c)
		if j < 0 {
			return false
		}
		q := from + j
		if s[q-anchor:q-anchor+len(word)] == word {
			return true
		}
		from = q + 1
	}
	return false
}

// scorer weighs where the words of a query appear: 10 in the title, 3 in
// the description, 1 elsewhere (query, metadata, indicators).
type scorer struct {
	title, desc []bitset
}

func (ix *searchIndex) scorer(words []string) *scorer {
	s := &scorer{}
	for _, w := range words {
		s.title = append(s.title, ix.inDict(&ix.titleDict, w))
		s.desc = append(s.desc, ix.inDict(&ix.descDict, w))
	}
	return s
}

func (s *scorer) score(i int) int {
	n := 0
	for w := range s.title {
		switch {
		case s.title[w].has(i):
			n += 10
		case s.desc[w].has(i):
			n += 3
		default:
			n++
		}
	}
	return n
}

func (ix *searchIndex) snippet(r *Rule, words []string) string {
	if len(words) == 0 {
		return ""
	}
	i := r.Index
	for _, src := range [][2]string{{r.Description, ix.desc[i]}, {ix.body[i], ix.bodyLower[i]}} {
		text, lower := src[0], src[1]
		for _, w := range words {
			// The lower-case copy has the text's offsets when it has its
			// length (always for ASCII): search it, it is far faster.
			at := -1
			if len(lower) == len(text) {
				at = strings.Index(lower, w)
			} else {
				at = indexFold(text, w)
			}
			if at >= 0 {
				return cutAround(text, at, len(w), 70)
			}
		}
	}
	return ""
}

// indexFold returns the index of lower (a lower-case string) in s, ignoring
// case, or -1. ASCII text is compared in place; other text falls back to a
// lower-case copy (and -1 when folding changed its length).
func indexFold(s, lower string) int {
	if lower == "" {
		return 0
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		ls := strings.ToLower(s)
		at := strings.Index(ls, lower)
		if at >= 0 && len(ls) != len(s) {
			return -1
		}
		return at
	}
	first := lower[0]
	for i := 0; i+len(lower) <= len(s); i++ {
		if lowerByte(s[i]) != first {
			continue
		}
		j := 1
		for j < len(lower) && lowerByte(s[i+j]) == lower[j] {
			j++
		}
		if j == len(lower) {
			return i
		}
	}
	return -1
}

// cutAround returns s[at:at+n] with up to ctx bytes on each side, cut at
// rune boundaries, whitespace collapsed, with ellipses where it was cut.
func cutAround(s string, at, n, ctx int) string {
	start, end := max(0, at-ctx), min(len(s), at+n+ctx)
	for start > 0 && !utf8.RuneStart(s[start]) {
		start--
	}
	for end < len(s) && !utf8.RuneStart(s[end]) {
		end++
	}
	out := strings.Join(strings.Fields(s[start:end]), " ")
	if start > 0 {
		out = "…" + out
	}
	if end < len(s) {
		out += "…"
	}
	return out
}

// facetSet returns the rules whose facet key has value (nil when none).
func (c *Catalog) facetSet(key, value string) bitset {
	ix := c.search
	v := strings.ToLower(strings.TrimSpace(value))
	switch key {
	case FilterTactic:
		if ta, ok := c.Attack.Tactic(value); ok {
			v = strings.ToLower(ta.ID)
		}
	case FilterTechnique:
		if id := attack.NormalizeTechniqueID(value); id != "" {
			v = strings.ToLower(id)
		}
	}
	return ix.facets[key][v]
}

// indicatorConstraint is the field/kind/value terms that apply to one
// indicator.
type indicatorConstraint struct {
	field, kind, value string
	exact              bool
}

func (ic indicatorConstraint) empty() bool { return ic.field == "" && ic.kind == "" && ic.value == "" }

func newConstraint(terms []Term) indicatorConstraint {
	var ic indicatorConstraint
	for _, t := range terms {
		v := strings.ToLower(t.Value)
		switch t.Key {
		case "field":
			ic.field = v
		case "kind":
			ic.kind = rule.KindClass(v)
		case "value":
			if strings.HasPrefix(v, "=") {
				ic.exact = true
				v = v[1:]
			}
			ic.value = v
		}
	}
	return ic
}

func (ic indicatorConstraint) matchStat(st *IndicatorStat) bool {
	if ic.kind != "" && st.Kind != ic.kind {
		return false
	}
	if ic.value != "" {
		if ic.exact && st.Key.Value != ic.value || !ic.exact && !strings.Contains(st.Key.Value, ic.value) {
			return false
		}
	}
	return true
}

// matchingFields returns the fields whose canonical name or one of whose
// spellings is name (lower case), in the order of Catalog.Fields.
func (c *Catalog) matchingFields(name string) []*FieldStat {
	return c.search.fieldsByName[name]
}

// statMatches reports whether an indicator statistic matches ic, its
// field included (the canonical field, or a field one of whose spellings
// ic names).
func (c *Catalog) statMatches(ic indicatorConstraint, st *IndicatorStat) bool {
	if !ic.matchStat(st) {
		return false
	}
	if ic.field == "" {
		return true
	}
	for _, f := range c.matchingFields(ic.field) {
		if f.Key == st.Key.Field {
			return true
		}
	}
	return false
}

// indicatorSet returns the rules with an indicator matching ic. (Which of
// a rule's indicators match is worked out for the rules of the page shown
// only: statMatches in matchedPredicates. A term like value:a matches most
// of the corpus's indicators, and recording them all cost more than the
// rest of the search.)
func (c *Catalog) indicatorSet(ic indicatorConstraint) bitset {
	b := newBitset(len(c.Rules))
	try := func(st *IndicatorStat) {
		if ic.matchStat(st) {
			b.addAll(st.Rules)
		}
	}
	if ic.field != "" {
		for _, f := range c.matchingFields(ic.field) {
			for _, st := range f.Indicators {
				try(st)
			}
		}
	} else if cands, ok := c.search.valueCandidates(ic.value); ok {
		for _, i := range cands {
			try(c.Indicators[i])
		}
	} else {
		for _, st := range c.Indicators {
			try(st)
		}
	}
	return b
}

// fewRules is the size of a result set under which restrictByIndicators
// tests the rules' own indicators instead of collecting the rules of every
// matching indicator of the corpus.
const fewRules = 1000

// restrictByIndicators keeps in set the rules with an indicator matching
// ic (keep), or those without one (!keep). Once earlier terms have left
// few rules, it tests their own indicators, so that a query of many broad
// terms (-value:a -value:e ...) costs little more than its first terms.
func (c *Catalog) restrictByIndicators(set bitset, ic indicatorConstraint, keep bool) {
	if set.count() > fewRules {
		if keep {
			set.and(c.indicatorSet(ic))
		} else {
			set.andNot(c.indicatorSet(ic))
		}
		return
	}
	for w, word := range set {
		for word != 0 {
			i := w*64 + bits.TrailingZeros64(word)
			word &= word - 1
			has := false
			for _, st := range c.Rules[i].stats {
				if st != nil && c.statMatches(ic, st) {
					has = true
					break
				}
			}
			if has != keep {
				set.clear(i)
			}
		}
	}
}

// trigrams calls fn for every distinct 3-byte substring of s.
func trigrams(s string, fn func(t [3]byte)) {
	var seen map[[3]byte]bool
	if len(s) > 64 {
		seen = map[[3]byte]bool{}
	}
	for i := 0; i+3 <= len(s); i++ {
		t := [3]byte{s[i], s[i+1], s[i+2]}
		if seen != nil {
			if seen[t] {
				continue
			}
			seen[t] = true
		}
		fn(t)
	}
}

// shortValueMatches returns the statistics whose value contains v, a
// value too short for trigrams, by searching all the values at once: they
// are kept end to end in one string (valueText), where strings.Index
// skips from match to match far faster than testing 70,000 values one by
// one.
func (ix *searchIndex) shortValueMatches(v string) ([]int32, bool) {
	if v == "" || strings.IndexByte(v, 0) >= 0 || ix.valueStarts == nil {
		return nil, false
	}
	var out []int32
	text, starts := ix.valueText, ix.valueStarts
	i := 0 // the value holding the match: matches come in order, so the cursor only moves on
	for pos := 0; pos < len(text); {
		at := strings.Index(text[pos:], v)
		if at < 0 {
			break
		}
		at += pos
		if i+64 < len(starts) && int(starts[i+64]) <= at {
			// A long way on: search instead of walking.
			i += sort.Search(len(starts)-i, func(k int) bool { return int(starts[i+k]) > at }) - 1
		}
		for i+1 < len(starts) && int(starts[i+1]) <= at {
			i++
		}
		out = append(out, int32(i))
		if i+1 >= len(starts) {
			break
		}
		i++
		pos = int(starts[i])
	}
	return out, true
}

// buildValueIndex indexes the normalised values of the indicator
// statistics by trigram, so that value: terms need not scan them all, and
// keeps them end to end (NUL between) for shorter terms.
func (ix *searchIndex) buildValueIndex(stats []*IndicatorStat) {
	var text strings.Builder
	ix.valueStarts = make([]int32, len(stats))
	for i, st := range stats {
		ix.valueStarts[i] = int32(text.Len())
		text.WriteString(st.Key.Value)
		text.WriteByte(0)
	}
	ix.valueText = text.String()
	ix.valueGrams = map[[3]byte][]int32{}
	for i, st := range stats {
		trigrams(st.Key.Value, func(t [3]byte) {
			l := ix.valueGrams[t]
			if len(l) == 0 || l[len(l)-1] != int32(i) {
				ix.valueGrams[t] = append(l, int32(i))
			}
		})
	}
}

// valueCandidates returns the indexes of the statistics whose value may
// contain v (every trigram of v present; for a v of one or two bytes, the
// values that contain it), or false when the index cannot tell.
func (ix *searchIndex) valueCandidates(v string) ([]int32, bool) {
	if len(v) < 3 {
		return ix.shortValueMatches(v)
	}
	if ix.valueGrams == nil {
		return nil, false
	}
	var lists [][]int32
	missing := false
	trigrams(v, func(t [3]byte) {
		l, ok := ix.valueGrams[t]
		if !ok {
			missing = true
		}
		lists = append(lists, l)
	})
	if missing {
		return []int32{}, true
	}
	slices.SortFunc(lists, func(a, b []int32) int { return len(a) - len(b) })
	out := slices.Clone(lists[0])
	for _, l := range lists[1:] {
		if len(out) == 0 {
			break
		}
		out = intersectSorted(out, l)
	}
	return out, true
}

// intersectSorted keeps the members of sorted a that are in sorted b.
func intersectSorted(a, b []int32) []int32 {
	out := a[:0]
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j < len(b) && b[j] == x {
			out = append(out, x)
		}
	}
	return out
}

// termSet returns the rules a (non indicator) term selects.
func (c *Catalog) termSet(t Term) bitset {
	ix := c.search
	switch t.Key {
	case "is":
		switch strings.ToLower(t.Value) {
		case "feed", "third_party_feed", "third-party-feed":
			return ix.feeds
		case "deprecated":
			return ix.deprec
		case "error", "errors":
			return ix.errs
		case "tested":
			// rules that ran on events, whatever they found
			b := newBitset(ix.n)
			for _, r := range c.Rules {
				if r.Runs != nil {
					b.set(r.Index)
				}
			}
			return b
		}
		return newBitset(ix.n)
	case "id":
		b := newBitset(ix.n)
		v := strings.ToLower(t.Value)
		for i, id := range ix.idLower {
			if strings.HasPrefix(id, v) {
				b.set(i)
			}
		}
		return b
	case "author":
		b := newBitset(ix.n)
		v := strings.ToLower(t.Value)
		for i, author := range ix.authorLower {
			if strings.Contains(author, v) {
				b.set(i)
			}
		}
		return b
	}
	if s := c.facetSet(t.Key, t.Value); s != nil {
		return s
	}
	return newBitset(ix.n)
}

// Find returns the page of rules that f selects.
func (c *Catalog) Find(f Filter) (*Results, error) {
	start := time.Now()
	q, err := ParseQuery(f.Q)
	if err != nil {
		return nil, err
	}
	ix := c.search
	set := fullBitset(ix.n)
	if q.IsEmpty() && !f.Feeds {
		set.and(ix.nonFeed)
	}
	for _, w := range q.Words {
		set.and(ix.wordSet(w))
	}
	for _, w := range q.NotWords {
		set.andNot(ix.wordSet(w))
	}
	var indTerms []Term
	for _, t := range q.Terms {
		switch t.Key {
		case "field", "kind", "value":
			if t.Negated {
				c.restrictByIndicators(set, newConstraint([]Term{t}), false)
			} else {
				indTerms = append(indTerms, t)
			}
			continue
		}
		s := c.termSet(t)
		if t.Negated {
			set.andNot(s)
		} else {
			set.and(s)
		}
	}
	ic := newConstraint(indTerms)
	if !ic.empty() {
		c.restrictByIndicators(set, ic, true)
	}
	for _, key := range FilterKeys {
		vals := f.Filters[key]
		if len(vals) == 0 {
			continue
		}
		any := newBitset(ix.n)
		for _, v := range vals {
			if s := c.facetSet(key, v); s != nil {
				any.or(s)
			}
		}
		set.and(any)
	}

	res := &Results{Query: q, Sort: f.Sort, PerPage: f.PerPage, Page: f.Page}
	if res.PerPage <= 0 {
		res.PerPage = DefaultPerPage
	}
	res.PerPage = min(res.PerPage, MaxPerPage)
	if !slices.Contains(SortKeys, res.Sort) {
		res.Sort = ""
	}
	if res.Sort == "" {
		res.Sort = "title"
		if len(q.Words) > 0 {
			res.Sort = "relevance"
		}
	}
	res.Total = set.count()
	res.Facets = c.facets(set, f.Filters)
	res.Pages = max(1, (res.Total+res.PerPage-1)/res.PerPage)
	if res.Page < 1 {
		res.Page = 1
	}
	from := (res.Page - 1) * res.PerPage
	to := min(res.Total, from+res.PerPage)
	if from < to {
		res.Hits = c.pageOf(set, res.Total, res.Sort, f.Desc, q.Words, from, to)
	}
	for i := range res.Hits {
		h := &res.Hits[i]
		h.Snippet = ix.snippet(h.Rule, q.Words)
		if !ic.empty() {
			h.Matched = c.matchedPredicates(h.Rule, ic)
		}
	}
	res.Took = time.Since(start)
	return res, nil
}

// matchedPredicates lists the rule's indicators that match ic (the rule's
// statistics per value say what each counts under), at most five.
func (c *Catalog) matchedPredicates(r *Rule, ic indicatorConstraint) []Predicate {
	var out []Predicate
	n := 0
	for _, ind := range r.Analysis.Indicators {
		for _, v := range ind.Values {
			if len(out) >= 5 {
				return out
			}
			var st *IndicatorStat
			if n < len(r.stats) {
				st = r.stats[n]
			}
			n++
			if st != nil && c.statMatches(ic, st) {
				out = append(out, Predicate{Field: ind.Field, FieldKey: st.Key.Field, Kind: ind.Kind, Value: v.Value})
			}
		}
	}
	return out
}

var severityRank = map[string]int{"informational": 1, "info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}

// pageOf returns hits from..to-1 of set in the given order.
func (c *Catalog) pageOf(set bitset, total int, by string, desc bool, words []string, from, to int) []Hit {
	ix := c.search
	if by == "relevance" {
		sc := ix.scorer(words)
		type scored struct {
			i     int32
			score int
		}
		all := make([]scored, 0, total)
		set.each(func(i int) { all = append(all, scored{int32(i), sc.score(i)}) })
		slices.SortFunc(all, func(a, b scored) int {
			r := cmp.Or(b.score-a.score, int(ix.titleRank[a.i]-ix.titleRank[b.i]))
			if desc {
				return -r
			}
			return r
		})
		hits := make([]Hit, 0, to-from)
		for _, x := range all[from:to] {
			hits = append(hits, Hit{Rule: c.Rules[x.i], Score: x.score})
		}
		return hits
	}
	order := ix.orders[by]
	if order == nil {
		order = ix.orders["title"]
	}
	hits := make([]Hit, 0, to-from)
	pos := 0
	visit := func(i int32) bool {
		if !set.has(int(i)) {
			return true
		}
		if pos >= from {
			hits = append(hits, Hit{Rule: c.Rules[i]})
		}
		pos++
		return pos < to
	}
	if desc {
		for k := len(order) - 1; k >= 0 && visit(order[k]); k-- {
		}
	} else {
		for k := 0; k < len(order) && visit(order[k]); k++ {
		}
	}
	return hits
}

func lastChange(r *Rule) string {
	if r.Modified != "" {
		return normDate(r.Modified)
	}
	return normDate(r.Created)
}

// normDate makes the date spellings of rule formats (2024/01/02,
// 2024-01-02) sort together.
func normDate(s string) string { return strings.ReplaceAll(s, "/", "-") }

// facets counts facet values among the rules of set.
func (c *Catalog) facets(set bitset, selected map[string][]string) []Facet {
	ix := c.search
	var out []Facet
	for _, key := range facetKeys {
		fc := Facet{Key: key, Values: []FacetValue{}}
		for v, b := range ix.facets[key] {
			n := 0
			for w := range set {
				n += bits.OnesCount64(set[w] & b[w])
			}
			if n == 0 {
				continue
			}
			fv := FacetValue{Value: v, Label: ix.labels[key][v], Count: n}
			for _, s := range selected[key] {
				if strings.EqualFold(s, v) || strings.EqualFold(s, fv.Label) {
					fv.Selected = true
				}
			}
			fc.Values = append(fc.Values, fv)
		}
		slices.SortFunc(fc.Values, func(a, b FacetValue) int {
			if key == FilterSeverity {
				if d := severityRank[b.Value] - severityRank[a.Value]; d != 0 {
					return d
				}
			}
			return cmp.Or(b.Count-a.Count, strings.Compare(a.Value, b.Value))
		})
		out = append(out, fc)
	}
	return out
}
