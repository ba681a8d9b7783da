package python

import "testing"

// roundTrip checks that a module parsed without errors prints to text that
// parses to the same tree.
func roundTrip(t testing.TB, name, src string, mod *Module) {
	t.Helper()
	printed := Print(mod)
	mod2, errs := Parse(printed)
	if len(errs) > 0 {
		t.Fatalf("%s: printed text does not parse: %v\n%s", name, errs[0], printed)
	}
	if a, b := dump(mod), dump(mod2); a != b {
		t.Fatalf("%s: round trip changed the tree\nsource:\n%s\nprinted:\n%s", name, src, printed)
	}
}

func TestCorpusRoundTrip(t *testing.T) {
	for path, src := range corpusFiles(t) {
		mod, errs := Parse(src)
		if len(errs) > 0 {
			continue
		}
		roundTrip(t, path, src, mod)
	}
}
