package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestTableCell: the table format shows untrusted event data on one line,
// escaped and cut on a character boundary.
func TestTableCell(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                 "plain",
		"a\tb\nc":               "a b c",
		"\x1b[2Jcls":            `\x1b[2Jcls`,
		"bad\xffbyte":           `bad\xffbyte`,
		"caf\u00e9 \u200b zero": `café \u200b zero`,
	} {
		if got := tableCell(in); got != want {
			t.Errorf("tableCell(%q) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("é", 200)
	got := tableCell(long)
	if !utf8.ValidString(got) || utf8.RuneCountInString(got) != maxCellRunes || !strings.HasSuffix(got, "...") {
		t.Errorf("long cell: %d runes, valid %v, %q", utf8.RuneCountInString(got), utf8.ValidString(got), got)
	}
	if got := tableCell(strings.Repeat("x", maxCellRunes)); got != strings.Repeat("x", maxCellRunes) {
		t.Errorf("a cell of exactly %d characters was cut: %q", maxCellRunes, got)
	}
}

// TestRunOtherLanguage: a rule file of another language is refused with a
// clear message instead of being parsed as KQL.
func TestRunOtherLanguage(t *testing.T) {
	f := filepath.Join(t.TempDir(), "r.yml")
	os.WriteFile(f, []byte("title: t\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n  sel:\n    Image|endswith: '\\\\a.exe'\n  condition: sel\n"), 0o644)
	_, errs, code := runKQLCmd(t, "run", f)
	if code != 2 || !strings.Contains(errs, "is a sigma rule") || strings.Contains(errs, "KQL") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	q := filepath.Join(t.TempDir(), "two.kql")
	os.WriteFile(q, []byte("// first\nprint a = 1\n\n\n// second\nprint b = 2\n"), 0o644)
	out, errs, code := runKQLCmd(t, "run", "--format", "csv", q)
	if code != 0 || out != "a\n1\n" || !strings.Contains(errs, "holds 2 Kusto queries") {
		t.Errorf("two queries: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
