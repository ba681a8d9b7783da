// Package sharedtest finds the shared test inputs (../shared beside the
// repository: rule corpora, ATT&CK bundle, event datasets, the KQL oracle) for
// tests and benchmarks. When ../shared is absent the caller is skipped with a
// clear message, except under CI (CI=true), where it fails: CI always has it.
package sharedtest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// EnvVar overrides where the shared folder is.
const EnvVar = "DETWIKI_SHARED"

// RepoRoot returns the repository root (the folder holding go.mod), found from
// this source file's location.
func RepoRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "."
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Root returns the shared folder and whether it exists.
func Root() (string, bool) {
	dir := os.Getenv(EnvVar)
	if dir == "" {
		dir = filepath.Join(RepoRoot(), "..", "shared")
	}
	st, err := os.Stat(dir)
	return dir, err == nil && st.IsDir()
}

// Path returns the path of rel inside the shared folder, skipping tb (or
// failing it under CI) when that path does not exist.
func Path(tb testing.TB, rel ...string) string {
	tb.Helper()
	root, ok := Root()
	p := filepath.Join(append([]string{root}, rel...)...)
	if ok {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	msg := "shared test input " + p + " is absent (set " + EnvVar + " or put ../shared beside the repository)"
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
	return ""
}

// Corpus returns the path of a rule corpus under shared/corpus, e.g.
// Corpus(t, "sigma").
func Corpus(tb testing.TB, name string) string {
	tb.Helper()
	return Path(tb, "corpus", name)
}
