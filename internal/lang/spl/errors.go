package spl

import (
	"fmt"
	"sort"

	"github.com/detwiki/detwiki/internal/source"
)

// Diagnostic codes of the SPL front end. Parse errors are SPL1xxx, macro
// expansion problems SPL2xxx.
const (
	CodeLexical       = "SPL1001" // a character, string, comment or macro call the lexer cannot read
	CodeSyntax        = "SPL1002" // a token the grammar does not allow here
	CodeDepth         = "SPL1003" // nesting deeper than MaxDepth
	CodeMacroUnknown  = "SPL2001" // a macro that is not defined in the corpus
	CodeMacroArgs     = "SPL2002" // a macro called with the wrong number of arguments
	CodeMacroCycle    = "SPL2003" // a macro that expands to itself
	CodeMacroSyntax   = "SPL2004" // a malformed macro call
	CodeMacroTooLarge = "SPL2005" // an expansion deeper or larger than the limits
)

// Error is one problem found while parsing or expanding, at a byte range of
// the text it was found in.
type Error struct {
	Pos  source.Pos
	End  source.Pos
	Code string
	Msg  string
}

// Error formats the error with its byte offset; use ErrorList.Diagnostics for
// line:col positions.
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

// Diagnostics converts the errors to error diagnostics whose line:col are
// relative to text, the search the errors were found in.
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
