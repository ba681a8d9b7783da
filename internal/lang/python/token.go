package python

import (
	"strconv"

	"github.com/detwiki/detwiki/internal/source"
)

// Kind is the lexical class of a token.
type Kind uint8

// Token kinds. Keywords are NAME tokens (the parser tells them apart);
// operators and delimiters are OP tokens with their text.
const (
	ILLEGAL Kind = iota
	EOF
	NAME    // identifiers and keywords
	NUMBER  // 12, 0x1f, 1_000, 1.5e3, 2j
	STRING  // one string literal, prefix and quotes included ("a", f'{x}', r"""...""")
	OP      // operators and delimiters: ( ) [ ] { } , : . ; = == != <= ** // -> := ...
	NEWLINE // end of a logical line
	INDENT  // the next line is indented further
	DEDENT  // the indentation went back one level
)

var kindNames = [...]string{ILLEGAL: "illegal character", EOF: "end of file", NAME: "name",
	NUMBER: "number", STRING: "string", OP: "operator", NEWLINE: "end of line",
	INDENT: "indent", DEDENT: "dedent"}

// String names the kind the way error messages show it.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "token(" + strconv.Itoa(int(k)) + ")"
}

// Token is one lexical token.
type Token struct {
	Kind Kind
	Pos  source.Pos
	End  source.Pos
	Text string
}

func (t Token) is(kind Kind, text string) bool { return t.Kind == kind && t.Text == text }

// describe renders the token for an error message.
func (t Token) describe() string {
	switch t.Kind {
	case NAME, NUMBER, OP:
		return "'" + t.Text + "'"
	case STRING:
		if len(t.Text) <= 24 {
			return "string " + t.Text
		}
		return "string"
	case ILLEGAL:
		return "illegal character " + strconv.Quote(t.Text)
	}
	return t.Kind.String()
}

// keywords are the reserved words of Python 3; they cannot be names.
var keywords = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true,
	"async": true, "await": true, "break": true, "class": true, "continue": true, "def": true,
	"del": true, "elif": true, "else": true, "except": true, "finally": true, "for": true,
	"from": true, "global": true, "if": true, "import": true, "in": true, "is": true,
	"lambda": true, "nonlocal": true, "not": true, "or": true, "pass": true, "raise": true,
	"return": true, "try": true, "while": true, "with": true, "yield": true,
}

// IsKeyword reports whether name is a Python keyword.
func IsKeyword(name string) bool { return keywords[name] }
