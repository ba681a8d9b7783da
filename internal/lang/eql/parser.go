package eql

import (
	"fmt"

	"github.com/detwiki/detwiki/internal/source"
)

// MaxDepth bounds the nesting of expressions (parentheses, not, unary
// operators, function calls); deeper input is an error, never a stack
// overflow.
const MaxDepth = 200

// maxErrors stops a parse after this many errors.
const maxErrors = 20

type bailout struct{}

type parser struct {
	src    string
	items  []item
	i      int
	tok    item
	errors ErrorList
	depth  int
	// reports counts every error reported, duplicates included: a parser
	// that keeps reporting without making progress bails out.
	reports int
}

// Parse parses one EQL statement. It always returns a tree (partial, with Bad
// nodes, when there are errors) and the errors in source order.
func Parse(src string) (q *Query, errs ErrorList) {
	p := &parser{src: src}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
		}
		if q == nil {
			q = &Query{Body: &BadBody{From: 0, To: source.Pos(len(src))}}
		}
		p.errors.Sort()
		errs = p.errors
	}()
	p.init()
	q = &Query{}
	q.Body = p.parseBody()
	for p.tok.tok == PIPE {
		q.Pipes = append(q.Pipes, p.parsePipe())
	}
	if p.tok.tok != EOF {
		p.errorExpected("| or the end of the query")
	}
	return q, nil
}

// ParseExpr parses a single EQL condition.
func ParseExpr(src string) (x Expr, errs ErrorList) {
	p := &parser{src: src}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
		}
		if x == nil {
			x = &BadExpr{From: 0, To: source.Pos(len(src))}
		}
		p.errors.Sort()
		errs = p.errors
	}()
	p.init()
	x = p.parseExpr()
	if p.tok.tok != EOF {
		p.errorExpected("the end of the expression")
	}
	return x, nil
}

func (p *parser) init() {
	p.items = scanAll(p.src, func(pos, end source.Pos, code, msg string) {
		p.errorAt(pos, end, code, msg)
	})
	p.i = 0
	p.tok = p.items[0]
}

func (p *parser) next() {
	if p.i < len(p.items)-1 {
		p.i++
	}
	p.tok = p.items[p.i]
}

func (p *parser) peek(n int) Token {
	if p.i+n < len(p.items) {
		return p.items[p.i+n].tok
	}
	return EOF
}

func (p *parser) errorAt(pos, end source.Pos, code, msg string) {
	p.reports++
	if p.reports > 10*maxErrors {
		panic(bailout{})
	}
	if n := len(p.errors); n > 0 && p.errors[n-1].Pos == pos && p.errors[n-1].Code == code {
		return // one error per position
	}
	p.errors = append(p.errors, &Error{Pos: pos, End: end, Code: code, Msg: msg})
	if len(p.errors) >= maxErrors {
		panic(bailout{})
	}
}

func (p *parser) describe(it item) string {
	switch it.tok {
	case EOF:
		return "the end of the query"
	case IDENT, INT, FLOAT, STRING, ESCIDENT, ILLEGAL:
		lit := it.lit
		if len(lit) > 40 {
			lit = lit[:40] + "..."
		}
		return fmt.Sprintf("%s %s", it.tok, lit)
	}
	return fmt.Sprintf("%q", it.tok.String())
}

func (p *parser) errorExpected(what string) {
	p.errorAt(p.tok.pos, p.tok.end, CodeSyntax, fmt.Sprintf("expected %s, found %s", what, p.describe(p.tok)))
}

func (p *parser) expect(tok Token) source.Pos {
	pos := p.tok.pos
	if p.tok.tok != tok {
		p.errorExpected(fmt.Sprintf("%q", tok.String()))
		return pos
	}
	p.next()
	return pos
}

func (p *parser) enter() {
	p.depth++
	if p.depth > MaxDepth {
		p.errorAt(p.tok.pos, p.tok.end, CodeDepth, fmt.Sprintf("expression nested deeper than %d levels", MaxDepth))
		panic(bailout{})
	}
}

func (p *parser) leave() { p.depth-- }

// ---- statement

func (p *parser) parseBody() Body {
	switch p.tok.tok {
	case SEQUENCE:
		return p.parseSequence()
	case SAMPLE:
		return p.parseSample()
	case JOIN:
		return p.parseJoin()
	case ANY, IDENT, ESCIDENT, STRING:
		return p.parseEventQuery()
	}
	from := p.tok.pos
	p.errorExpected("an event category, any, sequence or sample")
	for p.tok.tok != EOF && p.tok.tok != PIPE {
		p.next()
	}
	return &BadBody{From: from, To: p.tok.pos}
}

func (p *parser) parseEventQuery() *EventQuery {
	e := &EventQuery{CategoryPos: p.tok.pos, CategoryRaw: p.tok.lit}
	switch p.tok.tok {
	case ANY:
		e.Any = true
	case IDENT:
		e.Category = p.tok.lit
	case ESCIDENT, STRING:
		e.Category = p.tok.val
	default:
		p.errorExpected("an event category or any")
		e.CategoryRaw = ""
		e.Where = p.tok.pos
		e.Cond = p.parseBadUntil()
		return e
	}
	p.next()
	e.Where = p.tok.pos
	if p.tok.tok != WHERE {
		p.errorExpected(`"where"`)
		if !p.startsExpr() {
			e.Cond = &BadExpr{From: p.tok.pos, To: p.tok.pos}
			return e
		}
	} else {
		p.next()
	}
	e.Cond = p.parseExpr()
	return e
}

// startsExpr reports whether the current token can start an expression.
func (p *parser) startsExpr() bool {
	switch p.tok.tok {
	case IDENT, ESCIDENT, STRING, INT, FLOAT, TRUE, FALSE, NULL, LPAREN, NOT, SUB, ADD, OPTIONAL:
		return true
	}
	return false
}

func (p *parser) parseJoinKeys() *JoinKeys {
	k := &JoinKeys{By: p.expect(BY)}
	for {
		k.Keys = append(k.Keys, p.parseExpr())
		if p.tok.tok != COMMA {
			return k
		}
		p.next()
	}
}

// parseParams parses `with name=value[, name=value]` (one `with` may set
// several values).
func (p *parser) parseParams() []*Param {
	var out []*Param
	with := p.expect(WITH)
	for {
		prm := &Param{With: with, NamePos: p.tok.pos}
		if p.tok.tok != IDENT {
			p.errorExpected("maxspan or runs")
			prm.ValueEnd = p.tok.pos
			return append(out, prm)
		}
		prm.Name = p.tok.lit
		p.next()
		if p.tok.tok == ASSIGN || p.tok.tok == EQ {
			p.next()
		} else {
			p.errorExpected(`"="`)
		}
		switch p.tok.tok {
		case INT, FLOAT:
			prm.Value = &BasicLit{ValuePos: p.tok.pos, Kind: p.tok.tok, Raw: p.tok.lit, Value: p.tok.lit}
			prm.ValueEnd = p.tok.end
			p.next()
			// A time unit written right after the number: 5m, 10s, 2h.
			if p.tok.tok == IDENT && p.tok.pos == prm.ValueEnd {
				prm.Unit = p.tok.lit
				prm.ValueEnd = p.tok.end
				p.next()
			}
		case TRUE, FALSE:
			prm.Value = &BasicLit{ValuePos: p.tok.pos, Kind: p.tok.tok, Raw: p.tok.lit, Value: p.tok.lit}
			prm.ValueEnd = p.tok.end
			p.next()
		default:
			p.errorExpected("a number")
			prm.ValueEnd = p.tok.pos
		}
		out = append(out, prm)
		if p.tok.tok != COMMA || p.peek(1) != IDENT || p.peek(2) != ASSIGN {
			return out
		}
		p.next()
	}
}

func (p *parser) parseStep() *Step {
	s := &Step{Lbrack: p.tok.pos}
	switch p.tok.tok {
	case MISSING:
		s.Missing = true
		p.next()
	case LBRACK:
		p.next()
	default:
		p.errorExpected(`"["`)
		s.EndPos = p.tok.pos
		s.Rbrack = p.tok.pos
		s.Filter = &EventQuery{CategoryPos: p.tok.pos, Where: p.tok.pos, Cond: &BadExpr{From: p.tok.pos, To: p.tok.pos}}
		p.next() // make progress
		return s
	}
	s.Filter = p.parseEventQuery()
	s.Rbrack = p.tok.pos
	if p.tok.tok != RBRACK {
		p.errorExpected(`"]"`)
		// Skip to the closing bracket of this step.
		for p.tok.tok != RBRACK && p.tok.tok != EOF && p.tok.tok != PIPE && p.tok.tok != LBRACK && p.tok.tok != MISSING {
			p.next()
		}
		s.Rbrack = p.tok.pos
		if p.tok.tok != RBRACK {
			s.EndPos = p.tok.pos
			return s
		}
	}
	p.next()
	s.EndPos = s.Rbrack + 1
	for {
		switch p.tok.tok {
		case BY:
			if s.By != nil {
				p.errorAt(p.tok.pos, p.tok.end, CodeSyntax, "step already has join keys")
			}
			s.By = p.parseJoinKeys()
			s.EndPos = s.By.End()
			continue
		case WITH:
			s.Params = append(s.Params, p.parseParams()...)
			s.EndPos = s.Params[len(s.Params)-1].End()
			continue
		case IDENT:
			if p.tok.lit == "fork" { // legacy: [ ... ] fork[=true]
				prm := &Param{With: p.tok.pos, NamePos: p.tok.pos, Name: "fork", ValueEnd: p.tok.end}
				p.next()
				if p.tok.tok == ASSIGN || p.tok.tok == EQ {
					p.next()
					if p.tok.tok == TRUE || p.tok.tok == FALSE {
						prm.Value = &BasicLit{ValuePos: p.tok.pos, Kind: p.tok.tok, Raw: p.tok.lit, Value: p.tok.lit}
						prm.ValueEnd = p.tok.end
						p.next()
					} else {
						p.errorExpected("true or false")
					}
				}
				s.Params = append(s.Params, prm)
				s.EndPos = prm.ValueEnd
				continue
			}
		}
		return s
	}
}

func (p *parser) parseSequence() *Sequence {
	s := &Sequence{Keyword: p.tok.pos}
	p.next()
	for p.tok.tok == BY || p.tok.tok == WITH {
		if p.tok.tok == BY {
			if s.By != nil || len(s.Params) > 0 {
				p.errorAt(p.tok.pos, p.tok.end, CodeSyntax, "sequence join keys must come first, before with maxspan")
			}
			s.By = p.parseJoinKeys()
		} else {
			s.Params = append(s.Params, p.parseParams()...)
		}
	}
	for p.tok.tok == LBRACK || p.tok.tok == MISSING {
		s.Steps = append(s.Steps, p.parseStep())
	}
	if n := stepCount(s.Steps); n < 2 {
		p.errorAt(p.tok.pos, p.tok.end, CodeSyntax, fmt.Sprintf("a sequence needs at least two queries (a step with runs=N counts N), found %d", n))
	}
	if p.tok.tok == UNTIL {
		s.UntilAt = p.tok.pos
		p.next()
		s.Until = p.parseStep()
	}
	return s
}

// stepCount counts the events a sequence's steps match: a step with runs=N
// counts N times.
func stepCount(steps []*Step) int {
	n := 0
	for _, s := range steps {
		runs := 1
		if r := s.Runs(); r != "" {
			runs = 0
			for _, c := range r {
				if c < '0' || c > '9' || runs > 1000 {
					break
				}
				runs = runs*10 + int(c-'0')
			}
		}
		n += max(runs, 1)
	}
	return n
}

func (p *parser) parseSample() *Sample {
	s := &Sample{Keyword: p.tok.pos}
	p.next()
	if p.tok.tok == BY {
		s.By = p.parseJoinKeys()
	}
	for p.tok.tok == LBRACK {
		s.Steps = append(s.Steps, p.parseStep())
	}
	if len(s.Steps) < 2 {
		p.errorAt(p.tok.pos, p.tok.end, CodeSyntax, fmt.Sprintf("a sample needs at least two queries, found %d", len(s.Steps)))
	}
	return s
}

func (p *parser) parseJoin() *Join {
	j := &Join{Keyword: p.tok.pos}
	p.next()
	if p.tok.tok == BY {
		j.By = p.parseJoinKeys()
	}
	for p.tok.tok == LBRACK {
		j.Steps = append(j.Steps, p.parseStep())
	}
	if len(j.Steps) < 2 {
		p.errorAt(p.tok.pos, p.tok.end, CodeSyntax, fmt.Sprintf("a join needs at least two queries, found %d", len(j.Steps)))
	}
	if p.tok.tok == UNTIL {
		p.next()
		j.Until = p.parseStep()
	}
	return j
}

func (p *parser) parsePipe() *Pipe {
	pp := &Pipe{Bar: p.tok.pos}
	p.next()
	pp.NamePos = p.tok.pos
	if p.tok.tok != IDENT {
		p.errorExpected("a pipe name (head, tail, filter, unique, ...)")
		pp.EndPos = p.tok.pos
		for p.tok.tok != EOF && p.tok.tok != PIPE {
			p.next()
		}
		return pp
	}
	pp.Name = p.tok.lit
	pp.EndPos = p.tok.end
	p.next()
	if p.tok.tok == EOF || p.tok.tok == PIPE {
		return pp
	}
	for {
		x := p.parseExpr()
		pp.Args = append(pp.Args, x)
		pp.EndPos = x.End()
		if p.tok.tok != COMMA {
			return pp
		}
		p.next()
	}
}

// ---- expressions

func (p *parser) parseExpr() Expr { return p.parseOr() }

func (p *parser) parseOr() Expr {
	x := p.parseAnd()
	for p.tok.tok == OR {
		op := p.tok.pos
		p.next()
		y := p.parseAnd()
		x = &BinaryExpr{X: x, OpPos: op, Op: OR, Y: y}
	}
	return x
}

func (p *parser) parseAnd() Expr {
	x := p.parseNot()
	for p.tok.tok == AND {
		op := p.tok.pos
		p.next()
		y := p.parseNot()
		x = &BinaryExpr{X: x, OpPos: op, Op: AND, Y: y}
	}
	return x
}

func (p *parser) parseNot() Expr {
	if p.tok.tok == NOT {
		p.enter()
		defer p.leave()
		op := p.tok.pos
		p.next()
		return &UnaryExpr{OpPos: op, Op: NOT, X: p.parseNot()}
	}
	return p.parseComparison()
}

func (p *parser) parseComparison() Expr {
	x := p.parseArith(1)
	if p.tok.tok.IsComparison() {
		op, pos := p.tok.tok, p.tok.pos
		p.next()
		y := p.parseArith(1)
		x = &BinaryExpr{X: x, OpPos: pos, Op: op, Y: y}
		if p.tok.tok.IsComparison() {
			p.errorAt(p.tok.pos, p.tok.end, CodeSyntax, "comparisons cannot be chained; use and")
		}
	}
	return x
}

func arithPrec(t Token) int {
	switch t {
	case ADD, SUB:
		return 1
	case MUL, QUO, REM:
		return 2
	}
	return 0
}

func (p *parser) parseArith(min int) Expr {
	x := p.parseUnary()
	for {
		prec := arithPrec(p.tok.tok)
		if prec < min || prec == 0 {
			return x
		}
		op, pos := p.tok.tok, p.tok.pos
		p.next()
		y := p.parseArith(prec + 1)
		x = &BinaryExpr{X: x, OpPos: pos, Op: op, Y: y}
	}
}

func (p *parser) parseUnary() Expr {
	if p.tok.tok == SUB || p.tok.tok == ADD {
		p.enter()
		defer p.leave()
		op, pos := p.tok.tok, p.tok.pos
		p.next()
		return &UnaryExpr{OpPos: pos, Op: op, X: p.parseUnary()}
	}
	x := p.parsePrimary()
	return p.parsePredicate(x)
}

// parsePredicate parses the in / : / like / regex suffix of x, if any.
func (p *parser) parsePredicate(x Expr) Expr {
	switch {
	case p.tok.tok == NOT && (p.peek(1) == IN || p.peek(1) == INSENSITIVEIN):
		p.next()
		in := p.parseIn(x)
		in.Not = true
		return in
	case p.tok.tok == IN || p.tok.tok == INSENSITIVEIN:
		return p.parseIn(x)
	case p.tok.tok.IsPredicate():
		pe := &PredicateExpr{X: x, OpPos: p.tok.pos, Op: p.tok.tok, Lparen: source.NoPos, Rparen: source.NoPos}
		p.next()
		if p.tok.tok == LPAREN {
			pe.Lparen = p.tok.pos
			p.next()
			for {
				pe.Values = append(pe.Values, p.parseConstant())
				if p.tok.tok != COMMA {
					break
				}
				p.next()
				if p.tok.tok == RPAREN { // tolerate a trailing comma
					p.errorAt(p.tok.pos, p.tok.end, CodeSyntax, "trailing comma in list")
					break
				}
			}
			pe.Rparen = p.expectClosing(RPAREN, pe.Lparen)
			return pe
		}
		pe.Values = []Expr{p.parseConstant()}
		return pe
	}
	return x
}

func (p *parser) parseIn(x Expr) *InExpr {
	in := &InExpr{X: x, OpPos: p.tok.pos, Op: p.tok.tok}
	p.next()
	in.Lparen = p.tok.pos
	if p.tok.tok != LPAREN {
		p.errorExpected(`"("`)
		in.Rparen = p.tok.pos - 1
		return in
	}
	p.next()
	p.enter()
	defer p.leave()
	for {
		in.List = append(in.List, p.parseExpr())
		if p.tok.tok != COMMA {
			break
		}
		p.next()
		if p.tok.tok == RPAREN {
			p.errorAt(p.tok.pos, p.tok.end, CodeSyntax, "trailing comma in list")
			break
		}
	}
	in.Rparen = p.expectClosing(RPAREN, in.Lparen)
	return in
}

// expectClosing expects a closing token; on a mismatch it reports the
// opening position too and skips ahead to the closing token when it is
// near.
func (p *parser) expectClosing(tok Token, open source.Pos) source.Pos {
	if p.tok.tok == tok {
		pos := p.tok.pos
		p.next()
		return pos
	}
	p.errorAt(p.tok.pos, p.tok.end, CodeSyntax, fmt.Sprintf("expected %q to close %q, found %s", tok.String(), opening(tok), p.describe(p.tok)))
	// Skip to the closing token if it comes before anything that ends an
	// enclosing construct.
	for j := p.i; j < len(p.items); j++ {
		switch p.items[j].tok {
		case tok:
			for p.i < j {
				p.next()
			}
			pos := p.tok.pos
			p.next()
			return pos
		case RBRACK, PIPE, EOF, LBRACK:
			return p.tok.pos - 1
		}
	}
	return p.tok.pos - 1
}

func opening(t Token) string {
	switch t {
	case RPAREN:
		return "("
	case RBRACK:
		return "["
	}
	return "?"
}

// parseConstant parses the value of a : / like / regex predicate.
func (p *parser) parseConstant() Expr {
	switch p.tok.tok {
	case STRING, INT, FLOAT, TRUE, FALSE, NULL:
		return p.parseLiteral()
	case SUB:
		if p.peek(1) == INT || p.peek(1) == FLOAT {
			pos := p.tok.pos
			p.next()
			return &UnaryExpr{OpPos: pos, Op: SUB, X: p.parseLiteral()}
		}
	}
	p.errorExpected("a string or number constant")
	return p.bad()
}

func (p *parser) parseLiteral() *BasicLit {
	lit := &BasicLit{ValuePos: p.tok.pos, Kind: p.tok.tok, Raw: p.tok.lit, Value: p.tok.lit}
	if p.tok.tok == STRING {
		lit.Value = p.tok.val
	}
	p.next()
	return lit
}

// bad consumes the current token (unless it closes something) and returns a
// BadExpr for it.
func (p *parser) bad() Expr {
	from, to := p.tok.pos, p.tok.end
	switch p.tok.tok {
	case RPAREN, RBRACK, PIPE, EOF, COMMA, AND, OR, LBRACK, MISSING, BY, WITH, UNTIL:
		return &BadExpr{From: from, To: from}
	}
	p.next()
	return &BadExpr{From: from, To: to}
}

// parseBadUntil skips to the end of the current step or query.
func (p *parser) parseBadUntil() Expr {
	from := p.tok.pos
	for p.tok.tok != EOF && p.tok.tok != PIPE && p.tok.tok != RBRACK {
		p.next()
	}
	return &BadExpr{From: from, To: p.tok.pos}
}

func (p *parser) parsePrimary() Expr {
	switch p.tok.tok {
	case STRING, INT, FLOAT, TRUE, FALSE, NULL:
		return p.parseLiteral()
	case LPAREN:
		p.enter()
		defer p.leave()
		lp := p.tok.pos
		p.next()
		x := p.parseExpr()
		rp := p.expectClosing(RPAREN, lp)
		return &ParenExpr{Lparen: lp, X: x, Rparen: rp}
	case OPTIONAL:
		pos := p.tok.pos
		p.next()
		if p.tok.tok != IDENT && p.tok.tok != ESCIDENT {
			p.errorExpected("a field name after ?")
			return &BadExpr{From: pos, To: p.tok.pos}
		}
		f := p.parseField()
		f.Optional = true
		f.StartPos = pos
		return f
	case IDENT:
		if p.peek(1) == LPAREN {
			return p.parseCall()
		}
		if p.peek(1) == OF && (p.peek(2) == LBRACK) {
			pc := &ProcessCheck{RelPos: p.tok.pos, Relation: p.tok.lit}
			p.next()
			p.next()
			pc.Step = p.parseStep()
			return pc
		}
		return p.parseField()
	case ESCIDENT:
		return p.parseField()
	}
	p.errorExpected("an expression")
	return p.bad()
}

func (p *parser) parseField() *Field {
	f := &Field{StartPos: p.tok.pos}
	for {
		part := FieldPart{Pos: p.tok.pos}
		switch p.tok.tok {
		case IDENT:
			part.Name = p.tok.lit
		case ESCIDENT:
			part.Name = p.tok.val
			part.Escaped = true
		default:
			if p.tok.tok.IsKeyword() {
				// Keywords are allowed as later parts of a dotted name
				// (process.any, event.sequence).
				part.Name = p.tok.lit
				break
			}
			p.errorExpected("a field name")
			f.EndPos = p.tok.pos
			return f
		}
		f.EndPos = p.tok.end
		p.next()
		// Array index: field[0]
		for p.tok.tok == LBRACK && p.tok.pos == f.EndPos && p.peek(1) == INT && p.peek(2) == RBRACK {
			p.next()
			part.Index += p.tok.lit
			p.next()
			f.EndPos = p.tok.end
			p.next()
		}
		f.Parts = append(f.Parts, part)
		if p.tok.tok != DOT || p.tok.pos != f.EndPos {
			return f
		}
		p.next()
	}
}

func (p *parser) parseCall() Expr {
	c := &CallExpr{NamePos: p.tok.pos, Name: p.tok.lit}
	if n := len(c.Name); n > 0 && c.Name[n-1] == '~' {
		c.Name = c.Name[:n-1]
		c.Insensitive = true
	}
	p.next()
	c.Lparen = p.tok.pos
	p.next()
	p.enter()
	defer p.leave()
	if p.tok.tok != RPAREN {
		for {
			c.Args = append(c.Args, p.parseExpr())
			if p.tok.tok != COMMA {
				break
			}
			p.next()
		}
	}
	c.Rparen = p.expectClosing(RPAREN, c.Lparen)
	return c
}
