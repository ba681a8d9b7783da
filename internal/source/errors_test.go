package source

import (
	"reflect"
	"testing"
)

func TestErrorList(t *testing.T) {
	var l ErrorList
	if l.Err() != nil || l.Diagnostics("x") != nil {
		t.Fatal("an empty list is no error and has no diagnostics")
	}
	text := "a = (\nb c\n"
	l.Add(8, 9, "X1002", "unexpected c")
	l.Add(4, 2, "X1001", "missing )") // end before pos is taken as pos
	l.Sort()
	if l[0].Code != "X1001" || l[0].End != 4 {
		t.Errorf("sorted first = %+v", *l[0])
	}
	if got, want := l.Err().Error(), "offset 4: missing ) (and 1 more errors)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	want := []Diagnostic{
		{Code: "X1001", Severity: Warning, Message: "missing )", Line: 1, Col: 5},
		{Code: "X1002", Severity: Warning, Message: "unexpected c", Line: 2, Col: 3, EndLine: 2, EndCol: 4},
	}
	if got := l.DiagnosticsAs(text, Warning); !reflect.DeepEqual(got, want) {
		t.Errorf("DiagnosticsAs = %+v, want %+v", got, want)
	}
	if got := l.Diagnostics(text); got[1].Severity != Error || got[1].Line != 2 {
		t.Errorf("Diagnostics = %+v", got)
	}
}

func TestErrorListRelated(t *testing.T) {
	// The '(' at offset 8 (line 2, col 3) is never closed; the error is at
	// the end of the text.
	text := "a and\n  (b or c"
	var l ErrorList
	l.AddRelated(15, 15, Span{Start: 8, End: 9}, "X1003", "expected ')', found end of source, to close the '('")
	if got, want := l.Err().Error(), "offset 15: expected ')', found end of source, to close the '(' at offset 8"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	ds := l.Diagnostics(text)
	want := Diagnostic{Code: "X1003", Severity: Error, Message: "expected ')', found end of source, to close the '(' at 2:3",
		Line: 2, Col: 10, RelatedLine: 2, RelatedCol: 3}
	if len(ds) != 1 || ds[0] != want {
		t.Fatalf("Diagnostics = %+v, want %+v", ds, want)
	}
	// The text is a YAML block scalar starting at line 7, indented by 4.
	got := ds[0].Relocate("r.yml", Origin{Line: 7, Col: 5, Indent: 4})
	want = Diagnostic{Code: "X1003", Severity: Error, Message: "expected ')', found end of source, to close the '(' at 8:7",
		Path: "r.yml", Line: 8, Col: 14, RelatedLine: 8, RelatedCol: 7}
	if got != want {
		t.Errorf("Relocate = %+v, want %+v", got, want)
	}
	// An error without a related place keeps its message as written.
	var plain ErrorList
	plain.Add(0, 1, "X1", "unexpected a")
	if d := plain.Diagnostics(text)[0]; d.Message != "unexpected a" || d.RelatedLine != 0 {
		t.Errorf("plain = %+v", d)
	}
}
