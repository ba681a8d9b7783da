package kuery

import "github.com/detwiki/detwiki/internal/source"

// Diagnostic codes of the kuery front end.
const (
	CodeLexical = "KUERY1001" // a character or literal that cannot be read
	CodeSyntax  = "KUERY1002" // a token the grammar does not allow here
	CodeDepth   = "KUERY1003" // nesting deeper than MaxDepth
)

// Error is one problem found while parsing, at a byte range of the query.
type Error = source.SpanError

// ErrorList is the errors of one parse, in source order.
type ErrorList = source.ErrorList
