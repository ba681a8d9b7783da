package attack

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// bundleSearchDepth is how many folders deep FindBundle looks: the bundle
// itself (depth 0), a folder holding it, and the folder above (mitre/cti
// and mitre-attack/attack-stix-data keep it in enterprise-attack/).
const bundleSearchDepth = 2

// Load reads the ATT&CK Enterprise data at path: a STIX bundle, or a folder
// holding exactly one (see FindBundle).
func Load(path string) (*Catalog, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		if path, err = FindBundle(path); err != nil {
			return nil, err
		}
	}
	return LoadBundle(path)
}

// FindBundle returns the Enterprise ATT&CK STIX bundle in a folder: the one
// file named enterprise-attack*.json (as MITRE names them, e.g.
// enterprise-attack.json or enterprise-attack-18.1.json) in the folder or
// in its subfolders up to two levels down. It is an error when there is
// none or more than one.
func FindBundle(dir string) (string, error) {
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return err
			}
			return nil // an unreadable subfolder holds no bundle we can use
		}
		rel, _ := filepath.Rel(dir, path)
		depth := strings.Count(filepath.ToSlash(rel), "/")
		if d.IsDir() {
			if path != dir && (strings.HasPrefix(d.Name(), ".") || depth >= bundleSearchDepth) {
				return filepath.SkipDir
			}
			return nil
		}
		if isBundleName(d.Name()) && d.Type().IsRegular() {
			found = append(found, path)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("%s: no Enterprise ATT&CK STIX bundle (enterprise-attack*.json) in this folder or the two below it", dir)
	case 1:
		return found[0], nil
	}
	slices.Sort(found)
	return "", fmt.Errorf("%s: %d Enterprise ATT&CK STIX bundles, name the one to use: %s", dir, len(found), strings.Join(found, ", "))
}

// isBundleName reports whether a file name is one MITRE gives Enterprise
// ATT&CK bundles.
func isBundleName(name string) bool {
	lower := strings.ToLower(name)
	return strings.HasPrefix(lower, "enterprise-attack") && strings.HasSuffix(lower, ".json")
}

// versionFromName returns the ATT&CK version a bundle's file name carries
// ("18.1" in enterprise-attack-18.1.reconstructed-stix2.0.json): the first
// run of digits, a dot and digits. Empty when there is none.
func versionFromName(name string) string {
	isDigit := func(b byte) bool { return '0' <= b && b <= '9' }
	for i := 0; i < len(name); i++ {
		if !isDigit(name[i]) || (i > 0 && (isDigit(name[i-1]) || name[i-1] == '.')) {
			continue
		}
		j := i
		for j < len(name) && isDigit(name[j]) {
			j++
		}
		if j+1 < len(name) && name[j] == '.' && isDigit(name[j+1]) {
			k := j + 1
			for k < len(name) && isDigit(name[k]) {
				k++
			}
			return name[i:k]
		}
		i = j
	}
	return ""
}

// SameData reports whether two catalogs hold the same ATT&CK data: the
// same version, tactics and techniques, wherever each came from (Source
// aside).
func (c *Catalog) SameData(o *Catalog) bool {
	if c == o {
		return true
	}
	if c == nil || o == nil {
		return false
	}
	a, b := *c, *o
	a.Source, b.Source = "", ""
	ja, err1 := json.Marshal(&a)
	jb, err2 := json.Marshal(&b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}
