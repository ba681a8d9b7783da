package all

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// goodKusto are well-formed rules of each Kusto format, written for this
// test.
var goodKusto = map[string]string{
	"Detections/SecurityEvent/Good.yaml": "id: 11111111-2222-3333-4444-555555555555\nname: Good Sentinel rule\nseverity: Medium\n" +
		"requiredDataConnectors:\n  - connectorId: SecurityEvents\n    dataTypes:\n      - SecurityEvent\n" +
		"queryFrequency: 1h\nqueryPeriod: 1h\ntriggerOperator: gt\ntriggerThreshold: 0\ntactics:\n  - Execution\n" +
		"relevantTechniques:\n  - T1059.001\nquery: |\n  SecurityEvent\n  | where EventID == 4688 and CommandLine has \"-enc\"\n" +
		"entityMappings:\n  - entityType: Host\n    fieldMappings:\n      - identifier: FullName\n        columnName: Computer\nkind: Scheduled\n",
	"0xFF-9001-Good_FalconFriday-Win.md": "# Good FalconFriday rule\n\n## Metadata\n**ID:** 0xFF-9001-Good_FalconFriday-Win\n\n**OS:** WindowsEndpoint\n\n" +
		"## ATT&CK Tags\n\n| Tactic | Technique | Subtechnique | Technique Name |\n|---|---|---| --- |\n| TA0002 - Execution | T1059 | 001 | PowerShell|\n\n" +
		"## Detection description\nEncoded PowerShell.\n\n## Detection\n\n**Language:** Kusto\n\n**Query:**\n```C#\nDeviceProcessEvents\n| where FileName =~ \"powershell.exe\" and ProcessCommandLine has \"-enc\"\n```\n",
	"Execution/Good Defender query.md": "# Good Defender query\nEncoded PowerShell.\n\n## Query\n```\nDeviceProcessEvents\n| where ProcessCommandLine has \"-enc\"\n```\n\n" +
		"## Category\n| Technique, tactic, or state | Covered? (v=yes) | Notes |\n|---|---|---|\n| Execution | v |  |\n\n## Contributor info\n**Contributor:** Test\n",
	"queries/good.kql": "// Good plain KQL\n// Encoded PowerShell.\nDeviceProcessEvents\n| where ProcessCommandLine has \"-enc\"\n",
}

// badKusto are broken inputs, each with the code and line its diagnostic
// must have (line 0: any line > 0; yaml.v3 places a syntax error at the
// start of the construct it was parsing, which for a truncated file is
// before its last line).
var badKusto = []struct {
	path string
	data func() []byte
	code string
	line int
}{
	{"Detections/Truncated.yaml", text("id: x\nname: Truncated rule\nquery: |\n  SecurityEvent\n  | where EventID == 4688\n" +
		"entityMappings:\n  - entityType: Host\n    fieldMappings: [{identifier: FullName, columnName: Comp"), "READ1101", 0},
	{"Detections/Binary.yaml", func() []byte { return []byte("name: x\nquery: \x00\x01\x02\xff") }, "READ1001", 2},
	{"Detections/Huge.yaml", func() []byte {
		return []byte("name: Huge\nquery: |\n" + strings.Repeat("  | where x == 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'\n", 10_500_000/80)) // 10.5 MB
	}, "READ0003", 1},
	{"Detections/Deep.yaml", text("name: Deep\nquery: T\nextra: " + strings.Repeat("[", 20000) + "\n"), "READ1106", 3},
	{"Detections/Latin1.yaml", func() []byte { return []byte("name: Caf\xe9 rule\nquery: |\n  SecurityEvent\n  | take 1\n") }, "READ1002", 1},
	{"Detections/Bomb.yaml", text(bomb()), "READ1106", 0},
	{"Detections/DeepKQL.yaml", text("name: Deep KQL\nquery: |\n  print " + strings.Repeat("(", 50000) + "1\n"), "KQL1009", 3},
	{"hunts/T9999-WIN-001.md", text("# Truncated hunt\n## Hunt Tags\n**ID:** T1059\n## Hunt details\n```C#\nDeviceProcessEvents\n| where (FileName"), "READ1203", 5},
	{"Execution/Latin1 query.md", func() []byte {
		return []byte("# Requ\xeate\n\n## Query\n```\nDeviceProcessEvents\n| take 1\n```\n## Category\n| Technique, tactic, or state | Covered? (v=yes) | Notes |\n|---|---|---|\n")
	}, "READ1002", 1},
	{"queries/truncated.kql", text("// Truncated\nDeviceEvents\n| where (ActionType == \"x\""), "KQL1001", 0},
}

func text(s string) func() []byte { return func() []byte { return []byte(s) } }

// bomb is a billion-laughs YAML document inside a rule's extra keys.
func bomb() string {
	var b strings.Builder
	b.WriteString("name: Bomb\nquery: |\n  T\nalertDetailsOverride:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n")
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		b.WriteString("  " + n + ": &" + n + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n")
		prev = n
	}
	return b.String()
}

// TestKustoBadInput reads good and broken files in one run: each broken
// file gives a diagnostic naming it and a line, the run goes on, and the
// good rules come out exactly as when read alone.
func TestKustoBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(rel string, data []byte) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for rel, text := range goodKusto {
		write(rel, []byte(text))
	}
	alone := map[string]string{}
	res, err := formats.Read([]string{dir}, formats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Documents {
		alone[d.Source.Path] = docJSON(t, d)
		if len(d.Analysis.Diagnostics) != 0 || d.Query == "" || len(d.Attack) == 0 && d.Format != "kql-file" {
			t.Errorf("good rule %s: diagnostics %v, query %q, attack %v", d.Source.Path, d.Analysis.Diagnostics, d.Query, d.Attack)
		}
	}
	if len(alone) != len(goodKusto) {
		t.Fatalf("good rules read alone: %d of %d", len(alone), len(goodKusto))
	}

	for _, b := range badKusto {
		write(b.path, b.data())
	}
	res, err = formats.Read([]string{dir}, formats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]source.Diagnostic{}
	note := func(x source.Diagnostic) {
		if _, ok := found[x.Path+" "+x.Code]; !ok {
			found[x.Path+" "+x.Code] = x
		}
	}
	for _, x := range res.Diagnostics {
		note(x)
	}
	mixed := 0
	for _, d := range res.Documents {
		for _, x := range d.Analysis.Diagnostics {
			note(x)
		}
		if want, ok := alone[d.Source.Path]; ok {
			mixed++
			if got := docJSON(t, d); got != want {
				t.Errorf("good rule %s changed when read with broken files", d.Source.Path)
			}
		}
	}
	if mixed != len(goodKusto) {
		t.Errorf("good rules in the mixed run: %d of %d", mixed, len(goodKusto))
	}
	for _, b := range badKusto {
		x, ok := found[b.path+" "+b.code]
		switch {
		case !ok:
			t.Errorf("%s: no %s diagnostic", b.path, b.code)
		case x.Line <= 0 || b.line > 0 && x.Line != b.line:
			t.Errorf("%s: %s at line %d, want %d", b.path, x, x.Line, b.line)
		default:
			t.Logf("%s", x)
		}
	}
	// What could be recovered is kept.
	for _, d := range res.Documents {
		switch d.Source.Path {
		case "Detections/Truncated.yaml":
			if d.Title != "Truncated rule" || !strings.HasPrefix(d.Query, "SecurityEvent\n") {
				t.Errorf("truncated YAML: title %q query %q", d.Title, d.Query)
			}
		case "Detections/Latin1.yaml":
			if d.Title != "Caf\uFFFD rule" || d.Query == "" {
				t.Errorf("mis-encoded YAML: title %q", d.Title)
			}
		case "Detections/Bomb.yaml":
			if d.Title != "Bomb" || d.Query != "T\n" {
				t.Errorf("YAML bomb: title %q query %q", d.Title, d.Query)
			}
		}
	}
}

// docJSON renders a document for comparison.
func docJSON(t *testing.T, d *rule.Document) string {
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
