package kql

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics or hangs, that every error and
// node lies within the text, and that accepted queries survive a
// print/parse round trip. Seeds: testdata/fuzz/FuzzParse (written from the
// golden inputs and the oracle edge cases by go test -update).
func FuzzParse(f *testing.F) {
	for _, s := range []string{"T | where x == 1", "let f = (a:string) { a }; f('x')", "print dynamic([1, {\"a\": 2}])"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		s, errs := Parse(src)
		if s == nil {
			t.Fatal("nil script")
		}
		for _, e := range errs {
			if e.Msg == "internal parser error" {
				t.Fatalf("parser panicked on %q", src)
			}
			if e.Pos < 0 || e.End < e.Pos || int(e.End) > len(src) {
				t.Fatalf("error %q at %d-%d outside the text (%d bytes)", e.Msg, e.Pos, e.End, len(src))
			}
		}
		Inspect(s, func(n Node) bool {
			if n.Pos() < 0 || n.End() < n.Pos() || int(n.End()) > len(src) {
				t.Fatalf("%T at %d-%d outside the text (%d bytes)", n, n.Pos(), n.End(), len(src))
			}
			return true
		})
		if len(errs) == 0 {
			out := Print(s)
			s2, errs2 := Parse(out)
			if len(errs2) > 0 {
				t.Fatalf("printed query does not parse: %v\n%q\n%q", errs2[0], src, out)
			}
			if a, b := stmtDump(s), stmtDump(s2); a != b {
				t.Fatalf("round trip changed the tree of %q:\n%s", src, firstDiff(a, b))
			}
		}
	})
}

// TestWriteFuzzSeeds writes the fuzz seed corpus with -update.
func TestWriteFuzzSeeds(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite testdata/fuzz/FuzzParse")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	old, _ := filepath.Glob(filepath.Join(dir, "seed*"))
	for _, f := range old {
		os.Remove(f)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	seeds := oracleCases(t)
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.kql"))
	for _, file := range files {
		b, _ := os.ReadFile(file)
		seeds = append(seeds, strings.TrimSuffix(string(b), "\n"))
	}
	for i, s := range seeds {
		body := "go test fuzz v1\nstring(" + strconv.Quote(s) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed%03d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
