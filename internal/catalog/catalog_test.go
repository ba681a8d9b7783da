package catalog_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/catalog/catalogtest"
	"github.com/detwiki/detwiki/internal/rule"
)

func fixture(t testing.TB) *catalog.Catalog {
	t.Helper()
	return catalog.New(catalogtest.Documents(), catalog.Info{}, nil)
}

func mustRule(t *testing.T, c *catalog.Catalog, id string) *catalog.Rule {
	t.Helper()
	r, ok := c.Rule(id)
	if !ok {
		var ids []string
		for _, r := range c.Rules {
			ids = append(ids, r.ID)
		}
		t.Fatalf("no rule %s; have %v", id, ids)
	}
	return r
}

func corpusOf(t *testing.T, r *catalog.Rule, field, value string) *rule.Corpus {
	t.Helper()
	for _, ind := range r.Analysis.Indicators {
		if ind.Field != field {
			continue
		}
		for _, v := range ind.Values {
			if v.Value == value {
				if v.Corpus == nil {
					t.Fatalf("%s: %s %s has no corpus count", r.ID, field, value)
				}
				return v.Corpus
			}
		}
	}
	t.Fatalf("%s: no indicator %s = %s", r.ID, field, value)
	return nil
}

func TestCorpusCounts(t *testing.T) {
	c := fixture(t)
	mmc := mustRule(t, c, catalogtest.MMCInjection)
	got := corpusOf(t, mmc, "InitiatingProcessFileName", "mmc.exe")
	// mmc.exe as the parent process name: the two Defender injection rules,
	// the Sentinel rule, Elastic, Splunk, and Sigma's path suffix
	// ParentImage|endswith '\mmc.exe' (counted under the file name).
	want := map[string]int{"kusto": 3, "elastic": 1, "splunk": 1, "sigma": 1}
	if got.Total != 6 || !mapsEqual(got.ByLanguage, want) {
		t.Errorf("mmc.exe corpus = %d %v, want 6 %v", got.Total, got.ByLanguage, want)
	}
	// eq and in share a class: process.name in (cmd.exe, ...) counts with eq.
	splunk := mustRule(t, c, catalogtest.SplunkMMCChild)
	if got := corpusOf(t, splunk, "Processes.process_name", "cmd.exe"); got.Total != 4 {
		t.Errorf("cmd.exe corpus = %d, want 4 (kusto, elastic, splunk, sigma)", got.Total)
	}
	// Unique indicators count 1; exclusions carry no count.
	narrow := mustRule(t, c, catalogtest.MMCInjectionNarrow)
	if got := corpusOf(t, narrow, "FileName", "lsass.exe"); got.Total != 1 {
		t.Errorf("lsass.exe corpus = %d, want 1", got.Total)
	}
	sig := mustRule(t, c, catalogtest.SigmaMMCChild)
	for _, ex := range sig.Analysis.Exclusions {
		for _, v := range ex.Values {
			if v.Corpus != nil {
				t.Errorf("exclusion %s has a corpus count", ex.Field)
			}
		}
	}
	// The JSON form carries the counts.
	b, _ := json.Marshal(mmc.Document)
	if !strings.Contains(string(b), `"corpus":{"total":6,"by_language":{"elastic":1,"kusto":3,"sigma":1,"splunk":1}}`) {
		t.Errorf("document JSON lacks the corpus count: %s", b)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestIDsAreUniqueAndDeterministic(t *testing.T) {
	c := fixture(t)
	a := mustRule(t, c, catalogtest.Duplicate)
	b := mustRule(t, c, catalogtest.Duplicate2)
	if a.Source.Repo != "repo-a" || b.Source.Repo != "repo-b" {
		t.Errorf("dup ids: %s from %s, %s from %s", a.ID, a.Source.Repo, b.ID, b.Source.Repo)
	}
	if _, ok := c.Rule(catalogtest.SharedDuplicate); ok {
		t.Errorf("a rule kept the shared id %s", catalogtest.SharedDuplicate)
	}
	if s, ok := c.SharedID(catalogtest.SharedDuplicate); !ok || len(s.Rules) != 2 || s.Rules[0] != a || s.Rules[1] != b {
		t.Errorf("shared id %s = %+v", catalogtest.SharedDuplicate, s)
	}
	// The same documents in another order get the same ids.
	docs := catalogtest.Documents()
	slices.Reverse(docs)
	c2 := catalog.New(docs, catalog.Info{}, nil)
	for _, r := range c.Rules {
		r2, ok := c2.Rule(r.ID)
		if !ok || r2.Source != r.Source {
			t.Errorf("id %s: %v vs %v", r.ID, r.Source, r2)
		}
	}
	seen := map[string]bool{}
	for _, r := range c.Rules {
		if seen[r.ID] {
			t.Errorf("duplicate id %s", r.ID)
		}
		seen[r.ID] = true
	}
}

func TestNeighbours(t *testing.T) {
	c := fixture(t)
	mmc := mustRule(t, c, catalogtest.MMCInjection)
	narrow := mustRule(t, c, catalogtest.MMCInjectionNarrow)
	if mmc.Neighbours.NarrowerTotal != 1 || mmc.Neighbours.Narrower[0].ID != narrow.ID {
		t.Fatalf("mmc narrower = %+v", mmc.Neighbours.Narrower)
	}
	diff := mmc.Neighbours.Narrower[0].Diff
	if len(diff) != 1 || diff[0].Field != "process.name" || diff[0].Value != "lsass.exe" {
		t.Errorf("narrower diff = %+v, want process.name lsass.exe", diff)
	}
	if narrow.Neighbours.BroaderTotal != 1 || narrow.Neighbours.Broader[0].ID != mmc.ID {
		t.Errorf("narrow broader = %+v", narrow.Neighbours.Broader)
	}
	// The two duplicates only test EventID (a discriminator): no neighbours.
	dup := mustRule(t, c, catalogtest.Duplicate)
	if dup.Neighbours.SameTotal != 0 {
		t.Errorf("dup same = %+v", dup.Neighbours.Same)
	}
}

func TestSameAction(t *testing.T) {
	c := fixture(t)
	k := mustRule(t, c, catalogtest.KustoMMCChild)
	var ids []string
	for _, r := range k.SameAction {
		ids = append(ids, r.ID)
	}
	for _, want := range []string{catalogtest.ElasticMMCChild, catalogtest.SplunkMMCChild} {
		if !slices.Contains(ids, want) {
			t.Errorf("same action of %s = %v, lacks %s", k.ID, ids, want)
		}
	}
	// Elastic and Splunk share the parent and all three children: first.
	if len(k.SameAction) == 0 || len(k.SameAction[0].Diff) != 4 {
		t.Errorf("closest same-action rule = %+v", k.SameAction)
	}
	// The injection rules read another event class.
	if slices.Contains(ids, catalogtest.MMCInjection) {
		t.Errorf("same action lists the injection rule: %v", ids)
	}
}

func TestEventsAndPatterns(t *testing.T) {
	c := fixture(t)
	e, ok := c.EventOf("sysmon", "1")
	if !ok {
		t.Fatal("no Sysmon/1 event")
	}
	if len(e.Rules) != 2 {
		t.Errorf("Sysmon/1 direct rules = %d, want 2 (sigma, splunk)", len(e.Rules))
	}
	if e.Slug != "Sysmon/1" || e.Class != "process_creation" {
		t.Errorf("event = %+v", e)
	}
	var eq []string
	for _, o := range e.Equivalents {
		eq = append(eq, o.Provider+"/"+o.Event)
	}
	if !slices.Contains(eq, "Security/4688") || !slices.Contains(eq, "Defender-DeviceProcessEvents/ProcessCreated") {
		t.Errorf("equivalents = %v", eq)
	}
	if len(e.Fields) == 0 || len(e.Indicators) == 0 {
		t.Errorf("event fields %v indicators %v", e.Fields, e.Indicators)
	}
	if len(c.Patterns) == 0 || len(c.Patterns[0].Rules) < 2 {
		t.Errorf("patterns = %+v", c.Patterns)
	}
	// The third-party feed reads no event and counts in no pattern.
	feed := mustRule(t, c, catalogtest.Feed)
	if feed.Pattern != nil {
		t.Error("feed has a pattern")
	}
}

func TestFind(t *testing.T) {
	c := fixture(t)
	ids := func(f catalog.Filter) []string {
		t.Helper()
		res, err := c.Find(f)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		var out []string
		for _, h := range res.Hits {
			out = append(out, h.Rule.ID)
		}
		slices.Sort(out)
		return out
	}
	tests := []struct {
		name string
		f    catalog.Filter
		want []string
	}{
		{"structured indicator across languages", catalog.Filter{Q: "field:InitiatingProcessFileName kind:eq value:mmc"},
			[]string{catalogtest.ElasticMMCChild, catalogtest.MMCInjection, catalogtest.KustoMMCChild, catalogtest.MMCInjectionNarrow, catalogtest.SigmaMMCChild, catalogtest.SplunkMMCChild}},
		{"canonical field", catalog.Filter{Q: "field:process.name value:=lsass.exe"}, []string{catalogtest.MMCInjectionNarrow}},
		{"kind and value on one indicator", catalog.Filter{Q: "kind:regex value:mmc"}, []string{"chronicle/mmc_spawning_script_host"}},
		{"kind excludes other kinds", catalog.Filter{Q: "kind:contains value:mmc"}, nil},
		{"lang and technique", catalog.Filter{Q: "lang:sigma technique:T1218"}, []string{catalogtest.SigmaMMCChild}},
		{"event with equivalents", catalog.Filter{Q: "event:sysmon/1 lang:kusto"}, []string{catalogtest.Duplicate, catalogtest.Duplicate2, catalogtest.KustoMMCChild}},
		{"event class", catalog.Filter{Q: "event:create_remote_thread"}, []string{catalogtest.MMCInjection, catalogtest.MMCInjectionNarrow}},
		{"table", catalog.Filter{Q: "table:DeviceProcessEvents"}, []string{catalogtest.KustoMMCChild}},
		{"free text words", catalog.Filter{Q: "mmc.exe lsass"}, []string{catalogtest.MMCInjectionNarrow}},
		{"negated word", catalog.Filter{Q: "mmc.exe -lsass"},
			[]string{catalogtest.ElasticMMCChild, catalogtest.MMCInjection, catalogtest.KustoMMCChild, catalogtest.SigmaMMCChild, catalogtest.SplunkMMCChild}},
		{"negated phrase", catalog.Filter{Q: `technique:T1218 -"script host"`}, []string{catalogtest.MMCInjection, "chronicle/mmc_spawning_script_host"}},
		{"negation", catalog.Filter{Q: "mmc.exe -lang:kusto"}, []string{catalogtest.ElasticMMCChild, catalogtest.SigmaMMCChild, catalogtest.SplunkMMCChild}},
		{"feeds are searchable", catalog.Filter{Q: "vendor"}, []string{catalogtest.Feed}},
		{"is:feed", catalog.Filter{Q: "is:feed"}, []string{catalogtest.Feed}},
		{"browse filters", catalog.Filter{Filters: map[string][]string{"lang": {"kusto"}, "tactic": {"Defense Evasion"}}},
			[]string{catalogtest.MMCInjection, catalogtest.KustoMMCChild, catalogtest.MMCInjectionNarrow}},
		{"filter values are alternatives", catalog.Filter{Filters: map[string][]string{"lang": {"elastic", "splunk"}}},
			[]string{catalogtest.ElasticMMCChild, catalogtest.SplunkMMCChild}},
		{"technique parent includes sub-techniques", catalog.Filter{Filters: map[string][]string{"technique": {"t1059"}, "lang": {"elastic"}}},
			[]string{catalogtest.ElasticMMCChild}},
		{"windows path word", catalog.Filter{Q: `"\mmc.exe"`}, []string{catalogtest.SigmaMMCChild}},
		{"regex text is searched as written", catalog.Filter{Q: `mmc\.exe`}, []string{"chronicle/mmc_spawning_script_host"}},
		{"author, any case", catalog.Filter{Q: "author:falconFORCE"}, []string{catalogtest.MMCInjection}},
		{"id prefix", catalog.Filter{Q: "id:Sigma/proc_"}, []string{catalogtest.SigmaMMCChild}},
		{"negated id and author", catalog.Filter{Q: "lang:sigma -id:sigma/proc -author:detwiki"}, []string{catalogtest.Hostile}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slices.Sort(tt.want)
			if got := ids(tt.f); !slices.Equal(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
	// Browse without a query leaves third-party feeds out.
	all := ids(catalog.Filter{PerPage: 500})
	if slices.Contains(all, catalogtest.Feed) {
		t.Error("browse lists the third-party feed")
	}
	if len(all) != len(c.Rules)-1 {
		t.Errorf("browse lists %d rules, want %d", len(all), len(c.Rules)-1)
	}
}

func TestFindPagingSortingFacets(t *testing.T) {
	c := fixture(t)
	res, err := c.Find(catalog.Filter{Sort: "title", PerPage: 3, Page: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != len(c.Rules)-1 || len(res.Hits) != 3 || res.Pages != (res.Total+2)/3 {
		t.Errorf("total %d hits %d pages %d", res.Total, len(res.Hits), res.Pages)
	}
	first, _ := c.Find(catalog.Filter{Sort: "title", PerPage: 500})
	if res.Hits[0].Rule != first.Hits[3].Rule {
		t.Error("page 2 does not start with the 4th rule")
	}
	desc, _ := c.Find(catalog.Filter{Sort: "title", Desc: true, PerPage: 500})
	if desc.Hits[0].Rule != first.Hits[len(first.Hits)-1].Rule {
		t.Error("descending order is not the reverse")
	}
	sev, _ := c.Find(catalog.Filter{Sort: "severity", PerPage: 500})
	if s := strings.ToLower(sev.Hits[0].Rule.Severity); s != "high" {
		t.Errorf("first by severity is %q", s)
	}
	var lang *catalog.Facet
	for i := range first.Facets {
		if first.Facets[i].Key == "lang" {
			lang = &first.Facets[i]
		}
	}
	if lang == nil || lang.Values[0].Value != "kusto" || lang.Values[0].Count != 5 {
		t.Errorf("language facet = %+v", lang)
	}
	// Relevance: a title match ranks first.
	rel, _ := c.Find(catalog.Filter{Q: "lsass"})
	if rel.Sort != "relevance" || len(rel.Hits) == 0 || !strings.Contains(strings.ToLower(rel.Hits[0].Rule.Title), "lsass") {
		t.Errorf("relevance: %+v", rel.Hits)
	}
	if rel.Hits[0].Snippet == "" && rel.Hits[0].Rule.Description != "" {
		t.Errorf("no snippet for %s", rel.Hits[0].Rule.ID)
	}
}

func TestParseQuery(t *testing.T) {
	q, err := catalog.ParseQuery(`field:CommandLine kind:contains value:"C:\Windows\Temp" lang:sigma technique:T1003 table:DeviceProcessEvents event:sysmon/1 -source:x c:\windows "two words" unknown:key`)
	if err != nil {
		t.Fatal(err)
	}
	wantTerms := []catalog.Term{
		{Key: "field", Value: "CommandLine"}, {Key: "kind", Value: "contains"}, {Key: "value", Value: `C:\Windows\Temp`},
		{Key: "lang", Value: "sigma"}, {Key: "technique", Value: "T1003"}, {Key: "table", Value: "DeviceProcessEvents"},
		{Key: "event", Value: "sysmon/1"}, {Key: "source", Value: "x", Negated: true},
	}
	if !slices.Equal(q.Terms, wantTerms) {
		t.Errorf("terms = %+v", q.Terms)
	}
	if want := []string{`c:\windows`, "two words", "unknown:key"}; !slices.Equal(q.Words, want) {
		t.Errorf("words = %q, want %q", q.Words, want)
	}
	for _, bad := range []string{strings.Repeat("a", catalog.MaxQueryLen+1), strings.Repeat("a ", catalog.MaxQueryTerms+1)} {
		if _, err := catalog.ParseQuery(bad); !errors.Is(err, catalog.ErrQueryTooLong) {
			t.Errorf("query of %d bytes: err = %v", len(bad), err)
		}
	}
	q, err = catalog.ParseQuery(`mmc -lsass -"two words" -`)
	if err != nil || !slices.Equal(q.Words, []string{"mmc", "-"}) || !slices.Equal(q.NotWords, []string{"lsass", "two words"}) {
		t.Errorf("negated words: %q %q %v", q.Words, q.NotWords, err)
	}
	if s := q.String(); s != `mmc - -lsass -"two words"` {
		t.Errorf("negated words printed as %s", s)
	}
	if _, err := catalog.ParseQuery("kind:likeish"); err == nil || !strings.Contains(err.Error(), "unknown kind") {
		t.Errorf("unknown kind: %v", err)
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{`field:CommandLine kind:contains value:lsass lang:sigma technique:T1003`, `"unterminated`, `-`, `-"x"`, `value:""`, `a:b:c`, "\x00\xff"} {
		f.Add(s)
	}
	c := catalog.New(catalogtest.Documents(), catalog.Info{}, nil)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := catalog.ParseQuery(s)
		if err != nil {
			return
		}
		if _, err := catalog.ParseQuery(q.String()); err != nil && len(q.String()) <= catalog.MaxQueryLen {
			t.Errorf("reprint %q of %q: %v", q.String(), s, err)
		}
		if _, err := c.Find(catalog.Filter{Q: s}); err != nil {
			t.Errorf("Find(%q): %v", s, err)
		}
	})
}

func TestMatrixAndLayer(t *testing.T) {
	c := fixture(t)
	m := c.Matrix(catalog.MatrixFilter{})
	cell := func(m *catalog.Matrix, tactic, technique string) (catalog.MatrixCell, bool) {
		for _, ta := range m.Tactics {
			if ta.ID != tactic {
				continue
			}
			for _, te := range ta.Techniques {
				if te.ID == technique {
					return te, true
				}
			}
		}
		return catalog.MatrixCell{}, false
	}
	// T1218 under Defense Evasion: the Sentinel rule, Sigma, Splunk, the
	// FalconFriday rule and Chronicle (whose named tactic, Execution, is not
	// one of T1218.014's, so ATT&CK's own tactic is used) map T1218.014.
	te, ok := cell(m, "TA0005", "T1218")
	if !ok || te.Count != 5 {
		t.Errorf("T1218 in TA0005 = %+v, want 5 rules", te)
	}
	var sub int
	for _, s := range te.Subs {
		if s.ID == "T1218.014" {
			sub = s.Count
		}
	}
	if sub != 5 {
		t.Errorf("T1218.014 = %d", sub)
	}
	sig := c.Matrix(catalog.MatrixFilter{Languages: []string{"sigma"}})
	if te, _ := cell(sig, "TA0005", "T1218"); te.Count != 1 {
		t.Errorf("sigma T1218 = %d", te.Count)
	}
	if m.Max < 5 || m.Rules == 0 {
		t.Errorf("matrix max %d rules %d", m.Max, m.Rules)
	}
	// The third-party feed maps T1059 but does not count.
	if te, _ := cell(m, "TA0002", "T1059"); te.Count != 5 {
		t.Errorf("T1059 in execution = %d, want 5 (elastic, sigma, hostile, two duplicates)", te.Count)
	}

	l := c.Layer(catalog.LayerOptions{RuleURL: func(id string) string { return "https://wiki.example/rules/" + id }})
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	json.Unmarshal(b, &generic)
	versions := generic["versions"].(map[string]any)
	if versions["layer"] != "4.5" || generic["domain"] != "enterprise-attack" || versions["attack"] != "18" {
		t.Errorf("layer header: %v %v", versions, generic["domain"])
	}
	var found bool
	for _, te := range l.Techniques {
		if te.TechniqueID == "T1218.014" && te.Tactic == "defense-evasion" {
			found = true
			if te.Score != 5 || len(te.Links) != 5 || len(te.Metadata) != 5 || !strings.HasPrefix(te.Links[0].URL, "https://wiki.example/rules/") {
				t.Errorf("T1218.014 entry = %+v", te)
			}
		}
	}
	if !found {
		t.Error("layer lacks T1218.014 under defense-evasion")
	}
}

func TestCoverage(t *testing.T) {
	c := fixture(t)
	cov := c.Coverage(catalog.MatrixFilter{})
	var row *catalog.CoverageRow
	for _, cl := range cov.Classes {
		for i := range cl.Rows {
			if cl.Rows[i].Key == "Sysmon/1" {
				row = &cl.Rows[i]
			}
		}
	}
	if row == nil {
		t.Fatal("no Sysmon/1 row")
	}
	for _, cell := range row.Cells {
		switch cell.Language {
		case "sigma", "splunk":
			if cell.Direct != 1 {
				t.Errorf("%s direct = %d", cell.Language, cell.Direct)
			}
		case "kusto":
			// Kusto has no Sysmon rule but reads Security 4688 and the
			// Defender process events: its native equivalents.
			if cell.Direct != 0 || !slices.Contains(cell.NativeKeys, "Security/4688") || !slices.Contains(cell.NativeKeys, "Defender-DeviceProcessEvents/ProcessCreated") {
				t.Errorf("kusto cell = %+v", cell)
			}
		}
	}
}

func TestPageKey(t *testing.T) {
	tests := map[string]string{
		"process.name": "process.name",
		"Sysmon":       "Sysmon",
		"":             "_",
		"..":           "x-",
		`C:\Windows`:   "C-Windows-",
		"a/b":          "a-b-",
	}
	for in, prefix := range tests {
		got := catalog.PageKey(in)
		if !strings.HasPrefix(got, prefix) || strings.ContainsAny(got, `/\`) || got == ".." || got == "." {
			t.Errorf("PageKey(%q) = %q", in, got)
		}
	}
	if catalog.PageKey("a b") == catalog.PageKey("a-b") {
		t.Error("different names share a key")
	}
	long := strings.Repeat("x", 500)
	if len(catalog.PageKey(long)) > 80 {
		t.Error("long key not shortened")
	}
}

// TestFindMatchedPredicates: a hit of field:/kind:/value: terms lists the
// rule's indicators that match them (whatever the language calls the
// field), and only those.
func TestFindMatchedPredicates(t *testing.T) {
	c := fixture(t)
	for _, tt := range []struct {
		q             string
		field, substr string
		hits          int
	}{
		{"field:InitiatingProcessFileName value:mmc", "process.parent.name", "mmc", 6},
		{"field:process.name value:=lsass.exe", "process.name", "lsass.exe", 1},
		{"kind:regex value:mmc", "", "mmc", 1},
	} {
		res, err := c.Find(catalog.Filter{Q: tt.q})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) != tt.hits {
			t.Errorf("%s: %d hits, want %d", tt.q, len(res.Hits), tt.hits)
		}
		for _, h := range res.Hits {
			if len(h.Matched) == 0 {
				t.Errorf("%s: %s has no matched predicate", tt.q, h.Rule.ID)
			}
			for _, p := range h.Matched {
				if tt.field != "" && p.FieldKey != tt.field || !strings.Contains(strings.ToLower(p.Value), tt.substr) {
					t.Errorf("%s: %s matched %+v", tt.q, h.Rule.ID, p)
				}
			}
		}
	}
	// Negated indicator terms and other terms match no predicate.
	res, _ := c.Find(catalog.Filter{Q: "mmc.exe -value:lsass"})
	for _, h := range res.Hits {
		if len(h.Matched) != 0 {
			t.Errorf("mmc.exe -value:lsass: %s matched %+v", h.Rule.ID, h.Matched)
		}
	}
}
