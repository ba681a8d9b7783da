package mql

import (
	"strings"

	"github.com/detwiki/detwiki/internal/source"
)

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

type (
	// BadExpr stands where an expression could not be parsed.
	BadExpr struct {
		From, To source.Pos
	}

	// Ident is a name at the root of a member path or function name
	// (sender, type, strings).
	Ident struct {
		NamePos source.Pos
		Name    string
	}

	// Elem is the current element of an array function: '.' (Depth 1),
	// '..' the enclosing element (Depth 2), and so on.
	Elem struct {
		DotPos source.Pos
		Depth  int
	}

	// ListRef is a named list, $name.
	ListRef struct {
		NamePos source.Pos
		Name    string // with its '$'
	}

	// BasicLit is a string, number, true, false or null literal.
	BasicLit struct {
		ValuePos source.Pos
		Kind     LitKind
		Raw      string // as written, quotes included
		Value    string // decoded (strings); Raw for other kinds
	}

	// Selector is X.Sel: a member of X.
	Selector struct {
		X      Expr
		Sel    string
		SelPos source.Pos
	}

	// Index is X[Index].
	Index struct {
		X      Expr
		Lbrack source.Pos
		Index  Expr
		Rbrack source.Pos
	}

	// Slice is X[Lo:Hi]; Lo or Hi may be nil.
	Slice struct {
		X      Expr
		Lbrack source.Pos
		Lo, Hi Expr
		Rbrack source.Pos
	}

	// Call is a function call: Fun is an Ident or a Selector chain of
	// identifiers (strings.ilike, beta.file.parse_ics).
	Call struct {
		Fun    Expr
		Lparen source.Pos
		Args   []Expr
		Rparen source.Pos
	}

	// ListLit is a list literal: ("a", "b") or [a, b].
	ListLit struct {
		Lbrack  source.Pos
		Bracket bool // [ ] rather than ( )
		Elems   []Expr
		Rbrack  source.Pos
	}

	// ParenExpr is a parenthesised expression.
	ParenExpr struct {
		Lparen source.Pos
		X      Expr
		Rparen source.Pos
	}

	// UnaryExpr is "not X" or "-X".
	UnaryExpr struct {
		OpPos source.Pos
		Op    string // "not" or "-"
		X     Expr
	}

	// BinaryExpr is X Op Y. Op is one of or, and, ==, !=, =~, !~, <, <=,
	// >, >=, in, in~, not in, not in~, is, is not, +, -, *, /, %.
	BinaryExpr struct {
		X     Expr
		OpPos source.Pos
		Op    string
		Y     Expr
	}

	// KeyValue is a named argument of a call: Key=Value.
	KeyValue struct {
		KeyPos source.Pos
		Key    string
		Value  Expr
	}

	// OfExpr is "N of (a, b, ...)": at least N of the expressions hold.
	// Count is a number literal or the identifier none (or all, any).
	OfExpr struct {
		Count  Expr
		Lparen source.Pos
		List   []Expr
		Rparen source.Pos
	}
)

// LitKind is the kind of a BasicLit.
type LitKind uint8

// Literal kinds.
const (
	LitString LitKind = iota
	LitNumber
	LitBool
	LitNull
)

func (x *BadExpr) Pos() source.Pos    { return x.From }
func (x *BadExpr) End() source.Pos    { return x.To }
func (x *Ident) Pos() source.Pos      { return x.NamePos }
func (x *Ident) End() source.Pos      { return x.NamePos + source.Pos(len(x.Name)) }
func (x *Elem) Pos() source.Pos       { return x.DotPos }
func (x *Elem) End() source.Pos       { return x.DotPos + source.Pos(x.Depth) }
func (x *ListRef) Pos() source.Pos    { return x.NamePos }
func (x *ListRef) End() source.Pos    { return x.NamePos + source.Pos(len(x.Name)) }
func (x *BasicLit) Pos() source.Pos   { return x.ValuePos }
func (x *BasicLit) End() source.Pos   { return x.ValuePos + source.Pos(len(x.Raw)) }
func (x *Selector) Pos() source.Pos   { return x.X.Pos() }
func (x *Selector) End() source.Pos   { return x.SelPos + source.Pos(len(x.Sel)) }
func (x *Index) Pos() source.Pos      { return x.X.Pos() }
func (x *Index) End() source.Pos      { return x.Rbrack + 1 }
func (x *Slice) Pos() source.Pos      { return x.X.Pos() }
func (x *Slice) End() source.Pos      { return x.Rbrack + 1 }
func (x *Call) Pos() source.Pos       { return x.Fun.Pos() }
func (x *Call) End() source.Pos       { return x.Rparen + 1 }
func (x *ListLit) Pos() source.Pos    { return x.Lbrack }
func (x *ListLit) End() source.Pos    { return x.Rbrack + 1 }
func (x *ParenExpr) Pos() source.Pos  { return x.Lparen }
func (x *ParenExpr) End() source.Pos  { return x.Rparen + 1 }
func (x *UnaryExpr) Pos() source.Pos  { return x.OpPos }
func (x *UnaryExpr) End() source.Pos  { return x.X.End() }
func (x *BinaryExpr) Pos() source.Pos { return x.X.Pos() }
func (x *BinaryExpr) End() source.Pos { return x.Y.End() }
func (x *OfExpr) Pos() source.Pos     { return x.Count.Pos() }
func (x *KeyValue) Pos() source.Pos   { return x.KeyPos }
func (x *KeyValue) End() source.Pos   { return x.Value.End() }
func (x *OfExpr) End() source.Pos     { return x.Rparen + 1 }

func (*BadExpr) exprNode()    {}
func (*Ident) exprNode()      {}
func (*Elem) exprNode()       {}
func (*ListRef) exprNode()    {}
func (*BasicLit) exprNode()   {}
func (*Selector) exprNode()   {}
func (*Index) exprNode()      {}
func (*Slice) exprNode()      {}
func (*Call) exprNode()       {}
func (*ListLit) exprNode()    {}
func (*ParenExpr) exprNode()  {}
func (*UnaryExpr) exprNode()  {}
func (*BinaryExpr) exprNode() {}
func (*OfExpr) exprNode()     {}
func (*KeyValue) exprNode()   {}

// Source is a parsed MQL source: its expression and comments.
type Source struct {
	Expr     Expr // nil for an empty source
	Comments []*Comment
	Size     int
}

// Pos returns 0.
func (s *Source) Pos() source.Pos { return 0 }

// End returns the size of the source.
func (s *Source) End() source.Pos { return source.Pos(s.Size) }

// FuncName returns the dotted name of a call's function (strings.ilike,
// any), or "" when Fun is not a chain of identifiers.
func (x *Call) FuncName() string {
	return dotted(x.Fun)
}

func dotted(e Expr) string {
	switch e := e.(type) {
	case *Ident:
		return e.Name
	case *Selector:
		if left := dotted(e.X); left != "" {
			return left + "." + e.Sel
		}
	}
	return ""
}

// PathOf returns the member path an expression names, as written
// (sender.email.domain, .file_name, ..href_url.url), with ok false when e is
// not a plain path of identifiers (a call, an index, a literal).
func PathOf(e Expr) (string, bool) {
	var parts []string
	for {
		switch x := e.(type) {
		case *Selector:
			parts = append(parts, x.Sel)
			e = x.X
			continue
		case *Ident:
			parts = append(parts, x.Name)
		case *Elem:
			parts = append(parts, strings.Repeat(".", x.Depth-1))
		default:
			return "", false
		}
		break
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, "."), true
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
