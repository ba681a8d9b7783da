package sigma

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/sharedtest"
)

// corpusFiles returns the Sigma rule files of the shared corpus (every .yml
// outside regression_data), keyed by their slash path, with their bytes.
func corpusFiles(tb testing.TB) (root string, paths []string, data map[string][]byte) {
	tb.Helper()
	root = sharedtest.Corpus(tb, "sigma")
	data = map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if de.IsDir() {
			if de.Name() == "regression_data" {
				return filepath.SkipDir
			}
			return nil
		}
		if filepath.Ext(p) != ".yml" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		paths = append(paths, rel)
		data[rel] = b
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(paths)
	return root, paths, data
}

// TestCorpus parses every Sigma file of the corpus and pins what it finds:
// the rules per kind, the diagnostics per code, and the exact files with
// errors (each a real problem of the file: Sigma 1 pseudo-conditions that
// no Sigma tool can read).
func TestCorpus(t *testing.T) {
	_, paths, data := corpusFiles(t)
	rules := map[RuleKind]int{}
	codes := map[string]int{}
	errorFiles := map[string]bool{}
	items, values, conditions := 0, 0, 0
	for _, p := range paths {
		f := ParseFile(data[p])
		for _, d := range f.Diagnostics {
			codes[string(d.Severity)+" "+d.Code]++
			if d.IsError() {
				errorFiles[p] = true
			}
		}
		for _, r := range f.Rules {
			rules[r.Kind]++
			for _, d := range r.Diagnostics {
				codes[string(d.Severity)+" "+d.Code]++
				if d.IsError() {
					errorFiles[p] = true
					t.Logf("%s:%s", p, d)
				}
			}
			if r.Detection == nil {
				continue
			}
			conditions += len(r.Detection.Conditions)
			for _, s := range r.Detection.Searches {
				for _, g := range s.Groups {
					items += len(g.Items)
					for _, it := range g.Items {
						values += len(it.Values)
					}
				}
			}
		}
	}
	if len(paths) != 4039 {
		t.Errorf("files = %d, want 4039", len(paths))
	}
	if rules[KindDetection] != 4041 || rules[KindCorrelation] != 0 || rules[KindFilter] != 0 {
		t.Errorf("rules = %v, want 4041 detection rules (4039 files, three of them Sigma 1 collections)", rules)
	}
	if items != 13430 || values != 48664 || conditions != 4041 {
		t.Errorf("items = %d, values = %d, conditions = %d", items, values, conditions)
	}
	wantCodes := map[string]int{
		"error " + CodeCondition:  4,
		"warning " + CodeObsolete: 104,
	}
	if fmt.Sprint(codes) != fmt.Sprint(wantCodes) {
		t.Errorf("diagnostics = %v\nwant %v", codes, wantCodes)
	}
	var bad []string
	for p := range errorFiles {
		bad = append(bad, p)
	}
	sort.Strings(bad)
	wantBad := []string{
		"unsupported/network/net_dns_high_subdomain_rate.yml",
		"unsupported/windows/sysmon_always_install_elevated_parent_child_correlated.yml",
		"unsupported/windows/win_dumping_ntdsdit_via_dcsync.yml",
		"unsupported/windows/win_dumping_ntdsdit_via_netsync.yml",
	}
	if strings.Join(bad, "\n") != strings.Join(wantBad, "\n") {
		t.Errorf("files with errors:\n%s\nwant\n%s", strings.Join(bad, "\n"), strings.Join(wantBad, "\n"))
	}
}
