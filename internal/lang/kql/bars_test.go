package kql

import "testing"

// TestPipeBarsWithNestedPipes checks that a pipeline nested inside an
// operator does not eat the bars of the pipeline around it.
func TestPipeBarsWithNestedPipes(t *testing.T) {
	src := "T | where A in~ ((U | project A)) | project A, B | where (V | count) > 0"
	script, errs := Parse(src)
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	var outer *PipeExpr
	Inspect(script, func(n Node) bool {
		if pe, ok := n.(*PipeExpr); ok && outer == nil {
			outer = pe
		}
		return true
	})
	if outer == nil {
		t.Fatal("no pipeline")
	}
	if len(outer.Bars) != len(outer.Ops) || len(outer.Ops) != 3 {
		t.Fatalf("ops = %d, bars = %d, want 3 and 3", len(outer.Ops), len(outer.Bars))
	}
	for i, bar := range outer.Bars {
		if src[bar] != '|' || bar >= outer.Ops[i].Pos() {
			t.Errorf("bar %d at %d (%q) is not the | before op at %d", i, bar, src[bar], outer.Ops[i].Pos())
		}
	}
}
