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
