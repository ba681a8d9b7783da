package formats

import (
	"os"
	"path/filepath"
	"testing"
)

func TestNearestDirWith(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b", "c")
	for _, d := range []string{filepath.Join(root, "macros"), deep} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if got := NearestDirWith(deep, "macros", 4); got != root {
		t.Errorf("four levels from a/b/c = %q, want %q", got, root)
	}
	if got := NearestDirWith(deep, "macros", 3); got != "" {
		t.Errorf("three levels from a/b/c = %q, want none", got)
	}
	if got := NearestDirWith(root, "macros", 1); got != root {
		t.Errorf("the folder itself = %q, want %q", got, root)
	}
	if got := NearestDirWith(deep, "no-such-folder", 100); got != "" {
		t.Errorf("missing folder = %q, want none", got)
	}
}
