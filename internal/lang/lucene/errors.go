package lucene

import (
	"fmt"
	"sort"

	"github.com/detwiki/detwiki/internal/source"
)

// Diagnostic codes of the Lucene front end.
const (
	CodeLexical = "LUCENE1001" // a character or literal the lexer cannot read
	CodeSyntax  = "LUCENE1002" // a token the grammar does not allow here
	CodeDepth   = "LUCENE1003" // nesting deeper than MaxDepth
)

// Error is one problem found while parsing, at a byte range of the query.
type Error struct {
	Pos  source.Pos
	End  source.Pos
	Code string
	Msg  string
}

// Error formats the error with its byte offset; use ErrorList.Diagnostics
// for line:col positions.
func (e *Error) Error() string { return fmt.Sprintf("offset %d: %s", e.Pos, e.Msg) }

// ErrorList is the errors of one parse, in source order.
type ErrorList []*Error

// Error reports the first error and how many more there are.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0], len(l)-1)
}

// Err returns l as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

func (l ErrorList) sort() {
	sort.SliceStable(l, func(i, j int) bool { return l[i].Pos < l[j].Pos })
}

// Diagnostics converts the errors to diagnostics whose line:col are relative
// to text, the query the errors were found in.
func (l ErrorList) Diagnostics(text string) []source.Diagnostic {
	if len(l) == 0 {
		return nil
	}
	lt := source.NewLineTable("", text)
	out := make([]source.Diagnostic, 0, len(l))
	for _, e := range l {
		p := lt.Position(e.Pos)
		d := source.Diagnostic{Code: e.Code, Severity: source.Error, Message: e.Msg, Line: p.Line, Col: p.Column}
		if e.End > e.Pos {
			q := lt.Position(e.End)
			d.EndLine, d.EndCol = q.Line, q.Column
		}
		out = append(out, d)
	}
	return out
}
