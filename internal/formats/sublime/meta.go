package sublime

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// meta fills the document's metadata from the rule's YAML.
func meta(d *rule.Document, y *ruleYAML, p string, env *formats.Env) {
	if t := strings.TrimSpace(y.Name); t != "" {
		d.Title = t
	}
	d.Description = strings.TrimSpace(y.Description)
	d.Severity = strings.ToLower(strings.TrimSpace(y.Severity))
	d.Kind = ruleKind(p, y.Type)
	d.References = nonEmpty(y.References)
	d.FalsePositives = nonEmpty(y.FalsePositives)
	var authors []string
	for _, a := range y.Authors {
		name, _ := a["name"].(string)
		tw, _ := a["twitter"].(string)
		switch {
		case name != "" && tw != "":
			authors = append(authors, name+" (@"+strings.TrimPrefix(tw, "@")+")")
		case name != "":
			authors = append(authors, name)
		case tw != "":
			authors = append(authors, "@"+strings.TrimPrefix(tw, "@"))
		default:
			// Neither a name nor a Twitter handle: another profile
			// (linkedin: "linkedin.com/in/..."), by its key's name.
			if other := otherAuthorKey(a); other != "" {
				authors = append(authors, other)
			}
		}
	}
	d.Author = strings.Join(authors, ", ")
	d.DataSources = []string{"Sublime message data model"}

	// Tags: the rule's tags, then its attack types and its tactics and
	// techniques as Sublime names them (most are not ATT&CK).
	var tags []string
	add := func(list []string) {
		for _, t := range list {
			if t = strings.TrimSpace(t); t != "" && !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
	}
	add(y.Tags)
	add(y.AttackTypes)
	var techniques, tactics []string
	var own []string
	for _, t := range y.TacticsAndTechniques {
		t = strings.TrimSpace(t)
		switch {
		case t == "":
		case attack.NormalizeTechniqueID(t) != "":
			techniques = append(techniques, t)
		case isTacticID(t):
			tactics = append(tactics, t)
		default:
			if id := techniqueByName(env, t); id != "" {
				techniques = append(techniques, id)
				continue
			}
			if ta, ok := env.Attack.Tactic(t); ok && strings.EqualFold(ta.Name, t) {
				tactics = append(tactics, ta.ID)
				continue
			}
			own = append(own, t)
		}
	}
	add(own)
	// A tag that is an ATT&CK technique id counts too (and stays a tag).
	for _, t := range y.Tags {
		if attack.NormalizeTechniqueID(strings.TrimSpace(t)) != "" {
			techniques = append(techniques, strings.TrimSpace(t))
		}
	}
	d.Tags = tags
	if len(techniques)+len(tactics) > 0 {
		atk, problems := env.Attack.Map(techniques, tactics)
		d.Attack = atk
		for _, pr := range problems {
			d.Diagnose(source.Diagnostic{Code: "ATTACK001", Severity: source.Warning, Line: 1, Col: 1, Message: pr})
		}
	}
	extra := map[string]any{}
	if y.ID != "" {
		extra["id"] = y.ID
	}
	if y.Type != "" {
		extra["type"] = y.Type
	}
	if len(y.AttackTypes) > 0 {
		extra["attack_types"] = y.AttackTypes
	}
	if len(y.TacticsAndTechniques) > 0 {
		extra["tactics_and_techniques"] = y.TacticsAndTechniques
	}
	if len(y.DetectionMethods) > 0 {
		extra["detection_methods"] = y.DetectionMethods
	}
	if len(extra) > 0 {
		d.Extra = extra
	}
}

// ruleKind is "detection" or "discovery" after the folder the rule sits in
// (sublime-rules keeps them apart), else the rule's type.
func ruleKind(p, typ string) string {
	for _, seg := range strings.Split(path.Dir(p), "/") {
		switch strings.ToLower(seg) {
		case "detection-rules":
			return "detection"
		case "discovery-rules":
			return "discovery"
		}
	}
	return strings.TrimSpace(typ)
}

func isTacticID(s string) bool {
	if len(s) != 6 || !strings.HasPrefix(strings.ToUpper(s), "TA") {
		return false
	}
	for _, c := range s[2:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// techniqueByName returns the id of the ATT&CK technique whose name (or
// "Parent: Sub" full name) is s, ignoring case, or "".
func techniqueByName(env *formats.Env, s string) string {
	idx := env.Shared(fmt.Sprintf("sublime:attack-names:%p", env.Attack), func() any {
		m := map[string]string{}
		for _, t := range env.Attack.Techniques {
			if t.Revoked || t.Deprecated {
				continue
			}
			m[strings.ToLower(env.Attack.FullName(t))] = t.ID
			if !t.IsSub() {
				m[strings.ToLower(t.Name)] = t.ID
			}
		}
		return m
	}).(map[string]string)
	return idx[strings.ToLower(s)]
}

func nonEmpty(list []string) []string {
	var out []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// otherAuthorKey names an author given by another key than name or
// twitter (linkedin, github, email): the value of the first such key in
// name order, so the result does not depend on map order.
func otherAuthorKey(a map[string]any) string {
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if v, ok := a[k].(string); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
