package python

// Inspect traverses the tree rooted at n in depth-first order, calling f for
// each node (statements, expressions and the module); when f returns false
// the node's children are skipped. Parameters, keywords, comprehension
// clauses and except handlers are not nodes: their expressions and
// statements are visited.
func Inspect(n Node, f func(Node) bool) {
	if n == nil || isNilNode(n) || !f(n) {
		return
	}
	exprs := func(list ...Expr) {
		for _, x := range list {
			if x != nil {
				Inspect(x, f)
			}
		}
	}
	stmts := func(list []Stmt) {
		for _, s := range list {
			Inspect(s, f)
		}
	}
	params := func(list []*Param) {
		for _, prm := range list {
			exprs(prm.Annotation, prm.Default)
		}
	}
	switch x := n.(type) {
	case *Module:
		stmts(x.Body)
	// expressions
	case *Str:
		exprs(x.Fields...)
	case *Attribute:
		exprs(x.X)
	case *Subscript:
		exprs(x.X, x.Index)
	case *Slice:
		exprs(x.Lo, x.Hi, x.Step)
	case *Call:
		exprs(x.Func)
		exprs(x.Args...)
		for _, k := range x.Keywords {
			exprs(k.Value)
		}
	case *Starred:
		exprs(x.X)
	case *UnaryOp:
		exprs(x.X)
	case *BinOp:
		exprs(x.X, x.Y)
	case *Compare:
		exprs(x.X)
		exprs(x.Comparators...)
	case *IfExp:
		exprs(x.Body, x.Cond, x.Else)
	case *Lambda:
		params(x.Params)
		exprs(x.Body)
	case *NamedExpr:
		exprs(x.Target, x.Value)
	case *Tuple:
		exprs(x.Elts...)
	case *List:
		exprs(x.Elts...)
	case *Set:
		exprs(x.Elts...)
	case *Dict:
		for i := range x.Values {
			if x.Keys[i] != nil {
				exprs(x.Keys[i])
			}
			exprs(x.Values[i])
		}
	case *Comp:
		exprs(x.Key, x.Elt)
		for _, g := range x.Generators {
			exprs(g.Target, g.Iter)
			exprs(g.Ifs...)
		}
	case *Yield:
		exprs(x.X)
	case *ParenExpr:
		exprs(x.X)
	case *MatchAs:
		exprs(x.X, x.Name)
	// statements
	case *ExprStmt:
		exprs(x.X)
	case *Assign:
		exprs(x.Targets...)
		exprs(x.Value)
	case *AugAssign:
		exprs(x.Target, x.Value)
	case *AnnAssign:
		exprs(x.Target, x.Annotation, x.Value)
	case *Return:
		exprs(x.Value)
	case *Raise:
		exprs(x.Exc, x.Cause)
	case *Assert:
		exprs(x.Test, x.Msg)
	case *Del:
		exprs(x.Targets...)
	case *Global:
		for _, nm := range x.Names {
			exprs(nm)
		}
	case *If:
		exprs(x.Cond)
		stmts(x.Body)
		stmts(x.Else)
	case *For:
		exprs(x.Target, x.Iter)
		stmts(x.Body)
		stmts(x.Else)
	case *While:
		exprs(x.Cond)
		stmts(x.Body)
		stmts(x.Else)
	case *Try:
		stmts(x.Body)
		for _, h := range x.Handlers {
			exprs(h.Type)
			stmts(h.Body)
		}
		stmts(x.Else)
		stmts(x.Finally)
	case *With:
		for _, it := range x.Items {
			exprs(it.Context, it.Target)
		}
		stmts(x.Body)
	case *Match:
		exprs(x.Subject)
		for _, c := range x.Cases {
			exprs(c.Pattern, c.Guard)
			stmts(c.Body)
		}
	case *FunctionDef:
		exprs(x.Decorators...)
		exprs(x.Name)
		params(x.Params)
		exprs(x.Returns)
		stmts(x.Body)
	case *ClassDef:
		exprs(x.Decorators...)
		exprs(x.Name)
		exprs(x.Bases...)
		for _, k := range x.Keywords {
			exprs(k.Value)
		}
		stmts(x.Body)
	}
}

// isNilNode reports a typed nil pointer stored in an interface.
func isNilNode(n Node) bool {
	switch x := n.(type) {
	case *Name:
		return x == nil
	case Expr:
		return x == nil
	}
	return false
}
