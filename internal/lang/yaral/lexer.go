package yaral

import (
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/source"
)

// Comment is a // line comment or a /* block */ comment, with its delimiters.
type Comment struct {
	Slash source.Pos
	Text  string
}

// Pos returns the position of the comment's first slash.
func (c *Comment) Pos() source.Pos { return c.Slash }

// End returns the position just past the comment.
func (c *Comment) End() source.Pos { return c.Slash + source.Pos(len(c.Text)) }

// lexer turns source text into tokens. It scans the whole text up front: the
// one place where YARA-L needs context is '/', which starts a regular
// expression where an operand is expected and is a division elsewhere; the
// lexer decides from the previous token, as JavaScript scanners do.
type lexer struct {
	src      string
	off      int
	tokens   []Token
	comments []*Comment
	errs     *ErrorList
	newline  bool // a newline was seen since the last token
}

// Lex scans src into tokens (ending with an EOF token) and comments, adding
// lexical errors to errs.
func lex(src string, errs *ErrorList) ([]Token, []*Comment) {
	lx := &lexer{src: src, errs: errs, newline: true, tokens: make([]Token, 0, len(src)/8+16)}
	if len(src) >= 3 && src[:3] == "\uFEFF" {
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
	lx.tokens = append(lx.tokens, Token{Kind: k, Pos: source.Pos(start), End: source.Pos(lx.off),
		Text: lx.src[start:lx.off], LineStart: lx.newline})
	lx.newline = false
}

func (lx *lexer) error(pos int, msg string) {
	lx.errs.Add(source.Pos(pos), source.Pos(lx.off), CodeLexical, msg)
}

// regexAllowed reports whether a '/' at this point starts a regular
// expression: where the previous token cannot end an operand.
func (lx *lexer) regexAllowed() bool {
	if len(lx.tokens) == 0 {
		return true
	}
	t := lx.tokens[len(lx.tokens)-1]
	switch t.Kind {
	case VAR, COUNT, REFLIST, STRING, RAWSTRING, REGEX, NUMBER, DURATION, RPAREN, RBRACK:
		return false
	case IDENT:
		switch lowerKeyword(t.Text) {
		case "and", "or", "not", "in", "regex", "cidr", "any", "all", "nocase":
			return true
		}
		return false
	}
	return true
}

// next scans one token (or comment); it returns false after EOF.
func (lx *lexer) next() bool {
	src := lx.src
	for lx.off < len(src) {
		c := src[lx.off]
		if c == '\n' {
			lx.newline = true
			lx.off++
			continue
		}
		if c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' {
			lx.off++
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
		lx.off++
		for lx.off < len(src) && isWord(src[lx.off]) {
			lx.off++
		}
		lx.emit(IDENT, start)
		return true
	case isDigit(c):
		lx.scanNumber(start)
		return true
	}
	switch c {
	case '$', '#', '%':
		lx.off++
		for lx.off < len(src) && isWord(src[lx.off]) {
			lx.off++
		}
		kind := sigilKind(c)
		if lx.off == start+1 {
			lx.error(start, "expected a name after '"+string(c)+"'")
			lx.emit(ILLEGAL, start)
			return true
		}
		lx.emit(kind, start)
	case '"':
		lx.scanString(start)
	case '`':
		lx.scanRawString(start)
	case '/':
		switch {
		case lx.off+1 < len(src) && src[lx.off+1] == '/':
			lx.scanLineComment(start)
		case lx.off+1 < len(src) && src[lx.off+1] == '*':
			lx.scanBlockComment(start)
		case lx.regexAllowed():
			lx.scanRegex(start)
		default:
			lx.off++
			lx.emit(QUO, start)
		}
	case '(':
		lx.single(LPAREN)
	case ')':
		lx.single(RPAREN)
	case '[':
		lx.single(LBRACK)
	case ']':
		lx.single(RBRACK)
	case '{':
		lx.single(LBRACE)
	case '}':
		lx.single(RBRACE)
	case ',':
		lx.single(COMMA)
	case '.':
		lx.single(DOT)
	case ':':
		lx.single(COLON)
	case '+':
		lx.single(ADD)
	case '-':
		lx.single(SUB)
	case '*':
		lx.single(MUL)
	case '=':
		lx.single(ASSIGN)
	case '!':
		lx.pair('=', NEQ, NOT)
	case '<':
		lx.pair('=', LEQ, LSS)
	case '>':
		lx.pair('=', GEQ, GTR)
	default:
		_, size := utf8.DecodeRuneInString(src[lx.off:])
		lx.off += size
		lx.error(start, "illegal character "+quoteChar(src[start:lx.off]))
		lx.emit(ILLEGAL, start)
	}
	return true
}

func sigilKind(c byte) Kind {
	switch c {
	case '$':
		return VAR
	case '#':
		return COUNT
	}
	return REFLIST
}

func quoteChar(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return "(invalid UTF-8)"
	}
	if r < ' ' || r == 0x7f {
		return "U+" + hex4(r)
	}
	return "'" + s + "'"
}

func hex4(r rune) string {
	const digits = "0123456789ABCDEF"
	b := []byte{digits[r>>12&15], digits[r>>8&15], digits[r>>4&15], digits[r&15]}
	return string(b)
}

func (lx *lexer) single(k Kind) {
	start := lx.off
	lx.off++
	lx.emit(k, start)
}

func (lx *lexer) pair(second byte, two, one Kind) {
	start := lx.off
	lx.off++
	if lx.off < len(lx.src) && lx.src[lx.off] == second {
		lx.off++
		lx.emit(two, start)
		return
	}
	lx.emit(one, start)
}

// scanNumber scans digits with an optional fraction; digits directly
// followed by one of s, m, h, d (and nothing more of a word) are a duration.
func (lx *lexer) scanNumber(start int) {
	src := lx.src
	for lx.off < len(src) && isDigit(src[lx.off]) {
		lx.off++
	}
	if lx.off+1 < len(src) && src[lx.off] == '.' && isDigit(src[lx.off+1]) {
		lx.off++
		for lx.off < len(src) && isDigit(src[lx.off]) {
			lx.off++
		}
		lx.emit(NUMBER, start)
		return
	}
	if lx.off < len(src) {
		switch src[lx.off] {
		case 's', 'm', 'h', 'd':
			if lx.off+1 >= len(src) || !isWord(src[lx.off+1]) {
				lx.off++
				lx.emit(DURATION, start)
				return
			}
		}
	}
	lx.emit(NUMBER, start)
}

// scanString scans a double-quoted string. A string may run over several
// lines (a few real rules have one); when the closing quote is missing the
// error is reported at the opening quote and the string ends with its line,
// so that the rest of the file is still read.
func (lx *lexer) scanString(start int) {
	src := lx.src
	i := start + 1
	for i < len(src) {
		switch src[i] {
		case '\\':
			i += 2
			continue
		case '"':
			lx.off = i + 1
			lx.emit(STRING, start)
			return
		}
		i++
	}
	lx.off = lineEnd(src, start)
	lx.error(start, "string literal not terminated")
	lx.emit(STRING, start)
}

func lineEnd(src string, from int) int {
	for i := from; i < len(src); i++ {
		if src[i] == '\n' {
			return i
		}
	}
	return len(src)
}

// scanRawString scans a back-quoted string: no escapes, no newlines.
func (lx *lexer) scanRawString(start int) {
	src := lx.src
	for i := start + 1; i < len(src); i++ {
		switch src[i] {
		case '`':
			lx.off = i + 1
			lx.emit(RAWSTRING, start)
			return
		case '\n':
			lx.off = i
			lx.error(start, "raw string literal not terminated")
			lx.emit(RAWSTRING, start)
			return
		}
	}
	lx.off = len(src)
	lx.error(start, "raw string literal not terminated")
	lx.emit(RAWSTRING, start)
}

// scanRegex scans /pattern/: a backslash escapes the next character
// (including '/'); the pattern ends at the line's end at the latest.
func (lx *lexer) scanRegex(start int) {
	src := lx.src
	i := start + 1
	for i < len(src) {
		switch src[i] {
		case '\\':
			if i+1 < len(src) && src[i+1] != '\n' {
				i += 2
				continue
			}
		case '/':
			lx.off = i + 1
			lx.emit(REGEX, start)
			return
		case '\n':
			lx.off = i
			lx.error(start, "regular expression not terminated")
			lx.emit(REGEX, start)
			return
		}
		i++
	}
	lx.off = len(src)
	lx.error(start, "regular expression not terminated")
	lx.emit(REGEX, start)
}

func (lx *lexer) scanLineComment(start int) {
	lx.off = lineEnd(lx.src, start)
	lx.comments = append(lx.comments, &Comment{Slash: source.Pos(start), Text: lx.src[start:lx.off]})
}

func (lx *lexer) scanBlockComment(start int) {
	src := lx.src
	for i := start + 2; i+1 < len(src); i++ {
		if src[i] == '\n' {
			lx.newline = true
		}
		if src[i] == '*' && src[i+1] == '/' {
			lx.off = i + 2
			lx.comments = append(lx.comments, &Comment{Slash: source.Pos(start), Text: src[start:lx.off]})
			return
		}
	}
	lx.off = len(src)
	lx.error(start, "comment not terminated")
	lx.comments = append(lx.comments, &Comment{Slash: source.Pos(start), Text: src[start:lx.off]})
}

// lowerKeyword returns s in lower case when it is one of the case-insensitive
// operator words (AND, OR, NOT, IN, ...), else s unchanged. It does not
// allocate for words already in lower case.
func lowerKeyword(s string) string {
	if len(s) > 6 {
		return s
	}
	upper := false
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			upper = true
			break
		}
	}
	if !upper {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	switch l := string(b); l {
	case "and", "or", "not", "in", "regex", "cidr", "nocase", "any", "all", "over", "by", "every", "before", "after", "true", "false", "null", "if":
		return l
	}
	return s
}
