package sigma

import "github.com/detwiki/detwiki/internal/source"

// Expr is a node of a condition's syntax tree. Positions are byte offsets
// into the condition text (Condition.Text).
type Expr interface {
	Pos() source.Pos // first byte of the node
	End() source.Pos // first byte after the node
	exprNode()
}

// Ident is a search identifier: selection, filter_main_generic.
type Ident struct {
	NamePos source.Pos
	Name    string
}

// OfExpr is "1 of pattern", "all of pattern", "any of pattern", "1 of them"
// or "all of them". Pattern may hold * wildcards; them stands for every
// search identifier that does not start with an underscore.
type OfExpr struct {
	QuantPos source.Pos
	// Quant is the quantifier as written: "1", "all", "any" (or another
	// number, which the specification does not define; see Count).
	Quant string
	// All is true for "all of"; otherwise Count identifiers must match
	// ("any" counts 1).
	All   bool
	Count int
	OfPos source.Pos
	// Them is true for "... of them"; Pattern is empty then.
	Them       bool
	Pattern    string
	PatternPos source.Pos
	EndPos     source.Pos
}

// NotExpr is "not X".
type NotExpr struct {
	NotPos source.Pos
	X      Expr
}

// BinaryExpr is "X and Y" or "X or Y".
type BinaryExpr struct {
	X     Expr
	OpPos source.Pos
	Op    Token // AND or OR
	Y     Expr
}

// ParenExpr is "( X )".
type ParenExpr struct {
	Lparen source.Pos
	X      Expr
	Rparen source.Pos // position of ")", or the end of the text when missing
}

// BadExpr stands for text that could not be parsed.
type BadExpr struct {
	From, To source.Pos
}

// Pos and End give each node's span; the marker methods close the set of
// expression nodes.

func (x *Ident) Pos() source.Pos      { return x.NamePos }
func (x *Ident) End() source.Pos      { return x.NamePos + source.Pos(len(x.Name)) }
func (x *OfExpr) Pos() source.Pos     { return x.QuantPos }
func (x *OfExpr) End() source.Pos     { return x.EndPos }
func (x *NotExpr) Pos() source.Pos    { return x.NotPos }
func (x *NotExpr) End() source.Pos    { return x.X.End() }
func (x *BinaryExpr) Pos() source.Pos { return x.X.Pos() }
func (x *BinaryExpr) End() source.Pos { return x.Y.End() }
func (x *ParenExpr) Pos() source.Pos  { return x.Lparen }
func (x *ParenExpr) End() source.Pos  { return x.Rparen + 1 }
func (x *BadExpr) Pos() source.Pos    { return x.From }
func (x *BadExpr) End() source.Pos    { return x.To }

func (*Ident) exprNode()      {}
func (*OfExpr) exprNode()     {}
func (*NotExpr) exprNode()    {}
func (*BinaryExpr) exprNode() {}
func (*ParenExpr) exprNode()  {}
func (*BadExpr) exprNode()    {}

// Aggregation is the Sigma 1 pipe after a condition, obsolete since Sigma 2
// (correlation rules replace it) but still found in old rules:
//
//	selection | count(TargetUserName) by IpAddress > 10
//	selection | near dllload1 and dllload2
type Aggregation struct {
	Pipe source.Pos
	// Func is the aggregate function as written, in lower case: count, min,
	// max, avg, sum, or near.
	Func    string
	FuncPos source.Pos
	// Field is the function's argument ("" for count()).
	Field string
	// GroupBy lists the fields after "by".
	GroupBy []string
	// Op and Value are the comparison with the aggregate (Op is ILLEGAL
	// when there is none).
	Op    Token
	Value string
	// Near is the expression after "near".
	Near   Expr
	EndPos source.Pos
}

// Pos returns the position of the pipe.
func (a *Aggregation) Pos() source.Pos { return a.Pipe }

// End returns the position after the aggregation.
func (a *Aggregation) End() source.Pos { return a.EndPos }

// Inspect traverses the condition tree in depth-first order, calling f for
// each node before its children; f returning false skips the children.
func Inspect(x Expr, f func(Expr) bool) {
	if x == nil || !f(x) {
		return
	}
	switch x := x.(type) {
	case *NotExpr:
		Inspect(x.X, f)
	case *BinaryExpr:
		Inspect(x.X, f)
		Inspect(x.Y, f)
	case *ParenExpr:
		Inspect(x.X, f)
	}
}

// Unparen returns x without enclosing parentheses.
func Unparen(x Expr) Expr {
	for {
		p, ok := x.(*ParenExpr)
		if !ok {
			return x
		}
		x = p.X
	}
}
