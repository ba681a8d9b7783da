package kustorule

import (
	"testing"

	"github.com/detwiki/detwiki/internal/rule"
)

// FuzzSplit feeds arbitrary text to the plain-KQL splitter and to the
// markdown scanner with its block splitting: no panic, and every query
// found maps back onto the text where its origin says. Seeds:
// testdata/fuzz/FuzzSplit and the cases below.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{
		"// c\nA\n| take 1\n\n// d\nB\n| take 1\n",
		"let a = 1;\n\nT\n| where (a\n\n)\n",
		"\u200b// x\n\u200bA | take 1\n",
		"print s = ```\n\nB\n```\n\nC\n",
		"# T\n\n```kql\nA\n| take 1\n\nB\n| take 1\n```\n",
		"  ```\n  A\n | x\n\n  B\n  ```\n",
		"| a | b |\n|---|---|\n| c | d |\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 1<<15 {
			return
		}
		for _, q := range SplitKQL(text) {
			d := &rule.Document{Body: text, Query: q.Text, QueryOrigin: q.Origin}
			if m := OriginMismatch(d); m != "" {
				t.Fatalf("SplitKQL: %s", m)
			}
		}
		m := ParseMarkdown(text)
		for i, b := range m.Blocks {
			if b.Index != i || b.Line < 1 || b.EndLine < b.Line || b.EndLine > len(m.Lines) {
				t.Fatalf("block %d: index %d lines %d-%d of %d", i, b.Index, b.Line, b.EndLine, len(m.Lines))
			}
			if b.Kind != Code {
				continue
			}
			for _, p := range BlockPieces(b) {
				d := &rule.Document{Body: text, Query: p.Query, QueryOrigin: p.Origin}
				if mm := OriginMismatch(d); mm != "" {
					t.Fatalf("BlockPieces: %s", mm)
				}
			}
		}
		_ = LooksLikeKQL(text)
		_ = TechniqueRefs(text)
		_ = URLs(text)
	})
}
