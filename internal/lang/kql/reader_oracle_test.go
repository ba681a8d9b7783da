package kql_test

import (
	"strings"
	"testing"

	_ "github.com/detwiki/detwiki/internal/formats/all"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/lang/kql"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

// TestReaderQueriesAgainstOracle closes the loop between the recorded
// verdicts and what detwiki itself extracts: every query the Kusto readers
// take from the corpora (Sentinel YAML, FalconFriday and Defender markdown,
// .txt/.kql files split into their queries) is compared with Microsoft's
// parser, from the recorded verdicts when the query is among them, else by
// running the oracle on it. Every verdict must agree.
func TestReaderQueriesAgainstOracle(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the Kusto corpora and runs node")
	}
	var paths []string
	for _, c := range []string{"Azure-Sentinel", "FalconFriday", "Microsoft-365-Defender-Hunting-Queries"} {
		paths = append(paths, sharedtest.Corpus(t, c))
	}
	res, err := formats.Read(paths, formats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string]bool{}
	for _, v := range kql.LoadVerdictsForTest(t) {
		recorded[strings.TrimSpace(v.Query)] = v.OK
	}
	type query struct{ path, text string }
	var all, live []query
	seen := map[string]bool{}
	for _, d := range res.Documents {
		q := strings.TrimSpace(d.Query)
		if d.Language != rule.LangKusto || q == "" || seen[q] {
			continue
		}
		seen[q] = true
		all = append(all, query{d.Source.Path, q})
		if _, ok := recorded[q]; !ok {
			live = append(live, query{d.Source.Path, q})
		}
	}
	if len(all) < 2400 {
		t.Fatalf("the readers extracted only %d distinct Kusto queries", len(all))
	}
	texts := make([]string, len(live))
	for i, q := range live {
		texts[i] = q.text
	}
	oracle := map[string]bool{}
	for i, r := range kql.RunOracleForTest(t, texts) {
		oracle[texts[i]] = r.OK
	}
	agree := 0
	for _, q := range all {
		want, ok := recorded[q.text]
		if !ok {
			want = oracle[q.text]
		}
		_, errs := kql.Parse(q.text)
		if (len(errs) == 0) == want {
			agree++
			continue
		}
		first := "no error"
		if len(errs) > 0 {
			first = errs[0].Error()
		}
		t.Errorf("%s: oracle ok=%v, ours %s\n%s", q.path, want, first, q.text)
	}
	t.Logf("%d distinct queries extracted by the readers, %d of them not among the recorded verdicts (run through the oracle); %d agree",
		len(all), len(live), agree)
	if len(live) == 0 {
		t.Error("every extracted query is among the recorded verdicts: the live part of this test checks nothing")
	}
}
