package yaral

import (
	"strconv"

	"github.com/detwiki/detwiki/internal/source"
)

// Kind is the lexical class of a token.
type Kind uint8

// Token kinds. Words (rule, and, over, nocase, field names, function names)
// are all IDENT: YARA-L keywords are contextual, and a keyword may be a UDM
// field name after a dot ($e.network.dns.questions.name, ...labels.key).
const (
	ILLEGAL   Kind = iota
	EOF            // end of input
	IDENT          // rule, and, metadata, strings, max, ...
	VAR            // $e, $hostname
	COUNT          // #e
	REFLIST        // %list_name
	STRING         // "text" (escapes \\ and \")
	RAWSTRING      // `text` (no escapes)
	REGEX          // /pattern/
	NUMBER         // 12, 0.5, 01
	DURATION       // 5m, 1h, 30s, 2d
	LPAREN         // (
	RPAREN         // )
	LBRACK         // [
	RBRACK         // ]
	LBRACE         // {
	RBRACE         // }
	COMMA          // ,
	DOT            // .
	COLON          // :
	ASSIGN         // =
	NEQ            // !=
	LSS            // <
	LEQ            // <=
	GTR            // >
	GEQ            // >=
	ADD            // +
	SUB            // -
	MUL            // *
	QUO            // /
	NOT            // !
)

var kindNames = [...]string{
	ILLEGAL: "illegal character", EOF: "end of file", IDENT: "identifier", VAR: "variable",
	COUNT: "event count", REFLIST: "reference list", STRING: "string", RAWSTRING: "string",
	REGEX: "regular expression", NUMBER: "number", DURATION: "duration",
	LPAREN: "'('", RPAREN: "')'", LBRACK: "'['", RBRACK: "']'", LBRACE: "'{'", RBRACE: "'}'",
	COMMA: "','", DOT: "'.'", COLON: "':'", ASSIGN: "'='", NEQ: "'!='", LSS: "'<'",
	LEQ: "'<='", GTR: "'>'", GEQ: "'>='", ADD: "'+'", SUB: "'-'", MUL: "'*'",
	QUO: "'/'", NOT: "'!'",
}

// STRING names the kind the way error messages show it.
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
	// LineStart is true when the token is the first one on its line; the
	// parser resynchronises there after an error.
	LineStart bool
}

// describe renders the token for an error message: its text for words and
// short literals, its kind otherwise.
func (t Token) describe() string {
	switch t.Kind {
	case EOF:
		return "end of file"
	case IDENT, VAR, COUNT, REFLIST, NUMBER, DURATION:
		return "'" + t.Text + "'"
	case STRING, RAWSTRING, REGEX:
		if len(t.Text) <= 24 {
			return t.Kind.String() + " " + t.Text
		}
		return t.Kind.String()
	case ILLEGAL:
		return "illegal character " + strconv.Quote(t.Text)
	}
	return t.Kind.String()
}
