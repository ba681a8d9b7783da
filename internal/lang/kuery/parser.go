package kuery

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/source"
)

// MaxDepth bounds the nesting of parentheses, braces and not; deeper input
// is an error, never a stack overflow.
const MaxDepth = 200

const maxErrors = 20

type bailout struct{}

type parser struct {
	src    string
	off    int
	errors ErrorList
	depth  int
	// reports counts every error reported, duplicates included: a parser
	// that keeps reporting without making progress bails out.
	reports int
}

// Parse parses a kuery query. An empty (or all-space) query matches every
// document and gives a nil tree. On errors the tree is partial, with BadExpr
// nodes, and the errors are in source order.
func Parse(src string) (x Expr, errs ErrorList) {
	p := &parser{src: src}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			if x == nil {
				x = &BadExpr{From: 0, To: source.Pos(len(src))}
			}
		}
		p.errors.Sort()
		errs = p.errors
	}()
	p.skipSpace()
	if p.eof() {
		return nil, nil
	}
	x = p.parseOr()
	p.skipSpace()
	if !p.eof() {
		p.errorf(p.off, p.off+1, CodeSyntax, "expected and, or or the end of the query, found %s", p.describe())
	}
	return x, nil
}

func (p *parser) eof() bool { return p.off >= len(p.src) }

func (p *parser) errorf(pos, end int, code, format string, args ...any) {
	p.reports++
	if p.reports > 10*maxErrors {
		panic(bailout{})
	}
	if end > len(p.src) {
		end = len(p.src)
	}
	if n := len(p.errors); n > 0 && p.errors[n-1].Pos == source.Pos(pos) {
		return
	}
	p.errors = append(p.errors, &Error{Pos: source.Pos(pos), End: source.Pos(end), Code: code, Msg: fmt.Sprintf(format, args...)})
	if len(p.errors) >= maxErrors {
		panic(bailout{})
	}
}

func (p *parser) describe() string {
	if p.eof() {
		return "the end of the query"
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.off:])
	return strconv.QuoteRune(r)
}

func (p *parser) enter() {
	p.depth++
	if p.depth > MaxDepth {
		p.errorf(p.off, p.off+1, CodeDepth, "query nested deeper than %d levels", MaxDepth)
		panic(bailout{})
	}
}

func (p *parser) leave() { p.depth-- }

// spaceAt returns the length of the white-space character at off (space,
// tab, CR, LF or no-break space), or 0.
func (p *parser) spaceAt(off int) int {
	if off >= len(p.src) {
		return 0
	}
	switch p.src[off] {
	case ' ', '\t', '\r', '\n':
		return 1
	case 0xC2:
		if off+1 < len(p.src) && p.src[off+1] == 0xA0 {
			return 2
		}
	}
	return 0
}

func (p *parser) skipSpace() {
	for n := p.spaceAt(p.off); n > 0; n = p.spaceAt(p.off) {
		p.off += n
	}
}

// wordAt reports whether the case-insensitive word w starts at off.
func (p *parser) wordAt(off int, w string) bool {
	return off+len(w) <= len(p.src) && strings.EqualFold(p.src[off:off+len(w)], w)
}

// binaryKeywordAt matches Space+ word Space+ at off (the `or` and `and`
// keywords), returning the offset of the word and the offset after the
// spaces that follow it.
func (p *parser) binaryKeywordAt(off int, w string) (wordPos, after int, ok bool) {
	i := off
	n := p.spaceAt(i)
	if n == 0 {
		return 0, 0, false
	}
	for ; n > 0; n = p.spaceAt(i) {
		i += n
	}
	if !p.wordAt(i, w) {
		return 0, 0, false
	}
	wordPos = i
	i += len(w)
	n = p.spaceAt(i)
	if n == 0 {
		return 0, 0, false
	}
	for ; n > 0; n = p.spaceAt(i) {
		i += n
	}
	return wordPos, i, true
}

// notAt matches `not` Space+ at off.
func (p *parser) notAt(off int) (after int, ok bool) {
	if !p.wordAt(off, "not") {
		return 0, false
	}
	i := off + 3
	n := p.spaceAt(i)
	if n == 0 {
		return 0, false
	}
	for ; n > 0; n = p.spaceAt(i) {
		i += n
	}
	return i, true
}

// keywordAt reports whether a keyword (or, and, not) starts at off; an
// unquoted literal ends there.
func (p *parser) keywordAt(off int) bool {
	if _, _, ok := p.binaryKeywordAt(off, "or"); ok {
		return true
	}
	if _, _, ok := p.binaryKeywordAt(off, "and"); ok {
		return true
	}
	_, ok := p.notAt(off)
	return ok
}

func isSpecial(c byte) bool {
	switch c {
	case '\\', '(', ')', ':', '<', '>', '"', '*', '{', '}':
		return true
	}
	return false
}

// ---- queries

func (p *parser) parseOr() Expr {
	x := p.parseAnd()
	for {
		wp, after, ok := p.binaryKeywordAt(p.off, "or")
		if !ok {
			return x
		}
		p.off = after
		y := p.parseAnd()
		x = &BinaryExpr{X: x, OpPos: source.Pos(wp), Op: OR, Y: y}
	}
}

func (p *parser) parseAnd() Expr {
	x := p.parseNot()
	for {
		wp, after, ok := p.binaryKeywordAt(p.off, "and")
		if !ok {
			return x
		}
		p.off = after
		y := p.parseNot()
		x = &BinaryExpr{X: x, OpPos: source.Pos(wp), Op: AND, Y: y}
	}
}

func (p *parser) parseNot() Expr {
	if after, ok := p.notAt(p.off); ok {
		p.enter()
		defer p.leave()
		pos := p.off
		p.off = after
		return &NotExpr{NotPos: source.Pos(pos), X: p.parseSubQuery()}
	}
	return p.parseSubQuery()
}

func (p *parser) parseSubQuery() Expr {
	if !p.eof() && p.src[p.off] == '(' {
		p.enter()
		defer p.leave()
		lp := p.off
		p.off++
		p.skipSpace()
		x := p.parseOr()
		p.skipSpace()
		rp := p.expectClose(')', lp)
		return &ParenExpr{Lparen: source.Pos(lp), X: x, Rparen: source.Pos(rp)}
	}
	return p.parseExpression()
}

// expectClose expects the closing character c; on a mismatch it reports the
// error and skips ahead to c when it closes this group.
func (p *parser) expectClose(c byte, open int) int {
	if !p.eof() && p.src[p.off] == c {
		p.off++
		return p.off - 1
	}
	p.errorf(p.off, p.off+1, CodeSyntax, "expected %q to close %q, found %s", string(c), string(openOf(c)), p.describe())
	// Skip to the matching close, respecting nesting and quotes.
	depth := 0
	for i := p.off; i < len(p.src); i++ {
		switch p.src[i] {
		case '"':
			for i++; i < len(p.src) && p.src[i] != '"'; i++ {
				if p.src[i] == '\\' {
					i++
				}
			}
		case '\\':
			i++
		case '(', '{':
			depth++
		case ')', '}':
			if depth == 0 {
				if p.src[i] == c {
					p.off = i + 1
					return i
				}
				return max(p.off-1, open)
			}
			depth--
		}
	}
	return max(p.off-1, open)
}

func openOf(c byte) byte {
	if c == '}' {
		return '{'
	}
	return '('
}

func (p *parser) parseExpression() Expr {
	start := p.off
	field := p.parseLiteral()
	if field == nil {
		p.errorf(p.off, p.off+1, CodeSyntax, "expected a field, a value or (, found %s", p.describe())
		return p.badExpr(start)
	}
	save := p.off
	p.skipSpace()
	if p.eof() {
		p.off = save
		return &MatchExpr{Value: field, Colon: source.NoPos}
	}
	switch c := p.src[p.off]; c {
	case '<', '>':
		opPos := p.off
		op := string(c)
		p.off++
		if !p.eof() && p.src[p.off] == '=' {
			op += "="
			p.off++
		}
		p.skipSpace()
		val := p.parseLiteral()
		if val == nil {
			p.errorf(p.off, p.off+1, CodeSyntax, "expected a value after %s, found %s", op, p.describe())
			val = &Literal{ValuePos: source.Pos(p.off), EndPos: source.Pos(p.off)}
		}
		return &RangeExpr{Field: field, OpPos: source.Pos(opPos), Op: op, Value: val}
	case ':':
		colon := p.off
		p.off++
		p.skipSpace()
		if !p.eof() && p.src[p.off] == '{' {
			p.enter()
			defer p.leave()
			lb := p.off
			p.off++
			p.skipSpace()
			x := p.parseOr()
			p.skipSpace()
			rb := p.expectClose('}', lb)
			return &NestedExpr{Field: field, Colon: source.Pos(colon), Lbrace: source.Pos(lb), X: x, Rbrace: source.Pos(rb)}
		}
		return &MatchExpr{Field: field, Colon: source.Pos(colon), Value: p.parseListOfValues()}
	}
	p.off = save
	return &MatchExpr{Value: field, Colon: source.NoPos}
}

// badExpr skips the unreadable text from start to where parsing can go on
// (a closing parenthesis or brace, a keyword, the end) and returns it as a
// BadExpr.
func (p *parser) badExpr(start int) *BadExpr {
	if p.off == start && !p.eof() && p.src[p.off] != ')' && p.src[p.off] != '}' {
		p.off++
	}
	for !p.eof() {
		c := p.src[p.off]
		if c == ')' || c == '}' || p.keywordAt(p.off) {
			break
		}
		if c == '"' {
			p.parseQuoted()
			continue
		}
		p.off++
	}
	return &BadExpr{From: source.Pos(start), To: source.Pos(p.off)}
}

// ---- value lists

func (p *parser) parseListOfValues() Value {
	if !p.eof() && p.src[p.off] == '(' {
		p.enter()
		defer p.leave()
		lp := p.off
		p.off++
		p.skipSpace()
		x := p.parseOrValues()
		p.skipSpace()
		rp := p.expectClose(')', lp)
		return &ValueParen{Lparen: source.Pos(lp), X: x, Rparen: source.Pos(rp)}
	}
	start := p.off
	v := p.parseLiteral()
	if v == nil {
		p.errorf(p.off, p.off+1, CodeSyntax, "expected a value, found %s", p.describe())
		return p.badExpr(start)
	}
	return v
}

func (p *parser) parseOrValues() Value {
	x := p.parseAndValues()
	for {
		wp, after, ok := p.binaryKeywordAt(p.off, "or")
		if !ok {
			return x
		}
		p.off = after
		y := p.parseAndValues()
		x = &ValueBinary{X: x, OpPos: source.Pos(wp), Op: OR, Y: y}
	}
}

func (p *parser) parseAndValues() Value {
	x := p.parseNotValues()
	for {
		wp, after, ok := p.binaryKeywordAt(p.off, "and")
		if !ok {
			return x
		}
		p.off = after
		y := p.parseNotValues()
		x = &ValueBinary{X: x, OpPos: source.Pos(wp), Op: AND, Y: y}
	}
}

func (p *parser) parseNotValues() Value {
	if after, ok := p.notAt(p.off); ok {
		p.enter()
		defer p.leave()
		pos := p.off
		p.off = after
		return &ValueNot{NotPos: source.Pos(pos), X: p.parseListOfValues()}
	}
	return p.parseListOfValues()
}

// ---- literals

// parseLiteral reads a quoted string or an unquoted literal; it returns nil
// (consuming nothing) when neither starts here.
func (p *parser) parseLiteral() *Literal {
	if p.eof() {
		return nil
	}
	if p.src[p.off] == '"' {
		return p.parseQuoted()
	}
	return p.parseUnquoted()
}

func (p *parser) parseQuoted() *Literal {
	start := p.off
	p.off++
	var b strings.Builder
	for {
		if p.eof() {
			p.errorf(start, p.off, CodeLexical, "quoted string not terminated")
			return &Literal{ValuePos: source.Pos(start), EndPos: source.Pos(p.off), Raw: p.src[start:], Value: b.String(), Quoted: true}
		}
		c := p.src[p.off]
		if c == '"' {
			p.off++
			return &Literal{ValuePos: source.Pos(start), EndPos: source.Pos(p.off), Raw: p.src[start:p.off], Value: b.String(), Quoted: true}
		}
		if c == '\\' && p.off+1 < len(p.src) {
			switch n := p.src[p.off+1]; n {
			case 't':
				b.WriteByte('\t')
				p.off += 2
				continue
			case 'r':
				b.WriteByte('\r')
				p.off += 2
				continue
			case 'n':
				b.WriteByte('\n')
				p.off += 2
				continue
			case '\\', '"':
				b.WriteByte(n)
				p.off += 2
				continue
			case 'u':
				if r, ok := p.unicodeAt(p.off + 2); ok {
					b.WriteRune(r)
					p.off += 6
					continue
				}
			}
			// Any other backslash is kept as it is.
		}
		b.WriteByte(c)
		p.off++
	}
}

func (p *parser) unicodeAt(off int) (rune, bool) {
	if off+4 > len(p.src) {
		return 0, false
	}
	v, err := strconv.ParseUint(p.src[off:off+4], 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(v), true
}

func (p *parser) parseUnquoted() *Literal {
	start := p.off
	var b strings.Builder
	wildcard := false
	lastNonSpace := start // end of the text once trailing spaces are trimmed
	for !p.eof() {
		c := p.src[p.off]
		if c == '\\' {
			if p.off+1 >= len(p.src) {
				p.errorf(p.off, p.off+1, CodeLexical, "escape sequence not terminated")
				p.off++
				break
			}
			n := p.src[p.off+1]
			switch {
			case n == 't':
				b.WriteByte('\t')
				p.off += 2
			case n == 'r':
				b.WriteByte('\r')
				p.off += 2
			case n == 'n':
				b.WriteByte('\n')
				p.off += 2
			case isSpecial(n):
				b.WriteByte(n)
				p.off += 2
			case n == 'u' || n == 'U':
				if r, ok := p.unicodeAt(p.off + 2); ok && n == 'u' {
					b.WriteRune(r)
					p.off += 6
					break
				}
				fallthrough
			default:
				kw := ""
				for _, w := range [...]string{"or", "and", "not"} {
					if p.wordAt(p.off+1, w) {
						kw = p.src[p.off+1 : p.off+1+len(w)]
						break
					}
				}
				if kw != "" {
					b.WriteString(kw)
					p.off += 1 + len(kw)
					break
				}
				p.errorf(p.off, p.off+2, CodeLexical, `invalid escape \%c in an unquoted value; quote the value or write \\ for a backslash`, n)
				b.WriteByte('\\')
				p.off++
			}
			lastNonSpace = p.off
			continue
		}
		if c == '*' {
			wildcard = true
			b.WriteByte('*')
			p.off++
			lastNonSpace = p.off
			continue
		}
		if isSpecial(c) || p.keywordAt(p.off) {
			break
		}
		if n := p.spaceAt(p.off); n > 0 {
			b.WriteString(p.src[p.off : p.off+n])
			p.off += n
			continue
		}
		_, w := utf8.DecodeRuneInString(p.src[p.off:])
		b.WriteString(p.src[p.off : p.off+w])
		p.off += w
		lastNonSpace = p.off
	}
	if lastNonSpace == start {
		p.off = start
		return nil
	}
	// Trailing spaces are not part of the value; leave them to the keyword
	// or closing parenthesis that follows.
	p.off = lastNonSpace
	return &Literal{ValuePos: source.Pos(start), EndPos: source.Pos(lastNonSpace), Raw: p.src[start:lastNonSpace],
		Value: strings.Trim(b.String(), " \t\r\n\u00a0"), Wildcard: wildcard}
}
