package esql

import (
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/lang/langtest"
	"github.com/detwiki/detwiki/internal/source"
)

var parseTests = []struct {
	name, in, want string
}{
	{"from", `from logs-endpoint.events.process-*, logs-windows.* metadata _id, _version`, `FROM logs-endpoint.events.process-*, logs-windows.* METADATA _id, _version`},
	{"from legacy metadata", `FROM a [METADATA _id]`, `FROM a METADATA _id`},
	{"from cluster date math", `FROM remote:logs-*, <logs-{now/d}>, "quoted index"`, `FROM remote:logs-*, <logs-{now/d}>, "quoted index"`},
	{"where", "from a | where process.name == \"cmd.exe\" and not x IS NULL", "FROM a\n| WHERE process.name == \"cmd.exe\" AND NOT x IS NULL"},
	{"like rlike in", `from a | where x like "*.exe" and y not rlike """.*\d+""" and z not in ("a", "b") and w like ("a*", "b?")`,
		"FROM a\n| WHERE x LIKE \"*.exe\" AND y NOT RLIKE \"\"\".*\\d+\"\"\" AND z NOT IN (\"a\", \"b\") AND w LIKE (\"a*\", \"b?\")"},
	{"eval", `from a | eval x = to_lower(process.name), y = 1 + 2 * 3, z = x::long`, "FROM a\n| EVAL x = to_lower(process.name), y = 1 + 2 * 3, z = x::long"},
	{"stats", `from a | stats c = count(*), hosts = count_distinct(host.id) where event.outcome == "failure" by user.name, bucket = date_trunc(1 hour, @timestamp)`,
		"FROM a\n| STATS c = count(*), hosts = count_distinct(host.id) WHERE event.outcome == \"failure\" BY user.name, bucket = date_trunc(1 hour, @timestamp)"},
	{"stats by only", `from a | stats by host.id`, "FROM a\n| STATS BY host.id"},
	{"inline stats", `from a | inline stats n = count(*) by x | inlinestats m = max(y)`, "FROM a\n| INLINE STATS n = count(*) BY x\n| INLINESTATS m = max(y)"},
	{"keep drop rename", "from a | keep @timestamp, process.*, `odd name` | drop x* | rename a as b, c = d", "FROM a\n| KEEP @timestamp, process.*, `odd name`\n| DROP x*\n| RENAME a AS b, d AS c"},
	{"dissect grok", `from a | dissect message "%{a} %{b}" append_separator = "," | grok message "%{IP:ip}"`, "FROM a\n| DISSECT message \"%{a} %{b}\" append_separator = \",\"\n| GROK message \"%{IP:ip}\""},
	{"mv_expand sort limit", `from a | mv_expand process.args | sort @timestamp desc nulls last, x | limit 10`, "FROM a\n| MV_EXPAND process.args\n| SORT @timestamp DESC NULLS LAST, x\n| LIMIT 10"},
	{"enrich", `from a | enrich hosts_policy on host.name with os = host.os, ip`, "FROM a\n| ENRICH hosts_policy ON host.name WITH os = host.os, ip"},
	{"lookup join", `from a | lookup join threat_list on source.ip`, "FROM a\n| LOOKUP JOIN threat_list ON source.ip"},
	{"time spans", `from a | where @timestamp > now() - 7 day and x > now() - 5m`, "FROM a\n| WHERE @timestamp > now() - 7 day AND x > now() - 5 m"},
	{"match operator", `from a | where message : "error" and kql("a:b")`, "FROM a\n| WHERE message : \"error\" AND kql(\"a:b\")"},
	{"case and params", `from a | eval s = case(x > ?limit, "high", "low") | where y == ?`, "FROM a\n| EVAL s = case(x > ?limit, \"high\", \"low\")\n| WHERE y == ?"},
	{"completion map", `from a | completion r = prompt with { "inference_id": "x", "n": 1 }`, "FROM a\n| COMPLETION r = prompt WITH { \"inference_id\": \"x\", \"n\": 1 }"},
	{"change point", `from a | change_point v on k as t, p`, "FROM a\n| CHANGE_POINT v ON k AS t, p"},
	{"fork", `from a | fork (where x == 1) (where y == 2 | limit 3)`, "FROM a\n| FORK (WHERE x == 1) (WHERE y == 2 | LIMIT 3)"},
	{"row show", `row a = 1, b = [1, 2]`, "ROW a = 1, b = [1, 2]"},
	{"comments", "from a // source\n/* block */ | where x == 1 // end", "FROM a\n| WHERE x == 1"},
	{"escapes", `from a | where x == "C:\\Windows\\\"q\"\t"`, "FROM a\n| WHERE x == \"C:\\\\Windows\\\\\\\"q\\\"\\t\""},
	{"quoted ident", "from a | eval `a b`.c = 1", "FROM a\n| EVAL `a b`.c = 1"},
	{"sample", `from a | sample 0.1`, "FROM a\n| SAMPLE 0.1"},
	{"is not null arithmetic", `from a | where -x % 2 != 0 and y is not null`, "FROM a\n| WHERE -x % 2 != 0 AND y IS NOT NULL"},
	{"case-insensitive keywords", `FROM a | WHERE x In (1) AnD y LiKe "z"`, "FROM a\n| WHERE x IN (1) AND y LIKE \"z\""},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) { grammar.CheckPrint(t, tt.in, tt.want) })
	}
}

func TestCommandNames(t *testing.T) {
	q, errs := Parse("from a | INLINE  STATS n = count(*) | lookup join b on c | where x == 1")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var names []string
	for _, c := range q.Commands {
		names = append(names, c.Name())
	}
	if got := strings.Join(names, ","); got != "from,inline stats,lookup join,where" {
		t.Errorf("names = %s", got)
	}
	st := q.Commands[1].(*StatsCommand)
	if !st.Inline || st.Aggs[0].OutputName() != "n" {
		t.Errorf("stats = %+v", st)
	}
}

var errorTests = []struct {
	in, msg string
}{
	{`/*ERROR*/where x == 1`, "a query must start with a source command"},
	{`from a | /*ERROR*/frobnicate x`, "unknown command frobnicate"},
	{`from a | where x /*ERROR*/= 1`, `expected "|" or the end of the query`},
	{`from a | where x == /*ERROR*/)`, "expected an expression"},
	{`from a | where x == "a/*ERROR*/\q"`, `unknown escape sequence \q`},
	{`from a | where x == /*ERROR*/"a`, "string not terminated"},
	{`from a | stats c = count(*) by /*ERROR*/`, "expected an expression"},
	{`from a | /*ERROR*/from b`, "is a source command"},
	{`from a |/*ERROR*/`, "expected a command"},
	{`from a | where x in /*ERROR*/1`, `expected "("`},
	{`from a | where f(x/*ERROR*/`, `expected ")"`},
	{`from a | keep /*ERROR*/,`, "expected a field name or pattern"},
	{`from a | where x is /*ERROR*/1`, "expected NULL"},
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
			t.Errorf("%q: first error at %d %q, want at %d %q (all %v)", src, errs[0].Pos, errs[0].Msg, at, tt.msg, errs)
		}
		_ = Print(q)
	}
}

func TestRecovery(t *testing.T) {
	// A bad command is skipped to the next pipe; the rest is parsed.
	q, errs := Parse("from a | where x == | bogus 1 2 3 | keep y")
	if len(errs) != 2 {
		t.Errorf("errors = %v, want 2", errs)
	}
	if len(q.Commands) != 4 {
		t.Fatalf("commands = %d, want 4", len(q.Commands))
	}
	if _, ok := q.Commands[3].(*KeepCommand); !ok {
		t.Errorf("last command = %T, want KEEP", q.Commands[3])
	}
}

func TestDepthLimit(t *testing.T) {
	for _, src := range []string{
		"from a | where " + strings.Repeat("(", 5000) + "x" + strings.Repeat(")", 5000),
		"from a | where " + strings.Repeat("not ", 5000) + "x",
		"from a | eval x = " + strings.Repeat("f(", 5000),
		"from a | eval x = " + strings.Repeat("[", 5000),
	} {
		_, errs := Parse(src)
		found := false
		for _, e := range errs {
			found = found || e.Code == CodeDepth
		}
		if !found {
			t.Errorf("no depth error for %.30q: %v", src, errs)
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
