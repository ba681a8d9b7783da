package sql

import "github.com/detwiki/detwiki/internal/source"

// Diagnostic codes of the SQL reader.
const (
	CodeSyntax  = "SQL1001" // unexpected token, missing token
	CodeLexical = "SQL1002" // unterminated string or comment, illegal character
	CodeTooDeep = "SQL1003" // expression nested deeper than MaxDepth
)

// Error is one problem found in a source: a span and a message.
type Error = source.SpanError

// ErrorList is a list of errors, sortable by position.
type ErrorList = source.ErrorList
