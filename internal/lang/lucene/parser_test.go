package lucene

import (
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/lang/langtest"
	"github.com/detwiki/detwiki/internal/source"
)

var parseTests = []struct {
	name, in, want string
}{
	{"term", `chmod`, `chmod`},
	{"field term", `process.name:chmod`, `process.name:chmod`},
	{"boolean", `a:1 AND b:2 OR NOT c:3`, `a:1 AND b:2 OR NOT c:3`},
	{"symbols", `a:1 && b:2 || !c:3`, `a:1 && b:2 || !c:3`},
	{"modifiers", `+a:1 -b:2`, `+a:1 -b:2`},
	{"group", `event.type:(start or process_started)`, `event.type:(start or process_started)`},
	{"plus inside term", `process.args:(g+s OR /2[0-9]{3}/)`, `process.args:(g+s OR /2[0-9]{3}/)`},
	{"phrase", `message:"quick brown" AND x:"a \"b\""`, `message:"quick brown" AND x:"a \"b\""`},
	{"wildcards", `name:*.ex? AND path:C\:\\Windows\\*`, `name:*.ex? AND path:C\:\\Windows\\*`},
	{"ranges", `port:[1 TO 1024] AND n:{0 TO *] AND d:["a b" TO z}`, `port:[1 TO 1024] AND n:{0 TO *] AND d:["a b" TO z}`},
	{"one-sided", `age:>=10 AND age:<20`, `age:>=10 AND age:<20`},
	{"boost fuzzy", `a:roam~2^3 "x y"~4`, `a:roam~2^3 "x y"~4`},
	{"exists", `_exists_:user.name`, `_exists_:user.name`},
	{"nested groups", `(a:1 OR (b:2 AND -c:3))`, `(a:1 OR (b:2 AND -c:3))`},
	{"lowercase operators are terms", `a and b`, `a and b`},
	{"regexp escape", `a:/x\/y/`, `a:/x\/y/`},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) { grammar.CheckPrint(t, tt.in, tt.want) })
	}
}

func TestClauses(t *testing.T) {
	q, errs := Parse(`event.category:process AND NOT user.name:root -x:y name:*sh`)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(q.Clauses) != 4 {
		t.Fatalf("clauses = %d", len(q.Clauses))
	}
	c := q.Clauses[1]
	if c.Conj != ConjAnd || c.Mod != ModNot || !c.Negated() || c.Field != "user.name" {
		t.Errorf("clause 1 = %+v", c)
	}
	if !q.Clauses[2].Negated() || q.Clauses[2].Mod != ModProhibit {
		t.Errorf("clause 2 = %+v", q.Clauses[2])
	}
	if term := q.Clauses[3].Sub.(*Term); !term.Wildcard || term.Value != "*sh" {
		t.Errorf("clause 3 term = %+v", term)
	}
}

var errorTests = []struct {
	in, msg string
}{
	{`a:(b/*ERROR*/`, `expected ")" to close "("`},
	{`a:/*ERROR*/"b`, "phrase not terminated"},
	{`a:[1 TO 2/*ERROR*/`, "expected ] or } to close the range"},
	{`a:[1 /*ERROR*/2]`, "expected TO"},
	{`a:1 /*ERROR*/)`, `unexpected ")"`},
	{`a:/*ERROR*/`, "expected a term"},
	{`a:b^/*ERROR*/`, "expected a boost"},
	{`a:/*ERROR*//x`, "regular expression not terminated"},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range errorTests {
		src, at := langtest.Unmark(tt.in)
		q, errs := Parse(src)
		if len(errs) == 0 {
			t.Errorf("%q: no error, want %q", src, tt.msg)
			continue
		}
		if errs[0].Pos != source.Pos(at) || !strings.Contains(errs[0].Msg, tt.msg) {
			t.Errorf("%q: first error at %d %q, want at %d %q", src, errs[0].Pos, errs[0].Msg, at, tt.msg)
		}
		_ = Print(q)
	}
}

func TestDepthLimit(t *testing.T) {
	src := strings.Repeat("(", 5000) + "a" + strings.Repeat(")", 5000)
	_, errs := Parse(src)
	if len(errs) == 0 || errs[0].Code != CodeDepth {
		t.Errorf("errors = %v, want a depth error", errs)
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
