package sublime

import (
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/formats"
)

// FuzzRead checks that the reader never panics and that its diagnostics stay
// inside the file.
func FuzzRead(f *testing.F) {
	for _, tt := range predicateTests {
		f.Add(ruleText(tt.src))
	}
	f.Add("name: x\ntype: rule\nsource: |\n  false\n")
	env := &formats.Env{Attack: attack.Default()}
	f.Fuzz(func(t *testing.T, text string) {
		file := &formats.File{Repo: "r", Root: "/r", Path: "a.yml", Abs: "/r/a.yml", Data: []byte(text)}
		docs := New().Read(file, env)
		for _, d := range docs {
			// Lines as YAML counts them (a lone CR ends one too): the
			// body has them as LF.
			lines := 1 + strings.Count(d.Body, "\n")
			if strings.Count(d.Body, "\r")-strings.Count(d.Body, "\r\n") > 0 {
				t.Fatalf("body keeps a lone CR: %q", d.Body)
			}
			for _, g := range d.Analysis.Diagnostics {
				if g.Line < 0 || g.Line > lines+1 {
					t.Fatalf("diagnostic line %d outside the file (%d lines): %s", g.Line, lines, g)
				}
			}
		}
	})
}
