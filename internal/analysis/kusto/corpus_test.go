package kusto_test

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/analysis/kusto"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/sharedtest"
	"github.com/detwiki/detwiki/internal/source"
)

// kustoCorpora are the shared corpora of Kusto rules.
var kustoCorpora = []string{"Azure-Sentinel", "FalconFriday", "Microsoft-365-Defender-Hunting-Queries"}

// readKusto reads the Kusto corpora the way a build does (every registered
// reader, the KQL analysis, then the schema pass) and returns the Kusto
// documents.
func readKusto(tb testing.TB) []*rule.Document {
	tb.Helper()
	var paths []string
	for _, c := range kustoCorpora {
		paths = append(paths, sharedtest.Corpus(tb, c))
	}
	res, err := formats.Read(paths, formats.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	var out []*rule.Document
	for _, d := range res.Documents {
		if d.Language == rule.LangKusto {
			out = append(out, d)
		}
	}
	return out
}

// isDetection reports the documents the indicator share is counted on:
// rules that run as detections (not hunting queries, not retired), with a
// query, that are not third-party feeds (a feed forwards another product's
// alerts and may filter nothing).
func isDetection(d *rule.Document) bool {
	return strings.TrimSpace(d.Query) != "" && d.Kind != "hunting" && !d.Deprecated && !d.ThirdPartyFeed
}

// TestCorpus analyses every Kusto rule of the corpora: no internal error,
// well-formed analyses, and the shares the issue asks for.
func TestCorpus(t *testing.T) {
	docs := readKusto(t)
	if len(docs) < 2500 {
		t.Fatalf("only %d Kusto documents", len(docs))
	}
	var withQuery, det, detInd, detLit, feeds, hunting, huntInd int
	var vals, mapped, computedVals int
	unmapped := map[string]int{}
	fields := map[string]bool{} // distinct source fields compared: mapped to ECS or not
	for _, d := range docs {
		checkAnalysis(t, d)
		if strings.TrimSpace(d.Query) == "" {
			continue
		}
		withQuery++
		if d.ThirdPartyFeed {
			feeds++
		}
		computed := computedFields(d)
		for _, list := range [][]rule.Indicator{d.Analysis.Indicators, d.Analysis.Exclusions} {
			for _, ind := range list {
				if computed[ind.Field] {
					computedVals += len(ind.Values)
					continue
				}
				vals += len(ind.Values)
				fields[ind.Field] = fields[ind.Field] || ind.CanonicalField != ""
				if ind.CanonicalField != "" {
					mapped += len(ind.Values)
					continue
				}
				unmapped[ind.Field] += len(ind.Values)
				if f := os.Getenv("SHOW_FIELD"); f != "" && (f == ind.Field || f == "*") {
					fmt.Println("FIELD", ind.Field, d.Analysis.Tables, d.Source.Path)
				}
			}
		}
		if d.Kind == "hunting" {
			hunting++
			if len(d.Analysis.Indicators) > 0 {
				huntInd++
			}
		}
		if !isDetection(d) {
			continue
		}
		det++
		if len(d.Analysis.Indicators) > 0 {
			detInd++
		} else if os.Getenv("SHOW_NOIND") != "" {
			fmt.Println("NOIND", d.Source.Path)
		}
		if slices.ContainsFunc(d.Analysis.Indicators, func(ind rule.Indicator) bool {
			return slices.ContainsFunc(ind.Values, func(v rule.Value) bool {
				return !hasAny(v.Transforms, rule.TransformFieldRef, rule.TransformExpression)
			})
		}) {
			detLit++
		}
	}
	t.Logf("%d documents, %d with a query; %d third-party feeds", len(docs), withQuery, feeds)
	t.Logf("detections: %d; with an indicator %d (%.1f%%), with a literal one %d (%.1f%%)", det, detInd, pct(detInd, det), detLit, pct(detLit, det))
	t.Logf("hunting queries: %d; with an indicator %d (%.1f%%)", hunting, huntInd, pct(huntInd, hunting))
	t.Logf("indicator values on source fields mapped to ECS: %d of %d (%.1f%%); %d more on columns the rules compute",
		mapped, vals, pct(mapped, vals), computedVals)
	mappedFields := 0
	for _, ok := range fields {
		if ok {
			mappedFields++
		}
	}
	t.Logf("distinct source fields compared: %d, mapped to ECS %d (%.1f%%)", len(fields), mappedFields, pct(mappedFields, len(fields)))
	t.Logf("most used unmapped fields: %s", topFields(unmapped, 40))
	if pct(detInd, det) < 95 {
		t.Errorf("only %.1f%% of detections have an indicator (want > 95%%)", pct(detInd, det))
	}
	if pct(mapped, vals) < 75 {
		t.Errorf("only %.1f%% of indicator values on source fields have an ECS name (want > 75%%)", pct(mapped, vals))
	}
	if feeds < 30 || feeds > 200 {
		t.Errorf("%d third-party feeds: the rule has drifted (about 60 expected)", feeds)
	}
}

// checkAnalysis asserts what every analysed document must hold.
func checkAnalysis(t *testing.T, d *rule.Document) {
	t.Helper()
	a := &d.Analysis
	for _, x := range a.Diagnostics {
		if x.Code == kusto.CodeInternal {
			t.Errorf("%s: %s", d.Source.Path, x.Message)
		}
	}
	lines := strings.Count(d.Query, "\n") + 1
	for i, st := range a.Stages {
		if st.N != i+1 || st.Pipeline == "" || st.Kind == "" || st.Steps < 1 || st.Line < 0 || st.Line > lines {
			t.Errorf("%s: stage %+v", d.Source.Path, st)
		}
		for _, p := range st.Predicates {
			if p.Field == "" || !slices.Contains(rule.Kinds, p.Kind) {
				t.Errorf("%s: predicate %+v", d.Source.Path, p)
			}
			if p.Kind != rule.KindIsNull && p.Kind != rule.KindIsNotNull && len(p.Values) == 0 {
				t.Errorf("%s: predicate without a value %+v", d.Source.Path, p)
			}
		}
	}
	for _, p := range a.Parameters {
		if p.Name == "" || !strings.HasPrefix(p.Text, "let") {
			t.Errorf("%s: parameter %+v", d.Source.Path, p)
		}
	}
	for _, b := range a.Bindings {
		if b.Name == "" || slices.Contains(b.DerivedFrom, b.Name) && !strings.Contains(b.Text, "(") {
			t.Errorf("%s: binding %s derived from %v", d.Source.Path, b.Name, b.DerivedFrom)
		}
	}
	if strings.TrimSpace(d.Query) != "" && len(a.Stages) == 0 && !strings.HasPrefix(strings.TrimSpace(d.Query), "let") &&
		!slices.ContainsFunc(a.Diagnostics, func(x source.Diagnostic) bool { return x.Severity == source.Error }) {
		t.Errorf("%s: a query without stages", d.Source.Path)
	}
}

// computedFields returns the fields a document's predicates compare that
// the query itself makes (parse, extend, summarize, ...), from the stage
// notes the analysis writes.
func computedFields(d *rule.Document) map[string]bool {
	out := map[string]bool{}
	for _, st := range d.Analysis.Stages {
		for _, part := range strings.Split(strings.TrimSuffix(st.Note, "."), "; ") {
			name, rest, ok := strings.Cut(part, " is ")
			if ok && (strings.HasPrefix(rest, "parsed from") || strings.HasPrefix(rest, "computed by")) {
				out[name] = true
			}
		}
	}
	return out
}

func topFields(m map[string]int, n int) string {
	type kv struct {
		k string
		v int
	}
	var top []kv
	for k, v := range m {
		top = append(top, kv{k, v})
	}
	sort.Slice(top, func(i, j int) bool { return top[i].v > top[j].v || top[i].v == top[j].v && top[i].k < top[j].k })
	if len(top) > n {
		top = top[:n]
	}
	var b strings.Builder
	for i, x := range top {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %d", x.k, x.v)
	}
	return b.String()
}

func hasAny(ts []string, want ...string) bool {
	for _, t := range ts {
		if slices.Contains(want, t) {
			return true
		}
	}
	return false
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}
