package source

import "testing"

func TestLineTable(t *testing.T) {
	text := "let a = 1;\nT\n| where x\n"
	lt := NewLineTable("q.kql", text)
	tests := []struct {
		off        Pos
		line, col  int
		wantString string
	}{
		{0, 1, 1, "q.kql:1:1"},
		{11, 2, 1, "q.kql:2:1"},
		{15, 3, 3, "q.kql:3:3"},
		{1000, 4, 1, "q.kql:4:1"},
	}
	for _, tt := range tests {
		p := lt.Position(tt.off)
		if p.Line != tt.line || p.Column != tt.col || p.String() != tt.wantString {
			t.Errorf("Position(%d) = %+v %s, want %d:%d", tt.off, p, p, tt.line, tt.col)
		}
	}
	if lt.LineCount() != 4 || lt.LineStart(3) != 13 || lt.LineStart(9) != NoPos {
		t.Errorf("line starts wrong: %d %d", lt.LineCount(), lt.LineStart(3))
	}
}

func TestOriginMap(t *testing.T) {
	o := Origin{Line: 10, Col: 3, Indent: 2}
	if l, c := o.Map(1, 5); l != 10 || c != 7 {
		t.Errorf("first line -> %d:%d", l, c)
	}
	if l, c := o.Map(3, 1); l != 12 || c != 3 {
		t.Errorf("third line -> %d:%d", l, c)
	}
	if l, c := (Origin{}).Map(4, 2); l != 4 || c != 2 {
		t.Errorf("zero origin -> %d:%d", l, c)
	}
	d := Diagnostic{Severity: Error, Message: "Expected: )", Line: 2, Col: 4, Code: "KQL1001"}.Relocate("rule.yaml", o)
	if got := d.String(); got != "rule.yaml:11:6: Expected: ) [KQL1001]" {
		t.Errorf("relocated = %s", got)
	}
}

func TestSnippet(t *testing.T) {
	text := "T\n| where (a\n"
	got := Snippet(text, Diagnostic{Line: 2, Col: 9, EndLine: 2, EndCol: 11})
	want := "| where (a\n        ^~"
	if got != want {
		t.Errorf("Snippet = %q, want %q", got, want)
	}
	if Snippet(text, Diagnostic{}) != "" {
		t.Error("snippet without a line")
	}
}
