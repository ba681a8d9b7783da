package sql

import (
	"fmt"
	"sort"

	"github.com/detwiki/detwiki/internal/source"
)

// Diagnostic codes of the SQL reader.
const (
	CodeSyntax  = "SQL1001" // unexpected token, missing token
	CodeLexical = "SQL1002" // unterminated string or comment, illegal character
	CodeTooDeep = "SQL1003" // expression nested deeper than MaxDepth
)

// Error is one problem found in a source: a span and a message.
type Error struct {
	Pos  source.Pos
	End  source.Pos
	Msg  string
	Code string
}

func (e *Error) Error() string { return fmt.Sprintf("offset %d: %s", e.Pos, e.Msg) }

// ErrorList is a list of errors, sortable by position.
type ErrorList []*Error

// Add appends a syntax error.
func (l *ErrorList) Add(pos, end source.Pos, msg string) { l.AddCode(pos, end, CodeSyntax, msg) }

// AddCode appends an error with the given code.
func (l *ErrorList) AddCode(pos, end source.Pos, code, msg string) {
	if end < pos {
		end = pos
	}
	*l = append(*l, &Error{Pos: pos, End: end, Msg: msg, Code: code})
}

// Sort orders the list by position, keeping the order of equal positions.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool { return l[i].Pos < l[j].Pos })
}

// Err returns the list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0], len(l)-1)
}

// Diagnostics converts errors found in text into diagnostics with 1-based
// line:col positions (relative to text), with the given severity.
func (l ErrorList) Diagnostics(text string, sev source.Severity) []source.Diagnostic {
	if len(l) == 0 {
		return nil
	}
	lt := source.NewLineTable("", text)
	out := make([]source.Diagnostic, 0, len(l))
	for _, e := range l {
		start, end := lt.Position(e.Pos), lt.Position(e.End)
		d := source.Diagnostic{Code: e.Code, Severity: sev, Message: e.Msg, Line: start.Line, Col: start.Column}
		if e.End > e.Pos {
			d.EndLine, d.EndCol = end.Line, end.Column
		}
		out = append(out, d)
	}
	return out
}
