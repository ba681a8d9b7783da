// Package mql parses Sublime Security's Message Query Language (MQL), the
// language of the sublime-rules detection and discovery rules.
//
// An MQL source is one boolean expression over the message data model
// (MDM): member paths (sender.email.domain.root_domain), literals (double-
// quoted strings with escapes, single-quoted raw strings where ” is a
// quote, numbers, true, false, null), $lists (the platform's and the
// organisation's named lists), list literals ("a", "b") and [a, b],
// function calls (strings.ilike, regex.icontains, network.whois,
// ml.nlu_classifier, beta.*, profile.by_sender(), ...) followed by member
// access, indexes and slices, the array functions any, all, filter, map,
// distinct, sum, ratio whose second argument is evaluated per element, where
// '.' is the element, '.field' one of its fields and '..field' a field of
// the enclosing element, and the operators
//
//	or                       (lowest)
//	and
//	not                      (prefix)
//	== != =~ !~ < <= > >= in in~ not in not in~ is [not] null
//	+ -
//	* / %
//	- (prefix)
//	. [ ] ( )                (highest: member, index, slice, call)
//
// plus "N of (a, b, c)" (at least N of the expressions hold; "none of"
// none does) and // line comments.
//
// The grammar follows docs.sublime.security (Syntax, Functions) and the
// TextMate grammar of sublime-security/mql-vscode; it was checked against
// every rule of the sublime-rules repository.
//
// The parser is hand-written in the style of go/parser: a lexer, a Pratt
// expression parser, byte-offset positions on every node, all errors with
// their positions and a partial tree after a failure, a nesting limit, and
// a printer (Print) whose output parses to the same tree.
package mql
