package yaral

import (
	"fmt"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/source"
)

// sexpr renders an expression fully parenthesised, to show how the parser
// grouped it.
func sexpr(x Expr) string {
	switch x := x.(type) {
	case nil:
		return "<nil>"
	case *Ident:
		return x.Name
	case *BasicLit:
		return x.Value
	case *RegexLit:
		return x.Value
	case *VarRef:
		return "$" + x.Name
	case *CountRef:
		return "#" + x.Name
	case *RefListRef:
		if x.Column != "" {
			return "%" + x.Name + "." + x.Column
		}
		return "%" + x.Name
	case *FieldPath:
		return "field($" + x.Var.Name + " " + x.Field() + ")"
	case *Call:
		args := make([]string, len(x.Args))
		for i, a := range x.Args {
			args[i] = sexpr(a)
		}
		s := x.Func + "(" + strings.Join(args, ", ") + ")"
		if x.Nocase.IsValid() {
			s += " nocase"
		}
		return s
	case *ParenExpr:
		return sexpr(x.X)
	case *UnaryExpr:
		return "(" + x.Op + " " + sexpr(x.X) + ")"
	case *BinaryExpr:
		return "(" + sexpr(x.X) + " " + x.Op + " " + sexpr(x.Y) + ")"
	case *Comparison:
		s := "(" + sexpr(x.X) + " " + x.Op + " " + sexpr(x.Y)
		if x.Nocase.IsValid() {
			s += " nocase"
		}
		return s + ")"
	case *InExpr:
		s := "(" + sexpr(x.X) + " in"
		if x.Mode != "" {
			s += " " + x.Mode
		}
		s += " " + sexpr(x.List)
		if x.Nocase.IsValid() {
			s += " nocase"
		}
		return s + ")"
	case *QuantExpr:
		return "(" + x.Quant + " " + sexpr(x.X) + ")"
	case *BadExpr:
		return "BAD"
	}
	return fmt.Sprintf("%T", x)
}

// dumpRule renders a rule's structure for golden files: one line per
// section item, expressions as sexpr, with line:col positions.
func dumpFile(f *File, src string) string {
	lt := source.NewLineTable("", src)
	at := func(p source.Pos) string {
		pos := lt.Position(p)
		return fmt.Sprintf("%d:%d", pos.Line, pos.Column)
	}
	var b strings.Builder
	for _, r := range f.Rules {
		fmt.Fprintf(&b, "rule %s @%s\n", r.Name.Name, at(r.Pos()))
		for _, s := range r.Sections {
			fmt.Fprintf(&b, "  %s @%s\n", s.Name(), at(s.Pos()))
			switch s := s.(type) {
			case *MetaSection:
				for _, e := range s.Entries {
					fmt.Fprintf(&b, "    %s = %q\n", e.Key.Name, ValueText(e.Value))
				}
			case *OptionsSection:
				for _, e := range s.Entries {
					fmt.Fprintf(&b, "    %s = %s\n", e.Key.Name, sexpr(e.Value))
				}
			case *EventsSection:
				for _, x := range s.Stmts {
					fmt.Fprintf(&b, "    @%s %s\n", at(x.Pos()), sexpr(x))
				}
			case *MatchSection:
				vars := make([]string, len(s.Vars))
				for i, v := range s.Vars {
					vars[i] = sexpr(v)
				}
				fmt.Fprintf(&b, "    vars=%s window=%s", strings.Join(vars, ","), s.Window)
				if s.Duration != nil {
					fmt.Fprintf(&b, " duration=%s", s.Duration.Value)
				}
				if s.Every != nil {
					fmt.Fprintf(&b, " every=%s", s.Every.Value)
				}
				if s.Anchor != "" {
					fmt.Fprintf(&b, " %s %s", s.Anchor, sexpr(s.Pivot))
				}
				b.WriteString("\n")
			case *OutcomeSection:
				for _, a := range s.Assigns {
					fmt.Fprintf(&b, "    $%s = %s\n", a.Var.Name, sexpr(a.Value))
				}
			case *ConditionSection:
				fmt.Fprintf(&b, "    %s\n", sexpr(s.Expr))
			}
		}
	}
	return b.String()
}

func TestSexprHelper(t *testing.T) {
	x, errs := ParseExpr(`a.b(1) nocase`)
	if len(errs) != 0 || sexpr(x) != "a.b(1) nocase" {
		t.Errorf("sexpr = %s, errs %v", sexpr(x), errs)
	}
}
