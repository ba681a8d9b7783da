package sigmaeval

import (
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/events"
	"github.com/detwiki/detwiki/internal/lang/sigma"
)

// fuzzSeeds are rules and events from the package's tests.
var fuzzSeeds = []struct{ rule, events string }{
	{detectionRule("    sel:\n        Image|endswith: '\\cmd.exe'\n    condition: sel\n"), `{"Image": "C:\\Windows\\cmd.exe"}` + "\n" + `{"Image": null}`},
	{detectionRule("    sel:\n        CommandLine|contains|all:\n            - '/c'\n            - whoami\n    f:\n        User: null\n    condition: sel and not f\n"), `{"CommandLine": "cmd /c whoami", "User": "x"}`},
	{detectionRule("    keywords:\n        - mimikatz\n        - 'a*b?c'\n    condition: keywords\n"), `{"Message": "MIMIKATZ"}` + "\n" + `{"x": "aXXbYc"}`},
	{detectionRule("    a:\n        X|re|i: '^a.*z$'\n    b:\n        Y|cidr: 10.0.0.0/8\n    c:\n        Z|gt: 5\n    condition: 1 of a* or (b and not c) or all of them\n"), `{"X": "AbcZ", "Y": "10.1.1.1", "Z": 7}`},
	{detectionRule("    s:\n        A|fieldref: B\n        C|base64offset|contains: hello\n        D|windash|contains: ' -x'\n        E|exists: false\n    condition: s\n"), `{"A": "q", "B": "Q", "C": "aGVsbG8=", "D": "run /x"}`},
	{detectionRule("    s:\n        - EventID: 4625\n          T|hour|gte: 3\n        - EventID: 4624\n    timeframe: 5m\n    condition: s | count() by U > 1\n"), `{"EventID": 4625, "U": "a", "T": "2024-01-01T05:00:00Z"}`},
	{"title: t\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    s:\n        Image|endswith: x\n    condition: s\n",
		`{"Channel": "Security", "EventID": 4688, "NewProcessName": "abx"}` + "\n" + `{"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 1, "Image": "x"}`},
	{"title: t\nid: r1\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    s:\n        Image|endswith: x\n    condition: s\n---\ntitle: f\nlogsource:\n    product: windows\nfilter:\n    rules: [r1]\n    sel:\n        User|startswith: adm_\n    condition: not sel\n",
		`{"Channel": "Security", "EventID": 4688, "NewProcessName": "abx", "User": "adm_a"}` + "\n" + `{"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 1, "Image": "x", "User": "b"}`},
}

// FuzzEvaluate compiles arbitrary Sigma text and runs it on arbitrary JSON
// events: it must never panic, return sorted rows of the block, and agree
// with evaluating each event in a block of its own (the memoised, columnar
// evaluation against the one-row case).
func FuzzEvaluate(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s.rule, s.events)
	}
	f.Fuzz(func(t *testing.T, ruleText, eventText string) {
		if len(ruleText) > 1<<14 || len(eventText) > 1<<14 {
			return
		}
		file := sigma.Parse(ruleText)
		var rules []*Rule
		for _, sr := range file.Rules {
			rules = append(rules, Compile(sr, file.Lines, nil))
		}
		// filter meta-rules narrow every rule of the text they apply to
		for _, sr := range file.Rules {
			if sr.Kind != sigma.KindFilter {
				continue
			}
			FilterRefs(sr)
			flt := CompileFilter(sr, file.Lines, nil)
			for _, r := range rules {
				if FilterApplies(sr, r.Source) {
					r.AddFilter(flt)
				}
			}
		}
		r, err := events.NewReader(strings.NewReader(eventText), "fuzz.jsonl")
		if err != nil {
			return
		}
		b, err := r.Next()
		if err != nil || b == nil {
			return
		}
		mixed := false
		for _, fd := range b.Fields {
			if strings.HasPrefix(fd.Name, "Event.") {
				mixed = true // one block has one shape: the one-row split may differ
			}
		}
		for _, rule := range rules {
			rows := NewBlock(b, nil).Match(rule, nil)
			for i, row := range rows {
				if row < 0 || int(row) >= b.Len || i > 0 && rows[i-1] >= row {
					t.Fatalf("bad rows %v for %d events", rows, b.Len)
				}
			}
			if mixed || rule.Aggregated() {
				continue
			}
			// each event on its own, when the text is one event a line
			var single []int32
			comparable := true
			for n := 0; n < b.Len && comparable; n++ {
				line := eventLine(eventText, n)
				ob, err := readOne(line)
				if line == "" || err != nil || ob == nil || ob.Len != 1 {
					comparable = false
					break
				}
				if len(NewBlock(ob, nil).Match(rule, nil)) == 1 {
					single = append(single, int32(n))
				}
			}
			if comparable && !equalRows(single, rows) {
				t.Fatalf("block rows %v, one event at a time %v", rows, single)
			}
		}
	})
}

// eventLine returns the n-th non-empty line of text when the text is one
// JSON object a line ("" otherwise).
func eventLine(text string, n int) string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	if n >= len(lines) || !strings.HasPrefix(strings.TrimSpace(lines[n]), "{") {
		return ""
	}
	return lines[n]
}

func readOne(line string) (*events.Block, error) {
	r, err := events.NewReader(strings.NewReader(line), "one.jsonl")
	if err != nil {
		return nil, err
	}
	return r.Next()
}

func equalRows(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
