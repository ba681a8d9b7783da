package mql

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/source"
)

// Comment is a // line comment, with its slashes.
type Comment struct {
	Slash source.Pos
	Text  string
}

// Pos returns the position of the comment's first slash.
func (c *Comment) Pos() source.Pos { return c.Slash }

// End returns the position just past the comment.
func (c *Comment) End() source.Pos { return c.Slash + source.Pos(len(c.Text)) }

type lexer struct {
	src      string
	off      int
	tokens   []Token
	comments []*Comment
	errs     *ErrorList
}

// lex scans src into tokens, ending with an EOF token, and comments.
func lex(src string, errs *ErrorList) ([]Token, []*Comment) {
	lx := &lexer{src: src, errs: errs, tokens: make([]Token, 0, len(src)/8+8)}
	if strings.HasPrefix(src, "\uFEFF") {
		lx.off = 3
	}
	for lx.next() {
	}
	return lx.tokens, lx.comments
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isWord(c byte) bool   { return isLetter(c) || isDigit(c) }

func (lx *lexer) emit(k Kind, start int) {
	lx.tokens = append(lx.tokens, Token{Kind: k, Pos: source.Pos(start), End: source.Pos(lx.off), Text: lx.src[start:lx.off]})
}

func (lx *lexer) error(pos int, msg string) {
	lx.errs.Add(source.Pos(pos), source.Pos(lx.off), CodeLexical, msg)
}

// next scans one token or comment; it returns false after EOF.
func (lx *lexer) next() bool {
	src := lx.src
	for lx.off < len(src) {
		c := src[lx.off]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' {
			lx.off++
			continue
		}
		if c == '/' && lx.off+1 < len(src) && src[lx.off+1] == '/' {
			start := lx.off
			for lx.off < len(src) && src[lx.off] != '\n' {
				lx.off++
			}
			text := strings.TrimRight(src[start:lx.off], "\r")
			lx.comments = append(lx.comments, &Comment{Slash: source.Pos(start), Text: text})
			continue
		}
		break
	}
	start := lx.off
	if lx.off >= len(src) {
		lx.emit(EOF, start)
		return false
	}
	c := src[lx.off]
	switch {
	case isLetter(c):
		for lx.off < len(src) && isWord(src[lx.off]) {
			lx.off++
		}
		if lx.off-start == 2 && src[start:lx.off] == "in" && lx.off < len(src) && src[lx.off] == '~' {
			lx.off++
			lx.emit(INI, start)
			return true
		}
		lx.emit(IDENT, start)
		return true
	case isDigit(c):
		for lx.off < len(src) && isDigit(src[lx.off]) {
			lx.off++
		}
		if lx.off+1 < len(src) && src[lx.off] == '.' && isDigit(src[lx.off+1]) {
			lx.off++
			for lx.off < len(src) && isDigit(src[lx.off]) {
				lx.off++
			}
		}
		if lx.off < len(src) && isLetter(src[lx.off]) {
			for lx.off < len(src) && isWord(src[lx.off]) {
				lx.off++
			}
			lx.error(start, "malformed number "+strconv.Quote(src[start:lx.off]))
		}
		lx.emit(NUMBER, start)
		return true
	case c == '$':
		lx.off++
		for lx.off < len(src) && isWord(src[lx.off]) {
			lx.off++
		}
		if lx.off == start+1 {
			lx.error(start, "'$' must be followed by a list name")
		}
		lx.emit(LIST, start)
		return true
	case c == '"':
		lx.doubleQuoted()
		lx.emit(STRING, start)
		return true
	case c == '\'':
		lx.singleQuoted()
		lx.emit(RAWSTRING, start)
		return true
	}
	lx.off++
	two := func(next byte, k2, k1 Kind) {
		if lx.off < len(src) && src[lx.off] == next {
			lx.off++
			lx.emit(k2, start)
			return
		}
		lx.emit(k1, start)
	}
	switch c {
	case '(':
		lx.emit(LPAREN, start)
	case ')':
		lx.emit(RPAREN, start)
	case '[':
		lx.emit(LBRACK, start)
	case ']':
		lx.emit(RBRACK, start)
	case ',':
		lx.emit(COMMA, start)
	case '.':
		lx.emit(DOT, start)
	case ':':
		lx.emit(COLON, start)
	case '+':
		lx.emit(ADD, start)
	case '-':
		lx.emit(SUB, start)
	case '*':
		lx.emit(MUL, start)
	case '/':
		lx.emit(QUO, start)
	case '%':
		lx.emit(REM, start)
	case '<':
		two('=', LEQ, LSS)
	case '>':
		two('=', GEQ, GTR)
	case '=':
		switch {
		case lx.off < len(src) && src[lx.off] == '=':
			lx.off++
			lx.emit(EQL, start)
		case lx.off < len(src) && src[lx.off] == '~':
			lx.off++
			lx.emit(IEQL, start)
		default:
			lx.emit(ASSIGN, start)
		}
	case '!':
		switch {
		case lx.off < len(src) && src[lx.off] == '=':
			lx.off++
			lx.emit(NEQ, start)
		case lx.off < len(src) && src[lx.off] == '~':
			lx.off++
			lx.emit(INEQ, start)
		default:
			lx.error(start, "'!' is not an MQL operator (use not)")
			lx.emit(ILLEGAL, start)
		}
	default:
		if c >= utf8.RuneSelf {
			_, size := utf8.DecodeRuneInString(src[start:])
			lx.off = start + size
		}
		lx.error(start, "illegal character "+strconv.Quote(src[start:lx.off]))
		lx.emit(ILLEGAL, start)
	}
	return true
}

// doubleQuoted scans a "string" with \ escapes.
func (lx *lexer) doubleQuoted() {
	start := lx.off
	lx.off++
	src := lx.src
	for lx.off < len(src) {
		c := src[lx.off]
		switch c {
		case '"':
			lx.off++
			return
		case '\\':
			lx.off += 2
			continue
		case '\n':
			lx.error(start, "string not terminated before the end of the line")
			return
		}
		lx.off++
	}
	lx.off = len(src)
	lx.error(start, "string not terminated")
}

// singleQuoted scans a 'raw string' in which ” is one quote.
func (lx *lexer) singleQuoted() {
	start := lx.off
	lx.off++
	src := lx.src
	for lx.off < len(src) {
		c := src[lx.off]
		if c == '\'' {
			if lx.off+1 < len(src) && src[lx.off+1] == '\'' {
				lx.off += 2
				continue
			}
			lx.off++
			return
		}
		if c == '\n' {
			lx.error(start, "string not terminated before the end of the line")
			return
		}
		lx.off++
	}
	lx.off = len(src)
	lx.error(start, "string not terminated")
}

// Unquote decodes a string token's text: "..." with escapes (\n \r \t \'
// \" \\ \u{XXXX}), '...' raw with ” for a quote. ok is false for a bad
// escape or a malformed token.
func Unquote(text string) (string, bool) {
	if len(text) < 2 {
		return "", false
	}
	q := text[0]
	if text[len(text)-1] != q || q != '"' && q != '\'' {
		return "", false
	}
	body := text[1 : len(text)-1]
	if q == '\'' {
		return strings.ReplaceAll(body, "''", "'"), true
	}
	if strings.IndexByte(body, '\\') < 0 {
		return body, true
	}
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(body) {
			return b.String(), false
		}
		switch body[i] {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case '\'', '"', '\\':
			b.WriteByte(body[i])
		case 'u':
			if i+1 >= len(body) || body[i+1] != '{' {
				return b.String(), false
			}
			j := strings.IndexByte(body[i:], '}')
			if j < 0 {
				return b.String(), false
			}
			hex := body[i+2 : i+j]
			n, err := strconv.ParseUint(hex, 16, 32)
			if err != nil || len(hex) < 2 || len(hex) > 8 || n == 0 || n > 0x10ffff {
				return b.String(), false
			}
			b.WriteRune(rune(n))
			i += j
		default:
			return b.String(), false
		}
	}
	return b.String(), true
}
