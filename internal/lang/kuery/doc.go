// Package kuery parses the Kibana Query Language ("KQL", called kuery in
// detection rules): `field : value`, quoted phrases, wildcards, value lists
// `field : (a or b)`, ranges `field >= 10`, `not`, nested queries
// `field : { ... }`, existence `field : *` and free-text values.
//
// The grammar follows Kibana's own (packages/kbn-es-query, kuery grammar):
// it is read character by character, because unquoted values may hold
// spaces and end only at a keyword (` or `, ` and `, `not `) or a special
// character. The parser is hand-written, puts byte offsets on every node,
// returns a partial tree plus every error, bounds nesting and never panics.
// Print turns a tree back into canonical query text.
package kuery
