package kuery

import (
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/lang/langtest"
	"github.com/detwiki/detwiki/internal/source"
)

var parseTests = []struct {
	name, in, want string
}{
	{"field value", `process.name:cmd.exe`, `process.name: cmd.exe`},
	{"spaces", `  event.category : process  `, `event.category: process`},
	{"quoted", `process.name : "cmd exe"`, `process.name: "cmd exe"`},
	{"wildcard", `process.name:*powershell*`, `process.name: *powershell*`},
	{"exists", `host.name:*`, `host.name: *`},
	{"value list", `event.type:(start or process_started)`, `event.type: (start or process_started)`},
	{"and list", `process.args:(a and b and not c)`, `process.args: (a and b and not c)`},
	{"boolean", `a:1 and b:2 or not c:3`, `a: 1 and b: 2 or not c: 3`},
	{"upper case keywords", `a:1 AND b:2 OR NOT c:3`, `a: 1 and b: 2 or not c: 3`},
	{"parens", `(a:1 or b:2) and c:3`, `(a: 1 or b: 2) and c: 3`},
	{"range", `risk_score > 21 and x <= 5 and y>=2`, `risk_score > 21 and x <= 5 and y >= 2`},
	{"nested", `items:{ name:banana and stock > 9 }`, `items: { name: banana and stock > 9 }`},
	{"free text", `"quick brown fox"`, `"quick brown fox"`},
	{"value with spaces", `message: quick brown fox`, `message: quick brown fox`},
	{"escapes", `path: C\:\\Windows\\*`, `path: C\:\\Windows\\*`},
	{"escaped star", `path: a\*b`, `path: a\*b`},
	{"escaped keyword", `title: this \and that`, `title: this \and that`},
	{"escaped not", `title: \Not this`, `title: \u004eot this`},
	{"backslash n is a newline", `title: a\not`, `title: a\not`},
	{"quoted escapes", `path: "C:\\Windows\"x\" \u0041"`, `path: "C:\\Windows\"x\" A"`},
	{"lone backslash in quotes", `path: "C:\Windows"`, `path: "C:\\Windows"`},
	{"cidr", `source.ip:(10.0.0.0/8 or "::1")`, `source.ip: (10.0.0.0/8 or "::1")`},
	{"field wildcard", `file.hash.*:*`, `file.hash.*: *`},
	{"quoted field", `"process.name": x`, `"process.name": x`},
	{"multiline", "a:1 and\n  not b:(\n    x or\n    y\n  )", `a: 1 and not b: (x or y)`},
	{"notepad not keyword", `process.name:notepad.exe`, `process.name: notepad.exe`},
	{"nbsp", "a:1\u00a0and b:2", `a: 1 and b: 2`},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) { grammar.CheckPrint(t, tt.in, tt.want) })
	}
}

func TestLiterals(t *testing.T) {
	q, errs := Parse(`process.name:(*.exe or "a*b" or c\*d)`)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var lits []*Literal
	Inspect(q, func(n Node) bool {
		if l, ok := n.(*Literal); ok {
			lits = append(lits, l)
		}
		return true
	})
	if len(lits) != 4 {
		t.Fatalf("literals = %d", len(lits))
	}
	want := []struct {
		val          string
		quoted, wild bool
	}{{"process.name", false, false}, {"*.exe", false, true}, {"a*b", true, false}, {"c*d", false, false}}
	for i, w := range want {
		l := lits[i]
		if l.Value != w.val || l.Quoted != w.quoted || l.Wildcard != w.wild {
			t.Errorf("literal %d = %+v, want %+v", i, l, w)
		}
	}
	if !lits[1].Wildcard || lits[1].IsExists() {
		t.Error("*.exe is a wildcard, not an existence test")
	}
	if q, _ := Parse("a: *"); !q.(*MatchExpr).Value.(*Literal).IsExists() {
		t.Error("a: * is an existence test")
	}
	if q, errs := Parse("   "); q != nil || len(errs) > 0 {
		t.Errorf("empty query = %v %v", q, errs)
	}
}

var errorTests = []struct {
	in, msg string
}{
	{`a:1 and /*ERROR*/)`, "expected a field, a value or ("},
	{`a:(1 or 2/*ERROR*/`, `expected ")" to close "("`},
	{`a: /*ERROR*/`, "expected a value"},
	{`a: /*ERROR*/"x`, "quoted string not terminated"},
	{`a: b c/*ERROR*/:d`, "expected and, or or the end"},
	{`a: C/*ERROR*/\Windows`, `invalid escape \W`},
	{`x > /*ERROR*/`, "expected a value after >"},
	{`not not a:1`, "expected a field"},
	{`(a:1)/*ERROR*/or(b:2)`, "expected and, or or the end"},
	{`a:{ b:1 /*ERROR*/`, `expected "}" to close "{"`},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range errorTests {
		src, at := langtest.Unmark(tt.in)
		q, errs := Parse(src)
		if len(errs) == 0 {
			t.Errorf("%q: no error, want %q", src, tt.msg)
			continue
		}
		if at >= 0 && errs[0].Pos != source.Pos(at) || !strings.Contains(errs[0].Msg, tt.msg) {
			t.Errorf("%q: first error at %d %q, want at %d %q", src, errs[0].Pos, errs[0].Msg, at, tt.msg)
		}
		if q == nil {
			t.Errorf("%q: nil tree", src)
		}
		_ = Print(q)
	}
}

func TestDepthLimit(t *testing.T) {
	for _, src := range []string{
		strings.Repeat("(", 5000) + "a:1" + strings.Repeat(")", 5000),
		"a:" + strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000),
		strings.Repeat("a:{", 5000) + "b:1" + strings.Repeat("}", 5000),
	} {
		_, errs := Parse(src)
		if len(errs) == 0 || errs[len(errs)-1].Code != CodeDepth && errs[0].Code != CodeDepth {
			t.Errorf("no depth error for %.20q...: %v", src, errs)
		}
	}
}

// grammar drives the span and print round-trip checks the Elastic-style
// parsers share.
var grammar = langtest.Grammar[Node]{
	Parse:   func(src string) (Node, ErrorList) { q, errs := Parse(src); return q, errs },
	Print:   Print,
	Inspect: Inspect,
}

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
		grammar.CheckReprint(t, src, q, errs)
	})
}
