package yaral

import (
	"strings"

	"github.com/detwiki/detwiki/internal/source"
)

// Node is any node of the syntax tree. Pos is the offset of its first byte,
// End the offset just past its last byte.
type Node interface {
	Pos() source.Pos
	End() source.Pos
}

// Expr is an expression: event predicates, outcome values, conditions,
// meta and option values.
type Expr interface {
	Node
	exprNode()
}

// Section is one section of a rule (meta, events, match, outcome, condition,
// options).
type Section interface {
	Node
	// Name is the section keyword as the language spells it.
	Name() string
	sectionNode()
}

// File is a parsed .yaral file: its rules and every comment.
type File struct {
	Rules    []*Rule
	Comments []*Comment
	Size     int
}

// Pos returns 0, the start of the file.
func (f *File) Pos() source.Pos { return 0 }

// End returns the length of the file.
func (f *File) End() source.Pos { return source.Pos(f.Size) }

// Rule is `rule <name> { sections }`.
type Rule struct {
	RulePos source.Pos // the "rule" keyword
	Name    *Ident
	Lbrace  source.Pos
	Rbrace  source.Pos // NoPos when the closing brace is missing
	EndPos  source.Pos
	// Sections in source order; the typed fields point at the same
	// sections (the first of each kind).
	Sections  []Section
	Meta      *MetaSection
	Events    *EventsSection
	Match     *MatchSection
	Outcome   *OutcomeSection
	Condition *ConditionSection
	Options   *OptionsSection
}

// Pos returns the position of the "rule" keyword.
func (r *Rule) Pos() source.Pos { return r.RulePos }

// End returns the position after the closing brace (or after the last
// section read when it is missing).
func (r *Rule) End() source.Pos { return r.EndPos }

// sectionHeader is the keyword and colon that open a section.
type sectionHeader struct {
	NamePos source.Pos
	Colon   source.Pos
	EndPos  source.Pos // end of the section's last item (Colon+1 when empty)
}

// Pos returns the position of the section keyword.
func (h *sectionHeader) Pos() source.Pos { return h.NamePos }

// End returns the end of the section's last item.
func (h *sectionHeader) End() source.Pos { return h.EndPos }

func (*sectionHeader) sectionNode() {}

// MetaSection is `meta:` followed by key = "value" lines.
type MetaSection struct {
	sectionHeader
	Entries []*MetaEntry
}

// Name returns "meta".
func (*MetaSection) Name() string { return "meta" }

// Get returns the decoded value of the first entry named key (compared
// case-insensitively) and whether there is one.
func (s *MetaSection) Get(key string) (string, bool) {
	if s == nil {
		return "", false
	}
	for _, e := range s.Entries {
		if strings.EqualFold(e.Key.Name, key) {
			return ValueText(e.Value), true
		}
	}
	return "", false
}

// MetaEntry is one `key = value` line of meta or options.
type MetaEntry struct {
	Key    *Ident
	Eq     source.Pos
	Value  Expr
	EndPos source.Pos
}

// Pos returns the position of the key.
func (e *MetaEntry) Pos() source.Pos { return e.Key.Pos() }

// End returns the end of the value.
func (e *MetaEntry) End() source.Pos { return e.EndPos }

// EventsSection is `events:` followed by predicates. Each statement is one
// boolean expression; statements are joined by an implicit and.
type EventsSection struct {
	sectionHeader
	Stmts []Expr
}

// Name returns "events".
func (*EventsSection) Name() string { return "events" }

// MatchSection is `match: $a, $b over 10m` (a hop window), `... by 10m` (a
// tumbling window) or `... over 10m before|after $pivot` (a sliding window).
type MatchSection struct {
	sectionHeader
	Vars []Expr // placeholders ($user), or field paths in searches
	// Window is "over" or "by" ("" when missing); WindowPos its position.
	Window    string
	WindowPos source.Pos
	Duration  *BasicLit
	// Every is the hop of `over 1h every 10m`, when written.
	Every *BasicLit
	// Anchor is "before" or "after" for a sliding window, with its pivot
	// event variable.
	Anchor    string
	AnchorPos source.Pos
	Pivot     Expr
}

// Name returns "match".
func (*MatchSection) Name() string { return "match" }

// OutcomeSection is `outcome:` followed by `$var = expression` lines.
type OutcomeSection struct {
	sectionHeader
	Assigns []*Assign
}

// Name returns "outcome".
func (*OutcomeSection) Name() string { return "outcome" }

// Assign is `$var = expression` in outcome.
type Assign struct {
	Var   *VarRef
	Eq    source.Pos
	Value Expr
}

// Pos returns the position of the variable.
func (a *Assign) Pos() source.Pos { return a.Var.Pos() }

// End returns the end of the value.
func (a *Assign) End() source.Pos { return a.Value.End() }

// ConditionSection is `condition:` followed by one boolean expression.
type ConditionSection struct {
	sectionHeader
	Expr Expr // nil when the section is empty
}

// Name returns "condition".
func (*ConditionSection) Name() string { return "condition" }

// OptionsSection is `options:` followed by `key = value` lines.
type OptionsSection struct {
	sectionHeader
	Entries []*MetaEntry
}

// Name returns "options".
func (*OptionsSection) Name() string { return "options" }

// ---- expressions ----

// Ident is a bare word: true, false, null, a function-less name.
type Ident struct {
	NamePos source.Pos
	Name    string
}

// LitKind says what a BasicLit holds.
type LitKind uint8

// Literal kinds.
const (
	LitString    LitKind = iota // "text"
	LitRawString                // `text`
	LitNumber                   // 12, 0.5
	LitDuration                 // 5m
)

// BasicLit is a string, number or duration literal; Value is the text as
// written (with its quotes).
type BasicLit struct {
	ValuePos source.Pos
	Kind     LitKind
	Value    string
}

// RegexLit is a /pattern/ literal; Value is the text as written.
type RegexLit struct {
	ValuePos source.Pos
	Value    string
}

// VarRef is $name: an event variable, a placeholder or an outcome variable.
type VarRef struct {
	Dollar source.Pos
	Name   string // without the $
}

// CountRef is #name: the number of distinct events or values of a variable.
type CountRef struct {
	Hash source.Pos
	Name string // without the #
}

// RefListRef is %name or %table.column: a reference list or data table.
type RefListRef struct {
	Percent source.Pos
	Name    string // without the %
	Column  string // data table column, when given
	EndPos  source.Pos
}

// PathElem is one step of a field path: .name or [key].
type PathElem struct {
	Pos  source.Pos // the dot or the opening bracket
	Name string     // for .name
	Key  Expr       // for [key]
	End  source.Pos
}

// FieldPath is an event field: $e.principal.process.command_line or
// $e.target.labels["key"]. Var is the event variable.
type FieldPath struct {
	Var  *VarRef
	Path []PathElem
}

// Call is a function call: strings.contains(a, b), max(x), if(c, a, b).
// Func is the dotted name as written. A boolean call may be followed by
// nocase (re.regex($e.f, `x`) nocase); Nocase is its position, or NoPos.
type Call struct {
	FuncPos source.Pos
	Func    string
	Lparen  source.Pos
	Args    []Expr
	Rparen  source.Pos
	Nocase  source.Pos
}

// ParenExpr is ( X ).
type ParenExpr struct {
	Lparen source.Pos
	X      Expr
	Rparen source.Pos
}

// UnaryExpr is `not X`, `!X` or `-X`; Op is "not", "!" or "-".
type UnaryExpr struct {
	OpPos source.Pos
	Op    string
	X     Expr
}

// BinaryExpr is a logical or arithmetic operation: and, or, +, -, *, /. Op
// is spelled in lower case ("and", "or").
type BinaryExpr struct {
	X     Expr
	OpPos source.Pos
	Op    string
	Y     Expr
}

// Comparison is X op Y with op one of = != < <= > >=, optionally followed by
// nocase.
type Comparison struct {
	X      Expr
	OpPos  source.Pos
	Op     string
	Y      Expr
	Nocase source.Pos // NoPos when not written
	EndPos source.Pos
}

// InExpr is `X in %list`, `X in regex %list` or `X in cidr %list`,
// optionally followed by nocase. Mode is "", "regex" or "cidr".
type InExpr struct {
	X      Expr
	InPos  source.Pos
	Mode   string
	List   Expr
	Nocase source.Pos
	EndPos source.Pos
}

// QuantExpr is `any X` or `all X` over a repeated field.
type QuantExpr struct {
	QuantPos source.Pos
	Quant    string // "any" or "all"
	X        Expr
}

// BadExpr stands for an expression that could not be read.
type BadExpr struct {
	From, To source.Pos
}

// Pos and End of every expression.

func (x *Ident) Pos() source.Pos      { return x.NamePos }
func (x *BasicLit) Pos() source.Pos   { return x.ValuePos }
func (x *RegexLit) Pos() source.Pos   { return x.ValuePos }
func (x *VarRef) Pos() source.Pos     { return x.Dollar }
func (x *CountRef) Pos() source.Pos   { return x.Hash }
func (x *RefListRef) Pos() source.Pos { return x.Percent }
func (x *FieldPath) Pos() source.Pos  { return x.Var.Pos() }
func (x *Call) Pos() source.Pos       { return x.FuncPos }
func (x *ParenExpr) Pos() source.Pos  { return x.Lparen }
func (x *UnaryExpr) Pos() source.Pos  { return x.OpPos }
func (x *BinaryExpr) Pos() source.Pos { return x.X.Pos() }
func (x *Comparison) Pos() source.Pos { return x.X.Pos() }
func (x *InExpr) Pos() source.Pos     { return x.X.Pos() }
func (x *QuantExpr) Pos() source.Pos  { return x.QuantPos }
func (x *BadExpr) Pos() source.Pos    { return x.From }

func (x *Ident) End() source.Pos      { return x.NamePos + source.Pos(len(x.Name)) }
func (x *BasicLit) End() source.Pos   { return x.ValuePos + source.Pos(len(x.Value)) }
func (x *RegexLit) End() source.Pos   { return x.ValuePos + source.Pos(len(x.Value)) }
func (x *VarRef) End() source.Pos     { return x.Dollar + 1 + source.Pos(len(x.Name)) }
func (x *CountRef) End() source.Pos   { return x.Hash + 1 + source.Pos(len(x.Name)) }
func (x *RefListRef) End() source.Pos { return x.EndPos }
func (x *FieldPath) End() source.Pos {
	if len(x.Path) == 0 {
		return x.Var.End()
	}
	return x.Path[len(x.Path)-1].End
}
func (x *Call) End() source.Pos {
	if x.Nocase.IsValid() {
		return x.Nocase + source.Pos(len("nocase"))
	}
	return x.Rparen + 1
}
func (x *ParenExpr) End() source.Pos  { return x.Rparen + 1 }
func (x *UnaryExpr) End() source.Pos  { return x.X.End() }
func (x *BinaryExpr) End() source.Pos { return x.Y.End() }
func (x *Comparison) End() source.Pos { return x.EndPos }
func (x *InExpr) End() source.Pos     { return x.EndPos }
func (x *QuantExpr) End() source.Pos  { return x.X.End() }
func (x *BadExpr) End() source.Pos    { return x.To }

func (*Ident) exprNode()      {}
func (*BasicLit) exprNode()   {}
func (*RegexLit) exprNode()   {}
func (*VarRef) exprNode()     {}
func (*CountRef) exprNode()   {}
func (*RefListRef) exprNode() {}
func (*FieldPath) exprNode()  {}
func (*Call) exprNode()       {}
func (*ParenExpr) exprNode()  {}
func (*UnaryExpr) exprNode()  {}
func (*BinaryExpr) exprNode() {}
func (*Comparison) exprNode() {}
func (*InExpr) exprNode()     {}
func (*QuantExpr) exprNode()  {}
func (*BadExpr) exprNode()    {}

// ---- helpers on literals and paths ----

// Unquote returns the literal's value: a string without its quotes (with \\
// and \" decoded in double-quoted strings; other backslashes are kept as
// written), a number or duration as written.
func (x *BasicLit) Unquote() string {
	switch x.Kind {
	case LitString:
		return unquoteString(x.Value)
	case LitRawString:
		s := x.Value
		if len(s) >= 2 && s[len(s)-1] == '`' {
			return s[1 : len(s)-1]
		}
		return strings.TrimPrefix(s, "`")
	}
	return x.Value
}

func unquoteString(s string) string {
	if len(s) >= 2 && s[len(s)-1] == '"' && (len(s) < 3 || !escapedAt(s, len(s)-1)) {
		s = s[1 : len(s)-1]
	} else {
		s = strings.TrimPrefix(s, `"`)
	}
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && (s[i+1] == '\\' || s[i+1] == '"') {
			b.WriteByte(s[i+1])
			i++
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// escapedAt reports whether the byte at i is preceded by an odd number of
// backslashes.
func escapedAt(s string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

// Pattern returns the regular expression between the slashes, as written.
func (x *RegexLit) Pattern() string {
	s := strings.TrimPrefix(x.Value, "/")
	if strings.HasSuffix(s, "/") && !escapedAt(s, len(s)-1) {
		s = s[:len(s)-1]
	}
	return s
}

// Field returns the path without the event variable, as UDM names it:
// "principal.process.command_line", `target.labels["key"]`.
func (x *FieldPath) Field() string {
	var b strings.Builder
	for i, e := range x.Path {
		if e.Key != nil {
			b.WriteByte('[')
			b.WriteString(printExpr(e.Key))
			b.WriteByte(']')
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.Name)
	}
	return b.String()
}

// ValueText returns the text a literal stands for: the decoded string of a
// string literal, the pattern of a regex, a number as written, an
// identifier's name; the printed expression otherwise.
func ValueText(x Expr) string {
	switch x := x.(type) {
	case *BasicLit:
		return x.Unquote()
	case *RegexLit:
		return x.Pattern()
	case *Ident:
		return x.Name
	case nil:
		return ""
	}
	return printExpr(x)
}
