package engine

import (
	"strings"

	"github.com/detwiki/detwiki/internal/lang/kql"
)

// Plugins whose output columns depend on the data: evaluate bag_unpack
// (one column per property of the bags) and evaluate pivot (one column per
// distinct value of the pivot column). Kusto finds those columns by running
// the query; detwiki checks a query once, before it sees any data, so the
// columns are bound late: the columns the query names after the plugin
// (directly or with column_ifexists) become its output columns, typed
// string for bag_unpack (Windows event data is text) and the aggregate's
// type for pivot. A column the data has and the query never names is not
// produced. An OutputSchema (`: (a:string, ...)`) fixes the columns as in
// Kusto.

type (
	// BagUnpackNode is evaluate bag_unpack(Column [, Prefix]).
	BagUnpackNode struct {
		In     Node
		Bag    int    // the input column unpacked
		Prefix string // OutputColumnPrefix
		Keep   []int  // input columns kept, first in Out
		Keys   []string
		Types  []Type
		Fixed  bool // an OutputSchema: no late columns
		Out    Schema
	}

	// PivotNode is evaluate pivot(Key [, agg] [, group columns]).
	PivotNode struct {
		In     Node
		Key    Expr
		Agg    *aggCall
		Groups []Expr
		Values []string // the pivot values the query names, after the groups in Out
		Out    Schema
	}
)

func (n *BagUnpackNode) Schema() Schema { return n.Out }
func (n *PivotNode) Schema() Schema     { return n.Out }

// addColumn returns the output column holding property name (with the
// prefix), adding it when new.
func (n *BagUnpackNode) addColumn(name string) (int, Type, bool) {
	if n.Fixed || !strings.HasPrefix(name, n.Prefix) {
		return 0, 0, false
	}
	key := name[len(n.Prefix):]
	for k, have := range n.Keys {
		if have == key {
			return len(n.Keep) + k, n.Types[k], true
		}
	}
	n.Keys = append(n.Keys, key)
	n.Types = append(n.Types, TypeString)
	n.Out = append(n.Out[:len(n.Out):len(n.Out)], ColumnDef{Name: name, Type: TypeString})
	return len(n.Out) - 1, TypeString, true
}

func (n *PivotNode) addColumn(name string) (int, Type, bool) {
	t := n.Agg.OutCols[0].Type
	for k, have := range n.Values {
		if have == name {
			return len(n.Groups) + k, t, true
		}
	}
	n.Values = append(n.Values, name)
	n.Out = append(n.Out[:len(n.Out):len(n.Out)], ColumnDef{Name: name, Type: t})
	return len(n.Out) - 1, t, true
}

// lateColumn returns the position in n's output of the data-dependent
// column name: it finds the bag_unpack or pivot under n through operators
// that pass every input column on (where, extend, parse, sort, take,
// serialize, let, join), adds the column there and passes it up.
func lateColumn(n Node, name string, depth int) (int, Type, Node, bool) {
	if depth > 200 {
		return 0, 0, nil, false
	}
	switch x := n.(type) {
	case *BagUnpackNode:
		i, t, ok := x.addColumn(name)
		return i, t, x, ok
	case *PivotNode:
		i, t, ok := x.addColumn(name)
		return i, t, x, ok
	case *FilterNode:
		return lateColumn(x.In, name, depth+1)
	case *SortNode:
		return lateColumn(x.In, name, depth+1)
	case *TakeNode:
		return lateColumn(x.In, name, depth+1)
	case *SerializeNode:
		return lateColumn(x.In, name, depth+1)
	case *SharedNode:
		return lateColumn(x.In, name, depth+1)
	case *ParseNode:
		i, t, open, ok := lateColumn(x.In, name, depth+1)
		if !ok {
			return 0, 0, nil, false
		}
		for _, m := range x.Late {
			if m[0] == i {
				return m[1], t, open, true
			}
		}
		x.Out = append(x.Out[:len(x.Out):len(x.Out)], ColumnDef{Name: name, Type: t})
		x.Late = append(x.Late, [2]int{i, len(x.Out) - 1})
		return len(x.Out) - 1, t, open, true
	case *JoinNode:
		if x.Out.Index(name) >= 0 {
			return 0, 0, nil, false
		}
		sides := []bool{true, false} // left first
		switch x.Kind {
		case "leftsemi", "leftanti":
			sides = []bool{true}
		case "rightsemi", "rightanti":
			sides = []bool{false}
		}
		for _, left := range sides {
			in := x.Right
			if left {
				in = x.Left
			}
			i, t, open, ok := lateColumn(in, name, depth+1)
			if !ok {
				continue
			}
			x.Out = append(x.Out[:len(x.Out):len(x.Out)], ColumnDef{Name: name, Type: t})
			if left {
				x.LeftCol = append(x.LeftCol, i)
				x.RightCol = append(x.RightCol, -1)
			} else {
				x.LeftCol = append(x.LeftCol, -1)
				x.RightCol = append(x.RightCol, i)
			}
			return len(x.Out) - 1, t, open, true
		}
		return 0, 0, nil, false
	case *ProjectNode:
		if !x.Extend {
			return 0, 0, nil, false
		}
		i, t, open, ok := lateColumn(x.In, name, depth+1)
		if !ok {
			return 0, 0, nil, false
		}
		for j, e := range x.Exprs {
			if r, isRef := e.(*colRef); isRef && r.Index == i && x.Out[j].Name == name {
				return j, t, open, true
			}
		}
		x.Exprs = append(x.Exprs[:len(x.Exprs):len(x.Exprs)], &colRef{Index: i, Name: name, T: t})
		x.Out = append(x.Out[:len(x.Out):len(x.Out)], ColumnDef{Name: name, Type: t})
		return len(x.Out) - 1, t, open, true
	}
	return 0, 0, nil, false
}

// ifExistsExpr is column_ifexists(name, default) of a late-bound column:
// the column when the data has it (some bag has the property, some row
// the pivot value), else the default, as Kusto decides on the schema it
// finds.
type ifExistsExpr struct {
	Open    Node
	Name    string
	X       Expr
	Default Expr
}

func (e *ifExistsExpr) Type() Type { return e.X.Type() }
func (e *ifExistsExpr) eval(ctx *execCtx, ch *Chunk) (*Column, error) {
	if ctx.lateSeen[e.Open][e.Name] {
		return e.X.eval(ctx, ch)
	}
	return e.Default.eval(ctx, ch)
}

// sawColumn records that the data has the late-bound column name of n.
func (ctx *execCtx) sawColumn(n Node, name string) {
	if ctx.lateSeen == nil {
		ctx.lateSeen = map[Node]map[string]bool{}
	}
	if ctx.lateSeen[n] == nil {
		ctx.lateSeen[n] = map[string]bool{}
	}
	ctx.lateSeen[n][name] = true
}

// lateRef resolves name as a late-bound column of the operator's input
// (c.input), when s is that input's schema; nil otherwise.
func (c *checker) lateRef(name string, s Schema) Expr {
	e, _ := c.lateRefNode(name, s)
	return e
}

// lateIfExists is column_ifexists(name, def) over a late-bound column.
func (c *checker) lateIfExists(name string, s Schema, def Expr) Expr {
	e, open := c.lateRefNode(name, s)
	if e == nil {
		return nil
	}
	if def.Type() != e.Type() && def.Type() != TypeUnknown {
		e = c.convertExpr(e, def.Type())
	}
	return &ifExistsExpr{Open: open, Name: name, X: e, Default: def}
}

func (c *checker) lateRefNode(name string, s Schema) (Expr, Node) {
	in := c.input
	if in == nil || name == "" {
		return nil, nil
	}
	// s is the input's schema, or what it was before late columns were
	// added to it while checking this operator
	cs := in.Schema()
	if len(s) > len(cs) {
		return nil, nil
	}
	for i := range s {
		if s[i].Name != cs[i].Name || s[i].Type != cs[i].Type {
			return nil, nil
		}
	}
	i, t, open, ok := lateColumn(in, name, 0)
	if !ok {
		return nil, nil
	}
	return &colRef{Index: i, Name: name, T: t}, open
}

// evaluate checks evaluate bag_unpack and evaluate pivot; other plugins
// are diagnostics.
func (c *checker) evaluate(v *kql.EvaluateOp, in Node, sc *scope) Node {
	call, ok := v.Plugin.(*kql.CallExpr)
	if !ok {
		c.fail(v, CodeOperator, "operator 'evaluate' needs a plugin call")
	}
	name := strings.ToLower(call.Fun.Name)
	if in == nil {
		c.fail(v, CodeSemantic, "operator 'evaluate %s' needs an input table", name)
	}
	switch name {
	case "bag_unpack":
		return c.bagUnpack(v, call, in, sc)
	case "pivot":
		return c.pivot(v, call, in, sc)
	}
	c.fail(v, CodeOperator, "operator 'evaluate %s' is not supported by detwiki's engine (plugins compute their schema from the data)", call.Fun.Name)
	return nil
}

func (c *checker) bagUnpack(v *kql.EvaluateOp, call *kql.CallExpr, in Node, sc *scope) Node {
	if len(call.Args) < 1 || len(call.Args) > 4 {
		c.fail(call, CodeType, "bag_unpack takes a column and up to three options")
	}
	s := in.Schema()
	id, ok := call.Args[0].(*kql.Ident)
	if !ok {
		c.fail(call.Args[0], CodeType, "bag_unpack needs a column name")
	}
	bag := s.Index(id.Name)
	if bag < 0 {
		c.unknownColumn(id, s)
	}
	if s[bag].Type != TypeDynamic {
		c.fail(id, CodeType, "bag_unpack needs a dynamic column, '%s' is %s", id.Name, s[bag].Type)
	}
	node := &BagUnpackNode{In: in, Bag: bag}
	if len(call.Args) > 1 {
		k, ok := c.foldConst(c.expr(call.Args[1], sc, nil)).(*constExpr)
		if !ok || k.V.T != TypeString {
			c.fail(call.Args[1], CodeType, "bag_unpack's column prefix must be a string constant")
		}
		node.Prefix = k.V.S
	}
	if len(call.Args) > 2 {
		c.fail(call.Args[2], CodeOperator, "bag_unpack's columnsConflict and ignoredProperties are not supported by detwiki's engine")
	}
	for i, col := range s {
		if i != bag {
			node.Keep = append(node.Keep, i)
			node.Out = append(node.Out, col)
		}
	}
	if v.Schema != nil {
		node.Fixed = true
		var out Schema
		for _, p := range v.Schema.Columns {
			if p.Name == nil {
				continue
			}
			if p.Name.Name == "*" {
				out = append(out, node.Out...)
				continue
			}
			t := TypeDynamic
			if p.Type != nil {
				if tt, ok := ParseType(p.Type.Name); ok {
					t = tt
				}
			}
			if out.Index(p.Name.Name) >= 0 {
				continue
			}
			out = append(out, ColumnDef{Name: p.Name.Name, Type: t})
		}
		// kept input columns the schema leaves out are dropped; the others
		// are bag properties
		var keep []int
		var keys []string
		var types []Type
		var final Schema
		for _, col := range out {
			if j := s.Index(col.Name); j >= 0 && j != bag && col.Type == s[j].Type {
				keep = append(keep, j)
				final = append(final, s[j])
			}
		}
		for _, col := range out {
			if j := s.Index(col.Name); j >= 0 && j != bag && col.Type == s[j].Type {
				continue
			}
			keys = append(keys, strings.TrimPrefix(col.Name, node.Prefix))
			types = append(types, col.Type)
			final = append(final, col)
		}
		node.Keep, node.Keys, node.Types, node.Out = keep, keys, types, final
	}
	return node
}

func (c *checker) pivot(v *kql.EvaluateOp, call *kql.CallExpr, in Node, sc *scope) Node {
	if v.Schema != nil {
		c.fail(v.Schema, CodeOperator, "pivot with an output schema is not supported by detwiki's engine")
	}
	if len(call.Args) < 1 {
		c.fail(call, CodeType, "pivot needs a pivot column")
	}
	s := in.Schema()
	node := &PivotNode{In: in, Key: c.expr(call.Args[0], sc, s)}
	args := call.Args[1:]
	used := map[int]bool{}
	markUsed := func(e Expr) {
		walkExpr(e, func(x Expr) {
			if r, ok := x.(*colRef); ok {
				used[r.Index] = true
			}
		})
	}
	markUsed(node.Key)
	if len(args) > 0 {
		if agg, ok := args[0].(*kql.CallExpr); ok && isAggregate(agg.Fun.Name) {
			node.Agg = c.aggregate(agg, s, sc)
			for _, a := range node.Agg.Args {
				markUsed(a)
			}
			args = args[1:]
		}
	}
	if node.Agg == nil {
		node.Agg = c.aggregate(&kql.CallExpr{Fun: &kql.Ident{NamePos: call.Pos(), EndPos: call.Pos(), Name: "count"}, Lparen: call.Pos(), Rparen: call.Pos()}, s, sc)
	}
	if len(node.Agg.OutCols) != 1 {
		c.fail(call, CodeOperator, "pivot needs an aggregate with one result")
	}
	if len(args) == 0 {
		// the default: every column but the pivot and aggregated ones
		for i, col := range s {
			if !used[i] {
				node.Groups = append(node.Groups, &colRef{Index: i, Name: col.Name, T: col.Type})
				node.Out = append(node.Out, col)
			}
		}
		return node
	}
	for _, a := range args {
		e := c.expr(a, sc, s)
		r, ok := e.(*colRef)
		if !ok {
			c.fail(a, CodeType, "pivot groups by column names")
		}
		node.Groups = append(node.Groups, r)
		node.Out = append(node.Out, ColumnDef{Name: r.Name, Type: r.T})
	}
	return node
}

func (ctx *execCtx) runBagUnpack(x *BagUnpackNode) ([]*Chunk, error) {
	in, err := ctx.run(x.In)
	if err != nil {
		return nil, err
	}
	out := make([]*Chunk, 0, len(in))
	for _, ch := range in {
		res := &Chunk{N: ch.N, Cols: make([]*Column, len(x.Out))}
		for i, k := range x.Keep {
			res.Cols[i] = ch.Cols[k]
		}
		bags := ch.Cols[x.Bag]
		for k, key := range x.Keys {
			b := newBuilder(x.Types[k], ch.N)
			for r := 0; r < ch.N; r++ {
				var d any
				if bags != nil {
					if bag, ok := bags.Get(r).D.(*Bag); ok {
						var has bool
						if d, has = bag.Get(key); has {
							ctx.sawColumn(x, x.Prefix+key)
						}
					}
				}
				if x.Types[k] == TypeString {
					b.Append(castDynamic(d, TypeString))
				} else if x.Types[k] == TypeDynamic {
					b.Append(Dyn(d))
				} else {
					b.Append(convertDynamic(d, x.Types[k]))
				}
			}
			res.Cols[len(x.Keep)+k] = b.Build()
		}
		out = append(out, res)
	}
	return out, nil
}

func (ctx *execCtx) runPivot(x *PivotNode) ([]*Chunk, error) {
	in, err := ctx.run(x.In)
	if err != nil {
		return nil, err
	}
	type group struct {
		keys   []Value
		states map[string]aggState
	}
	groups := map[string]*group{}
	var order []*group
	var buf strings.Builder
	for _, ch := range in {
		gcols := make([]*Column, len(x.Groups))
		for i, e := range x.Groups {
			if gcols[i], err = e.eval(ctx, ch); err != nil {
				return nil, err
			}
		}
		keyCol, err := x.Key.eval(ctx, ch)
		if err != nil {
			return nil, err
		}
		acols, err := evalAggArgs(ctx, x.Agg, ch)
		if err != nil {
			return nil, err
		}
		args := make([]Value, len(acols))
		for r := 0; r < ch.N; r++ {
			k := rowKey(gcols, r, &buf)
			g := groups[k]
			if g == nil {
				keys := make([]Value, len(gcols))
				for i, c := range gcols {
					keys[i] = c.Get(r)
				}
				g = &group{keys: keys, states: map[string]aggState{}}
				groups[k] = g
				order = append(order, g)
				if err := ctx.checkRows(len(order), "pivot"); err != nil {
					return nil, err
				}
			}
			pv := keyCol.Get(r).String()
			st := g.states[pv]
			if st == nil {
				st = x.Agg.new()
				g.states[pv] = st
			}
			for j, c := range acols {
				args[j] = c.Get(r)
			}
			st.add(args)
		}
	}
	if len(order) == 0 {
		return nil, nil
	}
	bs := make([]*builder, len(x.Out))
	for i, col := range x.Out {
		bs[i] = newBuilder(col.Type, len(order))
	}
	for _, g := range order {
		for i, v := range g.keys {
			bs[i].Append(v)
		}
		for k, name := range x.Values {
			if g.states[name] != nil {
				ctx.sawColumn(x, name)
			}
			st := g.states[name]
			if st == nil {
				st = x.Agg.new()
			}
			bs[len(x.Groups)+k].Append(st.result()[0])
		}
	}
	res := &Chunk{N: len(order), Cols: make([]*Column, len(bs))}
	for i, b := range bs {
		res.Cols[i] = b.Build()
	}
	return []*Chunk{res}, nil
}
