package catalog

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"

	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/schema"
)

// CountKeyFunc returns the corpus key of one value of an indicator of a
// rule in the given language: the canonical field, the kind class and the
// normalised value; ok is false for values that name no literal (a column,
// an expression).
type CountKeyFunc func(language string, ind rule.Indicator, v rule.Value) (k IndicatorKey, ok bool)

// CountKey is the corpus key function in use: schema.CountKeyParts, which
// puts field names of every schema on their ECS name and counts path
// suffixes under the file name ("ParentImage|endswith: \mmc.exe" counts
// with "process.parent.name: mmc.exe").
var CountKey CountKeyFunc = func(language string, ind rule.Indicator, v rule.Value) (IndicatorKey, bool) {
	k, ok := schema.CountKeyParts(language, ind, v)
	return IndicatorKey(k), ok
}

// predicateKeyOf is the key of a value in predicate sets (neighbours): the
// corpus key, or for values that have none (a column, an expression) the
// field, kind and value as written.
func predicateKeyOf(language string, ind rule.Indicator, v rule.Value) IndicatorKey {
	if k, ok := CountKey(language, ind, v); ok {
		return k
	}
	return IndicatorKey{Field: language + ":" + ind.Field, Kind: rule.KindClass(ind.Kind), Value: "=" + strings.TrimSpace(v.Value)}
}

// fieldKeyOf returns the field an indicator's values count under: that of
// its first value with a corpus key, else its canonical field, else
// "<language>:<field>".
func fieldKeyOf(language string, ind rule.Indicator) string {
	for _, v := range ind.Values {
		if k, ok := CountKey(language, ind, v); ok {
			return k.Field
		}
	}
	if ind.CanonicalField != "" {
		return ind.CanonicalField
	}
	return language + ":" + ind.Field
}

// displayField is the field a page shows for a corpus key: the canonical
// field, or the field as the rule writes it.
func displayField(k IndicatorKey, ind rule.Indicator) string {
	if _, field, ok := strings.Cut(k.Field, ":"); ok && strings.HasSuffix(k.Field, ":"+ind.Field) {
		return field
	}
	return k.Field
}

// maxSlug bounds the length of a page key.
const maxSlug = 80

// PageKey turns a name (a field, a value, a provider, an event) into one URL
// path segment that is the same on the server and in the static site.
// Names made only of letters, digits, '.', '_' and '-' (not starting with a
// dot) are kept as they are; anything else becomes a slug followed by a
// short hash of the name, so that different names never share a key.
func PageKey(name string) string {
	if name == "" {
		return "_"
	}
	if len(name) <= maxSlug && safeSegment(name) {
		return name
	}
	sum := sha1.Sum([]byte(name))
	slug := rule.Slug(name)
	if len(slug) > maxSlug-9 {
		slug = strings.TrimRight(slug[:maxSlug-9], "-.")
	}
	if slug == "" || slug == "rule" && !strings.EqualFold(name, "rule") {
		slug = "x"
	}
	return slug + "-" + hex.EncodeToString(sum[:4])
}

func safeSegment(s string) bool {
	if s == "" || s[0] == '.' || s == "_" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	// A key ending in a hash-like suffix could collide with a hashed key.
	if i := strings.LastIndexByte(s, '-'); i >= 0 && len(s)-i-1 == 8 && isHex(s[i+1:]) {
		return false
	}
	return true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// indicatorSlug is the page path of an indicator: field/kind/value.
func indicatorSlug(k IndicatorKey) string {
	return PageKey(k.Field) + "/" + PageKey(k.Kind) + "/" + PageKey(k.Value)
}

// eventKey identifies an event: provider and event, lower case.
func eventKey(provider, event string) string {
	return strings.ToLower(provider) + "/" + strings.ToLower(event)
}

// eventSlug is the page path of an event: provider/event.
func eventSlug(provider, event string) string {
	return PageKey(provider) + "/" + PageKey(event)
}

// FieldSlug returns the page key of the field the values of an indicator
// of a rule in the given language count under.
func FieldSlug(language string, ind rule.Indicator) string {
	return PageKey(fieldKeyOf(language, ind))
}

// FieldSlugByName returns the page key of a field named as a rule of the
// given language writes it.
func FieldSlugByName(language, name string) string {
	return PageKey(fieldKeyOf(language, rule.Indicator{Field: name, CanonicalField: schema.Canonical(language, name)}))
}

// IndicatorSlug returns the page path ("field/kind/value") of one value of
// an indicator, "" when the value has no corpus key.
func IndicatorSlug(language string, ind rule.Indicator, v rule.Value) string {
	k, ok := CountKey(language, ind, v)
	if !ok {
		return ""
	}
	return indicatorSlug(k)
}

// EventSlug returns the page path ("provider/event") of an event.
func EventSlug(provider, event string) string { return eventSlug(provider, event) }
