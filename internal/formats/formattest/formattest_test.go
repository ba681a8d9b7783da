package formattest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/detwiki/detwiki/internal/rule"
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

func TestEqualPredicates(t *testing.T) {
	a := []rule.Predicate{{Field: "f", Kind: "eq", Values: []string{"x"}, Transforms: []string{"cased"}}}
	same := []rule.Predicate{{Field: "f", Kind: "eq", Values: []string{"x"}, Transforms: []string{"cased"}}}
	if !EqualPredicates(a, same) || !EqualPredicates(nil, nil) {
		t.Error("equal lists compare unequal")
	}
	for _, b := range [][]rule.Predicate{
		nil,
		{{Field: "g", Kind: "eq", Values: []string{"x"}, Transforms: []string{"cased"}}},
		{{Field: "f", Kind: "in", Values: []string{"x"}, Transforms: []string{"cased"}}},
		{{Field: "f", Kind: "eq", Values: []string{"x"}, Transforms: []string{"cased"}, Negated: true}},
		{{Field: "f", Kind: "eq", Values: []string{"y"}, Transforms: []string{"cased"}}},
		{{Field: "f", Kind: "eq", Values: []string{"x"}}},
	} {
		if EqualPredicates(a, b) {
			t.Errorf("EqualPredicates(%+v, %+v) = true", a, b)
		}
	}
}
