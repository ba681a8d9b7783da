package kql

import (
	"fmt"
	"sort"

	"github.com/detwiki/detwiki/internal/source"
)

// Diagnostic codes. Every error carries one; they are stable.
const (
	codeExpected   = "KQL1001" // Expected: ) / Expected one of: ...
	codeMissing    = "KQL1002" // Missing expression, Missing name, ...
	codeLexical    = "KQL1003" // Unexpected: \ / Missing: "
	codeFragment   = "KQL1004" // The incomplete fragment is unexpected.
	codeBracket    = "KQL1005" // The name 'x' needs to be bracketed ...
	codeOperator   = "KQL1006" // Query operator expected.
	codeTypeName   = "KQL1007" // The name 'x' is not a valid type name ...
	codeRawGUID    = "KQL1008" // Raw guid literals are not allowed ...
	codeTooDeep    = "KQL1009" // nesting too deep
	codeUnexpected = "KQL1010" // other syntax errors
)

// Error is a syntax error: a message in the words of Microsoft's Kusto
// parser where it has one ("Expected: )", "Missing expression") and the byte
// span it applies to. Pos == End marks a place between tokens.
type Error struct {
	Pos  source.Pos
	End  source.Pos
	Msg  string
	Code string // KQLnnnn
}

// Error implements the error interface: "offset N: message".
func (e *Error) Error() string { return fmt.Sprintf("offset %d: %s", e.Pos, e.Msg) }

// Diagnostic turns the error into a source.Diagnostic with line:col taken
// from lt (built over the same text that was parsed).
func (e *Error) Diagnostic(lt *source.LineTable) source.Diagnostic {
	d := source.Diagnostic{Code: e.Code, Severity: source.Error, Message: e.Msg}
	if d.Code == "" {
		d.Code = codeUnexpected
	}
	if lt != nil && e.Pos.IsValid() {
		p := lt.Position(e.Pos)
		d.Line, d.Col = p.Line, p.Column
		if e.End > e.Pos {
			q := lt.Position(e.End)
			d.EndLine, d.EndCol = q.Line, q.Column
		}
	}
	return d
}

// ErrorList is a list of errors sorted by position.
type ErrorList []*Error

// Sort orders the list by position, keeping the order of equal positions.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool { return l[i].Pos < l[j].Pos })
}

// Diagnostics converts every error with the line table of the parsed text.
func Diagnostics(src string, errs []*Error) source.Diagnostics {
	if len(errs) == 0 {
		return nil
	}
	lt := source.NewLineTable("", src)
	out := make(source.Diagnostics, len(errs))
	for i, e := range errs {
		out[i] = e.Diagnostic(lt)
	}
	return out
}
