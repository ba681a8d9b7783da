package esql

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/lang/eslex"
	"github.com/detwiki/detwiki/internal/source"
)

// item is one scanned token.
type item struct {
	tok Token
	pos source.Pos
	end source.Pos
	lit string // source text
	val string // decoded value of STRING, QIDENT, SOURCE (quoted) and PATTERN
}

// mode selects how the scanner reads the next token: ES|QL switches lexical
// modes after FROM (index patterns) and KEEP/DROP/RENAME (name patterns).
type mode int

const (
	modeExpr mode = iota
	modeSource
	modePattern
)

type scanner struct {
	src  string
	off  int
	prev Token
	err  func(pos, end source.Pos, code, msg string)
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

func (s *scanner) errorf(pos, end int, code, msg string) {
	s.err(source.Pos(pos), source.Pos(end), code, msg)
}

func (s *scanner) skipSpaceAndComments() {
	for s.off < len(s.src) {
		c := s.src[s.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			s.off++
		case c == '/' && s.off+1 < len(s.src) && s.src[s.off+1] == '/':
			for s.off < len(s.src) && s.src[s.off] != '\n' {
				s.off++
			}
		case c == '/' && s.off+1 < len(s.src) && s.src[s.off+1] == '*':
			end := strings.Index(s.src[s.off+2:], "*/")
			if end < 0 {
				s.errorf(s.off, s.off+2, CodeLexical, "comment not terminated")
				s.off = len(s.src)
				return
			}
			s.off += 2 + end + 2
		default:
			return
		}
	}
}

func (s *scanner) scan(m mode) item {
	s.skipSpaceAndComments()
	start := s.off
	if s.off >= len(s.src) {
		return item{tok: EOF, pos: source.Pos(start), end: source.Pos(start)}
	}
	switch m {
	case modeSource:
		if it, ok := s.scanSource(); ok {
			return it
		}
	case modePattern:
		if it, ok := s.scanPattern(); ok {
			return it
		}
	}
	c := s.src[s.off]
	next := byte(0)
	if s.off+1 < len(s.src) {
		next = s.src[s.off+1]
	}
	mk := func(tok Token, n int) item {
		s.off += n
		return item{tok: tok, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:s.off]}
	}
	switch {
	case isLetter(c) || (c == '_' || c == '@') && (isLetter(next) || isDigit(next) || next == '_'):
		s.off++
		for s.off < len(s.src) && (isLetter(s.src[s.off]) || isDigit(s.src[s.off]) || s.src[s.off] == '_') {
			s.off++
		}
		word := s.src[start:s.off]
		return item{tok: lookup(word), pos: source.Pos(start), end: source.Pos(s.off), lit: word}
	case isDigit(c) || c == '.' && isDigit(next) && s.prev != IDENT && s.prev != QIDENT && s.prev != RPAREN:
		return s.scanNumber()
	case c == '`':
		return s.scanQuotedIdent()
	case c == '"':
		return s.scanString()
	case c == '?':
		s.off++
		if s.off < len(s.src) && s.src[s.off] == '?' { // ??name: an identifier parameter
			s.off++
		}
		for s.off < len(s.src) && (isLetter(s.src[s.off]) || isDigit(s.src[s.off]) || s.src[s.off] == '_') {
			s.off++
		}
		return item{tok: PARAM, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:s.off]}
	}
	switch c {
	case '=':
		if next == '=' {
			return mk(EQ, 2)
		}
		return mk(ASSIGN, 1)
	case '!':
		if next == '=' {
			return mk(NEQ, 2)
		}
	case '<':
		if next == '=' {
			return mk(LE, 2)
		}
		return mk(LT, 1)
	case '>':
		if next == '=' {
			return mk(GE, 2)
		}
		return mk(GT, 1)
	case '+':
		return mk(ADD, 1)
	case '-':
		return mk(SUB, 1)
	case '*':
		return mk(MUL, 1)
	case '/':
		return mk(QUO, 1)
	case '%':
		return mk(REM, 1)
	case ':':
		if next == ':' {
			return mk(CAST, 2)
		}
		return mk(COLON, 1)
	case ',':
		return mk(COMMA, 1)
	case '.':
		return mk(DOT, 1)
	case '(':
		return mk(LPAREN, 1)
	case ')':
		return mk(RPAREN, 1)
	case '[':
		return mk(LBRACK, 1)
	case ']':
		return mk(RBRACK, 1)
	case '{':
		return mk(LBRACE, 1)
	case '}':
		return mk(RBRACE, 1)
	case '|':
		return mk(PIPE, 1)
	}
	_, w := utf8.DecodeRuneInString(s.src[s.off:])
	if w < 1 {
		w = 1
	}
	it := mk(ILLEGAL, w)
	s.errorf(int(it.pos), int(it.end), CodeLexical, "unexpected character "+strconv.Quote(it.lit))
	return it
}

func (s *scanner) scanNumber() item {
	start := s.off
	end, decimal := eslex.Number(s.src, s.off)
	s.off = end
	tok := INT
	if decimal {
		tok = DECIMAL
	}
	return item{tok: tok, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:s.off]}
}

func (s *scanner) scanQuotedIdent() item {
	start := s.off
	end, name, closed := eslex.BackquotedName(s.src, s.off)
	s.off = end
	if !closed {
		s.errorf(start, s.off, CodeLexical, "quoted identifier not terminated")
	}
	return item{tok: QIDENT, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:s.off], val: name}
}

// scanString reads "..." (escapes \t \n \r \" \\) or """...""" (raw).
func (s *scanner) scanString() item {
	start := s.off
	if strings.HasPrefix(s.src[s.off:], `"""`) {
		end := strings.Index(s.src[s.off+3:], `"""`)
		if end < 0 {
			s.errorf(start, start+3, CodeLexical, "triple-quoted string not terminated")
			s.off = len(s.src)
			return item{tok: STRING, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:], val: s.src[start+3:]}
		}
		s.off += 3 + end + 3
		for i := 0; i < 2 && s.off < len(s.src) && s.src[s.off] == '"'; i++ {
			s.off++
		}
		return item{tok: STRING, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:s.off], val: s.src[start+3 : s.off-3]}
	}
	s.off++
	var b strings.Builder
	for {
		if s.off >= len(s.src) || s.src[s.off] == '\n' || s.src[s.off] == '\r' {
			s.errorf(start, s.off, CodeLexical, "string not terminated")
			return item{tok: STRING, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:s.off], val: b.String()}
		}
		c := s.src[s.off]
		if c == '"' {
			s.off++
			return item{tok: STRING, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:s.off], val: b.String()}
		}
		if c == '\\' {
			if s.off+1 >= len(s.src) {
				s.off++
				continue
			}
			switch e := s.src[s.off+1]; e {
			case 't':
				b.WriteByte('\t')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case '"', '\\':
				b.WriteByte(e)
			default:
				s.errorf(s.off, s.off+2, CodeLexical, `unknown escape sequence \`+string(e)+` (write \\ for a backslash, or use a """triple-quoted""" string)`)
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			s.off += 2
			continue
		}
		b.WriteByte(c)
		s.off++
	}
}

// sourceChar reports whether c can be part of an unquoted index pattern.
func sourceChar(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '|', ',', '"', '[', ']', '(', ')', '=', '`':
		return false
	}
	return true
}

// scanSource reads an index pattern (logs-*, cluster:index-*,
// <logs-{now/d}>) or a quoted one.
func (s *scanner) scanSource() (item, bool) {
	start := s.off
	c := s.src[s.off]
	if c == '"' {
		it := s.scanString()
		it.tok = SOURCE
		return it, true
	}
	for s.off < len(s.src) && sourceChar(s.src[s.off]) {
		if s.src[s.off] == '/' && s.off+1 < len(s.src) && (s.src[s.off+1] == '/' || s.src[s.off+1] == '*') {
			break // a comment
		}
		s.off++
	}
	if s.off == start {
		return item{}, false
	}
	return item{tok: SOURCE, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:s.off], val: s.src[start:s.off]}, true
}

func patternChar(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '_' || c == '@' || c == '*' || c == '.'
}

// scanPattern reads a name pattern: process.*, @timestamp, `odd name`.*
func (s *scanner) scanPattern() (item, bool) {
	start := s.off
	var b strings.Builder
	for s.off < len(s.src) {
		c := s.src[s.off]
		if c == '`' {
			it := s.scanQuotedIdent()
			b.WriteString(it.val)
			continue
		}
		if !patternChar(c) {
			break
		}
		b.WriteByte(c)
		s.off++
	}
	if s.off == start {
		return item{}, false
	}
	return item{tok: PATTERN, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:s.off], val: b.String()}, true
}
