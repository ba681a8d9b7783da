package spl

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/source"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/parse")

// TestGolden parses every testdata/parse/*.spl and compares the errors (with
// a source snippet), the tree and the printed search with the .golden file
// next to it. Inputs named bad_* must have errors; the others must not.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "parse", "*.spl"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		src := string(data)
		pl, errs := ParseQuery(src)
		bad := strings.HasPrefix(filepath.Base(in), "bad_")
		if bad != (len(errs) > 0) {
			t.Errorf("%s: %d errors", in, len(errs))
		}
		checkTree(t, src, pl, !bad)
		var b strings.Builder
		b.WriteString("== errors\n")
		for _, d := range errs.Diagnostics(src) {
			b.WriteString(d.String() + "\n" + source.Snippet(src, d) + "\n")
		}
		b.WriteString("== tree\n")
		b.WriteString(Dump(pl))
		b.WriteString("== printed\n")
		b.WriteString(Print(pl) + "\n")
		got := b.String()
		file := strings.TrimSuffix(in, ".spl") + ".golden"
		if *update {
			if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Errorf("%s: %v (run go test ./internal/lang/spl -run TestGolden -update)", in, err)
			continue
		}
		if got != string(want) {
			t.Errorf("%s: output differs from %s (run with -update and review the diff)\n%s", in, file, got)
		}
	}
}
