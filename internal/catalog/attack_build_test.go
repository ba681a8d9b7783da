package catalog_test

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

// TestBuildSameAttackKeepsCatalog rebuilds a catalog with --attack naming
// the bundle the built-in data come from: the same data, so nothing is
// rebuilt; other ATT&CK data rebuild everything.
func TestBuildSameAttackKeepsCatalog(t *testing.T) {
	shared, err := attack.Load(sharedtest.Path(t, "attack"))
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "rules")
	out := t.TempDir()
	writeFile(t, src, "a.ruledoc.json", ruleJSON("Rule A", "x"))
	build := func(ac *attack.Catalog) *catalog.Report {
		t.Helper()
		_, rep, err := catalog.Build(catalog.Options{Sources: []string{src}, Out: out, Version: "test", Attack: ac})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if rep := build(nil); !rep.Full || !rep.Wrote {
		t.Fatalf("first build: %+v", rep)
	}
	if rep := build(shared); rep.Full || rep.Wrote || rep.Read != 0 {
		t.Fatalf("rebuild with the built-in bundle given as --attack %s: %+v (%s)", shared.Source, rep, rep.Why)
	}
	if rep := build(nil); rep.Full || rep.Wrote {
		t.Fatalf("rebuild with the built-in data again: %+v (%s)", rep, rep.Why)
	}
	// Other data (one technique renamed) rebuild the catalog.
	b, _ := json.Marshal(attack.Default())
	other, err := attack.FromJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	other.Techniques[0].Name += " (renamed)"
	if rep := build(other); !rep.Full || rep.Why != "the ATT&CK data changed" {
		t.Fatalf("rebuild with other ATT&CK data: %+v (%s)", rep, rep.Why)
	}
}

// TestBuildDurationIncludesWrite checks that the build duration stored in
// the catalog (shown on the home page) covers every phase, writing
// included, and is the one the built catalog carries.
func TestBuildDurationIncludesWrite(t *testing.T) {
	src := filepath.Join(t.TempDir(), "rules")
	out := t.TempDir()
	for _, name := range []string{"a", "b", "c"} {
		writeFile(t, src, name+".ruledoc.json", ruleJSON("Rule "+name, name))
	}
	c, rep, err := catalog.Build(catalog.Options{Sources: []string{src}, Out: out, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var phases time.Duration
	wrote := false
	for _, p := range rep.Phases {
		phases += p.Duration
		wrote = wrote || p.Name == "write"
	}
	if !wrote {
		t.Fatalf("no write phase: %+v", rep.Phases)
	}
	loaded, err := catalog.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Info.Duration < phases || loaded.Info.Duration > rep.Total {
		t.Errorf("stored duration %v, want from the sum of the phases %v (%+v) to the total %v", loaded.Info.Duration, phases, rep.Phases, rep.Total)
	}
	if c.Info.Duration != loaded.Info.Duration {
		t.Errorf("built catalog says %v, stored %v", c.Info.Duration, loaded.Info.Duration)
	}
	// A rebuild with nothing changed keeps the stored figure.
	c2, rep2, err := catalog.Build(catalog.Options{Sources: []string{src}, Out: out, Version: "test"})
	if err != nil || rep2.Wrote || c2.Info.Duration != loaded.Info.Duration {
		t.Errorf("unchanged rebuild: duration %v, want %v (%+v, %v)", c2.Info.Duration, loaded.Info.Duration, rep2, err)
	}
}
