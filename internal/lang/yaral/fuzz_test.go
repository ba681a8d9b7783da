package yaral

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input panics the parser or breaks the position
// invariants, and that input parsed without errors prints to text that
// parses to the same tree. Seeds: the test inputs, testdata/parse/*.yaral
// and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add(sampleRule)
	for _, tt := range exprTests {
		f.Add("rule r { events: " + tt.in + " condition: $e }")
	}
	for _, src := range errorTests {
		f.Add(src)
	}
	inputs, _ := filepath.Glob(filepath.Join("testdata", "parse", "*.yaral"))
	for _, in := range inputs {
		if data, err := os.ReadFile(in); err == nil {
			f.Add(string(data))
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1<<16 {
			t.Skip("input too large")
		}
		file, errs := Parse(src)
		checkSpans(t, src, file)
		Check(file)
		for _, e := range errs {
			if e.Pos < 0 || int(e.Pos) > len(src) || e.End < e.Pos {
				t.Fatalf("error span %d..%d outside input: %s", e.Pos, e.End, e.Msg)
			}
		}
		if len(errs) > 0 {
			return
		}
		printed := Print(file)
		file2, errs2 := Parse(printed)
		if len(errs2) > 0 {
			t.Fatalf("printed text does not parse: %v\ninput:\n%s\nprinted:\n%s", errs2, src, printed)
		}
		if again := Print(file2); again != printed {
			t.Fatalf("print is not stable:\n%s\nthen:\n%s", printed, again)
		}
	})
}
