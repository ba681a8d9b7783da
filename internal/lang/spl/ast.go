package spl

import (
	"strings"

	"github.com/detwiki/detwiki/internal/source"
)

// Node is any node of the syntax tree. Pos is the offset of its first byte and
// End the offset just after its last byte, in the text that was parsed.
type Node interface {
	Pos() source.Pos
	End() source.Pos
}

// ---------------------------------------------------------------------------
// Searches and commands

// Pipeline is a search: commands separated by pipes.
type Pipeline struct {
	Start    source.Pos
	Stop     source.Pos
	Commands []Command
}

// Pos implements Node.
func (p *Pipeline) Pos() source.Pos { return p.Start }

// End implements Node.
func (p *Pipeline) End() source.Pos { return p.Stop }

// Subsearch is a search in square brackets.
type Subsearch struct {
	Lbrack   source.Pos
	Pipeline *Pipeline
	Rbrack   source.Pos // NoPos when the closing bracket is missing
}

// Pos implements Node.
func (s *Subsearch) Pos() source.Pos { return s.Lbrack }

// End implements Node.
func (s *Subsearch) End() source.Pos {
	if s.Rbrack.IsValid() {
		return s.Rbrack + 1
	}
	if s.Pipeline != nil && s.Pipeline.Stop > s.Lbrack {
		return s.Pipeline.Stop
	}
	return s.Lbrack + 1
}

// Command is one command of a pipeline.
type Command interface {
	Node
	// Name is the command name in lower case ("search" for the implicit
	// search at the start of a pipeline).
	Name() string
	// Base returns the parts every command has.
	Base() *CmdBase
	commandNode()
}

// CmdBase holds what every command has: where it starts and ends, its name
// as written and the pipe before it.
type CmdBase struct {
	Pipe    source.Pos // the '|' before the command; NoPos for a first command written without one
	NamePos source.Pos // NoPos for the implicit search
	Cmd     string     // the command name as written; "" for the implicit search
	Start   source.Pos // first byte of the command (its name, or its first term)
	Stop    source.Pos // just after its last token
}

// Pos implements Node.
func (c *CmdBase) Pos() source.Pos { return c.Start }

// End implements Node.
func (c *CmdBase) End() source.Pos { return c.Stop }

// Base implements Command.
func (c *CmdBase) Base() *CmdBase { return c }

// Name implements Command.
func (c *CmdBase) Name() string {
	if c.Cmd == "" {
		return "search"
	}
	return strings.ToLower(c.Cmd)
}

// Implicit reports whether the command is the implicit search of a pipeline
// that starts without a command name.
func (c *CmdBase) Implicit() bool { return !c.NamePos.IsValid() }

func (*CmdBase) commandNode() {}

// SearchCmd is the search command, written or implicit. Expr is nil for an
// empty search.
type SearchCmd struct {
	CmdBase
	Expr SearchExpr
}

// TstatsCmd is | tstats [options] aggregations [FROM datamodel=X.Y]
// [WHERE search] [BY fields [options]].
type TstatsCmd struct {
	CmdBase
	Options   []*Option // options before the aggregations and after BY, in order
	Aggs      []*Aggregation
	FromPos   source.Pos // NoPos without FROM
	Datamodel *Option    // datamodel=X.Y after FROM
	WherePos  source.Pos // NoPos without WHERE
	Where     SearchExpr
	ByPos     source.Pos // NoPos without BY
	By        []*Word
	// Trailing are options written after the BY fields (span=1h).
	Trailing []*Option
	// Macros are macro calls among the arguments that were not expanded.
	Macros []*Word
}

// StatsCmd is stats, eventstats, streamstats, chart or timechart: options,
// aggregations and an optional BY (and OVER, for chart) clause.
type StatsCmd struct {
	CmdBase
	Options  []*Option
	Aggs     []*Aggregation
	OverPos  source.Pos // chart's OVER; NoPos without
	Over     *Word
	ByPos    source.Pos // NoPos without BY
	By       []*Word
	Trailing []*Option
	Macros   []*Word // unexpanded macro calls among the arguments
}

// Aggregation is one statistical function: count, values(x) AS y,
// count(eval(...)).
type Aggregation struct {
	Func   *Word
	Lparen source.Pos // NoPos for a bare function (count)
	Args   []Arg      // *Word, *EvalArg or *Punct (commas)
	Rparen source.Pos // NoPos when there are no parentheses or the ')' is missing
	AsPos  source.Pos // NoPos without AS
	Alias  *Word
}

// Pos implements Node.
func (a *Aggregation) Pos() source.Pos { return a.Func.Pos() }

// End implements Node.
func (a *Aggregation) End() source.Pos {
	switch {
	case a.Alias != nil:
		return a.Alias.End()
	case a.AsPos.IsValid():
		return a.AsPos + 2
	case a.Rparen.IsValid():
		return a.Rparen + 1
	case len(a.Args) > 0:
		return a.Args[len(a.Args)-1].End()
	case a.Lparen.IsValid():
		return a.Lparen + 1
	}
	return a.Func.End()
}

// Name returns the function name in lower case.
func (a *Aggregation) Name() string { return strings.ToLower(a.Func.Value) }

// OutputName is the field the aggregation produces: its alias, or the
// function written as Splunk names it (count, values(x)).
func (a *Aggregation) OutputName() string {
	if a.Alias != nil {
		return a.Alias.Value
	}
	if !a.Lparen.IsValid() {
		return a.Func.Value
	}
	var b strings.Builder
	b.WriteString(a.Func.Value)
	b.WriteByte('(')
	for _, x := range a.Args {
		b.WriteString(printArg(x))
	}
	b.WriteByte(')')
	return b.String()
}

// EvalCmd is eval with its comma-separated assignments.
type EvalCmd struct {
	CmdBase
	Assigns []*Assignment
}

// Assignment is field=expression in eval.
type Assignment struct {
	Field Expr // *Ident, or *BadExpr
	Eq    source.Pos
	Value Expr
}

// Pos implements Node.
func (a *Assignment) Pos() source.Pos { return a.Field.Pos() }

// End implements Node.
func (a *Assignment) End() source.Pos {
	if a.Value != nil {
		return a.Value.End()
	}
	if a.Eq.IsValid() {
		return a.Eq + 1
	}
	return a.Field.End()
}

// WhereCmd is where with its eval condition.
type WhereCmd struct {
	CmdBase
	Cond Expr
}

// InputlookupCmd is | inputlookup [options] table [WHERE search].
type InputlookupCmd struct {
	CmdBase
	Args     []Arg // options and the table name
	Table    *Word
	WherePos source.Pos
	Where    SearchExpr
}

// MacroCmd is a macro call in the place of a command that could not be
// expanded.
type MacroCmd struct {
	CmdBase
	Macro *Word
}

// BadCmd is a command that could not be parsed (an empty command between two
// pipes, a command name that is not a word).
type BadCmd struct {
	CmdBase
}

// ArgsCmd is a command whose arguments are words, key=value options,
// parenthesised groups and subsearches. Commands with a typed view (table,
// rename, lookup, ...) embed it; any other command is a *GenericCmd.
type ArgsCmd struct {
	CmdBase
	Args []Arg
}

// GenericCmd is a command detwiki has no typed view of.
type GenericCmd struct{ ArgsCmd }

// FieldsCmd is table or fields: a list of fields, for fields optionally
// removed (fields - x).
type FieldsCmd struct {
	ArgsCmd
	Remove bool
	Fields []*Word
}

// RenameCmd is rename x AS y, ...
type RenameCmd struct {
	ArgsCmd
	Pairs []RenamePair
}

// RenamePair is one "x AS y" of rename; To is nil when missing.
type RenamePair struct {
	From, To *Word
}

// FieldAs is a field optionally renamed (lookup's "field AS event_field").
type FieldAs struct {
	Field *Word
	As    *Word // nil without AS
}

// Name returns the event field: the AS name, else the field.
func (f FieldAs) Name() string {
	if f.As != nil {
		return f.As.Value
	}
	return f.Field.Value
}

// LookupCmd is lookup [options] table field [AS f]... [OUTPUT|OUTPUTNEW
// field [AS f]...].
type LookupCmd struct {
	ArgsCmd
	Options []*Option
	Table   *Word
	Inputs  []FieldAs
	Output  string // "OUTPUT", "OUTPUTNEW" or ""
	Outputs []FieldAs
}

// RexCmd is rex [field=f] [mode=sed] [max_match=n] "regex".
type RexCmd struct {
	ArgsCmd
	Options []*Option
	Field   string // the field= option, "_raw" by default
	Regex   *Word
	Sed     bool
}

// RegexCmd is regex [field=|field!=]"regex": it keeps (or with != drops)
// the events whose field matches.
type RegexCmd struct {
	ArgsCmd
	Field   string // "_raw" when not written
	Negated bool
	Pattern *Word
}

// SpathCmd is spath [input=f] [output=f] [path=p | p].
type SpathCmd struct {
	ArgsCmd
	Options []*Option
	Path    *Word
}

// JoinCmd is join [options] [fields] [subsearch].
type JoinCmd struct {
	ArgsCmd
	Options []*Option
	Fields  []*Word
	Sub     *Subsearch
}

// AppendCmd is append, appendcols or appendpipe [options] [subsearch].
type AppendCmd struct {
	ArgsCmd
	Options []*Option
	Sub     *Subsearch
}

// DedupCmd is dedup [n] fields [options] [sortby ...].
type DedupCmd struct {
	ArgsCmd
	Count   *Word
	Fields  []*Word
	Options []*Option
	SortBy  []SortKey
}

// SortCmd is sort [n] [+|-]field... [desc].
type SortCmd struct {
	ArgsCmd
	Count *Word
	Keys  []SortKey
	Desc  bool
}

// SortKey is one sort field; Func is auto, str, ip or num when written as
// num(field).
type SortKey struct {
	Descending bool
	Func       string
	Field      string
}

// HeadCmd is head [n] [options] or head (condition).
type HeadCmd struct {
	ArgsCmd
	Count   *Word
	Options []*Option
}

// BinCmd is bin or bucket [options] field [AS alias].
type BinCmd struct {
	ArgsCmd
	Options []*Option
	Field   *Word
	Alias   *Word
}

// TransactionCmd is transaction [fields] [options].
type TransactionCmd struct {
	ArgsCmd
	Fields  []*Word
	Options []*Option
}

// MvexpandCmd is mvexpand field [limit=n].
type MvexpandCmd struct {
	ArgsCmd
	Field   *Word
	Options []*Option
}

// MakemvCmd is makemv [options] field.
type MakemvCmd struct {
	ArgsCmd
	Options []*Option
	Field   *Word
}

// FillnullCmd is fillnull [value=v] [fields].
type FillnullCmd struct {
	ArgsCmd
	Options []*Option
	Fields  []*Word
}

// ConvertCmd is convert [options] func(field) [AS alias]...
type ConvertCmd struct {
	ArgsCmd
	Options     []*Option
	Conversions []Conversion
}

// Conversion is one func(field) [AS alias] of convert.
type Conversion struct {
	Func  string
	Field string
	Alias string
}

// XmlkvCmd is xmlkv [field] [maxinputs=n].
type XmlkvCmd struct {
	ArgsCmd
	Field   *Word
	Options []*Option
}

// ---------------------------------------------------------------------------
// Arguments

// Arg is one argument of a command in argument mode: *Word, *Option, *Call,
// *Group, *Subsearch, *EvalArg or *Punct.
type Arg interface {
	Node
	argNode()
}

// Word is a bare word, a quoted string, a word joined from quoted and bare
// parts ("Processes".*) or an unexpanded macro call, as written.
type Word struct {
	ValuePos source.Pos
	Tok      Token  // WORD, STRING or MACRO
	Raw      string // as written
	Value    string // decoded (see Unquote); for a macro, Raw
}

// Pos implements Node.
func (w *Word) Pos() source.Pos { return w.ValuePos }

// End implements Node.
func (w *Word) End() source.Pos { return w.ValuePos + source.Pos(len(w.Raw)) }

// Quoted reports whether the word was written as one quoted string.
func (w *Word) Quoted() bool { return w.Tok == STRING }

// Option is key=value (or key!=value) in argument mode.
type Option struct {
	Key   *Word
	OpPos source.Pos
	Op    Token
	Value Arg // nil when missing
}

// Pos implements Node.
func (o *Option) Pos() source.Pos { return o.Key.Pos() }

// End implements Node.
func (o *Option) End() source.Pos {
	if o.Value != nil {
		return o.Value.End()
	}
	return o.OpPos + source.Pos(len(o.Op.String()))
}

// Name returns the option key in lower case.
func (o *Option) Name() string { return strings.ToLower(o.Key.Value) }

// Text returns the option's value decoded ("" when it is not a word).
func (o *Option) Text() string {
	if w, ok := o.Value.(*Word); ok {
		return w.Value
	}
	if o.Value != nil {
		return printArg(o.Value)
	}
	return ""
}

// Group is a parenthesised list of arguments.
type Group struct {
	Lparen source.Pos
	Args   []Arg
	Rparen source.Pos // NoPos when missing
}

// Pos implements Node.
func (g *Group) Pos() source.Pos { return g.Lparen }

// End implements Node.
func (g *Group) End() source.Pos {
	if g.Rparen.IsValid() {
		return g.Rparen + 1
	}
	if len(g.Args) > 0 {
		return g.Args[len(g.Args)-1].End()
	}
	return g.Lparen + 1
}

// Call is a word written right before a parenthesised group: ctime(x),
// num(count), eval(...) in argument mode.
type Call struct {
	Name *Word
	Args *Group
}

// Pos implements Node.
func (c *Call) Pos() source.Pos { return c.Name.Pos() }

// End implements Node.
func (c *Call) End() source.Pos { return c.Args.End() }

// EvalArg is eval(expression) as an argument of a stats function.
type EvalArg struct {
	Eval   *Word
	Lparen source.Pos
	X      Expr
	Rparen source.Pos // NoPos when missing
}

// Pos implements Node.
func (e *EvalArg) Pos() source.Pos { return e.Eval.Pos() }

// End implements Node.
func (e *EvalArg) End() source.Pos {
	if e.Rparen.IsValid() {
		return e.Rparen + 1
	}
	if e.X != nil {
		return e.X.End()
	}
	return e.Lparen + 1
}

// Punct is a comma or an operator standing alone among arguments.
type Punct struct {
	TokPos source.Pos
	Tok    Token
}

// Pos implements Node.
func (p *Punct) Pos() source.Pos { return p.TokPos }

// End implements Node.
func (p *Punct) End() source.Pos { return p.TokPos + source.Pos(len(p.Tok.String())) }

func (*Word) argNode()      {}
func (*Option) argNode()    {}
func (*Group) argNode()     {}
func (*Call) argNode()      {}
func (*Subsearch) argNode() {}
func (*EvalArg) argNode()   {}
func (*Punct) argNode()     {}

// ---------------------------------------------------------------------------
// Search expressions

// SearchExpr is an expression of the search command: *SearchBinary,
// *SearchNot, *SearchParen, *SearchCompare, *SearchIn, *SearchTerm or
// *BadSearch.
type SearchExpr interface {
	Node
	searchNode()
}

// Operand is a value in a search expression: *Word, *Directive or
// *Subsearch.
type Operand interface {
	Node
	operandNode()
}

// SearchBinary is X AND Y (Op "AND", OpPos NoPos when the AND is implied
// by juxtaposition) or X OR Y.
type SearchBinary struct {
	X     SearchExpr
	OpPos source.Pos
	Op    string // "AND" or "OR"
	Y     SearchExpr
}

// SearchNot is NOT X.
type SearchNot struct {
	Not source.Pos
	X   SearchExpr
}

// SearchParen is (X); X is nil for ().
type SearchParen struct {
	Lparen source.Pos
	X      SearchExpr
	Rparen source.Pos // NoPos when missing
}

// SearchCompare is field op value (=, !=, <, <=, >, >=).
type SearchCompare struct {
	Field *Word
	OpPos source.Pos
	Op    Token
	Value Operand // nil when missing
}

// SearchIn is field IN (value, ...).
type SearchIn struct {
	Field  *Word
	In     source.Pos
	Lparen source.Pos
	Values []Operand
	Rparen source.Pos // NoPos when missing
}

// SearchTerm is a bare term, a quoted phrase, a CASE()/TERM() directive, an
// unexpanded macro or a subsearch standing alone.
type SearchTerm struct {
	Value Operand
}

// Directive is CASE(value) or TERM(value).
type Directive struct {
	Name   *Word
	Lparen source.Pos
	Value  *Word // nil when empty
	Rparen source.Pos
}

// BadSearch is a part of a search expression that could not be parsed.
type BadSearch struct {
	From, To source.Pos
}

// Pos implements Node.
func (x *SearchBinary) Pos() source.Pos { return x.X.Pos() }

// End implements Node.
func (x *SearchBinary) End() source.Pos { return x.Y.End() }

// Pos implements Node.
func (x *SearchNot) Pos() source.Pos { return x.Not }

// End implements Node.
func (x *SearchNot) End() source.Pos {
	if x.X != nil {
		return x.X.End()
	}
	return x.Not + 3
}

// Pos implements Node.
func (x *SearchParen) Pos() source.Pos { return x.Lparen }

// End implements Node.
func (x *SearchParen) End() source.Pos {
	if x.Rparen.IsValid() {
		return x.Rparen + 1
	}
	if x.X != nil {
		return x.X.End()
	}
	return x.Lparen + 1
}

// Pos implements Node.
func (x *SearchCompare) Pos() source.Pos { return x.Field.Pos() }

// End implements Node.
func (x *SearchCompare) End() source.Pos {
	if x.Value != nil {
		return x.Value.End()
	}
	return x.OpPos + source.Pos(len(x.Op.String()))
}

// Pos implements Node.
func (x *SearchIn) Pos() source.Pos { return x.Field.Pos() }

// End implements Node.
func (x *SearchIn) End() source.Pos {
	if x.Rparen.IsValid() {
		return x.Rparen + 1
	}
	if n := len(x.Values); n > 0 {
		return x.Values[n-1].End()
	}
	if x.Lparen.IsValid() {
		return x.Lparen + 1
	}
	return x.In + 2
}

// Pos implements Node.
func (x *SearchTerm) Pos() source.Pos { return x.Value.Pos() }

// End implements Node.
func (x *SearchTerm) End() source.Pos { return x.Value.End() }

// Pos implements Node.
func (d *Directive) Pos() source.Pos { return d.Name.Pos() }

// End implements Node.
func (d *Directive) End() source.Pos {
	if d.Rparen.IsValid() {
		return d.Rparen + 1
	}
	if d.Value != nil {
		return d.Value.End()
	}
	return d.Lparen + 1
}

// Pos implements Node.
func (x *BadSearch) Pos() source.Pos { return x.From }

// End implements Node.
func (x *BadSearch) End() source.Pos { return x.To }

func (*SearchBinary) searchNode()  {}
func (*SearchNot) searchNode()     {}
func (*SearchParen) searchNode()   {}
func (*SearchCompare) searchNode() {}
func (*SearchIn) searchNode()      {}
func (*SearchTerm) searchNode()    {}
func (*BadSearch) searchNode()     {}

func (*Word) operandNode()      {}
func (*Directive) operandNode() {}
func (*Subsearch) operandNode() {}

// ---------------------------------------------------------------------------
// Eval expressions

// Expr is an eval expression: *Ident, *StringLit, *NumberLit, *BinaryExpr,
// *UnaryExpr, *CallExpr, *InExpr, *ParenExpr, *MacroExpr or *BadExpr.
type Expr interface {
	Node
	exprNode()
}

// Ident is a field name, bare or 'single-quoted'.
type Ident struct {
	NamePos source.Pos
	Raw     string
	Name    string // decoded
	Quoted  bool
}

// StringLit is a "double-quoted" string.
type StringLit struct {
	ValuePos source.Pos
	Raw      string
	Value    string // decoded
}

// NumberLit is a number.
type NumberLit struct {
	ValuePos source.Pos
	Raw      string
}

// BinaryExpr is X op Y. Op is the operator in upper case: = == != < <= >
// >= + - * / % . AND OR XOR LIKE.
type BinaryExpr struct {
	X     Expr
	OpPos source.Pos
	Op    string
	OpLen int // length of the operator as written
	Y     Expr
}

// UnaryExpr is NOT X, -X or +X.
type UnaryExpr struct {
	OpPos source.Pos
	Op    string // "NOT", "-" or "+"
	X     Expr
}

// CallExpr is a function call: if(c, a, b), match(f, "re").
type CallExpr struct {
	Fun    *Ident
	Lparen source.Pos
	Args   []Expr
	Rparen source.Pos // NoPos when missing
}

// InExpr is X IN (list) in eval and where.
type InExpr struct {
	X      Expr
	In     source.Pos
	Lparen source.Pos
	List   []Expr
	Rparen source.Pos // NoPos when missing
}

// ParenExpr is (X).
type ParenExpr struct {
	Lparen source.Pos
	X      Expr
	Rparen source.Pos // NoPos when missing
}

// MacroExpr is an unexpanded macro call inside an expression.
type MacroExpr struct {
	ValuePos source.Pos
	Raw      string
}

// BadExpr is a part of an expression that could not be parsed.
type BadExpr struct {
	From, To source.Pos
}

// Pos implements Node.
func (x *Ident) Pos() source.Pos { return x.NamePos }

// End implements Node.
func (x *Ident) End() source.Pos { return x.NamePos + source.Pos(len(x.Raw)) }

// Pos implements Node.
func (x *StringLit) Pos() source.Pos { return x.ValuePos }

// End implements Node.
func (x *StringLit) End() source.Pos { return x.ValuePos + source.Pos(len(x.Raw)) }

// Pos implements Node.
func (x *NumberLit) Pos() source.Pos { return x.ValuePos }

// End implements Node.
func (x *NumberLit) End() source.Pos { return x.ValuePos + source.Pos(len(x.Raw)) }

// Pos implements Node.
func (x *BinaryExpr) Pos() source.Pos { return x.X.Pos() }

// End implements Node.
func (x *BinaryExpr) End() source.Pos { return x.Y.End() }

// Pos implements Node.
func (x *UnaryExpr) Pos() source.Pos { return x.OpPos }

// End implements Node.
func (x *UnaryExpr) End() source.Pos { return x.X.End() }

// Pos implements Node.
func (x *CallExpr) Pos() source.Pos { return x.Fun.Pos() }

// End implements Node.
func (x *CallExpr) End() source.Pos {
	if x.Rparen.IsValid() {
		return x.Rparen + 1
	}
	if n := len(x.Args); n > 0 {
		return x.Args[n-1].End()
	}
	return x.Lparen + 1
}

// Name returns the function name in lower case.
func (x *CallExpr) Name() string { return strings.ToLower(x.Fun.Name) }

// Pos implements Node.
func (x *InExpr) Pos() source.Pos { return x.X.Pos() }

// End implements Node.
func (x *InExpr) End() source.Pos {
	if x.Rparen.IsValid() {
		return x.Rparen + 1
	}
	if n := len(x.List); n > 0 {
		return x.List[n-1].End()
	}
	if x.Lparen.IsValid() {
		return x.Lparen + 1
	}
	return x.In + 2
}

// Pos implements Node.
func (x *ParenExpr) Pos() source.Pos { return x.Lparen }

// End implements Node.
func (x *ParenExpr) End() source.Pos {
	if x.Rparen.IsValid() {
		return x.Rparen + 1
	}
	return x.X.End()
}

// Pos implements Node.
func (x *MacroExpr) Pos() source.Pos { return x.ValuePos }

// End implements Node.
func (x *MacroExpr) End() source.Pos { return x.ValuePos + source.Pos(len(x.Raw)) }

// Pos implements Node.
func (x *BadExpr) Pos() source.Pos { return x.From }

// End implements Node.
func (x *BadExpr) End() source.Pos { return x.To }

func (*Ident) exprNode()      {}
func (*StringLit) exprNode()  {}
func (*NumberLit) exprNode()  {}
func (*BinaryExpr) exprNode() {}
func (*UnaryExpr) exprNode()  {}
func (*CallExpr) exprNode()   {}
func (*InExpr) exprNode()     {}
func (*ParenExpr) exprNode()  {}
func (*MacroExpr) exprNode()  {}
func (*BadExpr) exprNode()    {}
