package ruletest

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	_ "github.com/detwiki/detwiki/internal/formats/all"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var (
	corpusOnce sync.Once
	corpusSet  *Set
	corpusErr  error
)

// sigmaCorpus reads the Sigma corpus once for the package's tests.
func sigmaCorpus(t *testing.T) *Set {
	t.Helper()
	root := sharedtest.Corpus(t, "sigma")
	corpusOnce.Do(func() { corpusSet, corpusErr = Load([]string{root}, nil) })
	if corpusErr != nil {
		t.Fatal(corpusErr)
	}
	return corpusSet
}

// TestPositiveCorpus runs every Sigma rule that has SigmaHQ regression data
// on its own events, through the same path as detwiki test: at least 98%
// must fire, and every one that does not must be explained in
// docs/validation.md (none is today).
func TestPositiveCorpus(t *testing.T) {
	set := sigmaCorpus(t)
	rep, err := set.Run(nil)
	if err != nil {
		t.Fatal(err)
	}
	var pos, fired int
	var failed []string
	for _, r := range rep.Results {
		if !r.Positive() {
			continue
		}
		pos++
		if r.OK {
			fired++
		} else {
			failed = append(failed, r.Rule+" on "+r.Dataset+" "+strings.Join(r.Diagnostics, "; "))
		}
	}
	if pos < 200 {
		t.Errorf("%d positive tests, want about 200 (the corpus has 202 rules with regression events)", pos)
	}
	if float64(fired) < 0.98*float64(pos) {
		t.Errorf("%d of %d positive tests fire, want at least 98%%", fired, pos)
	}
	// Every rule that does not fire is a finding written up in
	// docs/validation.md; none is expected today.
	explained := map[string]bool{}
	for _, f := range failed {
		if !explained[strings.Fields(f)[0]] {
			t.Errorf("does not fire: %s", f)
		}
	}
	if len(rep.Failed()) != len(failed) {
		t.Errorf("Failed() = %d, want %d", len(rep.Failed()), len(failed))
	}
	t.Logf("%d of %d positive tests fire; %d rules cannot run", fired, pos, len(rep.NotRunnable))
	// The rules that cannot run are the Sigma 1 near aggregations and the
	// pseudo-code conditions of unsupported/.
	for _, n := range rep.NotRunnable {
		if !strings.Contains(n.Path, "/unsupported/") {
			t.Errorf("%s cannot run: %s", n.Path, n.Why)
		}
	}
}

// TestProcessCreationOnOTRF is the false-positive check: the Sigma
// process_creation rules run on the 20 OTRF data sets; what fires is pinned
// in testdata/otrf_process_creation.golden and listed in
// docs/validation.md (-update rewrites the golden file).
func TestProcessCreationOnOTRF(t *testing.T) {
	set := sigmaCorpus(t)
	otrf := sharedtest.Path(t, "datasets", "otrf")
	sub := &Set{}
	for _, r := range set.Rules {
		if r.Sigma != nil && r.Sigma.Source.Logsource.Category == "process_creation" {
			sub.Rules = append(sub.Rules, r)
		}
	}
	if len(sub.Rules) < 1500 {
		t.Fatalf("%d process_creation rules, want the corpus's 1,500 or more", len(sub.Rules))
	}
	rep, err := sub.Run(&RunOptions{Events: []string{otrf}, SkipPositive: true, Samples: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Datasets) != 20 {
		t.Errorf("%d data sets, want the 20 OTRF zips", len(rep.Datasets))
	}
	if len(rep.Errors) > 0 {
		t.Errorf("event errors: %v", rep.Errors)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Sigma process_creation rules (%d) on the OTRF data sets: rule, data set, hits\n", len(sub.Rules))
	var lines []string
	for _, r := range rep.Results {
		if r.Hits > 0 {
			lines = append(lines, fmt.Sprintf("%s\t%s\t%d", r.Rule, r.Dataset, r.Hits))
		}
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Fprintln(&b, l)
	}
	golden(t, "otrf_process_creation.golden", b.Bytes())
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it; review the diff):\n%s", path, firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, w, g)
		}
	}
	return ""
}
