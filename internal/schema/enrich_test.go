package schema_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/schema"
)

// pred builds a predicate (and, through AddPredicate, an indicator).
func pred(field, kind string, values ...string) rule.Predicate {
	return rule.Predicate{Field: field, Kind: kind, Values: values}
}

func cased(p rule.Predicate) rule.Predicate { p.Transforms = []string{rule.TransformCased}; return p }

func fieldRef(p rule.Predicate) rule.Predicate {
	p.Transforms = []string{rule.TransformFieldRef}
	return p
}

func negated(p rule.Predicate) rule.Predicate { p.Negated = true; return p }

// doc builds a document of a language with tables, stages (each with its
// predicates) and indicators from the stages' predicates.
func doc(lang string, tables []string, stages ...rule.Stage) *rule.Document {
	d := &rule.Document{Language: lang, Analysis: rule.Analysis{Tables: tables}}
	for _, st := range stages {
		d.Analysis.Stages = append(d.Analysis.Stages, st)
		for _, p := range st.Predicates {
			d.Analysis.AddPredicate(p)
		}
	}
	return d
}

func stage(pipeline, kind, text string, preds ...rule.Predicate) rule.Stage {
	return rule.Stage{Pipeline: pipeline, Kind: kind, Text: text, Predicates: preds}
}

// events renders a document's events as "via provider/event" strings.
func events(d *rule.Document) []string {
	var out []string
	for _, e := range d.Analysis.Events {
		out = append(out, e.Via+" "+e.Provider+"/"+e.Event)
	}
	return out
}

func canonicalOf(d *rule.Document, field string) string {
	for _, in := range d.Analysis.Indicators {
		if in.Field == field {
			return in.CanonicalField
		}
	}
	for _, in := range d.Analysis.Exclusions {
		if in.Field == field {
			return in.CanonicalField
		}
	}
	return "<no indicator " + field + ">"
}

// has reports the events missing from got.
func missing(got []string, want ...string) []string {
	var out []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			out = append(out, w)
		}
	}
	return out
}

func TestEnrichFalconFriday0546(t *testing.T) {
	// 0xFF-0546 Process Injection Initiated By MMC (DeviceEvents).
	d := doc(rule.LangKusto, []string{"DeviceEvents"},
		stage("main", "source", "DeviceEvents"),
		stage("main", "where", `| where ingestion_time() >= ago(timeframe)`),
		stage("main", "where", `| where InitiatingProcessFileName =~ "mmc.exe"`, pred("InitiatingProcessFileName", rule.KindEq, "mmc.exe")),
		stage("main", "where", `| where ActionType in~ (...)`, pred("ActionType", rule.KindIn, "CreateRemoteThreadApiCall", "MemoryRemoteProtect",
			"NtAllocateVirtualMemoryRemoteApiCall", "NtMapViewOfSectionRemoteApiCall", "ReadProcessMemoryApiCall", "SetThreadContextRemoteApiCall", "QueueUserApcRemoteApiCall")),
	)
	schema.Enrich(d)
	got := events(d)
	if m := missing(got, "rule Defender-DeviceEvents/CreateRemoteThreadApiCall", "rule Defender-DeviceEvents/ReadProcessMemoryApiCall",
		"rule Defender-DeviceEvents/MemoryRemoteProtect", "equivalent Sysmon/8", "equivalent Threat-Intelligence/1",
		"equivalent Threat-Intelligence/2", "equivalent Threat-Intelligence/13"); m != nil {
		t.Errorf("missing events %v in %v", m, got)
	}
	if c := canonicalOf(d, "InitiatingProcessFileName"); c != "process.name" {
		t.Errorf("InitiatingProcessFileName in DeviceEvents = %q, want process.name (the injecting process)", c)
	}
	if c := canonicalOf(d, "ActionType"); c != "event.action" {
		t.Errorf("ActionType = %q", c)
	}
	for _, e := range d.Analysis.Events {
		if e.Title == "" {
			t.Errorf("event %s/%s has no title", e.Provider, e.Event)
		}
		if e.Provider == "Sysmon" && e.Event == "8" && e.Class != "create_remote_thread" {
			t.Errorf("Sysmon 8 class = %q", e.Class)
		}
	}
}

func TestEnrichFalconFriday0081(t *testing.T) {
	// 0xFF-0081: the injection events come from a materialized binding the
	// main pipeline reads.
	d := doc(rule.LangKusto, []string{"DeviceEvents"},
		stage("AllProcessInjectionEvents", "source", "DeviceEvents"),
		stage("AllProcessInjectionEvents", "where", "| where ActionType in~ (...) and ProcessId != InitiatingProcessId",
			pred("ActionType", rule.KindIn, "QueueUserApcRemoteApiCall", "NtAllocateVirtualMemoryRemoteApiCall", "CreateRemoteThreadApiCall", "NtMapViewOfSectionRemoteApiCall"),
			fieldRef(pred("ProcessId", rule.KindNe, "InitiatingProcessId"))),
		stage("AllProcessInjectionEvents", "where", "| where not(InitiatingProcessFolderPath startswith FolderPath)",
			negated(fieldRef(pred("InitiatingProcessFolderPath", rule.KindStartsWith, "FolderPath")))),
		stage("main", "source", "AllProcessInjectionEvents"),
	)
	schema.Enrich(d)
	got := events(d)
	want := []string{"rule Defender-DeviceEvents/CreateRemoteThreadApiCall", "equivalent Sysmon/8",
		"equivalent Threat-Intelligence/1", "equivalent Threat-Intelligence/3", "equivalent Threat-Intelligence/4"}
	if m := missing(got, want...); m != nil {
		t.Errorf("missing events %v in %v", m, got)
	}
	// The remote-read event is no injection: no TI read event here.
	if slices.Contains(got, "equivalent Threat-Intelligence/13") {
		t.Errorf("0081 reads no ReadProcessMemory event, got TI 13 in %v", got)
	}
	if c := canonicalOf(d, "InitiatingProcessFolderPath"); c != "process.executable" {
		t.Errorf("exclusion InitiatingProcessFolderPath = %q, want process.executable", c)
	}
	if c := canonicalOf(d, "ProcessId"); c != "process.pid" {
		t.Errorf("ProcessId = %q", c)
	}
}

func TestEnrichMultiTableKusto(t *testing.T) {
	// 0xFF-0083-like: columns resolved by the table their pipeline reads.
	d := doc(rule.LangKusto, []string{"DeviceNetworkEvents", "DeviceProcessEvents", "DeviceFileCertificateInfo"},
		stage("networkEvents", "source", "DeviceNetworkEvents"),
		stage("networkEvents", "where", "", pred("ActionType", rule.KindEq, "InboundConnectionAccepted"), pred("InitiatingProcessFileName", rule.KindEq, "services.exe")),
		stage("allServices", "source", "DeviceProcessEvents"),
		stage("allServices", "where", "", pred("FileName", rule.KindIn, "rundll32.exe", "regsvr32.exe"),
			pred("InitiatingProcessFolderPath", rule.KindEndsWith, `\services.exe`),
			negated(pred("ProcessCommandLine", rule.KindEq, "msiexec.exe /V"))),
		stage("main", "source", "networkEvents | join allServices"),
	)
	schema.Enrich(d)
	got := events(d)
	if m := missing(got, "rule Defender-DeviceNetworkEvents/InboundConnectionAccepted", "rule Defender-DeviceProcessEvents/ProcessCreated",
		"equivalent Sysmon/3", "equivalent Sysmon/1", "equivalent Security/4688", "rule Defender-DeviceFileCertificateInfo/*"); m != nil {
		t.Errorf("missing events %v in %v", m, got)
	}
	for field, want := range map[string]string{
		"FileName":                    "process.name",
		"ProcessCommandLine":          "process.command_line",
		"InitiatingProcessFolderPath": "process.parent.executable",
		"InitiatingProcessFileName":   "process.name", // in DeviceNetworkEvents: the process that connects
	} {
		if c := canonicalOf(d, field); c != want {
			t.Errorf("%s = %q, want %q", field, c, want)
		}
	}
}

func TestEnrichSentinelDCOM(t *testing.T) {
	// Azure-Sentinel LateralMovementViaDCOM: Sysmon through the Event table,
	// fields parsed out of EventData.
	d := doc(rule.LangKusto, []string{"Event"},
		stage("main", "source", "Event"),
		stage("main", "where", "", pred("EventLog", rule.KindEq, "Microsoft-Windows-Sysmon/Operational"), cased(pred("EventID", rule.KindEq, "1"))),
		stage("main", "where", "", pred("ParentCommandLine", rule.KindEq, `C:\Windows\System32\svchost.exe -k DcomLaunch`),
			pred("CommandLine", rule.KindEq, `C:\Windows\System32\mmc.exe -Embedding`)),
	)
	schema.Enrich(d)
	got := events(d)
	if len(got) == 0 || got[0] != "rule Sysmon/1" {
		t.Fatalf("first event = %v, want rule Sysmon/1", got)
	}
	if m := missing(got, "equivalent Security/4688", "equivalent Defender-DeviceProcessEvents/ProcessCreated"); m != nil {
		t.Errorf("missing events %v in %v", m, got)
	}
	for field, want := range map[string]string{
		"CommandLine":       "process.command_line",
		"ParentCommandLine": "process.parent.command_line",
		"EventLog":          "winlog.channel",
		"EventID":           "event.code",
	} {
		if c := canonicalOf(d, field); c != want {
			t.Errorf("%s = %q, want %q", field, c, want)
		}
	}
}

func TestEnrichSecurityEvent(t *testing.T) {
	d := doc(rule.LangKusto, []string{"SecurityEvent"},
		stage("main", "where", "", cased(pred("EventID", rule.KindEq, "4688")), pred("NewProcessName", rule.KindEndsWith, `\rundll32.exe`),
			pred("ParentProcessName", rule.KindEndsWith, `\mmc.exe`), pred("TargetUserName", rule.KindEq, "admin"), pred("Computer", rule.KindEq, "dc01")))
	schema.Enrich(d)
	got := events(d)
	if m := missing(got, "rule Security/4688", "equivalent Sysmon/1", "equivalent Defender-DeviceProcessEvents/ProcessCreated", "equivalent ECS/process/start"); m != nil {
		t.Errorf("missing events %v in %v", m, got)
	}
	for field, want := range map[string]string{
		"NewProcessName":    "process.executable",
		"ParentProcessName": "process.parent.executable",
		"TargetUserName":    "winlog.event_data.TargetUserName",
		"Computer":          "host.name",
		"EventID":           "event.code",
	} {
		if c := canonicalOf(d, field); c != want {
			t.Errorf("%s = %q, want %q", field, c, want)
		}
	}
}

func TestEnrichASIM(t *testing.T) {
	d := doc(rule.LangKusto, []string{"imProcessCreate"},
		stage("main", "where", "", pred("TargetProcessName", rule.KindEndsWith, `\certutil.exe`), pred("ActingProcessName", rule.KindEndsWith, `\cmd.exe`)))
	schema.Enrich(d)
	if m := missing(events(d), "rule ASIM/ProcessEvent/ProcessCreated", "equivalent Sysmon/1"); m != nil {
		t.Errorf("missing events %v in %v", m, events(d))
	}
	if c := canonicalOf(d, "ActingProcessName"); c != "process.parent.executable" {
		t.Errorf("ActingProcessName = %q", c)
	}
}

func TestEnrichSigma(t *testing.T) {
	d := &rule.Document{Language: rule.LangSigma, Extra: map[string]any{"logsource": map[string]any{"product": "windows", "category": "process_creation"}},
		Analysis: rule.Analysis{Tables: []string{"windows/process_creation"}}}
	for _, p := range []rule.Predicate{pred("ParentImage", rule.KindEndsWith, `\mmc.exe`), pred("Image", rule.KindEndsWith, `\cmd.exe`),
		pred("OriginalFileName", rule.KindEq, "Cmd.Exe"), pred("CommandLine", rule.KindContains, "/c"), pred("IntegrityLevel", rule.KindEq, "High")} {
		d.Analysis.AddPredicate(p)
	}
	schema.Enrich(d)
	got := events(d)
	if len(got) == 0 || got[0] != "rule Sigma/process_creation" {
		t.Fatalf("events = %v", got)
	}
	if m := missing(got, "equivalent Sysmon/1", "equivalent Security/4688", "equivalent Defender-DeviceProcessEvents/ProcessCreated",
		"equivalent ECS/process/start", "equivalent CIM/Endpoint.Processes", "equivalent UDM/PROCESS_LAUNCH"); m != nil {
		t.Errorf("missing events %v in %v", m, got)
	}
	for field, want := range map[string]string{
		"ParentImage":      "process.parent.executable",
		"Image":            "process.executable",
		"OriginalFileName": "process.pe.original_file_name",
		"CommandLine":      "process.command_line",
		"IntegrityLevel":   "winlog.event_data.IntegrityLevel",
	} {
		if c := canonicalOf(d, field); c != want {
			t.Errorf("%s = %q, want %q", field, c, want)
		}
	}

	// Field meaning depends on the category: ImageLoaded in image_load.
	il := &rule.Document{Language: rule.LangSigma, Extra: map[string]any{"logsource": map[string]any{"product": "windows", "category": "image_load"}}}
	il.Analysis.AddPredicate(pred("ImageLoaded", rule.KindEndsWith, `\dbghelp.dll`))
	il.Analysis.AddPredicate(pred("OriginalFileName", rule.KindEq, "dbghelp.dll"))
	schema.Enrich(il)
	if c := canonicalOf(il, "ImageLoaded"); c != "dll.path" {
		t.Errorf("image_load ImageLoaded = %q, want dll.path", c)
	}
	if c := canonicalOf(il, "OriginalFileName"); c != "dll.pe.original_file_name" {
		t.Errorf("image_load OriginalFileName = %q", c)
	}

	// A Security-log service rule names its events by EventID.
	sec := &rule.Document{Language: rule.LangSigma, Extra: map[string]any{"logsource": map[string]any{"product": "windows", "service": "security"}}}
	sec.Analysis.AddPredicate(pred("EventID", rule.KindIn, "4698", "4702"))
	sec.Analysis.AddPredicate(pred("TaskName", rule.KindContains, `\Microsoft\`))
	schema.Enrich(sec)
	if m := missing(events(sec), "rule Security/4698", "rule Security/4702", "equivalent Defender-DeviceEvents/ScheduledTaskCreated", "equivalent TaskScheduler/106"); m != nil {
		t.Errorf("security service: missing %v in %v", m, events(sec))
	}
	if c := canonicalOf(sec, "TaskName"); c != "winlog.event_data.TaskName" {
		t.Errorf("TaskName = %q", c)
	}

	// A cloud logsource names its events by eventName.
	aws := &rule.Document{Language: rule.LangSigma, Extra: map[string]any{"logsource": map[string]any{"product": "aws", "service": "cloudtrail"}}}
	aws.Analysis.AddPredicate(pred("eventName", rule.KindEq, "StopLogging"))
	aws.Analysis.AddPredicate(pred("eventSource", rule.KindEq, "cloudtrail.amazonaws.com"))
	schema.Enrich(aws)
	if m := missing(events(aws), "rule CloudTrail/StopLogging", "equivalent CloudTrail/DeleteTrail"); m != nil {
		t.Errorf("cloudtrail: missing %v in %v", m, events(aws))
	}
	if c := canonicalOf(aws, "eventSource"); c != "event.provider" {
		t.Errorf("eventSource = %q", c)
	}
}

// TestEnrichSigmaTableLogsource: a Sigma document without
// Extra["logsource"] takes its logsource from its one table entry
// ("product/category/service", empty parts left out).
func TestEnrichSigmaTableLogsource(t *testing.T) {
	for _, tc := range []struct {
		name      string
		tables    []string
		platforms []string
		extra     map[string]any
		preds     []rule.Predicate
		want      []string          // events that must be there
		not       []string          // events that must not
		canonical map[string]string // field -> canonical field
	}{
		{name: "product/category", tables: []string{"windows/process_creation"}, platforms: []string{"windows"},
			preds: []rule.Predicate{pred("Image", rule.KindEndsWith, `\cmd.exe`), pred("IntegrityLevel", rule.KindEq, "High")},
			want:  []string{"rule Sigma/process_creation", "equivalent Sysmon/1", "equivalent Security/4688"}, not: []string{"equivalent Auditd/EXECVE"},
			canonical: map[string]string{"Image": "process.executable", "IntegrityLevel": "winlog.event_data.IntegrityLevel"}},
		{name: "product/service", tables: []string{"windows/security"}, platforms: []string{"windows"},
			preds: []rule.Predicate{pred("EventID", rule.KindEq, "4698")},
			want:  []string{"rule Security/4698", "equivalent Defender-DeviceEvents/ScheduledTaskCreated"}, not: []string{"rule Sigma/security"}},
		{name: "cloud service without platforms", tables: []string{"aws/cloudtrail"},
			preds:     []rule.Predicate{pred("eventName", rule.KindEq, "StopLogging"), pred("eventSource", rule.KindEq, "cloudtrail.amazonaws.com")},
			want:      []string{"rule CloudTrail/StopLogging", "equivalent CloudTrail/DeleteTrail"},
			canonical: map[string]string{"eventSource": "event.provider"}},
		{name: "category alone", tables: []string{"proxy"}, preds: []rule.Predicate{pred("c-uri", rule.KindContains, "/x")},
			want: []string{"rule Sigma/proxy"}, canonical: map[string]string{"c-uri": "url.original"}},
		{name: "three parts", tables: []string{"kubernetes/application/audit"}, platforms: []string{"kubernetes"},
			preds: []rule.Predicate{pred("verb", rule.KindEq, "create")},
			want:  []string{"rule Sigma/application", "rule Kubernetes-Audit/create"}},
		{name: "unknown service after a product", tables: []string{"linux/sshd"}, platforms: []string{"linux"},
			preds: []rule.Predicate{pred("x", rule.KindEq, "y")}, not: []string{"rule Sigma/sshd", "rule Sigma/linux"}},
		{name: "generic category after a product named by the platform", tables: []string{"opencanary/application"}, platforms: []string{"opencanary"},
			preds: []rule.Predicate{pred("x", rule.KindEq, "y")}, want: []string{"rule Sigma/application"}, not: []string{"rule Sigma/opencanary"}},
		{name: "Extra logsource wins", tables: []string{"windows/process_creation"}, platforms: []string{"windows"},
			extra: map[string]any{"logsource": map[string]any{"product": "windows", "category": "image_load"}},
			preds: []rule.Predicate{pred("ImageLoaded", rule.KindEndsWith, `\x.dll`)},
			want:  []string{"rule Sigma/image_load"}, not: []string{"rule Sigma/process_creation"}},
		{name: "several tables name no one logsource", tables: []string{"windows/process_creation", "windows/image_load"},
			preds: []rule.Predicate{pred("x", rule.KindEq, "y")}, not: []string{"rule Sigma/process_creation", "rule Sigma/image_load"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &rule.Document{Language: rule.LangSigma, Platforms: tc.platforms, Extra: tc.extra, Analysis: rule.Analysis{Tables: tc.tables}}
			for _, p := range tc.preds {
				d.Analysis.AddPredicate(p)
			}
			schema.Enrich(d)
			got := events(d)
			if m := missing(got, tc.want...); m != nil {
				t.Errorf("missing %v in %v", m, got)
			}
			for _, n := range tc.not {
				if slices.Contains(got, n) {
					t.Errorf("unexpected %s in %v", n, got)
				}
			}
			for field, want := range tc.canonical {
				if c := canonicalOf(d, field); c != want {
					t.Errorf("%s = %q, want %q", field, c, want)
				}
			}
		})
	}
}

func TestEnrichElastic(t *testing.T) {
	d := &rule.Document{Language: rule.LangElastic, QueryLanguage: "eql",
		Query:    `process where host.os.type == "windows" and event.type == "start" and process.parent.name : "mmc.exe" and process.name : "cmd.exe"`,
		Analysis: rule.Analysis{Tables: []string{"logs-endpoint.events.process-*", "winlogbeat-*"}}}
	for _, p := range []rule.Predicate{pred("event.type", rule.KindEq, "start"), pred("process.parent.name", rule.KindEq, "mmc.exe"),
		pred("winlog.event_data.OriginalFileName", rule.KindEq, "Cmd.Exe"), pred("process.name.caseless", rule.KindEq, "cmd.exe"),
		pred("file.path.caseless", rule.KindContains, `\temp\`), pred("caseless", rule.KindEq, "x"), pred(".caseless", rule.KindEq, "x")} {
		d.Analysis.AddPredicate(p)
	}
	schema.Enrich(d)
	got := events(d)
	if m := missing(got, "rule ECS/process/start", "equivalent Sysmon/1", "equivalent Security/4688"); m != nil {
		t.Errorf("missing %v in %v", m, got)
	}
	if c := canonicalOf(d, "process.parent.name"); c != "process.parent.name" {
		t.Errorf("ECS field not kept: %q", c)
	}
	// ECS .caseless multi-fields are their base field, lower-cased.
	for field, want := range map[string]string{"process.name.caseless": "process.name", "file.path.caseless": "file.path",
		"caseless": "caseless", ".caseless": ".caseless"} {
		if c := canonicalOf(d, field); c != want {
			t.Errorf("%s = %q, want %q", field, c, want)
		}
	}
	if c := schema.Canonical(rule.LangElastic, "process.parent.executable.caseless"); c != "process.parent.executable" {
		t.Errorf("Canonical(process.parent.executable.caseless) = %q", c)
	}
	if c := canonicalOf(d, "winlog.event_data.OriginalFileName"); c != "process.pe.original_file_name" {
		t.Errorf("winlog.event_data.OriginalFileName = %q", c)
	}

	// A winlogbeat Security rule names its events by event.code.
	w := &rule.Document{Language: rule.LangElastic, QueryLanguage: "kuery", Analysis: rule.Analysis{Tables: []string{"logs-system.security*"}}}
	w.Analysis.AddPredicate(pred("event.code", rule.KindEq, "4697"))
	schema.Enrich(w)
	if m := missing(events(w), "rule Security/4697", "equivalent System/7045", "equivalent Defender-DeviceEvents/ServiceInstalled"); m != nil {
		t.Errorf("missing %v in %v", m, events(w))
	}

	// Cloud: dataset and action.
	c := &rule.Document{Language: rule.LangElastic, QueryLanguage: "kuery", Analysis: rule.Analysis{Tables: []string{"filebeat-*", "logs-aws.cloudtrail-*"}}}
	c.Analysis.AddPredicate(pred("event.dataset", rule.KindEq, "aws.cloudtrail"))
	c.Analysis.AddPredicate(pred("event.action", rule.KindEq, "StopLogging"))
	schema.Enrich(c)
	if m := missing(events(c), "rule CloudTrail/StopLogging"); m != nil {
		t.Errorf("missing %v in %v", m, events(c))
	}
}

func TestEnrichSplunk(t *testing.T) {
	d := &rule.Document{Language: rule.LangSplunk, DataSources: []string{"Sysmon EventID 1", "Windows Event Log Security 4688", "CrowdStrike ProcessRollup2"},
		Analysis: rule.Analysis{Tables: []string{"Endpoint.Processes"}}}
	d.Analysis.AddPredicate(pred("Processes.parent_process_name", rule.KindEq, "mmc.exe"))
	d.Analysis.AddPredicate(pred("Processes.process", rule.KindContains, "-Embedding"))
	d.Analysis.AddPredicate(pred("process_name", rule.KindEq, "cmd.exe"))
	schema.Enrich(d)
	got := events(d)
	if m := missing(got, "rule CIM/Endpoint.Processes", "rule Sysmon/1", "rule Security/4688", "rule CrowdStrike/ProcessRollup2",
		"equivalent Defender-DeviceProcessEvents/ProcessCreated"); m != nil {
		t.Errorf("missing %v in %v", m, got)
	}
	for field, want := range map[string]string{
		"Processes.parent_process_name": "process.parent.name",
		"Processes.process":             "process.command_line",
		"process_name":                  "process.name",
	} {
		if c := canonicalOf(d, field); c != want {
			t.Errorf("%s = %q, want %q", field, c, want)
		}
	}
	multi := &rule.Document{Language: rule.LangSplunk, DataSources: []string{"Sysmon EventID 1 AND Sysmon EventID 11", "NTLM Operational 8004,8005,8006"}}
	schema.Enrich(multi)
	if m := missing(events(multi), "rule Sysmon/1", "rule Sysmon/11", "rule NTLM/8004", "rule NTLM/8006"); m != nil {
		t.Errorf("missing %v in %v", m, events(multi))
	}
	reg := &rule.Document{Language: rule.LangSplunk, Analysis: rule.Analysis{Tables: []string{"Endpoint.Registry"}}}
	reg.Analysis.AddPredicate(pred("Registry.registry_path", rule.KindContains, `\CurrentVersion\Run`))
	schema.Enrich(reg)
	if c := canonicalOf(reg, "Registry.registry_path"); c != "registry.path" {
		t.Errorf("registry_path = %q", c)
	}
}

func TestEnrichChronicle(t *testing.T) {
	d := &rule.Document{Language: rule.LangChronicle}
	d.Analysis.AddPredicate(pred("$e.metadata.event_type", rule.KindEq, "PROCESS_LAUNCH"))
	d.Analysis.AddPredicate(pred("target.process.file.full_path", rule.KindEndsWith, `\cmd.exe`))
	d.Analysis.AddPredicate(pred("principal.process.file.full_path", rule.KindEndsWith, `\mmc.exe`))
	d.Analysis.AddPredicate(pred("metadata.product_event_type", rule.KindEq, "1"))
	schema.Enrich(d)
	got := events(d)
	if m := missing(got, "rule UDM/PROCESS_LAUNCH", "rule Sysmon/1", "equivalent Security/4688"); m != nil {
		t.Errorf("missing %v in %v", m, got)
	}
	if c := canonicalOf(d, "principal.process.file.full_path"); c != "process.parent.executable" {
		t.Errorf("principal.process in a launch = %q", c)
	}
	if c := canonicalOf(d, "target.process.file.full_path"); c != "process.executable" {
		t.Errorf("target.process in a launch = %q", c)
	}
	n := &rule.Document{Language: rule.LangChronicle}
	n.Analysis.AddPredicate(pred("metadata.event_type", rule.KindEq, "NETWORK_CONNECTION"))
	n.Analysis.AddPredicate(pred("principal.process.file.full_path", rule.KindEndsWith, `\rundll32.exe`))
	schema.Enrich(n)
	if c := canonicalOf(n, "principal.process.file.full_path"); c != "process.executable" {
		t.Errorf("principal.process in a connection = %q", c)
	}
	if m := missing(events(n), "rule UDM/NETWORK_CONNECTION", "equivalent Sysmon/3"); m != nil {
		t.Errorf("missing %v in %v", m, events(n))
	}
}

func TestEnrichPanther(t *testing.T) {
	d := &rule.Document{Language: rule.LangPanther, Analysis: rule.Analysis{Tables: []string{"AWS.CloudTrail"}}}
	d.Analysis.AddPredicate(pred("eventName", rule.KindIn, "StopLogging", "DeleteTrail"))
	d.Analysis.AddPredicate(pred("sourceIPAddress", rule.KindEq, "1.2.3.4"))
	d.Analysis.AddPredicate(pred("userIdentity.arn", rule.KindContains, "root"))
	schema.Enrich(d)
	if m := missing(events(d), "rule CloudTrail/StopLogging", "rule CloudTrail/DeleteTrail"); m != nil {
		t.Errorf("missing %v in %v", m, events(d))
	}
	for field, want := range map[string]string{"eventName": "event.action", "sourceIPAddress": "source.ip", "userIdentity.arn": "aws.cloudtrail.user_identity.arn"} {
		if c := canonicalOf(d, field); c != want {
			t.Errorf("%s = %q, want %q", field, c, want)
		}
	}
	o := &rule.Document{Language: rule.LangPanther, Analysis: rule.Analysis{Tables: []string{"Okta.SystemLog"}}}
	o.Analysis.AddPredicate(pred("eventType", rule.KindEq, "user.session.start"))
	schema.Enrich(o)
	if m := missing(events(o), "rule Okta/user.session.start", "equivalent CloudTrail/ConsoleLogin"); m != nil {
		t.Errorf("missing %v in %v", m, events(o))
	}
}

func TestEnrichSublime(t *testing.T) {
	d := &rule.Document{Language: rule.LangSublime}
	d.Analysis.AddPredicate(pred("type", rule.KindEq, "inbound"))
	d.Analysis.AddPredicate(pred("attachments[].file_extension", rule.KindIn, "html", "htm"))
	d.Analysis.AddPredicate(pred("sender.email.email", rule.KindEq, "a@example.com"))
	d.Analysis.AddPredicate(pred("sender.email.domain.root_domain", rule.KindEq, "example.com"))
	schema.Enrich(d)
	if m := missing(events(d), "rule Sublime-MDM/inbound", "equivalent Defender-EmailEvents/*", "equivalent UDM/EMAIL_TRANSACTION"); m != nil {
		t.Errorf("missing %v in %v", m, events(d))
	}
	for field, want := range map[string]string{"attachments[].file_extension": "email.attachments.file.extension",
		"sender.email.email": "email.from.address", "sender.email.domain.root_domain": "", "type": "email.direction"} {
		if c := canonicalOf(d, field); c != want {
			t.Errorf("%s = %q, want %q", field, c, want)
		}
	}

	// The message direction follows the rule's type.outbound /
	// type.internal tests (recorded as type eq outbound); a rule without
	// one reads inbound mail; a negated test names no direction.
	for _, tc := range []struct {
		name  string
		preds []rule.Predicate
		want  []string // the rule's own Sublime-MDM events
	}{
		{"outbound", []rule.Predicate{pred("type", rule.KindEq, "outbound"), pred("subject.subject", rule.KindContains, "invoice")}, []string{"outbound"}},
		{"internal", []rule.Predicate{pred("type", rule.KindEq, "Internal")}, []string{"internal"}},
		{"inbound or internal", []rule.Predicate{pred("type", rule.KindEq, "inbound"), pred("type", rule.KindEq, "internal")}, []string{"inbound", "internal"}},
		{"no direction", []rule.Predicate{pred("subject.subject", rule.KindContains, "invoice")}, []string{"inbound"}},
		{"not outbound", []rule.Predicate{negated(pred("type", rule.KindEq, "outbound")), pred("subject.subject", rule.KindContains, "invoice")}, []string{"inbound"}},
	} {
		d := &rule.Document{Language: rule.LangSublime, Analysis: rule.Analysis{Tables: []string{"message"}}}
		for _, p := range tc.preds {
			d.Analysis.AddPredicate(p)
		}
		schema.Enrich(d)
		var own []string
		for _, ev := range d.Analysis.Events {
			if ev.Provider == "Sublime-MDM" {
				if ev.Via != rule.ViaRule {
					t.Errorf("%s: Sublime-MDM/%s is an equivalent of the rule's own event", tc.name, ev.Event)
				}
				own = append(own, ev.Event)
			}
		}
		if !slices.Equal(own, tc.want) {
			t.Errorf("%s: Sublime-MDM events %v, want %v (all: %v)", tc.name, own, tc.want, events(d))
		}
		if m := missing(events(d), "equivalent Defender-EmailEvents/*", "equivalent ECS/email"); m != nil {
			t.Errorf("%s: missing %v in %v", tc.name, m, events(d))
		}
	}
}

func TestEnrichKeepsFrontEndFacts(t *testing.T) {
	d := doc(rule.LangKusto, []string{"DeviceProcessEvents"}, stage("main", "where", "", pred("FileName", rule.KindEq, "cmd.exe")))
	d.Analysis.Indicators[0].CanonicalField = "custom.field"
	d.Analysis.Events = []rule.Event{{Provider: "Sysmon", Event: "1", Via: rule.ViaRule, Title: "from the front end"}}
	schema.Enrich(d)
	if d.Analysis.Indicators[0].CanonicalField != "custom.field" {
		t.Errorf("canonical field overwritten: %q", d.Analysis.Indicators[0].CanonicalField)
	}
	if d.Analysis.Events[0].Title != "from the front end" {
		t.Errorf("front-end event replaced: %+v", d.Analysis.Events[0])
	}
	// Running twice changes nothing.
	before := fmt.Sprint(d.Analysis.Events)
	schema.Enrich(d)
	if after := fmt.Sprint(d.Analysis.Events); after != before {
		t.Errorf("second Enrich changed events:\n%s\n%s", before, after)
	}
}

func TestEnrichNeverPanics(t *testing.T) {
	docs := []*rule.Document{
		nil,
		{},
		{Language: rule.LangKusto, Analysis: rule.Analysis{Tables: []string{"", "_Im_", "im", "DeviceEvents"}, Stages: []rule.Stage{{Pipeline: "a", Kind: "source", Text: "a"}, {Pipeline: "b", Kind: "source", Text: "a b"}}}},
		{Language: rule.LangSigma, Extra: map[string]any{"logsource": "not a map"}},
		{Language: rule.LangSigma, Extra: map[string]any{"logsource": map[string]any{"category": 42}}},
		{Language: rule.LangElastic, QueryLanguage: "eql", Query: `"unterminated process where`},
		{Language: rule.LangSplunk, DataSources: []string{"", " AND ", "Sysmon EventID ", "CrowdStrike"}},
		{Language: rule.LangChronicle, Analysis: rule.Analysis{Indicators: []rule.Indicator{{Field: "$", Kind: "eq", Values: []rule.Value{{Value: "1"}}}}}},
		{Language: rule.LangSublime, Analysis: rule.Analysis{Indicators: []rule.Indicator{{Field: "]][[.a[", Kind: "eq"}}}},
	}
	for i, d := range docs {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("doc %d: panic %v", i, p)
				}
			}()
			schema.Enrich(d)
			if d != nil {
				for _, diag := range d.Analysis.Diagnostics {
					if strings.HasPrefix(diag.Code, "SCHEMA") {
						t.Errorf("doc %d: %s", i, diag.Message)
					}
				}
			}
		}()
	}
}

func TestEnrichPlatformFilter(t *testing.T) {
	win := &rule.Document{Language: rule.LangSigma, Extra: map[string]any{"logsource": map[string]any{"product": "windows", "category": "process_creation"}}}
	schema.Enrich(win)
	lin := &rule.Document{Language: rule.LangSigma, Extra: map[string]any{"logsource": map[string]any{"product": "linux", "category": "process_creation"}}}
	schema.Enrich(lin)
	if got := events(win); slices.Contains(got, "equivalent Sysmon-Linux/1") || slices.Contains(got, "equivalent Auditd/EXECVE") || !slices.Contains(got, "equivalent Sysmon/1") {
		t.Errorf("windows rule: %v", got)
	}
	if got := events(lin); slices.Contains(got, "equivalent Security/4688") || !slices.Contains(got, "equivalent Sysmon-Linux/1") ||
		!slices.Contains(got, "equivalent Defender-DeviceProcessEvents/ProcessCreated") {
		t.Errorf("linux rule: %v", got)
	}
}

func TestEnrichElasticCategoryWithEventCode(t *testing.T) {
	// event.category:process with Sysmon event 10 is a process access, not
	// a process start.
	d := &rule.Document{Language: rule.LangElastic, QueryLanguage: "kuery", Analysis: rule.Analysis{Tables: []string{"winlogbeat-*", "logs-windows.sysmon_operational-*"}}}
	d.Analysis.AddPredicate(pred("event.category", rule.KindEq, "process"))
	d.Analysis.AddPredicate(pred("event.code", rule.KindEq, "10"))
	schema.Enrich(d)
	got := events(d)
	if slices.Contains(got, "rule ECS/process/start") || slices.Contains(got, "equivalent Sysmon/1") || !slices.Contains(got, "rule Sysmon/10") ||
		!slices.Contains(got, "equivalent Defender-DeviceEvents/OpenProcessApiCall") {
		t.Errorf("events %v", got)
	}
	// Alone, the category stands for a process start.
	p := &rule.Document{Language: rule.LangElastic, QueryLanguage: "eql", Query: "process where process.name == \"x\""}
	schema.Enrich(p)
	if got := events(p); len(got) == 0 || got[0] != "rule ECS/process/start" {
		t.Errorf("bare category: %v", got)
	}
}

// TestKustoCanonicalFieldPerComparison checks that one column name compared
// in pipelines over different tables maps through the table of each
// comparison (0xFF-0545: FileName of DeviceFileEvents in a let, of
// DeviceProcessEvents in the main query).
func TestKustoCanonicalFieldPerComparison(t *testing.T) {
	d := doc(rule.LangKusto, []string{"DeviceFileEvents", "DeviceProcessEvents"},
		stage("MscFiles", "source", "DeviceFileEvents"),
		stage("MscFiles", "where", `| where FileName endswith ".msc"`, pred("FileName", rule.KindEndsWith, ".msc")),
		stage("main", "source", "DeviceProcessEvents"),
		stage("main", "where", `| where FileName =~ "mmc.exe"`, pred("FileName", rule.KindEq, "mmc.exe")),
	)
	schema.Enrich(d)
	got := map[string]string{}
	for _, in := range d.Analysis.Indicators {
		got[in.Kind] = in.CanonicalField
	}
	if got[rule.KindEndsWith] != "file.name" || got[rule.KindEq] != "process.name" {
		t.Errorf("canonical fields = %v, want ends_with file.name and eq process.name", got)
	}
}
