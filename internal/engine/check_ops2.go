package engine

import (
	"regexp"
	"strings"

	"github.com/detwiki/detwiki/internal/lang/kql"
)

// summarize checks summarize aggs by groups.
func (c *checker) summarize(v *kql.SummarizeOp, in Node, sc *scope) Node {
	for _, p := range v.Params {
		if !strings.HasPrefix(strings.ToLower(p.Name), "hint.") {
			c.fail(p, CodeOperator, "summarize parameter '%s' is not supported by detwiki's engine", p.Name)
		}
	}
	s := in.Schema()
	node := &SummarizeNode{In: in}
	var groupNames []string
	for _, g := range v.Groups {
		name, x := nameOf(g), g
		if ne, ok := g.(*kql.NamedExpr); ok {
			name, x = ne.Names[0].Name, ne.Value
		}
		e := c.fold(c.expr(x, sc, s))
		if v.Bin != nil {
			// legacy: by x bin=1h
			size := c.fold(c.expr(v.Bin, sc, nil))
			e = c.callBuiltin(v.Bin, "bin", []Expr{e, size})
		}
		if name == "" {
			name = columnN(node.Mid)
		}
		name = uniqueName(node.Mid, name)
		node.Groups = append(node.Groups, e)
		node.Mid = append(node.Mid, ColumnDef{Name: name, Type: e.Type()})
		groupNames = append(groupNames, name)
	}
	// outputs: the groups, then each aggregate item
	for i, g := range node.Mid {
		node.Post = append(node.Post, &colRef{Index: i, Name: g.Name, T: g.Type})
		node.Out = append(node.Out, g)
	}
	for _, it := range v.Aggs {
		var names []*kql.Ident
		x := it
		if ne, ok := it.(*kql.NamedExpr); ok {
			names, x = ne.Names, ne.Value
		}
		call, direct := x.(*kql.CallExpr)
		if direct && isAggregate(call.Fun.Name) {
			agg := c.aggregate(call, s, sc)
			first := len(node.Mid)
			for k, o := range agg.OutCols {
				node.Mid = append(node.Mid, ColumnDef{Name: "__agg" + itoa(first+k), Type: o.Type})
				// arg_max(x, *) returns the input columns except the groups
				if agg.Star && k > 0 && contains(groupNames, o.Name) {
					continue
				}
				name := o.Name
				if k < len(names) {
					name = names[k].Name
				}
				name = uniqueName(node.Out, name)
				node.Post = append(node.Post, &colRef{Index: first + k, Name: name, T: o.Type})
				node.Out = append(node.Out, ColumnDef{Name: name, Type: o.Type})
			}
			node.Aggs = append(node.Aggs, agg)
			continue
		}
		// aggregates inside a larger expression: each becomes a hidden
		// result and the expression is computed after grouping
		name := ""
		if len(names) > 0 {
			name = names[0].Name
		} else if n := wrappedAggName(x, s, sc, c); n != "" {
			name = n // tostring(make_set(x)) is set_x, as in Kusto
		} else {
			name = columnN(node.Out)
		}
		post := c.aggExpr(x, s, sc, node)
		name = uniqueName(node.Out, name)
		node.Post = append(node.Post, c.fold(post))
		node.Out = append(node.Out, ColumnDef{Name: name, Type: post.Type()})
	}
	return node
}

// wrappedAggName returns the name of the one aggregate call inside a
// conversion (tostring(make_set(x)), todynamic(...)), or "".
func wrappedAggName(x kql.Expr, s Schema, sc *scope, c *checker) string {
	call, ok := x.(*kql.CallExpr)
	if !ok || len(call.Args) != 1 {
		return ""
	}
	switch strings.ToLower(call.Fun.Name) {
	case "tostring", "todynamic", "toint", "tolong", "todouble", "toreal", "tobool", "todatetime", "totimespan", "array_sort_asc", "array_sort_desc":
	default:
		return ""
	}
	inner, ok := call.Args[0].(*kql.CallExpr)
	if !ok {
		return wrappedAggName(call.Args[0], s, sc, c)
	}
	if !isAggregate(inner.Fun.Name) {
		return wrappedAggName(inner, s, sc, c)
	}
	agg := c.aggregate(inner, s, sc)
	if len(agg.OutCols) != 1 {
		return ""
	}
	return agg.OutCols[0].Name
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// aggExpr checks an expression holding aggregate calls: the calls become
// references to hidden aggregate results in node.Mid.
func (c *checker) aggExpr(x kql.Expr, s Schema, sc *scope, node *SummarizeNode) Expr {
	// substitute: check the expression in a scope where each aggregate call
	// is bound to a placeholder column of Mid
	sub := sc.child()
	var calls []*kql.CallExpr
	kql.Inspect(x, func(n kql.Node) bool {
		if call, ok := n.(*kql.CallExpr); ok && isAggregate(call.Fun.Name) {
			calls = append(calls, call)
			return false
		}
		return true
	})
	if len(calls) == 0 {
		c.fail(x, CodeSemantic, "summarize needs an aggregate function here")
	}
	rewritten := map[kql.Node]string{}
	for _, call := range calls {
		agg := c.aggregate(call, s, sc)
		if len(agg.OutCols) != 1 {
			c.fail(call, CodeSemantic, "'%s' cannot be used inside an expression", call.Fun.Name)
		}
		name := "__agg" + itoa(len(node.Mid))
		node.Mid = append(node.Mid, ColumnDef{Name: name, Type: agg.OutCols[0].Type})
		node.Aggs = append(node.Aggs, agg)
		rewritten[call] = name
	}
	c.aggRewrite = rewritten
	defer func() { c.aggRewrite = nil }()
	return c.expr(x, sub, node.Mid)
}

// join checks join kind=... (Right) on keys.
func (c *checker) join(v *kql.JoinOp, in Node, sc *scope) Node {
	kind := strings.ToLower(v.Kind())
	for _, p := range v.Params {
		n := strings.ToLower(p.Name)
		if n != "kind" && !strings.HasPrefix(n, "hint.") {
			c.fail(p, CodeOperator, "join parameter '%s' is not supported by detwiki's engine", p.Name)
		}
	}
	switch kind {
	case "anti", "leftantisemi":
		kind = "leftanti"
	case "rightantisemi":
		kind = "rightanti"
	case "semi":
		kind = "leftsemi"
	case "inner", "innerunique", "leftouter", "rightouter", "fullouter", "leftsemi", "rightsemi", "leftanti", "rightanti":
	default:
		c.fail(v, CodeOperator, "join kind '%s' is not supported", kind)
	}
	if v.Where != nil {
		c.fail(v.Where, CodeOperator, "join ... where (non-equality joins) is not supported by detwiki's engine")
	}
	right := c.tabular(v.Right, sc)
	ls, rs := in.Schema(), right.Schema()
	lk, rk := c.joinKeys(v.Conds, ls, rs, sc)
	node := &JoinNode{Left: in, Right: right, Kind: kind, LeftKeys: lk, RightKeys: rk}
	switch kind {
	case "leftsemi", "leftanti":
		for i, col := range ls {
			node.Out = append(node.Out, col)
			node.LeftCol = append(node.LeftCol, i)
			node.RightCol = append(node.RightCol, -1)
		}
	case "rightsemi", "rightanti":
		for i, col := range rs {
			node.Out = append(node.Out, col)
			node.LeftCol = append(node.LeftCol, -1)
			node.RightCol = append(node.RightCol, i)
		}
	default:
		for i, col := range ls {
			node.Out = append(node.Out, col)
			node.LeftCol = append(node.LeftCol, i)
			node.RightCol = append(node.RightCol, -1)
		}
		for i, col := range rs {
			col.Name = uniqueName(node.Out, col.Name)
			node.Out = append(node.Out, col)
			node.LeftCol = append(node.LeftCol, -1)
			node.RightCol = append(node.RightCol, i)
		}
	}
	return node
}

// joinKeys resolves on a, $left.b == $right.c.
func (c *checker) joinKeys(conds []kql.Expr, ls, rs Schema, sc *scope) (lk, rk []int) {
	var flat []kql.Expr
	var add func(x kql.Expr)
	add = func(x kql.Expr) {
		if b, ok := x.(*kql.BinaryExpr); ok && b.Op == kql.AND {
			add(b.X)
			add(b.Y)
			return
		}
		if p, ok := x.(*kql.ParenExpr); ok {
			add(p.X)
			return
		}
		flat = append(flat, x)
	}
	for _, x := range conds {
		add(x)
	}
	if len(flat) == 0 {
		c.fail(nil, CodeSemantic, "join needs 'on' keys")
	}
	side := func(x kql.Expr) (string, *kql.Ident) {
		sel, ok := x.(*kql.SelectorExpr)
		if !ok {
			return "", nil
		}
		l, ok1 := sel.X.(*kql.Ident)
		r, ok2 := sel.Sel.(*kql.Ident)
		if !ok1 || !ok2 {
			return "", nil
		}
		return l.Name, r
	}
	for _, x := range flat {
		switch v := x.(type) {
		case *kql.Ident:
			li, ri := ls.Index(v.Name), rs.Index(v.Name)
			if li < 0 {
				c.unknownColumn(v, ls)
			}
			if ri < 0 {
				c.unknownColumn(v, rs)
			}
			lk, rk = append(lk, li), append(rk, ri)
			continue
		case *kql.BinaryExpr:
			if v.Op == kql.EQL {
				a, ai := side(v.X)
				b, bi := side(v.Y)
				if a == "$right" && b == "$left" {
					a, ai, b, bi = b, bi, a, ai
				}
				if a == "$left" && b == "$right" {
					li, ri := ls.Index(ai.Name), rs.Index(bi.Name)
					if li < 0 {
						c.unknownColumn(ai, ls)
					}
					if ri < 0 {
						c.unknownColumn(bi, rs)
					}
					lk, rk = append(lk, li), append(rk, ri)
					continue
				}
			}
		}
		c.fail(x, CodeOperator, "join condition '%s' is not an equality of columns ($left.a == $right.b)", kql.Text(c.text, x))
	}
	return lk, rk
}

// lookup checks lookup kind=leftouter|inner (Right) on keys.
func (c *checker) lookup(v *kql.LookupOp, in Node, sc *scope) Node {
	kind := strings.ToLower(v.Kind())
	if kind != "leftouter" && kind != "inner" {
		c.fail(v, CodeOperator, "lookup kind '%s' is not supported", kind)
	}
	right := c.tabular(v.Right, sc)
	ls, rs := in.Schema(), right.Schema()
	lk, rk := c.joinKeys(v.Conds, ls, rs, sc)
	node := &JoinNode{Left: in, Right: right, Kind: kind, LeftKeys: lk, RightKeys: rk, Lookup: true}
	for i, col := range ls {
		node.Out = append(node.Out, col)
		node.LeftCol = append(node.LeftCol, i)
		node.RightCol = append(node.RightCol, -1)
	}
	isKey := map[int]bool{}
	for _, k := range rk {
		isKey[k] = true
	}
	for i, col := range rs {
		if isKey[i] {
			continue
		}
		col.Name = uniqueName(node.Out, col.Name)
		node.Out = append(node.Out, col)
		node.LeftCol = append(node.LeftCol, -1)
		node.RightCol = append(node.RightCol, i)
	}
	if kind == "leftouter" {
		node.Kind = "lookupleft"
	} else {
		node.Kind = "lookupinner"
	}
	return node
}

// mvItems checks mv-expand / mv-apply items against s; it returns the
// items and the output schema (expanded columns replace their input column
// or are appended).
func (c *checker) mvItems(items []kql.Expr, s Schema, sc *scope) ([]mvItem, Schema, []int) {
	out := s.clone()
	keep := make([]int, len(s))
	for i := range keep {
		keep[i] = i
	}
	var res []mvItem
	for _, it := range items {
		x := it
		t := TypeDynamic
		if tt, ok := x.(*kql.ToTypeExpr); ok {
			x = tt.X
			if tt.Type != nil && len(tt.Type.Types) == 1 {
				if te, ok := tt.Type.Types[0].(*kql.TypeExpr); ok {
					if typ, ok := ParseType(te.Name); ok {
						t = typ
					}
				}
			}
		}
		name := nameOf(x)
		if ne, ok := x.(*kql.NamedExpr); ok {
			name, x = ne.Names[0].Name, ne.Value
			if tt, ok := x.(*kql.ToTypeExpr); ok {
				x = tt.X
				if tt.Type != nil && len(tt.Type.Types) == 1 {
					if te, ok := tt.Type.Types[0].(*kql.TypeExpr); ok {
						if typ, ok := ParseType(te.Name); ok {
							t = typ
						}
					}
				}
			}
		}
		if name == "" {
			name = columnN(out)
		}
		e := c.expr(x, sc, s)
		col := out.Index(name)
		if col >= 0 {
			out[col] = ColumnDef{Name: name, Type: t}
		} else {
			col = len(out)
			out = append(out, ColumnDef{Name: name, Type: t})
		}
		res = append(res, mvItem{X: e, Name: name, T: t, Col: col})
	}
	return res, out, keep
}

func (c *checker) mvExpand(params []*kql.NamedParam, items []kql.Expr, limit kql.Expr, in Node, sc *scope, at kql.Node) Node {
	// bags expand into single-property bags unless kind=array
	node := &MvExpandNode{In: in, IndexCol: -1, Limit: -1, Bag: true}
	var indexName string
	for _, p := range params {
		switch strings.ToLower(p.Name) {
		case "kind", "bagexpansion":
			if id, ok := p.Value.(*kql.Ident); ok && id.Name == "array" {
				node.Bag = false
			} else {
				node.Bag = true
			}
		case "with_itemindex":
			if id, ok := p.Value.(*kql.Ident); ok {
				indexName = id.Name
			}
		default:
			c.fail(p, CodeOperator, "mv-expand parameter '%s' is not supported by detwiki's engine", p.Name)
		}
	}
	node.Items, node.Out, node.Keep = c.mvItems(items, in.Schema(), sc)
	if indexName != "" {
		node.IndexCol = len(node.Out)
		node.Out = append(node.Out, ColumnDef{Name: indexName, Type: TypeLong})
	}
	if limit != nil {
		e := c.foldConst(c.expr(limit, sc, nil))
		if k, ok := e.(*constExpr); ok {
			node.Limit = Convert(k.V, TypeLong).I
		}
	}
	return node
}

func (c *checker) mvApply(v *kql.MvApplyOp, in Node, sc *scope) Node {
	for _, p := range v.Params {
		c.fail(p, CodeOperator, "mv-apply parameter '%s' is not supported by detwiki's engine", p.Name)
	}
	if v.ID != nil {
		c.fail(v.ID, CodeOperator, "mv-apply id is not supported by detwiki's engine")
	}
	items, schema, keep := c.mvItems(v.Items, in.Schema(), sc)
	input := &applyInput{Cols: schema}
	sub := c.applySub(v.Subquery, input, sc)
	node := &MvApplyNode{In: in, Items: items, Input: input, Sub: sub}
	subS := sub.Schema()
	var kept []int
	for _, i := range keep {
		name := schema[i].Name
		if subS.Index(name) < 0 && !isItemCol(items, i) {
			kept = append(kept, i)
			node.Out = append(node.Out, in.Schema()[i])
		}
	}
	node.Keep = kept
	node.Out = append(node.Out, subS...)
	return node
}

func isItemCol(items []mvItem, col int) bool {
	for _, it := range items {
		if it.Col == col {
			return true
		}
	}
	return false
}

// applySub checks the mv-apply subquery: a pipeline of operators over the
// expanded rows.
func (c *checker) applySub(x kql.Expr, input *applyInput, sc *scope) Node {
	for {
		p, ok := x.(*kql.ParenExpr)
		if !ok {
			break
		}
		x = p.X
	}
	var n Node = input
	switch v := x.(type) {
	case *kql.PipeExpr:
		op, ok := v.Source.(kql.Operator)
		if !ok {
			c.fail(v, CodeOperator, "mv-apply subqueries that read another table are not supported by detwiki's engine")
		}
		n = c.operator(op, n, sc)
		for _, o := range v.Ops {
			n = c.operator(o, n, sc)
		}
	case kql.Operator:
		n = c.operator(v, n, sc)
	default:
		c.fail(x, CodeSemantic, "mv-apply needs a subquery of operators")
	}
	return n
}

// parse checks parse / parse-where.
func (c *checker) parse(v *kql.ParseOp, in Node, sc *scope) Node {
	kind := "simple"
	flags := ""
	for _, p := range v.Params {
		switch strings.ToLower(p.Name) {
		case "kind":
			if id, ok := p.Value.(*kql.Ident); ok {
				kind = strings.ToLower(id.Name)
			}
		case "flags":
			if id, ok := p.Value.(*kql.Ident); ok {
				flags = id.Name
			}
		default:
			c.fail(p, CodeOperator, "parse parameter '%s' is not supported by detwiki's engine", p.Name)
		}
	}
	if kind != "simple" && kind != "regex" && kind != "relaxed" {
		c.fail(v, CodeOperator, "parse kind '%s' is not supported", kind)
	}
	s := in.Schema()
	src := c.expr(v.Source, sc, s)
	pat := &parsePattern{Kind: kind}
	var re strings.Builder
	if flags != "" {
		// Kusto's regex flags are RE2's: U ungreedy, i, m, s
		var f strings.Builder
		for _, ch := range flags {
			switch ch {
			case 'U':
				f.WriteRune('U')
			case 'i', 'm', 's', 'I', 'M', 'S':
				f.WriteRune(ch | 0x20)
			default:
				c.fail(v, CodeOperator, "parse flag '%c' is not a regex flag (U, i, m, s)", ch)
			}
		}
		re.WriteString("(?" + f.String() + ")")
	}
	re.WriteString("^")
	out := s.clone()
	for i, el := range v.Pattern {
		last := i == len(v.Pattern)-1
		switch e := el.(type) {
		case *kql.BasicLit:
			s, ok := e.StringValue()
			if !ok {
				s = e.Value()
			}
			if kind == "regex" {
				re.WriteString(s)
			} else {
				re.WriteString(regexp.QuoteMeta(s))
			}
			pat.Steps = append(pat.Steps, parseStep{Lit: s, Capture: -1})
		case *kql.StarExpr:
			pat.Steps = append(pat.Steps, parseStep{Capture: -2})
			if last {
				re.WriteString(".*")
			} else {
				re.WriteString(".*?")
			}
		case *kql.Ident:
			// a let-bound string used as a pattern piece
			b := sc.lookup(e.Name)
			if b == nil || b.scalar == nil {
				c.fail(e, CodeSemantic, "parse pattern '%s' is not a string constant", e.Name)
			}
			k, ok := c.foldConst(b.scalar).(*constExpr)
			if !ok {
				c.fail(e, CodeSemantic, "parse pattern '%s' is not a string constant", e.Name)
			}
			if kind == "regex" {
				re.WriteString(k.V.String())
			} else {
				re.WriteString(regexp.QuoteMeta(k.V.String()))
			}
			pat.Steps = append(pat.Steps, parseStep{Lit: k.V.String(), Capture: -1})
		case *kql.Param:
			t := TypeString
			if e.Type != nil {
				tt, ok := ParseType(e.Type.Name)
				if !ok {
					c.fail(e, CodeType, "unknown type '%s'", e.Type.Name)
				}
				t = tt
			}
			name := e.Name.Name
			re.WriteString("(" + captureRegex(t, last, kind) + ")")
			col := out.Index(name)
			if col >= 0 {
				out[col] = ColumnDef{Name: name, Type: t}
			} else {
				col = len(out)
				out = append(out, ColumnDef{Name: name, Type: t})
			}
			pat.Steps = append(pat.Steps, parseStep{Capture: len(pat.Cols)})
			pat.Cols = append(pat.Cols, col)
			pat.Types = append(pat.Types, t)
		default:
			c.fail(el, CodeSemantic, "unexpected parse pattern element")
		}
	}
	rx, err := regexp.Compile(re.String())
	if err != nil {
		c.fail(v, CodeSemantic, "parse pattern is not a valid regular expression: %v", err)
	}
	pat.Re = rx
	pat.Steps = mergeLiterals(pat.Steps)
	pat.Plain = kind != "regex" && flags == ""
	for _, t := range pat.Types {
		if t != TypeString {
			pat.Plain = false
		}
	}
	return &ParseNode{In: in, Src: src, Pattern: pat, Where: v.Kw == kql.PARSE_WHERE, Out: out, NIn: len(s)}
}

// parsePattern is a compiled parse pattern: a regex with one group per
// captured column.
type parsePattern struct {
	Kind  string
	Re    *regexp.Regexp
	Cols  []int
	Types []Type
	// Plain marks a pattern of literals, '*' and string captures only:
	// matchPlain runs it without the regex (same result).
	Plain bool
	Steps []parseStep
}

// parseStep is one element of a parse pattern: a literal (Capture -1), a
// '*' (Capture -2) or the capture of the n-th column (Capture n).
type parseStep struct {
	Lit     string
	Capture int
}

// mergeLiterals joins adjacent literal steps: a wildcard before "a" "b"
// must stop at "ab", not at the first "a".
func mergeLiterals(steps []parseStep) []parseStep {
	var out []parseStep
	for _, st := range steps {
		if n := len(out); n > 0 && st.Capture == -1 && out[n-1].Capture == -1 {
			out[n-1].Lit += st.Lit
			continue
		}
		out = append(out, st)
	}
	return out
}

// matchPlain matches a Plain pattern the way its regex would: ^, each '*'
// and capture lazy (.*?, the last one greedy .*), literals literal. Lazy
// wildcards before a literal stop at the literal's first occurrence, which
// is the leftmost-first regex match. '.' does not match a newline in the
// regex, so strings with one go to the regex (ok false).
func (p *parsePattern) matchPlain(s string) (vals []string, matched, ok bool) {
	if strings.IndexByte(s, '\n') >= 0 {
		return nil, false, false
	}
	vals = make([]string, len(p.Cols))
	pos := 0
	for i := 0; i < len(p.Steps); i++ {
		st := p.Steps[i]
		if st.Capture == -1 {
			if !strings.HasPrefix(s[pos:], st.Lit) {
				return nil, false, true
			}
			pos += len(st.Lit)
			continue
		}
		// a wildcard: find the next literal, if any, right after it
		if i+1 == len(p.Steps) {
			if st.Capture >= 0 {
				vals[st.Capture] = s[pos:]
			}
			pos = len(s)
			continue
		}
		next := p.Steps[i+1]
		if next.Capture != -1 {
			continue // lazy: matches nothing, the next wildcard takes over
		}
		j := strings.Index(s[pos:], next.Lit)
		if j < 0 {
			return nil, false, true
		}
		if st.Capture >= 0 {
			vals[st.Capture] = s[pos : pos+j]
		}
		pos += j
	}
	return vals, true, true
}

// captureRegex is what a typed capture matches (as Kusto's parse does).
func captureRegex(t Type, last bool, kind string) string {
	switch t {
	case TypeInt, TypeLong:
		return `[-+]?\d+`
	case TypeReal, TypeDecimal:
		return `[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`
	case TypeBool:
		return `(?i:true|false)`
	}
	if last {
		return `.*`
	}
	return `.*?`
}

// makeSeries checks make-series.
func (c *checker) makeSeries(v *kql.MakeSeriesOp, in Node, sc *scope) Node {
	s := in.Schema()
	node := &MakeSeriesNode{In: in}
	for _, g := range v.Groups {
		name, x := nameOf(g), g
		if ne, ok := g.(*kql.NamedExpr); ok {
			name, x = ne.Names[0].Name, ne.Value
		}
		if name == "" {
			name = columnN(node.Out)
		}
		e := c.expr(x, sc, s)
		node.Groups = append(node.Groups, e)
		node.Out = append(node.Out, ColumnDef{Name: name, Type: e.Type()})
	}
	for _, it := range v.Aggs {
		x := it
		var def kql.Expr
		if d, ok := x.(*kql.DefaultExpr); ok {
			x, def = d.X, d.Value
		}
		name := ""
		if ne, ok := x.(*kql.NamedExpr); ok {
			name, x = ne.Names[0].Name, ne.Value
			if d, ok := x.(*kql.DefaultExpr); ok {
				x, def = d.X, d.Value
			}
		}
		call, ok := x.(*kql.CallExpr)
		if !ok || !isAggregate(call.Fun.Name) {
			c.fail(x, CodeSemantic, "make-series needs aggregate functions")
		}
		agg := c.aggregate(call, s, sc)
		if len(agg.OutCols) != 1 {
			c.fail(call, CodeOperator, "'%s' is not supported in make-series", call.Fun.Name)
		}
		if name == "" {
			name = agg.OutCols[0].Name
		}
		dv := NullOf(agg.OutCols[0].Type)
		if agg.OutCols[0].Type.isNumeric() {
			dv = Convert(Long(0), agg.OutCols[0].Type)
		}
		if def != nil {
			if k, ok := c.foldConst(c.expr(def, sc, nil)).(*constExpr); ok {
				dv = k.V
			}
		}
		node.Aggs = append(node.Aggs, agg)
		node.Defaults = append(node.Defaults, dv)
		node.Out = append(node.Out, ColumnDef{Name: uniqueName(node.Out, name), Type: TypeDynamic})
	}
	node.Axis = c.expr(v.Axis, sc, s)
	axisName := nameOf(v.Axis)
	if axisName == "" {
		axisName = columnN(node.Out)
	}
	if v.InRange != nil {
		if len(v.InRange.Elems) != 3 {
			c.fail(v.InRange, CodeSemantic, "in range() needs start, stop and step")
		}
		node.From = c.fold(c.expr(v.InRange.Elems[0], sc, nil))
		node.To = c.fold(c.expr(v.InRange.Elems[1], sc, nil))
		node.Step = c.fold(c.expr(v.InRange.Elems[2], sc, nil))
	} else {
		if v.From != nil {
			node.From = c.fold(c.expr(v.From, sc, nil))
		}
		if v.To != nil {
			node.To = c.fold(c.expr(v.To, sc, nil))
		}
		if v.Step == nil {
			c.fail(v, CodeSemantic, "make-series needs a step")
		}
		node.Step = c.fold(c.expr(v.Step, sc, nil))
	}
	// the axis comes before the aggregates in Kusto's output: groups,
	// aggregates, axis; Kusto puts the axis after the aggregates.
	node.Out = append(node.Out, ColumnDef{Name: uniqueName(node.Out, axisName), Type: TypeDynamic})
	return node
}
