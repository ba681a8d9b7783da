package sigma

import "strings"

// Token is a lexical token of the condition language.
type Token uint8

// The condition tokens.
const (
	ILLEGAL Token = iota
	EOF
	IDENT  // selection, filter_main_*, keywords
	NUMBER // 1
	LPAREN // (
	RPAREN // )
	PIPE   // |
	COMMA  // ,
	GT     // >
	GE     // >=
	LT     // <
	LE     // <=
	EQ     // = or ==
	NE     // !=

	keywordStart
	AND  // and
	OR   // or
	NOT  // not
	OF   // of
	THEM // them
	ALL  // all
	ANY  // any
	keywordEnd
)

var tokenText = [...]string{
	ILLEGAL: "ILLEGAL",
	EOF:     "end of condition",
	IDENT:   "identifier",
	NUMBER:  "number",
	LPAREN:  "(",
	RPAREN:  ")",
	PIPE:    "|",
	COMMA:   ",",
	GT:      ">",
	GE:      ">=",
	LT:      "<",
	LE:      "<=",
	EQ:      "==",
	NE:      "!=",
	AND:     "and",
	OR:      "or",
	NOT:     "not",
	OF:      "of",
	THEM:    "them",
	ALL:     "all",
	ANY:     "any",
}

// String returns the token's text (its spelling for operators and keywords).
func (t Token) String() string {
	if int(t) < len(tokenText) && tokenText[t] != "" {
		return tokenText[t]
	}
	return "token(" + string(rune('0'+t)) + ")"
}

// IsKeyword reports whether t is a keyword of the condition language.
func (t Token) IsKeyword() bool { return t > keywordStart && t < keywordEnd }

// IsComparison reports whether t compares numbers (in an aggregation).
func (t Token) IsComparison() bool { return t >= GT && t <= NE }

// lookupKeyword returns the keyword token for an identifier's text, or IDENT.
// Keywords are matched without regard to case, as pySigma does.
func lookupKeyword(s string) Token {
	if len(s) < 2 || len(s) > 4 {
		return IDENT
	}
	switch strings.ToLower(s) {
	case "and":
		return AND
	case "or":
		return OR
	case "not":
		return NOT
	case "of":
		return OF
	case "them":
		return THEM
	case "all":
		return ALL
	case "any":
		return ANY
	}
	return IDENT
}
