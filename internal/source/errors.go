package source

import (
	"fmt"
	"sort"
	"strconv"
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
	// Related is a second place the error is about, such as the '(' that a
	// missing ')' should close; the zero Span means none. Msg then ends
	// with the words the place completes ("expected ')', found '|', to
	// close the '('"), and the message shown is Msg followed by " at " and
	// the place: a line:col of the file once the error is a Diagnostic
	// (see ErrorList.DiagnosticsAs and Diagnostic.Relocate), never a byte
	// offset of a text the reader does not see.
	Related Span
}

// HasRelated reports whether the error names a second place.
func (e *SpanError) HasRelated() bool { return e.Related.End > e.Related.Start }

// MessageAt returns the message with the related place, written as at (a
// line:col from LineCol), appended; just Msg when the error names no second
// place.
func (e *SpanError) MessageAt(at string) string {
	if !e.HasRelated() {
		return e.Msg
	}
	return e.Msg + " at " + at
}

// Error formats the error with its byte offset; use ErrorList.Diagnostics for
// line:col positions.
func (e *SpanError) Error() string {
	return fmt.Sprintf("offset %d: %s", e.Pos, e.MessageAt("offset "+strconv.Itoa(int(e.Related.Start))))
}

// LineCol writes a 1-based line and column as line:col, the form messages
// use for a related place.
func LineCol(line, col int) string { return strconv.Itoa(line) + ":" + strconv.Itoa(col) }

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

// AddRelated appends an error that also names a second place, related (see
// SpanError.Related); msg ends with the words the place completes.
func (l *ErrorList) AddRelated(pos, end Pos, related Span, code, msg string) {
	l.Add(pos, end, code, msg)
	(*l)[len(*l)-1].Related = related
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
// line:col are relative to text, the text the errors were found in. An
// error's related place becomes the diagnostic's RelatedLine:RelatedCol and
// is written into its message as line:col; Diagnostic.Relocate keeps both
// right when the text sits in a larger file.
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
		if e.HasRelated() {
			r := lt.Position(e.Related.Start)
			d = d.WithRelated(e.Msg, r.Line, r.Column)
		}
		out = append(out, d)
	}
	return out
}
