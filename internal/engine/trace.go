package engine

import (
	"sort"
	"time"
)

// Trace is what a traced run saw: the rows each operator produced. It
// explains a query that returns nothing: which table had no rows, or which
// operator dropped the last ones.
type Trace struct {
	q      *Query
	rows   map[Node]int
	filled map[Node]map[int]bool
}

// Stage is one operator of a traced run.
type Stage struct {
	// Text is the operator's source text (the table name for a scan).
	Text string
	// Op is the kind of plan node: scan, filter (where, parse-where), join
	// (join, lookup) or other.
	Op string
	// In is the number of rows its inputs produced, Out the number it
	// produced.
	In, Out int
	// Scan marks a table scan (Table names the table).
	Scan  bool
	Table string
	// Time marks an operator whose expressions read now() or ago(): its
	// result depends on the replay time.
	Time bool
	// Unfilled lists the columns it reads that the table declares but its
	// source cannot fill (their values are empty).
	Unfilled []string
	// Empty lists the columns a filter reads that are null or empty in
	// every row of its input.
	Empty []string
}

// RunTraced is RunOn that also counts the rows of every operator.
func (q *Query) RunTraced(cat Catalog, now time.Time) (*Result, *Trace, error) {
	ctx := &execCtx{maxRows: q.maxRows, now: TimeToTicks(now), catalog: cat, trace: map[Node]int{}}
	res, err := q.run(ctx)
	return res, &Trace{q: q, rows: ctx.trace, filled: ctx.filled}, err
}

// Emptied returns the operators that ran, produced no row, and had rows in
// every input (for a scan: the tables that have no rows), in source order.
// For a query that returns nothing they name why.
func (t *Trace) Emptied(cat Catalog) []Stage {
	var out []Stage
	seen := map[Node]bool{}
	var walk func(n Node, depth int)
	walk = func(n Node, depth int) {
		if n == nil || seen[n] || depth > 500 {
			return
		}
		seen[n] = true
		kids := children(n)
		for _, k := range kids {
			walk(k, depth+1)
		}
		rows, ran := t.rows[n]
		if !ran || rows > 0 {
			return
		}
		st := Stage{Text: t.q.texts[n], Op: "other"}
		switch x := n.(type) {
		case *FilterNode:
			st.Op = "filter"
		case *ParseNode:
			if x.Where {
				st.Op = "filter"
			}
		case *JoinNode:
			st.Op = "join"
		}
		if sc, ok := n.(*ScanNode); ok {
			st.Op = "scan"
			st.Scan, st.Table = true, sc.Table.Name()
			out = append(out, st)
			return
		}
		for _, k := range kids {
			in, kr := t.rows[k]
			if !kr || in == 0 {
				return // empty because an input was empty
			}
			st.In += in
		}
		if len(kids) == 0 || st.Text == "" {
			return
		}
		st.Time, st.Unfilled = t.reads(n, cat)
		if m := t.filled[n]; m != nil {
			in := kids[0].Schema()
			for i, had := range m {
				if !had && i < len(in) {
					st.Empty = append(st.Empty, in[i].Name)
				}
			}
			sort.Strings(st.Empty)
		}
		out = append(out, st)
	}
	walk(t.q.Plan, 0)
	// one stage per operator: nodes of one operator share its text
	var dedup []Stage
	have := map[string]bool{}
	for _, s := range out {
		if !have[s.Text] {
			have[s.Text] = true
			dedup = append(dedup, s)
		}
	}
	return dedup
}

// reads reports whether n's expressions read now() and which unfilled
// columns of the tables of cat they read.
func (t *Trace) reads(n Node, cat Catalog) (usesTime bool, unfilled []string) {
	var exprs []Expr
	switch x := n.(type) {
	case *FilterNode:
		exprs = append(exprs, x.Pred)
	case *ProjectNode:
		exprs = x.Exprs
	case *ParseNode:
		exprs = append(exprs, x.Src)
	}
	in := children(n)
	set := map[string]bool{}
	for _, e := range exprs {
		walkExpr(e, func(x Expr) {
			switch v := x.(type) {
			case *nowExpr:
				usesTime = true
			case *colRef:
				if len(in) == 1 {
					if name, ok := unfilledSource(in[0], v.Index, cat, 0); ok && !set[name] {
						set[name] = true
						unfilled = append(unfilled, name)
					}
				}
			}
		})
	}
	sort.Strings(unfilled)
	return usesTime, unfilled
}

// unfilledSource follows column i of n down to a scan through operators that
// pass it on unchanged, and reports whether the table marks it Unfilled.
func unfilledSource(n Node, i int, cat Catalog, depth int) (string, bool) {
	if depth > 200 {
		return "", false
	}
	switch x := n.(type) {
	case *ScanNode:
		if i >= len(x.Cols) {
			return "", false
		}
		s := x.Cols
		if cat != nil {
			if t, ok := cat.Table(x.Table.Name()); ok {
				s = t.Schema()
			}
		}
		if i < len(s) && s[i].Unfilled {
			return x.Table.Name() + "." + s[i].Name, true
		}
	case *FilterNode:
		return unfilledSource(x.In, i, cat, depth+1)
	case *SortNode:
		return unfilledSource(x.In, i, cat, depth+1)
	case *TakeNode:
		return unfilledSource(x.In, i, cat, depth+1)
	case *SerializeNode:
		return unfilledSource(x.In, i, cat, depth+1)
	case *SharedNode:
		return unfilledSource(x.In, i, cat, depth+1)
	case *ProjectNode:
		if i < len(x.Exprs) {
			if r, ok := x.Exprs[i].(*colRef); ok {
				return unfilledSource(x.In, r.Index, cat, depth+1)
			}
		}
	case *ParseNode:
		for _, c := range x.Pattern.Cols {
			if c == i {
				return "", false
			}
		}
		if i < x.NIn {
			return unfilledSource(x.In, i, cat, depth+1)
		}
	}
	return "", false
}
