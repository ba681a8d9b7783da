package sentinel

import (
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/formats/kustorule"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// maxDuplicateReports bounds the duplicate-key warnings of one file.
const maxDuplicateReports = 10

// field is one key of the rule mapping.
type field struct {
	key, value *yaml.Node
}

// extraKeys are the keys kept in Extra as decoded, under their own name.
var extraKeys = []string{"entityMappings", "sentinelEntitiesMappings", "customDetails", "alertDetailsOverride",
	"eventGroupingSettings", "incidentConfiguration", "triggerOperator", "triggerThreshold", "requiredDataConnectors"}

func (rd *reading) read(m *yaml.Node) {
	d := rd.d
	fields := map[string]field{}
	var order []string
	dups := 0
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, ok := scalarText(m.Content[i])
		if !ok {
			rd.diag(kustorule.CodeValueType, source.Warning, m.Content[i].Line, "a key that is not a string; ignored")
			continue
		}
		k = strings.TrimSpace(k)
		if prev, dup := fields[k]; dup {
			dups++
			switch {
			case dups <= maxDuplicateReports:
				rd.diag(kustorule.CodeDuplicateKey, source.Warning, m.Content[i].Line,
					"key %q given twice (first on line %d); the last one is read", k, prev.key.Line)
			case dups == maxDuplicateReports+1:
				rd.diag(kustorule.CodeDuplicateKey, source.Warning, m.Content[i].Line,
					"more keys given twice; only the first %d are reported", maxDuplicateReports)
			}
		} else {
			order = append(order, k)
		}
		fields[k] = field{m.Content[i], m.Content[i+1]}
	}
	var techniques, tactics []kustorule.Ref
	for _, k := range order {
		fl := fields[k]
		v := fl.value
		switch k {
		case "id":
			if s, ok := rd.scalar(k, v); ok && s != "" {
				kustorule.SetExtra(d, "id", strings.TrimSpace(s))
			}
		case "name":
			if s, ok := rd.scalar(k, v); ok && strings.TrimSpace(s) != "" {
				d.Title = strings.Join(strings.Fields(s), " ")
			}
		case "description":
			if s, ok := rd.scalar(k, v); ok {
				d.Description = cleanDescription(s)
				d.References = kustorule.AppendUnique(d.References, kustorule.URLs(d.Description)...)
			}
		case "severity":
			d.Severity, _ = rd.scalarTrim(k, v)
		case "status":
			d.Status, _ = rd.scalarTrim(k, v)
		case "version":
			d.Version, _ = rd.scalarTrim(k, v)
		case "kind":
			d.Kind, _ = rd.scalarTrim(k, v)
		case "queryFrequency":
			d.Frequency, _ = rd.scalarTrim(k, v)
		case "queryPeriod":
			d.TimeWindow, _ = rd.scalarTrim(k, v)
		case "tactics":
			for _, it := range rd.list(k, v) {
				if kustorule.IsDefenderState(it.value) {
					d.Tags = kustorule.AppendUnique(d.Tags, it.value)
					continue
				}
				tactics = append(tactics, kustorule.Ref{Value: it.value, Line: it.line})
			}
		case "relevantTechniques", "techniques":
			for _, it := range rd.list(k, v) {
				techniques = append(techniques, kustorule.Ref{Value: it.value, Line: it.line})
			}
		case "query":
			if !rd.salvaged {
				rd.query(fl)
			}
		case "tags":
			rd.tags(v)
		case "References", "references":
			for _, it := range rd.list(k, v) {
				d.References = kustorule.AppendUnique(d.References, it.value)
			}
		default:
			kustorule.SetExtra(d, k, rd.convert(v))
		}
		switch k {
		case "requiredDataConnectors":
			rd.connectors(v)
		case "entityMappings", "sentinelEntitiesMappings":
			rd.columns(v, "entityMappings", false)
		case "customDetails":
			rd.columns(v, "customDetails", true)
		}
	}
	kustorule.MapAttackRefs(d, rd.cat, techniques, tactics)
	rd.kind(fields)
	if d.Query == "" {
		rd.noQuery(fields)
	}
}

// convert decodes a value for Extra, reporting a YAML bomb once.
func (rd *reading) convert(v *yaml.Node) any {
	before := rd.conv.exceeded
	out := rd.conv.value(v, 0)
	if before == nil && rd.conv.exceeded != nil {
		rd.diag(kustorule.CodeYAMLLimit, source.Error, rd.conv.exceeded.Line,
			"YAML aliases or nesting expand to more than %d values (a YAML bomb?); the rest is not read", maxNodes)
	}
	return out
}

func (rd *reading) scalar(key string, v *yaml.Node) (string, bool) {
	s, ok := scalarText(v)
	if !ok {
		rd.diag(kustorule.CodeValueType, source.Warning, v.Line, "%s: expected a single value; kept in extra", key)
		kustorule.SetExtra(rd.d, key, rd.convert(v))
	}
	return s, ok
}

func (rd *reading) scalarTrim(key string, v *yaml.Node) (string, bool) {
	s, ok := rd.scalar(key, v)
	return strings.TrimSpace(s), ok
}

func (rd *reading) list(key string, v *yaml.Node) []item {
	items, ok := scalarList(v)
	if !ok {
		rd.diag(kustorule.CodeValueType, source.Warning, v.Line, "%s: expected a list of values; kept in extra", key)
		kustorule.SetExtra(rd.d, key, rd.convert(v))
	}
	return items
}

// cleanDescription drops the quotes Sentinel authors put around descriptions
// inside block scalars ('...') and the blanks at line ends.
func cleanDescription(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "'") {
		s = s[1:]
		if strings.HasSuffix(s, "'") {
			s = s[:len(s)-1]
		}
	} else if strings.HasPrefix(s, `"`) && strings.HasSuffix(s, `"`) && len(s) >= 2 {
		s = s[1 : len(s)-1]
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// connectors reads requiredDataConnectors into data_sources: each connector
// id followed by its data types, without repeats.
func (rd *reading) connectors(v *yaml.Node) {
	v = resolve(v)
	if v == nil || v.Kind != yaml.SequenceNode {
		return
	}
	for _, c := range v.Content {
		c = resolve(c)
		if c == nil || c.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(c.Content); i += 2 {
			k, _ := scalarText(c.Content[i])
			switch k {
			case "connectorId":
				if s, ok := scalarText(c.Content[i+1]); ok {
					rd.d.DataSources = kustorule.AppendUnique(rd.d.DataSources, s)
				}
			case "dataTypes":
				items, _ := scalarList(c.Content[i+1])
				for _, it := range items {
					rd.d.DataSources = kustorule.AppendUnique(rd.d.DataSources, it.value)
				}
			}
		}
	}
}

// columns records the columns an entity mapping or custom details names as
// outputs of the rule. For customDetails the columns are the mapping's
// values; for entity mappings the columnName entries at any depth.
func (rd *reading) columns(v *yaml.Node, src string, values bool) {
	seen := 0
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		n = resolve(n)
		if n == nil || depth > 16 || seen > 1000 {
			return
		}
		seen++
		switch n.Kind {
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, depth+1)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, _ := scalarText(n.Content[i])
				if values {
					if s, ok := scalarText(n.Content[i+1]); ok {
						rd.d.Analysis.AddOutput(strings.TrimSpace(s), src)
					}
					continue
				}
				if k == "columnName" {
					if s, ok := scalarText(n.Content[i+1]); ok {
						rd.d.Analysis.AddOutput(strings.TrimSpace(s), src)
					}
					continue
				}
				walk(n.Content[i+1], depth+1)
			}
		}
	}
	walk(v, 0)
}

// tags reads tags: strings are kept as written; a mapping tag ("Schema:
// ASimDns") becomes "key: value" tags, except the links to a parent rule
// (ParentAlert, ParentName), which become links.
func (rd *reading) tags(v *yaml.Node) {
	v = resolve(v)
	if v == nil {
		return
	}
	if v.Kind == yaml.ScalarNode {
		items, _ := scalarList(v)
		for _, it := range items {
			rd.d.Tags = kustorule.AppendUnique(rd.d.Tags, it.value)
		}
		return
	}
	if v.Kind != yaml.SequenceNode {
		kustorule.SetExtra(rd.d, "tags", rd.convert(v))
		return
	}
	structured := false
	for _, c := range v.Content {
		c = resolve(c)
		if c == nil {
			continue
		}
		switch c.Kind {
		case yaml.ScalarNode:
			if s, ok := scalarText(c); ok {
				rd.d.Tags = kustorule.AppendUnique(rd.d.Tags, s)
			}
		case yaml.MappingNode:
			structured = true
			for i := 0; i+1 < len(c.Content); i += 2 {
				k, _ := scalarText(c.Content[i])
				val, ok := scalarText(c.Content[i+1])
				if !ok || strings.TrimSpace(val) == "" {
					continue
				}
				switch k {
				case "ParentAlert", "ParentName":
					rd.d.Links = append(rd.d.Links, rule.Link{Kind: "parent", Target: strings.TrimSpace(val)})
				case "version":
				default:
					rd.d.Tags = kustorule.AppendUnique(rd.d.Tags, k+": "+strings.TrimSpace(val))
				}
			}
		default:
			structured = true
		}
	}
	if structured {
		kustorule.SetExtra(rd.d, "tags", rd.convert(v))
	}
}

// kind sets the rule's kind: hunting for files in hunting folders, else the
// kind the YAML gives, else Scheduled when the rule has a schedule and
// hunting when it has none. A YAML kind that disagrees with the folder is
// kept in extra.
func (rd *reading) kind(fields map[string]field) {
	d := rd.d
	yamlKind := d.Kind
	hunting := false
	for _, dir := range strings.Split(d.Source.Path, "/") {
		if strings.Contains(strings.ToLower(dir), "hunting") {
			hunting = true
		}
	}
	switch {
	case hunting:
		d.Kind = "hunting"
		if yamlKind != "" {
			kustorule.SetExtra(d, "kind", yamlKind)
		}
	case yamlKind != "":
	case fields["queryFrequency"].value != nil || fields["triggerOperator"].value != nil:
		d.Kind = "Scheduled"
	case fields["query"].value != nil:
		d.Kind = "hunting"
	}
}

// noQuery explains a rule without a query: a "moved" stub (a warning and a
// link to where it went) or an error.
func (rd *reading) noQuery(fields map[string]field) {
	d := rd.d
	if isMovedText(d.Description) {
		line := 1
		if fl, ok := fields["description"]; ok {
			line = fl.key.Line
		}
		d.Deprecated = true
		targets := kustorule.URLs(d.Description)
		for _, u := range targets {
			d.Links = append(d.Links, rule.Link{Kind: "moved_to", Target: u, Title: repoPath(u)})
		}
		where := "another location"
		if len(targets) > 0 {
			where = repoPath(targets[0])
		}
		rd.diag(kustorule.CodeMoved, source.Warning, line, "the rule moved to %s; this file is a stub without a query", where)
		return
	}
	if _, ok := fields["query"]; ok {
		rd.diag(kustorule.CodeNoQuery, source.Error, fields["query"].key.Line, "the rule's query is empty")
		return
	}
	rd.diag(kustorule.CodeNoQuery, source.Error, 1, "the rule has no query key")
}

// repoPath returns the repository path of a GitHub blob address
// (".../blob/master/Solutions/X/Analytic%20Rules/R.yaml" gives
// "Solutions/X/Analytic Rules/R.yaml"), or the address itself.
func repoPath(u string) string {
	_, p, ok := strings.Cut(u, "/blob/")
	if !ok {
		return u
	}
	if _, rest, ok := strings.Cut(p, "/"); ok {
		p = rest
	}
	if dec, err := url.PathUnescape(p); err == nil {
		p = dec
	}
	return p
}
