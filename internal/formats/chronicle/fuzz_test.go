package chronicle

import (
	"testing"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/formats"
)

// FuzzRead checks that the reader turns any input into documents without
// panicking (formats.ReadFile would hide a panic as a diagnostic, so the
// reader is called directly) and that every diagnostic has a position
// inside the file.
func FuzzRead(f *testing.F) {
	for _, tt := range predicateTests {
		f.Add(events("    " + tt.in))
	}
	f.Add("// header\nrule a {\n  events:\n    $e.x = 1\n  condition:\n    $e\n}\nrule b {\n  meta:\n    mitre = \"execution, t1059\"\n  events:\n    $f.y = 2\n  condition:\n    $f and\n}\n")
	f.Add("rule r { meta: mitre_attack_technique = \"Valid Accounts: Cloud Accounts\" events: $e.x = /a/ nocase match: $u over 5m after $e outcome: $risk_score = max(1) condition: $e options: allow_zero_values = true }")
	env := &formats.Env{Attack: attack.Default()}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1<<16 {
			t.Skip("input too large")
		}
		file := &formats.File{Repo: "r", Root: "/r", Path: "x/rule.yaral", Abs: "/r/x/rule.yaral", Data: []byte(src)}
		docs := New().Read(file, env)
		if len(docs) == 0 {
			t.Fatal("no document")
		}
		lines := 1
		for i := 0; i < len(src); i++ {
			if src[i] == '\n' {
				lines++
			}
		}
		for _, d := range docs {
			for _, x := range d.Analysis.Diagnostics {
				if x.Line < 0 || x.Line > lines {
					t.Fatalf("diagnostic line %d outside the file (%d lines): %s", x.Line, lines, x)
				}
			}
		}
	})
}
