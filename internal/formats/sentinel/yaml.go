package sentinel

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/formats/kustorule"
	"github.com/detwiki/detwiki/internal/source"
)

// Limits on what a rule's YAML may hold: no real rule comes near them, a
// YAML bomb does.
const (
	// maxNodes bounds the values built from the YAML (aliases expanded) for
	// the extra metadata of one rule.
	maxNodes = 20000
	// maxAliasDepth bounds chains of aliases followed for one value.
	maxAliasDepth = 64
)

// parseYAML parses text into a node tree. yaml.v3 does not expand aliases
// into a node tree, bounds nesting at 10,000 levels and reports errors; a
// panic inside it (a bug on odd input) becomes an error too.
func parseYAML(text string) (root *yaml.Node, err error) {
	defer func() {
		if p := recover(); p != nil {
			root, err = nil, fmt.Errorf("yaml: internal error: %v", p)
		}
	}()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(text), &n); err != nil {
		return nil, err
	}
	return &n, nil
}

// yamlError turns a yaml.v3 error into a diagnostic at its line. Errors that
// carry no line are on line 1, except nesting-depth errors, placed on the
// line where the nesting is deepest.
func yamlError(err error, text, path string) source.Diagnostic {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 1
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.IndexByte(rest, ':'); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				line = n
				msg = strings.TrimSpace(rest[i+1:])
			}
		}
	}
	code := kustorule.CodeYAMLSyntax
	if strings.Contains(msg, "max depth") {
		code = kustorule.CodeYAMLLimit
		line = deepestLine(text)
		msg = "YAML " + msg + " (nesting too deep)"
	} else if strings.Contains(msg, "excessive aliasing") {
		code = kustorule.CodeYAMLLimit
	}
	return source.Diagnostic{Code: code, Severity: source.Error, Path: path, Line: line, Col: 1, Message: "YAML: " + strings.TrimPrefix(msg, "YAML ")}
}

// deepestLine returns the line on which the bracket and indentation nesting
// of a YAML text is deepest (the usual place of a nesting bomb).
func deepestLine(text string) int {
	depth, best, bestLine, line := 0, -1, 1, 1
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '[', '{':
			depth++
			if depth > best {
				best, bestLine = depth, line
			}
		case ']', '}':
			depth--
		case '\n':
			line++
		}
	}
	if best < 0 {
		// Nesting by indentation ("- - - - ..."): the longest line.
		longest := 0
		for i, l := range strings.Split(text, "\n") {
			if len(l) > longest {
				longest, bestLine = len(l), i+1
			}
		}
	}
	return bestLine
}

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxAliasDepth; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

// scalarText returns a scalar node's value ("" and false for other nodes).
func scalarText(n *yaml.Node) (string, bool) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return "", false
	}
	if n.Tag == "!!null" {
		return "", true
	}
	return n.Value, true
}

// item is a scalar of a list and its line.
type item struct {
	value string
	line  int
}

// scalarList reads a list of scalars, a single scalar, or a comma-separated
// scalar ("T1078, T1110"); ok is false for other shapes.
func scalarList(n *yaml.Node) ([]item, bool) {
	n = resolve(n)
	if n == nil {
		return nil, false
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil, true
		}
		var out []item
		for _, part := range strings.Split(n.Value, ",") {
			if p := strings.TrimSpace(part); p != "" {
				out = append(out, item{p, n.Line})
			}
		}
		return out, true
	case yaml.SequenceNode:
		var out []item
		for _, c := range n.Content {
			c = resolve(c)
			if c == nil || c.Kind != yaml.ScalarNode {
				return out, false
			}
			if v := strings.TrimSpace(c.Value); v != "" && c.Tag != "!!null" {
				out = append(out, item{v, c.Line})
			}
		}
		return out, true
	}
	return nil, false
}

// converter turns YAML nodes into plain Go values (map[string]any, []any,
// string, int64, float64, bool, nil) for a document's Extra, expanding
// aliases within a budget so that a YAML bomb cannot blow up.
type converter struct {
	left int
	// exceeded is the first node where the budget ran out.
	exceeded *yaml.Node
}

func newConverter() *converter { return &converter{left: maxNodes} }

func (c *converter) value(n *yaml.Node, depth int) any {
	if n == nil {
		return nil
	}
	c.left--
	if c.left < 0 || depth > 200 {
		if c.exceeded == nil {
			c.exceeded = n
		}
		return nil
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return c.value(n.Content[0], depth+1)
	case yaml.AliasNode:
		return c.value(n.Alias, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, x := range n.Content {
			out = append(out, c.value(x, depth+1))
		}
		return out
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, _ := scalarText(n.Content[i])
			if k == "<<" { // merge key: fold the merged mapping in
				if m, ok := c.value(n.Content[i+1], depth+1).(map[string]any); ok {
					for mk, mv := range m {
						if _, set := out[mk]; !set {
							out[mk] = mv
						}
					}
				}
				continue
			}
			out[k] = c.value(n.Content[i+1], depth+1)
		}
		return out
	case yaml.ScalarNode:
		return scalarValue(n)
	}
	return nil
}

func scalarValue(n *yaml.Node) any {
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		if b, err := strconv.ParseBool(strings.ToLower(n.Value)); err == nil {
			return b
		}
	case "!!int":
		if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
			return i
		}
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f
		}
	}
	return n.Value
}
