package sharedtest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestUpdateDocSection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.md")
	steps := []struct{ name, content, want string }{
		{"a", "A1", "<!-- begin a -->\nA1\n<!-- end a -->\n"},
		{"b", "B1\n", "<!-- begin a -->\nA1\n<!-- end a -->\n\n<!-- begin b -->\nB1\n<!-- end b -->\n"},
		{"a", "A2\nmore\n", "<!-- begin a -->\nA2\nmore\n<!-- end a -->\n\n<!-- begin b -->\nB1\n<!-- end b -->\n"},
	}
	for _, s := range steps {
		if err := UpdateDocSection(path, s.name, s.content); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		if string(got) != s.want {
			t.Fatalf("after %s=%q:\n%s\nwant\n%s", s.name, s.content, got, s.want)
		}
	}
	if c, ok := DocSection(path, "b"); !ok || c != "B1\n" {
		t.Errorf("DocSection b = %q %v", c, ok)
	}
	if _, ok := DocSection(path, "c"); ok {
		t.Error("section c found")
	}
}
