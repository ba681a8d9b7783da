package panther

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// mapping is a YAML mapping node with lookups by key.
type mapping struct{ n *yaml.Node }

func (m mapping) key(k string) *yaml.Node {
	if m.n == nil {
		return nil
	}
	for i := 0; i+1 < len(m.n.Content); i += 2 {
		if m.n.Content[i].Value == k {
			return m.n.Content[i]
		}
	}
	return nil
}

func (m mapping) get(k string) *yaml.Node {
	if m.n == nil {
		return nil
	}
	for i := 0; i+1 < len(m.n.Content); i += 2 {
		if m.n.Content[i].Value == k {
			v := m.n.Content[i+1]
			for v.Kind == yaml.AliasNode && v.Alias != nil {
				v = v.Alias
			}
			return v
		}
	}
	return nil
}

// str returns a scalar value ("" when absent or not a scalar).
func (m mapping) str(k string) string {
	v := m.get(k)
	if v == nil || v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		return ""
	}
	return v.Value
}

// list returns a sequence of scalars (a lone scalar is a one-item list).
func (m mapping) list(k string) []string {
	v := m.get(k)
	return scalars(v)
}

func scalars(v *yaml.Node) []string {
	if v == nil {
		return nil
	}
	switch v.Kind {
	case yaml.ScalarNode:
		if v.Tag == "!!null" || strings.TrimSpace(v.Value) == "" {
			return nil
		}
		return []string{strings.TrimSpace(v.Value)}
	case yaml.SequenceNode:
		var out []string
		for _, c := range v.Content {
			if c.Kind == yaml.ScalarNode && strings.TrimSpace(c.Value) != "" && c.Tag != "!!null" {
				out = append(out, strings.TrimSpace(c.Value))
			}
		}
		return out
	}
	return nil
}

// scalarNodes is scalars with the nodes, so that a problem with one entry
// can be placed on it.
func scalarNodes(v *yaml.Node) []*yaml.Node {
	if v == nil {
		return nil
	}
	var out []*yaml.Node
	add := func(c *yaml.Node) {
		if c.Kind == yaml.ScalarNode && c.Tag != "!!null" && strings.TrimSpace(c.Value) != "" {
			out = append(out, c)
		}
	}
	switch v.Kind {
	case yaml.ScalarNode:
		add(v)
	case yaml.SequenceNode:
		for _, c := range v.Content {
			add(c)
		}
	}
	return out
}

func (m mapping) sub(k string) mapping {
	v := m.get(k)
	if v == nil || v.Kind != yaml.MappingNode {
		return mapping{}
	}
	return mapping{v}
}

// decode turns a YAML node into plain Go values (maps, lists, strings,
// numbers, booleans).
func decode(v *yaml.Node) any {
	if v == nil {
		return nil
	}
	var out any
	if err := v.Decode(&out); err != nil {
		return v.Value
	}
	return normalizeYAML(out)
}

// normalizeYAML makes decoded YAML encodable as JSON (map keys as strings).
func normalizeYAML(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeYAML(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[toString(k)] = normalizeYAML(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = normalizeYAML(e)
		}
		return x
	}
	return v
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return "null"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// meta fills the metadata every Panther document has.
func (rd *reading) meta() {
	d, m := rd.d, rd.m
	d.Kind = rd.typ
	if t := strings.TrimSpace(firstNonEmpty(m.str("DisplayName"), m.str("QueryName"), m.str("RuleID"), m.str("PolicyID"))); t != "" {
		d.Title = t
	}
	d.Description = strings.TrimSpace(m.str("Description"))
	d.Severity = strings.ToLower(strings.TrimSpace(m.str("Severity")))
	if en := m.get("Enabled"); en != nil && en.Kind == yaml.ScalarNode {
		if b, err := strconv.ParseBool(en.Value); err == nil {
			if b {
				d.Status = "enabled"
			} else {
				d.Status = "disabled"
			}
		}
	}
	d.Tags = m.list("Tags")
	d.References = splitRefs(m.str("Reference"))
	if rb := strings.TrimSpace(m.str("Runbook")); rb != "" {
		d.Sections = append(d.Sections, rule.Section{Title: "Runbook", Text: rb})
	}
	extra := map[string]any{}
	for _, k := range []string{"RuleID", "PolicyID", "QueryName", "Threshold", "DedupPeriodMinutes",
		"SummaryAttributes", "OutputIds", "ScheduledQueries", "CreateAlert", "Suppressions"} {
		if v := m.get(k); v != nil && !(v.Kind == yaml.ScalarNode && v.Value == "") {
			extra[k] = decode(v)
		}
	}
	if v := m.get("Threshold"); v != nil {
		d.Analysis.Parameters = append(d.Analysis.Parameters, rule.Parameter{Name: "Threshold", Text: v.Value, Values: []string{v.Value},
			Note: "events that must match within the dedup period before an alert"})
	}
	if v := m.get("DedupPeriodMinutes"); v != nil && v.Value != "" {
		d.TimeWindow = v.Value + "m"
	}
	for _, s := range m.list("SummaryAttributes") {
		d.Analysis.AddOutput(s, "SummaryAttributes")
	}
	if len(extra) > 0 {
		d.Extra = extra
	}
	rd.reports()
}

var refURL = regexp.MustCompile(`https?://[^\s<>"')\]]+`)

// splitRefs returns the URLs of a Reference field (some hold several, or
// prose around them), or the text itself when it has none.
func splitRefs(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	urls := refURL.FindAllString(s, -1)
	if len(urls) == 0 {
		return []string{s}
	}
	var out []string
	for _, u := range urls {
		u = strings.TrimRight(u, ".,;")
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

func firstNonEmpty(list ...string) string {
	for _, s := range list {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// reports reads Reports: MITRE ATT&CK entries (TA0003:T1098, one tactic and
// technique per entry) into Attack; the other frameworks (CIS, Stratus Red
// Team, ...) into Extra["reports"].
func (rd *reading) reports() {
	rep := rd.m.sub("Reports")
	if rep.n == nil {
		return
	}
	other := map[string]any{}
	for i := 0; i+1 < len(rep.n.Content); i += 2 {
		k, v := rep.n.Content[i], rep.n.Content[i+1]
		if !strings.EqualFold(strings.TrimSpace(k.Value), "MITRE ATT&CK") {
			other[k.Value] = decode(v)
			continue
		}
		for _, en := range scalarNodes(v) {
			entry := strings.TrimSpace(en.Value)
			tactic, technique := splitReport(entry)
			if tactic == "" && technique == "" {
				rd.diagAt("ATTACK001", source.Warning, en.Line, en.Column, "unreadable MITRE ATT&CK entry "+quote(entry)+" (expected TA0001:T1078)")
				continue
			}
			var techs, tacs []string
			if technique != "" {
				techs = []string{technique}
			}
			if tactic != "" {
				tacs = []string{tactic}
			}
			atk, problems := rd.env.Attack.Map(techs, tacs)
			for _, a := range atk {
				if !slices.Contains(rd.d.Attack, a) {
					rd.d.Attack = append(rd.d.Attack, a)
				}
			}
			for _, p := range problems {
				rd.diagAt("ATTACK001", source.Warning, en.Line, en.Column, p)
			}
		}
	}
	if len(other) > 0 {
		if rd.d.Extra == nil {
			rd.d.Extra = map[string]any{}
		}
		rd.d.Extra["reports"] = other
	}
}

// splitReport reads "TA0005:T1562.001" (a comment after '#' ignored; the
// technique may be missing).
func splitReport(s string) (tactic, technique string) {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	s = strings.Trim(strings.TrimSpace(s), `"'`)
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == ' ' || r == ',' }) {
		up := strings.ToUpper(part)
		switch {
		case strings.HasPrefix(up, "TA") && len(up) == 6:
			tactic = up
		case strings.HasPrefix(up, "T") && len(up) >= 5:
			technique = up
		}
	}
	return tactic, technique
}

// tests reads Tests: name, expected result and the log as JSON text.
func (rd *reading) tests() {
	v := rd.m.get("Tests")
	if v == nil || v.Kind != yaml.SequenceNode {
		return
	}
	for _, t := range v.Content {
		if t.Kind != yaml.MappingNode {
			continue
		}
		tm := mapping{t}
		test := rule.Test{Name: strings.TrimSpace(tm.str("Name"))}
		switch strings.ToLower(strings.TrimSpace(tm.str("ExpectedResult"))) {
		case "true":
			test.Expect = "match"
		case "false":
			test.Expect = "no_match"
		}
		logNode := tm.get("Log")
		if logNode == nil {
			logNode = tm.get("Resource")
		}
		if logNode == nil {
			logNode = tm.get("RuleOutputs")
		}
		if logNode != nil {
			var b strings.Builder
			nodeJSON(&b, logNode, 0)
			test.Event = b.String()
		}
		rd.d.Tests = append(rd.d.Tests, test)
	}
}
