package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/rulepage"
)

func init() {
	register(&command{name: "attack", summary: "ATT&CK tools: `attack layer` writes an ATT&CK Navigator layer of the rules", run: runAttack})
}

func runAttack(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (isHelpFlag(args[0]) || args[0] == "help") {
		args = []string{"layer", "-h"}
	}
	if len(args) == 0 || args[0] != "layer" {
		fmt.Fprintln(stderr, "Usage: detwiki attack layer [--catalog DIR | SOURCE...] [--lang L] [--source S] [--base-url URL] [--out FILE]")
		return 2
	}
	fs := flag.NewFlagSet("attack layer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	catDir := fs.String("catalog", "", "read the `DIR` of a catalog built with detwiki build (instead of rule folders)")
	var langs, sources stringList
	fs.Var(&langs, "lang", "only rules of this language (repeatable)")
	fs.Var(&sources, "source", "only rules of this source folder (repeatable)")
	baseURL := fs.String("base-url", "", "URL of the wiki, for a link to each rule's page (default: each rule's public source, when known)")
	out := fs.String("out", "", "write the layer to this file (default: standard output)")
	name := fs.String("name", "", "layer name")
	attackFile := fs.String("attack", "", attackUsage)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: detwiki attack layer [--catalog DIR | SOURCE...] [--lang L] [--source S] [--base-url URL] [--out FILE]")
		fmt.Fprintln(stderr, "Writes an ATT&CK Navigator layer (format 4.5): per technique the number of rules as score, and per rule")
		fmt.Fprintln(stderr, "a link and a metadata line. Third-party feeds are left out. The exit status is 1 when no rule")
		fmt.Fprintln(stderr, "could be read, 2 on a usage error.")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return 2
	}
	for _, l := range langs {
		if !slices.Contains(ruleLanguages, l) {
			return errorf(stderr, "unknown --lang %q (%s)", l, strings.Join(ruleLanguages, ", "))
		}
	}
	var c *catalog.Catalog
	if *catDir != "" {
		if c, err = catalog.Load(*catDir); err != nil {
			return errorf(stderr, "%v", err)
		}
	} else {
		choice, err := chooseSources(pos)
		if err != nil {
			return errorf(stderr, "%v", err)
		}
		ac, err := loadAttack(*attackFile)
		if err != nil {
			return errorf(stderr, "%v", err)
		}
		if c, _, err = buildCatalog(catalog.Options{Sources: choice.Sources, Attack: ac}, stderr, false); err != nil {
			return errorf(stderr, "%v", err)
		}
		// A missing folder or one without rules must not pass for a
		// source without coverage.
		for _, s := range c.Info.Sources {
			for _, d := range s.Diagnostics {
				fmt.Fprintln(stderr, d)
			}
		}
		if c.Info.Rules == 0 {
			errorf(stderr, "no rule was read from %s", strings.Join(choice.Sources, ", "))
			return 1 // as analyze: nothing could be read
		}
	}
	opt := catalog.LayerOptions{MatrixFilter: catalog.MatrixFilter{Languages: langs, Sources: sources}, Name: *name}
	if *baseURL != "" {
		base := strings.TrimSuffix(*baseURL, "/")
		opt.RuleURL = func(id string) string { return base + rulepage.Server.Rule(id) }
	} else {
		opt.RuleURL = func(id string) string {
			if r, ok := c.Rule(id); ok {
				return catalog.SourceURL(r.Source.Repo, r.Source.Path)
			}
			return ""
		}
	}
	layer := c.Layer(opt)
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return errorf(stderr, "%v", err)
		}
		defer f.Close()
		w = f
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(layer); err != nil {
		return errorf(stderr, "%v", err)
	}
	if *out != "" {
		fmt.Fprintf(stderr, "detwiki: wrote %s: %d technique entries\n", *out, len(layer.Techniques))
	}
	return 0
}
