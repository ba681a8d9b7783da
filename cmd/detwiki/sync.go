package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/rulesync"
)

func init() {
	register(&command{name: "sync", summary: "clone or update the well-known public rule repositories into the detwiki cache", run: runSync})
}

func runSync(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cache := fs.String("cache", rulesync.CacheDir(), "cache folder (also $"+rulesync.EnvVar+"); repositories go to its repos/ folder")
	list := fs.Bool("list", false, "list the repositories and whether they are in the cache, and exit")
	only := fs.String("only", "", "sync only these repositories (comma-separated names)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: detwiki sync [--cache DIR] [--only NAME,...] [--list]")
		fmt.Fprintln(stderr, "Clones (shallow) or updates the public rule repositories detwiki knows. `detwiki serve` and")
		fmt.Fprintln(stderr, "`detwiki build` read them when given no rule folder. Needs git and internet.")
		fs.PrintDefaults()
	}
	if _, err := parseInterspersed(fs, args); err != nil {
		return 2
	}
	repos := rulesync.KnownRepos()
	if *only != "" {
		want := map[string]bool{}
		for _, n := range strings.Split(*only, ",") {
			want[strings.ToLower(strings.TrimSpace(n))] = true
		}
		var keep []rulesync.Repo
		for _, r := range repos {
			if want[strings.ToLower(r.Name)] {
				keep = append(keep, r)
				delete(want, strings.ToLower(r.Name))
			}
		}
		for n := range want {
			return errorf(stderr, "unknown repository %q (see detwiki sync --list)", n)
		}
		repos = keep
	}
	if *list {
		present := map[string]bool{}
		for _, d := range rulesync.Present(*cache, repos) {
			present[d] = true
		}
		for i, r := range repos {
			mark := " "
			for d := range present {
				if strings.HasSuffix(d, string(os.PathSeparator)+r.Name) {
					mark = "*"
				}
			}
			fmt.Fprintf(stdout, "%s %-40s %s  %s\n", mark, r.Name, r.URL, catalog.KnownRepos[indexOfKnown(r.Name, i)].Formats)
		}
		fmt.Fprintf(stdout, "(* in %s)\n", rulesync.ReposDir(*cache))
		return 0
	}
	if err := rulesync.CheckGit(""); err != nil {
		return errorf(stderr, "%v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	results := rulesync.Sync(ctx, rulesync.Options{Cache: *cache, Repos: repos, Progress: func(r rulesync.Repo, i, n int) {
		fmt.Fprintf(stderr, "[%d/%d] %s ...\n", i+1, n, r.Name)
	}})
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(stdout, "%-40s failed: %v\n", r.Repo.Name, r.Err)
			continue
		}
		commit := r.Commit
		if len(commit) > 12 {
			commit = commit[:12]
		}
		fmt.Fprintf(stdout, "%-40s %s at %s\n", r.Repo.Name, r.Action, commit)
	}
	fmt.Fprintln(stderr, syncHint(*cache))
	if rulesync.Failed(results) {
		return 1
	}
	return 0
}

// syncHint says where the repositories are and how to serve them: serve
// and build read the cache of $DETWIKI_CACHE (or the default), so another
// --cache must be named to them.
func syncHint(cache string) string {
	serve := "detwiki serve"
	if filepath.Clean(cache) != filepath.Clean(rulesync.CacheDir()) {
		serve = rulesync.EnvVar + "=" + cache + " detwiki serve"
	}
	return fmt.Sprintf("detwiki: repositories in %s; `%s` now serves them", rulesync.ReposDir(cache), serve)
}

// indexOfKnown returns the index of a repository in catalog.KnownRepos.
func indexOfKnown(name string, fallback int) int {
	for i, k := range catalog.KnownRepos {
		if k.Name == name {
			return i
		}
	}
	return fallback
}
