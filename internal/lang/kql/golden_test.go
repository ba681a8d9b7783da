package kql

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/source"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// TestGolden parses every testdata/golden/*.kql and compares the errors
// (with a ^~~ snippet), the position-free AST and the printed query with
// the .golden file beside it. Inputs named bad_* must fail to parse; the
// others must parse and survive a print/parse round trip.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.kql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".kql")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			src := strings.TrimSuffix(string(data), "\n")
			script, errs := Parse(src)
			bad := strings.HasPrefix(name, "bad_")
			if bad && len(errs) == 0 {
				t.Errorf("%s should not parse", name)
			}
			if !bad && len(errs) > 0 {
				t.Errorf("%s: unexpected errors: %v", name, errs)
			}
			printed := Print(script)
			if !bad {
				again, errs2 := Parse(printed)
				if len(errs2) > 0 || stmtDump(again) != stmtDump(script) {
					t.Errorf("round trip changed the tree (errors %v):\n%s", errs2, printed)
				}
			}
			got := goldenText(name, src, script, errs, printed)
			golden := strings.TrimSuffix(file, ".kql") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (run go test -update and review the diff):\n%s", golden, firstDiff(string(want), got))
			}
		})
	}
}

func goldenText(name, src string, script *Script, errs []*Error, printed string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s.kql\n%s\n\n", name, src)
	lt := source.NewLineTable(name+".kql", src)
	if len(errs) > 0 {
		b.WriteString("--- errors\n")
		for _, e := range errs {
			d := e.Diagnostic(lt)
			d.Path = name + ".kql"
			fmt.Fprintf(&b, "%s\n%s\n", d, source.Snippet(src, d))
		}
		b.WriteString("\n")
	}
	if len(script.Comments) > 0 {
		b.WriteString("--- comments\n")
		for _, c := range script.Comments {
			p := lt.Position(c.Pos())
			fmt.Fprintf(&b, "%d:%d %s\n", p.Line, p.Column, c.Text)
		}
		b.WriteString("\n")
	}
	b.WriteString("--- ast\n")
	b.WriteString(stmtDump(script))
	b.WriteString("\n--- printed\n")
	b.WriteString(printed)
	b.WriteString("\n")
	return b.String()
}
