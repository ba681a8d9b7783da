package schema_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/schema"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

// sigmaCorpusDocs builds rule documents from the real Sigma corpus the way
// the Sigma front end records its facts (logsource in Extra, one indicator
// per field and modifier), independently of that front end, so the schema
// pass can be measured on real field names and logsources.
func sigmaCorpusDocs(tb testing.TB) []*rule.Document {
	tb.Helper()
	root := sharedtest.Corpus(tb, "sigma")
	var docs []*rule.Document
	for _, dir := range []string{"rules", "rules-emerging-threats", "rules-threat-hunting", "rules-compliance", "rules-placeholder"} {
		_ = filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yml") {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			var r struct {
				Logsource map[string]string `yaml:"logsource"`
				Detection map[string]any    `yaml:"detection"`
			}
			if yaml.Unmarshal(data, &r) != nil || r.Logsource == nil {
				return nil
			}
			doc := &rule.Document{Language: rule.LangSigma, Extra: map[string]any{"logsource": map[string]any{
				"product": r.Logsource["product"], "category": r.Logsource["category"], "service": r.Logsource["service"]}}}
			for name, sel := range r.Detection {
				if name == "condition" || name == "timeframe" {
					continue
				}
				addSigmaSelection(&doc.Analysis, sel)
			}
			docs = append(docs, doc)
			return nil
		})
	}
	if len(docs) < 3000 {
		tb.Fatalf("read %d Sigma rules, expected more than 3000", len(docs))
	}
	return docs
}

func addSigmaSelection(a *rule.Analysis, sel any) {
	switch s := sel.(type) {
	case []any:
		for _, x := range s {
			addSigmaSelection(a, x)
		}
	case map[string]any:
		for key, v := range s {
			field, mods, _ := strings.Cut(key, "|")
			if field == "" {
				continue
			}
			kind := rule.KindEq
			switch {
			case strings.Contains(mods, "contains"):
				kind = rule.KindContains
			case strings.Contains(mods, "startswith"):
				kind = rule.KindStartsWith
			case strings.Contains(mods, "endswith"):
				kind = rule.KindEndsWith
			case strings.Contains(mods, "re"):
				kind = rule.KindRegex
			case strings.Contains(mods, "cidr"):
				kind = rule.KindCIDR
			}
			var values []string
			switch vv := v.(type) {
			case []any:
				for _, x := range vv {
					if str, ok := x.(string); ok {
						values = append(values, str)
					} else if x != nil {
						values = append(values, strings.TrimSpace(yamlScalar(x)))
					}
				}
			case nil:
				kind = rule.KindIsNull
			default:
				values = append(values, yamlScalar(vv))
			}
			a.AddPredicate(rule.Predicate{Field: field, Kind: kind, Values: values})
		}
	}
}

func yamlScalar(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := yaml.Marshal(v)
	return strings.TrimSpace(string(b))
}

// TestSigmaCorpusCoverage: on the real Sigma corpus, every rule of a
// Windows category gets events and equivalents, and the share of indicator
// fields with a canonical ECS name stays high.
func TestSigmaCorpusCoverage(t *testing.T) {
	docs := sigmaCorpusDocs(t)
	var withEvents, windowsCat, windowsCatEvents int
	var inds, mapped, winInds, winMapped, eventData int
	unmapped := map[string]int{}
	for _, d := range docs {
		schema.Enrich(d)
		if len(d.Analysis.Events) > 0 {
			withEvents++
		}
		ls := d.Extra["logsource"].(map[string]any)
		isWin := ls["product"] == "windows"
		if isWin && ls["category"] != "" {
			windowsCat++
			if hasEquivalent(d) {
				windowsCatEvents++
			}
		}
		for _, in := range d.Analysis.Indicators {
			inds++
			if isWin {
				winInds++
			}
			if strings.HasPrefix(in.CanonicalField, "winlog.event_data.") {
				eventData++
			}
			if in.CanonicalField != "" {
				mapped++
				if isWin {
					winMapped++
				}
			} else {
				unmapped[ls["product"].(string)+"/"+ls["service"].(string)+" "+in.Field]++
			}
		}
	}
	share := func(a, b int) float64 { return 100 * float64(a) / float64(b) }
	t.Logf("%d Sigma rules: %.1f%% with events; Windows category rules with equivalents %d/%d; indicator fields mapped %.1f%% (Windows %.1f%%; %.1f%% of all by the winlog.event_data.<field> convention)",
		len(docs), share(withEvents, len(docs)), windowsCatEvents, windowsCat, share(mapped, inds), share(winMapped, winInds), share(eventData, inds))
	type kv struct {
		k string
		n int
	}
	var top []kv
	for k, n := range unmapped {
		top = append(top, kv{k, n})
	}
	sort.Slice(top, func(i, j int) bool { return top[i].n > top[j].n || top[i].n == top[j].n && top[i].k < top[j].k })
	if len(top) > 15 {
		top = top[:15]
	}
	t.Logf("most used unmapped fields: %v", top)
	if windowsCatEvents < windowsCat*99/100 {
		t.Errorf("only %d of %d Windows-category rules have equivalent events", windowsCatEvents, windowsCat)
	}
	if winMapped < winInds*97/100 {
		t.Errorf("only %d of %d Windows indicator fields mapped", winMapped, winInds)
	}
	if mapped < inds*85/100 {
		t.Errorf("only %d of %d indicator fields mapped", mapped, inds)
	}
}

func hasEquivalent(d *rule.Document) bool {
	for _, e := range d.Analysis.Events {
		if e.Via == rule.ViaEquivalent {
			return true
		}
	}
	return false
}

// TestSplunkDataSourcesRecognised: the data_source names of the real
// security_content detections turn into events.
func TestSplunkDataSourcesRecognised(t *testing.T) {
	root := sharedtest.Corpus(t, "security_content")
	var rules, withSources, recognised int
	unknown := map[string]int{}
	_ = filepath.WalkDir(filepath.Join(root, "detections"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yml") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		var r struct {
			DataSource []string `yaml:"data_source"`
		}
		if yaml.Unmarshal(data, &r) != nil {
			return nil
		}
		rules++
		if len(r.DataSource) == 0 {
			return nil
		}
		withSources++
		doc := &rule.Document{Language: rule.LangSplunk, DataSources: r.DataSource}
		schema.Enrich(doc)
		if len(doc.Analysis.Events) > 0 {
			recognised++
		} else {
			for _, s := range r.DataSource {
				unknown[s]++
			}
		}
		return nil
	})
	t.Logf("%d Splunk detections, %d with data_source, %d of them mapped to events", rules, withSources, recognised)
	if withSources < 1000 {
		t.Fatalf("only %d detections with data_source", withSources)
	}
	if recognised < withSources*80/100 {
		var list []string
		for s, n := range unknown {
			if n > 3 {
				list = append(list, s)
			}
		}
		sort.Strings(list)
		t.Errorf("only %d of %d data_source lists recognised; frequent unknown: %v", recognised, withSources, list)
	}
}
