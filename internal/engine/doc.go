// Package engine runs Kusto (KQL) queries on tables held in memory or
// derived from events: semantic checks after parsing, a logical plan kept
// apart from its executor, and a columnar executor.
//
// Compile parses a query with internal/lang/kql, resolves every name and
// type against a Catalog of tables (check*.go) and builds a logical plan
// (plan.go): ScanNode, FilterNode, ProjectNode, SummarizeNode, JoinNode, ...
// with typed expressions. Anything the engine cannot run (an operator, a
// function, a service-only function such as FileProfile(), externaldata, a
// table no adapter provides) is a diagnostic with its position and name,
// never a silently wrong answer. The columns each query reads are pushed
// down to the scans (prune), so a table that derives its columns from
// events computes only those.
//
// Query.Run executes the plan (exec.go) a chunk at a time. Columns are
// typed (types.go, column.go); strings are often dictionary-encoded, and a
// pure function of one dictionary column is evaluated once per distinct
// value (applyRow), so `where ProcessCommandLine has "x"` costs one test
// per distinct command line.
//
// Function signatures (funcs.go) live apart from their implementations
// (builtins.go, aggs.go). Kusto's semantics are kept: has matches whole
// terms, contains substrings, =~ and in~ fold case and the _cs forms do
// not, matches regex is RE2, strings are never null (empty), comparisons
// with null follow Kusto's rules, join defaults to innerunique, and now()
// and ago() are relative to Options.Now (replay time). See docs/engine.md.
package engine
