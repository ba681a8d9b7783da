package python

import "strings"

// Print renders a module as Python text, four spaces per block level,
// without comments. The output of a tree that Parse returned without errors
// parses back to the same tree (literals as written; a generator argument
// gets its own parentheses; class A() becomes class A).
func Print(mod *Module) string {
	pr := &printer{}
	for _, s := range mod.Body {
		pr.stmt(s, 0)
	}
	return pr.b.String()
}

// PrintExpr renders one expression on one line.
func PrintExpr(e Expr) string {
	pr := &printer{}
	pr.expr(e)
	return pr.b.String()
}

type printer struct{ b strings.Builder }

func (pr *printer) w(s string) { pr.b.WriteString(s) }

func (pr *printer) line(indent int) {
	for range indent {
		pr.w("    ")
	}
}

func (pr *printer) stmts(list []Stmt, indent int) {
	if len(list) == 0 {
		pr.line(indent)
		pr.w("pass\n")
		return
	}
	for _, s := range list {
		pr.stmt(s, indent)
	}
}

func (pr *printer) block(body []Stmt, indent int) {
	pr.w(":\n")
	pr.stmts(body, indent+1)
}

func (pr *printer) stmt(s Stmt, indent int) {
	switch x := s.(type) {
	case *FunctionDef:
		for _, d := range x.Decorators {
			pr.line(indent)
			pr.w("@")
			pr.expr(d)
			pr.w("\n")
		}
		pr.line(indent)
		if x.Async {
			pr.w("async ")
		}
		pr.w("def " + x.Name.Name + "(")
		pr.params(x.Params, true)
		pr.w(")")
		if x.Returns != nil {
			pr.w(" -> ")
			pr.expr(x.Returns)
		}
		pr.block(x.Body, indent)
		return
	case *ClassDef:
		for _, d := range x.Decorators {
			pr.line(indent)
			pr.w("@")
			pr.expr(d)
			pr.w("\n")
		}
		pr.line(indent)
		pr.w("class " + x.Name.Name)
		if len(x.Bases) > 0 || len(x.Keywords) > 0 {
			pr.w("(")
			pr.args(x.Bases, x.Keywords)
			pr.w(")")
		}
		pr.block(x.Body, indent)
		return
	case *If:
		pr.line(indent)
		pr.ifChain(x, indent)
		return
	case *For:
		pr.line(indent)
		if x.Async {
			pr.w("async ")
		}
		pr.w("for ")
		pr.expr(x.Target)
		pr.w(" in ")
		pr.expr(x.Iter)
		pr.block(x.Body, indent)
		pr.elseBlock(x.Else, indent)
		return
	case *While:
		pr.line(indent)
		pr.w("while ")
		pr.expr(x.Cond)
		pr.block(x.Body, indent)
		pr.elseBlock(x.Else, indent)
		return
	case *Try:
		pr.line(indent)
		pr.w("try")
		pr.block(x.Body, indent)
		for _, h := range x.Handlers {
			pr.line(indent)
			pr.w("except")
			if h.Type != nil {
				pr.w(" ")
				pr.expr(h.Type)
				if h.Name != "" {
					pr.w(" as " + h.Name)
				}
			}
			pr.block(h.Body, indent)
		}
		pr.elseBlock(x.Else, indent)
		if x.Finally != nil {
			pr.line(indent)
			pr.w("finally")
			pr.block(x.Finally, indent)
		}
		return
	case *With:
		pr.line(indent)
		if x.Async {
			pr.w("async ")
		}
		pr.w("with ")
		for i, it := range x.Items {
			if i > 0 {
				pr.w(", ")
			}
			pr.expr(it.Context)
			if it.Target != nil {
				pr.w(" as ")
				pr.expr(it.Target)
			}
		}
		pr.block(x.Body, indent)
		return
	case *Match:
		pr.line(indent)
		pr.w("match ")
		pr.expr(x.Subject)
		pr.w(":\n")
		for _, c := range x.Cases {
			pr.line(indent + 1)
			pr.w("case ")
			pr.expr(c.Pattern)
			if c.Guard != nil {
				pr.w(" if ")
				pr.expr(c.Guard)
			}
			pr.block(c.Body, indent+1)
		}
		return
	}
	pr.line(indent)
	pr.simple(s)
	pr.w("\n")
}

func (pr *printer) ifChain(x *If, indent int) {
	if x.Elif {
		pr.w("elif ")
	} else {
		pr.w("if ")
	}
	pr.expr(x.Cond)
	pr.block(x.Body, indent)
	if len(x.Else) == 1 {
		if e, ok := x.Else[0].(*If); ok && e.Elif {
			pr.line(indent)
			pr.ifChain(e, indent)
			return
		}
	}
	pr.elseBlock(x.Else, indent)
}

func (pr *printer) elseBlock(list []Stmt, indent int) {
	if list == nil {
		return
	}
	pr.line(indent)
	pr.w("else")
	pr.block(list, indent)
}

func (pr *printer) simple(s Stmt) {
	switch x := s.(type) {
	case *BadStmt:
		pr.w("pass  # unreadable statement")
	case *ExprStmt:
		pr.expr(x.X)
	case *Assign:
		for _, t := range x.Targets {
			pr.expr(t)
			pr.w(" = ")
		}
		pr.expr(x.Value)
	case *AugAssign:
		pr.expr(x.Target)
		pr.w(" " + x.Op + " ")
		pr.expr(x.Value)
	case *AnnAssign:
		pr.expr(x.Target)
		pr.w(": ")
		pr.expr(x.Annotation)
		if x.Value != nil {
			pr.w(" = ")
			pr.expr(x.Value)
		}
	case *Return:
		pr.w("return")
		if x.Value != nil {
			pr.w(" ")
			pr.expr(x.Value)
		}
	case *SimpleStmt:
		pr.w(x.Keyword)
	case *Raise:
		pr.w("raise")
		if x.Exc != nil {
			pr.w(" ")
			pr.expr(x.Exc)
			if x.Cause != nil {
				pr.w(" from ")
				pr.expr(x.Cause)
			}
		}
	case *Assert:
		pr.w("assert ")
		pr.expr(x.Test)
		if x.Msg != nil {
			pr.w(", ")
			pr.expr(x.Msg)
		}
	case *Del:
		pr.w("del ")
		pr.exprs(x.Targets)
	case *Global:
		if x.Nonlocal {
			pr.w("nonlocal ")
		} else {
			pr.w("global ")
		}
		for i, n := range x.Names {
			if i > 0 {
				pr.w(", ")
			}
			pr.w(n.Name)
		}
	case *Import:
		pr.w("import ")
		pr.aliases(x.Names)
	case *ImportFrom:
		pr.w("from " + strings.Repeat(".", x.Level) + x.Module + " import ")
		if x.Star {
			pr.w("*")
		} else {
			pr.aliases(x.Names)
		}
	}
}

func (pr *printer) aliases(list []*Alias) {
	for i, a := range list {
		if i > 0 {
			pr.w(", ")
		}
		pr.w(a.Name)
		if a.AsName != "" {
			pr.w(" as " + a.AsName)
		}
	}
}

func (pr *printer) params(list []*Param, annotations bool) {
	for i, prm := range list {
		if i > 0 {
			pr.w(", ")
		}
		switch prm.Kind {
		case ParamVarArgs:
			pr.w("*")
		case ParamKwArgs:
			pr.w("**")
		}
		pr.w(prm.Name)
		if annotations && prm.Annotation != nil {
			pr.w(": ")
			pr.expr(prm.Annotation)
		}
		if prm.Default != nil {
			pr.w("=")
			pr.expr(prm.Default)
		}
	}
}

func (pr *printer) exprs(list []Expr) {
	for i, x := range list {
		if i > 0 {
			pr.w(", ")
		}
		pr.expr(x)
	}
}

func (pr *printer) args(args []Expr, kws []*Keyword) {
	n := 0
	for _, a := range args {
		if n > 0 {
			pr.w(", ")
		}
		n++
		pr.expr(a)
	}
	for _, k := range kws {
		if n > 0 {
			pr.w(", ")
		}
		n++
		if k.Name == "" {
			pr.w("**")
		} else {
			pr.w(k.Name + "=")
		}
		pr.expr(k.Value)
	}
}

func (pr *printer) comp(x *Comp) {
	open, close := "(", ")"
	switch x.Kind {
	case '[':
		open, close = "[", "]"
	case '{':
		open, close = "{", "}"
	}
	pr.w(open)
	if x.Key != nil {
		pr.expr(x.Key)
		pr.w(": ")
	}
	pr.expr(x.Elt)
	for _, g := range x.Generators {
		if g.Async {
			pr.w(" async")
		}
		pr.w(" for ")
		pr.expr(g.Target)
		pr.w(" in ")
		pr.expr(g.Iter)
		for _, c := range g.Ifs {
			pr.w(" if ")
			pr.expr(c)
		}
	}
	pr.w(close)
}

func (pr *printer) expr(e Expr) {
	switch x := e.(type) {
	case nil:
	case *BadExpr:
		pr.w("BAD")
	case *Name:
		pr.w(x.Name)
	case *Constant:
		pr.w(x.Raw)
	case *Str:
		pr.w(strings.Join(x.Parts, " "))
	case *Attribute:
		pr.expr(x.X)
		if c, ok := x.X.(*Constant); ok && c.Kind == ConstNumber {
			pr.w(" ")
		}
		pr.w("." + x.Attr)
	case *Subscript:
		pr.expr(x.X)
		pr.w("[")
		pr.expr(x.Index)
		pr.w("]")
	case *Slice:
		pr.expr(x.Lo)
		pr.w(":")
		pr.expr(x.Hi)
		if x.Step != nil {
			pr.w(":")
			pr.expr(x.Step)
		}
	case *Call:
		pr.expr(x.Func)
		pr.w("(")
		pr.args(x.Args, x.Keywords)
		pr.w(")")
	case *Starred:
		if x.Double {
			pr.w("**")
		} else {
			pr.w("*")
		}
		pr.expr(x.X)
	case *UnaryOp:
		pr.w(x.Op)
		if x.Op == "not" || x.Op == "await" {
			pr.w(" ")
		}
		pr.expr(x.X)
	case *BinOp:
		pr.expr(x.X)
		pr.w(" " + x.Op + " ")
		pr.expr(x.Y)
	case *Compare:
		pr.expr(x.X)
		for i, op := range x.Ops {
			pr.w(" " + op + " ")
			pr.expr(x.Comparators[i])
		}
	case *IfExp:
		pr.expr(x.Body)
		pr.w(" if ")
		pr.expr(x.Cond)
		pr.w(" else ")
		pr.expr(x.Else)
	case *Lambda:
		pr.w("lambda")
		if len(x.Params) > 0 {
			pr.w(" ")
			pr.params(x.Params, false)
		}
		pr.w(": ")
		pr.expr(x.Body)
	case *NamedExpr:
		pr.w(x.Target.Name + " := ")
		pr.expr(x.Value)
	case *Tuple:
		if x.Paren {
			pr.w("(")
		}
		pr.exprs(x.Elts)
		if len(x.Elts) == 1 {
			pr.w(",")
		}
		if x.Paren {
			pr.w(")")
		}
	case *List:
		pr.w("[")
		pr.exprs(x.Elts)
		pr.w("]")
	case *Set:
		pr.w("{")
		pr.exprs(x.Elts)
		pr.w("}")
	case *Dict:
		pr.w("{")
		for i := range x.Values {
			if i > 0 {
				pr.w(", ")
			}
			if x.Keys[i] == nil {
				pr.w("**")
			} else {
				pr.expr(x.Keys[i])
				pr.w(": ")
			}
			pr.expr(x.Values[i])
		}
		pr.w("}")
	case *Comp:
		pr.comp(x)
	case *Yield:
		pr.w("yield")
		if x.From {
			pr.w(" from")
		}
		if x.X != nil {
			pr.w(" ")
			pr.expr(x.X)
		}
	case *MatchAs:
		pr.expr(x.X)
		pr.w(" as " + x.Name.Name)
	case *ParenExpr:
		pr.w("(")
		pr.expr(x.X)
		pr.w(")")
	}
}
