package panther

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// nodeJSON writes a YAML node as compact JSON text, keys in source order
// (a test's log reads as the author wrote it). Scalars keep their YAML type:
// numbers, booleans and null unquoted, everything else a JSON string.
func nodeJSON(b *strings.Builder, n *yaml.Node, depth int) {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil || depth > 200 {
		b.WriteString("null")
		return
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			nodeJSON(b, n.Content[0], depth+1)
			return
		}
		b.WriteString("null")
	case yaml.MappingNode:
		b.WriteByte('{')
		first := true
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !first {
				b.WriteByte(',')
			}
			first = false
			b.WriteString(jsonString(n.Content[i].Value))
			b.WriteByte(':')
			nodeJSON(b, n.Content[i+1], depth+1)
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			nodeJSON(b, c, depth+1)
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			b.WriteString("null")
			return
		case "!!bool":
			if v, err := strconv.ParseBool(strings.ToLower(n.Value)); err == nil {
				b.WriteString(strconv.FormatBool(v))
				return
			}
		case "!!int", "!!float":
			if _, err := strconv.ParseFloat(n.Value, 64); err == nil && !strings.HasPrefix(n.Value, "+") &&
				!strings.HasPrefix(n.Value, ".") && !strings.Contains(n.Value, "_") &&
				!(len(n.Value) > 1 && n.Value[0] == '0' && n.Value[1] != '.') {
				b.WriteString(n.Value)
				return
			}
		}
		b.WriteString(jsonString(n.Value))
	default:
		b.WriteString("null")
	}
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x2028 || r == 0x2029 {
				b.WriteString(`\u`)
				h := strconv.FormatInt(int64(r), 16)
				b.WriteString(strings.Repeat("0", 4-len(h)) + h)
				continue
			}
			if r == 0xFFFD {
				b.WriteString(`\ufffd`)
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
