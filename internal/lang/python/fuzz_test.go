package python

import "testing"

// FuzzParse checks that no input panics the parser or breaks the span
// invariants, and that input parsed without errors prints to text that
// parses to the same tree. Seeds: the test inputs and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add(sampleRule)
	for _, tt := range exprTests {
		f.Add("x = " + tt.in + "\n")
	}
	for _, tt := range errorTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1<<16 {
			t.Skip("input too large")
		}
		mod, errs := Parse(src)
		checkSpans(t, "input", src, mod)
		for _, e := range errs {
			if e.Pos < 0 || int(e.Pos) > len(src) || e.End < e.Pos || int(e.End) > len(src) {
				t.Fatalf("error span %d..%d outside input: %s", e.Pos, e.End, e.Msg)
			}
		}
		if len(errs) > 0 {
			return
		}
		roundTrip(t, "input", src, mod)
	})
}
