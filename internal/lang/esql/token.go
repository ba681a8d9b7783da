package esql

import "strings"

// Token is the kind of a lexical token.
type Token int

// The tokens of ES|QL.
const (
	ILLEGAL Token = iota
	EOF

	IDENT   // process.name parts, function names, command names
	QIDENT  // `quoted identifier`
	STRING  // "text" or """raw"""
	INT     // 42
	DECIMAL // 4.2
	PARAM   // ?, ?name, ?1
	SOURCE  // an index pattern in FROM (source mode)
	PATTERN // a name pattern in KEEP, DROP, RENAME (pattern mode)

	EQ     // ==
	NEQ    // !=
	LT     // <
	LE     // <=
	GT     // >
	GE     // >=
	ASSIGN // =
	ADD    // +
	SUB    // -
	MUL    // *
	QUO    // /
	REM    // %
	CAST   // ::
	COLON  // :
	COMMA  // ,
	DOT    // .
	LPAREN // (
	RPAREN // )
	LBRACK // [
	RBRACK // ]
	LBRACE // {
	RBRACE // }
	PIPE   // |

	keywordBeg
	AND
	OR
	NOT
	IN
	IS
	NULL
	LIKE
	RLIKE
	TRUE
	FALSE
	keywordEnd
)

var tokenNames = [...]string{
	ILLEGAL: "ILLEGAL",
	EOF:     "end of query",
	IDENT:   "identifier",
	QIDENT:  "quoted identifier",
	STRING:  "string",
	INT:     "integer",
	DECIMAL: "decimal",
	PARAM:   "parameter",
	SOURCE:  "index pattern",
	PATTERN: "name pattern",
	EQ:      "==",
	NEQ:     "!=",
	LT:      "<",
	LE:      "<=",
	GT:      ">",
	GE:      ">=",
	ASSIGN:  "=",
	ADD:     "+",
	SUB:     "-",
	MUL:     "*",
	QUO:     "/",
	REM:     "%",
	CAST:    "::",
	COLON:   ":",
	COMMA:   ",",
	DOT:     ".",
	LPAREN:  "(",
	RPAREN:  ")",
	LBRACK:  "[",
	RBRACK:  "]",
	LBRACE:  "{",
	RBRACE:  "}",
	PIPE:    "|",
	AND:     "AND",
	OR:      "OR",
	NOT:     "NOT",
	IN:      "IN",
	IS:      "IS",
	NULL:    "NULL",
	LIKE:    "LIKE",
	RLIKE:   "RLIKE",
	TRUE:    "TRUE",
	FALSE:   "FALSE",
}

// String returns the token's spelling or a name.
func (t Token) String() string {
	if t >= 0 && int(t) < len(tokenNames) && tokenNames[t] != "" {
		return tokenNames[t]
	}
	return "token"
}

// IsKeyword reports whether t is a reserved word.
func (t Token) IsKeyword() bool { return keywordBeg < t && t < keywordEnd }

// IsComparison reports whether t is == != < <= > >=.
func (t Token) IsComparison() bool {
	switch t {
	case EQ, NEQ, LT, LE, GT, GE:
		return true
	}
	return false
}

// lookup returns the keyword token for an identifier (ES|QL keywords are
// case-insensitive), or IDENT.
func lookup(ident string) Token {
	if len(ident) > 5 || len(ident) < 2 {
		return IDENT
	}
	switch strings.ToUpper(ident) {
	case "AND":
		return AND
	case "OR":
		return OR
	case "NOT":
		return NOT
	case "IN":
		return IN
	case "IS":
		return IS
	case "NULL":
		return NULL
	case "LIKE":
		return LIKE
	case "RLIKE":
		return RLIKE
	case "TRUE":
		return TRUE
	case "FALSE":
		return FALSE
	}
	return IDENT
}

// timeUnits are the units of time-span literals (`7 days`, `1 hour`).
var timeUnits = map[string]bool{
	"nanosecond": true, "nanoseconds": true, "ns": true,
	"microsecond": true, "microseconds": true,
	"millisecond": true, "milliseconds": true, "ms": true,
	"second": true, "seconds": true, "sec": true, "s": true,
	"minute": true, "minutes": true, "min": true, "m": true,
	"hour": true, "hours": true, "h": true,
	"day": true, "days": true, "d": true,
	"week": true, "weeks": true, "w": true,
	"month": true, "months": true, "mo": true,
	"quarter": true, "quarters": true, "q": true,
	"year": true, "years": true, "yr": true, "y": true,
}

// IsTimeUnit reports whether s names a unit of a time-span literal.
func IsTimeUnit(s string) bool { return timeUnits[strings.ToLower(s)] }
