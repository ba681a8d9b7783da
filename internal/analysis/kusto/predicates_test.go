package kusto_test

import (
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/analysis/kusto"
	"github.com/detwiki/detwiki/internal/lang/kql"
	"github.com/detwiki/detwiki/internal/rule"
)

// analyze runs the analysis on a query alone.
func analyze(tb testing.TB, q string) *rule.Document {
	tb.Helper()
	d := &rule.Document{ID: "kusto/test", Language: rule.LangKusto, Query: q}
	s, _ := kql.Parse(q)
	kusto.Analyze(d, s)
	d.Normalize()
	for _, x := range d.Analysis.Diagnostics {
		if x.Code == kusto.CodeInternal {
			tb.Fatalf("%s: %s", q, x.Message)
		}
	}
	return d
}

// predText renders a predicate as "[NOT ]field kind v1|v2 {t1,t2}".
func predText(p rule.Predicate) string {
	var b strings.Builder
	if p.Negated {
		b.WriteString("NOT ")
	}
	b.WriteString(p.Field + " " + p.Kind)
	if len(p.Values) > 0 {
		b.WriteString(" " + strings.Join(p.Values, "|"))
	}
	if len(p.Transforms) > 0 {
		b.WriteString(" {" + strings.Join(p.Transforms, ",") + "}")
	}
	return b.String()
}

// allPredicates lists the predicates of every stage, in stage order.
func allPredicates(d *rule.Document) []string {
	var out []string
	for _, st := range d.Analysis.Stages {
		for _, p := range st.Predicates {
			out = append(out, predText(p))
		}
	}
	return out
}

// operatorCases cover every comparison operator of the kind mapping; the
// token each exercises is checked by TestEveryOperatorCovered.
var operatorCases = []struct {
	name  string
	query string
	want  []string
}{
	// Equality: == and != are case-sensitive; =~ is not; !~ is an exclusion.
	{"==", `T | where A == "x"`, []string{"A eq x {cased}"}},
	{"=~", `T | where A =~ "x"`, []string{"A eq x"}},
	{"!=", `T | where A != "x"`, []string{"A ne x {cased}"}},
	{"<>", `T | where A <> "x"`, []string{"A ne x {cased}"}},
	{"!~", `T | where A !~ "x"`, []string{"NOT A eq x"}},
	{"== number", `SecurityEvent | where EventID==1`, []string{"EventID eq 1 {cased}"}},
	// Term operators.
	{"has", `T | where A has "x"`, []string{"A match x"}},
	{"has_cs", `T | where A has_cs "x"`, []string{"A match x {cased}"}},
	{"!has", `T | where A !has "x"`, []string{"NOT A match x"}},
	{"!has_cs", `T | where A !has_cs "x"`, []string{"NOT A match x {cased}"}},
	{"hasprefix", `T | where A hasprefix "x"`, []string{"A match x* {wildcard}"}},
	{"hasprefix_cs", `T | where A hasprefix_cs "x"`, []string{"A match x* {cased,wildcard}"}},
	{"!hasprefix", `T | where A !hasprefix "x"`, []string{"NOT A match x* {wildcard}"}},
	{"!hasprefix_cs", `T | where A !hasprefix_cs "x"`, []string{"NOT A match x* {cased,wildcard}"}},
	{"hassuffix", `T | where A hassuffix "x"`, []string{"A match *x {wildcard}"}},
	{"hassuffix_cs", `T | where A hassuffix_cs "x"`, []string{"A match *x {cased,wildcard}"}},
	{"!hassuffix", `T | where A !hassuffix "x"`, []string{"NOT A match *x {wildcard}"}},
	{"!hassuffix_cs", `T | where A !hassuffix_cs "x"`, []string{"NOT A match *x {cased,wildcard}"}},
	// Substring operators.
	{"contains", `T | where A contains "x"`, []string{"A contains x"}},
	{"contains_cs", `T | where A contains_cs "x"`, []string{"A contains x {cased}"}},
	{"containscs", `T | where A containscs "x"`, []string{"A contains x {cased}"}},
	{"!contains", `T | where A !contains "x"`, []string{"NOT A contains x"}},
	{"notcontains", `T | where A notcontains "x"`, []string{"NOT A contains x"}},
	{"!contains_cs", `T | where A !contains_cs "x"`, []string{"NOT A contains x {cased}"}},
	{"notcontainscs", `T | where A notcontainscs "x"`, []string{"NOT A contains x {cased}"}},
	{"startswith", `T | where A startswith "x"`, []string{"A starts_with x"}},
	{"startswith_cs", `T | where A startswith_cs "x"`, []string{"A starts_with x {cased}"}},
	{"!startswith", `T | where A !startswith "x"`, []string{"NOT A starts_with x"}},
	{"!startswith_cs", `T | where A !startswith_cs "x"`, []string{"NOT A starts_with x {cased}"}},
	{"endswith", `T | where A endswith "x"`, []string{"A ends_with x"}},
	{"endswith_cs", `T | where A endswith_cs "x"`, []string{"A ends_with x {cased}"}},
	{"!endswith", `T | where A !endswith "x"`, []string{"NOT A ends_with x"}},
	{"!endswith_cs", `T | where A !endswith_cs "x"`, []string{"NOT A ends_with x {cased}"}},
	{"matches regex", `T | where A matches regex @"\d+"`, []string{`A regex \d+ {cased}`}},
	{"like", `T | where A like "x%"`, []string{"A match x% {wildcard}"}},
	{"likecs", `T | where A likecs "x%"`, []string{"A match x% {cased,wildcard}"}},
	{"notlike", `T | where A notlike "x%"`, []string{"NOT A match x% {wildcard}"}},
	{"notlikecs", `T | where A notlikecs "x%"`, []string{"NOT A match x% {cased,wildcard}"}},
	// Magnitudes.
	{">", `T | where A > 5`, []string{"A gt 5"}},
	{">=", `T | where A >= 5`, []string{"A ge 5"}},
	{"<", `T | where A < 5`, []string{"A lt 5"}},
	{"<=", `T | where A <= 5`, []string{"A le 5"}},
	{"flipped", `T | where 5 < A and 10 >= B`, []string{"A gt 5", "B le 10"}},
	{"between", `T | where A between (1 .. 10)`, []string{"A ge 1", "A le 10"}},
	{"!between", `T | where A !between (1 .. 10)`, []string{"NOT A ge 1", "NOT A le 10"}},
	// Lists.
	{"in", `T | where A in ("x", "y")`, []string{"A in x|y {cased}"}},
	{"in~", `T | where A in~ ("x", "y")`, []string{"A in x|y"}},
	{"!in", `T | where A !in ("x", "y")`, []string{"NOT A in x|y {cased}"}},
	{"!in~", `T | where A !in~ ("x", "y")`, []string{"NOT A in x|y"}},
	{"has_any", `T | where A has_any ("x", "y")`, []string{"A match x|y"}},
	{"has_all", `T | where A has_all ("x", "y")`, []string{"A match x|y {all}"}},
	{"in dynamic", `T | where A in (dynamic(["x", "y"]))`, []string{"A in x|y {cased}"}},
	{"search colon", `T | where A : "x"`, []string{"A match x"}},
	{"in numbers", `SecurityEvent | where EventID in (4624, 4625)`, []string{"EventID in 4624|4625 {cased}"}},
}

func TestOperatorMapping(t *testing.T) {
	for _, tc := range operatorCases {
		t.Run(tc.name, func(t *testing.T) {
			got := allPredicates(analyze(t, tc.query))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("%s\n got %q\nwant %q", tc.query, got, tc.want)
			}
		})
	}
}

// TestEveryOperatorCovered fails when a comparison operator of the KQL
// front end has no case in operatorCases (a new operator needs a mapping
// and a test).
func TestEveryOperatorCovered(t *testing.T) {
	ops := map[kql.Token]bool{}
	for _, tc := range operatorCases {
		s, _ := kql.Parse(tc.query)
		kql.Inspect(s, func(n kql.Node) bool {
			switch v := n.(type) {
			case *kql.BinaryExpr:
				ops[v.Op] = true
			case *kql.InExpr:
				ops[v.Op] = true
			case *kql.BetweenExpr:
				ops[v.Op] = true
			}
			return true
		})
	}
	want := []kql.Token{kql.EQL, kql.NEQ, kql.LSSGTR, kql.LSS, kql.LEQ, kql.GTR, kql.GEQ,
		kql.IN, kql.IN_CI, kql.NOT_IN, kql.NOT_IN_CI, kql.HAS_ANY, kql.HAS_ALL, kql.BETWEEN, kql.NOT_BETWEEN}
	for tok := kql.Token(0); tok < 2000; tok++ {
		if kql.IsStringOp(tok) {
			want = append(want, tok)
		}
	}
	for _, tok := range want {
		if !ops[tok] {
			t.Errorf("no operator case uses %s", tok)
		}
	}
}

var predicateCases = []struct {
	name  string
	query string
	want  []string
}{
	// Literals are decoded.
	{"escaped string", `T | where A == "C:\\Windows"`, []string{`A eq C:\Windows {cased}`}},
	{"verbatim string", `T | where A =~ @"C:\Windows"`, []string{`A eq C:\Windows`}},
	{"negative number", `T | where A > -1`, []string{"A gt -1"}},
	{"bool", `T | where A == true`, []string{"A eq true {cased}"}},
	// Column against column.
	{"field_ref", `T | where ProcessId != InitiatingProcessId`, []string{"ProcessId ne InitiatingProcessId {cased,field_ref}"}},
	{"field_ref exclusion", `T | where not(InitiatingProcessFolderPath startswith FolderPath)`, []string{"NOT InitiatingProcessFolderPath starts_with FolderPath {field_ref}"}},
	{"expression", `T | where A == strcat(B, "x")`, []string{`A eq strcat(B, "x") {cased,expression}`}},
	{"constant expression", `T | where A == strcat("a", "b")`, []string{"A eq ab {cased}"}},
	// Parameters are resolved.
	{"list parameter", `let lolbins = dynamic(["a.exe", "b.exe"]); T | where FileName in~ (lolbins)`, []string{"FileName in a.exe|b.exe"}},
	{"has_any parameter", `let l = dynamic(["a", "b"]); T | where A has_any (l)`, []string{"A match a|b"}},
	{"scalar parameter", `let name = "x"; T | where A == name`, []string{"A eq x {cased}"}},
	{"bracketed parameter", `let threshold = 3; T | where count_ >= ["threshold"]`, []string{"count_ ge 3"}},
	{"pack_array parameter", `let l = pack_array("a", "b"); T | where A in (l)`, []string{"A in a|b {cased}"}},
	{"split parameter", `let l = split("a,b", ","); T | where A in~ (l)`, []string{"A in a|b"}},
	{"array_concat parameter", `let l = array_concat(dynamic(["a"]), dynamic(["b"])); T | where A in~ (l)`, []string{"A in a|b"}},
	{"non-constant parameter", `let l = toupper(now()); T | where A == l`, []string{"A eq l {cased,expression}"}},
	{"datatable binding", `let allow = datatable(n:string)["a", "b"]; T | where A !in (allow)`, []string{"NOT A in a|b {cased}"}},
	{"tabular binding", `let ips = T2 | distinct IP; T | where IP in (ips)`, []string{"IP in ips {cased,expression}"}},
	{"in subquery", `T | where A in ((T2 | where B == 1 | project A))`, []string{"A in T2 | where B == 1 | project A {cased,expression}", "B eq 1 {cased}"}},
	// Negation: top-level and nested not(), double negation.
	{"not", `T | where not(A has "x")`, []string{"NOT A match x"}},
	{"not or", `T | where not(A has "x" or B == "y")`, []string{"NOT A match x", "NOT B eq y {cased}"}},
	{"double not", `T | where not(A !has "x")`, []string{"A match x"}},
	{"not !=", `T | where not(A != "x")`, []string{"A eq x {cased}"}},
	{"or", `T | where A == "x" or B has "y"`, []string{"A eq x {cased}", "B match y"}},
	// Null tests.
	{"isnotempty", `T | where isnotempty(A)`, []string{"A is_not_null"}},
	{"isnotnull", `T | where isnotnull(A)`, []string{"A is_not_null"}},
	{"isempty", `T | where isempty(A)`, []string{"A is_null"}},
	{"isnull", `T | where isnull(A)`, []string{"A is_null"}},
	{"not isempty", `T | where not(isempty(A))`, []string{"A is_not_null"}},
	{"not isnotempty", `T | where not(isnotempty(A))`, []string{"A is_null"}},
	{"bool test", `T | where isnotempty(A) == false`, []string{"A is_null"}},
	{"bool test !=", `T | where ipv4_is_private(IP) != true`, []string{"NOT IP cidr 10.0.0.0/8|172.16.0.0/12|192.168.0.0/16"}},
	{"bool column", `T | where IsCertificateValid`, []string{"IsCertificateValid eq true"}},
	{"not bool column", `T | where not(IsCertificateValid)`, []string{"NOT IsCertificateValid eq true"}},
	// IP functions.
	{"ipv4_is_in_range", `T | where ipv4_is_in_range(IP, "10.0.0.0/8")`, []string{"IP cidr 10.0.0.0/8"}},
	{"ipv4_is_in_any_range", `T | where not(ipv4_is_in_any_range(IP, "10.0.0.0/8", "192.168.0.0/16"))`, []string{"NOT IP cidr 10.0.0.0/8|192.168.0.0/16"}},
	{"has_ipv4", `T | where has_ipv4(Msg, "1.2.3.4")`, []string{"Msg match 1.2.3.4"}},
	// Fields: conversions and case folding, dynamic paths.
	{"tolower", `T | where tolower(A) == "x"`, []string{"A eq x"}},
	{"tostring", `T | where tostring(A) == "x"`, []string{"A eq x {cased}"}},
	{"path", `T | where AdditionalFields.PipeName has "x"`, []string{"AdditionalFields.PipeName match x"}},
	{"index path", `T | where tostring(parse_json(AdditionalFields)["Command"]) =~ "x"`, []string{"AdditionalFields.Command eq x"}},
	{"column_ifexists", `T | where column_ifexists("A", "") == "x"`, []string{"A eq x {cased}"}},
	{"coalesce", `T | where coalesce(GlobalPrevalence, 0) < 200`, []string{"GlobalPrevalence lt 200"}},
	{"star", `T | where * has "x"`, []string{"* match x"}},
	{"not a field", `T | where strlen(A) > 10`, nil},
	// Traced columns.
	{"project-rename", `T | project-rename Ts = Timestamp2 | where Ts == 1`, []string{"Timestamp2 eq 1 {cased}"}},
	{"extend alias", `T | extend Proc = tolower(FileName) | where Proc == "x.exe"`, []string{"FileName eq x.exe"}},
	{"extend path", `T | extend Cmd = tostring(EventData.CommandLine) | where Cmd has "x"`, []string{"Cmd match x"}},
	{"parse", `Event | parse EventData with * 'CommandLine">' CommandLine "<" * | where CommandLine =~ "x"`, []string{"CommandLine eq x"}},
	{"make_set", `T | summarize make_set(Cmd) by Host | where set_Cmd has "x"`, []string{"Cmd match x"}},
	{"named make_set", `T | summarize Cmds = make_set(Cmd) by Host | where Cmds has "x"`, []string{"Cmd match x"}},
	{"tostring make_set", `T | summarize tostring(makeset(Cmd)) | where set_Cmd has "x"`, []string{"Cmd match x"}},
	{"count", `T | summarize count() by Host | where count_ > 5`, []string{"count_ gt 5"}},
	// Time filters set the time window and give no predicate.
	{"ago", `T | where TimeGenerated > ago(1d) | where A == 1`, []string{"A eq 1 {cased}"}},
	{"ingestion_time", `let timeframe = 2*1h; T | where ingestion_time() >= ago(timeframe)`, nil},
	{"between ago", `T | where Timestamp between (ago(14d) .. ago(1d))`, nil},
	{"datetime", `T | where Timestamp > datetime(2024-01-01)`, nil},
	// Other filters.
	{"parse-where", `T | parse-where Msg with "user=" User " ip=" IP`, []string{"Msg contains user=| ip= {cased,all}"}},
	{"parse-where regex", `T | parse-where kind=regex Msg with "u=" User`, []string{"Msg regex u= {cased}"}},
	{"search", `search in (T) "mimikatz"`, []string{"* match mimikatz"}},
	{"scan", `T | scan with (step s1: A == "x"; step s2: B == "y";)`, []string{"A eq x {cased}", "B eq y {cased}"}},
	{"join keys", `T | join kind=inner (U | where C == 1) on $left.A == $right.B, D`,
		[]string{"A eq $right.B {cased,field_ref}", "D eq $right.D {cased,field_ref}", "C eq 1 {cased}"}},
	{"join binding", `let U = V | where C == 1; T | join U on A`, []string{"C eq 1 {cased}", "A eq U.A {cased,field_ref}"}},
	{"leftanti join", `T | join kind=leftanti Allow on SHA1`, []string{"NOT SHA1 eq Allow.SHA1 {cased,field_ref}"}},
	// A key both sides renamed reads the fields each side comes from.
	{"join renamed keys", `let U = V | project-rename Name = InitiatingProcessFileName; T | extend Name = FileName | join kind=inner U on Name`,
		[]string{"FileName eq U.InitiatingProcessFileName {cased,field_ref}"}},
	{"join renamed right", `T | join kind=inner (V | project K = tolower(AccountName)) on $left.User == $right.K`,
		[]string{"User eq $right.AccountName {cased,field_ref}"}},
	{"leftouter join", `T | join kind=leftouter U on A`, nil},
	{"lookup inner", `T | lookup kind=inner U on A`, []string{"A eq U.A {cased,field_ref}"}},
	{"lookup default", `T | lookup U on A`, nil},
	{"ASIM parameters", `_Im_Dns(domain_has_any=dynamic(["a.com"]), responsecodename='NXDOMAIN', starttime=ago(1h))`,
		[]string{"DnsQuery match a.com", "DnsResponseCodeName eq NXDOMAIN"}},
	{"ASIM prefix", `_Im_NetworkSession(srcipaddr_has_any_prefix=dynamic(["10.1."]), dvcaction=dynamic(["Deny", "Drop"]))`,
		[]string{"SrcIpAddr starts_with 10.1.", "DvcAction in Deny|Drop"}},
}

func TestPredicates(t *testing.T) {
	for _, tc := range predicateCases {
		t.Run(tc.name, func(t *testing.T) {
			got := allPredicates(analyze(t, tc.query))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("%s\n got %q\nwant %q", tc.query, got, tc.want)
			}
		})
	}
}

// TestIndicatorsAndExclusions checks that predicates become indicators
// (merged per field and kind) or, negated, exclusions.
func TestIndicatorsAndExclusions(t *testing.T) {
	d := analyze(t, `T | where A in~ ("x") | where A =~ "y" | where not(B has "z") | where A !~ "w"`)
	var inds, excl []string
	for _, i := range d.Analysis.Indicators {
		var vs []string
		for _, v := range i.Values {
			vs = append(vs, v.Value)
		}
		inds = append(inds, i.Field+" "+i.Kind+" "+strings.Join(vs, "|"))
	}
	for _, i := range d.Analysis.Exclusions {
		var vs []string
		for _, v := range i.Values {
			vs = append(vs, v.Value)
		}
		excl = append(excl, i.Field+" "+i.Kind+" "+strings.Join(vs, "|"))
	}
	if got, want := strings.Join(inds, "; "), "A in x; A eq y"; got != want {
		t.Errorf("indicators = %s, want %s", got, want)
	}
	if got, want := strings.Join(excl, "; "), "B match z; A eq w"; got != want {
		t.Errorf("exclusions = %s, want %s", got, want)
	}
}

// TestTraceNotes checks that a stage says where traced columns come from.
func TestTraceNotes(t *testing.T) {
	tests := []struct{ query, want string }{
		{`T | project-rename Ts = Timestamp2 | where Ts == 1`, "Ts is Timestamp2 (project-rename)."},
		{`Event | parse EventData with * 'C">' CommandLine "<" * | where CommandLine =~ "x"`, "CommandLine is parsed from EventData."},
		{`T | extend Target = strcat(FolderPath, "\\", FileName) | where Target has "x"`, "Target is computed by extend from FolderPath, FileName."},
		{`T | where TimeGenerated > ago(2h)`, "time filter: the last 2h."},
		// a group key keeps the story of its column
		{`T | project P = FileName | summarize count() by P | where P == "x"`, "P is FileName (project)."},
		{`T | summarize count() by P = FileName | where P == "x"`, "P is FileName (summarize)."},
		// a join key says where each side's column comes from
		{`let U = V | project-rename Name = InitiatingProcessFileName; T | extend Name = FileName | join kind=inner U on Name`,
			"Name is FileName (extend); U.Name is InitiatingProcessFileName (project-rename)."},
	}
	for _, tc := range tests {
		d := analyze(t, tc.query)
		last := d.Analysis.Stages[len(d.Analysis.Stages)-1]
		if last.Note != tc.want {
			t.Errorf("%s: note %q, want %q", tc.query, last.Note, tc.want)
		}
	}
}
