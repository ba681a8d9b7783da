package kuery

// Inspect traverses the tree rooted at n in depth-first order: it calls f(n);
// when f returns true it inspects each child of n and then calls f(nil).
func Inspect(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	switch n := n.(type) {
	case *BinaryExpr:
		Inspect(n.X, f)
		Inspect(n.Y, f)
	case *NotExpr:
		Inspect(n.X, f)
	case *ParenExpr:
		Inspect(n.X, f)
	case *NestedExpr:
		Inspect(n.Field, f)
		Inspect(n.X, f)
	case *RangeExpr:
		Inspect(n.Field, f)
		Inspect(n.Value, f)
	case *MatchExpr:
		if n.Field != nil {
			Inspect(n.Field, f)
		}
		Inspect(n.Value, f)
	case *ValueBinary:
		Inspect(n.X, f)
		Inspect(n.Y, f)
	case *ValueNot:
		Inspect(n.X, f)
	case *ValueParen:
		Inspect(n.X, f)
	}
	f(nil)
}
