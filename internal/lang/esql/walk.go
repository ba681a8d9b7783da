package esql

// Inspect traverses the tree rooted at n in depth-first order: it calls f(n);
// when f returns true it inspects each child of n and then calls f(nil).
// Fields (*Field) and the expressions of every command are visited.
func Inspect(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	expr := func(x Expr) {
		if x != nil {
			Inspect(x, f)
		}
	}
	fields := func(fs []*Field) {
		for _, fl := range fs {
			Inspect(fl, f)
		}
	}
	switch n := n.(type) {
	case *Query:
		for _, c := range n.Commands {
			Inspect(c, f)
		}
	case *RowCommand:
		fields(n.Fields)
	case *WhereCommand:
		expr(n.Cond)
	case *EvalCommand:
		fields(n.Fields)
	case *StatsCommand:
		fields(n.Aggs)
		fields(n.By)
	case *DissectCommand:
		expr(n.Input)
		if n.Pattern != nil {
			expr(n.Pattern)
		}
	case *GrokCommand:
		expr(n.Input)
	case *MvExpandCommand:
		expr(n.Field)
	case *SortCommand:
		for _, o := range n.Orders {
			expr(o.X)
		}
	case *LimitCommand:
		expr(n.Count)
	case *SampleCommand:
		expr(n.Probability)
	case *JoinCommand:
		for _, x := range n.On {
			expr(x)
		}
	case *CompletionCommand:
		expr(n.Prompt)
		expr(n.Options)
	case *ForkCommand:
		for _, b := range n.Branches {
			Inspect(b, f)
		}
	case *Field:
		if n.Name != nil {
			expr(n.Name)
		}
		expr(n.Expr)
		expr(n.Filter)
	case *ArrayLit:
		for _, x := range n.Elems {
			expr(x)
		}
	case *MapExpr:
		for _, e := range n.Entries {
			expr(e.Key)
			expr(e.Value)
		}
	case *TimeSpan:
		expr(n.Value)
	case *BinaryExpr:
		expr(n.X)
		expr(n.Y)
	case *UnaryExpr:
		expr(n.X)
	case *InExpr:
		expr(n.X)
		for _, x := range n.List {
			expr(x)
		}
	case *LikeExpr:
		expr(n.X)
		for _, x := range n.Patterns {
			expr(x)
		}
	case *IsNullExpr:
		expr(n.X)
	case *MatchExpr:
		expr(n.X)
		expr(n.Query)
	case *CallExpr:
		for _, x := range n.Args {
			expr(x)
		}
	case *CastExpr:
		expr(n.X)
	case *ParenExpr:
		expr(n.X)
	}
	f(nil)
}
