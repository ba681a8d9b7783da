package sublime

import (
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
		lines := 1
		for _, c := range text {
			if c == '\n' {
				lines++
			}
		}
		for _, d := range docs {
			for _, g := range d.Analysis.Diagnostics {
				if g.Line < 0 || g.Line > lines+1 {
					t.Fatalf("diagnostic line %d outside the file (%d lines): %s", g.Line, lines, g)
				}
			}
		}
	})
}
