package spl

import "github.com/detwiki/detwiki/internal/source"

// Diagnostic codes of the SPL front end. Parse errors are SPL1xxx, macro
// expansion problems SPL2xxx.
const (
	CodeLexical       = "SPL1001" // a character, string, comment or macro call the lexer cannot read
	CodeSyntax        = "SPL1002" // a token the grammar does not allow here
	CodeDepth         = "SPL1003" // nesting deeper than MaxDepth
	CodeMacroUnknown  = "SPL2001" // a macro that is not defined in the corpus
	CodeMacroArgs     = "SPL2002" // a macro called with the wrong number of arguments
	CodeMacroCycle    = "SPL2003" // a macro that expands to itself
	CodeMacroSyntax   = "SPL2004" // a malformed macro call
	CodeMacroTooLarge = "SPL2005" // an expansion deeper or larger than the limits
)

// Error is one problem found while parsing or expanding, at a byte range of
// the text it was found in.
type Error = source.SpanError

// ErrorList is the errors of one parse, in source order.
type ErrorList = source.ErrorList
