package python

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/source"
)

// strings reads one or more adjacent string literals into one Str.
func (p *parser) strings() Expr {
	first := p.tok()
	s := &Str{From: first.Pos}
	var b strings.Builder
	for p.tok().Kind == STRING {
		t := p.advance()
		s.Parts = append(s.Parts, t.Text)
		prefix, q, body, _ := splitString(t.Text)
		lp := strings.ToLower(prefix)
		raw := strings.Contains(lp, "r")
		if strings.Contains(lp, "b") {
			s.Bytes = true
		}
		bodyPos := int(t.Pos) + len(prefix) + len(q)
		if strings.Contains(lp, "f") {
			s.FString = true
			p.fstring(&b, s, body, bodyPos, raw)
		} else {
			b.WriteString(decodeEscapes(body, raw))
		}
		s.To = t.End
	}
	s.Value = b.String()
	return s
}

// splitString splits a string token into prefix, quote, body and whether it
// is terminated, the way the lexer scanned it.
func splitString(text string) (prefix, quote, body string, terminated bool) {
	i := 0
	for i < len(text) && text[i] != '"' && text[i] != '\'' {
		i++
	}
	prefix = text[:i]
	rest := text[i:]
	if rest == "" {
		return prefix, "", "", false
	}
	q := rest[:1]
	if strings.HasPrefix(rest, q+q+q) {
		if len(rest) >= 6 && strings.HasSuffix(rest, q+q+q) {
			return prefix, q + q + q, rest[3 : len(rest)-3], true
		}
		return prefix, q + q + q, rest[3:], false
	}
	if len(rest) >= 2 && strings.HasSuffix(rest, q) && !escapedEnd(rest[:len(rest)-1]) {
		return prefix, q, rest[1 : len(rest)-1], true
	}
	return prefix, q, rest[1:], false
}

// escapedEnd reports whether s ends with an odd number of backslashes.
func escapedEnd(s string) bool {
	n := 0
	for n < len(s) && s[len(s)-1-n] == '\\' {
		n++
	}
	return n%2 == 1
}

// decodeEscapes decodes the backslash escapes of a (non-raw) string body.
func decodeEscapes(body string, raw bool) string {
	if raw || strings.IndexByte(body, '\\') < 0 {
		return body
	}
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' || i+1 >= len(body) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := body[i]; e {
		case '\n':
			// line continuation inside the string
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+1+n <= len(body) {
				if v, err := strconv.ParseUint(body[i+1:i+1+n], 16, 32); err == nil && utf8.ValidRune(rune(v)) {
					b.WriteRune(rune(v))
					i += n
					continue
				}
			}
			b.WriteByte('\\')
			b.WriteByte(e)
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(body) && j < i+3 && body[j] >= '0' && body[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(body[i:j], 8, 32)
			b.WriteRune(rune(v))
			i = j - 1
		default:
			// Unknown escapes (\d, \s in regular expressions) stay as written.
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String()
}

// fstring decodes an f-string body into b, parsing its replacement fields
// into s.Fields. bodyPos is the body's offset in the file.
func (p *parser) fstring(b *strings.Builder, s *Str, body string, bodyPos int, raw bool) {
	lit := 0 // start of the pending literal text
	flush := func(end int) {
		if end > lit {
			b.WriteString(decodeEscapes(body[lit:end], raw))
		}
	}
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '\\':
			i++
		case '{':
			if i+1 < len(body) && body[i+1] == '{' {
				flush(i + 1)
				i++
				lit = i + 1
				continue
			}
			flush(i)
			end := p.field(s, body, i, bodyPos)
			b.WriteString(body[i:end])
			i = end - 1
			lit = end
		case '}':
			if i+1 < len(body) && body[i+1] == '}' {
				flush(i + 1)
				i++
				lit = i + 1
				continue
			}
			p.errs.Add(source.Pos(bodyPos+i), source.Pos(bodyPos+i+1), CodeSyntax, "single '}' is not allowed in an f-string")
		}
	}
	flush(len(body))
}

// field parses the replacement field that starts at body[open] ('{') and
// returns the offset just past its closing '}'.
func (p *parser) field(s *Str, body string, open, bodyPos int) int {
	depth := 0
	exprEnd := -1
	i := open + 1
	for ; i < len(body); i++ {
		c := body[i]
		switch c {
		case '\'', '"':
			j := i + 1
			for j < len(body) && body[j] != c {
				if body[j] == '\\' {
					j++
				}
				j++
			}
			i = j
		case '(', '[', '{':
			depth++
		case ')', ']':
			if depth > 0 {
				depth--
			}
		case '}':
			if depth > 0 {
				depth--
				continue
			}
			if exprEnd < 0 {
				exprEnd = i
			}
			p.fieldExpr(s, body, open+1, exprEnd, bodyPos)
			return i + 1
		case '!':
			if depth == 0 && exprEnd < 0 && !(i+1 < len(body) && body[i+1] == '=') {
				exprEnd = i
			}
		case ':':
			if depth == 0 && exprEnd < 0 {
				exprEnd = i
				// The format spec runs to the matching '}' and may hold
				// nested fields.
			}
		}
	}
	p.errs.Add(source.Pos(bodyPos+open), source.Pos(bodyPos+len(body)), CodeSyntax, "f-string: expecting '}'")
	if exprEnd < 0 {
		exprEnd = len(body)
	}
	p.fieldExpr(s, body, open+1, exprEnd, bodyPos)
	return len(body)
}

// fieldExpr parses body[from:to], the expression of a replacement field
// (a trailing '=' of a self-documenting field is dropped).
func (p *parser) fieldExpr(s *Str, body string, from, to, bodyPos int) {
	text := body[from:to]
	trimmed := strings.TrimRight(text, " \t\n")
	if strings.HasSuffix(trimmed, "=") && !strings.HasSuffix(trimmed, "==") && !strings.HasSuffix(trimmed, "!=") &&
		!strings.HasSuffix(trimmed, "<=") && !strings.HasSuffix(trimmed, ">=") {
		text = trimmed[:len(trimmed)-1]
	}
	if strings.TrimSpace(text) == "" {
		p.errs.Add(source.Pos(bodyPos+from-1), source.Pos(bodyPos+to), CodeSyntax, "f-string: empty expression not allowed")
		return
	}
	sub := &parser{src: p.src, depth: p.depth}
	sub.toks = lexInside(text, bodyPos+from, &sub.errs)
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(bailout); !ok {
					panic(r)
				}
			}
		}()
		x := sub.starExprs()
		if t := sub.tok(); t.Kind != EOF {
			sub.errorf(t, "f-string: unexpected "+t.describe()+" in the replacement field")
		}
		s.Fields = append(s.Fields, x)
	}()
	p.errs = append(p.errs, sub.errs...)
}
