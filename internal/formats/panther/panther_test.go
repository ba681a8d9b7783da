package panther

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/formattest"
	"github.com/detwiki/detwiki/internal/golden"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/schema"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// helpersPy is a small global helper module for the tests.
const helpersPy = `from functools import reduce
from fnmatch import fnmatch

EVENT_TYPES = ["a", "b"]


def deep_get(dictionary, *keys, default=None):
    return reduce(lambda d, key: d.get(key, default), keys, dictionary)


def aws_cloudtrail_success(event):
    """True when the call succeeded."""
    if event.get("errorCode", "") or event.get("errorMessage", ""):
        return False
    return True


def pattern_match(string_to_match, pattern):
    return fnmatch(string_to_match, pattern)


def get_field(event, name):
    return event.deep_get("Event", name)
`

const dataModelYML = `AnalysisType: datamodel
LogTypes:
  - AWS.VPCFlow
DataModelID: "Standard.AWS.VPCFlow"
Filename: vpc_data_model.py
Mappings:
  - Name: destination_port
    Path: dstPort
  - Name: source_ip
    Method: get_source
  - Name: actor_user
    Path: $.userIdentity.arn
`

const dataModelPy = `def get_source(event):
    return event.get("srcAddr")
`

// source writes a small panther-analysis folder: helpers, a data model and
// the given rule files.
func sourceDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{
		"global_helpers/panther_base_helpers.py":  helpersPy,
		"global_helpers/panther_base_helpers.yml": "AnalysisType: global\nFilename: panther_base_helpers.py\nGlobalID: panther_base_helpers\n",
		"data_models/vpc_data_model.yml":          dataModelYML,
		"data_models/vpc_data_model.py":           dataModelPy,
	}
	for k, v := range files {
		all[k] = v
	}
	for name, text := range all {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func readIn(t testing.TB, root, rel string, env *formats.Env) []*rule.Document {
	t.Helper()
	return formats.ReadFile(New(), formattest.LoadFile(t, root, rel), env)
}

func ruleYML(logType string) string {
	return "AnalysisType: rule\nFilename: r.py\nRuleID: \"Test.Rule\"\nDisplayName: \"Test\"\nEnabled: true\nLogTypes:\n  - " +
		logType + "\nSeverity: High\nReports:\n  MITRE ATT&CK:\n    - TA0005:T1562 # Impair Defenses\n  CIS:\n    - 3.5\n" +
		"Tests:\n  - Name: hit\n    ExpectedResult: true\n    Log:\n      eventName: StopLogging\n"
}

// explainRule reads a rule whose Python is src.
func explainRule(t *testing.T, logType, src string) *rule.Document {
	t.Helper()
	root := sourceDir(t, map[string]string{"rules/r.yml": ruleYML(logType), "rules/r.py": src})
	docs := readIn(t, root, "rules/r.yml", &formats.Env{Attack: attack.Default()})
	if len(docs) != 1 {
		t.Fatalf("%d documents", len(docs))
	}
	return docs[0]
}

func predsOf(d *rule.Document) []rule.Predicate {
	var out []rule.Predicate
	for _, st := range d.Analysis.Stages {
		out = append(out, st.Predicates...)
	}
	return out
}

var ruleTests = []struct {
	name string
	src  string
	want []rule.Predicate
}{
	{"constant set", `EVENTS = {"DeleteTrail", "StopLogging"}

def rule(event):
    return event.get("eventName") in EVENTS
`, []rule.Predicate{{Field: "eventName", Kind: "in", Values: []string{"DeleteTrail", "StopLogging"}, Transforms: []string{"cased"}}}},
	{"guards and deep_get chains", `from panther_base_helpers import deep_get

def rule(event):
    if event.get("eventSource") != "iam.amazonaws.com":
        return False
    if deep_get(event, "userIdentity", "type") == "AWSService":
        return False
    name = event.deep_get("requestParameters", "roleName", default="")
    return name.lower().startswith(("admin", "root"))
`, []rule.Predicate{
		{Field: "eventSource", Kind: "eq", Values: []string{"iam.amazonaws.com"}, Transforms: []string{"cased"}},
		{Field: "userIdentity.type", Kind: "eq", Values: []string{"AWSService"}, Transforms: []string{"cased"}, Negated: true},
		{Field: "requestParameters.roleName", Kind: "starts_with", Values: []string{"admin", "root"}},
	}},
	{"helper summary and not", `from panther_base_helpers import aws_cloudtrail_success

def rule(event):
    return aws_cloudtrail_success(event) and not event.get("readOnly")
`, []rule.Predicate{
		{Field: "errorCode", Kind: "is_not_null", Negated: true},
		{Field: "errorMessage", Kind: "is_not_null", Negated: true},
		{Field: "readOnly", Kind: "is_not_null", Negated: true},
	}},
	{"data model udm", `def rule(event):
    if event.udm("destination_port") not in {22, 3389}:
        return False
    return event.udm("source_ip") == "10.0.0.1" and event.udm("actor_user") is not None and event.udm("other") == "x"
`, []rule.Predicate{
		{Field: "dstPort", Kind: "in", Values: []string{"22", "3389"}},
		{Field: "srcAddr", Kind: "eq", Values: []string{"10.0.0.1"}, Transforms: []string{"cased"}},
		{Field: "userIdentity.arn", Kind: "is_not_null"},
		{Field: "udm:other", Kind: "eq", Values: []string{"x"}, Transforms: []string{"cased"}},
	}},
	{"any over constants, substring", `import re
SUSPICIOUS = ["mimikatz", "rubeus"]
PATTERN = re.compile(r"^evil-\d+$", re.IGNORECASE)

def rule(event):
    cmd = event.get("cmd", "").lower()
    if any(tool in cmd for tool in SUSPICIOUS):
        return True
    return bool(PATTERN.search(event.get("host", ""))) or re.match(r"adm.*", event["user"]["name"])
`, []rule.Predicate{
		{Field: "cmd", Kind: "contains", Values: []string{"mimikatz", "rubeus"}},
		{Field: "host", Kind: "regex", Values: []string{`^evil-\d+$`}},
		{Field: "user.name", Kind: "regex", Values: []string{"adm.*"}, Transforms: []string{"cased"}},
	}},
	{"helper with non-event arguments, field helper", `from panther_base_helpers import pattern_match, get_field

def rule(event):
    return pattern_match(event.get("operation", ""), "REST.*.OBJECT") and get_field(event, "Name") == "x"
`, []rule.Predicate{
		{Field: "operation", Kind: "match", Values: []string{"REST.*.OBJECT"}, Transforms: []string{"wildcard", "cased"}},
		{Field: "Event.Name", Kind: "eq", Values: []string{"x"}, Transforms: []string{"cased"}},
	}},
	{"local function, comparisons, None", `def _is_admin(event):
    return event.get("role") == "admin"

def rule(event):
    if event.get("count", 0) < 5 or event.get("user") is None:
        return False
    return _is_admin(event)
`, []rule.Predicate{
		{Field: "count", Kind: "lt", Values: []string{"5"}, Negated: true},
		{Field: "user", Kind: "is_null", Negated: true},
		{Field: "role", Kind: "eq", Values: []string{"admin"}, Transforms: []string{"cased"}},
	}},
	{"conditional expression", `def rule(event):
    if event.get("a") == "x" if event.get("kind") else False:
        return True
    return event.get("b") == "y" if event.get("mode") else event.get("c") == "z"
`, []rule.Predicate{
		{Field: "kind", Kind: "is_not_null"},
		{Field: "a", Kind: "eq", Values: []string{"x"}, Transforms: []string{"cased"}},
		{Field: "b", Kind: "eq", Values: []string{"y"}, Transforms: []string{"cased"}},
		{Field: "c", Kind: "eq", Values: []string{"z"}, Transforms: []string{"cased"}},
	}},
	{"match statement", `def rule(event):
    match event.get("action"):
        case "create" | "delete":
            return True
        case _:
            return False
`, []rule.Predicate{{Field: "action", Kind: "in", Values: []string{"create", "delete"}, Transforms: []string{"cased"}}}},
	{"loop over an event list", `def rule(event):
    for member in event.get("members", []):
        if member.get("role") == "owner":
            return True
    return False
`, []rule.Predicate{{Field: "members[].role", Kind: "eq", Values: []string{"owner"}, Transforms: []string{"cased"}}}},
}

func TestRuleExplanation(t *testing.T) {
	for _, tt := range ruleTests {
		d := explainRule(t, "AWS.VPCFlow", tt.src)
		for _, g := range d.Analysis.Diagnostics {
			t.Errorf("%s: %s", tt.name, g)
		}
		if got := predsOf(d); !formattest.EqualPredicates(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

func TestRuleDocument(t *testing.T) {
	d := explainRule(t, "AWS.CloudTrail", `from panther_base_helpers import aws_cloudtrail_success

EVENTS = {"StopLogging"}

def rule(event):
    if not aws_cloudtrail_success(event):
        return False
    return event.get("eventName") in EVENTS

def title(event):
    return f"{event.get('eventName')} by {event.deep_get('userIdentity', 'arn')}"

def alert_context(event):
    return {"ip": event.get("sourceIPAddress"), "region": event.get("awsRegion")}
`)
	if d.ID != "panther/r" || d.Title != "Test" || d.Severity != "high" || d.Status != "enabled" || d.QueryLanguage != "python" {
		t.Errorf("id %s title %s severity %s status %s ql %s", d.ID, d.Title, d.Severity, d.Status, d.QueryLanguage)
	}
	var kinds []string
	for _, st := range d.Analysis.Stages {
		kinds = append(kinds, st.Kind+"@"+itoa(st.Line))
	}
	if got := strings.Join(kinds, " "); got != "if@6 return@8" {
		t.Errorf("stages %s", got)
	}
	if len(d.Attack) != 1 || d.Attack[0].TechniqueID != "T1562" || d.Attack[0].TacticID != "TA0005" {
		t.Errorf("attack %+v", d.Attack)
	}
	if len(d.Tests) != 1 || d.Tests[0].Expect != "match" || d.Tests[0].Event != `{"eventName":"StopLogging"}` {
		t.Errorf("tests %+v", d.Tests)
	}
	var outs []string
	for _, o := range d.Analysis.Outputs {
		outs = append(outs, o.Field+"<"+o.Source)
	}
	if got := strings.Join(outs, " "); got != "eventName<title userIdentity.arn<title ip<alert_context region<alert_context" {
		t.Errorf("outputs %s", got)
	}
	hs, _ := d.Extra["helpers"].([]map[string]any)
	if len(hs) != 1 || hs[0]["name"] != "aws_cloudtrail_success" || hs[0]["checks"] != "errorCode is empty; errorMessage is empty" {
		t.Errorf("helpers %v", d.Extra["helpers"])
	}
	if len(d.Analysis.Parameters) != 1 || d.Analysis.Parameters[0].Name != "EVENTS" {
		t.Errorf("parameters %+v", d.Analysis.Parameters)
	}
	if !slices.Equal(d.Analysis.Tables, []string{"AWS.CloudTrail"}) {
		t.Errorf("tables %v", d.Analysis.Tables)
	}
}

// TestInlineFilters reads a Python rule's InlineFilters: a stage of
// their own before rule()'s, All conditions as indicators, negative
// conditions and None groups as exclusions.
func TestInlineFilters(t *testing.T) {
	yml := strings.Replace(ruleYML("AWS.CloudTrail"), "Tests:\n", `InlineFilters:
  - All:
      - KeyPath: userIdentity.type
        Condition: Equals
        Value: IAMUser
      - Key: errorCode
        Condition: IsNullOrEmpty
      - Key: awsRegion
        Condition: IsNotIn
        Values: [us-east-1, eu-west-1]
  - None:
      - Key: sourceIPAddress
        Condition: StartsWith
        Value: "10."
Tests:
`, 1)
	root := sourceDir(t, map[string]string{"rules/r.yml": yml, "rules/r.py": "def rule(event):\n    return event.get(\"eventName\") == \"StopLogging\"\n"})
	docs := readIn(t, root, "rules/r.yml", &formats.Env{Attack: attack.Default()})
	if len(docs) != 1 {
		t.Fatalf("%d documents", len(docs))
	}
	d := docs[0]
	var kinds []string
	for _, st := range d.Analysis.Stages {
		kinds = append(kinds, st.Kind)
	}
	if got := strings.Join(kinds, " "); got != "inline_filter return" {
		t.Errorf("stages %s", got)
	}
	want := []rule.Predicate{
		{Field: "userIdentity.type", Kind: "eq", Values: []string{"IAMUser"}, Transforms: []string{"cased"}},
		{Field: "errorCode", Kind: "is_null"},
		{Field: "awsRegion", Kind: "in", Values: []string{"us-east-1", "eu-west-1"}, Transforms: []string{"cased"}, Negated: true},
		{Field: "sourceIPAddress", Kind: "starts_with", Values: []string{"10."}, Transforms: []string{"cased"}, Negated: true},
		{Field: "eventName", Kind: "eq", Values: []string{"StopLogging"}, Transforms: []string{"cased"}},
	}
	if got := predsOf(d); !formattest.EqualPredicates(got, want) {
		t.Errorf("predicates\n got %+v\nwant %+v", got, want)
	}
	var ind, exc []string
	for _, i := range d.Analysis.Indicators {
		ind = append(ind, i.Field)
	}
	for _, x := range d.Analysis.Exclusions {
		exc = append(exc, x.Field)
	}
	if strings.Join(ind, ",") != "userIdentity.type,errorCode,eventName" || strings.Join(exc, ",") != "awsRegion,sourceIPAddress" {
		t.Errorf("indicators %v exclusions %v", ind, exc)
	}
}

func TestDiagnostics(t *testing.T) {
	for _, tt := range []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{"rules/r.yml": ruleYML("AWS.CloudTrail"), "rules/r.py": "def rule(event):\n    return event.get(\"a\") ==\n"},
			"rules/r.py:2:29: expected an expression, found end of line [PY1001]"},
		{map[string]string{"rules/r.yml": ruleYML("AWS.CloudTrail")},
			"rules/r.yml:2:1: cannot read the rule's Python file \"r.py\": no such file or directory [PY2002]"},
		{map[string]string{"rules/r.yml": strings.Replace(ruleYML("X"), "Filename: r.py", "Filename: ../../etc/passwd", 1)},
			"the file is outside the source folder [PY2002]"},
		{map[string]string{"rules/r.yml": ruleYML("AWS.CloudTrail"), "rules/r.py": "def title(event):\n    return 'x'\n"},
			"rules/r.py:1:1: the Python file has no rule() function [PY2003]"},
		{map[string]string{"rules/r.yml": "AnalysisType: detector\nRuleID: x\n"},
			"rules/r.yml:1:1: unknown AnalysisType \"detector\""},
		{map[string]string{"rules/r.yml": "AnalysisType: correlation_rule\nRuleID: c\nDetection:\n  - Group:\n      - ID: A\n        RuleID: Missing.Rule\n"},
			"rules/r.yml:6:9: warning: rule \"Missing.Rule\" is not in this source [PY2004]"},
		{map[string]string{"rules/r.yml": "AnalysisType: scheduled_query\nQueryName: q\nQuery: |\n  SELECT * FROM t WHERE a = \n"},
			"rules/r.yml:4:28: warning: expected an expression, found end of query [SQL1001]"},
		{map[string]string{"rules/r.yml": "AnalysisType: rule\n  bad: [\n"}, "invalid YAML"},
		// an ATT&CK problem sits on its entry, not on the MITRE ATT&CK: key
		{map[string]string{"rules/r.yml": strings.Replace(ruleYML("AWS.CloudTrail"), "TA0005:T1562 # Impair Defenses", "TA0005:T1562\n    - TA0007:T1201.007", 1), "rules/r.py": "def rule(event):\n    return True\n"},
			"rules/r.yml:12:7: warning: unknown ATT&CK technique \"T1201.007\" [ATTACK001]"},
	} {
		root := sourceDir(t, tt.files)
		docs := readIn(t, root, "rules/r.yml", &formats.Env{Attack: attack.Default()})
		var all []string
		for _, d := range docs {
			for _, g := range d.Analysis.Diagnostics {
				if g.Path == "" {
					g.Path = d.Source.Path
				}
				all = append(all, g.String())
			}
		}
		if !strings.Contains(strings.Join(all, "\n"), tt.want) {
			t.Errorf("diagnostics %q\nwant %q", all, tt.want)
		}
	}
}

func TestSupportFilesMakeNoDocument(t *testing.T) {
	root := sourceDir(t, nil)
	for _, rel := range []string{"data_models/vpc_data_model.yml", "global_helpers/panther_base_helpers.yml"} {
		if docs := readIn(t, root, rel, &formats.Env{Attack: attack.Default()}); len(docs) != 0 {
			t.Errorf("%s: %d documents", rel, len(docs))
		}
	}
}

func TestQueryAndCorrelation(t *testing.T) {
	root := sourceDir(t, map[string]string{
		"rules/a.yml": "AnalysisType: rule\nRuleID: A.Rule\nFilename: a.py\nLogTypes:\n  - AWS.CloudTrail\n",
		"rules/a.py":  "def rule(event):\n    return True\n",
		"rules/s.yml": "AnalysisType: scheduled_rule\nRuleID: S.Rule\nFilename: a.py\nScheduledQueries:\n  - My Query\n",
		"queries/q.yml": `AnalysisType: scheduled_query
QueryName: My Query
Schedule:
  RateMinutes: 60
Query: |
  SELECT *
  FROM panther_logs.public.aws_cloudtrail c
  WHERE p_occurs_since('1 day')
    AND c.eventName IN ('ConsoleLogin', 'SignIn')
    AND NOT c.userIdentity:type = 'AWSService'
    AND sourceIPAddress ILIKE '10.%'
`,
		"rules/c.yml": `AnalysisType: correlation_rule
RuleID: C.Rule
Detection:
  - Sequence:
      - ID: First
        RuleID: A.Rule
      - ID: Then
        RuleID: S.Rule
        MinMatchCount: 3
    Transitions:
      - ID: t
        From: First
        To: Then
        WithinTimeFrameMinutes: 30
        Match:
          - On: p_alert_context.user
    LookbackWindowMinutes: 120
    Schedule:
      RateMinutes: 60
`,
	})
	env := &formats.Env{Attack: attack.Default()}
	q := readIn(t, root, "queries/q.yml", env)[0]
	if q.QueryLanguage != "sql" || q.Frequency != "60m" || q.TimeWindow != "1d" || !slices.Equal(q.Analysis.Tables, []string{"AWS.CloudTrail"}) {
		t.Errorf("query: ql %s freq %s window %s tables %v", q.QueryLanguage, q.Frequency, q.TimeWindow, q.Analysis.Tables)
	}
	if got := predsOf(q); !formattest.EqualPredicates(got, []rule.Predicate{
		{Field: "eventName", Kind: "in", Values: []string{"ConsoleLogin", "SignIn"}, Transforms: []string{"cased"}},
		{Field: "userIdentity.type", Kind: "eq", Values: []string{"AWSService"}, Transforms: []string{"cased"}, Negated: true},
		{Field: "sourceIPAddress", Kind: "starts_with", Values: []string{"10."}},
	}) {
		t.Errorf("query predicates %+v", got)
	}
	if len(q.Links) != 1 || q.Links[0].Target != "panther/s" {
		t.Errorf("query links %+v", q.Links)
	}
	s := readIn(t, root, "rules/s.yml", env)[0]
	if len(s.Links) != 1 || s.Links[0].Target != "panther/q" || !slices.Equal(s.Analysis.Tables, []string{"AWS.CloudTrail"}) {
		t.Errorf("scheduled rule links %+v tables %v", s.Links, s.Analysis.Tables)
	}
	c := readIn(t, root, "rules/c.yml", env)[0]
	var targets []string
	for _, l := range c.Links {
		targets = append(targets, l.Kind+":"+l.Target)
	}
	if got := strings.Join(targets, " "); got != "correlates:panther/a correlates:panther/s" {
		t.Errorf("correlation links %s", got)
	}
	if c.TimeWindow != "120m" || !slices.Equal(c.GroupBy, []string{"p_alert_context.user"}) || len(c.Analysis.Stages) != 1 ||
		c.Analysis.Stages[0].Kind != "sequence" || !strings.Contains(c.Analysis.Stages[0].Text, "Then: S.Rule (at least 3 matches)") {
		t.Errorf("correlation: window %s group %v stages %+v", c.TimeWindow, c.GroupBy, c.Analysis.Stages)
	}
}

// goldenRules are representative corpus files: a constant set with a
// helper, deep_get chains, data-model udm calls, a helper-heavy Kubernetes
// rule, compiled regular expressions with any(), an Okta rule, a match
// statement, a YAML detection, a group correlation rule (the corpus has
// no Sequence: TestQueryAndCorrelation reads one), a
// scheduled query, a scheduled rule, a templated saved query, any() over a
// constant and a local helper function.
var goldenRules = []string{
	"rules/aws_cloudtrail_rules/aws_cloudtrail_stopped.yml",
	"rules/github_rules/github_crossfork_workflow_run.yml",
	"rules/aws_vpc_flow_rules/aws_vpc_inbound_traffic_port_blocklist.yml",
	"rules/kubernetes_rules/k8s_privileged_pod_created.yml",
	"rules/aws_cloudtrail_rules/aws_s3_ransomware_note_upload.yml",
	"rules/okta_rules/okta_account_support_access.yml",
	"rules/gcp_audit_rules/gcp_compute_ssh_connection.yml",
	"rules/github_rules/github_repo_archived.yml",
	"correlation_rules/aws_create_admin_iam_user.yml",
	"rules/crowdstrike_rules/event_stream_rules/crowdstrike_new_admin_user_created.yml",
	"queries/aws_queries/AWS_Authentication_from_CrowdStrike_Unmanaged_Device_FDREvent.yml",
	"queries/aws_queries/cloudtrail_password_spraying.yml",
	"queries/azure_queries/Entra_ID_Anomalous_Application_Consent_Query.yml",
	"rules/aws_cloudtrail_rules/aws_iam_anything_changed.yml",
	"rules/aws_cloudtrail_rules/aws_cloudtrail_short_lifecycle.yml",
}

func TestGolden(t *testing.T) {
	root := sharedtest.Corpus(t, "panther-analysis")
	env := &formats.Env{Attack: attack.Default()}
	for _, rel := range goldenRules {
		docs := readIn(t, root, rel, env)
		if len(docs) != 1 {
			t.Fatalf("%s: %d documents", rel, len(docs))
		}
		d := docs[0]
		schema.Enrich(d)
		d.Body, d.Query = "", ""
		golden.CheckJSON(t, filepath.Join("testdata", "golden", strings.TrimSuffix(filepath.Base(rel), ".yml")+".json"), d, *update)
	}
}

func BenchmarkReadCorpus(b *testing.B) {
	formattest.BenchmarkReadCorpus(b, "panther-analysis", New())
}

// TestCompactInterval: p_occurs_since intervals become time windows written
// as in every other language.
func TestCompactInterval(t *testing.T) {
	for in, want := range map[string]string{
		"'1 day'": "1d", "'30 minutes'": "30m", "'6 hours'": "6h", "'14 days'": "14d", "1 hour": "1h",
		"3600": "1h", "86400": "1d", "90": "90s", "'90d'": "90d", "48h": "48h", "'2 weeks'": "14d",
		"{{ interval }}": "{{ interval }}", "'soon'": "soon",
	} {
		if got := compactInterval(in); got != want {
			t.Errorf("compactInterval(%s) = %q, want %q", in, got, want)
		}
	}
}

// TestIntricateConditionsStayBounded reads rules whose names are bound to
// conditions built from the previous name twice (v2 = v1 and v1, ...,
// 25 lines): read where they are used, they would double the work at
// each line.
// The explanation stops at its step budget with a PY2010 warning and
// keeps what it read.
func TestIntricateConditionsStayBounded(t *testing.T) {
	for _, line := range []string{"v%d = v%d and v%d", "v%d = v%d if v%d else False"} {
		var b strings.Builder
		b.WriteString("def rule(event):\n    v0 = event.get(\"a\") == \"x\"\n")
		for i := 1; i <= 25; i++ {
			fmt.Fprintf(&b, "    "+line+"\n", i, i-1, i-1)
		}
		b.WriteString("    return v25\n")
		d := explainRule(t, "AWS.CloudTrail", b.String())
		var codes []string
		for _, g := range d.Analysis.Diagnostics {
			codes = append(codes, g.Code+"@"+itoa(g.Line))
		}
		if strings.Join(codes, " ") != "PY2010@1" {
			t.Errorf("%s: diagnostics %v", line, d.Analysis.Diagnostics)
		}
		if len(d.Analysis.Indicators) != 1 || d.Analysis.Indicators[0].Field != "a" {
			t.Errorf("%s: indicators %+v", line, d.Analysis.Indicators)
		}
	}
}
