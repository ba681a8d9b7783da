package sql

import "testing"

// FuzzParse checks that no input panics the reader and that every node and
// error lies inside the input.
func FuzzParse(f *testing.F) {
	for _, tt := range queryTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1<<16 {
			t.Skip("input too large")
		}
		q, errs := Parse(src)
		checkQuery(t, src, q)
		for _, e := range errs {
			if e.Pos < 0 || int(e.End) > len(src) || e.End < e.Pos {
				t.Fatalf("error span %d..%d outside input: %s", e.Pos, e.End, e.Msg)
			}
		}
	})
}
