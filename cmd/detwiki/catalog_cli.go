package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/examples"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/progress"
	"github.com/detwiki/detwiki/internal/rulepage"
	"github.com/detwiki/detwiki/internal/rulesync"
)

// parseInterspersed parses flags that may come before, between or after
// the positional arguments, and returns the positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// buildVersion is the detwiki version recorded in catalogs.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += "+" + s.Value[:12]
		}
	}
	return v
}

// sourceChoice is what a command reads when it is given no rule folder.
type sourceChoice struct {
	Sources  []string
	Notes    []string
	Examples bool
}

// chooseSources returns the folders to read: those given; else the
// repositories `detwiki sync` keeps in the cache; else the example rules
// built into detwiki. A given path that does not exist is an error (a
// mistyped folder must not pass for a source without rules).
func chooseSources(args []string) (*sourceChoice, error) {
	if len(args) > 0 {
		for _, a := range args {
			if _, err := os.Stat(a); err != nil {
				if os.IsNotExist(err) {
					return nil, fmt.Errorf("no such rule folder or file: %s", a)
				}
				return nil, err
			}
		}
		return &sourceChoice{Sources: args}, nil
	}
	cache := rulesync.CacheDir()
	if present := rulesync.Present(cache, rulesync.KnownRepos()); len(present) > 0 {
		return &sourceChoice{Sources: present, Notes: []string{fmt.Sprintf(
			"These rules come from the %d public repositories that detwiki sync keeps in %s; run it again to update them.", len(present), rulesync.ReposDir(cache))}}, nil
	}
	dirs, err := examples.ExtractTemp()
	if err != nil {
		return nil, err
	}
	return &sourceChoice{Sources: dirs, Examples: true, Notes: []string{
		"These are the example rules built into detwiki, one per supported format. Point detwiki at your own rule folders " +
			"(detwiki serve PATH...), or fetch the public rule repositories (detwiki sync, needs git and internet) and run detwiki serve again.",
	}}, nil
}

// examplesHint tells how to point detwiki at rule folders.
const examplesHint = `detwiki: no rule folder given and no synced repositories: serving the built-in example rules.
  Point it at rule folders:   detwiki serve path/to/sigma path/to/Azure-Sentinel ...
  Fetch the public rule sets: detwiki sync   (needs git and internet), then detwiki serve
`

// catalogDirFor returns the cache folder of the catalog built from sources
// (so that a restart re-reads only changed files).
func catalogDirFor(sources []string) string {
	var abs []string
	for _, s := range sources {
		a, err := filepath.Abs(s)
		if err != nil {
			a = s
		}
		abs = append(abs, a)
	}
	sort.Strings(abs)
	sum := sha256.Sum256([]byte(strings.Join(abs, "\x00")))
	return filepath.Join(rulesync.CacheDir(), "catalogs", hex.EncodeToString(sum[:8]))
}

// attackUsage is the help of every --attack flag.
const attackUsage = "ATT&CK Enterprise STIX bundle, or a folder holding one (enterprise-attack*.json) (default: the built-in ATT&CK data)"

// loadAttack reads --attack FILE or FOLDER (the built-in data when empty).
func loadAttack(path string) (*attack.Catalog, error) {
	if path == "" {
		return attack.Default(), nil
	}
	return attack.Load(path)
}

// softMemoryLimit is the Go heap target of builds and of the server (unless
// GOMEMLIMIT says otherwise): the collector works harder near it instead of
// letting the heap grow to twice the live data.
const softMemoryLimit = 1 << 30

func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
}

// buildCatalog builds (or incrementally rebuilds) a catalog with a
// progress bar and returns it with its report.
func buildCatalog(opt catalog.Options, stderr io.Writer, quiet bool) (*catalog.Catalog, *catalog.Report, error) {
	if !quiet {
		bar := progress.New(stderr, "reading")
		opt.Progress = func(done, total int) {
			if total >= 100 {
				bar.Update(done, total)
			}
		}
	}
	opt.Version = buildVersion()
	limitMemory()
	return catalog.Build(opt)
}

// printSummary writes what a build did: rules per language, per source with
// files and diagnostics, and the time it took.
func printSummary(w io.Writer, c *catalog.Catalog, rep *catalog.Report) {
	fmt.Fprintf(w, "detwiki: %d rules from %d files in %s", c.Info.Rules, rep.Files, rep.Total.Round(10*time.Millisecond))
	if rep.Full {
		fmt.Fprintf(w, " (read every file: %s)\n", rep.Why)
	} else {
		relinked := ""
		if rep.Relinked > 0 {
			relinked = fmt.Sprintf(" and %d linking to them", rep.Relinked)
		}
		fmt.Fprintf(w, " (read %d changed files%s, reused %d)\n", rep.Read-rep.Relinked, relinked, rep.Reused)
	}
	langs := make([]string, 0, len(c.Info.ByLanguage))
	for l := range c.Info.ByLanguage {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	rows := [][]string{{"language", "rules"}}
	for _, l := range langs {
		rows = append(rows, []string{rulepage.LanguageName(l), fmt.Sprint(c.Info.ByLanguage[l])})
	}
	if c.Info.Feeds > 0 {
		rows = append(rows, []string{"(third-party feeds)", fmt.Sprint(c.Info.Feeds)})
	}
	printTable(w, rows)
	rows = [][]string{{"source", "files", "rules", "not rules", "errors", "warnings"}}
	for _, s := range c.Info.Sources {
		rows = append(rows, []string{s.Name, fmt.Sprint(s.Files), fmt.Sprint(s.Rules), fmt.Sprint(s.Skipped), fmt.Sprint(s.Errors), fmt.Sprint(s.Warnings)})
	}
	printTable(w, rows)
	for _, s := range c.Info.Sources {
		for i, d := range s.Diagnostics {
			if i == 5 {
				fmt.Fprintf(w, "  %s: %d more problems\n", s.Name, len(s.Diagnostics)-5)
				break
			}
			fmt.Fprintf(w, "  %s: %s\n", s.Name, d)
		}
	}
	var phases []string
	for _, p := range rep.Phases {
		phases = append(phases, fmt.Sprintf("%s %s", p.Name, p.Duration.Round(10*time.Millisecond)))
	}
	fmt.Fprintf(w, "time: %s\n", strings.Join(phases, ", "))
	if c.Info.Rules == 0 {
		fmt.Fprintln(w, "detwiki: no rule was read; are these rule folders? (formats read: "+strings.Join(formats.FormatNames(), ", ")+")")
	}
}

// printTable writes rows as a table: the first column left-aligned, the
// others (numbers) right-aligned, indented by two spaces.
func printTable(w io.Writer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], len(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		b.WriteString("  ")
		for i, c := range r {
			if i == 0 {
				b.WriteString(c + strings.Repeat(" ", widths[0]-len(c)))
				continue
			}
			b.WriteString("  " + strings.Repeat(" ", widths[i]-len(c)) + c)
		}
		fmt.Fprintln(w, b.String())
	}
}

// errorf prints an error the way every command does.
func errorf(w io.Writer, format string, args ...any) int {
	fmt.Fprintf(w, "detwiki: "+format+"\n", args...)
	return 2
}

// fileExists reports whether path exists.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
