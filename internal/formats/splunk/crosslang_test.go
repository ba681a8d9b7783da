package splunk

import (
	"testing"

	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/schema"
)

// TestCrossLanguageCount runs the shared schema pass over the mmc.exe LOLBAS
// detection and checks that its parent-process indicator counts under the
// same key as Sigma's ParentImage|endswith '\mmc.exe' and Defender's
// InitiatingProcessFileName == "mmc.exe" (spec §2, corpus counts).
func TestCrossLanguageCount(t *testing.T) {
	docs := corpusDocuments(t)
	src := docs["detections/endpoint/mmc_lolbas_execution_process_spawn.yml"]
	if src == nil {
		t.Fatal("mmc_lolbas_execution_process_spawn not read")
	}
	d := *src
	d.Analysis.Indicators = append([]rule.Indicator(nil), src.Analysis.Indicators...)
	d.Analysis.Events = nil
	schema.Enrich(&d)
	key := func(d *rule.Document, field string) string {
		for _, in := range d.Analysis.Indicators {
			if in.Field == field && len(in.Values) > 0 {
				k, ok := schema.CountKey(d.Language, in, in.Values[0])
				if ok {
					return k
				}
			}
		}
		t.Errorf("%s: no countable indicator on %s: %+v", d.ID, field, d.Analysis.Indicators)
		return ""
	}
	splunkKey := key(&d, "Processes.parent_process_name")

	sigma := &rule.Document{ID: "sigma/x", Language: rule.LangSigma, Extra: map[string]any{"logsource": map[string]any{"product": "windows", "category": "process_creation"}},
		Analysis: rule.Analysis{Tables: []string{"windows/process_creation"}}}
	sigma.Analysis.AddPredicate(rule.Predicate{Field: "ParentImage", Kind: rule.KindEndsWith, Values: []string{`\mmc.exe`}})
	schema.Enrich(sigma)
	kusto := &rule.Document{ID: "kusto/x", Language: rule.LangKusto, Analysis: rule.Analysis{Tables: []string{"DeviceProcessEvents"}}}
	kusto.Analysis.AddPredicate(rule.Predicate{Field: "InitiatingProcessFileName", Kind: rule.KindEq, Values: []string{"mmc.exe"}, Transforms: []string{rule.TransformCased}})
	schema.Enrich(kusto)

	if splunkKey == "" || splunkKey != key(sigma, "ParentImage") || splunkKey != key(kusto, "InitiatingProcessFileName") {
		t.Errorf("count keys differ: splunk %q, sigma %q, kusto %q", splunkKey, key(sigma, "ParentImage"), key(kusto, "InitiatingProcessFileName"))
	}
	if len(d.Analysis.Events) == 0 {
		t.Errorf("no events from %v and %v", d.DataSources, d.Analysis.Tables)
	}
}
