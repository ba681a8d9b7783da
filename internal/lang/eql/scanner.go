package eql

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
	lit string // the token's source text
	val string // decoded value of STRING and ESCIDENT tokens
}

// scanner splits EQL text into tokens. Comments and white space are skipped.
type scanner struct {
	src  string
	off  int
	prev Token
	err  func(pos, end source.Pos, code, msg string)
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isHex(c byte) bool    { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// scanAll returns every token of src, ending with EOF.
func scanAll(src string, errf func(pos, end source.Pos, code, msg string)) []item {
	s := &scanner{src: src, err: errf}
	items := make([]item, 0, len(src)/6+4)
	for {
		it := s.scan()
		items = append(items, it)
		s.prev = it.tok
		if it.tok == EOF {
			return items
		}
	}
}

func (s *scanner) skipSpaceAndComments() {
	for s.off < len(s.src) {
		c := s.src[s.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			s.off++
		case c == '/' && s.off+1 < len(s.src) && s.src[s.off+1] == '/':
			for s.off < len(s.src) && s.src[s.off] != '\n' {
				s.off++
			}
		case c == '/' && s.off+1 < len(s.src) && s.src[s.off+1] == '*':
			start := s.off
			depth := 0
			for s.off < len(s.src) {
				if strings.HasPrefix(s.src[s.off:], "/*") {
					depth++
					s.off += 2
					continue
				}
				if strings.HasPrefix(s.src[s.off:], "*/") {
					depth--
					s.off += 2
					if depth == 0 {
						break
					}
					continue
				}
				s.off++
			}
			if depth > 0 {
				s.err(source.Pos(start), source.Pos(start+2), CodeLexical, "comment not terminated")
			}
		default:
			return
		}
	}
}

func (s *scanner) scan() item {
	s.skipSpaceAndComments()
	start := s.off
	if s.off >= len(s.src) {
		return item{tok: EOF, pos: source.Pos(start), end: source.Pos(start)}
	}
	c := s.src[s.off]
	mk := func(tok Token, n int) item {
		s.off += n
		return item{tok: tok, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:s.off]}
	}
	next := byte(0)
	if s.off+1 < len(s.src) {
		next = s.src[s.off+1]
	}
	switch {
	case isLetter(c) || c == '_' || c == '@':
		s.off++
		for s.off < len(s.src) && (isLetter(s.src[s.off]) || isDigit(s.src[s.off]) || s.src[s.off] == '_') {
			s.off++
		}
		word := s.src[start:s.off]
		if s.off < len(s.src) && s.src[s.off] == '~' {
			s.off++
			switch word {
			case "like":
				return item{tok: INSENSITIVELIKE, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:s.off]}
			case "regex":
				return item{tok: INSENSITIVEREGEX, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:s.off]}
			case "in":
				return item{tok: INSENSITIVEIN, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:s.off]}
			}
			return item{tok: IDENT, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:s.off]}
		}
		return item{tok: Lookup(word), pos: source.Pos(start), end: source.Pos(s.off), lit: word}
	case isDigit(c) || c == '.' && isDigit(next) && !s.afterName():
		return s.scanNumber()
	case c == '`':
		return s.scanEscapedIdent()
	case c == '"':
		return s.scanString(false)
	case c == '\'':
		return s.scanSingleQuoted()
	case c == '?' && next == '"':
		s.off++
		it := s.scanString(true)
		it.pos = source.Pos(start)
		it.lit = s.src[start:s.off]
		return it
	}
	switch c {
	case ':':
		return mk(SEQ, 1)
	case '=':
		if next == '=' {
			return mk(EQ, 2)
		}
		return mk(ASSIGN, 1)
	case '!':
		switch next {
		case '=':
			return mk(NEQ, 2)
		case '[':
			return mk(MISSING, 2)
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
	case '.':
		return mk(DOT, 1)
	case ',':
		return mk(COMMA, 1)
	case '[':
		return mk(LBRACK, 1)
	case ']':
		return mk(RBRACK, 1)
	case '(':
		return mk(LPAREN, 1)
	case ')':
		return mk(RPAREN, 1)
	case '|':
		return mk(PIPE, 1)
	case '?':
		return mk(OPTIONAL, 1)
	}
	_, w := utf8.DecodeRuneInString(s.src[s.off:])
	if w < 1 {
		w = 1
	}
	it := mk(ILLEGAL, w)
	s.err(it.pos, it.end, CodeLexical, "unexpected character "+strconv.Quote(it.lit))
	return it
}

// afterName reports whether the previous token ends a name, so that a '.'
// that follows is a field separator, not the start of a number.
func (s *scanner) afterName() bool {
	switch s.prev {
	case IDENT, ESCIDENT, RBRACK:
		return true
	}
	return false
}

func (s *scanner) scanNumber() item {
	start := s.off
	end, decimal := eslex.Number(s.src, s.off)
	s.off = end
	tok := INT
	if decimal {
		tok = FLOAT
	}
	return item{tok: tok, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:s.off]}
}

func (s *scanner) scanEscapedIdent() item {
	start := s.off
	end, name, closed := eslex.BackquotedName(s.src, s.off)
	s.off = end
	if !closed {
		s.err(source.Pos(start), source.Pos(s.off), CodeLexical, "escaped identifier not terminated")
	}
	return item{tok: ESCIDENT, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:s.off], val: name}
}

// scanString scans "..." (with escapes) or """...""" (raw). raw is set for
// the legacy ?"..." form, whose opening ? the caller consumed.
func (s *scanner) scanString(raw bool) item {
	start := s.off
	if !raw && strings.HasPrefix(s.src[s.off:], `"""`) {
		end := strings.Index(s.src[s.off+3:], `"""`)
		if end < 0 {
			s.off = len(s.src)
			s.err(source.Pos(start), source.Pos(start+3), CodeLexical, "raw string not terminated")
			return item{tok: STRING, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:], val: s.src[start+3:]}
		}
		s.off += 3 + end + 3
		// Quotes right before the closing """ belong to the value.
		for s.off < len(s.src) && s.src[s.off] == '"' {
			s.off++
		}
		return item{tok: STRING, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:s.off], val: s.src[start+3 : s.off-3]}
	}
	s.off++ // opening quote
	var b strings.Builder
	simple := true
	valStart := s.off
	for {
		if s.off >= len(s.src) || s.src[s.off] == '\n' || s.src[s.off] == '\r' {
			s.err(source.Pos(start), source.Pos(s.off), CodeLexical, "string not terminated")
			val := s.src[valStart:s.off]
			if !simple {
				val = b.String()
			}
			return item{tok: STRING, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:s.off], val: val}
		}
		c := s.src[s.off]
		if c == '"' {
			val := s.src[valStart:s.off]
			if !simple {
				val = b.String()
			}
			s.off++
			return item{tok: STRING, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:s.off], val: val}
		}
		if c != '\\' {
			if !simple {
				b.WriteByte(c)
			}
			s.off++
			continue
		}
		if simple {
			simple = false
			b.WriteString(s.src[valStart:s.off])
		}
		if raw {
			// ?"..." keeps backslashes; \" is a quote.
			if s.off+1 < len(s.src) && s.src[s.off+1] == '"' {
				b.WriteString(`\"`)
				s.off += 2
				continue
			}
			b.WriteByte('\\')
			s.off++
			continue
		}
		s.scanEscape(&b)
	}
}

// scanEscape decodes the escape sequence at s.off (a backslash) into b.
func (s *scanner) scanEscape(b *strings.Builder) {
	esc := s.off
	if s.off+1 >= len(s.src) {
		s.off++
		s.err(source.Pos(esc), source.Pos(s.off), CodeLexical, "escape sequence not terminated")
		return
	}
	c := s.src[s.off+1]
	s.off += 2
	switch c {
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case '"', '\'', '\\':
		b.WriteByte(c)
	case 'u':
		// \u{XXXX} or \uXXXX
		if s.off < len(s.src) && s.src[s.off] == '{' {
			j := s.off + 1
			for j < len(s.src) && isHex(s.src[j]) {
				j++
			}
			if j < len(s.src) && s.src[j] == '}' && j > s.off+1 && j-s.off-1 <= 8 {
				v, _ := strconv.ParseUint(s.src[s.off+1:j], 16, 32)
				if v <= utf8.MaxRune {
					b.WriteRune(rune(v))
					s.off = j + 1
					return
				}
			}
		} else if s.off+4 <= len(s.src) && isHex(s.src[s.off]) && isHex(s.src[s.off+1]) && isHex(s.src[s.off+2]) && isHex(s.src[s.off+3]) {
			v, _ := strconv.ParseUint(s.src[s.off:s.off+4], 16, 32)
			b.WriteRune(rune(v))
			s.off += 4
			return
		}
		s.err(source.Pos(esc), source.Pos(s.off), CodeLexical, `invalid unicode escape; use \u{XXXX}`)
		b.WriteString(`\u`)
	default:
		s.err(source.Pos(esc), source.Pos(s.off), CodeLexical, "unknown escape sequence \\"+string(c)+` (write \\ for a backslash)`)
		b.WriteByte('\\')
		b.WriteByte(c)
	}
}

// scanSingleQuoted reads a '...' string, which Elasticsearch EQL rejects, so
// that parsing can go on after the error.
func (s *scanner) scanSingleQuoted() item {
	start := s.off
	s.off++
	var b strings.Builder
	for s.off < len(s.src) && s.src[s.off] != '\'' && s.src[s.off] != '\n' {
		if s.src[s.off] == '\\' {
			s.scanEscape(&b)
			continue
		}
		b.WriteByte(s.src[s.off])
		s.off++
	}
	if s.off < len(s.src) && s.src[s.off] == '\'' {
		s.off++
	}
	s.err(source.Pos(start), source.Pos(s.off), CodeLexical, "single-quoted strings are not supported; use double quotes")
	return item{tok: STRING, pos: source.Pos(start), end: source.Pos(s.off), lit: s.src[start:s.off], val: b.String()}
}
