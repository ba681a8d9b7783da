package kuery

import "github.com/detwiki/detwiki/internal/source"

// Node is any node of the syntax tree.
type Node interface {
	Pos() source.Pos // first byte of the node
	End() source.Pos // first byte after the node
}

// Expr is a query-level node: a boolean combination of field tests.
type Expr interface {
	Node
	exprNode()
}

// Value is a node of a value list, the right side of `field : ...`.
type Value interface {
	Node
	valueNode()
}

// Op is a boolean operator.
type Op int

// The boolean operators.
const (
	AND Op = iota + 1
	OR
)

// String returns the operator as Print writes it.
func (o Op) String() string {
	if o == AND {
		return "and"
	}
	return "or"
}

// BinaryExpr is X and Y, X or Y.
type BinaryExpr struct {
	X     Expr
	OpPos source.Pos
	Op    Op
	Y     Expr
}

// NotExpr is `not X`.
type NotExpr struct {
	NotPos source.Pos
	X      Expr
}

// ParenExpr is (X).
type ParenExpr struct {
	Lparen source.Pos
	X      Expr
	Rparen source.Pos
}

// NestedExpr is `field : { query }` on a nested field.
type NestedExpr struct {
	Field  *Literal
	Colon  source.Pos
	Lbrace source.Pos
	X      Expr
	Rbrace source.Pos
}

// RangeExpr is `field < value` (<, <=, >, >=).
type RangeExpr struct {
	Field *Literal
	OpPos source.Pos
	Op    string
	Value *Literal
}

// MatchExpr is `field : values`, or a free-text value with no field (Field
// nil, Colon NoPos).
type MatchExpr struct {
	Field *Literal
	Colon source.Pos
	Value Value
}

// BadExpr stands for text that could not be parsed (as a query or a value).
type BadExpr struct {
	From, To source.Pos
}

// ValueBinary is `a or b`, `a and b` inside a value list.
type ValueBinary struct {
	X     Value
	OpPos source.Pos
	Op    Op
	Y     Value
}

// ValueNot is `not a` inside a value list.
type ValueNot struct {
	NotPos source.Pos
	X      Value
}

// ValueParen is a parenthesized value list.
type ValueParen struct {
	Lparen source.Pos
	X      Value
	Rparen source.Pos
}

// Literal is a field name or value: a quoted string or an unquoted literal.
type Literal struct {
	ValuePos source.Pos
	EndPos   source.Pos
	Raw      string // source text
	// Value is the decoded text. In an unquoted literal an unescaped * is a
	// wildcard and stays *; Wildcard says there is one.
	Value    string
	Quoted   bool
	Wildcard bool
}

// Pos implements Node.
func (x *BinaryExpr) Pos() source.Pos { return x.X.Pos() }

// End implements Node.
func (x *BinaryExpr) End() source.Pos { return x.Y.End() }

// Pos implements Node.
func (x *NotExpr) Pos() source.Pos { return x.NotPos }

// End implements Node.
func (x *NotExpr) End() source.Pos { return x.X.End() }

// Pos implements Node.
func (x *ParenExpr) Pos() source.Pos { return x.Lparen }

// End implements Node.
func (x *ParenExpr) End() source.Pos { return x.Rparen + 1 }

// Pos implements Node.
func (x *NestedExpr) Pos() source.Pos { return x.Field.Pos() }

// End implements Node.
func (x *NestedExpr) End() source.Pos { return x.Rbrace + 1 }

// Pos implements Node.
func (x *RangeExpr) Pos() source.Pos { return x.Field.Pos() }

// End implements Node.
func (x *RangeExpr) End() source.Pos { return x.Value.End() }

// Pos implements Node.
func (x *MatchExpr) Pos() source.Pos {
	if x.Field != nil {
		return x.Field.Pos()
	}
	return x.Value.Pos()
}

// End implements Node.
func (x *MatchExpr) End() source.Pos { return x.Value.End() }

// Pos implements Node.
func (x *BadExpr) Pos() source.Pos { return x.From }

// End implements Node.
func (x *BadExpr) End() source.Pos { return x.To }

// Pos implements Node.
func (x *ValueBinary) Pos() source.Pos { return x.X.Pos() }

// End implements Node.
func (x *ValueBinary) End() source.Pos { return x.Y.End() }

// Pos implements Node.
func (x *ValueNot) Pos() source.Pos { return x.NotPos }

// End implements Node.
func (x *ValueNot) End() source.Pos { return x.X.End() }

// Pos implements Node.
func (x *ValueParen) Pos() source.Pos { return x.Lparen }

// End implements Node.
func (x *ValueParen) End() source.Pos { return x.Rparen + 1 }

// Pos implements Node.
func (x *Literal) Pos() source.Pos { return x.ValuePos }

// End implements Node.
func (x *Literal) End() source.Pos { return x.EndPos }

func (*BinaryExpr) exprNode() {}
func (*NotExpr) exprNode()    {}
func (*ParenExpr) exprNode()  {}
func (*NestedExpr) exprNode() {}
func (*RangeExpr) exprNode()  {}
func (*MatchExpr) exprNode()  {}
func (*BadExpr) exprNode()    {}

func (*ValueBinary) valueNode() {}
func (*ValueNot) valueNode()    {}
func (*ValueParen) valueNode()  {}
func (*Literal) valueNode()     {}
func (*BadExpr) valueNode()     {}

// IsExists reports whether the literal is the lone unquoted * of
// `field : *` (the field exists).
func (x *Literal) IsExists() bool { return !x.Quoted && x.Value == "*" }
