package splunk

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// readAll reads every file under dir that the reader detects, the way a run
// does (one shared Env), keyed by the file's path in dir.
func readAll(tb testing.TB, dir string, env *formats.Env) map[string]*rule.Document {
	tb.Helper()
	files, diags := formats.List([]string{dir})
	if len(diags) > 0 {
		tb.Fatal(diags)
	}
	if env == nil {
		env = &formats.Env{Attack: attack.Default()}
	}
	r := New()
	out := map[string]*rule.Document{}
	for _, f := range files {
		data, err := os.ReadFile(f.Abs)
		if err != nil {
			tb.Fatal(err)
		}
		f.Data = data
		if !r.Detect(f) {
			continue
		}
		for _, d := range formats.ReadFile(r, f, env) {
			out[f.Path] = d
		}
	}
	return out
}

func diagCodes(d *rule.Document) []string {
	var out []string
	for _, x := range d.Analysis.Diagnostics {
		out = append(out, x.Code)
	}
	return out
}

func findDiag(d *rule.Document, code string) *source.Diagnostic {
	for i := range d.Analysis.Diagnostics {
		if d.Analysis.Diagnostics[i].Code == code {
			return &d.Analysis.Diagnostics[i]
		}
	}
	return nil
}

func TestDetect(t *testing.T) {
	r := New()
	tests := []struct {
		path, text string
		want       bool
	}{
		{"detections/x.yml", "name: x\nsearch: '| tstats count'\nhow_to_implement: y\n", true},
		{"detections/x.yaml", "search: a\nhow_to_implement: b\n", true},
		{"macros/x.yml", "definition: search *\nname: x_filter\n", false},
		{"stories/x.yml", "name: A story\nnarrative: it has a search: word\n", false},
		{"rules/sigma.yml", "title: x\nlogsource:\n  product: windows\ndetection:\n  sel:\n    a: b\n  condition: sel\n", false},
		{"detections/x.toml", "search = 'a'\nhow_to_implement = 'b'\n", false},
		{"detections/x.yml", "name: x\n  search: indented\nhow_to_implement: y\n", false},
	}
	for _, tt := range tests {
		f := &formats.File{Path: tt.path, Data: []byte(tt.text)}
		if got := r.Detect(f); got != tt.want {
			t.Errorf("Detect(%s) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestReadFixture(t *testing.T) {
	docs := readAll(t, filepath.Join("testdata", "content"), nil)
	if len(docs) != 7 {
		t.Fatalf("read %d documents, want 7: %v", len(docs), slices.Collect(maps.Keys(docs)))
	}
	d := docs["detections/endpoint/demo_tstats.yml"]
	if d.ID != "splunk/demo_tstats" || d.Language != "splunk" || d.QueryLanguage != "spl" || d.Format != "splunk" {
		t.Errorf("identity = %s %s %s %s", d.ID, d.Language, d.QueryLanguage, d.Format)
	}
	if d.Title != "Demo Tstats Detection" || d.Kind != "TTP" || d.Version != "2" || d.Created != "2025-01-31" || d.Status != "production" || d.Author != "detwiki tests" {
		t.Errorf("metadata = %q %q %q %q %q %q", d.Title, d.Kind, d.Version, d.Created, d.Status, d.Author)
	}
	if len(d.FalsePositives) != 1 || len(d.References) != 1 || strings.Join(d.DataSources, "|") != "Demo Sysmon EventID 1|Unknown Data Source" {
		t.Errorf("lists = %v %v %v", d.FalsePositives, d.References, d.DataSources)
	}
	if len(d.Sections) != 1 || d.Sections[0].Title != "How to implement" {
		t.Errorf("sections = %+v", d.Sections)
	}
	wantLinks := []rule.Link{
		{Kind: "story", Target: "stories/demo_story.yml", Title: "Demo Story"},
		{Kind: "story", Target: "Missing Story", Title: "Missing Story"},
		{Kind: "data_source", Target: "data_sources/demo_sysmon_1.yml", Title: "Demo Sysmon EventID 1"},
		{Kind: "data_source", Target: "Unknown Data Source", Title: "Unknown Data Source"},
	}
	if !slices.Equal(d.Links, wantLinks) {
		t.Errorf("links = %+v", d.Links)
	}
	if len(d.Tests) != 1 || d.Tests[0].Expect != "match" || d.Tests[0].Path != "https://example.com/demo.log" || d.Tests[0].Name != "True Positive Test (XmlWinEventLog)" {
		t.Errorf("tests = %+v", d.Tests)
	}
	if len(d.Attack) != 1 || d.Attack[0].TechniqueID != "T1059.003" || d.Attack[0].Tactic != "Execution" {
		t.Errorf("attack = %+v", d.Attack)
	}
	for _, k := range []string{"risk_score", "confidence", "impact", "message", "observable", "required_fields", "security_domain", "asset_type", "drilldown_searches", "detection_id", "filter_macro"} {
		if _, ok := d.Extra[k]; !ok {
			t.Errorf("Extra lacks %s: %v", k, d.Extra)
		}
	}
	if _, ok := d.Extra["cve"]; ok {
		t.Error("an empty cve list is kept in Extra")
	}
	if d.Extra["filter_macro"] != "demo_tstats_detection_filter" {
		t.Errorf("filter_macro = %v", d.Extra["filter_macro"])
	}
	// Diagnostics: the unknown story, data source, technique and macro, with
	// the macro's position in the file.
	if got := strings.Join(diagCodes(d), " "); got != "ATTACK001 SPL3001 SPL3002 SPL2001" {
		t.Errorf("diagnostics = %s: %v", got, d.Analysis.Diagnostics)
	}
	if m := findDiag(d, "SPL2001"); m == nil || m.Line != 16 || m.Col != 5 || m.Severity != source.Warning || !strings.Contains(m.Message, "not_defined_anywhere") {
		t.Errorf("unknown macro diagnostic = %+v", m)
	}
	// The query is the expanded search; the source is a variant.
	if !strings.HasPrefix(d.Query, "| tstats summariesonly=false allow_old_summaries=true count") || strings.Contains(d.Query, "`summaries_demo`") {
		t.Errorf("query = %q", d.Query)
	}
	if len(d.Variants) != 1 || d.Variants[0].Name != "source" || !strings.Contains(d.Variants[0].Query, "`summaries_demo`") {
		t.Errorf("variants = %+v", d.Variants)
	}
	if d.QueryOrigin.Line != 12 || d.QueryOrigin.Col != 10 {
		t.Errorf("query origin = %+v", d.QueryOrigin)
	}
	a := d.Analysis
	var stages []string
	for _, s := range a.Stages {
		stages = append(stages, s.Kind)
	}
	if strings.Join(stages, " ") != "tstats rename convert eval macro search" {
		t.Errorf("stages = %v", stages)
	}
	if got := indicatorList(a.Indicators); got != "Processes.process_name eq demo.exe; Processes.original_file_name eq demo.exe; Processes.parent_process_name eq cmd.exe" {
		t.Errorf("indicators = %s", got)
	}
	if got := indicatorList(a.Exclusions); got != "Processes.process contains --help" {
		t.Errorf("exclusions = %s", got)
	}
	if strings.Join(a.Tables, " ") != "Endpoint.Processes" || strings.Join(d.GroupBy, " ") != "Processes.dest Processes.user" {
		t.Errorf("tables = %v, group by = %v", a.Tables, d.GroupBy)
	}
	var params []string
	for _, p := range a.Parameters {
		params = append(params, p.Name)
	}
	if got := strings.Join(params, " "); got != "summaries_demo summariesonly_demo_config process_demo drop_dm_object_name(object) ctime_demo(field) not_defined_anywhere demo_tstats_detection_filter" {
		t.Errorf("parameters = %s", got)
	}

	b := docs["detections/endpoint/demo_broken_search.yml"]
	e := findDiag(b, "SPL1002")
	if e == nil || e.Line != 11 || e.Col != 17 || e.Severity != source.Error {
		t.Errorf("syntax error = %+v (all: %v)", e, b.Analysis.Diagnostics)
	}
	if len(b.Analysis.Stages) != 3 || len(b.Analysis.Indicators) != 2 {
		t.Errorf("partial analysis: %d stages, %d indicators", len(b.Analysis.Stages), len(b.Analysis.Indicators))
	}
	if len(b.Attack) == 0 || b.Attack[0].TechniqueID != "T1059" {
		t.Errorf("a lone technique string: %+v", b.Attack)
	}

	// A missing ')' names the '(' it should close as a line:col of the file,
	// through the YAML quoting and the macro expansion, never as a byte
	// offset of the expanded search.
	for _, tt := range []struct {
		path            string
		line, col       int
		relLine, relCol int
		msg             string
	}{
		{"detections/endpoint/demo_unclosed.yml", 12, 23, 11, 3,
			"expected ')', found '|', to close the '(' at 11:3"},
		{"detections/endpoint/demo_unclosed_macro.yml", 12, 15, 12, 3,
			"expected ')', found '|', to close the '(' at 12:3, in the expansion of `demo_open`"},
	} {
		u := findDiag(docs[tt.path], "SPL1002")
		if u == nil || u.Line != tt.line || u.Col != tt.col || u.RelatedLine != tt.relLine || u.RelatedCol != tt.relCol || u.Message != tt.msg {
			t.Errorf("%s: unclosed paren = %+v, want %d:%d related %d:%d %q", tt.path, u, tt.line, tt.col, tt.relLine, tt.relCol, tt.msg)
		}
	}

	blk := docs["detections/deprecated/demo_block.yml"]
	if !blk.Deprecated || blk.Kind != "Anomaly" {
		t.Errorf("deprecated = %v, kind = %q", blk.Deprecated, blk.Kind)
	}
	if got := indicatorList(blk.Analysis.Exclusions); got != "user eq SYSTEM{cased}" {
		t.Errorf("block exclusions = %s", got)
	}

	if d := docs["detections/endpoint/demo_no_search.yml"]; strings.Join(diagCodes(d), " ") != "SPL0002" {
		t.Errorf("no search: %v", d.Analysis.Diagnostics)
	}
	bad := docs["detections/endpoint/demo_bad_yaml.yml"]
	if y := findDiag(bad, "SPL0001"); y == nil || y.Line == 0 || bad.Title != "demo_bad_yaml" {
		t.Errorf("bad YAML: %+v", bad.Analysis.Diagnostics)
	}
}

func indicatorList(list []rule.Indicator) string {
	var parts []string
	for _, in := range list {
		var vs []string
		for _, v := range in.Values {
			s := v.Value
			if len(v.Transforms) > 0 {
				s += "{" + strings.Join(v.Transforms, ",") + "}"
			}
			vs = append(vs, s)
		}
		parts = append(parts, in.Field+" "+in.Kind+" "+strings.Join(vs, "|"))
	}
	return strings.Join(parts, "; ")
}

// TestCorpusRootLookup reads one detection given on its own: the macros are
// still found above it, and the corpus is loaded once per root.
func TestCorpusRootLookup(t *testing.T) {
	env := &formats.Env{Attack: attack.Default()}
	one := filepath.Join("testdata", "content", "detections", "deprecated")
	docs := readAll(t, one, env)
	d := docs["demo_block.yml"]
	if d == nil || strings.Contains(d.Query, "`demo_source`") || len(d.Links) != 2 || d.Links[0].Target != "stories/demo_story.yml" {
		t.Fatalf("doc = %+v", d)
	}
	abs, _ := filepath.Abs(filepath.Join("testdata", "content"))
	c := env.Shared("splunk:"+abs, func() any { t.Error("corpus loaded twice"); return nil }).(*Corpus)
	if c.Macros.Lookup("process_demo", 0) == nil || c.Macros.Lookup("ctime_demo", 1) == nil || c.Macros.Lookup("drop_dm_object_name", 1) == nil {
		t.Errorf("macros = %d", c.Macros.Len())
	}
	if len(c.Stories) != 1 || len(c.DataSources) != 1 {
		t.Errorf("stories %v, data sources %v", c.Stories, c.DataSources)
	}
	// Without a corpus above it, a detection still reads; its macros are
	// unknown, but the filter hook and the CIM macro are known.
	dir := t.TempDir()
	src, _ := os.ReadFile(filepath.Join("testdata", "content", "detections", "endpoint", "demo_tstats.yml"))
	os.WriteFile(filepath.Join(dir, "demo_tstats.yml"), src, 0o644)
	alone := readAll(t, dir, nil)["demo_tstats.yml"]
	unknown := 0
	for _, x := range alone.Analysis.Diagnostics {
		if x.Code == "SPL2001" {
			unknown++
		}
	}
	if unknown != 4 || strings.Contains(alone.Query, "`drop_dm_object_name") || strings.Contains(alone.Query, "_filter`") {
		t.Errorf("alone: %d unknown macros, query %q", unknown, alone.Query)
	}
	if alone.Links[0].Target != "Demo Story" || findDiag(alone, "SPL3001") != nil {
		t.Errorf("links without a corpus = %+v", alone.Links)
	}
}
