package engine

import (
	"sort"
	"strings"

	"github.com/detwiki/detwiki/internal/lang/kql"
)

// top-nested, find and partition.

type (
	// TopNestedNode is top-nested [N] of Expr by Aggregation [asc|desc], ...:
	// each level groups the rows of the level above by its expression and
	// keeps the top N groups by its aggregate.
	TopNestedNode struct {
		In     Node
		Levels []topNestedLevel
		Out    Schema // per level: the value, then the aggregate
	}

	// PartitionNode is partition by Column (subquery): the subquery runs
	// once per distinct value of the column, over that value's rows.
	PartitionNode struct {
		In    Node
		By    int
		Input *applyInput
		Sub   Node
	}
)

type topNestedLevel struct {
	Of  Expr
	N   Expr // nil: every group
	Agg *aggCall
	Asc bool
}

func (n *TopNestedNode) Schema() Schema { return n.Out }
func (n *PartitionNode) Schema() Schema { return n.Sub.Schema() }

func (c *checker) topNested(v *kql.TopNestedOp, in Node, sc *scope) Node {
	s := in.Schema()
	node := &TopNestedNode{In: in}
	for _, cl := range v.Clauses {
		if cl.Others != nil {
			c.fail(cl.Others, CodeOperator, "top-nested ... with others is not supported by detwiki's engine")
		}
		lv := topNestedLevel{}
		if cl.Count != nil {
			lv.N = c.count(cl.Count, sc)
		}
		ofX := cl.Of
		name := ""
		if ne, ok := ofX.(*kql.NamedExpr); ok && len(ne.Names) == 1 {
			name, ofX = ne.Names[0].Name, ne.Value
		}
		lv.Of = c.expr(ofX, sc, s)
		if name == "" {
			name = nameOf(ofX)
		}
		if name == "" {
			name = "Column" + itoa(len(node.Levels)+1)
		}
		byX := cl.By
		if o, ok := byX.(*kql.OrderedExpr); ok {
			byX = o.X
			lv.Asc = o.Dir == kql.ASC || o.Dir == kql.GRANNY_ASC
		}
		aggName := ""
		if ne, ok := byX.(*kql.NamedExpr); ok && len(ne.Names) == 1 {
			aggName, byX = ne.Names[0].Name, ne.Value
		}
		call, ok := byX.(*kql.CallExpr)
		if !ok || !isAggregate(call.Fun.Name) {
			c.fail(byX, CodeOperator, "top-nested needs an aggregate function after 'by' (detwiki's engine does not run aggregate expressions here)")
		}
		lv.Agg = c.aggregate(call, s, sc)
		if len(lv.Agg.OutCols) != 1 {
			c.fail(call, CodeOperator, "'%s' is not supported in top-nested", call.Fun.Name)
		}
		if aggName == "" {
			aggName = "aggregated_" + name
		}
		node.Out = append(node.Out, ColumnDef{Name: uniqueName(node.Out, name), Type: lv.Of.Type()})
		node.Out = append(node.Out, ColumnDef{Name: uniqueName(node.Out, aggName), Type: lv.Agg.OutCols[0].Type})
		node.Levels = append(node.Levels, lv)
	}
	return node
}

func (ctx *execCtx) runTopNested(x *TopNestedNode) ([]*Chunk, error) {
	in, err := ctx.run(x.In)
	if err != nil {
		return nil, err
	}
	in = nonEmpty(in)
	if in == nil {
		return nil, nil
	}
	all := concatChunks(x.In.Schema(), in)
	// evaluate every level's expression and aggregate arguments once
	ofs := make([]*Column, len(x.Levels))
	args := make([][]*Column, len(x.Levels))
	limits := make([]int64, len(x.Levels))
	for i, lv := range x.Levels {
		if ofs[i], err = lv.Of.eval(ctx, all); err != nil {
			return nil, err
		}
		if args[i], err = evalAggArgs(ctx, lv.Agg, all); err != nil {
			return nil, err
		}
		limits[i] = -1
		if lv.N != nil {
			nc, err := lv.N.eval(ctx, &Chunk{N: 1})
			if err != nil {
				return nil, err
			}
			limits[i], _ = toI(nc.Get(0))
		}
	}
	bs := make([]*builder, len(x.Out))
	for i, col := range x.Out {
		bs[i] = newBuilder(col.Type, 0)
	}
	var path []Value
	rowsOut := 0
	var level func(k int, rows []int32) error
	level = func(k int, rows []int32) error {
		type group struct {
			key  Value
			agg  Value
			rows []int32
		}
		index := map[string]*group{}
		var groups []*group
		var buf strings.Builder
		states := map[*group]aggState{}
		vals := make([]Value, len(args[k]))
		for _, r := range rows {
			key := ofs[k].Get(int(r))
			buf.Reset()
			buf.WriteString(groupKey(key))
			g := index[buf.String()]
			if g == nil {
				g = &group{key: key}
				index[buf.String()] = g
				groups = append(groups, g)
				states[g] = x.Levels[k].Agg.new()
			}
			g.rows = append(g.rows, r)
			for j, c := range args[k] {
				vals[j] = c.Get(int(r))
			}
			states[g].add(vals)
		}
		for _, g := range groups {
			g.agg = states[g].result()[0]
		}
		asc := x.Levels[k].Asc
		sort.SliceStable(groups, func(i, j int) bool {
			a, b := groups[i].agg, groups[j].agg
			if isNullish(a) || isNullish(b) {
				return !isNullish(a) && isNullish(b)
			}
			c, _ := compareValues(a, b)
			if asc {
				return c < 0
			}
			return c > 0
		})
		if limits[k] >= 0 && int64(len(groups)) > limits[k] {
			groups = groups[:limits[k]]
		}
		for _, g := range groups {
			path = append(path, g.key, g.agg)
			if k+1 < len(x.Levels) {
				if err := level(k+1, g.rows); err != nil {
					return err
				}
			} else {
				for i, v := range path {
					bs[i].Append(v)
				}
				rowsOut++
				if err := ctx.checkRows(rowsOut, "top-nested"); err != nil {
					return err
				}
			}
			path = path[:len(path)-2]
		}
		return nil
	}
	rows := make([]int32, all.N)
	for i := range rows {
		rows[i] = int32(i)
	}
	if err := level(0, rows); err != nil {
		return nil, err
	}
	if rowsOut == 0 {
		return nil, nil
	}
	out := &Chunk{N: rowsOut, Cols: make([]*Column, len(bs))}
	for i, b := range bs {
		out.Cols[i] = b.Build()
	}
	return []*Chunk{out}, nil
}

// find checks find [withsource=C] in (T, ...) where P [project ... |
// project-smart]: a union of the tables filtered by P. A column P names
// that a table lacks is null there (as in a union); the output is
// source_ (the table name), then the projected columns, or for
// project-smart the columns P names and the columns every table has, then
// pack_ (the other non-empty columns of the row as a bag).
func (c *checker) find(v *kql.FindOp, sc *scope) Node {
	if len(v.In) == 0 {
		c.fail(v, CodeOperator, "find without 'in (tables)' searches every table of a database; name the tables")
	}
	source := "source_"
	for _, p := range v.Params {
		switch strings.ToLower(p.Name) {
		case "withsource", "with_source":
			if id, ok := p.Value.(*kql.Ident); ok {
				source = id.Name
			}
		default:
			c.fail(p, CodeOperator, "find parameter '%s' is not supported by detwiki's engine", p.Name)
		}
	}
	var inputs []Node
	var names []string
	for _, t := range v.In {
		for _, n := range c.tables(t, sc) {
			inputs = append(inputs, n)
			if sn, ok := n.(*ScanNode); ok {
				names = append(names, sn.Table.Name())
			} else {
				names = append(names, kql.Text(c.text, t))
			}
		}
	}
	// the columns the predicate names, with their type in the tables
	typeOf := map[string]Type{}
	for _, in := range inputs {
		for _, col := range in.Schema() {
			if _, ok := typeOf[col.Name]; !ok {
				typeOf[col.Name] = col.Type
			}
		}
	}
	var predCols []string
	seen := map[string]bool{}
	kql.Inspect(v.Pred, func(n kql.Node) bool {
		if id, ok := n.(*kql.Ident); ok {
			if _, isCol := typeOf[id.Name]; isCol && !seen[id.Name] {
				seen[id.Name] = true
				predCols = append(predCols, id.Name)
			}
		}
		return true
	})
	// the output columns
	var out Schema
	out = append(out, ColumnDef{Name: source, Type: TypeString})
	smart := v.ProjectKw != kql.PROJECT
	packAll := smart
	if smart {
		for _, name := range predCols {
			out = append(out, ColumnDef{Name: name, Type: typeOf[name]})
		}
		for _, col := range inputs[0].Schema() {
			common := out.Index(col.Name) < 0
			for _, in := range inputs[1:] {
				if i := in.Schema().Index(col.Name); i < 0 || in.Schema()[i].Type != col.Type {
					common = false
				}
			}
			if common {
				out = append(out, col)
			}
		}
	} else {
		for _, p := range v.Project {
			if call, ok := p.(*kql.CallExpr); ok && strings.EqualFold(call.Fun.Name, "pack_all") {
				packAll = true
				continue
			}
			name, t := "", TypeUnknown
			switch x := p.(type) {
			case *kql.Ident:
				name = x.Name
			case *kql.Param:
				if x.Name != nil {
					name = x.Name.Name
				}
				if x.Type != nil {
					t, _ = ParseType(x.Type.Name)
				}
			default:
				c.fail(p, CodeOperator, "find ... project takes column names")
			}
			if t == TypeUnknown {
				tt, ok := typeOf[name]
				if !ok {
					c.fail(p, CodeUnknownColumn, "Failed to resolve scalar expression named '%s'", name)
				}
				t = tt
			}
			if out.Index(name) < 0 {
				out = append(out, ColumnDef{Name: name, Type: t})
			}
		}
	}
	if packAll {
		out = append(out, ColumnDef{Name: "pack_", Type: TypeDynamic})
	}
	// per table: missing predicate columns as nulls, the predicate, the
	// output columns
	var branches []Node
	for ti, in := range inputs {
		s := in.Schema()
		var n Node = in
		missing := false
		for _, name := range predCols {
			missing = missing || s.Index(name) < 0
		}
		if missing {
			ext := n.Schema().clone()
			exprs := identityExprs(ext)
			for _, name := range predCols {
				if ext.Index(name) < 0 {
					exprs = append(exprs, &constExpr{V: NullOf(typeOf[name])})
					ext = append(ext, ColumnDef{Name: name, Type: typeOf[name]})
				}
			}
			n = &ProjectNode{In: n, Exprs: exprs, Out: ext, Extend: true}
		}
		pred := c.expr(v.Pred, sc, n.Schema())
		if t := pred.Type(); t != TypeBool && t != TypeDynamic && t != TypeUnknown {
			c.fail(v.Pred, CodeType, "the find predicate is %s, not bool", t)
		}
		n = &FilterNode{In: n, Pred: c.fold(pred)}
		ns := n.Schema()
		var exprs []Expr
		exprs = append(exprs, &constExpr{V: String(names[ti])})
		for _, col := range out[1:] {
			if col.Name == "pack_" && packAll {
				continue
			}
			if i := ns.Index(col.Name); i >= 0 && i < len(s) && ns[i].Type == col.Type {
				exprs = append(exprs, &colRef{Index: i, Name: col.Name, T: col.Type})
			} else if i >= 0 && i < len(s) {
				exprs = append(exprs, c.convertExpr(&colRef{Index: i, Name: col.Name, T: ns[i].Type}, col.Type))
			} else {
				exprs = append(exprs, &constExpr{V: NullOf(col.Type)})
			}
		}
		if packAll {
			var args []Expr
			var keys []string
			for i, col := range s {
				if out.Index(col.Name) < 0 {
					args = append(args, &colRef{Index: i, Name: col.Name, T: col.Type})
					keys = append(keys, col.Name)
				}
			}
			exprs = append(exprs, &callExpr{Name: "pack_", Fn: func(a []Value) Value {
				b := &Bag{}
				for i, v := range a {
					if isNullish(v) || v.T == TypeString && v.S == "" {
						continue
					}
					b.Set(keys[i], ToDynamic(v))
				}
				return Dyn(b)
			}, Args: args, T: TypeDynamic})
		}
		branches = append(branches, &ProjectNode{In: n, Exprs: exprs, Out: out})
	}
	maps := make([][]int, len(branches))
	for i := range maps {
		maps[i] = make([]int, len(out))
		for j := range out {
			maps[i][j] = j
		}
	}
	return &UnionNode{Inputs: branches, Maps: maps, SourceCol: -1, Names: names, Out: out}
}

// tables resolves one table reference of find or union: a table, a
// tabular expression, or a wildcard over the catalog's tables.
func (c *checker) tables(x kql.Expr, sc *scope) []Node {
	if id, ok := x.(*kql.Ident); ok && id.Wildcard {
		return c.wildcardTables(id)
	}
	return []Node{c.tabular(x, sc)}
}

// wildcardTables expands a table wildcard (Device*) over the catalog, when
// it can list its tables.
func (c *checker) wildcardTables(id *kql.Ident) []Node {
	lister, ok := c.opt.Catalog.(TableLister)
	if !ok {
		c.fail(id, CodeOperator, "table wildcards ('%s') need a catalog that lists its tables", id.Name)
	}
	var out []Node
	for _, name := range lister.TableNames() {
		if matchWildcard(id.Name, name) {
			out = append(out, c.tableRef(&kql.Ident{NamePos: id.Pos(), EndPos: id.End(), Name: name}, &scope{vars: map[string]*binding{}}))
		}
	}
	if len(out) == 0 {
		c.failUnresolved(id, CodeUnknownTable, "no table matches '%s'", id.Name)
	}
	return out
}

// TableLister is a Catalog that can list its tables (for table wildcards
// such as union Device*).
type TableLister interface {
	TableNames() []string
}

func (c *checker) partition(v *kql.PartitionOp, in Node, sc *scope) Node {
	for _, p := range v.Params {
		if !strings.HasPrefix(strings.ToLower(p.Name), "hint.") {
			c.fail(p, CodeOperator, "partition parameter '%s' is not supported by detwiki's engine", p.Name)
		}
	}
	if v.Scope != nil {
		c.fail(v.Scope, CodeOperator, "partition with a scope is not supported by detwiki's engine")
	}
	s := in.Schema()
	id, ok := v.Column.(*kql.Ident)
	if !ok {
		c.fail(v.Column, CodeSemantic, "partition needs a column name after 'by'")
	}
	by := s.Index(id.Name)
	if by < 0 {
		c.unknownColumn(id, s)
	}
	if v.Brace {
		c.fail(v, CodeOperator, "partition with a { subquery } is not supported by detwiki's engine")
	}
	input := &applyInput{Cols: s.clone()}
	sub := c.applySub(v.Subquery, input, sc)
	return &PartitionNode{In: in, By: by, Input: input, Sub: sub}
}

func (ctx *execCtx) runPartition(x *PartitionNode) ([]*Chunk, error) {
	in, err := ctx.run(x.In)
	if err != nil {
		return nil, err
	}
	in = nonEmpty(in)
	if in == nil {
		return nil, nil
	}
	all := concatChunks(x.In.Schema(), in)
	keyCol := all.Cols[x.By]
	if keyCol == nil {
		keyCol = ConstColumn(NullOf(x.In.Schema()[x.By].Type), all.N)
	}
	index := map[string]int{}
	var parts [][]int32
	for r := 0; r < all.N; r++ {
		k := groupKey(keyCol.Get(r))
		i, ok := index[k]
		if !ok {
			i = len(parts)
			index[k] = i
			parts = append(parts, nil)
			if err := ctx.checkRows(len(parts), "partition"); err != nil {
				return nil, err
			}
		}
		parts[i] = append(parts[i], int32(r))
	}
	var out []*Chunk
	total := 0
	for _, rows := range parts {
		sub := ctx.child()
		sub.applyRows = map[*applyInput][]*Chunk{x.Input: {all.Gather(rows)}}
		res, err := sub.run(x.Sub)
		if err != nil {
			return nil, err
		}
		for _, ch := range res {
			total += ch.N
			out = append(out, ch)
		}
		if err := ctx.checkRows(total, "partition"); err != nil {
			return nil, err
		}
	}
	return out, nil
}
