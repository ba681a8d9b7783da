package sql

import (
	"strconv"
	"strings"

	"github.com/detwiki/detwiki/internal/source"
)

// MaxDepth bounds expression nesting.
const MaxDepth = 200

// Query is what the reader found in a query text: every SELECT (top level,
// common table expressions, subqueries), in source order.
type Query struct {
	Selects []*Select
	// CTEs are the names of the query's common table expressions.
	CTEs []string
	// Template is set when the text holds {{ }} / {% %} template tags.
	Template bool
	Size     int
}

// Select is one SELECT: the tables it reads and its WHERE condition.
type Select struct {
	SelectPos source.Pos
	To        source.Pos
	// Columns are the select-list items as written (* included), with
	// their alias when they have one.
	Columns []Column
	Tables  []TableRef
	Where   Expr // nil without WHERE
	Having  Expr
	// Nested is true for a SELECT inside parentheses (a subquery or CTE).
	Nested bool
	// CTE names the common table expression the SELECT defines ("" for
	// others).
	CTE string
}

// Column is one item of a select list.
type Column struct {
	Text  string
	Alias string
}

// TableRef is a table named in FROM or JOIN, with its alias.
type TableRef struct {
	NamePos source.Pos
	Name    string // dotted as written, quotes removed
	Alias   string
}

// Parse reads a query. Errors are returned with the partial result: what
// was read before and after them.
func Parse(src string) (q *Query, errs ErrorList) {
	p := &parser{src: src}
	p.toks = lex(src, &p.errs)
	q = &Query{Size: len(src)}
	for _, t := range p.toks {
		if t.Kind == TEMPLATE {
			q.Template = true
			break
		}
	}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
		}
		q.Selects = p.selects
		p.errs.Sort()
		errs = p.errs
	}()
	p.q = q
	p.statements()
	return q, nil
}

type bailout struct{}

type parser struct {
	src     string
	toks    []Token
	i       int
	errs    ErrorList
	depth   int
	q       *Query
	selects []*Select
}

func (p *parser) tok() Token { return p.toks[p.i] }

func (p *parser) peek(n int) Token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) advance() Token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func (p *parser) kw(words ...string) bool {
	t := p.tok()
	for _, w := range words {
		if t.keyword(w) {
			return true
		}
	}
	return false
}

func (p *parser) isOp(text string) bool {
	t := p.tok()
	return t.Kind == OP && t.Text == text
}

func (p *parser) errorf(t Token, msg string) { p.errs.Add(t.Pos, t.End, CodeSyntax, msg) }

// closeMissing reports that the ')' of the '(' open is missing at t; the
// message names the '(' as the error's related place.
func (p *parser) closeMissing(t Token, open Token, found string) {
	p.errs.AddRelated(t.Pos, t.End, source.Span{Start: open.Pos, End: open.End}, CodeSyntax,
		"expected ')', found "+found+", to close the '('")
}

func (p *parser) enter() {
	p.depth++
	if p.depth > MaxDepth {
		t := p.tok()
		p.errs.Add(t.Pos, t.End, CodeTooDeep, "nested deeper than "+strconv.Itoa(MaxDepth)+" levels")
		panic(bailout{})
	}
}

func (p *parser) leave() { p.depth-- }

// statements reads queries separated by ';'. Anything that is not a query
// (a template block, a statement of another kind) is skipped; a SELECT is
// looked for further on.
func (p *parser) statements() {
	for p.tok().Kind != EOF {
		switch {
		case p.isOp(";") || p.tok().Kind == TEMPLATE:
			p.advance()
		case p.kw("with", "select") || p.isOp("("):
			p.query(false, "")
		default:
			// Skip to something we can read: a top-level WITH or SELECT.
			t := p.advance()
			if t.Kind == IDENT && !p.q.Template {
				p.errorf(t, "expected SELECT or WITH, found "+t.describe())
				p.skipStatement()
			}
		}
	}
}

func (p *parser) skipStatement() {
	for !p.isOp(";") && p.tok().Kind != EOF {
		p.advance()
	}
}

// query reads [WITH ...] select [UNION select ...] [ORDER BY ...] [LIMIT n].
func (p *parser) query(nested bool, cte string) {
	p.enter()
	defer p.leave()
	if p.kw("with") {
		p.advance()
		if p.kw("recursive") {
			p.advance()
		}
		for {
			if p.tok().Kind == TEMPLATE { // a template expands to more CTEs
				p.advance()
			} else {
				name := p.advance()
				if name.Kind != IDENT && name.Kind != QIDENT {
					p.errorf(name, "expected a name for the WITH clause, found "+name.describe())
					p.skipStatement()
					return
				}
				p.q.CTEs = append(p.q.CTEs, identName(name))
				if p.isOp("(") { // column list
					p.skipBalanced()
				}
				if !p.kw("as") {
					p.errorf(p.tok(), "expected AS after the WITH name, found "+p.tok().describe())
					p.skipStatement()
					return
				}
				p.advance()
				if !p.isOp("(") {
					p.errorf(p.tok(), "expected '(' after AS, found "+p.tok().describe())
					p.skipStatement()
					return
				}
				p.advance()
				p.query(true, identName(name))
				p.closeParen()
			}
			if !p.isOp(",") {
				break
			}
			p.advance()
		}
		if p.tok().Kind == TEMPLATE {
			p.advance()
			return
		}
		if p.q.Template && (p.tok().Kind == EOF || p.isOp(";")) {
			// The template tag that ended the WITH list is the query.
			return
		}
	}
	for {
		p.selectCore(nested, cte)
		if p.kw("union", "intersect", "except", "minus") {
			p.advance()
			if p.kw("all", "distinct") {
				p.advance()
			}
			continue
		}
		break
	}
	p.tail()
}

// tail skips ORDER BY, LIMIT, OFFSET and FETCH up to the end of the query.
func (p *parser) tail() {
	for {
		switch {
		case p.tok().Kind == EOF || p.isOp(";") || p.isOp(")"):
			return
		case p.kw("order", "limit", "offset", "fetch"):
			p.advance()
			p.skipClause()
		default:
			t := p.tok()
			p.errorf(t, "unexpected "+t.describe()+" after the query")
			p.skipClause()
			if p.i < len(p.toks) && !p.isOp(";") && !p.isOp(")") && p.tok().Kind != EOF && !p.kw("order", "limit", "offset", "fetch") {
				p.advance()
			}
		}
	}
}

func (p *parser) selectCore(nested bool, cte string) {
	if p.isOp("(") {
		p.advance()
		p.query(true, cte)
		p.closeParen()
		return
	}
	t := p.tok()
	if !p.kw("select") {
		p.errorf(t, "expected SELECT, found "+t.describe())
		p.skipClause()
		return
	}
	p.advance()
	s := &Select{SelectPos: t.Pos, Nested: nested, CTE: cte}
	p.selects = append(p.selects, s)
	if p.kw("distinct", "all") {
		p.advance()
	}
	if p.kw("top") {
		p.advance()
		p.advance()
	}
	s.Columns = p.columns()
	for p.tok().Kind != EOF && !p.isOp(";") && !p.isOp(")") {
		switch {
		case p.kw("from"):
			p.advance()
			p.from(s)
		case p.kw("where"):
			p.advance()
			s.Where = p.expr()
		case p.kw("having"):
			p.advance()
			s.Having = p.expr()
		case p.kw("qualify"):
			p.advance()
			p.expr()
		case p.kw("group"), p.kw("window"):
			p.advance()
			p.skipClause()
		case p.kw("match_recognize"):
			p.advance()
			p.skipBalanced()
		case p.kw("join", "inner", "left", "right", "full", "cross", "natural", "asof"):
			// A join written after WHERE: read it as part of FROM.
			p.from(s)
		default:
			s.To = p.prevEnd()
			return
		}
	}
	s.To = p.prevEnd()
}

func (p *parser) prevEnd() source.Pos {
	if p.i == 0 {
		return 0
	}
	return p.toks[p.i-1].End
}

// clauseWords end a clause at depth 0.
var clauseWords = []string{"from", "where", "group", "having", "qualify", "order", "limit", "offset",
	"fetch", "union", "intersect", "except", "minus", "window", "match_recognize"}

func (p *parser) atClauseEnd() bool {
	t := p.tok()
	return t.Kind == EOF || t.Kind == OP && (t.Text == ";" || t.Text == ")") || p.kw(clauseWords...)
}

// skipClause skips balanced tokens up to the next clause keyword at this
// level.
func (p *parser) skipClause() {
	for !p.atClauseEnd() {
		if p.isOp("(") {
			p.skipBalanced()
			continue
		}
		p.advance()
	}
}

// skipBalanced skips a parenthesised group, reading the queries inside it.
func (p *parser) skipBalanced() {
	open := p.advance() // (
	if p.kw("select", "with") {
		p.query(true, "")
		p.closeParenOf(open)
		return
	}
	for {
		switch {
		case p.tok().Kind == EOF:
			p.closeMissing(p.tok(), open, "end of query")
			return
		case p.isOp(")"):
			p.advance()
			return
		case p.isOp("("):
			p.skipBalanced()
		default:
			p.advance()
		}
	}
}

func (p *parser) closeParen() {
	if p.isOp(")") {
		p.advance()
		return
	}
	t := p.tok()
	p.errorf(t, "expected ')', found "+t.describe())
}

func (p *parser) closeParenOf(open Token) {
	if p.isOp(")") {
		p.advance()
		return
	}
	t := p.tok()
	p.closeMissing(t, open, t.describe())
	for !p.isOp(")") && t.Kind != EOF {
		if p.tok().Kind == EOF {
			return
		}
		p.advance()
	}
	p.advance()
}

// columns reads the select list up to FROM (or the end of the SELECT).
func (p *parser) columns() []Column {
	var cols []Column
	for !p.atClauseEnd() {
		start := p.tok().Pos
		depth := 0
		var last Token
		for {
			t := p.tok()
			if t.Kind == EOF || depth == 0 && (t.Kind == OP && (t.Text == "," || t.Text == ";" || t.Text == ")") || p.kw(clauseWords...)) {
				break
			}
			switch {
			case t.Kind == OP && t.Text == "(":
				if p.peek(1).keyword("select") || p.peek(1).keyword("with") {
					p.skipBalanced()
					last = p.toks[p.i-1]
					continue
				}
				depth++
			case t.Kind == OP && t.Text == ")":
				depth--
			}
			last = p.advance()
		}
		if last.End > start {
			text := p.src[start:last.End]
			col := Column{Text: text}
			// A trailing "AS alias" or "expr alias".
			if i := strings.LastIndex(asciiLower(text), " as "); i >= 0 && !strings.ContainsAny(text[i+4:], "()") {
				col.Alias = strings.TrimSpace(text[i+4:])
			}
			cols = append(cols, col)
		}
		if p.isOp(",") {
			p.advance()
			continue
		}
		break
	}
	return cols
}

// from reads FROM items: tables with aliases, joins, subqueries, table
// functions (FLATTEN, TABLE(...)).
func (p *parser) from(s *Select) {
	for !p.atClauseEnd() {
		switch {
		case p.isOp(","):
			p.advance()
		case p.kw("join", "inner", "left", "right", "full", "outer", "cross", "natural", "lateral", "asof"):
			p.advance()
		case p.kw("on", "using"):
			p.advance()
			if p.isOp("(") && p.tok().keyword("using") {
				p.skipBalanced()
			} else {
				p.expr()
			}
		case p.isOp("("):
			p.skipBalanced()
			p.alias()
		case p.tok().Kind == IDENT || p.tok().Kind == QIDENT:
			t := p.tok()
			name := p.dotted()
			if p.isOp("(") { // a table function: TABLE(...), FLATTEN(...)
				p.skipBalanced()
				p.alias()
				continue
			}
			ref := TableRef{NamePos: t.Pos, Name: name}
			ref.Alias = p.alias()
			s.Tables = append(s.Tables, ref)
		case p.tok().Kind == TEMPLATE:
			p.advance()
		default:
			t := p.advance()
			p.errorf(t, "unexpected "+t.describe()+" in FROM")
		}
	}
}

// dotted reads a.b.c (quotes removed).
func (p *parser) dotted() string {
	parts := []string{identName(p.advance())}
	for p.isOp(".") && (p.peek(1).Kind == IDENT || p.peek(1).Kind == QIDENT) {
		p.advance()
		parts = append(parts, identName(p.advance()))
	}
	return strings.Join(parts, ".")
}

// alias reads [AS] name after a FROM item, if there is one.
func (p *parser) alias() string {
	if p.kw("as") {
		p.advance()
		return identName(p.advance())
	}
	t := p.tok()
	if (t.Kind == IDENT && !reserved[strings.ToLower(t.Text)]) || t.Kind == QIDENT {
		p.advance()
		return identName(t)
	}
	return ""
}

var reserved = map[string]bool{}

func init() {
	for _, w := range append(clauseWords, "join", "inner", "left", "right", "full", "outer", "cross",
		"natural", "lateral", "on", "using", "as", "and", "or", "not", "select", "asof", "pivot", "unpivot",
		"sample", "tablesample", "at", "before", "changes") {
		reserved[w] = true
	}
}

func identName(t Token) string {
	if t.Kind == QIDENT {
		return strings.Trim(t.Text, `"`)
	}
	return t.Text
}

// asciiLower lower-cases ASCII letters only, so offsets in the result are
// offsets in s (strings.ToLower changes the length of invalid UTF-8).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
