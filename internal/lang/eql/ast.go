package eql

import (
	"strings"

	"github.com/detwiki/detwiki/internal/source"
)

// Node is any node of the syntax tree.
type Node interface {
	Pos() source.Pos // first byte of the node
	End() source.Pos // first byte after the node
}

// Expr is an expression node.
type Expr interface {
	Node
	exprNode()
}

// Body is the query part of a statement: an event query, a sequence, a
// sample or a join.
type Body interface {
	Node
	bodyNode()
}

// Query is a whole EQL statement: a body followed by pipes.
type Query struct {
	Body  Body
	Pipes []*Pipe
}

// Pos implements Node.
func (q *Query) Pos() source.Pos {
	if q.Body != nil {
		return q.Body.Pos()
	}
	if len(q.Pipes) > 0 {
		return q.Pipes[0].Pos()
	}
	return 0
}

// End implements Node.
func (q *Query) End() source.Pos {
	if len(q.Pipes) > 0 {
		return q.Pipes[len(q.Pipes)-1].End()
	}
	if q.Body != nil {
		return q.Body.End()
	}
	return 0
}

// EventQuery is `category where condition` (or `any where condition`).
type EventQuery struct {
	CategoryPos source.Pos
	// Category is the event category as written (decoded when it is a
	// string or escaped identifier); empty for `any`.
	Category    string
	CategoryRaw string // the category's source text
	Any         bool
	Where       source.Pos // position of "where"
	Cond        Expr
}

// Pos implements Node.
func (e *EventQuery) Pos() source.Pos { return e.CategoryPos }

// End implements Node.
func (e *EventQuery) End() source.Pos {
	if e.Cond != nil {
		return e.Cond.End()
	}
	return e.Where + 5
}

// JoinKeys is `by key, key...`.
type JoinKeys struct {
	By   source.Pos
	Keys []Expr
}

// Pos implements Node.
func (k *JoinKeys) Pos() source.Pos { return k.By }

// End implements Node.
func (k *JoinKeys) End() source.Pos {
	if len(k.Keys) > 0 {
		return k.Keys[len(k.Keys)-1].End()
	}
	return k.By + 2
}

// Param is a `with name=value` setting: maxspan=5m on a sequence, runs=3 on a
// sequence step.
type Param struct {
	With     source.Pos
	NamePos  source.Pos
	Name     string
	Value    *BasicLit // a number
	Unit     string    // time unit after the number (s, m, h, d, ms), if any
	ValueEnd source.Pos
}

// Pos implements Node.
func (p *Param) Pos() source.Pos { return p.With }

// End implements Node.
func (p *Param) End() source.Pos { return p.ValueEnd }

// Text returns the value with its unit, e.g. "5m".
func (p *Param) Text() string {
	if p.Value == nil {
		return ""
	}
	return p.Value.Raw + p.Unit
}

// Step is one bracketed event query of a sequence, sample or join:
// `[filter] by keys with runs=N`, or a missing event `![filter]`.
type Step struct {
	Lbrack  source.Pos
	Missing bool // ![...]: the sequence matches only when no such event occurs
	Filter  *EventQuery
	Rbrack  source.Pos
	By      *JoinKeys
	Params  []*Param // with runs=N (and the legacy fork)
	EndPos  source.Pos
}

// Pos implements Node.
func (s *Step) Pos() source.Pos { return s.Lbrack }

// End implements Node.
func (s *Step) End() source.Pos { return s.EndPos }

// Runs returns the step's runs=N value, or "".
func (s *Step) Runs() string {
	for _, p := range s.Params {
		if p.Name == "runs" {
			return p.Text()
		}
	}
	return ""
}

// Sequence is `sequence [by keys] [with maxspan=T] steps... [until step]`.
type Sequence struct {
	Keyword source.Pos
	By      *JoinKeys
	Params  []*Param
	Steps   []*Step
	Until   *Step
	UntilAt source.Pos
}

// Pos implements Node.
func (s *Sequence) Pos() source.Pos { return s.Keyword }

// End implements Node.
func (s *Sequence) End() source.Pos {
	switch {
	case s.Until != nil:
		return s.Until.End()
	case len(s.Steps) > 0:
		return s.Steps[len(s.Steps)-1].End()
	case len(s.Params) > 0:
		return s.Params[len(s.Params)-1].End()
	case s.By != nil:
		return s.By.End()
	}
	return s.Keyword + 8
}

// MaxSpan returns the sequence's maxspan value ("5m"), or "".
func (s *Sequence) MaxSpan() string {
	for _, p := range s.Params {
		if p.Name == "maxspan" {
			return p.Text()
		}
	}
	return ""
}

// Sample is `sample [by keys] steps...`.
type Sample struct {
	Keyword source.Pos
	By      *JoinKeys
	Steps   []*Step
}

// Pos implements Node.
func (s *Sample) Pos() source.Pos { return s.Keyword }

// End implements Node.
func (s *Sample) End() source.Pos {
	if len(s.Steps) > 0 {
		return s.Steps[len(s.Steps)-1].End()
	}
	if s.By != nil {
		return s.By.End()
	}
	return s.Keyword + 6
}

// Join is the legacy `join [by keys] steps... [until step]`.
type Join struct {
	Keyword source.Pos
	By      *JoinKeys
	Steps   []*Step
	Until   *Step
}

// Pos implements Node.
func (j *Join) Pos() source.Pos { return j.Keyword }

// End implements Node.
func (j *Join) End() source.Pos {
	if j.Until != nil {
		return j.Until.End()
	}
	if len(j.Steps) > 0 {
		return j.Steps[len(j.Steps)-1].End()
	}
	return j.Keyword + 4
}

// BadBody stands for a query body that could not be parsed.
type BadBody struct {
	From, To source.Pos
}

// Pos implements Node.
func (b *BadBody) Pos() source.Pos { return b.From }

// End implements Node.
func (b *BadBody) End() source.Pos { return b.To }

func (*EventQuery) bodyNode() {}
func (*Sequence) bodyNode()   {}
func (*Sample) bodyNode()     {}
func (*Join) bodyNode()       {}
func (*BadBody) bodyNode()    {}

// Pipe is `| name args...`.
type Pipe struct {
	Bar     source.Pos
	NamePos source.Pos
	Name    string
	Args    []Expr
	EndPos  source.Pos
}

// Pos implements Node.
func (p *Pipe) Pos() source.Pos { return p.Bar }

// End implements Node.
func (p *Pipe) End() source.Pos { return p.EndPos }

// ---- expressions

// BinaryExpr is X op Y for and, or, comparisons and arithmetic.
type BinaryExpr struct {
	X     Expr
	OpPos source.Pos
	Op    Token
	Y     Expr
}

// UnaryExpr is `not X`, `-X` or `+X`.
type UnaryExpr struct {
	OpPos source.Pos
	Op    Token
	X     Expr
}

// InExpr is `X [not] in (list)` or `X [not] in~ (list)`.
type InExpr struct {
	X      Expr
	Not    bool
	OpPos  source.Pos
	Op     Token // IN or INSENSITIVEIN
	Lparen source.Pos
	List   []Expr
	Rparen source.Pos
}

// PredicateExpr is X op value or X op (value, ...) for the string predicates
// `:`, like, like~, regex and regex~.
type PredicateExpr struct {
	X      Expr
	OpPos  source.Pos
	Op     Token
	Lparen source.Pos // NoPos when a single value follows the operator
	Values []Expr
	Rparen source.Pos
}

// CallExpr is a function call; Insensitive is set for name~(...).
type CallExpr struct {
	NamePos     source.Pos
	Name        string // without the ~
	Insensitive bool
	Lparen      source.Pos
	Args        []Expr
	Rparen      source.Pos
}

// FieldPart is one dotted part of a field name.
type FieldPart struct {
	Pos     source.Pos
	Name    string // decoded
	Escaped bool   // written `like this`
	Index   string // array index [N] following the part, if any
}

// Field is a field reference, optionally marked `?` (optional field).
type Field struct {
	Optional bool
	StartPos source.Pos
	Parts    []FieldPart
	EndPos   source.Pos
}

// Name returns the dotted field name without the ? and backticks.
func (f *Field) Name() string {
	if len(f.Parts) == 1 && f.Parts[0].Index == "" {
		return f.Parts[0].Name
	}
	var b strings.Builder
	for i, p := range f.Parts {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p.Name)
		if p.Index != "" {
			b.WriteString("[" + p.Index + "]")
		}
	}
	return b.String()
}

// BasicLit is a string, number, boolean or null literal.
type BasicLit struct {
	ValuePos source.Pos
	Kind     Token // STRING, INT, FLOAT, TRUE, FALSE, NULL
	Raw      string
	Value    string // decoded string; the number or keyword as written otherwise
}

// ParenExpr is (X).
type ParenExpr struct {
	Lparen source.Pos
	X      Expr
	Rparen source.Pos
}

// ProcessCheck is the legacy `descendant of [filter]`, `child of [...]`,
// `event of [...]`.
type ProcessCheck struct {
	RelPos   source.Pos
	Relation string
	Step     *Step
}

// BadExpr stands for an expression that could not be parsed.
type BadExpr struct {
	From, To source.Pos
}

// Pos implements Node.
func (x *BinaryExpr) Pos() source.Pos { return x.X.Pos() }

// End implements Node.
func (x *BinaryExpr) End() source.Pos { return x.Y.End() }

// Pos implements Node.
func (x *UnaryExpr) Pos() source.Pos { return x.OpPos }

// End implements Node.
func (x *UnaryExpr) End() source.Pos { return x.X.End() }

// Pos implements Node.
func (x *InExpr) Pos() source.Pos { return x.X.Pos() }

// End implements Node.
func (x *InExpr) End() source.Pos { return x.Rparen + 1 }

// Pos implements Node.
func (x *PredicateExpr) Pos() source.Pos { return x.X.Pos() }

// Pos implements Node.
func (x *CallExpr) Pos() source.Pos { return x.NamePos }

// End implements Node.
func (x *CallExpr) End() source.Pos { return x.Rparen + 1 }

// Pos implements Node.
func (x *Field) Pos() source.Pos { return x.StartPos }

// End implements Node.
func (x *Field) End() source.Pos { return x.EndPos }

// Pos implements Node.
func (x *BasicLit) Pos() source.Pos { return x.ValuePos }

// End implements Node.
func (x *BasicLit) End() source.Pos { return x.ValuePos + source.Pos(len(x.Raw)) }

// Pos implements Node.
func (x *ParenExpr) Pos() source.Pos { return x.Lparen }

// End implements Node.
func (x *ParenExpr) End() source.Pos { return x.Rparen + 1 }

// Pos implements Node.
func (x *ProcessCheck) Pos() source.Pos { return x.RelPos }

// End implements Node.
func (x *ProcessCheck) End() source.Pos { return x.Step.End() }

// Pos implements Node.
func (x *BadExpr) Pos() source.Pos { return x.From }

// End implements Node.
func (x *BadExpr) End() source.Pos { return x.To }

// End implements Node.
func (x *PredicateExpr) End() source.Pos {
	if x.Lparen.IsValid() {
		return x.Rparen + 1
	}
	if len(x.Values) > 0 {
		return x.Values[len(x.Values)-1].End()
	}
	return x.OpPos + source.Pos(len(x.Op.String()))
}

func (*BinaryExpr) exprNode()    {}
func (*UnaryExpr) exprNode()     {}
func (*InExpr) exprNode()        {}
func (*PredicateExpr) exprNode() {}
func (*CallExpr) exprNode()      {}
func (*Field) exprNode()         {}
func (*BasicLit) exprNode()      {}
func (*ParenExpr) exprNode()     {}
func (*ProcessCheck) exprNode()  {}
func (*BadExpr) exprNode()       {}

// Unparen strips parentheses around x.
func Unparen(x Expr) Expr {
	for {
		p, ok := x.(*ParenExpr)
		if !ok {
			return x
		}
		x = p.X
	}
}
