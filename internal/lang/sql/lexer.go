package sql

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/source"
)

// Kind is the lexical class of a token.
type Kind uint8

// Token kinds.
const (
	ILLEGAL  Kind = iota
	EOF           // end of input
	IDENT         // names and keywords (select, eventName)
	QIDENT        // "quoted name"
	STRING        // 'text' ('' and \ escapes)
	NUMBER        // 12, 1.5, 1e3
	VAR           // $1, $name, ?
	TEMPLATE      // {{ ... }} or {% ... %} (a templated query)
	OP            // operators and punctuation
)

var kindNames = [...]string{ILLEGAL: "illegal character", EOF: "end of query", IDENT: "name",
	QIDENT: "quoted name", STRING: "string", NUMBER: "number", VAR: "variable",
	TEMPLATE: "template tag", OP: "operator"}

// String names the kind for error messages.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "token(" + strconv.Itoa(int(k)) + ")"
}

// Token is one lexical token.
type Token struct {
	Kind Kind
	Pos  source.Pos
	End  source.Pos
	Text string
}

// keyword reports whether the token is the (case-insensitive) keyword kw.
func (t Token) keyword(kw string) bool {
	return t.Kind == IDENT && strings.EqualFold(t.Text, kw)
}

func (t Token) describe() string {
	switch t.Kind {
	case EOF:
		return "end of query"
	case IDENT, QIDENT, NUMBER, VAR, OP:
		return "'" + t.Text + "'"
	case STRING:
		if len(t.Text) <= 24 {
			return "string " + t.Text
		}
		return "string"
	case TEMPLATE:
		return "template tag"
	}
	return t.Kind.String()
}

func isIdentStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentByte(c byte) bool  { return isIdentStart(c) || isDigit(c) || c == '$' }

var ops2 = []string{"<=", ">=", "<>", "!=", "==", "||", "::", "=>", "->"}

const ops1 = "=<>()[],.;:*+-/%|{}"

// lex scans a query into tokens (ending with EOF). Comments (-- //
// /* */) are skipped.
func lex(src string, errs *ErrorList) []Token {
	toks := make([]Token, 0, len(src)/4+8)
	off := 0
	emit := func(k Kind, start int) {
		toks = append(toks, Token{Kind: k, Pos: source.Pos(start), End: source.Pos(off), Text: src[start:off]})
	}
	for off < len(src) {
		c := src[off]
		start := off
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			off++
		case c == '-' && strings.HasPrefix(src[off:], "--"), c == '/' && strings.HasPrefix(src[off:], "//"):
			for off < len(src) && src[off] != '\n' {
				off++
			}
		case c == '/' && strings.HasPrefix(src[off:], "/*"):
			end := strings.Index(src[off+2:], "*/")
			if end < 0 {
				off = len(src)
				errs.Add(source.Pos(start), source.Pos(off), CodeLexical, "comment not terminated")
			} else {
				off += end + 4
			}
		case c == '{' && (strings.HasPrefix(src[off:], "{{") || strings.HasPrefix(src[off:], "{%") || strings.HasPrefix(src[off:], "{#")):
			closer := map[byte]string{'{': "}}", '%': "%}", '#': "#}"}[src[off+1]]
			end := strings.Index(src[off+2:], closer)
			if end < 0 {
				off = len(src)
				errs.Add(source.Pos(start), source.Pos(off), CodeLexical, "template tag not terminated")
			} else {
				off += end + 4
			}
			emit(TEMPLATE, start)
		case isIdentStart(c) || c >= utf8.RuneSelf:
			for off < len(src) && (isIdentByte(src[off]) || src[off] >= utf8.RuneSelf) {
				off++
			}
			emit(IDENT, start)
		case isDigit(c) || c == '.' && off+1 < len(src) && isDigit(src[off+1]):
			for off < len(src) && (isDigit(src[off]) || src[off] == '.') {
				off++
			}
			if off < len(src) && (src[off] == 'e' || src[off] == 'E') {
				j := off + 1
				if j < len(src) && (src[j] == '+' || src[j] == '-') {
					j++
				}
				if j < len(src) && isDigit(src[j]) {
					off = j
					for off < len(src) && isDigit(src[off]) {
						off++
					}
				}
			}
			emit(NUMBER, start)
		case c == '\'':
			off++
			closed := false
			for off < len(src) {
				if src[off] == '\\' {
					off += 2
					continue
				}
				if src[off] == '\'' {
					if off+1 < len(src) && src[off+1] == '\'' {
						off += 2
						continue
					}
					off++
					closed = true
					break
				}
				off++
			}
			if off > len(src) {
				off = len(src)
			}
			if !closed {
				errs.Add(source.Pos(start), source.Pos(off), CodeLexical, "string not terminated")
			}
			emit(STRING, start)
		case c == '"':
			off++
			for off < len(src) && src[off] != '"' {
				off++
			}
			if off >= len(src) {
				errs.Add(source.Pos(start), source.Pos(off), CodeLexical, "quoted name not terminated")
			} else {
				off++
			}
			emit(QIDENT, start)
		case c == '$' || c == '?':
			off++
			for off < len(src) && isIdentByte(src[off]) {
				off++
			}
			emit(VAR, start)
		default:
			matched := false
			for _, op := range ops2 {
				if strings.HasPrefix(src[off:], op) {
					off += 2
					matched = true
					break
				}
			}
			if !matched && strings.IndexByte(ops1, c) >= 0 {
				off++
				matched = true
			}
			if matched {
				emit(OP, start)
				continue
			}
			off++
			errs.Add(source.Pos(start), source.Pos(off), CodeLexical, "illegal character "+strconv.Quote(src[start:off]))
			emit(ILLEGAL, start)
		}
	}
	// The end of the query is reported where its text ends, not after the
	// trailing newlines of a YAML block.
	end := len(strings.TrimRight(src, " \t\r\n"))
	if n := len(toks); n > 0 && int(toks[n-1].End) > end {
		end = int(toks[n-1].End)
	}
	toks = append(toks, Token{Kind: EOF, Pos: source.Pos(end), End: source.Pos(end)})
	return toks
}

// unquote decodes a 'string' token.
func unquote(text string) string {
	if len(text) < 2 || text[0] != '\'' {
		return text
	}
	body := text[1:]
	if strings.HasSuffix(body, "'") {
		body = body[:len(body)-1]
	}
	if strings.IndexByte(body, '\\') < 0 && !strings.Contains(body, "''") {
		return body
	}
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\'' && i+1 < len(body) && body[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case c == '\\' && i+1 < len(body):
			i++
			switch body[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			default:
				b.WriteByte(body[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
