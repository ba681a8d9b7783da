// Package catalogtest provides a small, hand-written set of rule documents
// in several languages for the tests of the catalog, the rule page and the
// web server: rules that share indicators across languages (so corpus
// counts are above one), a rule that is a strict superset of another, a
// third-party feed, two rules whose ids collide, and a hostile rule whose
// text tries to inject HTML.
package catalogtest

import (
	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// Hostile strings the hostile rule carries in its title, query, fields and
// values; a page that shows them must show them as text.
const (
	ScriptTag = `<script>alert("xss")</script>`
	ImgTag    = `"><img src=x onerror=alert(1)>`
)

// IDs of notable fixture rules (after the catalog made ids unique).
const (
	MMCInjection       = "kusto/0xFF-0546-Process_Injection_Initiated_By_MMC-Win"
	MMCInjectionNarrow = "kusto/MMC-Injection-Narrow"
	SigmaMMCChild      = "sigma/proc_creation_win_mmc_child_script_host"
	ElasticMMCChild    = "elastic/execution_mmc_child_script_host"
	SplunkMMCChild     = "splunk/mmc_spawning_script_host"
	KustoMMCChild      = "kusto/MmcSpawnsScriptHost"
	Hostile            = "sigma/hostile"
	Feed               = "kusto/VendorAlerts"
	// Two rules read as "kusto/dup" (from repo-a and repo-b): neither keeps
	// the shared id, each gets its source as a suffix.
	SharedDuplicate = "kusto/dup"
	Duplicate       = "kusto/dup~repo-a"
	Duplicate2      = "kusto/dup~repo-b"
)

func attackOf(techniques, tactics []string) []rule.Attack {
	out, _ := attack.Default().Map(techniques, tactics)
	return out
}

func vals(vs ...string) []rule.Value {
	out := make([]rule.Value, len(vs))
	for i, v := range vs {
		out[i] = rule.Value{Value: v}
	}
	return out
}

func cased(vs ...string) []rule.Value {
	out := vals(vs...)
	for i := range out {
		out[i].Transforms = []string{rule.TransformCased}
	}
	return out
}

var processCreation = []rule.Event{
	{Provider: "Sysmon", Event: "1", Title: "Process creation", Via: rule.ViaEquivalent, Class: "process_creation"},
	{Provider: "Security", Event: "4688", Title: "A new process has been created", Via: rule.ViaEquivalent, Class: "process_creation"},
	{Provider: "Defender-DeviceProcessEvents", Event: "ProcessCreated", Title: "Process created", Via: rule.ViaEquivalent, Class: "process_creation"},
}

// events returns the process-creation events with the one at index direct
// read by the rule itself.
func events(direct int) []rule.Event {
	out := append([]rule.Event(nil), processCreation...)
	out[direct].Via = rule.ViaRule
	return out
}

const mmcQuery = `let timeframe = 2*1h;
DeviceEvents
| where ingestion_time() >= ago(timeframe)
| where InitiatingProcessFileName =~ "mmc.exe"
// Look for actions associated with process injection.
| where ActionType in~ ("CreateRemoteThreadApiCall", "NtAllocateVirtualMemoryRemoteApiCall", "QueueUserApcRemoteApiCall")
| extend ParsedCommandLine=parse_command_line(InitiatingProcessCommandLine, "windows")
| extend MscFile=ParsedCommandLine[1]
| extend MscFile=iif(MscFile startswith "/", ParsedCommandLine[2], MscFile)`

// Documents returns fresh copies of the fixture rule documents (the
// catalog takes ownership of what it is given).
func Documents() []*rule.Document {
	injectionEvents := []rule.Event{
		{Provider: "Defender-DeviceEvents", Event: "CreateRemoteThreadApiCall", Title: "Remote thread created", Via: rule.ViaRule, Class: "create_remote_thread"},
		{Provider: "Sysmon", Event: "8", Title: "CreateRemoteThread", Via: rule.ViaEquivalent, Class: "create_remote_thread"},
		{Provider: "Threat-Intelligence", Event: "ALLOCVM_REMOTE", Title: "Remote memory allocation", Via: rule.ViaEquivalent, Class: "process_injection"},
	}
	mmc := &rule.Document{
		ID: MMCInjection, Language: rule.LangKusto, QueryLanguage: "kql", Format: "falconfriday",
		Source: rule.Source{Repo: "FalconFriday", Path: "0xFF-0546-Process_Injection_Initiated_By_MMC-Win.md"},
		Title:  "Process Injection Initiated By MMC", Author: "FalconForce", Severity: "medium",
		Description: "This query searches for suspicious behavior initiated by MMC, looking at actions commonly associated with process injection.",
		References:  []string{"https://www.elastic.co/security-labs/grimresource", "javascript:alert(1)"},
		TimeWindow:  "2h", Platforms: []string{"windows"},
		Attack: attackOf([]string{"T1218.014", "T1055"}, []string{"TA0005"}),
		Body:   "# Process Injection Initiated By MMC\n\n```C#\n" + mmcQuery + "\n```\n",
		Query:  mmcQuery, QueryOrigin: source.Origin{Line: 4, Col: 1},
		Sections: []rule.Section{{Title: "False Positives", Text: "Some legitimate MMC snap-ins may perform actions similar to process injection."}},
		Analysis: rule.Analysis{
			Parameters: []rule.Parameter{{Name: "timeframe", Text: "let timeframe = 2*1h;", Values: []string{"2h"}}},
			Stages: []rule.Stage{
				{Kind: "source", Text: "DeviceEvents", Line: 2},
				{Kind: "where", Text: "| where ingestion_time() >= ago(timeframe)", Line: 3,
					Predicates: []rule.Predicate{{Field: "ingestion_time()", Kind: rule.KindGe, Values: []string{"ago(timeframe)"}, Transforms: []string{rule.TransformExpression}}}},
				{Kind: "where", Text: `| where InitiatingProcessFileName =~ "mmc.exe"`, Line: 4,
					Predicates: []rule.Predicate{{Field: "InitiatingProcessFileName", Kind: rule.KindEq, Values: []string{"mmc.exe"}}}},
				{Kind: "where", Text: `| where ActionType in~ ("CreateRemoteThreadApiCall", ...)`, Line: 6,
					Predicates: []rule.Predicate{{Field: "ActionType", Kind: rule.KindIn, Values: []string{"CreateRemoteThreadApiCall", "NtAllocateVirtualMemoryRemoteApiCall", "QueueUserApcRemoteApiCall"}}}},
				{Kind: "extend", Steps: 3, Text: "| extend ParsedCommandLine=...\n| extend MscFile=ParsedCommandLine[1]\n| extend MscFile=iif(...)", Line: 7},
			},
			Indicators: []rule.Indicator{
				{Field: "InitiatingProcessFileName", CanonicalField: "process.parent.name", Kind: rule.KindEq, Values: vals("mmc.exe")},
				{Field: "ActionType", CanonicalField: "event.action", Kind: rule.KindIn, Values: vals("CreateRemoteThreadApiCall", "NtAllocateVirtualMemoryRemoteApiCall", "QueueUserApcRemoteApiCall")},
			},
			Outputs:     []rule.Output{{Field: "ParsedCommandLine", Source: "extend"}, {Field: "MscFile", Source: "extend"}},
			Events:      injectionEvents,
			Tables:      []string{"DeviceEvents"},
			Diagnostics: []source.Diagnostic{{Code: "KQL2001", Severity: source.Warning, Message: "ingestion_time() filter: consider TimeGenerated", Path: "0xFF-0546-Process_Injection_Initiated_By_MMC-Win.md", Line: 6, Col: 9, EndLine: 6, EndCol: 25}},
		},
	}
	narrow := &rule.Document{
		ID: "kusto/MMC-Injection-Narrow", Language: rule.LangKusto, QueryLanguage: "kql", Format: "kql-file",
		Source: rule.Source{Repo: "examples", Path: "kql/MMC-Injection-Narrow.kql"},
		Title:  "MMC injection into LSASS", Severity: "high",
		Attack: attackOf([]string{"T1055"}, nil),
		Query:  "DeviceEvents\n| where InitiatingProcessFileName =~ \"mmc.exe\"\n| where ActionType in~ (\"CreateRemoteThreadApiCall\", \"NtAllocateVirtualMemoryRemoteApiCall\", \"QueueUserApcRemoteApiCall\")\n| where FileName =~ \"lsass.exe\"",
		Analysis: rule.Analysis{
			Stages: []rule.Stage{{Kind: "source", Text: "DeviceEvents"}, {Kind: "where", Text: "| where ..."}},
			Indicators: []rule.Indicator{
				{Field: "InitiatingProcessFileName", CanonicalField: "process.parent.name", Kind: rule.KindEq, Values: vals("mmc.exe")},
				{Field: "ActionType", CanonicalField: "event.action", Kind: rule.KindIn, Values: vals("CreateRemoteThreadApiCall", "NtAllocateVirtualMemoryRemoteApiCall", "QueueUserApcRemoteApiCall")},
				{Field: "FileName", CanonicalField: "process.name", Kind: rule.KindEq, Values: vals("lsass.exe")},
			},
			Events: injectionEvents[:1],
			Tables: []string{"DeviceEvents"},
		},
	}
	narrow.Body = narrow.Query
	children := []string{"cmd.exe", "powershell.exe", "wscript.exe"}
	sigmaQuery := "selection_parent:\n    ParentImage|endswith: '\\mmc.exe'\nselection_child:\n    Image|endswith:\n        - '\\cmd.exe'\n        - '\\powershell.exe'\n        - '\\wscript.exe'\nfilter_gpupdate:\n    CommandLine|contains: 'gpupdate'\ncondition: all of selection_* and not filter_gpupdate"
	sigmaDoc := &rule.Document{
		ID: SigmaMMCChild, Language: rule.LangSigma, QueryLanguage: "sigma", Format: "sigma",
		Source: rule.Source{Repo: "sigma", Path: "rules/windows/process_creation/proc_creation_win_mmc_child_script_host.yml"},
		Title:  "MMC Spawning a Script Host", Status: "experimental", Severity: "medium", Author: "detwiki",
		Description: "Detects mmc.exe starting a shell or a script host.",
		Platforms:   []string{"windows"}, DataSources: []string{"windows/process_creation"},
		Attack: attackOf([]string{"T1218.014", "T1059.001"}, []string{"defense-evasion", "execution"}),
		Body:   "title: MMC Spawning a Script Host\ndetection:\n" + sigmaQuery + "\n", Query: sigmaQuery,
		Analysis: rule.Analysis{
			Stages: []rule.Stage{
				{Kind: "selection", Text: "selection_parent", Pipeline: "main", Predicates: []rule.Predicate{{Field: "ParentImage", Kind: rule.KindEndsWith, Values: []string{`\mmc.exe`}}}},
				{Kind: "selection", Text: "selection_child", Predicates: []rule.Predicate{{Field: "Image", Kind: rule.KindEndsWith, Values: []string{`\cmd.exe`, `\powershell.exe`, `\wscript.exe`}}}},
				{Kind: "filter", Text: "filter_gpupdate", Predicates: []rule.Predicate{{Field: "CommandLine", Kind: rule.KindContains, Values: []string{"gpupdate"}, Negated: true}}},
				{Kind: "condition", Text: "all of selection_* and not filter_gpupdate"},
			},
			Indicators: []rule.Indicator{
				{Field: "ParentImage", CanonicalField: "process.parent.executable", Kind: rule.KindEndsWith, Values: vals(`\mmc.exe`)},
				{Field: "Image", CanonicalField: "process.executable", Kind: rule.KindEndsWith, Values: vals(`\cmd.exe`, `\powershell.exe`, `\wscript.exe`)},
			},
			Exclusions: []rule.Indicator{{Field: "CommandLine", CanonicalField: "process.command_line", Kind: rule.KindContains, Values: vals("gpupdate")}},
			Events:     events(0),
			Tables:     []string{"windows/process_creation"},
		},
	}
	elasticQuery := `process where host.os.type == "windows" and event.type == "start" and
  process.parent.name : "mmc.exe" and
  process.name : ("cmd.exe", "powershell.exe", "wscript.exe") and
  not process.command_line : "*gpupdate*"`
	elasticDoc := &rule.Document{
		ID: ElasticMMCChild, Language: rule.LangElastic, QueryLanguage: "eql", Format: "elastic",
		Source: rule.Source{Repo: "elastic-detection-rules", Path: "rules/windows/execution_mmc_child_script_host.toml"},
		Title:  "MMC Spawning a Script Host", Severity: "medium", Status: "production",
		Description: "Identifies mmc.exe starting a shell or a script host.",
		Platforms:   []string{"windows"},
		Attack:      attackOf([]string{"T1059.001"}, []string{"TA0002"}),
		Body:        "[rule]\nquery = '''\n" + elasticQuery + "\n'''\n", Query: elasticQuery,
		Analysis: rule.Analysis{
			Stages: []rule.Stage{{Kind: "query", Text: elasticQuery, Predicates: []rule.Predicate{
				{Field: "host.os.type", Kind: rule.KindEq, Values: []string{"windows"}, Transforms: []string{rule.TransformCased}},
				{Field: "process.parent.name", Kind: rule.KindEq, Values: []string{"mmc.exe"}},
			}}},
			Indicators: []rule.Indicator{
				{Field: "host.os.type", CanonicalField: "host.os.type", Kind: rule.KindEq, Values: cased("windows")},
				{Field: "event.type", CanonicalField: "event.type", Kind: rule.KindEq, Values: cased("start")},
				{Field: "process.parent.name", CanonicalField: "process.parent.name", Kind: rule.KindEq, Values: vals("mmc.exe")},
				{Field: "process.name", CanonicalField: "process.name", Kind: rule.KindIn, Values: vals(children...)},
			},
			Exclusions: []rule.Indicator{{Field: "process.command_line", CanonicalField: "process.command_line", Kind: rule.KindContains, Values: vals("gpupdate")}},
			Events:     []rule.Event{{Provider: "Elastic-Endpoint", Event: "process/start", Via: rule.ViaRule, Class: "process_creation"}, processCreation[0], processCreation[1]},
			Tables:     []string{"logs-endpoint.events.process-*"},
		},
	}
	splunkQuery := "| tstats count from datamodel=Endpoint.Processes where Processes.parent_process_name=mmc.exe Processes.process_name IN (\"cmd.exe\", \"powershell.exe\", \"wscript.exe\") by Processes.dest"
	splunkDoc := &rule.Document{
		ID: SplunkMMCChild, Language: rule.LangSplunk, QueryLanguage: "spl", Format: "splunk",
		Source: rule.Source{Repo: "security_content", Path: "detections/endpoint/mmc_spawning_script_host.yml"},
		Title:  "MMC Spawning Script Host", Status: "experimental", Kind: "TTP",
		Attack: attackOf([]string{"T1218.014"}, nil),
		Body:   "search: '" + splunkQuery + "'\n", Query: splunkQuery,
		Analysis: rule.Analysis{
			Stages: []rule.Stage{{Kind: "tstats", Text: splunkQuery}},
			Indicators: []rule.Indicator{
				{Field: "Processes.parent_process_name", CanonicalField: "process.parent.name", Kind: rule.KindEq, Values: vals("mmc.exe")},
				{Field: "Processes.process_name", CanonicalField: "process.name", Kind: rule.KindIn, Values: vals(children...)},
			},
			Outputs: []rule.Output{{Field: "Processes.dest", Source: "tstats"}},
			Events:  events(0),
			Tables:  []string{"Endpoint.Processes"},
		},
	}
	kustoChildQuery := "DeviceProcessEvents\n| where InitiatingProcessFileName =~ \"mmc.exe\"\n| where FileName in~ (\"cmd.exe\", \"powershell.exe\", \"wscript.exe\")"
	kustoChild := &rule.Document{
		ID: KustoMMCChild, Language: rule.LangKusto, QueryLanguage: "kql", Format: "sentinel",
		Source: rule.Source{Repo: "Azure-Sentinel", Path: "Detections/DeviceProcessEvents/MmcSpawnsScriptHost.yaml"},
		Title:  "MMC spawning a script host or shell", Severity: "Medium", Status: "Available",
		Attack: attackOf([]string{"T1218.014"}, []string{"DefenseEvasion"}),
		Body:   "query: |\n  " + kustoChildQuery + "\n", Query: kustoChildQuery,
		Analysis: rule.Analysis{
			Stages: []rule.Stage{{Kind: "source", Text: "DeviceProcessEvents"}, {Kind: "where", Text: "| where InitiatingProcessFileName =~ \"mmc.exe\""}, {Kind: "where", Text: "| where FileName in~ (...)"}},
			Indicators: []rule.Indicator{
				{Field: "InitiatingProcessFileName", CanonicalField: "process.parent.name", Kind: rule.KindEq, Values: vals("mmc.exe")},
				{Field: "FileName", CanonicalField: "process.name", Kind: rule.KindIn, Values: vals(children...)},
			},
			Events: events(2),
			Tables: []string{"DeviceProcessEvents"},
		},
	}
	feed := &rule.Document{
		ID: Feed, Language: rule.LangKusto, QueryLanguage: "kql", Format: "sentinel",
		Source: rule.Source{Repo: "Azure-Sentinel", Path: "Detections/SecurityAlert/VendorAlerts.yaml"},
		Title:  "Vendor alerts pass-through", ThirdPartyFeed: true,
		Attack: attackOf([]string{"T1059"}, nil),
		Query:  "SecurityAlert | where ProductName == \"Vendor EDR\"",
		Analysis: rule.Analysis{
			Indicators: []rule.Indicator{{Field: "ProductName", Kind: rule.KindEq, Values: cased("Vendor EDR")}},
			Tables:     []string{"SecurityAlert"},
		},
	}
	hostile := &rule.Document{
		ID: Hostile, Language: rule.LangSigma, QueryLanguage: "sigma", Format: "sigma",
		Source: rule.Source{Repo: "sigma", Path: "rules/hostile.yml"},
		Title:  "Hostile " + ScriptTag + ImgTag, Description: "Description " + ImgTag + " and " + ScriptTag,
		Author:     ScriptTag,
		References: []string{"javascript:alert(document.domain)", "https://example.org/" + ImgTag},
		Attack:     attackOf([]string{"T1059"}, nil),
		Tags:       []string{ImgTag},
		Body:       "title: " + ScriptTag + "\ndetection:\n  sel:\n    CommandLine|contains: '" + ImgTag + "'\n  condition: sel\n",
		Query:      "sel:\n  CommandLine|contains: '" + ImgTag + "'\ncondition: sel " + ScriptTag,
		Sections:   []rule.Section{{Title: ScriptTag, Text: "[click](javascript:alert(1)) " + ImgTag}},
		Analysis: rule.Analysis{
			Parameters: []rule.Parameter{{Name: ScriptTag, Text: ImgTag}},
			Stages:     []rule.Stage{{Kind: "selection", Text: ImgTag, Predicates: []rule.Predicate{{Field: ScriptTag, Kind: rule.KindContains, Values: []string{ImgTag}}}}},
			Indicators: []rule.Indicator{
				{Field: "CommandLine", CanonicalField: "process.command_line", Kind: rule.KindContains, Values: vals(ImgTag, ScriptTag)},
				{Field: ScriptTag, Kind: rule.KindEq, Values: vals(ImgTag)},
			},
			Outputs:     []rule.Output{{Field: ImgTag, Source: ScriptTag}},
			Events:      []rule.Event{{Provider: ScriptTag, Event: ImgTag, Title: ScriptTag, Via: rule.ViaRule, Class: ImgTag}},
			Tables:      []string{ScriptTag},
			Diagnostics: []source.Diagnostic{{Code: "SIGMA1001", Severity: source.Error, Message: ScriptTag, Line: 2, Col: 1}},
		},
	}
	dup := func(repo string) *rule.Document {
		return &rule.Document{
			ID: "kusto/dup", Language: rule.LangKusto, QueryLanguage: "kql", Format: "kql-file",
			Source: rule.Source{Repo: repo, Path: "dup.kql"}, Title: "Duplicate from " + repo,
			Query: "SecurityEvent | where EventID == 4688", Body: "SecurityEvent | where EventID == 4688",
			Attack: attackOf([]string{"T1059"}, nil),
			Analysis: rule.Analysis{
				Indicators: []rule.Indicator{{Field: "EventID", CanonicalField: "event.code", Kind: rule.KindEq, Values: cased("4688")}},
				Events:     events(1),
				Tables:     []string{"SecurityEvent"},
			},
		}
	}
	chronicle := &rule.Document{
		ID: "chronicle/mmc_spawning_script_host", Language: rule.LangChronicle, QueryLanguage: "yaral", Format: "chronicle",
		Source: rule.Source{Repo: "chronicle-detection-rules", Path: "rules/mmc_spawning_script_host.yaral"},
		Title:  "mmc_spawning_script_host", Severity: "Medium",
		Attack: attackOf([]string{"T1218.014"}, []string{"Execution"}),
		Query:  "rule mmc_spawning_script_host {\n  events:\n    $process.metadata.event_type = \"PROCESS_LAUNCH\"\n    $process.principal.process.file.full_path = /\\\\mmc\\.exe$/ nocase\n  condition:\n    $process\n}",
		Analysis: rule.Analysis{
			Bindings: []rule.Binding{{Name: "$process", Text: "$process.metadata.event_type = \"PROCESS_LAUNCH\"", DerivedFrom: []string{}}},
			Stages:   []rule.Stage{{Kind: "events", Text: "events: ..."}, {Kind: "condition", Text: "$process"}},
			Indicators: []rule.Indicator{
				{Field: "metadata.event_type", CanonicalField: "metadata.event_type", Kind: rule.KindEq, Values: cased("PROCESS_LAUNCH")},
				{Field: "principal.process.file.full_path", CanonicalField: "process.parent.executable", Kind: rule.KindRegex, Values: vals(`\\mmc\.exe$`)},
			},
			Events: []rule.Event{{Provider: "UDM", Event: "PROCESS_LAUNCH", Via: rule.ViaRule, Class: "process_creation"}},
			Tables: []string{"PROCESS_LAUNCH"},
		},
	}
	chronicle.Body = chronicle.Query
	sublime := &rule.Document{
		ID: "sublime/attachment_msc_console_file", Language: rule.LangSublime, QueryLanguage: "mql", Format: "sublime",
		Source: rule.Source{Repo: "sublime-rules", Path: "detection-rules/attachment_msc_console_file.yml"},
		Title:  "Attachment: Microsoft Management Console file", Severity: "high",
		Query: "type.inbound\nand any(attachments, .file_extension =~ \"msc\")",
		Analysis: rule.Analysis{
			Indicators: []rule.Indicator{{Field: "attachments.file_extension", Kind: rule.KindEq, Values: vals("msc")}},
			Tables:     []string{"inbound"},
		},
	}
	sublime.Body = sublime.Query
	docs := []*rule.Document{mmc, narrow, sigmaDoc, elasticDoc, splunkDoc, kustoChild, feed, hostile, dup("repo-a"), dup("repo-b"), chronicle, sublime}
	for _, d := range docs {
		d.Normalize()
	}
	return docs
}
