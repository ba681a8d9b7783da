package catalog

import (
	"cmp"
	"slices"
	"sort"
	"strings"

	"github.com/detwiki/detwiki/internal/rule"
)

// Limits on the related rules kept per rule (totals count them all).
const (
	maxNeighbours = 12
	maxSameAction = 12
	// maxSameActionPosting skips indicators so common that sharing them says
	// little (a rule still relates through its rarer indicators).
	maxSameActionPosting = 3000
)

// discriminatorFields are fields that say which event a rule reads rather
// than what happens in it (canonical or as written, lower case). A rule
// whose only predicates are on them has no neighbours, and they are never
// the key indicator of an action.
var discriminatorFields = map[string]bool{
	"eventid": true, "event.code": true, "event.category": true, "event.type": true,
	"event.dataset": true, "event.module": true, "event.kind": true, "event.provider": true,
	"host.os.type": true, "os.type": true, "host.os.family": true, "host.os.name": true,
	"actiontype": true, "eventlog": true, "channel": true, "winlog.channel": true,
	"winlog.provider_name": true, "provider_name": true, "source": true, "sourcetype": true,
	"index": true, "metadata.event_type": true, "metadata.product_event_type": true,
	"metadata.log_type": true, "metadata.product_name": true, "metadata.vendor_name": true,
	"p_log_type": true, "type": true, "type.inbound": true, "type.outbound": true, "type.internal": true,
	"data_stream.dataset": true, "tags": true,
}

// predicateTable interns the predicates of all rules.
type predicateTable struct {
	ids   map[predicateKey]int32
	preds []Predicate
	// discriminator marks predicates on discriminator fields.
	discriminator []bool
	// postings lists the rules holding each predicate, by rule index.
	postings [][]int32
}

type predicateKey struct {
	IndicatorKey
	negated bool
}

func (t *predicateTable) intern(language string, ind rule.Indicator, v rule.Value, st *IndicatorStat, negated bool) int32 {
	var k predicateKey
	if st != nil {
		k = predicateKey{st.Key, negated}
	} else {
		k = predicateKey{predicateKeyOf(language, ind, v), negated}
	}
	if id, ok := t.ids[k]; ok {
		return id
	}
	id := int32(len(t.preds))
	t.ids[k] = id
	t.preds = append(t.preds, Predicate{Field: displayField(k.IndicatorKey, ind), FieldKey: k.Field, Kind: k.Kind, Value: v.Value, Negated: negated})
	t.discriminator = append(t.discriminator, discriminatorFields[strings.ToLower(k.Field)] || discriminatorFields[strings.ToLower(ind.Field)])
	t.postings = append(t.postings, nil)
	return id
}

// computeNeighbours finds, for every rule, the rules whose predicate set
// strictly contains (narrower), is strictly contained in (broader) or
// equals its own. A rule whose predicates are all on discriminator fields
// takes no part: everything of the same event would contain it.
func (c *Catalog) computeNeighbours() {
	t := &predicateTable{ids: map[predicateKey]int32{}}
	for _, r := range c.Rules {
		var ps []int32
		n := 0
		for _, ind := range r.Analysis.Indicators {
			for _, v := range ind.Values {
				ps = append(ps, t.intern(r.Language, ind, v, r.stats[n], false))
				n++
			}
		}
		for _, ind := range r.Analysis.Exclusions {
			for _, v := range ind.Values {
				ps = append(ps, t.intern(r.Language, ind, v, nil, true))
			}
		}
		slices.Sort(ps)
		ps = slices.Compact(ps)
		meaningful := false
		for _, p := range ps {
			if !t.discriminator[p] {
				meaningful = true
				break
			}
		}
		if !meaningful {
			ps = nil
		}
		r.predicates = ps
		for _, p := range ps {
			t.postings[p] = append(t.postings[p], int32(r.Index))
		}
	}
	c.preds = t
	broader := make([][]int32, len(c.Rules))
	for _, a := range c.Rules {
		sa := a.predicates
		if len(sa) == 0 {
			continue
		}
		rarest := sa[0]
		for _, p := range sa[1:] {
			if len(t.postings[p]) < len(t.postings[rarest]) {
				rarest = p
			}
		}
		var narrower, same []int32
		for _, bi := range t.postings[rarest] {
			if int(bi) == a.Index {
				continue
			}
			sb := c.Rules[bi].predicates
			if len(sb) < len(sa) || !isSubset(sa, sb) {
				continue
			}
			if len(sb) == len(sa) {
				same = append(same, bi)
			} else {
				narrower = append(narrower, bi)
				broader[bi] = append(broader[bi], int32(a.Index))
			}
		}
		// Closest first: fewest extra predicates.
		slices.SortStableFunc(narrower, func(x, y int32) int {
			return cmp.Or(len(c.Rules[x].predicates)-len(c.Rules[y].predicates), int(x-y))
		})
		a.Neighbours.NarrowerTotal = len(narrower)
		a.Neighbours.SameTotal = len(same)
		for _, bi := range capList(narrower, maxNeighbours) {
			b := c.Rules[bi]
			a.Neighbours.Narrower = append(a.Neighbours.Narrower, Related{Rule: b, ID: b.ID, Diff: t.diff(b.predicates, sa)})
		}
		for _, bi := range capList(same, maxNeighbours) {
			b := c.Rules[bi]
			a.Neighbours.Same = append(a.Neighbours.Same, Related{Rule: b, ID: b.ID, Diff: []Predicate{}})
		}
	}
	for i, list := range broader {
		a := c.Rules[i]
		// Closest first: most predicates.
		slices.SortStableFunc(list, func(x, y int32) int {
			return cmp.Or(len(c.Rules[y].predicates)-len(c.Rules[x].predicates), int(x-y))
		})
		a.Neighbours.BroaderTotal = len(list)
		for _, bi := range capList(list, maxNeighbours) {
			b := c.Rules[bi]
			a.Neighbours.Broader = append(a.Neighbours.Broader, Related{Rule: b, ID: b.ID, Diff: t.diff(a.predicates, b.predicates)})
		}
	}
}

func capList(l []int32, n int) []int32 {
	if len(l) > n {
		return l[:n]
	}
	return l
}

// isSubset reports whether sorted a is contained in sorted b.
func isSubset(a, b []int32) bool {
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j == len(b) || b[j] != x {
			return false
		}
		j++
	}
	return true
}

// diff returns the predicates of sorted a that sorted b lacks.
func (t *predicateTable) diff(a, b []int32) []Predicate {
	out := []Predicate{}
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j < len(b) && b[j] == x {
			continue
		}
		out = append(out, t.preds[x])
	}
	return out
}

// computeSameAction finds, for every rule, the rules that match the same
// action: they read an event of the same class (or, without classes, the
// same event or table) and share at least one key indicator, that is an
// indicator on a field that does not merely select the event. The more key
// indicators they share, the closer they are.
func (c *Catalog) computeSameAction() {
	t := c.preds
	contexts := make([][]string, len(c.Rules))
	for _, r := range c.Rules {
		contexts[r.Index] = actionContexts(r)
	}
	counts := make([]int32, len(c.Rules))
	var touched []int32
	for _, a := range c.Rules {
		if len(contexts[a.Index]) == 0 || a.ThirdPartyFeed {
			continue
		}
		var keys []int32
		for _, p := range a.predicates {
			if t.discriminator[p] || t.preds[p].Negated || len(t.postings[p]) > maxSameActionPosting {
				continue
			}
			keys = append(keys, p)
			for _, bi := range t.postings[p] {
				if int(bi) == a.Index {
					continue
				}
				if counts[bi] == 0 {
					touched = append(touched, bi)
				}
				counts[bi]++
			}
		}
		var found []int32
		for _, bi := range touched {
			b := c.Rules[bi]
			if !b.ThirdPartyFeed && shareAny(contexts[a.Index], contexts[bi]) {
				found = append(found, bi)
			}
		}
		slices.SortFunc(found, func(x, y int32) int { return cmp.Or(int(counts[y]-counts[x]), int(x-y)) })
		a.SameActionTotal = len(found)
		for _, bi := range capList(found, maxSameAction) {
			b := c.Rules[bi]
			var shared []Predicate
			for _, p := range keys {
				if containsSorted(b.predicates, p) {
					shared = append(shared, t.preds[p])
				}
			}
			a.SameAction = append(a.SameAction, Related{Rule: b, ID: b.ID, Diff: shared})
		}
		for _, bi := range touched {
			counts[bi] = 0
		}
		touched = touched[:0]
	}
}

// actionContexts returns the event classes of a rule; without any, its
// direct events; without any, its tables. Sorted.
func actionContexts(r *Rule) []string {
	var out []string
	for _, e := range r.Analysis.Events {
		if e.Class != "" {
			out = append(out, "class:"+e.Class)
		}
	}
	if len(out) == 0 {
		for _, e := range r.Analysis.Events {
			if e.Via != rule.ViaEquivalent {
				out = append(out, "event:"+eventKey(e.Provider, e.Event))
			}
		}
	}
	if len(out) == 0 {
		for _, tb := range r.Analysis.Tables {
			out = append(out, "table:"+strings.ToLower(tb))
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func shareAny(a, b []string) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			return true
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return false
}

func containsSorted(l []int32, x int32) bool {
	_, ok := slices.BinarySearch(l, x)
	return ok
}
