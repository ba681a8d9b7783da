package kusto_test

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/formats"
	_ "github.com/detwiki/detwiki/internal/formats/all"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

// kustoCorpora are the shared corpora of Kusto rules.
var kustoCorpora = []string{"Azure-Sentinel", "FalconFriday", "Microsoft-365-Defender-Hunting-Queries"}

// readKusto reads the Kusto corpora with every registered reader (the run a
// build does: readers, then the schema pass) and returns the Kusto
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

func TestCorpusStats(t *testing.T) {
	docs := readKusto(t)
	var det, detInd, detLit, withQuery, feeds int
	var vals, mapped, computedVals int
	unmapped := map[string]int{}
	var noInd []string
	for _, d := range docs {
		for _, x := range d.Analysis.Diagnostics {
			if x.Code == "KQL2001" {
				t.Errorf("%s: %s", d.Source.Path, x.Message)
			}
		}
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
				if ind.CanonicalField != "" {
					mapped += len(ind.Values)
				} else {
					unmapped[ind.Field] += len(ind.Values)
					if f := os.Getenv("SHOW_FIELD"); f != "" && (f == ind.Field || f == "*") {
						fmt.Println("FIELD", ind.Field, d.Analysis.Tables, d.Source.Path)
					}
				}
			}
		}
		if d.Kind == "hunting" || d.Deprecated {
			continue
		}
		det++
		if len(d.Analysis.Indicators) > 0 {
			detInd++
		} else {
			noInd = append(noInd, d.Source.Path)
		}
		lit := false
		for _, ind := range d.Analysis.Indicators {
			for _, v := range ind.Values {
				if !hasAny(v.Transforms, rule.TransformFieldRef, rule.TransformExpression) {
					lit = true
				}
			}
		}
		if lit {
			detLit++
		}
	}
	t.Logf("%d documents, %d with a query, %d detections; %d (%.1f%%) with an indicator, %d (%.1f%%) with a literal one; %d third-party feeds",
		len(docs), withQuery, det, detInd, pct(detInd, det), detLit, pct(detLit, det), feeds)
	t.Logf("indicator values on source fields mapped to ECS: %d of %d (%.1f%%); %d more on columns the rules compute", mapped, vals, pct(mapped, vals), computedVals)
	type kv struct {
		k string
		v int
	}
	var top []kv
	for k, v := range unmapped {
		top = append(top, kv{k, v})
	}
	sort.Slice(top, func(i, j int) bool { return top[i].v > top[j].v || top[i].v == top[j].v && top[i].k < top[j].k })
	if len(top) > 60 {
		top = top[:60]
	}
	t.Logf("most used unmapped fields: %v", top)
	if os.Getenv("SHOW_NOIND") != "" {
		for _, p := range noInd {
			fmt.Println("NOIND", p)
		}
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

func hasAny(ts []string, want ...string) bool {
	for _, t := range ts {
		for _, w := range want {
			if t == w {
				return true
			}
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
