// Package splunk reads Splunk security_content detections
// (detections/**.yml): their metadata, their SPL search with the corpus's
// macros expanded (package lang/spl), and links to the analytic stories and
// data sources of the same checkout. Each detection becomes one rule
// document whose Query is the expanded search; the search as written is the
// variant named "source".
package splunk

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/yamlfile"
	"github.com/detwiki/detwiki/internal/lang/spl"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// Diagnostic codes of the reader (the search's own are spl.Code*).
const (
	CodeYAML         = "SPL0001" // the file is not valid YAML
	CodeNoSearch     = "SPL0002" // the detection has no search
	CodeField        = "SPL0003" // a metadata field of the wrong type
	CodeUnknownStory = "SPL3001" // an analytic story with no file under stories/
	CodeUnknownData  = "SPL3002" // a data source with no file under data_sources/
	CodeAttack       = "ATTACK001"
)

// Reader reads security_content detections.
type Reader struct{}

// New returns the security_content detection reader.
func New() formats.Reader { return Reader{} }

// Format implements formats.Reader.
func (Reader) Format() string { return "splunk" }

// Language implements formats.Reader.
func (Reader) Language() string { return rule.LangSplunk }

// Detect accepts YAML files with the top-level keys of a detection: search
// and how_to_implement.
func (Reader) Detect(f *formats.File) bool {
	ext := f.Ext()
	if ext != ".yml" && ext != ".yaml" {
		return false
	}
	return yamlfile.HasTopKey(f.Data, "search") && yamlfile.HasTopKey(f.Data, "how_to_implement")
}

// detection is the YAML of a security_content detection.
type detection struct {
	Name                string           `yaml:"name"`
	ID                  string           `yaml:"id"`
	Version             yaml.Node        `yaml:"version"`
	Date                string           `yaml:"date"`
	Author              string           `yaml:"author"`
	Status              string           `yaml:"status"`
	Type                string           `yaml:"type"`
	Description         string           `yaml:"description"`
	DataSource          []string         `yaml:"data_source"`
	DataSources         []string         `yaml:"data_sources"`
	Search              string           `yaml:"search"`
	HowToImplement      string           `yaml:"how_to_implement"`
	KnownFalsePositives string           `yaml:"known_false_positives"`
	References          []string         `yaml:"references"`
	DrilldownSearches   []map[string]any `yaml:"drilldown_searches"`
	Tags                map[string]any   `yaml:"tags"`
	Tests               []struct {
		Name       string `yaml:"name"`
		AttackData []struct {
			Data       string `yaml:"data"`
			Source     string `yaml:"source"`
			Sourcetype string `yaml:"sourcetype"`
		} `yaml:"attack_data"`
	} `yaml:"tests"`
}

// yamlLine finds "line N" in a YAML library error.
var yamlLine = regexp.MustCompile(`line (\d+)`)

// Read implements formats.Reader.
func (r Reader) Read(f *formats.File, env *formats.Env) []*rule.Document {
	body := string(f.Data)
	d := formats.StubDocument(r, f, "")
	d.QueryLanguage = "spl"
	var root yaml.Node
	if err := yaml.Unmarshal(f.Data, &root); err != nil {
		line := 0
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		d.Diagnose(source.Diagnostic{Code: CodeYAML, Severity: source.Error, Message: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: "), Line: line, Col: 1})
		return []*rule.Document{d}
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		d.Diagnose(source.Diagnostic{Code: CodeYAML, Severity: source.Error, Message: "a detection must be a YAML mapping", Line: root.Line, Col: root.Column})
		return []*rule.Document{d}
	}
	top := root.Content[0]
	var det detection
	if err := top.Decode(&det); err != nil {
		if te, ok := err.(*yaml.TypeError); ok {
			for _, msg := range te.Errors {
				d.Diagnose(source.Diagnostic{Code: CodeField, Severity: source.Warning, Message: "field of the wrong type, ignored: " + msg, Line: lineOf(msg), Col: 1})
			}
		} else {
			d.Diagnose(source.Diagnostic{Code: CodeYAML, Severity: source.Error, Message: err.Error(), Line: top.Line, Col: top.Column})
			return []*rule.Document{d}
		}
	}
	corpus := corpusFor(f, env)
	fillMetadata(d, &det, f)
	fillTags(d, &det, env, top)
	fillLinks(d, &det, corpus, top)
	fillTests(d, &det)

	searchNode := valueNode(top, "search")
	if strings.TrimSpace(det.Search) == "" || searchNode == nil {
		d.Diagnose(source.Diagnostic{Code: CodeNoSearch, Severity: source.Error, Message: "the detection has no search", Line: top.Line, Col: 1})
		return []*rule.Document{d}
	}
	explainSearch(d, &det, body, searchNode, corpus, f)
	return []*rule.Document{d}
}

func lineOf(msg string) int {
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// valueNode returns the value of key in a mapping node (nil when m is not
// a mapping or has no such key).
func valueNode(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func fillMetadata(d *rule.Document, det *detection, f *formats.File) {
	if det.Name != "" {
		d.Title = det.Name
	}
	d.Description = strings.TrimSpace(det.Description)
	d.Author = det.Author
	d.Status = det.Status
	d.Kind = det.Type
	d.Version = det.Version.Value
	d.Created = det.Date
	d.References = nonEmpty(det.References)
	if fp := strings.TrimSpace(det.KnownFalsePositives); fp != "" {
		d.FalsePositives = []string{fp}
	}
	d.DataSources = nonEmpty(append(append([]string(nil), det.DataSource...), det.DataSources...))
	d.Deprecated = strings.EqualFold(det.Status, "deprecated") || strings.Contains("/"+f.Path, "/deprecated/")
	if h := strings.TrimSpace(det.HowToImplement); h != "" {
		d.Sections = append(d.Sections, rule.Section{Title: "How to implement", Text: h})
	}
	d.Extra = map[string]any{}
	if det.ID != "" {
		d.Extra["detection_id"] = det.ID
	}
	if len(det.DrilldownSearches) > 0 {
		d.Extra["drilldown_searches"] = det.DrilldownSearches
	}
}

func nonEmpty(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// stringList reads a tag that should be a list of strings (a lone string
// counts as a list of one).
func stringList(v any) []string {
	switch v := v.(type) {
	case string:
		return nonEmpty([]string{v})
	case []any:
		var out []string
		for _, x := range v {
			if s := strings.TrimSpace(fmt.Sprint(x)); s != "" && x != nil {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// fillTags maps ATT&CK ids and keeps every other tag (risk, confidence,
// impact, message, observable, required_fields, security_domain, cve,
// atomic_guid, ...) in Extra under its own name.
func fillTags(d *rule.Document, det *detection, env *formats.Env, top *yaml.Node) {
	for k, v := range det.Tags {
		switch k {
		case "analytic_story", "mitre_attack_id":
			continue
		}
		if v == nil {
			continue
		}
		if l, ok := v.([]any); ok && len(l) == 0 {
			continue
		}
		d.Extra[k] = v
	}
	techniques := stringList(det.Tags["mitre_attack_id"])
	if env != nil && env.Attack != nil && len(techniques) > 0 {
		attacks, problems := env.Attack.Map(techniques, nil)
		d.Attack = attacks
		ids := valueNode(valueNode(top, "tags"), "mitre_attack_id")
		for _, p := range problems {
			line, col := itemPosition(ids, func(v string) bool { return v != "" && strings.Contains(p, v) })
			d.Diagnose(source.Diagnostic{Code: CodeAttack, Severity: source.Warning, Message: p, Line: line, Col: col})
		}
	}
}

// fillLinks links the analytic stories and data sources, to their files in
// the corpus when there are any.
func fillLinks(d *rule.Document, det *detection, c *Corpus, top *yaml.Node) {
	link := func(kind, name string, refs map[string]Ref, code string, list *yaml.Node) {
		if ref, ok := refs[strings.ToLower(name)]; ok {
			d.Links = append(d.Links, rule.Link{Kind: kind, Target: ref.Path, Title: ref.Name})
			return
		}
		// "Sysmon EventID 1 AND Sysmon EventID 3" names two data sources
		// the detection needs together.
		if parts := strings.Split(name, " AND "); kind == "data_source" && len(parts) > 1 {
			all := true
			for _, p := range parts {
				_, ok := refs[strings.ToLower(strings.TrimSpace(p))]
				all = all && ok
			}
			if all {
				for _, p := range parts {
					ref := refs[strings.ToLower(strings.TrimSpace(p))]
					d.Links = append(d.Links, rule.Link{Kind: kind, Target: ref.Path, Title: ref.Name})
				}
				return
			}
		}
		d.Links = append(d.Links, rule.Link{Kind: kind, Target: name, Title: name})
		if len(refs) > 0 {
			what := map[string]string{"story": "analytic story", "data_source": "data source"}[kind]
			dir := map[string]string{"story": "stories/", "data_source": "data_sources/"}[kind]
			line, col := itemPosition(list, func(v string) bool { return strings.TrimSpace(v) == name })
			d.Diagnose(source.Diagnostic{Code: code, Severity: source.Warning, Message: fmt.Sprintf("%s %q has no file under %s", what, name, dir), Line: line, Col: col})
		}
	}
	stories := valueNode(valueNode(top, "tags"), "analytic_story")
	for _, s := range stringList(det.Tags["analytic_story"]) {
		link("story", s, c.Stories, CodeUnknownStory, stories)
	}
	for _, s := range det.DataSource {
		link("data_source", strings.TrimSpace(s), c.DataSources, CodeUnknownData, valueNode(top, "data_source"))
	}
	for _, s := range det.DataSources {
		link("data_source", strings.TrimSpace(s), c.DataSources, CodeUnknownData, valueNode(top, "data_sources"))
	}
}

// itemPosition returns the line and column of the first scalar of a list
// (or the scalar itself) that match accepts, else of the list.
func itemPosition(list *yaml.Node, match func(string) bool) (int, int) {
	if list == nil {
		return 0, 0
	}
	if list.Kind == yaml.ScalarNode {
		return list.Line, list.Column
	}
	for _, it := range list.Content {
		if it.Kind == yaml.ScalarNode && match(it.Value) {
			return it.Line, it.Column
		}
	}
	return list.Line, list.Column
}

// fillTests lists the attack data each test replays; a "True Positive" test
// expects a match.
func fillTests(d *rule.Document, det *detection) {
	for _, t := range det.Tests {
		expect := ""
		switch l := strings.ToLower(t.Name); {
		case strings.Contains(l, "true positive"):
			expect = "match"
		case strings.Contains(l, "false positive"):
			expect = "no_match"
		}
		for _, a := range t.AttackData {
			name := t.Name
			if a.Sourcetype != "" {
				name += " (" + a.Sourcetype + ")"
			}
			d.Tests = append(d.Tests, rule.Test{Name: name, Expect: expect, Path: a.Data})
		}
	}
}

// filterMacroNames are the names the detection's own exclusion hook may
// have: security_content derives it from the detection name, which is
// normally also the file name.
func filterMacroNames(det *detection, f *formats.File) []string {
	stem := strings.TrimSuffix(f.Base(), f.Ext())
	names := []string{strings.ToLower(stem) + "_filter"}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(det.Name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('_')
			dash = true
		}
	}
	if n := strings.TrimRight(b.String(), "_") + "_filter"; n != names[0] {
		names = append(names, n)
	}
	return names
}

// explainSearch expands, parses and explains the search, and maps every
// problem back to the file.
func explainSearch(d *rule.Document, det *detection, body string, node *yaml.Node, c *Corpus, f *formats.File) {
	lines := source.NewLineTable(f.Path, body)
	smap := newScalarMap(body, lines, node)
	own := filterMacroNames(det, f)
	ownFilter := ""
	exp := spl.Expand(det.Search, c.Macros, spl.ExpandOptions{Fallback: func(name string, nargs int) *spl.Macro {
		// security_content generates every <detection>_filter macro as
		// "search *" for the customer to edit; they are not in macros/.
		if nargs == 0 && strings.HasSuffix(name, "_filter") {
			for _, o := range own {
				if name == o {
					ownFilter = name
				}
			}
			return &spl.Macro{Name: name, Definition: "search *", Source: "security_content (generated for each detection)"}
		}
		return nil
	}})
	pl, errs := spl.ParseQuery(exp.Text)
	ex := spl.Explain(pl, exp.Text, exp, spl.ExplainOptions{FilterMacro: ownFilter})

	d.Query = exp.Text
	if exp.Text != det.Search {
		d.Variants = append(d.Variants, rule.Variant{Name: "source", QueryLanguage: "spl", Query: det.Search})
	}
	start := lines.Position(source.Pos(smap.start))
	d.QueryOrigin = source.Origin{Line: start.Line, Col: start.Column}
	earlier := d.Analysis.Diagnostics
	d.Analysis = ex.Analysis
	d.Analysis.Diagnostics = append(earlier, d.Analysis.Diagnostics...)
	d.GroupBy = ex.GroupBy
	if len(ex.Lookups) > 0 {
		d.Extra["lookups"] = ex.Lookups
	}
	if ex.FilterMacroUsed {
		d.Extra["filter_macro"] = ownFilter
	}

	// Map positions: expanded search -> search as written -> file.
	at := func(p, e source.Pos) (source.Position, source.Position) {
		a := lines.Position(source.Pos(smap.FileOffset(int(p))))
		b := lines.Position(source.Pos(smap.FileOffset(int(e))))
		return a, b
	}
	for _, e := range exp.Errors {
		sev := source.Error
		if e.Code == spl.CodeMacroUnknown {
			sev = source.Warning
		}
		a, b := at(e.Pos, e.End)
		d.Diagnose(source.Diagnostic{Code: e.Code, Severity: sev, Message: e.Msg, Line: a.Line, Col: a.Column, EndLine: b.Line, EndCol: b.Column})
	}
	for _, e := range errs {
		use := exp.UseAt(e.Pos)
		var rel source.Position
		msg := e.Msg
		if e.HasRelated() {
			// The related place (the '(' a missing ')' closes) is a
			// line:col of the file too: inside a macro's expansion it is
			// the macro call's.
			r, _ := exp.SourceSpan(e.Related.Start, e.Related.End)
			rel, _ = at(r, r)
			where := source.LineCol(rel.Line, rel.Column)
			if u := exp.UseAt(e.Related.Start); u != nil && u != use {
				where += ", in the expansion of " + u.Call
			}
			msg = e.MessageAt(where)
		}
		if use != nil {
			msg += " (in the expansion of " + use.Call + ")"
		}
		p, q := exp.SourceSpan(e.Pos, e.End)
		a, b := at(p, q)
		d.Diagnose(source.Diagnostic{Code: e.Code, Severity: source.Error, Message: msg, Line: a.Line, Col: a.Column, EndLine: b.Line, EndCol: b.Column,
			RelatedLine: rel.Line, RelatedCol: rel.Column})
	}
}
