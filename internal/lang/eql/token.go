package eql

// Token is the kind of a lexical token.
type Token int

// The tokens of EQL.
const (
	ILLEGAL Token = iota
	EOF

	IDENT    // process, startsWith, startsWith~ (Lit keeps the ~)
	ESCIDENT // `field name`
	STRING   // "text", """raw""", ?"raw"
	INT      // 42
	FLOAT    // 4.2, 1e3

	SEQ      // :
	EQ       // ==
	ASSIGN   // =
	NEQ      // !=
	LT       // <
	LE       // <=
	GT       // >
	GE       // >=
	ADD      // +
	SUB      // -
	MUL      // *
	QUO      // /
	REM      // %
	DOT      // .
	COMMA    // ,
	LBRACK   // [
	MISSING  // ![ (a missing event in a sequence)
	RBRACK   // ]
	LPAREN   // (
	RPAREN   // )
	PIPE     // |
	OPTIONAL // ? before a field name

	keywordBeg
	AND
	ANY
	BY
	FALSE
	IN
	INSENSITIVEIN // in~
	JOIN
	LIKE
	INSENSITIVELIKE // like~
	NOT
	NULL
	OF
	OR
	REGEX
	INSENSITIVEREGEX // regex~
	SAMPLE
	SEQUENCE
	TRUE
	UNTIL
	WHERE
	WITH
	keywordEnd
)

var tokenNames = [...]string{
	ILLEGAL:  "ILLEGAL",
	EOF:      "end of query",
	IDENT:    "identifier",
	ESCIDENT: "escaped identifier",
	STRING:   "string",
	INT:      "integer",
	FLOAT:    "number",

	SEQ:      ":",
	EQ:       "==",
	ASSIGN:   "=",
	NEQ:      "!=",
	LT:       "<",
	LE:       "<=",
	GT:       ">",
	GE:       ">=",
	ADD:      "+",
	SUB:      "-",
	MUL:      "*",
	QUO:      "/",
	REM:      "%",
	DOT:      ".",
	COMMA:    ",",
	LBRACK:   "[",
	MISSING:  "![",
	RBRACK:   "]",
	LPAREN:   "(",
	RPAREN:   ")",
	PIPE:     "|",
	OPTIONAL: "?",

	AND:              "and",
	ANY:              "any",
	BY:               "by",
	FALSE:            "false",
	IN:               "in",
	INSENSITIVEIN:    "in~",
	JOIN:             "join",
	LIKE:             "like",
	INSENSITIVELIKE:  "like~",
	NOT:              "not",
	NULL:             "null",
	OF:               "of",
	OR:               "or",
	REGEX:            "regex",
	INSENSITIVEREGEX: "regex~",
	SAMPLE:           "sample",
	SEQUENCE:         "sequence",
	TRUE:             "true",
	UNTIL:            "until",
	WHERE:            "where",
	WITH:             "with",
}

// String returns the token's spelling (operators and keywords) or a name.
func (t Token) String() string {
	if t >= 0 && int(t) < len(tokenNames) && tokenNames[t] != "" {
		return tokenNames[t]
	}
	return "token"
}

// IsKeyword reports whether t is a keyword.
func (t Token) IsKeyword() bool { return keywordBeg < t && t < keywordEnd }

var keywords map[string]Token

func init() {
	keywords = make(map[string]Token, keywordEnd-keywordBeg)
	for t := keywordBeg + 1; t < keywordEnd; t++ {
		keywords[tokenNames[t]] = t
	}
}

// Lookup returns the keyword token for ident, or IDENT. EQL keywords are
// lower case.
func Lookup(ident string) Token {
	if t, ok := keywords[ident]; ok {
		return t
	}
	return IDENT
}

// IsComparison reports whether t is one of == != < <= > >=.
func (t Token) IsComparison() bool {
	switch t {
	case EQ, NEQ, LT, LE, GT, GE:
		return true
	}
	return false
}

// IsPredicate reports whether t introduces a string predicate: : like like~
// regex regex~.
func (t Token) IsPredicate() bool {
	switch t {
	case SEQ, LIKE, INSENSITIVELIKE, REGEX, INSENSITIVEREGEX:
		return true
	}
	return false
}
