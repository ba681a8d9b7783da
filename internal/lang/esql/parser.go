package esql

import (
	"fmt"
	"strings"

	"github.com/detwiki/detwiki/internal/source"
)

// MaxDepth bounds the nesting of expressions and FORK branches; deeper input
// is an error, never a stack overflow.
const MaxDepth = 200

const maxErrors = 20

type bailout struct{}

type parser struct {
	src     string
	sc      scanner
	tok     item
	prevEnd source.Pos // end of the last consumed token
	errors  ErrorList
	depth   int
	// reports counts every error reported, duplicates included: a parser
	// that keeps reporting without making progress bails out.
	reports int
}

// Parse parses an ES|QL query. It always returns a tree (partial, with Bad
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
			q = &Query{}
		}
		p.errors.Sort()
		errs = p.errors
	}()
	p.sc = scanner{src: src, err: func(pos, end source.Pos, code, msg string) { p.errorAt(pos, end, code, msg) }}
	p.next()
	q = &Query{}
	p.parsePipeline(q, false)
	return q, nil
}

// ParseExpr parses a single ES|QL boolean expression (a WHERE condition).
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
	p.sc = scanner{src: src, err: func(pos, end source.Pos, code, msg string) { p.errorAt(pos, end, code, msg) }}
	p.next()
	x = p.parseBool()
	if p.tok.tok != EOF {
		p.errorExpected("the end of the expression")
	}
	return x, nil
}

func (p *parser) nextMode(m mode) {
	p.prevEnd = p.tok.end
	p.tok = p.sc.scan(m)
	p.sc.prev = p.tok.tok
}

func (p *parser) next() { p.nextMode(modeExpr) }

// peek returns the token after the current one (expression mode) without
// consuming anything.
func (p *parser) peek() item {
	off, prev := p.sc.off, p.sc.prev
	errf := p.sc.err
	p.sc.err = ignoreError
	it := p.sc.scan(modeExpr)
	p.sc.off, p.sc.prev, p.sc.err = off, prev, errf
	return it
}

// ignoreError drops the errors of a look-ahead scan: the token is scanned
// again, and reported, when the parser reaches it.
func ignoreError(source.Pos, source.Pos, string, string) {}

func (p *parser) errorAt(pos, end source.Pos, code, msg string) {
	p.reports++
	if p.reports > 10*maxErrors {
		panic(bailout{})
	}
	if n := len(p.errors); n > 0 && p.errors[n-1].Pos == pos {
		return
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
	case IDENT, INT, DECIMAL, STRING, QIDENT, ILLEGAL, PARAM, SOURCE, PATTERN:
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

func (p *parser) enter() {
	p.depth++
	if p.depth > MaxDepth {
		p.errorAt(p.tok.pos, p.tok.end, CodeDepth, fmt.Sprintf("query nested deeper than %d levels", MaxDepth))
		panic(bailout{})
	}
}

func (p *parser) leave() { p.depth-- }

// isWord reports whether the current token is the (contextual) keyword w.
func (p *parser) isWord(w string) bool {
	return (p.tok.tok == IDENT || p.tok.tok == PATTERN || p.tok.tok == SOURCE) && strings.EqualFold(p.tok.lit, w)
}

// ---- pipeline

// parsePipeline parses commands separated by pipes into q, up to the end of
// the query (or the closing parenthesis of a FORK branch).
func (p *parser) parsePipeline(q *Query, inFork bool) {
	first := !inFork
	for {
		if p.tok.tok == EOF || inFork && p.tok.tok == RPAREN {
			if len(q.Commands) == 0 || p.tok.tok == EOF && p.prevWasPipe(q) {
				p.errorExpected("a command")
			}
			return
		}
		cmd := p.parseCommand(first)
		first = false
		q.Commands = append(q.Commands, cmd)
		switch {
		case p.tok.tok == PIPE:
			p.next()
			continue
		case p.tok.tok == EOF, inFork && p.tok.tok == RPAREN:
			return
		}
		p.errorExpected(`"|" or the end of the query`)
		p.skipToPipe(inFork)
		if p.tok.tok == PIPE {
			p.next()
		}
	}
}

func (p *parser) prevWasPipe(q *Query) bool {
	return len(q.Commands) > 0 && p.prevEnd > q.Commands[len(q.Commands)-1].End()
}

// skipToPipe skips tokens to the next pipe that is not inside parentheses
// (or to the end, or the closing parenthesis of a FORK branch).
func (p *parser) skipToPipe(inFork bool) {
	depth := 0
	for p.tok.tok != EOF {
		switch p.tok.tok {
		case LPAREN, LBRACK, LBRACE:
			depth++
		case RPAREN, RBRACK, RBRACE:
			if depth == 0 && inFork && p.tok.tok == RPAREN {
				return
			}
			depth--
		case PIPE:
			if depth <= 0 {
				return
			}
		}
		p.next()
	}
}

var sourceCommands = map[string]bool{"FROM": true, "TS": true, "ROW": true, "SHOW": true, "METRICS": true}

func (p *parser) parseCommand(first bool) Command {
	if p.tok.tok != IDENT {
		p.errorExpected("a command")
		b := &BadCommand{CommandBase{KeywordPos: p.tok.pos, Keyword: p.tok.lit}}
		p.skipToPipe(false)
		b.EndPos = max(p.prevEnd, b.KeywordPos)
		return b
	}
	base := CommandBase{KeywordPos: p.tok.pos, Keyword: p.tok.lit}
	word := strings.ToUpper(p.tok.lit)
	if first != sourceCommands[word] {
		if first {
			p.errorAt(p.tok.pos, p.tok.end, CodeSyntax, fmt.Sprintf("a query must start with a source command (FROM, TS, ROW, SHOW), found %s", p.tok.lit))
		} else {
			p.errorAt(p.tok.pos, p.tok.end, CodeSyntax, fmt.Sprintf("%s is a source command; it can only start a query", p.tok.lit))
		}
	}
	// Two-word commands.
	switch word {
	case "INLINE", "LOOKUP", "LEFT", "RIGHT":
		second := p.peek()
		want := "JOIN"
		if word == "INLINE" {
			want = "STATS"
		}
		if second.tok == IDENT && strings.EqualFold(second.lit, want) {
			p.next()
			base.Keyword = p.src[base.KeywordPos:p.tok.end]
			word += " " + want
		}
	}
	var cmd Command
	switch word {
	case "FROM", "TS", "METRICS":
		cmd = p.parseFrom(base)
	case "ROW":
		p.next()
		c := &RowCommand{CommandBase: base}
		c.Fields = p.parseFields(false)
		cmd = c
	case "SHOW":
		p.next()
		c := &ShowCommand{CommandBase: base}
		if p.tok.tok == IDENT {
			c.What = p.tok.lit
			p.next()
		} else {
			p.errorExpected("INFO")
		}
		cmd = c
	case "WHERE":
		p.next()
		cmd = &WhereCommand{CommandBase: base, Cond: p.parseBool()}
	case "EVAL":
		p.next()
		c := &EvalCommand{CommandBase: base}
		c.Fields = p.parseFields(false)
		cmd = c
	case "STATS", "INLINESTATS", "INLINE STATS":
		cmd = p.parseStats(base, word != "STATS")
	case "KEEP", "DROP":
		p.nextMode(modePattern)
		pats := p.parsePatterns()
		if word == "KEEP" {
			cmd = &KeepCommand{CommandBase: base, Patterns: pats}
		} else {
			cmd = &DropCommand{CommandBase: base, Patterns: pats}
		}
	case "RENAME":
		cmd = p.parseRename(base)
	case "DISSECT":
		cmd = p.parseDissect(base)
	case "GROK":
		p.next()
		c := &GrokCommand{CommandBase: base, Input: p.parsePostfix()}
		for {
			if p.tok.tok != STRING {
				p.errorExpected("a grok pattern string")
				break
			}
			c.Patterns = append(c.Patterns, p.parseLiteral())
			if p.tok.tok != COMMA {
				break
			}
			p.next()
		}
		cmd = c
	case "MV_EXPAND":
		p.next()
		c := &MvExpandCommand{CommandBase: base}
		c.Field = p.parseFieldRefOnly()
		cmd = c
	case "SORT":
		cmd = p.parseSort(base)
	case "LIMIT":
		p.next()
		cmd = &LimitCommand{CommandBase: base, Count: p.parseBool()}
	case "SAMPLE":
		p.next()
		cmd = &SampleCommand{CommandBase: base, Probability: p.parseBool()}
	case "ENRICH":
		cmd = p.parseEnrich(base)
	case "LOOKUP JOIN", "LEFT JOIN", "RIGHT JOIN":
		cmd = p.parseJoin(base, strings.ToLower(strings.Fields(word)[0]))
	case "CHANGE_POINT":
		cmd = p.parseChangePoint(base)
	case "COMPLETION":
		cmd = p.parseCompletion(base)
	case "FORK":
		cmd = p.parseFork(base)
	default:
		p.errorAt(p.tok.pos, p.tok.end, CodeSyntax, fmt.Sprintf("unknown command %s", p.tok.lit))
		b := &BadCommand{CommandBase: base}
		p.skipToPipe(false)
		b.EndPos = max(p.prevEnd, b.KeywordPos)
		return b
	}
	setEnd(cmd, p.prevEnd)
	return cmd
}

func setEnd(c Command, end source.Pos) {
	if b := c.base(); end > b.KeywordPos {
		b.EndPos = end
	}
}

func (p *parser) parseFrom(base CommandBase) *FromCommand {
	c := &FromCommand{CommandBase: base}
	p.nextMode(modeSource)
	for {
		if p.tok.tok != SOURCE {
			p.errorExpected("an index pattern")
			break
		}
		c.Sources = append(c.Sources, &IndexPattern{ValuePos: p.tok.pos, Raw: p.tok.lit, Name: p.tok.val})
		p.nextMode(modeSource)
		if p.tok.tok != COMMA {
			break
		}
		p.nextMode(modeSource)
	}
	bracket := false
	if p.tok.tok == LBRACK { // legacy [METADATA _id]
		bracket = true
		p.nextMode(modeSource)
	}
	if p.isWord("METADATA") {
		p.nextMode(modeSource)
		for {
			if p.tok.tok != SOURCE {
				p.errorExpected("a metadata field")
				break
			}
			c.Metadata = append(c.Metadata, &IndexPattern{ValuePos: p.tok.pos, Raw: p.tok.lit, Name: p.tok.val})
			p.nextMode(modeSource)
			if p.tok.tok != COMMA {
				break
			}
			p.nextMode(modeSource)
		}
	} else if bracket {
		p.errorExpected("METADATA")
	}
	if bracket {
		if p.tok.tok == RBRACK {
			p.next()
		} else {
			p.errorExpected(`"]"`)
		}
	}
	return c
}

// parseFields parses `[name =] expr [WHERE filter], ...`.
func (p *parser) parseFields(aggFilter bool) []*Field {
	var out []*Field
	for {
		f := &Field{}
		x := p.parseBool()
		if ref, ok := x.(*FieldRef); ok && p.tok.tok == ASSIGN {
			p.next()
			f.Name = ref
			x = p.parseBool()
		}
		f.Expr = x
		if aggFilter && p.isWord("WHERE") {
			p.next()
			f.Filter = p.parseBool()
		}
		out = append(out, f)
		if p.tok.tok != COMMA {
			return out
		}
		p.next()
	}
}

func (p *parser) parseStats(base CommandBase, inline bool) *StatsCommand {
	c := &StatsCommand{CommandBase: base, Inline: inline, ByPos: source.NoPos}
	p.next()
	if !p.isWord("BY") && p.tok.tok != PIPE && p.tok.tok != EOF {
		c.Aggs = p.parseFields(true)
	}
	if p.isWord("BY") {
		c.ByPos = p.tok.pos
		p.next()
		c.By = p.parseFields(false)
	}
	return c
}

func (p *parser) parsePatterns() []*NamePattern {
	var out []*NamePattern
	for {
		if p.tok.tok != PATTERN {
			p.errorExpected("a field name or pattern")
			return out
		}
		out = append(out, &NamePattern{ValuePos: p.tok.pos, Raw: p.tok.lit, Name: p.tok.val})
		p.nextMode(modePattern)
		if p.tok.tok != COMMA {
			return out
		}
		p.nextMode(modePattern)
	}
}

func (p *parser) pattern() *NamePattern {
	if p.tok.tok != PATTERN {
		p.errorExpected("a field name or pattern")
		return &NamePattern{ValuePos: p.tok.pos}
	}
	n := &NamePattern{ValuePos: p.tok.pos, Raw: p.tok.lit, Name: p.tok.val}
	p.nextMode(modePattern)
	return n
}

func (p *parser) parseRename(base CommandBase) *RenameCommand {
	c := &RenameCommand{CommandBase: base}
	p.nextMode(modePattern)
	for {
		first := p.pattern()
		cl := &RenameClause{}
		switch {
		case p.isWord("AS"):
			p.nextMode(modePattern)
			cl.Old, cl.New = first, p.pattern()
		case p.tok.tok == ASSIGN:
			p.nextMode(modePattern)
			cl.New, cl.Old, cl.Assign = first, p.pattern(), true
		default:
			p.errorExpected("AS or =")
			cl.Old, cl.New = first, first
		}
		c.Clauses = append(c.Clauses, cl)
		if p.tok.tok != COMMA {
			return c
		}
		p.nextMode(modePattern)
	}
}

func (p *parser) parseDissect(base CommandBase) *DissectCommand {
	p.next()
	c := &DissectCommand{CommandBase: base, Input: p.parsePostfix()}
	if p.tok.tok != STRING {
		p.errorExpected("a dissect pattern string")
		return c
	}
	c.Pattern = p.parseLiteral()
	for p.tok.tok == IDENT && p.peek().tok == ASSIGN {
		o := &Option{Name: p.tok.lit}
		p.next()
		p.next()
		o.Value = p.parsePrimary()
		c.Options = append(c.Options, o)
		if p.tok.tok != COMMA {
			break
		}
		p.next()
	}
	return c
}

func (p *parser) parseSort(base CommandBase) *SortCommand {
	c := &SortCommand{CommandBase: base}
	p.next()
	for {
		o := &Order{X: p.parseBool()}
		if p.isWord("ASC") || p.isWord("DESC") {
			o.Dir = strings.ToUpper(p.tok.lit)
			p.next()
		}
		if p.isWord("NULLS") {
			p.next()
			if p.isWord("FIRST") || p.isWord("LAST") {
				o.Nulls = strings.ToUpper(p.tok.lit)
				p.next()
			} else {
				p.errorExpected("FIRST or LAST")
			}
		}
		c.Orders = append(c.Orders, o)
		if p.tok.tok != COMMA {
			return c
		}
		p.next()
	}
}

func (p *parser) parseEnrich(base CommandBase) *EnrichCommand {
	c := &EnrichCommand{CommandBase: base}
	p.nextMode(modeSource)
	if p.tok.tok != SOURCE {
		p.errorExpected("an enrich policy name")
		return c
	}
	c.Policy = &IndexPattern{ValuePos: p.tok.pos, Raw: p.tok.lit, Name: p.tok.val}
	p.nextMode(modePattern)
	if p.isWord("ON") {
		p.nextMode(modePattern)
		c.On = p.pattern()
	}
	if p.isWord("WITH") {
		p.nextMode(modePattern)
		for {
			cl := &EnrichClause{}
			first := p.pattern()
			if p.tok.tok == ASSIGN {
				p.nextMode(modePattern)
				cl.New, cl.Field = first, p.pattern()
			} else {
				cl.Field = first
			}
			c.With = append(c.With, cl)
			if p.tok.tok != COMMA {
				break
			}
			p.nextMode(modePattern)
		}
	}
	return c
}

func (p *parser) parseJoin(base CommandBase, kind string) *JoinCommand {
	c := &JoinCommand{CommandBase: base, Kind: kind}
	p.nextMode(modeSource)
	if p.tok.tok != SOURCE {
		p.errorExpected("the index to join")
		return c
	}
	c.Target = &IndexPattern{ValuePos: p.tok.pos, Raw: p.tok.lit, Name: p.tok.val}
	p.next()
	if p.isWord("AS") {
		p.next()
		c.Alias = p.parseFieldRefOnly()
	}
	if !p.isWord("ON") {
		p.errorExpected("ON")
		return c
	}
	p.next()
	for {
		c.On = append(c.On, p.parseBool())
		if p.tok.tok != COMMA {
			return c
		}
		p.next()
	}
}

func (p *parser) parseChangePoint(base CommandBase) *ChangePointCommand {
	c := &ChangePointCommand{CommandBase: base}
	p.next()
	c.Value = p.parseFieldRefOnly()
	if p.isWord("ON") {
		p.next()
		c.Key = p.parseFieldRefOnly()
	}
	if p.isWord("AS") {
		p.next()
		for {
			c.As = append(c.As, p.parseFieldRefOnly())
			if p.tok.tok != COMMA {
				break
			}
			p.next()
		}
	}
	return c
}

func (p *parser) parseCompletion(base CommandBase) *CompletionCommand {
	c := &CompletionCommand{CommandBase: base}
	p.next()
	x := p.parsePrimaryExpr()
	if ref, ok := x.(*FieldRef); ok && p.tok.tok == ASSIGN {
		p.next()
		c.Target = ref
		x = p.parsePrimaryExpr()
	}
	c.Prompt = x
	if p.isWord("WITH") {
		p.next()
		c.Options = p.parsePrimaryExpr()
	} else {
		p.errorExpected("WITH")
	}
	if p.isWord("AS") {
		p.next()
		c.As = p.parseFieldRefOnly()
	}
	return c
}

func (p *parser) parseFork(base CommandBase) *ForkCommand {
	c := &ForkCommand{CommandBase: base}
	p.next()
	p.enter()
	defer p.leave()
	for p.tok.tok == LPAREN {
		p.next()
		q := &Query{}
		p.parsePipeline(q, true)
		c.Branches = append(c.Branches, q)
		if p.tok.tok != RPAREN {
			p.errorExpected(`")"`)
			return c
		}
		p.next()
	}
	if len(c.Branches) < 2 {
		p.errorAt(p.tok.pos, p.tok.end, CodeSyntax, fmt.Sprintf("FORK needs at least two branches, found %d", len(c.Branches)))
	}
	return c
}

// ---- expressions

func (p *parser) parseBool() Expr { return p.parseOr() }

func (p *parser) parseOr() Expr {
	x := p.parseAnd()
	for p.tok.tok == OR {
		pos := p.tok.pos
		p.next()
		x = &BinaryExpr{X: x, OpPos: pos, Op: OR, Y: p.parseAnd()}
	}
	return x
}

func (p *parser) parseAnd() Expr {
	x := p.parseNot()
	for p.tok.tok == AND {
		pos := p.tok.pos
		p.next()
		x = &BinaryExpr{X: x, OpPos: pos, Op: AND, Y: p.parseNot()}
	}
	return x
}

func (p *parser) parseNot() Expr {
	if p.tok.tok == NOT {
		p.enter()
		defer p.leave()
		pos := p.tok.pos
		p.next()
		return &UnaryExpr{OpPos: pos, Op: NOT, X: p.parseNot()}
	}
	return p.parsePredicate()
}

func (p *parser) parsePredicate() Expr {
	x := p.parseArith(1)
	if p.tok.tok.IsComparison() {
		op, pos := p.tok.tok, p.tok.pos
		p.next()
		x = &BinaryExpr{X: x, OpPos: pos, Op: op, Y: p.parseArith(1)}
	}
	for {
		not := false
		notPos := p.tok.pos
		if p.tok.tok == NOT {
			switch p.peek().tok {
			case IN, LIKE, RLIKE:
				not = true
				p.next()
			default:
				return x
			}
		}
		switch p.tok.tok {
		case IN:
			in := &InExpr{X: x, Not: not, OpPos: notPos}
			p.next()
			if p.tok.tok != LPAREN {
				p.errorExpected(`"("`)
				in.Rparen = p.prevEnd - 1
				return in
			}
			p.next()
			p.enter()
			for {
				in.List = append(in.List, p.parseBool())
				if p.tok.tok != COMMA {
					break
				}
				p.next()
			}
			p.leave()
			in.Rparen = p.closeParen()
			x = in
		case LIKE, RLIKE:
			l := &LikeExpr{X: x, Not: not, OpPos: notPos, Op: p.tok.tok}
			p.next()
			if p.tok.tok == LPAREN {
				l.List = true
				p.next()
				for {
					l.Patterns = append(l.Patterns, p.parsePatternString())
					if p.tok.tok != COMMA {
						break
					}
					p.next()
				}
				p.closeParen()
			} else {
				l.Patterns = []Expr{p.parsePatternString()}
			}
			l.EndPos = p.prevEnd
			x = l
		case IS:
			n := &IsNullExpr{X: x}
			p.next()
			if p.tok.tok == NOT {
				n.Not = true
				p.next()
			}
			if p.tok.tok != NULL {
				p.errorExpected("NULL")
			} else {
				p.next()
			}
			n.EndPos = p.prevEnd
			x = n
		case COLON:
			m := &MatchExpr{X: x, Colon: p.tok.pos}
			p.next()
			m.Query = p.parsePostfix()
			x = m
		default:
			return x
		}
	}
}

func (p *parser) parsePatternString() Expr {
	switch p.tok.tok {
	case STRING, PARAM:
		return p.parseLiteral()
	}
	p.errorExpected("a pattern string")
	return p.bad()
}

func (p *parser) closeParen() source.Pos {
	if p.tok.tok == RPAREN {
		pos := p.tok.pos
		p.next()
		return pos
	}
	p.errorExpected(`")"`)
	return p.prevEnd - 1
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
		if prec == 0 || prec < min {
			return x
		}
		op, pos := p.tok.tok, p.tok.pos
		p.next()
		x = &BinaryExpr{X: x, OpPos: pos, Op: op, Y: p.parseArith(prec + 1)}
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
	return p.parsePostfix()
}

// parsePostfix parses a primary expression with its ::type casts.
func (p *parser) parsePostfix() Expr {
	x := p.parsePrimary()
	for p.tok.tok == CAST {
		p.next()
		c := &CastExpr{X: x}
		if p.tok.tok != IDENT {
			p.errorExpected("a type name")
			c.EndPos = p.prevEnd
			return c
		}
		c.Type = p.tok.lit
		c.EndPos = p.tok.end
		p.next()
		x = c
	}
	return x
}

// parsePrimaryExpr parses a primary expression or a map (COMPLETION).
func (p *parser) parsePrimaryExpr() Expr { return p.parsePostfix() }

func (p *parser) parseLiteral() *Literal {
	l := &Literal{ValuePos: p.tok.pos, Kind: p.tok.tok, Raw: p.tok.lit, Value: p.tok.lit}
	if p.tok.tok == STRING {
		l.Value = p.tok.val
	}
	p.next()
	return l
}

func (p *parser) bad() Expr {
	from, to := p.tok.pos, p.tok.end
	switch p.tok.tok {
	case RPAREN, RBRACK, RBRACE, PIPE, EOF, COMMA, AND, OR:
		return &BadExpr{From: from, To: from}
	}
	p.next()
	return &BadExpr{From: from, To: to}
}

func (p *parser) parsePrimary() Expr {
	switch p.tok.tok {
	case STRING, DECIMAL, TRUE, FALSE, NULL, PARAM:
		return p.parseLiteral()
	case INT:
		l := p.parseLiteral()
		// A time span: 7 days, 1 hour, or a unit right after the number (5m).
		if p.tok.tok == IDENT && (IsTimeUnit(p.tok.lit) || p.tok.pos == l.End()) {
			ts := &TimeSpan{Value: l, Unit: p.tok.lit, EndPos: p.tok.end}
			p.next()
			return ts
		}
		return l
	case LPAREN:
		p.enter()
		defer p.leave()
		lp := p.tok.pos
		p.next()
		x := p.parseBool()
		return &ParenExpr{Lparen: lp, X: x, Rparen: p.closeParen()}
	case LBRACK:
		p.enter()
		defer p.leave()
		a := &ArrayLit{Lbrack: p.tok.pos}
		p.next()
		if p.tok.tok != RBRACK {
			for {
				a.Elems = append(a.Elems, p.parseUnary())
				if p.tok.tok != COMMA {
					break
				}
				p.next()
			}
		}
		a.Rbrack = p.tok.pos
		if p.tok.tok == RBRACK {
			p.next()
		} else {
			p.errorExpected(`"]"`)
		}
		return a
	case LBRACE:
		return p.parseMap()
	case IDENT:
		if p.peek().tok == LPAREN {
			return p.parseCall()
		}
		return p.parseFieldRefOnly()
	case QIDENT:
		return p.parseFieldRefOnly()
	}
	p.errorExpected("an expression")
	return p.bad()
}

func (p *parser) parseMap() Expr {
	p.enter()
	defer p.leave()
	m := &MapExpr{Lbrace: p.tok.pos}
	p.next()
	for p.tok.tok != RBRACE && p.tok.tok != EOF && p.tok.tok != PIPE {
		e := &MapEntry{}
		if p.tok.tok != STRING {
			p.errorExpected("a quoted key")
			break
		}
		e.Key = p.parseLiteral()
		if p.tok.tok == COLON {
			p.next()
		} else {
			p.errorExpected(`":"`)
		}
		e.Value = p.parseUnary()
		m.Entries = append(m.Entries, e)
		if p.tok.tok != COMMA {
			break
		}
		p.next()
	}
	m.Rbrace = p.tok.pos
	if p.tok.tok == RBRACE {
		p.next()
	} else {
		p.errorExpected(`"}"`)
		m.Rbrace = p.prevEnd - 1
	}
	return m
}

func (p *parser) parseCall() Expr {
	c := &CallExpr{NamePos: p.tok.pos, Name: p.tok.lit}
	p.next()
	c.Lparen = p.tok.pos
	p.next()
	p.enter()
	defer p.leave()
	switch {
	case p.tok.tok == MUL && p.peek().tok == RPAREN:
		c.Star = true
		p.next()
	case p.tok.tok != RPAREN:
		for {
			c.Args = append(c.Args, p.parseBool())
			if p.tok.tok != COMMA {
				break
			}
			p.next()
		}
	}
	c.Rparen = p.closeParen()
	return c
}

// parseFieldRefOnly parses a dotted column name.
func (p *parser) parseFieldRefOnly() *FieldRef {
	f := &FieldRef{StartPos: p.tok.pos}
	for {
		switch {
		case p.tok.tok == IDENT || len(f.Parts) > 0 && p.tok.tok.IsKeyword():
			f.Parts = append(f.Parts, p.tok.lit)
			f.Quoted = append(f.Quoted, false)
		case p.tok.tok == QIDENT:
			f.Parts = append(f.Parts, p.tok.val)
			f.Quoted = append(f.Quoted, true)
		case p.tok.tok == PARAM: // ??name stands for a field name
			f.Parts = append(f.Parts, p.tok.lit)
			f.Quoted = append(f.Quoted, false)
		default:
			p.errorExpected("a field name")
			f.EndPos = max(p.prevEnd, f.StartPos)
			if len(f.Parts) == 0 {
				f.Parts = []string{""}
				f.Quoted = []bool{false}
				f.EndPos = f.StartPos
			}
			return f
		}
		f.EndPos = p.tok.end
		p.next()
		if p.tok.tok != DOT {
			return f
		}
		p.next()
	}
}
