package attack

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/sharedtest"
)

func TestVersionFromName(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"enterprise-attack-18.1.reconstructed-stix2.0.json", "18.1"},
		{"enterprise-attack-17.0.json", "17.0"},
		{"enterprise-attack.json", ""},
		{"enterprise-attack-v9.json", ""},
		{"enterprise-attack-stix2.0.json", "2.0"},
		{"enterprise-attack-.5.json", ""},
	} {
		if got := versionFromName(tc.name); got != tc.want {
			t.Errorf("versionFromName(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestFindBundle finds the one bundle of a folder, or says why not.
func TestFindBundle(t *testing.T) {
	bundle, err := os.ReadFile("testdata/stix21-bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	write := func(t *testing.T, path string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, bundle, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		files []string
		want  string // the file found, or a part of the error
	}{
		{"in the folder", []string{"enterprise-attack.json", "mobile-attack.json", "README.md"}, "enterprise-attack.json"},
		{"one level down", []string{"enterprise-attack/enterprise-attack-18.1.json", "ics-attack/ics-attack.json"}, "enterprise-attack/enterprise-attack-18.1.json"},
		{"two levels down", []string{"cti/enterprise-attack/Enterprise-Attack.json"}, "cti/enterprise-attack/Enterprise-Attack.json"},
		{"three levels down", []string{"a/b/c/enterprise-attack.json"}, "error: no Enterprise ATT&CK STIX bundle"},
		{"hidden folder", []string{".git/enterprise-attack.json"}, "error: no Enterprise ATT&CK STIX bundle"},
		{"none", []string{"mobile-attack.json"}, "error: no Enterprise ATT&CK STIX bundle"},
		{"several", []string{"enterprise-attack/enterprise-attack.json", "enterprise-attack/enterprise-attack-17.0.json"}, "error: 2 Enterprise ATT&CK STIX bundles, name the one to use"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.files {
				write(t, filepath.Join(dir, filepath.FromSlash(f)))
			}
			got, err := FindBundle(dir)
			if want, ok := strings.CutPrefix(tc.want, "error: "); ok {
				if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), dir) {
					t.Fatalf("FindBundle = %q, %v; want an error naming the folder: %s", got, err, want)
				}
				return
			}
			if err != nil || got != filepath.Join(dir, filepath.FromSlash(tc.want)) {
				t.Fatalf("FindBundle = %q, %v; want %s", got, err, tc.want)
			}
			c, err := Load(dir)
			if err != nil || len(c.Techniques) == 0 || c.Source != got {
				t.Fatalf("Load(folder) = %+v, %v", c, err)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Load of a missing path: no error")
	}
}

// TestLoadFolderMatchesEmbedded loads the shared ATT&CK folder: the bundle
// in it is the one the embedded data comes from, so the data are the same,
// version included (a STIX 2.0 bundle names it only in its file name).
func TestLoadFolderMatchesEmbedded(t *testing.T) {
	c, err := Load(sharedtest.Path(t, "attack"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != Default().Version || !c.SameData(Default()) {
		t.Fatalf("ATT&CK %q from %s differs from the embedded %q (%s)", c.Version, c.Source, Default().Version, Default().Source)
	}
	other := *c
	other.Version = "17.0"
	if c.SameData(&other) {
		t.Error("SameData ignores the version")
	}
}
