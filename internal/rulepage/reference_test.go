package rulepage_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/formats"
	_ "github.com/detwiki/detwiki/internal/formats/all"
	"github.com/detwiki/detwiki/internal/htmlcheck"
	"github.com/detwiki/detwiki/internal/rulepage"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

// referenceRules are the rules of the spec's reference pages
// (../shared/spec/examples), read from the corpus by the real readers.
var referenceRules = []struct {
	path   []string
	golden string
	want   []string // what the page must say that the reference page says
	html   []string // what the HTML page must hold
}{
	{[]string{"corpus", "FalconFriday", "0xFF-0546-Process_Injection_Initiated_By_MMC-Win.md"}, "ref-0xFF-0546.md",
		[]string{"# Process Injection Initiated By MMC", "`timeframe`", "`InitiatingProcessFileName`", "`mmc.exe`", "(3 consecutive steps)", "`ParsedCommandLine`", "`MscFile`", "CreateRemoteThreadApiCall"}, nil},
	{[]string{"corpus", "FalconFriday", "0xFF-0081-Process_Injection_From_Untrusted_Process-Win.md"}, "ref-0xFF-0081.md",
		[]string{"`default_global_prevalence`", "`AllProcessInjectionEvents`", "`SuspiciousProcessInjectionEvents`", "_column_", "## Exclusions"}, nil},
	{[]string{"corpus", "FalconFriday", "0xFF-0083-Remote_Process_Invocation_Via_SCM-Win.md"}, "ref-0xFF-0083.md",
		[]string{"`lolbins`", "`networkEvents`", "DeviceNetworkEvents", "InboundConnectionAccepted"}, nil},
	{[]string{"corpus", "Azure-Sentinel", "Detections", "SecurityEvent", "LateralMovementViaDCOM.yaml"}, "ref-LateralMovementViaDCOM.md",
		[]string{"# Lateral Movement via DCOM", "Microsoft-Windows-Sysmon/Operational", "`StartTime`", "T1021.003",
			"_ParentCommandLine is parsed from EventData; CommandLine is parsed from EventData._"},
		// the stage note says where the parsed columns come from
		[]string{`<p class="stage-note muted">ParentCommandLine is parsed from EventData; CommandLine is parsed from EventData.</p>`}},
}

// TestReferencePages renders the rules of the spec's reference pages, as
// `detwiki analyze --format md|html` does for one file: golden markdown,
// the facts the reference pages show, inert self-contained HTML.
func TestReferencePages(t *testing.T) {
	for _, ref := range referenceRules {
		path := sharedtest.Path(t, ref.path...)
		res, err := formats.Read([]string{path}, formats.Options{})
		if err != nil || len(res.Documents) != 1 {
			t.Fatalf("%s: %v, %d documents", path, err, len(res.Documents))
		}
		p := &rulepage.Page{Doc: res.Documents[0], URLs: rulepage.Server}
		var md bytes.Buffer
		if err := rulepage.RenderMarkdown(&md, p); err != nil {
			t.Fatal(err)
		}
		golden(t, ref.golden, md.Bytes())
		for _, want := range ref.want {
			if !strings.Contains(md.String(), want) {
				t.Errorf("%s: page lacks %q", ref.golden, want)
			}
		}
		var html bytes.Buffer
		if err := rulepage.RenderHTML(&html, p); err != nil {
			t.Fatal(err)
		}
		for _, problem := range htmlcheck.Injected(html.String()) {
			t.Errorf("%s: %s", ref.golden, problem)
		}
		for _, want := range ref.html {
			if !strings.Contains(html.String(), want) {
				t.Errorf("%s: HTML page lacks %s", ref.golden, want)
			}
		}
	}
}
