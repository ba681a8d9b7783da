package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/progress"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

func init() {
	register(&command{name: "analyze", summary: "read rule files and print their rule documents", run: runAnalyze})
}

func runAnalyze(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "json", "output: json (an array), jsonl (one document per line), md (rule pages as markdown) or html (rule pages as one self-contained HTML file)")
	attackFile := fs.String("attack", "", attackUsage)
	input := fs.String("input-format", "", "read every file with this reader instead of detecting the format")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: detwiki analyze [--format json|jsonl|md|html] [--attack FILE|DIR] [--input-format F] PATH...")
		fmt.Fprintln(stderr, "Reads rule files and folders (recursively) and prints their rule documents, or their rule pages.")
		fmt.Fprintln(stderr, "Problems are printed as file:line:col: message [CODE]. The exit status is 1 when no rule could be read.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	if _, ok := renderers[*format]; !ok && *format != "json" && *format != "jsonl" {
		// Checked before reading: a typo must not cost a read of the corpus.
		fmt.Fprintf(stderr, "detwiki: unknown --format %q (json, jsonl, md or html)\n", *format)
		return 2
	}
	opt := formats.Options{Format: *input}
	if *attackFile != "" {
		c, err := loadAttack(*attackFile)
		if err != nil {
			fmt.Fprintln(stderr, "detwiki:", err)
			return 2
		}
		opt.Attack = c
	}
	bar := progress.New(stderr, "reading")
	opt.Progress = func(done, total int) {
		if total >= 200 {
			bar.Update(done, total)
		}
	}
	res, err := formats.Read(fs.Args(), opt)
	if err != nil {
		fmt.Fprintln(stderr, "detwiki:", err)
		return 2
	}
	for _, d := range res.Diagnostics {
		fmt.Fprintln(stderr, d)
	}
	for _, doc := range res.Documents {
		for _, d := range doc.Analysis.Diagnostics {
			if d.IsError() {
				fmt.Fprintln(stderr, d)
			}
		}
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if res.Documents == nil {
			fmt.Fprintln(stdout, "[]")
		} else if err := enc.Encode(res.Documents); err != nil {
			fmt.Fprintln(stderr, "detwiki:", err)
			return 2
		}
	case "jsonl":
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		for _, d := range res.Documents {
			if err := enc.Encode(d); err != nil {
				fmt.Fprintln(stderr, "detwiki:", err)
				return 2
			}
		}
	default:
		if r, ok := renderers[*format]; ok {
			if err := r(stdout, res.Documents); err != nil {
				fmt.Fprintln(stderr, "detwiki:", err)
				return 2
			}
			break
		}
		fmt.Fprintf(stderr, "detwiki: unknown --format %q\n", *format)
		return 2
	}
	if !anyRead(res.Documents) {
		// Say which files were not taken, so an empty, binary or misplaced
		// file is named rather than silently counted.
		const shown = 10
		for i, p := range res.Skipped {
			if i == shown {
				fmt.Fprintf(stderr, "detwiki: ... and %d more file(s) not recognised\n", len(res.Skipped)-shown)
				break
			}
			fmt.Fprintf(stderr, "%s: not recognised as a rule file of any format (empty, binary, or not a rule)\n", p)
		}
		fmt.Fprintf(stderr, "detwiki: no rule could be read from %d file(s)\n", res.Files)
		return 1
	}
	return 0
}

// anyRead reports whether at least one document is a rule that could be
// read: it has a query, or it has no error (a stub the source itself marks
// as moved or replaced). A document that only carries the errors of a file
// that could not be read does not count.
func anyRead(docs []*rule.Document) bool {
	for _, d := range docs {
		if d.Query != "" || !source.Diagnostics(d.Analysis.Diagnostics).HasErrors() {
			return true
		}
	}
	return false
}
