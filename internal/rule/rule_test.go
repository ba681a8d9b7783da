package rule

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/source"
)

func TestMakeID(t *testing.T) {
	tests := []struct{ lang, rel, suffix, want string }{
		{"kusto", "Detections/SecurityEvent/LateralMovementViaDCOM.yaml", "", "kusto/LateralMovementViaDCOM"},
		{"kusto", "Hunting Queries/My Rule (v2).md", "2", "kusto/My-Rule-v2-2"},
		{"sigma", "rules/windows/proc_creation_win_mmc.yml", "", "sigma/proc_creation_win_mmc"},
		{"kusto", "../../etc/passwd", "", "kusto/passwd"},
		{"kusto", "dir/...", "", "kusto/rule"},
		{"kusto", "noext", "", "kusto/noext"},
	}
	for _, tt := range tests {
		if got := MakeID(tt.lang, tt.rel, tt.suffix); got != tt.want {
			t.Errorf("MakeID(%q, %q, %q) = %q, want %q", tt.lang, tt.rel, tt.suffix, got, tt.want)
		}
	}
}

func TestAddPredicateMerges(t *testing.T) {
	var a Analysis
	a.AddPredicate(Predicate{Field: "FileName", Kind: KindIn, Values: []string{"a.exe", "b.exe"}})
	a.AddPredicate(Predicate{Field: "FileName", Kind: KindIn, Values: []string{"b.exe", "c.exe"}})
	a.AddPredicate(Predicate{Field: "FileName", Kind: KindIn, Values: []string{"c.exe"}, Transforms: []string{TransformCased}})
	a.AddPredicate(Predicate{Field: "FolderPath", Kind: KindStartsWith, Values: []string{"C:\\Temp"}, Negated: true})
	a.AddPredicate(Predicate{Field: "SHA1", Kind: KindIsNotNull})
	if len(a.Indicators) != 2 {
		t.Fatalf("indicators = %d, want 2: %+v", len(a.Indicators), a.Indicators)
	}
	if got := len(a.Indicators[0].Values); got != 4 {
		t.Errorf("FileName values = %d, want 4 (a, b, c, cased c)", got)
	}
	if len(a.Exclusions) != 1 || a.Exclusions[0].Kind != KindStartsWith {
		t.Errorf("exclusions = %+v", a.Exclusions)
	}
	if v := a.Indicators[1].Values; len(v) != 1 || v[0].Value != "" {
		t.Errorf("is_not_null values = %+v", v)
	}
}

func TestNormalizedJSONHasLists(t *testing.T) {
	d := Document{ID: "kusto/x", Analysis: Analysis{Stages: []Stage{{Kind: "source", Text: "T"}}}}
	d.Normalize()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`"attack":[]`, `"indicators":[]`, `"exclusions":[]`, `"outputs":[]`, `"events":[]`, `"diagnostics":[]`, `"n":1`, `"steps":1`, `"pipeline":"main"`, `"third_party_feed":false`} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON lacks %s: %s", want, s)
		}
	}
}

func TestKindClass(t *testing.T) {
	if KindClass(KindIn) != KindClass(KindEq) {
		t.Error("in and eq must share a class")
	}
	if KindClass(KindContains) == KindClass(KindMatch) {
		t.Error("contains and match are different classes")
	}
}

func TestAddPredicateLongListsAndReset(t *testing.T) {
	var a Analysis
	vals := make([]string, 5000)
	for i := range vals {
		vals[i] = strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strings.Repeat("y", i/26)
	}
	a.AddPredicate(Predicate{Field: "f", Kind: KindIn, Values: vals})
	a.AddPredicate(Predicate{Field: "f", Kind: KindIn, Values: vals})
	if n := len(a.Indicators[0].Values); n != 5000 {
		t.Fatalf("values = %d, want 5000", n)
	}
	a.Indicators = nil // a caller that starts over
	a.AddPredicate(Predicate{Field: "f", Kind: KindIn, Values: vals[:3]})
	if n := len(a.Indicators[0].Values); n != 3 {
		t.Fatalf("after reset values = %d, want 3", n)
	}
}

func TestNormalizeSeverity(t *testing.T) {
	for in, want := range map[string]string{
		"High": "high", " Medium ": "medium", "Info": "informational", "informational": "informational",
		"Informational": "informational", "CRITICAL": "critical", "Hight": "hight", "": "",
	} {
		if got := NormalizeSeverity(in); got != want {
			t.Errorf("NormalizeSeverity(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSpecFieldNames is the public contract of the rule document
// (../shared/spec/README.md §2): a document with every field filled
// marshals to JSON holding each field name the spec lists, at its place.
// Fields may be added; renaming one of these fails here.
func TestSpecFieldNames(t *testing.T) {
	d := Document{
		ID: "kusto/x", Language: "kusto", QueryLanguage: "kql", Format: "sentinel",
		Source: Source{Repo: "r", Path: "p"}, Title: "t", Description: "d", Author: "a", Status: "s",
		Severity: "high", TimeWindow: "1h", Frequency: "1h", GroupBy: []string{"g"}, References: []string{"u"},
		FalsePositives: []string{"f"}, DataSources: []string{"ds"}, Version: "1", Created: "2020-01-01", Modified: "2020-01-02",
		Attack: []Attack{{TacticID: "TA0002", Tactic: "Execution", TechniqueID: "T1059", Technique: "Command"}},
		Body:   "b", Query: "q",
	}
	d.Analysis.Parameters = []Parameter{{Name: "n", Text: "t"}}
	d.Analysis.Bindings = []Binding{{Name: "n", Text: "t", DerivedFrom: []string{"T"}}}
	d.Analysis.Stages = []Stage{{N: 1, Kind: "where", Steps: 1, Text: "t", Pipeline: "main"}}
	d.Analysis.Indicators = []Indicator{{Field: "f", CanonicalField: "c", Kind: KindEq,
		Values: []Value{{Value: "v", Transforms: []string{TransformCased}, Corpus: &Corpus{Total: 1, ByLanguage: map[string]int{"kusto": 1}}}}}}
	d.Analysis.Exclusions = []Indicator{{Field: "f", Kind: KindEq, Values: []Value{{Value: "v"}}}}
	d.Analysis.Outputs = []Output{{Field: "f", Source: "project"}}
	d.Analysis.Events = []Event{{Provider: "p", Event: "e", Title: "t", Via: ViaRule}}
	d.Analysis.Tables = []string{"T"}
	d.Analysis.Diagnostics = []source.Diagnostic{{Severity: source.Warning, Message: "m", Line: 1, Col: 2}}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	has := func(where string, m map[string]any, keys ...string) {
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Errorf("%s lacks %q: %v", where, k, m)
			}
		}
	}
	first := func(m map[string]any, k string) map[string]any {
		l, _ := m[k].([]any)
		if len(l) == 0 {
			t.Fatalf("%s: no elements", k)
		}
		e, _ := l[0].(map[string]any)
		return e
	}
	has("document", doc, "id", "language", "query_language", "format", "source", "title", "description", "author",
		"status", "severity", "time_window", "frequency", "group_by", "references", "false_positives", "data_sources",
		"version", "created", "modified", "attack", "third_party_feed", "body", "query", "analysis")
	has("source", doc["source"].(map[string]any), "repo", "path")
	has("attack", first(doc, "attack"), "tactic", "technique_id", "technique")
	a := doc["analysis"].(map[string]any)
	has("analysis", a, "parameters", "bindings", "stages", "indicators", "exclusions", "outputs", "events", "tables", "diagnostics")
	has("parameter", first(a, "parameters"), "name", "text")
	has("binding", first(a, "bindings"), "name", "text", "derived_from")
	has("stage", first(a, "stages"), "n", "kind", "steps", "text", "pipeline")
	ind := first(a, "indicators")
	has("indicator", ind, "field", "canonical_field", "kind", "values")
	v := first(ind, "values")
	has("value", v, "value", "transforms", "corpus")
	has("corpus", v["corpus"].(map[string]any), "total", "by_language")
	has("exclusion", first(a, "exclusions"), "field", "kind", "values")
	has("output", first(a, "outputs"), "field", "source")
	has("event", first(a, "events"), "provider", "event", "title", "via")
	has("diagnostic", first(a, "diagnostics"), "severity", "message", "line", "col")
}
