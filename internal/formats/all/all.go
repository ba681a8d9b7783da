// Package all registers every rule format reader, in detection priority order.
// Import it for its side effect.
package all

import (
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/chronicle"
	"github.com/detwiki/detwiki/internal/formats/defendermd"
	"github.com/detwiki/detwiki/internal/formats/elastic"
	"github.com/detwiki/detwiki/internal/formats/falconfriday"
	"github.com/detwiki/detwiki/internal/formats/kqlfile"
	"github.com/detwiki/detwiki/internal/formats/markdown"
	"github.com/detwiki/detwiki/internal/formats/panther"
	"github.com/detwiki/detwiki/internal/formats/sentinel"
	"github.com/detwiki/detwiki/internal/formats/sigma"
	"github.com/detwiki/detwiki/internal/formats/splunk"
	"github.com/detwiki/detwiki/internal/formats/sublime"
	"github.com/detwiki/detwiki/internal/schema"
)

func init() {
	formats.Register(
		// Readers are added here as their front ends land, most specific first.
		// Kusto family: Sentinel YAML (by its top-level keys), FalconFriday and
		// Defender markdown (by their headings), then any markdown with KQL
		// blocks, then plain .kql/.csl files.
		sentinel.New(),
		falconfriday.New(),
		defendermd.New(),
		markdown.New(),
		kqlfile.New(),
		// Elastic family: detection-rules TOML ([rule]) and hunting TOML ([hunt]).
		elastic.New(),
		elastic.NewHunt(),
		// Chronicle: .yaral files (YARA-L 2.0).
		chronicle.New(),
		// Splunk: security_content detection YAML (top-level search and
		// how_to_implement).
		splunk.New(),
		// Panther: panther-analysis YAML (top-level AnalysisType) with its
		// Python, correlation rules and SQL queries.
		panther.New(),
		// Sublime: sublime-rules YAML (top-level name, type and source).
		sublime.New(),
		// Sigma: YAML with a top-level detection, correlation or filter key.
		sigma.New(),
	)
}

// The shared schema pass: events, their equivalents and canonical fields.
func init() {
	formats.AddEnricher(schema.Enrich)
}
