package panther

import (
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// QueryLanguageCorrelation is the query language of correlation rules:
// their logic is YAML (groups and sequences of other rules' alerts).
const QueryLanguageCorrelation = "yaml"

// correlation reads a correlation rule: each Group or Sequence of its
// Detection is a stage; the rules it references are bindings and links
// (kind correlates); MatchCriteria and Transitions give the group-by
// fields; LookbackWindowMinutes the time window.
func (rd *reading) correlation() {
	d, m := rd.d, rd.m
	rd.meta()
	d.QueryLanguage = QueryLanguageCorrelation
	rd.tests()
	det := m.get("Detection")
	if det == nil || det.Kind != yaml.SequenceNode || len(det.Content) == 0 {
		line := 1
		if k := m.key("Detection"); k != nil {
			line = k.Line
		}
		rd.diag(CodeCorrelationNo, source.Error, line, "the correlation rule has no Detection list")
		return
	}
	c := rd.corpus()
	found := false
	for _, item := range det.Content {
		if item.Kind != yaml.MappingNode {
			continue
		}
		im := mapping{item}
		kind, list := "group", im.get("Group")
		if list == nil {
			kind, list = "sequence", im.get("Sequence")
		}
		if list == nil || list.Kind != yaml.SequenceNode {
			continue
		}
		found = true
		st := rule.Stage{Kind: kind, Pipeline: "main", Line: item.Line}
		var lines []string
		for _, e := range list.Content {
			em := mapping{e}
			id, rid := strings.TrimSpace(em.str("ID")), strings.TrimSpace(em.str("RuleID"))
			if rid == "" {
				continue
			}
			line := id + ": " + rid
			var notes []string
			if strings.EqualFold(em.str("Absence"), "true") {
				notes = append(notes, "must be absent")
			}
			if n := em.str("MinMatchCount"); n != "" {
				notes = append(notes, "at least "+n+" matches")
			}
			if len(notes) > 0 {
				line += " (" + strings.Join(notes, ", ") + ")"
			}
			lines = append(lines, line)
			target := rid
			if docID, ok := c.rules[rid]; ok {
				target = docID
			} else {
				sev := source.Warning
				if len(c.rules) == 0 {
					sev = source.Info
				}
				line, col := e.Line, e.Column
				if k := em.key("RuleID"); k != nil {
					line, col = k.Line, k.Column
				}
				rd.d.Diagnose(source.Diagnostic{Code: CodeUnknownRule, Severity: sev, Line: line, Col: col,
					Message: "rule " + quote(rid) + " is not in this source"})
			}
			d.Analysis.Bindings = append(d.Analysis.Bindings, rule.Binding{Name: firstNonEmpty(id, rid), Text: line, DerivedFrom: []string{target}})
			if !slices.ContainsFunc(d.Links, func(l rule.Link) bool { return l.Target == target }) {
				d.Links = append(d.Links, rule.Link{Kind: "correlates", Target: target, Title: rid})
			}
		}
		// MatchCriteria: the fields the alerts must share.
		mc := im.sub("MatchCriteria")
		if mc.n != nil {
			for i := 0; i+1 < len(mc.n.Content); i += 2 {
				for _, e := range mc.n.Content[i+1].Content {
					if f := (mapping{e}).str("Match"); f != "" {
						rd.groupBy(f)
					}
				}
				lines = append(lines, "match on "+mc.n.Content[i].Value)
			}
		}
		// Transitions of a sequence: From -> To within N minutes on fields.
		if tr := im.get("Transitions"); tr != nil && tr.Kind == yaml.SequenceNode {
			for _, t := range tr.Content {
				tm := mapping{t}
				line := tm.str("From") + " then " + tm.str("To")
				if w := tm.str("WithinTimeFrameMinutes"); w != "" {
					line += " within " + w + "m"
				}
				if on := tm.get("Match"); on != nil && on.Kind == yaml.SequenceNode {
					var fields []string
					for _, o := range on.Content {
						if f := (mapping{o}).str("On"); f != "" {
							fields = append(fields, f)
							rd.groupBy(f)
						}
					}
					if len(fields) > 0 {
						line += " on " + strings.Join(fields, ", ")
					}
				}
				lines = append(lines, line)
			}
		}
		if lb := im.str("LookbackWindowMinutes"); lb != "" {
			d.TimeWindow = lb + "m"
		}
		if rate := im.sub("Schedule").str("RateMinutes"); rate != "" {
			d.Frequency = rate + "m"
		}
		st.Text = strings.Join(lines, "\n")
		d.Analysis.Stages = append(d.Analysis.Stages, st)
	}
	if !found {
		rd.diag(CodeCorrelationNo, source.Error, det.Line, "the correlation rule's Detection has no Group or Sequence")
	}
}

func (rd *reading) groupBy(f string) {
	if !slices.Contains(rd.d.GroupBy, f) {
		rd.d.GroupBy = append(rd.d.GroupBy, f)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
