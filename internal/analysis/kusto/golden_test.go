package kusto_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/formats"
	_ "github.com/detwiki/detwiki/internal/formats/all"
	"github.com/detwiki/detwiki/internal/golden"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// exampleRules are the spec's four example rules, read from the corpora.
var exampleRules = []struct{ name, corpus, path string }{
	{"0546", "FalconFriday", "0xFF-0546-Process_Injection_Initiated_By_MMC-Win.md"},
	{"0081", "FalconFriday", "0xFF-0081-Process_Injection_From_Untrusted_Process-Win.md"},
	{"0083", "FalconFriday", "0xFF-0083-Remote_Process_Invocation_Via_SCM-Win.md"},
	{"dcom", "Azure-Sentinel", "Detections/SecurityEvent/LateralMovementViaDCOM.yaml"},
}

// readExample reads one example through a whole run (formats.Read: the
// reader, the KQL analysis, then the schema pass).
func readExample(t *testing.T, corpus, rel string) *rule.Document {
	t.Helper()
	p := filepath.Join(sharedtest.Corpus(t, corpus), filepath.FromSlash(rel))
	res, err := formats.Read([]string{p}, formats.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Documents) != 1 {
		t.Fatalf("%s: %d documents", rel, len(res.Documents))
	}
	return res.Documents[0]
}

// goldenView is what the goldens hold: the analysis and the fields the
// analysis fills.
type goldenView struct {
	ID             string        `json:"id"`
	TimeWindow     string        `json:"time_window,omitempty"`
	GroupBy        []string      `json:"group_by,omitempty"`
	ThirdPartyFeed bool          `json:"third_party_feed"`
	Analysis       rule.Analysis `json:"analysis"`
}

func TestGoldenExamples(t *testing.T) {
	for _, ex := range exampleRules {
		t.Run(ex.name, func(t *testing.T) {
			d := readExample(t, ex.corpus, ex.path)
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			if err := enc.Encode(goldenView{d.ID, d.TimeWindow, d.GroupBy, d.ThirdPartyFeed, d.Analysis}); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "golden", ex.name+".json"), buf.Bytes(), *update)
		})
	}
}

// indicator finds the indicator (or exclusion) on field and kind.
func indicator(list []rule.Indicator, field, kind string) (rule.Indicator, bool) {
	for _, i := range list {
		if i.Field == field && i.Kind == kind {
			return i, true
		}
	}
	return rule.Indicator{}, false
}

func values(ind rule.Indicator) []string {
	var out []string
	for _, v := range ind.Values {
		out = append(out, v.Value)
	}
	return out
}

// hasValue reports whether ind holds value with exactly the transforms.
func hasValue(ind rule.Indicator, value string, transforms ...string) bool {
	return slices.ContainsFunc(ind.Values, func(v rule.Value) bool {
		return v.Value == value && slices.Equal(v.Transforms, transforms)
	})
}

func names[T any](list []T, name func(T) string) []string {
	var out []string
	for _, x := range list {
		out = append(out, name(x))
	}
	return out
}

func paramNames(d *rule.Document) []string {
	return names(d.Analysis.Parameters, func(p rule.Parameter) string { return p.Name })
}

func hasOutput(d *rule.Document, field, source string) bool {
	return slices.Contains(d.Analysis.Outputs, rule.Output{Field: field, Source: source})
}

func hasEvent(d *rule.Document, provider, event, via string) bool {
	return slices.ContainsFunc(d.Analysis.Events, func(e rule.Event) bool {
		return e.Provider == provider && e.Event == event && e.Via == via
	})
}

func TestExample0546(t *testing.T) {
	d := readExample(t, "FalconFriday", exampleRules[0].path)
	if got := paramNames(d); !slices.Equal(got, []string{"timeframe"}) {
		t.Errorf("parameters %v", got)
	}
	if got := stageKinds(d, "main"); got != "source where where where extend×3" {
		t.Errorf("stages %q", got)
	}
	if d.Analysis.Stages[0].Text != "DeviceEvents" {
		t.Errorf("source %q", d.Analysis.Stages[0].Text)
	}
	ind, ok := indicator(d.Analysis.Indicators, "InitiatingProcessFileName", rule.KindEq)
	if !ok || !hasValue(ind, "mmc.exe") || len(ind.Values) != 1 {
		t.Errorf("InitiatingProcessFileName eq mmc.exe (not cased): %+v", ind)
	}
	ind, _ = indicator(d.Analysis.Indicators, "ActionType", rule.KindIn)
	want := []string{"CreateRemoteThreadApiCall", "MemoryRemoteProtect", "NtAllocateVirtualMemoryRemoteApiCall",
		"NtMapViewOfSectionRemoteApiCall", "ReadProcessMemoryApiCall", "SetThreadContextRemoteApiCall", "QueueUserApcRemoteApiCall"}
	if !slices.Equal(values(ind), want) {
		t.Errorf("ActionType in %v, want %v", values(ind), want)
	}
	if !hasOutput(d, "ParsedCommandLine", "extend") || !hasOutput(d, "MscFile", "extend") {
		t.Errorf("outputs %s", outputs(d))
	}
	if !hasEvent(d, "Defender-DeviceEvents", "CreateRemoteThreadApiCall", rule.ViaRule) || !hasEvent(d, "Sysmon", "8", rule.ViaEquivalent) {
		t.Errorf("events %+v", d.Analysis.Events)
	}
	if d.TimeWindow != "2h" || d.ThirdPartyFeed {
		t.Errorf("time_window %q, feed %v", d.TimeWindow, d.ThirdPartyFeed)
	}
}

func TestExample0081(t *testing.T) {
	d := readExample(t, "FalconFriday", exampleRules[1].path)
	if got := paramNames(d); !slices.Equal(got, []string{"timeframe", "default_global_prevalence"}) {
		t.Errorf("parameters %v", got)
	}
	got := names(d.Analysis.Bindings, func(b rule.Binding) string { return b.Name + "<" + strings.Join(b.DerivedFrom, ",") + ">" })
	if want := []string{"AllProcessInjectionEvents<timeframe>", "SuspiciousProcessInjectionEvents<default_global_prevalence,AllProcessInjectionEvents>"}; !slices.Equal(got, want) {
		t.Errorf("bindings %v, want %v", got, want)
	}
	// The main pipeline reads the binding (its source stage), then the
	// issue's five stages.
	if got := stageKinds(d, "main"); got != "source lookup extend summarize extend project-reorder" {
		t.Errorf("main stages %q", got)
	}
	ind, _ := indicator(d.Analysis.Indicators, "ActionType", rule.KindIn)
	if want := []string{"QueueUserApcRemoteApiCall", "NtAllocateVirtualMemoryRemoteApiCall", "CreateRemoteThreadApiCall", "NtMapViewOfSectionRemoteApiCall"}; !slices.Equal(values(ind), want) {
		t.Errorf("ActionType in %v", values(ind))
	}
	ind, _ = indicator(d.Analysis.Indicators, "ProcessId", rule.KindNe)
	if !hasValue(ind, "InitiatingProcessId", rule.TransformCased, rule.TransformFieldRef) {
		t.Errorf("ProcessId ne InitiatingProcessId (field_ref): %+v", ind)
	}
	ex, _ := indicator(d.Analysis.Exclusions, "InitiatingProcessFolderPath", rule.KindStartsWith)
	if !hasValue(ex, "FolderPath", rule.TransformFieldRef) {
		t.Errorf("exclusion InitiatingProcessFolderPath starts_with FolderPath (field_ref): %+v", ex)
	}
	for _, o := range []rule.Output{{Field: "DeviceId", Source: "summarize"}, {Field: "InitiatingProcessFolderPath", Source: "summarize"},
		{Field: "InjectionTargets", Source: "summarize"}, {Field: "InjectionSource", Source: "extend"}, {Field: "InjectionCommandLine", Source: "extend"}} {
		if !hasOutput(d, o.Field, o.Source) {
			t.Errorf("no output %s (%s): %s", o.Field, o.Source, outputs(d))
		}
	}
	if got := strings.Join(d.GroupBy, ","); got != "DeviceId,InitiatingProcessFolderPath" {
		t.Errorf("group_by %q", got)
	}
	for _, e := range [][2]string{{"Sysmon", "8"}, {"Threat-Intelligence", "1"}, {"Threat-Intelligence", "3"}, {"Threat-Intelligence", "4"}} {
		if !hasEvent(d, e[0], e[1], rule.ViaEquivalent) {
			t.Errorf("no equivalent %s %s: %+v", e[0], e[1], d.Analysis.Events)
		}
	}
}

func TestExample0083(t *testing.T) {
	d := readExample(t, "FalconFriday", exampleRules[2].path)
	if got := paramNames(d); !slices.Equal(got, []string{"timeframe", "lolbins"}) {
		t.Errorf("parameters %v", got)
	}
	got := names(d.Analysis.Bindings, func(b rule.Binding) string { return b.Name })
	if want := []string{"networkEvents", "allServices", "serviceNetworkEvents", "serviceNetworkEventsWithSHA1"}; !slices.Equal(got, want) {
		t.Errorf("bindings %v", got)
	}
	if want := []string{"DeviceNetworkEvents", "DeviceProcessEvents", "DeviceFileCertificateInfo"}; !slices.Equal(d.Analysis.Tables, want) {
		t.Errorf("tables %v", d.Analysis.Tables)
	}
	lolbins := d.Analysis.Parameters[1].Values
	if len(lolbins) < 100 || lolbins[0] != "At.exe" {
		t.Fatalf("lolbins values %d %.3v", len(lolbins), lolbins)
	}
	ind, _ := indicator(d.Analysis.Indicators, "FileName", rule.KindIn)
	if !slices.Equal(values(ind), lolbins) {
		t.Errorf("FileName in: %d values, want the %d lolbins", len(ind.Values), len(lolbins))
	}
	ind, _ = indicator(d.Analysis.Indicators, "ActionType", rule.KindEq)
	if !hasValue(ind, "InboundConnectionAccepted") {
		t.Errorf("ActionType eq %v", values(ind))
	}
	ex, _ := indicator(d.Analysis.Exclusions, "ProcessCommandLine", rule.KindEq)
	if !hasValue(ex, "msiexec.exe /V") {
		t.Errorf("exclusion ProcessCommandLine eq %v", values(ex))
	}
}

func TestExampleDCOM(t *testing.T) {
	d := readExample(t, "Azure-Sentinel", exampleRules[3].path)
	// The corpus file is an earlier version than the spec's page: it ends
	// with the summarize (no extend of HostName and DnsDomain; that
	// version's outputs are checked by TestOutputsGroupByTimeWindow).
	if got := stageKinds(d, "main"); got != "source where parse where parse summarize" {
		t.Errorf("stages %q", got)
	}
	if d.Analysis.Stages[0].Text != "Event" {
		t.Errorf("source %q", d.Analysis.Stages[0].Text)
	}
	checks := []struct{ field, value string }{
		{"EventLog", "Microsoft-Windows-Sysmon/Operational"},
		{"EventID", "1"},
		{"ParentCommandLine", `C:\Windows\System32\svchost.exe -k DcomLaunch`},
		{"CommandLine", `C:\Windows\System32\mmc.exe -Embedding`},
	}
	for _, c := range checks {
		ind, _ := indicator(d.Analysis.Indicators, c.field, rule.KindEq)
		if !hasValue(ind, c.value, rule.TransformCased) { // == in this version
			t.Errorf("%s eq %s (cased): %+v", c.field, c.value, ind)
		}
	}
	want := []string{"EventID", "Computer", "User", "ParentImage", "ParentProcessGuid", "ParentCommandLine", "ParentUser", "Image", "ProcessGuid", "CommandLine", "Description"}
	if !slices.Equal(d.GroupBy, want) {
		t.Errorf("group_by %v", d.GroupBy)
	}
	if !hasOutput(d, "StartTime", "summarize") || !hasOutput(d, "EndTime", "summarize") {
		t.Errorf("outputs %s", outputs(d))
	}
	if !hasEvent(d, "Sysmon", "1", rule.ViaRule) || !hasEvent(d, "Security", "4688", rule.ViaEquivalent) ||
		!hasEvent(d, "Defender-DeviceProcessEvents", "ProcessCreated", rule.ViaEquivalent) {
		t.Errorf("events %+v", d.Analysis.Events)
	}
}

// TestExampleDCOMSpecVersion checks the DCOM criteria on the
// version of the rule the spec's reference page shows (it ends with an
// extend of HostName and DnsDomain, which the corpus file lacks): the rule
// body is taken from the page at test time and read like a corpus file.
func TestExampleDCOMSpecVersion(t *testing.T) {
	page, err := os.ReadFile(sharedtest.Path(t, "spec", "examples", "page-kusto-LateralMovementViaDCOM.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var body []string
	for _, l := range strings.Split(string(page), "\n") {
		if len(body) == 0 && !strings.HasPrefix(l, "id: ") {
			continue
		}
		body = append(body, l)
		if strings.HasPrefix(l, "kind: ") {
			break
		}
	}
	if len(body) < 10 || !strings.HasPrefix(body[len(body)-1], "kind: ") {
		t.Fatalf("no rule body on the reference page (%d lines)", len(body))
	}
	p := filepath.Join(t.TempDir(), "Detections", "SecurityEvent", "LateralMovementViaDCOM.yaml")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(strings.Join(body, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := formats.Read([]string{p}, formats.Options{Workers: 1})
	if err != nil || len(res.Documents) != 1 {
		t.Fatalf("%v, %d documents", err, len(res.Documents))
	}
	d := res.Documents[0]
	if got := stageKinds(d, "main"); got != "source where parse where parse summarize extend" {
		t.Errorf("stages %q", got)
	}
	if d.Analysis.Stages[0].Text != "Event" {
		t.Errorf("source %q", d.Analysis.Stages[0].Text)
	}
	for _, c := range []struct {
		field, value string
		cased        bool
	}{
		{"EventLog", "Microsoft-Windows-Sysmon/Operational", false},
		{"EventID", "1", true},
		{"ParentCommandLine", `C:\Windows\System32\svchost.exe -k DcomLaunch`, false},
		{"CommandLine", `C:\Windows\System32\mmc.exe -Embedding`, false},
	} {
		ind, _ := indicator(d.Analysis.Indicators, c.field, rule.KindEq)
		var transforms []string
		if c.cased {
			transforms = []string{rule.TransformCased}
		}
		if !hasValue(ind, c.value, transforms...) {
			t.Errorf("%s eq %s (cased %v): %+v", c.field, c.value, c.cased, ind)
		}
	}
	want := []string{"EventID", "Computer", "User", "ParentImage", "ParentProcessGuid", "ParentCommandLine", "ParentUser", "Image", "ProcessGuid", "CommandLine", "Description"}
	if !slices.Equal(d.GroupBy, want) {
		t.Errorf("group_by %v", d.GroupBy)
	}
	for _, o := range []rule.Output{{Field: "StartTime", Source: "summarize"}, {Field: "EndTime", Source: "summarize"},
		{Field: "HostName", Source: "extend"}, {Field: "DnsDomain", Source: "extend"}} {
		if !hasOutput(d, o.Field, o.Source) {
			t.Errorf("no output %s (%s): %s", o.Field, o.Source, outputs(d))
		}
	}
	if !hasEvent(d, "Sysmon", "1", rule.ViaRule) || !hasEvent(d, "Security", "4688", rule.ViaEquivalent) ||
		!hasEvent(d, "Defender-DeviceProcessEvents", "ProcessCreated", rule.ViaEquivalent) {
		t.Errorf("events %+v", d.Analysis.Events)
	}
}
