package kusto

import (
	"path"
	"slices"
	"strings"

	"github.com/detwiki/detwiki/internal/lang/kql"
)

// column is a column a pipeline names: made by an operator (extend,
// project, summarize, parse, ...) or passed through one.
type column struct {
	name   string
	source string // the operator that made it (the output source)
	// origin is the field the column is another name for (extend X = Y,
	// project-rename X = Y, tolower(Y)), "" when it is computed; fold is
	// set when the origin was case-folded.
	origin string
	fold   bool
	via    string   // the operator that renamed or computed it
	from   []string // the columns it is computed or parsed from
}

// colState is what is known of a pipeline's columns at one point: the
// columns it names, in order, and whether unnamed input columns pass
// through (a table's columns, a *).
type colState struct {
	cols []column
	open bool
}

func openState() *colState { return &colState{open: true} }

func (s *colState) clone() *colState {
	if s == nil {
		return openState()
	}
	return &colState{cols: slices.Clone(s.cols), open: s.open}
}

func (s *colState) get(name string) *column {
	for i := len(s.cols) - 1; i >= 0; i-- {
		if s.cols[i].name == name {
			return &s.cols[i]
		}
	}
	return nil
}

// set adds a column or replaces the one of the same name in place.
func (s *colState) set(c column) {
	if c.name == "" {
		return
	}
	if old := s.get(c.name); old != nil {
		*old = c
		return
	}
	s.cols = append(s.cols, c)
}

func (s *colState) remove(match func(string) bool) {
	s.cols = slices.DeleteFunc(s.cols, func(c column) bool { return match(c.name) })
}

// join returns the columns after a join or lookup with right: the left
// columns, then the right ones the left lacks.
func (s *colState) join(right *colState) *colState {
	out := s.clone()
	if right == nil {
		out.open = true
		return out
	}
	for _, c := range right.cols {
		if out.get(c.name) == nil {
			out.cols = append(out.cols, c)
		}
	}
	out.open = out.open || right.open
	return out
}

// unionStates merges the columns of union legs.
func unionStates(legs []*colState) *colState {
	out := &colState{}
	for _, l := range legs {
		if l == nil {
			out.open = true
			continue
		}
		out.open = out.open || l.open
		for _, c := range l.cols {
			if out.get(c.name) == nil {
				out.cols = append(out.cols, c)
			}
		}
	}
	if len(legs) == 0 {
		out.open = true
	}
	return out
}

// schemaState returns the columns a datatable or externaldata declares.
func schemaState(sc *kql.Schema, src string) *colState {
	out := &colState{}
	if sc == nil {
		out.open = true
		return out
	}
	for _, p := range sc.Columns {
		if p != nil && p.Name != nil {
			out.set(column{name: p.Name.Name, source: src})
		}
	}
	return out
}

// globMatch matches a column name against a project-away/keep pattern.
func globMatch(pattern, name string) bool {
	if !strings.ContainsAny(pattern, "*?[") {
		return pattern == name
	}
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

// columns updates p.cols for operator o.
func (an *analyzer) columns(p *pipe, o kql.Operator, depth int) {
	s := p.cols
	kind := o.Name()
	switch v := o.(type) {
	case *kql.ExtendOp:
		an.assign(p, s, v.Exprs, "extend")
	case *kql.SerializeOp:
		an.assign(p, s, v.Exprs, "serialize")
	case *kql.ProjectOp:
		switch v.Kw {
		case kql.PROJECT_RENAME:
			for _, x := range v.Exprs {
				n, ok := x.(*kql.NamedExpr)
				if !ok || len(n.Names) == 0 || n.Names[0] == nil {
					continue
				}
				oldName := ""
				if id, ok := n.Value.(*kql.Ident); ok {
					oldName = id.Name
				}
				c := column{name: n.Names[0].Name, source: "project-rename", via: "project-rename"}
				if ref, ok := an.fieldOf(p, n.Value, 0); ok {
					c.origin, c.fold = ref.name, ref.fold
				}
				if old := s.get(oldName); old != nil && old.origin == "" && old.via != "" {
					c.origin, c.via, c.from = "", old.via, old.from
				}
				s.remove(func(name string) bool { return name == oldName })
				s.set(c)
			}
		default:
			out := &colState{}
			an.assignTo(p, s, out, v.Exprs, kind)
			p.cols = out
		}
	case *kql.ProjectAwayOp:
		if v.Kw == kql.PROJECT_KEEP {
			out := &colState{}
			for _, c := range s.cols {
				for _, x := range v.Columns {
					if id, ok := x.(*kql.Ident); ok && globMatch(id.Name, c.name) {
						out.cols = append(out.cols, c)
						break
					}
				}
			}
			for _, x := range v.Columns {
				if id, ok := x.(*kql.Ident); ok && (id.Wildcard || strings.Contains(id.Name, "*")) {
					out.open = s.open
				}
			}
			p.cols = out
			return
		}
		for _, x := range v.Columns {
			if id, ok := x.(*kql.Ident); ok {
				s.remove(func(name string) bool { return globMatch(id.Name, name) })
			}
		}
	case *kql.SummarizeOp:
		p.cols = an.aggregate(p, s, v.Groups, v.Aggs, "summarize")
	case *kql.MakeSeriesOp:
		out := an.aggregate(p, s, v.Groups, v.Aggs, "make-series")
		if id, ok := v.Axis.(*kql.Ident); ok {
			out.set(column{name: id.Name, source: "make-series"})
		}
		p.cols = out
	case *kql.DistinctOp:
		out := &colState{}
		for _, x := range v.Columns {
			if _, ok := x.(*kql.StarExpr); ok {
				p.cols = s
				return
			}
		}
		an.assignTo(p, s, out, v.Columns, "distinct")
		p.cols = out
	case *kql.CountOp:
		name := "Count"
		if v.As != nil {
			name = v.As.Name
		}
		p.cols = &colState{cols: []column{{name: name, source: "count"}}}
	case *kql.ParseOp:
		from := ""
		if ref, ok := an.fieldOf(p, v.Source, 0); ok {
			from = ref.name
		}
		for _, x := range v.Pattern {
			if prm, ok := x.(*kql.Param); ok && prm.Name != nil {
				c := column{name: prm.Name.Name, source: kind, via: kind}
				if from != "" {
					c.from = []string{from}
				}
				s.set(c)
			}
		}
	case *kql.ParseKvOp:
		from := ""
		if ref, ok := an.fieldOf(p, v.Source, 0); ok {
			from = ref.name
		}
		if v.Keys != nil {
			for _, prm := range v.Keys.Columns {
				if prm != nil && prm.Name != nil {
					c := column{name: prm.Name.Name, source: kind, via: kind}
					if from != "" {
						c.from = []string{from}
					}
					s.set(c)
				}
			}
		}
	case *kql.MvExpandOp:
		for _, x := range v.Items {
			if tt, ok := x.(*kql.ToTypeExpr); ok {
				x = tt.X
			}
			if n, ok := x.(*kql.NamedExpr); ok {
				an.assign(p, s, []kql.Expr{n}, "mv-expand")
			}
		}
	case *kql.PrintOp:
		out := &colState{}
		an.assignTo(p, s, out, v.Exprs, "print")
		p.cols = out
	case *kql.RangeOp:
		if v.Column != nil {
			p.cols = &colState{cols: []column{{name: v.Column.Name, source: "range"}}}
		}
	case *kql.GetSchemaOp:
		p.cols = &colState{cols: []column{{name: "ColumnName", source: "getschema"}, {name: "ColumnOrdinal", source: "getschema"},
			{name: "DataType", source: "getschema"}, {name: "ColumnType", source: "getschema"}}}
	case *kql.WhereOp, *kql.TakeOp, *kql.SortOp, *kql.TopOp, *kql.SampleOp, *kql.ProjectReorderOp, *kql.AsOp,
		*kql.RenderOp, *kql.JoinOp, *kql.LookupOp, *kql.UnionOp, *kql.SearchOp, *kql.ConsumeOp:
		// Same columns (join, lookup and union are merged by the caller).
	default:
		// evaluate, invoke, mv-apply, top-nested, scan, ...: the columns
		// the operator adds are unknown.
		s.open = true
	}
}

// assign adds the columns of extend-like expressions (Name = value) to s.
func (an *analyzer) assign(p *pipe, s *colState, exprs []kql.Expr, src string) {
	an.assignTo(p, s, s, exprs, src)
}

// assignTo adds to out the columns that project-like expressions make,
// resolved against the input columns in.
func (an *analyzer) assignTo(p *pipe, in, out *colState, exprs []kql.Expr, src string) {
	var made []column
	for _, x := range exprs {
		switch v := x.(type) {
		case *kql.Ident:
			if v.Wildcard || strings.Contains(v.Name, "*") {
				for _, c := range in.cols {
					if globMatch(v.Name, c.name) {
						made = append(made, c)
					}
				}
				out.open = out.open || in.open
				continue
			}
			c := column{name: v.Name, source: src}
			if old := in.get(v.Name); old != nil {
				c.origin, c.fold, c.via, c.from = old.origin, old.fold, old.via, old.from
			}
			made = append(made, c)
		case *kql.NamedExpr:
			for i, n := range v.Names {
				if n == nil {
					continue
				}
				c := column{name: n.Name, source: src, via: src}
				if len(v.Names) == 1 {
					c = an.derive(p, in, n.Name, v.Value, src)
				} else if i == 0 {
					c.from = an.columnsIn(p, v.Value)
				}
				made = append(made, c)
			}
		case *kql.StarExpr:
			out.open = true
		}
	}
	// Evaluate every expression against the input before any assignment,
	// as KQL does within one extend.
	for _, c := range made {
		out.set(c)
	}
}

// derive returns the column name = value makes: an alias of a field when
// value is one (possibly through tostring, tolower, column_ifexists, ...),
// else a column computed from the columns value names.
func (an *analyzer) derive(p *pipe, in *colState, name string, value kql.Expr, src string) column {
	c := column{name: name, source: src, via: src}
	saved := p.cols
	p.cols = in
	defer func() { p.cols = saved }()
	if ref, ok := an.fieldOf(p, value, 0); ok && ref.name != "*" {
		if ref.name == name {
			// extend X = tolower(X): the same column, perhaps case-folded.
			c.via = ""
			if old := in.get(name); old != nil {
				c.origin, c.via, c.from = old.origin, old.via, old.from
			}
			c.fold = ref.fold
			return c
		}
		if strings.ContainsAny(ref.name, ".[") {
			// A value out of a dynamic column (EventData.CommandLine,
			// AdditionalFields.PipeName): the rule's own name for it is the
			// field, computed from the column.
			c.from = []string{ref.name}
			return c
		}
		c.origin, c.fold = ref.name, ref.fold
		return c
	}
	c.from = an.columnsIn(p, value)
	return c
}

// columnsIn lists the columns an expression reads (traced to their
// origins), at most eight.
func (an *analyzer) columnsIn(p *pipe, x kql.Expr) []string {
	var out []string
	var visit func(n kql.Node) bool
	visit = func(n kql.Node) bool {
		if len(out) >= 8 {
			return false
		}
		switch v := n.(type) {
		case *kql.CallExpr:
			for _, a := range v.Args {
				kql.Inspect(a, visit)
			}
			return false
		case *kql.NamedExpr:
			kql.Inspect(v.Value, visit)
			return false
		case *kql.ToScalarExpr, *kql.PipeExpr, *kql.LambdaExpr:
			return false
		case *kql.SelectorExpr, *kql.Ident, *kql.IndexExpr:
			if ref, ok := an.fieldOf(p, v.(kql.Expr), 0); ok && ref.name != "*" {
				name := ref.name
				if i := strings.IndexAny(name, ".["); i > 0 {
					name = name[:i]
				}
				if !slices.Contains(out, name) {
					out = append(out, name)
				}
				return false
			}
			if _, ok := v.(*kql.Ident); ok {
				return false
			}
		}
		return true
	}
	kql.Inspect(x, visit)
	return out
}

// aggregate returns the columns of summarize or make-series: the groups,
// then the aggregates.
func (an *analyzer) aggregate(p *pipe, in *colState, groups, aggs []kql.Expr, src string) *colState {
	out := &colState{}
	for _, g := range groups {
		name := groupName(g)
		if name == "" {
			continue
		}
		var c column
		switch v := g.(type) {
		case *kql.NamedExpr:
			c = an.derive(p, in, name, v.Value, src)
		case *kql.CallExpr:
			c = an.derive(p, in, name, v.Args[0], src)
			c.name = name
		default:
			c = an.derive(p, in, name, g, src)
		}
		c.source, c.via = src, ""
		if c.origin == name {
			c.origin = ""
		}
		old := in.get(name)
		switch {
		case old != nil && (c.origin == "" || c.origin == old.origin):
			c.origin, c.fold, c.via, c.from = old.origin, old.fold, old.via, old.from
		case c.origin != "":
			// by P = FileName: P is another name for FileName.
			c.via = src
		}
		out.set(c)
	}
	for _, x := range aggs {
		if d, ok := x.(*kql.DefaultExpr); ok {
			x = d.X
		}
		switch v := x.(type) {
		case *kql.NamedExpr:
			for _, n := range v.Names {
				if n == nil {
					continue
				}
				c := column{name: n.Name, source: src, via: src}
				if call, ok := v.Value.(*kql.CallExpr); ok && call.Fun != nil && len(v.Names) == 1 {
					if isCollectAgg(call) && len(call.Args) > 0 {
						if ref, ok := an.fieldOf(&pipe{cols: in}, call.Args[0], 0); ok && !strings.ContainsAny(ref.name, ".[*") {
							c.origin, c.fold = ref.name, ref.fold
						}
					}
				}
				if c.origin == "" {
					c.from = an.columnsIn(&pipe{cols: in}, v.Value)
				}
				out.set(c)
			}
		case *kql.CallExpr:
			v = unwrapAgg(v)
			names, star := aggNames(v)
			for _, n := range names {
				c := column{name: n, source: src, via: src}
				if old := in.get(n); old != nil && isPassThroughAgg(v) {
					c.origin, c.fold, c.from = old.origin, old.fold, old.from
				}
				if isCollectAgg(v) && len(v.Args) > 0 {
					// set_X holds the values of X: has/contains on it
					// compare X.
					if ref, ok := an.fieldOf(&pipe{cols: in}, v.Args[0], 0); ok && !strings.ContainsAny(ref.name, ".[*") {
						c.origin, c.fold = ref.name, ref.fold
					}
				}
				out.set(c)
			}
			if star {
				out.open = true
			}
		}
	}
	return out
}

// isPassThroughAgg reports aggregates that return their argument columns
// unchanged (arg_max, arg_min, take_any).
func isPassThroughAgg(c *kql.CallExpr) bool {
	switch strings.ToLower(c.Fun.Name) {
	case "arg_max", "arg_min", "take_any", "any", "argmax", "argmin":
		return true
	}
	return false
}

// unwrapAgg returns the aggregate inside a conversion (tostring(make_set(X))
// is named as make_set(X) is).
func unwrapAgg(c *kql.CallExpr) *kql.CallExpr {
	for i := 0; i < 4 && c.Fun != nil && transparent[strings.ToLower(c.Fun.Name)] && len(c.Args) == 1; i++ {
		inner, ok := c.Args[0].(*kql.CallExpr)
		if !ok || inner.Fun == nil {
			break
		}
		c = inner
	}
	return c
}

// isCollectAgg reports aggregates that collect the values of a column
// (make_set, make_list and their _if forms).
func isCollectAgg(c *kql.CallExpr) bool {
	fn := strings.ToLower(c.Fun.Name)
	return strings.HasPrefix(fn, "make_set") || strings.HasPrefix(fn, "make_list") || fn == "makeset" || fn == "makelist"
}

// aggNames returns the columns an unnamed aggregate produces, with KQL's
// default names (count_, dcount_X, set_X, list_X, max_X, ...), and whether
// it passes every input column through (arg_max(T, *), take_any(*)).
func aggNames(c *kql.CallExpr) ([]string, bool) {
	if c.Fun == nil {
		return nil, false
	}
	fn := strings.ToLower(c.Fun.Name)
	argName := func(i int) string {
		if i >= len(c.Args) {
			return ""
		}
		return groupName(c.Args[i])
	}
	switch fn {
	case "count":
		return []string{"count_"}, false
	case "countif":
		return []string{"countif_"}, false
	case "arg_max", "arg_min", "argmax", "argmin", "take_any", "any":
		var out []string
		star := false
		for i, a := range c.Args {
			if _, ok := a.(*kql.StarExpr); ok {
				star = true
				continue
			}
			if n := argName(i); n != "" {
				if fn == "any" {
					n = "any_" + n
				}
				out = append(out, n)
			}
		}
		return out, star
	}
	n := argName(0)
	if n == "" {
		return nil, false
	}
	prefix := fn
	switch {
	case strings.HasPrefix(fn, "make_set") || fn == "makeset":
		prefix = "set"
	case strings.HasPrefix(fn, "make_list") || fn == "makelist":
		prefix = "list"
	case strings.HasPrefix(fn, "make_bag"):
		prefix = "bag"
	}
	return []string{prefix + "_" + n}, false
}
