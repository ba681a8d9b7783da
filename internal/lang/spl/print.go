package spl

import (
	"strings"
)

// Print returns the SPL text of a node in a canonical layout: one space
// between terms, " | " between commands, operators of eval expressions
// between spaces. Words, strings and numbers are printed as written, so
// parsing the printed text gives the same tree. Bad nodes print as nothing.
func Print(n Node) string {
	var pr printer
	pr.node(n)
	return pr.b.String()
}

func printArg(a Arg) string { return Print(a) }

type printer struct {
	b strings.Builder
}

func (pr *printer) s(s string) { pr.b.WriteString(s) }

func (pr *printer) node(n Node) {
	switch n := n.(type) {
	case nil:
	case *Pipeline:
		pr.pipeline(n)
	case *Subsearch:
		pr.s("[")
		if n.Pipeline != nil {
			pr.pipeline(n.Pipeline)
		}
		pr.s("]")
	case Command:
		pr.command(n)
	case SearchExpr:
		pr.search(n)
	case Expr:
		pr.expr(n)
	case Arg:
		pr.arg(n)
	case *Directive:
		pr.directive(n)
	case *Aggregation:
		pr.agg(n)
	case *Assignment:
		pr.expr(n.Field)
		pr.s("=")
		pr.expr(n.Value)
	}
}

func (pr *printer) pipeline(pl *Pipeline) {
	for i, c := range pl.Commands {
		if i > 0 {
			pr.s(" | ")
		} else if c.Base().Pipe.IsValid() {
			pr.s("| ")
		}
		pr.command(c)
	}
}

func (pr *printer) command(c Command) {
	switch c := c.(type) {
	case *SearchCmd:
		if !c.Implicit() {
			pr.s(c.Cmd)
			if c.Expr != nil {
				pr.s(" ")
			}
		}
		if c.Expr != nil {
			pr.search(c.Expr)
		}
	case *TstatsCmd:
		pr.s(c.Cmd)
		for _, o := range c.Options {
			pr.s(" ")
			pr.arg(o)
		}
		for _, m := range c.Macros {
			pr.s(" " + m.Raw)
		}
		for _, a := range c.Aggs {
			pr.s(" ")
			pr.agg(a)
		}
		if c.FromPos.IsValid() {
			pr.s(" from")
			if c.Datamodel != nil {
				pr.s(" ")
				pr.arg(c.Datamodel)
			}
		}
		if c.WherePos.IsValid() {
			pr.s(" where")
			if c.Where != nil {
				pr.s(" ")
				pr.search(c.Where)
			}
		}
		if c.ByPos.IsValid() {
			pr.s(" by")
			pr.words(c.By)
		}
		for _, o := range c.Trailing {
			pr.s(" ")
			pr.arg(o)
		}
	case *StatsCmd:
		pr.s(c.Cmd)
		for _, o := range c.Options {
			pr.s(" ")
			pr.arg(o)
		}
		for _, m := range c.Macros {
			pr.s(" " + m.Raw)
		}
		for _, a := range c.Aggs {
			pr.s(" ")
			pr.agg(a)
		}
		if c.OverPos.IsValid() {
			pr.s(" over")
			if c.Over != nil {
				pr.s(" " + c.Over.Raw)
			}
		}
		if c.ByPos.IsValid() {
			pr.s(" by")
			pr.words(c.By)
		}
		for _, o := range c.Trailing {
			pr.s(" ")
			pr.arg(o)
		}
	case *EvalCmd:
		pr.s(c.Cmd)
		for i, a := range c.Assigns {
			if i > 0 {
				pr.s(",")
			}
			pr.s(" ")
			pr.expr(a.Field)
			if a.Eq.IsValid() {
				pr.s("=")
				if a.Value != nil {
					pr.expr(a.Value)
				}
			}
		}
	case *WhereCmd:
		pr.s(c.Cmd)
		if c.Cond != nil {
			pr.s(" ")
			pr.expr(c.Cond)
		}
	case *InputlookupCmd:
		pr.s(c.Cmd)
		pr.args(c.Args)
		if c.WherePos.IsValid() {
			pr.s(" where")
			if c.Where != nil {
				pr.s(" ")
				pr.search(c.Where)
			}
		}
	case *MacroCmd:
		pr.s(c.Macro.Raw)
	case *BadCmd:
	case interface{ argsCmd() *ArgsCmd }:
		a := c.argsCmd()
		pr.s(a.Cmd)
		pr.args(a.Args)
	}
}

func (a *ArgsCmd) argsCmd() *ArgsCmd { return a }

func (pr *printer) words(ws []*Word) {
	for i, w := range ws {
		if i > 0 {
			pr.s(",")
		}
		pr.s(" ")
		pr.s(w.Raw)
	}
}

// args prints arguments, each after a space except commas.
func (pr *printer) args(args []Arg) {
	for _, a := range args {
		if p, ok := a.(*Punct); !ok || p.Tok != COMMA {
			pr.s(" ")
		}
		pr.arg(a)
	}
}

func (pr *printer) arg(a Arg) {
	switch a := a.(type) {
	case *Word:
		pr.s(a.Raw)
	case *Option:
		pr.s(a.Key.Raw)
		pr.s(a.Op.String())
		if a.Value != nil {
			pr.arg(a.Value)
		}
	case *Call:
		pr.s(a.Name.Raw)
		pr.arg(a.Args)
	case *Group:
		pr.s("(")
		for i, x := range a.Args {
			if p, ok := x.(*Punct); i > 0 && (!ok || p.Tok != COMMA) {
				pr.s(" ")
			}
			pr.arg(x)
		}
		pr.s(")")
	case *Subsearch:
		pr.node(a)
	case *EvalArg:
		pr.s(a.Eval.Raw)
		pr.s("(")
		if a.X != nil {
			pr.expr(a.X)
		}
		pr.s(")")
	case *Punct:
		pr.s(a.Tok.String())
	}
}

func (pr *printer) agg(a *Aggregation) {
	pr.s(a.Func.Raw)
	if a.Lparen.IsValid() {
		pr.s("(")
		for i, x := range a.Args {
			if p, ok := x.(*Punct); i > 0 && (!ok || p.Tok != COMMA) {
				pr.s(" ")
			}
			pr.arg(x)
		}
		pr.s(")")
	}
	if a.AsPos.IsValid() {
		pr.s(" as")
		if a.Alias != nil {
			pr.s(" " + a.Alias.Raw)
		}
	}
}

func (pr *printer) directive(d *Directive) {
	pr.s(d.Name.Raw)
	pr.s("(")
	if d.Value != nil {
		pr.s(d.Value.Raw)
	}
	pr.s(")")
}

func (pr *printer) operand(o Operand) {
	switch o := o.(type) {
	case *Word:
		pr.s(o.Raw)
	case *Directive:
		pr.directive(o)
	case *Subsearch:
		pr.node(o)
	}
}

func (pr *printer) search(x SearchExpr) {
	switch x := x.(type) {
	case *SearchBinary:
		pr.search(x.X)
		if x.Op == "AND" && !x.OpPos.IsValid() {
			pr.s(" ")
		} else {
			pr.s(" " + x.Op + " ")
		}
		pr.search(x.Y)
	case *SearchNot:
		pr.s("NOT ")
		if x.X != nil {
			pr.search(x.X)
		}
	case *SearchParen:
		pr.s("(")
		if x.X != nil {
			pr.search(x.X)
		}
		pr.s(")")
	case *SearchCompare:
		pr.s(x.Field.Raw)
		if op := x.Op.String(); strings.HasSuffix(x.Field.Raw, "!") && strings.HasPrefix(op, "=") {
			pr.s(" ") // a field ending in '!' before '=' would print as the != operator
		}
		pr.s(x.Op.String())
		if x.Value != nil {
			if w, ok := x.Value.(*Word); ok && w.Raw != "" && strings.IndexByte("=<>!", w.Raw[0]) >= 0 {
				pr.s(" ") // a value starting with an operator character: x= =
			}
			pr.operand(x.Value)
		}
	case *SearchIn:
		pr.s(x.Field.Raw)
		pr.s(" IN (")
		for i, v := range x.Values {
			if i > 0 {
				pr.s(", ")
			}
			pr.operand(v)
		}
		pr.s(")")
	case *SearchTerm:
		pr.operand(x.Value)
	case *BadSearch:
	}
}

func (pr *printer) expr(x Expr) {
	switch x := x.(type) {
	case *Ident:
		pr.s(x.Raw)
	case *StringLit:
		pr.s(x.Raw)
	case *NumberLit:
		pr.s(x.Raw)
	case *MacroExpr:
		pr.s(x.Raw)
	case *BinaryExpr:
		pr.expr(x.X)
		pr.s(" " + x.Op + " ")
		pr.expr(x.Y)
	case *UnaryExpr:
		pr.s(x.Op)
		if x.Op == "NOT" {
			pr.s(" ")
		}
		pr.expr(x.X)
	case *CallExpr:
		pr.s(x.Fun.Raw)
		pr.s("(")
		for i, a := range x.Args {
			if i > 0 {
				pr.s(", ")
			}
			pr.expr(a)
		}
		pr.s(")")
	case *InExpr:
		pr.expr(x.X)
		pr.s(" IN (")
		for i, a := range x.List {
			if i > 0 {
				pr.s(", ")
			}
			pr.expr(a)
		}
		pr.s(")")
	case *ParenExpr:
		pr.s("(")
		pr.expr(x.X)
		pr.s(")")
	case *BadExpr:
	}
}
