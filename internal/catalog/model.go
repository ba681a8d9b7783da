package catalog

import (
	"sync"
	"time"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// Catalog is a built catalog in memory: the rules and the corpus statistics
// that relate them. It is immutable once built and safe for concurrent use.
type Catalog struct {
	Info   Info
	Attack *attack.Catalog
	// Rules sorted by id.
	Rules []*Rule
	// Indicators are the distinct (canonical field, kind class, normalised
	// value) of all rules' indicators, most used first.
	Indicators []*IndicatorStat
	// Fields are the canonical fields indicators use, most used first.
	Fields []*FieldStat
	// Providers and their events, sorted by name.
	Providers []*ProviderStat
	Events    []*EventStat
	// Patterns group rules by the set of events they read, largest first.
	Patterns []*Pattern
	// Tables are the data sources rules read, most used first.
	Tables []*TableStat
	// Techniques are the ATT&CK techniques rules cover (sub-techniques
	// included), by id.
	Techniques []*TechniqueStat
	// Languages present, sorted.
	Languages []string

	byID            map[string]*Rule
	shared          []*SharedID
	sharedByKey     map[string]*SharedID
	indicatorByKey  map[IndicatorKey]*IndicatorStat
	indicatorBySlug map[string]*IndicatorStat
	fieldByKey      map[string]*FieldStat
	fieldBySlug     map[string]*FieldStat
	providerBySlug  map[string]*ProviderStat
	eventBySlug     map[string]*EventStat
	eventByKey      map[string]*EventStat
	patternBySlug   map[string]*Pattern
	tableByKey      map[string]*TableStat
	techniqueByID   map[string]*TechniqueStat
	preds           *predicateTable
	search          *searchIndex
	// cache keeps computed matrices and coverage per filter.
	cache sync.Map
}

// Info describes a build.
type Info struct {
	// Built is when the catalog was built; Duration how long it took.
	Built    time.Time     `json:"built"`
	Duration time.Duration `json:"duration_ns"`
	// Detwiki is the detwiki version that built it, Attack the ATT&CK
	// version used to name tactics and techniques.
	Detwiki string `json:"detwiki"`
	Attack  string `json:"attack"`
	// Sources are the rule folders the catalog was built from.
	Sources []SourceInfo `json:"sources"`
	// Rules counts every rule, Feeds the third-party feeds among them.
	Rules      int            `json:"rules"`
	Feeds      int            `json:"third_party_feeds"`
	ByLanguage map[string]int `json:"by_language"`
	// Reread is the number of files read by the last build (the others were
	// reused from the previous build); Files the number of candidate files.
	Reread int `json:"reread"`
	Files  int `json:"files"`
}

// SourceInfo summarises one rule folder of the build.
type SourceInfo struct {
	// Name is the folder's base name (the rules' source.repo), Root its path.
	Name string `json:"name"`
	Root string `json:"root,omitempty"`
	// URL is the public repository the folder mirrors, when detwiki knows it.
	URL        string         `json:"url,omitempty"`
	Files      int            `json:"files"`
	Skipped    int            `json:"skipped"`
	Rules      int            `json:"rules"`
	ByLanguage map[string]int `json:"by_language"`
	Errors     int            `json:"errors"`
	Warnings   int            `json:"warnings"`
	// Diagnostics are problems with files that produced no rule (a file
	// too big to read, a folder that cannot be listed).
	Diagnostics []source.Diagnostic `json:"diagnostics,omitempty"`
}

// Rule is one rule document with what the catalog knows about it.
type Rule struct {
	*rule.Document
	// Index is the rule's position in Catalog.Rules.
	Index int
	// Techniques and Tactics are the ATT&CK ids the rule maps to.
	Techniques []string
	Tactics    []string
	// Neighbours are the rules whose predicates contain, are contained in,
	// or equal this rule's.
	Neighbours Neighbours
	// SameAction are rules that match the same action: a shared event class
	// and shared key indicators (in Diff), most shared first.
	SameAction      []Related
	SameActionTotal int
	// Pattern is the detection pattern (set of events read) of the rule.
	Pattern *Pattern

	predicates []int32 // sorted predicate ids (see neighbours.go)
	// stats holds, for every indicator value in document order, the corpus
	// statistics it counts under (nil when it has no corpus key).
	stats []*IndicatorStat
}

// Neighbours of a rule, each list capped (the totals count them all).
type Neighbours struct {
	// Narrower rules have every predicate of this rule and more (Diff: what
	// they add); Broader rules have a strict subset (Diff: what this rule
	// adds); Same rules have exactly the same predicates.
	Narrower      []Related `json:"narrower"`
	Broader       []Related `json:"broader"`
	Same          []Related `json:"same"`
	NarrowerTotal int       `json:"narrower_total"`
	BroaderTotal  int       `json:"broader_total"`
	SameTotal     int       `json:"same_total"`
}

// Related is another rule and the predicates that relate it to a rule.
type Related struct {
	Rule *Rule       `json:"-"`
	ID   string      `json:"id"`
	Diff []Predicate `json:"diff"`
}

// Predicate is one (field, kind, value) of a rule in corpus terms: the
// canonical field, the kind class and the normalised value, and whether the
// rule excludes rather than matches it.
type Predicate struct {
	Field string `json:"field"`
	// FieldKey is the field's corpus key (its page is /fields/PageKey(FieldKey)).
	FieldKey string `json:"field_key"`
	Kind     string `json:"kind"`
	Value    string `json:"value"`
	Negated  bool   `json:"negated,omitempty"`
}

// IndicatorKey identifies an indicator across the corpus: the canonical
// field (lower case), the kind class and the normalised value.
type IndicatorKey struct {
	Field string
	Kind  string
	Value string
}

// IndicatorStat is one distinct indicator of the corpus.
type IndicatorStat struct {
	Key IndicatorKey `json:"-"`
	// Field is the canonical field (or the field as most rules write it when
	// it has no canonical name), Kind the kind class, Value the value as the
	// first rule writes it.
	Field string `json:"field"`
	Kind  string `json:"kind"`
	Value string `json:"value"`
	// Spellings are the field names rules write for it.
	Spellings []string `json:"spellings"`
	// Rules read it (sorted by rule index); Total is their number.
	Rules      []int32        `json:"-"`
	Total      int            `json:"total"`
	ByLanguage map[string]int `json:"by_language"`
	// Slug is the indicator's page path under /indicators/.
	Slug string `json:"slug"`
}

// FieldStat is one canonical field and the indicators on it.
type FieldStat struct {
	Key        string           `json:"-"`
	Name       string           `json:"field"`
	Spellings  []string         `json:"spellings"`
	Rules      int              `json:"rules"`
	ByLanguage map[string]int   `json:"by_language"`
	Indicators []*IndicatorStat `json:"-"`
	Slug       string           `json:"slug"`
}

// ProviderStat is one event provider (Sysmon, Security,
// Defender-DeviceProcessEvents, ...).
type ProviderStat struct {
	Name   string       `json:"provider"`
	Slug   string       `json:"slug"`
	Events []*EventStat `json:"-"`
	// Rules counts the rules that read any of its events directly.
	Rules int `json:"rules"`
}

// EventStat is one telemetry event: which rules read it, which fields they
// use, the most common indicators, and its equivalents in other providers.
type EventStat struct {
	Provider string `json:"provider"`
	Event    string `json:"event"`
	Title    string `json:"title,omitempty"`
	Class    string `json:"class,omitempty"`
	Slug     string `json:"slug"`
	// Rules read the event directly; Equivalent rules read an equivalent
	// event of another provider (and list this one as equivalent).
	Rules      []int32        `json:"-"`
	Equivalent []int32        `json:"-"`
	ByLanguage map[string]int `json:"by_language"`
	// Fields used by the rules that read the event, with how many rules use
	// each, most used first.
	Fields []FieldCount `json:"fields"`
	// Indicators most common among the rules that read the event.
	Indicators []EventIndicator `json:"indicators"`
	// Equivalents are the events of the same class in other providers.
	Equivalents []*EventStat `json:"-"`
	provider    *ProviderStat
}

// FieldCount is a field with the number of rules that use it.
type FieldCount struct {
	Field *FieldStat `json:"-"`
	Name  string     `json:"field"`
	Rules int        `json:"rules"`
}

// EventIndicator is an indicator with the number of rules of one event that
// look for it and their languages.
type EventIndicator struct {
	Indicator *IndicatorStat `json:"-"`
	Field     string         `json:"field"`
	Kind      string         `json:"kind"`
	Value     string         `json:"value"`
	Rules     int            `json:"rules"`
	Languages []string       `json:"languages"`
}

// Pattern is a detection pattern: the rules that read the same set of
// events.
type Pattern struct {
	Slug       string         `json:"slug"`
	Events     []*EventStat   `json:"-"`
	EventKeys  []string       `json:"events"`
	Rules      []int32        `json:"-"`
	ByLanguage map[string]int `json:"by_language"`
}

// TableStat is one data source (table, index, datamodel, logsource) rules
// read.
type TableStat struct {
	Name       string         `json:"table"`
	Rules      int            `json:"rules"`
	ByLanguage map[string]int `json:"by_language"`
}

// TechniqueStat is one ATT&CK technique and the rules that cover it.
type TechniqueStat struct {
	ID        string                `json:"technique_id"`
	Name      string                `json:"technique"`
	Technique *attack.Technique     `json:"-"`
	Rules     []int32               `json:"-"`
	Total     int                   `json:"rules"`
	ByTactic  map[string]int        `json:"by_tactic"`
	ByLang    map[string]int        `json:"by_language"`
	Events    []TechniqueEventCount `json:"events"`
	Tactics   []string              `json:"tactics"`
}

// TechniqueEventCount is an event read by the rules of a technique.
type TechniqueEventCount struct {
	Event *EventStat `json:"-"`
	Key   string     `json:"event"`
	Rules int        `json:"rules"`
}
