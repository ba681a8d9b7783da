package spl

import (
	"fmt"
	"strings"
)

// Dump renders the tree rooted at n, one node a line, indented by depth,
// each with its type, byte range and the facts that are not children (names,
// operators, literal values). Golden tests and debugging use it.
func Dump(n Node) string {
	var b strings.Builder
	var walk func(n Node, depth int)
	walk = func(n Node, depth int) {
		fmt.Fprintf(&b, "%s%s [%d,%d)", strings.Repeat("  ", depth), strings.TrimPrefix(fmt.Sprintf("%T", n), "*spl."), n.Pos(), n.End())
		if l := label(n); l != "" {
			b.WriteString(" " + l)
		}
		b.WriteByte('\n')
		for _, c := range Children(n) {
			walk(c, depth+1)
		}
	}
	if n != nil {
		walk(n, 0)
	}
	return b.String()
}

func label(n Node) string {
	switch n := n.(type) {
	case *Word:
		if n.Value != n.Raw {
			return fmt.Sprintf("%s %s value=%q", n.Tok, n.Raw, n.Value)
		}
		return fmt.Sprintf("%s %s", n.Tok, n.Raw)
	case *Option:
		return n.Op.String()
	case *Punct:
		return n.Tok.String()
	case *SearchBinary:
		if !n.OpPos.IsValid() {
			return "AND (implied)"
		}
		return n.Op
	case *SearchCompare:
		return n.Op.String()
	case *Ident:
		if n.Quoted {
			return fmt.Sprintf("%s name=%q", n.Raw, n.Name)
		}
		return n.Raw
	case *StringLit:
		return fmt.Sprintf("%s value=%q", n.Raw, n.Value)
	case *NumberLit:
		return n.Raw
	case *MacroExpr:
		return n.Raw
	case *BinaryExpr:
		return n.Op
	case *UnaryExpr:
		return n.Op
	case *Aggregation:
		return n.Name()
	case *RenameCmd:
		var parts []string
		for _, p := range n.Pairs {
			to := "?"
			if p.To != nil {
				to = p.To.Value
			}
			parts = append(parts, p.From.Value+"->"+to)
		}
		return "rename " + strings.Join(parts, " ")
	case *LookupCmd:
		table := "?"
		if n.Table != nil {
			table = n.Table.Value
		}
		var in, out []string
		for _, f := range n.Inputs {
			in = append(in, f.Name())
		}
		for _, f := range n.Outputs {
			out = append(out, f.Name())
		}
		return fmt.Sprintf("lookup table=%s in=%v %s=%v", table, in, n.Output, out)
	case *FieldsCmd:
		var fs []string
		for _, f := range n.Fields {
			fs = append(fs, f.Value)
		}
		return fmt.Sprintf("%s remove=%v fields=%v", n.Name(), n.Remove, fs)
	case *RexCmd:
		re := "?"
		if n.Regex != nil {
			re = n.Regex.Value
		}
		return fmt.Sprintf("rex field=%s sed=%v regex=%q", n.Field, n.Sed, re)
	case *RegexCmd:
		re := "?"
		if n.Pattern != nil {
			re = n.Pattern.Value
		}
		return fmt.Sprintf("regex field=%s negated=%v pattern=%q", n.Field, n.Negated, re)
	case *SortCmd:
		return fmt.Sprintf("sort keys=%v desc=%v", n.Keys, n.Desc)
	case *ConvertCmd:
		return fmt.Sprintf("convert %v", n.Conversions)
	case Command:
		return n.Name()
	}
	return ""
}
