package catalog

import (
	"crypto/sha1"
	"encoding/hex"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/detwiki/detwiki/internal/rule"
)

// SharedSep separates a rule id as read from the source suffix that tells
// apart the rules sharing it ("kusto/AVSpringShell~Azure-Sentinel.Detections.SecurityAlert").
// Readers' ids never contain it (rule.Slug keeps only letters, digits, '.',
// '_' and '-'), so a disambiguated id can never be mistaken for an id as
// read, in particular for the second query of a file ("kusto/X-2").
const SharedSep = "~"

// maxSourceSuffix bounds the readable part of a source suffix; a longer one
// is cut and completed by a hash of the rule's repository and path.
const maxSourceSuffix = 96

// SharedID is a rule id as read that several rules share: none of them
// keeps it, each gets a suffix made from its own source, and the wiki shows
// a page listing them at the shared id.
type SharedID struct {
	// ID is the shared id (when rules spell it in different letter cases,
	// which would be the same file of a static site on most systems, the
	// first spelling in byte order).
	ID string `json:"id"`
	// Spellings are the ways rules spell it (ID first).
	Spellings []string `json:"spellings"`
	// Rules share it, by id.
	Rules []*Rule `json:"-"`
}

// SharedID returns the shared id that id names (in any letter case), with
// the rules that share it.
func (c *Catalog) SharedID(id string) (*SharedID, bool) {
	s, ok := c.sharedByKey[strings.ToLower(id)]
	return s, ok
}

// SharedIDs returns every shared id, by id.
func (c *Catalog) SharedIDs() []*SharedID { return c.shared }

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

// sourceSuffix is the readable name of where a rule comes from: its source
// (repository) and the last two folders of its path, each made a slug and
// joined by dots ("Azure-Sentinel.Detections.SecurityAlert"). It depends on
// the rule alone, so it never changes when other rules come or go.
func sourceSuffix(d *rule.Document) string {
	parts := []string{d.Source.Repo}
	if dir := path.Dir(strings.ReplaceAll(d.Source.Path, "\\", "/")); dir != "." && dir != "/" {
		folders := strings.Split(strings.Trim(dir, "/"), "/")
		if len(folders) > 2 {
			folders = folders[len(folders)-2:]
		}
		parts = append(parts, folders...)
	}
	var slugs []string
	for _, p := range parts {
		if s := strings.Trim(rule.Slug(p), "-."); s != "" {
			slugs = append(slugs, s)
		}
	}
	s := strings.Join(slugs, ".")
	if s == "" {
		s = "source"
	}
	if len(s) > maxSourceSuffix {
		s = strings.TrimRight(s[:maxSourceSuffix-9], "-.") + "-" + sourceHash(d)
	}
	return s
}

// sourceHash is eight hex digits of the SHA-1 of a rule's repository and
// path.
func sourceHash(d *rule.Document) string {
	sum := sha1.Sum([]byte(d.Source.Repo + "\x00" + d.Source.Path))
	return hex.EncodeToString(sum[:4])
}

// assignIDs makes rule ids unique and stable. A reader's id
// ("<language>/<file stem>", with "-2", "-3" for the further queries of one
// file) that no other rule has, in any letter case, is kept. When several
// rules have it, none keeps it: each becomes "<id>~<source suffix>" (see
// sourceSuffix), then, for rules whose suffixes still meet, "-<hash of
// repository and path>", then, for rules of one file, ".<n>" in file order.
// An id thus depends only on the rule's own source and on whether another
// rule has the same id, never on the order of rules or on which rule sorts
// first. It returns the shared ids, by id.
func assignIDs(docs []*rule.Document) []*SharedID {
	groups := map[string][]int{}
	for i, d := range docs {
		d.ID = safeID(d.ID, d.Language)
		k := strings.ToLower(d.ID)
		groups[k] = append(groups[k], i)
	}
	var shared []*SharedID
	for _, idx := range groups {
		if len(idx) < 2 {
			continue
		}
		s := &SharedID{}
		for _, i := range idx {
			if id := docs[i].ID; !slices.Contains(s.Spellings, id) {
				s.Spellings = append(s.Spellings, id)
			}
		}
		slices.Sort(s.Spellings)
		s.ID = s.Spellings[0]
		shared = append(shared, s)

		ids := make([]string, len(idx))
		for j, i := range idx {
			ids[j] = docs[i].ID + SharedSep + sourceSuffix(docs[i])
		}
		// Suffixes that still meet, of rules of different files: add the
		// hash of repository and path.
		files := map[string]map[string]bool{}
		for _, j := range meeting(ids) {
			k := strings.ToLower(ids[j])
			if files[k] == nil {
				files[k] = map[string]bool{}
			}
			files[k][sourceHash(docs[idx[j]])] = true
		}
		for _, j := range meeting(ids) {
			if len(files[strings.ToLower(ids[j])]) > 1 {
				ids[j] += "-" + sourceHash(docs[idx[j]])
			}
		}
		// Rules of one file with one id: number them in file order (idx is
		// in input order, which keeps the order of a file's rules).
		n := map[string]int{}
		for _, j := range meeting(ids) {
			k := strings.ToLower(ids[j])
			n[k]++
			ids[j] += "." + strconv.Itoa(n[k])
		}
		for j, i := range idx {
			docs[i].ID = ids[j]
		}
	}
	slices.SortFunc(shared, func(a, b *SharedID) int { return strings.Compare(a.ID, b.ID) })
	return shared
}

// meeting returns the positions of the ids that equal another, ignoring
// letter case, in order.
func meeting(ids []string) []int {
	count := map[string]int{}
	for _, id := range ids {
		count[strings.ToLower(id)]++
	}
	var out []int
	for j, id := range ids {
		if count[strings.ToLower(id)] > 1 {
			out = append(out, j)
		}
	}
	return out
}

// setShared indexes the shared ids and fills in their rules (the rules
// whose id is a shared id with a source suffix).
func (c *Catalog) setShared(shared []*SharedID) {
	c.shared = shared
	c.sharedByKey = make(map[string]*SharedID, len(shared))
	for _, s := range shared {
		c.sharedByKey[strings.ToLower(s.ID)] = s
	}
	if len(shared) == 0 {
		return
	}
	for _, r := range c.Rules {
		bare, _, ok := strings.Cut(r.ID, SharedSep)
		if !ok {
			continue
		}
		if s := c.sharedByKey[strings.ToLower(bare)]; s != nil {
			s.Rules = append(s.Rules, r)
		}
	}
}
