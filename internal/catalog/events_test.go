package catalog_test

import (
	"path/filepath"
	"testing"

	"github.com/detwiki/detwiki/internal/catalog"
	_ "github.com/detwiki/detwiki/internal/formats/all"
)

// TestBuildWithEvents builds a catalog of the ruletest fixtures (a rule
// that fires on its sample event, one that does not, a failed-logon rule
// and a correlation) with their event data set: the runs land in the
// documents, through the store, and the tested filter and is:tested find
// them.
func TestBuildWithEvents(t *testing.T) {
	fixtures := filepath.Join("..", "ruletest", "testdata")
	out := t.TempDir()
	opt := catalog.Options{Sources: []string{filepath.Join(fixtures, "sigmarepo")}, Out: out,
		Events: []string{filepath.Join(fixtures, "events")}}
	if _, _, err := catalog.Build(opt); err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := c.Rule("sigma/proc_creation_win_fixture_whoami")
	if !ok || r.Runs == nil {
		t.Fatalf("whoami: no runs (%v)", ok)
	}
	if len(r.Runs.Datasets) != 1 || r.Runs.Datasets[0].Dataset != "logons.jsonl" || r.Runs.Datasets[0].Hits != 1 ||
		len(r.Runs.Tests) != 1 || !r.Runs.Tests[0].OK || len(r.Runs.Samples) != 1 {
		t.Errorf("whoami runs %+v", r.Runs)
	}
	count := func(f catalog.Filter) int {
		res, err := c.Find(f)
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	for _, tc := range []struct {
		f    catalog.Filter
		want int
	}{
		{catalog.Filter{Q: "is:tested"}, 4},
		{catalog.Filter{Filters: map[string][]string{catalog.FilterTested: {"fires"}}}, 3},
		{catalog.Filter{Filters: map[string][]string{catalog.FilterTested: {"failing"}}}, 1},
		{catalog.Filter{Q: "tested:fires whoami"}, 1},
		{catalog.Filter{Q: "-is:tested"}, 0},
	} {
		if got := count(tc.f); got != tc.want {
			t.Errorf("%+v: %d rules, want %d", tc.f, got, tc.want)
		}
	}
	// a rebuild without events drops the runs
	opt.Events = nil
	c2, rep, err := catalog.Build(opt)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := c2.Rule("sigma/proc_creation_win_fixture_whoami"); r.Runs != nil || !rep.Wrote {
		t.Errorf("runs kept without --events (wrote %v)", rep.Wrote)
	}
}
