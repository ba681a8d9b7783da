package catalog

import (
	"crypto/sha1"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"

	"github.com/detwiki/detwiki/internal/rule"
)

// CountKeyFunc returns the corpus key of one value of an indicator: the
// canonical field, the kind class and the normalised value. The schema
// package may install a better one (basenames of paths, field aliases).
type CountKeyFunc func(ind rule.Indicator, v rule.Value) IndicatorKey

// CountKey is the corpus key function in use. It defaults to DefaultCountKey.
var CountKey CountKeyFunc = DefaultCountKey

// DefaultCountKey keys an indicator value by its canonical field (or the
// field as written when it has none), lower case; its kind class (eq and in
// count together); and its value, trimmed and lower case.
func DefaultCountKey(ind rule.Indicator, v rule.Value) IndicatorKey {
	field := ind.CanonicalField
	if field == "" {
		field = ind.Field
	}
	return IndicatorKey{
		Field: strings.ToLower(strings.TrimSpace(field)),
		Kind:  rule.KindClass(ind.Kind),
		Value: strings.ToLower(strings.TrimSpace(v.Value)),
	}
}

// displayField is the field a page shows for an indicator.
func displayField(ind rule.Indicator) string {
	if ind.CanonicalField != "" {
		return ind.CanonicalField
	}
	return ind.Field
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

// safeID returns id when it is "<language>/<slug>" with a URL-safe slug,
// and a repaired id otherwise, so that a misbehaving reader can never make
// a rule path that escapes its folder.
func safeID(id, language string) string {
	lang, stem, ok := strings.Cut(id, "/")
	if !ok {
		stem, lang = id, language
	}
	if lang == "" {
		lang = "rule"
	}
	l, s := rule.Slug(lang), rule.Slug(stem)
	return l + "/" + s
}

// assignIDs makes rule ids unique, deterministically: documents are ordered
// by (id, repo, path, position in the file); the first keeps its id and the
// next ones get "-2", "-3", ... (skipping ids already taken).
func assignIDs(docs []*rule.Document) {
	type item struct {
		d   *rule.Document
		pos int
	}
	items := make([]item, len(docs))
	taken := make(map[string]bool, len(docs))
	for i, d := range docs {
		d.ID = safeID(d.ID, d.Language)
		items[i] = item{d, i}
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i].d, items[j].d
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		if a.Source.Repo != b.Source.Repo {
			return a.Source.Repo < b.Source.Repo
		}
		if a.Source.Path != b.Source.Path {
			return a.Source.Path < b.Source.Path
		}
		return items[i].pos < items[j].pos
	})
	// Ids as read are reserved first so that a suffix never takes the id of
	// a rule read later.
	for _, it := range items {
		taken[it.d.ID] = true
	}
	seen := make(map[string]bool, len(docs))
	for _, it := range items {
		id := it.d.ID
		if !seen[id] {
			seen[id] = true
			continue
		}
		for n := 2; ; n++ {
			cand := id + "-" + strconv.Itoa(n)
			if !taken[cand] {
				taken[cand] = true
				seen[cand] = true
				it.d.ID = cand
				break
			}
		}
	}
}

// FieldSlug returns the page key of the field an indicator counts under.
func FieldSlug(ind rule.Indicator) string {
	return PageKey(CountKey(ind, rule.Value{}).Field)
}

// IndicatorSlug returns the page path ("field/kind/value") of one value of
// an indicator.
func IndicatorSlug(ind rule.Indicator, v rule.Value) string {
	return indicatorSlug(CountKey(ind, v))
}

// EventSlug returns the page path ("provider/event") of an event.
func EventSlug(provider, event string) string { return eventSlug(provider, event) }
