package mql

// Inspect traverses the tree rooted at e in depth-first order, calling f
// for each node; when f returns false the node's children are skipped.
func Inspect(e Expr, f func(Expr) bool) {
	if e == nil || !f(e) {
		return
	}
	switch x := e.(type) {
	case *Selector:
		Inspect(x.X, f)
	case *Index:
		Inspect(x.X, f)
		Inspect(x.Index, f)
	case *Slice:
		Inspect(x.X, f)
		Inspect(x.Lo, f)
		Inspect(x.Hi, f)
	case *Call:
		Inspect(x.Fun, f)
		for _, a := range x.Args {
			Inspect(a, f)
		}
	case *ListLit:
		for _, a := range x.Elems {
			Inspect(a, f)
		}
	case *ParenExpr:
		Inspect(x.X, f)
	case *UnaryExpr:
		Inspect(x.X, f)
	case *BinaryExpr:
		Inspect(x.X, f)
		Inspect(x.Y, f)
	case *KeyValue:
		Inspect(x.Value, f)
	case *OfExpr:
		Inspect(x.Count, f)
		for _, a := range x.List {
			Inspect(a, f)
		}
	}
}
