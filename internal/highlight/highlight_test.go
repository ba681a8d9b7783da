package highlight

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func classes(text, lang string) map[string]string {
	out := map[string]string{}
	for _, t := range Tokens(text, lang) {
		if t.Class != Plain {
			out[strings.TrimSpace(text[t.Start:t.End])] = t.Class
		}
	}
	return out
}

func TestTokens(t *testing.T) {
	tests := []struct {
		lang, text string
		want       map[string]string
	}{
		{"kql", "let x = 2*1h;\nDeviceEvents // c\n| where A =~ \"mmc.exe\" and B in~ (@'C:\\x')\n| project-away Z",
			map[string]string{"let": Keyword, "where": Keyword, `"mmc.exe"`: String, "// c": Comment, "and": Keyword, "in~": Keyword, `@'C:\x'`: String, "project-away": Keyword, "2": Number}},
		{"spl", "| tstats `summariesonly` count from datamodel=Endpoint.Processes where Processes.x=\"a\" ```note``` $tok$",
			map[string]string{"tstats": Keyword, "`summariesonly`": String, `"a"`: String, "```note```": Comment, "$tok$": Variable}},
		{"yaral", "$e.metadata.event_type = \"PROCESS_LAUNCH\"\n$e.path = /\\\\mmc\\.exe$/ nocase\n// x",
			map[string]string{"$e.metadata.event_type": Variable, `"PROCESS_LAUNCH"`: String, `/\\mmc\.exe$/`: Regex, "nocase": Keyword, "// x": Comment}},
		{"yaml", "title: X # c\ndetection:\n  sel|endswith: '\\mmc.exe'\n  condition: sel",
			map[string]string{"title": Key, "# c": Comment, "detection": Key, "sel|endswith": Key, `'\mmc.exe'`: String}},
		{"toml", "[rule]\nquery = '''\nprocess where true\n'''\nname = \"x\"",
			map[string]string{"[rule]": Key, "query": Key, "'''\nprocess where true\n'''": String, "name": Key}},
		{"python", "def rule(event):\n    return event.get(\"x\") == 'y'  # c",
			map[string]string{"def": Keyword, "return": Keyword, `"x"`: String, "'y'": String, "# c": Comment}},
		{"esql", "FROM logs-* | WHERE process.name == \"x\" | STATS count() BY host",
			map[string]string{"FROM": Keyword, "WHERE": Keyword, "STATS": Keyword, "BY": Keyword, `"x"`: String}},
		{"markdown", "# Title\ntext\n```\ncode\n```\n", map[string]string{"# Title": Key, "code": String}},
	}
	for _, tt := range tests {
		got := classes(tt.text, tt.lang)
		for tok, class := range tt.want {
			if got[tok] != class {
				t.Errorf("%s: %q is %q, want %q (all: %v)", tt.lang, tok, got[tok], class, got)
			}
		}
	}
}

var tagRE = regexp.MustCompile(`</?i[^>]*>`)

// unhighlight undoes HTML: strips the spans and unescapes.
func unhighlight(s string) string { return html.UnescapeString(tagRE.ReplaceAllString(s, "")) }

func TestHTMLEscapesEverything(t *testing.T) {
	in := `<script>alert("x")</script> "><img src=x onerror=alert(1)> & '`
	for _, lang := range append(Languages(), "unknown") {
		out := string(HTML(in, lang))
		if strings.Contains(out, "<script") || strings.Contains(out, "<img") {
			t.Errorf("%s: unescaped markup: %s", lang, out)
		}
		if got := unhighlight(out); got != in {
			t.Errorf("%s: round trip %q", lang, got)
		}
	}
}

func TestLinesKeepLineCount(t *testing.T) {
	text := "a /* multi\nline */ b\n\"str\nx\"\n"
	lines := Lines(text, "eql")
	if len(lines) != 5 {
		t.Fatalf("lines = %d: %q", len(lines), lines)
	}
	for i, l := range lines {
		if strings.Count(string(l), "<i ") != strings.Count(string(l), "</i>") {
			t.Errorf("line %d has unbalanced spans: %s", i+1, l)
		}
	}
}

func FuzzHighlight(f *testing.F) {
	for _, s := range []string{"let x = dynamic([\"a\"]);\nT | where x has 'y' // c", "$e.x = /a\\/b/ nocase", "```unterminated", "'''", "a: 'b' # c", "\xff\x00<", "[x]\nk = \"v\""} {
		f.Add(s, "kql")
		f.Add(s, "yaml")
	}
	f.Fuzz(func(t *testing.T, text, lang string) {
		if len(text) > 1<<16 {
			return
		}
		toks := Tokens(text, lang)
		pos := 0
		for _, tok := range toks {
			if tok.Start != pos || tok.End <= tok.Start || tok.End > len(text) {
				t.Fatalf("token %+v at %d of %d bytes", tok, pos, len(text))
			}
			pos = tok.End
		}
		if pos != len(text) {
			t.Fatalf("tokens end at %d of %d", pos, len(text))
		}
		out := string(HTML(text, lang))
		if strings.ContainsAny(tagRE.ReplaceAllString(out, ""), "<>\"'") {
			t.Fatalf("unescaped output %q", out)
		}
		if utf8.ValidString(text) && !strings.ContainsRune(text, 0) && !strings.Contains(text, "\r") {
			if got := unhighlight(out); got != text {
				t.Fatalf("round trip %q != %q", got, text)
			}
		}
	})
}
