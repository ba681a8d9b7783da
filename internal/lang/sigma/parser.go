package sigma

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/detwiki/detwiki/internal/source"
)

// MaxDepth bounds the nesting of parentheses and "not" in a condition.
// Deeper conditions are rejected with an error instead of exhausting the
// stack; no real rule comes near it.
const MaxDepth = 100

// maxConditionErrors caps the errors reported for one condition.
const maxConditionErrors = 10

// ConditionError is a syntax error in a condition, at a byte offset of the
// condition text.
type ConditionError struct {
	Pos source.Pos
	End source.Pos
	Msg string
	// Related is a second place the error is about (the '(' a missing ')'
	// should close), the zero Span when none; Msg then ends with the words
	// it completes, and the diagnostic adds " at line:col" of the file.
	Related source.Span
}

// Error returns the offset and the message.
func (e *ConditionError) Error() string {
	if e.Related.End > e.Related.Start {
		return fmt.Sprintf("%d: %s at offset %d", e.Pos, e.Msg, e.Related.Start)
	}
	return fmt.Sprintf("%d: %s", e.Pos, e.Msg)
}

// Condition is one parsed condition of a detection.
type Condition struct {
	// Text is the condition as YAML decoded it; positions in Expr are byte
	// offsets into it.
	Text string
	// Expr is the boolean expression (never nil: a BadExpr when nothing
	// could be parsed).
	Expr Expr
	// Aggregation is the obsolete Sigma 1 pipe part, if any.
	Aggregation *Aggregation
	// Errors are the syntax errors, in order.
	Errors []*ConditionError

	// Where the condition text sits in its file (see Rule diagnostics).
	at scalarAt
}

// parser is a recursive-descent parser for conditions. Precedence, from
// loosest to tightest: or, and, not, "x of", parentheses.
type parser struct {
	sc    scanner
	tok   Token
	pos   source.Pos
	lit   string
	depth int
	errs  []*ConditionError
}

// bailout is the panic value that stops a parse early (too deep, too many
// errors); it is recovered in ParseCondition only.
type bailout struct{}

// ParseCondition parses a condition. It always returns a tree (with BadExpr
// nodes where the text could not be parsed) and every syntax error found.
// It never panics.
func ParseCondition(text string) (c *Condition) {
	c = &Condition{Text: text}
	p := &parser{sc: scanner{src: text}}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			if c.Expr == nil {
				c.Expr = &BadExpr{From: 0, To: source.Pos(len(text))}
			}
			c.Errors = p.errs
		}
	}()
	p.next()
	c.Expr = p.parseOr()
	if p.tok == PIPE {
		c.Aggregation = p.parseAggregation()
	}
	if p.tok != EOF {
		p.errorExpected("and, or or the end of the condition")
		// Keep what follows inside the tree as a bad expression so the
		// whole text is covered.
		c.Expr = &BinaryExpr{X: c.Expr, OpPos: p.pos, Op: AND, Y: &BadExpr{From: p.pos, To: source.Pos(len(text))}}
	}
	c.Errors = p.errs
	return c
}

func (p *parser) next() {
	p.tok, p.pos, p.lit = p.sc.next()
}

func (p *parser) error(pos, end source.Pos, msg string) {
	if n := len(p.errs); n > 0 && p.errs[n-1].Pos == pos {
		return // one error per position
	}
	p.errs = append(p.errs, &ConditionError{Pos: pos, End: end, Msg: msg})
	if len(p.errs) >= maxConditionErrors {
		panic(bailout{})
	}
}

// errorExpected reports that what was expected is not at the current token.
func (p *parser) errorExpected(what string) {
	found := "end of condition"
	switch {
	case p.tok == ILLEGAL:
		found = fmt.Sprintf("unexpected character %q", p.lit)
		p.error(p.pos, p.pos+source.Pos(len(p.lit)), found+"; expected "+what)
		return
	case p.tok != EOF:
		found = strconv.Quote(p.lit)
	}
	p.error(p.pos, p.pos+source.Pos(max(len(p.lit), 1)), "expected "+what+", found "+found)
}

func (p *parser) enter() {
	p.depth++
	if p.depth > MaxDepth {
		p.error(p.pos, p.pos+1, fmt.Sprintf("condition is nested more than %d levels deep", MaxDepth))
		panic(bailout{})
	}
}

func (p *parser) leave() { p.depth-- }

// parseOr parses: and-expr { "or" and-expr }.
func (p *parser) parseOr() Expr {
	x := p.parseAnd()
	for p.tok == OR {
		op := p.pos
		p.next()
		y := p.parseAnd()
		x = &BinaryExpr{X: x, OpPos: op, Op: OR, Y: y}
	}
	return x
}

// parseAnd parses: not-expr { "and" not-expr }.
func (p *parser) parseAnd() Expr {
	x := p.parseNot()
	for p.tok == AND {
		op := p.pos
		p.next()
		y := p.parseNot()
		x = &BinaryExpr{X: x, OpPos: op, Op: AND, Y: y}
	}
	return x
}

// parseNot parses: "not" not-expr | primary.
func (p *parser) parseNot() Expr {
	if p.tok != NOT {
		return p.parsePrimary()
	}
	p.enter()
	defer p.leave()
	pos := p.pos
	p.next()
	return &NotExpr{NotPos: pos, X: p.parseNot()}
}

// parsePrimary parses: "(" or-expr ")" | quantifier "of" (pattern | "them")
// | identifier.
func (p *parser) parsePrimary() Expr {
	switch p.tok {
	case LPAREN:
		p.enter()
		defer p.leave()
		lp := p.pos
		p.next()
		x := p.parseOr()
		rp := p.pos
		if p.tok == RPAREN {
			p.next()
		} else {
			n := len(p.errs)
			p.errorExpected(")")
			if len(p.errs) > n {
				e := p.errs[n]
				e.Msg += ", to close the ("
				e.Related = source.Span{Start: lp, End: lp + 1}
			}
			rp = source.Pos(len(p.sc.src))
			if rp <= lp {
				rp = lp + 1
			}
			rp-- // End() is Rparen+1
		}
		return &ParenExpr{Lparen: lp, X: x, Rparen: rp}
	case NUMBER, ALL, ANY:
		return p.parseOf()
	case IDENT:
		id := &Ident{NamePos: p.pos, Name: p.lit}
		p.next()
		if p.tok == OF {
			// "2of", "one of": a quantifier Sigma does not know.
			p.error(id.NamePos, id.End(), fmt.Sprintf("%q is not a quantifier; write 1 of, any of or all of", id.Name))
			p.next()
			if p.tok == IDENT || p.tok == THEM {
				p.next()
			}
			return &BadExpr{From: id.NamePos, To: p.pos}
		}
		return id
	}
	p.errorExpected("a search identifier, not, ( or a quantifier (1 of, all of)")
	bad := &BadExpr{From: p.pos, To: p.pos}
	if p.tok != EOF && p.tok != RPAREN && p.tok != PIPE {
		bad.To = p.pos + source.Pos(len(p.lit))
		p.next()
	}
	return bad
}

// parseOf parses a quantifier expression: ("1" | "all" | "any") "of"
// (pattern | "them").
func (p *parser) parseOf() Expr {
	x := &OfExpr{QuantPos: p.pos, Quant: strings.ToLower(p.lit)}
	switch p.tok {
	case ALL:
		x.All = true
	case ANY:
		x.Count = 1
	case NUMBER:
		n, err := strconv.Atoi(p.lit)
		if err != nil || n < 1 {
			p.error(p.pos, p.pos+source.Pos(len(p.lit)), fmt.Sprintf("quantifier %s must be 1 or more", p.lit))
			n = 1
		}
		x.Count = n
	}
	quantEnd := p.pos + source.Pos(len(p.lit))
	p.next()
	if p.tok != OF {
		p.errorExpected(`"of" after the quantifier ` + strconv.Quote(x.Quant))
		x.OfPos, x.EndPos = quantEnd, quantEnd
		return &BadExpr{From: x.QuantPos, To: quantEnd}
	}
	x.OfPos = p.pos
	p.next()
	switch p.tok {
	case THEM:
		x.Them = true
		x.PatternPos = p.pos
		x.EndPos = p.pos + source.Pos(len(p.lit))
		p.next()
	case IDENT:
		x.Pattern = p.lit
		x.PatternPos = p.pos
		x.EndPos = p.pos + source.Pos(len(p.lit))
		p.next()
	default:
		p.errorExpected("a search identifier pattern or them after of")
		return &BadExpr{From: x.QuantPos, To: x.OfPos + 2}
	}
	return x
}

// parseAggregation parses the obsolete pipe part of a Sigma 1 condition:
//
//	"|" "near" or-expr
//	"|" func "(" [field] ")" ["by" field {"," field}] [comparison number]
func (p *parser) parseAggregation() *Aggregation {
	a := &Aggregation{Pipe: p.pos, Op: ILLEGAL}
	p.next()
	a.FuncPos = p.pos
	if p.tok != IDENT {
		p.errorExpected("an aggregate function (count, min, max, avg, sum) or near after |")
		a.EndPos = p.pos
		p.skipToEnd()
		return a
	}
	a.Func = strings.ToLower(p.lit)
	p.next()
	if a.Func == "near" {
		a.Near = p.parseOr()
		a.EndPos = a.Near.End()
		return a
	}
	switch a.Func {
	case "count", "min", "max", "avg", "sum":
	default:
		p.error(a.FuncPos, a.FuncPos+source.Pos(len(a.Func)), fmt.Sprintf("unknown aggregate function %q (count, min, max, avg, sum or near)", a.Func))
	}
	if p.tok != LPAREN {
		p.errorExpected("( after " + a.Func)
		a.EndPos = p.pos
		p.skipToEnd()
		return a
	}
	p.next()
	if p.tok == IDENT {
		a.Field = p.lit
		p.next()
	}
	if p.tok != RPAREN {
		p.errorExpected(")")
		a.EndPos = p.pos
		p.skipToEnd()
		return a
	}
	a.EndPos = p.pos + 1
	p.next()
	if p.tok == IDENT && strings.EqualFold(p.lit, "by") {
		p.next()
		for {
			if p.tok != IDENT {
				p.errorExpected("a field after by")
				break
			}
			a.GroupBy = append(a.GroupBy, p.lit)
			a.EndPos = p.pos + source.Pos(len(p.lit))
			p.next()
			if p.tok != COMMA {
				break
			}
			p.next()
		}
	}
	if p.tok.IsComparison() {
		a.Op = p.tok
		p.next()
		if p.tok != NUMBER {
			p.errorExpected("a number after " + a.Op.String())
			p.skipToEnd()
			return a
		}
		a.Value = p.lit
		a.EndPos = p.pos + source.Pos(len(p.lit))
		p.next()
	}
	return a
}

func (p *parser) skipToEnd() {
	for p.tok != EOF {
		p.next()
	}
}
