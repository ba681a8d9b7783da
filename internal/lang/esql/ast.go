package esql

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

// Command is one command of the pipeline.
type Command interface {
	Node
	// Name is the command's name in lower case ("from", "where",
	// "inline stats", "lookup join", ...).
	Name() string
	base() *CommandBase
}

// Query is a pipeline: a source command and processing commands.
type Query struct {
	Commands []Command
}

// Pos implements Node.
func (q *Query) Pos() source.Pos {
	if len(q.Commands) == 0 {
		return 0
	}
	return q.Commands[0].Pos()
}

// End implements Node.
func (q *Query) End() source.Pos {
	if len(q.Commands) == 0 {
		return 0
	}
	return q.Commands[len(q.Commands)-1].End()
}

// CommandBase holds what every command has: where its keyword starts, the
// keyword as written and where the command ends.
type CommandBase struct {
	KeywordPos source.Pos
	Keyword    string // as written, e.g. "INLINE STATS"
	EndPos     source.Pos
}

// Pos implements Node.
func (c *CommandBase) Pos() source.Pos { return c.KeywordPos }

// End implements Node.
func (c *CommandBase) End() source.Pos { return c.EndPos }

// Name implements Command: the keyword in lower case with single spaces.
func (c *CommandBase) Name() string {
	return strings.ToLower(strings.Join(strings.Fields(c.Keyword), " "))
}

func (c *CommandBase) base() *CommandBase { return c }

// IndexPattern is a FROM / TS source, an ENRICH policy or a JOIN target.
type IndexPattern struct {
	ValuePos source.Pos
	Raw      string
	Name     string // decoded (quotes removed)
}

// Pos implements Node.
func (x *IndexPattern) Pos() source.Pos { return x.ValuePos }

// End implements Node.
func (x *IndexPattern) End() source.Pos { return x.ValuePos + source.Pos(len(x.Raw)) }

// NamePattern is a field name or pattern in KEEP, DROP, RENAME, ENRICH.
type NamePattern struct {
	ValuePos source.Pos
	Raw      string
	Name     string // backticks removed
}

// Pos implements Node.
func (x *NamePattern) Pos() source.Pos { return x.ValuePos }

// End implements Node.
func (x *NamePattern) End() source.Pos { return x.ValuePos + source.Pos(len(x.Raw)) }

// FromCommand is FROM (or TS) sources [METADATA fields].
type FromCommand struct {
	CommandBase
	Sources  []*IndexPattern
	Metadata []*IndexPattern
}

// RowCommand is ROW field = value, ...
type RowCommand struct {
	CommandBase
	Fields []*Field
}

// ShowCommand is SHOW INFO.
type ShowCommand struct {
	CommandBase
	What string
}

// WhereCommand is WHERE condition.
type WhereCommand struct {
	CommandBase
	Cond Expr
}

// EvalCommand is EVAL [name =] expr, ...
type EvalCommand struct {
	CommandBase
	Fields []*Field
}

// StatsCommand is STATS [aggs] [BY groups], and INLINE STATS.
type StatsCommand struct {
	CommandBase
	Inline bool
	Aggs   []*Field
	ByPos  source.Pos // NoPos without BY
	By     []*Field
}

// Field is `[name =] expr [WHERE filter]` in EVAL, STATS, ROW.
type Field struct {
	Name   *FieldRef // nil when the expression is not named
	Expr   Expr
	Filter Expr // STATS aggregation filter: count(*) WHERE cond
}

// Pos implements Node.
func (f *Field) Pos() source.Pos {
	if f.Name != nil {
		return f.Name.Pos()
	}
	return f.Expr.Pos()
}

// End implements Node.
func (f *Field) End() source.Pos {
	if f.Filter != nil {
		return f.Filter.End()
	}
	return f.Expr.End()
}

// OutputName is the column the field produces: its name, or the
// expression's text for an unnamed one (as ES|QL names it).
func (f *Field) OutputName() string {
	if f.Name != nil {
		return f.Name.Name()
	}
	if r, ok := f.Expr.(*FieldRef); ok {
		return r.Name()
	}
	return Print(f.Expr)
}

// KeepCommand is KEEP patterns.
type KeepCommand struct {
	CommandBase
	Patterns []*NamePattern
}

// DropCommand is DROP patterns.
type DropCommand struct {
	CommandBase
	Patterns []*NamePattern
}

// RenameCommand is RENAME old AS new, ... (or new = old).
type RenameCommand struct {
	CommandBase
	Clauses []*RenameClause
}

// RenameClause is one rename.
type RenameClause struct {
	Old, New *NamePattern
	Assign   bool // written new = old
}

// DissectCommand is DISSECT input "pattern" [APPEND_SEPARATOR = "sep"].
type DissectCommand struct {
	CommandBase
	Input   Expr
	Pattern *Literal
	Options []*Option
}

// GrokCommand is GROK input "pattern"[, "pattern"...].
type GrokCommand struct {
	CommandBase
	Input    Expr
	Patterns []*Literal
}

// Option is name = constant in DISSECT.
type Option struct {
	Name  string
	Value Expr
}

// MvExpandCommand is MV_EXPAND field.
type MvExpandCommand struct {
	CommandBase
	Field *FieldRef
}

// SortCommand is SORT expr [ASC|DESC] [NULLS FIRST|LAST], ...
type SortCommand struct {
	CommandBase
	Orders []*Order
}

// Order is one sort key.
type Order struct {
	X     Expr
	Dir   string // "", ASC or DESC (upper case)
	Nulls string // "", FIRST or LAST
}

// LimitCommand is LIMIT n.
type LimitCommand struct {
	CommandBase
	Count Expr
}

// SampleCommand is SAMPLE probability.
type SampleCommand struct {
	CommandBase
	Probability Expr
}

// EnrichCommand is ENRICH policy [ON field] [WITH [new =] field, ...].
type EnrichCommand struct {
	CommandBase
	Policy *IndexPattern
	On     *NamePattern
	With   []*EnrichClause
}

// EnrichClause is one WITH clause of ENRICH.
type EnrichClause struct {
	New   *NamePattern // nil when not renamed
	Field *NamePattern
}

// JoinCommand is LOOKUP JOIN index ON fields or ON condition (also LEFT and
// RIGHT JOIN).
type JoinCommand struct {
	CommandBase
	Kind   string // lookup, left, right
	Target *IndexPattern
	Alias  *FieldRef
	On     []Expr
}

// ChangePointCommand is CHANGE_POINT value [ON key] [AS type, pvalue].
type ChangePointCommand struct {
	CommandBase
	Value *FieldRef
	Key   *FieldRef
	As    []*FieldRef
}

// CompletionCommand is COMPLETION [target =] prompt WITH options.
type CompletionCommand struct {
	CommandBase
	Target  *FieldRef
	Prompt  Expr
	Options Expr // a map expression, or the inference id
	As      *FieldRef
}

// ForkCommand is FORK (subquery) (subquery) ...
type ForkCommand struct {
	CommandBase
	Branches []*Query
}

// BadCommand stands for a command that could not be parsed; the parser
// skips it to the next pipe.
type BadCommand struct {
	CommandBase
}

// ---- expressions

// FieldRef is a (dotted) column name.
type FieldRef struct {
	StartPos source.Pos
	Parts    []string // decoded parts
	Quoted   []bool   // which parts were `quoted`
	EndPos   source.Pos
}

// Name returns the dotted name without backticks.
func (f *FieldRef) Name() string {
	if len(f.Parts) == 1 {
		return f.Parts[0]
	}
	return strings.Join(f.Parts, ".")
}

// Literal is a string, number, boolean, null or parameter.
type Literal struct {
	ValuePos source.Pos
	Kind     Token // STRING, INT, DECIMAL, TRUE, FALSE, NULL, PARAM
	Raw      string
	Value    string // decoded string; the text as written otherwise
}

// TimeSpan is a number with a time unit: 7 days, 1 hour.
type TimeSpan struct {
	Value  *Literal
	Unit   string
	EndPos source.Pos
}

// ArrayLit is [a, b, ...].
type ArrayLit struct {
	Lbrack source.Pos
	Elems  []Expr
	Rbrack source.Pos
}

// MapExpr is { "key": value, ... } (function options, COMPLETION WITH).
type MapExpr struct {
	Lbrace  source.Pos
	Entries []*MapEntry
	Rbrace  source.Pos
}

// MapEntry is one "key": value of a map expression.
type MapEntry struct {
	Key   *Literal
	Value Expr
}

// BinaryExpr is X op Y: AND, OR, comparisons, arithmetic.
type BinaryExpr struct {
	X     Expr
	OpPos source.Pos
	Op    Token
	Y     Expr
}

// UnaryExpr is NOT X, -X, +X.
type UnaryExpr struct {
	OpPos source.Pos
	Op    Token
	X     Expr
}

// InExpr is X [NOT] IN (list).
type InExpr struct {
	X      Expr
	Not    bool
	OpPos  source.Pos
	List   []Expr
	Rparen source.Pos
}

// LikeExpr is X [NOT] LIKE pattern, X [NOT] RLIKE pattern, or a list of
// patterns in parentheses.
type LikeExpr struct {
	X        Expr
	Not      bool
	OpPos    source.Pos
	Op       Token // LIKE or RLIKE
	Patterns []Expr
	List     bool // written (p1, p2)
	EndPos   source.Pos
}

// IsNullExpr is X IS [NOT] NULL.
type IsNullExpr struct {
	X      Expr
	Not    bool
	EndPos source.Pos
}

// MatchExpr is field : query (full-text match operator).
type MatchExpr struct {
	X     Expr
	Colon source.Pos
	Query Expr
}

// CallExpr is a function call; Star is set for count(*).
type CallExpr struct {
	NamePos source.Pos
	Name    string // as written
	Lparen  source.Pos
	Star    bool
	Args    []Expr
	Rparen  source.Pos
}

// CastExpr is X::type.
type CastExpr struct {
	X      Expr
	Type   string
	EndPos source.Pos
}

// ParenExpr is (X).
type ParenExpr struct {
	Lparen source.Pos
	X      Expr
	Rparen source.Pos
}

// BadExpr stands for an expression that could not be parsed.
type BadExpr struct {
	From, To source.Pos
}

// Pos implements Node.
func (x *FieldRef) Pos() source.Pos { return x.StartPos }

// End implements Node.
func (x *FieldRef) End() source.Pos { return x.EndPos }

// Pos implements Node.
func (x *Literal) Pos() source.Pos { return x.ValuePos }

// End implements Node.
func (x *Literal) End() source.Pos { return x.ValuePos + source.Pos(len(x.Raw)) }

// Pos implements Node.
func (x *TimeSpan) Pos() source.Pos { return x.Value.Pos() }

// End implements Node.
func (x *TimeSpan) End() source.Pos { return x.EndPos }

// Pos implements Node.
func (x *ArrayLit) Pos() source.Pos { return x.Lbrack }

// End implements Node.
func (x *ArrayLit) End() source.Pos { return x.Rbrack + 1 }

// Pos implements Node.
func (x *MapExpr) Pos() source.Pos { return x.Lbrace }

// End implements Node.
func (x *MapExpr) End() source.Pos { return x.Rbrace + 1 }

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
func (x *LikeExpr) Pos() source.Pos { return x.X.Pos() }

// End implements Node.
func (x *LikeExpr) End() source.Pos { return x.EndPos }

// Pos implements Node.
func (x *IsNullExpr) Pos() source.Pos { return x.X.Pos() }

// End implements Node.
func (x *IsNullExpr) End() source.Pos { return x.EndPos }

// Pos implements Node.
func (x *MatchExpr) Pos() source.Pos { return x.X.Pos() }

// End implements Node.
func (x *MatchExpr) End() source.Pos { return x.Query.End() }

// Pos implements Node.
func (x *CallExpr) Pos() source.Pos { return x.NamePos }

// End implements Node.
func (x *CallExpr) End() source.Pos { return x.Rparen + 1 }

// Pos implements Node.
func (x *CastExpr) Pos() source.Pos { return x.X.Pos() }

// End implements Node.
func (x *CastExpr) End() source.Pos { return x.EndPos }

// Pos implements Node.
func (x *ParenExpr) Pos() source.Pos { return x.Lparen }

// End implements Node.
func (x *ParenExpr) End() source.Pos { return x.Rparen + 1 }

// Pos implements Node.
func (x *BadExpr) Pos() source.Pos { return x.From }

// End implements Node.
func (x *BadExpr) End() source.Pos { return x.To }

func (*FieldRef) exprNode()   {}
func (*Literal) exprNode()    {}
func (*TimeSpan) exprNode()   {}
func (*ArrayLit) exprNode()   {}
func (*MapExpr) exprNode()    {}
func (*BinaryExpr) exprNode() {}
func (*UnaryExpr) exprNode()  {}
func (*InExpr) exprNode()     {}
func (*LikeExpr) exprNode()   {}
func (*IsNullExpr) exprNode() {}
func (*MatchExpr) exprNode()  {}
func (*CallExpr) exprNode()   {}
func (*CastExpr) exprNode()   {}
func (*ParenExpr) exprNode()  {}
func (*BadExpr) exprNode()    {}

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
