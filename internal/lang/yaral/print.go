package yaral

import (
	"strings"
)

// Print renders a node in canonical YARA-L layout: one rule per block,
// sections indented by two spaces and their items by four, one predicate,
// assignment or entry per line, single spaces around operators. Literals
// and parentheses are printed as written; comments are not printed.
// Printing a tree parsed without errors and parsing the result gives the
// same tree (TestPrintRoundTrip).
func Print(n Node) string {
	var b strings.Builder
	pr := printer{b: &b}
	pr.node(n)
	return b.String()
}

func printExpr(x Expr) string {
	var b strings.Builder
	pr := printer{b: &b}
	pr.expr(x)
	return b.String()
}

type printer struct {
	b *strings.Builder
}

func (pr printer) s(s string) { pr.b.WriteString(s) }

func (pr printer) node(n Node) {
	switch n := n.(type) {
	case *File:
		for i, r := range n.Rules {
			if i > 0 {
				pr.s("\n")
			}
			pr.rule(r)
		}
	case *Rule:
		pr.rule(n)
	case Section:
		pr.section(n)
	case *MetaEntry:
		pr.entry(n)
	case *Assign:
		pr.assign(n)
	case Expr:
		pr.expr(n)
	}
}

func (pr printer) rule(r *Rule) {
	pr.s("rule ")
	if r.Name != nil {
		pr.s(r.Name.Name)
	}
	pr.s(" {\n")
	for _, s := range r.Sections {
		pr.section(s)
	}
	pr.s("}\n")
}

func (pr printer) section(s Section) {
	pr.s("  ")
	pr.s(s.Name())
	pr.s(":\n")
	switch s := s.(type) {
	case *MetaSection:
		for _, e := range s.Entries {
			pr.s("    ")
			pr.entry(e)
			pr.s("\n")
		}
	case *OptionsSection:
		for _, e := range s.Entries {
			pr.s("    ")
			pr.entry(e)
			pr.s("\n")
		}
	case *EventsSection:
		for _, x := range s.Stmts {
			pr.s("    ")
			pr.expr(x)
			pr.s("\n")
		}
	case *MatchSection:
		if len(s.Vars) == 0 && s.Window == "" {
			return
		}
		pr.s("    ")
		for i, v := range s.Vars {
			if i > 0 {
				pr.s(", ")
			}
			pr.expr(v)
		}
		if s.Window != "" {
			pr.s(" ")
			pr.s(s.Window)
		}
		if s.Duration != nil {
			pr.s(" ")
			pr.s(s.Duration.Value)
		}
		if s.Every != nil {
			pr.s(" every ")
			pr.s(s.Every.Value)
		}
		if s.Anchor != "" {
			pr.s(" ")
			pr.s(s.Anchor)
			if s.Pivot != nil {
				pr.s(" ")
				pr.expr(s.Pivot)
			}
		}
		pr.s("\n")
	case *OutcomeSection:
		for _, a := range s.Assigns {
			pr.s("    ")
			pr.assign(a)
			pr.s("\n")
		}
	case *ConditionSection:
		if s.Expr != nil {
			pr.s("    ")
			pr.expr(s.Expr)
			pr.s("\n")
		}
	}
}

func (pr printer) entry(e *MetaEntry) {
	pr.s(e.Key.Name)
	pr.s(" = ")
	pr.expr(e.Value)
}

func (pr printer) assign(a *Assign) {
	pr.s("$")
	pr.s(a.Var.Name)
	pr.s(" = ")
	pr.expr(a.Value)
}

func (pr printer) expr(x Expr) {
	switch x := x.(type) {
	case nil:
	case *Ident:
		pr.s(x.Name)
	case *BasicLit:
		pr.s(x.Value)
	case *RegexLit:
		pr.s(x.Value)
	case *VarRef:
		pr.s("$")
		pr.s(x.Name)
	case *CountRef:
		pr.s("#")
		pr.s(x.Name)
	case *RefListRef:
		pr.s("%")
		pr.s(x.Name)
		if x.Column != "" {
			pr.s(".")
			pr.s(x.Column)
		}
	case *FieldPath:
		pr.expr(x.Var)
		for _, e := range x.Path {
			if e.Key != nil {
				pr.s("[")
				pr.expr(e.Key)
				pr.s("]")
				continue
			}
			pr.s(".")
			pr.s(e.Name)
		}
	case *Call:
		pr.s(x.Func)
		pr.s("(")
		for i, a := range x.Args {
			if i > 0 {
				pr.s(", ")
			}
			pr.expr(a)
		}
		pr.s(")")
		if x.Nocase.IsValid() {
			pr.s(" nocase")
		}
	case *ParenExpr:
		pr.s("(")
		pr.expr(x.X)
		pr.s(")")
	case *UnaryExpr:
		pr.s(x.Op)
		if x.Op == "not" {
			pr.s(" ")
		}
		pr.expr(x.X)
	case *BinaryExpr:
		pr.expr(x.X)
		pr.s(" ")
		pr.s(x.Op)
		pr.s(" ")
		pr.expr(x.Y)
	case *Comparison:
		pr.expr(x.X)
		pr.s(" ")
		pr.s(x.Op)
		pr.s(" ")
		pr.expr(x.Y)
		if x.Nocase.IsValid() {
			pr.s(" nocase")
		}
	case *InExpr:
		pr.expr(x.X)
		pr.s(" in ")
		if x.Mode != "" {
			pr.s(x.Mode)
			pr.s(" ")
		}
		pr.expr(x.List)
		if x.Nocase.IsValid() {
			pr.s(" nocase")
		}
	case *QuantExpr:
		pr.s(x.Quant)
		pr.s(" ")
		pr.expr(x.X)
	case *BadExpr:
		pr.s("<bad expression>")
	}
}
