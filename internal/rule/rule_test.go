package rule

import (
	"encoding/json"
	"strings"
	"testing"
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
