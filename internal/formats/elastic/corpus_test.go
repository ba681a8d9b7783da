package elastic

import (
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/cputime"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

// loadCorpus reads every TOML file of the elastic/detection-rules corpus
// with the reader that detects it.
func loadCorpus(tb testing.TB) (files []*formats.File, root string) {
	tb.Helper()
	root = sharedtest.Corpus(tb, "elastic-detection-rules")
	list, diags := formats.List([]string{root})
	if len(diags) > 0 {
		tb.Fatalf("listing the corpus: %v", diags)
	}
	for _, f := range list {
		if f.Ext() != ".toml" {
			continue
		}
		data, err := os.ReadFile(f.Abs)
		if err != nil {
			tb.Fatal(err)
		}
		f.Data = data
		files = append(files, f)
	}
	return files, root
}

func readerFor(f *formats.File) formats.Reader {
	if New().Detect(f) {
		return New()
	}
	if NewHunt().Detect(f) {
		return NewHunt()
	}
	return nil
}

// parseFailure is a query that does not parse, and why that is expected.
type parseFailure struct {
	path   string
	reason string
}

// knownFailures are the corpus queries that do not parse: each is a real
// error in the rule (see docs/lang-elastic.md, "Corpus").
var knownFailures = []parseFailure{
	{"hunting/aws/queries/servicequotas_discovery_multi_region_get_service_quota_calls.toml", "ES|QL: `=` where `==` is meant"},
	{"hunting/azure/queries/aks_kubelet_proxy_command_execution_from_external_source.toml", `ES|QL: \? and \. escapes in a "..." string (ES|QL allows only \t \n \r \" \\)`},
	{"hunting/azure/queries/entra_authentication_attempts_behind_rare_user_agents.toml", "ES|QL: a dangling `or` before `)`"},
	{"hunting/okta/queries/credential_access_rapid_reset_password_requests_for_different_users.toml", "ES|QL: `reset_counts = by ...`, an aggregation is missing"},
	{"hunting/windows/queries/execution_via_windows_scheduled_task_with_low_occurrence_frequency.toml", "ES|QL: `now(-)`, an argument is missing"},
}

// TestCorpus reads every file of the corpus and counts the queries per
// language and those that do not parse; the figures are those of
// docs/lang-elastic.md.
func TestCorpus(t *testing.T) {
	files, fileDocs := readCorpus(t)
	type count struct{ queries, failed int }
	counts := map[string]*count{}
	kinds := map[string]int{}
	var failed []string
	docs := 0
	for i, f := range files {
		if readerFor(f) == nil {
			t.Errorf("%s: no reader detects it", f.Path)
			continue
		}
		for _, d := range fileDocs[i] {
			docs++
			kinds[d.Format+"/"+d.Kind]++
			for _, dg := range d.Analysis.Diagnostics {
				if strings.HasPrefix(dg.Code, "READ07") && dg.Code != CodeFenceLine {
					t.Errorf("%s: %s", f.Path, dg)
				}
				if dg.Code == "READ0002" {
					t.Errorf("%s: reader panic: %s", f.Path, dg.Message)
				}
			}
			// Every query of the document (hunts have several).
			queries := []rule.Variant{{QueryLanguage: d.QueryLanguage, Query: d.Query}}
			queries = append(queries, d.Variants...)
			hasErr := false
			for _, dg := range d.Analysis.Diagnostics {
				if dg.IsError() {
					hasErr = true
				}
			}
			for _, q := range queries {
				if q.Query == "" || q.QueryLanguage == LangSQL {
					continue
				}
				c := counts[q.QueryLanguage]
				if c == nil {
					c = &count{}
					counts[q.QueryLanguage] = c
				}
				c.queries++
				if !parses(q) {
					c.failed++
					failed = append(failed, f.Path)
					hasErr = false
				}
			}
			if hasErr {
				t.Errorf("%s: error diagnostics but every query parses: %v", f.Path, d.Analysis.Diagnostics)
			}
		}
	}
	total, bad := 0, 0
	for lang, c := range counts {
		t.Logf("%-7s %5d queries, %d do not parse", lang, c.queries, c.failed)
		total += c.queries
		bad += c.failed
	}
	t.Logf("all     %5d queries, %d do not parse (%.2f%% parse); %d documents from %d files", total, bad, 100*float64(total-bad)/float64(total), docs, len(files))
	keys := make([]string, 0, len(kinds))
	for k := range kinds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%-30s %d", k, kinds[k])
	}

	// The figures of docs/lang-elastic.md.
	want := map[string]count{
		LangEQL:    {1094, 0},
		LangKuery:  {792, 0},
		LangLucene: {1, 0},
		LangESQL:   {377, 5},
	}
	for lang, w := range want {
		got := counts[lang]
		if got == nil || *got != w {
			t.Errorf("%s: got %+v, want %+v", lang, got, w)
		}
	}
	if len(files) != 2332 || docs != 2332 {
		t.Errorf("files = %d, documents = %d, want 2332 each", len(files), docs)
	}
	if 100*(total-bad) < 99*total {
		t.Errorf("only %d of %d queries parse; at least 99%% must", total-bad, total)
	}
	sort.Strings(failed)
	failed = uniq(failed)
	var known []string
	for _, k := range knownFailures {
		known = append(known, k.path)
	}
	sort.Strings(known)
	if strings.Join(failed, "\n") != strings.Join(known, "\n") {
		t.Errorf("queries that do not parse:\n%s\nwant (knownFailures):\n%s", strings.Join(failed, "\n"), strings.Join(known, "\n"))
	}
}

func uniq(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// parses reports whether one query parses without error in its language.
func parses(q rule.Variant) bool {
	var n int
	switch q.QueryLanguage {
	case LangEQL:
		_, errs := eqlParse(q.Query)
		n = errs
	case LangKuery:
		n = kueryParse(q.Query)
	case LangLucene:
		n = luceneParse(q.Query)
	case LangESQL:
		n = esqlParse(q.Query)
	}
	return n == 0
}

// BenchmarkReadAll reads and explains every rule and hunt of the corpus, on
// one goroutine (run with -cpu 1 for one core).
func BenchmarkReadAll(b *testing.B) {
	files, _ := loadCorpus(b)
	env := &formats.Env{Attack: attack.Default()}
	var size int64
	for _, f := range files {
		size += int64(len(f.Data))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	cpu0 := cputime.Now()
	n := 0
	for b.Loop() {
		for _, f := range files {
			formats.ReadFile(readerFor(f), f, env)
		}
		n++
	}
	// CPU time per op is the figure to compare with the target on a busy
	// machine, where wall-clock time also counts other processes.
	b.ReportMetric(float64(cputime.Now()-cpu0)/float64(n), "cpu-ns/op")
	b.ReportMetric(float64(len(files)), "files/op")
}

var (
	corpusOnce  sync.Once
	corpusFiles []*formats.File
	corpusDocs  [][]*rule.Document
)

// readCorpus reads the corpus once for the tests that share it: the files
// and the documents of each.
func readCorpus(t *testing.T) ([]*formats.File, [][]*rule.Document) {
	t.Helper()
	sharedtest.Corpus(t, "elastic-detection-rules") // skip (or fail under CI) when absent
	corpusOnce.Do(func() {
		corpusFiles, _ = loadCorpus(t)
		env := &formats.Env{Attack: attack.Default()}
		for _, f := range corpusFiles {
			var docs []*rule.Document
			if r := readerFor(f); r != nil {
				docs = formats.ReadFile(r, f, env)
			}
			corpusDocs = append(corpusDocs, docs)
		}
	})
	return corpusFiles, corpusDocs
}

// TestCorpusRoundTrip prints every query of the corpus that parses and
// checks that the print parses and prints the same (the printers are
// canonical and lose nothing the parsers read).
func TestCorpusRoundTrip(t *testing.T) {
	files, docs := readCorpus(t)
	n := 0
	for i, f := range files {
		for _, d := range docs[i] {
			queries := append([]rule.Variant{{QueryLanguage: d.QueryLanguage, Query: d.Query}}, d.Variants...)
			for _, q := range queries {
				first, second, ok := reprint(q.QueryLanguage, q.Query)
				if !ok {
					continue
				}
				n++
				if first != second {
					t.Errorf("%s: print not stable:\n%s\n----\n%s", f.Path, first, second)
				}
			}
		}
	}
	if n < 2200 {
		t.Errorf("only %d queries round-tripped", n)
	}
}

// BenchmarkParseQueries parses every query of the corpus, per language
// (the queries are taken from the documents the reader made).
func BenchmarkParseQueries(b *testing.B) {
	files, _ := loadCorpus(b)
	env := &formats.Env{Attack: attack.Default()}
	byLang := map[string][]string{}
	for _, f := range files {
		for _, d := range formats.ReadFile(readerFor(f), f, env) {
			for _, q := range append([]rule.Variant{{QueryLanguage: d.QueryLanguage, Query: d.Query}}, d.Variants...) {
				if q.Query != "" {
					byLang[q.QueryLanguage] = append(byLang[q.QueryLanguage], q.Query)
				}
			}
		}
	}
	for _, lang := range []string{LangEQL, LangKuery, LangESQL, LangLucene} {
		qs := byLang[lang]
		b.Run(lang, func(b *testing.B) {
			var size int64
			for _, q := range qs {
				size += int64(len(q))
			}
			b.SetBytes(size)
			b.ReportAllocs()
			cpu0 := cputime.Now()
			n := 0
			for b.Loop() {
				for _, q := range qs {
					parses(rule.Variant{QueryLanguage: lang, Query: q})
				}
				n++
			}
			b.ReportMetric(float64(cputime.Now()-cpu0)/float64(n), "cpu-ns/op")
			b.ReportMetric(float64(len(qs)), "queries/op")
		})
	}
}
