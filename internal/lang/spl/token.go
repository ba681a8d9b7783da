package spl

import "strconv"

// Token is the kind of a lexical token.
type Token int

// The tokens of SPL. Which of them the scanner produces depends on its mode
// (see the package comment).
const (
	ILLEGAL Token = iota
	EOF
	WORD     // a bare word; in search and argument mode it may join quoted parts: "Processes".*
	STRING   // "a double-quoted string"
	FIELDSTR // 'a single-quoted field name' (eval mode)
	NUMBER   // 42, 1.5e3 (eval mode)
	MACRO    // `macro(args)` left unexpanded
	PIPE     // |
	LPAREN   // (
	RPAREN   // )
	LBRACK   // [
	RBRACK   // ]
	COMMA    // ,
	EQ       // =
	EQL      // ==
	NEQ      // !=
	LSS      // <
	LEQ      // <=
	GTR      // >
	GEQ      // >=
	ADD      // +
	SUB      // -
	MUL      // *
	QUO      // /
	REM      // %
	CONCAT   // .
)

var tokenNames = [...]string{
	ILLEGAL:  "ILLEGAL",
	EOF:      "end of search",
	WORD:     "word",
	STRING:   "string",
	FIELDSTR: "quoted field name",
	NUMBER:   "number",
	MACRO:    "macro",
	PIPE:     "|",
	LPAREN:   "(",
	RPAREN:   ")",
	LBRACK:   "[",
	RBRACK:   "]",
	COMMA:    ",",
	EQ:       "=",
	EQL:      "==",
	NEQ:      "!=",
	LSS:      "<",
	LEQ:      "<=",
	GTR:      ">",
	GEQ:      ">=",
	ADD:      "+",
	SUB:      "-",
	MUL:      "*",
	QUO:      "/",
	REM:      "%",
	CONCAT:   ".",
}

// String returns the token's name or operator text.
func (t Token) String() string {
	if t >= 0 && int(t) < len(tokenNames) {
		return tokenNames[t]
	}
	return "token(" + strconv.Itoa(int(t)) + ")"
}

// IsComparison reports whether t compares two values (= == != < <= > >=).
func (t Token) IsComparison() bool {
	switch t {
	case EQ, EQL, NEQ, LSS, LEQ, GTR, GEQ:
		return true
	}
	return false
}
