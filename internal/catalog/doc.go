// Package catalog builds, stores and queries a detwiki catalog: every rule
// document read from any number of rule folders, with the statistics that
// relate rules across the corpus.
//
// A build (Build) lists the files of the sources, reads them in parallel
// with the registered readers (package formats), gives every rule a unique
// id, computes the corpus statistics and writes the catalog to an SQLite
// database (Store, pure Go, no server). A rebuild over an existing database
// re-reads only the files that changed.
//
// The corpus statistics (Analyze) are:
//   - indicator counts: how many rules, per language, look for the same
//     (canonical field, kind class, normalised value); written into every
//     rule document's indicator values (rule.Value.Corpus);
//   - per provider and event: the rules that read it, the fields they use
//     and the most common indicators;
//   - detection patterns: rules grouped by the set of events they read;
//   - neighbours: rules whose predicate set is a strict superset (narrower)
//     or subset (broader) of a rule's own, or the same set;
//   - rules matching the same action: a shared event class and a shared key
//     indicator.
//
// Third-party feeds (rules that only forward another product's alerts)
// stay searchable but leave browse lists and coverage counts.
//
// A loaded Catalog is immutable and safe for concurrent use; the web server
// answers every request from it in memory: Search runs the query language of
// the wiki (free text plus structured terms such as field:, kind:, value:,
// lang:, technique:, table:, event:), Browse the filters of the rule list.
package catalog
