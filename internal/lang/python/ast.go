package python

import "github.com/detwiki/detwiki/internal/source"

// Node is any node of the syntax tree.
type Node interface {
	Pos() source.Pos // first byte of the node
	End() source.Pos // one past the last byte
}

// Expr is an expression node.
type Expr interface {
	Node
	exprNode()
}

// Stmt is a statement node.
type Stmt interface {
	Node
	stmtNode()
}

// ---- expressions -------------------------------------------------------------

type (
	// BadExpr stands where an expression could not be parsed.
	BadExpr struct{ From, To source.Pos }

	// Name is an identifier.
	Name struct {
		NamePos source.Pos
		Name    string
	}

	// Constant is a number, True, False, None or ... literal.
	Constant struct {
		ValuePos source.Pos
		Kind     ConstKind
		Raw      string
	}

	// Str is a string literal, or several adjacent ones (concatenated).
	// Value is the decoded text; for f-strings the replacement fields are
	// kept as written ({expr!r:fmt}) and parsed into Fields.
	Str struct {
		From, To source.Pos
		Parts    []string // the literals as written, prefixes and quotes included
		Value    string
		Bytes    bool
		FString  bool
		Fields   []Expr
	}

	// Attribute is X.Attr.
	Attribute struct {
		X       Expr
		Attr    string
		AttrPos source.Pos
	}

	// Subscript is X[Index]; Index may be a Slice or a Tuple of them.
	Subscript struct {
		X      Expr
		Lbrack source.Pos
		Index  Expr
		Rbrack source.Pos
	}

	// Slice is Lo:Hi:Step inside a subscript; any part may be nil.
	Slice struct {
		From, To     source.Pos
		Lo, Hi, Step Expr
	}

	// Call is Func(Args, Keywords).
	Call struct {
		Func     Expr
		Lparen   source.Pos
		Args     []Expr // positional arguments, Starred for *x
		Keywords []*Keyword
		Rparen   source.Pos
	}

	// Starred is *X (in calls, targets and displays) or **X (Double).
	Starred struct {
		Star   source.Pos
		Double bool
		X      Expr
	}

	// UnaryOp is not X, -X, +X, ~X or await X.
	UnaryOp struct {
		OpPos source.Pos
		Op    string
		X     Expr
	}

	// BinOp is X Op Y for arithmetic and bitwise operators and for the
	// boolean operators and, or.
	BinOp struct {
		X     Expr
		OpPos source.Pos
		Op    string
		Y     Expr
	}

	// Compare is X op1 Y1 op2 Y2 ... (comparisons chain). Ops are ==, !=,
	// <, <=, >, >=, in, not in, is, is not.
	Compare struct {
		X           Expr
		Ops         []string
		Comparators []Expr
	}

	// IfExp is Body if Cond else Else.
	IfExp struct {
		Body, Cond, Else Expr
	}

	// Lambda is lambda Params: Body.
	Lambda struct {
		LambdaPos source.Pos
		Params    []*Param
		Body      Expr
	}

	// NamedExpr is Target := Value.
	NamedExpr struct {
		Target *Name
		Value  Expr
	}

	// Tuple is a, b or (a, b); Paren says it was parenthesised.
	Tuple struct {
		From, To source.Pos
		Elts     []Expr
		Paren    bool
	}

	// List is [a, b].
	List struct {
		Lbrack source.Pos
		Elts   []Expr
		Rbrack source.Pos
	}

	// Set is {a, b}.
	Set struct {
		Lbrace source.Pos
		Elts   []Expr
		Rbrace source.Pos
	}

	// Dict is {k: v, **m}; a nil key marks a **m entry (its value).
	Dict struct {
		Lbrace source.Pos
		Keys   []Expr
		Values []Expr
		Rbrace source.Pos
	}

	// Comp is a comprehension: [Elt for ...], {Elt for ...}, (Elt for ...)
	// or {Key: Elt for ...}. Kind is '[', '{' (set or, with Key, dict) or
	// '(' (generator; From..To covers the parentheses only when it has
	// its own).
	Comp struct {
		From, To   source.Pos
		Kind       byte
		Key        Expr // dict comprehensions
		Elt        Expr
		Generators []*Comprehension
	}

	// Yield is yield X or yield from X.
	Yield struct {
		YieldPos source.Pos
		From     bool
		X        Expr // may be nil
		To       source.Pos
	}

	// MatchAs is "pattern as name" in a case pattern.
	MatchAs struct {
		X    Expr
		Name *Name
	}

	// ParenExpr is a parenthesised expression.
	ParenExpr struct {
		Lparen source.Pos
		X      Expr
		Rparen source.Pos
	}
)

// ConstKind is the kind of a Constant.
type ConstKind uint8

// Constant kinds.
const (
	ConstNumber ConstKind = iota
	ConstTrue
	ConstFalse
	ConstNone
	ConstEllipsis
)

// Keyword is a keyword argument name=value, or **value (Name "").
type Keyword struct {
	NamePos source.Pos
	Name    string
	Value   Expr
}

// Comprehension is one "for Target in Iter if ..." clause.
type Comprehension struct {
	For    source.Pos
	Async  bool
	Target Expr
	Iter   Expr
	Ifs    []Expr
}

// ParamKind says how a parameter is passed.
type ParamKind uint8

// Parameter kinds.
const (
	ParamNormal   ParamKind = iota
	ParamVarArgs            // *args
	ParamKwArgs             // **kwargs
	ParamStarOnly           // a bare * (keyword-only marker)
	ParamSlash              // / (positional-only marker)
)

// Param is one parameter of a def or lambda.
type Param struct {
	NamePos    source.Pos
	Name       string
	Kind       ParamKind
	Annotation Expr
	Default    Expr
}

func (x *BadExpr) Pos() source.Pos   { return x.From }
func (x *BadExpr) End() source.Pos   { return x.To }
func (x *Name) Pos() source.Pos      { return x.NamePos }
func (x *Name) End() source.Pos      { return x.NamePos + source.Pos(len(x.Name)) }
func (x *Constant) Pos() source.Pos  { return x.ValuePos }
func (x *Constant) End() source.Pos  { return x.ValuePos + source.Pos(len(x.Raw)) }
func (x *Str) Pos() source.Pos       { return x.From }
func (x *Str) End() source.Pos       { return x.To }
func (x *Attribute) Pos() source.Pos { return x.X.Pos() }
func (x *Attribute) End() source.Pos { return x.AttrPos + source.Pos(len(x.Attr)) }
func (x *Subscript) Pos() source.Pos { return x.X.Pos() }
func (x *Subscript) End() source.Pos { return x.Rbrack + 1 }
func (x *Slice) Pos() source.Pos     { return x.From }
func (x *Slice) End() source.Pos     { return x.To }
func (x *Call) Pos() source.Pos      { return x.Func.Pos() }
func (x *Call) End() source.Pos      { return x.Rparen + 1 }
func (x *Starred) Pos() source.Pos   { return x.Star }
func (x *Starred) End() source.Pos   { return x.X.End() }
func (x *UnaryOp) Pos() source.Pos   { return x.OpPos }
func (x *UnaryOp) End() source.Pos   { return x.X.End() }
func (x *BinOp) Pos() source.Pos     { return x.X.Pos() }
func (x *BinOp) End() source.Pos     { return x.Y.End() }
func (x *Compare) Pos() source.Pos   { return x.X.Pos() }
func (x *Compare) End() source.Pos   { return x.Comparators[len(x.Comparators)-1].End() }
func (x *IfExp) Pos() source.Pos     { return x.Body.Pos() }
func (x *IfExp) End() source.Pos     { return x.Else.End() }
func (x *Lambda) Pos() source.Pos    { return x.LambdaPos }
func (x *Lambda) End() source.Pos    { return x.Body.End() }
func (x *NamedExpr) Pos() source.Pos { return x.Target.Pos() }
func (x *NamedExpr) End() source.Pos { return x.Value.End() }
func (x *Tuple) Pos() source.Pos     { return x.From }
func (x *Tuple) End() source.Pos     { return x.To }
func (x *List) Pos() source.Pos      { return x.Lbrack }
func (x *List) End() source.Pos      { return x.Rbrack + 1 }
func (x *Set) Pos() source.Pos       { return x.Lbrace }
func (x *Set) End() source.Pos       { return x.Rbrace + 1 }
func (x *Dict) Pos() source.Pos      { return x.Lbrace }
func (x *Dict) End() source.Pos      { return x.Rbrace + 1 }
func (x *Comp) Pos() source.Pos      { return x.From }
func (x *Comp) End() source.Pos      { return x.To }
func (x *Yield) Pos() source.Pos     { return x.YieldPos }
func (x *Yield) End() source.Pos     { return x.To }
func (x *MatchAs) Pos() source.Pos   { return x.X.Pos() }
func (x *MatchAs) End() source.Pos   { return x.Name.End() }
func (x *ParenExpr) Pos() source.Pos { return x.Lparen }
func (x *ParenExpr) End() source.Pos { return x.Rparen + 1 }

func (*BadExpr) exprNode()   {}
func (*Name) exprNode()      {}
func (*Constant) exprNode()  {}
func (*Str) exprNode()       {}
func (*Attribute) exprNode() {}
func (*Subscript) exprNode() {}
func (*Slice) exprNode()     {}
func (*Call) exprNode()      {}
func (*Starred) exprNode()   {}
func (*UnaryOp) exprNode()   {}
func (*BinOp) exprNode()     {}
func (*Compare) exprNode()   {}
func (*IfExp) exprNode()     {}
func (*Lambda) exprNode()    {}
func (*NamedExpr) exprNode() {}
func (*Tuple) exprNode()     {}
func (*List) exprNode()      {}
func (*Set) exprNode()       {}
func (*Dict) exprNode()      {}
func (*Comp) exprNode()      {}
func (*Yield) exprNode()     {}
func (*MatchAs) exprNode()   {}
func (*ParenExpr) exprNode() {}

// ---- statements --------------------------------------------------------------

type (
	// BadStmt stands where a statement could not be parsed.
	BadStmt struct{ From, To source.Pos }

	// ExprStmt is an expression used as a statement (a call, a docstring).
	ExprStmt struct{ X Expr }

	// Assign is Targets[0] = Targets[1] = ... = Value.
	Assign struct {
		Targets []Expr
		Value   Expr
	}

	// AugAssign is Target op= Value.
	AugAssign struct {
		Target Expr
		Op     string // "+=", ...
		Value  Expr
	}

	// AnnAssign is Target: Annotation [= Value].
	AnnAssign struct {
		Target     Expr
		Annotation Expr
		Value      Expr // may be nil
	}

	// Return is return [Value].
	Return struct {
		ReturnPos source.Pos
		Value     Expr // may be nil
	}

	// Keyword statements without operands: pass, break, continue.
	SimpleStmt struct {
		KeywordPos source.Pos
		Keyword    string
	}

	// Raise is raise [Exc [from Cause]].
	Raise struct {
		RaisePos   source.Pos
		Exc, Cause Expr
		To         source.Pos
	}

	// Assert is assert Test[, Msg].
	Assert struct {
		AssertPos source.Pos
		Test, Msg Expr
	}

	// Del is del a, b.
	Del struct {
		DelPos  source.Pos
		Targets []Expr
	}

	// Global is global a, b (or nonlocal: Nonlocal true).
	Global struct {
		KeywordPos source.Pos
		Nonlocal   bool
		Names      []*Name
	}

	// Import is import a.b [as c], ...
	Import struct {
		ImportPos source.Pos
		Names     []*Alias
		To        source.Pos
	}

	// ImportFrom is from [.]module import a [as b], ... (Names is nil for
	// "import *": Star is set).
	ImportFrom struct {
		FromPos source.Pos
		Level   int
		Module  string
		Names   []*Alias
		Star    bool
		To      source.Pos
	}

	// If is if Cond: Body [elif ...] [else: Else]; an elif is an If alone
	// in Else (with Elif set).
	If struct {
		IfPos source.Pos
		Elif  bool
		Cond  Expr
		Body  []Stmt
		Else  []Stmt
		To    source.Pos
	}

	// For is for Target in Iter: Body [else: Else].
	For struct {
		ForPos source.Pos
		Async  bool
		Target Expr
		Iter   Expr
		Body   []Stmt
		Else   []Stmt
		To     source.Pos
	}

	// While is while Cond: Body [else: Else].
	While struct {
		WhilePos source.Pos
		Cond     Expr
		Body     []Stmt
		Else     []Stmt
		To       source.Pos
	}

	// Try is try: Body except...: [else:] [finally:].
	Try struct {
		TryPos   source.Pos
		Body     []Stmt
		Handlers []*ExceptHandler
		Else     []Stmt
		Finally  []Stmt
		To       source.Pos
	}

	// With is with Items: Body.
	With struct {
		WithPos source.Pos
		Async   bool
		Items   []*WithItem
		Body    []Stmt
		To      source.Pos
	}

	// FunctionDef is [decorators] def Name(Params) [-> Returns]: Body.
	FunctionDef struct {
		From       source.Pos // the first decorator's '@', or DefPos
		Decorators []Expr
		DefPos     source.Pos
		Async      bool
		Name       *Name
		Params     []*Param
		Returns    Expr
		Body       []Stmt
		To         source.Pos
	}

	// Match is match Subject: case ... (structural pattern matching).
	Match struct {
		MatchPos source.Pos
		Subject  Expr
		Cases    []*MatchCase
		To       source.Pos
	}

	// ClassDef is [decorators] class Name[(Bases)]: Body.
	ClassDef struct {
		From       source.Pos // the first decorator's '@', or ClassPos
		Decorators []Expr
		ClassPos   source.Pos
		Name       *Name
		Bases      []Expr
		Keywords   []*Keyword
		Body       []Stmt
		To         source.Pos
	}
)

// Alias is one name of an import: Name [as AsName].
type Alias struct {
	NamePos source.Pos
	Name    string // dotted for import a.b
	AsName  string
}

// ExceptHandler is except [Type [as Name]]: Body.
type ExceptHandler struct {
	ExceptPos source.Pos
	Type      Expr
	Name      string
	Body      []Stmt
}

// MatchCase is case Pattern [if Guard]: Body.
type MatchCase struct {
	CasePos source.Pos
	Pattern Expr
	Guard   Expr
	Body    []Stmt
}

// WithItem is Context [as Target].
type WithItem struct {
	Context Expr
	Target  Expr
}

func (s *BadStmt) Pos() source.Pos     { return s.From }
func (s *BadStmt) End() source.Pos     { return s.To }
func (s *ExprStmt) Pos() source.Pos    { return s.X.Pos() }
func (s *ExprStmt) End() source.Pos    { return s.X.End() }
func (s *Assign) Pos() source.Pos      { return s.Targets[0].Pos() }
func (s *Assign) End() source.Pos      { return s.Value.End() }
func (s *AugAssign) Pos() source.Pos   { return s.Target.Pos() }
func (s *AugAssign) End() source.Pos   { return s.Value.End() }
func (s *AnnAssign) Pos() source.Pos   { return s.Target.Pos() }
func (s *Return) Pos() source.Pos      { return s.ReturnPos }
func (s *SimpleStmt) Pos() source.Pos  { return s.KeywordPos }
func (s *SimpleStmt) End() source.Pos  { return s.KeywordPos + source.Pos(len(s.Keyword)) }
func (s *Raise) Pos() source.Pos       { return s.RaisePos }
func (s *Raise) End() source.Pos       { return s.To }
func (s *Assert) Pos() source.Pos      { return s.AssertPos }
func (s *Del) Pos() source.Pos         { return s.DelPos }
func (s *Global) Pos() source.Pos      { return s.KeywordPos }
func (s *Import) Pos() source.Pos      { return s.ImportPos }
func (s *Import) End() source.Pos      { return s.To }
func (s *ImportFrom) Pos() source.Pos  { return s.FromPos }
func (s *ImportFrom) End() source.Pos  { return s.To }
func (s *If) Pos() source.Pos          { return s.IfPos }
func (s *If) End() source.Pos          { return s.To }
func (s *For) Pos() source.Pos         { return s.ForPos }
func (s *For) End() source.Pos         { return s.To }
func (s *While) Pos() source.Pos       { return s.WhilePos }
func (s *While) End() source.Pos       { return s.To }
func (s *Try) Pos() source.Pos         { return s.TryPos }
func (s *Try) End() source.Pos         { return s.To }
func (s *With) Pos() source.Pos        { return s.WithPos }
func (s *With) End() source.Pos        { return s.To }
func (s *FunctionDef) End() source.Pos { return s.To }
func (s *Match) Pos() source.Pos       { return s.MatchPos }
func (s *Match) End() source.Pos       { return s.To }
func (s *ClassDef) End() source.Pos    { return s.To }

// AnnAssign ends after its value, or its annotation.
func (s *AnnAssign) End() source.Pos {
	if s.Value != nil {
		return s.Value.End()
	}
	return s.Annotation.End()
}

// Return ends after its value, or its keyword.
func (s *Return) End() source.Pos {
	if s.Value != nil {
		return s.Value.End()
	}
	return s.ReturnPos + 6
}

// Assert ends after its message, or its test.
func (s *Assert) End() source.Pos {
	if s.Msg != nil {
		return s.Msg.End()
	}
	return s.Test.End()
}

// Del ends after its last target.
func (s *Del) End() source.Pos { return s.Targets[len(s.Targets)-1].End() }

// Global ends after its last name.
func (s *Global) End() source.Pos { return s.Names[len(s.Names)-1].End() }

// Pos returns the position of the first decorator, or of def.
func (s *FunctionDef) Pos() source.Pos { return s.From }

// Pos returns the position of the first decorator, or of class.
func (s *ClassDef) Pos() source.Pos { return s.From }

func (*BadStmt) stmtNode()     {}
func (*ExprStmt) stmtNode()    {}
func (*Assign) stmtNode()      {}
func (*AugAssign) stmtNode()   {}
func (*AnnAssign) stmtNode()   {}
func (*Return) stmtNode()      {}
func (*SimpleStmt) stmtNode()  {}
func (*Raise) stmtNode()       {}
func (*Assert) stmtNode()      {}
func (*Del) stmtNode()         {}
func (*Global) stmtNode()      {}
func (*Import) stmtNode()      {}
func (*ImportFrom) stmtNode()  {}
func (*If) stmtNode()          {}
func (*For) stmtNode()         {}
func (*While) stmtNode()       {}
func (*Try) stmtNode()         {}
func (*With) stmtNode()        {}
func (*FunctionDef) stmtNode() {}
func (*ClassDef) stmtNode()    {}
func (*Match) stmtNode()       {}

// Module is a parsed Python file.
type Module struct {
	Body     []Stmt
	Comments []*Comment
	Size     int
}

// Pos returns 0.
func (m *Module) Pos() source.Pos { return 0 }

// End returns the size of the source.
func (m *Module) End() source.Pos { return source.Pos(m.Size) }

// Func returns the module-level function named name, or nil.
func (m *Module) Func(name string) *FunctionDef {
	for _, s := range m.Body {
		if f, ok := s.(*FunctionDef); ok && f.Name.Name == name {
			return f
		}
	}
	return nil
}

// Unparen strips parentheses.
func Unparen(e Expr) Expr {
	for {
		p, ok := e.(*ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}
