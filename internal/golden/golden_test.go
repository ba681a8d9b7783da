package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestFirstDiff(t *testing.T) {
	tests := []struct{ want, got, diff string }{
		{"a\nb\n", "a\nb\n", ""},
		{"a\nb\n", "a\nc\n", "line 2:\n  want b\n  got  c"},
		{"a\n", "a\nb", "line 2:\n  want \n  got  b"},
	}
	for _, tt := range tests {
		if d := FirstDiff(tt.want, tt.got); d != tt.diff {
			t.Errorf("FirstDiff(%q, %q) = %q, want %q", tt.want, tt.got, d, tt.diff)
		}
	}
}

// recorder is a testing.TB that keeps what it is told.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, a ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, a...))
}

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "golden", "x.json")
	Check(t, path, []byte("{}\n"), true)
	if data, err := os.ReadFile(path); err != nil || string(data) != "{}\n" {
		t.Fatalf("update wrote %q, %v", data, err)
	}
	r := &recorder{TB: t}
	Check(r, path, []byte("{}\n"), false)
	if len(r.errors) != 0 {
		t.Errorf("same output: %v", r.errors)
	}
	Check(r, path, []byte("{\"a\": 1}\n"), false)
	if len(r.errors) != 1 {
		t.Errorf("changed output: %d errors, want 1", len(r.errors))
	}
}

func TestCheckJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.json")
	v := map[string]any{"a": []int{1, 2}, "html": "<b>"}
	CheckJSON(t, path, v, true)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"html\": \"\\u003cb\\u003e\"\n}\n"; string(data) != want {
		t.Errorf("CheckJSON wrote %q, want %q", data, want)
	}
	CheckJSON(t, path, v, false)
}
