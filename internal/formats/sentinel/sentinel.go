// Package sentinel reads Microsoft Sentinel analytic rules and hunting
// queries: the YAML files of the Azure-Sentinel repository, in any folder
// layout (Detections/, Hunting Queries/, Solutions/*/Analytic Rules/ and its
// odd spellings), with or without an extension, "moved" stubs included.
//
// Every key real rules use is read (see docs/formats-kusto.md): the query
// with its exact place in the file (so KQL errors point at file lines), the
// metadata fields of the rule document, the ATT&CK tactics and techniques,
// and everything else (entityMappings, customDetails, alertDetailsOverride,
// eventGroupingSettings, incidentConfiguration, trigger settings, unknown
// keys) in Extra, as decoded. Bad YAML gives a diagnostic with its line and
// a document with what a line scan could still recover.
package sentinel

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/kustorule"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// Format is the reader's name.
const Format = "sentinel"

// Reader reads Sentinel YAML rules.
type Reader struct{}

// New returns the Sentinel reader.
func New() formats.Reader { return Reader{} }

// Format implements formats.Reader.
func (Reader) Format() string { return Format }

// Language implements formats.Reader.
func (Reader) Language() string { return rule.LangKusto }

// Read implements formats.Reader.
func (r Reader) Read(f *formats.File, env *formats.Env) []*rule.Document {
	text, diags, ok := kustorule.Decode(f.Path, f.Data)
	if !ok {
		return kustorule.Unreadable(r, f, diags)
	}
	d := kustorule.NewDocument(r, f, text, 1)
	for _, x := range diags {
		d.Diagnose(x)
	}
	rd := &reading{d: d, f: f, text: text, lines: kustorule.SplitLines(text), cat: kustorule.Catalog(env), conv: newConverter()}
	root, err := parseYAML(text)
	if err != nil {
		d.Diagnose(yamlError(err, text, f.Path))
		// Recover what a line scan finds; when the query block was the
		// broken part, the rest of the file still parses without it.
		rest := salvage(d, rd.lines)
		if root, err := parseYAML(rest); rest != "" && err == nil {
			if m := rootMapping(root); m != nil {
				rd.salvaged = true
				rd.read(m)
			}
		}
		kustorule.ParseQuery(d)
		return []*rule.Document{d}
	}
	m := rootMapping(root)
	if m == nil {
		line := 1
		if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
			line = root.Content[0].Line
		}
		d.Diagnose(source.Diagnostic{Code: kustorule.CodeYAMLShape, Severity: source.Error, Line: line, Col: 1,
			Message: "the file holds no YAML mapping of rule keys"})
		return []*rule.Document{d}
	}
	rd.read(m)
	kustorule.ParseQuery(d)
	return []*rule.Document{d}
}

// reading is the state of reading one file.
type reading struct {
	d     *rule.Document
	f     *formats.File
	text  string
	lines []string
	cat   *attack.Catalog
	conv  *converter
	// salvaged is set when the query was recovered by a line scan of YAML
	// that does not parse; the query key of the tree is then ignored.
	salvaged bool
}

// rootMapping returns the mapping at the root of a YAML document, or nil.
func rootMapping(root *yaml.Node) *yaml.Node {
	if root.Kind != yaml.DocumentNode || len(root.Content) != 1 {
		return nil
	}
	if m := resolve(root.Content[0]); m != nil && m.Kind == yaml.MappingNode {
		return m
	}
	return nil
}

func (rd *reading) diag(code string, sev source.Severity, line int, format string, args ...any) {
	col := 0
	if line > 0 {
		col = 1
	}
	rd.d.Diagnose(source.Diagnostic{Code: code, Severity: sev, Line: line, Col: col, Message: fmt.Sprintf(format, args...)})
}
