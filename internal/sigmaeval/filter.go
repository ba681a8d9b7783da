package sigmaeval

import (
	"strings"

	"github.com/detwiki/detwiki/internal/lang/sigma"
	"github.com/detwiki/detwiki/internal/source"
)

// CompileFilter compiles a Sigma filter meta-rule: its selections and its
// condition. A filter does not run on its own: AddFilter applies it to a
// rule it names, as pySigma does, by AND-ing its condition into the rule's
// (condition: not selection suppresses what selection selects). A filter
// with an aggregation or a broken condition does not run (Runnable is
// false) and explains why in its diagnostics.
func CompileFilter(sr *sigma.Rule, lines *source.LineTable, opt *Options) *Rule {
	if opt == nil {
		opt = &Options{}
	}
	c := &compiler{r: &Rule{Source: sr}, opt: opt, lines: lines, field: map[string]int{}}
	if sr == nil || sr.Kind != sigma.KindFilter || sr.Filter == nil || sr.Filter.Detection == nil {
		return c.r
	}
	if c.invalid(sr) {
		return c.r
	}
	c.compileDetection(sr.Filter.Detection)
	if c.r.agg != nil {
		c.errorf(sr.Filter.Pos, CodeUnsupported, "an aggregation in a filter is not supported")
		c.r.cond, c.r.agg = nil, nil
	}
	return c.r
}

// FilterRefs returns the rules a filter names (ids or names), and whether
// it applies to every rule of its logsource (rules: any or all).
func FilterRefs(sr *sigma.Rule) (refs []string, everyRule bool) {
	if sr == nil || sr.Filter == nil {
		return nil, false
	}
	for _, r := range sr.Filter.Rules {
		switch strings.ToLower(strings.TrimSpace(r.Ref)) {
		case "any", "all":
			everyRule = true
		default:
			refs = append(refs, r.Ref)
		}
	}
	return refs, everyRule
}

// FilterApplies reports whether a filter may apply to a rule: the filter's
// logsource covers the rule's (every part the filter names, the rule names
// too, with the same value), as pySigma requires; correlation rules are
// never filtered.
func FilterApplies(filter, r *sigma.Rule) bool {
	if filter == nil || r == nil || r.Kind != sigma.KindDetection {
		return false
	}
	f, l := filter.Logsource, r.Logsource
	for _, p := range [][2]string{{f.Category, l.Category}, {f.Product, l.Product}, {f.Service, l.Service}} {
		if p[0] != "" && !strings.EqualFold(p[0], p[1]) {
			return false
		}
	}
	return true
}

// AddFilter narrows the rule's matches to the events for which the
// filter's condition holds too (the filter's fields are renamed on each of
// the rule's lanes as the rule's are). It must be called before the rule is
// used: a compiled rule is read-only once it runs. A filter that cannot
// run is left out.
func (r *Rule) AddFilter(f *Rule) {
	if r == nil || !f.Runnable() {
		return
	}
	r.filters = append(r.filters, f)
}

// Filters returns the filters applied to the rule.
func (r *Rule) Filters() []*Rule { return r.filters }
