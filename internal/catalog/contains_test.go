package catalog

import (
	"strings"
	"testing"
)

// TestContainsAnchored checks containsAnchored against strings.Contains
// for every anchor of every word, on texts where the word sits at the
// start, the end, overlapping false starts, or nowhere.
func TestContainsAnchored(t *testing.T) {
	texts := []string{"", "a", "http", "http:/", "http://", "xhttp://y", "httphttp:/http://", "https://x http:/ /",
		"c:\\windows\\system32\\drivers\\x.sys", ".sy.sy .sys", "sys.", "domain_namedomain_nam", "aaaaab", "ab"}
	words := []string{"h", "http://", ".sys", "domain_name", "aab", "ab", "b", "ys", "xhttp://y"}
	for _, s := range texts {
		for _, w := range words {
			want := strings.Contains(s, w)
			for at := range len(w) {
				if got := containsAnchored(s, w, at); got != want {
					t.Errorf("containsAnchored(%q, %q, %d) = %v, want %v", s, w, at, got, want)
				}
			}
		}
	}
}
