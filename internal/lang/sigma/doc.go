// Package sigma is the Sigma front end: the rule model of the Sigma
// specification (v2.1: rules, correlation rules and filter meta-rules, and the
// v1 multi-document collections with action: global), read from YAML with
// positions, and a hand-written lexer and parser for the condition language.
//
// The model is built to be walked by tools that explain rules and by tools
// that evaluate them against events:
//
//   - ParseFile turns a file into Rules. A detection Rule has a Detection: its
//     search identifiers (Search), each an OR of Groups, each an AND of Items;
//     an Item is one field (or the whole event, for keywords) with its
//     Modifiers, in order, and its Values, decoded (wildcards, escapes and
//     placeholders in a String, the raw text for regular expressions, CIDR
//     ranges and field references).
//   - A Detection's Conditions are parsed into an AST (Expr: Ident, OfExpr,
//     NotExpr, BinaryExpr, ParenExpr, BadExpr) with byte offsets into the
//     condition text, plus the obsolete Sigma 1 aggregation after a pipe.
//   - Item.Patterns applies the value-transforming modifiers (contains,
//     startswith, endswith, base64, base64offset, utf16*, windash) and gives
//     the patterns a value finally matches, as pySigma defines them.
//
// Nothing here panics on input: every problem becomes a source.Diagnostic
// with a stable SIGMA code and a file line:col (see codes.go).
package sigma
