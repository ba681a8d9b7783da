package sigma

import (
	"unicode"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/source"
)

// scanner splits a condition into tokens. It never fails: a character that
// starts no token becomes an ILLEGAL token of one character.
type scanner struct {
	src string
	off int
}

// isIdentByte reports whether an ASCII byte can be part of a search
// identifier or an identifier pattern: letters, digits, _ - . and the
// pattern wildcard *.
func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '-' || c == '.' || c == '*'
}

// next returns the next token, its start offset and its text.
func (s *scanner) next() (Token, source.Pos, string) {
	for s.off < len(s.src) {
		switch s.src[s.off] {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			s.off++
			continue
		}
		break
	}
	start := s.off
	if s.off >= len(s.src) {
		return EOF, source.Pos(start), ""
	}
	c := s.src[s.off]
	if c < utf8.RuneSelf && isIdentByte(c) || c >= utf8.RuneSelf && s.isIdentRune() {
		digits := true
		for s.off < len(s.src) {
			c := s.src[s.off]
			if c < utf8.RuneSelf {
				if !isIdentByte(c) {
					break
				}
				if c < '0' || c > '9' {
					digits = false
				}
				s.off++
				continue
			}
			if !s.isIdentRune() {
				break
			}
			digits = false
			_, w := utf8.DecodeRuneInString(s.src[s.off:])
			s.off += w
		}
		text := s.src[start:s.off]
		if digits {
			return NUMBER, source.Pos(start), text
		}
		return lookupKeyword(text), source.Pos(start), text
	}
	s.off++
	two := func(second byte, one, both Token) Token {
		if s.off < len(s.src) && s.src[s.off] == second {
			s.off++
			return both
		}
		return one
	}
	var tok Token
	switch c {
	case '(':
		tok = LPAREN
	case ')':
		tok = RPAREN
	case '|':
		tok = PIPE
	case ',':
		tok = COMMA
	case '>':
		tok = two('=', GT, GE)
	case '<':
		tok = two('=', LT, LE)
	case '=':
		tok = two('=', EQ, EQ)
	case '!':
		tok = two('=', ILLEGAL, NE)
	default:
		tok = ILLEGAL
		if c >= utf8.RuneSelf {
			_, w := utf8.DecodeRuneInString(s.src[start:])
			s.off = start + w
		}
	}
	return tok, source.Pos(start), s.src[start:s.off]
}

// isIdentRune reports whether the non-ASCII rune at s.off is a letter or
// digit (identifiers may be written in any script).
func (s *scanner) isIdentRune() bool {
	r, _ := utf8.DecodeRuneInString(s.src[s.off:])
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}
