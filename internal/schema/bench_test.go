package schema_test

import (
	"testing"
	"time"

	"github.com/detwiki/detwiki/internal/cputime"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/schema"
)

func reportCPU(b *testing.B, start time.Duration, ops int) {
	if d := cputime.Now() - start; d > 0 && ops > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(ops), "cpu-ns/op")
	}
}

// reset undoes what Enrich added so a document can be enriched again.
func reset(d *rule.Document) {
	d.Analysis.Events = d.Analysis.Events[:0]
	for i := range d.Analysis.Indicators {
		d.Analysis.Indicators[i].CanonicalField = ""
	}
	for i := range d.Analysis.Exclusions {
		d.Analysis.Exclusions[i].CanonicalField = ""
	}
}

// BenchmarkEnrichSigmaCorpus enriches the real Sigma corpus's documents
// (built as the Sigma front end records them), one rule per iteration.
func BenchmarkEnrichSigmaCorpus(b *testing.B) {
	docs := sigmaCorpusDocs(b)
	schema.Events()
	schema.Fields()
	b.ReportAllocs()
	b.ResetTimer()
	start := cputime.Now()
	for i := 0; i < b.N; i++ {
		d := docs[i%len(docs)]
		reset(d)
		schema.Enrich(d)
	}
	b.StopTimer()
	reportCPU(b, start, b.N)
}

// BenchmarkEnrichLanguages enriches one hand-built document of each
// language per iteration (9 rules); cpu-ns/op is per rule.
func BenchmarkEnrichLanguages(b *testing.B) {
	docs := benchDocs()
	schema.Events()
	schema.Fields()
	b.ReportAllocs()
	b.ResetTimer()
	start := cputime.Now()
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			reset(d)
			schema.Enrich(d)
		}
	}
	b.StopTimer()
	reportCPU(b, start, b.N*len(docs))
}

func benchDocs() []*rule.Document {
	kusto := doc(rule.LangKusto, []string{"DeviceEvents"},
		stage("AllProcessInjectionEvents", "source", "DeviceEvents"),
		stage("AllProcessInjectionEvents", "where", "", pred("ActionType", rule.KindIn, "QueueUserApcRemoteApiCall", "NtAllocateVirtualMemoryRemoteApiCall", "CreateRemoteThreadApiCall", "NtMapViewOfSectionRemoteApiCall"),
			fieldRef(pred("ProcessId", rule.KindNe, "InitiatingProcessId"))),
		stage("AllProcessInjectionEvents", "where", "", negated(fieldRef(pred("InitiatingProcessFolderPath", rule.KindStartsWith, "FolderPath")))),
		stage("main", "source", "AllProcessInjectionEvents"))
	multi := doc(rule.LangKusto, []string{"DeviceNetworkEvents", "DeviceProcessEvents"},
		stage("n", "source", "DeviceNetworkEvents"), stage("n", "where", "", pred("ActionType", rule.KindEq, "InboundConnectionAccepted")),
		stage("p", "source", "DeviceProcessEvents"), stage("p", "where", "", pred("FileName", rule.KindIn, "rundll32.exe", "regsvr32.exe", "mshta.exe")),
		stage("main", "source", "n | join p"))
	dcom := doc(rule.LangKusto, []string{"Event"},
		stage("main", "where", "", pred("EventLog", rule.KindEq, "Microsoft-Windows-Sysmon/Operational"), pred("EventID", rule.KindEq, "1"),
			pred("ParentCommandLine", rule.KindEq, "x"), pred("CommandLine", rule.KindEq, "y")))
	sigma := &rule.Document{Language: rule.LangSigma, Extra: map[string]any{"logsource": map[string]any{"product": "windows", "category": "process_creation"}}}
	sigma.Analysis.AddPredicate(pred("ParentImage", rule.KindEndsWith, `\mmc.exe`))
	sigma.Analysis.AddPredicate(pred("Image", rule.KindEndsWith, `\cmd.exe`))
	sigma.Analysis.AddPredicate(pred("CommandLine", rule.KindContains, "/c"))
	elastic := &rule.Document{Language: rule.LangElastic, QueryLanguage: "eql", Query: `process where event.type == "start" and process.parent.name : "mmc.exe"`,
		Analysis: rule.Analysis{Tables: []string{"logs-endpoint.events.process-*", "winlogbeat-*"}}}
	elastic.Analysis.AddPredicate(pred("event.type", rule.KindEq, "start"))
	elastic.Analysis.AddPredicate(pred("process.parent.name", rule.KindEq, "mmc.exe"))
	splunk := &rule.Document{Language: rule.LangSplunk, DataSources: []string{"Sysmon EventID 1", "Windows Event Log Security 4688"}, Analysis: rule.Analysis{Tables: []string{"Endpoint.Processes"}}}
	splunk.Analysis.AddPredicate(pred("Processes.parent_process_name", rule.KindEq, "mmc.exe"))
	splunk.Analysis.AddPredicate(pred("Processes.process", rule.KindContains, "-Embedding"))
	chronicle := &rule.Document{Language: rule.LangChronicle}
	chronicle.Analysis.AddPredicate(pred("$e.metadata.event_type", rule.KindEq, "PROCESS_LAUNCH"))
	chronicle.Analysis.AddPredicate(pred("target.process.command_line", rule.KindContains, "whoami"))
	panther := &rule.Document{Language: rule.LangPanther, Analysis: rule.Analysis{Tables: []string{"AWS.CloudTrail"}}}
	panther.Analysis.AddPredicate(pred("eventName", rule.KindIn, "StopLogging", "DeleteTrail"))
	sublime := &rule.Document{Language: rule.LangSublime}
	sublime.Analysis.AddPredicate(pred("attachments[].file_extension", rule.KindIn, "html"))
	return []*rule.Document{kusto, multi, dcom, sigma, elastic, splunk, chronicle, panther, sublime}
}

func BenchmarkCountKey(b *testing.B) {
	in := rule.Indicator{Field: "ParentImage", CanonicalField: "process.parent.executable", Kind: rule.KindEndsWith}
	v := rule.Value{Value: `C:\Windows\System32\MMC.exe`}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, ok := schema.CountKey("sigma", in, v); !ok {
			b.Fatal("no key")
		}
	}
}
