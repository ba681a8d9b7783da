package eql

import (
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/lang/langtest"
	"github.com/detwiki/detwiki/internal/source"
)

// parseTests: input and its canonical print. Every input must parse without
// error and print (then re-parse and re-print) to want.
var parseTests = []struct {
	name, in, want string
}{
	{"event query", `process where process.name == "cmd.exe"`, `process where process.name == "cmd.exe"`},
	{"any", `any where true`, `any where true`},
	{"quoted category", "`my-cat` where x == 1", "`my-cat` where x == 1"},
	{"precedence", `process where a == 1 or b == 2 and not c == 3`, `process where a == 1 or b == 2 and not c == 3`},
	{"insensitive colon list", `process where process.name : ("a.exe", "B.EXE")`, `process where process.name : ("a.exe", "B.EXE")`},
	{"like", `file where file.path like~ "C:\\Users\\*" and file.name like "*.exe"`, `file where file.path like~ "C:\\Users\\*" and file.name like "*.exe"`},
	{"regex", `process where process.command_line regex~ """.*-enc.*"""`, `process where process.command_line regex~ """.*-enc.*"""`},
	{"in", `network where destination.port in (80, 443) and source.port not in (1, 2)`, `network where destination.port in (80, 443) and source.port not in (1, 2)`},
	{"in insensitive", `process where process.name in~ ("A", "b")`, `process where process.name in~ ("A", "b")`},
	{"optional field", `process where ?process.parent.name == null`, `process where ?process.parent.name == null`},
	{"function", `process where startsWith~(process.name, "power") and length(process.args) > 3`, `process where startsWith~(process.name, "power") and length(process.args) > 3`},
	{"arith", `process where process.pid + 1 * 2 >= -3`, `process where process.pid + 1 * 2 >= -3`},
	{"parens", `process where (a : "x" or b : "y") and c != false`, `process where (a : "x" or b : "y") and c != false`},
	{"escapes", `file where file.path : "C:\\Windows\\\"x\"\t\u{41}"`, `file where file.path : "C:\\Windows\\\"x\"\tA"`},
	{"comments", "process where /* c */ a == 1 // trailing\n and b == 2", `process where a == 1 and b == 2`},
	{"keyword field part", `process where event.sequence == 1 and process.any : "x"`, `process where event.sequence == 1 and process.any : "x"`},
	{"array index", `process where process.args[0] : "x"`, `process where process.args[0] : "x"`},
	{"sequence", "sequence by host.id with maxspan=1m\n  [process where true] by process.entity_id\n  [file where true] by process.entity_id with runs=3\nuntil [process where event.type == \"end\"]",
		"sequence by host.id with maxspan=1m\n  [process where true] by process.entity_id\n  [file where true] by process.entity_id with runs=3\nuntil [process where event.type == \"end\"]"},
	{"sequence missing", "sequence with maxspan=5s [a where true] ![b where true]", "sequence with maxspan=5s\n  [a where true]\n  ![b where true]"},
	{"sequence one step runs", "sequence [a where true] with runs=2", "sequence\n  [a where true] with runs=2"},
	{"sample", "sample by host.id [a where true] [b where x : \"y\"]", "sample by host.id\n  [a where true]\n  [b where x : \"y\"]"},
	{"join", "join by user.name [a where true] [b where true]", "join by user.name\n  [a where true]\n  [b where true]"},
	{"pipes", `process where true | head 5 | filter a == 1 | unique host.id, user.name`, "process where true\n| head 5\n| filter a == 1\n| unique host.id, user.name"},
	{"descendant", `process where descendant of [process where process.name == "x"]`, `process where descendant of [process where process.name == "x"]`},
	{"raw legacy", `process where a : ?"C:\path"`, `process where a : "C:\\path"`},
	{"negative constant", `process where a : -1`, `process where a : -1`},
	{"float", `process where a > 1.5 and b < .5e3`, `process where a > 1.5 and b < .5e3`},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) { grammar.CheckPrint(t, tt.in, tt.want) })
	}
}

// errorTests: the input marks where the (first) error is with /*ERROR*/,
// which is removed before parsing, and what its message contains.
var errorTests = []struct {
	in, msg string
}{
	{`process where a == /*ERROR*/)`, "expected an expression"},
	{`process /*ERROR*/a == 1`, `expected "where"`},
	{`process where a : /*ERROR*/b`, "expected a string or number constant"},
	{`process where a == /*ERROR*/'x'`, "single-quoted strings are not supported"},
	{`process where a == /*ERROR*/"x`, "string not terminated"},
	{`process where a == "/*ERROR*/\q"`, `unknown escape sequence \q`},
	{`process where a == 1 /*ERROR*/== 2`, "comparisons cannot be chained"},
	{`sequence [a where true]/*ERROR*/`, "a sequence needs at least two queries"},
	{`sequence [a where true /*ERROR*/[b where true]`, `expected "]"`},
	{`process where (a == 1/*ERROR*/`, `expected ")" to close "("`},
	{`process where a in /*ERROR*/1`, `expected "("`},
	{`process where a == 1 /*ERROR*/]`, "expected | or the end of the query"},
	{`/*ERROR*/| head 1`, "expected an event category"},
	{`process where a == /*ERROR*/#`, "unexpected character"},
	{`sequence with maxspan=1m /*ERROR*/by a [x where true] [y where true]`, "join keys must come first"},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range errorTests {
		src, at := langtest.Unmark(tt.in)
		q, errs := Parse(src)
		if q == nil {
			t.Fatalf("%q: nil tree", src)
		}
		if len(errs) == 0 {
			t.Errorf("%q: no error, want %q", src, tt.msg)
			continue
		}
		if errs[0].Pos != source.Pos(at) || !strings.Contains(errs[0].Msg, tt.msg) {
			t.Errorf("%q: first error at %d %q, want at %d %q (all: %v)", src, errs[0].Pos, errs[0].Msg, at, tt.msg, errs)
		}
		d := errs.Diagnostics(src)
		if d[0].Line != 1 || d[0].Col != at+1 || d[0].Code == "" {
			t.Errorf("%q: diagnostic %+v, want 1:%d", src, d[0], at+1)
		}
		_ = Print(q) // partial trees print
	}
}

func TestDiagnosticLines(t *testing.T) {
	src := "sequence\n  [process where a == 1]\n  [file where b == ]"
	_, errs := Parse(src)
	d := errs.Diagnostics(src)
	if len(d) == 0 || d[0].Line != 3 || d[0].Col != 20 {
		t.Fatalf("diagnostics = %+v, want 3:20", d)
	}
}

func TestDepthLimit(t *testing.T) {
	for _, src := range []string{
		"process where " + strings.Repeat("(", 10000) + "a == 1" + strings.Repeat(")", 10000),
		"process where " + strings.Repeat("not ", 10000) + "a",
		"process where " + strings.Repeat("-", 10000) + "1 == 1",
		"process where " + strings.Repeat("f(", 10000),
	} {
		_, errs := Parse(src)
		found := false
		for _, e := range errs {
			if e.Code == CodeDepth {
				found = true
			}
		}
		if !found {
			t.Errorf("no depth error for %.30q...: %v", src, errs)
		}
	}
}

func TestParseExpr(t *testing.T) {
	x, errs := ParseExpr(`a : "b" and not c`)
	if len(errs) > 0 || Print(x) != `a : "b" and not c` {
		t.Errorf("ParseExpr = %s %v", Print(x), errs)
	}
	if _, errs := ParseExpr(`a and`); len(errs) == 0 {
		t.Error("ParseExpr(`a and`) gave no error")
	}
}

func TestFieldAndParams(t *testing.T) {
	q, errs := Parse("sequence by host.id with maxspan=30s [process where ?process.`odd name`.x : \"y\"] [file where true] with runs=4")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	s := q.Body.(*Sequence)
	if s.MaxSpan() != "30s" || s.Steps[1].Runs() != "4" {
		t.Errorf("maxspan %q runs %q", s.MaxSpan(), s.Steps[1].Runs())
	}
	pe := s.Steps[0].Filter.Cond.(*PredicateExpr)
	f := pe.X.(*Field)
	if !f.Optional || f.Name() != "process.odd name.x" {
		t.Errorf("field = %+v %q", f, f.Name())
	}
}

// grammar drives the span and print round-trip checks the Elastic-style
// parsers share.
var grammar = langtest.Grammar[Node]{
	Parse:   func(src string) (Node, ErrorList) { q, errs := Parse(src); return q, errs },
	Print:   Print,
	Inspect: Inspect,
}

// FuzzParse checks that no input makes the parser panic, that spans stay
// inside the text, and that a query that parses prints to text that parses
// to the same print.
func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.in)
	}
	for _, tt := range errorTests {
		f.Add(strings.Replace(tt.in, langtest.ErrorMark, "", 1))
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 10000 {
			return
		}
		q, errs := Parse(src)
		if q == nil {
			t.Fatal("nil tree")
		}
		grammar.CheckReprint(t, src, q, errs)
	})
}
