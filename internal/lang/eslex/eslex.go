// Package eslex holds the lexical rules that Elasticsearch's EQL and ES|QL
// grammars share word for word (EqlBase.g4 and EsqlBaseLexer.g4): numeric
// literals and backquoted identifiers. The eql and esql scanners call it so
// that both languages read these tokens the same way; everything else about
// their tokens (strings, comments, keywords) differs and stays in each
// scanner.
//
// The functions work on byte offsets into the query text and report where the
// token ends; the caller builds its own token and reports its own errors.
package eslex

import "strings"

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// Number scans the numeric literal at src[off:], which starts with a digit or
// with a '.' followed by a digit:
//
//	INTEGER: DIGIT+
//	DECIMAL: DIGIT+ '.' DIGIT* | '.' DIGIT+, either with an optional [eE][+-]?DIGIT+,
//	         or DIGIT+ [eE][+-]?DIGIT+
//
// A '.' followed by a letter or '_' is not part of the number, so that
// 1.field reads as 1 and .field. It returns the offset just past the literal
// and whether it is a decimal (it has a fraction or an exponent).
func Number(src string, off int) (end int, decimal bool) {
	for off < len(src) && isDigit(src[off]) {
		off++
	}
	if off < len(src) && src[off] == '.' && !(off+1 < len(src) && (isLetter(src[off+1]) || src[off+1] == '_')) {
		decimal = true
		off++
		for off < len(src) && isDigit(src[off]) {
			off++
		}
	}
	if off < len(src) && (src[off] == 'e' || src[off] == 'E') {
		j := off + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j < len(src) && isDigit(src[j]) {
			decimal = true
			off = j
			for off < len(src) && isDigit(src[off]) {
				off++
			}
		}
	}
	return off, decimal
}

// BackquotedName scans the identifier quoted in backquotes that starts at
// src[off] (a '`'); inside it a doubled backquote stands for one. It returns
// the offset just past the closing quote, the name without its quotes, and
// whether the closing quote was found (when it was not, end is len(src)).
func BackquotedName(src string, off int) (end int, name string, closed bool) {
	off++
	var b strings.Builder
	for off < len(src) {
		c := src[off]
		if c == '`' {
			if off+1 < len(src) && src[off+1] == '`' {
				b.WriteByte('`')
				off += 2
				continue
			}
			return off + 1, b.String(), true
		}
		b.WriteByte(c)
		off++
	}
	return off, b.String(), false
}
