package ruletest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/detwiki/detwiki/internal/engine"
	"github.com/detwiki/detwiki/internal/events"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/sigmaeval"
	"github.com/detwiki/detwiki/internal/tables"
)

// RunOptions configure a run.
type RunOptions struct {
	// Events are event files or folders; every event file under them is a
	// data set every runnable rule runs on.
	Events []string
	// Now is the replay time for rules that read the clock (default: the
	// latest event of the data).
	Now time.Time
	// Workers evaluate that many data sets at once (default GOMAXPROCS).
	Workers int
	// Samples is how many matching events to keep per rule and data set
	// (default 3; negative keeps none).
	Samples int
	// SkipPositive leaves out the rules' own sample events.
	SkipPositive bool
	// Router routes Sigma logsources (nil: the default).
	Router *sigmaeval.Router
	// Progress is called after each event file with the files done and the
	// total.
	Progress func(done, total int)
}

// Result is one rule run on one data set.
type Result struct {
	// Rule is the rule document's id; Title, Language and Path (repo/path
	// of its file) say which rule it is.
	Rule     string `json:"rule"`
	Title    string `json:"title"`
	Language string `json:"language"`
	Path     string `json:"path"`
	// Dataset names the event file: relative to the --events path given,
	// or to the rule's source root for its own sample events.
	Dataset string `json:"dataset"`
	// Hits is how many events matched (alerts, for correlation rules and
	// aggregations).
	Hits int `json:"hits"`
	// Expected is "match" for a positive test (the rule's own sample
	// events), "" when nothing is expected.
	Expected string `json:"expected"`
	// OK is false when a positive test does not fire, or the events could
	// not be read.
	OK          bool     `json:"ok"`
	Diagnostics []string `json:"diagnostics"`
	// Skipped is true for a rule that cannot run (WriteJSON writes one such
	// object per rule, with dataset "" and why in Diagnostics; it is not a
	// failure).
	Skipped bool `json:"skipped,omitempty"`
	// Samples are the first matching events (fields in event order).
	Samples []Sample `json:"samples,omitempty"`
}

// Positive reports whether the result is a positive test.
func (r *Result) Positive() bool { return r.Expected == "match" }

// Sample is one matching event (or, for correlations, one alert).
type Sample struct {
	Fields []rule.SampleField `json:"fields"`
}

// Report is what a run found.
type Report struct {
	Results []Result
	// Datasets are the data sets given with --events, in order.
	Datasets []string
	// Rules is the number of rule documents; NotRunnable those that cannot
	// run, with why.
	Rules       int
	NotRunnable []NotRun
	// Errors are event paths that could not be read.
	Errors []string
	// Duration of the run.
	Duration time.Duration
}

// NotRun is a rule that cannot run.
type NotRun struct {
	Rule     string `json:"rule"`
	Title    string `json:"title"`
	Language string `json:"language"`
	Path     string `json:"path"`
	Why      string `json:"why"`
}

// Failed returns the positive tests that failed.
func (r *Report) Failed() []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Positive() && !res.OK {
			out = append(out, res)
		}
	}
	return out
}

// dataset is one event file.
type dataset struct {
	Name string
	Path string
}

// job is one event file with the rules to run on it.
type job struct {
	ds       dataset
	rules    []*Rule
	expected string
}

// Run runs the set: each rule with sample events on them, and (with
// opt.Events) every runnable rule on every data set.
func (s *Set) Run(opt *RunOptions) (*Report, error) {
	if opt == nil {
		opt = &RunOptions{}
	}
	start := time.Now()
	rep := &Report{Rules: len(s.Rules)}
	runnable := s.Runnable()
	for _, r := range s.Rules {
		if !r.Runnable() {
			rep.NotRunnable = append(rep.NotRunnable, NotRun{Rule: r.Doc.ID, Title: r.Doc.Title, Language: r.Doc.Language, Path: docPath(r), Why: r.Why})
		}
	}
	var jobs []job
	if !opt.SkipPositive {
		// positive tests, grouped by event file
		byFile := map[string]*job{}
		var order []string
		for _, r := range s.Rules {
			for _, ds := range r.positiveTests() {
				j := byFile[ds.Path]
				if j == nil {
					j = &job{ds: ds, expected: "match"}
					byFile[ds.Path] = j
					order = append(order, ds.Path)
				}
				j.rules = append(j.rules, r)
			}
		}
		for _, p := range order {
			jobs = append(jobs, *byFile[p])
		}
	}
	for _, p := range opt.Events {
		files, err := events.Files([]string{p})
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			name := filepath.Base(f)
			if st, err := os.Stat(p); err == nil && st.IsDir() {
				if rel, err := filepath.Rel(p, f); err == nil {
					name = filepath.ToSlash(rel)
				}
			}
			rep.Datasets = append(rep.Datasets, name)
			jobs = append(jobs, job{ds: dataset{Name: name, Path: f}, rules: runnable})
		}
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	results := make([][]Result, len(jobs))
	errs := make([]string, len(jobs))
	var mu sync.Mutex
	done := 0
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i], errs[i] = runJob(jobs[i], opt)
				if opt.Progress != nil {
					mu.Lock()
					done++
					opt.Progress(done, len(jobs))
					mu.Unlock()
				}
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	for i := range jobs {
		rep.Results = append(rep.Results, results[i]...)
		if errs[i] != "" {
			rep.Errors = append(rep.Errors, errs[i])
		}
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

func docPath(r *Rule) string {
	if r.Doc.Source.Repo == "" {
		return r.Doc.Source.Path
	}
	return r.Doc.Source.Repo + "/" + r.Doc.Source.Path
}

// cell accumulates one rule's results on one event file.
type cell struct {
	hits    int
	samples []Sample
}

// runJob evaluates the job's rules on its event file.
func runJob(j job, opt *RunOptions) ([]Result, string) {
	limit := opt.Samples
	if limit == 0 {
		limit = 3
	}
	var sigmaRules []*sigmaeval.Rule
	var sigmaIdx []int
	var corrs []*sigmaeval.Correlation
	var corrIdx []int
	var kustoIdx []int
	cells := make([]cell, len(j.rules))
	for i, r := range j.rules {
		if !r.Runnable() {
			continue
		}
		switch {
		case r.Kusto != nil:
			kustoIdx = append(kustoIdx, i)
		case r.Sigma != nil:
			sigmaRules = append(sigmaRules, r.Sigma)
			sigmaIdx = append(sigmaIdx, i)
		case r.Correlation != nil:
			corrs = append(corrs, r.Correlation)
			corrIdx = append(corrIdx, i)
		}
	}
	// A correlation needs its referenced rules' matches even when they are
	// not in the job (a positive test of the correlation alone).
	extra := map[*sigmaeval.Rule]bool{}
	for _, r := range sigmaRules {
		extra[r] = true
	}
	var observedOnly []*sigmaeval.Rule
	for _, c := range corrs {
		rs, _ := c.Referenced()
		for _, r := range rs {
			if r != nil && !extra[r] {
				extra[r] = true
				observedOnly = append(observedOnly, r)
			}
		}
	}
	run := sigmaeval.NewRun(corrs)
	var kustoTables *tables.Catalog
	if len(kustoIdx) > 0 {
		kustoTables = tables.NewCatalog()
	}
	var buf []int32
	err := events.ReadFile(j.ds.Path, func(b *events.Block) error {
		if kustoTables != nil {
			kustoTables.Add(b)
		}
		blk := sigmaeval.NewBlock(b, opt.Router)
		for k, r := range sigmaRules {
			buf = blk.Match(r, buf)
			if len(buf) == 0 {
				continue
			}
			if run.Wants(r) {
				run.Observe(blk, r, buf)
			}
			if r.Aggregated() {
				continue
			}
			c := &cells[sigmaIdx[k]]
			c.hits += len(buf)
			for _, row := range buf {
				if len(c.samples) >= limit {
					break
				}
				c.samples = append(c.samples, eventSample(b, int(row)))
			}
		}
		for _, r := range observedOnly {
			buf = blk.Match(r, buf)
			run.Observe(blk, r, buf)
		}
		return nil
	})
	errText := ""
	if err != nil {
		errText = err.Error()
	}
	corrAlerts, aggAlerts := run.Finish()
	for k, r := range sigmaRules {
		if !r.Aggregated() {
			continue
		}
		c := &cells[sigmaIdx[k]]
		c.hits = len(aggAlerts[r])
		c.samples = alertSamples(aggAlerts[r], limit)
	}
	for k, co := range corrs {
		c := &cells[corrIdx[k]]
		c.hits = len(corrAlerts[co])
		c.samples = alertSamples(corrAlerts[co], limit)
	}
	kustoProblems := map[int]string{}
	if kustoTables != nil && err == nil {
		now := opt.Now
		if now.IsZero() {
			now, _ = kustoTables.Latest()
		}
		for _, i := range kustoIdx {
			hits, samples, problem := runKusto(j.rules[i], kustoTables, now, limit)
			cells[i].hits, cells[i].samples = hits, samples
			if problem != "" {
				kustoProblems[i] = problem
			}
		}
	}
	out := make([]Result, 0, len(j.rules))
	for i, r := range j.rules {
		res := Result{Rule: r.Doc.ID, Title: r.Doc.Title, Language: r.Doc.Language, Path: docPath(r), Dataset: j.ds.Name,
			Hits: cells[i].hits, Expected: j.expected, OK: true, Diagnostics: diagnosticTexts(r)}
		if limit > 0 {
			res.Samples = cells[i].samples
		}
		switch {
		case errText != "":
			res.OK = false
			res.Diagnostics = append(res.Diagnostics, "events: "+errText)
		case !r.Runnable():
			res.OK = false
			res.Diagnostics = append(res.Diagnostics, r.Why)
		case kustoProblems[i] != "":
			res.OK = false
			res.Diagnostics = append(res.Diagnostics, kustoProblems[i])
		case j.expected == "match" && res.Hits == 0:
			res.OK = false
		}
		out = append(out, res)
	}
	return out, errText
}

// runKusto runs a Kusto rule on a data set's adapted tables at replay time
// now: its hits are the rows the query returns.
func runKusto(r *Rule, cat *tables.Catalog, now time.Time, limit int) (int, []Sample, string) {
	var res *engine.Result
	err := errNoRunOn
	if q, ok := any(r.Kusto).(runOnQuery); ok {
		res, err = q.RunOn(cat, now)
	}
	if err != nil {
		// no RunOn, or a table whose columns differ from the check's:
		// check the query again on the data's own tables
		q, diags := engine.Compile(r.Doc.Query, engine.Options{Catalog: cat, Now: now})
		if q == nil {
			if len(diags) > 0 {
				return 0, nil, "the query cannot run: " + diags[len(diags)-1].Message
			}
			return 0, nil, "the query cannot run: " + err.Error()
		}
		if res, err = q.Run(); err != nil {
			return 0, nil, "the query failed: " + err.Error()
		}
	}
	var samples []Sample
	names := res.Schema.Names()
	n := 0
	res.Each(func(row []engine.Value) {
		n++
		if len(samples) >= limit {
			return
		}
		var s Sample
		for k, v := range row {
			if k >= len(names) || v.IsNull() || v.IsEmpty() {
				continue
			}
			if len(s.Fields) >= maxSampleFields {
				break
			}
			text := v.String()
			if len(text) > maxSampleValue {
				text = text[:maxSampleValue] + "…"
			}
			s.Fields = append(s.Fields, rule.SampleField{Name: names[k], Value: text})
		}
		samples = append(samples, s)
	})
	return n, samples, ""
}

// runOnQuery is a checked query that runs on another catalog at another
// replay time (engine.Query.RunOn): one check per rule, one run per data
// set. Without it each data set checks the query again.
type runOnQuery interface {
	RunOn(cat engine.Catalog, now time.Time) (*engine.Result, error)
}

var errNoRunOn = errors.New("the engine cannot run a checked query on other tables")

// diagnosticTexts lists a rule's compile problems as text.
func diagnosticTexts(r *Rule) []string {
	out := []string{}
	for _, d := range r.Diagnostics {
		out = append(out, fmt.Sprintf("%d:%d: %s [%s]", d.Line, d.Col, d.Message, d.Code))
	}
	return out
}

// maxSampleValue bounds one value of a sample.
const maxSampleValue = 1000

// maxSampleFields bounds the fields of a sample.
const maxSampleFields = 64

// eventSample renders one event of a block.
func eventSample(b *events.Block, row int) Sample {
	var s Sample
	for _, nv := range b.Row(row) {
		if len(s.Fields) >= maxSampleFields {
			s.Fields = append(s.Fields, rule.SampleField{Name: "…", Value: "more fields left out"})
			break
		}
		v := nv.Value.Text
		if len(v) > maxSampleValue {
			v = v[:maxSampleValue] + "…"
		}
		s.Fields = append(s.Fields, rule.SampleField{Name: nv.Name, Value: v})
	}
	return s
}

// alertSamples renders alerts as samples.
func alertSamples(alerts []sigmaeval.Alert, limit int) []Sample {
	var out []Sample
	for _, a := range alerts {
		if len(out) >= limit {
			break
		}
		out = append(out, Sample{Fields: []rule.SampleField{
			{Name: "group", Value: strings.Join(a.Group, ", ")},
			{Name: "start", Value: a.Start.Format(time.RFC3339Nano)},
			{Name: "end", Value: a.End.Format(time.RFC3339Nano)},
			{Name: "events", Value: strconv.Itoa(a.Events)},
			{Name: "value", Value: strconv.FormatFloat(a.Value, 'f', -1, 64)},
		}})
	}
	return out
}

// ByRule summarises the report per rule document id, as the rule
// documents carry it (rule.Runs): the data sets each rule fired on, its
// positive tests and a few matching events per data set.
func (r *Report) ByRule() map[string]*rule.Runs {
	out := map[string]*rule.Runs{}
	for i := range r.Results {
		res := &r.Results[i]
		s := out[res.Rule]
		if s == nil {
			s = &rule.Runs{}
			out[res.Rule] = s
		}
		if res.Positive() {
			t := rule.TestRun{Dataset: res.Dataset, Hits: res.Hits, OK: res.OK}
			if !res.OK && res.Hits == 0 && len(res.Diagnostics) > 0 {
				t.Problem = res.Diagnostics[len(res.Diagnostics)-1]
			}
			s.Tests = append(s.Tests, t)
			continue
		}
		s.Of++
		if res.Hits > 0 {
			s.Datasets = append(s.Datasets, rule.DatasetHits{Dataset: res.Dataset, Hits: res.Hits})
			for _, sm := range res.Samples {
				s.Samples = append(s.Samples, rule.RunSample{Dataset: res.Dataset, Fields: sm.Fields})
			}
		}
	}
	for _, s := range out {
		sort.SliceStable(s.Datasets, func(i, j int) bool {
			if s.Datasets[i].Hits != s.Datasets[j].Hits {
				return s.Datasets[i].Hits > s.Datasets[j].Hits
			}
			return s.Datasets[i].Dataset < s.Datasets[j].Dataset
		})
	}
	return out
}

// Apply stores the report's results in the rule documents of the set
// (Document.Runs): every rule that ran gets its runs, the others nil.
func (r *Report) Apply(set *Set) {
	by := r.ByRule()
	for _, ru := range set.Rules {
		ru.Doc.Runs = by[ru.Doc.ID]
	}
}
