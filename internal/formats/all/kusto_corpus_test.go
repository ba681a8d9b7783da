package all

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/kustorule/kustotest"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

// What counts as a rule file in the Kusto corpora: every file is one,
// except those listed in notRules with the reason. The test fails when a
// file gives no rule and is not listed, or is listed and gives rules.
var notRules = map[string]string{
	"Azure-Sentinel/LICENSE":                         "the repository's license text",
	"FalconFriday/LICENSE":                           "the repository's license text",
	"Microsoft-365-Defender-Hunting-Queries/LICENSE": "the repository's license text",
	"Microsoft-365-Defender-Hunting-Queries/Protection events/WindowsDefenderAVEvents.txt": "an empty file (0 bytes): a placeholder with no query",
}

// kustoCorpus is what reading each Kusto corpus must give: documents per
// format, documents without a query (stubs the source marks as moved or
// replaced), documents with ATT&CK, and diagnostics per code.
var kustoCorpus = []struct {
	name        string
	files       int
	byFormat    map[string]int
	noQuery     int
	withAttack  int
	diagnostics map[string]int
}{
	// Azure-Sentinel: 8 "moved" stubs (READ1104), 3 extensionless files
	// whose YAML is broken (READ1101, query and metadata recovered), 26
	// ATT&CK warnings (ICS techniques and tactics, misspelt tactics,
	// revoked techniques).
	{"Azure-Sentinel", 2296, map[string]int{"sentinel": 2295}, 8, 2064,
		map[string]int{"ATTACK001": 26, "READ1101": 3, "READ1104": 8}},
	// FalconFriday: 48 detections, 2 "replaced by" stubs, 10 hunts giving
	// 19 rules, and the FireEye countermeasures collection (47 blocks) read
	// as generic markdown.
	{"FalconFriday", 62, map[string]int{"falconfriday": 69, "markdown": 47}, 2, 68,
		map[string]int{"ATTACK001": 1, "READ1201": 2}},
	// Defender: 268 markdown files, 92 .txt files and one without an
	// extension (plus the generic-markdown one); blocks holding
	// several queries give one rule each; the TVM file without the usual
	// sections is generic markdown.
	{"Microsoft-365-Defender-Hunting-Queries", 364, map[string]int{"defender-markdown": 418, "markdown": 2}, 0, 270,
		map[string]int{"ATTACK001": 3}},
}

// TestKustoCorpus reads the three Kusto corpora through the registry, as
// `detwiki analyze` does, and checks that every file is a rule file that
// gives documents or an explained skip, the counts above, and the
// invariants of every document.
func TestKustoCorpus(t *testing.T) {
	total := 0
	for _, c := range kustoCorpus {
		t.Run(c.name, func(t *testing.T) {
			root := sharedtest.Corpus(t, c.name)
			res, err := formats.Read([]string{root}, formats.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Files != c.files || len(res.Diagnostics) != 0 {
				t.Errorf("files = %d (want %d), run diagnostics %v", res.Files, c.files, res.Diagnostics)
			}
			byFormat := map[string]int{}
			perFile := map[string]int{}
			diags := map[string]int{}
			noQuery, withAttack, kqlDocs := 0, 0, 0
			for _, d := range res.Documents {
				byFormat[d.Format]++
				perFile[d.Source.Path]++
				if d.Query == "" {
					noQuery++
				}
				if len(d.Attack) > 0 {
					withAttack++
				}
				hasKQL := false
				for _, x := range d.Analysis.Diagnostics {
					diags[x.Code]++
					hasKQL = hasKQL || strings.HasPrefix(x.Code, "KQL")
				}
				if hasKQL {
					kqlDocs++
				}
				checkDocument(t, root, d)
			}
			total += len(res.Documents)
			t.Logf("%s: %d files, %d documents %v, %d without query, %d with ATT&CK, diagnostics %v",
				c.name, res.Files, len(res.Documents), byFormat, noQuery, withAttack, diags)
			if fmt.Sprint(byFormat) != fmt.Sprint(c.byFormat) {
				t.Errorf("documents per format = %v, want %v", byFormat, c.byFormat)
			}
			if noQuery != c.noQuery {
				t.Errorf("documents without a query = %d, want %d", noQuery, c.noQuery)
			}
			if withAttack != c.withAttack {
				t.Errorf("documents with ATT&CK = %d, want %d", withAttack, c.withAttack)
			}
			// Reader diagnostics are counted exactly; KQL syntax errors
			// belong to the KQL front end (real errors of the rules: a few
			// percent of the documents at most).
			readerDiags := map[string]int{}
			for code, n := range diags {
				if !strings.HasPrefix(code, "KQL") {
					readerDiags[code] = n
				}
			}
			if fmt.Sprint(readerDiags) != fmt.Sprint(c.diagnostics) {
				t.Errorf("reader diagnostics = %v, want %v", readerDiags, c.diagnostics)
			}
			if kqlDocs > len(res.Documents)/50 {
				t.Errorf("%d documents with KQL syntax errors out of %d", kqlDocs, len(res.Documents))
			}
			// Every file gives documents, or is a listed non-rule file.
			files, _ := formats.List([]string{root})
			for _, f := range files {
				key := c.name + "/" + f.Path
				reason, listed := notRules[key]
				switch {
				case perFile[f.Path] == 0 && !listed:
					t.Errorf("%s gave no rule and is not listed as a non-rule file", key)
				case perFile[f.Path] > 0 && listed:
					t.Errorf("%s is listed as not a rule (%s) but gave %d documents", key, reason, perFile[f.Path])
				}
			}
			var skipped []string
			for _, p := range res.Skipped {
				skipped = append(skipped, c.name+"/"+p)
			}
			sort.Strings(skipped)
			for _, p := range skipped {
				if _, ok := notRules[p]; !ok {
					t.Errorf("skipped %s", p)
				}
			}
		})
	}
	if total > 0 {
		t.Logf("Kusto corpus: %d documents", total)
	}
}

// checkDocument asserts the invariants of one document read from root.
func checkDocument(t *testing.T, root string, d *rule.Document) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(d.Source.Path)))
	if err != nil {
		t.Fatal(err)
	}
	kustotest.Check(t, d, string(data))
	if d.Body != strings.TrimPrefix(string(data), "\ufeff") {
		t.Errorf("%s: body is not the file text", d.Source.Path)
	}
	if d.Query == "" && !d.Deprecated {
		t.Errorf("%s: no query and not a stub: %v", d.Source.Path, d.Analysis.Diagnostics)
	}
}
