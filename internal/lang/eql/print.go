package eql

import (
	"strconv"
	"strings"
)

// Print returns canonical EQL text for n: keywords in lower case, single
// spaces around operators, strings re-quoted, sequence steps on their own
// lines. Printing a parsed query and parsing the result gives the same tree.
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
		if n.Body != nil {
			pr.node(n.Body)
		}
		for _, p := range n.Pipes {
			pr.str("\n")
			pr.node(p)
		}
	case *EventQuery:
		pr.eventQuery(n)
	case *Sequence:
		pr.str("sequence")
		if n.By != nil {
			pr.str(" ")
			pr.node(n.By)
		}
		pr.params(n.Params)
		for _, s := range n.Steps {
			pr.str("\n  ")
			pr.node(s)
		}
		if n.Until != nil {
			pr.str("\nuntil ")
			pr.node(n.Until)
		}
	case *Sample:
		pr.str("sample")
		if n.By != nil {
			pr.str(" ")
			pr.node(n.By)
		}
		for _, s := range n.Steps {
			pr.str("\n  ")
			pr.node(s)
		}
	case *Join:
		pr.str("join")
		if n.By != nil {
			pr.str(" ")
			pr.node(n.By)
		}
		for _, s := range n.Steps {
			pr.str("\n  ")
			pr.node(s)
		}
		if n.Until != nil {
			pr.str("\nuntil ")
			pr.node(n.Until)
		}
	case *BadBody:
		pr.str("<bad>")
	case *Step:
		if n.Missing {
			pr.str("!")
		}
		pr.str("[")
		if n.Filter != nil {
			pr.eventQuery(n.Filter)
		}
		pr.str("]")
		if n.By != nil {
			pr.str(" ")
			pr.node(n.By)
		}
		pr.params(n.Params)
	case *JoinKeys:
		pr.str("by ")
		pr.list(n.Keys)
	case *Pipe:
		pr.str("| ")
		pr.str(n.Name)
		if len(n.Args) > 0 {
			pr.str(" ")
			pr.list(n.Args)
		}
	case Expr:
		pr.expr(n)
	}
}

func (pr *printer) params(ps []*Param) {
	for _, p := range ps {
		if p.Name == "fork" && p.With == p.NamePos {
			pr.str(" fork")
			if p.Value != nil {
				pr.str("=" + p.Value.Raw)
			}
			continue
		}
		pr.str(" with " + p.Name + "=" + p.Text())
	}
}

func (pr *printer) eventQuery(e *EventQuery) {
	switch {
	case e.Any:
		pr.str("any")
	case e.CategoryRaw != "":
		pr.str(e.CategoryRaw)
	default:
		pr.str("<bad>")
	}
	pr.str(" where ")
	if e.Cond != nil {
		pr.expr(e.Cond)
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
			pr.str(" not")
		}
		pr.str(" " + x.Op.String() + " (")
		pr.list(x.List)
		pr.str(")")
	case *PredicateExpr:
		pr.expr(x.X)
		if x.Op == SEQ {
			pr.str(" : ")
		} else {
			pr.str(" " + x.Op.String() + " ")
		}
		if x.Lparen.IsValid() {
			pr.str("(")
			pr.list(x.Values)
			pr.str(")")
		} else {
			pr.list(x.Values)
		}
	case *CallExpr:
		pr.str(x.Name)
		if x.Insensitive {
			pr.str("~")
		}
		pr.str("(")
		pr.list(x.Args)
		pr.str(")")
	case *Field:
		if x.Optional {
			pr.str("?")
		}
		for i, p := range x.Parts {
			if i > 0 {
				pr.str(".")
			}
			if p.Escaped || !plainName(p.Name, i == 0) {
				pr.str("`" + strings.ReplaceAll(p.Name, "`", "``") + "`")
			} else {
				pr.str(p.Name)
			}
			if p.Index != "" {
				pr.str("[" + p.Index + "]")
			}
		}
	case *BasicLit:
		if x.Kind == STRING {
			pr.str(Quote(x.Value, strings.HasPrefix(x.Raw, `"""`)))
		} else {
			pr.str(x.Raw)
		}
	case *ParenExpr:
		pr.str("(")
		pr.expr(x.X)
		pr.str(")")
	case *ProcessCheck:
		pr.str(x.Relation + " of ")
		pr.node(x.Step)
	case *BadExpr:
		pr.str("<bad>")
	}
}

// plainName reports whether a field part can be written without backticks.
func plainName(s string, first bool) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isLetter(c) || c == '_' || c == '@' && i == 0 || isDigit(c) && i > 0 {
			continue
		}
		return false
	}
	return !first || Lookup(s) == IDENT
}

// Quote returns s as an EQL string literal: a raw """...""" string when raw
// is set and s allows it, an escaped "..." string otherwise.
func Quote(s string, raw bool) string {
	if raw && !strings.Contains(s, `"""`) && !strings.HasSuffix(s, `"`) {
		return `"""` + s + `"""`
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f {
				b.WriteString(`\u{` + strconv.FormatInt(int64(r), 16) + `}`)
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
