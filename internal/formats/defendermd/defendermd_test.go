package defendermd

import (
	"flag"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/formattest"
	"github.com/detwiki/detwiki/internal/formats/kustorule/kustotest"
	"github.com/detwiki/detwiki/internal/rule"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const corpus = "Microsoft-365-Defender-Hunting-Queries"

// goldenFiles cover the markdown layout (one block, generic/specific
// variants, a query written without a fence, a block of several queries,
// see-also links, extra sections) and the text files (comment headers with
// keys, several queries, CRLF, a zero-width space, no extension).
var goldenFiles = []struct{ name, path string }{
	{"md-bazacall-emails", "Campaigns/Bazacall/Bazacall Emails.md"},
	{"md-two-versions", "Campaigns/Abuse.ch Recent Threat Feed.md"},
	{"md-generic-specific", "Campaigns/Qakbot/Qakbot email theft.md"},
	{"md-labelled-variants", "Email Queries/PhishingEmailUrlRedirector.md"},
	{"md-unfenced-query", "Initial access/identify-potential-missed-phishing-email-campaigns.md"},
	{"md-several-queries", "Campaigns/detect-cyzfc-activity.md"},
	{"md-see-also", "Initial access/detect-bluekeep-exploitation-attempts.md"},
	{"md-extra-section", "General queries/Device uptime calculation.md"},
	{"md-revoked-technique", "Execution/detect-suspicious-mshta-usage.md"},
	{"txt-sigma-port", "Campaigns/APT Baby Shark.txt"},
	{"txt-two-queries", "Campaigns/apt unidentified nov 18.txt"},
	{"txt-crlf-tags-cve", "Exploits/Electron-CVE-2018-1000006.txt"},
	{"txt-zero-width-space", "Campaigns/Ransomware hits healthcare - Vulnerable Gigabyte drivers.txt"},
	{"txt-os-platforms", "Campaigns/MacOceanLotusDropper.txt"},
	{"txt-mitre-line", "Execution/Masquerading system executable.txt"},
	{"no-extension", "Discovery/PrevalentInteractiveLogons"},
}

func TestGolden(t *testing.T) {
	for _, g := range goldenFiles {
		t.Run(g.name, func(t *testing.T) {
			f := formattest.CorpusFile(t, corpus, g.path)
			if !(Reader{}).Detect(f) {
				t.Fatalf("Detect rejects %s", g.path)
			}
			kustotest.Golden(t, g.name, kustotest.JSON(t, kustotest.Read(t, Reader{}, f)), *update)
		})
	}
}

func TestFacts(t *testing.T) {
	d := kustotest.Read(t, Reader{}, formattest.CorpusFile(t, corpus, "Campaigns/Abuse.ch Recent Threat Feed.md"))[0]
	var tactics []string
	for _, a := range d.Attack {
		tactics = append(tactics, a.Tactic)
	}
	if got := strings.Join(tactics, ","); got != "Execution,Persistence,Privilege Escalation,Credential Access,Discovery,Impact" {
		t.Errorf("tactics %s", got)
	}
	if got := strings.Join(d.Tags, ","); got != "Exploit,Malware, component,Ransomware" {
		t.Errorf("tags %s", got)
	}
	if d.Author != "Michael Melone" || len(d.Variants) != 1 || d.Kind != "hunting" {
		t.Errorf("author %q variants %d kind %q", d.Author, len(d.Variants), d.Kind)
	}
	docs := kustotest.Read(t, Reader{}, formattest.CorpusFile(t, corpus, "Campaigns/apt unidentified nov 18.txt"))
	if len(docs) != 2 || !strings.HasPrefix(docs[1].Query, "DeviceFileEvents") || docs[1].QueryOrigin.Line != 8 || docs[1].ID != "kusto/apt-unidentified-nov-18-2" {
		t.Errorf("split: %d docs", len(docs))
	}
	d = kustotest.Read(t, Reader{}, formattest.CorpusFile(t, corpus, "Campaigns/MacOceanLotusDropper.txt"))[0]
	if len(d.Platforms) != 1 || d.Platforms[0] != "macos" {
		t.Errorf("platforms %v", d.Platforms)
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		path, text string
		want       bool
	}{
		{"q.md", "# Q\n## Query\n```\nT\n```\n## Category\n| a | Covered? (v=yes) |\n", true},
		{"q.md", "# Q\n## Query\n```\nT\n```\n## Contributor info\n", true},
		{"readme.md", "# Readme\nSome text\n", false},
		{"q.txt", "// Finds things\nDeviceProcessEvents\n| where x\n", true},
		{"q", "DeviceProcessEvents\n| where x\n", true},
		{"LICENSE", "MIT License\n\nCopyright (c) Microsoft Corporation.\n", false},
		{"notes.txt", "Some notes | with a pipe later\nand text\n", false},
	}
	for _, tt := range tests {
		if got := (Reader{}).Detect(&formats.File{Path: tt.path, Data: []byte(tt.text)}); got != tt.want {
			t.Errorf("Detect(%s, %.20q) = %v", tt.path, tt.text, got)
		}
	}
}

func TestEmptyText(t *testing.T) {
	f := &formats.File{Path: "q.txt", Data: []byte("// only a comment\n")}
	docs := formats.ReadFile(Reader{}, f, formattest.Env())
	if len(docs) != 1 || docs[0].Analysis.Diagnostics[0].Code != "READ1004" {
		t.Errorf("docs %v", docs[0].Analysis.Diagnostics)
	}
	var _ = rule.LangKusto
}
