package splunk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/source"
)

// FuzzRead feeds arbitrary files to the reader, with the fixture corpus's
// macros: it must never panic (formats.ReadFile would turn a panic into a
// READ0002 diagnostic, which fails here), and every diagnostic must point
// inside the file.
func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "content", "detections", "*", "*.yml"))
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(string(data))
		}
	}
	f.Add("search: \"a\\\n  b | eval x=\"\nhow_to_implement: x\n")
	f.Add("search: >\n  a\n\n   b\n  c\nhow_to_implement: x\n")
	root, _ := filepath.Abs(filepath.Join("testdata", "content", "detections", "endpoint"))
	env := &formats.Env{Attack: attack.Default()}
	r := New()
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 1<<15 {
			return
		}
		file := &formats.File{Repo: "content", Root: root, Path: "fuzz.yml", Abs: filepath.Join(root, "fuzz.yml"), Data: []byte(text)}
		docs := formats.ReadFile(r, file, env)
		lines := source.NewLineTable("", text).LineCount()
		for _, d := range docs {
			for _, x := range d.Analysis.Diagnostics {
				if x.Code == "READ0002" {
					t.Fatalf("reader panic: %s", x.Message)
				}
				if x.Line < 0 || x.Line > lines || x.EndLine > lines {
					t.Fatalf("diagnostic %s outside the %d lines of the file", x, lines)
				}
			}
			if !strings.Contains(text, "search") && d.Query != "" {
				t.Fatalf("a query without a search key: %q", d.Query)
			}
		}
	})
}
