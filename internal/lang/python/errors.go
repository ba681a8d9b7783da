package python

import "github.com/detwiki/detwiki/internal/source"

// Diagnostic codes of the Python front end.
const (
	CodeSyntax  = "PY1001" // unexpected token, missing token, bad indentation
	CodeLexical = "PY1002" // unterminated string, illegal character, inconsistent dedent
	CodeTooDeep = "PY1003" // expression or block nested deeper than MaxDepth
)

// Error is one problem found in a source: a span and a message.
type Error = source.SpanError

// ErrorList is a list of errors, sortable by position.
type ErrorList = source.ErrorList
