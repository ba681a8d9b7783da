package sigma

import (
	"strconv"

	yaml "go.yaml.in/yaml/v3"
)

// MaxNodeValues bounds the values NodeValue makes from one node: YAML
// aliases let a few hundred bytes stand for billions of values (a YAML
// bomb), which would never finish.
const MaxNodeValues = 20000

// NodeValue converts a YAML node into plain Go values that encoding/json can
// write: map[string]any (keys as their text), []any, string, int64,
// float64, bool or nil. Aliases are followed (to a bounded depth), and no
// more than MaxNodeValues values are made (the rest are nil).
func NodeValue(n *yaml.Node) any {
	budget := MaxNodeValues
	return NodeValueBudget(n, &budget)
}

// NodeValueBudget is NodeValue with a budget of values shared by several
// calls (the keys of one document): each value made takes one, and once
// it is spent (*budget < 0) the rest are nil.
func NodeValueBudget(n *yaml.Node, budget *int) any {
	return nodeValue(n, 0, budget)
}

func nodeValue(n *yaml.Node, depth int, budget *int) any {
	n = resolve(n)
	if n == nil || depth > 64 {
		return nil
	}
	if *budget < 0 {
		return nil
	}
	if *budget--; *budget < 0 {
		return nil
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return nodeValue(n.Content[0], depth+1, budget)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = nodeValue(n.Content[i+1], depth+1, budget)
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			l = append(l, nodeValue(e, depth+1, budget))
		}
		return l
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil
		case "!!bool":
			b, err := strconv.ParseBool(n.Value)
			if err == nil {
				return b
			}
		case "!!int":
			i, err := strconv.ParseInt(n.Value, 0, 64)
			if err == nil {
				return i
			}
		case "!!float":
			f, err := strconv.ParseFloat(n.Value, 64)
			if err == nil {
				return f
			}
		}
		return n.Value
	}
	return nil
}

// Lookup returns the value of key in the rule's mapping (merged with a
// collection's global document), or nil.
func (r *Rule) Lookup(key string) *yaml.Node {
	if r.Node == nil || r.Node.Kind != yaml.MappingNode {
		return nil
	}
	return lookup(r.Node, key)
}
