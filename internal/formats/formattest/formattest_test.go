package formattest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoadFile(t *testing.T) {
	root := filepath.Join(t.TempDir(), "repo")
	if err := os.MkdirAll(filepath.Join(root, "rules"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "rules", "r.yml"), []byte("title: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := LoadFile(t, root, "rules/r.yml")
	if f.Repo != "repo" || f.Root != root || f.Path != "rules/r.yml" || f.Abs != filepath.Join(root, "rules", "r.yml") || string(f.Data) != "title: x\n" {
		t.Errorf("LoadFile = %+v", f)
	}
	if Env().Attack == nil {
		t.Error("Env has no ATT&CK catalog")
	}
}
