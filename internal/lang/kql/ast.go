package kql

import "github.com/detwiki/detwiki/internal/source"

// Node is any node of the syntax tree. Pos is the offset of its first byte
// and End the offset just past its last byte, so src[n.Pos():n.End()] is its
// text (see Text).
type Node interface {
	Pos() source.Pos
	End() source.Pos
}

// Expr is a scalar or tabular expression. Query operators are expressions
// too (a pipeline may start with union, print, range, ...).
type Expr interface {
	Node
	exprNode()
}

// Stmt is a statement of a query script.
type Stmt interface {
	Node
	stmtNode()
}

// Operator is a tabular query operator (where, extend, summarize, join, ...).
// Name returns its keyword as the query spells it (where or filter, take or
// limit, mv-expand or mvexpand), the name analysis uses for pipeline stages.
type Operator interface {
	Expr
	Name() string
	Keyword() Token
	opNode()
}

// ---------------------------------------------------------------------------
// Script, comments, statements

// Comment is a // comment; Text includes the slashes but not the line break.
type Comment struct {
	Slash source.Pos
	Text  string
}

// Pos returns the offset of the first slash.
func (c *Comment) Pos() source.Pos { return c.Slash }

// End returns the offset just past the comment text.
func (c *Comment) End() source.Pos { return c.Slash + source.Pos(len(c.Text)) }

// Directive is a client directive line (#connect ...) before the query.
type Directive struct {
	Hash source.Pos
	Text string
}

// Pos returns the offset of the '#'.
func (d *Directive) Pos() source.Pos { return d.Hash }

// End returns the offset just past the directive line.
func (d *Directive) End() source.Pos { return d.Hash + source.Pos(len(d.Text)) }

// Script is a parsed query text: statements separated by semicolons, the
// comments found anywhere in it, and any leading client directives.
type Script struct {
	Directives []*Directive
	Statements []Stmt
	Comments   []*Comment
	EndPos     source.Pos // length of the text
}

// Pos returns 0: a script spans its whole text.
func (s *Script) Pos() source.Pos { return 0 }

// End returns the length of the text.
func (s *Script) End() source.Pos { return s.EndPos }

// Query returns the last query statement's expression (the script's
// result), or nil when the script has none.
func (s *Script) Query() Expr {
	for i := len(s.Statements) - 1; i >= 0; i-- {
		if q, ok := s.Statements[i].(*QueryStmt); ok {
			return q.X
		}
	}
	return nil
}

// Lets returns the script's let statements in order.
func (s *Script) Lets() []*LetStmt {
	var out []*LetStmt
	for _, st := range s.Statements {
		if l, ok := st.(*LetStmt); ok {
			out = append(out, l)
		}
	}
	return out
}

type (
	// LetStmt binds a name: let x = 1; let T = Table | where ...;
	// let f = (a:string, T:(*)) { ... }; let v = view () { ... };
	// let m = materialize(T). Value is a *LambdaExpr for functions and views,
	// a *MaterializeExpr for materialize, otherwise a scalar or tabular
	// expression.
	LetStmt struct {
		Let    source.Pos
		Name   *Ident
		Assign source.Pos
		Value  Expr
	}

	// QueryStmt is a tabular (or scalar) expression statement.
	QueryStmt struct {
		X Expr
	}

	// SetStmt sets a request option: set querytrace; set x = 1.
	SetStmt struct {
		Set    source.Pos
		Name   *Ident
		Assign source.Pos // NoPos without a value
		Value  Expr       // nil without a value
	}

	// DeclareStmt declares query parameters:
	// declare query_parameters (a:string = "x", b:long).
	DeclareStmt struct {
		Declare source.Pos
		Lparen  source.Pos
		Params  []*Param
		Rparen  source.Pos
		EndPos  source.Pos
	}

	// AliasStmt is alias database name = cluster('c').database('d').
	AliasStmt struct {
		Alias  source.Pos
		Name   *Ident
		Assign source.Pos
		Value  Expr
	}

	// PatternStmt declares a pattern: declare pattern p = (a:string) { ... }.
	// A pattern without a definition has nil Params and Matches.
	PatternStmt struct {
		Declare source.Pos
		Name    *Ident
		Params  []*Param
		Path    *Param // optional [name:type] path parameter
		Matches []*PatternMatch
		EndPos  source.Pos
	}

	// RestrictStmt is restrict access to (T1, T2*).
	RestrictStmt struct {
		Restrict source.Pos
		Entities []Expr
		With     []*NamedParam
		EndPos   source.Pos
	}

	// BadStmt stands for text that could not be parsed as a statement (the
	// "incomplete fragment" after the last statement).
	BadStmt struct {
		From, To source.Pos
	}
)

// PatternMatch is one ("a", "b").["p"] = { body }; case of a pattern.
type PatternMatch struct {
	Lparen source.Pos
	Args   []Expr
	Rparen source.Pos
	Path   Expr // optional .["value"]
	Body   *FuncBody
	EndPos source.Pos
}

// Pos returns the offset of the '('.
func (m *PatternMatch) Pos() source.Pos { return m.Lparen }

// End returns the offset past the match's semicolon.
func (m *PatternMatch) End() source.Pos { return m.EndPos }

// Pos returns the offset of the first byte of the LetStmt.
func (s *LetStmt) Pos() source.Pos { return s.Let }

// Pos returns the offset of the first byte of the QueryStmt.
func (s *QueryStmt) Pos() source.Pos { return s.X.Pos() }

// Pos returns the offset of the first byte of the SetStmt.
func (s *SetStmt) Pos() source.Pos { return s.Set }

// Pos returns the offset of the first byte of the DeclareStmt.
func (s *DeclareStmt) Pos() source.Pos { return s.Declare }

// Pos returns the offset of the first byte of the AliasStmt.
func (s *AliasStmt) Pos() source.Pos { return s.Alias }

// Pos returns the offset of the first byte of the PatternStmt.
func (s *PatternStmt) Pos() source.Pos { return s.Declare }

// Pos returns the offset of the first byte of the RestrictStmt.
func (s *RestrictStmt) Pos() source.Pos {
	return s.Restrict
}

// Pos returns the offset of the first byte of the BadStmt.
func (s *BadStmt) Pos() source.Pos { return s.From }

// End returns the offset just past the last byte of the LetStmt.
func (s *LetStmt) End() source.Pos { return endOf(s.Value, s.Assign+1) }

// End returns the offset just past the last byte of the QueryStmt.
func (s *QueryStmt) End() source.Pos { return s.X.End() }

// End returns the offset just past the last byte of the SetStmt.
func (s *SetStmt) End() source.Pos {
	if s.Value != nil {
		return s.Value.End()
	}
	return s.Name.End()
}

// End returns the offset just past the last byte of the DeclareStmt.
func (s *DeclareStmt) End() source.Pos { return s.EndPos }

// End returns the offset just past the last byte of the AliasStmt.
func (s *AliasStmt) End() source.Pos { return endOf(s.Value, s.Assign+1) }

// End returns the offset just past the last byte of the PatternStmt.
func (s *PatternStmt) End() source.Pos { return s.EndPos }

// End returns the offset just past the last byte of the RestrictStmt.
func (s *RestrictStmt) End() source.Pos { return s.EndPos }

// End returns the offset just past the last byte of the BadStmt.
func (s *BadStmt) End() source.Pos { return s.To }

func (*LetStmt) stmtNode()      {}
func (*QueryStmt) stmtNode()    {}
func (*SetStmt) stmtNode()      {}
func (*DeclareStmt) stmtNode()  {}
func (*AliasStmt) stmtNode()    {}
func (*PatternStmt) stmtNode()  {}
func (*RestrictStmt) stmtNode() {}
func (*BadStmt) stmtNode()      {}

// IsFunction reports whether the let statement declares a function or view.
func (s *LetStmt) IsFunction() bool { _, ok := s.Value.(*LambdaExpr); return ok }

// IsView reports whether the let statement declares a view.
func (s *LetStmt) IsView() bool {
	l, ok := s.Value.(*LambdaExpr)
	return ok && l.View.IsValid()
}

// IsTabular reports whether the let statement binds a tabular expression
// (a pipeline, a table operator, materialize, datatable, a tabular function
// body), as far as syntax can tell.
func (s *LetStmt) IsTabular() bool {
	switch v := s.Value.(type) {
	case *MaterializeExpr:
		return true
	case *LambdaExpr:
		return v.Body != nil && v.Body.Result != nil && IsTabular(v.Body.Result)
	}
	return IsTabular(s.Value)
}

// IsTabular reports whether e is syntactically a tabular expression: a
// pipeline, a query operator, datatable, externaldata, materialize, a
// parenthesized one of these, or union/range/print at the start.
func IsTabular(e Expr) bool {
	switch v := e.(type) {
	case *PipeExpr, *DataTableExpr, *ExternalDataExpr, *MaterializeExpr:
		return true
	case Operator:
		return true
	case *ParenExpr:
		return IsTabular(v.X)
	case *ToScalarExpr:
		return v.Keyword == TOTABLE
	}
	return false
}

func endOf(n Node, def source.Pos) source.Pos {
	if n == nil || isNilNode(n) {
		return def
	}
	return n.End()
}

func isNilNode(n Node) bool {
	switch v := n.(type) {
	case *Ident:
		return v == nil
	case *BasicLit:
		return v == nil
	}
	return false
}

// ---------------------------------------------------------------------------
// Expressions

type (
	// Ident is a name: a column, table, function or variable reference or
	// declaration. Bracketed names (['my col'], ["a"]) have Quoted set and
	// Name holds the decoded name; keywords used as names (count, title)
	// and $left/$right are plain idents; wildcard names in project-away and
	// union (Device*, *) have Wildcard set. Quoted is also set on the rare
	// identifier that Kusto reads but that is spelled like a keyword (the
	// project of project-awayx), so that it prints as ['project'].
	Ident struct {
		NamePos  source.Pos
		EndPos   source.Pos
		Name     string
		Quoted   bool
		Wildcard bool
	}

	// BasicLit is a literal: a string (Kind STRING; several adjacent strings
	// form one literal), a number, a bool, a timespan (2h, 1tick), a typed
	// literal (datetime(2024-01-01), guid(...), long(1), time(1h)), or null
	// (Kind NULL) inside dynamic. Raw is the source text; see Value and the
	// typed accessors for the decoded value.
	BasicLit struct {
		ValuePos source.Pos
		EndPos   source.Pos
		Kind     Token
		Raw      string
	}

	// DynamicLit is dynamic(<json>): a JSON array, object, scalar or null.
	DynamicLit struct {
		Dynamic source.Pos
		Lparen  source.Pos
		Value   Expr // *JSONArray, *JSONObject, *BasicLit, *UnaryExpr (-1)
		Rparen  source.Pos
	}

	// JSONArray is [v, v, ...] inside dynamic(...).
	JSONArray struct {
		Lbrack source.Pos
		Elems  []Expr
		Rbrack source.Pos
	}

	// JSONObject is {"k": v, ...} inside dynamic(...).
	JSONObject struct {
		Lbrace source.Pos
		Pairs  []*JSONPair
		Rbrace source.Pos
	}

	// JSONPair is "key": value. Key is nil when the source omits it.
	JSONPair struct {
		Key   *BasicLit
		Colon source.Pos
		Value Expr
	}

	// BinaryExpr is X op Y for the arithmetic, comparison, logical and
	// string operators (==, =~, !has, contains_cs, matches regex, like,
	// and, or, ...). Op is the operator token.
	BinaryExpr struct {
		X     Expr
		OpPos source.Pos
		Op    Token
		Y     Expr
	}

	// UnaryExpr is -X or +X.
	UnaryExpr struct {
		OpPos source.Pos
		Op    Token
		X     Expr
	}

	// InExpr is X in (list), with Op one of IN, IN_CI (in~), NOT_IN,
	// NOT_IN_CI, HAS_ANY, HAS_ALL. The list may hold a single tabular
	// expression (x in (T | project y)).
	InExpr struct {
		X     Expr
		OpPos source.Pos
		Op    Token
		List  *ListExpr
	}

	// ListExpr is a parenthesized, comma-separated list.
	ListExpr struct {
		Lparen source.Pos
		Elems  []Expr
		Rparen source.Pos
	}

	// BetweenExpr is X between (Low .. High) or X !between (...).
	BetweenExpr struct {
		X      Expr
		OpPos  source.Pos
		Op     Token // BETWEEN or NOT_BETWEEN
		Lparen source.Pos
		Low    Expr
		DotDot source.Pos
		High   Expr
		Rparen source.Pos
	}

	// CallExpr is a function call f(args). Args may hold *NamedExpr (named
	// arguments) and *StarExpr (arg_max(t, *)).
	CallExpr struct {
		Fun    *Ident
		Lparen source.Pos
		Args   []Expr
		Rparen source.Pos
	}

	// IndexExpr is X[Index]: x[0], x['a'], d["key"].
	IndexExpr struct {
		X      Expr
		Lbrack source.Pos
		Index  Expr
		Rbrack source.Pos
	}

	// SelectorExpr is X.Sel: a.b, $left.Col, cluster('c').database('d').T,
	// x.f(). Sel is an *Ident, a *CallExpr or an *IndexExpr-less bracketed
	// name.
	SelectorExpr struct {
		X   Expr
		Dot source.Pos
		Sel Expr
	}

	// BracketExpr is a bracketed path element after a dot: x.[expr].
	BracketExpr struct {
		Lbrack source.Pos
		X      Expr
		Rbrack source.Pos
	}

	// ParenExpr is (X); X may be a tabular expression.
	ParenExpr struct {
		Lparen source.Pos
		X      Expr
		Rparen source.Pos
	}

	// NamedExpr is Name = Value (extend x = 1, summarize c = count(),
	// f(a = 1)) or the tuple form (a, b) = Value.
	NamedExpr struct {
		Lparen source.Pos // NoPos unless the tuple form
		Names  []*Ident
		Rparen source.Pos
		Assign source.Pos
		Value  Expr
		one    [1]*Ident // backing store of Names for the usual single name
	}

	// StarExpr is *: arg_max(t, *), distinct *, search *.
	StarExpr struct {
		Star source.Pos
	}

	// OrderedExpr is X [asc|desc] [nulls first|last] in sort and top.
	OrderedExpr struct {
		X        Expr
		DirPos   source.Pos
		Dir      Token // ASC, DESC, GRANNY_ASC, GRANNY_DESC or 0
		NullsPos source.Pos
		Nulls    Token // FIRST, LAST or 0
		EndPos   source.Pos
	}

	// LambdaExpr is a function or view declaration in a let statement:
	// [view] (params) { body }.
	LambdaExpr struct {
		View   source.Pos // NoPos unless a view
		Lparen source.Pos
		Params []*Param
		Rparen source.Pos
		Body   *FuncBody
	}

	// Param declares a name and its type, with an optional default value:
	// function parameters (a:string = "x", T:(*)), schema columns
	// (datatable(a:string)), parse captures (name:long).
	Param struct {
		Name    *Ident
		Colon   source.Pos // NoPos in parse captures without a type
		Type    *TypeExpr
		Assign  source.Pos
		Default Expr
	}

	// TypeExpr is a type: a scalar type name, or a tabular schema (*) /
	// (a:string, b:long).
	TypeExpr struct {
		TypePos source.Pos
		EndPos  source.Pos
		Name    string // scalar type name; "" for a tabular type
		Tabular bool
		Columns []Expr // *Param or *StarExpr for a tabular type
	}

	// TypeOfExpr is typeof(string) or typeof(a:string, b:long).
	TypeOfExpr struct {
		TypeOf source.Pos
		Lparen source.Pos
		Types  []Expr // *TypeExpr, *Param, *StarExpr
		Rparen source.Pos
	}

	// DataTableExpr is datatable(schema)[values].
	DataTableExpr struct {
		DataTable source.Pos
		Params    []*NamedParam
		Schema    *Schema
		Lbrack    source.Pos
		Values    []Expr
		Rbrack    source.Pos
	}

	// ExternalDataExpr is externaldata(schema)[uris] with (props).
	ExternalDataExpr struct {
		KwPos   source.Pos
		Keyword Token // EXTERNALDATA or EXTERNAL_DATA
		Params  []*NamedParam
		Schema  *Schema
		Lbrack  source.Pos
		URIs    []Expr
		Rbrack  source.Pos
		With    []*NamedParam
		EndPos  source.Pos
	}

	// ToScalarExpr is toscalar([kind=...] expr) or totable(...).
	ToScalarExpr struct {
		KwPos   source.Pos
		Keyword Token // TOSCALAR or TOTABLE
		Params  []*NamedParam
		Lparen  source.Pos
		X       Expr
		Rparen  source.Pos
	}

	// MaterializeExpr is materialize(expr) in a let statement.
	MaterializeExpr struct {
		Materialize source.Pos
		Lparen      source.Pos
		X           Expr
		Rparen      source.Pos
	}

	// ToTypeExpr is X to typeof(type) in mv-expand and mv-apply.
	ToTypeExpr struct {
		X    Expr // nil when omitted
		To   source.Pos
		Type *TypeOfExpr
	}

	// DefaultExpr is X default = Value in make-series.
	DefaultExpr struct {
		X       Expr
		Default source.Pos
		Value   Expr
	}

	// DataScopeExpr is X datascope=hotcache (or all).
	DataScopeExpr struct {
		X         Expr
		DataScope source.Pos
		Value     *Ident
	}

	// EntityGroupExpr is entity_group [a, b, ...].
	EntityGroupExpr struct {
		EntityGroup source.Pos
		Lbrack      source.Pos
		Elems       []Expr
		Rbrack      source.Pos
	}

	// ContextualDataTableExpr is __contextual_datatable id (schema), an
	// internal form Kusto accepts.
	ContextualDataTableExpr struct {
		KwPos  source.Pos
		ID     Expr
		Schema *Schema
	}

	// MaterializedViewCombineExpr is materialized-view-combine (view)
	// base (q) delta (q) aggregations (summarize ...).
	MaterializedViewCombineExpr struct {
		KwPos        source.Pos
		View         Expr
		Base         Expr
		Delta        Expr
		Aggregations Expr
		EndPos       source.Pos
	}

	// BadExpr stands for a missing or unparsable expression; the parser
	// reported an error for it.
	BadExpr struct {
		From, To source.Pos
	}
)

// Schema is a row schema: (name:type, ...).
type Schema struct {
	Lparen  source.Pos
	Columns []*Param
	Rparen  source.Pos
	EndPos  source.Pos
}

// Pos returns the offset of the '('.
func (s *Schema) Pos() source.Pos { return s.Lparen }

// End returns the offset past the ')'.
func (s *Schema) End() source.Pos { return s.EndPos }

// NamedParam is an operator parameter or property: kind=inner,
// hint.strategy=shuffle, withsource=T, isfuzzy=true, title="x".
type NamedParam struct {
	NamePos source.Pos
	Name    string
	Assign  source.Pos // NoPos for parameters without '=' (render ... by x)
	Value   Expr
}

// Pos returns the offset of the name.
func (p *NamedParam) Pos() source.Pos { return p.NamePos }

// End returns the offset past the value.
func (p *NamedParam) End() source.Pos {
	return endOf(p.Value, p.NamePos+source.Pos(len(p.Name)))
}

// FuncBody is { let ...; ...; expr } of a function, view or pattern.
type FuncBody struct {
	Lbrace source.Pos
	Stmts  []Stmt
	Result Expr // nil when the body has no result expression
	Rbrace source.Pos
	EndPos source.Pos
}

// Pos returns the offset of the '{'.
func (b *FuncBody) Pos() source.Pos { return b.Lbrace }

// End returns the offset past the '}'.
func (b *FuncBody) End() source.Pos { return b.EndPos }

// Pos returns the offset of the first byte of the Ident.
func (x *Ident) Pos() source.Pos { return x.NamePos }

// Pos returns the offset of the first byte of the BasicLit.
func (x *BasicLit) Pos() source.Pos { return x.ValuePos }

// Pos returns the offset of the first byte of the DynamicLit.
func (x *DynamicLit) Pos() source.Pos { return x.Dynamic }

// Pos returns the offset of the first byte of the JSONArray.
func (x *JSONArray) Pos() source.Pos { return x.Lbrack }

// Pos returns the offset of the first byte of the JSONObject.
func (x *JSONObject) Pos() source.Pos { return x.Lbrace }

// Pos returns the offset of the first byte of the BinaryExpr.
func (x *BinaryExpr) Pos() source.Pos { return x.X.Pos() }

// Pos returns the offset of the first byte of the UnaryExpr.
func (x *UnaryExpr) Pos() source.Pos { return x.OpPos }

// Pos returns the offset of the first byte of the InExpr.
func (x *InExpr) Pos() source.Pos { return x.X.Pos() }

// Pos returns the offset of the first byte of the ListExpr.
func (x *ListExpr) Pos() source.Pos {
	if !x.Lparen.IsValid() && len(x.Elems) > 0 {
		return x.Elems[0].Pos()
	}
	return x.Lparen
}

// Pos returns the offset of the first byte of the BetweenExpr.
func (x *BetweenExpr) Pos() source.Pos { return x.X.Pos() }

// Pos returns the offset of the first byte of the CallExpr.
func (x *CallExpr) Pos() source.Pos { return x.Fun.Pos() }

// Pos returns the offset of the first byte of the IndexExpr.
func (x *IndexExpr) Pos() source.Pos { return x.X.Pos() }

// Pos returns the offset of the first byte of the SelectorExpr.
func (x *SelectorExpr) Pos() source.Pos { return x.X.Pos() }

// Pos returns the offset of the first byte of the ParenExpr.
func (x *ParenExpr) Pos() source.Pos { return x.Lparen }

// Pos returns the offset of the first byte of the BracketExpr.
func (x *BracketExpr) Pos() source.Pos { return x.Lbrack }

// Pos returns the offset of the first byte of the StarExpr.
func (x *StarExpr) Pos() source.Pos { return x.Star }

// Pos returns the offset of the first byte of the OrderedExpr.
func (x *OrderedExpr) Pos() source.Pos { return x.X.Pos() }

// Pos returns the offset of the first byte of the TypeExpr.
func (x *TypeExpr) Pos() source.Pos { return x.TypePos }

// Pos returns the offset of the first byte of the TypeOfExpr.
func (x *TypeOfExpr) Pos() source.Pos { return x.TypeOf }

// Pos returns the offset of the first byte of the DataTableExpr.
func (x *DataTableExpr) Pos() source.Pos {
	return x.DataTable
}

// Pos returns the offset of the first byte of the ExternalDataExpr.
func (x *ExternalDataExpr) Pos() source.Pos { return x.KwPos }

// Pos returns the offset of the first byte of the ToScalarExpr.
func (x *ToScalarExpr) Pos() source.Pos { return x.KwPos }

// Pos returns the offset of the first byte of the MaterializeExpr.
func (x *MaterializeExpr) Pos() source.Pos { return x.Materialize }

// Pos returns the offset of the first byte of the BadExpr.
func (x *BadExpr) Pos() source.Pos { return x.From }

// Pos returns the offset of the first byte of the DataScopeExpr.
func (x *DataScopeExpr) Pos() source.Pos { return x.X.Pos() }

// Pos returns the offset of the first byte of the EntityGroupExpr.
func (x *EntityGroupExpr) Pos() source.Pos { return x.EntityGroup }

// Pos returns the offset of the first byte of the ContextualDataTableExpr.
func (x *ContextualDataTableExpr) Pos() source.Pos {
	return x.KwPos
}

// Pos returns the offset of the first byte of the MaterializedViewCombineExpr.
func (x *MaterializedViewCombineExpr) Pos() source.Pos { return x.KwPos }

// Pos returns the offset of the key (or colon, or value when they are missing).
func (x *JSONPair) Pos() source.Pos {
	if x.Key != nil {
		return x.Key.Pos()
	}
	if x.Colon.IsValid() {
		return x.Colon
	}
	return x.Value.Pos()
}

// Pos returns the offset of the first name or the '(' of a tuple.
func (x *NamedExpr) Pos() source.Pos {
	if x.Lparen.IsValid() {
		return x.Lparen
	}
	return x.Names[0].Pos()
}

// Pos returns the offset of view or '('.
func (x *LambdaExpr) Pos() source.Pos {
	if x.View.IsValid() {
		return x.View
	}
	return x.Lparen
}

// Pos returns the offset of the name (or colon when the name is missing).
func (x *Param) Pos() source.Pos {
	if x.Name != nil {
		return x.Name.Pos()
	}
	if x.Colon.IsValid() {
		return x.Colon
	}
	return x.Type.Pos()
}

// Pos returns the offset of X, or of 'to' when X is omitted.
func (x *ToTypeExpr) Pos() source.Pos {
	if x.X != nil {
		return x.X.Pos()
	}
	return x.To
}

// Pos returns the offset of the first byte of the DefaultExpr.
func (x *DefaultExpr) Pos() source.Pos { return x.X.Pos() }

// End returns the offset just past the last byte of the Ident.
func (x *Ident) End() source.Pos { return x.EndPos }

// End returns the offset just past the last byte of the BasicLit.
func (x *BasicLit) End() source.Pos { return x.EndPos }

// End returns the offset just past the last byte of the DynamicLit.
func (x *DynamicLit) End() source.Pos { return x.Rparen + 1 }

// End returns the offset just past the last byte of the JSONArray.
func (x *JSONArray) End() source.Pos { return x.Rbrack + 1 }

// End returns the offset just past the last byte of the JSONObject.
func (x *JSONObject) End() source.Pos { return x.Rbrace + 1 }

// End returns the offset just past the last byte of the JSONPair.
func (x *JSONPair) End() source.Pos { return x.Value.End() }

// End returns the offset just past the last byte of the BinaryExpr.
func (x *BinaryExpr) End() source.Pos { return x.Y.End() }

// End returns the offset just past the last byte of the UnaryExpr.
func (x *UnaryExpr) End() source.Pos { return x.X.End() }

// End returns the offset just past the last byte of the InExpr.
func (x *InExpr) End() source.Pos { return x.List.End() }

// End returns the offset just past the last byte of the ListExpr.
func (x *ListExpr) End() source.Pos {
	if !x.Lparen.IsValid() && len(x.Elems) > 0 {
		return x.Elems[len(x.Elems)-1].End()
	}
	return x.Rparen + 1
}

// End returns the offset just past the last byte of the BetweenExpr.
func (x *BetweenExpr) End() source.Pos { return x.Rparen + 1 }

// End returns the offset just past the last byte of the CallExpr.
func (x *CallExpr) End() source.Pos { return x.Rparen + 1 }

// End returns the offset just past the last byte of the IndexExpr.
func (x *IndexExpr) End() source.Pos { return x.Rbrack + 1 }

// End returns the offset just past the last byte of the SelectorExpr.
func (x *SelectorExpr) End() source.Pos { return x.Sel.End() }

// End returns the offset just past the last byte of the ParenExpr.
func (x *ParenExpr) End() source.Pos { return x.Rparen + 1 }

// End returns the offset just past the last byte of the BracketExpr.
func (x *BracketExpr) End() source.Pos { return x.Rbrack + 1 }

// End returns the offset just past the last byte of the NamedExpr.
func (x *NamedExpr) End() source.Pos { return x.Value.End() }

// End returns the offset just past the last byte of the StarExpr.
func (x *StarExpr) End() source.Pos { return x.Star + 1 }

// End returns the offset just past the last byte of the OrderedExpr.
func (x *OrderedExpr) End() source.Pos { return x.EndPos }

// End returns the offset just past the last byte of the LambdaExpr.
func (x *LambdaExpr) End() source.Pos { return x.Body.End() }

// End returns the offset just past the last byte of the TypeExpr.
func (x *TypeExpr) End() source.Pos { return x.EndPos }

// End returns the offset just past the last byte of the TypeOfExpr.
func (x *TypeOfExpr) End() source.Pos { return x.Rparen + 1 }

// End returns the offset just past the last byte of the DataTableExpr.
func (x *DataTableExpr) End() source.Pos {
	return x.Rbrack + 1
}

// End returns the offset just past the last byte of the ExternalDataExpr.
func (x *ExternalDataExpr) End() source.Pos { return x.EndPos }

// End returns the offset just past the last byte of the ToScalarExpr.
func (x *ToScalarExpr) End() source.Pos { return x.Rparen + 1 }

// End returns the offset just past the last byte of the MaterializeExpr.
func (x *MaterializeExpr) End() source.Pos { return x.Rparen + 1 }

// End returns the offset just past the last byte of the ToTypeExpr.
func (x *ToTypeExpr) End() source.Pos { return x.Type.End() }

// End returns the offset just past the last byte of the DefaultExpr.
func (x *DefaultExpr) End() source.Pos { return x.Value.End() }

// End returns the offset just past the last byte of the BadExpr.
func (x *BadExpr) End() source.Pos { return x.To }

// End returns the offset just past the last byte of the DataScopeExpr.
func (x *DataScopeExpr) End() source.Pos { return x.Value.End() }

// End returns the offset just past the last byte of the EntityGroupExpr.
func (x *EntityGroupExpr) End() source.Pos { return x.Rbrack + 1 }

// End returns the offset just past the last byte of the ContextualDataTableExpr.
func (x *ContextualDataTableExpr) End() source.Pos {
	return x.Schema.End()
}

// End returns the offset just past the last byte of the MaterializedViewCombineExpr.
func (x *MaterializedViewCombineExpr) End() source.Pos { return x.EndPos }

// End returns the offset past the default value, the type or the name.
func (x *Param) End() source.Pos {
	switch {
	case x.Default != nil:
		return x.Default.End()
	case x.Type != nil:
		return x.Type.End()
	case x.Name != nil:
		return x.Name.End()
	}
	return x.Colon + 1
}

func (*Ident) exprNode()                       {}
func (*BasicLit) exprNode()                    {}
func (*DynamicLit) exprNode()                  {}
func (*JSONArray) exprNode()                   {}
func (*JSONObject) exprNode()                  {}
func (*JSONPair) exprNode()                    {}
func (*BinaryExpr) exprNode()                  {}
func (*UnaryExpr) exprNode()                   {}
func (*InExpr) exprNode()                      {}
func (*ListExpr) exprNode()                    {}
func (*BetweenExpr) exprNode()                 {}
func (*CallExpr) exprNode()                    {}
func (*IndexExpr) exprNode()                   {}
func (*SelectorExpr) exprNode()                {}
func (*ParenExpr) exprNode()                   {}
func (*BracketExpr) exprNode()                 {}
func (*NamedExpr) exprNode()                   {}
func (*StarExpr) exprNode()                    {}
func (*OrderedExpr) exprNode()                 {}
func (*LambdaExpr) exprNode()                  {}
func (*Param) exprNode()                       {}
func (*TypeExpr) exprNode()                    {}
func (*TypeOfExpr) exprNode()                  {}
func (*DataTableExpr) exprNode()               {}
func (*ExternalDataExpr) exprNode()            {}
func (*ToScalarExpr) exprNode()                {}
func (*MaterializeExpr) exprNode()             {}
func (*ToTypeExpr) exprNode()                  {}
func (*DefaultExpr) exprNode()                 {}
func (*BadExpr) exprNode()                     {}
func (*DataScopeExpr) exprNode()               {}
func (*EntityGroupExpr) exprNode()             {}
func (*ContextualDataTableExpr) exprNode()     {}
func (*MaterializedViewCombineExpr) exprNode() {}

// newNamed returns name = value with Names stored inside the node.
func newNamed(name *Ident, assign source.Pos, value Expr) *NamedExpr {
	x := &NamedExpr{Lparen: source.NoPos, Rparen: source.NoPos, Assign: assign, Value: value}
	x.one[0] = name
	x.Names = x.one[:]
	return x
}

// Name returns the first (usually only) declared name.
func (x *NamedExpr) Name() *Ident { return x.Names[0] }

// ---------------------------------------------------------------------------
// Tabular expressions and query operators

// PipeExpr is a pipeline: Source | Ops[0] | Ops[1] ... Source is a table
// reference, a function call, a parenthesized expression, datatable, or an
// operator that can start a query (union, print, range, search, find,
// evaluate) — or, inside mv-apply, fork and facet, a piped operator.
type PipeExpr struct {
	Source Expr
	Bars   []source.Pos // the '|' before each operator
	Ops    []Operator
}

// Pos returns the offset of the source.
func (x *PipeExpr) Pos() source.Pos { return x.Source.Pos() }

// End returns the offset past the last operator.
func (x *PipeExpr) End() source.Pos {
	if n := len(x.Ops); n > 0 {
		return x.Ops[n-1].End()
	}
	return x.Source.End()
}
func (*PipeExpr) exprNode() {}

// op is the part every query operator shares: its keyword and span.
type op struct {
	Kw     Token
	KwPos  source.Pos
	EndPos source.Pos
}

// Pos returns the offset of the operator keyword.
func (o *op) Pos() source.Pos { return o.KwPos }

// End returns the offset past the operator's last token.
func (o *op) End() source.Pos { return o.EndPos }

// Name returns the operator keyword as written (where, mv-expand, ...).
func (o *op) Name() string { return o.Kw.String() }

// Keyword returns the operator keyword token.
func (o *op) Keyword() Token { return o.Kw }

func (*op) exprNode() {}
func (*op) opNode()   {}

type (
	// WhereOp is where/filter Pred.
	WhereOp struct {
		op
		Params []*NamedParam
		Pred   Expr
	}

	// ExtendOp is extend a = x, b = y.
	ExtendOp struct {
		op
		Exprs []Expr
	}

	// ProjectOp is project a, b = x (also project-rename and
	// project-by-names; see Kw).
	ProjectOp struct {
		op
		Exprs []Expr
	}

	// ProjectAwayOp is project-away a, b* (also project-keep; see Kw).
	ProjectAwayOp struct {
		op
		Columns []Expr
	}

	// ProjectReorderOp is project-reorder a, b* asc.
	ProjectReorderOp struct {
		op
		Columns []Expr
	}

	// SummarizeOp is summarize [params] aggs [by groups].
	SummarizeOp struct {
		op
		Params []*NamedParam
		Aggs   []Expr
		By     source.Pos // NoPos without a by clause
		Groups []Expr
		Bin    Expr // legacy by x bin=1h: the bin size, else nil
	}

	// JoinOp is join [kind=...] [hints] Right on conditions | where Pred.
	// Kind returns the join kind.
	JoinOp struct {
		op
		Params []*NamedParam
		Right  Expr
		On     source.Pos
		Conds  []Expr // on a, $left.b == $right.c
		Where  Expr   // join ... where pred (instead of on)
	}

	// LookupOp is lookup [kind=...] Right on conditions.
	LookupOp struct {
		op
		Params []*NamedParam
		Right  Expr
		On     source.Pos
		Conds  []Expr
	}

	// UnionOp is union [params] T1, T2*, (query).
	UnionOp struct {
		op
		Params []*NamedParam
		Tables []Expr
	}

	// ParseOp is parse/parse-where [kind=...] Source with pattern.
	// Pattern elements are string literals, *StarExpr and *Param (name or
	// name:type captures).
	ParseOp struct {
		op
		Params  []*NamedParam
		Source  Expr
		With    source.Pos
		Pattern []Expr
	}

	// ParseKvOp is parse-kv Source as (keys) with (props).
	ParseKvOp struct {
		op
		Source Expr
		As     source.Pos
		Keys   *Schema
		With   []*NamedParam
	}

	// MvExpandOp is mv-expand/mvexpand [params] items [limit n]. Items are
	// expressions or *ToTypeExpr.
	MvExpandOp struct {
		op
		Params []*NamedParam
		Items  []Expr
		Limit  Expr
	}

	// MvApplyOp is mv-apply items [limit n] [id x] on (subquery).
	MvApplyOp struct {
		op
		Params   []*NamedParam
		Items    []Expr
		Limit    Expr
		ID       Expr
		On       source.Pos
		Subquery Expr
	}

	// MakeSeriesOp is make-series aggs on axis (from a to b step s | in
	// range(a, b, s)) [by groups].
	MakeSeriesOp struct {
		op
		Params  []*NamedParam
		Aggs    []Expr // expressions or *DefaultExpr
		On      source.Pos
		Axis    Expr
		From    Expr
		To      Expr
		Step    Expr
		InRange *ListExpr
		By      source.Pos
		Groups  []Expr
	}

	// TopOp is top N by expr [asc|desc].
	TopOp struct {
		op
		Params []*NamedParam
		Count  Expr
		By     Expr
	}

	// TopNestedOp is top-nested ... of ... by ..., top-nested ...
	TopNestedOp struct {
		op
		Clauses []*TopNestedClause
	}

	// TopHittersOp is top-hitters N of expr [by expr].
	TopHittersOp struct {
		op
		Count Expr
		Of    Expr
		By    Expr
	}

	// TakeOp is take/limit N.
	TakeOp struct {
		op
		Params []*NamedParam
		Count  Expr
	}

	// SortOp is sort/order by exprs.
	SortOp struct {
		op
		Params []*NamedParam
		By     []Expr // *OrderedExpr or plain expressions
	}

	// DistinctOp is distinct a, b (or *).
	DistinctOp struct {
		op
		Params  []*NamedParam
		Columns []Expr
	}

	// CountOp is count [as Name].
	CountOp struct {
		op
		As *Ident
	}

	// EvaluateOp is evaluate [params] plugin(args) [: (schema)].
	EvaluateOp struct {
		op
		Params []*NamedParam
		Plugin Expr // *CallExpr, or *BadExpr when missing
		Schema *Schema
	}

	// InvokeOp is invoke f(args).
	InvokeOp struct {
		op
		Call Expr
	}

	// AsOp is as [hint.materialized=true] Name.
	AsOp struct {
		op
		Params []*NamedParam
		Alias  *Ident
	}

	// GetSchemaOp is getschema [kind=csl].
	GetSchemaOp struct {
		op
		Params []*NamedParam
	}

	// SampleOp is sample N.
	SampleOp struct {
		op
		Params []*NamedParam
		Count  Expr
	}

	// SampleDistinctOp is sample-distinct N of column.
	SampleDistinctOp struct {
		op
		Params []*NamedParam
		Count  Expr
		Of     Expr
	}

	// SerializeOp is serialize [a = x, ...].
	SerializeOp struct {
		op
		Params []*NamedParam
		Exprs  []Expr
	}

	// RenderOp is render chart [kind=...] [with (props)].
	RenderOp struct {
		op
		Chart  *Ident
		Params []*NamedParam
		With   []*NamedParam
	}

	// ForkOp is fork (ops) (ops) name=(ops).
	ForkOp struct {
		op
		Branches []*ForkBranch
	}

	// FacetOp is facet by a, b [with (ops) | with op].
	FacetOp struct {
		op
		Columns []Expr
		With    Expr // nil, an Operator or a *PipeExpr
	}

	// SearchOp is search [kind=...] [in (T)] predicate.
	SearchOp struct {
		op
		Params    []*NamedParam
		DataScope *Ident // datascope=all|hotcache, else nil
		In        []Expr
		Pred      Expr
	}

	// FindOp is find [withsource=x] [in (T)] where pred [project ...].
	FindOp struct {
		op
		DataScope *Ident // datascope=all|hotcache, else nil
		Params    []*NamedParam
		In        []Expr
		Pred      Expr
		ProjectKw Token // PROJECT, PROJECT_SMART or 0
		Project   []Expr
	}

	// RangeOp is range x from a to b step s.
	RangeOp struct {
		op
		Column *Ident
		From   Expr
		To     Expr
		Step   Expr
	}

	// PrintOp is print a = x, y.
	PrintOp struct {
		op
		Exprs []Expr
	}

	// ScanOp is scan [order by] [partition by] [declare (...)] with (steps).
	ScanOp struct {
		op
		Params      []*NamedParam
		OrderBy     []Expr
		PartitionBy []Expr
		Declare     []*Param
		Steps       []*ScanStep
	}

	// PartitionOp is partition [hints] by column [in scope] (subquery) or
	// { query }.
	PartitionOp struct {
		op
		Params   []*NamedParam
		Column   Expr
		Scope    Expr
		Brace    bool // { query } rather than ( subquery )
		Subquery Expr
	}

	// ReduceOp is reduce by expr [with params].
	ReduceOp struct {
		op
		Params []*NamedParam
		By     Expr
		With   []*NamedParam
	}

	// ConsumeOp is consume [decodeblocks=...].
	ConsumeOp struct {
		op
		Params []*NamedParam
	}

	// AssertSchemaOp is assert-schema (schema).
	AssertSchemaOp struct {
		op
		Schema *Schema
	}

	// MacroExpandOp is macro-expand [params] group [as name] (statements).
	MacroExpandOp struct {
		op
		Params []*NamedParam
		Group  Expr
		As     *Ident
		Stmts  []Stmt
	}

	// PartitionByOp is __partitionby [params] entity [id value] (subquery),
	// an internal form Kusto accepts.
	PartitionByOp struct {
		op
		Params   []*NamedParam
		Entity   Expr
		ID       Expr
		Subquery Expr
	}

	// ExecuteAndCacheOp is __executeAndCache.
	ExecuteAndCacheOp struct {
		op
	}

	// BadOp stands for a missing or unknown query operator after '|'.
	// Text is the unknown word, "" when the operator is missing.
	BadOp struct {
		op
		Text string
	}
)

// TopNestedClause is one top-nested [N] of expr [with others = v] by expr.
type TopNestedClause struct {
	TopNested source.Pos
	Count     Expr // nil when omitted
	Of        Expr
	Others    Expr // with others = value
	By        Expr
	EndPos    source.Pos
}

// Pos returns the offset of the top-nested keyword.
func (c *TopNestedClause) Pos() source.Pos { return c.TopNested }

// End returns the offset past the clause.
func (c *TopNestedClause) End() source.Pos { return c.EndPos }

// ForkBranch is one [name =] (subquery) of fork.
type ForkBranch struct {
	Name   *Ident
	Lparen source.Pos
	Query  Expr
	Rparen source.Pos
	EndPos source.Pos
}

// Pos returns the offset of the name or '('.
func (b *ForkBranch) Pos() source.Pos {
	if b.Name != nil {
		return b.Name.Pos()
	}
	return b.Lparen
}

// End returns the offset past the ')'.
func (b *ForkBranch) End() source.Pos { return b.EndPos }

// ScanStep is step name [optional] [output=...]: condition [=> assigns];
type ScanStep struct {
	Step     source.Pos
	Name     *Ident
	Optional bool
	Output   string
	Cond     Expr
	Assigns  []Expr // *NamedExpr
	EndPos   source.Pos
}

// Pos returns the offset of the step keyword.
func (s *ScanStep) Pos() source.Pos { return s.Step }

// End returns the offset past the step's semicolon.
func (s *ScanStep) End() source.Pos { return s.EndPos }

// Kind returns the join kind parameter as written (innerunique when absent).
func (j *JoinOp) Kind() string { return paramWord(j.Params, "kind", "innerunique") }

// Kind returns the lookup kind parameter (leftouter when absent).
func (l *LookupOp) Kind() string { return paramWord(l.Params, "kind", "leftouter") }

// ParamValue returns the value of the named operator parameter, or nil.
func ParamValue(params []*NamedParam, name string) Expr {
	for _, p := range params {
		if p.Name == name {
			return p.Value
		}
	}
	return nil
}

func paramWord(params []*NamedParam, name, def string) string {
	switch v := ParamValue(params, name).(type) {
	case *Ident:
		return v.Name
	case *BasicLit:
		return v.Value()
	}
	return def
}

// Name returns the unknown operator word ("" when missing).
func (o *BadOp) Name() string { return o.Text }
