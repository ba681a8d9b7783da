package rule

import (
	"slices"
	"strings"

	"github.com/detwiki/detwiki/internal/source"
)

// Kinds: one comparison vocabulary for every language (spec §2, "Kinds and
// transforms").
const (
	KindEq         = "eq"
	KindNe         = "ne"
	KindIn         = "in"
	KindContains   = "contains"
	KindMatch      = "match" // whole-term match: KQL has, Sigma contains on terms, wildcard patterns
	KindStartsWith = "starts_with"
	KindEndsWith   = "ends_with"
	KindRegex      = "regex"
	KindGt         = "gt"
	KindGe         = "ge"
	KindLt         = "lt"
	KindLe         = "le"
	KindCIDR       = "cidr"
	KindIsNull     = "is_null"
	KindIsNotNull  = "is_not_null"
)

// Kinds lists every kind, in the order pages show them.
var Kinds = []string{KindEq, KindNe, KindIn, KindContains, KindMatch, KindStartsWith,
	KindEndsWith, KindRegex, KindGt, KindGe, KindLt, KindLe, KindCIDR, KindIsNull, KindIsNotNull}

// Transforms: what changes how a value is compared.
const (
	TransformCased        = "cased"   // case-sensitive comparison
	TransformAll          = "all"     // every value must match (Sigma |all, KQL has_all)
	TransformWindash      = "windash" // - and / (and lookalikes) are interchangeable
	TransformBase64       = "base64"  // value is matched base64-encoded
	TransformBase64Offset = "base64offset"
	TransformWide         = "wide"       // UTF-16 encoded before matching
	TransformFieldRef     = "field_ref"  // the value is another column
	TransformWildcard     = "wildcard"   // the value holds * / ? wildcards
	TransformExpression   = "expression" // the value is an expression's text, not a literal
)

// KindClass groups kinds whose values count together in corpus statistics:
// eq and in share a class; every other kind is its own class.
func KindClass(kind string) string {
	if kind == KindIn {
		return KindEq
	}
	return kind
}

// Analysis is what detwiki understood of a rule's query.
type Analysis struct {
	Parameters  []Parameter         `json:"parameters"`
	Bindings    []Binding           `json:"bindings"`
	Stages      []Stage             `json:"stages"`
	Indicators  []Indicator         `json:"indicators"`
	Exclusions  []Indicator         `json:"exclusions"`
	Outputs     []Output            `json:"outputs"`
	Events      []Event             `json:"events"`
	Tables      []string            `json:"tables"`
	Diagnostics []source.Diagnostic `json:"diagnostics"`

	// seen indexes the (list, field, kind, value, transforms) entries added by
	// AddPredicate, so long value lists merge in linear time.
	seen map[string]struct{}
}

// Parameter is a named constant of the rule: a top-level scalar let, a
// Splunk macro, a YARA-L placeholder or reference list, a Sigma placeholder,
// an Elastic threshold setting.
type Parameter struct {
	Name string `json:"name"`
	Text string `json:"text"`
	// Value is the parameter's constant value(s), decoded, when it has one.
	Values []string `json:"values,omitempty"`
	// Note is a remark for the reader (a Splunk macro that is the customer's
	// exclusion hook, a macro defined outside the rule source).
	Note string `json:"note,omitempty"`
}

// Binding is a named sub-query: a tabular let, a view, a function, an EQL
// sequence step, a YARA-L event variable.
type Binding struct {
	Name        string   `json:"name"`
	Text        string   `json:"text"`
	DerivedFrom []string `json:"derived_from"`
}

// Stage is one step of a pipeline as a reader sees it.
type Stage struct {
	N     int    `json:"n"`
	Kind  string `json:"kind"`
	Steps int    `json:"steps"`
	Text  string `json:"text"`
	// Pipeline names the binding the stage belongs to, or "main".
	Pipeline string `json:"pipeline"`
	// Line is the 1-based line of the stage in the query text (0 if unknown).
	Line       int         `json:"line,omitempty"`
	Predicates []Predicate `json:"predicates,omitempty"`
	// Note is a remark for the reader: where the stage comes from (a Splunk
	// macro expansion, the customer's exclusion hook).
	Note string `json:"note,omitempty"`
}

// Predicate is one comparison inside a stage, as the stage writes it.
type Predicate struct {
	Field      string   `json:"field"`
	Kind       string   `json:"kind"`
	Values     []string `json:"values,omitempty"`
	Transforms []string `json:"transforms,omitempty"`
	// Negated is true when the predicate sits under a top-level not (an
	// exclusion); Kind is then the positive kind.
	Negated bool `json:"negated,omitempty"`
}

// Indicator is what a rule matches (or, in Exclusions, suppresses) on one
// (field, kind).
type Indicator struct {
	Field          string  `json:"field"`
	CanonicalField string  `json:"canonical_field,omitempty"`
	Kind           string  `json:"kind"`
	Values         []Value `json:"values"`
}

// Value is one value of an indicator with how it is compared and how many
// rules of the catalog look for the same thing.
type Value struct {
	Value      string   `json:"value"`
	Transforms []string `json:"transforms,omitempty"`
	Corpus     *Corpus  `json:"corpus,omitempty"`
}

// Corpus counts the rules of a catalog (this one included) that match the
// same (canonical field, kind class, normalised value).
type Corpus struct {
	Total      int            `json:"total"`
	ByLanguage map[string]int `json:"by_language"`
}

// Output is a field the rule emits and what produces it (project, extend,
// summarize, entityMappings, customDetails, outcome, table, stats, fields, ...).
type Output struct {
	Field  string `json:"field"`
	Source string `json:"source"`
}

// Via values of Event.
const (
	ViaRule       = "rule"
	ViaEquivalent = "equivalent"
)

// Event is a telemetry event the rule reads (Via "rule") or an equivalent of
// one in another provider (Via "equivalent").
type Event struct {
	Provider string `json:"provider"`
	Event    string `json:"event"`
	Title    string `json:"title,omitempty"`
	Via      string `json:"via"`
	// Class is the provider-neutral event class (process_creation,
	// create_remote_thread, ...), when known.
	Class string `json:"class,omitempty"`
}

// AddPredicate records p as an indicator (or, when negated, an exclusion),
// merging values into the existing entry for the same (field, kind) and
// skipping duplicates. It does not add p to any stage.
func (a *Analysis) AddPredicate(p Predicate) {
	list, tag := &a.Indicators, "i"
	if p.Negated {
		list, tag = &a.Exclusions, "x"
	}
	if a.seen == nil {
		a.seen = make(map[string]struct{})
	}
	i := slices.IndexFunc(*list, func(in Indicator) bool { return in.Field == p.Field && in.Kind == p.Kind })
	if i < 0 {
		*list = append(*list, Indicator{Field: p.Field, Kind: p.Kind, Values: []Value{}})
		i = len(*list) - 1
		// The index may hold entries of an indicator the caller removed.
		a.forget(tag, p.Field, p.Kind)
	}
	ind := &(*list)[i]
	values := p.Values
	if len(values) == 0 && (p.Kind == KindIsNull || p.Kind == KindIsNotNull) {
		values = []string{""}
	}
	prefix := tag + "\x00" + p.Field + "\x00" + p.Kind + "\x00" + strings.Join(p.Transforms, ",") + "\x00"
	for _, v := range values {
		key := prefix + v
		if _, dup := a.seen[key]; dup {
			continue
		}
		a.seen[key] = struct{}{}
		ind.Values = append(ind.Values, Value{Value: v, Transforms: slices.Clone(p.Transforms)})
	}
}

// forget drops the index entries of one (list, field, kind).
func (a *Analysis) forget(tag, field, kind string) {
	prefix := tag + "\x00" + field + "\x00" + kind + "\x00"
	for k := range a.seen {
		if strings.HasPrefix(k, prefix) {
			delete(a.seen, k)
		}
	}
}

// AddEvent appends e unless an event with the same provider and event is
// there already; a direct ("rule") event replaces an equivalent one.
func (a *Analysis) AddEvent(e Event) {
	for i, x := range a.Events {
		if strings.EqualFold(x.Provider, e.Provider) && strings.EqualFold(x.Event, e.Event) {
			if x.Via == ViaEquivalent && e.Via == ViaRule {
				a.Events[i] = e
			}
			return
		}
	}
	a.Events = append(a.Events, e)
}

// AddTable appends a table name unless it is there already.
func (a *Analysis) AddTable(name string) {
	if name != "" && !slices.Contains(a.Tables, name) {
		a.Tables = append(a.Tables, name)
	}
}

// AddOutput appends an output unless the field is there already.
func (a *Analysis) AddOutput(field, src string) {
	if field == "" || slices.ContainsFunc(a.Outputs, func(o Output) bool { return o.Field == field }) {
		return
	}
	a.Outputs = append(a.Outputs, Output{Field: field, Source: src})
}

// Normalize replaces nil slices with empty ones so the JSON form always has
// lists, never null.
func (a *Analysis) Normalize() {
	if a.Parameters == nil {
		a.Parameters = []Parameter{}
	}
	if a.Bindings == nil {
		a.Bindings = []Binding{}
	}
	for i := range a.Bindings {
		if a.Bindings[i].DerivedFrom == nil {
			a.Bindings[i].DerivedFrom = []string{}
		}
	}
	if a.Stages == nil {
		a.Stages = []Stage{}
	}
	if a.Indicators == nil {
		a.Indicators = []Indicator{}
	}
	if a.Exclusions == nil {
		a.Exclusions = []Indicator{}
	}
	if a.Outputs == nil {
		a.Outputs = []Output{}
	}
	if a.Events == nil {
		a.Events = []Event{}
	}
	if a.Tables == nil {
		a.Tables = []string{}
	}
	if a.Diagnostics == nil {
		a.Diagnostics = []source.Diagnostic{}
	}
}

// Normalize fills the defaults every document must have (empty lists rather
// than null) and numbers the stages.
func (d *Document) Normalize() {
	if d.Attack == nil {
		d.Attack = []Attack{}
	}
	for i := range d.Analysis.Stages {
		d.Analysis.Stages[i].N = i + 1
		if d.Analysis.Stages[i].Steps == 0 {
			d.Analysis.Stages[i].Steps = 1
		}
		if d.Analysis.Stages[i].Pipeline == "" {
			d.Analysis.Stages[i].Pipeline = "main"
		}
	}
	d.Analysis.Normalize()
}

// Diagnose appends a diagnostic to the document.
func (d *Document) Diagnose(diag source.Diagnostic) {
	if diag.Path == "" {
		diag.Path = d.Source.Path
	}
	d.Analysis.Diagnostics = append(d.Analysis.Diagnostics, diag)
}
