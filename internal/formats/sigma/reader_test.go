package sigma

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/formattest"
	"github.com/detwiki/detwiki/internal/golden"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func TestMain(m *testing.M) {
	formats.Register(New())
	os.Exit(m.Run())
}

// readPath reads one file of a source root with the Sigma reader.
func readPath(t testing.TB, root, rel string, env *formats.Env) []*rule.Document {
	t.Helper()
	f := formattest.LoadFile(t, root, rel)
	if !New().Detect(f) && !strings.Contains(rel, "broken") {
		t.Errorf("%s: not detected as Sigma", rel)
	}
	return formats.ReadFile(New(), f, env)
}

// goldenRules are the representative rules: corpus rules (read from the
// shared corpus, never copied) and the fixtures in testdata/rules for what
// the corpus lacks (correlations, filters, every modifier and condition
// form, Sigma 1 collections).
var goldenRules = []struct {
	name   string
	corpus string // path under the shared Sigma corpus
	file   string // path under testdata/rules
}{
	{name: "fieldref_null_empty_regression", corpus: "rules/windows/process_creation/proc_creation_win_susp_cross_user_process_spawn.yml"},
	{name: "keywords_all", corpus: "rules/network/cisco/bgp/cisco_bgp_md5_auth_failed.yml"},
	{name: "keywords", corpus: "rules/linux/builtin/lnx_shell_clear_cmd_history.yml"},
	{name: "base64offset_wide", corpus: "rules/windows/process_creation/proc_creation_win_powershell_base64_iex.yml"},
	{name: "windash_all_of", corpus: "rules/windows/process_creation/proc_creation_win_lolbin_unregmp2.yml"},
	{name: "re_i", corpus: "rules/windows/file/file_event/file_event_win_susp_registry_hive_file_creation.yml"},
	{name: "cidr", corpus: "rules/network/zeek/zeek_rdp_public_listener.yml"},
	{name: "expand_placeholder", corpus: "rules-placeholder/windows/process_creation/proc_creation_win_userdomain_variable_enumeration.yml"},
	{name: "one_of_selection", corpus: "rules/windows/process_creation/proc_creation_win_hktl_sharpersist.yml"},
	{name: "or_nested_not", corpus: "rules/windows/file/file_event/file_event_win_office_uncommon_file_startup.yml"},
	{name: "fields_output", corpus: "deprecated/windows/win_security_lolbas_execution_of_nltest.yml"},
	{name: "deprecated_related", corpus: "deprecated/windows/driver_load_win_powershell_script_installed_as_service.yml"},
	{name: "unsupported_aggregation", corpus: "unsupported/windows/win_security_susp_failed_logons_single_source2.yml"},
	{name: "unsupported_collection_near", corpus: "unsupported/windows/win_apt_apt29_tor.yml"},
	{name: "unsupported_bad_condition", corpus: "unsupported/windows/win_dumping_ntdsdit_via_dcsync.yml"},
	{name: "every_modifier", file: "every_modifier.yml"},
	{name: "every_condition", file: "every_condition.yml"},
	{name: "correlation_chain", file: "mr_correlation_failed_then_success.yml"},
	{name: "correlation_value_count", file: "mr_value_count_aliases.yml"},
	{name: "filter", file: "mf_filter_admin_accounts.yml"},
	{name: "sigma1_collection", file: "sigma1_collection.yml"},
	{name: "broken_yaml", file: "broken_yaml.yml"},
}

// TestGolden compares the documents of the representative rules with the
// golden JSON in testdata/golden (go test -update rewrites them). Bodies are
// left out, and so are the queries and regression events of corpus rules
// (the goldens hold no corpus text beyond the decoded values).
func TestGolden(t *testing.T) {
	fixtures, _ := filepath.Abs(filepath.Join("testdata", "rules"))
	for _, g := range goldenRules {
		t.Run(g.name, func(t *testing.T) {
			root, rel := fixtures, g.file
			if g.corpus != "" {
				root, rel = sharedtest.Corpus(t, "sigma"), g.corpus
			}
			env := &formats.Env{Attack: attack.Default()}
			docs := readPath(t, root, rel, env)
			for _, d := range docs {
				d.Body = ""
				if g.corpus != "" {
					d.Query = fmt.Sprintf("(%d lines of the corpus file)", strings.Count(d.Query, "\n")+1)
					for i := range d.Tests {
						if d.Tests[i].Event != "" {
							d.Tests[i].Event = fmt.Sprintf("(%d lines of the regression event file)", strings.Count(d.Tests[i].Event, "\n")+1)
						}
					}
				}
			}
			golden.CheckJSON(t, filepath.Join("testdata", "golden", g.name+".json"), docs, *update)
		})
	}
}

// TestCorpus reads the whole Sigma corpus the way a build does and pins the
// counts: every rule file becomes documents, only the regression data and
// the licence are skipped, and the only errors are the four Sigma 1
// pseudo-conditions no tool can read.
func TestCorpus(t *testing.T) {
	root := sharedtest.Corpus(t, "sigma")
	res, err := formats.Read([]string{root}, formats.Options{Attack: attack.Default()})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Diagnostics) > 0 {
		t.Errorf("run diagnostics: %v", res.Diagnostics)
	}
	type counts struct {
		Files, Skipped, Documents                        int
		Deprecated, Unsupported, WithTests, Tests        int
		InlineEvents                                     int
		Stages, Indicators, Exclusions, Outputs, Attack  int
		Related, RelatedResolved, Tables, Keywords       int
		ErrorDocs, Warnings, AttackWarnings, Correlation int
	}
	var c counts
	c.Files, c.Skipped, c.Documents = res.Files, len(res.Skipped), len(res.Documents)
	for _, p := range res.Skipped {
		if !strings.HasPrefix(p, "regression_data/") && p != "LICENSE" {
			t.Errorf("skipped a file that is not regression data: %s", p)
		}
	}
	var errorFiles []string
	for _, d := range res.Documents {
		if d.Deprecated {
			c.Deprecated++
		}
		if d.Status == "unsupported" {
			c.Unsupported++
		}
		if len(d.Tests) > 0 {
			c.WithTests++
			c.Tests += len(d.Tests)
			for _, tt := range d.Tests {
				if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(tt.Path))); err != nil {
					t.Errorf("%s: test event %s: %v", d.ID, tt.Path, err)
				}
				// The rule page shows the sample event itself.
				if strings.HasPrefix(tt.Event, "{") && strings.Contains(tt.Event, `"System"`) {
					c.InlineEvents++
				}
			}
		}
		if len(d.Analysis.Stages) == 0 {
			t.Errorf("%s: no stages", d.ID)
		}
		c.Stages += len(d.Analysis.Stages)
		c.Indicators += len(d.Analysis.Indicators)
		c.Exclusions += len(d.Analysis.Exclusions)
		c.Outputs += len(d.Analysis.Outputs)
		c.Tables += len(d.Analysis.Tables)
		if len(d.Attack) > 0 {
			c.Attack++
		}
		for _, in := range d.Analysis.Indicators {
			if in.Field == KeywordField {
				c.Keywords++
			}
		}
		for _, l := range d.Links {
			c.Related++
			if strings.HasPrefix(l.Target, "sigma/") {
				c.RelatedResolved++
			}
		}
		if d.Kind == "correlation" {
			c.Correlation++
		}
		hasError := false
		for _, diag := range d.Analysis.Diagnostics {
			switch {
			case diag.IsError():
				hasError = true
			case diag.Code == "ATTACK001":
				c.AttackWarnings++
			default:
				c.Warnings++
			}
			if diag.Path != d.Source.Path || diag.Line <= 0 {
				t.Errorf("%s: diagnostic without a file position: %+v", d.ID, diag)
			}
		}
		if hasError {
			c.ErrorDocs++
			errorFiles = append(errorFiles, d.Source.Path)
		}
	}
	want := counts{
		Files: 4447, Skipped: 408, Documents: 4041,
		Deprecated: 172, Unsupported: 90, WithTests: 202, Tests: 202, InlineEvents: 202,
		Stages: 5312, Indicators: 8436, Exclusions: 1818, Outputs: 128, Attack: 3750,
		Related: 1425, RelatedResolved: 1396, Tables: 4041, Keywords: 113,
		ErrorDocs: 4, Warnings: 104, AttackWarnings: 1764, Correlation: 0,
	}
	if c != want {
		t.Errorf("corpus counts\n got %+v\nwant %+v", c, want)
	}
	sort.Strings(errorFiles)
	wantErrors := []string{
		"unsupported/network/net_dns_high_subdomain_rate.yml",
		"unsupported/windows/sysmon_always_install_elevated_parent_child_correlated.yml",
		"unsupported/windows/win_dumping_ntdsdit_via_dcsync.yml",
		"unsupported/windows/win_dumping_ntdsdit_via_netsync.yml",
	}
	if strings.Join(errorFiles, "\n") != strings.Join(wantErrors, "\n") {
		t.Errorf("documents with errors:\n%s", strings.Join(errorFiles, "\n"))
	}
}

// TestRegressionFromSubfolder reads one rule with its own folder as the
// source root (as `detwiki analyze FILE` does): the regression data is found
// above it, and the event path is relative to that root.
func TestRegressionFromSubfolder(t *testing.T) {
	corpus := sharedtest.Corpus(t, "sigma")
	root := filepath.Join(corpus, "rules", "windows", "process_creation")
	docs := readPath(t, root, "proc_creation_win_susp_cross_user_process_spawn.yml", &formats.Env{Attack: attack.Default()})
	if len(docs) != 1 || len(docs[0].Tests) != 1 {
		t.Fatalf("tests = %+v", docs)
	}
	p := docs[0].Tests[0].Path
	if !strings.HasPrefix(p, "../../../regression_data/rules/windows/process_creation/") {
		t.Errorf("test path = %s", p)
	}
	if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(p))); err != nil {
		t.Error(err)
	}
}

// TestAttackWarningPositions: an ATT&CK tag the bundle does not know (or a
// revoked technique) is reported on the line and column of that tag, not
// on tags: (attack.t1027 is not taken for attack.t1027.001).
func TestAttackWarningPositions(t *testing.T) {
	text := "title: x\nid: 5f9c1d0e-6b7a-4c2e-9d1f-3a4b5c6d7e8f\nstatus: test\ntags:\n    - attack.t1027.001\n    - attack.T1100\n    - attack.no-such-tactic\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    sel:\n        Image|endswith: '\\a.exe'\n    condition: sel\nlevel: low\n"
	f := &formats.File{Path: "r.yml", Data: []byte(text)}
	docs := formats.ReadFile(New(), f, &formats.Env{Attack: attack.Default()})
	want := map[string][2]int{"T1100": {6, 7}, "no-such-tactic": {7, 7}}
	found := 0
	for _, dg := range docs[0].Analysis.Diagnostics {
		for part, pos := range want {
			if dg.Code == "ATTACK001" && strings.Contains(dg.Message, part) {
				found++
				if dg.Line != pos[0] || dg.Col != pos[1] {
					t.Errorf("%q at %d:%d, want %d:%d", dg.Message, dg.Line, dg.Col, pos[0], pos[1])
				}
			}
		}
	}
	if found != len(want) {
		t.Errorf("%d of %d warnings: %v", found, len(want), docs[0].Analysis.Diagnostics)
	}
}

// TestYAMLBombInExtraKey: a rule whose unknown keys are a YAML bomb is read
// at once; what the aliases expand to is cut, with a warning on the key.
func TestYAMLBombInExtraKey(t *testing.T) {
	var b strings.Builder
	b.WriteString("title: bomb\nlogsource:\n  product: windows\ndetection:\n  sel:\n    f: b\n  condition: sel\nk0: &k0 [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "k%d: &k%d [*k%d,*k%d,*k%d,*k%d,*k%d,*k%d,*k%d,*k%d,*k%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	done := make(chan []*rule.Document, 1)
	go func() {
		done <- formats.ReadFile(New(), &formats.File{Path: "bomb.yml", Data: []byte(b.String())}, &formats.Env{Attack: attack.Default()})
	}()
	select {
	case docs := <-done:
		var warned []string
		for _, d := range docs[0].Analysis.Diagnostics {
			if d.Code == "SIGMA2006" {
				warned = append(warned, fmt.Sprintf("%d:%d", d.Line, d.Col))
			}
		}
		if len(warned) != 1 {
			t.Errorf("warnings at %v, want one", warned)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a YAML bomb in an unknown key does not finish")
	}
}

// TestFilterExclusions: a filter meta-rule's predicates are exclusions
// whether its condition selects what it suppresses (the specification's
// example) or negates it (condition: not selection, as pySigma and
// sigma-cli write filters); a doubly negated one is only shown.
func TestFilterExclusions(t *testing.T) {
	for _, tc := range []struct {
		condition string
		want      int
	}{
		{"selection", 1},
		{"not selection", 1},
		{"not (other and not selection)", 0}, // other is the exclusion here
	} {
		text := "title: Filter Out Admins\nlogsource:\n    category: process_creation\n    product: windows\nfilter:\n    rules:\n        - some_rule\n    selection:\n        User|startswith: 'adm_'\n    other:\n        Computer: 'DC1'\n    condition: " + tc.condition + "\n"
		docs := formats.ReadFile(New(), &formats.File{Path: "mf.yml", Data: []byte(text)}, &formats.Env{Attack: attack.Default()})
		if len(docs) != 1 {
			t.Fatalf("%s: %d documents", tc.condition, len(docs))
		}
		a := docs[0].Analysis
		var users []string
		for _, x := range a.Exclusions {
			if x.Field == "User" && x.Kind == rule.KindStartsWith {
				users = append(users, x.Values[0].Value)
			}
		}
		if len(a.Indicators) != 0 || len(users) != tc.want || (tc.want == 1 && users[0] != "adm_") {
			t.Errorf("%s: indicators %+v, User exclusions %v (want %d)", tc.condition, a.Indicators, users, tc.want)
		}
		for _, st := range a.Stages {
			for _, p := range st.Predicates {
				if p.Field == "User" && !p.Negated && tc.want > 0 {
					t.Errorf("%s: predicate %+v not negated", tc.condition, p)
				}
			}
		}
	}
}
