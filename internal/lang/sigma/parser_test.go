package sigma

import (
	"fmt"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/source"
)

// tree renders a condition as a fully parenthesised S-expression, so tests
// can check precedence and grouping.
func tree(x Expr) string {
	switch x := x.(type) {
	case *Ident:
		return x.Name
	case *OfExpr:
		target := x.Pattern
		if x.Them {
			target = "them"
		}
		return "(" + x.Quant + " of " + target + ")"
	case *NotExpr:
		return "(not " + tree(x.X) + ")"
	case *BinaryExpr:
		return "(" + x.Op.String() + " " + tree(x.X) + " " + tree(x.Y) + ")"
	case *ParenExpr:
		return "[" + tree(x.X) + "]"
	case *BadExpr:
		return "BAD"
	case nil:
		return "<nil>"
	}
	return fmt.Sprintf("%T", x)
}

func TestParseCondition(t *testing.T) {
	tests := []struct{ in, want string }{
		{"selection", "selection"},
		{"  selection  ", "selection"},
		{"selection and not filter", "(and selection (not filter))"},
		{"a or b and c", "(or a (and b c))"},
		{"a and b or c", "(or (and a b) c)"},
		{"not a and b", "(and (not a) b)"},
		{"not not a", "(not (not a))"},
		{"(a or b) and c", "(and [(or a b)] c)"},
		{"a and (b or (c and not d))", "(and a [(or b [(and c (not d))])])"},
		{"1 of selection*", "(1 of selection*)"},
		{"all of selection_img_*", "(all of selection_img_*)"},
		{"any of sel*", "(any of sel*)"},
		{"1 of them", "(1 of them)"},
		{"all of them", "(all of them)"},
		{"ALL OF Them", "(all of them)"},
		{"selection and not 1 of filter_main_* and not 1 of filter_optional_*",
			"(and (and selection (not (1 of filter_main_*))) (not (1 of filter_optional_*)))"},
		{"not 1 of filter*", "(not (1 of filter*))"},
		{"sel-1 and sel.2", "(and sel-1 sel.2)"},
		{"a AND b Or c", "(or (and a b) c)"},
		{"selection_parent and\n(\n    1 of selection_generic_*\n)", "(and selection_parent [(1 of selection_generic_*)])"},
		{"sélection and b", "(and sélection b)"},
	}
	for _, tt := range tests {
		c := ParseCondition(tt.in)
		if len(c.Errors) > 0 {
			t.Errorf("ParseCondition(%q): unexpected errors %v", tt.in, c.Errors)
			continue
		}
		if got := tree(c.Expr); got != tt.want {
			t.Errorf("ParseCondition(%q) = %s, want %s", tt.in, got, tt.want)
		}
		checkSpans(t, c)
		// Round trip: the printed form parses to the same tree.
		again := ParseCondition(c.String())
		if len(again.Errors) > 0 || tree(again.Expr) != tree(c.Expr) {
			t.Errorf("round trip of %q via %q gives %s %v", tt.in, c.String(), tree(again.Expr), again.Errors)
		}
	}
}

func TestParseOfQuantifiers(t *testing.T) {
	c := ParseCondition("all of a* and 1 of b* and any of them and 2 of c*")
	var ofs []*OfExpr
	Inspect(c.Expr, func(x Expr) bool {
		if o, ok := x.(*OfExpr); ok {
			ofs = append(ofs, o)
		}
		return true
	})
	if len(ofs) != 4 {
		t.Fatalf("got %d of-expressions", len(ofs))
	}
	if !ofs[0].All || ofs[1].Count != 1 || ofs[1].All || ofs[2].Count != 1 || !ofs[2].Them || ofs[3].Count != 2 {
		t.Errorf("quantifiers: %+v %+v %+v %+v", ofs[0], ofs[1], ofs[2], ofs[3])
	}
	if ofs[1].Pattern != "b*" || ofs[1].PatternPos != 19 || ofs[1].End() != 21 {
		t.Errorf("pattern position: %+v", ofs[1])
	}
}

func TestParseAggregation(t *testing.T) {
	tests := []struct{ in, want string }{
		{"selection | count() > 5", "count() > 5"},
		{"selection | count(TargetUserName) by IpAddress > 10", "count(TargetUserName) by IpAddress > 10"},
		{"selection and not filter | count(x) by a, b >= 2", "count(x) by a, b >= 2"},
		{"selection | sum(bytes) by src_ip > 1000", "sum(bytes) by src_ip > 1000"},
		{"selection_proctitle |near selection_syscall", "near selection_syscall"},
		{"selector | near dllload1 and dllload2 and not exclusion", "near dllload1 and dllload2 and not exclusion"},
		{"selection | count()", "count()"},
	}
	for _, tt := range tests {
		c := ParseCondition(tt.in)
		if len(c.Errors) > 0 || c.Aggregation == nil {
			t.Errorf("ParseCondition(%q): errors %v, aggregation %v", tt.in, c.Errors, c.Aggregation)
			continue
		}
		if got := c.Aggregation.String(); got != tt.want {
			t.Errorf("aggregation of %q = %q, want %q", tt.in, got, tt.want)
		}
		if c.Aggregation.End() > source.Pos(len(tt.in)) || c.Aggregation.Pos() < c.Expr.End() {
			t.Errorf("aggregation span of %q = [%d,%d)", tt.in, c.Aggregation.Pos(), c.Aggregation.End())
		}
	}
}

// TestParseErrors puts the expected error at the offending token with a
// marker: "@" stands before the token the error must point at.
func TestParseErrors(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"selection @filter", "expected and, or or the end of the condition"},
		{"selection and @", "expected a search identifier"},
		{"(selection and filter@", "expected ), found end of condition, to close the ("},
		{"@) selection", "expected a search identifier"},
		{"1 @sel*", `"of" after the quantifier "1"`},
		{"all of @(", "expected a search identifier pattern or them"},
		{"selection @& filter", `unexpected character "&"`},
		{"@one of sel*", `"one" is not a quantifier`},
		{"0 of sel*", "quantifier 0 must be 1 or more"},
		{"selection | @frobnicate(x)", `unknown aggregate function "frobnicate"`},
		{"selection | count(x) by @> 3", "expected a field after by"},
		{"selection | count(x) > @y", "expected a number after >"},
		{"@", "expected a search identifier"},
		{"write TargetLogonId from selection1", "expected and, or or the end of the condition"},
	}
	for _, tt := range tests {
		at := strings.IndexByte(tt.in, '@')
		in := strings.Replace(tt.in, "@", "", 1)
		if at < 0 {
			at = -1
		}
		c := ParseCondition(in)
		if len(c.Errors) == 0 {
			t.Errorf("ParseCondition(%q): no error, want %q", in, tt.msg)
			continue
		}
		e := c.Errors[0]
		if !strings.Contains(e.Msg, tt.msg) {
			t.Errorf("ParseCondition(%q): error %q, want %q", in, e.Msg, tt.msg)
		}
		if at >= 0 && int(e.Pos) != at {
			t.Errorf("ParseCondition(%q): error at %d, want %d (%s)", in, e.Pos, at, e.Msg)
		}
		if strings.Contains(e.Msg, "to close") != (e.Related.End > e.Related.Start) || strings.Contains(e.Msg, "offset") {
			t.Errorf("ParseCondition(%q): error %q related %v", in, e.Msg, e.Related)
		}
		if c.Expr == nil {
			t.Errorf("ParseCondition(%q): no partial tree", in)
		}
		checkSpans(t, c)
	}
}

func TestParseDepthLimit(t *testing.T) {
	deep := strings.Repeat("(", MaxDepth+10) + "a" + strings.Repeat(")", MaxDepth+10)
	c := ParseCondition(deep)
	if len(c.Errors) == 0 || !strings.Contains(c.Errors[len(c.Errors)-1].Msg, "nested more than") {
		t.Errorf("deep parentheses: errors %v", c.Errors)
	}
	nots := strings.Repeat("not ", MaxDepth+1) + "a"
	if c := ParseCondition(nots); len(c.Errors) == 0 {
		t.Error("deep not chain accepted")
	}
	ok := strings.Repeat("(", MaxDepth-1) + "a" + strings.Repeat(")", MaxDepth-1)
	if c := ParseCondition(ok); len(c.Errors) > 0 {
		t.Errorf("nesting of %d rejected: %v", MaxDepth-1, c.Errors)
	}
	long := strings.Repeat("a and ", 100000) + "a"
	if c := ParseCondition(long); len(c.Errors) > 0 {
		t.Errorf("long and chain: %v", c.Errors[0])
	}
}

// checkSpans checks the invariants of a tree: every span is inside the text,
// children lie inside their parent and in order.
func checkSpans(t *testing.T, c *Condition) {
	t.Helper()
	n := source.Pos(len(c.Text))
	var check func(x Expr, lo, hi source.Pos)
	check = func(x Expr, lo, hi source.Pos) {
		if x == nil {
			t.Errorf("%q: nil node", c.Text)
			return
		}
		if x.Pos() < lo || x.End() > hi || x.Pos() > x.End() {
			t.Errorf("%q: %T span [%d,%d) outside [%d,%d)", c.Text, x, x.Pos(), x.End(), lo, hi)
		}
		switch x := x.(type) {
		case *NotExpr:
			check(x.X, x.Pos(), x.End())
		case *BinaryExpr:
			check(x.X, x.Pos(), x.OpPos)
			check(x.Y, x.OpPos, x.End())
		case *ParenExpr:
			check(x.X, x.Lparen, x.End())
		}
	}
	check(c.Expr, 0, n)
}
