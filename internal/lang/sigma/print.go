package sigma

import "strings"

// Print returns the canonical text of a condition expression: keywords in
// lower case, one space between tokens, the author's parentheses kept.
// Parsing the result gives the same tree.
func Print(x Expr) string {
	var b strings.Builder
	printExpr(&b, x)
	return b.String()
}

// String returns the canonical text of the condition, with its aggregation.
func (c *Condition) String() string {
	var b strings.Builder
	printExpr(&b, c.Expr)
	if c.Aggregation != nil {
		b.WriteString(" | ")
		b.WriteString(c.Aggregation.String())
	}
	return b.String()
}

// String returns the canonical text of the aggregation (without the pipe).
func (a *Aggregation) String() string {
	var b strings.Builder
	b.WriteString(a.Func)
	if a.Func == "near" {
		if a.Near != nil {
			b.WriteByte(' ')
			printExpr(&b, a.Near)
		}
		return b.String()
	}
	b.WriteByte('(')
	b.WriteString(a.Field)
	b.WriteByte(')')
	if len(a.GroupBy) > 0 {
		b.WriteString(" by ")
		b.WriteString(strings.Join(a.GroupBy, ", "))
	}
	if a.Op != ILLEGAL {
		b.WriteByte(' ')
		b.WriteString(a.Op.String())
		b.WriteByte(' ')
		b.WriteString(a.Value)
	}
	return b.String()
}

func printExpr(b *strings.Builder, x Expr) {
	switch x := x.(type) {
	case *Ident:
		b.WriteString(x.Name)
	case *OfExpr:
		b.WriteString(x.Quant)
		b.WriteString(" of ")
		if x.Them {
			b.WriteString("them")
		} else {
			b.WriteString(x.Pattern)
		}
	case *NotExpr:
		b.WriteString("not ")
		printExpr(b, x.X)
	case *BinaryExpr:
		printExpr(b, x.X)
		b.WriteByte(' ')
		b.WriteString(x.Op.String())
		b.WriteByte(' ')
		printExpr(b, x.Y)
	case *ParenExpr:
		b.WriteByte('(')
		printExpr(b, x.X)
		b.WriteByte(')')
	case *BadExpr:
		b.WriteString("<bad>")
	}
}
