// Package lucene parses the Lucene query syntax that Elasticsearch's
// query_string query (and Kibana's "lucene" language) accepts: terms and
// `field:term` clauses, quoted phrases, wildcards (`*`, `?`), regular
// expressions `/.../`, ranges `[a TO b]`, `{a TO b}` and `field:>=10`,
// boolean operators (AND, OR, NOT, &&, ||, !, + and -), grouping, field
// groups `field:(a OR b)`, boosts `^2`, fuzziness and proximity `~`, and
// backslash escapes.
//
// The lexer and recursive-descent parser are hand-written: byte offsets on
// every node, a partial tree plus every error after a failure, bounded
// nesting, no panics. Print turns a tree back into canonical query text.
package lucene
