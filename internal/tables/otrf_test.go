package tables

import (
	"archive/zip"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/engine"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

// otrfDataset is one OTRF dataset archive and what its metadata says.
type otrfDataset struct {
	Path  string
	Title string
	Techs map[string]bool // ATT&CK techniques and sub-techniques
	Size  int64           // unzipped bytes
}

type datasetMeta struct {
	ID     string `yaml:"id"`
	Title  string `yaml:"title"`
	Attack []struct {
		Technique    string `yaml:"technique"`
		SubTechnique any    `yaml:"sub-technique"`
	} `yaml:"attack_mappings"`
	Files []struct {
		Link string `yaml:"link"`
	} `yaml:"files"`
}

// otrfDatasets lists the OTRF dataset archives with their metadata.
func otrfDatasets(tb testing.TB) []otrfDataset {
	root := sharedtest.Path(tb, "datasets", "otrf", "datasets")
	metas := map[string]*datasetMeta{} // archive base name -> metadata
	mfiles, _ := filepath.Glob(filepath.Join(root, "atomic", "_metadata", "*.yaml"))
	for _, mf := range mfiles {
		data, err := os.ReadFile(mf)
		if err != nil {
			tb.Fatal(err)
		}
		var m datasetMeta
		if err := yaml.Unmarshal(data, &m); err != nil {
			tb.Fatalf("%s: %v", mf, err)
		}
		for _, f := range m.Files {
			metas[filepath.Base(f.Link)] = &m
		}
	}
	var out []otrfDataset
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || !strings.HasSuffix(p, ".zip") {
			return err
		}
		ds := otrfDataset{Path: p, Title: filepath.Base(p), Techs: map[string]bool{}}
		if m := metas[filepath.Base(p)]; m != nil {
			ds.Title = m.Title + " (" + m.ID + ")"
			for _, a := range m.Attack {
				ds.Techs[a.Technique] = true
				if s, ok := a.SubTechnique.(string); ok && s != "" {
					ds.Techs[a.Technique+"."+strings.TrimPrefix(s, ".")] = true
				}
			}
		}
		if zr, err := zip.OpenReader(p); err == nil {
			for _, f := range zr.File {
				ds.Size += int64(f.UncompressedSize64)
			}
			zr.Close()
		}
		out = append(out, ds)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	if len(out) != 20 {
		tb.Fatalf("%d OTRF datasets, want 20", len(out))
	}
	return out
}

// compiledRule is a Kusto rule of the corpus that reads only adapted
// tables, checked once against the (empty) adapted tables: a compiled
// query runs on every dataset with RunOn.
type compiledRule struct {
	ID   string
	Doc  *rule.Document
	Q    *engine.Query
	Diag string // why it cannot run, when Q is nil
	// Fuzzy: the rule reads other tables too, in legs of union isfuzzy=true
	// that Kusto leaves out when the workspace lacks them; it runs on the
	// adapted legs
	Fuzzy bool
}

func compileAdapted(tb testing.TB) []compiledRule {
	empty := NewCatalog()
	var out []compiledRule
	adapted := map[string]bool{}
	for _, n := range Names() {
		adapted[n] = true
	}
	for _, r := range kustoRules(tb) {
		cr := compiledRule{ID: r.doc.Source.Repo + "/" + r.doc.Source.Path, Doc: r.doc}
		q, diags := engine.Compile(r.doc.Query, engine.Options{Catalog: empty})
		if !r.adapted {
			some := false
			for _, tb := range r.doc.Analysis.Tables {
				some = some || adapted[tb]
			}
			if q == nil || !some {
				continue
			}
			cr.Fuzzy = true
		}
		if q == nil {
			d := diags[len(diags)-1]
			cr.Diag = d.Code + " " + reason(d.Message)
		}
		cr.Q = q
		out = append(out, cr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// datasetRun is every rule's outcome on one dataset.
type datasetRun struct {
	DS      otrfDataset
	Events  int
	Now     time.Time
	Rows    []int    // per rule: rows returned
	Errs    []string // per rule: run error
	Missed  []string // rules of the dataset's techniques that do not fire, with why
	Offsets string   // clock offsets applied
}

// runOTRF loads each dataset and runs every compiled rule on it, `workers`
// datasets at a time (each on its own goroutine; a catalog is safe for
// concurrent queries). With explain, rules of the dataset's techniques that
// return nothing are run again traced to say why.
func runOTRF(tb testing.TB, datasets []otrfDataset, rules []compiledRule, workers int, explain bool) []*datasetRun {
	out := make([]*datasetRun, len(datasets))
	order := make([]int, len(datasets))
	for i := range order {
		order[i] = i
	}
	// biggest first, so the workers finish together
	sort.Slice(order, func(a, b int) bool { return datasets[order[a]].Size > datasets[order[b]].Size })
	work := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				run, err := runDataset(datasets[i], rules, explain)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				out[i] = run
				mu.Unlock()
			}
		}()
	}
	for _, i := range order {
		work <- i
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		tb.Fatal(firstErr)
	}
	return out
}

func runDataset(ds otrfDataset, rules []compiledRule, explain bool) (*datasetRun, error) {
	cat, err := Load([]string{ds.Path})
	if err != nil {
		return nil, fmt.Errorf("%s: %v", ds.Path, err)
	}
	now, _ := cat.Latest()
	run := &datasetRun{DS: ds, Events: cat.Events(), Now: now, Rows: make([]int, len(rules)), Errs: make([]string, len(rules))}
	for i, r := range rules {
		if r.Q == nil {
			continue
		}
		res, err := r.Q.RunOn(cat, now)
		if err != nil {
			run.Errs[i] = err.Error()
			continue
		}
		run.Rows[i] = res.Rows()
	}
	if !explain {
		return run, nil
	}
	var hosts []string
	for _, h := range cat.Hosts() {
		if off := cat.ClockOffset(h); off != 0 && h != "" {
			hosts = append(hosts, fmt.Sprintf("%s %+.2gh", h, off.Hours()))
		}
	}
	run.Offsets = strings.Join(hosts, ", ")
	for i, r := range rules {
		if run.Rows[i] > 0 || !matchesTechnique(r.Doc, ds.Techs) {
			continue
		}
		run.Missed = append(run.Missed, fmt.Sprintf("`%s`: %s", r.ID, whyNoRow(r, run.Errs[i], cat, now)))
	}
	return run, nil
}

// matchesTechnique reports whether one of the rule's techniques, or its
// parent technique, is one of techs.
func matchesTechnique(d *rule.Document, techs map[string]bool) bool {
	for _, a := range d.Attack {
		if techs[a.TechniqueID] || techs[strings.Split(a.TechniqueID, ".")[0]] {
			return true
		}
	}
	return false
}

// whyNoRow explains a rule that returns nothing on a dataset: it cannot
// run (the operator, function or column), a table it reads has no rows,
// or the operator that dropped the last rows (a time window, a column the
// adapter cannot fill, or values the data does not have).
func whyNoRow(r compiledRule, runErr string, cat *Catalog, now time.Time) string {
	switch {
	case r.Q == nil:
		return "not run: " + r.Diag
	case runErr != "":
		return "run error: " + runErr
	}
	_, tr, err := r.Q.RunTraced(cat, now)
	if err != nil {
		return "run error: " + err.Error()
	}
	var parts []string
	var empty []string
	for _, st := range tr.Emptied(cat) {
		if st.Scan {
			empty = append(empty, st.Table)
			continue
		}
		text := "`" + strings.ReplaceAll(oneLine(st.Text, 150), "`", "'") + "`"
		var what string
		switch st.Op {
		case "filter":
			what = fmt.Sprintf("no row of %d passes %s", st.In, text)
		case "join":
			what = fmt.Sprintf("no row of %d matches in %s", st.In, text)
		default:
			what = fmt.Sprintf("no row of %d comes out of %s", st.In, text)
		}
		switch {
		case st.Time:
			what = "time window: " + what + fmt.Sprintf(" (now() = %s)", now.Format(time.RFC3339))
		case len(st.Unfilled) > 0:
			what += "; it reads " + strings.Join(st.Unfilled, ", ") + ", which no event of the dataset fills"
		case len(st.Empty) > 0:
			verb := " is"
			if len(st.Empty) > 1 {
				verb = " are"
			}
			what += "; " + strings.Join(st.Empty, ", ") + verb + " empty in all of them"
			if strings.Contains(strings.Join(st.Empty, " "), "InitiatingProcess") {
				what += " (the initiating process was created before the events begin)"
			}
		case st.Op == "filter":
			what += " (the values it looks for are not in the data)"
		}
		parts = append(parts, what)
	}
	if len(empty) > 0 {
		sort.Strings(empty)
		parts = append([]string{"no " + strings.Join(unique(empty), ", ") + " rows in the dataset"}, parts...)
	}
	if len(parts) == 0 {
		return "its conditions match no event"
	}
	return strings.Join(parts, "; ")
}

func unique(list []string) []string {
	var out []string
	for i, s := range list {
		if i == 0 || s != list[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// oneLine collapses whitespace and shortens s to at most n bytes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// TestOTRFValidation runs every Kusto rule on adapted tables over each of
// the 20 OTRF datasets and checks the results against the kusto-otrf
// section of docs/validation.md (-update rewrites it): which rules fire on
// which dataset, and why the rules of a dataset's ATT&CK techniques that do
// not fire do not.
func TestOTRFValidation(t *testing.T) {
	datasets := otrfDatasets(t)
	rules := compileAdapted(t)
	runs := runOTRF(t, datasets, rules, runtime.GOMAXPROCS(0), true)
	doc := validationDoc(rules, runs)

	totalFires, compiled, fuzzy := 0, 0, 0
	for _, r := range rules {
		if r.Q != nil {
			compiled++
		}
		if r.Fuzzy {
			fuzzy++
		}
	}
	for _, run := range runs {
		for i := range rules {
			if run.Rows[i] > 0 {
				totalFires++
			}
			if run.Errs[i] != "" {
				t.Errorf("%s on %s: %s", rules[i].ID, filepath.Base(run.DS.Path), run.Errs[i])
			}
		}
	}
	t.Logf("%d rules on adapted tables (%d with union isfuzzy=true legs of other tables), %d run; %d (rule, dataset) fires", len(rules), fuzzy, compiled, totalFires)
	if fuzzy < 10 {
		t.Errorf("only %d rules run on the adapted legs of union isfuzzy=true, want 10 or more", fuzzy)
	}
	if totalFires < 100 {
		t.Errorf("only %d (rule, dataset) fires", totalFires)
	}
	path := filepath.Join(sharedtest.RepoRoot(), "docs", "validation.md")
	if *update {
		if err := sharedtest.UpdateDocSection(path, "kusto-otrf", doc); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, ok := sharedtest.DocSection(path, "kusto-otrf")
	if !ok {
		t.Fatalf("%s has no kusto-otrf section: run with -update", path)
	}
	if want != doc+"\n" && want != doc {
		got, exp := strings.Split(doc, "\n"), strings.Split(want, "\n")
		for i := 0; i < len(got) || i < len(exp); i++ {
			var g, e string
			if i < len(got) {
				g = got[i]
			}
			if i < len(exp) {
				e = exp[i]
			}
			if g != e {
				t.Errorf("docs/validation.md (kusto-otrf) differs at line %d:\n got: %s\nwant: %s\n(run go test ./internal/tables -run TestOTRFValidation -update when the change is intended)", i+1, g, e)
				break
			}
		}
	}
}

// validationDoc renders the kusto-otrf section of docs/validation.md.
func validationDoc(rules []compiledRule, runs []*datasetRun) string {
	var b strings.Builder
	compiled, only, onlyRun := 0, 0, 0
	for _, r := range rules {
		if r.Q != nil {
			compiled++
		}
		if !r.Fuzzy {
			only++
			if r.Q != nil {
				onlyRun++
			}
		}
	}
	b.WriteString("## Kusto rules on the OTRF datasets\n\n")
	b.WriteString("Generated by `go test ./internal/tables -run TestOTRFValidation -update`; the test fails\n")
	b.WriteString("when a result changes. Every Kusto rule of `../shared/corpus` (Azure-Sentinel, FalconFriday,\n")
	b.WriteString("Microsoft-365-Defender-Hunting-Queries) whose tables all have an adapter, or that reads\n")
	b.WriteString("the others only in legs of `union isfuzzy=true` (which Kusto leaves out when a workspace\n")
	b.WriteString("lacks the table), is checked once and\n")
	b.WriteString("run over each of the 20 OTRF datasets, with now() at the dataset's latest event (on the\n")
	b.WriteString("tables' clock: Sysmon UtcTime, else TimeCreated corrected by the host's clock offset; see\n")
	b.WriteString("`docs/engine.md`). A rule fires when its query returns at least one row.\n\n")
	fmt.Fprintf(&b, "%d rules read only adapted tables; %d of them run, the others need an operator or function\n", only, onlyRun)
	b.WriteString("the engine does not run (`TestCorpusRulesRun` counts them). ")
	fmt.Fprintf(&b, "%d more rules run on the adapted legs of\n`union isfuzzy=true`.\n\n", len(rules)-only)
	b.WriteString("For the rules whose ATT&CK technique (or its parent) is one of the dataset's and that do not\n")
	b.WriteString("fire, the reason comes from a traced run: a table without rows in the dataset, or the operator\n")
	b.WriteString("that dropped the last rows: a time window (it reads now()), a column the adapter cannot fill\n")
	b.WriteString("from these events, or values the data does not have.\n\n")
	b.WriteString("| dataset | ATT&CK | events | rules firing | same technique, not firing |\n|---|---|---:|---:|---:|\n")
	for _, run := range runs {
		fires := 0
		for i := range rules {
			if run.Rows[i] > 0 {
				fires++
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d |\n", run.DS.Title, strings.Join(keys(run.DS.Techs), ", "), run.Events, fires, len(run.Missed))
	}
	b.WriteString("\n")
	for _, run := range runs {
		fmt.Fprintf(&b, "### %s\n\n`%s`, %d events, ATT&CK %s", run.DS.Title, filepath.Base(run.DS.Path), run.Events, strings.Join(keys(run.DS.Techs), ", "))
		if run.Events == 0 {
			b.WriteString(".\n\nNo events: the archive holds network captures (pcap), which detwiki does not read.\n\n")
			continue
		}
		fmt.Fprintf(&b, "; now() = %s", run.Now.Format(time.RFC3339))
		if run.Offsets != "" {
			fmt.Fprintf(&b, "; clock offset %s", run.Offsets)
		}
		b.WriteString(".\n\n")
		var fired []string
		for i, r := range rules {
			if run.Rows[i] > 0 {
				fired = append(fired, fmt.Sprintf("- `%s`: %d rows", r.ID, run.Rows[i]))
			}
		}
		fmt.Fprintf(&b, "Fire (%d):\n\n", len(fired))
		for _, f := range fired {
			b.WriteString(f + "\n")
		}
		if len(run.Missed) > 0 {
			fmt.Fprintf(&b, "\nSame technique, do not fire (%d):\n\n", len(run.Missed))
			for _, m := range run.Missed {
				b.WriteString("- " + m + "\n")
			}
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// BenchmarkOTRF loads all 20 OTRF datasets and runs every Kusto rule on
// adapted tables over each (rules checked once per iteration, datasets on
// GOMAXPROCS goroutines): the target is under 5 s and 2 GiB on 2
// cores. It reports CPU time per iteration (the machine is shared) and the
// process's peak RSS.
func BenchmarkOTRF(b *testing.B) {
	datasets := otrfDatasets(b)
	var size int64
	for _, ds := range datasets {
		size += ds.Size
	}
	docs := compileAdapted(b) // read the corpus once, outside the timer
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	events, fires := 0, 0
	for b.Loop() {
		empty := NewCatalog()
		rules := make([]compiledRule, len(docs))
		for i, r := range docs {
			q, _ := engine.Compile(r.Doc.Query, engine.Options{Catalog: empty})
			rules[i] = compiledRule{ID: r.ID, Doc: r.Doc, Q: q}
		}
		runs := runOTRF(b, datasets, rules, runtime.GOMAXPROCS(0), false)
		events, fires = 0, 0
		for _, run := range runs {
			events += run.Events
			for _, n := range run.Rows {
				if n > 0 {
					fires++
				}
			}
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e9, "cpu-s/op")
	b.ReportMetric(float64(events), "events")
	b.ReportMetric(float64(len(docs)), "rules")
	b.ReportMetric(float64(fires), "fires")
	b.ReportMetric(float64(peakRSS())/(1<<20), "peak-RSS-MiB")
}
