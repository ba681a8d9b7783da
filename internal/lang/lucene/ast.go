package lucene

import "github.com/detwiki/detwiki/internal/source"

// Node is any node of the syntax tree.
type Node interface {
	Pos() source.Pos // first byte of the node
	End() source.Pos // first byte after the node
}

// Conj is the conjunction written before a clause.
type Conj int

// The conjunctions.
const (
	ConjNone Conj = iota
	ConjAnd       // AND, &&
	ConjOr        // OR, ||
)

// Modifier is the prefix of a clause.
type Modifier int

// The modifiers.
const (
	ModNone     Modifier = iota
	ModRequired          // +
	ModProhibit          // -
	ModNot               // NOT, !
)

// Query is a sequence of clauses, as the classic query parser reads it
// (clauses without a conjunction are combined with the default operator,
// OR).
type Query struct {
	Clauses []*Clause
	// StartPos is where the query starts (for an empty query or group,
	// where it would start).
	StartPos source.Pos
}

// Pos implements Node.
func (q *Query) Pos() source.Pos {
	if len(q.Clauses) == 0 {
		return q.StartPos
	}
	return q.Clauses[0].Pos()
}

// End implements Node.
func (q *Query) End() source.Pos {
	if len(q.Clauses) == 0 {
		return q.StartPos
	}
	return q.Clauses[len(q.Clauses)-1].End()
}

// Clause is one [conj] [modifier] [field:] query [^boost].
type Clause struct {
	ConjPos  source.Pos
	ConjText string // as written: AND, OR, &&, ||
	Conj     Conj
	ModPos   source.Pos
	ModText  string // as written: +, -, NOT, !
	Mod      Modifier
	Field    string // decoded field name, "" for the default field
	FieldPos source.Pos
	Sub      Node // *Term, *Phrase, *Regexp, *Range, *Group or *Bad
	Boost    string
	EndPos   source.Pos
}

// Pos implements Node.
func (c *Clause) Pos() source.Pos {
	switch {
	case c.ConjText != "":
		return c.ConjPos
	case c.ModText != "":
		return c.ModPos
	case c.Field != "":
		return c.FieldPos
	}
	return c.Sub.Pos()
}

// End implements Node.
func (c *Clause) End() source.Pos { return c.EndPos }

// Negated reports whether the clause excludes what it matches (-, NOT, !).
func (c *Clause) Negated() bool { return c.Mod == ModProhibit || c.Mod == ModNot }

// Term is a single term; Wildcard is set when it holds an unescaped * or ?.
type Term struct {
	ValuePos source.Pos
	Raw      string
	Value    string // unescaped, wildcards kept
	Wildcard bool
	Fuzzy    string // ~ or ~N after the term ("~" alone when no number)
	EndPos   source.Pos
}

// Phrase is a quoted phrase with an optional ~slop.
type Phrase struct {
	ValuePos source.Pos
	Raw      string
	Value    string
	Slop     string
	EndPos   source.Pos
}

// Regexp is /pattern/.
type Regexp struct {
	ValuePos source.Pos
	Raw      string
	Value    string // the pattern, with \/ unescaped
}

// Range is [lower TO upper], {lower TO upper} (or mixed), or a one-sided
// comparison >=x, >x, <=x, <x.
type Range struct {
	StartPos     source.Pos
	Op           string // "", or >= > <= < for one-sided ranges
	IncludeLower bool
	Lower        string // "*" for unbounded
	Upper        string
	IncludeUpper bool
	EndPos       source.Pos
}

// Group is a parenthesized query.
type Group struct {
	Lparen source.Pos
	Query  *Query
	Rparen source.Pos
}

// Bad stands for text that could not be parsed.
type Bad struct {
	From, To source.Pos
}

// Pos implements Node.
func (x *Term) Pos() source.Pos { return x.ValuePos }

// End implements Node.
func (x *Term) End() source.Pos { return x.EndPos }

// Pos implements Node.
func (x *Phrase) Pos() source.Pos { return x.ValuePos }

// End implements Node.
func (x *Phrase) End() source.Pos { return x.EndPos }

// Pos implements Node.
func (x *Regexp) Pos() source.Pos { return x.ValuePos }

// End implements Node.
func (x *Regexp) End() source.Pos { return x.ValuePos + source.Pos(len(x.Raw)) }

// Pos implements Node.
func (x *Range) Pos() source.Pos { return x.StartPos }

// End implements Node.
func (x *Range) End() source.Pos { return x.EndPos }

// Pos implements Node.
func (x *Group) Pos() source.Pos { return x.Lparen }

// End implements Node.
func (x *Group) End() source.Pos { return x.Rparen + 1 }

// Pos implements Node.
func (x *Bad) Pos() source.Pos { return x.From }

// End implements Node.
func (x *Bad) End() source.Pos { return x.To }
