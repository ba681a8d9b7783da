// Package sql is a simple reader of the Snowflake SQL of Panther scheduled
// and saved queries: it finds every SELECT of a query (top level, WITH
// clauses, subqueries, UNION branches), the tables each reads (FROM and
// JOIN, with aliases) and parses its WHERE and HAVING conditions into a
// small expression tree (AND, OR, NOT, comparisons, IN lists, LIKE, ILIKE,
// RLIKE, REGEXP and their ANY forms, BETWEEN, IS [NOT] NULL, casts, column
// paths into semi-structured data such as properties:user:name, function
// calls). Select lists, GROUP BY, ORDER BY, window clauses and
// MATCH_RECOGNIZE are skipped with their brackets balanced; CASE
// expressions, subqueries and template tags ({{ }}, {% %}) are kept as
// opaque spans. It is not a SQL validator: a query it cannot read is shown
// as text with a note.
//
// Like the other front ends it is hand-written (lexer, recursive descent,
// Pratt expressions), keeps byte-offset positions on every node, reports
// errors with positions and keeps what it read, bounds nesting and never
// panics.
package sql
