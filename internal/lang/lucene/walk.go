package lucene

// Inspect traverses the tree rooted at n in depth-first order: it calls f(n);
// when f returns true it inspects each child of n and then calls f(nil).
func Inspect(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	switch n := n.(type) {
	case *Query:
		for _, c := range n.Clauses {
			Inspect(c, f)
		}
	case *Clause:
		Inspect(n.Sub, f)
	case *Group:
		Inspect(n.Query, f)
	}
	f(nil)
}
