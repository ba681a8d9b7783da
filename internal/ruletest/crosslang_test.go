package ruletest

import (
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

// TestCrossLanguageOnOTRF: on the OTRF "LSASS memory dump with
// comsvcs.dll" data set, the Sigma rule and the Sentinel (Kusto) hunting
// query that look for rundll32 calling comsvcs.dll's MiniDump both fire:
// Sigma on the Sysmon 1 and the Security 4688 record of the same process,
// Kusto on SecurityEvent 4688.
func TestCrossLanguageOnOTRF(t *testing.T) {
	sigmaRule := sharedtest.Path(t, "corpus", "sigma", "rules", "windows", "process_creation", "proc_creation_win_rundll32_process_dump_via_comsvcs.yml")
	kustoRule := sharedtest.Path(t, "corpus", "Azure-Sentinel", "Hunting Queries", "SecurityEvent", "SuspectedLSASSDump.yaml")
	data := sharedtest.Path(t, "datasets", "otrf", "datasets", "atomic", "windows", "credential_access", "host", "psh_lsass_memory_dump_comsvcs.zip")
	set, err := Load([]string{sigmaRule, kustoRule}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := set.Run(&RunOptions{Events: []string{data}, SkipPositive: true})
	if err != nil {
		t.Fatal(err)
	}
	hits := map[string]Result{}
	for _, r := range rep.Results {
		hits[r.Language] = r
	}
	for lang, want := range map[string]int{rule.LangSigma: 2, rule.LangKusto: 1} {
		r, ok := hits[lang]
		if !ok {
			t.Errorf("no %s result (not runnable: %v)", lang, rep.NotRunnable)
			continue
		}
		if r.Hits != want || !r.OK {
			t.Errorf("%s (%s): %d hits, want %d; %v", lang, r.Rule, r.Hits, want, r.Diagnostics)
		}
		found := false
		for _, s := range r.Samples {
			for _, f := range s.Fields {
				if strings.Contains(strings.ToLower(f.Value), "comsvcs") {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%s: no sample shows the comsvcs.dll command line: %+v", lang, r.Samples)
		}
	}
}
