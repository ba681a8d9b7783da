package splunk

import (
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/source"
)

func TestScalarMap(t *testing.T) {
	tests := []struct {
		name, doc string
		exact     bool
	}{
		{"single-quoted", "search: 'a b ''c'' d'\n", true},
		{"single-quoted folded", "search: '| tstats count\n  where x=1   \n  by y\n\n  | z'\nnext: 1\n", true},
		{"double-quoted", "search: \"a \\\"b\\\" \\\\ c\\td\"\n", true},
		{"double-quoted folded", "search: \"`m` EventCode=1\n  | eval x=1\"\n", true},
		{"double-quoted escaped break", "search: \"abc\\\n  def\"\n", true},
		{"plain", "search: index=x EventCode=1\n", true},
		{"plain folded", "search: index=x\n  EventCode=1 # comment\nnext: 2\n", true},
		{"literal", "search: |-\n  `m` EventCode=1\n  | where x=\"a\"\n\n  | stats count\nnext: 1\n", true},
		{"literal keep", "search: |\n  a\n  b\n", true},
		{"folded", "search: >-\n  a b\n  c\n\n  d\n    more\n  e\nnext: 1\n", true},
		{"unicode escape", "search: \"x\\u00e9y\"\n", true},
	}
	for _, tt := range tests {
		var root yaml.Node
		if err := yaml.Unmarshal([]byte(tt.doc), &root); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		node := valueNode(root.Content[0], "search")
		m := newScalarMap(tt.doc, source.NewLineTable("", tt.doc), node)
		if m.Exact() != tt.exact {
			t.Errorf("%s: exact = %v, want %v (value %q)", tt.name, m.Exact(), tt.exact, node.Value)
			continue
		}
		// Every decoded byte that is not produced by folding or an escape
		// maps to the same byte of the file.
		for i := 0; i < len(node.Value); i++ {
			c := node.Value[i]
			off := m.FileOffset(i)
			if off < 0 || off > len(tt.doc) {
				t.Errorf("%s: byte %d maps to %d", tt.name, i, off)
				continue
			}
			if c == ' ' || c == '\n' || c == '\t' || c == '"' || c == '\\' || c == '\'' || c >= 0x80 {
				continue
			}
			if tt.doc[off] != c {
				t.Errorf("%s: byte %d %q maps to %d %q", tt.name, i, c, off, tt.doc[off])
			}
		}
		if end := m.FileOffset(len(node.Value)); end < m.FileOffset(0) || end > len(tt.doc) {
			t.Errorf("%s: end maps to %d", tt.name, end)
		}
	}
}
