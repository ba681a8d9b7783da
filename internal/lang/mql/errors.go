package mql

import "github.com/detwiki/detwiki/internal/source"

// Diagnostic codes of the MQL front end.
const (
	CodeSyntax  = "MQL1001" // unexpected token, missing token
	CodeLexical = "MQL1002" // unterminated string, bad escape, illegal character
	CodeTooDeep = "MQL1003" // expression nested deeper than MaxDepth
)

// Error is one problem found in a source: a span and a message.
type Error = source.SpanError

// ErrorList is a list of errors, sortable by position.
type ErrorList = source.ErrorList
