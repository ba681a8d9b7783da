package ruletest

import (
	"strings"
	"testing"
)

// TestFilterMetaRule: a filter meta-rule given with the rule it names
// narrows that rule's matches (its condition AND-ed in, as pySigma does);
// the filter itself does not run and says how many rules it narrows.
func TestFilterMetaRule(t *testing.T) {
	for _, tc := range []struct {
		paths []string
		hits  int
	}{
		{[]string{"testdata/filtered/proc_creation_win_fixture_whoami_any.yml"}, 3},
		{[]string{"testdata/filtered"}, 1},
	} {
		set, err := Load(tc.paths, nil)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := set.Run(&RunOptions{Events: []string{"testdata/filtered_events"}, SkipPositive: true, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Results) != 1 || rep.Results[0].Hits != tc.hits {
			t.Errorf("%v: results %+v, want one with %d hits", tc.paths, rep.Results, tc.hits)
		}
		if len(tc.paths) == 1 && strings.HasSuffix(tc.paths[0], "filtered") {
			if len(rep.NotRunnable) != 1 || !strings.Contains(rep.NotRunnable[0].Why, "narrows 1 rule") {
				t.Errorf("the filter: %+v", rep.NotRunnable)
			}
		}
	}
}
