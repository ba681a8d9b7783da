package ruletest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
)

// fixtureReport runs the fixture rules (testdata/sigmarepo: a rule whose
// regression event fires, one whose does not, a failed-logon rule and a
// correlation over it) on their own events and on testdata/events.
func fixtureReport(t *testing.T) *Report {
	t.Helper()
	set, err := Load([]string{"testdata/sigmarepo"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Rules) != 4 {
		t.Fatalf("%d rules, want 4", len(set.Rules))
	}
	rep, err := set.Run(&RunOptions{Events: []string{"testdata/events"}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	rep.Duration = 0
	return rep
}

func TestFixtureResults(t *testing.T) {
	rep := fixtureReport(t)
	type key struct{ rule, dataset string }
	got := map[key]Result{}
	for _, r := range rep.Results {
		got[key{r.Rule, r.Dataset}] = r
	}
	whoamiEvents := "regression_data/rules/windows/process_creation/proc_creation_win_fixture_whoami/11111111-1111-4111-8111-111111111111.json"
	neverEvents := "regression_data/rules/windows/process_creation/proc_creation_win_fixture_never/22222222-2222-4222-8222-222222222222.json"
	tests := []struct {
		k        key
		hits     int
		expected string
		ok       bool
	}{
		{key{"sigma/proc_creation_win_fixture_whoami", whoamiEvents}, 1, "match", true},
		{key{"sigma/proc_creation_win_fixture_never", neverEvents}, 0, "match", false},
		// on the data set: 4688 (renamed fields) fires, Sysmon 1 with /? is filtered
		{key{"sigma/proc_creation_win_fixture_whoami", "logons.jsonl"}, 1, "", true},
		{key{"sigma/proc_creation_win_fixture_never", "logons.jsonl"}, 0, "", true},
		{key{"sigma/win_security_fixture_failed_logons", "logons.jsonl"}, 4, "", true},
		// the correlation: alice, three failed logons within five minutes
		{key{"sigma/win_security_fixture_failed_logons-2", "logons.jsonl"}, 1, "", true},
	}
	for _, tc := range tests {
		r, ok := got[tc.k]
		if !ok {
			t.Errorf("no result for %v", tc.k)
			continue
		}
		if r.Hits != tc.hits || r.Expected != tc.expected || r.OK != tc.ok {
			t.Errorf("%v: hits %d expected %q ok %v, want %d %q %v", tc.k, r.Hits, r.Expected, r.OK, tc.hits, tc.expected, tc.ok)
		}
	}
	if len(rep.Results) != 2+4 {
		t.Errorf("%d results, want 6", len(rep.Results))
	}
	if f := rep.Failed(); len(f) != 1 || f[0].Rule != "sigma/proc_creation_win_fixture_never" {
		t.Errorf("failed %v", f)
	}
	corr := got[key{"sigma/win_security_fixture_failed_logons-2", "logons.jsonl"}]
	if len(corr.Samples) != 1 || corr.Samples[0].Fields[0].Value != "alice" {
		t.Errorf("correlation samples %+v", corr.Samples)
	}
	by := rep.ByRule()
	s := by["sigma/proc_creation_win_fixture_whoami"]
	if s == nil || !s.Fires() || s.Of != 1 || len(s.Datasets) != 1 || len(s.Tests) != 1 || !s.Tests[0].OK || len(s.Samples) != 1 {
		t.Fatalf("summary %+v", s)
	}
	if n := by["sigma/proc_creation_win_fixture_never"]; n.Fires() || len(n.Tests) != 1 || n.Tests[0].OK {
		t.Errorf("never: %+v", n)
	}
	if by["sigma/proc_creation_win_fixture_never"].Datasets != nil {
		t.Errorf("never fires, yet %v", by["sigma/proc_creation_win_fixture_never"].Datasets)
	}
}

func TestReportFormats(t *testing.T) {
	rep := fixtureReport(t)
	var text, js, junit bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	goldenFile(t, "fixture_report.txt", text.Bytes())
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	goldenFile(t, "fixture_report.jsonl", js.Bytes())
	// one object per (rule, data set), with the fields the CLI promises
	lines := strings.Split(strings.TrimSpace(js.String()), "\n")
	if len(lines) != len(rep.Results) {
		t.Errorf("%d JSON lines for %d results", len(lines), len(rep.Results))
	}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"rule", "dataset", "hits", "expected", "ok", "diagnostics"} {
			if _, ok := m[k]; !ok {
				t.Errorf("JSON object without %s: %s", k, l)
			}
		}
	}
	if err := rep.WriteJUnit(&junit); err != nil {
		t.Fatal(err)
	}
	goldenFile(t, "fixture_report.junit.xml", junit.Bytes())
	var parsed junitSuites
	if err := xml.Unmarshal(junit.Bytes(), &parsed); err != nil {
		t.Fatalf("JUnit XML does not parse: %v", err)
	}
	if parsed.Failures != 1 || parsed.Tests != 5 {
		t.Errorf("JUnit: %d tests, %d failures; want 5 and 1", parsed.Tests, parsed.Failures)
	}
}

// TestReportListsRulesThatCannotRun: a rule that cannot run is in every
// format, with why: a skipped JSON object (not a failure) and a skipped
// JUnit case, as the text report's hint promises.
func TestReportListsRulesThatCannotRun(t *testing.T) {
	set, err := Load([]string{"testdata/sigmarepo", "testdata/notrunnable"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := set.Run(&RunOptions{Events: []string{"testdata/events"}, Workers: 1, SkipPositive: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.NotRunnable) != 1 || rep.NotRunnable[0].Rule != "sigma/near_fixture" {
		t.Fatalf("not runnable: %+v", rep.NotRunnable)
	}
	var js, junit bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var skipped []Result
	for _, l := range strings.Split(strings.TrimSpace(js.String()), "\n") {
		var r Result
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		if r.Skipped {
			skipped = append(skipped, r)
		}
	}
	if len(skipped) != 1 || skipped[0].Rule != "sigma/near_fixture" || skipped[0].Title != "Near Aggregation (fixture)" ||
		!skipped[0].OK || skipped[0].Dataset != "" || len(skipped[0].Diagnostics) != 1 || !strings.Contains(skipped[0].Diagnostics[0], "near") {
		t.Errorf("skipped JSON objects: %+v", skipped)
	}
	if err := rep.WriteJUnit(&junit); err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Skipped  int `xml:"skipped,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(junit.Bytes(), &parsed); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range parsed.Suites {
		for _, c := range s.Cases {
			if c.Skipped != nil && s.Name == "rules that cannot run" && strings.Contains(c.Name, "sigma/near_fixture") && strings.Contains(c.Skipped.Message, "near") {
				found = true
			}
		}
	}
	if !found || parsed.Skipped != 1 || parsed.Failures != 0 {
		t.Errorf("JUnit: skipped %d, failures %d, near case found %v\n%s", parsed.Skipped, parsed.Failures, found, junit.String())
	}
}

// TestReportNothingRan: rules without sample events of their own and no
// data set say so instead of printing nothing.
func TestReportNothingRan(t *testing.T) {
	set, err := Load([]string{"testdata/filtered"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := set.Run(nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "Nothing ran: none of the 2 rules has sample events of its own") {
		t.Errorf("text report:\n%s", b.String())
	}
}
