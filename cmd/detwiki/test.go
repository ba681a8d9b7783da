package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/detwiki/detwiki/internal/progress"
	"github.com/detwiki/detwiki/internal/ruletest"
)

func init() {
	register(&command{name: "test", summary: "run rules on their sample events and on event data sets", run: runTest})
}

func runTest(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var eventPaths, placeholders stringList
	fs.Var(&eventPaths, "events", "event file or folder (repeatable): every rule that can run runs on every event file under it")
	nowText := fs.String("now", "", "replay time for rules that read the clock (RFC 3339; default: the latest event)")
	format := fs.String("format", "text", "output: text, json (one object per rule and data set, a line each) or junit (JUnit XML)")
	samples := fs.Int("samples", 3, "matching events to keep per rule and data set (json output)")
	skipPositive := fs.Bool("no-positive", false, "do not run rules on their own sample events")
	fs.Var(&placeholders, "placeholder", "NAME=VALUE for Sigma |expand placeholders (repeatable; a name may take several values)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: detwiki test [--events PATH]... [--now TIME] [--format text|json|junit] RULE_PATH...")
		fmt.Fprintln(stderr, "Runs Sigma rules on their own sample events (SigmaHQ regression data: each must fire) and,")
		fmt.Fprintln(stderr, "with --events, every rule that can run (Sigma and Kusto) on every event data set: a matrix of hit counts.")
		fmt.Fprintln(stderr, "Exit status 1 when a rule does not fire on its own sample events.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	switch *format {
	case "text", "json", "junit":
	default:
		fmt.Fprintf(stderr, "detwiki: unknown --format %q (text, json, junit)\n", *format)
		return 2
	}
	ropt := &ruletest.RunOptions{Events: eventPaths, Samples: *samples, SkipPositive: *skipPositive}
	if *samples == 0 {
		ropt.Samples = -1
	}
	if *nowText != "" {
		t, err := parseNow(*nowText)
		if err != nil {
			fmt.Fprintln(stderr, "detwiki: --now:", err)
			return 2
		}
		ropt.Now = t
	}
	sopt := &ruletest.SetOptions{Placeholders: map[string][]string{}}
	for _, p := range placeholders {
		name, value, ok := strings.Cut(p, "=")
		if !ok || name == "" {
			fmt.Fprintf(stderr, "detwiki: --placeholder %q: want NAME=VALUE\n", p)
			return 2
		}
		sopt.Placeholders[strings.Trim(name, "%")] = append(sopt.Placeholders[strings.Trim(name, "%")], value)
	}
	readBar := progress.New(stderr, "reading rules")
	sopt.Progress = func(done, total int) {
		if total >= 200 {
			readBar.Update(done, total)
		}
	}
	set, err := ruletest.Load(fs.Args(), sopt)
	if err != nil {
		fmt.Fprintln(stderr, "detwiki:", err)
		return 2
	}
	for _, d := range set.Diagnostics {
		fmt.Fprintln(stderr, d)
	}
	if len(set.Rules) == 0 {
		fmt.Fprintln(stderr, "detwiki: no rule found under", strings.Join(fs.Args(), ", "))
		return 2
	}
	runBar := progress.New(stderr, "testing")
	ropt.Progress = func(done, total int) {
		if total >= 20 {
			runBar.Update(done, total)
		}
	}
	rep, err := set.Run(ropt)
	if err != nil {
		fmt.Fprintln(stderr, "detwiki:", err)
		return 2
	}
	switch *format {
	case "json":
		err = rep.WriteJSON(stdout)
	case "junit":
		err = rep.WriteJUnit(stdout)
	default:
		err = rep.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "detwiki:", err)
		return 2
	}
	if failed := rep.Failed(); len(failed) > 0 {
		if *format != "text" {
			fmt.Fprintf(stderr, "detwiki: %d rule(s) do not fire on their own sample events\n", len(failed))
		}
		return 1
	}
	return 0
}

// parseNow reads --now: RFC 3339, or a date and time without a zone (UTC).
func parseNow(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (use RFC 3339: 2020-10-21T09:40:00Z)", s)
}
