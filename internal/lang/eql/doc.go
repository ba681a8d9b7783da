// Package eql parses Elastic's Event Query Language (EQL) as the detection
// rules of elastic/detection-rules write it: event queries
// (`process where ...`, `any where ...`), sequences (`sequence by ... with
// maxspan=...`, `[...] by ... with runs=N`, missing events `![...]`,
// `until`), samples, joins, pipes (`| head 5`, `| filter ...`), and the
// expression language: `and`/`or`/`not`, comparisons, the case-insensitive
// `:` and the `like`, `like~`, `regex`, `regex~`, `in`, `in~` predicates,
// functions (`startsWith~(...)`), optional fields (`?process.name`) and
// string escapes.
//
// The lexer and the recursive-descent parser are hand-written in the style of
// go/scanner and go/parser: every node carries byte offsets (Pos/End), a
// failed parse returns a partial tree (Bad nodes) plus every error, nesting is
// bounded, and no input makes the parser panic. Print turns a tree back into
// canonical query text.
//
// The grammar follows the Elasticsearch EQL reference and its ANTLR grammar
// (x-pack/plugin/eql, EqlBase.g4); see docs/lang-elastic.md for what is and is
// not accepted.
package eql
