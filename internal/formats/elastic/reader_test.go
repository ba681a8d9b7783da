package elastic

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// readFixture reads testdata/<rel> with the reader that detects it.
func readFixture(t *testing.T, rel string) *rule.Document {
	t.Helper()
	abs := filepath.Join("testdata", filepath.FromSlash(rel))
	data, err := os.ReadFile(abs)
	if err != nil {
		t.Fatal(err)
	}
	f := &formats.File{Repo: "testdata", Root: "testdata", Path: rel, Abs: abs, Data: data}
	r := readerFor(f)
	if r == nil {
		t.Fatalf("%s: no reader detects it", rel)
	}
	docs := formats.ReadFile(r, f, &formats.Env{Attack: attack.Default()})
	if len(docs) != 1 {
		t.Fatalf("%s: %d documents", rel, len(docs))
	}
	return docs[0]
}

func diagnosticsText(d *rule.Document) string {
	var out []string
	for _, dg := range d.Analysis.Diagnostics {
		out = append(out, dg.String())
	}
	return strings.Join(out, "\n")
}

func TestDetect(t *testing.T) {
	for _, tt := range []struct {
		path, data string
		rule, hunt bool
	}{
		{"a.toml", "[metadata]\nx = 1\n[rule]\nname = 'x'\n", true, false},
		{"a.toml", "[rule]\n", true, false},
		{"a.toml", "[hunt]\nname = 'x'\n", false, true},
		{"a.toml", "[tool]\nrule = 1\n", false, false},
		{"a.yaml", "[rule]\n", false, false},
		{"a.toml", "x = '[rule]'\n", false, false},
	} {
		f := &formats.File{Path: tt.path, Data: []byte(tt.data)}
		if got := New().Detect(f); got != tt.rule {
			t.Errorf("rule Detect(%q, %q) = %v", tt.path, tt.data, got)
		}
		if got := NewHunt().Detect(f); got != tt.hunt {
			t.Errorf("hunt Detect(%q, %q) = %v", tt.path, tt.data, got)
		}
	}
}

func TestBadTOML(t *testing.T) {
	d := readFixture(t, "rules/bad_toml.toml")
	if d.ID != "elastic/bad_toml" || d.Title != "bad_toml" || d.Format != FormatRule || d.Body == "" {
		t.Errorf("stub = %+v", d)
	}
	if len(d.Analysis.Diagnostics) != 1 {
		t.Fatalf("diagnostics:\n%s", diagnosticsText(d))
	}
	dg := d.Analysis.Diagnostics[0]
	if dg.Code != CodeTOML || !dg.IsError() || dg.Line != 6 || dg.Path != "rules/bad_toml.toml" {
		t.Errorf("diagnostic = %s", dg)
	}
}

func TestWrongTypes(t *testing.T) {
	d := readFixture(t, "rules/wrong_types.toml")
	got := diagnosticsText(d)
	for _, want := range []string{"rule.name should be a string, found an array", "rule.tags should be an array of strings, found an integer"} {
		if !strings.Contains(got, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, got)
		}
	}
	// What could be read is kept.
	if d.Title != "wrong_types" || d.Author != "Someone" || strings.Join(d.Tags, ",") != "OS: Linux" || strings.Join(d.Platforms, ",") != "linux" {
		t.Errorf("document = %+v", d)
	}
	if strings.Join(d.DataSources, ",") != "logs-*,endpoint" {
		t.Errorf("data sources = %v", d.DataSources)
	}
	if facts(d.Analysis) != "+process.name eq sh [cased]\n-user.name eq root [cased]" {
		t.Errorf("facts:\n%s", facts(d.Analysis))
	}
	// The query is a single-line literal string: positions are exact.
	if d.QueryOrigin != (source.Origin{Line: 16, Col: 10}) {
		t.Errorf("origin = %+v", d.QueryOrigin)
	}
}

func TestNoQueryAndUnknownLanguage(t *testing.T) {
	d := readFixture(t, "rules/no_query.toml")
	if !strings.Contains(diagnosticsText(d), "query rule without a query [READ0704]") {
		t.Errorf("no_query:\n%s", diagnosticsText(d))
	}
	d = readFixture(t, "rules/unknown_language.toml")
	if !strings.Contains(diagnosticsText(d), `unknown query language "sql"`) || d.QueryLanguage != "sql" || len(d.Analysis.Stages) != 0 {
		t.Errorf("unknown_language: %s %+v", diagnosticsText(d), d.Analysis.Stages)
	}
}

func TestEQLErrorAtFilePosition(t *testing.T) {
	d := readFixture(t, "rules/eql_error.toml")
	// The query starts on line 25 (after the ''' and its newline); the
	// error is at the end of its line 4 (file line 28).
	if d.QueryOrigin != (source.Origin{Line: 25, Col: 1}) {
		t.Errorf("origin = %+v (a line that looks like a key inside the note must not be taken for one)", d.QueryOrigin)
	}
	var errs []source.Diagnostic
	for _, dg := range d.Analysis.Diagnostics {
		if dg.IsError() {
			errs = append(errs, dg)
		}
	}
	if len(errs) == 0 || errs[0].Line != 28 || errs[0].Code != "EQL1002" || errs[0].Path != "rules/eql_error.toml" {
		t.Fatalf("errors:\n%s", diagnosticsText(d))
	}
	lines := strings.Split(d.Body, "\n")
	if errs[0].Line > len(lines) {
		t.Fatalf("line %d past the end", errs[0].Line)
	}
	// The partial tree is still explained.
	if !strings.Contains(facts(d.Analysis), "+process.name eq cmd.exe") {
		t.Errorf("facts:\n%s", facts(d.Analysis))
	}
	if d.Author != "Someone, Someone Else" || d.Created != "2024-01-05" || d.Modified != "2024-02-05" || d.TimeWindow != "9m" {
		t.Errorf("metadata = %q %q %q %q", d.Author, d.Created, d.Modified, d.TimeWindow)
	}
	var att []string
	for _, a := range d.Attack {
		att = append(att, a.TacticID+"/"+a.TechniqueID)
	}
	if strings.Join(att, ",") != "TA0002/T1059,TA0002/T1059.003" {
		t.Errorf("attack = %v", att)
	}
	if len(d.Sections) != 1 || d.Sections[0].Title != "Investigation guide" {
		t.Errorf("sections = %+v", d.Sections)
	}
}

func TestESQLInlineStringAndDeprecatedFolder(t *testing.T) {
	d := readFixture(t, "rules/_deprecated/esql_inline.toml")
	if !d.Deprecated || d.QueryLanguage != LangESQL {
		t.Errorf("deprecated = %v, language = %q", d.Deprecated, d.QueryLanguage)
	}
	// `=` where `==` is meant: the error is shown at its column in the file.
	var found bool
	for _, dg := range d.Analysis.Diagnostics {
		if dg.Code == "ESQL1002" && dg.Line == 13 && dg.Col == 32 {
			found = true
		}
	}
	if !found {
		t.Errorf("diagnostics:\n%s", diagnosticsText(d))
	}
	if strings.Join(d.DataSources, ",") != "logs-*" {
		t.Errorf("data sources = %v", d.DataSources)
	}
}

func TestHuntFixture(t *testing.T) {
	d := readFixture(t, "hunting/linux/queries/fenced.toml")
	if d.Format != FormatHunt || d.Kind != "hunting" || d.QueryLanguage != LangESQL {
		t.Errorf("hunt = %s %s %s", d.Format, d.Kind, d.QueryLanguage)
	}
	if strings.HasPrefix(d.Query, "sql") || !strings.HasPrefix(d.Query, "from logs-endpoint") {
		t.Errorf("query = %q", d.Query)
	}
	got := diagnosticsText(d)
	if !strings.Contains(got, `hunting/linux/queries/fenced.toml:12:4: warning: the query starts with a stray "sql" line`) {
		t.Errorf("diagnostics:\n%s", got)
	}
	if strings.Contains(got, "ATT&CK") {
		t.Errorf("ATLAS ids must not be looked up in ATT&CK:\n%s", got)
	}
	if atlas, _ := d.Extra["mitre_atlas"].([]string); len(atlas) != 1 || atlas[0] != "AML.T0051" {
		t.Errorf("extra = %+v", d.Extra)
	}
	if len(d.Variants) != 1 || d.Variants[0].QueryLanguage != LangSQL || d.Variants[0].Name != "query-2" {
		t.Errorf("variants = %+v", d.Variants)
	}
	if d.QueryOrigin.Line != 13 {
		t.Errorf("origin = %+v", d.QueryOrigin)
	}
	if strings.Join(d.GroupBy, ",") != "host.id" || strings.Join(d.Platforms, ",") != "linux" || len(d.Sections) != 1 {
		t.Errorf("group_by %v platforms %v sections %+v", d.GroupBy, d.Platforms, d.Sections)
	}
	if strings.Join(d.DataSources, ",") != "logs-endpoint.events.process-*,endpoint" {
		t.Errorf("data sources = %v", d.DataSources)
	}
}

func TestLocateStrings(t *testing.T) {
	text := "[rule]\n# query = 'comment'\nnote = \"\"\"\nquery = 'inside'\n[hunt]\n\"\"\"\nquery = \"\"\"\nabc\"\"\"\n\n[hunt]\nquery = [ 'one', # c\n  '''\ntwo''', \"three\" ]\n"
	got := locateStrings(text, "rule", "query")
	if len(got) != 1 || got[0].Line != 8 || got[0].Col != 1 || got[0].Delim != `"""` {
		t.Errorf("rule.query = %+v", got)
	}
	got = locateStrings(text, "hunt", "query")
	if len(got) != 3 || got[0].Line != 11 || got[0].Col != 12 || got[1].Line != 13 || got[1].Col != 1 || got[2].Line != 13 || got[2].Col != 10 {
		t.Errorf("hunt.query = %+v", got)
	}
	if got := locateStrings(text, "rule", "missing"); got != nil {
		t.Errorf("missing = %+v", got)
	}
}

// TestAttackWarningPositions: an unknown or revoked ATT&CK id is reported at
// the place the file writes it, in a rule's [[rule.threat]] tables and in a
// hunt's mitre list.
func TestAttackWarningPositions(t *testing.T) {
	ruleText := `[metadata]
creation_date = "2024/01/01"

[rule]
name = "x"
language = "kuery"
type = "query"
query = "process.name : x"

[[rule.threat]]
framework = "MITRE ATT&CK"
[[rule.threat.technique]]
id = "T1055"
name = "Process Injection"
[[rule.threat.technique.subtechnique]]
id = "T1574.002"
name = "DLL Side-Loading"

[rule.threat.tactic]
id = "TA9999"
name = "Nope"
`
	huntText := "[hunt]\nname = \"h\"\nlanguage = [\"ES|QL\"]\nquery = ['''from logs-*''']\nmitre = [\"T1055\",  \"T1660\"]\n"
	for _, tt := range []struct {
		r        formats.Reader
		path     string
		text     string
		want     map[string][2]int // message part -> line, col
		wantDocs int
	}{
		{New(), "r.toml", ruleText, map[string][2]int{"T1574.002": {16, 7}, "TA9999": {20, 7}}, 1},
		{NewHunt(), "hunting/x/queries/h.toml", huntText, map[string][2]int{"T1660": {5, 21}}, 1},
	} {
		docs := formats.ReadFile(tt.r, &formats.File{Path: tt.path, Data: []byte(tt.text)}, &formats.Env{Attack: attack.Default()})
		if len(docs) != tt.wantDocs {
			t.Fatalf("%s: %d documents", tt.path, len(docs))
		}
		found := 0
		for _, dg := range docs[0].Analysis.Diagnostics {
			if dg.Code != CodeAttack {
				continue
			}
			for part, pos := range tt.want {
				if strings.Contains(dg.Message, part) {
					found++
					if dg.Line != pos[0] || dg.Col != pos[1] {
						t.Errorf("%s: %q at %d:%d, want %d:%d", tt.path, dg.Message, dg.Line, dg.Col, pos[0], pos[1])
					}
				}
			}
		}
		if found != len(tt.want) {
			t.Errorf("%s: %d of %d ATT&CK warnings found: %v", tt.path, found, len(tt.want), docs[0].Analysis.Diagnostics)
		}
	}
}

// TestBasicStringPositions: a query written as a TOML basic string with
// escape sequences ("...\n...", \u00e9, a line-ending backslash) decodes to
// other lines and columns than the file has; its errors are still shown
// where the offending text is in the file (they used to land on lines past
// the end of the file).
func TestBasicStringPositions(t *testing.T) {
	for _, tt := range []struct {
		name, reader, file string
		line, col          int // of the first error
	}{
		{"escaped line breaks", "rule", "[rule]\ntype = \"eql\"\nlanguage = \"eql\"\nquery = \"process where\\n\\n\\n  a == )\"\n", 4, 36},
		{"unicode escape before the error", "rule", "[rule]\ntype = \"eql\"\nquery = \"process where a : \\\"\\u00e9\\\" and b == )\"\n", 3, 48},
		{"multi-line with a line-ending backslash", "rule", "[rule]\ntype = \"eql\"\nquery = \"\"\"\nprocess where \\\n    a : \"\\u00e9\" and\n  b == )\"\"\"\n", 6, 8},
		{"threat query", "rule", "[rule]\ntype = \"threat_match\"\nquery = 'a : 1'\nthreat_index = ['x']\nthreat_query = \"a : 1\\nand (b : 2\"\n", 5, 34},
		{"hunt with a fence line", "hunt", "[hunt]\nname = \"h\"\nlanguage = [\"ES|QL\"]\nquery = [\"sql\\nfrom a\\n| where x = 1\"]\n", 4, 34},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := New()
			if tt.reader == "hunt" {
				r = NewHunt()
			}
			f := &formats.File{Repo: "r", Root: "/r", Path: "x.toml", Abs: "/r/x.toml", Data: []byte(tt.file)}
			docs := r.Read(f, &formats.Env{Attack: attack.Default()})
			var first *source.Diagnostic
			for i, dg := range docs[0].Analysis.Diagnostics {
				if dg.IsError() {
					first = &docs[0].Analysis.Diagnostics[i]
					break
				}
			}
			if first == nil || first.Line != tt.line || first.Col != tt.col || first.Path != "x.toml" {
				t.Fatalf("want the first error at %d:%d; diagnostics:\n%s", tt.line, tt.col, diagnosticsText(docs[0]))
			}
			// The error points at the offending character of the file (the
			// closing quote when the query ends too early).
			line := strings.Split(tt.file, "\n")[first.Line-1]
			if first.Col > len(line) || !strings.ContainsAny(line[first.Col-1:first.Col], `)="`) {
				t.Errorf("%d:%d is not the offending text in %q", first.Line, first.Col, line)
			}
		})
	}
}
