package yaral

// Inspect walks the tree rooted at n in depth-first source order: it calls
// f(node); when f returns true it visits the node's children, then calls
// f(nil). Nil children are skipped.
func Inspect(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	switch n := n.(type) {
	case *File:
		for _, r := range n.Rules {
			Inspect(r, f)
		}
	case *Rule:
		if n.Name != nil {
			Inspect(n.Name, f)
		}
		for _, s := range n.Sections {
			Inspect(s, f)
		}
	case *MetaSection:
		for _, e := range n.Entries {
			Inspect(e, f)
		}
	case *OptionsSection:
		for _, e := range n.Entries {
			Inspect(e, f)
		}
	case *MetaEntry:
		Inspect(n.Key, f)
		inspectExpr(n.Value, f)
	case *EventsSection:
		for _, x := range n.Stmts {
			inspectExpr(x, f)
		}
	case *MatchSection:
		for _, x := range n.Vars {
			inspectExpr(x, f)
		}
		if n.Duration != nil {
			Inspect(n.Duration, f)
		}
		if n.Every != nil {
			Inspect(n.Every, f)
		}
		inspectExpr(n.Pivot, f)
	case *OutcomeSection:
		for _, a := range n.Assigns {
			Inspect(a, f)
		}
	case *Assign:
		Inspect(n.Var, f)
		inspectExpr(n.Value, f)
	case *ConditionSection:
		inspectExpr(n.Expr, f)
	case *FieldPath:
		Inspect(n.Var, f)
		for _, e := range n.Path {
			inspectExpr(e.Key, f)
		}
	case *Call:
		for _, a := range n.Args {
			inspectExpr(a, f)
		}
	case *ParenExpr:
		inspectExpr(n.X, f)
	case *UnaryExpr:
		inspectExpr(n.X, f)
	case *BinaryExpr:
		inspectExpr(n.X, f)
		inspectExpr(n.Y, f)
	case *Comparison:
		inspectExpr(n.X, f)
		inspectExpr(n.Y, f)
	case *InExpr:
		inspectExpr(n.X, f)
		inspectExpr(n.List, f)
	case *QuantExpr:
		inspectExpr(n.X, f)
	}
	f(nil)
}

func inspectExpr(x Expr, f func(Node) bool) {
	if x != nil {
		Inspect(x, f)
	}
}
