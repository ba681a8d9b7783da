package engine

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/detwiki/detwiki/internal/lang/kql"
	"github.com/detwiki/detwiki/internal/source"
)

// checker resolves names and types after parsing (semantic checks run
// after the grammar, never inside it) and builds the logical plan.
type checker struct {
	text     string
	lt       *source.LineTable
	opt      Options
	now      int64
	warnings source.Diagnostics
	warned   map[string]bool
	depth    int
	// aggRewrite maps aggregate calls inside a summarize expression to
	// the hidden columns holding their results.
	aggRewrite map[kql.Node]string
	// texts is the source text of the operator each plan node comes from
	// (a table name for scans).
	texts map[Node]string
	// input is the input of the operator being checked (for late-bound
	// columns of bag_unpack and pivot).
	input Node
}

// bailout carries the first semantic error to Compile. unresolved marks a
// name that refers to no table or tabular function (what union
// isfuzzy=true leaves out).
type bailout struct {
	d          source.Diagnostic
	unresolved bool
}

func newChecker(text string, opt Options) *checker {
	return &checker{text: text, lt: source.NewLineTable("", text), opt: opt, now: TimeToTicks(opt.Now), warned: map[string]bool{}}
}

func (c *checker) diag(n kql.Node, sev source.Severity, code, msg string) source.Diagnostic {
	d := source.Diagnostic{Code: code, Severity: sev, Message: msg}
	if n != nil {
		if p := n.Pos(); p.IsValid() {
			pos := c.lt.Position(p)
			d.Line, d.Col = pos.Line, pos.Column
			if e := n.End(); e > p {
				q := c.lt.Position(e)
				d.EndLine, d.EndCol = q.Line, q.Column
			}
		}
	}
	return d
}

// fail stops the check with an error at n.
func (c *checker) fail(n kql.Node, code, format string, args ...any) {
	panic(bailout{d: c.diag(n, source.Error, code, fmt.Sprintf(format, args...))})
}

// failUnresolved stops the check at a name that refers to no table or
// tabular function: an error, except in a leg of union isfuzzy=true.
func (c *checker) failUnresolved(n kql.Node, code, format string, args ...any) {
	panic(bailout{d: c.diag(n, source.Error, code, fmt.Sprintf(format, args...)), unresolved: true})
}

func (c *checker) warn(n kql.Node, code, msg string) {
	if c.warned[code+msg] {
		return
	}
	c.warned[code+msg] = true
	c.warnings = append(c.warnings, c.diag(n, source.Warning, code, msg))
}

// scope holds let bindings.
type scope struct {
	parent *scope
	vars   map[string]*binding
}

type binding struct {
	scalar  Expr
	table   Node
	fn      *kql.LambdaExpr
	fnScope *scope
	name    string
}

func (s *scope) child() *scope { return &scope{parent: s, vars: map[string]*binding{}} }

func (s *scope) lookup(name string) *binding {
	for ; s != nil; s = s.parent {
		if b, ok := s.vars[name]; ok {
			return b
		}
	}
	return nil
}

func (c *checker) checkScript(s *kql.Script) (plan Node, d *source.Diagnostic) {
	defer func() {
		if p := recover(); p != nil {
			b, ok := p.(bailout)
			if !ok {
				panic(p)
			}
			d = &b.d
			plan = nil
		}
	}()
	sc := &scope{vars: map[string]*binding{}}
	var query kql.Expr
	for _, st := range s.Statements {
		switch v := st.(type) {
		case *kql.LetStmt:
			c.let(v, sc)
		case *kql.QueryStmt:
			query = v.X
		case *kql.SetStmt:
			// request options do not change results here
		case *kql.DeclareStmt:
			for _, p := range v.Params {
				if p.Name == nil {
					continue
				}
				if p.Default == nil {
					c.fail(p, CodeSemantic, "query parameter '%s' has no default value to run with", p.Name.Name)
				}
				sc.vars[p.Name.Name] = &binding{scalar: c.fold(c.expr(p.Default, sc, nil)), name: p.Name.Name}
			}
		default:
			c.fail(st, CodeOperator, "this statement is not supported by detwiki's engine")
		}
	}
	if query == nil {
		c.fail(nil, CodeNoQuery, "the script has no query to run")
	}
	return c.tabular(query, sc), nil
}

// let binds a name in sc.
func (c *checker) let(l *kql.LetStmt, sc *scope) {
	if l.Name == nil || l.Value == nil {
		return
	}
	name := l.Name.Name
	switch v := l.Value.(type) {
	case *kql.LambdaExpr:
		sc.vars[name] = &binding{fn: v, fnScope: sc, name: name}
		return
	case *kql.MaterializeExpr:
		sc.vars[name] = &binding{table: &SharedNode{In: c.tabular(v.X, sc)}, name: name}
		return
	}
	if kql.IsTabular(l.Value) || c.isTableRef(l.Value, sc) {
		n := c.tabular(l.Value, sc)
		if _, ok := n.(*ScanNode); !ok {
			n = &SharedNode{In: n}
		}
		sc.vars[name] = &binding{table: n, name: name}
		return
	}
	sc.vars[name] = &binding{scalar: c.fold(c.expr(l.Value, sc, nil)), name: name}
}

// isTableRef reports whether x names a table: an identifier bound to a
// tabular let or a catalog table, or a call of a function whose body is
// tabular.
func (c *checker) isTableRef(x kql.Expr, sc *scope) bool {
	switch v := x.(type) {
	case *kql.ParenExpr:
		return c.isTableRef(v.X, sc)
	case *kql.Ident:
		if b := sc.lookup(v.Name); b != nil {
			return b.table != nil
		}
		if c.opt.Catalog != nil {
			_, ok := c.opt.Catalog.Table(v.Name)
			return ok
		}
	case *kql.CallExpr:
		name := v.Fun.Name
		if b := sc.lookup(name); b != nil && b.fn != nil {
			return b.fn.Body != nil && b.fn.Body.Result != nil && (kql.IsTabular(b.fn.Body.Result) || c.isTableRef(b.fn.Body.Result, b.fnScope.child()))
		}
		return name == "table" || name == "materialize"
	}
	return false
}

// tabular checks a tabular expression.
func (c *checker) tabular(x kql.Expr, sc *scope) Node {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > 200 {
		c.fail(x, CodeSemantic, "query nesting is too deep")
	}
	switch v := x.(type) {
	case *kql.PipeExpr:
		var n Node
		if op, ok := v.Source.(kql.Operator); ok {
			n = c.operator(op, nil, sc)
		} else {
			n = c.tabular(v.Source, sc)
		}
		for _, op := range v.Ops {
			n = c.operator(op, n, sc)
		}
		return n
	case *kql.ParenExpr:
		return c.tabular(v.X, sc)
	case *kql.Ident:
		return c.tableRef(v, sc)
	case *kql.CallExpr:
		return c.tabularCall(v, sc, nil)
	case *kql.DataTableExpr:
		return c.datatable(v, sc)
	case *kql.MaterializeExpr:
		return &SharedNode{In: c.tabular(v.X, sc)}
	case *kql.ExternalDataExpr:
		c.fail(v, CodeExternalData, "externaldata reads a URL, which detwiki's engine does not fetch: provide the data as a table instead")
	case *kql.ToScalarExpr:
		if v.Keyword == kql.TOTABLE {
			return c.tabular(v.X, sc)
		}
	case *kql.DataScopeExpr:
		return c.tabular(v.X, sc)
	case *kql.SelectorExpr:
		// cluster('x').database('y').T
		c.fail(v, CodeUnknownTable, "cross-cluster and cross-database references are not supported by detwiki's engine")
	case kql.Operator:
		return c.operator(v, nil, sc)
	}
	c.fail(x, CodeSemantic, "a tabular expression was expected here")
	return nil
}

// tableRef resolves a table name: a tabular let, a function without
// parameters, or a catalog table.
func (c *checker) tableRef(id *kql.Ident, sc *scope) Node {
	if b := sc.lookup(id.Name); b != nil {
		switch {
		case b.table != nil:
			return b.table
		case b.fn != nil:
			return c.tabularCall(&kql.CallExpr{Fun: id, Lparen: id.End(), Rparen: id.End()}, sc, nil)
		default:
			c.fail(id, CodeSemantic, "'%s' is a scalar, a table was expected", id.Name)
		}
	}
	if id.Wildcard {
		c.fail(id, CodeOperator, "a table wildcard ('%s') needs union or find", id.Name)
	}
	if c.opt.Catalog != nil {
		if t, ok := c.opt.Catalog.Table(id.Name); ok {
			n := &ScanNode{Table: t, Cols: t.Schema()}
			if c.texts == nil {
				c.texts = map[Node]string{}
			}
			c.texts[n] = id.Name
			return n
		}
	}
	c.failUnresolved(id, CodeUnknownTable, "table '%s' has no adapter: detwiki cannot build it from the events given", id.Name)
	return nil
}

// tabularCall checks a call used as a table: a user function, table("T"),
// or a service function. pipeIn is the piped input for invoke.
func (c *checker) tabularCall(call *kql.CallExpr, sc *scope, pipeIn Node) Node {
	name := call.Fun.Name
	if b := sc.lookup(name); b != nil && b.fn != nil {
		res := c.callUser(call, b, sc, nil, pipeIn)
		n, ok := res.(Node)
		if !ok {
			c.fail(call, CodeSemantic, "function '%s' returns a scalar, a table was expected", name)
		}
		return n
	}
	switch name {
	case "table":
		if len(call.Args) >= 1 {
			if lit, ok := call.Args[0].(*kql.BasicLit); ok {
				if s, ok := lit.StringValue(); ok {
					return c.tableRef(&kql.Ident{NamePos: lit.Pos(), EndPos: lit.End(), Name: s}, sc)
				}
			}
		}
		c.fail(call, CodeType, "table() needs a constant table name")
	case "materialize":
		if len(call.Args) == 1 {
			return &SharedNode{In: c.tabular(call.Args[0], sc)}
		}
	}
	if serviceFunctions[strings.ToLower(name)] {
		c.fail(call.Fun, CodeFunction, "'%s' is a service function that detwiki's engine cannot run offline", name)
	}
	c.failUnresolved(call.Fun, CodeUnknownFunction, "Unknown function: '%s'", name)
	return nil
}

// serviceFunctions are functions Sentinel or Defender provide from service
// data: they cannot run on local events.
var serviceFunctions = map[string]bool{
	"fileprofile": true, "deviceprofile": true, "_getwatchlist": true, "_getwatchlistalias": true,
	"aadfunc": true, "seenbefore_lastxdays": true, "assignedipaddress": true, "deviceinfo": true,
	"_asim_getwatchlistsbyitemid": true, "cluster": true, "database": true, "workspace": true, "app": true,
	"adxfunc": true, "_im_dns": true, "_im_websession": true, "_im_networksession": true, "_im_processevent": true,
	"_im_authentication": true, "_im_fileevent": true, "_im_registryevent": true, "_im_auditevent": true,
	"improcesscreate": true, "improcess": true, "imfileevent": true, "imauthentication": true, "imregistry": true,
	"imdns": true, "imnetworksession": true, "imwebsession": true, "_asim_lookupgeo": true,
}

// callUser inlines a let-defined function: the body is checked with the
// parameters bound to the arguments. It returns a Node (tabular body) or an
// Expr (scalar body). rowSchema is the caller's row scope for scalar calls.
func (c *checker) callUser(call *kql.CallExpr, b *binding, sc *scope, rowSchema Schema, pipeIn Node) any {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > 100 {
		c.fail(call, CodeSemantic, "function '%s' calls itself too deeply", b.name)
	}
	fn := b.fn
	fs := b.fnScope.child()
	args := call.Args
	params := fn.Params
	if pipeIn != nil {
		// invoke: the piped table is the first argument
		if len(params) == 0 {
			c.fail(call, CodeType, "function '%s' takes no table to invoke", b.name)
		}
		pn := params[0]
		if pn.Name != nil {
			fs.vars[pn.Name.Name] = &binding{table: pipeIn, name: pn.Name.Name}
		}
		params = params[1:]
	}
	if len(args) > len(params) {
		c.fail(call, CodeType, "function '%s' takes %d arguments, %d given", b.name, len(params), len(args))
	}
	for i, p := range params {
		if p.Name == nil {
			continue
		}
		var arg kql.Expr
		if i < len(args) {
			arg = args[i]
			if ne, ok := arg.(*kql.NamedExpr); ok {
				arg = ne.Value
			}
		}
		tabular := p.Type != nil && p.Type.Tabular
		switch {
		case arg == nil && p.Default != nil:
			fs.vars[p.Name.Name] = &binding{scalar: c.fold(c.expr(p.Default, b.fnScope, nil)), name: p.Name.Name}
		case arg == nil:
			c.fail(call, CodeType, "function '%s' needs argument '%s'", b.name, p.Name.Name)
		case tabular:
			fs.vars[p.Name.Name] = &binding{table: c.tabular(arg, sc), name: p.Name.Name}
		default:
			e := c.expr(arg, sc, rowSchema)
			if p.Type != nil && !p.Type.Tabular {
				if t, ok := ParseType(p.Type.Name); ok && t != e.Type() && e.Type() != TypeUnknown {
					e = c.convertExpr(e, t)
				}
			}
			fs.vars[p.Name.Name] = &binding{scalar: e, name: p.Name.Name}
		}
	}
	if fn.Body == nil || fn.Body.Result == nil {
		c.fail(call, CodeSemantic, "function '%s' has no result", b.name)
	}
	for _, st := range fn.Body.Stmts {
		if l, ok := st.(*kql.LetStmt); ok {
			c.let(l, fs)
		}
	}
	res := fn.Body.Result
	if kql.IsTabular(res) || c.isTableRef(res, fs) {
		return c.tabular(res, fs)
	}
	return c.expr(res, fs, rowSchema)
}

// datatable builds datatable(schema)[values].
func (c *checker) datatable(v *kql.DataTableExpr, sc *scope) Node {
	if v.Schema == nil {
		c.fail(v, CodeSemantic, "datatable needs a schema")
	}
	var schema Schema
	for _, p := range v.Schema.Columns {
		t := TypeString
		if p.Type != nil {
			if tt, ok := ParseType(p.Type.Name); ok {
				t = tt
			} else {
				c.fail(p, CodeType, "unknown type '%s'", p.Type.Name)
			}
		}
		name := ""
		if p.Name != nil {
			name = p.Name.Name
		}
		schema = append(schema, ColumnDef{Name: name, Type: t})
	}
	if len(schema) == 0 {
		c.fail(v, CodeSemantic, "datatable needs at least one column")
	}
	if len(v.Values)%len(schema) != 0 {
		c.fail(v, CodeSemantic, "datatable has %d values for %d columns", len(v.Values), len(schema))
	}
	var rows [][]Value
	for i := 0; i < len(v.Values); i += len(schema) {
		row := make([]Value, len(schema))
		for j := range schema {
			e := c.foldConst(c.expr(v.Values[i+j], sc, nil))
			k, ok := e.(*constExpr)
			if !ok {
				c.fail(v.Values[i+j], CodeSemantic, "datatable values must be constants")
			}
			row[j] = c.castLiteral(v.Values[i+j], k.V, schema[j].Type)
		}
		rows = append(rows, row)
	}
	return &ValuesNode{Table: NewMemTable("datatable", schema, rows)}
}

// castLiteral converts a literal to a declared column type.
func (c *checker) castLiteral(n kql.Node, v Value, t Type) Value {
	if v.T == t || v.Null {
		return fixType(v, t)
	}
	if t == TypeDynamic {
		return Dyn(ToDynamic(v))
	}
	if v.T.isNumeric() && t.isNumeric() {
		return Convert(v, t)
	}
	if v.T == TypeString && t != TypeString {
		out := Convert(v, t)
		return out
	}
	return Convert(v, t)
}

// fold evaluates an expression that reads no column. now() stays a
// run-time value (a compiled query may run at another replay time), so an
// expression reading it is not folded; foldConst folds it too, at the
// compile-time now, where the language needs a constant.
func (c *checker) fold(e Expr) Expr { return c.foldWith(e, false) }

// foldConst folds e with now() taken at Options.Now.
func (c *checker) foldConst(e Expr) Expr { return c.foldWith(e, true) }

func (c *checker) foldWith(e Expr, withNow bool) Expr {
	if e == nil {
		return nil
	}
	if _, ok := e.(*constExpr); ok {
		return e
	}
	constant := true
	walkExpr(e, func(x Expr) {
		switch x.(type) {
		case *colRef, *scalarSubquery, *inTableExpr, *vecExpr:
			constant = false
		case *nowExpr:
			constant = constant && withNow
		}
	})
	if !constant {
		return e
	}
	var col *Column
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				if _, ok := p.(*runtimeError); !ok {
					panic(p)
				}
				err = p.(*runtimeError)
			}
		}()
		col, err = e.eval(&execCtx{maxRows: defaultMaxRows, now: c.now}, &Chunk{N: 1})
	}()
	if err != nil || col == nil {
		return e
	}
	return &constExpr{V: fixType(col.Get(0), e.Type())}
}

// nameOf infers the column name Kusto gives an unnamed expression: a
// column keeps its name, a.b becomes a_b, bin(x, ...) and conversions keep
// x's name; anything else gets "" (the caller numbers it).
func nameOf(x kql.Expr) string {
	switch v := x.(type) {
	case *kql.Ident:
		return v.Name
	case *kql.ParenExpr:
		return nameOf(v.X)
	case *kql.SelectorExpr:
		l := nameOf(v.X)
		r := ""
		switch s := v.Sel.(type) {
		case *kql.Ident:
			r = s.Name
		case *kql.BracketExpr:
			if lit, ok := s.X.(*kql.BasicLit); ok {
				r = lit.Value()
			}
		}
		if l != "" && r != "" {
			return l + "_" + r
		}
	case *kql.IndexExpr:
		l := nameOf(v.X)
		if lit, ok := v.Index.(*kql.BasicLit); ok && l != "" {
			return l + "_" + strings.TrimPrefix(lit.Value(), "-")
		}
	case *kql.CallExpr:
		switch strings.ToLower(v.Fun.Name) {
		case "bin", "floor", "bin_at", "tostring", "toint", "tolong", "todouble", "toreal", "todatetime",
			"totimespan", "tobool", "todynamic", "todecimal", "toguid", "startofday", "startofweek",
			"startofmonth", "startofyear":
			if len(v.Args) > 0 {
				return nameOf(v.Args[0])
			}
		}
	}
	return ""
}

// uniqueName returns name, or name with a number appended when taken.
func uniqueName(s Schema, name string) string {
	if s.Index(name) < 0 {
		return name
	}
	for i := 1; ; i++ {
		n := name + strconv.Itoa(i)
		if s.Index(n) < 0 {
			return n
		}
	}
}

// columnN returns the next ColumnN name not in s.
func columnN(s Schema) string {
	for i := 1; ; i++ {
		n := "Column" + strconv.Itoa(i)
		if s.Index(n) < 0 {
			return n
		}
	}
}

// matchWildcard matches a column name against a project-away pattern.
func matchWildcard(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

// identity returns a ProjectNode reading every column of in.
func identityExprs(in Schema) []Expr {
	out := make([]Expr, len(in))
	for i, c := range in {
		out[i] = &colRef{Index: i, Name: c.Name, T: c.Type}
	}
	return out
}
