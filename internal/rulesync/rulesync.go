// Package rulesync keeps local copies of public rule repositories in a
// cache folder: `detwiki sync` clones each one (shallow, default branch) or
// updates it, and `detwiki serve` and `detwiki build` read the copies when
// they are given no rule folder. It runs the git command; nothing in the
// repositories is executed.
package rulesync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/detwiki/detwiki/internal/catalog"
)

// EnvVar names the environment variable that overrides the cache folder.
const EnvVar = "DETWIKI_CACHE"

// Repo is a repository to keep: a folder name and a clone URL.
type Repo struct {
	Name string
	URL  string
}

// KnownRepos returns the well-known public rule repositories.
func KnownRepos() []Repo {
	out := make([]Repo, 0, len(catalog.KnownRepos))
	for _, k := range catalog.KnownRepos {
		out = append(out, Repo{Name: k.Name, URL: k.URL + ".git"})
	}
	return out
}

// CacheDir returns the detwiki cache folder: $DETWIKI_CACHE, or "detwiki"
// in the user's cache folder.
func CacheDir() string {
	if d := os.Getenv(EnvVar); d != "" {
		return d
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "detwiki")
}

// ReposDir is the folder under the cache that holds the repositories.
func ReposDir(cache string) string { return filepath.Join(cache, "repos") }

// Present returns the folders of the repositories already in the cache, in
// the order of repos.
func Present(cache string, repos []Repo) []string {
	var out []string
	for _, r := range repos {
		dir := filepath.Join(ReposDir(cache), r.Name)
		if st, err := os.Stat(filepath.Join(dir, ".git")); err == nil && st.IsDir() {
			out = append(out, dir)
		}
	}
	return out
}

// Result is what Sync did with one repository.
type Result struct {
	Repo   Repo
	Dir    string
	Action string // "cloned", "updated", "unchanged" or "failed"
	Commit string
	Err    error
}

// Options configure Sync.
type Options struct {
	// Cache is the cache folder (default CacheDir()).
	Cache string
	// Repos to sync (default KnownRepos()).
	Repos []Repo
	// Git is the git executable (default "git" on the PATH).
	Git string
	// Progress, when set, is called before each repository.
	Progress func(r Repo, i, n int)
}

// Sync clones the repositories that are not in the cache yet and updates
// the others to the tip of their default branch. A failure (no network, a
// repository gone) is reported in its Result and does not stop the others.
func Sync(ctx context.Context, opt Options) []Result {
	if opt.Cache == "" {
		opt.Cache = CacheDir()
	}
	if opt.Repos == nil {
		opt.Repos = KnownRepos()
	}
	if opt.Git == "" {
		opt.Git = "git"
	}
	var out []Result
	for i, r := range opt.Repos {
		if opt.Progress != nil {
			opt.Progress(r, i, len(opt.Repos))
		}
		out = append(out, syncOne(ctx, opt, r))
	}
	return out
}

func syncOne(ctx context.Context, opt Options, r Repo) Result {
	res := Result{Repo: r, Dir: filepath.Join(ReposDir(opt.Cache), r.Name)}
	if r.Name == "" || strings.ContainsAny(r.Name, `/\`) || r.Name == "." || r.Name == ".." {
		res.Action, res.Err = "failed", fmt.Errorf("invalid repository name %q", r.Name)
		return res
	}
	git := func(dir string, args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, opt.Git, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=true")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			msg := strings.TrimSpace(stderr.String())
			if msg == "" {
				msg = err.Error()
			}
			return "", fmt.Errorf("git %s: %s", args[0], msg)
		}
		return strings.TrimSpace(stdout.String()), nil
	}
	if err := os.MkdirAll(ReposDir(opt.Cache), 0o755); err != nil {
		res.Action, res.Err = "failed", err
		return res
	}
	if _, err := os.Stat(filepath.Join(res.Dir, ".git")); err == nil {
		before, _ := git(res.Dir, "rev-parse", "HEAD")
		if _, err := git(res.Dir, "fetch", "--quiet", "--depth", "1", "origin", "HEAD"); err != nil {
			res.Action, res.Err = "failed", err
			return res
		}
		if _, err := git(res.Dir, "reset", "--quiet", "--hard", "FETCH_HEAD"); err != nil {
			res.Action, res.Err = "failed", err
			return res
		}
		res.Commit, _ = git(res.Dir, "rev-parse", "HEAD")
		res.Action = "updated"
		if res.Commit == before {
			res.Action = "unchanged"
		}
		return res
	}
	// Clone into a temporary folder, then move it in place: a half-done
	// clone is never taken for a repository.
	tmp := res.Dir + ".partial"
	os.RemoveAll(tmp)
	if _, err := git(ReposDir(opt.Cache), "clone", "--quiet", "--depth", "1", "--single-branch", r.URL, tmp); err != nil {
		os.RemoveAll(tmp)
		res.Action, res.Err = "failed", err
		return res
	}
	if err := os.RemoveAll(res.Dir); err != nil {
		res.Action, res.Err = "failed", err
		return res
	}
	if err := os.Rename(tmp, res.Dir); err != nil {
		res.Action, res.Err = "failed", err
		return res
	}
	res.Commit, _ = git(res.Dir, "rev-parse", "HEAD")
	res.Action = "cloned"
	return res
}

// Failed reports whether any result failed.
func Failed(results []Result) bool {
	for _, r := range results {
		if r.Err != nil {
			return true
		}
	}
	return false
}

// ErrNoGit is returned when git cannot be run.
var ErrNoGit = errors.New("git is not installed (detwiki sync needs it)")

// CheckGit reports whether git can be run.
func CheckGit(git string) error {
	if git == "" {
		git = "git"
	}
	if _, err := exec.LookPath(git); err != nil {
		return ErrNoGit
	}
	return nil
}
