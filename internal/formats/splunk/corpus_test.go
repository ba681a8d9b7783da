package splunk

import (
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/lang/spl"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/sharedtest"
	"github.com/detwiki/detwiki/internal/source"
)

// knownParseFailures are the detections whose expanded search does not
// parse, each with the reason (docs/lang-splunk.md lists them too). It is
// empty: every search of the corpus parses.
var knownParseFailures = map[string]string{}

// knownUnknownMacros are the macros security_content calls but neither
// defines nor detwiki ships (they come with Splunk Enterprise Security), and
// how many detections call each.
var knownUnknownMacros = map[string]int{
	"cim_corporate_web_domain_search": 2,
	"get_asset":                       1,
}

var (
	corpusOnce sync.Once
	corpusDocs map[string]*rule.Document
)

// corpusDocuments reads the security_content corpus once for every test.
func corpusDocuments(t *testing.T) map[string]*rule.Document {
	dir := sharedtest.Corpus(t, "security_content")
	corpusOnce.Do(func() { corpusDocs = readAll(t, dir, &formats.Env{Attack: attack.Default()}) })
	return corpusDocs
}

func TestCorpus(t *testing.T) {
	dir := sharedtest.Corpus(t, "security_content")
	docs := corpusDocuments(t)

	// Every detection file reads into one document.
	var detections []string
	filepath.WalkDir(filepath.Join(dir, "detections"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yml") {
			rel, _ := filepath.Rel(dir, p)
			detections = append(detections, filepath.ToSlash(rel))
		}
		return nil
	})
	if len(detections) < 1700 {
		t.Fatalf("only %d detection files under %s", len(detections), dir)
	}
	for _, p := range detections {
		if docs[p] == nil {
			t.Errorf("%s: not read", p)
		}
	}
	if len(docs) != len(detections) {
		t.Errorf("%d documents for %d detection files (a non-detection file was read?)", len(docs), len(detections))
	}

	failures := map[string]string{}
	unknownMacros := map[string]int{}
	other := map[string]int{}
	withAttack, withIDs, stages, indicators, noFilter := 0, 0, 0, 0, 0
	for path, d := range docs {
		if d.Title == "" || d.Query == "" || len(d.Analysis.Stages) == 0 {
			t.Errorf("%s: title %q, query %d bytes, %d stages", path, d.Title, len(d.Query), len(d.Analysis.Stages))
		}
		stages += len(d.Analysis.Stages)
		indicators += len(d.Analysis.Indicators)
		for _, x := range d.Analysis.Diagnostics {
			switch {
			case strings.HasPrefix(x.Code, "SPL1"):
				if _, seen := failures[path]; !seen {
					failures[path] = x.String()
				}
			case x.Code == spl.CodeMacroUnknown:
				name := strings.Split(strings.TrimPrefix(x.Message, "macro `"), "`")[0]
				unknownMacros[name]++
			case x.Code == CodeUnknownStory || x.Code == CodeUnknownData || x.Code == CodeAttack:
				// Quality remarks on the detection's metadata.
				other[x.Code]++
				if x.Severity != source.Warning {
					t.Errorf("%s: %s is not a warning", path, x)
				}
			default:
				t.Errorf("%s: unexpected diagnostic %s", path, x)
			}
			if x.Line == 0 {
				t.Errorf("%s: diagnostic without a line: %s", path, x)
			}
		}
		if _, ok := d.Extra["filter_macro"]; !ok && !d.Deprecated {
			noFilter++
		}
		if len(d.Attack) > 0 {
			withAttack++
		}
		if strings.Contains(d.Body, "mitre_attack_id:\n  - T") || strings.Contains(d.Body, "mitre_attack_id:\n  -") {
			withIDs++
		}
	}
	parsed := len(docs) - len(failures)
	rate := float64(parsed) / float64(len(docs))
	t.Logf("%d detections, %d parse without error (%.2f%%), %d stages, %d indicators, %d with ATT&CK, unknown macros %v, metadata warnings %v",
		len(docs), parsed, 100*rate, stages, indicators, withAttack, unknownMacros, other)
	// Data sources and stories the corpus names without a file, and revoked
	// techniques: real remarks on the corpus (docs/lang-splunk.md).
	if other[CodeUnknownData] > 150 || other[CodeUnknownStory] > 10 || other[CodeAttack] > 20 {
		t.Errorf("metadata warnings = %v", other)
	}
	if rate < 0.99 {
		t.Errorf("parse rate %.2f%% is under 99%%", 100*rate)
	}
	for path, msg := range failures {
		if _, known := knownParseFailures[path]; !known {
			t.Errorf("%s: parse error not in the documented list: %s", path, msg)
		}
	}
	for path := range knownParseFailures {
		if _, still := failures[path]; !still {
			t.Errorf("%s: listed as a known failure but parses now; update the list", path)
		}
	}
	if len(unknownMacros) != len(knownUnknownMacros) {
		t.Errorf("unknown macros = %v, want %v", unknownMacros, knownUnknownMacros)
	}
	for name, n := range knownUnknownMacros {
		if unknownMacros[name] != n {
			t.Errorf("macro %s unknown in %d detections, want %d", name, unknownMacros[name], n)
		}
	}
	if noFilter > 20 {
		t.Errorf("%d detections do not call a <name>_filter macro of their own", noFilter)
	}
	if withAttack < withIDs*9/10 {
		t.Errorf("%d detections map to ATT&CK, %d list technique ids", withAttack, withIDs)
	}
}

// TestCorpusTrees checks every expanded search of the corpus: tree
// invariants, printing that parses back to the same text, and byte-exact
// position maps for the YAML scalars.
func TestCorpusTrees(t *testing.T) {
	docs := corpusDocuments(t)
	inexact := 0
	for path, d := range docs {
		pl, errs := spl.ParseQuery(d.Query)
		if len(errs) > 0 {
			continue // reported by TestCorpus
		}
		spl.Inspect(pl, func(n spl.Node) bool {
			prev := n.Pos()
			for _, c := range spl.Children(n) {
				if c.Pos() < prev || c.End() > n.End() {
					t.Errorf("%s: %T [%d,%d) outside or before its sibling in %T [%d,%d)", path, c, c.Pos(), c.End(), n, n.Pos(), n.End())
				}
				prev = c.End()
			}
			return true
		})
		out := spl.Print(pl)
		pl2, errs := spl.ParseQuery(out)
		if len(errs) > 0 || spl.Print(pl2) != out {
			t.Errorf("%s: print round trip: %v\n%s", path, errs, out)
		}
		var root yaml.Node
		if yaml.Unmarshal([]byte(d.Body), &root) == nil {
			node := valueNode(root.Content[0], "search")
			if !newScalarMap(d.Body, source.NewLineTable("", d.Body), node).Exact() {
				inexact++
				t.Errorf("%s: search positions are not exact (style %v)", path, node.Style)
			}
		}
	}
	t.Logf("%d searches, %d with inexact position maps", len(docs), inexact)
}

// TestCrossLanguageIndicator is the Splunk half of the cross-language check:
// the mmc.exe LOLBAS detection looks for mmc.exe as the parent process.
func TestCrossLanguageIndicator(t *testing.T) {
	docs := corpusDocuments(t)
	d := docs["detections/endpoint/mmc_lolbas_execution_process_spawn.yml"]
	if d == nil {
		t.Fatal("mmc_lolbas_execution_process_spawn not read")
	}
	found := false
	for _, in := range d.Analysis.Indicators {
		if in.Field == "Processes.parent_process_name" && in.Kind == rule.KindEq && len(in.Values) == 1 && in.Values[0].Value == "mmc.exe" {
			found = true
		}
	}
	if !found {
		t.Errorf("indicators = %+v", d.Analysis.Indicators)
	}
	if strings.Join(d.Analysis.Tables, " ") != "Endpoint.Processes" || !strings.Contains(strings.Join(d.DataSources, "|"), "Sysmon EventID 1") {
		t.Errorf("tables %v, data sources %v", d.Analysis.Tables, d.DataSources)
	}
}

// TestCorpusFacts counts what the analysis finds over the corpus, so that a
// change that loses facts fails.
func TestCorpusFacts(t *testing.T) {
	docs := corpusDocuments(t)
	kinds := map[string]int{}
	tables := map[string]int{}
	noIndicators := 0
	for _, d := range docs {
		if len(d.Analysis.Indicators)+len(d.Analysis.Exclusions) == 0 {
			noIndicators++
		}
		for _, in := range append(append([]rule.Indicator(nil), d.Analysis.Indicators...), d.Analysis.Exclusions...) {
			kinds[in.Kind]++
		}
		for _, tb := range d.Analysis.Tables {
			tables[tb]++
		}
	}
	var ks []string
	for k, n := range kinds {
		ks = append(ks, k+"="+strconv.Itoa(n))
	}
	sort.Strings(ks)
	t.Logf("kinds: %s; detections without indicators: %d; Endpoint.Processes: %d", strings.Join(ks, " "), noIndicators, tables["Endpoint.Processes"])
	if noIndicators > 10 {
		t.Errorf("%d detections have no indicator", noIndicators)
	}
	for _, k := range []string{rule.KindEq, rule.KindIn, rule.KindContains, rule.KindStartsWith, rule.KindEndsWith, rule.KindMatch, rule.KindRegex, rule.KindGt, rule.KindIsNull, rule.KindIsNotNull, rule.KindCIDR} {
		if kinds[k] == 0 {
			t.Errorf("no %s indicator in the corpus", k)
		}
	}
	if tables["Endpoint.Processes"] < 500 || tables["Endpoint.Registry"] < 100 {
		t.Errorf("tables = %v", tables)
	}
}
