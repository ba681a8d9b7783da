package falconfriday

import (
	"flag"
	"strconv"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/formattest"
	"github.com/detwiki/detwiki/internal/formats/kustorule/kustotest"
	"github.com/detwiki/detwiki/internal/rule"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// goldenFiles cover the detection layout (the spec's three examples among
// them), the Sentinel-platform and AWS variants, a file without extension,
// a "replaced by" stub and the older hunts layout (one or several rules).
var goldenFiles = []struct{ name, path string }{
	{"0546-mmc-injection", "0xFF-0546-Process_Injection_Initiated_By_MMC-Win.md"},
	{"0081-untrusted-injection", "0xFF-0081-Process_Injection_From_Untrusted_Process-Win.md"},
	{"0083-scm", "0xFF-0083-Remote_Process_Invocation_Via_SCM-Win.md"},
	{"0001-certutil", "0xFF-0001-Ingress_Tool_Transfer_Certutil_abuse-Win.md"},
	{"0027-sentinel-platform", "0xFF-0027-Beacon-Traffic-Based-On-Common-User-Agents-Visiting-Limited-Domains.md"},
	{"0161-aws", "0xFF-0161-Overly_permissive_security_group-AWS.md"},
	{"0508-no-extension", "0xFF-0508-Excessive_enumeration_of_policy_effective_permissions-AWS"},
	{"0582-windows-suffix", "0xFF-0582-WinRM_Plugin_Lateral_Movement-Windows.md"},
	{"0086-replaced-stub", "0xFF-0086-Process_injection_via_NtAllocateVirtualMemoryRemote_by_rare_or_unsigned_processes-Win.md"},
	{"hunt-dcom", "hunts/T1021-WIN-002.md"},
	{"hunt-three-rules", "hunts/T1204-WIN-001.md"},
	{"hunt-eight-rules", "hunts/T1490-Azure-001.md"},
	{"hunt-teams", "hunts/Teams_RCE.md"},
	{"hunt-revoked-technique", "hunts/T1574-WIN-001.md"},
}

func TestGolden(t *testing.T) {
	for _, g := range goldenFiles {
		t.Run(g.name, func(t *testing.T) {
			f := formattest.CorpusFile(t, "FalconFriday", g.path)
			if !(Reader{}).Detect(f) {
				t.Fatalf("Detect rejects %s", g.path)
			}
			kustotest.Golden(t, g.name, kustotest.JSON(t, kustotest.Read(t, Reader{}, f)), *update)
		})
	}
}

// TestSpecExamples checks the facts the spec's example pages show.
func TestSpecExamples(t *testing.T) {
	d := kustotest.Read(t, Reader{}, formattest.CorpusFile(t, "FalconFriday", "0xFF-0546-Process_Injection_Initiated_By_MMC-Win.md"))[0]
	if d.Title != "Process Injection Initiated By MMC" || d.Extra["id"] != "0xFF-0546-Process_Injection_Initiated_By_MMC-Win" ||
		d.Extra["os"] != "WindowsEndpoint, WindowsServer" || d.Version != "1.0" || d.Created != "2024-06-27" {
		t.Errorf("0546 metadata: %q %v %v %q %q", d.Title, d.Extra["id"], d.Extra["os"], d.Version, d.Created)
	}
	var attack []string
	for _, a := range d.Attack {
		attack = append(attack, a.TacticID+"/"+a.TechniqueID)
	}
	if got := strings.Join(attack, " "); got != "TA0005/T1218.014 TA0005/T1055" {
		t.Errorf("0546 attack = %s", got)
	}
	if !strings.HasPrefix(d.Query, "let timeframe = 2*1h;\nDeviceEvents") || d.QueryOrigin.Col != 1 {
		t.Errorf("0546 query %.40q at %+v", d.Query, d.QueryOrigin)
	}
	titles := map[string]bool{}
	for _, s := range d.Sections {
		titles[s.Title] = true
	}
	for _, want := range []string{"Permission required to execute the technique", "Suggested Response Actions", "Detection Blind Spots"} {
		if !titles[want] {
			t.Errorf("0546 lacks section %q (has %v)", want, titles)
		}
	}

	d = kustotest.Read(t, Reader{}, formattest.CorpusFile(t, "FalconFriday", "0xFF-0081-Process_Injection_From_Untrusted_Process-Win.md"))[0]
	tactics := map[string]bool{}
	for _, a := range d.Attack {
		tactics[a.Tactic+"/"+a.TechniqueID] = true
	}
	for _, want := range []string{"Privilege Escalation/T1055.002", "Defense Evasion/T1055.002", "Execution/T1106"} {
		if !tactics[want] {
			t.Errorf("0081 lacks %s: %v", want, d.Attack)
		}
	}
	if d.Version != "2.0" || d.Created != "2021-01-29" || d.Modified != "2025-03-28" {
		t.Errorf("0081 versions %q %q %q", d.Version, d.Created, d.Modified)
	}

	d = kustotest.Read(t, Reader{}, formattest.CorpusFile(t, "FalconFriday", "0xFF-0083-Remote_Process_Invocation_Via_SCM-Win.md"))[0]
	if len(d.Attack) != 4 || d.Extra["fp_rate"] != nil && d.Extra["fp_rate"] != "Low" {
		t.Errorf("0083 attack %v fp %v", d.Attack, d.Extra["fp_rate"])
	}
}

func read(t *testing.T, path, text string) []*rule.Document {
	t.Helper()
	f := &formats.File{Repo: "FalconFriday", Root: "/ff", Path: path, Data: []byte(text)}
	docs := formats.ReadFile(Reader{}, f, formattest.Env())
	for _, d := range docs {
		kustotest.Check(t, d, text)
	}
	return docs
}

func TestReadCases(t *testing.T) {
	t.Run("replaced stub", func(t *testing.T) {
		docs := read(t, "0xFF-0001-Old-Win.md", "This detection has been replaced by [0xFF-0002-New-Win.md](0xFF-0002-New-Win.md)\n")
		d := docs[0]
		if !d.Deprecated || len(d.Links) != 1 || d.Links[0].Kind != "replaced_by" || d.Links[0].Target != "kusto/0xFF-0002-New-Win" {
			t.Errorf("stub = deprecated %v links %+v", d.Deprecated, d.Links)
		}
		if len(d.Analysis.Diagnostics) != 1 || d.Analysis.Diagnostics[0].Code != "READ1201" || d.Analysis.Diagnostics[0].Line != 1 {
			t.Errorf("diagnostics %v", d.Analysis.Diagnostics)
		}
	})
	t.Run("no query block", func(t *testing.T) {
		d := read(t, "0xFF-0003-X-Win.md", "# X\n\n## Metadata\n**ID:** 0xFF-0003-X-Win\n\n## Detection\n\n**Language:** Kusto\n")[0]
		if len(d.Analysis.Diagnostics) != 1 || d.Analysis.Diagnostics[0].Code != "READ1202" {
			t.Errorf("diagnostics %v", d.Analysis.Diagnostics)
		}
	})
	t.Run("unclosed fence and a kql error", func(t *testing.T) {
		text := "# X\n\n## Metadata\n**ID:** 0xFF-0004-X-Win\n\n## Detection\n\n```C#\nDeviceEvents\n| where (a\n"
		d := read(t, "0xFF-0004-X-Win.md", text)[0]
		var codes []string
		for _, x := range d.Analysis.Diagnostics {
			codes = append(codes, x.Code+"@"+strconv.Itoa(x.Line))
		}
		if got := strings.Join(codes, " "); got != "READ1203@8 KQL1001@10" {
			t.Errorf("diagnostics %s: %v", got, d.Analysis.Diagnostics)
		}
	})
	t.Run("hunt block with two queries", func(t *testing.T) {
		text := "# H\n## Hunt Tags\n**ID:** T1059\n\n## Hunt details\n```C#\n// First: processes\nDeviceProcessEvents\n| take 1\n\n// Second: files\nDeviceFileEvents\n| take 1\n```\n"
		docs := read(t, "hunts/H.md", text)
		if len(docs) != 2 || docs[0].Title != "H: First: processes" || docs[1].Title != "H: Second: files" || docs[1].ID != "kusto/H-2" {
			for _, d := range docs {
				t.Logf("%s %q %q", d.ID, d.Title, d.Query)
			}
			t.Fatalf("%d documents", len(docs))
		}
		if docs[1].QueryOrigin.Line != 12 || docs[0].Kind != "hunting" || docs[0].Attack[0].TechniqueID != "T1059" {
			t.Errorf("second origin %+v kind %q attack %v", docs[1].QueryOrigin, docs[0].Kind, docs[0].Attack)
		}
	})
}

func TestDetect(t *testing.T) {
	tests := []struct {
		path, text string
		want       bool
	}{
		{"0xFF-1.md", "# T\n\n## Metadata\n**ID:** 0xFF-0001-x\n", true},
		{"0xFF-1", "# T\n\n## Metadata\n**ID:** 0xFF-0001-x\n", true},
		{"h.md", "# T\n## Hunt Tags\n**ID:** T1\n", true},
		{"s.md", "This detection has been replaced by [x](x.md)", true},
		{"r.md", "# README\n\n## Metadata\nnothing\n", false},
		{"x.yaml", "# T\n\n## Metadata\n**ID:** 0xFF-0001-x\n", false},
	}
	for _, tt := range tests {
		if got := (Reader{}).Detect(&formats.File{Path: tt.path, Data: []byte(tt.text)}); got != tt.want {
			t.Errorf("Detect(%s) = %v", tt.path, got)
		}
	}
}
