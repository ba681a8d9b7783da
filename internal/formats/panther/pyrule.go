package panther

import (
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/lang/python"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// ruleDoc reads a rule, scheduled rule or policy: its YAML and its Python.
func (rd *reading) ruleDoc() {
	d, m := rd.d, rd.m
	rd.meta()
	d.QueryLanguage = QueryLanguagePython
	logTypes := m.list("LogTypes")
	if rd.typ == typePolicy {
		logTypes = append(logTypes, m.list("ResourceTypes")...)
	}
	c := rd.corpus()
	// A scheduled rule reads what its queries read.
	for _, qn := range m.list("ScheduledQueries") {
		qi := c.queries[qn]
		if qi == nil {
			line := 1
			if k := m.key("ScheduledQueries"); k != nil {
				line = k.Line
			}
			sev := source.Warning
			if len(c.queries) == 0 {
				sev = source.Info
			}
			rd.diag(CodeUnknownQuery, sev, line, "scheduled query "+quote(qn)+" is not in this source")
			d.Links = append(d.Links, rule.Link{Kind: "scheduled_query", Target: qn})
			continue
		}
		d.Links = append(d.Links, rule.Link{Kind: "scheduled_query", Target: qi.id, Title: qn})
		for _, lt := range qi.logTypes {
			if !slices.Contains(logTypes, lt) {
				logTypes = append(logTypes, lt)
			}
		}
	}
	for _, lt := range logTypes {
		d.Analysis.AddTable(lt)
	}
	d.DataSources = logTypes
	rd.tests()
	if v := m.get("InlineFilters"); v != nil {
		rd.yamlDetection(v, "inline_filter", "InlineFilters: events are filtered before rule() runs")
	}
	filename := strings.TrimSpace(m.str("Filename"))
	if filename == "" {
		if v := m.get("Detection"); v != nil {
			// A simple detection: YAML conditions, no Python.
			d.QueryLanguage = "yaml"
			d.Query = ""
			rd.yamlDetection(v, "detection", "")
			if t := strings.TrimSpace(m.str("AlertTitle")); t != "" {
				d.Analysis.AddOutput("title", "AlertTitle")
			}
			rd.alertContext(m.get("AlertContext"))
			return
		}
		line := 1
		if k := m.key("AnalysisType"); k != nil {
			line = k.Line
		}
		rd.diag(CodeNoPython, source.Error, line, "the rule has neither Filename nor Detection")
		return
	}
	rel, data, err := readSibling(rd.f, filename)
	if err != nil {
		line := 1
		if k := m.key("Filename"); k != nil {
			line = k.Line
		}
		rd.diag(CodeNoPython, source.Error, line, "cannot read the rule's Python file "+quote(filename)+": "+errText(err))
		return
	}
	src := string(data)
	d.Query = src
	if d.Extra == nil {
		d.Extra = map[string]any{}
	}
	d.Extra["python_file"] = rel
	mod := newModule(strings.TrimSuffix(path.Base(rel), ".py"), rel, src)
	for _, diag := range mod.errs.Diagnostics(src) {
		diag.Path = rel
		d.Diagnose(diag)
	}
	entry := "rule"
	if rd.typ == typePolicy {
		entry = "policy"
	}
	fn := mod.mod.Func(entry)
	if fn == nil {
		rd.d.Diagnose(source.Diagnostic{Code: CodeNoRuleFunc, Severity: source.Error, Path: rel, Line: 1, Col: 1,
			Message: "the Python file has no " + entry + "() function"})
	}
	explainPython(d, c, mod, fn, logTypes)
}

func errText(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && strings.Contains(msg, "/") {
		return msg[i+2:]
	}
	return msg
}

// explainPython fills the analysis from rule(event) and the module around
// it.
func explainPython(d *rule.Document, c *corpus, mod *module, fn *python.FunctionDef, logTypes []string) {
	a := &analyzer{c: c, m: mod, logTypes: logTypes, lt: source.NewLineTable("", mod.src)}
	names := mod.scope(c)
	// Module constants are the rule's parameters.
	for _, s := range mod.mod.Body {
		as, ok := s.(*python.Assign)
		if !ok || len(as.Targets) != 1 {
			continue
		}
		n, ok := as.Targets[0].(*python.Name)
		if !ok {
			continue
		}
		v, ok := names[n.Name]
		if !ok || v.kind != symConst && v.kind != symRegex {
			continue
		}
		p := rule.Parameter{Name: n.Name, Text: clip(a.text(as.Value), 400)}
		if v.kind == symConst {
			p.Values = v.values
		} else {
			p.Values = []string{v.pattern}
			p.Note = "regular expression"
		}
		d.Analysis.Parameters = append(d.Analysis.Parameters, p)
	}
	if fn != nil && len(fn.Params) > 0 {
		sc := newScope(nil)
		sc.vars[fn.Params[0].Name] = sym{kind: symEvent}
		a.body(fn.Body, sc)
		if a.exhausted() {
			pos := a.lt.Position(fn.Pos())
			d.Diagnose(source.Diagnostic{Code: CodeTooIntricate, Severity: source.Warning, Path: mod.path, Line: pos.Line, Col: pos.Column,
				Message: "the conditions of " + fn.Name.Name + "() are too intricate to explain in full: some are left out"})
		}
	}
	for _, st := range a.stages {
		for _, p := range st.Predicates {
			d.Analysis.AddPredicate(p)
		}
	}
	d.Analysis.Stages = append(d.Analysis.Stages, a.stages...)
	// Outputs: title, dedup and alert_context.
	var funcs []string
	for _, s := range mod.mod.Body {
		f, ok := s.(*python.FunctionDef)
		if !ok {
			continue
		}
		funcs = append(funcs, f.Name.Name)
		switch f.Name.Name {
		case "title", "dedup", "description":
			for _, field := range a.fieldsRead(f) {
				d.Analysis.AddOutput(field, f.Name.Name)
			}
		case "alert_context":
			keys := a.dictKeys(f, 2)
			if len(keys) == 0 {
				keys = a.fieldsRead(f)
			}
			for _, k := range keys {
				d.Analysis.AddOutput(k, "alert_context")
			}
		}
	}
	if d.Extra == nil {
		d.Extra = map[string]any{}
	}
	if len(funcs) > 0 {
		d.Extra["functions"] = funcs
	}
	if len(a.helpers) > 0 {
		var hs []map[string]any
		for _, h := range a.helpers {
			m := map[string]any{"name": h.Name, "module": h.Module}
			if h.Checks != "" {
				m["checks"] = h.Checks
			}
			if h.Doc != "" {
				m["doc"] = h.Doc
			}
			hs = append(hs, m)
		}
		d.Extra["helpers"] = hs
	}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + " ..."
}

// ---- YAML detections and inline filters ----------------------------------------

// conditions maps Panther's YAML conditions to kinds; neg marks the
// negative forms (exclusions with the positive kind).
var conditions = map[string]struct {
	kind string
	neg  bool
}{
	"Equals": {rule.KindEq, false}, "DoesNotEqual": {rule.KindEq, true},
	"IsIn": {rule.KindIn, false}, "IsNotIn": {rule.KindIn, true},
	"Contains": {rule.KindContains, false}, "DoesNotContain": {rule.KindContains, true},
	"StartsWith": {rule.KindStartsWith, false}, "DoesNotStartWith": {rule.KindStartsWith, true},
	"EndsWith": {rule.KindEndsWith, false}, "DoesNotEndWith": {rule.KindEndsWith, true},
	"IsGreaterThan": {rule.KindGt, false}, "IsGreaterThanOrEqual": {rule.KindGe, false},
	"IsLessThan": {rule.KindLt, false}, "IsLessThanOrEqual": {rule.KindLe, false},
	"IsNull": {rule.KindIsNull, false}, "IsNotNull": {rule.KindIsNotNull, false},
	"IsNullOrEmpty": {rule.KindIsNull, false}, "IsNotNullOrEmpty": {rule.KindIsNotNull, false},
	"Exists": {rule.KindIsNotNull, false}, "DoesNotExist": {rule.KindIsNull, false},
	"IsIPAddressInCIDR": {rule.KindCIDR, false}, "IsIPAddressNotInCIDR": {rule.KindCIDR, true},
	"IsIPAddressPublic": {rule.KindIsNotNull, false},
}

// yamlDetection reads YAML conditions (Key/KeyPath, Condition, Value or
// Values, grouped under All/Any/OnlyOne) into one stage.
func (rd *reading) yamlDetection(v *yaml.Node, kind, note string) {
	st := rule.Stage{Kind: kind, Pipeline: "main", Note: note, Line: v.Line}
	var walk func(n *yaml.Node, neg bool)
	walk = func(n *yaml.Node, neg bool) {
		switch n.Kind {
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, neg)
			}
		case yaml.MappingNode:
			m := mapping{n}
			for _, group := range []string{"All", "Any", "OnlyOne", "None"} {
				if g := m.get(group); g != nil {
					walk(g, neg != (group == "None"))
				}
			}
			key := firstNonEmpty(m.str("KeyPath"), m.str("Key"))
			cond := m.str("Condition")
			if key == "" || cond == "" {
				return
			}
			c, ok := conditions[cond]
			if !ok {
				rd.diag(CodeField, source.Warning, n.Line, "unknown condition "+quote(cond))
				return
			}
			p := rule.Predicate{Field: strings.TrimPrefix(key, "$."), Kind: c.kind, Negated: c.neg != neg}
			p.Values = append(scalars(m.get("Value")), scalars(m.get("Values"))...)
			if (c.kind == rule.KindEq || c.kind == rule.KindIn || c.kind == rule.KindContains ||
				c.kind == rule.KindStartsWith || c.kind == rule.KindEndsWith) && len(p.Values) > 0 {
				p.Transforms = []string{rule.TransformCased}
			}
			if c.kind == rule.KindEq && len(p.Values) > 1 {
				p.Kind = rule.KindIn
			}
			st.Predicates = append(st.Predicates, p)
		}
	}
	walk(v, false)
	if len(st.Predicates) == 0 {
		return
	}
	var parts []string
	for _, p := range st.Predicates {
		parts = append(parts, phrase(p))
	}
	st.Text = strings.Join(parts, "\n")
	for _, p := range st.Predicates {
		rd.d.Analysis.AddPredicate(p)
	}
	rd.d.Analysis.Stages = append(rd.d.Analysis.Stages, st)
}

// alertContext reads a simple detection's AlertContext (KeyName entries).
func (rd *reading) alertContext(v *yaml.Node) {
	if v == nil || v.Kind != yaml.SequenceNode {
		return
	}
	for _, c := range v.Content {
		if k := (mapping{c}).str("KeyName"); k != "" {
			rd.d.Analysis.AddOutput(k, "AlertContext")
		}
	}
}
