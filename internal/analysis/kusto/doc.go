// Package kusto explains a Kusto (KQL) rule: from the syntax tree of its
// query (package internal/lang/kql) it fills the analysis block of the rule
// document (../shared/spec/README.md §2, docs/rule-model.md):
//
//   - parameters: top-level scalar lets, with their constant value decoded
//     and folded (let timeframe = 2*1h has the value 2h; a dynamic([...])
//     list has its elements);
//   - bindings: tabular lets, materialize(), views and functions, each
//     with the parameters and bindings it is derived from;
//   - stages: every pipeline's operators in order, named by the binding
//     they belong to (or main; sub-queries of join, union, in and toscalar
//     get a pipeline of their own, such as main/join); consecutive extends
//     merge into one stage, every filter is its own stage;
//   - predicates on each stage, and from them indicators and exclusions:
//     every comparison in where, parse-where, join and lookup keys, search,
//     scan steps and in/has_any lists, with the kind vocabulary of the rule
//     model, cased for case-sensitive operators, field_ref when the value is
//     a column, parameters resolved to their values, and columns made by
//     parse, extend, project or project-rename traced back to their source;
//   - outputs: the columns the rule emits (its final project, summarize,
//     extend, parse, ...), then the entityMappings and customDetails
//     columns the reader found;
//   - tables (tables, functions, ASIM parsers), group_by and time_window
//     when the metadata lacks them, and third_party_feed.
//
// Events and canonical fields are left to the shared schema pass, which runs
// after the reader on the facts filled here.
//
//	script, _ := kql.Parse(d.Query)
//	kusto.Analyze(d, script)
//
// The Kusto readers call Analyze through kustorule.ParseQuery.
// docs/analysis-kusto.md lists every mapping and decision.
package kusto
