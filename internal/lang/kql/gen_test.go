package kql

import "strings"

// queryGen generates random queries from the grammar: expressions with
// every operator, literal and name form, and pipelines of operators with
// their clauses and parameters. Many are valid, some are not (precedence
// clashes such as a == b == c, keywords where names are needed); the live
// differential test compares both parsers on all of them.
type queryGen struct {
	seed uint32
	b    strings.Builder
}

func (g *queryGen) n(k int) int {
	g.seed ^= g.seed << 13
	g.seed ^= g.seed >> 17
	g.seed ^= g.seed << 5
	return int(g.seed % uint32(k))
}

func (g *queryGen) pick(xs ...string) string { return xs[g.n(len(xs))] }

var (
	genNames = []string{"A", "Computer", "Account", "x", "y1", "_z", "$left.a", "$right.b", "['my col']", "[\"q\"]",
		"count", "title", "kind", "bin", "filter", "date", "string", "where", "d.e.f", "arr[0]", "bag['k']", "T.col", "id", "on"}
	genLits = []string{"1", "-1", "0x1F", "1.5", "1e3", "true", "False", "2h", "1tick", "10ms", "datetime(2024-01-01)",
		"guid(00000000-0000-0000-0000-000000000000)", "long(1)", "time(1:00:00)", "'s'", "\"C:\\\\W\"", "@'C:\\W'", "h'x'",
		"'a' 'b'", "dynamic([1, 'a'])", "dynamic({\"k\": 1})", "dynamic(null)", "typeof(string)", "```m```"}
	genFuncs  = []string{"ago", "now", "strcat", "tostring", "iff", "case", "count", "dcount", "bin", "not", "isnotempty", "pack", "make_set", "arg_max", "toscalar", "materialize", "range"}
	genBinOps = []string{"==", "!=", "<>", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "and", "or", "=~", "!~",
		"has", "!has", "has_cs", "!has_cs", "hasprefix", "!hassuffix_cs", "contains", "!contains", "contains_cs",
		"startswith", "!startswith", "endswith_cs", "matches regex", "like", "notlike", ":", "in", "!in~", "between"}
)

func (g *queryGen) expr(depth int) {
	if depth <= 0 {
		if g.n(2) == 0 {
			g.b.WriteString(g.pick(genNames...))
		} else {
			g.b.WriteString(g.pick(genLits...))
		}
		return
	}
	switch g.n(9) {
	case 0, 1, 2:
		op := g.pick(genBinOps...)
		g.expr(depth - 1)
		switch op {
		case "in", "!in~":
			g.b.WriteString(" " + op + " (")
			g.exprList(depth-1, 1+g.n(3))
			g.b.WriteString(")")
		case "between":
			g.b.WriteString(" between (")
			g.expr(depth - 1)
			g.b.WriteString(" .. ")
			g.expr(depth - 1)
			g.b.WriteString(")")
		default:
			g.b.WriteString(" " + op + " ")
			g.expr(depth - 1)
		}
	case 3:
		g.b.WriteString(g.pick(genFuncs...) + "(")
		g.exprList(depth-1, g.n(4))
		g.b.WriteString(")")
	case 4:
		g.b.WriteString("(")
		g.expr(depth - 1)
		g.b.WriteString(")")
	case 5:
		g.b.WriteString(g.pick("-", "+", "- "))
		g.expr(depth - 1)
	case 6:
		g.expr(depth - 1)
		g.b.WriteString(g.pick(".a", "[0]", "['k']", ".f()", "[-1]"))
	case 7:
		g.b.WriteString(g.pick(genNames...))
		g.b.WriteString(" has_any (")
		g.exprList(depth-1, 1+g.n(3))
		g.b.WriteString(")")
	default:
		g.expr(0)
	}
}

func (g *queryGen) exprList(depth, k int) {
	for i := 0; i < k; i++ {
		if i > 0 {
			g.b.WriteString(", ")
		}
		if g.n(4) == 0 {
			g.b.WriteString(g.pick("a", "n1", "['c d']", "title", "kind") + " = ")
		}
		g.expr(depth)
	}
}

func (g *queryGen) operator() {
	d := 1 + g.n(3)
	switch g.n(20) {
	case 0:
		g.b.WriteString("where ")
		g.expr(d)
	case 1:
		g.b.WriteString("extend ")
		g.exprList(d, 1+g.n(3))
	case 2:
		g.b.WriteString("project ")
		g.exprList(d, 1+g.n(3))
	case 3:
		g.b.WriteString("summarize " + g.pick("", "hint.strategy=shuffle ", "hint.shufflekey=x "))
		g.exprList(d, g.n(3))
		if g.n(2) == 0 {
			g.b.WriteString(" by ")
			g.exprList(d, 1+g.n(2))
		}
	case 4:
		g.b.WriteString("join " + g.pick("", "kind=inner ", "kind=leftanti ", "kind=leftouter hint.strategy=broadcast ") + g.pick("(U | where x)", "U", "(U)") + " on ")
		g.b.WriteString(g.pick("a", "$left.a == $right.b", "a, b", "a == b"))
	case 5:
		g.b.WriteString("take " + g.pick("10", "n", "1+1"))
	case 6:
		g.b.WriteString("top 10 by ")
		g.expr(d)
		g.b.WriteString(g.pick("", " desc", " asc nulls last"))
	case 7:
		g.b.WriteString("sort by ")
		g.expr(d)
		g.b.WriteString(g.pick("", " desc", ", y asc"))
	case 8:
		g.b.WriteString("mv-expand " + g.pick("x", "x to typeof(string)", "kind=array x", "with_itemindex=i x limit 5"))
	case 9:
		g.b.WriteString("parse " + g.pick("x", "kind=regex x") + " with " + g.pick("* 'a' b", "'a' b:long *", "b:string"))
	case 10:
		g.b.WriteString("distinct ")
		g.exprList(0, 1+g.n(2))
	case 11:
		g.b.WriteString("project-away " + g.pick("a", "a, b*", "*x"))
	case 12:
		g.b.WriteString("lookup " + g.pick("U", "kind=inner (U)") + " on " + g.pick("a", "$left.a == $right.b"))
	case 13:
		g.b.WriteString("union " + g.pick("U", "isfuzzy=true U, V*", "(U | take 1)"))
	case 14:
		g.b.WriteString("make-series count() on t " + g.pick("from ago(1d) to now() step 1h", "step 1h", "in range(ago(1d), now(), 1h)") + g.pick("", " by x"))
	case 15:
		g.b.WriteString("mv-apply x on (" + g.pick("take 1", "where x > 1 | summarize count()", "top 1 by x") + ")")
	case 16:
		g.b.WriteString("render " + g.pick("timechart", "barchart with (title='t')", "piechart by a"))
	case 17:
		g.b.WriteString("evaluate " + g.pick("bag_unpack(x)", "autocluster()", "pivot(x) : (a:string)"))
	case 18:
		g.b.WriteString(g.pick("count", "getschema", "serialize", "as X", "invoke f()", "sample 5", "project-rename a = b", "project-reorder a"))
	default:
		g.b.WriteString("where ")
		g.expr(d + 1)
	}
}

func (g *queryGen) query() string {
	g.b.Reset()
	for i, k := 0, g.n(3); i < k; i++ {
		g.b.WriteString("let " + g.pick("v", "n", "T2", "f") + " = ")
		switch g.n(3) {
		case 0:
			g.expr(2)
		case 1:
			g.b.WriteString("(a:string, b:long = 1) { T | where c == a | take b }")
		default:
			g.b.WriteString("T | where ")
			g.expr(1)
		}
		g.b.WriteString(";\n")
	}
	g.b.WriteString(g.pick("T", "T", "SecurityEvent", "union A, B", "print x = 1", "datatable(a:string)['x']", "range x from 1 to 3 step 1", "(T | take 5)", "f(1)"))
	for i, k := 0, 1+g.n(4); i < k; i++ {
		g.b.WriteString(g.pick("\n| ", " | ", "|"))
		g.operator()
	}
	return g.b.String()
}

// generatedQueries returns n queries from the grammar generator; the same n
// always gives the same queries.
func generatedQueries(n int) []string {
	g := &queryGen{seed: 0x9e3779b9}
	out := make([]string, n)
	for i := range out {
		out[i] = g.query()
	}
	return out
}
