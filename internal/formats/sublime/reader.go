// Package sublime reads Sublime Security detection and discovery rules
// (sublime-rules YAML: name, description, type, severity, source, tags,
// attack_types, tactics_and_techniques, detection_methods, id, authors,
// references, false_positives). The MQL source is parsed with
// internal/lang/mql and explained: one filter stage per top-level conjunct,
// indicators from comparisons and string/regex functions on message fields
// (paths inside any/all/filter lambdas written attachments[].file_name),
// exclusions from negated predicates, $lists as parameters. The shared
// schema pass adds the email event of each direction the rule tests
// (Sublime-MDM/inbound when it tests none) and canonical ECS fields. See docs/lang-sublime.md.
package sublime

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/yamlfile"
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
	return yamlfile.HasTopKey(f.Data, "source") && yamlfile.HasTopKey(f.Data, "name") && yamlfile.HasTopKey(f.Data, "type") &&
		!yamlfile.HasTopKey(f.Data, "AnalysisType") && !yamlfile.HasTopKey(f.Data, "detection")
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
	if data, changed := loneCRToLF(f.Data); changed {
		g := *f
		g.Data = data
		f = &g
		d.Body = string(data)
	}
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
	y, problems := readRule(top)
	for _, p := range problems {
		d.Diagnose(p)
	}
	meta(d, &y, f.Path, env)
	srcNode := valueOf(top, "source")
	if srcNode == nil || strings.TrimSpace(y.Source) == "" {
		d.Diagnose(source.Diagnostic{Code: CodeNoSource, Severity: source.Error, Line: 1, Col: 1, Message: "the rule has no MQL source"})
		return []*rule.Document{d}
	}
	d.Query = y.Source
	d.QueryOrigin = yamlfile.ScalarOrigin(srcNode, f.Data)
	file, errs := mql.Parse(d.Query)
	for _, diag := range errs.Diagnostics(d.Query) {
		d.Diagnose(diag.Relocate(f.Path, d.QueryOrigin))
	}
	explain(d, file)
	return []*rule.Document{d}
}

func valueOf(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// readRule reads the rule's fields from the YAML mapping (directly from the
// nodes: faster than reflection, and a field of the wrong type is reported
// and skipped without losing the others).
func readRule(m *yaml.Node) (ruleYAML, []source.Diagnostic) {
	var y ruleYAML
	var problems []source.Diagnostic
	bad := func(k *yaml.Node, want string) {
		problems = append(problems, source.Diagnostic{Code: CodeYAML, Severity: source.Warning, Line: k.Line, Col: k.Column,
			Message: k.Value + ": expected " + want + "; the field is ignored"})
	}
	str := func(k, v *yaml.Node, into *string) {
		if v.Kind != yaml.ScalarNode {
			bad(k, "a string")
			return
		}
		if v.Tag != "!!null" {
			*into = v.Value
		}
	}
	list := func(k, v *yaml.Node, into *[]string) {
		switch v.Kind {
		case yaml.ScalarNode:
			if v.Tag != "!!null" && v.Value != "" {
				*into = append(*into, v.Value)
			}
		case yaml.SequenceNode:
			for _, c := range v.Content {
				if c.Kind != yaml.ScalarNode {
					bad(k, "a list of strings")
					continue
				}
				*into = append(*into, c.Value)
			}
		default:
			bad(k, "a list of strings")
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		for v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		switch k.Value {
		case "name":
			str(k, v, &y.Name)
		case "description":
			str(k, v, &y.Description)
		case "type":
			str(k, v, &y.Type)
		case "severity":
			str(k, v, &y.Severity)
		case "source":
			str(k, v, &y.Source)
		case "id":
			str(k, v, &y.ID)
		case "tags":
			list(k, v, &y.Tags)
		case "attack_types":
			list(k, v, &y.AttackTypes)
		case "tactics_and_techniques":
			list(k, v, &y.TacticsAndTechniques)
		case "detection_methods":
			list(k, v, &y.DetectionMethods)
		case "references":
			list(k, v, &y.References)
		case "false_positives":
			list(k, v, &y.FalsePositives)
		case "authors":
			if v.Kind != yaml.SequenceNode {
				bad(k, "a list of authors")
				continue
			}
			for _, c := range v.Content {
				a := map[string]any{}
				if c.Kind == yaml.MappingNode {
					for j := 0; j+1 < len(c.Content); j += 2 {
						a[c.Content[j].Value] = c.Content[j+1].Value
					}
				} else if c.Kind == yaml.ScalarNode {
					a["name"] = c.Value
				}
				y.Authors = append(y.Authors, a)
			}
		}
	}
	return y, problems
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

// loneCRToLF returns data with every CR not followed by LF made LF, byte for
// byte: YAML counts a lone CR (an old Mac line end) as a line end, so the
// body and every position then agree with YAML's line numbers. data itself
// is left alone (a copy is made, and changed set, when something changes).
func loneCRToLF(data []byte) (out []byte, changed bool) {
	copied := false
	for i, c := range data {
		if c == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
			if !copied {
				data = bytes.Clone(data)
				copied = true
			}
			data[i] = '\n'
		}
	}
	return data, copied
}
