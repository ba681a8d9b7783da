package spl

import "sort"

// Inspect traverses the tree rooted at n in source order, calling f for each
// node; when f returns false the node's children are skipped. Typed views of
// command arguments (FieldsCmd.Fields, LookupCmd.Inputs, ...) point into the
// command's Args and are visited once, as arguments.
func Inspect(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	for _, c := range Children(n) {
		Inspect(c, f)
	}
}

// Children returns the direct children of n in source order.
func Children(n Node) []Node {
	var out []Node
	add := func(x Node) {
		if x != nil {
			out = append(out, x)
		}
	}
	switch n := n.(type) {
	case *Pipeline:
		for _, c := range n.Commands {
			add(c)
		}
	case *Subsearch:
		if n.Pipeline != nil {
			add(n.Pipeline)
		}
	case *SearchCmd:
		if n.Expr != nil {
			add(n.Expr)
		}
	case *TstatsCmd:
		for _, o := range n.Options {
			add(o)
		}
		for _, a := range n.Aggs {
			add(a)
		}
		if n.Datamodel != nil {
			add(n.Datamodel)
		}
		if n.Where != nil {
			add(n.Where)
		}
		for _, w := range n.By {
			add(w)
		}
		for _, o := range n.Trailing {
			add(o)
		}
		for _, m := range n.Macros {
			add(m)
		}
		sortNodes(out)
	case *StatsCmd:
		for _, o := range n.Options {
			add(o)
		}
		for _, a := range n.Aggs {
			add(a)
		}
		if n.Over != nil {
			add(n.Over)
		}
		for _, w := range n.By {
			add(w)
		}
		for _, o := range n.Trailing {
			add(o)
		}
		for _, m := range n.Macros {
			add(m)
		}
		sortNodes(out)
	case *Aggregation:
		add(n.Func)
		for _, a := range n.Args {
			add(a)
		}
		if n.Alias != nil {
			add(n.Alias)
		}
	case *EvalCmd:
		for _, a := range n.Assigns {
			add(a)
		}
	case *Assignment:
		add(n.Field)
		if n.Value != nil {
			add(n.Value)
		}
	case *WhereCmd:
		if n.Cond != nil {
			add(n.Cond)
		}
	case *InputlookupCmd:
		for _, a := range n.Args {
			add(a)
		}
		if n.Where != nil {
			add(n.Where)
		}
	case *MacroCmd:
		add(n.Macro)
	case *BadCmd:
	case interface{ argsCmd() *ArgsCmd }:
		for _, a := range n.argsCmd().Args {
			add(a)
		}
	case *Option:
		add(n.Key)
		if n.Value != nil {
			add(n.Value)
		}
	case *Group:
		for _, a := range n.Args {
			add(a)
		}
	case *Call:
		add(n.Name)
		add(n.Args)
	case *EvalArg:
		add(n.Eval)
		if n.X != nil {
			add(n.X)
		}
	case *SearchBinary:
		add(n.X)
		add(n.Y)
	case *SearchNot:
		if n.X != nil {
			add(n.X)
		}
	case *SearchParen:
		if n.X != nil {
			add(n.X)
		}
	case *SearchCompare:
		add(n.Field)
		if n.Value != nil {
			add(n.Value)
		}
	case *SearchIn:
		add(n.Field)
		for _, v := range n.Values {
			add(v)
		}
	case *SearchTerm:
		add(n.Value)
	case *Directive:
		add(n.Name)
		if n.Value != nil {
			add(n.Value)
		}
	case *BinaryExpr:
		add(n.X)
		add(n.Y)
	case *UnaryExpr:
		add(n.X)
	case *CallExpr:
		add(n.Fun)
		for _, a := range n.Args {
			add(a)
		}
	case *InExpr:
		add(n.X)
		for _, a := range n.List {
			add(a)
		}
	case *ParenExpr:
		add(n.X)
	}
	return out
}

func sortNodes(ns []Node) {
	sort.SliceStable(ns, func(i, j int) bool { return ns[i].Pos() < ns[j].Pos() })
}
