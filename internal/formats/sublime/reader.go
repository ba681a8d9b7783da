// Package sublime reads Sublime Security detection and discovery rules
// (sublime-rules YAML: name, description, type, severity, source, tags,
// attack_types, tactics_and_techniques, detection_methods, id, authors,
// references, false_positives). The MQL source is parsed with
// internal/lang/mql and explained: one filter stage per top-level conjunct,
// indicators from comparisons and string/regex functions on message fields
// (paths inside any/all/filter lambdas written attachments[].file_name),
// exclusions from negated predicates, $lists as parameters. The shared
// schema pass adds the email event (Sublime-MDM/inbound) and canonical ECS
// fields. See docs/lang-sublime.md.
package sublime

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/lang/mql"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// Format is the reader's name.
const Format = "sublime"

// QueryLanguage is the query language of every document the reader makes.
const QueryLanguage = "mql"

// Diagnostic codes of the reader (the parser's are mql.Code*).
const (
	CodeYAML     = "READ0010" // the file is not valid YAML or not a mapping
	CodeNoSource = "MQL2001"  // the rule has no source
	// CodeNeverMatches marks a rule whose source is the constant false.
	CodeNeverMatches = "MQL2003"
)

// Reader reads sublime-rules YAML.
type Reader struct{}

// New returns the Sublime reader.
func New() formats.Reader { return Reader{} }

// Format implements formats.Reader.
func (Reader) Format() string { return Format }

// Language implements formats.Reader.
func (Reader) Language() string { return rule.LangSublime }

// Detect takes YAML files with top-level name, type and source keys (the
// shape of a Sublime rule).
func (Reader) Detect(f *formats.File) bool {
	switch f.Ext() {
	case ".yml", ".yaml":
	default:
		return false
	}
	return hasTopKey(f.Data, "source") && hasTopKey(f.Data, "name") && hasTopKey(f.Data, "type") &&
		!hasTopKey(f.Data, "AnalysisType") && !hasTopKey(f.Data, "detection")
}

func hasTopKey(data []byte, key string) bool {
	k := []byte(key + ":")
	return bytes.HasPrefix(data, k) || bytes.Contains(data, append([]byte{'\n'}, k...))
}

// ruleYAML is the YAML of a rule.
type ruleYAML struct {
	Name                 string           `yaml:"name"`
	Description          string           `yaml:"description"`
	Type                 string           `yaml:"type"`
	Severity             string           `yaml:"severity"`
	Source               string           `yaml:"source"`
	Tags                 []string         `yaml:"tags"`
	AttackTypes          []string         `yaml:"attack_types"`
	TacticsAndTechniques []string         `yaml:"tactics_and_techniques"`
	DetectionMethods     []string         `yaml:"detection_methods"`
	ID                   string           `yaml:"id"`
	Authors              []map[string]any `yaml:"authors"`
	References           []string         `yaml:"references"`
	FalsePositives       []string         `yaml:"false_positives"`
}

// Read implements formats.Reader: one document per file.
func (r Reader) Read(f *formats.File, env *formats.Env) []*rule.Document {
	d := formats.StubDocument(r, f, "")
	d.QueryLanguage = QueryLanguage
	if !utf8.Valid(f.Data) {
		d.Diagnose(source.Diagnostic{Code: "READ0005", Severity: source.Error, Line: 1, Col: 1, Message: "the file is not UTF-8 text"})
		return []*rule.Document{d}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(f.Data, &root); err != nil {
		d.Diagnose(yamlDiagnostic(err))
		return []*rule.Document{d}
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		d.Diagnose(source.Diagnostic{Code: CodeYAML, Severity: source.Error, Line: 1, Col: 1, Message: "the file is not a YAML mapping"})
		return []*rule.Document{d}
	}
	top := root.Content[0]
	var y ruleYAML
	if err := top.Decode(&y); err != nil {
		// A field of the wrong type: read what can be read, field by field.
		d.Diagnose(yamlDiagnostic(err))
		y = decodeLeniently(top)
	}
	meta(d, &y, f.Path, env)
	srcNode := valueOf(top, "source")
	if srcNode == nil || strings.TrimSpace(y.Source) == "" {
		d.Diagnose(source.Diagnostic{Code: CodeNoSource, Severity: source.Error, Line: 1, Col: 1, Message: "the rule has no MQL source"})
		return []*rule.Document{d}
	}
	d.Query = y.Source
	d.QueryOrigin = origin(srcNode, f.Data)
	file, errs := mql.Parse(d.Query)
	for _, diag := range errs.Diagnostics(d.Query, source.Error) {
		d.Diagnose(diag.Relocate(f.Path, d.QueryOrigin))
	}
	explain(d, file)
	return []*rule.Document{d}
}

// origin places a scalar's text in the file: for a literal or folded block
// its content starts on the next line at the block's indentation.
func origin(v *yaml.Node, data []byte) source.Origin {
	if v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		lines := bytes.Split(data, []byte("\n"))
		indent := 0
		for i := v.Line; i < len(lines); i++ {
			l := lines[i]
			if len(bytes.TrimSpace(l)) == 0 {
				continue
			}
			indent = len(l) - len(bytes.TrimLeft(l, " "))
			break
		}
		return source.Origin{Line: v.Line + 1, Col: indent + 1, Indent: indent}
	}
	col := v.Column
	if v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		col++
	}
	return source.Origin{Line: v.Line, Col: col}
}

func valueOf(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// decodeLeniently decodes each field on its own, skipping those of the
// wrong type.
func decodeLeniently(m *yaml.Node) ruleYAML {
	var y ruleYAML
	for i := 0; i+1 < len(m.Content); i += 2 {
		one := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{m.Content[i], m.Content[i+1]}}
		var part ruleYAML
		if one.Decode(&part) == nil {
			mergeInto(&y, &part)
		}
	}
	return y
}

func mergeInto(y, p *ruleYAML) {
	if p.Name != "" {
		y.Name = p.Name
	}
	if p.Description != "" {
		y.Description = p.Description
	}
	if p.Type != "" {
		y.Type = p.Type
	}
	if p.Severity != "" {
		y.Severity = p.Severity
	}
	if p.Source != "" {
		y.Source = p.Source
	}
	if p.ID != "" {
		y.ID = p.ID
	}
	y.Tags = append(y.Tags, p.Tags...)
	y.AttackTypes = append(y.AttackTypes, p.AttackTypes...)
	y.TacticsAndTechniques = append(y.TacticsAndTechniques, p.TacticsAndTechniques...)
	y.DetectionMethods = append(y.DetectionMethods, p.DetectionMethods...)
	y.Authors = append(y.Authors, p.Authors...)
	y.References = append(y.References, p.References...)
	y.FalsePositives = append(y.FalsePositives, p.FalsePositives...)
}

// yamlDiagnostic turns a yaml.v3 error ("yaml: line 3: ...") into a
// diagnostic at that line.
func yamlDiagnostic(err error) source.Diagnostic {
	msg := err.Error()
	line := 1
	if i := strings.Index(msg, "line "); i >= 0 {
		n := 0
		j := i + 5
		for j < len(msg) && msg[j] >= '0' && msg[j] <= '9' {
			n = n*10 + int(msg[j]-'0')
			j++
		}
		if n > 0 {
			line = n
		}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	return source.Diagnostic{Code: CodeYAML, Severity: source.Error, Line: line, Col: 1, Message: "invalid YAML: " + msg}
}
