package elastic

import (
	"fmt"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// explainQuery explains one query as a rule of the given language would.
func explainQuery(lang, q string) *rule.Document {
	d := &rule.Document{}
	x := newExplainer(d, q, "")
	switch lang {
	case LangEQL:
		explainQueryEQL(x, "q", source.Origin{}, defaultCategory)
	case LangKuery:
		explainQueryKuery(x, "q", source.Origin{}, "filter", "")
	case LangLucene:
		explainQueryLucene(x, "q", source.Origin{})
	case LangESQL:
		explainQueryESQL(x, "q", source.Origin{})
	}
	return d
}

// facts renders indicators (+) and exclusions (-) one per line:
// "+field kind value|value [transforms]".
func facts(a rule.Analysis) string {
	var lines []string
	render := func(sign string, list []rule.Indicator) {
		for _, in := range list {
			byTr := map[string][]string{}
			var order []string
			for _, v := range in.Values {
				k := strings.Join(v.Transforms, ",")
				if _, ok := byTr[k]; !ok {
					order = append(order, k)
				}
				byTr[k] = append(byTr[k], v.Value)
			}
			for _, k := range order {
				l := fmt.Sprintf("%s%s %s %s", sign, in.Field, in.Kind, strings.Join(byTr[k], "|"))
				if k != "" {
					l += " [" + k + "]"
				}
				lines = append(lines, strings.TrimSpace(l))
			}
		}
	}
	render("+", a.Indicators)
	render("-", a.Exclusions)
	return strings.Join(lines, "\n")
}

var explainTests = []struct {
	name, lang, query, want string
}{
	{"eql category and colon", LangEQL, `process where process.name : "CMD.EXE"`,
		"+event.category eq process [cased]\n+process.name eq CMD.EXE"},
	{"eql == is cased, numbers are not", LangEQL, `any where process.name == "cmd.exe" and process.pid == 4`,
		"+process.name eq cmd.exe [cased]\n+process.pid eq 4"},
	{"eql wildcards", LangEQL, `any where a : "*foo*" and b : "foo*" and c : "*foo" and d : "?:\\x\\*.exe" and e : "*"`,
		"+a contains foo\n+b starts_with foo\n+c ends_with foo\n+d match ?:\\x\\*.exe [wildcard]\n+e is_not_null"},
	{"eql like is cased, like~ is not", LangEQL, `any where a like "X*" and b like~ "Y*"`,
		"+a starts_with X [cased]\n+b starts_with Y"},
	{"eql lists", LangEQL, `any where a : ("x", "y", "*z") and b in ("P", "q") and c in~ ("R")`,
		"+a in x|y\n+a ends_with z\n+b in P|q [cased]\n+c in R"},
	{"eql exclusions", LangEQL, `any where a : "x" and not b : "y" and c != "Z" and not (d : "1" or e : "2") and f not in ("g")`,
		"+a eq x\n-b eq y\n-c eq Z [cased]\n-d eq 1\n-e eq 2\n-f in g [cased]"},
	{"eql null tests", LangEQL, `any where a != null and b == null and ?c.d == null`,
		"+a is_not_null\n+b is_null\n+c.d is_null"},
	{"eql regex and functions", LangEQL, `any where a regex~ ".*x" and startsWith~(b, "pre") and endsWith(c, "SUF") and cidrMatch(d, "10.0.0.0/8", "::1") and stringContains(e, "mid")`,
		"+a regex .*x\n+b starts_with pre\n+c ends_with SUF [cased]\n+d cidr 10.0.0.0/8|::1\n+e contains mid [cased]"},
	{"eql field refs and expressions", LangEQL, `any where a == b and c > length(d) and 5 < e`,
		"+a eq b [field_ref]\n+c gt length(d) [expression]\n+e gt 5"},
	{"eql sequence until and missing", LangEQL, "sequence by host.id [process where a : \"x\"] ![file where b : \"y\"] until [process where c : \"z\"]",
		"+event.category eq process|file [cased]\n+a eq x\n-b eq y\n-c eq z"},
	{"eql filter pipe", LangEQL, `any where true | filter a : "x"`, "+a eq x"},

	{"kuery basics", LangKuery, `event.category:process and process.name:(cmd.exe or "Power Shell.exe") and not user.name:root`,
		"+event.category eq process [cased]\n+process.name in cmd.exe|Power Shell.exe [cased]\n-user.name eq root [cased]"},
	{"kuery wildcards and exists", LangKuery, `a:*x* and b:x* and c:*x and d:x*y and e:* and f:"q*"`,
		"+a contains x [cased]\n+b starts_with x [cased]\n+c ends_with x [cased]\n+d match x*y [cased,wildcard]\n+e is_not_null\n+f eq q* [cased]"},
	{"kuery ranges numbers nested", LangKuery, `risk > 21 and port:(80 or 443) and items:{ name:banana }`,
		"+risk gt 21\n+port in 80|443\n+items.name eq banana [cased]"},
	{"kuery cidr on ip fields", LangKuery, `destination.ip:(10.0.0.0/8 or 127.0.0.1 or "fe80::/10" or 192.168.0.0/16) and not source.ip:(172.16.0.0/12 or 10.0.0.0/8) and rule.cidrIp:0.0.0.0/0 and client.ip:1.2.3.0/33`,
		"+destination.ip cidr 10.0.0.0/8|fe80::/10|192.168.0.0/16\n+destination.ip in 127.0.0.1\n+rule.cidrIp eq 0.0.0.0/0\n+client.ip eq 1.2.3.0/33\n-source.ip cidr 172.16.0.0/12|10.0.0.0/8"},
	{"kuery value not and and", LangKuery, `a:(x and not y)`,
		"+a eq x [cased,all]\n-a eq y [cased]"},

	{"lucene", LangLucene, `event.category:process AND process.args:(g+s OR /2[0-9]{3}/) AND NOT user.name:root AND port:[1 TO 1024} AND _exists_:host.id AND name:ab*`,
		"+event.category eq process [cased]\n+process.args regex 2[0-9]{3}\n+process.args eq g+s [cased]\n+port ge 1\n+port lt 1024\n+host.id is_not_null\n+name starts_with ab [cased]\n-user.name eq root [cased]"},

	{"lucene cidr on ip fields", LangLucene, `destination.ip:10.0.0.0\/8 AND NOT source.ip:"192.168.0.0/16" AND url.path:a\/b`,
		"+destination.ip cidr 10.0.0.0/8\n+url.path eq a/b [cased]\n-source.ip cidr 192.168.0.0/16"},

	{"esql where", LangESQL, `from logs-* | where process.name == "cmd.exe" and to_lower(process.parent.name) == "explorer.exe" and x like "*.ps1" and y rlike """.*\d""" and z in ("A", "b") and w is not null and not v != "q" and n >= 5`,
		"+process.name eq cmd.exe [cased]\n+process.parent.name eq explorer.exe\n+x ends_with .ps1 [cased]\n+y regex .*\\d [cased]\n+z in A|b [cased]\n+w is_not_null\n+v eq q [cased]\n+n ge 5"},
	{"esql like escapes", LangESQL, `from a | where p like """C:\\Windows\\*""" and q like "C:\\\\Users\\\\*\\\\Documents" and r like """a\*b*""" and s like """\\\\server\\share""" and not t like """*\\temp\\*"""`,
		`+p starts_with C:\Windows\ [cased]
+q match C:\Users\*\Documents [cased,wildcard]
+r match a\*b* [cased,wildcard]
+s eq \\server\share [cased]
-t contains \temp\ [cased]`},
	{"esql exclusions and functions", LangESQL, `from a | where not starts_with(p, "C:") and ends_with(TO_LOWER(q), ".exe") and cidr_match(ip, "10.0.0.0/8") and r not in ("x") and KQL("event.action:exec and not user.id:0")`,
		"+q ends_with .exe\n+ip cidr 10.0.0.0/8\n+event.action eq exec [cased]\n-p starts_with C: [cased]\n-r in x [cased]\n-user.id eq 0"},
}

func TestExplain(t *testing.T) {
	for _, tt := range explainTests {
		t.Run(tt.name, func(t *testing.T) {
			d := explainQuery(tt.lang, tt.query)
			for _, dg := range d.Analysis.Diagnostics {
				t.Errorf("diagnostic: %s", dg)
			}
			if got := facts(d.Analysis); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestExplainStages(t *testing.T) {
	d := explainQuery(LangEQL, "sequence by host.id with maxspan=1m\n  [process where a : \"x\"] by process.entity_id\n  [file where true] with runs=3\nuntil [process where b : \"y\"]\n| head 5")
	var kinds []string
	for _, s := range d.Analysis.Stages {
		kinds = append(kinds, fmt.Sprintf("%s@%s:%d", s.Kind, s.Pipeline, s.Line))
	}
	if got := strings.Join(kinds, " "); got != "sequence@step1:2 sequence@step2:3 until@until:4 head@:5" {
		t.Errorf("stages = %s", got)
	}
	if len(d.Analysis.Bindings) != 3 || d.Analysis.Bindings[0].Name != "step1" || !strings.HasPrefix(d.Analysis.Bindings[0].Text, "[process where") {
		t.Errorf("bindings = %+v", d.Analysis.Bindings)
	}
	if strings.Join(d.GroupBy, ",") != "host.id,process.entity_id" {
		t.Errorf("group_by = %v", d.GroupBy)
	}
	var params []string
	for _, p := range d.Analysis.Parameters {
		params = append(params, p.Name+"="+strings.Join(p.Values, ","))
	}
	if got := strings.Join(params, " "); got != "maxspan=1m step2.runs=3" {
		t.Errorf("parameters = %s", got)
	}

	d = explainQuery(LangESQL, "from logs-a, logs-b metadata _id\n| where x == 1\n| eval a = 1\n| eval b = 2\n| stats c = count(*) by host.id, user.name\n| keep c, host.id\n| lookup join ti on source.ip")
	kinds = nil
	for _, s := range d.Analysis.Stages {
		kinds = append(kinds, fmt.Sprintf("%s/%d", s.Kind, s.Steps))
	}
	if got := strings.Join(kinds, " "); got != "source/0 where/0 eval/2 stats/0 keep/0 lookup join/0" {
		t.Errorf("esql stages = %s", got)
	}
	if got := strings.Join(d.Analysis.Tables, ","); got != "logs-a,logs-b,ti" {
		t.Errorf("tables = %s", got)
	}
	var outs []string
	for _, o := range d.Analysis.Outputs {
		outs = append(outs, o.Field+":"+o.Source)
	}
	if got := strings.Join(outs, " "); got != "a:eval b:eval c:stats host.id:stats user.name:stats" {
		t.Errorf("outputs = %s", got)
	}
	if strings.Join(d.GroupBy, ",") != "host.id,user.name" {
		t.Errorf("group_by = %v", d.GroupBy)
	}
}

func TestKQLInsideESQL(t *testing.T) {
	d := explainQuery(LangESQL, "from a\n| where KQL(\"\"\"x:1 and (y:2\"\"\")")
	if len(d.Analysis.Diagnostics) != 1 {
		t.Fatalf("diagnostics = %v", d.Analysis.Diagnostics)
	}
	dg := d.Analysis.Diagnostics[0]
	if dg.Code != "KUERY1002" || dg.Line != 2 || dg.Col != 28 || !strings.HasPrefix(dg.Message, "in KQL(): ") {
		t.Errorf("diagnostic = %s", dg)
	}
}

func TestExplainParseErrorsAreRelocated(t *testing.T) {
	d := &rule.Document{}
	q := "process where\n  a == )"
	x := newExplainer(d, q, "")
	explainQueryEQL(x, "rules/x.toml", source.Origin{Line: 20, Col: 1}, defaultCategory)
	if len(d.Analysis.Diagnostics) == 0 {
		t.Fatal("no diagnostic")
	}
	dg := d.Analysis.Diagnostics[0]
	if dg.Path != "rules/x.toml" || dg.Line != 21 || dg.Col != 8 || dg.Code != "EQL1002" {
		t.Errorf("diagnostic = %s", dg)
	}
}

// TestCaselessFields: a test on an ECS .caseless multi-field (the value in
// lower case) is case-insensitive.
func TestCaselessFields(t *testing.T) {
	for _, tt := range []struct{ lang, query, want string }{
		{LangKuery, `process.name.caseless:"rundll32.exe" and not process.parent.name.caseless:(a.exe or B.exe) and process.name:x.exe`,
			"+process.name.caseless eq rundll32.exe\n+process.name eq x.exe [cased]\n-process.parent.name.caseless in a.exe|B.exe"},
		{LangESQL, `from a | where process.parent.executable.caseless == "c:\\windows\\explorer.exe" and process.name.caseless like "*.exe"`,
			"+process.parent.executable.caseless eq c:\\windows\\explorer.exe\n+process.name.caseless ends_with .exe"},
	} {
		d := explainQuery(tt.lang, tt.query)
		if got := facts(d.Analysis); got != tt.want {
			t.Errorf("%s\ngot:\n%s\nwant:\n%s", tt.query, got, tt.want)
		}
		for _, s := range d.Analysis.Stages {
			for _, p := range s.Predicates {
				if strings.HasSuffix(p.Field, ".caseless") && len(p.Transforms) > 0 {
					t.Errorf("stage predicate %s keeps %v", p.Field, p.Transforms)
				}
			}
		}
	}
}
