package esql

import "github.com/detwiki/detwiki/internal/source"

// Diagnostic codes of the ES|QL front end.
const (
	CodeLexical = "ESQL1001" // a character or literal the lexer cannot read
	CodeSyntax  = "ESQL1002" // a token the grammar does not allow here
	CodeDepth   = "ESQL1003" // nesting deeper than MaxDepth
)

// Error is one problem found while parsing, at a byte range of the query.
type Error = source.SpanError

// ErrorList is the errors of one parse, in source order.
type ErrorList = source.ErrorList
