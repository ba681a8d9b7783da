package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestTableCell: the table format shows untrusted event data on one line,
// escaped and cut on a character boundary.
func TestTableCell(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                 "plain",
		"a\tb\nc":               "a b c",
		"\x1b[2Jcls":            `\x1b[2Jcls`,
		"bad\xffbyte":           `bad\xffbyte`,
		"caf\u00e9 \u200b zero": `café \u200b zero`,
	} {
		if got := tableCell(in); got != want {
			t.Errorf("tableCell(%q) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("é", 200)
	got := tableCell(long)
	if !utf8.ValidString(got) || utf8.RuneCountInString(got) != maxCellRunes || !strings.HasSuffix(got, "...") {
		t.Errorf("long cell: %d runes, valid %v, %q", utf8.RuneCountInString(got), utf8.ValidString(got), got)
	}
	if got := tableCell(strings.Repeat("x", maxCellRunes)); got != strings.Repeat("x", maxCellRunes) {
		t.Errorf("a cell of exactly %d characters was cut: %q", maxCellRunes, got)
	}
}

// TestRunOtherLanguage: a rule file of another language is refused with a
// clear message instead of being parsed as KQL.
func TestRunOtherLanguage(t *testing.T) {
	f := filepath.Join(t.TempDir(), "r.yml")
	os.WriteFile(f, []byte("title: t\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n  sel:\n    Image|endswith: '\\\\a.exe'\n  condition: sel\n"), 0o644)
	_, errs, code := runKQLCmd(t, "run", f)
	if code != 2 || !strings.Contains(errs, "is a sigma rule") || strings.Contains(errs, "KQL") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	q := filepath.Join(t.TempDir(), "two.kql")
	os.WriteFile(q, []byte("// first\nprint a = 1\n\n\n// second\nprint b = 2\n"), 0o644)
	out, errs, code := runKQLCmd(t, "run", "--format", "csv", q)
	if code != 0 || out != "a\n1\n" || !strings.Contains(errs, "holds 2 Kusto queries") {
		t.Errorf("two queries: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// TestRunCommand: detwiki run as the issue gives it: jsonl keys in column
// order, datetimes RFC 3339 UTC, numbers as JSON numbers, dynamic values as
// JSON; print/range/datatable need no --events; --events takes files and
// folders (EVTX-JSON and flat records); a rule file's query runs; now() is
// the latest event unless --now says otherwise; a query error exits 1 with
// its position.
func TestRunCommand(t *testing.T) {
	out, errs, code := runKQLCmd(t, "run", "--format", "jsonl", "--query",
		`print n = 1, r = 2.5, d = datetime(2020-01-01 10:00:00), s = "x", b = true, dyn = dynamic({"a":[1,"b"]}), z = long(null), ts = 90m`)
	if want := `{"n":1,"r":2.5,"d":"2020-01-01T10:00:00Z","s":"x","b":true,"dyn":{"a":[1,"b"]},"z":null,"ts":"01:30:00"}` + "\n"; code != 0 || out != want {
		t.Errorf("jsonl: exit %d, stderr %q\n got %q\nwant %q", code, errs, out, want)
	}
	out, _, code = runKQLCmd(t, "run", "--format", "csv", "--query", `range x from 1 to 3 step 1 | extend y = x * 2`)
	if code != 0 || out != "x,y\n1,2\n2,4\n3,6\n" {
		t.Errorf("range: exit %d, %q", code, out)
	}
	out, _, code = runKQLCmd(t, "run", "--query", `datatable(a:string, b:long)["k", 1, "k", 2] | summarize s = sum(b) by a`)
	if code != 0 || !strings.Contains(out, "k  3") || !strings.HasSuffix(out, "(1 rows)\n") {
		t.Errorf("datatable table format: exit %d, %q", code, out)
	}
	_, errs, code = runKQLCmd(t, "run", "--query", "print x = 1\n| extend y = nosuch(x)")
	if code != 1 || !strings.Contains(errs, "query:2:14: Unknown function: 'nosuch' [KQL2002]") {
		t.Errorf("query error: exit %d, stderr %q", code, errs)
	}

	dir := t.TempDir()
	ev := filepath.Join(dir, "events")
	os.MkdirAll(filepath.Join(ev, "sub"), 0o755)
	os.WriteFile(filepath.Join(ev, "a.json"), []byte(`{"Event": {"System": {"Provider": {"#attributes": {"Name": "Microsoft-Windows-Security-Auditing"}}, "EventID": 4688,
 "TimeCreated": {"#attributes": {"SystemTime": "2024-01-01T10:00:00Z"}}, "EventRecordID": 1, "Channel": "Security", "Computer": "host1"},
 "EventData": {"NewProcessName": "C:\\Windows\\System32\\whoami.exe", "SubjectUserName": "alice", "SubjectDomainName": "CORP"}}}
`), 0o644)
	os.WriteFile(filepath.Join(ev, "sub", "b.jsonl"), []byte(`{"Hostname":"host2","SourceName":"Microsoft-Windows-Security-Auditing","Channel":"Security","EventID":4688,"EventTime":"2024-01-01 12:00:00","NewProcessName":"C:\\Windows\\System32\\net.exe","SubjectUserName":"bob","SubjectDomainName":"CORP"}
`), 0o644)
	rule := filepath.Join(dir, "rule.yaml")
	os.WriteFile(rule, []byte(`id: 0e2b3a4c-1111-2222-3333-444455556666
name: Process creation
description: a test rule
severity: Low
queryFrequency: 1h
queryPeriod: 1h
triggerOperator: gt
triggerThreshold: 0
query: |
  SecurityEvent
  | where EventID == 4688 and TimeGenerated between (ago(1h) .. now())
  | project TimeGenerated, Computer, Account, NewProcessName
`), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		// now() is the latest event: only host2's falls in the last hour
		{[]string{"--events", ev, rule},
			`{"TimeGenerated":"2024-01-01T12:00:00Z","Computer":"host2","Account":"CORP\\bob","NewProcessName":"C:\\Windows\\System32\\net.exe"}` + "\n"},
		{[]string{"--events", ev, "--now", "2024-01-01T10:30:00Z", rule},
			`{"TimeGenerated":"2024-01-01T10:00:00Z","Computer":"host1","Account":"CORP\\alice","NewProcessName":"C:\\Windows\\System32\\whoami.exe"}` + "\n"},
		{[]string{"--events", filepath.Join(ev, "a.json"), "--events", filepath.Join(ev, "sub"), "--query", `SecurityEvent | summarize n = count(), hosts = make_set(Computer)`},
			`{"n":2,"hosts":["host1","host2"]}` + "\n"},
	} {
		out, errs, code := runKQLCmd(t, append([]string{"run", "--format", "jsonl"}, tc.args...)...)
		if code != 0 || out != tc.want {
			t.Errorf("%v: exit %d, stderr %q\n got %s\nwant %s", tc.args, code, errs, out, tc.want)
		}
	}
	// a file that cannot be read is left out with a message; the rest runs
	os.WriteFile(filepath.Join(ev, "c.evtx"), []byte("ElfFile\x00"), 0o644)
	out, errs, code = runKQLCmd(t, "run", "--events", ev, "--format", "csv", "--query", "SecurityEvent | count")
	if code != 0 || out != "Count\n2\n" || !strings.Contains(errs, "events left out: "+filepath.Join(ev, "c.evtx")+": binary .evtx") {
		t.Errorf("unreadable file: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if _, errs, code := runKQLCmd(t, "run", "--events", filepath.Join(dir, "missing"), "--query", "print 1"); code != 1 || !strings.Contains(errs, "missing") {
		t.Errorf("missing events path: exit %d, stderr %q", code, errs)
	}
	if _, errs, code := runKQLCmd(t, "run", "--now", "yesterday", "--query", "print 1"); code != 2 || !strings.Contains(errs, "--now") {
		t.Errorf("bad --now: exit %d, stderr %q", code, errs)
	}
}
