// Package elastic reads the rules of elastic/detection-rules: rule TOML
// files ([metadata], [rule], [[rule.threat]], [transform]) with EQL, Kibana
// KQL (kuery), Lucene or ES|QL queries and machine-learning rules without a
// query, and the hunting TOML files ([hunt], a list of queries). Each rule
// becomes one rule document: its metadata, ATT&CK mapping, prose sections,
// and an analysis of its query (stages, indicators, exclusions, outputs,
// group-by keys, bindings, parameters, index patterns) built from the
// parsers in internal/lang/eql, kuery, lucene and esql.
//
// docs/lang-elastic.md describes the mapping and its known gaps.
package elastic
