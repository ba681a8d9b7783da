package eql

import "github.com/detwiki/detwiki/internal/source"

// Diagnostic codes of the EQL front end.
const (
	CodeLexical = "EQL1001" // a character or literal the lexer cannot read
	CodeSyntax  = "EQL1002" // a token the grammar does not allow here
	CodeDepth   = "EQL1003" // nesting deeper than MaxDepth
)

// Error is one problem found while parsing, at a byte range of the query.
type Error = source.SpanError

// ErrorList is the errors of one parse, in source order.
type ErrorList = source.ErrorList
