package mql

import (
	"strconv"

	"github.com/detwiki/detwiki/internal/source"
)

// Kind is the lexical class of a token.
type Kind uint8

// Token kinds. Words (and, or, not, in, is, of, null, true, false, field and
// function names) are all IDENT: MQL keywords may be field names after a
// dot (.name, .type).
const (
	ILLEGAL   Kind = iota
	EOF            // end of input
	IDENT          // sender, strings, and, null
	LIST           // $org_domains
	STRING         // "text" with escapes
	RAWSTRING      // 'text' ('' is a quote)
	NUMBER         // 12, 0.5
	LPAREN         // (
	RPAREN         // )
	LBRACK         // [
	RBRACK         // ]
	COMMA          // ,
	DOT            // .
	COLON          // :
	EQL            // ==
	NEQ            // !=
	IEQL           // =~
	INEQ           // !~
	LSS            // <
	LEQ            // <=
	GTR            // >
	GEQ            // >=
	ADD            // +
	SUB            // -
	MUL            // *
	QUO            // /
	REM            // %
	INI            // in~ (one token: "in" followed directly by "~")
	ASSIGN         // = (named arguments: mode="aggressive")
)

var kindNames = [...]string{
	ILLEGAL: "illegal character", EOF: "end of source", IDENT: "identifier", LIST: "list",
	STRING: "string", RAWSTRING: "string", NUMBER: "number",
	LPAREN: "'('", RPAREN: "')'", LBRACK: "'['", RBRACK: "']'", COMMA: "','", DOT: "'.'",
	COLON: "':'", EQL: "'=='", NEQ: "'!='", IEQL: "'=~'", INEQ: "'!~'", LSS: "'<'",
	LEQ: "'<='", GTR: "'>'", GEQ: "'>='", ADD: "'+'", SUB: "'-'", MUL: "'*'", QUO: "'/'",
	REM: "'%'", INI: "'in~'", ASSIGN: "'='",
}

// String names the kind the way error messages show it.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "token(" + strconv.Itoa(int(k)) + ")"
}

// Token is one lexical token: its kind, its text as written and its span.
type Token struct {
	Kind Kind
	Pos  source.Pos // first byte
	End  source.Pos // one past the last byte
	Text string
}

// describe renders the token for an error message.
func (t Token) describe() string {
	switch t.Kind {
	case EOF:
		return "end of source"
	case IDENT, LIST, NUMBER:
		return "'" + t.Text + "'"
	case STRING, RAWSTRING:
		if len(t.Text) <= 24 {
			return "string " + t.Text
		}
		return "string"
	case ILLEGAL:
		return "illegal character " + strconv.Quote(t.Text)
	}
	return t.Kind.String()
}
