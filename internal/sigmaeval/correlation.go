package sigmaeval

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/detwiki/detwiki/internal/lang/sigma"
	"github.com/detwiki/detwiki/internal/source"
)

// Correlation is a compiled Sigma correlation rule: it runs over the events
// its referenced rules (detection rules, or other correlations) matched.
type Correlation struct {
	// Source is the rule as package sigma read it.
	Source *sigma.Rule
	// Diagnostics say what could not be resolved.
	Diagnostics []source.Diagnostic

	typ    string
	refs   []corrRef
	window time.Duration
	conds  []countCond
	// percentile: the share (in percent) the value_percentile condition
	// compares
	ok bool
}

// corrRef is one referenced rule with the fields the correlation reads in
// its events.
type corrRef struct {
	name   string // as the correlation names it
	rule   *Rule
	corr   *Correlation
	group  []string // the field of each group-by entry, in this rule's events
	value  string   // the value_* field in this rule's events
	origin []string // the child correlation's group-by names (for chaining)
}

type countCond struct {
	op    string
	value float64
}

// Runnable reports whether the correlation resolved its references.
func (c *Correlation) Runnable() bool { return c != nil && c.ok }

// Type returns the correlation type (event_count, temporal, ...).
func (c *Correlation) Type() string { return c.typ }

// Referenced returns the detection rules and correlations the correlation
// runs over, in the order it names them (nil entries for unresolved
// references).
func (c *Correlation) Referenced() (rules []*Rule, corrs []*Correlation) {
	for _, r := range c.refs {
		rules = append(rules, r.rule)
		corrs = append(corrs, r.corr)
	}
	return rules, corrs
}

// CompileCorrelation compiles a correlation rule. lookup resolves a rule
// reference (an id or a name) to a compiled *Rule or *Correlation, or nil.
func CompileCorrelation(sr *sigma.Rule, lines *source.LineTable, lookup func(ref string) any) *Correlation {
	c := &Correlation{Source: sr}
	diag := func(pos source.Pos, format string, args ...any) {
		d := source.Diagnostic{Code: CodeCorrelation, Severity: source.Error, Message: fmt.Sprintf(format, args...)}
		if lines != nil && pos.IsValid() {
			p := lines.Position(pos)
			d.Line, d.Col = p.Line, p.Column
		}
		c.Diagnostics = append(c.Diagnostics, d)
	}
	if sr == nil || sr.Kind != sigma.KindCorrelation || sr.Correlation == nil {
		return c
	}
	sc := sr.Correlation
	c.typ = sc.Type
	c.window = sc.Duration
	switch c.typ {
	case "event_count", "value_count", "temporal", "temporal_ordered", "value_sum", "value_avg", "value_percentile":
	default:
		diag(sc.Pos, "unknown correlation type %q", c.typ)
		return c
	}
	if c.window <= 0 {
		diag(sc.Pos, "the correlation has no timespan")
		return c
	}
	for _, cc := range sc.Condition {
		if cc.Op == "percentile" {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(cc.Value), 64)
		if err != nil {
			diag(sc.Pos, "condition %s: %q is not a number", cc.Op, cc.Value)
			return c
		}
		c.conds = append(c.conds, countCond{op: cc.Op, value: v})
	}
	if len(c.conds) == 0 && c.typ != "temporal" && c.typ != "temporal_ordered" {
		diag(sc.Pos, "a %s correlation needs a condition", c.typ)
		return c
	}
	valueField := ""
	if strings.HasPrefix(c.typ, "value_") {
		if len(sc.Field) == 0 {
			diag(sc.Pos, "a %s correlation needs condition.field", c.typ)
			return c
		}
		valueField = sc.Field[0]
	}
	alias := map[string]map[string]string{} // alias -> rule name -> field
	for _, a := range sc.Aliases {
		m := map[string]string{}
		for _, f := range a.Fields {
			m[f.Rule] = f.Field
		}
		alias[a.Name] = m
	}
	fieldFor := func(name string, refName string, r *sigma.Rule) string {
		if m, ok := alias[name]; ok {
			for _, key := range []string{refName, r.Name, r.ID} {
				if key == "" {
					continue
				}
				if f, ok := m[key]; ok {
					return f
				}
			}
		}
		return name
	}
	for _, ref := range sc.Rules {
		target := lookup(ref.Ref)
		cr := corrRef{name: ref.Ref}
		var src *sigma.Rule
		switch t := target.(type) {
		case *Rule:
			if t == nil {
				break
			}
			cr.rule, src = t, t.Source
		case *Correlation:
			if t == nil {
				break
			}
			cr.corr, src = t, t.Source
			cr.origin = t.Source.Correlation.GroupBy
		}
		if src == nil {
			diag(ref.Pos, "the correlation references %q, which is no rule given", ref.Ref)
			return c
		}
		for _, g := range sc.GroupBy {
			cr.group = append(cr.group, fieldFor(g, ref.Ref, src))
		}
		if valueField != "" {
			cr.value = fieldFor(valueField, ref.Ref, src)
		}
		if cr.corr != nil {
			for _, g := range cr.group {
				if !containsString(cr.origin, g) {
					diag(ref.Pos, "the correlation groups by %s, which correlation %q does not group by", g, ref.Ref)
					return c
				}
			}
		}
		c.refs = append(c.refs, cr)
	}
	c.ok = true
	return c
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Alert is one firing of a correlation rule (or of a Sigma 1 aggregation):
// a group and the window of events that satisfied the condition.
type Alert struct {
	// Group holds the group-by values, in group-by order.
	Group []string
	// Start and End are the times of the first and last event counted.
	Start, End time.Time
	// Events is how many events the window holds; Value is what the
	// condition compared (count, distinct count, sum, average, share).
	Events int
	Value  float64
}

// corrEvent is one event a correlation counts.
type corrEvent struct {
	t     time.Time
	ref   int
	group string // group-by values joined by \x00
	value string
}

// Run collects, over the blocks of a data set, what correlations and
// Sigma 1 aggregations need from the rows their rules match, and evaluates
// them at the end. It is safe for concurrent use.
type Run struct {
	mu    sync.Mutex
	corrs []*Correlation
	// listeners: for each detection rule, the correlations (and ref
	// indexes) that count its events.
	listeners map[*Rule][]listener
	events    map[*Correlation][]corrEvent
	aggRules  map[*Rule][]corrEvent
}

type listener struct {
	c   *Correlation
	ref int
}

// NewRun prepares a run of the given correlations (and of the Sigma 1
// aggregations of the rules observed).
func NewRun(corrs []*Correlation) *Run {
	run := &Run{corrs: corrs, listeners: map[*Rule][]listener{}, events: map[*Correlation][]corrEvent{}, aggRules: map[*Rule][]corrEvent{}}
	for _, c := range corrs {
		if !c.Runnable() {
			continue
		}
		for i, ref := range c.refs {
			if ref.rule != nil {
				run.listeners[ref.rule] = append(run.listeners[ref.rule], listener{c, i})
			}
		}
	}
	return run
}

// Aggregated reports whether the rule's matches are only the input of a
// Sigma 1 aggregation (its hits are the aggregation's alerts).
func (r *Rule) Aggregated() bool { return r != nil && r.agg != nil }

// Wants reports whether Observe needs the rows the rule matches.
func (run *Run) Wants(r *Rule) bool {
	return r.Aggregated() || len(run.listeners[r]) > 0
}

// Observe records the rows a rule matched in a block.
func (run *Run) Observe(blk *Block, r *Rule, rows []int32) {
	if len(rows) == 0 || !run.Wants(r) {
		return
	}
	ls := run.listeners[r]
	type rec struct {
		c  *Correlation
		ev corrEvent
	}
	var recs []rec
	var agg []corrEvent
	for _, row := range rows {
		t, _ := blk.Time(row)
		for _, l := range ls {
			ref := &l.c.refs[l.ref]
			ev := corrEvent{t: t, ref: l.ref, group: blk.groupKey(r, row, ref.group)}
			if ref.value != "" {
				ev.value = blk.Value(r, row, ref.value).Text
			}
			recs = append(recs, rec{l.c, ev})
		}
		if a := r.agg; a != nil {
			ev := corrEvent{t: t}
			names := make([]string, len(a.groupBy))
			for i, g := range a.groupBy {
				names[i] = r.Fields[g]
			}
			ev.group = blk.groupKey(r, row, names)
			if a.field >= 0 {
				ev.value = blk.Value(r, row, r.Fields[a.field]).Text
			}
			agg = append(agg, ev)
		}
	}
	run.mu.Lock()
	for _, x := range recs {
		run.events[x.c] = append(run.events[x.c], x.ev)
	}
	if len(agg) > 0 {
		run.aggRules[r] = append(run.aggRules[r], agg...)
	}
	run.mu.Unlock()
}

func (blk *Block) groupKey(r *Rule, row int32, fields []string) string {
	if len(fields) == 0 {
		return ""
	}
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(blk.Value(r, row, f).Text)
	}
	return b.String()
}

// Finish evaluates the correlations (children before the correlations that
// reference them) and the aggregations.
func (run *Run) Finish() (corrAlerts map[*Correlation][]Alert, aggAlerts map[*Rule][]Alert) {
	run.mu.Lock()
	defer run.mu.Unlock()
	corrAlerts = map[*Correlation][]Alert{}
	state := map[*Correlation]int{} // 1 visiting, 2 done
	var visit func(c *Correlation)
	visit = func(c *Correlation) {
		if state[c] != 0 {
			return // done, or a cycle (left without alerts)
		}
		state[c] = 1
		for i, ref := range c.refs {
			if ref.corr == nil || !ref.corr.Runnable() {
				continue
			}
			visit(ref.corr)
			for _, a := range corrAlerts[ref.corr] {
				run.events[c] = append(run.events[c], corrEvent{t: a.End, ref: i, group: chainGroup(a.Group, ref.origin, ref.group)})
			}
		}
		corrAlerts[c] = c.evaluate(run.events[c])
		state[c] = 2
	}
	for _, c := range run.corrs {
		if c.Runnable() {
			visit(c)
		}
	}
	aggAlerts = map[*Rule][]Alert{}
	for r, evs := range run.aggRules {
		aggAlerts[r] = r.agg.evaluate(evs)
	}
	return corrAlerts, aggAlerts
}

// chainGroup picks, from a child correlation's alert, the values of the
// parent's group-by fields.
func chainGroup(values, origin, want []string) string {
	out := make([]string, len(want))
	for i, w := range want {
		for j, o := range origin {
			if o == w && j < len(values) {
				out[i] = values[j]
			}
		}
	}
	return strings.Join(out, "\x00")
}

// byGroup sorts events by group, then time.
func byGroup(evs []corrEvent) [][]corrEvent {
	sort.SliceStable(evs, func(i, j int) bool {
		if evs[i].group != evs[j].group {
			return evs[i].group < evs[j].group
		}
		return evs[i].t.Before(evs[j].t)
	})
	var out [][]corrEvent
	for i := 0; i < len(evs); {
		j := i
		for j < len(evs) && evs[j].group == evs[i].group {
			j++
		}
		out = append(out, evs[i:j])
		i = j
	}
	return out
}

// windowState is what a window knows of its events, kept up to date as
// events enter and leave it.
type windowState interface {
	add(e *corrEvent)
	remove(e *corrEvent)
	// value returns the window's value and whether the condition holds;
	// w is the window's events.
	value(w []corrEvent) (float64, bool)
	reset()
}

// windows slides a window of the given span over one group's events (in
// time order): for each first event, the events up to span later. When the
// window satisfies the condition, an alert is made and the next window
// starts after it (alerts do not overlap). Both ends only move forward, so
// states that add and remove in constant time make it linear.
func windows(evs []corrEvent, span time.Duration, st windowState) []Alert {
	var out []Alert
	j := 0
	for i := 0; i < len(evs); {
		end := evs[i].t.Add(span)
		for j < len(evs) && !evs[j].t.After(end) {
			st.add(&evs[j])
			j++
		}
		if v, ok := st.value(evs[i:j]); ok {
			out = append(out, Alert{Group: strings.Split(evs[i].group, "\x00"), Start: evs[i].t, End: evs[j-1].t, Events: j - i, Value: v})
			st.reset()
			i = j
			continue
		}
		st.remove(&evs[i])
		i++
	}
	return out
}

// countState counts events.
type countState struct {
	n    int
	test func(float64) bool
}

func (s *countState) add(*corrEvent)    { s.n++ }
func (s *countState) remove(*corrEvent) { s.n-- }
func (s *countState) reset()            { s.n = 0 }
func (s *countState) value([]corrEvent) (float64, bool) {
	v := float64(s.n)
	return v, s.test(v)
}

// distinctState counts the distinct non-empty values.
type distinctState struct {
	seen map[string]int
	test func(float64) bool
}

func (s *distinctState) add(e *corrEvent) {
	if e.value != "" {
		s.seen[e.value]++
	}
}

func (s *distinctState) remove(e *corrEvent) {
	if e.value == "" {
		return
	}
	if s.seen[e.value]--; s.seen[e.value] <= 0 {
		delete(s.seen, e.value)
	}
}
func (s *distinctState) reset() { clear(s.seen) }
func (s *distinctState) value([]corrEvent) (float64, bool) {
	v := float64(len(s.seen))
	return v, s.test(v)
}

// sumState sums the values that are numbers (avg: their mean).
type sumState struct {
	sum  float64
	n    int
	avg  bool
	test func(float64) bool
}

func (s *sumState) add(e *corrEvent) {
	if x, ok := parseNumber(e.value); ok {
		s.sum += x
		s.n++
	}
}

func (s *sumState) remove(e *corrEvent) {
	if x, ok := parseNumber(e.value); ok {
		s.sum -= x
		s.n--
	}
}
func (s *sumState) reset() { s.sum, s.n = 0, 0 }
func (s *sumState) value([]corrEvent) (float64, bool) {
	if s.n == 0 {
		return 0, false
	}
	v := s.sum
	if s.avg {
		v /= float64(s.n)
	}
	return v, s.test(v)
}

// refState counts the distinct referenced rules seen (temporal).
type refState struct {
	counts   []int
	distinct int
	all      bool // no condition: every rule must be seen
	test     func(float64) bool
}

func (s *refState) add(e *corrEvent) {
	if s.counts[e.ref]++; s.counts[e.ref] == 1 {
		s.distinct++
	}
}

func (s *refState) remove(e *corrEvent) {
	if s.counts[e.ref]--; s.counts[e.ref] == 0 {
		s.distinct--
	}
}

func (s *refState) reset() {
	clear(s.counts)
	s.distinct = 0
}

func (s *refState) value([]corrEvent) (float64, bool) {
	v := float64(s.distinct)
	if s.all {
		return v, s.distinct == len(s.counts)
	}
	return v, s.test(v)
}

// scanState computes the value from the window's events each time
// (temporal_ordered, value_percentile and the Sigma 1 min and max, whose
// values do not update in constant time): linear in the window.
type scanState struct {
	fn func(w []corrEvent) (float64, bool)
}

func (s *scanState) add(*corrEvent)                      {}
func (s *scanState) remove(*corrEvent)                   {}
func (s *scanState) reset()                              {}
func (s *scanState) value(w []corrEvent) (float64, bool) { return s.fn(w) }

func (c *Correlation) holds(v float64) bool {
	for _, cc := range c.conds {
		if !compareOp(v, cc.op, cc.value) {
			return false
		}
	}
	return true
}

func compareOp(v float64, op string, x float64) bool {
	switch op {
	case "gt":
		return v > x
	case "gte":
		return v >= x
	case "lt":
		return v < x
	case "lte":
		return v <= x
	case "eq":
		return v == x
	case "neq":
		return v != x
	}
	return false
}

// evaluate finds the alerts of the correlation in its events.
func (c *Correlation) evaluate(evs []corrEvent) []Alert {
	var out []Alert
	for _, g := range byGroup(evs) {
		var st windowState
		switch c.typ {
		case "event_count":
			st = &countState{test: c.holds}
		case "value_count":
			st = &distinctState{seen: map[string]int{}, test: c.holds}
		case "value_sum", "value_avg":
			st = &sumState{avg: c.typ == "value_avg", test: c.holds}
		case "temporal":
			st = &refState{counts: make([]int, len(c.refs)), all: len(c.conds) == 0, test: c.holds}
		case "temporal_ordered":
			st = &scanState{fn: func(w []corrEvent) (float64, bool) {
				// the rules must appear in order: a greedy subsequence,
				// starting with the first rule
				if len(w) == 0 || w[0].ref != 0 {
					return 0, false
				}
				next := 0
				for _, e := range w {
					if next < len(c.refs) && e.ref == next {
						next++
					}
				}
				v := float64(next)
				if len(c.conds) == 0 {
					return v, next == len(c.refs)
				}
				return v, c.holds(v)
			}}
		case "value_percentile":
			// a value whose share of the window's events, in percent,
			// satisfies the condition (rare values: lte 1)
			st = &scanState{fn: func(w []corrEvent) (float64, bool) {
				counts := map[string]int{}
				for _, e := range w {
					counts[e.value]++
				}
				best, found := math.Inf(1), false
				for _, n := range counts {
					share := 100 * float64(n) / float64(len(w))
					if c.holds(share) && share < best {
						best, found = share, true
					}
				}
				return best, found
			}}
		default:
			return nil
		}
		out = append(out, windows(g, c.window, st)...)
	}
	return out
}

// evaluate finds the alerts of a Sigma 1 aggregation.
func (a *aggregation) evaluate(evs []corrEvent) []Alert {
	test := func(v float64) bool { return compareOp(v, a.op, a.value) }
	var out []Alert
	for _, g := range byGroup(evs) {
		var st windowState
		switch {
		case a.fn == "count" && a.field < 0:
			st = &countState{test: test}
		case a.fn == "count":
			st = &distinctState{seen: map[string]int{}, test: test}
		case a.fn == "sum" || a.fn == "avg":
			st = &sumState{avg: a.fn == "avg", test: test}
		default: // min, max
			st = &scanState{fn: func(w []corrEvent) (float64, bool) {
				var v float64
				n := 0
				for _, e := range w {
					x, ok := parseNumber(e.value)
					if !ok {
						continue
					}
					switch {
					case n == 0:
						v = x
					case a.fn == "min":
						v = math.Min(v, x)
					default:
						v = math.Max(v, x)
					}
					n++
				}
				if n == 0 {
					return 0, false
				}
				return v, test(v)
			}}
		}
		if a.window <= 0 {
			// no timeframe: the whole data is one window
			for k := range g {
				st.add(&g[k])
			}
			if v, ok := st.value(g); ok {
				out = append(out, Alert{Group: strings.Split(g[0].group, "\x00"), Start: g[0].t, End: g[len(g)-1].t, Events: len(g), Value: v})
			}
			continue
		}
		out = append(out, windows(g, a.window, st)...)
	}
	return out
}
