package sigma

import (
	"time"

	"github.com/detwiki/detwiki/internal/source"
	yaml "go.yaml.in/yaml/v3"
)

// RuleKind says which of the three Sigma document types a rule is.
type RuleKind uint8

// The rule kinds.
const (
	KindDetection   RuleKind = iota // a rule with a detection section
	KindCorrelation                 // a correlation meta-rule
	KindFilter                      // a filter meta-rule
)

var ruleKindNames = [...]string{"detection", "correlation", "filter"}

// String returns "detection", "correlation" or "filter".
func (k RuleKind) String() string {
	if int(k) < len(ruleKindNames) {
		return ruleKindNames[k]
	}
	return "kind?"
}

// File is a Sigma file: its rules, after the documents of a Sigma 1
// collection (action: global, reset, repeat) were merged.
type File struct {
	Rules []*Rule
	// Diagnostics are problems of the file that belong to no rule (YAML
	// syntax errors, documents that are no rule), with file positions.
	Diagnostics []source.Diagnostic
	// Lines is the file's line table.
	Lines *source.LineTable
}

// Rule is one Sigma rule, correlation rule or filter.
type Rule struct {
	Kind RuleKind
	// Doc is the 0-based index of the YAML document the rule comes from.
	Doc int
	// Node is the rule's mapping (merged with the global document of a
	// collection), for keys the model does not name.
	Node *yaml.Node
	// Pos and End span the rule's document in the file.
	Pos, End source.Pos
	// Merged lists the spans of the documents a Sigma 1 collection merged
	// into this rule (the global document first, then the rule's own, or
	// the repeated documents); nil for a document that stands alone.
	Merged []source.Span

	Title       string
	ID          string
	Name        string
	Related     []Related
	Taxonomy    string
	Status      string
	Description string
	License     string
	References  []string
	Author      string
	Date        string
	Modified    string
	Tags        []string
	Logsource   Logsource
	Fields      []string
	// FalsePositives as written (a list, or one string).
	FalsePositives []string
	Level          string
	Scope          []string
	// RegressionTestsPath is the SigmaHQ regression_tests_path, as written.
	RegressionTestsPath string

	Detection   *Detection   // KindDetection
	Correlation *Correlation // KindCorrelation
	Filter      *Filter      // KindFilter

	// Keys lists the rule's top-level keys with their positions, in file
	// order (after a collection merge, global keys first).
	Keys []Key
	// Diagnostics are the rule's problems, with file positions.
	Diagnostics []source.Diagnostic
}

// Key is a top-level key of a rule and where its value spans in the file.
type Key struct {
	Name string
	Pos  source.Pos // the key
	// End is where the key's value ends (the start of the next key, or
	// the end of the document).
	End source.Pos
}

// Related is one entry of a rule's related list.
type Related struct {
	ID   string
	Type string // derived, obsolete, merged, renamed, similar
	Pos  source.Pos
}

// Logsource is a rule's logsource.
type Logsource struct {
	Pos        source.Pos
	Category   string
	Product    string
	Service    string
	Definition string
	// Custom holds other keys of the logsource, as written.
	Custom map[string]string
}

// IsZero reports whether the logsource names nothing.
func (l Logsource) IsZero() bool {
	return l.Category == "" && l.Product == "" && l.Service == "" && l.Definition == "" && len(l.Custom) == 0
}

// Table returns the logsource as "product/category/service", empty parts
// left out (windows/process_creation, windows/security).
func (l Logsource) Table() string {
	s := ""
	for _, p := range []string{l.Product, l.Category, l.Service} {
		if p == "" {
			continue
		}
		if s != "" {
			s += "/"
		}
		s += p
	}
	return s
}

// RuleRef is a reference to another rule by its id or name.
type RuleRef struct {
	Ref string
	Pos source.Pos
}

// Correlation is a correlation rule's correlation section.
type Correlation struct {
	Pos source.Pos
	// Type is event_count, value_count, temporal, temporal_ordered,
	// value_sum, value_avg or value_percentile.
	Type    string
	Rules   []RuleRef
	GroupBy []string
	// Timespan as written (10m) and as a duration.
	Timespan string
	Duration time.Duration
	// Condition holds the comparisons of the count (linked with AND);
	// Field is the counted field of value_* correlations.
	Condition []CountCondition
	Field     []string
	Aliases   []Alias
	// Generate: the referenced rules are also to be converted on their own.
	Generate bool
}

// CountCondition is one comparison of a correlation condition: gte: 100.
type CountCondition struct {
	Op    string // gt, gte, lt, lte, eq, neq
	Value string
}

// Alias is a correlation field alias: one name for a field that the
// referenced rules call differently.
type Alias struct {
	Name string
	// Fields maps a rule's name to its field, in file order.
	Fields []AliasField
}

// AliasField is one rule's field of an alias.
type AliasField struct {
	Rule  string
	Field string
}

// Filter is a filter meta-rule's filter section: the rules it applies to
// and the selections it suppresses.
type Filter struct {
	Pos       source.Pos
	Rules     []RuleRef
	Detection *Detection
}
