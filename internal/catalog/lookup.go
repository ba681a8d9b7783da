package catalog

import (
	"sort"
	"strings"

	"github.com/detwiki/detwiki/internal/attack"
)

// Rule returns the rule with the given id.
func (c *Catalog) Rule(id string) (*Rule, bool) {
	r, ok := c.byID[id]
	return r, ok
}

// RulesAt returns the rules at the given indexes.
func (c *Catalog) RulesAt(idx []int32) []*Rule {
	out := make([]*Rule, 0, len(idx))
	for _, i := range idx {
		if int(i) >= 0 && int(i) < len(c.Rules) {
			out = append(out, c.Rules[i])
		}
	}
	return out
}

// IndicatorBySlug returns the indicator whose page path is slug
// ("field/kind/value").
func (c *Catalog) IndicatorBySlug(slug string) (*IndicatorStat, bool) {
	st, ok := c.indicatorBySlug[slug]
	return st, ok
}

// IndicatorByKey returns the corpus statistics of an indicator key.
func (c *Catalog) IndicatorByKey(k IndicatorKey) (*IndicatorStat, bool) {
	st, ok := c.indicatorByKey[k]
	return st, ok
}

// FieldBySlug returns the field whose page key is slug.
func (c *Catalog) FieldBySlug(slug string) (*FieldStat, bool) {
	f, ok := c.fieldBySlug[slug]
	return f, ok
}

// FieldByName returns the field a rule's indicator field name counts under.
func (c *Catalog) FieldByName(name string) (*FieldStat, bool) {
	f, ok := c.fieldByKey[strings.ToLower(name)]
	return f, ok
}

// ProviderBySlug returns the provider whose page key is slug.
func (c *Catalog) ProviderBySlug(slug string) (*ProviderStat, bool) {
	p, ok := c.providerBySlug[slug]
	return p, ok
}

// EventBySlug returns the event whose page path is slug ("provider/event").
func (c *Catalog) EventBySlug(slug string) (*EventStat, bool) {
	e, ok := c.eventBySlug[slug]
	return e, ok
}

// EventOf returns the statistics of a provider's event.
func (c *Catalog) EventOf(provider, event string) (*EventStat, bool) {
	e, ok := c.eventByKey[eventKey(provider, event)]
	return e, ok
}

// PatternBySlug returns the detection pattern whose page key is slug.
func (c *Catalog) PatternBySlug(slug string) (*Pattern, bool) {
	p, ok := c.patternBySlug[slug]
	return p, ok
}

// Table returns the statistics of a table.
func (c *Catalog) Table(name string) (*TableStat, bool) {
	t, ok := c.tableByKey[strings.ToLower(name)]
	return t, ok
}

// Technique returns the rules statistics of an ATT&CK technique (nil
// statistics, true when ATT&CK knows it but no rule covers it).
func (c *Catalog) Technique(id string) (*TechniqueStat, *attack.Technique, bool) {
	id = attack.NormalizeTechniqueID(id)
	t, known := c.Attack.Technique(id)
	st := c.techniqueByID[id]
	if st == nil && !known {
		return nil, nil, false
	}
	if st == nil {
		st = &TechniqueStat{ID: t.ID, Name: c.Attack.FullName(t), Technique: t, Tactics: t.Tactics, ByTactic: map[string]int{}, ByLang: map[string]int{}}
	}
	return st, t, true
}

// SubTechniques returns the statistics of the sub-techniques of a technique
// that rules cover.
func (c *Catalog) SubTechniques(id string) []*TechniqueStat {
	var out []*TechniqueStat
	for _, st := range c.Techniques {
		if strings.HasPrefix(st.ID, id+".") {
			out = append(out, st)
		}
	}
	return out
}

// EventRules returns the rules that read an event directly and those that
// read an equivalent.
func (c *Catalog) EventRules(e *EventStat) (direct, equivalent []*Rule) {
	return c.RulesAt(e.Rules), c.RulesAt(e.Equivalent)
}

// ProviderOf returns the provider of an event.
func (e *EventStat) ProviderOf() *ProviderStat { return e.provider }

// FieldRules returns the rules with an indicator on the field.
func (c *Catalog) FieldRules(f *FieldStat) []*Rule {
	b := newBitset(len(c.Rules))
	for _, st := range f.Indicators {
		b.addAll(st.Rules)
	}
	var out []*Rule
	b.each(func(i int) { out = append(out, c.Rules[i]) })
	return out
}

// Repos returns the source names (rules' source.repo) of the catalog's
// rules, sorted.
func (c *Catalog) Repos() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range c.Rules {
		if !seen[r.Source.Repo] {
			seen[r.Source.Repo] = true
			out = append(out, r.Source.Repo)
		}
	}
	sort.Strings(out)
	return out
}

// ValueStats returns, for every value of the rule's indicators in document
// order, the corpus statistics it counts under (nil for a value without a
// corpus key). The slice is the catalog's: do not change it.
func (r *Rule) ValueStats() []*IndicatorStat { return r.stats }
