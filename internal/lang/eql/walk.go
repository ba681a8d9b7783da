package eql

// Inspect traverses the tree rooted at n in depth-first order: it calls f(n);
// when f returns true it inspects each child of n and then calls f(nil).
func Inspect(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	switch n := n.(type) {
	case *Query:
		if n.Body != nil {
			Inspect(n.Body, f)
		}
		for _, p := range n.Pipes {
			Inspect(p, f)
		}
	case *EventQuery:
		if n.Cond != nil {
			Inspect(n.Cond, f)
		}
	case *Sequence:
		if n.By != nil {
			Inspect(n.By, f)
		}
		for _, s := range n.Steps {
			Inspect(s, f)
		}
		if n.Until != nil {
			Inspect(n.Until, f)
		}
	case *Sample:
		if n.By != nil {
			Inspect(n.By, f)
		}
		for _, s := range n.Steps {
			Inspect(s, f)
		}
	case *Join:
		if n.By != nil {
			Inspect(n.By, f)
		}
		for _, s := range n.Steps {
			Inspect(s, f)
		}
		if n.Until != nil {
			Inspect(n.Until, f)
		}
	case *Step:
		if n.Filter != nil {
			Inspect(n.Filter, f)
		}
		if n.By != nil {
			Inspect(n.By, f)
		}
	case *JoinKeys:
		for _, k := range n.Keys {
			Inspect(k, f)
		}
	case *Pipe:
		for _, a := range n.Args {
			Inspect(a, f)
		}
	case *BinaryExpr:
		Inspect(n.X, f)
		Inspect(n.Y, f)
	case *UnaryExpr:
		Inspect(n.X, f)
	case *InExpr:
		Inspect(n.X, f)
		for _, x := range n.List {
			Inspect(x, f)
		}
	case *PredicateExpr:
		Inspect(n.X, f)
		for _, x := range n.Values {
			Inspect(x, f)
		}
	case *CallExpr:
		for _, x := range n.Args {
			Inspect(x, f)
		}
	case *ParenExpr:
		Inspect(n.X, f)
	case *ProcessCheck:
		Inspect(n.Step, f)
	}
	f(nil)
}
