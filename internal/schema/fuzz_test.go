package schema_test

import (
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/schema"
)

var fuzzLanguages = []string{rule.LangKusto, rule.LangSigma, rule.LangElastic, rule.LangSplunk, rule.LangChronicle, rule.LangPanther, rule.LangSublime, ""}

// FuzzEnrich builds a document from arbitrary tables, stage text, fields
// and values and checks that Enrich and CountKey never panic nor report an
// internal error, and that every event they add is well formed.
func FuzzEnrich(f *testing.F) {
	f.Add(uint8(0), "DeviceEvents", "AllProcessInjectionEvents", "ActionType", "CreateRemoteThreadApiCall", "")
	f.Add(uint8(0), "Event", "Event", "EventLog", "Microsoft-Windows-Sysmon/Operational", "")
	f.Add(uint8(0), "_Im_ProcessCreate", "x", "TargetProcessName", `C:\x.exe`, "")
	f.Add(uint8(1), "windows/process_creation", "", "ParentImage", `\mmc.exe`, "")
	f.Add(uint8(2), "logs-endpoint.events.process-*", "", "event.type", "start", `process where "x" and [network where true]`)
	f.Add(uint8(3), "Endpoint.Processes", "", "Processes.parent_process_name", "mmc.exe", "Sysmon EventID 1 AND NTLM Operational 8004,8005")
	f.Add(uint8(4), "PROCESS_LAUNCH", "", "$e.metadata.product_event_type", "4688", "")
	f.Add(uint8(5), "AWS.CloudTrail", "", "eventName", "StopLogging", "")
	f.Add(uint8(6), "", "", "attachments[0].file_name[", "x.html", "")
	f.Add(uint8(1), "opencanary/application", "opencanary", "x", "y", "?")
	f.Fuzz(func(t *testing.T, lang uint8, table, stageText, field, value, extra string) {
		d := &rule.Document{Language: fuzzLanguages[int(lang)%len(fuzzLanguages)], QueryLanguage: "eql", Query: extra,
			DataSources: strings.Split(extra, "|"),
			Extra:       map[string]any{"logsource": map[string]any{"product": table, "category": stageText, "service": value}}}
		d.Analysis.Tables = []string{table, stageText}
		d.Analysis.Stages = []rule.Stage{{Pipeline: table, Kind: "source", Text: stageText}, {Pipeline: stageText, Kind: "where", Text: table,
			Predicates: []rule.Predicate{{Field: field, Kind: rule.KindIn, Values: []string{value}}}}}
		for _, k := range []string{rule.KindEq, rule.KindEndsWith, rule.KindIsNull} {
			d.Analysis.AddPredicate(rule.Predicate{Field: field, Kind: k, Values: []string{value, extra}})
			d.Analysis.AddPredicate(rule.Predicate{Field: value, Kind: k, Values: []string{field}, Negated: true})
		}
		d.Analysis.Events = []rule.Event{{Provider: table, Event: value, Via: rule.ViaRule}}
		if len(extra)%2 == 1 {
			// No Extra["logsource"]: a Sigma rule reads its one table entry.
			d.Extra, d.Platforms = nil, []string{stageText}
			d.Analysis.Tables = d.Analysis.Tables[:1]
		}
		schema.Enrich(d)
		for _, diag := range d.Analysis.Diagnostics {
			if strings.HasPrefix(diag.Code, "SCHEMA") {
				t.Fatalf("internal error: %s", diag.Message)
			}
		}
		for _, e := range d.Analysis.Events[1:] {
			if e.Provider == "" || e.Event == "" || (e.Via != rule.ViaRule && e.Via != rule.ViaEquivalent) {
				t.Fatalf("malformed event %+v", e)
			}
		}
		for _, list := range [][]rule.Indicator{d.Analysis.Indicators, d.Analysis.Exclusions} {
			for _, in := range list {
				for _, v := range in.Values {
					if k, ok := schema.CountKey(d.Language, in, v); ok && k == "" {
						t.Fatalf("empty key for %+v", in)
					}
				}
			}
		}
	})
}
