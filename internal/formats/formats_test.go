package formats

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/rule"
)

// fakeReader reads *.fake files: a line "panic" makes it panic.
type fakeReader struct{}

func (fakeReader) Format() string      { return "fake" }
func (fakeReader) Language() string    { return "kusto" }
func (fakeReader) Detect(f *File) bool { return f.Ext() == ".fake" }
func (fakeReader) Read(f *File, env *Env) []*rule.Document {
	if strings.Contains(string(f.Data), "panic") {
		var m map[string]int
		m["boom"]++ // a nil map write: a reader bug
	}
	n := env.Shared("fake:"+f.Root, func() any { return 42 }).(int)
	return []*rule.Document{{Title: strings.TrimSpace(string(f.Data)), Version: string(rune('0' + n%10))}}
}

func TestReadRecoversAndReports(t *testing.T) {
	Register(fakeReader{})
	dir := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a/good.fake", "Good rule")
	write("a/bad.fake", "panic")
	write("b/notes.txt", "not a rule")
	write(".git/x.fake", "hidden")
	big := make([]byte, MaxFileSize+1)
	write("huge.yaml", string(big))

	res, err := Read([]string{dir, filepath.Join(dir, "missing")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Documents) != 2 {
		t.Fatalf("documents = %d, want 2", len(res.Documents))
	}
	var good, bad *rule.Document
	for _, d := range res.Documents {
		if d.Source.Path == "a/good.fake" {
			good = d
		} else {
			bad = d
		}
	}
	if good == nil || good.ID != "kusto/good" || good.Title != "Good rule" || good.Format != "fake" || good.Source.Repo != filepath.Base(dir) {
		t.Errorf("good = %+v", good)
	}
	if bad == nil || len(bad.Analysis.Diagnostics) != 1 || !strings.Contains(bad.Analysis.Diagnostics[0].Message, "internal error") || bad.Analysis.Diagnostics[0].Path != "a/bad.fake" {
		t.Errorf("bad = %+v", bad)
	}
	if len(res.Diagnostics) != 2 {
		t.Errorf("diagnostics = %v, want the missing path and the huge file", res.Diagnostics)
	}
	if len(res.Skipped) != 1 || res.Skipped[0] != "b/notes.txt" {
		t.Errorf("skipped = %v", res.Skipped)
	}
	if _, err := Read([]string{dir}, Options{Format: "nope"}); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestIsText(t *testing.T) {
	if !IsText([]byte("let x = 1;")) || IsText([]byte{0xff, 0xfe, 0}) || IsText([]byte("a\x00b")) {
		t.Error("IsText wrong")
	}
}

// severityReader returns one document whose severity is the file's text.
type severityReader struct{ fakeReader }

func (severityReader) Read(f *File, env *Env) []*rule.Document {
	return []*rule.Document{{Title: "x", Severity: string(f.Data)}}
}

// TestReadFileNormalizesSeverity: whatever a reader copies from its source,
// the document's severity is one lower-case word of rule.Severities.
func TestReadFileNormalizesSeverity(t *testing.T) {
	for in, want := range map[string]string{"High": "high", "Info": "informational", "medium": "medium"} {
		f := &File{Repo: "r", Path: "a.fake", Data: []byte(in)}
		docs := ReadFile(severityReader{}, f, &Env{})
		if len(docs) != 1 || docs[0].Severity != want {
			t.Errorf("severity %q read as %q, want %q", in, docs[0].Severity, want)
		}
	}
}
