package chronicle

import (
	"fmt"
	"strings"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/source"
)

// attackRefs are the ATT&CK references of a rule as written: technique
// ids and names, tactic ids and names, words that may be either (the
// Sigma-style tags of the converted rules), and other ids (software, groups,
// CAR analytics, compliance controls) that are kept as tags.
type attackRefs struct {
	techniques []string
	tactics    []string
	either     []string
	other      []string
}

func (a *attackRefs) add(b attackRefs) {
	a.techniques = append(a.techniques, b.techniques...)
	a.tactics = append(a.tactics, b.tactics...)
	a.either = append(a.either, b.either...)
	a.other = append(a.other, b.other...)
}

func (a *attackRefs) empty() bool {
	return len(a.techniques) == 0 && len(a.tactics) == 0 && len(a.either) == 0
}

// attackValues reads the ATT&CK references of one meta entry. Rules spell
// them many ways: technique ids (technique = "T1003.001"), technique names
// (mitre_attack_technique = "Valid Accounts: Cloud Accounts"), URLs
// (mitre_attack_url = "https://attack.mitre.org/techniques/T1078/004/"),
// tactic ids and names (tactic = "TA0006", mitre_attack_tactic = "Defense
// Evasion, Persistence"), and the Sigma-tag mix of the converted rules
// (mitre = "execution, t1204, process_injection, s0111, attck.t1112").
func attackValues(key, value string) attackRefs {
	var out attackRefs
	for _, item := range splitList(value) {
		if ids, tas := attackURL(item); len(ids) > 0 || len(tas) > 0 {
			out.techniques = append(out.techniques, ids...)
			out.tactics = append(out.tactics, tas...)
			continue
		}
		switch key {
		case "mitre_attack_url":
			// A URL that names no technique (a group or software page).
			out.other = append(out.other, item)
		case "mitre_attack_tactic", "mitre_attack_tactic_id", "tactic", "tactics":
			out.tactics = append(out.tactics, item)
		case "mitre":
			lower := strings.ToLower(item)
			if strings.HasPrefix(lower, "attck.") { // a common typo of attack.
				item = "attack." + item[len("attck."):]
				lower = strings.ToLower(item)
			}
			if len(item) == 4 && digits(item) { // 1059: a technique id without its T
				item = "T" + item
			}
			switch {
			case attack.NormalizeTechniqueID(item) != "":
				out.techniques = append(out.techniques, item)
			case otherATTACKID(item) || notATTACK(lower):
				out.other = append(out.other, item)
			default:
				out.either = append(out.either, strings.TrimPrefix(lower, "attack."))
			}
		default: // technique keys: ids or names
			out.techniques = append(out.techniques, item)
		}
	}
	return out
}

// notATTACK reports tags of other frameworks that the converted rules mix
// into their ATT&CK tags: CVE ids and compliance controls.
func notATTACK(s string) bool {
	for _, p := range []string{"cve.", "cve-", "nist ", "pci ", "iso ", "gdpr ", "tool.", "car.", "capec.", "csc"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// attackURL extracts technique and tactic ids from an attack.mitre.org URL
// (techniques/T1078/004/ is T1078.004).
func attackURL(s string) (techniques, tactics []string) {
	if !strings.Contains(s, "attack.mitre.org/") {
		return nil, nil
	}
	parts := strings.Split(s, "/")
	for i, p := range parts {
		switch p {
		case "techniques":
			if i+1 < len(parts) && attack.NormalizeTechniqueID(parts[i+1]) != "" {
				id := parts[i+1]
				if i+2 < len(parts) && len(parts[i+2]) == 3 && digits(parts[i+2]) {
					id += "." + parts[i+2]
				}
				techniques = append(techniques, id)
			}
		case "tactics":
			if i+1 < len(parts) && strings.HasPrefix(strings.ToUpper(parts[i+1]), "TA") {
				tactics = append(tactics, parts[i+1])
			}
		}
	}
	return techniques, tactics
}

// otherATTACKID reports ids of ATT&CK objects that are not techniques or
// tactics: software (S0111), groups (G0016), mitigations (M1036), and CAR
// analytics (car.2013-07-002).
func otherATTACKID(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(s, "car.") {
		return true
	}
	if len(s) == 5 && (s[0] == 's' || s[0] == 'g' || s[0] == 'm') && digits(s[1:]) {
		return true
	}
	return false
}

// techniqueNames indexes a catalog's techniques by name: the full name
// ("Valid Accounts: Cloud Accounts"), a technique's own name ("Brute
// Force"), and a sub-technique's short name when no other technique has it.
type techniqueNames map[string]string

func buildTechniqueNames(c *attack.Catalog) techniqueNames {
	names := techniqueNames{}
	short := map[string][]string{}
	for _, t := range c.Techniques {
		if t.Revoked || t.Deprecated {
			continue
		}
		names[strings.ToLower(c.FullName(t))] = t.ID
		if t.IsSub() {
			k := strings.ToLower(t.Name)
			short[k] = append(short[k], t.ID)
		}
	}
	for k, ids := range short {
		if _, taken := names[k]; !taken && len(ids) == 1 {
			names[k] = ids[0]
		}
	}
	return names
}

// mapAttack resolves a rule's ATT&CK references into ATT&CK entries.
// Technique names are only looked up when the rule gives no technique id
// (ids and URLs are precise; the names beside them describe the same
// techniques). A word that may be a tactic or a technique (process_injection)
// is taken as a tactic when the catalog knows one by that name, else as a
// technique name. Problems become ATTACK001 warnings at the line of the
// first ATT&CK entry.
func (x *explainer) mapAttack(refs attackRefs) {
	if refs.empty() {
		return
	}
	var cat *attack.Catalog
	if x.env != nil {
		cat = x.env.Attack
	}
	if cat == nil {
		cat = attack.Default()
	}
	names := func() techniqueNames {
		if x.env != nil && x.env.Attack == cat {
			return x.env.Shared(Format+":technique-names", func() any { return buildTechniqueNames(cat) }).(techniqueNames)
		}
		return buildTechniqueNames(cat)
	}
	var ids, byName []string
	for _, t := range refs.techniques {
		if attack.NormalizeTechniqueID(t) != "" {
			ids = append(ids, t)
		} else {
			byName = append(byName, t)
		}
	}
	var problems []string
	tactics := refs.tactics
	for _, w := range refs.either {
		if _, ok := cat.Tactic(w); ok {
			tactics = append(tactics, w)
			continue
		}
		if id, ok := names()[strings.ToLower(strings.ReplaceAll(w, "_", " "))]; ok {
			ids = append(ids, id)
			continue
		}
		problems = append(problems, fmt.Sprintf("unknown ATT&CK tactic or technique %q", w))
	}
	if len(ids) == 0 && len(byName) > 0 {
		idx := names()
		for _, n := range byName {
			if id, ok := idx[strings.ToLower(n)]; ok {
				ids = append(ids, id)
			} else {
				problems = append(problems, fmt.Sprintf("unknown ATT&CK technique name %q", n))
			}
		}
	}
	entries, more := cat.Map(ids, tactics)
	x.d.Attack = append(x.d.Attack, entries...)
	for _, p := range append(problems, more...) {
		line, col := x.problemPos(p)
		x.d.Diagnose(source.Diagnostic{Code: "ATTACK001", Severity: source.Warning, Message: p, Line: line, Col: col})
	}
}

// problemPos places an ATT&CK problem on the reference it names: where the
// file first writes it (compared without case) from the first ATT&CK meta
// entry on, else at the start of that entry's line.
func (x *explainer) problemPos(p string) (line, col int) {
	line, col = x.attackLine, 1
	if x.attackLine < 1 || x.lt == nil {
		return line, col
	}
	var key string
	if i := strings.IndexByte(p, '"'); i >= 0 {
		if j := strings.IndexByte(p[i+1:], '"'); j > 0 {
			key = p[i+1 : i+1+j]
		}
	} else if i := strings.Index(p, "technique "); i >= 0 {
		key, _, _ = strings.Cut(p[i+len("technique "):], " ")
	}
	start := x.lt.LineStart(x.attackLine)
	if key == "" || !start.IsValid() || int(start) > len(x.src) {
		return line, col
	}
	if i := strings.Index(strings.ToLower(x.src[start:]), strings.ToLower(key)); i >= 0 {
		pos := x.lt.Position(start + source.Pos(i))
		return pos.Line, pos.Column
	}
	return line, col
}
