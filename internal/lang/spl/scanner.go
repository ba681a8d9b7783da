package spl

import (
	"strings"

	"github.com/detwiki/detwiki/internal/source"
)

// mode selects how the scanner reads the next token (see the package
// comment).
type mode uint8

const (
	modeSearch mode = iota // terms and comparisons of the search command
	modeValue              // the value after a comparison operator
	modeArgs               // command arguments
	modeEval               // eval expressions
)

// scanner reads tokens from a search string. It is driven by the parser,
// which asks for one token at a time in the mode it needs; the scanner keeps
// no state but its offset.
type scanner struct {
	src string
	off int
	// err reports a lexical error.
	err func(pos, end source.Pos, code, msg string)
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// skipSpace skips white space and ```comments```.
func (s *scanner) skipSpace() {
	for s.off < len(s.src) {
		c := s.src[s.off]
		if isSpace(c) {
			s.off++
			continue
		}
		if c == '`' && strings.HasPrefix(s.src[s.off:], "```") {
			start := s.off
			end := strings.Index(s.src[s.off+3:], "```")
			if end < 0 {
				s.off = len(s.src)
				s.error(start, s.off, CodeLexical, "comment not terminated: ``` without a closing ```")
				return
			}
			s.off += 3 + end + 3
			continue
		}
		return
	}
}

func (s *scanner) error(pos, end int, code, msg string) {
	if s.err != nil {
		s.err(source.Pos(pos), source.Pos(end), code, msg)
	}
}

// scan returns the next token in mode m and its byte range.
func (s *scanner) scan(m mode) (tok Token, pos, end int) {
	s.skipSpace()
	pos = s.off
	if s.off >= len(s.src) {
		return EOF, pos, pos
	}
	c := s.src[s.off]
	switch c {
	case '|':
		s.off++
		return PIPE, pos, s.off
	case '(':
		s.off++
		return LPAREN, pos, s.off
	case ')':
		s.off++
		return RPAREN, pos, s.off
	case '[':
		s.off++
		return LBRACK, pos, s.off
	case ']':
		s.off++
		return RBRACK, pos, s.off
	case ',':
		s.off++
		return COMMA, pos, s.off
	case '`':
		return s.scanMacro()
	}
	if m == modeEval {
		return s.scanEval()
	}
	switch c {
	case '=':
		if m == modeValue {
			break
		}
		s.off++
		if s.off < len(s.src) && s.src[s.off] == '=' {
			s.off++
			return EQL, pos, s.off
		}
		return EQ, pos, s.off
	case '!':
		if m != modeValue && s.off+1 < len(s.src) && s.src[s.off+1] == '=' {
			s.off += 2
			return NEQ, pos, s.off
		}
	case '<', '>':
		if m == modeSearch {
			s.off++
			if s.off < len(s.src) && s.src[s.off] == '=' {
				s.off++
				if c == '<' {
					return LEQ, pos, s.off
				}
				return GEQ, pos, s.off
			}
			if c == '<' {
				return LSS, pos, s.off
			}
			return GTR, pos, s.off
		}
	}
	return s.scanWord(m)
}

// wordStop reports whether c ends a bare word in mode m (a quote starts a
// joined quoted part instead).
func (s *scanner) wordStop(m mode, i int) bool {
	c := s.src[i]
	if isSpace(c) {
		return true
	}
	switch c {
	case '|', '(', ')', '[', ']', '`':
		return true
	case ',':
		return true
	case '=':
		return m != modeValue
	case '!':
		return m != modeValue && i+1 < len(s.src) && s.src[i+1] == '='
	case '<', '>':
		return m == modeSearch
	}
	return false
}

// scanWord reads a word made of bare runs and double-quoted parts written
// next to each other. A token that is one quoted part is a STRING.
func (s *scanner) scanWord(m mode) (Token, int, int) {
	pos := s.off
	parts := 0
	quotedOnly := true
	for s.off < len(s.src) {
		c := s.src[s.off]
		if c == '"' {
			s.scanQuoted('"')
			parts++
			continue
		}
		if c == '(' && m == modeValue && s.off > pos && !isDirective(s.src[pos:s.off]) {
			// A value written like a function call, relative_time(now(),
			// "-1d"), is one value.
			if at := s.off; !s.skipGroup() {
				s.off = at
				break
			}
			parts++
			quotedOnly = false
			continue
		}
		if s.wordStop(m, s.off) {
			break
		}
		quotedOnly = false
		if c == '\\' && s.off+1 < len(s.src) && s.src[s.off+1] != '\n' {
			s.off += 2
			continue
		}
		s.off++
		parts++
	}
	if s.off == pos {
		// A lone character no mode accepts here (cannot happen in value mode).
		s.off++
		s.error(pos, s.off, CodeLexical, "unexpected character "+quoteChar(s.src[pos]))
		return ILLEGAL, pos, s.off
	}
	if quotedOnly && parts == 1 {
		return STRING, pos, s.off
	}
	return WORD, pos, s.off
}

func isDirective(w string) bool { return strings.EqualFold(w, "CASE") || strings.EqualFold(w, "TERM") }

// skipGroup reads a balanced parenthesised group starting at the current
// offset, quoted strings included, and reports whether it found the closing
// parenthesis.
func (s *scanner) skipGroup() bool {
	depth := 0
	for s.off < len(s.src) {
		switch c := s.src[s.off]; c {
		case '"':
			if !s.scanQuotedOK() {
				return false
			}
			continue
		case '\\':
			if s.off+1 < len(s.src) {
				s.off++
			}
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				s.off++
				return true
			}
		case '|', '[', ']', '`':
			return false
		}
		s.off++
	}
	return false
}

// scanQuotedOK reads a double-quoted string inside a group without reporting
// an unterminated one (the caller backs off instead).
func (s *scanner) scanQuotedOK() bool {
	err := s.err
	s.err = nil
	start := s.off
	s.scanQuoted('"')
	s.err = err
	return s.off-start >= 2 && s.src[s.off-1] == '"' && (s.off-start > 2 || s.src[start+1] == '"')
}

// scanQuoted reads a quoted string starting at the current offset (the
// opening quote) up to and including the closing quote. A backslash escapes
// the next character.
func (s *scanner) scanQuoted(q byte) {
	pos := s.off
	s.off++
	for s.off < len(s.src) {
		c := s.src[s.off]
		if c == '\\' && s.off+1 < len(s.src) {
			s.off += 2
			continue
		}
		s.off++
		if c == q {
			return
		}
	}
	what := "string"
	if q == '\'' {
		what = "quoted field name"
	}
	s.error(pos, s.off, CodeLexical, what+" not terminated")
}

// scanMacro reads a `macro` call up to its closing backtick.
func (s *scanner) scanMacro() (Token, int, int) {
	pos := s.off
	end := strings.IndexByte(s.src[s.off+1:], '`')
	if end < 0 {
		s.off = len(s.src)
		s.error(pos, s.off, CodeLexical, "macro call not terminated: ` without a closing `")
		return ILLEGAL, pos, s.off
	}
	s.off += 1 + end + 1
	return MACRO, pos, s.off
}

// scanEval reads one token of the eval expression language.
func (s *scanner) scanEval() (Token, int, int) {
	pos := s.off
	c := s.src[s.off]
	switch {
	case c == '"':
		s.scanQuoted('"')
		return STRING, pos, s.off
	case c == '\'':
		s.scanQuoted('\'')
		return FIELDSTR, pos, s.off
	case isDigit(c) || c == '.' && s.off+1 < len(s.src) && isDigit(s.src[s.off+1]):
		return s.scanNumber()
	case isLetter(c) || c == '@' || c == '{' || c >= 0x80:
		s.scanIdent()
		return WORD, pos, s.off
	case c == '<' && strings.HasPrefix(s.src[s.off:], "<<"):
		// A foreach template field: <<FIELD>>, <<MATCHSTR>>, ...
		if end := strings.Index(s.src[s.off+2:], ">>"); end >= 0 && isTemplateName(s.src[s.off+2:s.off+2+end]) {
			s.off += 2 + end + 2
			s.scanIdent()
			return WORD, pos, s.off
		}
	}
	s.off++
	two := func(next byte, t2, t1 Token) (Token, int, int) {
		if s.off < len(s.src) && s.src[s.off] == next {
			s.off++
			return t2, pos, s.off
		}
		return t1, pos, s.off
	}
	switch c {
	case '=':
		return two('=', EQL, EQ)
	case '!':
		if s.off < len(s.src) && s.src[s.off] == '=' {
			s.off++
			return NEQ, pos, s.off
		}
	case '<':
		return two('=', LEQ, LSS)
	case '>':
		return two('=', GEQ, GTR)
	case '+':
		return ADD, pos, s.off
	case '-':
		return SUB, pos, s.off
	case '*':
		return MUL, pos, s.off
	case '/':
		return QUO, pos, s.off
	case '%':
		return REM, pos, s.off
	case '.':
		return CONCAT, pos, s.off
	}
	s.error(pos, s.off, CodeLexical, "unexpected character "+quoteChar(c)+" in an eval expression")
	return ILLEGAL, pos, s.off
}

func isTemplateName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// scanIdent reads the rest of an eval identifier: letters, digits, '_', '@',
// '{...}' templates, '<<FIELD>>' templates and '.' between name parts
// (Processes.process_name is one field name).
func (s *scanner) scanIdent() {
	for s.off < len(s.src) {
		c := s.src[s.off]
		switch {
		case isLetter(c) || isDigit(c) || c == '@' || c >= 0x80:
			s.off++
		case c == '{':
			end := strings.IndexByte(s.src[s.off:], '}')
			if end < 0 {
				return
			}
			s.off += end + 1
		case (c == '.' || c == ':') && s.off+1 < len(s.src) && (isLetter(s.src[s.off+1]) || isDigit(s.src[s.off+1]) || s.src[s.off+1] == '{'):
			s.off++
		case c == '<' && strings.HasPrefix(s.src[s.off:], "<<"):
			end := strings.Index(s.src[s.off+2:], ">>")
			if end < 0 || !isTemplateName(s.src[s.off+2:s.off+2+end]) {
				return
			}
			s.off += 2 + end + 2
		default:
			return
		}
	}
}

func (s *scanner) scanNumber() (Token, int, int) {
	pos := s.off
	for s.off < len(s.src) && isDigit(s.src[s.off]) {
		s.off++
	}
	if s.off+1 < len(s.src) && s.src[s.off] == '.' && isDigit(s.src[s.off+1]) {
		s.off++
		for s.off < len(s.src) && isDigit(s.src[s.off]) {
			s.off++
		}
	}
	if s.off < len(s.src) && (s.src[s.off] == 'e' || s.src[s.off] == 'E') {
		i := s.off + 1
		if i < len(s.src) && (s.src[i] == '+' || s.src[i] == '-') {
			i++
		}
		if i < len(s.src) && isDigit(s.src[i]) {
			s.off = i
			for s.off < len(s.src) && isDigit(s.src[s.off]) {
				s.off++
			}
		}
	}
	// A number glued to letters (5minutes) is a field name that should have
	// been quoted; read it as one identifier so the error is about it.
	if s.off < len(s.src) && (isLetter(s.src[s.off])) {
		s.scanIdent()
		return WORD, pos, s.off
	}
	return NUMBER, pos, s.off
}

func quoteChar(c byte) string {
	if c < 0x20 || c >= 0x7f {
		return "0x" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15]))
	}
	return "'" + string(c) + "'"
}

// Unquote decodes the text of a word or string token: double-quoted parts lose
// their quotes, and inside and outside them a backslash followed by a
// backslash or a double quote stands for that character. Other backslash
// sequences (\d, \x00) are kept as written, as Splunk does for the regular
// expressions they usually belong to.
func Unquote(raw string) string {
	if strings.IndexByte(raw, '"') < 0 && strings.IndexByte(raw, '\\') < 0 {
		return raw
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch c {
		case '"':
			continue
		case '\\':
			if i+1 < len(raw) && (raw[i+1] == '\\' || raw[i+1] == '"') {
				b.WriteByte(raw[i+1])
				i++
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// unquoteField decodes a 'single-quoted field name'.
func unquoteField(raw string) string {
	if len(raw) >= 2 && raw[0] == '\'' && raw[len(raw)-1] == '\'' {
		raw = raw[1 : len(raw)-1]
	} else if len(raw) >= 1 && raw[0] == '\'' {
		raw = raw[1:]
	}
	if strings.IndexByte(raw, '\\') < 0 {
		return raw
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		if raw[i] == '\\' && i+1 < len(raw) && (raw[i+1] == '\\' || raw[i+1] == '\'') {
			i++
		}
		b.WriteByte(raw[i])
	}
	return b.String()
}
