package kql

import (
	"strings"
	"testing"
)

func TestParseBasic(t *testing.T) {
	src := "let x = 1h; // recent\nSecurityEvent\n| where TimeGenerated > ago(x) and EventID == 4688\n| project Computer, CommandLine"
	s, errs := Parse(src)
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if len(s.Statements) != 2 || len(s.Comments) != 1 || s.Comments[0].Text != "// recent" {
		t.Fatalf("statements %d comments %v", len(s.Statements), s.Comments)
	}
	pipe, ok := s.Query().(*PipeExpr)
	if !ok || len(pipe.Ops) != 2 || pipe.Ops[0].Name() != "where" || pipe.Ops[1].Name() != "project" {
		t.Fatalf("query = %#v", s.Query())
	}
	if got := Text(src, pipe.Ops[0].(*WhereOp).Pred); got != "TimeGenerated > ago(x) and EventID == 4688" {
		t.Errorf("Text = %q", got)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ src, msg string }{
		{"T | where (x", "Expected: )"},
		{"T | where", "Missing expression"},
		{"T | foo", "Query operator expected."},
		{`T | where x == "C:\Windows"`, `Missing: "`},
	}
	for _, tt := range tests {
		_, errs := Parse(tt.src)
		if len(errs) == 0 || !strings.Contains(errs[0].Msg, tt.msg) {
			t.Errorf("Parse(%q) errors = %v, want %q", tt.src, errs, tt.msg)
		}
	}
}
