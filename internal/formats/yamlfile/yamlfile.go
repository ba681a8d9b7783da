// Package yamlfile holds what the readers of YAML rule files (panther,
// sublime, splunk) share: the quick check Detect makes for a top-level key,
// and where a scalar's text sits in the file, so that positions in a query
// read from a YAML value can be shown as positions in the file.
package yamlfile

import (
	"bytes"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/source"
)

// HasTopKey reports whether data has a line that starts with "key:", as a
// top-level key of a YAML mapping does. It does not parse the YAML: it is
// the cheap test a reader's Detect makes on every file of a corpus.
func HasTopKey(data []byte, key string) bool {
	k := []byte(key + ":")
	return bytes.HasPrefix(data, k) || bytes.Contains(data, append([]byte{'\n'}, k...))
}

// ScalarOrigin places the text of the scalar v in data, the file it was
// decoded from: a literal or folded block starts on the line after its
// indicator at the block's indentation, a quoted scalar one column after its
// quote, a plain scalar where it stands.
func ScalarOrigin(v *yaml.Node, data []byte) source.Origin {
	if v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		lines := bytes.Split(data, []byte("\n"))
		indent := 0
		for i := v.Line; i < len(lines); i++ {
			l := lines[i]
			if len(bytes.TrimSpace(l)) == 0 {
				continue
			}
			indent = len(l) - len(bytes.TrimLeft(l, " "))
			break
		}
		return source.Origin{Line: v.Line + 1, Col: indent + 1, Indent: indent}
	}
	col := v.Column
	if v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		col++
	}
	return source.Origin{Line: v.Line, Col: col}
}
