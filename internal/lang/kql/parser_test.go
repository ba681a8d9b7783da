package kql

import (
	"strings"
	"testing"
	"time"
)

func TestParseBasic(t *testing.T) {
	src := "let x = 1h; // recent\nSecurityEvent\n| where TimeGenerated > ago(x) and EventID == 4688\n| project Computer, CommandLine"
	s, errs := Parse(src)
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if len(s.Statements) != 2 || len(s.Comments) != 1 || s.Comments[0].Text != "// recent" {
		t.Fatalf("statements %d comments %v", len(s.Statements), s.Comments)
	}
	pipe, ok := s.Query().(*PipeExpr)
	if !ok || len(pipe.Ops) != 2 || pipe.Ops[0].Name() != "where" || pipe.Ops[1].Name() != "project" {
		t.Fatalf("query = %#v", s.Query())
	}
	if got := Text(src, pipe.Ops[0].(*WhereOp).Pred); got != "TimeGenerated > ago(x) and EventID == 4688" {
		t.Errorf("Text = %q", got)
	}
	if got := Text(src, pipe); !strings.HasPrefix(got, "SecurityEvent\n| where") || !strings.HasSuffix(got, "CommandLine") {
		t.Errorf("Text(pipe) = %q", got)
	}
	if l := s.Lets(); len(l) != 1 || l[0].Name.Name != "x" || l[0].IsTabular() || l[0].IsFunction() {
		t.Errorf("lets = %v", l)
	}
}

// pipeOf parses src and returns its last query's pipeline.
func pipeOf(t *testing.T, src string) *PipeExpr {
	t.Helper()
	s, errs := Parse(src)
	if len(errs) > 0 {
		t.Fatalf("Parse(%q): %v", src, errs)
	}
	p, ok := s.Query().(*PipeExpr)
	if !ok {
		t.Fatalf("Parse(%q): query is %T, not a pipeline", src, s.Query())
	}
	return p
}

// TestOperators parses one query per operator and checks the operator's
// node type, its name, its text span and a key field.
func TestOperators(t *testing.T) {
	tests := []struct {
		src   string
		name  string
		check func(Operator) bool
	}{
		{"T | where x == 1", "where", func(o Operator) bool { return o.(*WhereOp).Pred.(*BinaryExpr).Op == EQL }},
		{"T | filter x", "filter", func(o Operator) bool { _, ok := o.(*WhereOp); return ok }},
		{"T | extend a = 1, b = 2", "extend", func(o Operator) bool { return len(o.(*ExtendOp).Exprs) == 2 }},
		{"T | project a, b = c", "project", func(o Operator) bool { return o.(*ProjectOp).Exprs[1].(*NamedExpr).Name().Name == "b" }},
		{"T | project-away a, b*", "project-away", func(o Operator) bool { return o.(*ProjectAwayOp).Columns[1].(*Ident).Wildcard }},
		{"T | project-keep a*", "project-keep", func(o Operator) bool { return len(o.(*ProjectAwayOp).Columns) == 1 }},
		{"T | project-rename a = b", "project-rename", func(o Operator) bool { _, ok := o.(*ProjectOp); return ok }},
		{"T | project-reorder b, a desc", "project-reorder", func(o Operator) bool { return o.(*ProjectReorderOp).Columns[1].(*OrderedExpr).Dir == DESC }},
		{"T | summarize c = count() by bin(t, 1h), x", "summarize", func(o Operator) bool {
			s := o.(*SummarizeOp)
			return len(s.Aggs) == 1 && len(s.Groups) == 2 && s.By.IsValid()
		}},
		{"T | summarize hint.strategy=shuffle count()", "summarize", func(o Operator) bool {
			return o.(*SummarizeOp).Params[0].Name == "hint.strategy" && !o.(*SummarizeOp).By.IsValid()
		}},
		{"T | join kind=leftouter (U) on $left.a == $right.b", "join", func(o Operator) bool {
			j := o.(*JoinOp)
			return j.Kind() == "leftouter" && len(j.Conds) == 1
		}},
		{"T | join U on a", "join", func(o Operator) bool { return o.(*JoinOp).Kind() == "innerunique" }},
		{"T | lookup U on a", "lookup", func(o Operator) bool { return o.(*LookupOp).Kind() == "leftouter" }},
		{"T | union withsource=S U, V*", "union", func(o Operator) bool { return len(o.(*UnionOp).Tables) == 2 }},
		{"T | parse x with * \"a=\" a:long", "parse", func(o Operator) bool { return len(o.(*ParseOp).Pattern) == 3 }},
		{"T | parse-where x with * \"a=\" a", "parse-where", func(o Operator) bool { _, ok := o.(*ParseOp); return ok }},
		{"T | parse-kv x as (a:string) with (pair_delimiter=',')", "parse-kv", func(o Operator) bool { return len(o.(*ParseKvOp).Keys.Columns) == 1 }},
		{"T | mv-expand x to typeof(string) limit 5", "mv-expand", func(o Operator) bool {
			m := o.(*MvExpandOp)
			_, ok := m.Items[0].(*ToTypeExpr)
			return ok && m.Limit != nil
		}},
		{"T | mvexpand x", "mvexpand", func(o Operator) bool { _, ok := o.(*MvExpandOp); return ok }},
		{"T | mv-apply x on (take 1)", "mv-apply", func(o Operator) bool { return o.(*MvApplyOp).Subquery != nil }},
		{"T | make-series count() on t from a to b step 1h by c", "make-series", func(o Operator) bool {
			m := o.(*MakeSeriesOp)
			return m.Step != nil && len(m.Groups) == 1
		}},
		{"T | top 10 by x desc", "top", func(o Operator) bool { return o.(*TopOp).By.(*OrderedExpr).Dir == DESC }},
		{"T | top-nested 3 of a by count()", "top-nested", func(o Operator) bool { return len(o.(*TopNestedOp).Clauses) == 1 }},
		{"T | top-hitters 3 of a", "top-hitters", func(o Operator) bool { _, ok := o.(*TopHittersOp); return ok }},
		{"T | take 10", "take", func(o Operator) bool { return o.(*TakeOp).Count.(*BasicLit).Raw == "10" }},
		{"T | limit 10", "limit", func(o Operator) bool { _, ok := o.(*TakeOp); return ok }},
		{"T | sort by a asc, b", "sort", func(o Operator) bool { return len(o.(*SortOp).By) == 2 }},
		{"T | order by a nulls first", "order", func(o Operator) bool { return o.(*SortOp).By[0].(*OrderedExpr).Nulls == FIRST }},
		{"T | distinct a, b", "distinct", func(o Operator) bool { return len(o.(*DistinctOp).Columns) == 2 }},
		{"T | count as N", "count", func(o Operator) bool { return o.(*CountOp).As.Name == "N" }},
		{"T | evaluate bag_unpack(x)", "evaluate", func(o Operator) bool { return o.(*EvaluateOp).Plugin.(*CallExpr).Fun.Name == "bag_unpack" }},
		{"T | invoke f()", "invoke", func(o Operator) bool { _, ok := o.(*InvokeOp).Call.(*CallExpr); return ok }},
		{"T | as X", "as", func(o Operator) bool { return o.(*AsOp).Alias.Name == "X" }},
		{"T | getschema", "getschema", func(o Operator) bool { _, ok := o.(*GetSchemaOp); return ok }},
		{"T | sample 5", "sample", func(o Operator) bool { _, ok := o.(*SampleOp); return ok }},
		{"T | sample-distinct 5 of a", "sample-distinct", func(o Operator) bool { return o.(*SampleDistinctOp).Of != nil }},
		{"T | serialize n = row_number()", "serialize", func(o Operator) bool { return len(o.(*SerializeOp).Exprs) == 1 }},
		{"T | render timechart with (title='t')", "render", func(o Operator) bool { return o.(*RenderOp).Chart.Name == "timechart" }},
		{"T | fork (take 1) (count)", "fork", func(o Operator) bool { return len(o.(*ForkOp).Branches) == 2 }},
		{"T | facet by a with (take 1)", "facet", func(o Operator) bool { return o.(*FacetOp).With != nil }},
		{"T | search \"x\"", "search", func(o Operator) bool { _, ok := o.(*SearchOp); return ok }},
		{"T | find where x == 1", "find", func(o Operator) bool { _, ok := o.(*FindOp); return ok }},
		{"T | range x from 1 to 3 step 1", "range", func(o Operator) bool { return o.(*RangeOp).Column.Name == "x" }},
		{"T | print x = 1", "print", func(o Operator) bool { _, ok := o.(*PrintOp); return ok }},
		{"T | scan with (step s: x;)", "scan", func(o Operator) bool { return len(o.(*ScanOp).Steps) == 1 }},
		{"T | partition by x (take 1)", "partition", func(o Operator) bool { return !o.(*PartitionOp).Brace }},
		{"T | reduce by x", "reduce", func(o Operator) bool { _, ok := o.(*ReduceOp); return ok }},
		{"T | consume", "consume", func(o Operator) bool { _, ok := o.(*ConsumeOp); return ok }},
		{"T | assert-schema (a:string)", "assert-schema", func(o Operator) bool { return o.(*AssertSchemaOp).Schema != nil }},
	}
	for _, tt := range tests {
		p := pipeOf(t, tt.src)
		o := p.Ops[len(p.Ops)-1]
		if o.Name() != tt.name {
			t.Errorf("%q: Name() = %q, want %q", tt.src, o.Name(), tt.name)
		}
		if got, want := Text(tt.src, o), tt.src[strings.Index(tt.src, "| ")+2:]; got != want {
			t.Errorf("%q: Text(op) = %q, want %q", tt.src, got, want)
		}
		if !tt.check(o) {
			t.Errorf("%q: check failed:\n%s", tt.src, Dump(o))
		}
	}
}

// TestStartOperators checks the operators that can start a query.
func TestStartOperators(t *testing.T) {
	for _, tt := range []struct{ src, name string }{
		{"union A, B", "union"},
		{"print 1", "print"},
		{"range x from 1 to 2 step 1", "range"},
		{"search \"x\"", "search"},
		{"find where x", "find"},
		{"evaluate f()", "evaluate"},
	} {
		s, errs := Parse(tt.src)
		if len(errs) > 0 {
			t.Fatalf("%q: %v", tt.src, errs)
		}
		o, ok := s.Query().(Operator)
		if !ok || o.Name() != tt.name {
			t.Errorf("%q: query = %T", tt.src, s.Query())
		}
	}
}

func TestStatements(t *testing.T) {
	src := `set querytrace;
declare query_parameters(a:string = "x");
alias database db = cluster('c').database('d');
let n = 5;
let T2 = T | take n;
let f = (x:long, U:(*)) { U | take x };
let v = view () { T };
let m = materialize(T);
T2`
	s, errs := Parse(src)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	kinds := []string{}
	for _, st := range s.Statements {
		kinds = append(kinds, strings.TrimPrefix(strings.SplitN(Dump(st), " ", 2)[0], ""))
	}
	if got := strings.Join(kinds, ","); got != "SetStmt,DeclareStmt,AliasStmt,LetStmt,LetStmt,LetStmt,LetStmt,LetStmt,QueryStmt" {
		t.Errorf("statements = %s", got)
	}
	lets := s.Lets()
	if lets[0].IsTabular() || !lets[1].IsTabular() || !lets[2].IsFunction() || lets[2].IsView() || !lets[3].IsView() || !lets[4].IsTabular() {
		t.Errorf("let kinds wrong")
	}
	f := lets[2].Value.(*LambdaExpr)
	if len(f.Params) != 2 || f.Params[0].Type.Name != "long" || !f.Params[1].Type.Tabular || f.Body.Result == nil {
		t.Errorf("function = %s", Dump(f))
	}
}

// TestPrecedence checks Kusto's binding strengths through the printed,
// fully parenthesized form of each expression.
func TestPrecedence(t *testing.T) {
	tests := []struct{ src, want string }{
		{"a or b and c", "(a or (b and c))"},
		{"a and b == c", "(a and (b == c))"},
		{"a == b + c", "(a == (b + c))"},
		{"a + b * c", "(a + (b * c))"},
		{"a * b has c", "(a * (b has c))"},
		{"a + b has c", "(a + (b has c))"},
		{"a < b + 1", "(a < (b + 1))"},
		{"a > 1 == b", "((a > 1) == b)"},
		{"-a.b[0]", "(-((a.b)[0]))"},
		{"a - b - c", "((a - b) - c)"},
		{"x in (1, 2) and y !in~ ('a')", "((x in (1, 2)) and (y !in~ ('a')))"},
		{"x between (1 .. 2) or y", "((x between (1 .. 2)) or y)"},
		{"a matches regex 'x' and b !contains_cs 'y'", "((a matches regex 'x') and (b !contains_cs 'y'))"},
		{"not(a) or b", "(not(a) or b)"},
	}
	for _, tt := range tests {
		x, errs := ParseExpr(tt.src)
		if len(errs) > 0 {
			t.Errorf("%q: %v", tt.src, errs)
			continue
		}
		if got := parenthesize(x); got != tt.want {
			t.Errorf("%q = %s, want %s", tt.src, got, tt.want)
		}
	}
}

func parenthesize(x Expr) string {
	switch x := x.(type) {
	case *BinaryExpr:
		return "(" + parenthesize(x.X) + " " + x.Op.String() + " " + parenthesize(x.Y) + ")"
	case *UnaryExpr:
		return "(" + x.Op.String() + parenthesize(x.X) + ")"
	case *InExpr:
		return "(" + parenthesize(x.X) + " " + x.Op.String() + " " + Print(x.List) + ")"
	case *BetweenExpr:
		return "(" + parenthesize(x.X) + " " + x.Op.String() + " (" + Print(x.Low) + " .. " + Print(x.High) + "))"
	case *SelectorExpr:
		return "(" + parenthesize(x.X) + "." + Print(x.Sel) + ")"
	case *IndexExpr:
		return "(" + parenthesize(x.X) + "[" + Print(x.Index) + "])"
	}
	return Print(x)
}

// TestLiterals checks the kind and decoded value of each literal form.
func TestLiterals(t *testing.T) {
	tests := []struct {
		src   string
		kind  Token
		value string
	}{
		{`"C:\\Windows"`, STRING, `C:\Windows`},
		{`'it\'s'`, STRING, `it's`},
		{`@"C:\Windows"`, STRING, `C:\Windows`},
		{`@'it''s'`, STRING, `it's`},
		{`h"secret"`, STRING, `secret`},
		{`H@'C:\x'`, STRING, `C:\x`},
		{"```multi\nline```", STRING, "multi\nline"},
		{"~~~tilde~~~", STRING, "tilde"},
		{`"a" 'b' @"c"`, STRING, `abc`},
		{`"tab\there\n"`, STRING, "tab\there\n"},
		{`"\u0041\x42\103"`, STRING, "ABC"},
		{`42`, LONG, `42`},
		{`0x1F`, LONG, `0x1F`},
		{`1.5`, REAL, `1.5`},
		{`1e3`, REAL, `1e3`},
		{`true`, BOOL, `true`},
		{`FALSE`, BOOL, `FALSE`},
		{`2h`, TIMESPAN, `2h`},
		{`1tick`, TIMESPAN, `1tick`},
		{`1.5days`, TIMESPAN, `1.5days`},
		{`datetime(2024-01-31)`, DATETIME, `2024-01-31`},
		{`datetime( 2024-01-31 10:00 )`, DATETIME, `2024-01-31 10:00`},
		{`date(2024-01-31)`, DATETIME, `2024-01-31`},
		{`guid(00000000-0000-0000-0000-000000000001)`, GUID, `00000000-0000-0000-0000-000000000001`},
		{`long(7)`, LONG, `7`},
		{`int(3)`, INT, `3`},
		{`real(2.5)`, REAL, `2.5`},
		{`double(2.5)`, REAL, `2.5`},
		{`decimal(1.5)`, DECIMAL, `1.5`},
		{`bool(true)`, BOOL, `true`},
		{`time(1:00:00)`, TIMESPAN, `1:00:00`},
		{`timespan(2d)`, TIMESPAN, `2d`},
	}
	for _, tt := range tests {
		x, errs := ParseExpr(tt.src)
		if len(errs) > 0 {
			t.Errorf("%q: %v", tt.src, errs)
			continue
		}
		lit, ok := x.(*BasicLit)
		if !ok {
			t.Errorf("%q: %T, not a literal", tt.src, x)
			continue
		}
		if lit.Kind != tt.kind || lit.Value() != tt.value || lit.Raw != tt.src {
			t.Errorf("%q: kind %v value %q raw %q, want %v %q", tt.src, lit.Kind, lit.Value(), lit.Raw, tt.kind, tt.value)
		}
	}
}

func TestLiteralAccessors(t *testing.T) {
	lit := func(src string) *BasicLit {
		x, errs := ParseExpr(src)
		if len(errs) > 0 {
			t.Fatalf("%q: %v", src, errs)
		}
		return x.(*BasicLit)
	}
	if v, ok := lit("0x1F").Int(); !ok || v != 31 {
		t.Errorf("0x1F = %d %v", v, ok)
	}
	if v, ok := lit("long(-7)").Int(); !ok || v != -7 {
		t.Errorf("long(-7) = %d %v", v, ok)
	}
	if v, ok := lit("1e3").Float(); !ok || v != 1000 {
		t.Errorf("1e3 = %v", v)
	}
	if v, ok := lit("bool(false)").Bool(); !ok || v {
		t.Errorf("bool(false) = %v %v", v, ok)
	}
	for src, want := range map[string]time.Duration{
		"2h": 2 * time.Hour, "1tick": 100, "1.5d": 36 * time.Hour, "10ms": 10 * time.Millisecond,
		"time(1:30:00)": 90 * time.Minute, "timespan(1.02:00:00)": 26 * time.Hour, "3microseconds": 3 * time.Microsecond,
	} {
		if d, ok := lit(src).Duration(); !ok || d != want {
			t.Errorf("%s = %v %v, want %v", src, d, ok, want)
		}
	}
	if tm, ok := lit("datetime(2024-01-31T10:00:00Z)").Time(); !ok || tm.Hour() != 10 || tm.Day() != 31 {
		t.Errorf("datetime = %v %v", tm, ok)
	}
	if tm, ok := lit("datetime(2024-01-31)").Time(); !ok || tm.Month() != time.January {
		t.Errorf("datetime date = %v %v", tm, ok)
	}
	if _, ok := lit(`"x"`).Int(); ok {
		t.Error("string as int")
	}
	if q := Quote(`C:\Windows`); q != `@'C:\Windows'` || Unquote(q) != `C:\Windows` {
		t.Errorf("Quote = %s", q)
	}
	if q := Quote("it's\n"); Unquote(q) != "it's\n" {
		t.Errorf("Quote(it's) = %s", q)
	}
}

func TestDynamic(t *testing.T) {
	x, errs := ParseExpr(`dynamic({"a": [1, -2, "x", null, true], "b": {"c": 1.5}})`)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	d := x.(*DynamicLit)
	obj := d.Value.(*JSONObject)
	if len(obj.Pairs) != 2 || obj.Pairs[0].Key.Value() != "a" {
		t.Fatalf("object = %s", Dump(obj))
	}
	arr := obj.Pairs[0].Value.(*JSONArray)
	if len(arr.Elems) != 5 || arr.Elems[1].(*UnaryExpr).Op != SUB || arr.Elems[3].(*BasicLit).Kind != NULL {
		t.Errorf("array = %s", Dump(arr))
	}
}

func TestNames(t *testing.T) {
	src := "T | project ['my col'], [\"x\"], $left.a, b.c, d[0], e['k'], count"
	p := pipeOf(t, src)
	cols := p.Ops[0].(*ProjectOp).Exprs
	if id := cols[0].(*Ident); !id.Quoted || id.Name != "my col" || Text(src, id) != "['my col']" {
		t.Errorf("bracketed = %+v", id)
	}
	if id := cols[1].(*Ident); id.Name != "x" {
		t.Errorf("double-quoted bracketed = %+v", id)
	}
	if sel := cols[2].(*SelectorExpr); sel.X.(*Ident).Name != "$left" || sel.Sel.(*Ident).Name != "a" {
		t.Errorf("$left.a = %s", Dump(sel))
	}
	if ix := cols[5].(*IndexExpr); ix.Index.(*BasicLit).Value() != "k" {
		t.Errorf("e['k'] = %s", Dump(ix))
	}
	if id := cols[6].(*Ident); id.Name != "count" {
		t.Errorf("keyword as name = %+v", id)
	}
}

// TestErrors checks the message and the place of each error: the caret
// marks the offending token (or where something is missing).
func TestErrors(t *testing.T) {
	tests := []struct {
		src, msg string
		at       string // src with ^ where the error starts
	}{
		{"T | where (x", "Expected: )", "T | where (x^"},
		{"T | where", "Missing expression", "T | where^"},
		{"T | where x == 1 y", "Expected: ;", "T | where x == 1 ^y"},
		{"T | foo", "Query operator expected.", "T | ^foo"},
		{"T | where x == 1 )", "The incomplete fragment is unexpected.", "T | where x == 1 ^)"},
		{`T | where x == "C:\W"`, `Missing: "`, `T | where x == "C:^\W"`},
		{"T | where x == 1 é", "Unexpected: é", "T | where x == 1 ^é"},
		{"T | where x == 1 \\", "Unexpected: \\", "T | where x == 1 ^\\"},
		{"T | where x == 1 \x1b[2J", `Unexpected: \x1b`, "T | where x == 1 ^\x1b[2J"},
		{"T | where x == 1 \xff", `Unexpected: \xff`, "T | where x == 1 ^\xff"},
		{"T | project a b", "Expected: ,", "T | project a ^b"},
		{"T | where project == 1", "The name 'project' needs to be bracketed as ['project'] to be used in this context.", "T | where ^project == 1"},
		{"T | extend my-col = 1", "The name 'my-col' needs to be bracketed as ['my-col'] to be used in this context.", "T | extend ^my-col = 1"},
		{"T | where x has ('a', 'b')", "Expected: )", "T | where x has ('a'^, 'b')"},
		{"T | join kind=where U on a", "Expected one of: inner, fullouter, innerunique, leftanti, leftantisemi, anti, leftouter, leftsemi, rightanti, rightantisemi, rightouter, rightsemi", "T | join kind=^where U on a"},
		{"T | where x == 01234567-89ab-cdef-0123-456789abcdef", "Raw guid literals are not allowed in this context, use guid(...) instead.", "T | where x == ^01234567-89ab-cdef-0123-456789abcdef"},
		{"let f = (a:foo) { a }; f(1)", "The name 'foo' is not a valid type name that can be used here.", "let f = (a:^foo) { a }; f(1)"},
		{"T | where x == datetime(2020", "Missing: )", "T | where x == datetime(2020^"},
		{"T | where x == 'abc", "Missing: '", "T | where x == 'abc^"},
		{"T | lookup U", "Missing join on condition clause", "T | lookup U^"},
		{"print dynamic([1,", "Missing json value", "print dynamic([1,^"},
	}
	for _, tt := range tests {
		_, errs := Parse(tt.src)
		if len(errs) == 0 {
			t.Errorf("%q: no error", tt.src)
			continue
		}
		e := errs[0]
		at := strings.Index(tt.at, "^")
		if e.Msg != tt.msg || int(e.Pos) != at {
			got := tt.src[:e.Pos] + "^" + tt.src[e.Pos:]
			t.Errorf("%q:\n got %q at %q\nwant %q at %q", tt.src, e.Msg, got, tt.msg, tt.at)
		}
		if d := e.Diagnostic(nil); !strings.HasPrefix(d.Code, "KQL") || d.Severity != "error" {
			t.Errorf("%q: diagnostic %+v", tt.src, d)
		}
	}
}

// TestPartialTree checks that a broken query still gives a usable tree.
func TestPartialTree(t *testing.T) {
	src := "T | where x == | summarize count() by y | foo | take 5"
	s, errs := Parse(src)
	if len(errs) != 2 {
		t.Fatalf("errors = %v", errs)
	}
	p := s.Query().(*PipeExpr)
	names := []string{}
	for _, o := range p.Ops {
		names = append(names, o.Name())
	}
	if got := strings.Join(names, ","); got != "where,summarize,foo,take" {
		t.Errorf("operators = %s", got)
	}
	if _, ok := p.Ops[0].(*WhereOp).Pred.(*BinaryExpr).Y.(*BadExpr); !ok {
		t.Errorf("missing operand is not a BadExpr")
	}
	if _, ok := p.Ops[2].(*BadOp); !ok {
		t.Errorf("unknown operator is not a BadOp")
	}
}

func TestDeepNesting(t *testing.T) {
	for _, src := range []string{
		strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000),
		"print " + strings.Repeat("-", 5000) + "1",
		"print dynamic(" + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + ")",
		"print " + strings.Repeat("f(", 3000),
	} {
		s, errs := Parse(src)
		if s == nil || len(errs) == 0 {
			t.Errorf("deep nesting of %q...: no error", src[:20])
		}
	}
	// moderately deep input is fine
	src := strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100)
	if _, errs := Parse(src); len(errs) > 0 {
		t.Errorf("depth 100: %v", errs)
	}
}

func TestScanner(t *testing.T) {
	src := "T|where a!has'x'and b in~(1)and c!in~ (2)//c\n| project-away d | mv-expand e | where f matches regex 'g' and h !between(1..2) and i == 1.5e3 and j == 2d and hint.strategy == $left"
	var s Scanner
	s.Init(src)
	var got []string
	for {
		tok, pos, end := s.Scan()
		if tok == EOF {
			break
		}
		got = append(got, tok.String()+":"+src[pos:end])
	}
	want := "IDENT:T |:| where:where IDENT:a !has:!has STRING:'x' and:and IDENT:b in~:in~ (:( LONG:1 ):) and:and IDENT:c !in~:!in~ (:( LONG:2 ):) " +
		"|:| project-away:project-away IDENT:d |:| mv-expand:mv-expand IDENT:e |:| where:where IDENT:f matches regex:matches regex STRING:'g' and:and IDENT:h !between:!between (:( LONG:1 ..:.. LONG:2 ):) " +
		"and:and IDENT:i ==:== REAL:1.5e3 and:and IDENT:j ==:== TIMESPAN:2d and:and hint.strategy:hint.strategy ==:== IDENT:$left"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("tokens:\n got %s\nwant %s", g, want)
	}
	if len(s.Comments) != 1 || s.Comments[0].Text != "//c" || len(s.Errors) != 0 {
		t.Errorf("comments %v errors %v", s.Comments, s.Errors)
	}
	for src, want := range map[string]Token{
		"project-awayx": IDENT, "where_": IDENT, "1abc": IDENT, "10d5": IDENT, "3Dchart": CHART3D,
		"0x": IDENT, "h": IDENT, "True": BOOL, "datetime": TYPE_DATETIME, "datetime(x)": DATETIME,
		"1..": LONG, "1.": REAL, "!x": ILLEGAL, "`": ILLEGAL, "#x": DIRECTIVE,
	} {
		s.Init(src)
		if tok, _, _ := s.Scan(); tok != want {
			t.Errorf("Scan(%q) = %v, want %v", src, tok, want)
		}
	}
	if Lookup("where") != WHERE || Lookup("Where") != IDENT || !COUNT.CanBeIdentifier() || WHERE.CanBeIdentifier() || !TYPE_STRING.IsType() {
		t.Error("Lookup/CanBeIdentifier")
	}
}

func TestWalk(t *testing.T) {
	src := "let x = 1; T | where a == x and b has 'y' | summarize count() by c | join (U | project c) on c"
	s, _ := Parse(src)
	var idents []string
	count := 0
	Inspect(s, func(n Node) bool {
		count++
		if id, ok := n.(*Ident); ok {
			idents = append(idents, id.Name)
		}
		return true
	})
	if got := strings.Join(idents, ","); got != "x,T,a,x,b,count,c,U,c,c" {
		t.Errorf("idents = %s", got)
	}
	// pruning: do not enter the join
	n := 0
	Inspect(s, func(node Node) bool {
		n++
		_, isJoin := node.(*JoinOp)
		return !isJoin
	})
	if n >= count {
		t.Errorf("pruned walk visited %d of %d", n, count)
	}
	// every node's span lies within its parent's
	var stack []Node
	Walk(visitorFunc(func(node Node) bool {
		if node == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if len(stack) > 0 {
			parent := stack[len(stack)-1]
			if node.Pos() < parent.Pos() || node.End() > parent.End() {
				t.Errorf("%T %d-%d outside %T %d-%d", node, node.Pos(), node.End(), parent, parent.Pos(), parent.End())
			}
		}
		stack = append(stack, node)
		return true
	}), s)
}

type visitorFunc func(Node) bool

func (f visitorFunc) Visit(n Node) Visitor {
	if f(n) {
		return f
	}
	return nil
}

// TestParseConcurrent parses from several goroutines at once (pooled
// parsers must not share state); run with -race.
func TestParseConcurrent(t *testing.T) {
	queries := []string{
		"T | where x == 1 | summarize count() by y",
		"let f = (a:string) { a }; print f('x') // c",
		"T | join kind=inner (U | project a) on a | take 5",
		"T | where (x",
	}
	want := make([]string, len(queries))
	for i, q := range queries {
		s, _ := Parse(q)
		want[i] = stmtDump(s) + Print(s)
	}
	done := make(chan bool)
	for g := 0; g < 8; g++ {
		go func(g int) {
			defer func() { done <- true }()
			for i := 0; i < 200; i++ {
				k := (g + i) % len(queries)
				s, _ := Parse(queries[k])
				if got := stmtDump(s) + Print(s); got != want[k] {
					t.Errorf("goroutine %d: tree of %q changed", g, queries[k])
					return
				}
			}
		}(g)
	}
	for g := 0; g < 8; g++ {
		<-done
	}
}

func TestPrintComments(t *testing.T) {
	tests := []struct{ src, want string }{
		{"// head\nT // tail\n| where x // w\n| take 1", "// head\nT\n// tail\n| where x\n// w\n| take 1"},
		{"print x = \"a\" // c\n \"b\"\n| take 1", "print x = \"a\" // c\n \"b\"\n| take 1"},
		{"let a = 1; // one\nprint a // end", "let a = 1;\n// one\nprint a\n// end\n"},
		{"print u = 'http://x//y'", "print u = 'http://x//y'"},
	}
	for _, tt := range tests {
		s, errs := Parse(tt.src)
		if len(errs) > 0 {
			t.Fatalf("%q: %v", tt.src, errs)
		}
		if got := Print(s); got != tt.want {
			t.Errorf("Print(%q) =\n%q\nwant\n%q", tt.src, got, tt.want)
		}
	}
}
