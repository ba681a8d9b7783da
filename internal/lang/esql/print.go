package esql

import (
	"strings"
)

// Print returns canonical ES|QL text for n: one command per line after the
// first, keywords in upper case, single spaces around operators, strings
// re-quoted. Printing a parsed query and parsing the result gives the same
// tree.
func Print(n Node) string {
	var pr printer
	pr.node(n)
	return pr.b.String()
}

type printer struct {
	b strings.Builder
}

func (pr *printer) str(s string) { pr.b.WriteString(s) }

func (pr *printer) node(n Node) {
	switch n := n.(type) {
	case *Query:
		for i, c := range n.Commands {
			if i > 0 {
				pr.str("\n| ")
			}
			pr.node(c)
		}
	case Command:
		pr.command(n)
	case *Field:
		pr.field(n)
	case Expr:
		pr.expr(n)
	}
}

func (pr *printer) keyword(c Command) {
	pr.str(strings.ToUpper(c.Name()))
}

func (pr *printer) command(c Command) {
	pr.keyword(c)
	switch c := c.(type) {
	case *FromCommand:
		pr.str(" ")
		for i, s := range c.Sources {
			if i > 0 {
				pr.str(", ")
			}
			pr.str(s.Raw)
		}
		if len(c.Metadata) > 0 {
			pr.str(" METADATA ")
			for i, s := range c.Metadata {
				if i > 0 {
					pr.str(", ")
				}
				pr.str(s.Raw)
			}
		}
	case *RowCommand:
		pr.str(" ")
		pr.fields(c.Fields)
	case *ShowCommand:
		pr.str(" " + strings.ToUpper(c.What))
	case *WhereCommand:
		pr.str(" ")
		pr.expr(c.Cond)
	case *EvalCommand:
		pr.str(" ")
		pr.fields(c.Fields)
	case *StatsCommand:
		if len(c.Aggs) > 0 {
			pr.str(" ")
			pr.fields(c.Aggs)
		}
		if c.ByPos.IsValid() {
			pr.str(" BY ")
			pr.fields(c.By)
		}
	case *KeepCommand:
		pr.str(" ")
		pr.patterns(c.Patterns)
	case *DropCommand:
		pr.str(" ")
		pr.patterns(c.Patterns)
	case *RenameCommand:
		for i, cl := range c.Clauses {
			if i > 0 {
				pr.str(",")
			}
			pr.str(" " + patternText(cl.Old) + " AS " + patternText(cl.New))
		}
	case *DissectCommand:
		pr.str(" ")
		pr.expr(c.Input)
		if c.Pattern != nil {
			pr.str(" ")
			pr.expr(c.Pattern)
		}
		for i, o := range c.Options {
			if i == 0 {
				pr.str(" ")
			} else {
				pr.str(", ")
			}
			pr.str(o.Name + " = ")
			pr.expr(o.Value)
		}
	case *GrokCommand:
		pr.str(" ")
		pr.expr(c.Input)
		for i, s := range c.Patterns {
			if i == 0 {
				pr.str(" ")
			} else {
				pr.str(", ")
			}
			pr.expr(s)
		}
	case *MvExpandCommand:
		pr.str(" ")
		pr.expr(c.Field)
	case *SortCommand:
		for i, o := range c.Orders {
			if i > 0 {
				pr.str(",")
			}
			pr.str(" ")
			pr.expr(o.X)
			if o.Dir != "" {
				pr.str(" " + o.Dir)
			}
			if o.Nulls != "" {
				pr.str(" NULLS " + o.Nulls)
			}
		}
	case *LimitCommand:
		pr.str(" ")
		pr.expr(c.Count)
	case *SampleCommand:
		pr.str(" ")
		pr.expr(c.Probability)
	case *EnrichCommand:
		if c.Policy != nil {
			pr.str(" " + c.Policy.Raw)
		}
		if c.On != nil {
			pr.str(" ON " + patternText(c.On))
		}
		for i, w := range c.With {
			if i == 0 {
				pr.str(" WITH ")
			} else {
				pr.str(", ")
			}
			if w.New != nil {
				pr.str(patternText(w.New) + " = ")
			}
			pr.str(patternText(w.Field))
		}
	case *JoinCommand:
		if c.Target != nil {
			pr.str(" " + c.Target.Raw)
		}
		if c.Alias != nil {
			pr.str(" AS ")
			pr.expr(c.Alias)
		}
		if len(c.On) > 0 {
			pr.str(" ON ")
			pr.list(c.On)
		}
	case *ChangePointCommand:
		pr.str(" ")
		pr.expr(c.Value)
		if c.Key != nil {
			pr.str(" ON ")
			pr.expr(c.Key)
		}
		for i, a := range c.As {
			if i == 0 {
				pr.str(" AS ")
			} else {
				pr.str(", ")
			}
			pr.expr(a)
		}
	case *CompletionCommand:
		pr.str(" ")
		if c.Target != nil {
			pr.expr(c.Target)
			pr.str(" = ")
		}
		pr.expr(c.Prompt)
		if c.Options != nil {
			pr.str(" WITH ")
			pr.expr(c.Options)
		}
		if c.As != nil {
			pr.str(" AS ")
			pr.expr(c.As)
		}
	case *ForkCommand:
		for _, b := range c.Branches {
			pr.str(" (")
			for i, cmd := range b.Commands {
				if i > 0 {
					pr.str(" | ")
				}
				pr.command(cmd)
			}
			pr.str(")")
		}
	case *BadCommand:
		pr.str(" <bad>")
	}
}

func patternText(p *NamePattern) string {
	if p == nil {
		return ""
	}
	if p.Raw != "" {
		return p.Raw
	}
	return p.Name
}

func (pr *printer) patterns(ps []*NamePattern) {
	for i, p := range ps {
		if i > 0 {
			pr.str(", ")
		}
		pr.str(patternText(p))
	}
}

func (pr *printer) fields(fs []*Field) {
	for i, f := range fs {
		if i > 0 {
			pr.str(", ")
		}
		pr.field(f)
	}
}

func (pr *printer) field(f *Field) {
	if f.Name != nil {
		pr.expr(f.Name)
		pr.str(" = ")
	}
	pr.expr(f.Expr)
	if f.Filter != nil {
		pr.str(" WHERE ")
		pr.expr(f.Filter)
	}
}

func (pr *printer) list(xs []Expr) {
	for i, x := range xs {
		if i > 0 {
			pr.str(", ")
		}
		pr.expr(x)
	}
}

func (pr *printer) expr(x Expr) {
	switch x := x.(type) {
	case nil:
	case *FieldRef:
		for i, part := range x.Parts {
			if i > 0 {
				pr.str(".")
			}
			if i < len(x.Quoted) && x.Quoted[i] || !plainIdent(part, i == 0) {
				pr.str("`" + strings.ReplaceAll(part, "`", "``") + "`")
			} else {
				pr.str(part)
			}
		}
	case *Literal:
		switch x.Kind {
		case STRING:
			pr.str(Quote(x.Value, strings.HasPrefix(x.Raw, `"""`)))
		case TRUE, FALSE, NULL:
			pr.str(strings.ToUpper(x.Raw))
		default:
			pr.str(x.Raw)
		}
	case *TimeSpan:
		pr.expr(x.Value)
		if IsTimeUnit(x.Unit) {
			pr.str(" ")
		}
		pr.str(x.Unit)
	case *ArrayLit:
		pr.str("[")
		pr.list(x.Elems)
		pr.str("]")
	case *MapExpr:
		pr.str("{")
		for i, e := range x.Entries {
			if i > 0 {
				pr.str(",")
			}
			pr.str(" ")
			pr.expr(e.Key)
			pr.str(": ")
			pr.expr(e.Value)
		}
		pr.str(" }")
	case *BinaryExpr:
		pr.expr(x.X)
		pr.str(" " + x.Op.String() + " ")
		pr.expr(x.Y)
	case *UnaryExpr:
		pr.str(x.Op.String())
		if x.Op == NOT {
			pr.str(" ")
		}
		pr.expr(x.X)
	case *InExpr:
		pr.expr(x.X)
		if x.Not {
			pr.str(" NOT")
		}
		pr.str(" IN (")
		pr.list(x.List)
		pr.str(")")
	case *LikeExpr:
		pr.expr(x.X)
		if x.Not {
			pr.str(" NOT")
		}
		pr.str(" " + x.Op.String() + " ")
		if x.List {
			pr.str("(")
			pr.list(x.Patterns)
			pr.str(")")
		} else {
			pr.list(x.Patterns)
		}
	case *IsNullExpr:
		pr.expr(x.X)
		if x.Not {
			pr.str(" IS NOT NULL")
		} else {
			pr.str(" IS NULL")
		}
	case *MatchExpr:
		pr.expr(x.X)
		pr.str(" : ")
		pr.expr(x.Query)
	case *CallExpr:
		pr.str(x.Name + "(")
		if x.Star {
			pr.str("*")
		}
		pr.list(x.Args)
		pr.str(")")
	case *CastExpr:
		pr.expr(x.X)
		pr.str("::" + x.Type)
	case *ParenExpr:
		pr.str("(")
		pr.expr(x.X)
		pr.str(")")
	case *BadExpr:
		pr.str("<bad>")
	}
}

// plainIdent reports whether a name part can be written without backticks.
func plainIdent(s string, first bool) bool {
	if s == "" {
		return false
	}
	if s[0] == '?' { // a ??name parameter
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isLetter(c) || c == '_' || isDigit(c) && i > 0 || c == '@' && i == 0 {
			continue
		}
		return false
	}
	if (s[0] == '_' || s[0] == '@') && len(s) == 1 {
		return false
	}
	return !first || lookup(s) == IDENT
}

// Quote returns s as an ES|QL string: """raw""" when raw is set and s
// allows it, an escaped "..." otherwise.
func Quote(s string, raw bool) string {
	if raw && !strings.Contains(s, `"""`) && !strings.HasSuffix(s, `"`) {
		return `"""` + s + `"""`
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
