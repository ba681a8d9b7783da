package ruletest

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteJSON writes one JSON object per result, one a line: {rule, title,
// language, path, dataset, hits, expected, ok, diagnostics, samples}; then
// one per rule that cannot run, with "skipped": true, dataset "" and why in
// diagnostics.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range r.Results {
		if err := enc.Encode(&r.Results[i]); err != nil {
			return err
		}
	}
	for _, n := range r.NotRunnable {
		res := n.result()
		if err := enc.Encode(&res); err != nil {
			return err
		}
	}
	return nil
}

// result is the JSON object of a rule that cannot run.
func (n NotRun) result() Result {
	return Result{Rule: n.Rule, Title: n.Title, Language: n.Language, Path: n.Path, OK: true, Skipped: true, Diagnostics: []string{n.Why}}
}

// WriteText writes the positive tests' outcome, the rule × data set matrix
// of the rules that fire on some data set, and what could not run.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var pos, failed []Result
	for _, res := range r.Results {
		if res.Positive() {
			pos = append(pos, res)
			if !res.OK {
				failed = append(failed, res)
			}
		}
	}
	if len(pos) > 0 {
		fmt.Fprintf(tw, "Positive tests (rules on their own sample events): %d passed, %d failed\n", len(pos)-len(failed), len(failed))
		for _, f := range failed {
			why := "no event matched"
			if len(f.Diagnostics) > 0 {
				why = f.Diagnostics[len(f.Diagnostics)-1]
			}
			fmt.Fprintf(tw, "  FAIL\t%s\t%s\t%s\n", f.Rule, f.Dataset, why)
		}
	}
	if len(pos) == 0 && len(r.Datasets) == 0 {
		fmt.Fprintf(tw, "Nothing ran: none of the %d rules has sample events of its own; give --events PATH to run them on event data sets.\n", r.Rules)
	}
	if len(r.Datasets) > 0 {
		hits := map[string]map[string]int{}
		var firing []string
		titles := map[string]string{}
		for _, res := range r.Results {
			if res.Positive() || res.Hits == 0 {
				continue
			}
			if hits[res.Rule] == nil {
				hits[res.Rule] = map[string]int{}
				firing = append(firing, res.Rule)
				titles[res.Rule] = res.Title
			}
			hits[res.Rule][res.Dataset] = res.Hits
		}
		sort.Strings(firing)
		fmt.Fprintf(tw, "\nData sets (%d):\n", len(r.Datasets))
		for i, d := range r.Datasets {
			fmt.Fprintf(tw, "  D%d\t%s\n", i+1, d)
		}
		runnable := r.Rules - len(r.NotRunnable)
		fmt.Fprintf(tw, "\n%d of %d runnable rules fire on some data set (hits per data set):\n", len(firing), runnable)
		if len(firing) > 0 {
			fmt.Fprint(tw, "rule")
			for i := range r.Datasets {
				fmt.Fprintf(tw, "\tD%d", i+1)
			}
			fmt.Fprintln(tw)
			for _, id := range firing {
				fmt.Fprint(tw, id)
				for _, d := range r.Datasets {
					if n := hits[id][d]; n > 0 {
						fmt.Fprintf(tw, "\t%d", n)
					} else {
						fmt.Fprint(tw, "\t.")
					}
				}
				fmt.Fprintln(tw)
			}
		}
	}
	if len(r.NotRunnable) > 0 {
		why := map[string]int{}
		for _, n := range r.NotRunnable {
			why[shortWhy(n.Why)]++
		}
		keys := make([]string, 0, len(why))
		for k := range why {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if why[keys[i]] != why[keys[j]] {
				return why[keys[i]] > why[keys[j]]
			}
			return keys[i] < keys[j]
		})
		fmt.Fprintf(tw, "\n%d of %d rules cannot run:\n", len(r.NotRunnable), r.Rules)
		for i, k := range keys {
			if i == maxReasons {
				rest := 0
				for _, k := range keys[i:] {
					rest += why[k]
				}
				fmt.Fprintf(tw, "  %d\t(%d other reasons; --format json lists every rule)\n", rest, len(keys)-i)
				break
			}
			fmt.Fprintf(tw, "  %d\t%s\n", why[k], k)
		}
	}
	for _, e := range r.Errors {
		fmt.Fprintf(tw, "error: %s\n", e)
	}
	return tw.Flush()
}

// shortWhy groups reasons: quoted parts (conditions, table and function
// names) become "…".
func shortWhy(s string) string {
	var b strings.Builder
	var quote rune
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
			continue
		case r == '"' || r == '\'' && (i == 0 || s[i-1] == ' ' || s[i-1] == '('):
			quote = r
			b.WriteRune(r)
			b.WriteString("…")
			b.WriteRune(r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// maxReasons bounds the reasons the text report lists.
const maxReasons = 20

// JUnit XML (the schema CI systems read: testsuites > testsuite > testcase
// with failure and system-out).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr,omitempty"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr,omitempty"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Error     *junitFailure `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes JUnit XML: a suite "positive tests" with one case per
// rule and sample-event file (failing when the rule does not fire), and a
// suite per data set with a case for every rule that fires on it or could
// not be run on it (the matrix's silent cells are left out: they pass and
// would be tens of thousands of cases), and a suite "rules that cannot run"
// with a skipped case per such rule, saying why.
func (r *Report) WriteJUnit(w io.Writer) error {
	out := junitSuites{Name: "detwiki test", Time: strconv.FormatFloat(r.Duration.Seconds(), 'f', 3, 64)}
	suites := map[string]*junitSuite{}
	var order []string
	suite := func(name string) *junitSuite {
		s := suites[name]
		if s == nil {
			s = &junitSuite{Name: name}
			suites[name] = s
			order = append(order, name)
		}
		return s
	}
	for _, res := range r.Results {
		name := "data set " + res.Dataset
		if res.Positive() {
			name = "positive tests"
		} else if res.Hits == 0 && res.OK {
			continue
		}
		s := suite(name)
		c := junitCase{Name: res.Title + " (" + res.Rule + ")", Classname: res.Path}
		out := fmt.Sprintf("hits: %d\ndataset: %s\n", res.Hits, res.Dataset)
		for _, d := range res.Diagnostics {
			out += "diagnostic: " + d + "\n"
		}
		c.SystemOut = out
		switch {
		case !res.OK && res.Positive() && res.Hits == 0 && len(res.Diagnostics) == 0:
			c.Failure = &junitFailure{Message: "the rule does not fire on its own sample events", Type: "NoMatch", Text: res.Dataset}
			s.Failures++
		case !res.OK && res.Positive():
			c.Failure = &junitFailure{Message: "the rule cannot run on its own sample events", Type: "NoMatch", Text: strings.Join(res.Diagnostics, "\n")}
			s.Failures++
		case !res.OK:
			c.Error = &junitFailure{Message: "the rule could not run on the data set", Type: "Error", Text: strings.Join(res.Diagnostics, "\n")}
			s.Errors++
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	for _, n := range r.NotRunnable {
		s := suite("rules that cannot run")
		s.Cases = append(s.Cases, junitCase{Name: n.Title + " (" + n.Rule + ")", Classname: n.Path, Skipped: &junitSkipped{Message: n.Why}})
		s.Tests++
		s.Skipped++
	}
	for _, name := range order {
		s := suites[name]
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Skipped += s.Skipped
		out.Suites = append(out.Suites, *s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
