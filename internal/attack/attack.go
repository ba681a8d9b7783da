// Package attack loads the MITRE ATT&CK Enterprise matrix (tactics and
// techniques) and maps the many ways rules name them (technique IDs, Sentinel
// tactic names such as "DefenseEvasion", Sigma tags such as
// "attack.defense-evasion", FalconFriday tables) onto one vocabulary. Names
// always come from a bundle: the embedded data is generated from
// ../shared/attack by `go generate` (see gen/), and LoadBundle reads any STIX
// 2.0 or 2.1 bundle a user gives with --attack.
package attack

//go:generate go run ./gen -out enterprise.json

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/detwiki/detwiki/internal/rule"
)

// Catalog is one version of the ATT&CK Enterprise matrix.
type Catalog struct {
	// Version is the ATT&CK version (e.g. "18.1") and Source where the data
	// came from.
	Version string `json:"version"`
	Source  string `json:"source"`
	// Tactics in matrix order.
	Tactics    []*Tactic    `json:"tactics"`
	Techniques []*Technique `json:"techniques"`

	byID      map[string]*Technique
	tacticKey map[string]*Tactic
}

// Tactic is one column of the matrix.
type Tactic struct {
	ID        string `json:"id"`        // TA0005
	Name      string `json:"name"`      // Defense Evasion
	Shortname string `json:"shortname"` // defense-evasion
}

// Technique is a technique or sub-technique.
type Technique struct {
	ID         string   `json:"id"` // T1055 or T1055.002
	Name       string   `json:"name"`
	Tactics    []string `json:"tactics"` // tactic shortnames
	Platforms  []string `json:"platforms,omitempty"`
	Deprecated bool     `json:"deprecated,omitempty"`
	Revoked    bool     `json:"revoked,omitempty"`
	// RevokedBy is the technique that replaced a revoked one, when known.
	RevokedBy string `json:"revoked_by,omitempty"`
}

// IsSub reports whether t is a sub-technique.
func (t *Technique) IsSub() bool { return strings.Contains(t.ID, ".") }

// ParentID returns the parent technique id of a sub-technique (or t's own id).
func (t *Technique) ParentID() string {
	id, _, _ := strings.Cut(t.ID, ".")
	return id
}

// FullName is the name as ATT&CK shows a sub-technique: "Parent: Sub".
func (c *Catalog) FullName(t *Technique) string {
	if !t.IsSub() {
		return t.Name
	}
	if p := c.byID[t.ParentID()]; p != nil {
		return p.Name + ": " + t.Name
	}
	return t.Name
}

//go:embed enterprise.json
var embedded []byte

var (
	defaultOnce sync.Once
	defaultCat  *Catalog
)

// Default returns the catalog built into the binary.
func Default() *Catalog {
	defaultOnce.Do(func() {
		c := new(Catalog)
		if err := json.Unmarshal(embedded, c); err != nil {
			panic("attack: embedded data is corrupt: " + err.Error())
		}
		c.index()
		defaultCat = c
	})
	return defaultCat
}

func (c *Catalog) index() {
	c.byID = make(map[string]*Technique, len(c.Techniques))
	for _, t := range c.Techniques {
		// A live technique wins over a revoked or deprecated one with the same id.
		if old, ok := c.byID[t.ID]; ok && !(old.Revoked || old.Deprecated) {
			continue
		}
		c.byID[t.ID] = t
	}
	c.tacticKey = make(map[string]*Tactic, 4*len(c.Tactics))
	for _, ta := range c.Tactics {
		c.tacticKey[tacticKey(ta.ID)] = ta
		c.tacticKey[tacticKey(ta.Name)] = ta
		c.tacticKey[tacticKey(ta.Shortname)] = ta
	}
}

// tacticKey folds the spellings of a tactic name into one key: case, spaces,
// dashes and underscores do not matter ("DefenseEvasion", "defense-evasion",
// "Defense Evasion" and "defense_evasion" are one key).
func tacticKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// NormalizeTechniqueID turns the spellings rules use ("t1055.002",
// "T1055/002", "attack.t1055.002", " T1055 ") into the canonical "T1055.002".
// It returns "" when s is not a technique id.
func NormalizeTechniqueID(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "attack."), "ATTACK.")
	s = strings.ToUpper(s)
	s = strings.ReplaceAll(s, "/", ".")
	if len(s) < 5 || s[0] != 'T' {
		return ""
	}
	digits := func(x string) bool {
		if x == "" {
			return false
		}
		for _, r := range x {
			if r < '0' || r > '9' {
				return false
			}
		}
		return true
	}
	main, sub, hasSub := strings.Cut(s[1:], ".")
	if len(main) != 4 || !digits(main) || hasSub && (len(sub) != 3 || !digits(sub)) {
		return ""
	}
	return s
}

// Technique looks a technique up by any spelling of its id.
func (c *Catalog) Technique(id string) (*Technique, bool) {
	t, ok := c.byID[NormalizeTechniqueID(id)]
	return t, ok
}

// Tactic looks a tactic up by id (TA0005), name (Defense Evasion), shortname
// (defense-evasion), Sentinel spelling (DefenseEvasion) or Sigma tag
// (attack.defense-evasion).
func (c *Catalog) Tactic(name string) (*Tactic, bool) {
	name = strings.TrimSpace(name)
	if strings.HasPrefix(strings.ToLower(name), "attack.") {
		name = name[len("attack."):]
	}
	t, ok := c.tacticKey[tacticKey(name)]
	return t, ok
}

// TacticByShortname returns the tactic with the given shortname.
func (c *Catalog) TacticByShortname(s string) *Tactic {
	return c.tacticKey[tacticKey(s)]
}

// Map turns a rule's technique ids and tactic names into ATT&CK entries, one
// per (tactic, technique). When the rule names tactics, a technique is listed
// under those of its tactics the rule names (all of its tactics when none
// match); a named tactic that no technique covers is listed on its own. It
// returns messages for ids and names the catalog does not know, and for
// revoked or deprecated techniques (which are still listed).
func (c *Catalog) Map(techniques, tactics []string) ([]rule.Attack, []string) {
	var out []rule.Attack
	var problems []string
	var named []*Tactic
	for _, name := range tactics {
		if strings.TrimSpace(name) == "" {
			continue
		}
		ta, ok := c.Tactic(name)
		if !ok {
			problems = append(problems, fmt.Sprintf("unknown ATT&CK tactic %q", name))
			continue
		}
		if !slices.Contains(named, ta) {
			named = append(named, ta)
		}
	}
	covered := map[*Tactic]bool{}
	add := func(a rule.Attack) {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	for _, raw := range techniques {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		id := NormalizeTechniqueID(raw)
		t, ok := c.byID[id]
		if !ok {
			if id == "" {
				id = raw
			}
			problems = append(problems, fmt.Sprintf("unknown ATT&CK technique %q", id))
			continue
		}
		switch {
		case t.Revoked && t.RevokedBy != "":
			problems = append(problems, fmt.Sprintf("ATT&CK technique %s (%s) is revoked; use %s", t.ID, t.Name, t.RevokedBy))
		case t.Revoked:
			problems = append(problems, fmt.Sprintf("ATT&CK technique %s (%s) is revoked", t.ID, t.Name))
		case t.Deprecated:
			problems = append(problems, fmt.Sprintf("ATT&CK technique %s (%s) is deprecated", t.ID, t.Name))
		}
		var under []*Tactic
		for _, ta := range named {
			if slices.Contains(t.Tactics, ta.Shortname) {
				under = append(under, ta)
			}
		}
		if len(under) == 0 {
			for _, s := range t.Tactics {
				if ta := c.TacticByShortname(s); ta != nil {
					under = append(under, ta)
				}
			}
		}
		name := c.FullName(t)
		if len(under) == 0 {
			add(rule.Attack{TechniqueID: t.ID, Technique: name})
		}
		for _, ta := range under {
			covered[ta] = true
			add(rule.Attack{TacticID: ta.ID, Tactic: ta.Name, TechniqueID: t.ID, Technique: name})
		}
	}
	for _, ta := range named {
		if !covered[ta] {
			add(rule.Attack{TacticID: ta.ID, Tactic: ta.Name})
		}
	}
	return out, problems
}
