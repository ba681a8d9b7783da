// Package esql parses ES|QL, Elasticsearch's piped query language: a source
// command (FROM with METADATA, TS, ROW, SHOW) followed by processing
// commands (WHERE, EVAL, STATS ... BY, INLINE STATS, KEEP, DROP, RENAME,
// DISSECT, GROK, MV_EXPAND, SORT, LIMIT, ENRICH, LOOKUP JOIN, CHANGE_POINT,
// COMPLETION, SAMPLE, FORK) and the expression language: functions,
// arithmetic, comparisons, LIKE, RLIKE, IN, IS [NOT] NULL, the match
// operator `:`, casts `::type`, time spans (`7 days`), parameters and map
// expressions.
//
// The lexer and recursive-descent parser are hand-written after the
// Elasticsearch ANTLR grammar (x-pack/plugin/esql, EsqlBaseParser.g4):
// FROM sources and KEEP/DROP name patterns are read in their own lexical
// modes, as there. Every node has byte offsets, a failed parse returns a
// partial tree plus every error (a bad command is skipped to the next pipe),
// nesting is bounded, and no input makes the parser panic. Print turns a
// tree back into canonical query text.
package esql
