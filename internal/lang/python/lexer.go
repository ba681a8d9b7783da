package python

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/source"
)

// Comment is a # comment.
type Comment struct {
	Hash source.Pos
	Text string
}

// Pos returns the position of the '#'.
func (c *Comment) Pos() source.Pos { return c.Hash }

// End returns the position just past the comment.
func (c *Comment) End() source.Pos { return c.Hash + source.Pos(len(c.Text)) }

// lexer turns Python source into tokens, with NEWLINE, INDENT and DEDENT
// tokens as the language defines them: newlines inside brackets and after
// a backslash join lines; blank and comment-only lines do not count.
type lexer struct {
	src      string
	base     int // offset of src in the whole file (sub-lexers of f-strings)
	off      int
	tokens   []Token
	comments []*Comment
	errs     *ErrorList
	indents  []int
	parens   int
	atBOL    bool // at the beginning of a logical line
	pending  bool // a token was emitted on the current logical line
	inside   bool // lexing an f-string field: no line structure
}

// lex scans a whole module.
func lex(src string, errs *ErrorList) ([]Token, []*Comment) {
	lx := &lexer{src: src, errs: errs, indents: []int{0}, atBOL: true,
		tokens: make([]Token, 0, len(src)/6+16)}
	if strings.HasPrefix(src, "\uFEFF") {
		lx.off = 3
	}
	lx.run()
	return lx.tokens, lx.comments
}

// lexInside scans a fragment that sits inside brackets (an f-string
// replacement field): no NEWLINE, INDENT or DEDENT tokens. base is the
// fragment's offset in the file.
func lexInside(src string, base int, errs *ErrorList) []Token {
	lx := &lexer{src: src, base: base, errs: errs, indents: []int{0}, parens: 1, inside: true,
		tokens: make([]Token, 0, len(src)/3+4)}
	lx.run()
	return lx.tokens
}

func (lx *lexer) emit(k Kind, start int) {
	lx.tokens = append(lx.tokens, Token{Kind: k, Pos: source.Pos(lx.base + start),
		End: source.Pos(lx.base + lx.off), Text: lx.src[start:lx.off]})
	if k != NEWLINE && k != INDENT && k != DEDENT {
		lx.pending = true
	}
}

func (lx *lexer) emitAt(k Kind, at int) {
	lx.tokens = append(lx.tokens, Token{Kind: k, Pos: source.Pos(lx.base + at), End: source.Pos(lx.base + at)})
}

func (lx *lexer) error(start, end int, code, msg string) {
	lx.errs.Add(source.Pos(lx.base+start), source.Pos(lx.base+end), code, msg)
}

func isIdentStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentByte(c byte) bool  { return isIdentStart(c) || isDigit(c) }

func (lx *lexer) run() {
	src := lx.src
	for {
		if lx.atBOL && lx.parens == 0 {
			if !lx.indentation() {
				break
			}
		}
		if lx.off >= len(src) {
			break
		}
		c := src[lx.off]
		switch {
		case c == ' ' || c == '\t' || c == '\f' || c == '\r':
			lx.off++
			continue
		case c == '\n':
			lx.off++
			if lx.parens > 0 && !lx.inside && startsDefinition(src[lx.off:]) {
				// An unclosed bracket before a def or class at the left
				// margin: close the line here so that the rest of the file
				// is read (the parser reports the missing bracket).
				lx.parens = 0
			}
			if lx.parens == 0 {
				if lx.pending {
					lx.emitAt(NEWLINE, lx.off-1)
					lx.pending = false
				}
				lx.atBOL = true
			}
			continue
		case c == '#':
			start := lx.off
			for lx.off < len(src) && src[lx.off] != '\n' {
				lx.off++
			}
			lx.comments = append(lx.comments, &Comment{Hash: source.Pos(lx.base + start),
				Text: strings.TrimRight(src[start:lx.off], "\r")})
			continue
		case c == '\\':
			start := lx.off
			lx.off++
			if lx.off < len(src) && src[lx.off] == '\r' {
				lx.off++
			}
			if lx.off < len(src) && src[lx.off] == '\n' {
				lx.off++
				continue
			}
			if lx.off >= len(src) {
				continue
			}
			lx.error(start, lx.off, CodeLexical, "unexpected character after line continuation character")
			continue
		}
		lx.token()
	}
	// End of input: close the logical line and the open blocks.
	end := len(src)
	if lx.pending && !lx.inside {
		lx.emitAt(NEWLINE, end)
	}
	if !lx.inside {
		for len(lx.indents) > 1 {
			lx.indents = lx.indents[:len(lx.indents)-1]
			lx.emitAt(DEDENT, end)
		}
	}
	lx.emitAt(EOF, end)
}

// indentation measures the indentation of the next non-blank line and
// emits INDENT or DEDENT tokens. It returns false at the end of input.
func (lx *lexer) indentation() bool {
	src := lx.src
	for {
		col, i := 0, lx.off
		for i < len(src) {
			switch src[i] {
			case ' ':
				col++
			case '\t':
				col = (col/8 + 1) * 8
			case '\f':
				col = 0
			default:
				goto measured
			}
			i++
		}
	measured:
		if i >= len(src) {
			lx.off = i
			return false
		}
		switch src[i] {
		case '\n':
			lx.off = i + 1
			continue
		case '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				lx.off = i + 2
				continue
			}
		case '#':
			// A comment-only line does not change the indentation.
			j := i
			for j < len(src) && src[j] != '\n' {
				j++
			}
			lx.comments = append(lx.comments, &Comment{Hash: source.Pos(lx.base + i),
				Text: strings.TrimRight(src[i:j], "\r")})
			lx.off = j
			continue
		case '\\':
			// A continuation line that starts with a backslash: rare.
		}
		lx.off = i
		lx.atBOL = false
		top := lx.indents[len(lx.indents)-1]
		switch {
		case col > top:
			lx.indents = append(lx.indents, col)
			lx.emitAt(INDENT, i)
		case col < top:
			for len(lx.indents) > 1 && col < lx.indents[len(lx.indents)-1] {
				lx.indents = lx.indents[:len(lx.indents)-1]
				lx.emitAt(DEDENT, i)
			}
			if col != lx.indents[len(lx.indents)-1] {
				lx.error(i, i, CodeLexical, "unindent does not match any outer indentation level")
				lx.indents = append(lx.indents, col)
			}
		}
		return true
	}
}

// startsDefinition reports whether a line starts, at its first column,
// with def, class, async def or a decorator.
func startsDefinition(line string) bool {
	return strings.HasPrefix(line, "def ") || strings.HasPrefix(line, "class ") ||
		strings.HasPrefix(line, "async def ") || strings.HasPrefix(line, "@")
}

// three-, two- and one-character operators.
var ops3 = []string{"**=", "//=", ">>=", "<<=", "..."}
var ops2 = []string{"**", "//", "<<", ">>", "<=", ">=", "==", "!=", "->", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@="}

const ops1 = "+-*/%@&|^~<>()[]{},:.;="

func (lx *lexer) token() {
	src := lx.src
	start := lx.off
	c := src[start]
	switch {
	case isIdentStart(c) || c >= utf8.RuneSelf:
		if q, n := stringPrefix(src[start:]); q {
			lx.off += n
			lx.str(start)
			return
		}
		for lx.off < len(src) {
			b := src[lx.off]
			if isIdentByte(b) {
				lx.off++
				continue
			}
			if b >= utf8.RuneSelf {
				r, size := utf8.DecodeRuneInString(src[lx.off:])
				if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) {
					lx.off += size
					continue
				}
			}
			break
		}
		if lx.off == start { // a non-letter rune
			_, size := utf8.DecodeRuneInString(src[start:])
			lx.off += size
			lx.error(start, lx.off, CodeLexical, "illegal character "+strconv.Quote(src[start:lx.off]))
			lx.emit(ILLEGAL, start)
			return
		}
		lx.emit(NAME, start)
		return
	case isDigit(c) || c == '.' && start+1 < len(src) && isDigit(src[start+1]):
		lx.number()
		return
	case c == '"' || c == '\'':
		lx.str(start)
		return
	}
	for _, op := range ops3 {
		if strings.HasPrefix(src[start:], op) {
			lx.off += 3
			lx.emit(OP, start)
			return
		}
	}
	for _, op := range ops2 {
		if strings.HasPrefix(src[start:], op) {
			lx.off += 2
			lx.emit(OP, start)
			return
		}
	}
	if strings.IndexByte(ops1, c) >= 0 {
		lx.off++
		switch c {
		case '(', '[', '{':
			lx.parens++
		case ')', ']', '}':
			if lx.parens > 0 && (!lx.inside || lx.parens > 1) {
				lx.parens--
			}
		}
		lx.emit(OP, start)
		return
	}
	lx.off++
	if c == '!' {
		lx.error(start, lx.off, CodeSyntax, "'!' is not a Python operator (use not)")
	} else {
		lx.error(start, lx.off, CodeLexical, "illegal character "+strconv.Quote(src[start:lx.off]))
	}
	lx.emit(ILLEGAL, start)
}

// stringPrefix reports whether s starts with a string prefix (r, b, u, f
// and their two-letter combinations, any case) followed by a quote, and the
// prefix's length.
func stringPrefix(s string) (bool, int) {
	n := 0
	for n < len(s) && n < 3 {
		switch s[n] {
		case 'r', 'R', 'b', 'B', 'u', 'U', 'f', 'F':
			n++
			continue
		case '"', '\'':
			if n == 0 || n > 2 {
				return false, 0
			}
			p := strings.ToLower(s[:n])
			switch p {
			case "r", "b", "u", "f", "rb", "br", "fr", "rf":
				return true, n
			}
			return false, 0
		}
		return false, 0
	}
	return false, 0
}

// str scans a string literal whose prefix (if any) was consumed; start is
// where the prefix begins.
func (lx *lexer) str(start int) {
	src := lx.src
	prefix := strings.ToLower(src[start:lx.off])
	fstr := strings.Contains(prefix, "f")
	q := src[lx.off]
	triple := strings.HasPrefix(src[lx.off:], strings.Repeat(string(q), 3))
	if triple {
		lx.off += 3
	} else {
		lx.off++
	}
	depth := 0 // f-string replacement-field nesting
	for lx.off < len(src) {
		c := src[lx.off]
		switch {
		case c == '\\':
			lx.off += 2
			continue
		case fstr && c == '{':
			if depth == 0 && lx.off+1 < len(src) && src[lx.off+1] == '{' {
				lx.off += 2
				continue
			}
			depth++
		case fstr && c == '}':
			if depth > 0 {
				depth--
			}
		case fstr && depth > 0 && (c == '"' || c == '\'') && c != q:
			// A string inside a replacement field (with the other quote).
			lx.skipInner(c)
			continue
		case c == q:
			if !triple {
				lx.off++
				lx.emit(STRING, start)
				return
			}
			if strings.HasPrefix(src[lx.off:], strings.Repeat(string(q), 3)) {
				lx.off += 3
				lx.emit(STRING, start)
				return
			}
		case c == '\n' && !triple:
			lx.error(start, lx.off, CodeLexical, "string literal not terminated before the end of the line")
			lx.emit(STRING, start)
			return
		}
		lx.off++
	}
	lx.off = len(src)
	lx.error(start, lx.off, CodeLexical, "string literal not terminated")
	lx.emit(STRING, start)
}

// skipInner skips a simple quoted string inside an f-string field.
func (lx *lexer) skipInner(q byte) {
	src := lx.src
	lx.off++
	for lx.off < len(src) {
		switch src[lx.off] {
		case '\\':
			lx.off += 2
			continue
		case q:
			lx.off++
			return
		case '\n':
			return
		}
		lx.off++
	}
	lx.off = len(src)
}

func (lx *lexer) number() {
	src := lx.src
	start := lx.off
	if src[lx.off] == '0' && lx.off+1 < len(src) && strings.IndexByte("xXoObB", src[lx.off+1]) >= 0 {
		lx.off += 2
		for lx.off < len(src) && (isIdentByte(src[lx.off])) {
			lx.off++
		}
		lx.emit(NUMBER, start)
		return
	}
	digits := func() {
		for lx.off < len(src) && (isDigit(src[lx.off]) || src[lx.off] == '_') {
			lx.off++
		}
	}
	digits()
	if lx.off < len(src) && src[lx.off] == '.' {
		lx.off++
		digits()
	}
	if lx.off < len(src) && (src[lx.off] == 'e' || src[lx.off] == 'E') {
		save := lx.off
		lx.off++
		if lx.off < len(src) && (src[lx.off] == '+' || src[lx.off] == '-') {
			lx.off++
		}
		if lx.off < len(src) && isDigit(src[lx.off]) {
			digits()
		} else {
			lx.off = save
		}
	}
	if lx.off < len(src) && (src[lx.off] == 'j' || src[lx.off] == 'J') {
		lx.off++
	}
	if lx.off < len(src) && isIdentByte(src[lx.off]) {
		for lx.off < len(src) && isIdentByte(src[lx.off]) {
			lx.off++
		}
		lx.error(start, lx.off, CodeLexical, "invalid number literal "+strconv.Quote(src[start:lx.off]))
	}
	lx.emit(NUMBER, start)
}
