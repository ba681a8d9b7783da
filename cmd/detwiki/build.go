package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/progress"
	"github.com/detwiki/detwiki/internal/web"
)

func init() {
	register(&command{name: "build", summary: "build a catalog (SQLite) and optionally a static site from rule folders", run: runBuild})
}

func runBuild(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "detwiki-catalog", "catalog folder to write (holds catalog.db); a rebuild re-reads only changed files")
	site := fs.String("site", "", "also write a static site into this folder")
	attackFile := fs.String("attack", "", attackUsage)
	full := fs.Bool("full", false, "read every file again instead of reusing the previous build")
	baseURL := fs.String("base-url", "", "public URL of the static site, for the rule links of Navigator layers")
	siteJSON := fs.Bool("site-json", false, "also write every rule document into the static site as rules/<id>.json")
	quiet := fs.Bool("quiet", false, "no progress bar and no summary")
	var eventPaths stringList
	fs.Var(&eventPaths, "events", "event file or folder (repeatable): run every rule that can run on it and on its own sample events; rule pages show where each fired")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: detwiki build [--out DIR] [--site DIR [--site-json]] [--attack FILE|DIR] [--full] [--events PATH]... SOURCE...")
		fmt.Fprintln(stderr, "Reads rule folders (any mix of formats), analyses every rule, computes the corpus statistics and")
		fmt.Fprintln(stderr, "writes the catalog. Without SOURCE: the repositories `detwiki sync` keeps, else the example rules.")
		fs.PrintDefaults()
	}
	sources, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	choice, err := chooseSources(sources)
	if err != nil {
		errorf(stderr, "%v", err)
		if fileExists(filepath.Join(*out, catalog.DBName)) {
			fmt.Fprintf(stderr, "detwiki: the catalog in %s is left as it is\n", *out)
		}
		return 2
	}
	ac, err := loadAttack(*attackFile)
	if err != nil {
		return errorf(stderr, "%v", err)
	}
	copt := catalog.Options{Sources: choice.Sources, Out: *out, Full: *full, Attack: ac, Events: eventPaths}
	if !*quiet && len(eventPaths) > 0 {
		copt.EventsProgress = progress.New(stderr, "running rules on events").Update
	}
	c, rep, err := buildCatalog(copt, stderr, *quiet)
	if err != nil {
		return errorf(stderr, "%v", err)
	}
	if c.Info.Rules == 0 {
		// A build that reads no rule writes nothing: a catalog or site
		// already there stays as it is.
		if !*quiet {
			printSummary(stderr, c, rep)
		}
		errorf(stderr, "no rule was read from %s; nothing was written", strings.Join(choice.Sources, ", "))
		return 1
	}
	if !*quiet {
		printSummary(stderr, c, rep)
		fmt.Fprintf(stderr, "catalog: %s (serve it with `detwiki serve --catalog %s`)\n", *out, *out)
	}
	if *site != "" {
		start := time.Now()
		opt := web.ExportOptions{BaseURL: *baseURL, Notes: choice.Notes, RuleJSON: *siteJSON}
		if !*quiet {
			bar := progress.New(stderr, "writing site")
			opt.Progress = bar.Update
		}
		srep, err := web.Export(c, *site, opt)
		if err != nil {
			return errorf(stderr, "writing the static site: %v", err)
		}
		if !*quiet {
			removed := ""
			if srep.Removed > 0 {
				removed = fmt.Sprintf(", removed %d files of the previous export", srep.Removed)
			}
			fmt.Fprintf(stderr, "site: %s, %d files, %.1f MB%s in %s (open %s/index.html)\n", *site, srep.Pages,
				float64(srep.Bytes)/1e6, removed, time.Since(start).Round(100*time.Millisecond), *site)
		}
	}
	return 0
}
