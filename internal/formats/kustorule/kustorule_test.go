package kustorule

import (
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name      string
		data      []byte
		want      string
		ok        bool
		code      string
		line, col int
	}{
		{"plain", []byte("a\nb"), "a\nb", true, "", 0, 0},
		{"utf8 bom", []byte("\xef\xbb\xbfname: x"), "name: x", true, "", 0, 0},
		{"utf16le bom", []byte{0xFF, 0xFE, 'h', 0, 'i', 0}, "hi", true, "", 0, 0},
		{"utf16be bom", []byte{0xFE, 0xFF, 0, 'h', 0, 'i'}, "hi", true, "", 0, 0},
		{"crlf kept", []byte("a\r\nb\r\n"), "a\r\nb\r\n", true, "", 0, 0},
		{"lone cr is a line end", []byte("query:\r0\r\r\nx\r"), "query:\n0\n\r\nx\n", true, "", 0, 0},
		{"binary", []byte("ab\ncd\x00ef"), "", false, CodeBinary, 2, 3},
		{"binary after lone cr", []byte("ab\rcd\x00ef"), "", false, CodeBinary, 2, 3},
		{"latin-1", []byte("name: caf\xe9\nquery: T"), "name: caf\uFFFD\nquery: T", true, CodeEncoding, 1, 10},
		{"too large", make([]byte, formats.MaxFileSize+1), "", false, CodeTooLarge, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, diags, ok := Decode("f", tt.data)
			if ok != tt.ok || ok && got != tt.want {
				t.Errorf("Decode = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
			if tt.code == "" {
				if len(diags) != 0 {
					t.Errorf("diagnostics %v", diags)
				}
				return
			}
			if len(diags) != 1 || diags[0].Code != tt.code || diags[0].Line != tt.line || diags[0].Col != tt.col || diags[0].Path != "f" {
				t.Errorf("diagnostics %v, want %s at %d:%d", diags, tt.code, tt.line, tt.col)
			}
		})
	}
}

func TestExtStem(t *testing.T) {
	for _, tt := range []struct{ name, ext, stem string }{
		{"a.yaml", "yaml", "a"},
		{"High Severity Cortex Incidents. yaml", "yaml", "High Severity Cortex Incidents"},
		{"KrbRelayUpServiceCreation", "", "KrbRelayUpServiceCreation"},
		{"dir/Rule.KQL", "kql", "Rule"},
		{"Dopplepaymer In-Memory Malware Implant.txt", "txt", "Dopplepaymer In-Memory Malware Implant"},
		{"v1.0 notes for you", "", "v1.0 notes for you"},
	} {
		if Ext(tt.name) != tt.ext || Stem(tt.name) != tt.stem {
			t.Errorf("Ext/Stem(%q) = %q/%q, want %q/%q", tt.name, Ext(tt.name), Stem(tt.name), tt.ext, tt.stem)
		}
	}
}

func TestMarkdown(t *testing.T) {
	text := "# Title #\n\nIntro line\nsecond line\n\n## Metadata\n**ID:** 0xFF-1\n**OS**: Windows\n---\n\n" +
		"| Tactic | Technique |\n|---|:---:|\n| TA0005 - Defense Evasion | T1055 |\n| a \\| b | c |\n\n" +
		"Label:\n  ```C# {.x}\n  T\n  | take 1\n  ```\n~~~\nunclosed\n"
	m := ParseMarkdown(text)
	var kinds []string
	for _, b := range m.Blocks {
		kinds = append(kinds, [...]string{"", "p", "h", "code", "table", "hr"}[b.Kind]+"@"+itoa(b.Line))
	}
	if got := strings.Join(kinds, " "); got != "h@1 p@3 h@6 p@7 hr@9 table@11 p@16 code@17 code@21" {
		t.Fatalf("blocks %s", got)
	}
	b := m.Blocks
	if b[0].Text != "Title" || b[0].Level != 1 || b[2].Level != 2 {
		t.Errorf("headings %q %d %d", b[0].Text, b[0].Level, b[2].Level)
	}
	if tb := b[5]; len(tb.Cells) != 3 || tb.Cells[1][0] != "TA0005 - Defense Evasion" || tb.Cells[2][0] != "a | b" {
		t.Errorf("table %q", tb.Cells)
	}
	code := b[7]
	if code.Lang() != "c#" || code.Text != "T\n| take 1" || !code.Closed || code.Origin() != (source.Origin{Line: 18, Col: 3, Indent: 2}) {
		t.Errorf("code %q %q %v %+v", code.Lang(), code.Text, code.Closed, code.Origin())
	}
	if BlockLabel(m, code) != "Label" || !m.IsBlockLabel(b[6]) {
		t.Errorf("label %q", BlockLabel(m, code))
	}
	if last := b[8]; last.Closed || last.Text != "unclosed\n" {
		t.Errorf("unclosed fence %q %v", last.Text, last.Closed)
	}
	fields := Fields(m.Blocks)
	if len(fields) != 2 || fields[0].Key != "ID" || fields[0].Value != "0xFF-1" || fields[1].Key != "OS" || fields[1].Value != "Windows" || fields[1].Line != 8 {
		t.Errorf("fields %+v", fields)
	}
	secs := m.Sections(2)
	if len(secs) != 3 || secs[1].Title() != "Title" || m.Body(secs[1]) != "Intro line\nsecond line" {
		t.Errorf("sections %d %q %q", len(secs), secs[1].Title(), m.Body(secs[1]))
	}
}

func TestListItems(t *testing.T) {
	if got := ListItems("* one\n  continued\n* two\n"); len(got) != 2 || got[0] != "one continued" {
		t.Errorf("%q", got)
	}
	if got := ListItems("Just prose\nover two lines."); len(got) != 1 {
		t.Errorf("%q", got)
	}
}

func TestTechniqueRefsURLs(t *testing.T) {
	text := "See T1055 and T1218.014, https://attack.mitre.org/techniques/T1574/002/ (not T12345, AT1055 or T1055abc)."
	if got := strings.Join(TechniqueRefs(text), ","); got != "T1055,T1218.014,T1574.002" {
		t.Errorf("TechniqueRefs = %s", got)
	}
	if got := strings.Join(URLs("[x](https://a.example/p?q=1). Also http://b.example/x, and shttp://no"), " "); got != "https://a.example/p?q=1 http://b.example/x" {
		t.Errorf("URLs = %s", got)
	}
}

func TestPlainTextIsNoneISODate(t *testing.T) {
	for in, want := range map[string]string{
		"**Low**":                                "Low",
		"*High*":                                 "High",
		"[FalconForce](https://falconforce.nl/)": "FalconForce",
		"< Milad Aslaner >":                      "Milad Aslaner",
		"`code`":                                 "code",
	} {
		if got := PlainText(in); got != want {
			t.Errorf("PlainText(%q) = %q", in, got)
		}
	}
	if !IsNone("None.") || !IsNone(" N/A ") || IsNone("Some") {
		t.Error("IsNone")
	}
	if ISODate("23/10/2020") != "2020-10-23" || ISODate("6/8/2021") != "2021-08-06" || ISODate("2024-06-27") != "2024-06-27" {
		t.Error("ISODate")
	}
}

func TestLooksLikeKQL(t *testing.T) {
	for text, want := range map[string]bool{
		"// c\nDeviceEvents\n| where x":      true,
		"SecurityEvent | where EventID == 1": true,
		"let x = 1;\nT":                      true,
		"print 1":                            true,
		"\u200bDeviceFileEvents\n| take 1":   true,
		"MIT License\n\nCopyright (c)":       false,
		"Some notes | with a pipe":           false,
		"if (a || b) {\n}":                   false,
		"// only comments":                   false,
		"":                                   false,
	} {
		if got := LooksLikeKQL(text); got != want {
			t.Errorf("LooksLikeKQL(%q) = %v", text, got)
		}
	}
	if !HasLineComment("T // c") || HasLineComment("T | where Url == 'https://x'") || !HasLineComment("T | where a == \"x\" // c") {
		t.Error("HasLineComment")
	}
}

func TestSplitKQL(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // "line:first line of the query"
	}{
		{"one", "// c\nT\n| take 1\n", []string{"2:T"}},
		{"two by blank line", "A\n| take 1\n\nB\n| take 1\n", []string{"1:A", "4:B"}},
		{"lets across blank lines", "let a = 1;\n\nlet b = 2;\n\nT\n| where x > a\n", []string{"1:let a = 1;"}},
		{"pipe after blank line", "T\n| where a\n\n| take 1\n", []string{"1:T"}},
		{"open bracket", "T\n| where a in (\n\n  1, 2)\n", []string{"1:T"}},
		{"continuation word", "T\n| where a == 1\n\nand b == 2\n", []string{"1:T"}},
		{"comment headers", "// first\nA\n\n// second\nB\n", []string{"2:A", "5:B"}},
		{"zero-width space", "\u200bA\n| take 1\n", []string{"1:A"}},
		{"multi-line string", "print s = ```\n\nB\n```\n", []string{"1:print s = ```"}},
		{"no code", "// only\n\n// comments\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qs := SplitKQL(tt.text)
			var got []string
			for _, q := range qs {
				got = append(got, itoa(q.Origin.Line)+":"+SplitLines(q.Text)[0])
				d := &rule.Document{Body: tt.text, Query: q.Text, QueryOrigin: q.Origin}
				if m := OriginMismatch(d); m != "" {
					t.Errorf("origin: %s", m)
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("SplitKQL = %q, want %q", got, tt.want)
			}
		})
	}
	qs := SplitKQL("// Title: Failed sign-ins\n// Author: A\n// Reference: https://x.example/a\n// T1110 brute force\nSigninLogs\n")
	h := qs[0].Header
	if h.Title != "Failed sign-ins" || h.Author != "A" || len(h.References) != 1 || h.Techniques[0] != "T1110" || h.Description() != "T1110 brute force" || h.Line != 1 {
		t.Errorf("header %+v", h)
	}
}

func TestBlockPieces(t *testing.T) {
	m := ParseMarkdown("```\n// Query 1: first\nA\n| take 1\n\n// Query 2: second\nB\n| take 1\n```\n```\nlet a = 1;\n\nT\n```\n")
	ps := BlockPieces(m.Blocks[0])
	if len(ps) != 2 || ps[0].Title() != "Query 1: first" || ps[1].Origin.Line != 7 || ps[1].Query != "B\n| take 1" {
		t.Fatalf("pieces %+v", ps)
	}
	if ps := BlockPieces(m.Blocks[1]); len(ps) != 1 || ps[0].Header != nil {
		t.Errorf("a let over a blank line is one query: %+v", ps)
	}
}

func TestMapAttackLines(t *testing.T) {
	d := &rule.Document{Body: "a\ntactics:\n  - Executoin\nrelevantTechniques:\n  - T1100\n", Source: rule.Source{Path: "r.yaml"}}
	MapAttack(d, Catalog(nil), []string{"T1100"}, []string{"Executoin"}, 0)
	var lines []string
	for _, x := range d.Analysis.Diagnostics {
		lines = append(lines, x.Code+"@"+itoa(x.Line))
	}
	if got := strings.Join(lines, " "); got != "ATTACK001@3 ATTACK001@5" {
		t.Errorf("diagnostics %s: %v", got, d.Analysis.Diagnostics)
	}
	if len(d.Attack) != 2 || d.Attack[0].TechniqueID != "T1100" || d.Attack[1].Tactic != "Privilege Escalation" {
		t.Errorf("attack %+v", d.Attack)
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// TestColumnOf: an ATT&CK warning points at the id on its line.
func TestColumnOf(t *testing.T) {
	body := "name: x\ntactics:\n  - Execution\nrelevantTechniques:\n  - T1100\n"
	for _, tt := range []struct {
		line  int
		value string
		want  int
	}{{5, "T1100", 5}, {3, "execution", 5}, {5, "T9999", 1}, {9, "T1100", 1}, {5, "", 1}} {
		if got := columnOf(body, tt.line, tt.value); got != tt.want {
			t.Errorf("columnOf(line %d, %q) = %d, want %d", tt.line, tt.value, got, tt.want)
		}
	}
}
