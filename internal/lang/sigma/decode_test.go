package sigma

import (
	"strings"
	"testing"
	"time"
)

const everyShape = `title: Every shape
id: 929a690e-bef0-4204-a928-ef5e620d6fcc
name: every_shape
related:
    - id: 08fbc97d-0a2f-491c-ae21-8ffcfd3174e9
      type: derived
status: test
author:
    - Alice
    - Bob
date: 2024-01-02
logsource:
    category: process_creation
    product: windows
    definition: 'Sysmon or 4688'
detection:
    selection_map:
        EventID: 4688
        Image|endswith: '\cmd.exe'
        CommandLine|contains|all:
            - ' /c '
            - 'whoami'
    selection_list:
        - ParentImage|startswith: 'C:\Windows\'
        - OriginalFileName: 'Cmd.Exe'
    keywords:
        - 'mimikatz'
        - '*sekurlsa*'
    keywords_all:
        '|all':
            - 'a'
            - 'b'
    special:
        Empty: ''
        Missing: null
        Enabled: true
        Port|gt: 1024
        SourceIp|cidr: '10.0.0.0/8'
        User|fieldref: TargetUser
        Hash|exists: true
        Pattern|re|i|s: '^a.b$'
        Name|cased: 'Admin'
        Host|expand: '%Servers%'
        TimeCreated|hour|lt: 6
    condition: 1 of selection_* or keywords or keywords_all and special
fields:
    - CommandLine
falsepositives: Unknown
level: high
tags:
    - attack.execution
    - attack.t1059
`

func TestDecodeEveryShape(t *testing.T) {
	f := ParseFile([]byte(everyShape))
	if len(f.Diagnostics) > 0 || len(f.Rules) != 1 {
		t.Fatalf("file: %v, %d rules", f.Diagnostics, len(f.Rules))
	}
	r := f.Rules[0]
	for _, d := range r.Diagnostics {
		t.Errorf("diagnostic: %s", d)
	}
	if r.Kind != KindDetection || r.Title != "Every shape" || r.Name != "every_shape" || r.Author != "Alice, Bob" ||
		r.Date != "2024-01-02" || r.Level != "high" || len(r.FalsePositives) != 1 || r.Fields[0] != "CommandLine" {
		t.Errorf("metadata: %+v", r)
	}
	if len(r.Related) != 1 || r.Related[0].Type != "derived" {
		t.Errorf("related: %+v", r.Related)
	}
	if ls := r.Logsource; ls.Table() != "windows/process_creation" || ls.Definition != "Sysmon or 4688" {
		t.Errorf("logsource: %+v", ls)
	}
	det := r.Detection
	if len(det.Searches) != 5 || len(det.Conditions) != 1 {
		t.Fatalf("searches %d, conditions %d", len(det.Searches), len(det.Conditions))
	}
	sel := det.Search("selection_map")
	if len(sel.Groups) != 1 || len(sel.Groups[0].Items) != 3 {
		t.Fatalf("selection_map: %+v", sel)
	}
	items := sel.Groups[0].Items
	if it := items[0]; it.Field != "EventID" || it.Values[0].Type != ValueNumber || it.Values[0].Raw != "4688" {
		t.Errorf("EventID: %+v %+v", it, it.Values[0])
	}
	if it := items[1]; it.Compare != CompareEndsWith || it.Values[0].Str.Text() != `\cmd.exe` {
		t.Errorf("Image: %+v", it)
	}
	if it := items[2]; it.Compare != CompareContains || !it.All || len(it.Values) != 2 || it.Key != "CommandLine|contains|all" {
		t.Errorf("CommandLine: %+v", it)
	}
	if l := det.Search("selection_list"); len(l.Groups) != 2 || l.Groups[1].Items[0].Field != "OriginalFileName" {
		t.Errorf("selection_list: %+v", l)
	}
	kw := det.Search("keywords").Groups[0].Items[0]
	if !kw.IsKeyword() || len(kw.Values) != 2 || show(kw.Values[1].Str) != "<*>sekurlsa<*>" {
		t.Errorf("keywords: %+v", kw)
	}
	if kwa := det.Search("keywords_all").Groups[0].Items[0]; !kwa.IsKeyword() || !kwa.All || len(kwa.Values) != 2 {
		t.Errorf("keywords_all: %+v", kwa)
	}
	sp := map[string]*Item{}
	for _, it := range det.Search("special").Groups[0].Items {
		sp[it.Field] = it
	}
	checks := []struct {
		field string
		ok    bool
	}{
		{"Empty", sp["Empty"].Values[0].Type == ValueString && len(sp["Empty"].Values[0].Str.Parts) == 0},
		{"Missing", sp["Missing"].Values[0].Type == ValueNull},
		{"Enabled", sp["Enabled"].Values[0].Type == ValueBool},
		{"Port", sp["Port"].Compare == CompareGT && sp["Port"].Values[0].Raw == "1024"},
		{"SourceIp", sp["SourceIp"].Compare == CompareCIDR},
		{"User", sp["User"].FieldRef && sp["User"].Values[0].Raw == "TargetUser"},
		{"Hash", sp["Hash"].Compare == CompareExists},
		{"Pattern", sp["Pattern"].Compare == CompareRegex && sp["Pattern"].Regex == "is" && sp["Pattern"].Values[0].Raw == "^a.b$"},
		{"Name", sp["Name"].Cased},
		{"Host", sp["Host"].Expand && sp["Host"].Values[0].Str.HasPlaceholders()},
		{"TimeCreated", sp["TimeCreated"].TimePart == "hour" && sp["TimeCreated"].Compare == CompareLT},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: %+v", c.field, sp[c.field])
		}
	}
	// "1 of selection_*" ranges over the two selections, in file order.
	var of *OfExpr
	Inspect(det.Conditions[0].Expr, func(x Expr) bool {
		if o, ok := x.(*OfExpr); ok {
			of = o
		}
		return true
	})
	if got := det.Of(of); len(got) != 2 || got[0].Name != "selection_map" || got[1].Name != "selection_list" {
		t.Errorf("Of = %v", got)
	}
	if refs := det.Referenced(det.Conditions[0].Expr); len(refs) != 5 {
		t.Errorf("Referenced = %d", len(refs))
	}
	// Positions: the Image item's key is on line 19, column 9.
	if p := f.Lines.Position(items[1].Pos); p.Line != 19 || p.Column != 9 {
		t.Errorf("Image position = %v", p)
	}
	if p := f.Lines.Position(items[1].Modifiers[0].Pos); p.Line != 19 || p.Column != 15 {
		t.Errorf("endswith position = %v", p)
	}
}

// TestDecodeDiagnostics checks each problem's message and file position.
func TestDecodeDiagnostics(t *testing.T) {
	head := "title: t\nlogsource:\n    product: windows\n"
	tests := []struct{ name, text, want string }{
		{"yaml", "title: [unclosed\n", "YAML syntax error"},
		{"not a mapping", "- a\n- b\n", "1:1: a Sigma document must be a mapping"},
		{"no detection", "title: t\n", "1:1: not a Sigma rule"},
		{"no title", "logsource: {product: x}\ndetection:\n    sel: {a: 1}\n    condition: sel\n", "1:1: the rule has no title"},
		{"no logsource", "title: t\ndetection:\n    sel: {a: 1}\n    condition: sel\n", "the rule has no logsource"},
		{"no condition", head + "detection:\n    sel:\n        a: 1\n", "4:1: detection has no condition"},
		{"undefined", head + "detection:\n    sel:\n        a: 1\n    condition: sel and filter\n", "7:24: condition: search identifier \"filter\" is not defined"},
		{"no match", head + "detection:\n    sel:\n        a: 1\n    condition: sel and not 1 of filter_*\n", "7:28: condition: pattern \"filter_*\" matches no search identifier"},
		{"syntax", head + "detection:\n    sel:\n        a: 1\n    condition: sel and or sel\n", "7:24: condition: expected a search identifier"},
		{"syntax quoted", head + "detection:\n    sel:\n        a: 1\n    condition: 'sel and ) sel'\n", "7:25: condition: expected a search identifier"},
		{"syntax folded", head + "detection:\n    sel:\n        a: 1\n    condition: >\n        sel and\n        ) sel\n", "9:9: condition: expected a search identifier"},
		{"syntax plain multi-line", head + "detection:\n    sel:\n        a: 1\n    condition: sel and\n        (sel or\n        ))\n", "9:9: condition: expected a search identifier"},
		{"unclosed", head + "detection:\n    sel:\n        a: 1\n    condition: >\n        sel and (sel or\n        sel\n", "10:1: condition: expected ), found end of condition, to close the ( at 8:17"},
		{"unknown modifier", head + "detection:\n    sel:\n        a|contians: x\n    condition: sel\n", "6:11: unknown modifier \"contians\""},
		{"two compares", head + "detection:\n    sel:\n        a|contains|endswith: x\n    condition: sel\n", "6:20: modifier endswith cannot be combined with contains"},
		{"flag without re", head + "detection:\n    sel:\n        a|i: x\n    condition: sel\n", "modifier i is a flag of re"},
		{"gt not a number", head + "detection:\n    sel:\n        a|gt: ten\n    condition: sel\n", "6:15: gt compares numbers; \"ten\" is not a number"},
		{"bad cidr", head + "detection:\n    sel:\n        a|cidr: 10.0.0.0/33\n    condition: sel\n", "6:17: \"10.0.0.0/33\" is not a CIDR range"},
		{"exists not bool", head + "detection:\n    sel:\n        a|exists: maybe\n    condition: sel\n", "exists takes true or false"},
		{"regex RE2", head + "detection:\n    sel:\n        a|re: '(?<=x)y'\n    condition: sel\n", "warning: regular expression is not RE2 syntax"},
		{"all single", head + "detection:\n    sel:\n        a|contains|all: x\n    condition: sel\n", "warning: a|contains|all: |all with a single value"},
		{"null in list", head + "detection:\n    sel:\n        a:\n            - x\n            - null\n    condition: sel\n", "warning: null cannot be part of a list"},
		{"nested map", head + "detection:\n    sel:\n        a:\n            b: c\n    condition: sel\n", "7:13: a: the value must be a single value or a list of values, not a mapping"},
		{"empty list", head + "detection:\n    sel:\n        a: []\n    condition: sel\n", "6:9: a has an empty list of values"},
		{"empty search", head + "detection:\n    sel:\n    condition: sel\n", "5:5: search identifier sel is empty"},
		{"duplicate key", head + "title: again\ndetection:\n    sel:\n        a: 1\n    condition: sel\n", "4:1: duplicate key \"title\""},
		{"duplicate search", head + "detection:\n    sel:\n        a: 1\n    sel:\n        b: 2\n    condition: sel\n", "7:5: duplicate search identifier \"sel\""},
		{"unused", head + "detection:\n    sel:\n        a: 1\n    other:\n        b: 2\n    condition: sel\n", "7:5: warning: search identifier \"other\" is not used"},
		{"aggregation", head + "detection:\n    sel:\n        a: 1\n    condition: sel | count() by b > 5\n", "7:20: warning: condition: an aggregation (| count) is Sigma 1 syntax"},
		{"timeframe", head + "detection:\n    sel:\n        a: 1\n    timeframe: 5m\n    condition: sel\n", "7:5: warning: timeframe is Sigma 1 syntax"},
		{"level", head + "level: severe\ndetection:\n    sel:\n        a: 1\n    condition: sel\n", "4:8: warning: unknown level \"severe\""},
		{"bad shape", head + "tags: {a: b}\ndetection:\n    sel:\n        a: 1\n    condition: sel\n", "4:7: tags must be a list of values, not a mapping"},
		{"unknown action", "action: merge\ntitle: t\n", "1:9: unknown action \"merge\""},
		{"repeat first", "action: repeat\ntitle: t\n", "1:9: action: repeat with no previous document"},
	}
	for _, tt := range tests {
		f := ParseFile([]byte(tt.text))
		var msgs []string
		for _, d := range f.Diagnostics {
			msgs = append(msgs, d.String())
		}
		for _, r := range f.Rules {
			for _, d := range r.Diagnostics {
				msgs = append(msgs, d.String())
			}
		}
		all := strings.Join(msgs, "\n")
		if !strings.Contains(all, tt.want) {
			t.Errorf("%s: diagnostics\n%s\nwant %q", tt.name, all, tt.want)
		}
	}
}

func TestDecodeCollection(t *testing.T) {
	text := `action: global
title: Global title
logsource:
    product: windows
detection:
    condition: 1 of selection*
level: high
---
logsource:
    category: process_creation
detection:
    selection1:
        Image|endswith: '\a.exe'
---
title: Own title
logsource:
    service: security
detection:
    selection2:
        EventID: 4624
---
action: repeat
detection:
    selection2:
        EventID: 4625
---
action: reset
---
title: Alone
logsource:
    product: linux
detection:
    sel:
        a: 1
    condition: sel
`
	f := ParseFile([]byte(text))
	if len(f.Diagnostics) > 0 {
		t.Fatalf("diagnostics: %v", f.Diagnostics)
	}
	if len(f.Rules) != 4 {
		t.Fatalf("rules = %d, want 4", len(f.Rules))
	}
	want := []struct{ title, table, level string }{
		{"Global title", "windows/process_creation", "high"},
		{"Own title", "windows/security", "high"},
		{"Own title", "windows/security", "high"},
		{"Alone", "linux", ""},
	}
	for i, w := range want {
		r := f.Rules[i]
		if r.Title != w.title || r.Logsource.Table() != w.table || r.Level != w.level {
			t.Errorf("rule %d: %q %q %q, want %+v", i, r.Title, r.Logsource.Table(), r.Level, w)
		}
		for _, d := range r.Diagnostics {
			t.Errorf("rule %d: %s", i, d)
		}
	}
	// The repeated document replaces the selection's value.
	if v := f.Rules[2].Detection.Search("selection2").Groups[0].Items[0].Values[0].Raw; v != "4625" {
		t.Errorf("repeat: EventID = %s", v)
	}
	if len(f.Rules[0].Merged) != 2 || len(f.Rules[2].Merged) != 3 || f.Rules[3].Merged != nil {
		t.Errorf("merged spans: %v %v %v", f.Rules[0].Merged, f.Rules[2].Merged, f.Rules[3].Merged)
	}
	if sp := f.Rules[0].Merged[0]; !strings.HasPrefix(text[sp.Start:sp.End], "action: global") || !strings.HasSuffix(text[sp.Start:sp.End], "level: high") {
		t.Errorf("global span = %q", text[sp.Start:sp.End])
	}
	if f.Rules[1].Doc != 2 {
		t.Errorf("rule 1 comes from document %d", f.Rules[1].Doc)
	}
}

func TestDecodeCorrelationAndFilter(t *testing.T) {
	text := `title: Many failed logins
id: a8418a5a-5fc4-46b5-b23b-6c73beb19d41
name: many_failed
correlation:
    type: value_count
    rules:
        - failed_login
        - 5638f7c0-ac70-491d-8465-2a65075e0d86
    group-by:
        - ComputerName
    timespan: 1h
    condition:
        field: User
        gte: 100
        lt: 1000
    aliases:
        host:
            failed_login: ComputerName
    generate: true
---
title: Filter admins
logsource:
    category: process_creation
    product: windows
filter:
    rules:
        - many_failed
    selection:
        User|startswith: 'adm_'
    condition: not selection
---
title: Bad correlation
correlation:
    type: event_sum
    timespan: 1 hour
`
	f := ParseFile([]byte(text))
	if len(f.Rules) != 3 {
		t.Fatalf("rules = %d", len(f.Rules))
	}
	c := f.Rules[0].Correlation
	if f.Rules[0].Kind != KindCorrelation || c.Type != "value_count" || len(c.Rules) != 2 || c.Duration != time.Hour ||
		len(c.Condition) != 2 || c.Condition[0].Op != "gte" || c.Field[0] != "User" || !c.Generate ||
		len(c.Aliases) != 1 || c.Aliases[0].Fields[0].Field != "ComputerName" {
		t.Errorf("correlation: %+v", c)
	}
	if len(f.Rules[0].Diagnostics) > 0 {
		t.Errorf("correlation diagnostics: %v", f.Rules[0].Diagnostics)
	}
	fl := f.Rules[1]
	if fl.Kind != KindFilter || len(fl.Filter.Rules) != 1 || fl.Filter.Detection.Search("selection") == nil || len(fl.Diagnostics) > 0 {
		t.Errorf("filter: %+v %v", fl.Filter, fl.Diagnostics)
	}
	var msgs []string
	for _, d := range f.Rules[2].Diagnostics {
		msgs = append(msgs, d.String())
	}
	all := strings.Join(msgs, "\n")
	if strings.Contains(all, "needs a condition") {
		t.Errorf("an unknown type needs no condition: %s", all)
	}
	for _, want := range []string{`34:11: unknown correlation type "event_sum"`, `33:1: correlation references no rules`, `35:15: timespan "1 hour" is not a number and a unit`} {
		if !strings.Contains(all, want) {
			t.Errorf("bad correlation: want %q in\n%s", want, all)
		}
	}
}

func TestMatchPattern(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"selection", "selection", true},
		{"selection", "selection1", false},
		{"selection*", "selection", true},
		{"selection*", "selection_img", true},
		{"*_img", "selection_img", true},
		{"sel*img*", "selection_img_2", true},
		{"sel*img*x", "selection_img_2", false},
		{"*", "anything", true},
		{"filter_main_*", "filter_optional_x", false},
	}
	for _, tt := range tests {
		if got := MatchPattern(tt.pattern, tt.name); got != tt.want {
			t.Errorf("MatchPattern(%q, %q) = %v", tt.pattern, tt.name, got)
		}
	}
}

func TestParseTimespan(t *testing.T) {
	for in, want := range map[string]time.Duration{"10s": 10 * time.Second, "5m": 5 * time.Minute, "24h": 24 * time.Hour, "7d": 7 * 24 * time.Hour} {
		if got, ok := ParseTimespan(in); !ok || got != want {
			t.Errorf("ParseTimespan(%q) = %v %v", in, got, ok)
		}
	}
	for _, bad := range []string{"", "m", "5", "5x", "-5m", "1 h"} {
		if _, ok := ParseTimespan(bad); ok {
			t.Errorf("ParseTimespan(%q) accepted", bad)
		}
	}
}
