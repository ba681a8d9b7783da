package mql

import "testing"

// FuzzParse checks that no input panics the parser or breaks the span
// invariants, and that a source parsed without errors prints to text that
// parses to the same tree. Seeds: the test inputs and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, tt := range exprTests {
		f.Add(tt.in)
	}
	for _, tt := range errorTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1<<16 {
			t.Skip("input too large")
		}
		file, errs := Parse(src)
		checkSpans(t, src, file)
		for _, e := range errs {
			if e.Pos < 0 || int(e.Pos) > len(src) || e.End < e.Pos || int(e.End) > len(src) {
				t.Fatalf("error span %d..%d outside input: %s", e.Pos, e.End, e.Msg)
			}
		}
		if len(errs) > 0 || file.Expr == nil {
			return
		}
		printed := Print(file.Expr)
		e2, errs2 := ParseExpr(printed)
		if len(errs2) > 0 {
			t.Fatalf("printed text does not parse: %v\ninput:\n%s\nprinted:\n%s", errs2, src, printed)
		}
		if a, b := sexpr(file.Expr), sexpr(e2); a != b {
			t.Fatalf("round trip changed the tree:\n%s\n%s\ninput %q printed %q", a, b, src, printed)
		}
	})
}
