package source

import (
	"fmt"
	"sort"
)

// SpanError is one problem a parser found in a text, at a byte range of it:
// what the hand-written front ends collect while they read a query and turn
// into Diagnostics (with line:col) once the text is known to be shown.
// Pos == End marks a place between tokens.
type SpanError struct {
	Pos  Pos
	End  Pos
	Code string // the front end's stable diagnostic code
	Msg  string
}

// Error formats the error with its byte offset; use ErrorList.Diagnostics for
// line:col positions.
func (e *SpanError) Error() string { return fmt.Sprintf("offset %d: %s", e.Pos, e.Msg) }

// ErrorList is the errors of one parse or check, in the order they were found
// until Sort puts them in source order.
type ErrorList []*SpanError

// Add appends an error with the given code; an end before pos is taken as pos.
func (l *ErrorList) Add(pos, end Pos, code, msg string) {
	if end < pos {
		end = pos
	}
	*l = append(*l, &SpanError{Pos: pos, End: end, Code: code, Msg: msg})
}

// Sort orders the list by position, keeping the order of equal positions.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool { return l[i].Pos < l[j].Pos })
}

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

// Diagnostics converts the errors to error diagnostics whose line:col are
// relative to text, the text the errors were found in.
func (l ErrorList) Diagnostics(text string) []Diagnostic {
	return l.DiagnosticsAs(text, Error)
}

// DiagnosticsAs converts the errors to diagnostics of severity sev whose
// line:col are relative to text, the text the errors were found in.
func (l ErrorList) DiagnosticsAs(text string, sev Severity) []Diagnostic {
	if len(l) == 0 {
		return nil
	}
	lt := NewLineTable("", text)
	out := make([]Diagnostic, 0, len(l))
	for _, e := range l {
		p := lt.Position(e.Pos)
		d := Diagnostic{Code: e.Code, Severity: sev, Message: e.Msg, Line: p.Line, Col: p.Column}
		if e.End > e.Pos {
			q := lt.Position(e.End)
			d.EndLine, d.EndCol = q.Line, q.Column
		}
		out = append(out, d)
	}
	return out
}
