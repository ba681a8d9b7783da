package engine

import (
	"strings"

	"github.com/detwiki/detwiki/internal/lang/kql"
	"github.com/detwiki/detwiki/internal/source"
)

// operator checks one tabular operator applied to in (nil for operators
// that start a query) and labels the plan nodes it makes with the
// operator's source text (for traces).
func (c *checker) operator(o kql.Operator, in Node, sc *scope) Node {
	saved := c.input
	c.input = in
	n := c.operatorNode(o, in, sc)
	c.input = saved
	if c.texts == nil {
		c.texts = map[Node]string{}
	}
	text := kql.Text(c.text, o)
	var label func(x Node, depth int)
	label = func(x Node, depth int) {
		if x == nil || x == in || depth > 64 {
			return
		}
		if _, done := c.texts[x]; done {
			return
		}
		c.texts[x] = text
		for _, ch := range children(x) {
			label(ch, depth+1)
		}
	}
	label(n, 0)
	return n
}

func (c *checker) operatorNode(o kql.Operator, in Node, sc *scope) Node {
	needIn := func() {
		if in == nil {
			c.fail(o, CodeSemantic, "operator '%s' needs an input table", o.Name())
		}
	}
	switch v := o.(type) {
	case *kql.WhereOp:
		needIn()
		pred := c.expr(v.Pred, sc, in.Schema())
		if t := pred.Type(); t != TypeBool && t != TypeDynamic && t != TypeUnknown {
			c.fail(v.Pred, CodeType, "the where predicate is %s, not bool", t)
		}
		return &FilterNode{In: in, Pred: c.fold(pred)}
	case *kql.ExtendOp:
		needIn()
		return c.extend(v.Exprs, in, sc)
	case *kql.ProjectOp:
		needIn()
		switch v.Kw {
		case kql.PROJECT_RENAME:
			return c.projectRename(v, in)
		case kql.PROJECT:
			return c.project(v.Exprs, in, sc)
		}
		c.fail(v, CodeOperator, "operator '%s' is not supported by detwiki's engine", v.Name())
	case *kql.ProjectAwayOp:
		needIn()
		return c.projectAway(v, in)
	case *kql.ProjectReorderOp:
		needIn()
		return c.projectReorder(v, in)
	case *kql.SummarizeOp:
		needIn()
		return c.summarize(v, in, sc)
	case *kql.JoinOp:
		needIn()
		return c.join(v, in, sc)
	case *kql.LookupOp:
		needIn()
		return c.lookup(v, in, sc)
	case *kql.UnionOp:
		return c.union(v, in, sc)
	case *kql.SortOp:
		needIn()
		return &SortNode{In: in, Keys: c.sortKeys(v.By, in.Schema(), sc)}
	case *kql.TopOp:
		needIn()
		n := c.count(v.Count, sc)
		return &TakeNode{In: &SortNode{In: in, Keys: c.sortKeys([]kql.Expr{v.By}, in.Schema(), sc)}, N: n}
	case *kql.TakeOp:
		needIn()
		return &TakeNode{In: in, N: c.count(v.Count, sc)}
	case *kql.SampleOp:
		needIn()
		return &TakeNode{In: in, N: c.count(v.Count, sc)}
	case *kql.DistinctOp:
		needIn()
		return c.distinct(v, in, sc)
	case *kql.CountOp:
		needIn()
		name := "Count"
		if v.As != nil {
			name = v.As.Name
		}
		return &CountNode{In: in, Name: name}
	case *kql.MvExpandOp:
		needIn()
		return c.mvExpand(v.Params, v.Items, v.Limit, in, sc, o)
	case *kql.MvApplyOp:
		needIn()
		return c.mvApply(v, in, sc)
	case *kql.ParseOp:
		needIn()
		return c.parse(v, in, sc)
	case *kql.SerializeOp:
		needIn()
		var n Node = &SerializeNode{In: in}
		if len(v.Exprs) > 0 {
			n = c.extend(v.Exprs, n, sc)
		}
		return n
	case *kql.AsOp:
		needIn()
		if v.Alias != nil {
			sc.vars[v.Alias.Name] = &binding{table: in, name: v.Alias.Name}
		}
		return in
	case *kql.RenderOp:
		needIn()
		return in // presentation only
	case *kql.InvokeOp:
		needIn()
		call, ok := v.Call.(*kql.CallExpr)
		if !ok {
			c.fail(v, CodeSemantic, "invoke needs a function call")
		}
		if b := sc.lookup(call.Fun.Name); b != nil && b.fn != nil {
			res := c.callUser(call, b, sc, nil, in)
			if n, ok := res.(Node); ok {
				return n
			}
			c.fail(call, CodeSemantic, "function '%s' returns a scalar, a table was expected", call.Fun.Name)
		}
		if serviceFunctions[strings.ToLower(call.Fun.Name)] {
			c.fail(call.Fun, CodeFunction, "'%s' is a service function that detwiki's engine cannot run offline", call.Fun.Name)
		}
		c.failUnresolved(call.Fun, CodeUnknownFunction, "Unknown function: '%s'", call.Fun.Name)
	case *kql.PrintOp:
		return c.print(v, sc)
	case *kql.RangeOp:
		return c.rangeOp(v, sc)
	case *kql.MakeSeriesOp:
		needIn()
		return c.makeSeries(v, in, sc)
	case *kql.GetSchemaOp:
		needIn()
		var rows [][]Value
		for i, col := range in.Schema() {
			rows = append(rows, []Value{String(col.Name), Long(int64(i)), String("System." + dotnetType(col.Type)), String(col.Type.String())})
		}
		return &ValuesNode{Table: NewMemTable("getschema", Schema{{Name: "ColumnName", Type: TypeString}, {Name: "ColumnOrdinal", Type: TypeInt}, {Name: "DataType", Type: TypeString}, {Name: "ColumnType", Type: TypeString}}, rows)}
	case *kql.EvaluateOp:
		return c.evaluate(v, in, sc)
	case *kql.TopNestedOp:
		needIn()
		return c.topNested(v, in, sc)
	case *kql.FindOp:
		if in != nil {
			c.fail(v, CodeOperator, "find starts a query; it cannot follow '|'")
		}
		return c.find(v, sc)
	case *kql.PartitionOp:
		needIn()
		return c.partition(v, in, sc)
	case *kql.BadOp:
		c.fail(v, CodeOperator, "unknown operator '%s'", v.Text)
	}
	c.fail(o, CodeOperator, "operator '%s' is not supported by detwiki's engine", o.Name())
	return nil
}

func dotnetType(t Type) string {
	switch t {
	case TypeBool:
		return "Boolean"
	case TypeInt:
		return "Int32"
	case TypeLong:
		return "Int64"
	case TypeReal:
		return "Double"
	case TypeDecimal:
		return "Data.SqlTypes.SqlDecimal"
	case TypeDateTime:
		return "DateTime"
	case TypeTimeSpan:
		return "TimeSpan"
	case TypeGuid:
		return "Guid"
	case TypeDynamic:
		return "Object"
	}
	return "String"
}

// count checks the row count of take, top, limit.
func (c *checker) count(x kql.Expr, sc *scope) Expr {
	e := c.fold(c.expr(x, sc, nil))
	if !e.Type().isNumeric() && e.Type() != TypeUnknown {
		c.fail(x, CodeType, "a row count must be a number, not %s", e.Type())
	}
	return e
}

// extend appends (or replaces) computed columns; later items see earlier
// ones.
func (c *checker) extend(items []kql.Expr, in Node, sc *scope) Node {
	n := in
	saved := c.input
	defer func() { c.input = saved }()
	for _, it := range items {
		c.input = n // later items see earlier ones (and late-bound columns)
		s := n.Schema()
		var name string
		var valueX kql.Expr
		switch v := it.(type) {
		case *kql.NamedExpr:
			if len(v.Names) != 1 {
				c.fail(v, CodeOperator, "tuple assignments are not supported by detwiki's engine")
			}
			name, valueX = v.Names[0].Name, v.Value
		default:
			name, valueX = nameOf(it), it
			if name == "" || s.Index(name) >= 0 && !isColumnRef(it) {
				if name == "" {
					name = columnN(s)
				}
			}
		}
		e := c.fold(c.expr(valueX, sc, s))
		exprs := identityExprs(s)
		out := s.clone()
		if i := out.Index(name); i >= 0 {
			exprs[i] = e
			out[i] = ColumnDef{Name: name, Type: e.Type()}
		} else {
			exprs = append(exprs, e)
			out = append(out, ColumnDef{Name: name, Type: e.Type()})
		}
		n = &ProjectNode{In: n, Exprs: exprs, Out: out, Extend: true}
	}
	return n
}

func isColumnRef(x kql.Expr) bool {
	_, ok := x.(*kql.Ident)
	return ok
}

// project keeps and computes the listed columns, evaluated over the input.
func (c *checker) project(items []kql.Expr, in Node, sc *scope) Node {
	s := in.Schema()
	var exprs []Expr
	var out Schema
	for _, it := range items {
		var name string
		var valueX kql.Expr
		switch v := it.(type) {
		case *kql.NamedExpr:
			if len(v.Names) != 1 {
				c.fail(v, CodeOperator, "tuple assignments are not supported by detwiki's engine")
			}
			name, valueX = v.Names[0].Name, v.Value
		case *kql.Ident:
			if v.Wildcard {
				matched := false
				for i, col := range s {
					if matchWildcard(v.Name, col.Name) && out.Index(col.Name) < 0 {
						exprs = append(exprs, &colRef{Index: i, Name: col.Name, T: col.Type})
						out = append(out, col)
						matched = true
					}
				}
				_ = matched
				continue
			}
			name, valueX = v.Name, v
		default:
			name, valueX = nameOf(it), it
			if name == "" {
				name = columnN(out)
			}
		}
		e := c.fold(c.expr(valueX, sc, s))
		if i := out.Index(name); i >= 0 {
			c.fail(it, CodeSemantic, "column '%s' is projected twice", name)
		}
		exprs = append(exprs, e)
		out = append(out, ColumnDef{Name: name, Type: e.Type(), Unfilled: unfilledRef(e, s)})
	}
	return &ProjectNode{In: in, Exprs: exprs, Out: out}
}

// unfilledRef keeps the unfilled mark of a plain column reference.
func unfilledRef(e Expr, s Schema) bool {
	if r, ok := e.(*colRef); ok && r.Index < len(s) {
		return s[r.Index].Unfilled
	}
	return false
}

func (c *checker) projectRename(v *kql.ProjectOp, in Node) Node {
	s := in.Schema()
	out := s.clone()
	for _, it := range v.Exprs {
		ne, ok := it.(*kql.NamedExpr)
		if !ok || len(ne.Names) != 1 {
			c.fail(it, CodeSemantic, "project-rename needs NewName = OldName")
		}
		old, ok := ne.Value.(*kql.Ident)
		if !ok {
			c.fail(ne.Value, CodeSemantic, "project-rename needs a column name")
		}
		i := s.Index(old.Name)
		if i < 0 {
			c.unknownColumn(old, s)
		}
		out[i].Name = ne.Names[0].Name
	}
	return &ProjectNode{In: in, Exprs: identityExprs(s), Out: out}
}

func (c *checker) projectAway(v *kql.ProjectAwayOp, in Node) Node {
	s := in.Schema()
	keep := v.Kw == kql.PROJECT_KEEP
	mark := make([]bool, len(s))
	for _, it := range v.Columns {
		id, ok := it.(*kql.Ident)
		if !ok {
			c.fail(it, CodeSemantic, "%s needs column names", v.Name())
		}
		found := false
		for i, col := range s {
			if col.Name == id.Name || id.Wildcard && matchWildcard(id.Name, col.Name) {
				mark[i] = true
				found = true
			}
		}
		if !found && !id.Wildcard {
			c.unknownColumn(id, s)
		}
	}
	var exprs []Expr
	var out Schema
	for i, col := range s {
		if mark[i] == keep {
			exprs = append(exprs, &colRef{Index: i, Name: col.Name, T: col.Type})
			out = append(out, col)
		}
	}
	return &ProjectNode{In: in, Exprs: exprs, Out: out}
}

func (c *checker) projectReorder(v *kql.ProjectReorderOp, in Node) Node {
	s := in.Schema()
	used := make([]bool, len(s))
	var order []int
	for _, it := range v.Columns {
		x := it
		if o, ok := it.(*kql.OrderedExpr); ok {
			x = o.X
		}
		id, ok := x.(*kql.Ident)
		if !ok {
			c.fail(it, CodeSemantic, "project-reorder needs column names")
		}
		found := false
		for i, col := range s {
			if !used[i] && (col.Name == id.Name || id.Wildcard && matchWildcard(id.Name, col.Name)) {
				used[i] = true
				order = append(order, i)
				found = true
			}
		}
		if !found && !id.Wildcard {
			c.unknownColumn(id, s)
		}
	}
	for i := range s {
		if !used[i] {
			order = append(order, i)
		}
	}
	var exprs []Expr
	var out Schema
	for _, i := range order {
		exprs = append(exprs, &colRef{Index: i, Name: s[i].Name, T: s[i].Type})
		out = append(out, s[i])
	}
	return &ProjectNode{In: in, Exprs: exprs, Out: out}
}

// sortKeys checks sort/order/top keys (desc and nulls last by default for
// descending, nulls first for ascending, as Kusto does).
func (c *checker) sortKeys(items []kql.Expr, s Schema, sc *scope) []sortKey {
	var keys []sortKey
	for _, it := range items {
		x := it
		desc := true
		var nulls kql.Token
		if o, ok := it.(*kql.OrderedExpr); ok {
			x = o.X
			if o.Dir == kql.ASC || o.Dir == kql.GRANNY_ASC {
				desc = false
			}
			nulls = o.Nulls
		}
		k := sortKey{X: c.expr(x, sc, s), Desc: desc, NullsFirst: !desc}
		if nulls == kql.FIRST {
			k.NullsFirst = true
		} else if nulls == kql.LAST {
			k.NullsFirst = false
		}
		keys = append(keys, k)
	}
	return keys
}

func (c *checker) distinct(v *kql.DistinctOp, in Node, sc *scope) Node {
	s := in.Schema()
	if len(v.Columns) == 1 {
		if _, ok := v.Columns[0].(*kql.StarExpr); ok {
			return &DistinctNode{In: in, Exprs: identityExprs(s), Out: s.clone()}
		}
	}
	var exprs []Expr
	var out Schema
	for _, it := range v.Columns {
		name, x := nameOf(it), it
		if ne, ok := it.(*kql.NamedExpr); ok {
			name, x = ne.Names[0].Name, ne.Value
		}
		if name == "" {
			name = columnN(out)
		}
		e := c.expr(x, sc, s)
		exprs = append(exprs, e)
		out = append(out, ColumnDef{Name: name, Type: e.Type()})
	}
	return &DistinctNode{In: in, Exprs: exprs, Out: out}
}

// union checks union [kind=inner|outer] [withsource=C] T, ...
func (c *checker) union(v *kql.UnionOp, in Node, sc *scope) Node {
	var inputs []Node
	var names []string
	if in != nil {
		inputs = append(inputs, in)
		names = append(names, "")
	}
	fuzzy := false
	for _, p := range v.Params {
		if strings.EqualFold(p.Name, "isfuzzy") && p.Value != nil {
			fuzzy = strings.EqualFold(kql.Text(c.text, p.Value), "true")
		}
	}
	var dropped *source.Diagnostic // the first leg isfuzzy dropped
	nwarn := len(c.warnings)
	for _, t := range v.Tables {
		legs := c.tables
		if fuzzy {
			legs = func(t kql.Expr, sc *scope) []Node {
				n, d := c.fuzzyLeg(t, sc)
				if d != nil && dropped == nil {
					dropped = d
				}
				return n
			}
		}
		for _, n := range legs(t, sc) {
			inputs = append(inputs, n)
			if id, ok := t.(*kql.Ident); ok && id.Wildcard {
				names = append(names, n.(*ScanNode).Table.Name())
			} else {
				names = append(names, kql.Text(c.text, t))
			}
		}
	}
	if len(inputs) == 0 && dropped != nil {
		// no leg resolves: the query fails as Kusto's does
		c.warnings = c.warnings[:nwarn]
		panic(bailout{d: *dropped})
	}
	inner := false
	source := ""
	for _, p := range v.Params {
		switch strings.ToLower(p.Name) {
		case "kind":
			if id, ok := p.Value.(*kql.Ident); ok && id.Name == "inner" {
				inner = true
			}
		case "withsource", "with_source":
			if id, ok := p.Value.(*kql.Ident); ok {
				source = id.Name
			}
		case "isfuzzy":
		default:
			c.fail(p, CodeOperator, "union parameter '%s' is not supported by detwiki's engine", p.Name)
		}
	}
	var out Schema
	if source != "" {
		out = append(out, ColumnDef{Name: source, Type: TypeString})
	}
	// columns by name; a name with different types becomes name_type
	type key struct {
		name string
		t    Type
	}
	types := map[string]map[Type]bool{}
	for _, n := range inputs {
		for _, col := range n.Schema() {
			if types[col.Name] == nil {
				types[col.Name] = map[Type]bool{}
			}
			types[col.Name][col.Type] = true
		}
	}
	colOf := map[key]int{}
	for _, n := range inputs {
		for _, col := range n.Schema() {
			k := key{col.Name, col.Type}
			if _, ok := colOf[k]; ok {
				continue
			}
			name := col.Name
			if len(types[col.Name]) > 1 {
				name = col.Name + "_" + col.Type.String()
			}
			colOf[k] = len(out)
			out = append(out, ColumnDef{Name: name, Type: col.Type, Unfilled: col.Unfilled})
		}
	}
	maps := make([][]int, len(inputs))
	for i, n := range inputs {
		m := make([]int, len(out))
		for j := range m {
			m[j] = -1
		}
		for ci, col := range n.Schema() {
			m[colOf[key{col.Name, col.Type}]] = ci
		}
		maps[i] = m
	}
	node := &UnionNode{Inputs: inputs, Maps: maps, SourceCol: -1, Names: names, Out: out}
	if source != "" {
		node.SourceCol = 0
	}
	if inner {
		// keep the columns every input has
		var exprs []Expr
		var s Schema
		for j, col := range out {
			all := true
			for i := range inputs {
				if maps[i][j] < 0 && j != node.SourceCol {
					all = false
				}
			}
			if all {
				exprs = append(exprs, &colRef{Index: j, Name: col.Name, T: col.Type})
				s = append(s, col)
			}
		}
		return &ProjectNode{In: node, Exprs: exprs, Out: s}
	}
	return node
}

// fuzzyLeg checks a leg of union isfuzzy=true. Kusto leaves out a leg that
// names a table (or tabular function) the workspace lacks, anywhere in the
// leg, with a warning, and fails only when no leg resolves; here a table
// without adapter is such a table. Other errors in a leg still fail the
// query, as Kusto.Language's analysis reports them: an unknown column or
// scalar function, and what the engine cannot run (dropping the leg would
// give a wrong answer).
func (c *checker) fuzzyLeg(t kql.Expr, sc *scope) (nodes []Node, dropped *source.Diagnostic) {
	input, aggs := c.input, c.aggRewrite
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		c.input, c.aggRewrite = input, aggs
		b, ok := p.(bailout)
		if !ok || !b.unresolved {
			panic(p)
		}
		w := b.d
		w.Severity = source.Warning
		w.Message = "union isfuzzy=true leaves out a leg that does not resolve: " + b.d.Message
		if !c.warned[w.Code+w.Message] {
			c.warned[w.Code+w.Message] = true
			c.warnings = append(c.warnings, w)
		}
		nodes, dropped = nil, &b.d
	}()
	return c.tables(t, sc), nil
}

// print builds the one-row table of print.
func (c *checker) print(v *kql.PrintOp, sc *scope) Node {
	base := &ValuesNode{Table: &MemTable{TableName: "print", Chunks: []*Chunk{{N: 1}}}}
	var exprs []Expr
	var out Schema
	for _, it := range v.Exprs {
		name, x := "", it
		if ne, ok := it.(*kql.NamedExpr); ok {
			name, x = ne.Names[0].Name, ne.Value
		}
		if name == "" || out.Index(name) >= 0 {
			name = "print_" + itoa(len(out))
		}
		e := c.fold(c.expr(x, sc, nil))
		exprs = append(exprs, e)
		out = append(out, ColumnDef{Name: name, Type: e.Type()})
	}
	return &ProjectNode{In: base, Exprs: exprs, Out: out}
}

func (c *checker) rangeOp(v *kql.RangeOp, sc *scope) Node {
	from := c.fold(c.expr(v.From, sc, nil))
	to := c.fold(c.expr(v.To, sc, nil))
	step := c.fold(c.expr(v.Step, sc, nil))
	t := commonType(from.Type(), to.Type())
	if t == TypeUnknown || !(t.isNumeric() || t == TypeDateTime || t == TypeTimeSpan) {
		c.fail(v, CodeType, "range needs numbers, datetimes or timespans")
	}
	name := "range"
	if v.Column != nil {
		name = v.Column.Name
	}
	return &RangeNode{Name: name, T: t, From: from, To: to, Step: step}
}

// unknownColumn fails with Kusto's message for an unresolved name.
func (c *checker) unknownColumn(id *kql.Ident, s Schema) {
	hint := ""
	if i := s.IndexFold(id.Name); i >= 0 {
		hint = " (did you mean '" + s[i].Name + "'? column names are case-sensitive)"
	}
	c.fail(id, CodeUnknownColumn, "Failed to resolve scalar expression named '%s'%s", id.Name, hint)
}
