package attack

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

func TestNormalizeTechniqueID(t *testing.T) {
	tests := map[string]string{
		"T1055": "T1055", "t1055.002": "T1055.002", "T1055/002": "T1055.002",
		"attack.t1059.001": "T1059.001", " T1003 ": "T1003",
		"T10": "", "TA0005": "", "execution": "", "T1055.2": "", "T1055.": "",
	}
	for in, want := range tests {
		if got := NormalizeTechniqueID(in); got != want {
			t.Errorf("NormalizeTechniqueID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDefaultCatalog(t *testing.T) {
	c := Default()
	if c.Version != "18.1" {
		t.Errorf("version = %q", c.Version)
	}
	if len(c.Tactics) != 14 {
		t.Errorf("tactics = %d, want 14", len(c.Tactics))
	}
	if c.Tactics[0].ID != "TA0043" || c.Tactics[len(c.Tactics)-1].ID != "TA0040" {
		t.Errorf("tactics not in matrix order: first %s last %s", c.Tactics[0].ID, c.Tactics[len(c.Tactics)-1].ID)
	}
	te, ok := c.Technique("t1055/002")
	if !ok || c.FullName(te) != "Process Injection: Portable Executable Injection" {
		t.Errorf("T1055.002 = %+v", te)
	}
	for _, name := range []string{"DefenseEvasion", "defense-evasion", "Defense Evasion", "TA0005", "attack.defense_evasion"} {
		if ta, ok := c.Tactic(name); !ok || ta.ID != "TA0005" {
			t.Errorf("Tactic(%q) = %v", name, ta)
		}
	}
}

func TestMap(t *testing.T) {
	c := Default()
	got, problems := c.Map([]string{"T1055.002", "T1106", "T9999", "T1064"}, []string{"PrivilegeEscalation", "Execution", "Collection", "Bogus"})
	want := []rule.Attack{
		{TacticID: "TA0004", Tactic: "Privilege Escalation", TechniqueID: "T1055.002", Technique: "Process Injection: Portable Executable Injection"},
		{TacticID: "TA0002", Tactic: "Execution", TechniqueID: "T1106", Technique: "Native API"},
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("missing %+v in %+v", w, got)
		}
	}
	last := got[len(got)-1]
	if last.TacticID != "TA0009" || last.TechniqueID != "" {
		t.Errorf("tactic without technique not listed last: %+v", got)
	}
	if len(problems) != 3 { // T9999 unknown, T1064 revoked/deprecated, Bogus unknown
		t.Errorf("problems = %q", problems)
	}
}

func TestLoadBundleMatchesEmbedded(t *testing.T) {
	path := sharedtest.Path(t, "attack", "enterprise-attack", "enterprise-attack-18.1.reconstructed-stix2.0.json")
	c, err := LoadBundle(path)
	if err != nil {
		t.Fatal(err)
	}
	d := Default()
	if len(c.Techniques) != len(d.Techniques) || len(c.Tactics) != len(d.Tactics) {
		t.Fatalf("bundle has %d techniques/%d tactics, embedded %d/%d: run go generate ./internal/attack",
			len(c.Techniques), len(c.Tactics), len(d.Techniques), len(d.Tactics))
	}
	for i := range c.Techniques {
		if c.Techniques[i].ID != d.Techniques[i].ID || c.Techniques[i].Name != d.Techniques[i].Name {
			t.Fatalf("technique %d differs: %+v vs %+v", i, c.Techniques[i], d.Techniques[i])
		}
	}
}

// TestReadBundleSTIX21 reads a STIX 2.1 bundle (the layout of
// mitre-attack/attack-stix-data: spec_version on every object, none on the
// bundle): tactics in matrix order with the names the bundle gives (a
// renamed tactic keeps its id), sub-technique names, and revoked and
// deprecated techniques reported by Map.
func TestReadBundleSTIX21(t *testing.T) {
	c, err := LoadBundle(filepath.Join("testdata", "stix21-bundle.json"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != "99.1" || len(c.Tactics) != 2 || c.Tactics[0].ID != "TA0002" || c.Tactics[1].Name != "Stealth" {
		t.Fatalf("version %q tactics %+v", c.Version, c.Tactics)
	}
	for _, name := range []string{"TA0005", "Stealth", "stealth"} {
		if ta, ok := c.Tactic(name); !ok || ta.ID != "TA0005" {
			t.Errorf("Tactic(%q) = %v, %v", name, ta, ok)
		}
	}
	got, problems := c.Map([]string{"T1059.001", "T1085", "T1064"}, []string{"Execution"})
	want := []rule.Attack{
		{TacticID: "TA0002", Tactic: "Execution", TechniqueID: "T1059.001", Technique: "Command and Scripting Interpreter: PowerShell"},
		{TechniqueID: "T1085", Technique: "Rundll32"},
		{TacticID: "TA0002", Tactic: "Execution", TechniqueID: "T1064", Technique: "Scripting"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Map = %+v\nwant %+v", got, want)
	}
	wantProblems := []string{
		"ATT&CK technique T1085 (Rundll32) is revoked; use T1218.011",
		"ATT&CK technique T1064 (Scripting) is deprecated",
	}
	if !slices.Equal(problems, wantProblems) {
		t.Errorf("problems = %q\nwant %q", problems, wantProblems)
	}
}
