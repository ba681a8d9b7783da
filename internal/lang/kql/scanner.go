package kql

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/source"
)

// lexeme is one scanned token: its kind, its byte span and what precedes it.
type lexeme struct {
	pos  int32
	end  int32
	err  int32 // 1 + index in Scanner.Errors of the token's lexical error, or 0
	kind Token
	nl   bool // the trivia before the token holds a line break
	sp   bool // the token is preceded by trivia (space or comments)
	kwid bool // an IDENT spelled like a keyword (project in project-awayx)
}

// Scanner splits KQL text into tokens the way Kusto's lexer does: keywords
// are matched longest first (project-away, hint.strategy, !in~, matches
// regex), typed literals such as datetime(2024-01-01) are single tokens, and
// comments are kept aside with their positions. Lexical errors (an
// unterminated string, a character that is not part of the language) are
// collected in Errors.
type Scanner struct {
	src      string
	pos      int
	kwid     bool
	Comments []*Comment // every // comment, in source order
	Errors   []*Error   // lexical errors, in source order
}

// Init prepares s to scan src from the start.
func (s *Scanner) Init(src string) {
	s.src = src
	s.pos = 0
	s.Comments = s.Comments[:0]
	s.Errors = s.Errors[:0]
}

// Scan returns the next token and its span. At the end of the text it returns
// EOF with an empty span at len(src).
func (s *Scanner) Scan() (tok Token, pos, end source.Pos) {
	l := s.next()
	return l.kind, source.Pos(l.pos), source.Pos(l.end)
}

// scanAll tokenizes the whole text, ending with an EOF lexeme.
func (s *Scanner) scanAll(buf []lexeme) []lexeme {
	for {
		l := s.next()
		buf = append(buf, l)
		if l.kind == EOF {
			return buf
		}
	}
}

func (s *Scanner) errorf(pos, end int, msg string) {
	s.Errors = append(s.Errors, &Error{Pos: source.Pos(pos), End: source.Pos(end), Msg: msg, Code: codeLexical})
}

// skipTrivia skips whitespace and comments, reporting whether it crossed a
// line break.
func (s *Scanner) skipTrivia() (nl bool) {
	src := s.src
	for s.pos < len(src) {
		c := src[s.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\f':
			s.pos++
		case c == '\n' || c == '\r':
			nl = true
			s.pos++
		case c == '/' && s.pos+1 < len(src) && src[s.pos+1] == '/':
			start := s.pos
			e := lineEnd(src, start+2)
			s.Comments = append(s.Comments, &Comment{Slash: source.Pos(start), Text: src[start:e]})
			s.pos = e
			if n := unicodeLineBreak(src, e); n > 0 {
				// U+2028/U+2029 end the comment and belong to it.
				s.pos += n
				nl = true
			}
		case c >= 0x80:
			r, n := utf8.DecodeRuneInString(src[s.pos:])
			if !isUnicodeSpace(r) {
				return nl
			}
			s.pos += n
		default:
			return nl
		}
	}
	return nl
}

// lineEnd returns the offset of the first line break at or after i: \r,
// \n, U+2028 or U+2029 (the line breaks of Kusto's lexer).
func lineEnd(src string, i int) int {
	for i < len(src) {
		switch c := src[i]; {
		case c == '\n' || c == '\r':
			return i
		case c == 0xE2 && unicodeLineBreak(src, i) > 0:
			return i
		}
		i++
	}
	return i
}

// unicodeLineBreak returns the length of a U+2028 or U+2029 at i, or 0.
func unicodeLineBreak(src string, i int) int {
	if len(src)-i >= 3 && src[i] == 0xE2 && src[i+1] == 0x80 && (src[i+2] == 0xA8 || src[i+2] == 0xA9) {
		return 3
	}
	return 0
}

func isUnicodeSpace(r rune) bool {
	switch r {
	case 0xa0, 0x1680, 0x180e, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200b
}

func isLetter(c byte) bool       { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool        { return c >= '0' && c <= '9' }
func isHex(c byte) bool          { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }
func isIdentChar(c byte) bool    { return isLetter(c) || isDigit(c) || c == '_' }
func isIdentStart(c byte) bool   { return isLetter(c) || c == '_' || c == '$' }
func isQuoteStart(c byte) bool   { return c == '\'' || c == '"' || c == '`' || c == '~' }
func (s *Scanner) at(i int) byte { return peek(s.src, i) }

func peek(src string, i int) byte {
	if i < len(src) {
		return src[i]
	}
	return 0
}

// next scans one token.
func (s *Scanner) next() lexeme {
	start0 := s.pos
	nl := s.skipTrivia()
	l := lexeme{nl: nl, sp: s.pos > start0, pos: int32(s.pos)}
	nerr := len(s.Errors)
	s.kwid = false
	kind, end := s.token()
	s.pos = end
	l.kind, l.end, l.kwid = kind, int32(end), s.kwid
	if len(s.Errors) > nerr {
		l.err = int32(nerr + 1)
	}
	return l
}

// token scans the token at s.pos and returns its kind and end offset.
func (s *Scanner) token() (Token, int) {
	src, pos := s.src, s.pos
	if pos >= len(src) {
		return EOF, pos
	}
	c := src[pos]
	switch c {
	case '(':
		return LPAREN, pos + 1
	case ')':
		return RPAREN, pos + 1
	case '[':
		return LBRACK, pos + 1
	case ']':
		return RBRACK, pos + 1
	case '{':
		return LBRACE, pos + 1
	case '}':
		return RBRACE, pos + 1
	case '|':
		return BAR, pos + 1
	case '.':
		if s.at(pos+1) == '.' {
			return DOTDOT, pos + 2
		}
		return DOT, pos + 1
	case '+':
		return ADD, pos + 1
	case '-':
		return SUB, pos + 1
	case '*':
		return MUL, pos + 1
	case '/':
		return QUO, pos + 1
	case '%':
		return REM, pos + 1
	case '<':
		switch s.at(pos + 1) {
		case '=':
			return LEQ, pos + 2
		case '|':
			return LTBAR, pos + 2
		case '>':
			return LSSGTR, pos + 2
		}
		return LSS, pos + 1
	case '>':
		if s.at(pos+1) == '=' {
			return GEQ, pos + 2
		}
		return GTR, pos + 1
	case '=':
		switch s.at(pos + 1) {
		case '=':
			return EQL, pos + 2
		case '>':
			return FATARROW, pos + 2
		case '~':
			return EQTILDE, pos + 2
		}
		return ASSIGN, pos + 1
	case ':':
		return COLON, pos + 1
	case ';':
		return SEMICOLON, pos + 1
	case ',':
		return COMMA, pos + 1
	case '?':
		return QUESTION, pos + 1
	case '!':
		switch s.at(pos + 1) {
		case '=':
			return NEQ, pos + 2
		case '~':
			return NEQTILDE, pos + 2
		}
		return s.bang(pos)
	case '\'', '"':
		return s.stringLit(pos)
	case '`', '~':
		if end, ok := s.multiLine(pos, pos); ok {
			return STRING, end
		}
		return s.bad(pos)
	case '@':
		if isQuoteStart(s.at(pos + 1)) {
			if end, ok := s.tryString(pos); ok {
				return STRING, end
			}
		}
		return AT, pos + 1
	case '#':
		return DIRECTIVE, lineEnd(src, pos)
	}
	if isIdentStart(c) {
		return s.word(pos)
	}
	if isDigit(c) {
		return s.number(pos)
	}
	return s.bad(pos)
}

// bad reports the character at pos as not part of the language.
func (s *Scanner) bad(pos int) (Token, int) {
	r, n := utf8.DecodeRuneInString(s.src[pos:])
	if n == 0 {
		n = 1
	}
	s.errorf(pos, pos+n, "Unexpected: "+shownChar(r, s.src[pos:pos+n]))
	return ILLEGAL, pos + n
}

// shownChar is how an error message shows the character text (whose rune is
// r): as it is when it is printable, else escaped (\x1b, \xff, \u200b), so a
// message never carries control characters or invalid UTF-8 to a terminal.
func shownChar(r rune, text string) string {
	if r != utf8.RuneError && unicode.IsPrint(r) {
		return text
	}
	return strings.Trim(strconv.QuoteToASCII(text), `"`)
}

// bang scans the keywords starting with '!' (!has, !in~, !between, ...).
func (s *Scanner) bang(pos int) (Token, int) {
	best, bestEnd := BANG, pos+1
	rest := s.src[pos:]
	for _, t := range bangKeywords {
		text := tokens[t].text
		if len(text) > bestEnd-pos && len(rest) >= len(text) && rest[:len(text)] == text {
			best, bestEnd = t, pos+len(text)
		}
	}
	if isIdentChar(s.at(bestEnd)) {
		return s.bad(pos)
	}
	return best, bestEnd
}

// word scans an identifier, a keyword, a boolean literal, a typed literal
// such as datetime(...) or an obfuscated h"..." string.
func (s *Scanner) word(pos int) (Token, int) {
	src := s.src
	end := pos + 1
	for end < len(src) && isIdentChar(src[end]) {
		end++
	}
	w := src[pos:end]
	best, bestEnd := Token(0), pos
	// Every keyword starts with a lower-case letter or '_': the PascalCase
	// names that make up most of a query skip the keyword lookup.
	if c := src[pos]; c >= 'a' || c == '_' {
		if t, ok := keywords[w]; ok {
			best, bestEnd = t, end
		}
	}
	if end < len(src) {
		var cands []Token
		switch src[end] {
		case '-':
			cands = compounds[w]
		case '.':
			if w == "hint" {
				cands = compounds[w]
			}
		case ' ':
			if w == "matches" {
				cands = compounds[w]
			}
		case '~':
			if w == "in" {
				cands = compounds[w]
			}
		}
		if len(cands) > 0 {
			for _, t := range cands {
				text := tokens[t].text
				if len(text) > bestEnd-pos && len(src)-pos >= len(text) && src[pos:pos+len(text)] == text {
					best, bestEnd = t, pos+len(text)
				}
			}
		}
	}
	if best != 0 {
		if s.at(bestEnd) == '(' {
			if lit := gooKind(best); lit != 0 {
				return lit, s.goo(bestEnd)
			}
		}
		if !isIdentChar(s.at(bestEnd)) {
			return best, bestEnd
		}
		// The longest keyword runs into more identifier characters: Kusto
		// then reads the plain word as an identifier.
		_, s.kwid = keywords[w]
		return IDENT, end
	}
	switch w {
	case "true", "false", "True", "False", "TRUE", "FALSE":
		return BOOL, end
	}
	if isHex(src[pos]) {
		if n := rawGUIDLen(src, pos); n > 0 {
			return RAWGUID, pos + n
		}
	}
	if end == pos+1 && (w == "h" || w == "H") {
		if c := s.at(end); isQuoteStart(c) || c == '@' {
			if e, ok := s.tryString(pos); ok {
				return STRING, e
			}
		}
	}
	return IDENT, end
}

// gooKind returns the literal kind of a typed literal keyword (long(...),
// datetime(...)), or 0.
func gooKind(t Token) Token {
	switch t {
	case TYPE_LONG, TYPE_INT64:
		return LONG
	case TYPE_INT, TYPE_INT32:
		return INT
	case TYPE_REAL, TYPE_DOUBLE:
		return REAL
	case TYPE_DECIMAL:
		return DECIMAL
	case TYPE_BOOL:
		return BOOL
	case TYPE_DATETIME, TYPE_DATE:
		return DATETIME
	case TYPE_TIME, TYPE_TIMESPAN:
		return TIMESPAN
	case TYPE_GUID:
		return GUID
	}
	return 0
}

// goo scans the parenthesized body of a typed literal starting at the '('.
// The body may not span lines.
func (s *Scanner) goo(pos int) int {
	src := s.src
	e := pos + 1
	for e < len(src) && src[e] != ')' && src[e] != '\n' && src[e] != '\r' && unicodeLineBreak(src, e) == 0 {
		e++
	}
	if e < len(src) && src[e] == ')' {
		return e + 1
	}
	s.errorf(e, e, "Missing: )")
	return e
}

func rawGUIDLen(src string, pos int) int {
	if len(src)-pos < 36 {
		return -1
	}
	g := src[pos : pos+36]
	for i := 0; i < 36; i++ {
		switch i {
		case 8, 13, 18, 23:
			if g[i] != '-' {
				return -1
			}
		default:
			if !isHex(g[i]) {
				return -1
			}
		}
	}
	return 36
}

var timespanSuffixes = map[string]bool{
	"m": true, "min": true, "minute": true, "minutes": true,
	"s": true, "sec": true, "second": true, "seconds": true,
	"d": true, "day": true, "days": true,
	"h": true, "hr": true, "hrs": true, "hour": true, "hours": true,
	"ms": true, "milli": true, "millis": true, "millisec": true, "millisecond": true, "milliseconds": true,
	"micro": true, "micros": true, "microsec": true, "microsecond": true, "microseconds": true,
	"nano": true, "nanos": true, "nanosec": true, "nanosecond": true, "nanoseconds": true,
	"tick": true, "ticks": true,
}

func isTimespanSuffix(w string) bool {
	switch w {
	case "d", "h", "m", "s", "ms":
		return true
	}
	return timespanSuffixes[w]
}

// number scans a token starting with a digit: a raw guid, a real, a
// timespan, a long or an identifier such as 1st.
func (s *Scanner) number(pos int) (Token, int) {
	src := s.src
	if n := rawGUIDLen(src, pos); n > 0 {
		return RAWGUID, pos + n
	}
	if len(src)-pos >= 7 && src[pos:pos+7] == "3Dchart" && !isIdentChar(s.at(pos+7)) {
		return CHART3D, pos + 7
	}
	d := pos
	for d < len(src) && isDigit(src[d]) {
		d++
	}
	// real: digits '.' [digits] [exponent] | digits exponent
	if e := s.realEnd(pos, d); e > 0 {
		return REAL, e
	}
	// timespan: digits ['.' digits] suffix
	n := d
	if s.at(n) == '.' && isDigit(s.at(n+1)) {
		n++
		for n < len(src) && isDigit(src[n]) {
			n++
		}
	}
	w := n
	for w < len(src) && isIdentChar(src[w]) {
		w++
	}
	if w > n && isTimespanSuffix(src[n:w]) {
		return TIMESPAN, w
	}
	// long: hex or decimal digits
	if src[pos] == '0' && (s.at(pos+1) == 'x' || s.at(pos+1) == 'X') && isHex(s.at(pos+2)) {
		h := pos + 2
		for h < len(src) && isHex(src[h]) {
			h++
		}
		if !isIdentChar(s.at(h)) {
			return LONG, h
		}
	}
	if !isIdentChar(s.at(d)) {
		return LONG, d
	}
	// identifier starting with digits: must continue with a letter or '_'
	if c := s.at(d); isLetter(c) || c == '_' {
		e := d
		for e < len(src) && isIdentChar(src[e]) {
			e++
		}
		return IDENT, e
	}
	return s.bad(pos)
}

// realEnd returns the end of a real literal whose digits span [pos, d), or -1.
func (s *Scanner) realEnd(pos, d int) int {
	src := s.src
	e := d
	if s.at(e) == '.' && (s.at(e+1) != '.' || s.at(e+2) == '.') {
		e++
		for e < len(src) && isDigit(src[e]) {
			e++
		}
		if x := s.exponent(e); x > 0 {
			e = x
		}
	} else {
		x := s.exponent(e)
		if x < 0 {
			return -1
		}
		e = x
	}
	if isIdentChar(s.at(e)) {
		return -1
	}
	return e
}

func (s *Scanner) exponent(pos int) int {
	if c := s.at(pos); c != 'e' && c != 'E' {
		return -1
	}
	e := pos + 1
	if c := s.at(e); c == '+' || c == '-' {
		e++
	}
	if !isDigit(s.at(e)) {
		return -1
	}
	for e < len(s.src) && isDigit(s.src[e]) {
		e++
	}
	return e
}

// stringLit scans a quoted string starting at pos.
func (s *Scanner) stringLit(pos int) (Token, int) {
	end, _ := s.tryString(pos)
	return STRING, end
}

// tryString scans a string literal at pos: [hH][@]('...'|"..."|```...```|~~~...~~~).
// It reports false when pos does not start a string.
func (s *Scanner) tryString(pos int) (int, bool) {
	src := s.src
	p := pos
	if c := s.at(p); c == 'h' || c == 'H' {
		p++
	}
	verbatim := false
	if s.at(p) == '@' {
		verbatim = true
		p++
	}
	q := s.at(p)
	if q != '\'' && q != '"' {
		return s.multiLine(pos, p)
	}
	p++
	for p < len(src) {
		c := src[p]
		if c == q {
			if verbatim && s.at(p+1) == q {
				p += 2
				continue
			}
			break
		}
		if c == '\\' && !verbatim {
			n := escapeLen(src, p)
			if n < 0 {
				break
			}
			p += n
			continue
		}
		if c == '\n' || c == '\r' {
			break
		}
		p++
	}
	if s.at(p) == q {
		return p + 1, true
	}
	s.errorf(p, p, "Missing: "+string(q))
	return p, true
}

// multiLine scans a ```...``` or ~~~...~~~ string whose quote starts at p.
func (s *Scanner) multiLine(pos, p int) (int, bool) {
	src := s.src
	if len(src)-p < 3 {
		return 0, false
	}
	quote := src[p : p+3]
	if quote != "```" && quote != "~~~" {
		return 0, false
	}
	e := p + 3
	for e < len(src) {
		if src[e] == quote[0] && len(src)-e >= 3 && src[e:e+3] == quote {
			return e + 3, true
		}
		e++
	}
	s.errorf(e, e, "Missing: "+quote)
	return e, true
}

// escapeLen returns the length of the escape sequence at src[p] ('\\'), or
// -1 when it is not a valid escape.
func escapeLen(src string, p int) int {
	switch peek(src, p+1) {
	case '\\', '\'', '"', 'a', 'b', 'f', 'n', 'r', 't', 'v':
		return 2
	case 'u':
		if hexRun(src, p+2, 4) {
			return 6
		}
		return -1
	case 'U':
		if hexRun(src, p+2, 8) {
			return 10
		}
		return -1
	case 'x':
		if hexRun(src, p+2, 2) {
			return 4
		}
		return -1
	}
	c1 := peek(src, p+1)
	if c1 < '0' || c1 > '7' {
		return -1
	}
	c2 := peek(src, p+2)
	if c2 < '0' || c2 > '7' {
		return 2
	}
	if c3 := peek(src, p+3); c3 >= '0' && c3 <= '7' && c1 <= '3' {
		return 4
	}
	return 3
}

func hexRun(src string, p, n int) bool {
	if len(src)-p < n {
		return false
	}
	for i := 0; i < n; i++ {
		if !isHex(src[p+i]) {
			return false
		}
	}
	return true
}
