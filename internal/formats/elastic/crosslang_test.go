package elastic_test

import (
	"testing"

	_ "github.com/detwiki/detwiki/internal/formats/all"
	"github.com/detwiki/detwiki/internal/formats/formattest"
	"github.com/detwiki/detwiki/internal/rule"
)

// TestCrossLanguageCount is the cross-language check of the Elastic front
// end on real rules: Elastic's UAC-bypass rule looks for mmc.exe as the
// parent process (process.parent.name == "mmc.exe", an ECS field), and
// counts together with SigmaHQ's rule for the same technique
// (ParentImage|endswith '\mmc.exe') and with a Defender query testing
// InitiatingProcessFileName == "mmc.exe" on DeviceProcessEvents (the Kusto
// corpus has no rule on mmc.exe as a parent, so that side is written here).
func TestCrossLanguageCount(t *testing.T) {
	read := func(format, corpus, rel string) *rule.Document {
		return formattest.CorpusRule(t, format, corpus, rel)
	}
	elastic := read("elastic", "elastic-detection-rules", "rules/windows/privilege_escalation_uac_bypass_winfw_mmc_hijack.toml")
	sigma := read("sigma", "sigma", "rules/windows/process_creation/proc_creation_win_uac_bypass_hijacking_firwall_snap_in.yml")
	kusto := &rule.Document{ID: "kusto/mmc-parent", Language: rule.LangKusto, Analysis: rule.Analysis{Tables: []string{"DeviceProcessEvents"}}}
	kusto.Analysis.AddPredicate(rule.Predicate{Field: "InitiatingProcessFileName", Kind: rule.KindEq, Values: []string{"mmc.exe"}, Transforms: []string{rule.TransformCased}})

	const want = "process.parent.name|eq|mmc.exe"
	ek, sk, kk := formattest.CountKeys(elastic), formattest.CountKeys(sigma), formattest.CountKeys(kusto)
	if !ek[want] || !sk[want] || !kk[want] {
		t.Errorf("key %s: elastic %v, sigma %v, kusto %v\nelastic keys %v", want, ek[want], sk[want], kk[want], ek)
	}
	var classes []string
	for _, e := range elastic.Analysis.Events {
		classes = append(classes, e.Class)
	}
	if len(classes) == 0 || classes[0] != "process_creation" {
		t.Errorf("elastic events = %v", classes)
	}
}
