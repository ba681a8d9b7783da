package lucene

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/source"
)

// MaxDepth bounds the nesting of groups; deeper input is an error.
const MaxDepth = 200

const maxErrors = 20

type token int

const (
	tEOF token = iota
	tTerm
	tPhrase
	tRegexp
	tAnd // AND &&
	tOr  // OR ||
	tNot // NOT !
	tPlus
	tMinus
	tLparen
	tRparen
	tLbrack
	tRbrack
	tLbrace
	tRbrace
	tCaret
	tTilde
	tColon
	tCompare // > >= < <=
	tIllegal
)

type item struct {
	tok   token
	pos   int
	end   int
	lit   string
	val   string // decoded term / phrase / regexp
	wild  bool
	space bool // white space came before the token
}

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

// Parse parses a Lucene query string. An empty query gives an empty Query.
// On errors the tree is partial (Bad nodes) and the errors are in source
// order.
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
	p.scan()
	q = p.parseQuery(false)
	return q, nil
}

func (p *parser) errorf(pos, end int, code, format string, args ...any) {
	p.reports++
	if p.reports > 10*maxErrors {
		panic(bailout{})
	}
	if n := len(p.errors); n > 0 && p.errors[n-1].Pos == source.Pos(pos) {
		return
	}
	p.errors = append(p.errors, &Error{Pos: source.Pos(pos), End: source.Pos(end), Code: code, Msg: fmt.Sprintf(format, args...)})
	if len(p.errors) >= maxErrors {
		panic(bailout{})
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// termStop reports whether c ends a term.
func termStop(c byte) bool {
	switch c {
	case '(', ')', ':', '^', '[', ']', '"', '{', '}', '~', '/', '!':
		return true
	}
	return isSpace(c)
}

func (p *parser) scan() {
	s := p.src
	i := 0
	for {
		start := i
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		space := i > start
		if i >= len(s) {
			p.items = append(p.items, item{tok: tEOF, pos: i, end: i, space: space})
			break
		}
		it := item{pos: i, space: space}
		c := s[i]
		prevColon := len(p.items) > 0 && p.items[len(p.items)-1].tok == tColon && !space
		switch {
		case strings.HasPrefix(s[i:], "&&"):
			it.tok, i = tAnd, i+2
		case strings.HasPrefix(s[i:], "||"):
			it.tok, i = tOr, i+2
		case c == '+':
			it.tok, i = tPlus, i+1
		case c == '-':
			it.tok, i = tMinus, i+1
		case c == '!':
			it.tok, i = tNot, i+1
		case c == '(':
			it.tok, i = tLparen, i+1
		case c == ')':
			it.tok, i = tRparen, i+1
		case c == '[':
			it.tok, i = tLbrack, i+1
		case c == ']':
			it.tok, i = tRbrack, i+1
		case c == '{':
			it.tok, i = tLbrace, i+1
		case c == '}':
			it.tok, i = tRbrace, i+1
		case c == '^':
			it.tok, i = tCaret, i+1
		case c == '~':
			it.tok, i = tTilde, i+1
		case c == ':':
			it.tok, i = tColon, i+1
		case prevColon && (c == '>' || c == '<'):
			it.tok, i = tCompare, i+1
			if i < len(s) && s[i] == '=' {
				i++
			}
		case c == '"':
			it.tok = tPhrase
			var b strings.Builder
			i++
			closed := false
			for i < len(s) {
				if s[i] == '\\' && i+1 < len(s) {
					b.WriteByte(s[i+1])
					i += 2
					continue
				}
				if s[i] == '"' {
					i++
					closed = true
					break
				}
				b.WriteByte(s[i])
				i++
			}
			if !closed {
				p.errorf(it.pos, i, CodeLexical, "phrase not terminated")
			}
			it.val = b.String()
		case c == '/':
			it.tok = tRegexp
			var b strings.Builder
			i++
			closed := false
			for i < len(s) {
				if s[i] == '\\' && i+1 < len(s) && s[i+1] == '/' {
					b.WriteByte('/')
					i += 2
					continue
				}
				if s[i] == '/' {
					i++
					closed = true
					break
				}
				b.WriteByte(s[i])
				i++
			}
			if !closed {
				p.errorf(it.pos, i, CodeLexical, "regular expression not terminated")
			}
			it.val = b.String()
		default:
			it.tok = tTerm
			var b strings.Builder
			for i < len(s) && !termStop(s[i]) {
				if s[i] == '\\' {
					if i+1 >= len(s) {
						p.errorf(i, i+1, CodeLexical, "escape at the end of the query")
						i++
						break
					}
					_, w := utf8.DecodeRuneInString(s[i+1:])
					b.WriteString(s[i+1 : i+1+w])
					i += 1 + w
					continue
				}
				if s[i] == '*' || s[i] == '?' {
					it.wild = true
				}
				b.WriteByte(s[i])
				i++
			}
			it.val = b.String()
			if i == it.pos { // a lone character nothing else reads
				_, w := utf8.DecodeRuneInString(s[i:])
				i += w
				it.tok = tIllegal
				p.errorf(it.pos, i, CodeLexical, "unexpected character %s", strconv.Quote(s[it.pos:i]))
			}
			switch s[it.pos:i] {
			case "AND":
				it.tok = tAnd
			case "OR":
				it.tok = tOr
			case "NOT":
				it.tok = tNot
			}
		}
		it.end = i
		it.lit = s[it.pos:i]
		p.items = append(p.items, it)
	}
	p.tok = p.items[0]
}

func (p *parser) next() {
	if p.i < len(p.items)-1 {
		p.i++
	}
	p.tok = p.items[p.i]
}

func (p *parser) peek() item {
	if p.i+1 < len(p.items) {
		return p.items[p.i+1]
	}
	return p.items[len(p.items)-1]
}

func (p *parser) describe() string {
	if p.tok.tok == tEOF {
		return "the end of the query"
	}
	return strconv.Quote(p.tok.lit)
}

func (p *parser) parseQuery(inGroup bool) *Query {
	q := &Query{StartPos: source.Pos(p.tok.pos)}
	for {
		switch p.tok.tok {
		case tEOF:
			return q
		case tRparen:
			if inGroup {
				return q
			}
			p.errorf(p.tok.pos, p.tok.end, CodeSyntax, "unexpected \")\"")
			p.next()
			continue
		}
		before := p.i
		c := p.parseClause()
		q.Clauses = append(q.Clauses, c)
		if p.i == before { // no progress: skip the token
			p.next()
		}
	}
}

func (p *parser) parseClause() *Clause {
	c := &Clause{ConjPos: source.NoPos, ModPos: source.NoPos, FieldPos: source.NoPos}
	if p.tok.tok == tAnd || p.tok.tok == tOr {
		c.ConjPos, c.ConjText = source.Pos(p.tok.pos), p.tok.lit
		c.Conj = ConjAnd
		if p.tok.tok == tOr {
			c.Conj = ConjOr
		}
		p.next()
	}
	switch p.tok.tok {
	case tPlus:
		c.ModPos, c.ModText, c.Mod = source.Pos(p.tok.pos), p.tok.lit, ModRequired
		p.next()
	case tMinus:
		c.ModPos, c.ModText, c.Mod = source.Pos(p.tok.pos), p.tok.lit, ModProhibit
		p.next()
	case tNot:
		c.ModPos, c.ModText, c.Mod = source.Pos(p.tok.pos), p.tok.lit, ModNot
		p.next()
	}
	if p.tok.tok == tTerm && p.peek().tok == tColon {
		c.Field, c.FieldPos = p.tok.val, source.Pos(p.tok.pos)
		p.next()
		p.next()
	}
	c.Sub = p.parseSub()
	c.EndPos = c.Sub.End()
	if p.tok.tok == tCaret {
		p.next()
		if p.tok.tok == tTerm && !p.tok.space {
			c.Boost = p.tok.lit
			c.EndPos = source.Pos(p.tok.end)
			p.next()
		} else {
			p.errorf(p.tok.pos, p.tok.end, CodeSyntax, "expected a boost number after ^, found %s", p.describe())
		}
	}
	return c
}

func (p *parser) parseSub() Node {
	switch p.tok.tok {
	case tLparen:
		p.depth++
		if p.depth > MaxDepth {
			p.errorf(p.tok.pos, p.tok.end, CodeDepth, "query nested deeper than %d levels", MaxDepth)
			panic(bailout{})
		}
		defer func() { p.depth-- }()
		g := &Group{Lparen: source.Pos(p.tok.pos)}
		p.next()
		g.Query = p.parseQuery(true)
		if p.tok.tok == tRparen {
			g.Rparen = source.Pos(p.tok.pos)
			p.next()
		} else {
			p.errorf(p.tok.pos, p.tok.end, CodeSyntax, "expected \")\" to close \"(\", found %s", p.describe())
			g.Rparen = source.Pos(p.tok.pos - 1)
		}
		return g
	case tLbrack, tLbrace:
		return p.parseRange()
	case tCompare:
		r := &Range{StartPos: source.Pos(p.tok.pos), Op: p.tok.lit, Lower: "*", Upper: "*"}
		p.next()
		v, ok := p.rangeValue()
		if !ok {
			p.errorf(p.tok.pos, p.tok.end, CodeSyntax, "expected a value after %s, found %s", r.Op, p.describe())
		}
		switch r.Op {
		case ">", ">=":
			r.Lower, r.IncludeLower = v, r.Op == ">="
		default:
			r.Upper, r.IncludeUpper = v, r.Op == "<="
		}
		r.EndPos = source.Pos(p.items[max(p.i-1, 0)].end)
		return r
	case tPhrase:
		ph := &Phrase{ValuePos: source.Pos(p.tok.pos), Raw: p.tok.lit, Value: p.tok.val, EndPos: source.Pos(p.tok.end)}
		p.next()
		if p.tok.tok == tTilde && !p.tok.space {
			ph.EndPos = source.Pos(p.tok.end)
			p.next()
			if p.tok.tok == tTerm && !p.tok.space {
				ph.Slop = p.tok.lit
				ph.EndPos = source.Pos(p.tok.end)
				p.next()
			}
		}
		return ph
	case tRegexp:
		r := &Regexp{ValuePos: source.Pos(p.tok.pos), Raw: p.tok.lit, Value: p.tok.val}
		p.next()
		return r
	case tTerm:
		t := &Term{ValuePos: source.Pos(p.tok.pos), Raw: p.tok.lit, Value: p.tok.val, Wildcard: p.tok.wild, EndPos: source.Pos(p.tok.end)}
		p.next()
		if p.tok.tok == tTilde && !p.tok.space {
			t.Fuzzy = "~"
			t.EndPos = source.Pos(p.tok.end)
			p.next()
			if p.tok.tok == tTerm && !p.tok.space {
				t.Fuzzy += p.tok.lit
				t.EndPos = source.Pos(p.tok.end)
				p.next()
			}
		}
		return t
	}
	p.errorf(p.tok.pos, p.tok.end, CodeSyntax, "expected a term, phrase, range or (, found %s", p.describe())
	b := &Bad{From: source.Pos(p.tok.pos), To: source.Pos(p.tok.end)}
	if p.tok.tok != tEOF && p.tok.tok != tRparen {
		p.next()
	}
	return b
}

// rangeValue reads one bound of a range: a term, a phrase or *.
func (p *parser) rangeValue() (string, bool) {
	switch p.tok.tok {
	case tTerm, tPhrase:
		v := p.tok.val
		p.next()
		return v, true
	}
	return "", false
}

func (p *parser) parseRange() Node {
	r := &Range{StartPos: source.Pos(p.tok.pos), IncludeLower: p.tok.tok == tLbrack}
	p.next()
	var ok bool
	if r.Lower, ok = p.rangeValue(); !ok {
		p.errorf(p.tok.pos, p.tok.end, CodeSyntax, "expected the lower bound of a range, found %s", p.describe())
	}
	if p.tok.tok == tTerm && p.tok.lit == "TO" {
		p.next()
	} else {
		p.errorf(p.tok.pos, p.tok.end, CodeSyntax, "expected TO in a range, found %s", p.describe())
	}
	if r.Upper, ok = p.rangeValue(); !ok {
		p.errorf(p.tok.pos, p.tok.end, CodeSyntax, "expected the upper bound of a range, found %s", p.describe())
	}
	switch p.tok.tok {
	case tRbrack, tRbrace:
		r.IncludeUpper = p.tok.tok == tRbrack
		r.EndPos = source.Pos(p.tok.end)
		p.next()
	default:
		p.errorf(p.tok.pos, p.tok.end, CodeSyntax, "expected ] or } to close the range, found %s", p.describe())
		r.EndPos = source.Pos(p.tok.pos)
	}
	return r
}
