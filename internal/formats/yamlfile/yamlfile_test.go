package yamlfile

import (
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/source"
)

func TestHasTopKey(t *testing.T) {
	data := []byte("name: x\nsource: |\n  type.inbound\n  nested: no\n")
	for key, want := range map[string]bool{"name": true, "source": true, "nested": false, "type": false} {
		if got := HasTopKey(data, key); got != want {
			t.Errorf("HasTopKey(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestScalarOrigin(t *testing.T) {
	data := []byte("a: plain value\nb: \"quoted\"\nc: |\n\n    block line\n    second\nd: >-\n  folded\n")
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	m := root.Content[0]
	want := map[string]source.Origin{
		"a": {Line: 1, Col: 4},
		"b": {Line: 2, Col: 5},
		"c": {Line: 4, Col: 5, Indent: 4},
		"d": {Line: 8, Col: 3, Indent: 2},
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i].Value, m.Content[i+1]
		if got := ScalarOrigin(v, data); got != want[k] {
			t.Errorf("ScalarOrigin(%s) = %+v, want %+v", k, got, want[k])
		}
	}
}
