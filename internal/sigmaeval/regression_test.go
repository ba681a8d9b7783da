package sigmaeval

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/events"
	"github.com/detwiki/detwiki/internal/lang/sigma"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

// corpusRule is a rule of the Sigma corpus with its file.
type corpusRule struct {
	path  string
	rule  *sigma.Rule
	lines *sigmaLines
}

type sigmaLines = sigma.File

// loadSigmaCorpus parses every rule file of the corpus, indexed by rule id.
func loadSigmaCorpus(tb testing.TB, root string) map[string]corpusRule {
	tb.Helper()
	byID := map[string]corpusRule{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "regression_data" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".yml") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f := sigma.ParseFile(data)
		for _, r := range f.Rules {
			if r.ID != "" {
				byID[r.ID] = corpusRule{path: p, rule: r, lines: f}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return byID
}

// regressionCase is one SigmaHQ regression test: a rule and its events.
type regressionCase struct {
	ruleID string
	title  string
	events string
	count  int
}

func regressionCases(tb testing.TB, root string) []regressionCase {
	var out []regressionCase
	err := filepath.WalkDir(filepath.Join(root, "regression_data"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "info.yml" {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, err := sigma.ParseRegressionInfo(data)
		if err != nil {
			tb.Errorf("%s: %v", p, err)
			return nil
		}
		for _, rm := range info.Rules {
			for _, t := range info.Tests {
				name := filepath.Base(t.Path)
				name = strings.TrimSuffix(name, filepath.Ext(name)) + ".json"
				out = append(out, regressionCase{ruleID: rm.ID, title: rm.Title, events: filepath.Join(filepath.Dir(p), name), count: t.MatchCount})
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].events < out[j].events })
	return out
}

// staleMatchCounts are regression tests whose info.yml match_count is lower
// than the number of events the rule really matches: each named event
// file holds more events that the rule's selection covers (see
// docs/validation.md, "Sigma regression tests").
var staleMatchCounts = map[string]int{
	"file_event_win_anydesk_artefact":              3, // user.conf.new twice and user.conf~RF...TMP all contain \AnyDesk\user.conf
	"file_event_win_cred_dump_tools_dropped_files": 3, // procdump.exe, procdump64.exe and procdump64a.exe are all listed
	"registry_set_change_security_zones":           3, // three ZoneMap\Domains values set to DWORD 2
	"registry_set_disable_administrative_share":    2, // both AutoShareServer and AutoShareWks are set to 0
}

// TestRegressionData runs every Sigma rule that has SigmaHQ regression data
// on its own events: each must fire, as often as info.yml says.
func TestRegressionData(t *testing.T) {
	root := sharedtest.Corpus(t, "sigma")
	rules := loadSigmaCorpus(t, root)
	cases := regressionCases(t, root)
	fired, withCount, agree := 0, 0, 0
	for _, c := range cases {
		cr, ok := rules[c.ruleID]
		if !ok {
			t.Errorf("%s: rule %s not found", c.events, c.ruleID)
			continue
		}
		r := Compile(cr.rule, cr.lines.Lines, nil)
		hits := 0
		err := events.ReadFile(c.events, func(b *events.Block) error {
			hits += NewBlock(b, nil).Count(r)
			return nil
		})
		if err != nil {
			t.Errorf("%s: %v", c.events, err)
			continue
		}
		want := c.count
		if c.count > 0 {
			withCount++
		}
		if n, ok := staleMatchCounts[filepath.Base(filepath.Dir(c.events))]; ok {
			want = n
		} else if c.count > 0 && hits == c.count {
			agree++
		}
		if want > 0 && hits != want {
			t.Errorf("%s: %d hits, want %d", c.events, hits, want)
		}
		if hits > 0 {
			fired++
		} else {
			t.Errorf("%s (%s) does not fire on %s; diagnostics %v", c.title, cr.path, c.events, r.Diagnostics)
		}
	}
	if len(cases) < 200 {
		t.Errorf("%d regression tests, want about 200", len(cases))
	}
	t.Logf("%d of %d regression tests fire", fired, len(cases))
	// docs/validation.md: 172 tests give a match count, 168 agree, 4 are stale
	if withCount != 172 || agree != 168 {
		t.Errorf("%d tests with a match_count, %d agree; docs/validation.md says 172 and 168", withCount, agree)
	}
}
