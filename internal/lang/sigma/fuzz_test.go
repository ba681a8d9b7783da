package sigma

import (
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/source"
	yaml "go.yaml.in/yaml/v3"
)

// conditionSeeds are the conditions the parser tests use, and some of the
// corpus's shapes.
var conditionSeeds = []string{
	"selection",
	"selection and not filter",
	"a or b and c",
	"not not a",
	"(a or b) and c",
	"1 of selection*",
	"all of them",
	"any of sel*",
	"selection and not 1 of filter_main_* and not 1 of filter_optional_*",
	"selection_parent and\n(\n    1 of selection_generic_*\n)",
	"selection | count(TargetUserName) by IpAddress > 10",
	"selector | near dllload1 and dllload2 and not exclusion",
	"write TargetLogonId from selection1 (if not selection2) to list %x%; then if selection3 -> alert",
	"((a)",
	"a ) b",
	"2 of x* | sum(y) by a, b <= 3",
	"sélection or !x",
}

// FuzzParseCondition checks that the condition parser never panics, always
// returns a tree whose spans lie in the text, and that a condition without
// errors prints to text that parses to the same tree.
func FuzzParseCondition(f *testing.F) {
	for _, s := range conditionSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 4096 {
			t.Skip()
		}
		c := ParseCondition(text)
		if c.Expr == nil {
			t.Fatalf("%q: nil tree", text)
		}
		n := source.Pos(len(text))
		Inspect(c.Expr, func(x Expr) bool {
			if x.Pos() < 0 || x.End() > n || x.Pos() > x.End() {
				t.Fatalf("%q: %T span [%d,%d) outside the text", text, x, x.Pos(), x.End())
			}
			return true
		})
		for _, e := range c.Errors {
			if e.Pos < 0 || e.Pos > n {
				t.Fatalf("%q: error at %d outside the text: %s", text, e.Pos, e.Msg)
			}
		}
		if len(c.Errors) == 0 {
			again := ParseCondition(c.String())
			if len(again.Errors) > 0 || tree(again.Expr) != tree(c.Expr) {
				t.Fatalf("%q: printed %q parses to %s %v, want %s", text, c.String(), tree(again.Expr), again.Errors, tree(c.Expr))
			}
		}
	})
}

// itemSeeds are detection items: a key and its YAML value.
var itemSeeds = [][2]string{
	{"Image|endswith", `'\cmd.exe'`},
	{"CommandLine|contains|all", "[' /c ', whoami]"},
	{"CommandLine|contains|windash", "' -enc '"},
	{"CommandLine|base64offset|contains", "IEX (New"},
	{"CommandLine|wide|base64offset|contains", "ab"},
	{"Data|utf16be|base64", "cmd"},
	{"Pattern|re|i|m|s", `'^a.*\\b$'`},
	{"SourceIp|cidr", "[10.0.0.0/8, 'fe80::/10']"},
	{"Port|gte", "1024"},
	{"Hash|exists", "false"},
	{"User|fieldref|neq", "TargetUser"},
	{"Host|expand", "'%Servers%-\\%x'"},
	{"Name|cased", "Admin"},
	{"TimeCreated|hour|lt", "6"},
	{"Missing", "null"},
	{"Empty", "''"},
	{"|all", "[a, b]"},
	{"F", `'C:\\\*?*'`},
	{"F|unknown|i", "{a: b}"},
	{"F|windash", "'-a -b -c -d -e -f'"},
}

// FuzzDecodeItem checks the detection-item decoder on any key and any YAML
// value: it never panics, every string value prints in canonical notation
// that decodes to the same value, and value expansion stays bounded.
func FuzzDecodeItem(f *testing.F) {
	for _, s := range itemSeeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, key, value string) {
		if len(key) > 256 || len(value) > 4096 {
			t.Skip()
		}
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(value), &doc); err != nil || len(doc.Content) == 0 {
			return
		}
		text := key + ": " + value
		d := &decoder{text: text, lines: source.NewLineTable("", text)}
		k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: 1, Column: 1}
		it := d.item(k, resolve(doc.Content[0]))
		if it == nil {
			t.Fatal("nil item")
		}
		for _, v := range it.Values {
			if v.Type == ValueString && it.IsStringCompare() {
				esc := v.Str.Escaped(it.Expand)
				if again := ParseString(esc, it.Expand); !again.Equal(v.Str) {
					t.Fatalf("value %q: canonical %q decodes to %s, want %s", v.Raw, esc, show(again), show(v.Str))
				}
			}
			ps, err := it.Patterns(v)
			if err == nil && len(ps) > MaxExpansion {
				t.Fatalf("value %q expands to %d patterns", v.Raw, len(ps))
			}
		}
		for _, diag := range d.diags {
			if diag.Message == "" || diag.Code == "" || !strings.HasPrefix(diag.Code, "SIGMA") {
				t.Fatalf("bad diagnostic %+v", diag)
			}
		}
	})
}

// FuzzParseFile checks that whole files never make the decoder panic (it
// recovers internally, so a panic shows as a diagnostic) and that every
// diagnostic points inside the file.
func FuzzParseFile(f *testing.F) {
	f.Add(everyShape)
	f.Add("action: global\ntitle: t\n---\nlogsource: {product: x}\ndetection: {sel: {a: 1}, condition: sel}\n---\naction: repeat\ndetection: {sel: {a: 2}}\n")
	f.Add("title: c\ncorrelation:\n  type: temporal\n  rules: [a, b]\n  group-by: [x]\n  timespan: 5m\n")
	f.Add("title: f\nlogsource: {product: x}\nfilter:\n  rules: [a]\n  selection: {User|startswith: adm_}\n  condition: not selection\n")
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 1<<14 {
			t.Skip()
		}
		file := ParseFile([]byte(text))
		lines := strings.Count(text, "\n") + 1
		check := func(d source.Diagnostic) {
			if strings.Contains(d.Message, "internal error") {
				t.Fatalf("decoder panicked: %s", d.Message)
			}
			if d.Line < 0 || d.Line > lines {
				t.Fatalf("diagnostic line %d outside the file (%d lines): %s", d.Line, lines, d)
			}
		}
		for _, d := range file.Diagnostics {
			check(d)
		}
		for _, r := range file.Rules {
			for _, d := range r.Diagnostics {
				check(d)
			}
		}
	})
}
