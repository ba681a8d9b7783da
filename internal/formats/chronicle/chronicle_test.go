package chronicle

import (
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/cputime"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/formattest"
	"github.com/detwiki/detwiki/internal/golden"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/sharedtest"
	"github.com/detwiki/detwiki/internal/source"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// read runs the reader over one in-memory file, the way formats.ReadFile
// does (defaults filled, panics turned into diagnostics).
func read(t testing.TB, p, text string) []*rule.Document {
	t.Helper()
	f := &formats.File{Repo: "rules", Root: "/rules", Path: p, Abs: "/rules/" + p, Data: []byte(text)}
	return formats.ReadFile(New(), f, &formats.Env{Attack: attack.Default()})
}

func readOne(t testing.TB, text string) *rule.Document {
	t.Helper()
	docs := read(t, "community/test_rule.yaral", text)
	if len(docs) != 1 {
		t.Fatalf("documents = %d, want 1", len(docs))
	}
	return docs[0]
}

// events wraps predicates into a minimal rule.
func events(preds string) string {
	return "rule t {\n  meta:\n    author = \"x\"\n  events:\n" + preds + "\n  condition:\n    $e\n}\n"
}

func TestDetect(t *testing.T) {
	r := New()
	for p, want := range map[string]bool{"rules/a.yaral": true, "A.YARAL": true, "a.yml": false, "yaral": false, "a.yaral.bak": false} {
		if got := r.Detect(&formats.File{Path: p}); got != want {
			t.Errorf("Detect(%s) = %v", p, got)
		}
	}
}

// predicateTests map one events predicate to the predicates it gives.
var predicateTests = []struct {
	in   string
	want []rule.Predicate
}{
	{`$e.metadata.event_type = "PROCESS_LAUNCH"`,
		[]rule.Predicate{{Field: "metadata.event_type", Kind: "eq", Values: []string{"PROCESS_LAUNCH"}, Transforms: []string{"cased"}}}},
	{`$e.target.process.file.full_path = "C:\\Windows\\cmd.exe" nocase`,
		[]rule.Predicate{{Field: "target.process.file.full_path", Kind: "eq", Values: []string{`C:\Windows\cmd.exe`}}}},
	{`$e.principal.hostname != "dc01"`,
		[]rule.Predicate{{Field: "principal.hostname", Kind: "ne", Values: []string{"dc01"}, Transforms: []string{"cased"}}}},
	{`$e.target.file.sha256 != ""`,
		[]rule.Predicate{{Field: "target.file.sha256", Kind: "is_not_null"}}},
	{`$e.target.process.command_line = /-enc\s/ nocase`,
		[]rule.Predicate{{Field: "target.process.command_line", Kind: "regex", Values: []string{`-enc\s`}}}},
	{`$e.target.process.command_line = /(?i)mimikatz/`,
		[]rule.Predicate{{Field: "target.process.command_line", Kind: "regex", Values: []string{`(?i)mimikatz`}}}},
	{`$e.principal.ip_geo_artifact.network.organization_name != /google/`,
		[]rule.Predicate{{Field: "principal.ip_geo_artifact.network.organization_name", Kind: "regex", Values: []string{"google"}, Transforms: []string{"cased"}, Negated: true}}},
	{"re.regex($e.target.process.file.full_path, `.*\\\\cscript\\.exe`)",
		[]rule.Predicate{{Field: "target.process.file.full_path", Kind: "regex", Values: []string{`.*\\cscript\.exe`}, Transforms: []string{"cased"}}}},
	{"re.regex($e.principal.process.command_line, `net use`) nocase",
		[]rule.Predicate{{Field: "principal.process.command_line", Kind: "regex", Values: []string{"net use"}}}},
	{`strings.contains(strings.to_lower($e.target.process.command_line), "frombase64string")`,
		[]rule.Predicate{{Field: "target.process.command_line", Kind: "contains", Values: []string{"frombase64string"}}}},
	{`strings.contains($e.target.url, "/wp-admin")`,
		[]rule.Predicate{{Field: "target.url", Kind: "contains", Values: []string{"/wp-admin"}, Transforms: []string{"cased"}}}},
	{`strings.starts_with($e.principal.hostname, "ws-")`,
		[]rule.Predicate{{Field: "principal.hostname", Kind: "starts_with", Values: []string{"ws-"}, Transforms: []string{"cased"}}}},
	{`strings.ends_with($e.target.file.full_path, ".iso")`,
		[]rule.Predicate{{Field: "target.file.full_path", Kind: "ends_with", Values: []string{".iso"}, Transforms: []string{"cased"}}}},
	{`NOT net.ip_in_range_cidr($e.principal.ip, "20.151.0.0/16")`,
		[]rule.Predicate{{Field: "principal.ip", Kind: "cidr", Values: []string{"20.151.0.0/16"}, Negated: true}}},
	{`not $e.principal.user.email_addresses in %allowlist`,
		[]rule.Predicate{{Field: "principal.user.email_addresses", Kind: "in", Values: []string{"%allowlist"}, Transforms: []string{"expression", "cased"}, Negated: true}}},
	{`$e.principal.process.file.full_path IN regex %hacktools nocase`,
		[]rule.Predicate{{Field: "principal.process.file.full_path", Kind: "regex", Values: []string{"%hacktools"}, Transforms: []string{"expression"}}}},
	{`$e.principal.ip in cidr %corp`,
		[]rule.Predicate{{Field: "principal.ip", Kind: "cidr", Values: []string{"%corp"}, Transforms: []string{"expression"}}}},
	{`$e.target.resource.attribute.labels["App Id"] = "00000003"`,
		[]rule.Predicate{{Field: `target.resource.attribute.labels["App Id"]`, Kind: "eq", Values: []string{"00000003"}, Transforms: []string{"cased"}}}},
	{`$e.target.port > 1024`,
		[]rule.Predicate{{Field: "target.port", Kind: "gt", Values: []string{"1024"}}}},
	{`10 <= $e.target.port`,
		[]rule.Predicate{{Field: "target.port", Kind: "ge", Values: []string{"10"}}}},
	{`$e.target.port = 443`,
		[]rule.Predicate{{Field: "target.port", Kind: "eq", Values: []string{"443"}}}},
	{`$e.principal.hostname = $e.target.hostname`,
		[]rule.Predicate{{Field: "principal.hostname", Kind: "eq", Values: []string{"target.hostname"}, Transforms: []string{"field_ref"}}}},
	{`$e.principal.hostname = $host`, nil},
	{`$e.principal.hostname = $f.target.hostname`, nil},
	{`$e.network.sent_bytes > 10 * 1024`,
		[]rule.Predicate{{Field: "network.sent_bytes", Kind: "gt", Values: []string{"10 * 1024"}, Transforms: []string{"expression"}}}},
	{`any $e.target.resource.attribute.labels.value = "allUsers"`,
		[]rule.Predicate{{Field: "target.resource.attribute.labels.value", Kind: "eq", Values: []string{"allUsers"}, Transforms: []string{"cased"}}}},
	{`all $e.principal.ip != "127.0.0.1"`,
		[]rule.Predicate{{Field: "principal.ip", Kind: "ne", Values: []string{"127.0.0.1"}, Transforms: []string{"cased", "all"}}}},
	{`($e.metadata.product_event_type = "4688" or $e.metadata.product_event_type = "1") and not ($e.principal.user.userid = "SYSTEM" or re.regex($e.principal.user.userid, "^svc_"))`,
		[]rule.Predicate{
			{Field: "metadata.product_event_type", Kind: "eq", Values: []string{"4688"}, Transforms: []string{"cased"}},
			{Field: "metadata.product_event_type", Kind: "eq", Values: []string{"1"}, Transforms: []string{"cased"}},
			{Field: "principal.user.userid", Kind: "eq", Values: []string{"SYSTEM"}, Transforms: []string{"cased"}, Negated: true},
			{Field: "principal.user.userid", Kind: "regex", Values: []string{"^svc_"}, Transforms: []string{"cased"}, Negated: true},
		}},
	{`not not $e.metadata.event_type = "X"`,
		[]rule.Predicate{{Field: "metadata.event_type", Kind: "eq", Values: []string{"X"}, Transforms: []string{"cased"}}}},
	{`01 = timestamp.get_day_of_week($e.metadata.event_timestamp.seconds, "UTC")`, nil},
}

func TestPredicates(t *testing.T) {
	for _, tt := range predicateTests {
		d := readOne(t, events("    "+tt.in))
		for _, x := range d.Analysis.Diagnostics {
			if x.Severity == source.Error {
				t.Errorf("%s: %s", tt.in, x)
			}
		}
		st := d.Analysis.Stages[0]
		if st.Kind != "events" {
			t.Fatalf("first stage %s", st.Kind)
		}
		got, _ := json.Marshal(st.Predicates)
		want, _ := json.Marshal(tt.want)
		if string(got) != string(want) {
			t.Errorf("%s\n got %s\nwant %s", tt.in, got, want)
		}
	}
}

func TestExclusionsAndTables(t *testing.T) {
	d := readOne(t, events(`    $e.metadata.event_type = "PROCESS_LAUNCH"
    $e.metadata.log_type = "WINDOWS_SYSMON"
    $e.metadata.product_name = "Microsoft-Windows-Sysmon"
    not $e.metadata.event_type = "PROCESS_TERMINATION"
    not $e.principal.process.file.full_path = /\\svchost\.exe$/ nocase`))
	a := d.Analysis
	if want := []string{"PROCESS_LAUNCH", "log_type:WINDOWS_SYSMON", "product_name:Microsoft-Windows-Sysmon"}; !slices.Equal(a.Tables, want) {
		t.Errorf("tables = %v, want %v", a.Tables, want)
	}
	if len(a.Exclusions) != 2 || a.Exclusions[1].Kind != "regex" || a.Exclusions[1].Field != "principal.process.file.full_path" {
		t.Errorf("exclusions = %+v", a.Exclusions)
	}
	if len(a.Indicators) != 3 {
		t.Errorf("indicators = %+v", a.Indicators)
	}
}

// TestMissingEvents: an event variable the condition requires to be absent
// (!$mfa) describes what suppresses the alert: its tests are exclusions
// (a negated one is an indicator), the events it reads stay indicators and
// tables, as for EQL's missing events. A variable also named positively,
// or counted, is not missing.
func TestMissingEvents(t *testing.T) {
	for _, tt := range []struct{ condition, indicators, exclusions string }{
		{"$login and !$mfa",
			"metadata.event_type eq USER_LOGIN|USER_UNCATEGORIZED; principal.ip cidr 10.0.0.0/8; security_result.action eq BLOCK",
			"metadata.product_event_type eq mfa_challenge"},
		{"$login and not ($mfa)",
			"metadata.event_type eq USER_LOGIN|USER_UNCATEGORIZED; principal.ip cidr 10.0.0.0/8; security_result.action eq BLOCK",
			"metadata.product_event_type eq mfa_challenge"},
		{"$login and (!$mfa or #mfa > 2)",
			"metadata.event_type eq USER_LOGIN|USER_UNCATEGORIZED; metadata.product_event_type eq mfa_challenge; principal.ip cidr 10.0.0.0/8",
			"security_result.action eq BLOCK"},
		{"$login and $mfa",
			"metadata.event_type eq USER_LOGIN|USER_UNCATEGORIZED; metadata.product_event_type eq mfa_challenge; principal.ip cidr 10.0.0.0/8",
			"security_result.action eq BLOCK"},
	} {
		d := readOne(t, `rule missing_mfa {
  meta:
    author = "x"
  events:
    $login.metadata.event_type = "USER_LOGIN"
    $login.target.user.userid = $user
    net.ip_in_range_cidr($login.principal.ip, "10.0.0.0/8")
    $mfa.metadata.event_type = "USER_UNCATEGORIZED"
    $mfa.metadata.product_event_type = "mfa_challenge"
    not $mfa.security_result.action = "BLOCK"
    $mfa.target.user.userid = $user
  match:
    $user over 10m
  condition:
    `+tt.condition+`
}
`)
		render := func(list []rule.Indicator) string {
			var out []string
			for _, in := range list {
				var vs []string
				for _, v := range in.Values {
					vs = append(vs, v.Value)
				}
				out = append(out, in.Field+" "+in.Kind+" "+strings.Join(vs, "|"))
			}
			slices.Sort(out)
			return strings.Join(out, "; ")
		}
		if got := render(d.Analysis.Indicators); got != tt.indicators {
			t.Errorf("%s: indicators %s, want %s", tt.condition, got, tt.indicators)
		}
		if got := render(d.Analysis.Exclusions); got != tt.exclusions {
			t.Errorf("%s: exclusions %s, want %s", tt.condition, got, tt.exclusions)
		}
		if want := []string{"USER_LOGIN", "USER_UNCATEGORIZED"}; !slices.Equal(d.Analysis.Tables, want) {
			t.Errorf("%s: tables %v", tt.condition, d.Analysis.Tables)
		}
	}
}

func TestMetadata(t *testing.T) {
	src := `rule my_rule {
  meta:
    author = "A. Author"
    description = "Finds things."
    rule_name = "My Rule"
    severity = "Info"
    priority = "High"
    type = "Alert"
    references = "https://a.example/x, https://b.example/y"
    reference = "https://github.com/SigmaHQ/sigma/blob/master/rules/windows/process_creation/proc_creation_win_x.yml"
    data_source = "Sysmon, Windows Security"
    platform = "Windows, EDR"
    created = "2019/8/07"
    version = "0.01"
    sigma_status = "test"
    false_positives = "Admins"
    tags = "lolbin, living off the land"
    mitre = "execution, t1059, s0111, car.2013-07-002"
    product = "windows"
    category = "process_creation"
  events:
    $e.metadata.event_type = "PROCESS_LAUNCH"
  condition:
    $e
}
`
	d := readOne(t, src)
	checks := map[string][2]string{
		"title":       {d.Title, "My Rule"},
		"author":      {d.Author, "A. Author"},
		"severity":    {d.Severity, "informational"},
		"kind":        {d.Kind, "alert"},
		"created":     {d.Created, "2019-08-07"},
		"version":     {d.Version, "0.01"},
		"status":      {d.Status, "test"},
		"refs":        {strings.Join(d.References, " "), "https://a.example/x https://b.example/y https://github.com/SigmaHQ/sigma/blob/master/rules/windows/process_creation/proc_creation_win_x.yml"},
		"datasources": {strings.Join(d.DataSources, "|"), "Sysmon|Windows Security|windows/process_creation"},
		"platforms":   {strings.Join(d.Platforms, "|"), "windows|edr"},
		"tags":        {strings.Join(d.Tags, "|"), "lolbin|living off the land|s0111|car.2013-07-002"},
		"fp":          {strings.Join(d.FalsePositives, "|"), "Admins"},
		"priority":    {d.Extra["priority"].(string), "high"},
		"rule":        {d.Extra["rule"].(string), "my_rule"},
		"id":          {d.ID, "chronicle/test_rule"},
		"qlang":       {d.QueryLanguage, "yara-l"},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", name, c[0], c[1])
		}
	}
	if len(d.Attack) != 1 || d.Attack[0].TechniqueID != "T1059" || d.Attack[0].TacticID != "TA0002" {
		t.Errorf("attack = %+v", d.Attack)
	}
	if len(d.Links) != 1 || d.Links[0].Target != "sigma/proc_creation_win_x" || d.Links[0].Kind != "derived" {
		t.Errorf("links = %+v", d.Links)
	}
	if ls, _ := d.Extra["logsource"].(map[string]any); ls["product"] != "windows" || ls["category"] != "process_creation" {
		t.Errorf("logsource = %v", d.Extra["logsource"])
	}
	if d.Deprecated {
		t.Error("community rule marked deprecated")
	}
	if dep := read(t, "rules/_deprecated/x/y.yaral", src); !dep[0].Deprecated {
		t.Error("_deprecated rule not marked")
	}
}

func TestAttackSpellings(t *testing.T) {
	tests := []struct {
		meta string
		want []string // technique ids, then tactic ids as "TA..."
	}{
		{`mitre_attack_tactic = "Credential Access"
    mitre_attack_technique = "Brute Force"
    mitre_attack_url = "https://attack.mitre.org/techniques/T1110/"`, []string{"TA0006/T1110"}},
		{`mitre_attack_technique = "Valid Accounts: Cloud Accounts"`, []string{"TA0005/T1078.004", "TA0003/T1078.004", "TA0004/T1078.004", "TA0001/T1078.004"}},
		{`mitre_attack_url = "https://attack.mitre.org/versions/v14/techniques/T1562/001/"
    mitre_attack_tactic = "Defense Evasion"`, []string{"TA0005/T1562.001"}},
		{`tactic = "TA0006"
    technique = "T1003.001"`, []string{"TA0006/T1003.001"}},
		{`mitre = "credential_access, t1003"`, []string{"TA0006/T1003"}},
		{`reference = "https://attack.mitre.org/techniques/T1021/002/"`, []string{"TA0008/T1021.002"}},
		{`mitre_attack_tactic = "Defense Evasion, Persistence"`, []string{"TA0005/", "TA0003/"}},
	}
	for _, tt := range tests {
		src := "rule t {\n  meta:\n    " + tt.meta + "\n  events:\n    $e.metadata.event_type = \"X\"\n  condition:\n    $e\n}\n"
		d := readOne(t, src)
		var got []string
		for _, a := range d.Attack {
			got = append(got, a.TacticID+"/"+a.TechniqueID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s\n got %v\nwant %v (diagnostics %v)", tt.meta, got, tt.want, d.Analysis.Diagnostics)
		}
	}
	// An unknown name is a warning at the meta line.
	d := readOne(t, "rule t {\n  meta:\n    mitre_attack_technique = \"Nonexistent Technique\"\n  events:\n    $e.metadata.event_type = \"X\"\n  condition:\n    $e\n}\n")
	if len(d.Analysis.Diagnostics) != 1 || d.Analysis.Diagnostics[0].Code != "ATTACK001" || d.Analysis.Diagnostics[0].Line != 3 {
		t.Errorf("diagnostics = %v", d.Analysis.Diagnostics)
	}
	// Each problem sits on the reference it names, on any line of the meta.
	d = readOne(t, "rule t {\n  meta:\n    tactic = \"TA0005\"\n    mitre = \"defense_evasion, t1107, attck.t9999\"\n  events:\n    $e.metadata.event_type = \"X\"\n  condition:\n    $e\n}\n")
	want := map[string]string{"T1107": "4:31", "T9999": "4:44"}
	for _, g := range d.Analysis.Diagnostics {
		for k, pos := range want {
			if strings.Contains(g.Message, k) {
				if got := fmt.Sprintf("%d:%d", g.Line, g.Col); got != pos {
					t.Errorf("%q at %s, want %s", g.Message, got, pos)
				}
				delete(want, k)
			}
		}
	}
	if len(want) > 0 {
		t.Errorf("no warning for %v in %v", want, d.Analysis.Diagnostics)
	}
}

func TestHelpers(t *testing.T) {
	for in, want := range map[string]string{"2018/06/1": "2018-06-01", "2021-03-09": "2021-03-09", "March 2020": "March 2020"} {
		if got := normalizeDate(in); got != want {
			t.Errorf("normalizeDate(%s) = %s", in, got)
		}
	}
	refs := splitReferences("['https://a/x', 'https://b/y']")
	if !slices.Equal(refs, []string{"https://a/x", "https://b/y"}) {
		t.Errorf("splitReferences = %v", refs)
	}
	if got := splitReferences("internal wiki page"); !slices.Equal(got, []string{"internal wiki page"}) {
		t.Errorf("splitReferences(text) = %v", got)
	}
	te, ta := attackURL("https://attack.mitre.org/techniques/T1078/004/")
	if !slices.Equal(te, []string{"T1078.004"}) || len(ta) != 0 {
		t.Errorf("attackURL = %v %v", te, ta)
	}
	if !deprecatedPath("rules/_deprecated/a.yaral") || deprecatedPath("rules/community/a.yaral") {
		t.Error("deprecatedPath")
	}
	if dedent("\n    a\n      b\n") != "a\n  b" {
		t.Errorf("dedent = %q", dedent("\n    a\n      b\n"))
	}
}

func TestMatchOutcomeBindings(t *testing.T) {
	src := `rule join {
  meta:
    author = "x"
  events:
    $fail.metadata.event_type = "USER_LOGIN"
    $fail.target.user.userid = $user
    $ok.metadata.event_type = "USER_LOGIN"
    $ok.target.user.userid = $user
    $fail.metadata.event_timestamp.seconds < $ok.metadata.event_timestamp.seconds
    $ok.principal.ip in %vpn_ranges
  match:
    $user over 30m after $fail
  outcome:
    $risk_score = max(if(#fail > 20, 80, 40))
    $ips = array_distinct($ok.principal.ip)
  condition:
    #fail >= 5 and $ok
  options:
    allow_zero_values = true
}
`
	d := readOne(t, src)
	a := d.Analysis
	var kinds []string
	for _, s := range a.Stages {
		kinds = append(kinds, s.Kind)
	}
	if strings.Join(kinds, ",") != "events,match,outcome,condition,options" {
		t.Errorf("stages = %v", kinds)
	}
	if d.TimeWindow != "30m" || !slices.Equal(d.GroupBy, []string{"$user"}) {
		t.Errorf("time window %q group by %v", d.TimeWindow, d.GroupBy)
	}
	if len(a.Bindings) != 2 || a.Bindings[0].Name != "$fail" || !slices.Equal(a.Bindings[0].DerivedFrom, []string{"$user", "$ok"}) {
		t.Errorf("bindings = %+v", a.Bindings)
	}
	if !strings.Contains(a.Bindings[1].Text, "$ok.principal.ip in %vpn_ranges") {
		t.Errorf("binding text = %q", a.Bindings[1].Text)
	}
	var params []string
	for _, p := range a.Parameters {
		params = append(params, p.Name)
	}
	if !slices.Equal(params, []string{"$user", "%vpn_ranges"}) {
		t.Errorf("parameters = %v", params)
	}
	var outs []string
	for _, o := range a.Outputs {
		outs = append(outs, o.Field+":"+o.Source)
	}
	if !slices.Equal(outs, []string{"$user:match", "$risk_score:outcome", "$ips:outcome"}) {
		t.Errorf("outputs = %v", outs)
	}
	if d.Extra["risk_score"] != "max(if(#fail > 20, 80, 40))" {
		t.Errorf("risk score = %v", d.Extra["risk_score"])
	}
	if w, _ := d.Extra["match_window"].(map[string]any); w["kind"] != "sliding" || w["pivot"] != "$fail" {
		t.Errorf("match window = %v", d.Extra["match_window"])
	}
	if a.Stages[1].Line != 11 || a.Stages[1].Text != "$user over 30m after $fail" {
		t.Errorf("match stage = %+v", a.Stages[1])
	}
}

func TestBrokenFiles(t *testing.T) {
	// Not a rule at all.
	docs := read(t, "x.yaral", "this is not yara-l\n")
	if len(docs) != 1 || len(docs[0].Analysis.Diagnostics) == 0 || docs[0].Analysis.Diagnostics[0].Severity != source.Error {
		t.Fatalf("docs = %+v", docs)
	}
	// Not UTF-8.
	docs = read(t, "x.yaral", "rule \xff {")
	if len(docs) != 1 || docs[0].Analysis.Diagnostics[0].Code != "READ0005" {
		t.Fatalf("non UTF-8: %+v", docs[0].Analysis.Diagnostics)
	}
	// A broken predicate keeps the rest of the rule.
	d := readOne(t, events("    $e.metadata.event_type = \"PROCESS_LAUNCH\" and and\n    $e.target.process.command_line = /mimikatz/"))
	if len(d.Analysis.Indicators) != 2 {
		t.Errorf("indicators = %+v", d.Analysis.Indicators)
	}
	diag := d.Analysis.Diagnostics[0]
	if diag.Code != "YARAL1001" || diag.Line != 5 || diag.Col != 51 || diag.Path != "community/test_rule.yaral" {
		t.Errorf("diagnostic = %s", diag)
	}
}

// TestTitles checks where a rule's title comes from: meta's rule_name,
// else meta's title, else a readable form of the rule's identifier (which
// stays in Extra["rule"]); never the description.
func TestTitles(t *testing.T) {
	rule := func(name, meta string) string {
		return "rule " + name + " {\n  meta:\n    author = \"x\"\n    description = \"Detects the Sload dropper. It runs.\"\n" + meta +
			"  events:\n    $e.metadata.event_type = \"PROCESS_LAUNCH\"\n  condition:\n    $e\n}\n"
	}
	for _, tt := range []struct{ name, meta, want string }{
		{"malware_sload_dropper", "", "Malware Sload Dropper"},
		{"malware_sload_dropper", "    rule_name = \"Sload Dropper\"\n", "Sload Dropper"},
		{"malware_sload_dropper", "    title = \"Sload dropper\"\n", "Sload dropper"},
		{"x", "    title = \"Second\"\n    rule_name = \"First\"\n", "First"},
		{"uac_bypass_via_sdclt", "", "UAC Bypass via Sdclt"},
		{"mitre_attack_T1564_001_macos_hidden_files_and_directories", "", "MITRE ATT&CK T1564.001 macOS Hidden Files and Directories"},
		{"cve20201350_sigred__windows_dns_dos_exploit_nslookup_cli", "", "CVE-2020-1350 Sigred Windows DNS DoS Exploit Nslookup CLI"},
		{"apt28_zekapab_zebrocy_implant", "", "APT28 Zekapab Zebrocy Implant"},
		{"exploit_for_cve_2021_44228", "", "Exploit for CVE-2021-44228"},
		{"gcp_x", "    rule_name = \"GCP_Unauthorized_GKE_Pod_Token_Endpoint_Usage\"\n", "GCP Unauthorized GKE Pod Token Endpoint Usage"},
		{"find_PowerView_usage", "", "Find PowerView Usage"},
	} {
		d := readOne(t, rule(tt.name, tt.meta))
		if d.Title != tt.want {
			t.Errorf("rule %s with meta %q: title %q, want %q", tt.name, tt.meta, d.Title, tt.want)
		}
		if d.Extra["rule"] != tt.name {
			t.Errorf("rule %s: Extra[rule] = %v, want the identifier", tt.name, d.Extra["rule"])
		}
	}
}

func TestSeveralRules(t *testing.T) {
	src := "// header\nrule a {\n  events:\n    $e.metadata.event_type = \"A\"\n  condition:\n    $e\n}\n\n// second\nrule b {\n  events:\n    $e.metadata.event_type = \"B\"\n  condition:\n    $e and\n}\n"
	docs := read(t, "two.yaral", src)
	if len(docs) != 2 {
		t.Fatalf("documents = %d", len(docs))
	}
	if docs[0].ID != "chronicle/two" || docs[1].ID != "chronicle/two-2" {
		t.Errorf("ids %s %s", docs[0].ID, docs[1].ID)
	}
	if !strings.HasPrefix(docs[1].Query, "\n\n// second\nrule b") || docs[1].QueryOrigin.Line != 7 {
		t.Errorf("second query %q at %+v", docs[1].Query, docs[1].QueryOrigin)
	}
	if len(docs[0].Analysis.Diagnostics) != 0 || len(docs[1].Analysis.Diagnostics) != 1 || docs[1].Analysis.Diagnostics[0].Line != 15 {
		t.Errorf("diagnostics %v / %v", docs[0].Analysis.Diagnostics, docs[1].Analysis.Diagnostics)
	}
}

// corpusPath returns the shared Chronicle corpus folder.
func corpusPath(tb testing.TB) string {
	tb.Helper()
	return sharedtest.Corpus(tb, "chronicle-detection-rules")
}

// goldenRules are representative corpus rules whose whole rule document
// (less the body and query, which are the corpus file) is kept under
// testdata/golden.
var goldenRules = []string{
	// single event, regex literals with nocase, not, arrays/strings functions
	"rules/community/microsoft/sharepoint/ttp_windows_suspicious_filewrites_to_sharepoint_layouts.yaral",
	// single event, re.regex nocase in an or group
	"rules/community/microsoft/windows/recon_environment_enumeration_network_cisa_report.yaral",
	// reference lists (IN regex %list nocase), Sigma conversion link, if in outcome
	"rules/community/microsoft/windows/hacktool_generic_process_access.yaral",
	// multi-event join with a match window, ATT&CK by name and URL
	"rules/community/okta/okta_mfa_brute_force_attack.yaral",
	// entity graph join, fixed risk score, tactic/technique ids
	"rules/community/threat_intel/gcti_remote_access_tools.yaral",
	// three events, arithmetic with timestamp functions, regex literal
	"rules/community/threat_intel/whois_dns_query_to_typosquatting_domain.yaral",
	// timestamp functions, literal on the left, if-sum risk score
	"rules/community/okta/okta_user_login_out_of_hours.yaral",
	// event-to-event timestamp join, risk score from an if with a regex
	"rules/community/microsoft/o365/o365_recently_created_entra_id_user_assigned_roles.yaral",
	// not net.ip_in_range_cidr, two placeholders
	"rules/community/microsoft/graph_activity/ms_graph_delete_method.yaral",
	// any over a repeated field, ATT&CK only in outcome variables
	"rules/community/gcp/gcp_gce_image_open_to_public.yaral",
	// not ... in %list (reference list exclusion)
	"rules/community/gcp/gcp_kms_decryption_by_unexpected_service_account.yaral",
	// two match variables
	"rules/community/github/github_outgoing_repository_transfer_initiated.yaral",
	// deprecated Sigma conversion (SOC Prime), mitre = "tactic, tids"
	"rules/_deprecated/soc_prime_rules/threat_hunting/process_creation/abusing_manage_bde_wsf.yaral",
	// deprecated, ATT&CK from a reference URL, re.regex nocase
	"rules/_deprecated/mitre_attack/T1021_002_windows_admin_share.yaral",
	// deprecated Sigma conversion with a string broken over lines (warning)
	"rules/_deprecated/soc_prime_rules/threat_hunting/sysmon/paymen45_ransomware.yaral",
}

func readCorpusFile(t testing.TB, root, rel string) []*rule.Document {
	t.Helper()
	return formats.ReadFile(New(), formattest.LoadFile(t, root, rel), formattest.Env())
}

func TestGoldenDocuments(t *testing.T) {
	root := corpusPath(t)
	for _, rel := range goldenRules {
		docs := readCorpusFile(t, root, rel)
		if len(docs) != 1 {
			t.Fatalf("%s: %d documents", rel, len(docs))
		}
		d := *docs[0]
		data, _ := os.ReadFile(filepath.Join(root, rel))
		if d.Body != string(data) || d.Query != d.Body {
			t.Errorf("%s: body/query are not the file text", rel)
		}
		// The golden keeps what detwiki derived, not the corpus file itself.
		d.Body, d.Query = "", ""
		golden.CheckJSON(t, filepath.Join("testdata", "golden", strings.TrimSuffix(path.Base(rel), ".yaral")+".json"), d, *update)
	}
}

// TestCorpus reads every .yaral file of the corpus: every file gives one
// document, none with an error, and the facts the wiki relies on are there.
func TestCorpus(t *testing.T) {
	root := corpusPath(t)
	var rels []string
	err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err == nil && !de.IsDir() && strings.HasSuffix(p, ".yaral") {
			rel, _ := filepath.Rel(root, p)
			rels = append(rels, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var docs, deprecated, withAttack, withIndicators, withTables, withOutcome, withMatch, withRisk, warned, readable int
	attackProblems := 0
	for _, rel := range rels {
		ds := readCorpusFile(t, root, rel)
		docs += len(ds)
		for _, d := range ds {
			for _, x := range d.Analysis.Diagnostics {
				switch {
				case x.Severity == source.Error:
					t.Errorf("%s", x)
				case x.Code == "ATTACK001":
					attackProblems++
				default:
					warned++
				}
			}
			if d.Title == "" || d.Author == "" || d.Description == "" {
				t.Errorf("%s: title/author/description missing", rel)
			}
			// A title is words, not the rule's identifier.
			if name, _ := d.Extra["rule"].(string); strings.Contains(d.Title, "_") || name == "" {
				t.Errorf("%s: title %q (rule %q)", rel, d.Title, name)
			} else if d.Title != name {
				readable++
			}
			if d.Deprecated {
				deprecated++
			}
			if len(d.Attack) > 0 {
				withAttack++
			}
			if len(d.Analysis.Indicators) > 0 {
				withIndicators++
			}
			if len(d.Analysis.Tables) > 0 {
				withTables++
			}
			if len(d.Analysis.Stages) == 0 || d.Analysis.Stages[0].Kind != "events" {
				t.Errorf("%s: no events stage", rel)
			}
			for _, s := range d.Analysis.Stages {
				switch s.Kind {
				case "outcome":
					withOutcome++
				case "match":
					withMatch++
					if d.TimeWindow == "" || len(d.GroupBy) == 0 {
						t.Errorf("%s: match without window or group-by", rel)
					}
				}
			}
			if d.Extra["risk_score"] != nil {
				withRisk++
			}
		}
	}
	t.Logf("%d files, %d documents: %d deprecated, %d with ATT&CK (%d ATT&CK warnings), %d with indicators, %d with UDM tables, %d outcome, %d match, %d risk score, %d other warnings",
		len(rels), docs, deprecated, withAttack, attackProblems, withIndicators, withTables, withOutcome, withMatch, withRisk, warned)
	t.Logf("%d documents have a title other than their identifier", readable)
	if readable != docs {
		t.Errorf("%d of %d documents have a readable title", readable, docs)
	}
	if docs != len(rels) || docs < 880 {
		t.Errorf("documents = %d for %d files", docs, len(rels))
	}
	if deprecated != 538 {
		t.Errorf("deprecated = %d, want 538 (the _deprecated folder)", deprecated)
	}
	if withIndicators < docs-5 {
		t.Errorf("only %d of %d documents have indicators", withIndicators, docs)
	}
	if withAttack < 690 {
		t.Errorf("only %d documents map to ATT&CK", withAttack)
	}
}

func BenchmarkReadCorpus(b *testing.B) {
	root := corpusPath(b)
	var files []*formats.File
	size := 0
	_ = filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err == nil && !de.IsDir() && strings.HasSuffix(p, ".yaral") {
			data, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			files = append(files, &formats.File{Repo: "chronicle-detection-rules", Root: root, Path: filepath.ToSlash(rel), Abs: p, Data: data})
			size += len(data)
		}
		return err
	})
	r := New()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	start := cputime.Now()
	for b.Loop() {
		env := &formats.Env{Attack: attack.Default()}
		for _, f := range files {
			formats.ReadFile(r, f, env)
		}
	}
	b.ReportMetric(float64(cputime.Now()-start)/float64(b.N), "cpu-ns/op")
}
