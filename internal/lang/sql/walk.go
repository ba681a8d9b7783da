package sql

import "github.com/detwiki/detwiki/internal/source"

// Inspect traverses an expression depth-first, calling f for each node;
// when f returns false the node's children are skipped.
func Inspect(e Expr, f func(Expr) bool) {
	if e == nil || !f(e) {
		return
	}
	switch x := e.(type) {
	case *Call:
		for _, a := range x.Args {
			Inspect(a, f)
		}
	case *Unary:
		Inspect(x.X, f)
	case *Binary:
		Inspect(x.X, f)
		Inspect(x.Y, f)
	case *In:
		Inspect(x.X, f)
		for _, a := range x.List {
			Inspect(a, f)
		}
	case *Like:
		Inspect(x.X, f)
		for _, a := range x.Patterns {
			Inspect(a, f)
		}
	case *Between:
		Inspect(x.X, f)
		Inspect(x.Lo, f)
		Inspect(x.Hi, f)
	case *IsNull:
		Inspect(x.X, f)
	case *Cast:
		Inspect(x.X, f)
	case *Paren:
		Inspect(x.X, f)
	}
}

// Text returns the source text of a node.
func Text(src string, e Expr) string {
	s, t := int(e.Pos()), int(e.End())
	if s < 0 || t > len(src) || t < s {
		return ""
	}
	return src[s:t]
}

// TextSpan returns src[from:to], clamped to the source.
func TextSpan(src string, from, to source.Pos) string {
	s, t := max(int(from), 0), min(int(to), len(src))
	if t < s {
		return ""
	}
	return src[s:t]
}
