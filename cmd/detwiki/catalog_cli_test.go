package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/examples"
	"github.com/detwiki/detwiki/internal/web"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestBuildServeLayerOverExamples(t *testing.T) {
	t.Setenv("DETWIKI_CACHE", t.TempDir())
	srcs, err := examples.Extract(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	out, site := t.TempDir(), t.TempDir()
	code, _, stderr := runCLI(t, append([]string{"build", "--out", out, "--site", site}, srcs...)...)
	if code != 0 {
		t.Fatalf("build: %d\n%s", code, stderr)
	}
	for _, want := range []string{"  language", "example-sigma", "catalog: " + out, "site: " + site} {
		if !strings.Contains(stderr, want) {
			t.Errorf("build summary lacks %q:\n%s", want, stderr)
		}
	}
	for _, f := range []string{filepath.Join(out, catalog.DBName), filepath.Join(site, "index.html"), filepath.Join(site, "attack", "layer.json")} {
		if _, err := os.Stat(f); err != nil {
			t.Error(err)
		}
	}
	// A rebuild with nothing changed reads nothing.
	code, _, stderr = runCLI(t, append([]string{"build", "--out", out}, srcs...)...)
	if code != 0 || !strings.Contains(stderr, "read 0 changed files") {
		t.Errorf("rebuild: %d\n%s", code, stderr)
	}

	code, stdout, stderr := runCLI(t, "attack", "layer", "--catalog", out, "--lang", "sigma", "--base-url", "https://wiki.example")
	if code != 0 {
		t.Fatalf("attack layer: %d %s", code, stderr)
	}
	var layer catalog.Layer
	if err := json.Unmarshal([]byte(stdout), &layer); err != nil || layer.Versions.Layer != "4.5" || len(layer.Techniques) == 0 {
		t.Fatalf("layer: %v %s", err, stdout)
	}
	if l := layer.Techniques[0].Links; len(l) == 0 || !strings.HasPrefix(l[0].URL, "https://wiki.example/rules/sigma/") {
		t.Errorf("layer links = %+v", l)
	}

	// serve --catalog answers; the test stops it after a few requests.
	old := serveFunc
	defer func() { serveFunc = old }()
	serveFunc = func(h http.Handler, ln net.Listener) error {
		go web.ServeHandler(h, ln)
		defer ln.Close()
		// The server listens at once and answers 503 until its catalog is
		// loaded.
		for deadline := time.Now().Add(time.Minute); ; {
			resp, err := http.Get("http://" + ln.Addr().String() + "/api/info")
			if err != nil {
				return err
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || time.Now().After(deadline) {
				t.Fatalf("GET /api/info while loading: %d", resp.StatusCode)
			}
			time.Sleep(20 * time.Millisecond)
		}
		for _, p := range []string{"/", "/rules/", "/search?q=mmc.exe", "/api/info"} {
			resp, err := http.Get("http://" + ln.Addr().String() + p)
			if err != nil {
				return err
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("GET %s: %d", p, resp.StatusCode)
			}
		}
		return nil
	}
	if code, _, stderr := runCLI(t, "serve", "--catalog", out, "--addr", "127.0.0.1:0", "--warm=false"); code != 0 || !strings.Contains(stderr, "serving") {
		t.Errorf("serve --catalog: %d %s", code, stderr)
	}
	// serve without arguments: the built-in examples, and how to point it at
	// rule folders.
	code, _, stderr = runCLI(t, "serve", "--addr", "127.0.0.1:0", "--quiet", "--warm=false")
	if code != 0 || !strings.Contains(stderr, "built-in example rules") || !strings.Contains(stderr, "detwiki serve path/to/sigma") {
		t.Errorf("serve without arguments: %d %s", code, stderr)
	}
}

func TestAnalyzeRulePages(t *testing.T) {
	srcs, err := examples.Extract(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var sigma string
	for _, s := range srcs {
		if strings.HasSuffix(s, "example-sigma") {
			sigma = s
		}
	}
	code, stdout, stderr := runCLI(t, "analyze", "--format", "md", sigma)
	if code != 0 || !strings.HasPrefix(stdout, "# MMC Spawning a Script Host") || !strings.Contains(stdout, "## Indicators") {
		t.Errorf("analyze --format md: %d %s\n%s", code, stderr, stdout)
	}
	code, stdout, _ = runCLI(t, "analyze", "--format", "html", sigma)
	if code != 0 || !strings.HasPrefix(stdout, "<!doctype html>") || !strings.Contains(stdout, "<style>") {
		t.Errorf("analyze --format html: %d %.200s", code, stdout)
	}
	// Several rules: one document, corpus counts among them.
	code, stdout, _ = runCLI(t, append([]string{"analyze", "--format", "html"}, srcs...)...)
	if code != 0 || strings.Count(stdout, "<article") < 7 || !strings.Contains(stdout, "data-corpus") {
		t.Errorf("analyze --format html over all examples: %d, %d articles", code, strings.Count(stdout, "<article"))
	}
	code, stdout, _ = runCLI(t, append([]string{"analyze", "--format", "md"}, srcs...)...)
	if code != 0 || !strings.Contains(stdout, "\n---\n") || !strings.Contains(stdout, "corpus ") {
		t.Errorf("analyze --format md over all examples: %d", code)
	}
}

func TestSyncList(t *testing.T) {
	t.Setenv("DETWIKI_CACHE", t.TempDir())
	code, stdout, _ := runCLI(t, "sync", "--list")
	if code != 0 || !strings.Contains(stdout, "https://github.com/SigmaHQ/sigma.git") || strings.Count(stdout, "\n") < 9 {
		t.Errorf("sync --list: %d\n%s", code, stdout)
	}
	if code, _, stderr := runCLI(t, "sync", "--only", "nope"); code != 2 || !strings.Contains(stderr, "unknown repository") {
		t.Errorf("sync --only nope: %d %s", code, stderr)
	}
}

// TestBuildRefusesMissingSources: a source that does not exist stops build
// and serve before anything is read (exit 2), also next to good sources,
// and a build that reads no rule exits 1; neither touches the catalog or
// the site already there.
func TestBuildRefusesMissingSources(t *testing.T) {
	t.Setenv("DETWIKI_CACHE", t.TempDir())
	srcs, err := examples.Extract(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	out, site := t.TempDir(), filepath.Join(t.TempDir(), "site")
	if code, _, stderr := runCLI(t, append([]string{"build", "--quiet", "--out", out}, srcs...)...); code != 0 {
		t.Fatalf("build: %d %s", code, stderr)
	}
	db := filepath.Join(out, catalog.DBName)
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "no-such-folder")
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "README.md"), []byte("# not rules\n"), 0o644)
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{missing}, 2, "no such rule folder or file: " + missing},
		{append(append([]string{}, srcs...), missing), 2, "no such rule folder or file: " + missing},
		{[]string{"--quiet", missing}, 2, "is left as it is"},
		{[]string{empty}, 1, "no rule was read from " + empty},
		{[]string{"--quiet", empty}, 1, "nothing was written"},
	} {
		args := append([]string{"build", "--out", out, "--site", site}, tt.args...)
		code, _, stderr := runCLI(t, args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", tt.args, code, tt.code, tt.want, stderr)
		}
		if after, err := os.ReadFile(db); err != nil || !bytes.Equal(after, before) {
			t.Errorf("%v: the catalog changed (%v)", tt.args, err)
		}
		if _, err := os.Stat(site); err == nil {
			t.Errorf("%v: a site was written", tt.args)
		}
	}
	if c, err := catalog.Load(out); err != nil || len(c.Rules) < 7 {
		t.Errorf("catalog after the refused builds: %v", err)
	}

	// serve: a missing path is refused before listening; a folder without
	// rules is not served.
	old := serveFunc
	defer func() { serveFunc = old }()
	served := false
	serveFunc = func(h http.Handler, ln net.Listener) error {
		served = true
		return old(h, ln)
	}
	code, _, stderr := runCLI(t, append([]string{"serve", "--addr", "127.0.0.1:0", "--warm=false"}, append(srcs, missing)...)...)
	if code != 2 || served || !strings.Contains(stderr, "no such rule folder or file: "+missing) {
		t.Errorf("serve with a missing path: exit %d, listened %v:\n%s", code, served, stderr)
	}
	code, _, stderr = runCLI(t, "serve", "--addr", "127.0.0.1:0", "--warm=false", "--quiet", empty)
	if code != 1 || !strings.Contains(stderr, "no rule was read from "+empty) || strings.Contains(stderr, "serving") {
		t.Errorf("serve without rules: exit %d:\n%s", code, stderr)
	}
}

// TestSourcesDefaultToSyncedRepos: without a rule folder, build and attack
// layer read the repositories detwiki sync keeps in the cache when there
// are any (and not the examples), and the examples otherwise.
func TestSourcesDefaultToSyncedRepos(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("DETWIKI_CACHE", cache)

	// No synced repository: the examples.
	out := t.TempDir()
	if code, _, stderr := runCLI(t, "build", "--out", out); code != 0 || !strings.Contains(stderr, "example-sigma") {
		t.Fatalf("build without sources or cache: %d\n%s", code, stderr)
	}

	// A synced sigma repository (as detwiki sync leaves it: a git work tree).
	repo := filepath.Join(cache, "repos", "sigma")
	rulePath := filepath.Join(repo, "rules", "windows", "process_creation", "proc_creation_win_synced_rule.yml")
	if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(rulePath), 0o755)
	const ruleText = "title: Synced Rule\nid: 0b6c7f0e-2f55-4d8e-9a3c-5e1f2d7a9b10\nstatus: test\n" +
		"tags:\n    - attack.execution\n    - attack.t1059.001\nlogsource:\n    category: process_creation\n    product: windows\n" +
		"detection:\n    selection:\n        Image|endswith: '\\synced.exe'\n    condition: selection\nlevel: low\n"
	if err := os.WriteFile(rulePath, []byte(ruleText), 0o644); err != nil {
		t.Fatal(err)
	}
	out = t.TempDir()
	code, _, stderr := runCLI(t, "build", "--out", out)
	if code != 0 || strings.Contains(stderr, "example-") {
		t.Fatalf("build with a synced repository: %d\n%s", code, stderr)
	}
	c, err := catalog.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Rules) != 1 || c.Rules[0].Title != "Synced Rule" || c.Rules[0].Source.Repo != "sigma" {
		t.Fatalf("catalog of the synced repository: %d rules %+v", len(c.Rules), c.Info.Sources)
	}
	code, stdout, stderr := runCLI(t, "attack", "layer")
	if code != 0 || !strings.Contains(stdout, "Synced Rule") || strings.Contains(stdout, "MMC Spawning a Script Host") {
		t.Errorf("attack layer with a synced repository: %d %s\n%.300s", code, stderr, stdout)
	}
}

// TestSyncHint: after detwiki sync, the hint names the cache to serve and
// build when it is not the one they read.
func TestSyncHint(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("DETWIKI_CACHE", cache)
	if h := syncHint(cache); !strings.Contains(h, "`detwiki serve` now serves them") || !strings.Contains(h, filepath.Join(cache, "repos")) {
		t.Errorf("default cache: %s", h)
	}
	other := t.TempDir()
	if h := syncHint(other); !strings.Contains(h, "`DETWIKI_CACHE="+other+" detwiki serve`") {
		t.Errorf("--cache %s: %s", other, h)
	}
}
