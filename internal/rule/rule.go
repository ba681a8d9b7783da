// Package rule is the language-neutral rule document of the product spec
// (../shared/spec/README.md §2): what every front end produces and what the
// catalog, the wiki, the API and the CLI consume. JSON field names are the
// public contract: fields may be added, never renamed.
package rule

import (
	"github.com/detwiki/detwiki/internal/source"
)

// Languages (the rule family, spec §1).
const (
	LangKusto     = "kusto"
	LangSigma     = "sigma"
	LangElastic   = "elastic"
	LangSplunk    = "splunk"
	LangChronicle = "chronicle"
	LangPanther   = "panther"
	LangSublime   = "sublime"
)

// Document is one rule, whatever its family.
type Document struct {
	// ID is "<language>/<file stem>", unique in a catalog (the catalog
	// disambiguates collisions).
	ID            string `json:"id"`
	Language      string `json:"language"`
	QueryLanguage string `json:"query_language"`
	// Format names the reader that produced the document (sentinel,
	// falconfriday, defender-markdown, markdown, kql-file, sigma, elastic,
	// elastic-hunt, splunk, chronicle, panther, sublime, ...).
	Format string `json:"format"`
	Source Source `json:"source"`

	Title          string   `json:"title"`
	Description    string   `json:"description,omitempty"`
	Author         string   `json:"author,omitempty"`
	Status         string   `json:"status,omitempty"`
	Severity       string   `json:"severity,omitempty"`
	TimeWindow     string   `json:"time_window,omitempty"`
	Frequency      string   `json:"frequency,omitempty"`
	GroupBy        []string `json:"group_by,omitempty"`
	References     []string `json:"references,omitempty"`
	FalsePositives []string `json:"false_positives,omitempty"`
	DataSources    []string `json:"data_sources,omitempty"`
	Version        string   `json:"version,omitempty"`
	Created        string   `json:"created,omitempty"`
	Modified       string   `json:"modified,omitempty"`

	// Kind is the rule's own type where the format has one (Scheduled, NRT,
	// hunting, eql, threshold, TTP, correlation, filter, ...).
	Kind string `json:"kind,omitempty"`
	// Platforms the rule targets (windows, linux, macos, azure, aws, ...).
	Platforms []string `json:"platforms,omitempty"`
	// Tags are the format's free tags, as written.
	Tags []string `json:"tags,omitempty"`
	// Deprecated marks rules the source itself retired (kept, not dropped).
	Deprecated bool `json:"deprecated,omitempty"`

	Attack         []Attack `json:"attack"`
	ThirdPartyFeed bool     `json:"third_party_feed"`

	// Body is the source file text; Query the query text that was analysed.
	Body  string `json:"body"`
	Query string `json:"query"`
	// QueryOrigin places Query inside Body, so diagnostics on the query can
	// be shown at file positions.
	QueryOrigin source.Origin `json:"query_origin,omitzero"`

	// Sections are the prose parts of the source a reader should see on the
	// page (FalconFriday's "Considerations", Splunk's "how to implement",
	// Elastic's "note" and "setup", ...), in source order.
	Sections []Section `json:"sections,omitempty"`
	// Links point at related documents: rules a correlation references,
	// Splunk stories and data sources, the rule this one replaces.
	Links []Link `json:"links,omitempty"`
	// Tests are sample events that come with the rule (Sigma regression data,
	// Panther unit tests, Splunk attack data), with their expected result.
	Tests []Test `json:"tests,omitempty"`
	// Variants are alternative queries of the same detection (Defender XDR vs
	// Sentinel versions of one markdown rule, an ES|QL and an EQL version).
	Variants []Variant `json:"variants,omitempty"`
	// Runs is what running the rule on events found (detwiki test, detwiki
	// build --events): the event data sets it fired on, its positive tests,
	// a few matching events. Nil when the rule was not run.
	Runs *Runs `json:"runs,omitempty"`
	// Extra keeps format-specific metadata that has no field of its own
	// (entityMappings, risk scores, threshold settings, ...), as decoded.
	Extra map[string]any `json:"extra,omitempty"`

	Analysis Analysis `json:"analysis"`
}

// Source says where a rule came from: the repository (the name of the rule
// folder given to the build) and the slash-separated path inside it.
type Source struct {
	Repo string `json:"repo"`
	Path string `json:"path"`
}

// Attack is one ATT&CK mapping. Names come from the ATT&CK bundle in use,
// never from the rule text.
type Attack struct {
	TacticID    string `json:"tactic_id,omitempty"`
	Tactic      string `json:"tactic,omitempty"`
	TechniqueID string `json:"technique_id,omitempty"`
	Technique   string `json:"technique,omitempty"`
}

// Section is a titled piece of prose from the rule source (markdown).
type Section struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

// Link relates the rule to another document. Kind says how (references,
// replaced_by, story, data_source, filter_for, correlates, ...); Target is a
// rule id, a name or a URL.
type Link struct {
	Kind   string `json:"kind"`
	Target string `json:"target"`
	Title  string `json:"title,omitempty"`
}

// Test is a sample event or event file shipped with the rule.
type Test struct {
	Name string `json:"name"`
	// Expect is the expected outcome: "match" or "no_match".
	Expect string `json:"expect,omitempty"`
	// Path is the event file, relative to the rule source root, when the
	// events live in a file of their own.
	Path string `json:"path,omitempty"`
	// Event is the inline event, as JSON text, when it is small.
	Event string `json:"event,omitempty"`
}

// Variant is another query of the same rule.
type Variant struct {
	Name          string `json:"name"`
	QueryLanguage string `json:"query_language,omitempty"`
	Query         string `json:"query"`
}
