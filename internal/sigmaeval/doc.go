// Package sigmaeval runs Sigma rules on events: it compiles a rule, as
// package sigma reads it, into a matcher once, and evaluates it over the
// column blocks of package events, routing each rule to the events its
// logsource names.
//
// Matching follows the Sigma specification (v2.1) and pySigma where the
// specification leaves details open:
//
//   - string values match whole field values, case-insensitively unless
//     |cased; * and ? are wildcards, escapes as package sigma decodes them;
//     contains, startswith, endswith, base64, base64offset, utf16*, wide and
//     windash give the patterns Item.Patterns lists (any one matches);
//   - a list of values is an OR, or an AND with |all; a map is an AND, a
//     list of maps an OR; keywords (values without a field) match anywhere
//     in the event (every field's value, as contains);
//   - null matches a field that is absent or null, ” an empty value, '*' any
//     value that is present; |exists: true/false tests presence only;
//   - |re is an RE2 search (unanchored) over the raw value, case-sensitive
//     unless |i; m and s are the multi-line and dot-all flags; |cidr takes
//     IPv4 and IPv6 ranges; |gt |gte |lt |lte compare numbers (decimal, or
//     hexadecimal written 0x..); |neq holds when the field is present and
//     equals none of the values; |fieldref compares with another field of
//     the same event; |minute ... |year compare a part of a timestamp;
//     |expand placeholders take their values from Options.Placeholders;
//   - conditions: and, or, not, parentheses, "1 of", "any of", "all of",
//     "N of" over search identifiers, patterns and them; a condition list is
//     an OR. The Sigma 1 count() aggregation is counted per group over the
//     rule's timeframe; near is reported as unsupported.
//
// Correlation rules (event_count, value_count, temporal, temporal_ordered,
// value_sum, value_avg, value_percentile) run over the events their
// referenced rules matched, grouped by group-by (aliases resolved) within
// their timespan. Filter meta-rules (CompileFilter, Rule.AddFilter) narrow
// the rules they name by AND-ing their condition into the rules', as
// pySigma applies them.
//
// Evaluation is columnar: for every block, each rule's fields are resolved
// once, routing selects the rows of each of the rule's lanes once per block
// (cached across rules), and each detection item is evaluated once per
// distinct value of its field (memoised), only on the rows the condition
// still needs. A compiled Rule is read-only and safe for concurrent use.
//
// Routing (Router) is data: package schema's event classes say which events
// a Sigma logsource category covers, its providers which channel a Windows
// service writes to, and its derived field facts how Security 4688 names
// Sigma's process_creation fields; routes.yaml adds what the schema does not
// hold (the Windows services pySigma knows, the providers whose events
// carry Sigma's field names, the system properties Sigma names).
package sigmaeval
