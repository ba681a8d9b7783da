package yaral

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/source"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// exprTests are expressions with their fully parenthesised reading.
var exprTests = []struct{ in, want string }{
	{`$e.metadata.event_type = "PROCESS_LAUNCH"`, `(field($e metadata.event_type) = "PROCESS_LAUNCH")`},
	{`$e.principal.hostname = $hostname`, `(field($e principal.hostname) = $hostname)`},
	{`$userid = $e.principal.user.userid`, `($userid = field($e principal.user.userid))`},
	{`$e1.target.ip = $e2.principal.ip`, `(field($e1 target.ip) = field($e2 principal.ip))`},
	{`$e.target.process.command_line = /powershell.*-enc/ nocase`, `(field($e target.process.command_line) = /powershell.*-enc/ nocase)`},
	{`$e.target.file.full_path != "" `, `(field($e target.file.full_path) != "")`},
	{`$e.target.resource.attribute.labels["App Id"] = "x"`, `(field($e target.resource.attribute.labels["App Id"]) = "x")`},
	{`$e.about[0].labels["k"].value = "v"`, `(field($e about[0].labels["k"].value) = "v")`},
	{`re.regex($e.target.url, ` + "`" + `.*\.php$` + "`" + `)`, "re.regex(field($e target.url), `.*\\.php$`)"},
	{`re.regex($e.f, "x") nocase or $e.g = 1`, `(re.regex(field($e f), "x") nocase or (field($e g) = 1))`},
	{`strings.contains(strings.to_lower($e.cmd), "-enc")`, `strings.contains(strings.to_lower(field($e cmd)), "-enc")`},
	{`net.ip_in_range_cidr($e.principal.ip, "10.0.0.0/8")`, `net.ip_in_range_cidr(field($e principal.ip), "10.0.0.0/8")`},
	{`not $e.principal.user.email_addresses in %allowlist`, `(not (field($e principal.user.email_addresses) in %allowlist))`},
	{`$e.principal.ip in cidr %corp_ranges`, `(field($e principal.ip) in cidr %corp_ranges)`},
	{`$e.f IN regex %hacktools nocase`, `(field($e f) in regex %hacktools nocase)`},
	{`$e.target.hostname in %table.column`, `(field($e target.hostname) in %table.column)`},
	{`a = 1 or b = 2 and c = 3`, `((a = 1) or ((b = 2) and (c = 3)))`},
	{`(a = 1 or b = 2) and c = 3`, `(((a = 1) or (b = 2)) and (c = 3))`},
	{`not a = 1 and b = 2`, `((not (a = 1)) and (b = 2))`},
	{`not not $e`, `(not (not $e))`},
	{`A = 1 AND B = 2 OR C = 3`, `(((A = 1) and (B = 2)) or (C = 3))`},
	{`#e > 5 and $e2`, `((#e > 5) and $e2)`},
	{`!$e and #f >= 1`, `((! $e) and (#f >= 1))`},
	{`$risk_score > 10`, `($risk_score > 10)`},
	{`2592000 > timestamp.current_seconds() - $e.x.seconds`, `(2592000 > (timestamp.current_seconds() - field($e x.seconds)))`},
	{`01 = timestamp.get_day_of_week($ts, "UTC")`, `(01 = timestamp.get_day_of_week($ts, "UTC"))`},
	{`$a + $b * 2 - 1`, `(($a + ($b * 2)) - 1)`},
	{`$a / 2`, `($a / 2)`},
	{`-1 * $x`, `((- 1) * $x)`},
	{`max(if($e.x = /organizations/, 30, 0))`, `max(if((field($e x) = /organizations/), 30, 0))`},
	{`max(if (01 = f($t), 10) + if (07 = f($t), 15))`, `max((if((01 = f($t)), 10) + if((07 = f($t)), 15)))`},
	{`any $e.target.labels.value = "ADD"`, `(any (field($e target.labels.value) = "ADD"))`},
	{`all $e.principal.ip != "10.0.0.1"`, `(all (field($e principal.ip) != "10.0.0.1"))`},
	{`$e.x = true`, `(field($e x) = true)`},
	{`array_distinct($e.principal.ip)`, `array_distinct(field($e principal.ip))`},
	{`count_distinct ($e.metadata.id)`, `count_distinct(field($e metadata.id))`},
	{`arrays.index_to_str(strings.split("a,b"), $t1 + $t2)`, `arrays.index_to_str(strings.split("a,b"), ($t1 + $t2))`},
	{`$e.x = /a\/b/`, `(field($e x) = /a\/b/)`},
	{`$e.x = "C:\\Windows\\\"x\""`, `(field($e x) = "C:\\Windows\\\"x\"")`},
	{`timestamp.current_seconds()`, `timestamp.current_seconds()`},
	{`$e.x = 0.5`, `(field($e x) = 0.5)`},
}

func TestParseExpr(t *testing.T) {
	for _, tt := range exprTests {
		x, errs := ParseExpr(tt.in)
		if len(errs) > 0 {
			t.Errorf("ParseExpr(%s): %v", tt.in, errs)
			continue
		}
		if got := sexpr(x); got != tt.want {
			t.Errorf("ParseExpr(%s)\n got %s\nwant %s", tt.in, got, tt.want)
		}
		if x.Pos() != 0 || int(x.End()) > len(tt.in) {
			t.Errorf("ParseExpr(%s): span %d..%d outside the input", tt.in, x.Pos(), x.End())
		}
		checkSpans(t, tt.in, x)
	}
}

func TestUnquote(t *testing.T) {
	tests := []struct {
		lit  BasicLit
		want string
	}{
		{BasicLit{Kind: LitString, Value: `"C:\\Windows"`}, `C:\Windows`},
		{BasicLit{Kind: LitString, Value: `"say \"hi\""`}, `say "hi"`},
		{BasicLit{Kind: LitString, Value: `"(\TEMPLATE\LAYOUTS)"`}, `(\TEMPLATE\LAYOUTS)`},
		{BasicLit{Kind: LitString, Value: `"ends with \\"`}, `ends with \`},
		{BasicLit{Kind: LitRawString, Value: "`.*\\\\cmd\\.exe`"}, `.*\\cmd\.exe`},
		{BasicLit{Kind: LitNumber, Value: "01"}, "01"},
	}
	for _, tt := range tests {
		if got := tt.lit.Unquote(); got != tt.want {
			t.Errorf("Unquote(%s) = %q, want %q", tt.lit.Value, got, tt.want)
		}
	}
	r := &RegexLit{Value: `/a\/b/`}
	if r.Pattern() != `a\/b` {
		t.Errorf("Pattern = %q", r.Pattern())
	}
}

const sampleRule = `/*
 * License header.
 */

rule okta_mfa_brute_force {
  meta:
    author = "Google Cloud Security"
    severity = "Medium"
    mitre_attack_url = "https://attack.mitre.org/techniques/T1110/"

  events:
    $push.metadata.event_type = "USER_UNCATEGORIZED"
    $push.network.parent_session_id = $session
    // a comment between predicates
    $auth.metadata.event_type = "USER_LOGIN"
    $auth.network.parent_session_id = $session
    $push.metadata.event_timestamp.seconds <= $auth.metadata.event_timestamp.seconds
    not $auth.principal.ip in %trusted_ips

  match:
    $session over 15m

  outcome:
    $risk_score = max(35)
    $ips = array_distinct($auth.principal.ip)

  condition:
    #push > 4 and $auth

  options:
    allow_zero_values = true
}
`

func TestParseRule(t *testing.T) {
	f, errs := Parse(sampleRule)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if len(f.Rules) != 1 {
		t.Fatalf("rules = %d", len(f.Rules))
	}
	r := f.Rules[0]
	if r.Name.Name != "okta_mfa_brute_force" || r.Meta == nil || r.Events == nil || r.Match == nil ||
		r.Outcome == nil || r.Condition == nil || r.Options == nil || len(r.Sections) != 6 {
		t.Fatalf("rule structure wrong: %+v", r)
	}
	if got, _ := r.Meta.Get("SEVERITY"); got != "Medium" {
		t.Errorf("meta severity = %q", got)
	}
	if len(r.Events.Stmts) != 6 {
		t.Errorf("events statements = %d, want 6", len(r.Events.Stmts))
	}
	if m := r.Match; len(m.Vars) != 1 || m.Window != "over" || m.Duration.Value != "15m" {
		t.Errorf("match = %+v", m)
	}
	if len(r.Outcome.Assigns) != 2 || r.Outcome.Assigns[0].Var.Name != "risk_score" {
		t.Errorf("outcome = %+v", r.Outcome.Assigns)
	}
	if got := sexpr(r.Condition.Expr); got != "((#push > 4) and $auth)" {
		t.Errorf("condition = %s", got)
	}
	if len(f.Comments) != 2 || !strings.HasPrefix(f.Comments[0].Text, "/*") {
		t.Errorf("comments = %d", len(f.Comments))
	}
	v := Declared(r)
	if strings.Join(v.Events, ",") != "push,auth" || strings.Join(v.Placeholders, ",") != "session" ||
		strings.Join(v.RefLists, ",") != "trusted_ips" || strings.Join(v.Outcomes, ",") != "risk_score,ips" {
		t.Errorf("declared = %+v", v)
	}
	if got := strings.Join(v.Joins["push"], ","); got != "session,auth" {
		t.Errorf("joins of push = %s", got)
	}
	if w := Check(f); len(w) != 0 {
		t.Errorf("check warnings: %v", w)
	}
	checkSpans(t, sampleRule, f)
}

func TestMatchForms(t *testing.T) {
	tests := []struct{ in, want string }{
		{"$user over 10m", "vars=$user window=over duration=10m"},
		{"$user, $ip by 1h", "vars=$user,$ip window=by duration=1h"},
		{"$host over 1h every 10m", "vars=$host window=over duration=1h every=10m"},
		{"$user over 5m after $login", "vars=$user window=over duration=5m after $login"},
		{"$user over 5m before $e", "vars=$user window=over duration=5m before $e"},
	}
	for _, tt := range tests {
		src := "rule r { events: $e.x = $user $login.y = $user match: " + tt.in + " condition: $e }"
		f, errs := Parse(src)
		if len(errs) > 0 {
			t.Errorf("%s: %v", tt.in, errs)
			continue
		}
		got := dumpFile(f, src)
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s: dump\n%s\nlacks %s", tt.in, got, tt.want)
		}
	}
}

// errorMarker is /*ERROR "message"*/ written just before the token the
// error must point at.
var errorMarker = regexp.MustCompile(`/\*ERROR "([^"]*)"\*/`)

// errorTests are inputs with their expected errors marked in place, the way
// go/parser's error tests do it.
var errorTests = []string{
	`rule r { events: $e.x = /*ERROR "expected an expression, found '}'"*/}`,
	`rule r { events: ($e.x = "a" /*ERROR "expected ')', found 'condition'"*/condition: $e }`,
	`rule r { meta: author /*ERROR "expected '=', found string"*/"x" events: $e.x = 1 condition: $e }`,
	`rule r { events: $e.x = 1 match: $x /*ERROR "expected 'over' or 'by' and a time window"*/10m condition: $e }`,
	`rule r { events: $e.x = 1 match: $x over /*ERROR "expected a duration (such as 10m, 1h, 2d), found '10'"*/10 condition: $e }`,
	`rule r { events: $e.x = 1 outcome: /*ERROR "expected an outcome variable ($name), found 'risk'"*/risk = 1 condition: $e }`,
	`rule r { events: $e.x = /*ERROR "regular expression not terminated"*//abc
 condition: $e }`,
	`rule r { events: $e.x = /*ERROR "string literal not terminated"*/"abc`,
	"rule r { events: $e.x = /*ERROR \"raw string literal not terminated\"*/`abc\n condition: $e }",
	`rule r { events: $e.x = 1 /*ERROR "illegal character '@'"*/@ condition: $e }`,
	`rule r { events: $e.x = 1 /*ERROR "comparisons do not chain"*/= 2 condition: $e }`,
	`rule r { events: $e.x in /*ERROR "expected a reference list (%name)"*/"a" condition: $e }`,
	`/*ERROR "rule r has no events section"*/rule r { condition: $e }`,
	`/*ERROR "rule r has no condition section"*/rule r { events: $e.x = 1 }`,
	`rule r { events: $e.x = 1 condition: $e /*ERROR "section meta is out of order"*/meta: a = "b" }`,
	`rule r { events: $e.x = 1 /*ERROR "section events given twice"*/events: $e.y = 1 condition: $e }`,
	`rule r { events: $e.x = 1 condition: $e and /*ERROR "expected an expression, found '}'"*/}`,
	`/*ERROR "expected 'rule', found 'foo'"*/foo rule r { events: $e.x = 1 condition: $e }`,
	`rule r { events: $e./*ERROR "expected a field name after '.', found '='"*/= 1 condition: $e }`,
	`rule r { events: $e.x = 1 condition: $e /*ERROR "expected '}' to close rule r, found end of file"*/`,
	`rule r { events: $e.x = 1 condition: /*ERROR "expected an expression, found 'and'"*/and $e }`,
	`rule r { /*ERROR "expected a section (meta:, events:, match:, outcome:, condition:, options:)"*/foo: 1 events: $e.x = 1 condition: $e }`,
	`rule r { events: $e.x = f(1, 2
 /*ERROR "expected ')', found 'condition'"*/condition: $e }`,
	`rule r { events: $e.x = 1 /*ERROR "comment not terminated"*//* condition: $e }`,
}

func TestErrors(t *testing.T) {
	for _, src := range errorTests {
		type want struct {
			pos source.Pos
			msg string
		}
		var wants []want
		for _, m := range errorMarker.FindAllStringSubmatchIndex(src, -1) {
			wants = append(wants, want{pos: source.Pos(m[1]), msg: src[m[2]:m[3]]})
		}
		// Markers are comments: they leave positions of real tokens alone.
		_, errs := Parse(src)
		for _, w := range wants {
			found := false
			for _, e := range errs {
				if e.Pos == w.pos && strings.Contains(e.Msg, w.msg) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s\n  want error %q at offset %d; got %v", src, w.msg, w.pos, describeErrors(errs))
			}
		}
		if len(errs) == 0 {
			t.Errorf("%s: no error", src)
		}
		for _, e := range errs {
			if e.Pos < 0 || int(e.Pos) > len(src) || e.End < e.Pos || e.Code == "" {
				t.Errorf("%s: bad error span or code %+v", src, e)
			}
		}
	}
}

func describeErrors(errs ErrorList) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString("\n    ")
		b.WriteString(e.Error())
	}
	return b.String()
}

// TestErrorRecovery checks that one broken predicate does not lose the rest
// of the rule.
func TestErrorRecovery(t *testing.T) {
	src := `rule r {
  events:
    $e.a = "x" and and
    $e.b = "y"
    $e.c = @
    $e.d = "z"
  condition:
    $e
}
rule s {
  events:
    $f.x = 1
  condition:
    $f
}`
	f, errs := Parse(src)
	if len(errs) < 2 {
		t.Fatalf("errors = %v", errs)
	}
	if len(f.Rules) != 2 {
		t.Fatalf("rules = %d, want 2", len(f.Rules))
	}
	r := f.Rules[0]
	if r.Condition == nil || r.Events == nil {
		t.Fatal("sections lost")
	}
	got := make([]string, 0, len(r.Events.Stmts))
	for _, s := range r.Events.Stmts {
		got = append(got, sexpr(s))
	}
	joined := strings.Join(got, " ; ")
	for _, want := range []string{`(field($e b) = "y")`, `(field($e d) = "z")`} {
		if !strings.Contains(joined, want) {
			t.Errorf("statements %s lack %s", joined, want)
		}
	}
	d := errs.Diagnostics(src)
	if d[0].Line != 3 || d[0].Col != 20 {
		t.Errorf("first error at %d:%d, want 3:20: %s", d[0].Line, d[0].Col, d[0].Message)
	}
}

func TestDepthLimit(t *testing.T) {
	deep := "rule r { events: " + strings.Repeat("(", 5000) + "$e.x = 1" + strings.Repeat(")", 5000) + " condition: $e }"
	_, errs := Parse(deep)
	if len(errs) == 0 || errs[len(errs)-1].Code != CodeTooDeep && errs[0].Code != CodeTooDeep {
		t.Fatalf("no depth error: %v", errs)
	}
	nots := "rule r { events: " + strings.Repeat("not ", 5000) + "$e.x = 1 condition: $e }"
	if _, errs := Parse(nots); len(errs) == 0 {
		t.Fatal("no depth error for nots")
	}
	ok := "rule r { events: " + strings.Repeat("(", 50) + "$e.x = 1" + strings.Repeat(")", 50) + " condition: $e }"
	if _, errs := Parse(ok); len(errs) != 0 {
		t.Fatalf("50 levels rejected: %v", errs)
	}
}

func TestCheckWarnings(t *testing.T) {
	src := `rule r {
  meta:
    author = "a"
    author = "b"
  events:
    $e.metadata.event_type = "USER_LOGIN"
    $e.target.user.userid = $user
    $f.metadata.event_type = "PROCESS_LAUNCH"
    $f.target.file.full_path = "C:\\a
b"
  match:
    $usr over 10m
  outcome:
    $x = array_distinct($g.principal.ip)
  condition:
    $e and $nope
}`
	f, errs := Parse(src)
	if len(errs) > 0 {
		t.Fatalf("parse: %v", errs)
	}
	d := Check(f).DiagnosticsAs(src, source.Warning)
	want := map[string]string{
		"4:5":   CodeMetaDuplicate,
		"8:5":   CodeUnusedEvent,
		"9:32":  CodeMultiline,
		"12:5":  CodeUndeclared,
		"14:25": CodeUndeclared,
		"16:12": CodeUndeclared,
	}
	got := map[string]string{}
	for _, x := range d {
		got[fmtPos(x.Line, x.Col)] = x.Code
	}
	for pos, code := range want {
		if got[pos] != code {
			t.Errorf("want %s at %s; got %v", code, pos, d)
		}
	}
	if len(d) != len(want) {
		t.Errorf("warnings = %d, want %d: %v", len(d), len(want), d)
	}
}

func fmtPos(line, col int) string {
	return strings.Join([]string{itoa(line), itoa(col)}, ":")
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// checkSpans verifies the position invariants on every node: a valid span
// inside the text, children inside their parent and in source order.
func checkSpans(t *testing.T, src string, root Node) {
	t.Helper()
	var stack []Node
	var lastChild []source.Pos
	Inspect(root, func(n Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			lastChild = lastChild[:len(lastChild)-1]
			return false
		}
		if _, bad := n.(*BadExpr); !bad {
			if n.Pos() < 0 || n.End() < n.Pos() || int(n.End()) > len(src) {
				t.Errorf("%T span %d..%d invalid (text %d bytes)", n, n.Pos(), n.End(), len(src))
			}
		}
		if len(stack) > 0 {
			parent := stack[len(stack)-1]
			if n.Pos() < parent.Pos() || n.End() > parent.End() {
				t.Errorf("%T %d..%d outside parent %T %d..%d", n, n.Pos(), n.End(), parent, parent.Pos(), parent.End())
			}
			if n.Pos() < lastChild[len(lastChild)-1] {
				t.Errorf("%T at %d before its previous sibling", n, n.Pos())
			}
			lastChild[len(lastChild)-1] = n.End()
		}
		stack = append(stack, n)
		lastChild = append(lastChild, n.Pos())
		return true
	})
}

// TestGolden parses every testdata/parse/*.yaral file and compares the
// diagnostics (with source snippets), the structure and the re-printed text
// with the .golden file next to it; -update rewrites them. Files named bad_*
// must have errors, the others none.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "parse", "*.yaral"))
	if len(files) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, in := range files {
		data, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		src := string(data)
		f, errs := Parse(src)
		bad := strings.HasPrefix(filepath.Base(in), "bad_")
		if bad != (len(errs) > 0) {
			t.Errorf("%s: %d errors (bad_ prefix: %v)", in, len(errs), bad)
		}
		var b strings.Builder
		b.WriteString("-- diagnostics --\n")
		diags := append(errs.Diagnostics(src), Check(f).DiagnosticsAs(src, source.Warning)...)
		for _, d := range diags {
			b.WriteString(d.String())
			b.WriteString("\n")
			b.WriteString(source.Snippet(src, d))
			b.WriteString("\n")
		}
		b.WriteString("-- tree --\n")
		b.WriteString(dumpFile(f, src))
		b.WriteString("-- printed --\n")
		b.WriteString(Print(f))
		got := b.String()
		golden := strings.TrimSuffix(in, ".yaral") + ".golden"
		if *update {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%s (run with -update to create it)", err)
		}
		if got != string(want) {
			t.Errorf("%s differs from %s (run go test -update and review the diff):\n%s", in, golden, got)
		}
		checkSpans(t, src, f)
	}
}

func TestRegexCheck(t *testing.T) {
	src := "rule r {\n  events:\n    $e.a = /ok.*/\n    $e.b = /(unclosed/\n    re.regex($e.c, `[z-a]`)\n    re.regex($e.d, \"\\\\d+\")\n  condition:\n    $e\n}\n"
	f, errs := Parse(src)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	d := Check(f).DiagnosticsAs(src, source.Warning)
	if len(d) != 2 || d[0].Code != CodeBadRegex || d[0].Line != 4 || d[1].Line != 5 ||
		!strings.Contains(d[0].Message, "missing closing )") || !strings.Contains(d[1].Message, "invalid character class range") {
		t.Errorf("warnings = %v", d)
	}
}
