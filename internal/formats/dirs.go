package formats

import (
	"os"
	"path/filepath"
)

// NearestDirWith returns dir or the nearest folder above it that holds a
// folder named sub, looking at no more than levels folders (dir itself is
// the first), or "" when there is none. Readers use it to find the root of
// the repository a rule file sits in (the folder with macros/,
// regression_data/, ...).
func NearestDirWith(dir, sub string, levels int) string {
	for i := 0; i < levels; i++ {
		if st, err := os.Stat(filepath.Join(dir, sub)); err == nil && st.IsDir() {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return ""
}
