package rulesync

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// gitRepo makes a repository with one file and returns its file:// URL and a
// function adding a commit.
func gitRepo(t *testing.T) (string, func(name, text string)) {
	t.Helper()
	if CheckGit("") != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	run := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.org")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run("init", "--quiet", "--initial-branch=main")
	commit := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		run("add", name)
		run("commit", "--quiet", "-m", "add "+name)
	}
	commit("rule1.yml", "title: one\n")
	return "file://" + dir, commit
}

func TestSyncClonesAndUpdates(t *testing.T) {
	url, commit := gitRepo(t)
	cache := t.TempDir()
	repos := []Repo{{Name: "rules", URL: url}, {Name: "gone", URL: url + "-missing"}}
	res := Sync(context.Background(), Options{Cache: cache, Repos: repos})
	if res[0].Action != "cloned" || res[0].Err != nil || res[0].Commit == "" {
		t.Fatalf("first sync: %+v", res[0])
	}
	if res[1].Action != "failed" || res[1].Err == nil || !Failed(res) {
		t.Errorf("missing repository: %+v", res[1])
	}
	if _, err := os.Stat(filepath.Join(cache, "repos", "rules", "rule1.yml")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(cache, "repos", "gone")); err == nil {
		t.Error("a failed clone left a folder")
	}
	if got := Present(cache, repos); len(got) != 1 || filepath.Base(got[0]) != "rules" {
		t.Errorf("present = %v", got)
	}
	res = Sync(context.Background(), Options{Cache: cache, Repos: repos[:1]})
	if res[0].Action != "unchanged" {
		t.Errorf("second sync: %+v", res[0])
	}
	commit("rule2.yml", "title: two\n")
	res = Sync(context.Background(), Options{Cache: cache, Repos: repos[:1]})
	if res[0].Action != "updated" || res[0].Err != nil {
		t.Fatalf("update: %+v", res[0])
	}
	if _, err := os.Stat(filepath.Join(cache, "repos", "rules", "rule2.yml")); err != nil {
		t.Error("update did not bring the new file")
	}
}

func TestSyncRefusesBadNames(t *testing.T) {
	res := Sync(context.Background(), Options{Cache: t.TempDir(), Repos: []Repo{{Name: "../x", URL: "file:///nowhere"}}})
	if res[0].Err == nil {
		t.Error("../x accepted")
	}
}

func TestKnownRepos(t *testing.T) {
	repos := KnownRepos()
	if len(repos) < 9 {
		t.Fatalf("known repos = %d", len(repos))
	}
	for _, r := range repos {
		if r.Name == "" || len(r.URL) < 20 || r.URL[:19] != "https://github.com/" {
			t.Errorf("repo %+v", r)
		}
	}
}
