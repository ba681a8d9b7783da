// Package golden compares test output with golden files under a package's
// testdata folder, or rewrites them when the test runs with -update. Only
// tests import it; each test package keeps its own -update flag and passes
// its value.
package golden

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Check compares got with the golden file at path. With update set it writes
// got there instead (creating the folder), so that the diff can be reviewed.
// A difference is reported with the first line that differs.
func Check(tb testing.TB, path string, got []byte, update bool) {
	tb.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s differs from the golden file (run with -update and review the diff):\n%s", path, FirstDiff(string(want), string(got)))
	}
}

// CheckJSON is Check for v written as indented JSON (json.MarshalIndent with
// two spaces) and a final newline.
func CheckJSON(tb testing.TB, path string, v any, update bool) {
	tb.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	Check(tb, path, append(got, '\n'), update)
}

// FirstDiff shows the first line in which two texts differ, with its number;
// it is empty when the texts are equal.
func FirstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want " + w + "\n  got  " + g
		}
	}
	return ""
}
