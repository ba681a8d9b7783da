package yaral

import "github.com/detwiki/detwiki/internal/source"

// Diagnostic codes of the YARA-L front end. 1xxx are syntax errors, 2xxx
// rule-quality warnings found by Check.
const (
	CodeSyntax        = "YARAL1001" // unexpected token, missing token
	CodeLexical       = "YARAL1002" // unterminated literal or comment, illegal character
	CodeTooDeep       = "YARAL1003" // expression nested deeper than MaxDepth
	CodeSection       = "YARAL1004" // section out of order, repeated or missing
	CodeUndeclared    = "YARAL2001" // a variable used but never declared in events
	CodeUnusedEvent   = "YARAL2002" // an event variable the condition never names
	CodeMultiline     = "YARAL2003" // a string literal that spans lines
	CodeMatchNoWindow = "YARAL2004" // match variables without a window
	CodeMetaDuplicate = "YARAL2005" // meta key given twice
	CodeBadRegex      = "YARAL2006" // a regular expression RE2 does not accept
)

// Error is one problem found while reading a rule: a span of the text and a
// message. Code is one of the Code constants.
type Error = source.SpanError

// ErrorList is a list of errors, sortable by position.
type ErrorList = source.ErrorList
