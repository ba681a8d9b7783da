package chronicle

import (
	"strings"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/lang/yaral"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// explainer turns one parsed rule into its rule document.
type explainer struct {
	d   *rule.Document
	r   *yaral.Rule
	src string
	lt  *source.LineTable
	env *formats.Env
	// attackLine is the line of the first ATT&CK meta entry, where ATT&CK
	// problems are reported.
	attackLine int
}

// metaValue is one meta entry: its key in lower case, its decoded value and
// its line.
type metaValue struct {
	key   string
	value string
	line  int
}

func (x *explainer) entries() []metaValue {
	if x.r.Meta == nil {
		return nil
	}
	out := make([]metaValue, 0, len(x.r.Meta.Entries))
	for _, e := range x.r.Meta.Entries {
		out = append(out, metaValue{key: strings.ToLower(e.Key.Name), value: strings.TrimSpace(yaral.ValueText(e.Value)),
			line: x.lt.Position(e.Pos()).Line})
	}
	return out
}

// meta fills the document's metadata from the meta section (and the ATT&CK
// outcome variables some rules also set).
func (x *explainer) meta() {
	d := x.d
	name := ""
	if x.r.Name != nil {
		name = x.r.Name.Name
	}
	extra := map[string]any{}
	if name != "" {
		extra["rule"] = name
	}
	all := map[string]any{}
	logsource := map[string]any{}
	var refs attackRefs
	// ATT&CK pages among the references, used when nothing else names
	// ATT&CK (the _deprecated/mitre_attack rules do that).
	var fromReferences attackRefs
	refLine := 0
	for _, m := range x.entries() {
		if prev, ok := all[m.key]; ok {
			switch p := prev.(type) {
			case string:
				all[m.key] = []string{p, m.value}
			case []string:
				all[m.key] = append(p, m.value)
			}
		} else {
			all[m.key] = m.value
		}
		v := m.value
		if v == "" {
			continue
		}
		switch m.key {
		case "rule_name":
			d.Title = v
		case "title":
			if d.Title == "" {
				d.Title = v
			}
		case "description":
			d.Description = v
		case "author":
			d.Author = v
		case "severity":
			d.Severity = normalizeSeverity(v)
		case "priority":
			extra["priority"] = strings.ToLower(v)
		case "type":
			d.Kind = strings.ToLower(v)
		case "reference", "references", "reference1", "reference2", "reference3", "url":
			for _, ref := range splitReferences(v) {
				d.References = appendUnique(d.References, ref)
				te, ta := attackURL(ref)
				fromReferences.techniques = append(fromReferences.techniques, te...)
				fromReferences.tactics = append(fromReferences.tactics, ta...)
				if (len(te) > 0 || len(ta) > 0) && refLine == 0 {
					refLine = m.line
				}
			}
		case "data_source", "data_sources":
			for _, s := range splitList(v) {
				d.DataSources = appendUnique(d.DataSources, s)
			}
		case "platform", "platforms":
			for _, s := range splitList(v) {
				d.Platforms = appendUnique(d.Platforms, strings.ToLower(s))
			}
		case "product", "service", "category", "definition":
			logsource[m.key] = v
		case "created", "date", "creation_date":
			if d.Created == "" {
				d.Created = normalizeDate(v)
			}
		case "updated", "modified", "last_modified", "last_updated":
			d.Modified = normalizeDate(v)
		case "version", "rule_version":
			if d.Version == "" {
				d.Version = v
			}
		case "sigma_status", "status":
			d.Status = strings.ToLower(v)
		case "false_positives", "falsepositives", "false_positive":
			d.FalsePositives = append(d.FalsePositives, v)
		case "tags", "tag":
			for _, s := range splitList(v) {
				d.Tags = appendUnique(d.Tags, s)
			}
		case "mitre_attack_technique", "mitre_attack_technique_id", "technique", "techniques", "mitre_attack_url",
			"mitre_attack_tactic", "mitre_attack_tactic_id", "tactic", "tactics", "mitre":
			if x.attackLine == 0 {
				x.attackLine = m.line
			}
			r := attackValues(m.key, v)
			refs.add(r)
			for _, o := range r.other {
				d.Tags = appendUnique(d.Tags, o)
			}
		}
	}
	switch {
	case d.Title == "":
		// No title in meta: a readable one from the identifier, which
		// stays in Extra["rule"]. A description's first sentence is no
		// title, so it is not used.
		d.Title = titleFromName(name)
	case isIdentifier(d.Title):
		// A meta title written as an identifier is made readable too.
		d.Title = titleFromName(d.Title)
	}
	if len(logsource) > 0 {
		extra["logsource"] = logsource
		ls := joinLogsource(logsource)
		if ls != "" {
			d.DataSources = appendUnique(d.DataSources, ls)
		}
		if p, _ := logsource["product"].(string); p != "" {
			switch lp := strings.ToLower(p); lp {
			case "windows", "linux", "macos":
				d.Platforms = appendUnique(d.Platforms, lp)
			}
		}
	}
	if refs.empty() {
		refs = x.outcomeAttack()
	}
	if refs.empty() {
		refs = fromReferences
		if x.attackLine == 0 {
			x.attackLine = refLine
		}
	}
	x.mapAttack(refs)
	x.sigmaLink(all)
	if len(all) > 0 {
		extra["meta"] = all
	}
	if len(extra) > 0 {
		d.Extra = extra
	}
}

// outcomeAttack reads ATT&CK from the outcome variables some rules set
// ($mitre_attack_tactic, $mitre_attack_technique, $mitre_attack_technique_id)
// when meta names none.
func (x *explainer) outcomeAttack() attackRefs {
	var refs attackRefs
	if x.r.Outcome == nil {
		return refs
	}
	for _, a := range x.r.Outcome.Assigns {
		lit, ok := a.Value.(*yaral.BasicLit)
		if !ok || (lit.Kind != yaral.LitString && lit.Kind != yaral.LitRawString) {
			continue
		}
		key := strings.ToLower(a.Var.Name)
		switch key {
		case "mitre_attack_tactic", "mitre_attack_technique", "mitre_attack_technique_id", "mitre_attack_tactic_id":
			if x.attackLine == 0 {
				x.attackLine = x.lt.Position(a.Pos()).Line
			}
			refs.add(attackValues(key, lit.Unquote()))
		}
	}
	return refs
}

// sigmaLink links a rule converted from Sigma to its source: the SigmaHQ
// rule its reference points at (by file stem, which is the Sigma rule's
// detwiki id), or the Sigma rule's id.
func (x *explainer) sigmaLink(all map[string]any) {
	for _, ref := range x.d.References {
		if !strings.Contains(ref, "github.com/SigmaHQ/sigma/") && !strings.Contains(ref, "github.com/Neo23x0/sigma/") {
			continue
		}
		if i := strings.LastIndexByte(ref, '/'); i >= 0 {
			base := ref[i+1:]
			if strings.HasSuffix(base, ".yml") || strings.HasSuffix(base, ".yaml") {
				x.d.Links = append(x.d.Links, rule.Link{Kind: "derived", Target: rule.MakeID(rule.LangSigma, base, "")})
				return
			}
		}
	}
	if id, ok := all["sigma_uuid"].(string); ok && id != "" {
		x.d.Links = append(x.d.Links, rule.Link{Kind: "derived", Target: id})
	}
}

// normalizeSeverity lower-cases a severity and spells "info" the way Sigma
// levels do ("informational").
func normalizeSeverity(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "info" {
		return "informational"
	}
	return s
}

// normalizeDate turns 2018/06/1 and 2018-06-01 into 2018-06-01; anything
// else is kept as written.
func normalizeDate(s string) string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '.' })
	if len(parts) != 3 || len(parts[0]) != 4 || !digits(parts[0]) || !digits(parts[1]) || !digits(parts[2]) ||
		len(parts[1]) > 2 || len(parts[2]) > 2 {
		return s
	}
	pad := func(p string) string {
		if len(p) == 1 {
			return "0" + p
		}
		return p
	}
	return parts[0] + "-" + pad(parts[1]) + "-" + pad(parts[2])
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// splitList splits a comma-separated meta value, trimming each item.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// splitReferences returns the URLs of a reference value (which may hold
// several, separated by commas, spaces or written as a Python list); a value
// without a URL is kept whole.
func splitReferences(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\'' || r == '[' || r == ']'
	}) {
		if strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return []string{s}
	}
	return out
}

func joinLogsource(ls map[string]any) string {
	var parts []string
	for _, k := range []string{"product", "category", "service"} {
		if v, _ := ls[k].(string); v != "" {
			parts = append(parts, strings.ToLower(v))
		}
	}
	return strings.Join(parts, "/")
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
