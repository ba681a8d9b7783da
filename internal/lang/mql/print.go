package mql

import "strings"

// Print renders an expression as MQL text on one line. The output of a tree
// that Parse returned without errors parses back to the same tree (shape,
// operators, literals as written).
func Print(e Expr) string {
	var b strings.Builder
	printExpr(&b, e)
	return b.String()
}

func printList(b *strings.Builder, list []Expr) {
	for i, x := range list {
		if i > 0 {
			b.WriteString(", ")
		}
		printExpr(b, x)
	}
}

func printExpr(b *strings.Builder, e Expr) {
	switch x := e.(type) {
	case nil:
	case *BadExpr:
		b.WriteString("BAD")
	case *Ident:
		b.WriteString(x.Name)
	case *Elem:
		b.WriteString(strings.Repeat(".", x.Depth))
	case *ListRef:
		b.WriteString(x.Name)
	case *BasicLit:
		b.WriteString(x.Raw)
	case *Selector:
		if el, ok := x.X.(*Elem); ok {
			b.WriteString(strings.Repeat(".", el.Depth))
		} else {
			printExpr(b, x.X)
			b.WriteByte('.')
		}
		b.WriteString(x.Sel)
	case *Index:
		printExpr(b, x.X)
		b.WriteByte('[')
		printExpr(b, x.Index)
		b.WriteByte(']')
	case *Slice:
		printExpr(b, x.X)
		b.WriteByte('[')
		if x.Lo != nil {
			printExpr(b, x.Lo)
		}
		b.WriteByte(':')
		if x.Hi != nil {
			printExpr(b, x.Hi)
		}
		b.WriteByte(']')
	case *Call:
		printExpr(b, x.Fun)
		b.WriteByte('(')
		printList(b, x.Args)
		b.WriteByte(')')
	case *ListLit:
		if x.Bracket {
			b.WriteByte('[')
			printList(b, x.Elems)
			b.WriteByte(']')
			return
		}
		b.WriteByte('(')
		printList(b, x.Elems)
		if len(x.Elems) == 1 {
			b.WriteByte(',')
		}
		b.WriteByte(')')
	case *ParenExpr:
		b.WriteByte('(')
		printExpr(b, x.X)
		b.WriteByte(')')
	case *UnaryExpr:
		b.WriteString(x.Op)
		if x.Op == "not" {
			b.WriteByte(' ')
		}
		printExpr(b, x.X)
	case *BinaryExpr:
		printExpr(b, x.X)
		b.WriteByte(' ')
		b.WriteString(x.Op)
		b.WriteByte(' ')
		printExpr(b, x.Y)
	case *KeyValue:
		b.WriteString(x.Key)
		b.WriteByte('=')
		printExpr(b, x.Value)
	case *OfExpr:
		printExpr(b, x.Count)
		b.WriteString(" of (")
		printList(b, x.List)
		b.WriteByte(')')
	}
}
