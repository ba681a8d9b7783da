package catalog_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/formats"
	_ "github.com/detwiki/detwiki/internal/formats/all"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

// corpusRules are the rules per language of a build over all of
// ../shared/corpus, asserted for the languages whose reader is registered.
// Adding a language is one line; when a reader changes what it reads,
// update its count here (the test prints the new figures).
var corpusRules = []struct {
	language string
	reader   string // a format name of the language's reader
	rules    int
}{
	{rule.LangKusto, "sentinel", 2831},
	{rule.LangSigma, "sigma", 4041},
	{rule.LangElastic, "elastic", 2332},
	{rule.LangSplunk, "splunk", 1711},
	{rule.LangChronicle, "chronicle", 886},
	{rule.LangPanther, "panther", 1049},
	{rule.LangSublime, "sublime", 1216},
}

// corpusIndicators are known corpus counts of a few indicators, by
// language (only languages whose reader is registered are compared).
var corpusIndicators = []struct {
	key        catalog.IndicatorKey
	byLanguage map[string]int
}{
	// Elastic 81: process.name.caseless counts with process.name
	// (rules_building_block/discovery_generic_registry_query.toml).
	{catalog.IndicatorKey{Field: "process.name", Kind: "eq", Value: "powershell.exe"}, map[string]int{"elastic": 81, "kusto": 64, "sigma": 185, "splunk": 48, "panther": 1}},
	{catalog.IndicatorKey{Field: "process.parent.name", Kind: "eq", Value: "mmc.exe"}, map[string]int{"elastic": 3, "sigma": 3, "splunk": 4}},
	{catalog.IndicatorKey{Field: "process.name", Kind: "eq", Value: "certutil.exe"}, map[string]int{"elastic": 23, "kusto": 10, "sigma": 42, "splunk": 12}},
}

var (
	corpusOnce   sync.Once
	corpusCat    *catalog.Catalog
	corpusReport *catalog.Report
	corpusDir    string
	corpusErr    error
)

// corpusSources returns the folders of ../shared/corpus.
func corpusSources(tb testing.TB) []string {
	tb.Helper()
	root := sharedtest.Path(tb, "corpus")
	entries, err := os.ReadDir(root)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, filepath.Join(root, e.Name()))
		}
	}
	return out
}

// corpusCatalog builds the catalog of the whole shared corpus once per test
// binary (into a temporary folder, so the store is exercised too).
func corpusCatalog(tb testing.TB) (*catalog.Catalog, *catalog.Report, string) {
	tb.Helper()
	sources := corpusSources(tb)
	corpusOnce.Do(func() {
		corpusDir, corpusErr = os.MkdirTemp("", "detwiki-corpus-catalog-")
		if corpusErr != nil {
			return
		}
		corpusCat, corpusReport, corpusErr = catalog.Build(catalog.Options{Sources: sources, Out: corpusDir})
	})
	if corpusErr != nil {
		tb.Fatal(corpusErr)
	}
	return corpusCat, corpusReport, corpusDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if corpusDir != "" {
		os.RemoveAll(corpusDir)
	}
	os.Exit(code)
}

func registered(format string) bool {
	_, ok := formats.Lookup(format)
	return ok
}

func TestCorpusBuild(t *testing.T) {
	c, rep, _ := corpusCatalog(t)
	t.Logf("%d rules, %d files, by language %v, phases %v", len(c.Rules), rep.Files, c.Info.ByLanguage, rep.Phases)
	for _, want := range corpusRules {
		got := c.Info.ByLanguage[want.language]
		if !registered(want.reader) {
			if got != 0 {
				t.Errorf("%s: %d rules without its reader", want.language, got)
			}
			continue
		}
		if want.rules < 0 {
			t.Errorf("%s: its reader has landed: fill in its count in corpusRules (%d rules now)", want.language, got)
			continue
		}
		if got != want.rules {
			t.Errorf("%s: %d rules, want %d", want.language, got, want.rules)
		}
	}
	// No source is dropped silently: every corpus folder is a source, every
	// file is a rule file, a file no reader takes ("not rules"), or a file
	// with a diagnostic; and a folder whose reader exists gives rules.
	sources := corpusSources(t)
	if len(c.Info.Sources) != len(sources) {
		t.Fatalf("sources = %d, want %d", len(c.Info.Sources), len(sources))
	}
	perRepo := map[string]int{}
	for _, r := range c.Rules {
		perRepo[r.Source.Repo]++
	}
	for _, s := range c.Info.Sources {
		if s.Files == 0 {
			t.Errorf("%s: no file listed", s.Name)
		}
		if s.Rules != perRepo[s.Name] {
			t.Errorf("%s: summary says %d rules, catalog has %d", s.Name, s.Rules, perRepo[s.Name])
		}
		if s.Rules == 0 && s.Skipped != s.Files {
			t.Errorf("%s: no rule, yet only %d of %d files reported as not rules", s.Name, s.Skipped, s.Files)
		}
		if s.Skipped > s.Files {
			t.Errorf("%s: %d skipped of %d files", s.Name, s.Skipped, s.Files)
		}
	}
	for name, reader := range map[string]string{"Azure-Sentinel": "sentinel", "FalconFriday": "falconfriday", "sigma": "sigma",
		"elastic-detection-rules": "elastic", "security_content": "splunk", "chronicle-detection-rules": "chronicle",
		"Microsoft-365-Defender-Hunting-Queries": "defender-markdown", "panther-analysis": "panther", "sublime-rules": "sublime"} {
		if registered(reader) && perRepo[name] == 0 {
			t.Errorf("%s: reader %s is registered but the folder gives no rule", name, reader)
		}
	}
	// Ids are unique and stable in form.
	seen := map[string]bool{}
	for _, r := range c.Rules {
		if seen[r.ID] {
			t.Errorf("duplicate id %s", r.ID)
		}
		seen[r.ID] = true
	}
}

func TestCorpusIndicatorCounts(t *testing.T) {
	c, _, _ := corpusCatalog(t)
	for _, want := range corpusIndicators {
		st, ok := c.IndicatorByKey(want.key)
		if !ok {
			t.Errorf("no indicator %v", want.key)
			continue
		}
		for _, l := range corpusRules {
			if !registered(l.reader) {
				continue
			}
			if got := st.ByLanguage[l.language]; got != want.byLanguage[l.language] {
				t.Errorf("%v: %s %d, want %d (all: %v)", want.key, l.language, got, want.byLanguage[l.language], st.ByLanguage)
			}
		}
		// The count is written into every rule's document.
		for _, ri := range st.Rules[:min(5, len(st.Rules))] {
			r := c.Rules[ri]
			found := false
			for _, ind := range r.Analysis.Indicators {
				for _, v := range ind.Values {
					if k, ok := catalog.CountKey(r.Language, ind, v); ok && k == want.key {
						found = v.Corpus != nil && v.Corpus.Total == st.Total
					}
				}
			}
			if !found {
				t.Errorf("%s: no corpus count %d for %v", r.ID, st.Total, want.key)
			}
		}
	}
	// Every counted indicator value carries its count.
	missing := 0
	for _, r := range c.Rules {
		for _, ind := range r.Analysis.Indicators {
			for _, v := range ind.Values {
				if _, ok := catalog.CountKey(r.Language, ind, v); ok && v.Corpus == nil {
					missing++
				}
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d indicator values without a corpus count", missing)
	}
}

func TestCorpusRelations(t *testing.T) {
	c, _, _ := corpusCatalog(t)
	var narrower, same, action, patterns int
	for _, r := range c.Rules {
		if r.Neighbours.NarrowerTotal > 0 {
			narrower++
		}
		if r.Neighbours.SameTotal > 0 {
			same++
		}
		if r.SameActionTotal > 0 {
			action++
		}
		for _, n := range r.Neighbours.Narrower {
			if len(n.Diff) == 0 {
				t.Errorf("%s: narrower %s with no difference", r.ID, n.ID)
			}
		}
	}
	patterns = len(c.Patterns)
	t.Logf("rules with narrower neighbours %d, identical %d, same action %d; patterns %d; events %d; fields %d; indicators %d",
		narrower, same, action, patterns, len(c.Events), len(c.Fields), len(c.Indicators))
	if narrower < 100 || action < 1000 || patterns < 100 {
		t.Errorf("too few relations: narrower %d, same action %d, patterns %d", narrower, action, patterns)
	}
	// Third-party feeds stay out of the coverage counts and lists.
	m := c.Matrix(catalog.MatrixFilter{})
	res, _ := c.Find(catalog.Filter{PerPage: 1})
	if c.Info.Feeds > 0 && res.Total != len(c.Rules)-c.Info.Feeds {
		t.Errorf("browse total %d, want %d rules without the %d feeds", res.Total, len(c.Rules)-c.Info.Feeds, c.Info.Feeds)
	}
	if m.Rules == 0 || m.Covered < 200 {
		t.Errorf("matrix: %d rules, %d cells", m.Rules, m.Covered)
	}
}

func TestCorpusSearch(t *testing.T) {
	c, _, _ := corpusCatalog(t)
	for _, q := range []string{"mmc.exe", "field:CommandLine kind:contains value:lsass", "lang:sigma technique:T1003",
		"table:DeviceProcessEvents", "event:sysmon/1", "certutil urlcache", `value:"\\lsass.exe"`} {
		res, err := c.Find(catalog.Filter{Q: q})
		if err != nil {
			t.Errorf("%q: %v", q, err)
			continue
		}
		if res.Total == 0 {
			t.Errorf("%q: no result", q)
		}
		t.Logf("%-45q %5d rules in %v", q, res.Total, res.Took)
	}
	res, _ := c.Find(catalog.Filter{Q: "lang:sigma technique:T1003"})
	for _, h := range res.Hits {
		if h.Rule.Language != "sigma" {
			t.Errorf("lang:sigma gave %s", h.Rule.ID)
		}
	}
}

// TestCorpusShortValues checks value: terms shorter than a trigram (found
// in all the values at once) against a scan of every indicator.
func TestCorpusShortValues(t *testing.T) {
	c, _, _ := corpusCatalog(t)
	for _, v := range []string{"ls", "x", ".", `\`, "%", "0"} {
		want := map[*catalog.Rule]bool{}
		for _, st := range c.Indicators {
			if strings.Contains(st.Key.Value, v) {
				for _, r := range c.RulesAt(st.Rules) {
					want[r] = true
				}
			}
		}
		res, err := c.Find(catalog.Filter{Q: "value:" + v, Feeds: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != len(want) || len(want) == 0 {
			t.Errorf("value:%s: %d rules, a scan finds %d", v, res.Total, len(want))
		}
	}
}

// findAll returns every rule a query selects (all pages).
func findAll(t *testing.T, c *catalog.Catalog, q string) map[*catalog.Rule]bool {
	t.Helper()
	out := map[*catalog.Rule]bool{}
	for page := 1; ; page++ {
		res, err := c.Find(catalog.Filter{Q: q, Feeds: true, PerPage: catalog.MaxPerPage, Page: page})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			out[h.Rule] = true
		}
		if page >= res.Pages {
			return out
		}
	}
}

// TestCorpusIndicatorTermsAgree checks kind: and value: terms after other
// terms, whether these leave many rules (the rules of the matching
// indicators are collected) or few (the rules' own indicators are tested),
// against a scan of every rule's indicators.
func TestCorpusIndicatorTermsAgree(t *testing.T) {
	c, _, _ := corpusCatalog(t)
	has := func(r *catalog.Rule, kind, value string) bool {
		for _, st := range r.ValueStats() {
			if st != nil && (kind == "" || st.Kind == kind) && strings.Contains(st.Key.Value, value) {
				return true
			}
		}
		return false
	}
	for _, tt := range []struct {
		base        string // the terms before
		kind, value string
		negated     bool
	}{
		{"lang:chronicle", "", "exe", false},    // 886 rules: their own indicators
		{"lang:chronicle", "", "exe", true},     //
		{"lang:sigma", "", "exe", false},        // 4,041 rules: the indicators' rules
		{"lang:sigma", "", "exe", true},         //
		{"technique:T1003", "regex", "", false}, // a few hundred
		{"lang:panther", "eq", "a", true},       // a broad value, a kind and a negation
		{"-value:a -value:e -value:i", "", "o", true},
	} {
		base := findAll(t, c, tt.base)
		term := "value:" + tt.value
		if tt.value == "" {
			term = ""
		}
		if tt.kind != "" {
			term = strings.TrimSpace("kind:" + tt.kind + " " + term)
		}
		q := tt.base + " " + term
		if tt.negated {
			q = tt.base + " -" + strings.ReplaceAll(term, " ", " -")
		}
		want := 0
		for r := range base {
			match := has(r, tt.kind, tt.value)
			if tt.negated && tt.kind != "" && tt.value != "" {
				// -kind:k -value:v: neither a value of kind k nor one containing v.
				match = has(r, tt.kind, "") || has(r, "", tt.value)
			}
			if match != tt.negated {
				want++
			}
		}
		got := findAll(t, c, q)
		if len(got) != want || want == 0 {
			t.Errorf("%q: %d rules, a scan of the %d rules of %q finds %d", q, len(got), len(base), tt.base, want)
		}
	}
}

// TestCorpusStoreRoundTrip loads the stored catalog back: the catalogs
// agree. (BenchmarkRebuildUnchanged measures a rebuild with nothing
// changed; TestBuildIncremental checks what rebuilds read.)
func TestCorpusStoreRoundTrip(t *testing.T) {
	c, _, dir := corpusCatalog(t)
	loaded, err := catalog.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded.Rules) != len(c.Rules) || len(loaded.Indicators) != len(c.Indicators) {
		t.Fatalf("loaded %d rules %d indicators, built %d %d", len(loaded.Rules), len(loaded.Indicators), len(c.Rules), len(c.Indicators))
	}
	ids := func(cat *catalog.Catalog) []string {
		var out []string
		for _, r := range cat.Rules {
			out = append(out, r.ID)
		}
		sort.Strings(out)
		return out
	}
	a, b := ids(c), ids(loaded)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("id %d: %s vs %s", i, a[i], b[i])
		}
	}
	for _, want := range corpusIndicators {
		x, _ := c.IndicatorByKey(want.key)
		y, _ := loaded.IndicatorByKey(want.key)
		if x == nil || y == nil || x.Total != y.Total {
			t.Errorf("%v: built %v, loaded %v", want.key, x, y)
		}
	}
}
