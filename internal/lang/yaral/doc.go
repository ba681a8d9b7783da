// Package yaral is a hand-written front end for YARA-L 2.0, the rule language
// of Google Security Operations (Chronicle). It has a lexer, a
// recursive-descent parser with operator precedence for expressions, an AST
// with byte-offset positions on every node, a printer, a walker and semantic
// checks.
//
// A file holds one or more rules:
//
//	rule <name> {
//	  meta:      key = "value" ...
//	  events:    predicates over event variables ($e.metadata.event_type = "PROCESS_LAUNCH")
//	  match:     $placeholder, ... over 10m
//	  outcome:   $var = expression ...
//	  condition: $e and #e2 > 3
//	  options:   allow_zero_values = true
//	}
//
// Parse never panics: on bad input it returns a partial tree (with BadExpr
// nodes where an expression could not be read) and every error with its
// position. Expression nesting is bounded by MaxDepth. See docs/lang-yaral.md
// for the grammar as implemented and the decisions taken where the public
// documentation is silent.
package yaral
