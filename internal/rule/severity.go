package rule

import "strings"

// Severities are the severity words every front end writes, lowest first
// (Sigma's levels; the other formats use the same words or a synonym).
var Severities = []string{"informational", "low", "medium", "high", "critical"}

// NormalizeSeverity returns the severity s as the rule document writes it:
// trimmed and in lower case, with Panther's and Sentinel's "Info" spelled
// "informational". Any other value is kept (lower-cased) as the source
// writes it, so a typo stays visible.
func NormalizeSeverity(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "info" {
		return "informational"
	}
	return s
}
