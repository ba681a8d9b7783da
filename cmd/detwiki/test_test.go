package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"path/filepath"
	"strings"
	"testing"
)

const ruletestData = "../../internal/ruletest/testdata"

func runTestCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(append([]string{"test"}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

func TestTestCommand(t *testing.T) {
	repo := filepath.Join(ruletestData, "sigmarepo")
	whoami := filepath.Join(repo, "rules", "windows", "process_creation", "proc_creation_win_fixture_whoami.yml")
	events := filepath.Join(ruletestData, "events")

	// a rule that fires on its own sample events: exit 0
	out, errs, code := runTestCmd(t, whoami)
	if code != 0 || !strings.Contains(out, "1 passed, 0 failed") {
		t.Errorf("whoami: exit %d\n%s%s", code, out, errs)
	}
	// a positive test that fails: exit 1
	out, _, code = runTestCmd(t, "--events", events, repo)
	if code != 1 || !strings.Contains(out, "FAIL  sigma/proc_creation_win_fixture_never") {
		t.Errorf("repo: exit %d\n%s", code, out)
	}
	// json: one object per (rule, data set)
	out, errs, code = runTestCmd(t, "--format", "json", "--events", events, "--no-positive", repo)
	if code != 0 {
		t.Errorf("json without positive tests: exit %d: %s", code, errs)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			Rule, Dataset string
			Hits          int
			OK            bool
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if r.Dataset != "logons.jsonl" || !r.OK {
			t.Errorf("unexpected %s", line)
		}
		n++
	}
	if n != 4 {
		t.Errorf("%d JSON objects, want 4 (4 rules × 1 data set)", n)
	}
	// junit parses and counts the failure
	out, _, code = runTestCmd(t, "--format", "junit", repo)
	var suites struct {
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal([]byte(out), &suites); err != nil || suites.Failures != 1 || code != 1 {
		t.Errorf("junit: exit %d, failures %d, err %v", code, suites.Failures, err)
	}
	// usage errors: exit 2
	for _, args := range [][]string{{}, {"--format", "yaml", repo}, {"--now", "yesterday", repo}, {"--placeholder", "novalue", repo}} {
		if _, _, code := runTestCmd(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if _, _, code := runTestCmd(t, "--now", "2020-10-21T09:40:00Z", "--events", events, whoami); code != 0 {
		t.Errorf("--now: exit %d", code)
	}
}
