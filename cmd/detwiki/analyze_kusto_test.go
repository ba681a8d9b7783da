package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/sharedtest"
)

func analyzeCmd(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"analyze"}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

// TestAnalyzeKustoCorpora runs `detwiki analyze --format jsonl` over the
// FalconFriday and Defender corpora: one document per line, every one a
// Kusto rule with a title, exit status 0.
func TestAnalyzeKustoCorpora(t *testing.T) {
	ff := sharedtest.Corpus(t, "FalconFriday")
	def := sharedtest.Corpus(t, "Microsoft-365-Defender-Hunting-Queries")
	out, errs, code := analyzeCmd(t, "--format", "jsonl", "--attack", sharedtest.Path(t, "attack", "enterprise-attack", "enterprise-attack-18.1.reconstructed-stix2.0.json"), ff, def)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	n := 0
	formats := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var d struct {
			ID, Language, Format, Title, Query string
			Attack                             []struct{ Tactic string }
		}
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		if d.Language != "kusto" || d.Title == "" || !strings.HasPrefix(d.ID, "kusto/") {
			t.Errorf("line %d: %+v", n+1, d)
		}
		formats[d.Format]++
		n++
	}
	if n != 116+420 || formats["falconfriday"] != 69 || formats["defender-markdown"] != 418 || formats["markdown"] != 49 {
		t.Errorf("%d documents, per format %v", n, formats)
	}
}

// TestAnalyzeExitStatus: a broken file prints its diagnostic and the run
// goes on; the exit status is 1 only when no rule at all could be read.
func TestAnalyzeExitStatus(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, text string) string {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	binary := write("Detections/Binary.yaml", "name: x\x00\x01")
	notes := write("notes/LICENSE", "MIT License\n")
	good := write("Detections/Good.yaml", "name: Good\nquery: |\n  SecurityEvent\n  | where EventID == 4688\n")
	broken := write("Detections/Broken.yaml", "name: Broken\nquery: |\n  SecurityEvent\n  | where (EventID == 4688\n")

	// Only a file that cannot be read: exit 1, its diagnostic on stderr.
	out, errs, code := analyzeCmd(t, binary)
	if code != 1 || !strings.Contains(errs, "Binary.yaml:1:8: file is not text") || !strings.Contains(errs, "no rule could be read") {
		t.Errorf("binary only: exit %d, stderr %q", code, errs)
	}
	if !strings.HasPrefix(strings.TrimSpace(out), "[") {
		t.Errorf("binary only: stdout %q", out)
	}
	// Nothing a reader takes: exit 1.
	if _, _, code := analyzeCmd(t, notes); code != 1 {
		t.Errorf("no rule file: exit %d", code)
	}
	// A rule with a syntax error is still a rule: exit 0, the error on stderr.
	out, errs, code = analyzeCmd(t, "--format", "json", broken, binary)
	if code != 0 || !strings.Contains(errs, "Broken.yaml:4:27: Expected: )") {
		t.Errorf("broken query: exit %d, stderr %q", code, errs)
	}
	var docs []map[string]any
	if err := json.Unmarshal([]byte(out), &docs); err != nil || len(docs) != 2 {
		t.Errorf("json array of 2 documents: %v, %d", err, len(docs))
	}
	// The whole folder: the good rule comes out, the run goes on.
	out, _, code = analyzeCmd(t, "--format", "jsonl", dir)
	if code != 0 || !strings.Contains(out, `"title":"Good"`) || strings.Count(out, "\n") != 3 {
		t.Errorf("folder: exit %d, %d lines", code, strings.Count(out, "\n"))
	}
	_ = good
}
