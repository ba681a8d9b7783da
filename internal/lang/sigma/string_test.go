package sigma

import (
	"encoding/base64"
	"strings"
	"testing"
)

// show renders a String's parts: text as is, wildcards as <*> and <?>,
// placeholders as <%name%>.
func show(s String) string {
	var b strings.Builder
	for _, p := range s.Parts {
		switch p.Kind {
		case PartText:
			b.WriteString(p.Text)
		case PartAnyChars:
			b.WriteString("<*>")
		case PartOneChar:
			b.WriteString("<?>")
		case PartPlaceholder:
			b.WriteString("<%" + p.Text + "%>")
		}
	}
	return b.String()
}

func TestParseString(t *testing.T) {
	tests := []struct {
		in           string
		placeholders bool
		want         string
	}{
		{`C:\Windows\System32\cmd.exe`, false, `C:\Windows\System32\cmd.exe`},
		{`\cmd.exe`, false, `\cmd.exe`},
		{`C:\\Windows`, false, `C:\Windows`}, // \\ is one backslash
		{`\\\\server`, false, `\\server`},    // four are two
		{`*\cmd.exe`, false, `<*>\cmd.exe`},
		{`prog?.exe`, false, `prog<?>.exe`},
		{`\*literal`, false, `*literal`},
		{`\?`, false, `?`},
		{`C:\*`, false, `C:*`},     // backslash escapes the star
		{`C:\\*`, false, `C:\<*>`}, // escaped backslash, then a wildcard
		{`C:\\\*`, false, `C:\*`},  // backslash and star, both plain
		{`trailing\`, false, `trailing\`},
		{`a\b`, false, `a\b`},
		{``, false, ``},
		{`%Servers%`, false, `%Servers%`},
		{`%Servers%`, true, `<%Servers%>`},
		{`\%plain%name%`, true, `%plain<%name%>`},
		{`srv-%Domain Controllers%`, true, `srv-%Domain Controllers%`}, // a space ends a name
		{`50%`, true, `50%`},
		{`*%Admins%*`, true, `<*><%Admins%><*>`},
	}
	for _, tt := range tests {
		got := ParseString(tt.in, tt.placeholders)
		if show(got) != tt.want {
			t.Errorf("ParseString(%q, %v) = %s, want %s", tt.in, tt.placeholders, show(got), tt.want)
		}
		// The canonical form parses back to the same string.
		esc := got.Escaped(tt.placeholders)
		if again := ParseString(esc, tt.placeholders); !again.Equal(got) {
			t.Errorf("ParseString(%q).Escaped = %q parses to %s, want %s", tt.in, esc, show(again), show(got))
		}
	}
}

func TestStringHelpers(t *testing.T) {
	s := ParseString(`**foo*bar*`, false)
	inner, lead, trail := s.TrimAnyChars()
	if show(inner) != "foo<*>bar" || !lead || !trail {
		t.Errorf("TrimAnyChars = %s %v %v", show(inner), lead, trail)
	}
	if !ParseString("**", false).IsAnyChars() || ParseString("", false).IsAnyChars() {
		t.Error("IsAnyChars")
	}
	if w := Plain("x").Wrap(true, true); show(w) != "<*>x<*>" {
		t.Errorf("Wrap = %s", show(w))
	}
	if w := ParseString("*x", false).Wrap(true, false); show(w) != "<*>x" {
		t.Errorf("Wrap keeps one star: %s", show(w))
	}
	if got := ParseString(`a\*b*`, false).String(); got != `a\*b*` {
		t.Errorf("String = %q", got)
	}
	if got := ParseString(`%A%-%B%`, true).Placeholders(); len(got) != 2 || got[0] != "A" || got[1] != "B" {
		t.Errorf("Placeholders = %v", got)
	}
}

func patterns(t *testing.T, key string, value string) []string {
	t.Helper()
	f := ParseFile([]byte("title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    " + key + ": '" + value + "'\n  condition: sel\n"))
	if len(f.Rules) != 1 || f.Rules[0].Detection == nil {
		t.Fatalf("no rule for %s: %v", key, f.Diagnostics)
	}
	it := f.Rules[0].Detection.Searches[0].Groups[0].Items[0]
	ps, err := it.Patterns(it.Values[0])
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	var out []string
	for _, p := range ps {
		out = append(out, show(p))
	}
	return out
}

func TestPatterns(t *testing.T) {
	tests := []struct {
		key, value string
		want       []string
	}{
		{"F", "x", []string{"x"}},
		{"F|contains", "x", []string{"<*>x<*>"}},
		{"F|contains", "*x", []string{"<*>x<*>"}},
		{"F|startswith", "x", []string{"x<*>"}},
		{"F|endswith", `\x.exe`, []string{`<*>\x.exe`}},
		{"F|re", `a.*b`, []string{`a.*b`}},
		{"F|base64", "cmd", []string{"Y21k"}},
		{"F|base64|contains", "cmd", []string{"<*>Y21k<*>"}},
		// pySigma's base64offset of "/bin/sh": the three alignments.
		{"F|base64offset|contains", "/bin/sh", []string{"<*>L2Jpbi9za<*>", "<*>9iaW4vc2<*>", "<*>vYmluL3No<*>"}},
		{"F|utf16le", "ab", []string{"a\x00b\x00"}},
		{"F|wide", "ab", []string{"a\x00b\x00"}},
		{"F|utf16be", "ab", []string{"\x00a\x00b"}},
		{"F|utf16", "ab", []string{"\xff\xfea\x00b\x00"}},
		{"F|wide|base64offset|contains", "ab", []string{"<*>YQBiA<*>", "<*>EAYg<*>", "<*>hAGIA<*>"}},
		{"F|windash", " -c ", []string{" -c ", " /c ", " \u2013c ", " \u2014c ", " \u2015c "}},
		{"F|windash", "a-b", []string{"a-b"}}, // not at a word start
		{"F|contains|windash", "-a -b", []string{"<*>-a -b<*>", "<*>-a /b<*>", "<*>-a \u2013b<*>", "<*>-a \u2014b<*>", "<*>-a \u2015b<*>",
			"<*>/a -b<*>", "<*>/a /b<*>", "<*>/a \u2013b<*>", "<*>/a \u2014b<*>", "<*>/a \u2015b<*>",
			"<*>\u2013a -b<*>", "<*>\u2013a /b<*>", "<*>\u2013a \u2013b<*>", "<*>\u2013a \u2014b<*>", "<*>\u2013a \u2015b<*>",
			"<*>\u2014a -b<*>", "<*>\u2014a /b<*>", "<*>\u2014a \u2013b<*>", "<*>\u2014a \u2014b<*>", "<*>\u2014a \u2015b<*>",
			"<*>\u2015a -b<*>", "<*>\u2015a /b<*>", "<*>\u2015a \u2013b<*>", "<*>\u2015a \u2014b<*>", "<*>\u2015a \u2015b<*>"}},
	}
	for _, tt := range tests {
		got := patterns(t, tt.key, tt.value)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: %q = %q, want %q", tt.key, tt.value, got, tt.want)
		}
	}
}

// TestBase64Offset checks the defining property: each variant appears in
// the encoding of the value behind 0, 1 and 2 bytes of other text.
func TestBase64Offset(t *testing.T) {
	for _, v := range []string{"a", "ab", "abc", "IEX (New-Object", "/bin/sh", "powershell -enc"} {
		variants := base64Offsets(v)
		for shift := 0; shift < 3; shift++ {
			for _, tail := range []string{"", "x", "yz", "tail!"} {
				enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("Q", shift) + v + tail))
				if !strings.Contains(enc, variants[shift]) {
					t.Errorf("base64offset(%q)[%d] = %q not in %q", v, shift, variants[shift], enc)
				}
			}
		}
	}
}

func TestPatternsErrors(t *testing.T) {
	f := ParseFile([]byte("title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    F|contains|base64: 'x'\n    G|windash: '-a -b -c -d -e -f'\n  condition: sel\n"))
	var msgs []string
	for _, d := range f.Rules[0].Diagnostics {
		msgs = append(msgs, d.String())
	}
	all := strings.Join(msgs, "\n")
	if !strings.Contains(all, "5:24: base64 cannot encode a value with wildcards") {
		t.Errorf("no base64 wildcard error: %s", all)
	}
	if !strings.Contains(all, "6:16: windash expands the value into more than 4096 variants") {
		t.Errorf("no windash limit error: %s", all)
	}
}
