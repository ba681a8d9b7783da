package catalog

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/rule"
)

// Limits on the lists the statistics keep per entry.
const (
	maxEventIndicators = 50
	maxEventFields     = 200
)

// New builds a catalog in memory from rule documents: it makes rule ids
// unique, computes the corpus statistics (writing the indicator counts into
// the documents) and indexes everything for search. The documents become
// the catalog's: the caller must not change them afterwards. info may be
// zero; ac defaults to the built-in ATT&CK data.
func New(docs []*rule.Document, info Info, ac *attack.Catalog) *Catalog {
	if ac == nil {
		ac = attack.Default()
	}
	shared := assignIDs(docs)
	slices.SortStableFunc(docs, func(a, b *rule.Document) int { return strings.Compare(a.ID, b.ID) })
	c := &Catalog{Info: info, Attack: ac, byID: make(map[string]*Rule, len(docs))}
	if c.Info.Built.IsZero() {
		c.Info.Built = time.Now().UTC()
	}
	if c.Info.Attack == "" {
		c.Info.Attack = ac.Version
	}
	c.Info.Rules, c.Info.Feeds = 0, 0
	c.Info.ByLanguage = map[string]int{}
	langs := map[string]bool{}
	for i, d := range docs {
		d.Normalize()
		r := &Rule{Document: d, Index: i}
		for _, a := range d.Attack {
			if a.TechniqueID != "" && !slices.Contains(r.Techniques, a.TechniqueID) {
				r.Techniques = append(r.Techniques, a.TechniqueID)
			}
			if a.TacticID != "" && !slices.Contains(r.Tactics, a.TacticID) {
				r.Tactics = append(r.Tactics, a.TacticID)
			}
		}
		c.Rules = append(c.Rules, r)
		c.byID[d.ID] = r
		c.Info.Rules++
		c.Info.ByLanguage[d.Language]++
		if d.ThirdPartyFeed {
			c.Info.Feeds++
		}
		langs[d.Language] = true
	}
	for l := range langs {
		c.Languages = append(c.Languages, l)
	}
	c.setShared(shared)
	sort.Strings(c.Languages)
	// The search index's text part (most of its cost) reads only the
	// documents: build it on a goroutine of its own while the statistics
	// and relations are computed, then add what it needs of them.
	done := make(chan *searchIndex)
	go func() { done <- buildSearchText(c) }()
	c.countIndicators()
	c.collectFields()
	c.collectEvents()
	c.collectPatterns()
	c.collectTables()
	c.collectTechniques()
	c.computeNeighbours()
	c.computeSameAction()
	c.search = <-done
	c.search.finish(c)
	return c
}

// countIndicators computes the corpus count of every indicator value and
// writes it into the documents.
func (c *Catalog) countIndicators() {
	c.indicatorByKey = map[IndicatorKey]*IndicatorStat{}
	for _, r := range c.Rules {
		r.stats = r.stats[:0]
		for _, ind := range r.Analysis.Indicators {
			for _, v := range ind.Values {
				k, ok := CountKey(r.Language, ind, v)
				if !ok {
					r.stats = append(r.stats, nil)
					continue
				}
				st := c.indicatorByKey[k]
				if st == nil {
					st = &IndicatorStat{Key: k, Field: displayField(k, ind), Kind: k.Kind, Value: v.Value, ByLanguage: map[string]int{}}
					c.indicatorByKey[k] = st
					c.Indicators = append(c.Indicators, st)
				}
				if !slices.Contains(st.Spellings, ind.Field) {
					st.Spellings = append(st.Spellings, ind.Field)
				}
				if n := len(st.Rules); n == 0 || st.Rules[n-1] != int32(r.Index) {
					st.Rules = append(st.Rules, int32(r.Index))
					st.ByLanguage[r.Language]++
				}
				r.stats = append(r.stats, st)
			}
		}
	}
	corpus := make(map[*IndicatorStat]*rule.Corpus, len(c.Indicators))
	for _, st := range c.Indicators {
		st.Total = len(st.Rules)
		sort.Strings(st.Spellings)
		corpus[st] = &rule.Corpus{Total: st.Total, ByLanguage: st.ByLanguage}
	}
	for _, r := range c.Rules {
		n := 0
		for i := range r.Analysis.Indicators {
			ind := &r.Analysis.Indicators[i]
			for j := range ind.Values {
				ind.Values[j].Corpus = nil
				if st := r.stats[n]; st != nil {
					ind.Values[j].Corpus = corpus[st]
				}
				n++
			}
		}
		for i := range r.Analysis.Exclusions {
			for j := range r.Analysis.Exclusions[i].Values {
				r.Analysis.Exclusions[i].Values[j].Corpus = nil
			}
		}
	}
	slices.SortFunc(c.Indicators, func(a, b *IndicatorStat) int {
		if a.Total != b.Total {
			return b.Total - a.Total
		}
		return cmpKey(a.Key, b.Key)
	})
	c.indicatorBySlug = make(map[string]*IndicatorStat, len(c.Indicators))
	for _, st := range c.Indicators {
		st.Slug = indicatorSlug(st.Key)
		c.indicatorBySlug[st.Slug] = st
	}
}

func cmpKey(a, b IndicatorKey) int {
	return cmp.Or(strings.Compare(a.Field, b.Field), strings.Compare(a.Kind, b.Kind), strings.Compare(a.Value, b.Value))
}

// collectFields groups indicators by canonical field.
func (c *Catalog) collectFields() {
	c.fieldByKey = map[string]*FieldStat{}
	seen := map[*FieldStat]int32{}
	for _, st := range c.Indicators {
		f := c.fieldByKey[st.Key.Field]
		if f == nil {
			f = &FieldStat{Key: st.Key.Field, Name: st.Field, ByLanguage: map[string]int{}}
			c.fieldByKey[st.Key.Field] = f
			c.Fields = append(c.Fields, f)
		}
		f.Indicators = append(f.Indicators, st)
		for _, s := range st.Spellings {
			if !slices.Contains(f.Spellings, s) {
				f.Spellings = append(f.Spellings, s)
			}
		}
	}
	// Distinct rules per field: walk the rules once.
	for _, r := range c.Rules {
		for _, st := range r.stats {
			if st == nil {
				continue
			}
			f := c.fieldByKey[st.Key.Field]
			if f != nil && (seen[f] != int32(r.Index)+1) {
				seen[f] = int32(r.Index) + 1
				f.Rules++
				f.ByLanguage[r.Language]++
			}
		}
	}
	c.fieldBySlug = make(map[string]*FieldStat, len(c.Fields))
	for _, f := range c.Fields {
		sort.Strings(f.Spellings)
		f.Slug = PageKey(f.Key)
		c.fieldBySlug[f.Slug] = f
	}
	slices.SortFunc(c.Fields, func(a, b *FieldStat) int {
		if a.Rules != b.Rules {
			return b.Rules - a.Rules
		}
		return strings.Compare(a.Key, b.Key)
	})
}

// collectEvents gathers the events rules read, their providers, fields,
// common indicators and equivalents. Third-party feeds are left out.
func (c *Catalog) collectEvents() {
	c.eventByKey = map[string]*EventStat{}
	providers := map[string]*ProviderStat{}
	get := func(e rule.Event) *EventStat {
		k := eventKey(e.Provider, e.Event)
		st := c.eventByKey[k]
		if st == nil {
			st = &EventStat{Provider: e.Provider, Event: e.Event, Title: e.Title, Class: e.Class, ByLanguage: map[string]int{}}
			c.eventByKey[k] = st
			c.Events = append(c.Events, st)
			pk := strings.ToLower(e.Provider)
			p := providers[pk]
			if p == nil {
				p = &ProviderStat{Name: e.Provider}
				providers[pk] = p
				c.Providers = append(c.Providers, p)
			}
			p.Events = append(p.Events, st)
			st.provider = p
		}
		if st.Title == "" {
			st.Title = e.Title
		}
		if st.Class == "" {
			st.Class = e.Class
		}
		return st
	}
	providerSeen := map[*ProviderStat]int{}
	for _, r := range c.Rules {
		if r.ThirdPartyFeed {
			continue
		}
		for _, e := range r.Analysis.Events {
			if e.Provider == "" || e.Event == "" {
				continue
			}
			st := get(e)
			list := &st.Equivalent
			if e.Via != rule.ViaEquivalent {
				list = &st.Rules
			}
			if n := len(*list); n == 0 || (*list)[n-1] != int32(r.Index) {
				*list = append(*list, int32(r.Index))
				if e.Via != rule.ViaEquivalent {
					st.ByLanguage[r.Language]++
					if providerSeen[st.provider] != r.Index+1 {
						providerSeen[st.provider] = r.Index + 1
						st.provider.Rules++
					}
				}
			}
		}
	}
	slices.SortFunc(c.Providers, func(a, b *ProviderStat) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	slices.SortFunc(c.Events, func(a, b *EventStat) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Provider), strings.ToLower(b.Provider)), compareNatural(a.Event, b.Event))
	})
	c.providerBySlug = map[string]*ProviderStat{}
	c.eventBySlug = map[string]*EventStat{}
	for _, p := range c.Providers {
		p.Slug = PageKey(p.Name)
		c.providerBySlug[p.Slug] = p
		slices.SortFunc(p.Events, func(a, b *EventStat) int { return compareNatural(a.Event, b.Event) })
	}
	byClass := map[string][]*EventStat{}
	for _, e := range c.Events {
		e.Slug = eventSlug(e.Provider, e.Event)
		c.eventBySlug[e.Slug] = e
		if e.Class != "" {
			byClass[e.Class] = append(byClass[e.Class], e)
		}
		c.eventDetails(e)
	}
	for _, e := range c.Events {
		for _, o := range byClass[e.Class] {
			if o != e {
				e.Equivalents = append(e.Equivalents, o)
			}
		}
	}
}

// eventDetails fills the fields and common indicators of an event from the
// rules that read it directly.
func (c *Catalog) eventDetails(e *EventStat) {
	fieldRules := map[*FieldStat]int{}
	type agg struct {
		n     int
		langs map[string]bool
	}
	inds := map[*IndicatorStat]*agg{}
	for _, ri := range e.Rules {
		r := c.Rules[ri]
		seenF := map[*FieldStat]bool{}
		seenI := map[*IndicatorStat]bool{}
		for _, st := range r.stats {
			if st == nil {
				continue
			}
			if f := c.fieldByKey[st.Key.Field]; f != nil && !seenF[f] {
				seenF[f] = true
				fieldRules[f]++
			}
			if !seenI[st] {
				seenI[st] = true
				a := inds[st]
				if a == nil {
					a = &agg{langs: map[string]bool{}}
					inds[st] = a
				}
				a.n++
				a.langs[r.Language] = true
			}
		}
	}
	for f, n := range fieldRules {
		e.Fields = append(e.Fields, FieldCount{Field: f, Name: f.Name, Rules: n})
	}
	slices.SortFunc(e.Fields, func(a, b FieldCount) int {
		return cmp.Or(b.Rules-a.Rules, strings.Compare(a.Field.Key, b.Field.Key))
	})
	if len(e.Fields) > maxEventFields {
		e.Fields = e.Fields[:maxEventFields]
	}
	type ranked struct {
		st *IndicatorStat
		n  int
	}
	top := make([]ranked, 0, len(inds))
	for st, a := range inds {
		top = append(top, ranked{st, a.n})
	}
	slices.SortFunc(top, func(a, b ranked) int { return cmp.Or(b.n-a.n, cmpKey(a.st.Key, b.st.Key)) })
	if len(top) > maxEventIndicators {
		top = top[:maxEventIndicators]
	}
	for _, x := range top {
		ei := EventIndicator{Indicator: x.st, Field: x.st.Field, Kind: x.st.Kind, Value: x.st.Value, Rules: x.n}
		for l := range inds[x.st].langs {
			ei.Languages = append(ei.Languages, l)
		}
		sort.Strings(ei.Languages)
		e.Indicators = append(e.Indicators, ei)
	}
}

// collectPatterns groups the rules (feeds left out) by the set of events
// they read directly.
func (c *Catalog) collectPatterns() {
	byKey := map[string]*Pattern{}
	for _, r := range c.Rules {
		if r.ThirdPartyFeed {
			continue
		}
		var evs []*EventStat
		for _, e := range r.Analysis.Events {
			if e.Via == rule.ViaEquivalent {
				continue
			}
			if st := c.eventByKey[eventKey(e.Provider, e.Event)]; st != nil && !slices.Contains(evs, st) {
				evs = append(evs, st)
			}
		}
		if len(evs) == 0 {
			continue
		}
		slices.SortFunc(evs, func(a, b *EventStat) int { return strings.Compare(a.Slug, b.Slug) })
		keys := make([]string, len(evs))
		for i, e := range evs {
			keys[i] = e.Provider + "/" + e.Event
		}
		k := strings.Join(keys, "\x00")
		p := byKey[k]
		if p == nil {
			p = &Pattern{Events: evs, EventKeys: keys, ByLanguage: map[string]int{}}
			byKey[k] = p
			c.Patterns = append(c.Patterns, p)
		}
		p.Rules = append(p.Rules, int32(r.Index))
		p.ByLanguage[r.Language]++
		r.Pattern = p
	}
	slices.SortFunc(c.Patterns, func(a, b *Pattern) int {
		return cmp.Or(len(b.Rules)-len(a.Rules), strings.Compare(strings.Join(a.EventKeys, " "), strings.Join(b.EventKeys, " ")))
	})
	c.patternBySlug = map[string]*Pattern{}
	for _, p := range c.Patterns {
		p.Slug = PageKey(strings.Join(p.EventKeys, "+"))
		c.patternBySlug[p.Slug] = p
	}
}

// collectTables counts the rules (feeds left out) per table.
func (c *Catalog) collectTables() {
	c.tableByKey = map[string]*TableStat{}
	for _, r := range c.Rules {
		if r.ThirdPartyFeed {
			continue
		}
		for _, t := range r.Analysis.Tables {
			k := strings.ToLower(t)
			st := c.tableByKey[k]
			if st == nil {
				st = &TableStat{Name: t, ByLanguage: map[string]int{}}
				c.tableByKey[k] = st
				c.Tables = append(c.Tables, st)
			}
			st.Rules++
			st.ByLanguage[r.Language]++
		}
	}
	slices.SortFunc(c.Tables, func(a, b *TableStat) int {
		return cmp.Or(b.Rules-a.Rules, strings.Compare(a.Name, b.Name))
	})
}

// collectTechniques counts the rules (feeds left out) per ATT&CK technique.
// A rule on a sub-technique counts for it only; the matrix rolls counts up
// to the parent.
func (c *Catalog) collectTechniques() {
	c.techniqueByID = map[string]*TechniqueStat{}
	for _, r := range c.Rules {
		if r.ThirdPartyFeed {
			continue
		}
		for _, a := range r.Attack {
			if a.TechniqueID == "" {
				continue
			}
			st := c.techniqueByID[a.TechniqueID]
			if st == nil {
				st = &TechniqueStat{ID: a.TechniqueID, Name: a.Technique, ByTactic: map[string]int{}, ByLang: map[string]int{}}
				if t, ok := c.Attack.Technique(a.TechniqueID); ok {
					st.Technique = t
					st.Name = c.Attack.FullName(t)
					st.Tactics = t.Tactics
				}
				c.techniqueByID[a.TechniqueID] = st
				c.Techniques = append(c.Techniques, st)
			}
			if n := len(st.Rules); n == 0 || st.Rules[n-1] != int32(r.Index) {
				st.Rules = append(st.Rules, int32(r.Index))
				st.ByLang[r.Language]++
			}
			if a.TacticID != "" {
				st.ByTactic[a.TacticID]++
			}
		}
	}
	for _, st := range c.Techniques {
		st.Total = len(st.Rules)
		counts := map[*EventStat]int{}
		for _, ri := range st.Rules {
			for _, e := range c.Rules[ri].Analysis.Events {
				if e.Via == rule.ViaEquivalent {
					continue
				}
				if ev := c.eventByKey[eventKey(e.Provider, e.Event)]; ev != nil {
					counts[ev]++
				}
			}
		}
		for ev, n := range counts {
			st.Events = append(st.Events, TechniqueEventCount{Event: ev, Key: ev.Provider + "/" + ev.Event, Rules: n})
		}
		slices.SortFunc(st.Events, func(a, b TechniqueEventCount) int { return cmp.Or(b.Rules-a.Rules, strings.Compare(a.Key, b.Key)) })
	}
	slices.SortFunc(c.Techniques, func(a, b *TechniqueStat) int { return strings.Compare(a.ID, b.ID) })
}

// compareNatural orders strings with embedded numbers by value ("2" < "10").
func compareNatural(a, b string) int {
	for a != "" && b != "" {
		da, db := digitsPrefix(a), digitsPrefix(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) - len(nb)
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		ca, cb := lowerByte(a[0]), lowerByte(b[0])
		if ca != cb {
			return int(ca) - int(cb)
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func digitsPrefix(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
