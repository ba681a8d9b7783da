package rule

import (
	"path"
	"strings"
)

// MakeID returns the rule id "<language>/<file stem>" for a rule read from the
// slash-separated path rel. Characters that do not belong in a URL path
// segment are replaced by '-'. suffix, when not empty, is appended after a
// '#' separator-free dash form ("-2") for files that hold several rules.
func MakeID(language, rel, suffix string) string {
	stem := path.Base(rel)
	if ext := path.Ext(stem); ext != "" && len(ext) <= 6 {
		stem = strings.TrimSuffix(stem, ext)
	}
	var b strings.Builder
	b.WriteString(language)
	b.WriteByte('/')
	b.WriteString(Slug(stem))
	if suffix != "" {
		b.WriteByte('-')
		b.WriteString(Slug(suffix))
	}
	return b.String()
}

// Slug makes s safe as one URL path segment: letters, digits, '.', '_' and
// '-' are kept; runs of anything else become one '-'. Leading dots are
// dropped so a slug is never "." or "..".
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		ok := r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if ok {
			if r == '.' && b.Len() == 0 {
				continue
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if out == "" {
		out = "rule"
	}
	return out
}
