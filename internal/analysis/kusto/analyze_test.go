package kusto_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/analysis/kusto"
	"github.com/detwiki/detwiki/internal/lang/kql"
	"github.com/detwiki/detwiki/internal/rule"
)

func stageKinds(d *rule.Document, pipeline string) string {
	var out []string
	for _, st := range d.Analysis.Stages {
		if pipeline == "" || st.Pipeline == pipeline {
			k := st.Kind
			if st.Steps > 1 {
				k += fmt.Sprintf("×%d", st.Steps)
			}
			out = append(out, k)
		}
	}
	return strings.Join(out, " ")
}

func pipelines(d *rule.Document) string {
	var out []string
	for _, st := range d.Analysis.Stages {
		if len(out) == 0 || out[len(out)-1] != st.Pipeline {
			out = append(out, st.Pipeline)
		}
	}
	return strings.Join(out, " ")
}

func outputs(d *rule.Document) string {
	var out []string
	for _, o := range d.Analysis.Outputs {
		out = append(out, o.Field+"/"+o.Source)
	}
	return strings.Join(out, " ")
}

func TestParameters(t *testing.T) {
	tests := []struct {
		query string
		want  string // name=values;...
	}{
		{`let timeframe = 2*1h; T`, "timeframe=2h"},
		{`let lookback = 14d; let half = lookback / 2; T`, "lookback=14d;half=7d"},
		{`let n = 10; let m = n * 3 + 1; T`, "n=10;m=31"},
		{`let r = 1.5; T`, "r=1.5"},
		{`let lolbins = dynamic(["a.exe", "b.exe"]); T`, "lolbins=a.exe|b.exe"},
		{`let p = @"C:\Windows"; T`, `p=C:\Windows`},
		{`let s = strcat("a", "b"); T`, "s=ab"},
		{`let start = ago(1d); T`, "start="},
		{`let t = datetime(2024-01-31); T`, "t=2024-01-31"},
		{`let neg = -5m; T`, "neg=-5m"},
		{`let b = true; T`, "b=true"},
	}
	for _, tc := range tests {
		d := analyze(t, tc.query)
		var got []string
		for _, p := range d.Analysis.Parameters {
			got = append(got, p.Name+"="+strings.Join(p.Values, "|"))
		}
		if strings.Join(got, ";") != tc.want {
			t.Errorf("%s: parameters %q, want %q", tc.query, strings.Join(got, ";"), tc.want)
		}
	}
	d := analyze(t, "let timeframe = 2*1h;\nT")
	if p := d.Analysis.Parameters[0]; p.Text != "let timeframe = 2*1h;" {
		t.Errorf("text = %q", p.Text)
	}
}

func TestBindings(t *testing.T) {
	q := `let timeframe = 1d;
let threshold = 5;
let Raw = materialize(DeviceEvents | where Timestamp > ago(timeframe));
let Counted = Raw | summarize c = count() by DeviceId | where c > threshold;
let top = toscalar(Counted | summarize max(c));
let F = (T:(*), n:int = 3) { T | take n };
let V = view () { Raw | where ActionType == "X" };
Counted | join kind=inner Raw on DeviceId | invoke F()`
	d := analyze(t, q)
	var got []string
	for _, b := range d.Analysis.Bindings {
		got = append(got, b.Name+"<"+strings.Join(b.DerivedFrom, ",")+">")
	}
	want := "Raw<timeframe> Counted<threshold,Raw> top<Counted> F<> V<Raw>"
	if strings.Join(got, " ") != want {
		t.Errorf("bindings %q, want %q", strings.Join(got, " "), want)
	}
	if p := pipelines(d); p != "Raw Counted top F V main" {
		t.Errorf("pipelines %q", p)
	}
	if got := d.Analysis.Tables; strings.Join(got, ",") != "DeviceEvents" {
		t.Errorf("tables = %v (bindings, functions and function parameters are no tables)", got)
	}
	if b := d.Analysis.Bindings[0]; b.Text != "let Raw = materialize(DeviceEvents | where Timestamp > ago(timeframe));" {
		t.Errorf("binding text %q", b.Text)
	}

	// A function whose body ends with the name of a binding of its own (the
	// Sentinel ProcessCreationEvents pattern) has that binding as its
	// source, and the columns it makes are traced in the caller.
	q = `let ProcessCreationEvents = () {
let processEvents = SecurityEvent | where EventID == 4688 | project FileName = tostring(split(NewProcessName, '\\')[-1]), Cmd = CommandLine;
processEvents;
};
ProcessCreationEvents | where FileName =~ "cscript.exe" | where Cmd has "x"`
	d = analyze(t, q)
	if got := pipelines(d); got != "processEvents ProcessCreationEvents main" {
		t.Errorf("pipelines %q", got)
	}
	if got := stageKinds(d, "ProcessCreationEvents"); got != "source" {
		t.Errorf("function stages %q", got)
	}
	if got := strings.Join(allPredicates(d), "; "); got != "EventID eq 4688 {cased}; FileName eq cscript.exe; CommandLine match x" {
		t.Errorf("predicates %q", got)
	}
	if got := strings.Join(d.Analysis.Tables, ","); got != "SecurityEvent" {
		t.Errorf("tables %q", got)
	}

	// A name given by the as operator is the pipeline so far, not a table.
	d = analyze(t, `T | where A == 1 | as X | join (X | where B == 2) on K`)
	if got := strings.Join(d.Analysis.Tables, ","); got != "T" {
		t.Errorf("tables with as: %q", got)
	}
}

func TestStages(t *testing.T) {
	q := "let timeframe = 2*1h;\nDeviceEvents\n| where ingestion_time() >= ago(timeframe)\n| where InitiatingProcessFileName =~ \"mmc.exe\"\n" +
		"// a comment\n| extend A = 1\n| extend B = 2\n// another\n| extend C = A\n| where C == 1\n| extend D = 4"
	d := analyze(t, q)
	if got := stageKinds(d, ""); got != "source where where extend×3 where extend" {
		t.Errorf("stages %q", got)
	}
	ext := d.Analysis.Stages[3]
	if ext.Text != "| extend A = 1\n| extend B = 2\n| extend C = A" || ext.Line != 6 || ext.N != 4 {
		t.Errorf("merged extend: n %d line %d text %q", ext.N, ext.Line, ext.Text)
	}
	if src := d.Analysis.Stages[0]; src.Text != "DeviceEvents" || src.Line != 2 || src.Pipeline != "main" {
		t.Errorf("source stage %+v", src)
	}

	// Sub-queries get pipelines of their own, listed after their parent.
	d = analyze(t, `T | join (U | where A == 1) on K | join (V | where B == 2) on K | where C in ((W | project C))
| union (X | where D == 3)`)
	if got := pipelines(d); got != "main main/join main/join-2 main/in main/union" {
		t.Errorf("pipelines %q", got)
	}
	if got := strings.Join(d.Analysis.Tables, ","); got != "T,U,V,W,X" {
		t.Errorf("tables %q", got)
	}
	// Stage texts start at their own bar, whatever the sub-queries inside
	// an operator.
	d = analyze(t, "T\n| where A in~ ((U | project A))\n| where B == 1\n| extend C = 1")
	var texts []string
	for _, st := range d.Analysis.Stages {
		texts = append(texts, fmt.Sprintf("%s:%d:%s", st.Pipeline, st.Line, st.Text))
	}
	if got, want := strings.Join(texts, "\n"), "main:1:T\nmain:2:| where A in~ ((U | project A))\nmain:3:| where B == 1\nmain:4:| extend C = 1\nmain/in:2:U\nmain/in:2:| project A"; got != want {
		t.Errorf("stage texts\n%s\nwant\n%s", got, want)
	}
	// A parenthesized pipeline at the source continues the same pipeline.
	d = analyze(t, `(T | where A == 1) | where B == 2`)
	if got := stageKinds(d, "main"); got != "source where where" {
		t.Errorf("flattened %q", got)
	}
	// Union at the start, wildcard and cross-workspace tables.
	d = analyze(t, `union isfuzzy=true Device*, workspace("w").SecurityEvent, (Syslog | where A == 1)`)
	if got := strings.Join(d.Analysis.Tables, ","); got != "Device*,SecurityEvent,Syslog" {
		t.Errorf("union tables %q", got)
	}
	if got := stageKinds(d, ""); got != "union source where" {
		t.Errorf("union stages %q", got)
	}
	// ASIM parsers and functions are tables; user functions are not.
	d = analyze(t, `let f = () { imProcessCreate | where A == 1 }; f() | union _Im_Dns(starttime=ago(1h))`)
	if got := strings.Join(d.Analysis.Tables, ","); got != "imProcessCreate,_Im_Dns" {
		t.Errorf("function tables %q", got)
	}
}

func TestOutputsGroupByTimeWindow(t *testing.T) {
	// The query of the spec's DCOM page (a later version than the corpus
	// file's): summarize, then extend.
	q := `Event
| where EventLog =~ "Microsoft-Windows-Sysmon/Operational" and EventID==1
| parse EventData with * 'CommandLine">' CommandLine "<" *
| where TimeGenerated > ago(1h)
| summarize StartTime = min(TimeGenerated), EndTime = max(TimeGenerated) by EventID, Computer, CommandLine
| extend HostName = iif(Computer has '.',substring(Computer,0,indexof(Computer,'.')),Computer), DnsDomain = ''`
	d := &rule.Document{Query: q, Analysis: rule.Analysis{Outputs: []rule.Output{{Field: "Computer", Source: "entityMappings"}, {Field: "Account", Source: "customDetails"}}}}
	s, _ := kql.Parse(q)
	kusto.Analyze(d, s)
	want := "EventID/summarize Computer/summarize CommandLine/summarize StartTime/summarize EndTime/summarize HostName/extend DnsDomain/extend Account/customDetails"
	if got := outputs(d); got != want {
		t.Errorf("outputs\n got %s\nwant %s", got, want)
	}
	if got := strings.Join(d.GroupBy, ","); got != "EventID,Computer,CommandLine" {
		t.Errorf("group_by %q", got)
	}
	if d.TimeWindow != "1h" {
		t.Errorf("time_window %q", d.TimeWindow)
	}

	// Metadata wins.
	d = &rule.Document{Query: q, TimeWindow: "2h", GroupBy: []string{"Computer"}}
	kusto.Analyze(d, s)
	if d.TimeWindow != "2h" || strings.Join(d.GroupBy, ",") != "Computer" {
		t.Errorf("metadata overridden: %q %q", d.TimeWindow, d.GroupBy)
	}

	tests := []struct{ query, outputs, groupBy, window string }{
		{`T | project A, B = C, D`, "A/project B/project D/project", "", ""},
		{`T | project A, B | project-rename X = A | project-away B`, "X/project-rename", "", ""},
		{`T | extend A = 1 | project-keep A*`, "A/extend", "", ""},
		{`T | summarize count(), dcount(U), make_set(C), arg_max(Ts, P, Q) by H, bin(TimeGenerated, 1h)`,
			"H/summarize TimeGenerated/summarize count_/summarize dcount_U/summarize set_C/summarize Ts/summarize P/summarize Q/summarize", "H,TimeGenerated", ""},
		{`T | summarize arg_min(Timestamp, *), Targets = make_set(X) by DeviceId | extend S = DeviceId`,
			"DeviceId/summarize Timestamp/summarize Targets/summarize S/extend", "DeviceId", ""},
		{`T | distinct A, B`, "A/distinct B/distinct", "", ""},
		{`T | count`, "Count/count", "", ""},
		{`T | where Timestamp > ago(7d) | where Timestamp > ago(1d)`, "", "", "7d"},
		{`let lookback = 14d; T | where TimeGenerated between (ago(lookback) .. now())`, "", "", "14d"},
		{`let s = ago(30m); T | where TimeGenerated >= s`, "", "", "30m"},
		{`T | where TimeGenerated > now(-3h)`, "", "", "3h"},
		{`T | where TimeGenerated > startofday(ago(2d))`, "", "", "2d"},
		{`T | make-series n = count() on TimeGenerated step 1h by Host`, "Host/make-series n/make-series TimeGenerated/make-series", "Host", ""},
		{`T | summarize c = count() by H | summarize d = dcount(H) by c`, "c/summarize d/summarize", "c", ""},
	}
	for _, tc := range tests {
		d := analyze(t, tc.query)
		if got := outputs(d); got != tc.outputs {
			t.Errorf("%s: outputs\n got %s\nwant %s", tc.query, got, tc.outputs)
		}
		if got := strings.Join(d.GroupBy, ","); got != tc.groupBy {
			t.Errorf("%s: group_by %q, want %q", tc.query, got, tc.groupBy)
		}
		if d.TimeWindow != tc.window {
			t.Errorf("%s: time_window %q, want %q", tc.query, d.TimeWindow, tc.window)
		}
	}
}

func TestThirdPartyFeed(t *testing.T) {
	tests := []struct {
		query string
		want  bool
	}{
		{`SecurityAlert | where ProductName == "Azure Defender for IoT" | where AlertName == "Denial of Service"`, true},
		{`darktrace_model_alerts_CL | where dtProduct_s == "Model Breach" | extend A = 1`, true},
		{`CarbonBlackNotifications_CL | where threatHunterInfo_score_d >= 4 | summarize count() by deviceInfo_deviceName_s`, true},
		{`AWSGuardDuty | extend tokens = split(ActivityType, ":")`, true},
		{`AlertInfo | where Title has "ransom" | join AlertEvidence on AlertId`, true},
		{`let iocs = _GetWatchlist("x") | project SearchKey; SecurityAlert | where Entities has_any (iocs)`, true},
		// Not feeds: telemetry, correlation, thresholds.
		{`DeviceProcessEvents | where FileName == "x.exe"`, false},
		{`Okta_CL | where eventType_s == "user.session.start"`, false},
		{`SecurityAlert | summarize n = dcount(AlertName) by CompromisedEntity | where n > 3`, false},
		{`SecurityAlert | where AlertName has "x" | join (SigninLogs | where ResultType == 0) on $left.CompromisedEntity == $right.UserPrincipalName`, false},
		{`let a = SecurityAlert | where AlertName == "A"; let b = SecurityAlert | where AlertName == "B"; a | join b on CompromisedEntity`, false},
		{`print x = 1`, false},
	}
	for _, tc := range tests {
		if got := analyze(t, tc.query).ThirdPartyFeed; got != tc.want {
			t.Errorf("%s: third_party_feed %v, want %v", tc.query, got, tc.want)
		}
	}
}

// TestPartialTree analyses what a query with syntax errors still holds.
func TestPartialTree(t *testing.T) {
	d := analyze(t, "T\n| where A == \"x\" and\n| where B has \"y\"\n| extend = ")
	if got := allPredicates(d); len(got) == 0 || got[0] != "A eq x {cased}" {
		t.Errorf("predicates of a broken query: %q", got)
	}
}

// TestAnalyzeTwice checks that analysing a document again gives the same
// analysis (reader outputs kept once, query outputs not duplicated).
func TestAnalyzeTwice(t *testing.T) {
	q := `T | where A == 1 | project A, B`
	d := &rule.Document{Query: q, Analysis: rule.Analysis{Outputs: []rule.Output{{Field: "C", Source: "entityMappings"}}}}
	s, _ := kql.Parse(q)
	kusto.Analyze(d, s)
	first := outputs(d) + fmt.Sprint(len(d.Analysis.Indicators), len(d.Analysis.Stages))
	kusto.Analyze(d, s)
	if again := outputs(d) + fmt.Sprint(len(d.Analysis.Indicators), len(d.Analysis.Stages)); again != first {
		t.Errorf("second analysis %q, first %q", again, first)
	}
}

func TestIsASIMParser(t *testing.T) {
	for name, want := range map[string]bool{
		"_Im_Dns": true, "_ASim_NetworkSession": true, "imProcessCreate": true, "imDns": true, "ASimDnsMicrosoftOMS": true,
		"vimFileEventMicrosoft365D": true, "image": false, "impossible": false, "SecurityEvent": false, "im": false,
	} {
		if got := kusto.IsASIMParser(name); got != want {
			t.Errorf("IsASIMParser(%q) = %v", name, got)
		}
	}
}

// TestDeepFilter checks that a filter nesting past the limit gives a
// warning and no panic.
func TestDeepFilter(t *testing.T) {
	q := "T | where " + strings.Repeat(`A == "x" or `, 2000) + `A == "y"`
	d := analyze(t, q)
	found := false
	for _, x := range d.Analysis.Diagnostics {
		if x.Code == kusto.CodeTooDeep {
			found = true
		}
	}
	if !found {
		t.Errorf("no %s diagnostic for %d nested or", kusto.CodeTooDeep, 2000)
	}
}
