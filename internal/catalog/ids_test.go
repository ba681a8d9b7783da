package catalog_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/rule"
)

// idDoc is a rule document as a reader makes it: the id from the file's
// stem (and the query's number within the file, from the second on).
func idDoc(repo, path, suffix string) *rule.Document {
	return &rule.Document{ID: rule.MakeID(rule.LangKusto, path, suffix), Language: rule.LangKusto,
		Source: rule.Source{Repo: repo, Path: path}, Title: repo + ":" + path + "#" + suffix, Query: "T"}
}

func idsOf(c *catalog.Catalog) map[string]string {
	out := map[string]string{}
	for _, r := range c.Rules {
		out[r.Title] = r.ID
	}
	return out
}

// TestSharedIDs: rules that share an id as read keep none of it; each gets
// a suffix made of its own source and folders, separated by "~" (which no
// id as read has: a disambiguated id is never taken for the second query
// of a file), a hash of repository and path only when that is not enough,
// and the shared id lists them. Ids do not depend on the order of the
// documents or on rules of other sources.
func TestSharedIDs(t *testing.T) {
	docs := func() []*rule.Document {
		return []*rule.Document{
			// Chronicle-like: one stem in two folders of one repository.
			idDoc("chronicle-detection-rules", "rules/soc_prime/process_creation/apt29_part_1.yaral", ""),
			idDoc("chronicle-detection-rules", "rules/soc_prime/windows/apt29_part_1.yaral", ""),
			// Sentinel-like: one stem in two solutions.
			idDoc("Azure-Sentinel", "Solutions/Okta/Analytic Rules/LoginFailure.yaml", ""),
			idDoc("Azure-Sentinel", "Solutions/Duo/Analytic Rules/LoginFailure.yaml", ""),
			// The second query of x.md and a file named x-2.kql.
			idDoc("hunting", "x.md", ""),
			idDoc("hunting", "x.md", "2"),
			idDoc("hunting", "other/x-2.kql", ""),
			// Ids that differ only in letter case (one file on most systems).
			idDoc("Azure-Sentinel", "Hunting/Backup deletion.yaml", ""),
			idDoc("m365", "Ransomware/backup deletion.txt", ""),
			// Same source suffix: the last two folders meet.
			idDoc("deep", "a/b/c/same.kql", ""),
			idDoc("deep", "z/b/c/same.kql", ""),
			// One file giving two rules the same id.
			idDoc("twice", "t.kql", ""),
			idDoc("twice", "t.kql", ""),
			// A rule alone with its id keeps it.
			idDoc("hunting", "alone.kql", ""),
		}
	}
	c := catalog.New(docs(), catalog.Info{}, nil)
	want := map[string]string{
		"chronicle-detection-rules:rules/soc_prime/process_creation/apt29_part_1.yaral#": "kusto/apt29_part_1~chronicle-detection-rules.soc_prime.process_creation",
		"chronicle-detection-rules:rules/soc_prime/windows/apt29_part_1.yaral#":          "kusto/apt29_part_1~chronicle-detection-rules.soc_prime.windows",
		"Azure-Sentinel:Solutions/Okta/Analytic Rules/LoginFailure.yaml#":                "kusto/LoginFailure~Azure-Sentinel.Okta.Analytic-Rules",
		"Azure-Sentinel:Solutions/Duo/Analytic Rules/LoginFailure.yaml#":                 "kusto/LoginFailure~Azure-Sentinel.Duo.Analytic-Rules",
		"hunting:x.md#":          "kusto/x",
		"hunting:x.md#2":         "kusto/x-2~hunting",
		"hunting:other/x-2.kql#": "kusto/x-2~hunting.other",
		"Azure-Sentinel:Hunting/Backup deletion.yaml#": "kusto/Backup-deletion~Azure-Sentinel.Hunting",
		"m365:Ransomware/backup deletion.txt#":         "kusto/backup-deletion~m365.Ransomware",
		"hunting:alone.kql#":                           "kusto/alone",
	}
	got := idsOf(c)
	for k, id := range want {
		if got[k] != id {
			t.Errorf("%s: id %q, want %q", k, got[k], id)
		}
	}
	// Suffixes that still meet get the hash of repository and path; rules of
	// one file with one id are numbered in file order.
	hashed := regexp.MustCompile(`^kusto/same~deep\.b\.c-[0-9a-f]{8}$`)
	for _, k := range []string{"deep:a/b/c/same.kql#", "deep:z/b/c/same.kql#"} {
		if !hashed.MatchString(got[k]) {
			t.Errorf("%s: id %q, want kusto/same~deep.b.c-<hash>", k, got[k])
		}
	}
	var twice []string
	for _, r := range c.Rules {
		if r.Source.Repo == "twice" {
			twice = append(twice, r.ID)
		}
	}
	if !slices.Equal(twice, []string{"kusto/t~twice.1", "kusto/t~twice.2"}) {
		t.Errorf("one file, one id twice: %v", twice)
	}

	// Unique, also ignoring letter case (a static site's files).
	seen := map[string]bool{}
	for _, r := range c.Rules {
		if seen[strings.ToLower(r.ID)] {
			t.Errorf("duplicate id %s", r.ID)
		}
		seen[strings.ToLower(r.ID)] = true
	}
	// The shared ids, each with its rules; no rule has one.
	var shared []string
	for _, s := range c.SharedIDs() {
		shared = append(shared, s.ID)
		if _, ok := c.Rule(s.ID); ok {
			t.Errorf("a rule has the shared id %s", s.ID)
		}
		if len(s.Rules) < 2 {
			t.Errorf("shared id %s lists %d rules", s.ID, len(s.Rules))
		}
	}
	wantShared := []string{"kusto/Backup-deletion", "kusto/LoginFailure", "kusto/apt29_part_1", "kusto/same", "kusto/t", "kusto/x-2"}
	if !slices.Equal(shared, wantShared) {
		t.Errorf("shared ids %v, want %v", shared, wantShared)
	}
	if s, ok := c.SharedID("KUSTO/BACKUP-DELETION"); !ok || !slices.Equal(s.Spellings, []string{"kusto/Backup-deletion", "kusto/backup-deletion"}) {
		t.Errorf("shared id in another case: %+v", s)
	}

	// Another order of the documents, and a source that sorts first with
	// rules of the same stems: the ids of the rules already there stay.
	more := docs()
	slices.Reverse(more)
	more = append(more, idDoc("aaa", "apt29_part_1.yaral", ""), idDoc("aaa", "Solutions/X/Analytic Rules/LoginFailure.yaml", ""))
	got2 := idsOf(catalog.New(more, catalog.Info{}, nil))
	for k, id := range got {
		if got2[k] != id {
			t.Errorf("%s: id %q became %q with another order and more rules", k, id, got2[k])
		}
	}
	if got2["aaa:apt29_part_1.yaral#"] != "kusto/apt29_part_1~aaa" {
		t.Errorf("new rule: %q", got2["aaa:apt29_part_1.yaral#"])
	}
}
