package sentinel

import (
	"flag"
	"slices"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/formattest"
	"github.com/detwiki/detwiki/internal/formats/kustorule"
	"github.com/detwiki/detwiki/internal/formats/kustorule/kustotest"
	"github.com/detwiki/detwiki/internal/rule"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// goldenFiles are representative Azure-Sentinel files: the spec's example,
// each layout and spelling of the rule folders, files without extension or
// with an odd one, every query scalar style, stubs, broken YAML and the
// keys few rules use.
var goldenFiles = []struct{ name, path string }{
	{"dcom", "Detections/SecurityEvent/LateralMovementViaDCOM.yaml"},
	{"nrt", "Detections/SecurityEvent/NRT_SecurityEventLogCleared.yaml"},
	{"moved-stub", "Detections/SecurityAlert/AVTarrask.yaml"},
	{"indented-document", "Hunting Queries/Syslog/Apache_log4j_Vulnerability.yaml"},
	{"no-extension", "Hunting Queries/SecurityEvent/KrbRelayUpServiceCreation"},
	{"broken-yaml-salvaged", "Hunting Queries/Microsoft 365 Defender/Lateral Movement/NegoExLogins"},
	{"space-before-extension", "Solutions/Palo Alto - XDR (Cortex)/Detection Queries/High Severity Cortex Incidents. yaml"},
	{"indentation-indicator", "Hunting Queries/Microsoft 365 Defender/Exploits/AcroRd-Exploits.yaml"},
	{"plain-multiline-query", "Solutions/Digital Shadows/Analytic Rules/Digital_Shadows_incident_creation_exclude.yaml"},
	{"single-line-query", "Solutions/Armorblox/Analytic Rules/ArmorbloxNeedsReviewAlert.yaml"},
	{"custom-details", "Solutions/ARGOSCloudSecurity/Analytic Rules/ExploitableSecurityIssues.yaml"},
	{"parent-alert-tags", "Detections/ASimWebSession/UnusualUAPowershell.yaml"},
	{"defender-states", "Hunting Queries/Microsoft 365 Defender/Campaigns/cypherpunk-remote-exec-w-psexesvc.yaml"},
	{"kql-syntax-error", "Solutions/Box/Hunting Queries/BoxAdminIpAddress.yaml"},
	{"yml-extension", "Hunting Queries/Syslog/SCXExecuteRunAsProviders.yml"},
	{"analytical-rules-folder", "Solutions/Symantec VIP/Analytical Rules/ClientDeniedAccess.yaml"},
}

func TestGolden(t *testing.T) {
	for _, g := range goldenFiles {
		t.Run(g.name, func(t *testing.T) {
			f := formattest.CorpusFile(t, "Azure-Sentinel", g.path)
			if !(Reader{}).Detect(f) {
				t.Fatalf("Detect rejects %s", g.path)
			}
			docs := kustotest.Read(t, Reader{}, f)
			if len(docs) != 1 {
				t.Fatalf("%d documents, want 1", len(docs))
			}
			if docs[0].Body != string(f.Data) && !strings.HasPrefix(string(f.Data), "\ufeff") {
				t.Error("body is not the file text")
			}
			kustotest.Golden(t, g.name, kustotest.JSON(t, docs), *update)
		})
	}
}

// TestExampleRule checks the spec's Sentinel example field by field.
func TestExampleRule(t *testing.T) {
	f := formattest.CorpusFile(t, "Azure-Sentinel", "Detections/SecurityEvent/LateralMovementViaDCOM.yaml")
	d := kustotest.Read(t, Reader{}, f)[0]
	checks := []struct{ got, want string }{
		{d.ID, "kusto/LateralMovementViaDCOM"},
		{d.Format, "sentinel"},
		{d.Title, "Lateral Movement via DCOM"},
		{d.Severity, "medium"},
		{d.TimeWindow, "1h"},
		{d.Frequency, "1h"},
		{d.Kind, "Scheduled"},
		{d.Extra["id"].(string), "50cbf34a-4cdd-45d7-b3f5-8b53a1d0d14f"},
		{d.Extra["triggerOperator"].(string), "gt"},
		{strings.Join(d.DataSources, ","), "SecurityEvents,SecurityEvent"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if len(d.Attack) != 1 || d.Attack[0].TechniqueID != "T1021.003" || d.Attack[0].Tactic != "Lateral Movement" {
		t.Errorf("attack = %+v", d.Attack)
	}
	if !strings.HasPrefix(d.Query, "Event\n| where EventLog") || d.QueryOrigin.Line != 20 || d.QueryOrigin.Indent != 2 {
		t.Errorf("query/origin = %.30q %+v", d.Query, d.QueryOrigin)
	}
	// The entityMappings columns are outputs (the KQL analysis names the
	// summarize that makes them as their source).
	var outs []string
	for _, o := range d.Analysis.Outputs {
		outs = append(outs, o.Field+"/"+o.Source)
	}
	for _, col := range []string{"CommandLine", "Computer", "User"} {
		if !slices.ContainsFunc(d.Analysis.Outputs, func(o rule.Output) bool { return o.Field == col }) {
			t.Errorf("outputs = %s, want %s among them", strings.Join(outs, " "), col)
		}
	}
	if len(d.Analysis.Diagnostics) != 0 {
		t.Errorf("diagnostics = %v", d.Analysis.Diagnostics)
	}
}

func read(t *testing.T, path, text string) *rule.Document {
	t.Helper()
	f := &formats.File{Repo: "test", Root: "/test", Path: path, Data: []byte(text)}
	docs := formats.ReadFile(Reader{}, f, formattest.Env())
	if len(docs) != 1 {
		t.Fatalf("%d documents", len(docs))
	}
	kustotest.Check(t, docs[0], text)
	return docs[0]
}

func codes(d *rule.Document) string {
	var cs []string
	for _, x := range d.Analysis.Diagnostics {
		cs = append(cs, x.Code+"@"+itoa(x.Line))
	}
	return strings.Join(cs, " ")
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func TestReadCases(t *testing.T) {
	tests := []struct {
		name, text string
		check      func(t *testing.T, d *rule.Document)
		codes      string
	}{
		{"duplicate key", "name: A\nname: B\nquery: |\n  T\n", func(t *testing.T, d *rule.Document) {
			if d.Title != "B" {
				t.Errorf("title %q", d.Title)
			}
		}, "READ1105@2"},
		{"tactics as a string", "name: A\ntactics: Execution, Persistence\nrelevantTechniques: T1059\nquery: T | take 1\n", func(t *testing.T, d *rule.Document) {
			// The technique under the tactic it belongs to; the other tactic on its own.
			if len(d.Attack) != 2 || d.Attack[0].TechniqueID != "T1059" || d.Attack[0].Tactic != "Execution" ||
				d.Attack[1].Tactic != "Persistence" || d.Attack[1].TechniqueID != "" {
				t.Errorf("attack %+v", d.Attack)
			}
		}, ""},
		{"unknown tactic and revoked technique", "name: A\ntactics:\n  - Executoin\nrelevantTechniques:\n  - T1100\nquery: T\n", nil,
			"ATTACK001@3 ATTACK001@5"},
		{"query not a string", "name: A\nquery:\n  - T\n", nil, "READ1107@2 READ1103@2"},
		{"no query", "name: A\ndescription: x\n", nil, "READ1103@1"},
		{"list at the root", "- a\n- b\n", nil, "READ1102@1"},
		{"kql error relocated", "name: A\nquery: |\n  T\n  | where (a\n", nil, "KQL1001@4"},
		{"folded query with comment", "name: A\nquery: >\n  T // c\n  | take 1\n", func(t *testing.T, d *rule.Document) {
			if d.Query != "T // c\n| take 1" {
				t.Errorf("query %q", d.Query)
			}
		}, "READ1108@2"},
		{"custom details are outputs", "name: A\nquery: T\ncustomDetails:\n  Cmd: CommandLine\n  User: AccountName\n", func(t *testing.T, d *rule.Document) {
			if len(d.Analysis.Outputs) != 2 || d.Analysis.Outputs[1].Field != "AccountName" || d.Analysis.Outputs[1].Source != "customDetails" {
				t.Errorf("outputs %+v", d.Analysis.Outputs)
			}
		}, ""},
		{"hunting folder wins over kind", "name: A\nkind: Scheduled\nquery: T\n", func(t *testing.T, d *rule.Document) {
			if d.Kind != "hunting" || d.Extra["kind"] != "Scheduled" {
				t.Errorf("kind %q extra %v", d.Kind, d.Extra["kind"])
			}
		}, ""},
		{"alias to the query", "base: &q |\n  T\n  | take 1\nname: A\nquery: *q\n", func(t *testing.T, d *rule.Document) {
			if d.Query != "T\n| take 1\n" || d.QueryOrigin.Line != 2 {
				t.Errorf("query %q origin %+v", d.Query, d.QueryOrigin)
			}
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := "Detections/X/rule.yaml"
			if strings.HasPrefix(tt.name, "hunting") {
				p = "Hunting Queries/X/rule.yaml"
			}
			d := read(t, p, tt.text)
			if got := codes(d); got != tt.codes {
				t.Errorf("diagnostics %q, want %q: %v", got, tt.codes, d.Analysis.Diagnostics)
			}
			if tt.check != nil {
				tt.check(t, d)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		path, text string
		want       bool
	}{
		{"Detections/a.yaml", "id: x\nname: y\nquery: |\n  T\n", true},
		{"a.yml", "requiredDataConnectors: []\n", true},
		{"a", "  id: x\n  query: T\n", true},
		{"r. yaml", "query: T\n", true},
		{"stub.yaml", "id: x\nname: y\ndescription: |\n  'this file is moved to new location. You can find here: https://x'\n", true},
		{"sigma.yml", "title: x\nlogsource:\n  product: windows\ndetection:\n  sel:\n    query: x\n  condition: sel\n", false},
		{"splunk.yml", "name: x\nsearch: '| tstats'\n", false},
		{"nested.yaml", "title: x\ndetection:\n  query: a\n", false},
		{"a.md", "query: T\n", false},
		{"Detections/bin.yaml", "\x00\x01\x02", true},
		{"other/bin.yaml", "\x00\x01\x02", false},
	}
	for _, tt := range tests {
		f := &formats.File{Path: tt.path, Data: []byte(tt.text)}
		if got := (Reader{}).Detect(f); got != tt.want {
			t.Errorf("Detect(%s) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

// TestYAMLBomb feeds a billion-laughs document: the tree is never expanded
// beyond the budget, the rule is still read and the bomb is reported at its
// line.
func TestYAMLBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: Bomb\nquery: |\n  T\nentityMappings:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n")
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		b.WriteString("  " + n + ": &" + n + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n")
		prev = n
	}
	d := read(t, "Detections/bomb.yaml", b.String())
	if d.Title != "Bomb" || d.Query != "T\n" {
		t.Errorf("rule not read: %q %q", d.Title, d.Query)
	}
	found := false
	for _, x := range d.Analysis.Diagnostics {
		if x.Code == kustorule.CodeYAMLLimit && x.Line > 4 {
			found = true
		}
	}
	if !found {
		t.Errorf("no YAML bomb diagnostic: %v", d.Analysis.Diagnostics)
	}
}
