package catalog

import (
	"fmt"
	"slices"
	"strings"

	"github.com/detwiki/detwiki/internal/attack"
)

// MatrixFilter restricts the ATT&CK matrix, the coverage and the Navigator
// layer to some languages and sources (empty: all).
type MatrixFilter struct {
	Languages []string
	Sources   []string
}

// Match reports whether the filter keeps rule r (third-party feeds aside,
// which matrices and layers always leave out).
func (f MatrixFilter) Match(r *Rule) bool { return f.match(r) }

func (f MatrixFilter) match(r *Rule) bool {
	if len(f.Languages) > 0 && !containsFold(f.Languages, r.Language) {
		return false
	}
	if len(f.Sources) > 0 && !containsFold(f.Sources, r.Source.Repo) {
		return false
	}
	return true
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// Matrix is the ATT&CK matrix with rule counts: one column per tactic, its
// techniques, and under each technique its sub-techniques.
type Matrix struct {
	Tactics []MatrixTactic `json:"tactics"`
	// Max is the largest count of a cell (for the heat scale); Rules the
	// rules counted (those with at least one technique).
	Max   int `json:"max"`
	Rules int `json:"rules"`
	// Techniques is the number of (tactic, technique) cells with a rule.
	Covered int `json:"covered"`
}

// MatrixTactic is one column.
type MatrixTactic struct {
	ID         string       `json:"tactic_id"`
	Name       string       `json:"tactic"`
	Shortname  string       `json:"shortname"`
	Techniques []MatrixCell `json:"techniques"`
	Rules      int          `json:"rules"`
}

// MatrixCell is a technique (or sub-technique) under one tactic. Count is
// the number of distinct rules on the technique or any of its
// sub-techniques, under that tactic.
type MatrixCell struct {
	ID    string       `json:"technique_id"`
	Name  string       `json:"technique"`
	Count int          `json:"rules"`
	Subs  []MatrixCell `json:"subtechniques,omitempty"`
}

// key identifies a filter in the catalog's caches.
func (f MatrixFilter) key() string {
	l, s := slices.Clone(f.Languages), slices.Clone(f.Sources)
	slices.Sort(l)
	slices.Sort(s)
	return strings.ToLower(strings.Join(l, ",") + "\x00" + strings.Join(s, ","))
}

// Matrix computes the matrix over the rules (feeds left out) that f keeps.
// Results are cached per filter (the catalog never changes); callers must
// not modify them.
func (c *Catalog) Matrix(f MatrixFilter) *Matrix {
	k := "matrix\x00" + f.key()
	if m, ok := c.cache.Load(k); ok {
		return m.(*Matrix)
	}
	m := c.matrix(f)
	c.cache.Store(k, m)
	return m
}

func (c *Catalog) matrix(f MatrixFilter) *Matrix {
	type cellKey struct{ tactic, technique string }
	counts := map[cellKey]int{}
	tacticRules := map[string]int{}
	m := &Matrix{}
	for _, r := range c.Rules {
		if r.ThirdPartyFeed || !f.match(r) {
			continue
		}
		seen := map[cellKey]bool{}
		seenTactic := map[string]bool{}
		any := false
		for _, a := range r.Attack {
			if a.TechniqueID == "" || a.TacticID == "" {
				continue
			}
			any = true
			keys := []cellKey{{a.TacticID, a.TechniqueID}}
			if p, _, sub := strings.Cut(a.TechniqueID, "."); sub {
				keys = append(keys, cellKey{a.TacticID, p})
			}
			for _, k := range keys {
				if !seen[k] {
					seen[k] = true
					counts[k]++
				}
			}
			if !seenTactic[a.TacticID] {
				seenTactic[a.TacticID] = true
				tacticRules[a.TacticID]++
			}
		}
		if any {
			m.Rules++
		}
	}
	subs := map[string][]*attack.Technique{}
	for _, t := range c.Attack.Techniques {
		if t.IsSub() && !t.Revoked && !t.Deprecated {
			subs[t.ParentID()] = append(subs[t.ParentID()], t)
		}
	}
	for _, ta := range c.Attack.Tactics {
		col := MatrixTactic{ID: ta.ID, Name: ta.Name, Shortname: ta.Shortname, Rules: tacticRules[ta.ID]}
		for _, t := range c.Attack.Techniques {
			if t.IsSub() || t.Revoked || t.Deprecated || !slices.Contains(t.Tactics, ta.Shortname) {
				continue
			}
			cell := MatrixCell{ID: t.ID, Name: t.Name, Count: counts[cellKey{ta.ID, t.ID}]}
			for _, s := range subs[t.ID] {
				n := counts[cellKey{ta.ID, s.ID}]
				cell.Subs = append(cell.Subs, MatrixCell{ID: s.ID, Name: s.Name, Count: n})
			}
			slices.SortFunc(cell.Subs, func(a, b MatrixCell) int { return strings.Compare(a.ID, b.ID) })
			if cell.Count > m.Max {
				m.Max = cell.Count
			}
			if cell.Count > 0 {
				m.Covered++
			}
			col.Techniques = append(col.Techniques, cell)
		}
		slices.SortFunc(col.Techniques, func(a, b MatrixCell) int { return strings.Compare(a.Name, b.Name) })
		m.Tactics = append(m.Tactics, col)
	}
	return m
}

// Layer is an ATT&CK Navigator layer (layer format 4.5).
type Layer struct {
	Name                          string           `json:"name"`
	Versions                      LayerVersions    `json:"versions"`
	Domain                        string           `json:"domain"`
	Description                   string           `json:"description"`
	Sorting                       int              `json:"sorting"`
	Layout                        LayerLayout      `json:"layout"`
	HideDisabled                  bool             `json:"hideDisabled"`
	Techniques                    []LayerTechnique `json:"techniques"`
	Gradient                      LayerGradient    `json:"gradient"`
	LegendItems                   []LayerLegend    `json:"legendItems"`
	Metadata                      []LayerMetadata  `json:"metadata"`
	Links                         []LayerLink      `json:"links,omitempty"`
	ShowTacticRowBackground       bool             `json:"showTacticRowBackground"`
	TacticRowBackground           string           `json:"tacticRowBackground"`
	SelectTechniquesAcrossTactics bool             `json:"selectTechniquesAcrossTactics"`
	SelectSubtechniquesWithParent bool             `json:"selectSubtechniquesWithParent"`
	SelectVisibleTechniques       bool             `json:"selectVisibleTechniques"`
}

// LayerVersions are the versions a layer declares.
type LayerVersions struct {
	Attack    string `json:"attack"`
	Navigator string `json:"navigator"`
	Layer     string `json:"layer"`
}

// LayerLayout is the layout object of a layer.
type LayerLayout struct {
	Layout                string `json:"layout"`
	ShowID                bool   `json:"showID"`
	ShowName              bool   `json:"showName"`
	ShowAggregateScores   bool   `json:"showAggregateScores"`
	CountUnscored         bool   `json:"countUnscored"`
	AggregateFunction     string `json:"aggregateFunction"`
	ExpandedSubtechniques string `json:"expandedSubtechniques"`
}

// LayerTechnique is one annotated (technique, tactic).
type LayerTechnique struct {
	TechniqueID       string          `json:"techniqueID"`
	Tactic            string          `json:"tactic"`
	Score             int             `json:"score"`
	Comment           string          `json:"comment"`
	Enabled           bool            `json:"enabled"`
	ShowSubtechniques bool            `json:"showSubtechniques"`
	Metadata          []LayerMetadata `json:"metadata"`
	Links             []LayerLink     `json:"links"`
}

// LayerGradient is the score colour scale.
type LayerGradient struct {
	Colors   []string `json:"colors"`
	MinValue int      `json:"minValue"`
	MaxValue int      `json:"maxValue"`
}

// LayerLegend is one legend entry.
type LayerLegend struct {
	Label string `json:"label"`
	Color string `json:"color"`
}

// LayerMetadata is a name/value annotation.
type LayerMetadata struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// LayerLink is a labelled URL.
type LayerLink struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// LayerOptions configure a Navigator layer.
type LayerOptions struct {
	MatrixFilter
	// RuleURL returns the absolute URL of a rule's page; nil leaves links
	// out (the Navigator accepts only absolute URLs).
	RuleURL func(id string) string
	// Name overrides the layer name.
	Name string
}

// Layer returns the Navigator layer of the rules (feeds left out) that the
// options keep: one technique entry per (technique, tactic) with the number
// of rules as score, and per rule a link to its page and a metadata line.
func (c *Catalog) Layer(opt LayerOptions) *Layer {
	type key struct{ technique, tactic string }
	rulesOf := map[key][]*Rule{}
	var keys []key
	for _, r := range c.Rules {
		if r.ThirdPartyFeed || !opt.match(r) {
			continue
		}
		for _, a := range r.Attack {
			if a.TechniqueID == "" {
				continue
			}
			var shortnames []string
			if ta, ok := c.Attack.Tactic(a.TacticID); ok && a.TacticID != "" {
				shortnames = []string{ta.Shortname}
			} else if t, ok := c.Attack.Technique(a.TechniqueID); ok {
				shortnames = t.Tactics
			}
			for _, s := range shortnames {
				k := key{a.TechniqueID, s}
				list := rulesOf[k]
				if len(list) > 0 && list[len(list)-1] == r {
					continue
				}
				if list == nil {
					keys = append(keys, k)
				}
				rulesOf[k] = append(list, r)
			}
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.technique != b.technique {
			return strings.Compare(a.technique, b.technique)
		}
		return strings.Compare(a.tactic, b.tactic)
	})
	name := opt.Name
	if name == "" {
		name = "detwiki coverage"
		if len(opt.Languages) > 0 || len(opt.Sources) > 0 {
			name += " (" + strings.Join(append(append([]string{}, opt.Languages...), opt.Sources...), ", ") + ")"
		}
	}
	major, _, _ := strings.Cut(c.Attack.Version, ".")
	l := &Layer{
		Name:        name,
		Versions:    LayerVersions{Attack: major, Navigator: "5.1.0", Layer: "4.5"},
		Domain:      "enterprise-attack",
		Description: fmt.Sprintf("Detection rules per ATT&CK technique, from the detwiki catalog built %s (ATT&CK %s). Score: number of rules.", c.Info.Built.Format("2006-01-02"), c.Attack.Version),
		Sorting:     3,
		Layout: LayerLayout{Layout: "side", ShowID: true, ShowName: true, ShowAggregateScores: true,
			CountUnscored: false, AggregateFunction: "sum", ExpandedSubtechniques: "annotated"},
		Techniques:                    []LayerTechnique{},
		TacticRowBackground:           "#dddddd",
		SelectTechniquesAcrossTactics: true,
		SelectSubtechniquesWithParent: false,
		Metadata: []LayerMetadata{
			{Name: "generator", Value: "detwiki"},
			{Name: "built", Value: c.Info.Built.Format("2006-01-02T15:04:05Z07:00")},
		},
	}
	if len(opt.Languages) > 0 {
		l.Metadata = append(l.Metadata, LayerMetadata{Name: "languages", Value: strings.Join(opt.Languages, ", ")})
	}
	if len(opt.Sources) > 0 {
		l.Metadata = append(l.Metadata, LayerMetadata{Name: "sources", Value: strings.Join(opt.Sources, ", ")})
	}
	maxScore := 1
	for _, k := range keys {
		rules := rulesOf[k]
		lt := LayerTechnique{TechniqueID: k.technique, Tactic: k.tactic, Score: len(rules), Enabled: true,
			Comment: fmt.Sprintf("%d rule%s", len(rules), plural(len(rules))), Metadata: []LayerMetadata{}, Links: []LayerLink{}}
		byLang := map[string]int{}
		for _, r := range rules {
			byLang[r.Language]++
		}
		var parts []string
		for _, lang := range sortedKeys(byLang) {
			parts = append(parts, fmt.Sprintf("%s %d", lang, byLang[lang]))
		}
		if len(parts) > 0 {
			lt.Comment += " (" + strings.Join(parts, ", ") + ")"
		}
		for _, r := range rules {
			lt.Metadata = append(lt.Metadata, LayerMetadata{Name: r.ID, Value: ruleLine(r)})
			if opt.RuleURL != nil {
				lt.Links = append(lt.Links, LayerLink{Label: r.Title, URL: opt.RuleURL(r.ID)})
			}
		}
		if len(rules) > maxScore {
			maxScore = len(rules)
		}
		l.Techniques = append(l.Techniques, lt)
	}
	l.Gradient = LayerGradient{Colors: []string{"#e3f2fd", "#64b5f6", "#0d47a1"}, MinValue: 0, MaxValue: maxScore}
	l.LegendItems = []LayerLegend{{Label: "1 rule", Color: "#e3f2fd"}, {Label: fmt.Sprintf("%d rules", maxScore), Color: "#0d47a1"}}
	return l
}

func ruleLine(r *Rule) string {
	parts := []string{r.Title, r.Language}
	if r.Severity != "" {
		parts = append(parts, r.Severity)
	}
	parts = append(parts, r.Source.Repo+"/"+r.Source.Path)
	return strings.Join(parts, " · ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Coverage is, per event, how many rules of each language read it, and
// where a language has none, the events of the same class its rules read
// instead (its native equivalents).
type Coverage struct {
	Languages []string        `json:"languages"`
	Classes   []CoverageClass `json:"classes"`
}

// CoverageClass groups the events of one class ("" for events without a
// class).
type CoverageClass struct {
	Class string        `json:"class"`
	Rows  []CoverageRow `json:"events"`
	// Rules counts, per language, the rules reading any event of the class.
	Rules []int `json:"rules"`
}

// CoverageRow is one event.
type CoverageRow struct {
	Event *EventStat     `json:"-"`
	Key   string         `json:"event"`
	Cells []CoverageCell `json:"languages"`
}

// CoverageCell is one language's coverage of an event.
type CoverageCell struct {
	Language string       `json:"language"`
	Direct   int          `json:"rules"`
	Native   []*EventStat `json:"-"`
	// NativeKeys names the equivalent events the language's rules read
	// when Direct is 0.
	NativeKeys []string `json:"native_equivalents,omitempty"`
}

// Coverage computes event coverage per language (feeds left out), cached
// per filter; callers must not modify the result.
func (c *Catalog) Coverage(f MatrixFilter) *Coverage {
	k := "coverage\x00" + f.key()
	if v, ok := c.cache.Load(k); ok {
		return v.(*Coverage)
	}
	v := c.coverage(f)
	c.cache.Store(k, v)
	return v
}

func (c *Catalog) coverage(f MatrixFilter) *Coverage {
	cov := &Coverage{}
	for _, l := range c.Languages {
		if len(f.Languages) == 0 || containsFold(f.Languages, l) {
			cov.Languages = append(cov.Languages, l)
		}
	}
	direct := func(e *EventStat, lang string) int {
		n := 0
		for _, ri := range e.Rules {
			r := c.Rules[ri]
			if r.Language == lang && f.match(r) {
				n++
			}
		}
		return n
	}
	classes := map[string]*CoverageClass{}
	var order []string
	for _, e := range c.Events {
		if len(e.Rules) == 0 {
			continue
		}
		cc := classes[e.Class]
		if cc == nil {
			cc = &CoverageClass{Class: e.Class, Rules: make([]int, len(cov.Languages))}
			classes[e.Class] = cc
			order = append(order, e.Class)
		}
		row := CoverageRow{Event: e, Key: e.Provider + "/" + e.Event}
		for _, lang := range cov.Languages {
			cell := CoverageCell{Language: lang, Direct: direct(e, lang)}
			if cell.Direct == 0 {
				for _, o := range e.Equivalents {
					if direct(o, lang) > 0 {
						cell.Native = append(cell.Native, o)
						cell.NativeKeys = append(cell.NativeKeys, o.Provider+"/"+o.Event)
					}
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		cc.Rows = append(cc.Rows, row)
	}
	for _, cl := range order {
		cc := classes[cl]
		for li, lang := range cov.Languages {
			seen := map[int32]bool{}
			for _, row := range cc.Rows {
				for _, ri := range row.Event.Rules {
					r := c.Rules[ri]
					if r.Language == lang && f.match(r) {
						seen[ri] = true
					}
				}
			}
			cc.Rules[li] = len(seen)
		}
	}
	slices.Sort(order)
	// Events without a class go last.
	if len(order) > 0 && order[0] == "" {
		order = append(order[1:], "")
	}
	for _, cl := range order {
		cov.Classes = append(cov.Classes, *classes[cl])
	}
	return cov
}
