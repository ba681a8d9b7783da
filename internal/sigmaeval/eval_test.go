package sigmaeval

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/events"
	"github.com/detwiki/detwiki/internal/lang/sigma"
	"github.com/detwiki/detwiki/internal/source"
)

// readBlocks decodes JSON lines into blocks.
func readBlocks(tb testing.TB, jsonl string) []*events.Block {
	tb.Helper()
	r, err := events.NewReader(strings.NewReader(jsonl), "events.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	var out []*events.Block
	for {
		b, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
}

// parseRule parses one Sigma rule from YAML text.
func parseRule(tb testing.TB, text string) (*sigma.Rule, *source.LineTable) {
	tb.Helper()
	f := sigma.Parse(text)
	if len(f.Rules) != 1 {
		tb.Fatalf("want one rule, got %d: %v", len(f.Rules), f.Diagnostics)
	}
	return f.Rules[0], f.Lines
}

// detectionRule wraps a detection section (indented by four spaces in the
// tests' tables) into a rule with a generic logsource.
func detectionRule(detection string) string {
	return "title: test\nlogsource:\n    product: test\ndetection:\n" + detection
}

// matchedRows compiles the rule and returns the rows of the events it
// matches, with the compile diagnostics.
func matchedRows(tb testing.TB, ruleText, jsonl string, opt *Options) ([]int32, []source.Diagnostic) {
	tb.Helper()
	sr, lines := parseRule(tb, ruleText)
	r := Compile(sr, lines, opt)
	var rows []int32
	base := int32(0)
	for _, b := range readBlocks(tb, jsonl) {
		blk := NewBlock(b, nil)
		for _, row := range blk.Match(r, nil) {
			rows = append(rows, base+row)
		}
		base += int32(b.Len)
	}
	return rows, r.Diagnostics
}

type matchCase struct {
	name      string
	detection string
	events    string
	want      []int32
	diag      string // a diagnostic code the rule must have
}

func runMatchCases(t *testing.T, cases []matchCase, opt *Options) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, diags := matchedRows(t, detectionRule(tc.detection), tc.events, opt)
			if !reflect.DeepEqual(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("matched rows %v, want %v (diagnostics %v)", got, tc.want, diags)
			}
			if tc.diag != "" {
				found := false
				for _, d := range diags {
					if d.Code == tc.diag {
						found = true
					}
				}
				if !found {
					t.Errorf("want diagnostic %s, got %v", tc.diag, diags)
				}
			} else {
				for _, d := range diags {
					if d.Severity == source.Error {
						t.Errorf("unexpected diagnostic %v", d)
					}
				}
			}
		})
	}
}

// lines joins JSON events into JSON lines.
func lines(evs ...string) string { return strings.Join(evs, "\n") + "\n" }

func TestStringMatching(t *testing.T) {
	img := lines(
		`{"Image": "C:\\Windows\\System32\\cmd.exe", "CommandLine": "cmd.exe /c whoami"}`,
		`{"Image": "C:\\Windows\\System32\\CMD.EXE", "CommandLine": "CMD /C WHOAMI"}`,
		`{"Image": "C:\\tools\\cmd.exe.bak", "CommandLine": "select * from x"}`,
		`{"Image": "cmd?.exe", "CommandLine": "a\\*b"}`,
		`{"Image": "", "CommandLine": null}`,
		`{"Other": 1}`,
	)
	runMatchCases(t, []matchCase{
		{"equal is case-insensitive and whole", `    sel:
        Image: 'C:\Windows\System32\cmd.exe'
    condition: sel`, img, []int32{0, 1}, ""},
		{"cased", `    sel:
        Image|cased: 'C:\Windows\System32\cmd.exe'
    condition: sel`, img, []int32{0}, ""},
		{"no substring without a wildcard", `    sel:
        Image: 'cmd.exe'
    condition: sel`, img, nil, ""},
		{"endswith", `    sel:
        Image|endswith: '\cmd.exe'
    condition: sel`, img, []int32{0, 1}, ""},
		{"startswith", `    sel:
        Image|startswith: 'c:\windows\'
    condition: sel`, img, []int32{0, 1}, ""},
		{"contains", `    sel:
        CommandLine|contains: ' /c '
    condition: sel`, img, []int32{0, 1}, ""},
		{"contains all", `    sel:
        CommandLine|contains|all:
            - '/c'
            - 'whoami'
    condition: sel`, img, []int32{0, 1}, ""},
		{"contains all, one missing", `    sel:
        CommandLine|contains|all:
            - '/c'
            - 'ipconfig'
    condition: sel`, img, nil, ""},
		{"list is an OR", `    sel:
        Image|endswith:
            - '\nothing.exe'
            - '.bak'
    condition: sel`, img, []int32{2}, ""},
		{"backslash then star wildcard", `    sel:
        Image: 'c:\\*\cmd.exe'
    condition: sel`, img, []int32{0, 1}, ""},
		{"backslash star is a literal star", `    sel:
        Image: 'c:\*\cmd.exe'
    condition: sel`, img, nil, ""},
		{"question mark wildcard", `    sel:
        Image: 'C:\Windows\System3?\cmd.exe'
    condition: sel`, img, []int32{0, 1}, ""},
		{"escaped question mark is literal", `    sel:
        Image: 'cmd\?.exe'
    condition: sel`, img, []int32{3}, ""},
		{"escaped star is literal", `    sel:
        CommandLine: 'select \* from x'
    condition: sel`, img, []int32{2}, ""},
		{"escaped backslash before a star", `    sel:
        CommandLine: 'a\\\*b'
    condition: sel`, img, []int32{3}, ""},
		{"star matches any present value", `    sel:
        CommandLine: '*'
    condition: sel`, img, []int32{0, 1, 2, 3}, ""},
		{"null matches absent and null", `    sel:
        CommandLine: null
    condition: sel`, img, []int32{4, 5}, ""},
		{"empty matches the empty value only", `    sel:
        Image: ''
    condition: sel`, img, []int32{4}, ""},
		{"not null", `    sel:
        CommandLine: null
    condition: not sel`, img, []int32{0, 1, 2, 3}, ""},
		{"exists true", `    sel:
        Image|exists: true
    condition: sel`, img, []int32{0, 1, 2, 3, 4}, ""},
		{"exists false", `    sel:
        Image|exists: false
    condition: sel`, img, []int32{5}, ""},
		{"neq", `    sel:
        Image|neq: 'C:\Windows\System32\cmd.exe'
    condition: sel`, img, []int32{2, 3, 4}, ""},
		{"neq with a list is not-in", `    sel:
        Image|neq:
            - 'C:\Windows\System32\cmd.exe'
            - ''
    condition: sel`, img, []int32{2, 3}, ""},
	}, nil)
}

func TestNumbersAndTypes(t *testing.T) {
	evs := lines(
		`{"EventID": 4688, "LogonType": "3", "Flag": true, "Size": "0x10"}`,
		`{"EventID": "4688", "LogonType": 10, "Flag": "False", "Size": "100"}`,
		`{"EventID": 4624, "LogonType": "x", "Size": "1.5e3"}`,
	)
	runMatchCases(t, []matchCase{
		{"number equals number and string", `    sel:
        EventID: 4688
    condition: sel`, evs, []int32{0, 1}, ""},
		{"number list", `    sel:
        EventID:
            - 4624
            - 1
    condition: sel`, evs, []int32{2}, ""},
		{"bool", `    sel:
        Flag: true
    condition: sel`, evs, []int32{0}, ""},
		{"bool false against text", `    sel:
        Flag: false
    condition: sel`, evs, []int32{1}, ""},
		{"gt", `    sel:
        LogonType|gt: 3
    condition: sel`, evs, []int32{1}, ""},
		{"gte", `    sel:
        LogonType|gte: 3
    condition: sel`, evs, []int32{0, 1}, ""},
		{"lt", `    sel:
        LogonType|lt: 10
    condition: sel`, evs, []int32{0}, ""},
		{"lte hexadecimal and exponent values", `    sel:
        Size|lte: 100
    condition: sel`, evs, []int32{0, 1}, ""},
		{"gt on exponent", `    sel:
        Size|gt: 1000
    condition: sel`, evs, []int32{2}, ""},
		{"contains on a number", `    sel:
        EventID|contains: 68
    condition: sel`, evs, []int32{0, 1}, ""},
	}, nil)
}

func TestRegexModifiers(t *testing.T) {
	evs := lines(
		`{"CommandLine": "powershell -enc SQBFAFgA"}`,
		`{"CommandLine": "POWERSHELL -ENC abc"}`,
		`{"CommandLine": "line one\nline two"}`,
	)
	runMatchCases(t, []matchCase{
		{"re is a case-sensitive search", `    sel:
        CommandLine|re: 'shell -enc [A-Za-z0-9]+'
    condition: sel`, evs, []int32{0}, ""},
		{"re i", `    sel:
        CommandLine|re|i: 'shell -enc [a-z0-9]+$'
    condition: sel`, evs, []int32{0, 1}, ""},
		{"re anchors without m", `    sel:
        CommandLine|re: '^line two$'
    condition: sel`, evs, nil, ""},
		{"re m", `    sel:
        CommandLine|re|m: '^line two$'
    condition: sel`, evs, []int32{2}, ""},
		{"re without s: dot stops at new lines", `    sel:
        CommandLine|re: 'one.line'
    condition: sel`, evs, nil, ""},
		{"re s", `    sel:
        CommandLine|re|s: 'one.line'
    condition: sel`, evs, []int32{2}, ""},
		{"re a list", `    sel:
        CommandLine|re:
            - 'nothing'
            - 'ABC$'
            - 'abc$'
    condition: sel`, evs, []int32{1}, ""},
		{"look-ahead is reported and never matches", `    sel:
        CommandLine|re: 'power(?!shell)'
    condition: sel or not sel`, evs, []int32{0, 1, 2}, CodeRegex},
	}, nil)
}

func TestCIDR(t *testing.T) {
	evs := lines(
		`{"DestinationIp": "10.1.2.3"}`,
		`{"DestinationIp": "192.168.1.1"}`,
		`{"DestinationIp": "::ffff:10.9.9.9"}`,
		`{"DestinationIp": "fe80::1%eth0"}`,
		`{"DestinationIp": "not an ip"}`,
		`{"DestinationIp": "2001:db8::5"}`,
	)
	runMatchCases(t, []matchCase{
		{"ipv4 range, mapped addresses too", `    sel:
        DestinationIp|cidr: 10.0.0.0/8
    condition: sel`, evs, []int32{0, 2}, ""},
		{"list of ranges", `    sel:
        DestinationIp|cidr:
            - 192.168.0.0/16
            - 'fe80::/10'
    condition: sel`, evs, []int32{1, 3}, ""},
		{"ipv6 range", `    sel:
        DestinationIp|cidr: '2001:db8::/32'
    condition: sel`, evs, []int32{5}, ""},
	}, nil)
}

func TestEncodings(t *testing.T) {
	// "whoami" in base64 at the three offsets, and UTF-16LE base64 as
	// PowerShell -EncodedCommand writes it.
	evs := lines(
		`{"CommandLine": "powershell -e d2hvYW1p"}`,
		`{"CommandLine": "x eCB3aG9hbWkg y"}`,
		`{"CommandLine": "x eHggd2hvYW1p y"}`,
		`{"CommandLine": "powershell -enc dwBoAG8AYQBtAGkA"}`,
		`{"CommandLine": "nothing"}`,
	)
	runMatchCases(t, []matchCase{
		{"base64 of a whole value", `    sel:
        CommandLine|base64|contains: whoami
    condition: sel`, evs, []int32{0, 2}, ""}, // "xx " is three bytes: whoami is aligned in row 2 too
		{"base64offset finds every alignment", `    sel:
        CommandLine|base64offset|contains: whoami
    condition: sel`, evs, []int32{0, 1, 2}, ""},
		{"wide base64offset", `    sel:
        CommandLine|wide|base64offset|contains: whoami
    condition: sel`, evs, []int32{3}, ""},
		{"utf16le alias", `    sel:
        CommandLine|utf16le|base64offset|contains: whoami
    condition: sel`, evs, []int32{3}, ""},
	}, nil)
}

func TestWindash(t *testing.T) {
	evs := lines(
		`{"CommandLine": "cmd /c net user -add"}`,
		`{"CommandLine": "cmd /c net user /add"}`,
		`{"CommandLine": "cmd /c net user \u2013add"}`,
		`{"CommandLine": "cmd /c net user \u2015add"}`,
		`{"CommandLine": "cmd /c net user add"}`,
	)
	runMatchCases(t, []matchCase{
		{"windash gives every dash", `    sel:
        CommandLine|windash|contains: ' -add'
    condition: sel`, evs, []int32{0, 1, 2, 3}, ""},
		{"without windash only the hyphen", `    sel:
        CommandLine|contains: ' -add'
    condition: sel`, evs, []int32{0}, ""},
	}, nil)
}

func TestFieldRef(t *testing.T) {
	evs := lines(
		`{"SourceUser": "alice", "TargetUser": "ALICE", "Path": "C:\\Users\\alice\\x"}`,
		`{"SourceUser": "alice", "TargetUser": "bob", "Path": "C:\\Users\\bob\\x"}`,
		`{"SourceUser": "alice"}`,
	)
	runMatchCases(t, []matchCase{
		{"fieldref equal", `    sel:
        SourceUser|fieldref: TargetUser
    condition: sel`, evs, []int32{0}, ""},
		{"fieldref neq", `    sel:
        SourceUser|fieldref|neq: TargetUser
    condition: sel`, evs, []int32{1}, ""},
		{"fieldref contains", `    sel:
        Path|fieldref|contains: TargetUser
    condition: sel`, evs, []int32{0, 1}, ""},
		{"fieldref endswith", `    sel:
        Path|fieldref|endswith: TargetUser
    condition: sel`, evs, nil, ""},
	}, nil)
}

func TestExpandAndTimeParts(t *testing.T) {
	evs := lines(
		`{"Computer": "WKS-01", "TimeCreated": "2024-03-05T22:15:00Z"}`,
		`{"Computer": "DC-01", "TimeCreated": "2024-03-05 08:15:00.123"}`,
	)
	opt := &Options{Placeholders: map[string][]string{"Workstations": {"WKS-*", "LAPTOP-*"}}}
	runMatchCases(t, []matchCase{
		{"expand with values", `    sel:
        Computer|expand: '%Workstations%'
    condition: sel`, evs, []int32{0}, ""},
		{"hour", `    sel:
        TimeCreated|hour|gte: 20
    condition: sel`, evs, []int32{0}, ""},
		{"hour equal", `    sel:
        TimeCreated|hour: 8
    condition: sel`, evs, []int32{1}, ""},
		{"month and year", `    sel:
        - TimeCreated|month: 3
        - TimeCreated|year: 1999
    condition: sel`, evs, []int32{0, 1}, ""},
	}, opt)
	runMatchCases(t, []matchCase{
		{"expand without values never matches", `    sel:
        Computer|expand: '%Workstations%'
    condition: sel`, evs, nil, CodePlaceholder},
	}, nil)
}

func TestKeywords(t *testing.T) {
	evs := lines(
		`{"Message": "Mimikatz sekurlsa::logonpasswords", "User": "a"}`,
		`{"Message": "nothing", "CommandLine": "invoke-MIMIKATZ"}`,
		`{"Message": "sekurlsa only"}`,
	)
	runMatchCases(t, []matchCase{
		{"keyword list matches anywhere", `    keywords:
        - 'mimikatz'
        - 'nothing-at-all'
    condition: keywords`, evs, []int32{0, 1}, ""},
		{"keywords with all", `    keywords:
        '|all':
            - 'mimikatz'
            - 'sekurlsa'
    condition: keywords`, evs, []int32{0}, ""},
		{"keywords and a field", `    keywords:
        - 'sekurlsa'
    sel:
        User: a
    condition: keywords and not sel`, evs, []int32{2}, ""},
	}, nil)
}

func TestConditions(t *testing.T) {
	evs := lines(
		`{"A": "1", "B": "1", "C": "1"}`,
		`{"A": "1", "B": "0", "C": "0"}`,
		`{"A": "0", "B": "1", "C": "0"}`,
		`{"A": "0", "B": "0", "C": "1"}`,
		`{"A": "0", "B": "0", "C": "0"}`,
	)
	sels := `    sel_a:
        A: '1'
    sel_b:
        B: '1'
    _sel_c:
        C: '1'
`
	runMatchCases(t, []matchCase{
		{"and", sels + "    condition: sel_a and sel_b\n", evs, []int32{0}, ""},
		{"or", sels + "    condition: sel_a or sel_b\n", evs, []int32{0, 1, 2}, ""},
		{"not", sels + "    condition: not sel_a\n", evs, []int32{2, 3, 4}, ""},
		{"precedence: not binds tighter than and, and than or", sels + "    condition: not sel_a and sel_b or _sel_c\n", evs, []int32{0, 2, 3}, ""},
		{"parentheses", sels + "    condition: not (sel_a or sel_b)\n", evs, []int32{3, 4}, ""},
		{"1 of pattern", sels + "    condition: 1 of sel_*\n", evs, []int32{0, 1, 2}, ""},
		{"any of pattern", sels + "    condition: any of sel*\n", evs, []int32{0, 1, 2}, ""},
		{"all of pattern", sels + "    condition: all of sel_*\n", evs, []int32{0}, ""},
		{"all of them leaves out underscores", sels + "    condition: all of them\n", evs, []int32{0}, ""},
		{"1 of them", sels + "    condition: 1 of them\n", evs, []int32{0, 1, 2}, ""},
		{"not 1 of", sels + "    condition: not 1 of sel_*\n", evs, []int32{3, 4}, ""},
		{"2 of", sels + "    condition: 2 of *sel_*\n", evs, []int32{0}, ""},
		{"pattern matching nothing is false", sels + "    condition: sel_a and not 1 of filter_*\n", evs, []int32{0, 1}, ""},
		{"condition list is an OR", sels + "    condition:\n        - sel_a and sel_b\n        - _sel_c and not sel_a\n", evs, []int32{0, 3}, ""},
		{"list of maps is an OR of ANDs", `    sel:
        - A: '1'
          B: '0'
        - C: '1'
          A: '0'
    condition: sel
`, evs, []int32{1, 3}, ""},
		{"keys of a map are an AND", `    sel:
        A: '1'
        B: '1'
        C: '1'
    condition: sel
`, evs, []int32{0}, ""},
		{"unknown identifier", sels + "    condition: sel_x\n", evs, nil, CodeCondition},
	}, nil)
}

func TestAggregation(t *testing.T) {
	evs := lines(
		`{"EventID": 4625, "User": "a", "TimeCreated": "2024-01-01T00:00:00Z"}`,
		`{"EventID": 4625, "User": "a", "TimeCreated": "2024-01-01T00:01:00Z"}`,
		`{"EventID": 4625, "User": "a", "TimeCreated": "2024-01-01T00:02:00Z"}`,
		`{"EventID": 4625, "User": "b", "TimeCreated": "2024-01-01T00:02:00Z"}`,
		`{"EventID": 4625, "User": "a", "TimeCreated": "2024-01-01T05:00:00Z"}`,
	)
	text := detectionRule(`    sel:
        EventID: 4625
    timeframe: 5m
    condition: sel | count() by User > 2
`)
	sr, lines := parseRule(t, text)
	r := Compile(sr, lines, nil)
	if !r.Aggregated() || !r.Runnable() {
		t.Fatalf("not an aggregation: %v", r.Diagnostics)
	}
	run := NewRun(nil)
	for _, b := range readBlocks(t, evs) {
		blk := NewBlock(b, nil)
		run.Observe(blk, r, blk.Match(r, nil))
	}
	_, aggs := run.Finish()
	got := aggs[r]
	if len(got) != 1 || got[0].Group[0] != "a" || got[0].Events != 3 {
		t.Fatalf("alerts %+v", got)
	}
	// near is reported
	sr, lines = parseRule(t, detectionRule("    a:\n        X: 1\n    b:\n        Y: 1\n    condition: a | near b\n"))
	if r := Compile(sr, lines, nil); r.Runnable() || !hasCode(r.Diagnostics, CodeUnsupported) {
		t.Errorf("near: %v", r.Diagnostics)
	}
}

func hasCode(ds []source.Diagnostic, code string) bool {
	for _, d := range ds {
		if d.Code == code {
			return true
		}
	}
	return false
}

func TestDiagnosticPositions(t *testing.T) {
	text := detectionRule(`    sel:
        CommandLine|re: '(?<=x)y'
    condition: sel
`)
	_, diags := matchedRows(t, text, lines(`{"CommandLine": "xy"}`), nil)
	if len(diags) != 1 || diags[0].Line != 6 || diags[0].Col != 9 || diags[0].Code != CodeRegex {
		t.Errorf("diagnostics %v", diags)
	}
}

// TestInvalidRulesDoNotRun: a front-end error that would change what the
// rule matches (an unknown modifier, which the model leaves out, a nested
// map as a value, a duplicate field) keeps the rule from running, with the
// error's position, as pySigma refuses such rules; other errors do not.
func TestInvalidRulesDoNotRun(t *testing.T) {
	evs := lines(`{"A": "x", "B": "1"}`, `{"A": "y", "B": "2"}`)
	for _, tc := range []struct {
		name, detection string
		runs            bool
		line, col       int
	}{
		{"unknown modifier", "    sel:\n        A|contians: x\n    condition: not sel\n", false, 6, 11},
		{"nested map", "    sel:\n        A:\n            B: x\n    condition: sel\n", false, 7, 13},
		{"duplicate field", "    sel:\n        A: x\n        A: y\n    condition: sel\n", false, 7, 9},
		{"a bad value only never matches", "    sel:\n        A|gt: x\n    other:\n        B: '2'\n    condition: sel or other\n", true, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sr, lines := parseRule(t, detectionRule(tc.detection))
			r := Compile(sr, lines, nil)
			if r.Runnable() != tc.runs {
				t.Fatalf("runnable %v, want %v: %v", r.Runnable(), tc.runs, r.Diagnostics)
			}
			if tc.runs {
				return
			}
			d := r.Diagnostics[len(r.Diagnostics)-1]
			if d.Code != CodeInvalid || d.Line != tc.line || d.Col != tc.col {
				t.Errorf("diagnostic %+v, want %s at %d:%d", d, CodeInvalid, tc.line, tc.col)
			}
			for _, b := range readBlocks(t, evs) {
				if rows := NewBlock(b, nil).Match(r, nil); len(rows) > 0 {
					t.Errorf("an invalid rule matched rows %v", rows)
				}
			}
		})
	}
}

func TestPatternCompile(t *testing.T) {
	tests := []struct {
		pattern string
		kind    patternKind
		yes, no []string
	}{
		{`abc`, patExact, []string{"abc"}, []string{"abcd", "xabc"}},
		{`abc*`, patPrefix, []string{"abc", "abcd"}, []string{"xabc"}},
		{`*abc`, patSuffix, []string{"abc", "xabc"}, []string{"abcd"}},
		{`*abc*`, patContains, []string{"xabcx", "abc"}, []string{"ab"}},
		{`*`, patAny, []string{"", "x"}, nil},
		{`**`, patAny, []string{"", "x"}, nil},
		{`a*b*c`, patGlob, []string{"abc", "aXbYc", "abbbc", "acbc"}, []string{"ab", "acb", "abcx"}},
		{`a?c`, patGlob, []string{"abc", "a\u00e9c"}, []string{"ac", "abbc"}},
		{`*a?c*`, patGlob, []string{"xxabcxx"}, []string{"ac"}},
		{`*\*`, patSuffix, []string{"x*"}, []string{"x"}},
		{`a*a*a*a*a*b`, patGlob, []string{"aaaaab"}, []string{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}},
	}
	for _, tc := range tests {
		p := compilePattern(sigma.ParseString(tc.pattern, false), true)
		if p.kind != tc.kind {
			t.Errorf("%s: kind %d, want %d", tc.pattern, p.kind, tc.kind)
		}
		for _, y := range tc.yes {
			if !p.match(y) {
				t.Errorf("%s should match %q", tc.pattern, y)
			}
		}
		for _, n := range tc.no {
			if p.match(n) {
				t.Errorf("%s should not match %q", tc.pattern, n)
			}
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"ABC":           "abc",
		"abc":           "abc",
		"ÄÖÜ":           "äöü",
		"C:\\WINDOWS":   "c:\\windows",
		"\xff\xfeA\x00": "\xff\xfea\x00",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

// ExampleBlock_Match shows a rule run over JSON lines.
func ExampleBlock_Match() {
	f := sigma.Parse(`title: Whoami
logsource:
    product: test
detection:
    sel:
        CommandLine|contains: whoami
    condition: sel
`)
	r := Compile(f.Rules[0], f.Lines, nil)
	rd, _ := events.NewReader(strings.NewReader(`{"CommandLine": "cmd /c WHOAMI"}
{"CommandLine": "ipconfig"}
`), "events.jsonl")
	b, _ := rd.Next()
	fmt.Println(NewBlock(b, nil).Match(r, nil))
	// Output: [0]
}

func TestKeywordSet(t *testing.T) {
	words := []string{"mimikatz", "sekurlsa::", "kat", "a", "::logon"}
	mk := func(cased bool) *keywordSet {
		var vals []valueTest
		for _, w := range words {
			vals = append(vals, valueTest{pats: []strPattern{compilePattern(sigma.Plain(w).Wrap(true, true), cased)}})
		}
		return newKeywordSet(vals, cased)
	}
	texts := []string{"", "MIMIKATZ sekurlsa::LogonPasswords", "xx", "mimikaTz", "b", "sekurlsa:", "Ünïcödé KAT"}
	for _, cased := range []bool{false, true} {
		ks := mk(cased)
		if ks == nil {
			t.Fatal("no automaton")
		}
		for _, text := range texts {
			var want uint64
			for i, w := range words {
				hay := text
				if !cased {
					hay = fold(text)
				}
				if strings.Contains(hay, w) {
					want |= 1 << uint(i)
				}
			}
			if got := ks.scan(text, false); got != want {
				t.Errorf("cased=%v %q: %b, want %b", cased, text, got, want)
			}
			if got := ks.scan(text, true); (got != 0) != (want != 0) {
				t.Errorf("cased=%v %q any: %b, want some of %b", cased, text, got, want)
			}
		}
	}
	// not for wildcards inside, nor non-ASCII keywords
	if newKeywordSet([]valueTest{{pats: []strPattern{compilePattern(sigma.ParseString("*a*b*", false), false)}}}, false) != nil {
		t.Error("automaton for a glob")
	}
	if newKeywordSet([]valueTest{{pats: []strPattern{compilePattern(sigma.Plain("ä").Wrap(true, true), false)}}}, false) != nil {
		t.Error("automaton for a non-ASCII keyword")
	}
}
