package source

import (
	"fmt"
	"sort"
	"strings"
)

// Severity says how bad a diagnostic is.
type Severity string

// The severities, from worst to mildest.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Diagnostic is one problem found in a rule source: a stable code (KQL1003,
// SIGMA2001, READ0001, ...), a severity, a message and where it is. Line and
// Col are 1-based and relative to the file named by Path (zero when unknown).
// RelatedLine and RelatedCol, when set, are a second place the problem is
// about (the '(' a missing ')' should close), in the same file; the message
// ends with it as " at line:col".
type Diagnostic struct {
	Code        string   `json:"code,omitempty"`
	Severity    Severity `json:"severity"`
	Message     string   `json:"message"`
	Path        string   `json:"path,omitempty"`
	Line        int      `json:"line"`
	Col         int      `json:"col"`
	EndLine     int      `json:"end_line,omitempty"`
	EndCol      int      `json:"end_col,omitempty"`
	RelatedLine int      `json:"related_line,omitempty"`
	RelatedCol  int      `json:"related_col,omitempty"`
}

// WithRelated returns d naming the related place line:col, its message msg
// followed by " at line:col" (msg ends with the words the place completes,
// as SpanError.Msg does).
func (d Diagnostic) WithRelated(msg string, line, col int) Diagnostic {
	if line <= 0 {
		d.Message = msg
		return d
	}
	d.RelatedLine, d.RelatedCol = line, col
	d.Message = msg + " at " + LineCol(line, col)
	return d
}

// String formats the diagnostic as path:line:col: severity: message [code],
// the form editors and CI logs understand.
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(Position{Filename: d.Path, Line: d.Line, Column: d.Col}.String())
	b.WriteString(": ")
	if d.Severity != "" && d.Severity != Error {
		b.WriteString(string(d.Severity))
		b.WriteString(": ")
	}
	b.WriteString(d.Message)
	if d.Code != "" {
		fmt.Fprintf(&b, " [%s]", d.Code)
	}
	return b.String()
}

// IsError reports whether the diagnostic is an error.
func (d Diagnostic) IsError() bool { return d.Severity == Error }

// Relocate returns d with its line:col mapped through o into the enclosing file
// named path. A related place is mapped too, and the line:col the message
// ends with (see WithRelated) rewritten to match.
func (d Diagnostic) Relocate(path string, o Origin) Diagnostic {
	d.Path = path
	if d.Line > 0 {
		d.Line, d.Col = o.Map(d.Line, d.Col)
	}
	if d.EndLine > 0 {
		d.EndLine, d.EndCol = o.Map(d.EndLine, d.EndCol)
	}
	if d.RelatedLine > 0 {
		suffix := " at " + LineCol(d.RelatedLine, d.RelatedCol)
		line, col := o.Map(d.RelatedLine, d.RelatedCol)
		if msg, ok := strings.CutSuffix(d.Message, suffix); ok {
			return d.WithRelated(msg, line, col)
		}
		d.RelatedLine, d.RelatedCol = line, col
	}
	return d
}

// Diagnostics is a list of diagnostics with helpers to sort and query it.
type Diagnostics []Diagnostic

// Sort orders the list by path, line and column, keeping the original order of
// equal positions.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.IsError() {
			return true
		}
	}
	return false
}

// Snippet renders the source line of d with a ^~~~ underline under the span,
// the way compilers show errors. text is the whole file d points into.
func Snippet(text string, d Diagnostic) string {
	if d.Line <= 0 {
		return ""
	}
	t := NewLineTable("", text)
	start := t.LineStart(d.Line)
	if !start.IsValid() {
		return ""
	}
	end := strings.IndexByte(text[start:], '\n')
	line := text[start:]
	if end >= 0 {
		line = text[start : int(start)+end]
	}
	line = strings.TrimRight(line, "\r")
	col := d.Col
	if col < 1 {
		col = 1
	}
	if col > len(line)+1 {
		col = len(line) + 1
	}
	width := 1
	if d.EndLine == d.Line && d.EndCol > col {
		width = d.EndCol - col
	}
	if col-1+width > len(line) && len(line) >= col {
		width = len(line) - col + 1
	}
	var pad strings.Builder
	for _, r := range line[:col-1] {
		if r == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	under := "^" + strings.Repeat("~", max(width-1, 0))
	return line + "\n" + pad.String() + under
}
