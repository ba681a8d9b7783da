package panther_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/cputime"
	"github.com/detwiki/detwiki/internal/formats"
	_ "github.com/detwiki/detwiki/internal/formats/all"
	"github.com/detwiki/detwiki/internal/formats/formattest"
	"github.com/detwiki/detwiki/internal/formats/panther"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

// TestCorpus reads the whole panther-analysis corpus as a run does and
// accounts for every file: each YAML file is a document, or one of the
// support types (data models, global helpers, packs) read as context;
// each Python file belongs to a YAML file (or is a test of the helpers);
// the rest (README, licence) is skipped. At least 99% of the rule()
// functions must parse without error; no document has an error.
func TestCorpus(t *testing.T) {
	root := sharedtest.Corpus(t, "panther-analysis")
	res, err := formats.Read([]string{root}, formats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]*rule.Document{}
	kinds := map[string]int{}
	pyDocs, pyParsed, withRuleFunc, withIndicators, withEvents := 0, 0, 0, 0, 0
	referenced := map[string]bool{}
	for _, d := range res.Documents {
		if d.Format != panther.Format {
			t.Errorf("%s read by %s", d.Source.Path, d.Format)
			continue
		}
		byPath[d.Source.Path] = d
		kinds[d.Kind]++
		for _, g := range d.Analysis.Diagnostics {
			if g.Severity == "error" {
				t.Errorf("%s: %s", d.Source.Path, g)
			}
		}
		if len(d.Analysis.Events) > 0 {
			withEvents++
		}
		for _, tc := range d.Tests {
			if tc.Event != "" && !json.Valid([]byte(tc.Event)) {
				t.Errorf("%s: test %q: event is not valid JSON: %.200s", d.Source.Path, tc.Name, tc.Event)
			}
		}
		if py, ok := d.Extra["python_file"].(string); ok {
			referenced[py] = true
			pyDocs++
			ok := true
			for _, g := range d.Analysis.Diagnostics {
				if strings.HasPrefix(g.Code, "PY1") {
					ok = false
				}
			}
			if ok {
				pyParsed++
			}
			if slices.Contains(d.Extra["functions"].([]string), "rule") {
				withRuleFunc++
			}
			if len(d.Analysis.Indicators)+len(d.Analysis.Exclusions) > 0 {
				withIndicators++
			}
		}
	}
	// Account for every file.
	support, unreferencedPy := 0, 0
	files := listFiles(t, root)
	// YAML first: support files name their Python files.
	slices.SortStableFunc(files, func(a, b string) int {
		return strings.Compare(filepath.Ext(b), filepath.Ext(a))
	})
	for _, f := range files {
		switch filepath.Ext(f) {
		case ".yml", ".yaml":
			if byPath[f] != nil {
				continue
			}
			data, _ := os.ReadFile(filepath.Join(root, f))
			typ := analysisType(string(data))
			if slices.Contains(panther.SupportTypes, typ) {
				support++
				for _, line := range strings.Split(string(data), "\n") {
					if name, ok := strings.CutPrefix(line, "Filename:"); ok {
						referenced[filepath.ToSlash(filepath.Join(filepath.Dir(f), strings.Trim(strings.TrimSpace(name), `"'`)))] = true
					}
				}
				continue
			}
			t.Errorf("%s (AnalysisType %q) gave no document", f, typ)
		case ".py":
			if !referenced[f] && !strings.HasSuffix(f, "_test.py") {
				unreferencedPy++
				t.Logf("Python file not named by any YAML: %s", f)
			}
		}
	}
	t.Logf("%d files: %d documents %v, %d support files, %d skipped; %d of %d Python rules parse without error (%.2f%%), %d with rule(), %d with indicators or exclusions, %d documents with events",
		res.Files, len(res.Documents), kinds, support, len(res.Skipped), pyParsed, pyDocs,
		100*float64(pyParsed)/float64(max(pyDocs, 1)), withRuleFunc, withIndicators, withEvents)
	if pyDocs < 900 || float64(pyParsed) < 0.99*float64(pyDocs) {
		t.Errorf("%d of %d Python rules parse", pyParsed, pyDocs)
	}
	if float64(withIndicators) < 0.9*float64(pyDocs) {
		t.Errorf("only %d of %d Python rules have indicators or exclusions", withIndicators, pyDocs)
	}
	if kinds["correlation_rule"] < 28 || kinds["scheduled_query"]+kinds["saved_query"] < 90 || kinds["rule"] < 850 {
		t.Errorf("kinds %v", kinds)
	}
	if unreferencedPy > 2 {
		t.Errorf("%d Python files are named by no YAML file", unreferencedPy)
	}
}

func listFiles(t *testing.T, root string) []string {
	var out []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	return out
}

func analysisType(text string) string {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, "AnalysisType:"); ok {
			return strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	return ""
}

const sigmaRule = `title: CloudTrail logging stopped
id: 4db60cc0-36fb-42b7-9b58-a5b53019fb74
status: test
author: detwiki tests
logsource:
  product: aws
  service: cloudtrail
detection:
  selection:
    eventSource: cloudtrail.amazonaws.com
    eventName:
      - StopLogging
      - DeleteTrail
  condition: selection
level: medium
`

// TestCountsWithSigma is the cross-language check: the real Panther
// CloudTrail rule and a Sigma rule on the same eventName count together
// (one corpus-count key) once the shared schema pass has run.
func TestCountsWithSigma(t *testing.T) {
	root := sharedtest.Corpus(t, "panther-analysis")
	rel := "rules/aws_cloudtrail_rules/aws_cloudtrail_stopped.yml"
	abs := filepath.Join(root, rel)
	data, err := os.ReadFile(abs)
	if err != nil {
		t.Fatal(err)
	}
	env := &formats.Env{Attack: attack.Default()}
	pr, _ := formats.Lookup(panther.Format)
	docs := formats.ReadFile(pr, &formats.File{Repo: "panther-analysis", Root: root, Path: rel, Abs: abs, Data: data}, env)
	sr, ok := formats.Lookup("sigma")
	if !ok {
		t.Skip("no sigma reader registered")
	}
	sig := formats.ReadFile(sr, &formats.File{Repo: "x", Root: "/x", Path: "aws_cloudtrail_stop.yml", Abs: "/x/aws_cloudtrail_stop.yml", Data: []byte(sigmaRule)}, env)
	pk, sk := formattest.CountKeys(docs[0]), formattest.CountKeys(sig[0])
	for _, want := range []string{"event.action|eq|stoplogging", "event.action|eq|deletetrail"} {
		if !pk[want] || !sk[want] {
			t.Errorf("key %s missing\npanther %v\nsigma   %v", want, pk, sk)
		}
	}
	// And in a catalog built from the two: one indicator each, read by
	// one rule of each language.
	cat := catalog.New([]*rule.Document{docs[0], sig[0]}, catalog.Info{}, env.Attack)
	for _, v := range []string{"stoplogging", "deletetrail"} {
		st, ok := cat.IndicatorByKey(catalog.IndicatorKey{Field: "event.action", Kind: "eq", Value: v})
		if !ok || st.Total != 2 || st.ByLanguage[rule.LangPanther] != 1 || st.ByLanguage[rule.LangSigma] != 1 {
			t.Errorf("catalog indicator event.action eq %s: %+v (found %v)", v, st, ok)
		}
	}
}

// BenchmarkReadBothCorpora reads and explains panther-analysis and
// sublime-rules as a run does (files listed and read from disk, every
// reader's Detect, the schema pass), with one worker. Target: under 1 s of
// CPU per pass.
func BenchmarkReadBothCorpora(b *testing.B) {
	roots := []string{sharedtest.Corpus(b, "panther-analysis"), sharedtest.Corpus(b, "sublime-rules")}
	b.ReportAllocs()
	start := cputime.Now()
	docs := 0
	for b.Loop() {
		res, err := formats.Read(roots, formats.Options{Workers: 1})
		if err != nil {
			b.Fatal(err)
		}
		docs = len(res.Documents)
	}
	b.ReportMetric(float64(cputime.Now()-start)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(docs), "docs")
}
