package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/examples"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

// TestAttackFolder gives --attack a folder: the shared ATT&CK folder holds
// the bundle the built-in data come from, so a rebuild with it reuses
// every file; a folder without a bundle, or with two, is refused with the
// reason, by build, attack layer and analyze alike.
func TestAttackFolder(t *testing.T) {
	attackDir := sharedtest.Path(t, "attack")
	t.Setenv("DETWIKI_CACHE", t.TempDir())
	srcs, err := examples.Extract(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if code, _, stderr := runCLI(t, append([]string{"build", "--out", out}, srcs...)...); code != 0 {
		t.Fatalf("build: %d\n%s", code, stderr)
	}
	code, _, stderr := runCLI(t, append([]string{"build", "--out", out, "--attack", attackDir}, srcs...)...)
	if code != 0 || !strings.Contains(stderr, "(read 0 changed files") {
		t.Fatalf("rebuild with --attack %s (the built-in data): %d\n%s", attackDir, code, stderr)
	}
	code, stdout, stderr := runCLI(t, append([]string{"attack", "layer", "--attack", attackDir}, srcs...)...)
	if code != 0 || !strings.Contains(stdout, `"attack": "18"`) {
		t.Fatalf("attack layer --attack %s: %d\n%s\n%.400s", attackDir, code, stderr, stdout)
	}

	empty := t.TempDir()
	several := t.TempDir()
	for _, name := range []string{"enterprise-attack-17.0.json", "enterprise-attack-18.1.json"} {
		if err := os.WriteFile(filepath.Join(several, name), []byte(`{"type":"bundle","objects":[]}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ dir, want string }{
		{empty, "no Enterprise ATT&CK STIX bundle (enterprise-attack*.json)"},
		{several, "2 Enterprise ATT&CK STIX bundles, name the one to use"},
	} {
		for _, args := range [][]string{
			{"build", "--out", t.TempDir(), "--attack", tc.dir, srcs[0]},
			{"attack", "layer", "--attack", tc.dir, srcs[0]},
			{"analyze", "--attack", tc.dir, srcs[0]},
		} {
			code, _, stderr := runCLI(t, args...)
			if code != 2 || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, tc.dir) {
				t.Errorf("%s: exit %d, want 2 and %q:\n%s", strings.Join(args, " "), code, tc.want, stderr)
			}
		}
	}
}
