package sigma

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/detwiki/detwiki/internal/attack"
	lang "github.com/detwiki/detwiki/internal/lang/sigma"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
	yaml "go.yaml.in/yaml/v3"
)

// Stage kinds of Sigma documents.
const (
	StageSelection = "selection" // a condition term that selects events
	StageFilter    = "filter"    // a negated term (and not ...), or a filter meta-rule's selection
	// Sigma 1 aggregations keep their function name as the stage kind
	// (count, sum, near, ...); correlation stages are named by the
	// correlation type (event_count, temporal, ...).
)

// Link kinds of Sigma documents (besides the related types derived,
// obsolete, merged, renamed and similar, which are used as written).
const (
	LinkCorrelates = "correlates" // a correlation rule to each rule it correlates
	LinkFilterFor  = "filter_for" // a filter meta-rule to each rule it filters
)

// KeywordField is the field of keyword predicates: Sigma keywords are
// searched in the whole event, which detwiki writes as "*" (any field), as
// KQL writes "* has".
const KeywordField = "*"

// TransformExpand marks a value holding %placeholders% (the |expand
// modifier). The Sigma 2.1 time modifiers (minute, hour, ...) are
// transforms of their own name.
const TransformExpand = "expand"

// knownKeys are the top-level keys the document has a place for; the others
// go to Extra as decoded.
var knownKeys = map[string]bool{
	"title": true, "id": true, "name": true, "related": true, "taxonomy": true, "status": true,
	"description": true, "license": true, "references": true, "author": true, "date": true,
	"modified": true, "tags": true, "logsource": true, "detection": true, "fields": true,
	"falsepositives": true, "level": true, "scope": true, "regression_tests_path": true,
	"correlation": true, "filter": true, "action": true, "simulation": true,
}

// document builds the rule document of one Sigma rule.
func (c *fileContext) document(sr *lang.Rule, id string) *rule.Document {
	f := c.f
	d := &rule.Document{
		ID:             id,
		Language:       rule.LangSigma,
		QueryLanguage:  QueryLanguage,
		Format:         Format,
		Source:         rule.Source{Repo: f.Repo, Path: f.Path},
		Title:          sr.Title,
		Description:    strings.TrimSpace(sr.Description),
		Author:         sr.Author,
		Status:         sr.Status,
		Severity:       strings.ToLower(sr.Level),
		References:     sr.References,
		FalsePositives: sr.FalsePositives,
		Created:        normalizeDate(sr.Date),
		Modified:       normalizeDate(sr.Modified),
		Tags:           sr.Tags,
		Body:           c.body,
	}
	if d.Title == "" {
		d.Title = strings.TrimSuffix(f.Base(), path.Ext(f.Base()))
	}
	switch sr.Kind {
	case lang.KindCorrelation:
		d.Kind = "correlation"
	case lang.KindFilter:
		d.Kind = "filter"
	}
	if strings.EqualFold(d.Status, "deprecated") || folderMark(f.Path, "deprecated") {
		d.Deprecated = true
	}
	if folderMark(f.Path, "unsupported") {
		d.Status = "unsupported"
	}
	extra := map[string]any{}
	if sr.ID != "" {
		extra["sigma_id"] = sr.ID
	}
	if sr.Name != "" {
		extra["name"] = sr.Name
	}
	if sr.License != "" {
		extra["license"] = sr.License
	}
	if sr.Taxonomy != "" {
		extra["taxonomy"] = sr.Taxonomy
	}
	if len(sr.Scope) > 0 {
		extra["scope"] = sr.Scope
	}
	if ls := sr.Logsource; !ls.IsZero() {
		m := map[string]any{}
		for k, v := range map[string]string{"product": ls.Product, "category": ls.Category, "service": ls.Service, "definition": ls.Definition} {
			if v != "" {
				m[k] = v
			}
		}
		extra["logsource"] = m
		if t := ls.Table(); t != "" {
			d.Analysis.AddTable(t)
			d.DataSources = []string{t}
		}
		if ls.Product != "" {
			d.Platforms = []string{strings.ToLower(ls.Product)}
		}
	}
	budget := lang.MaxNodeValues
	extraValue := func(k lang.Key, n *yaml.Node) any {
		spent := budget < 0
		v := lang.NodeValueBudget(n, &budget)
		if budget < 0 && !spent {
			p := c.file.Lines.Position(k.Pos)
			d.Diagnose(source.Diagnostic{Code: lang.CodeValue, Severity: source.Warning, Line: p.Line, Col: p.Column,
				Message: fmt.Sprintf("the value of %s expands to more than %d values (YAML aliases: a YAML bomb?); the rest is left out", k.Name, lang.MaxNodeValues)})
		}
		return v
	}
	for _, k := range sr.Keys {
		if knownKeys[k.Name] {
			continue
		}
		extra[k.Name] = extraValue(k, sr.Lookup(k.Name))
	}
	if n := sr.Lookup("simulation"); n != nil {
		var k lang.Key
		for _, x := range sr.Keys {
			if x.Name == "simulation" {
				k = x
			}
		}
		extra["simulation"] = extraValue(k, n)
	}
	for _, f := range sr.Fields {
		d.Analysis.AddOutput(f, "fields")
	}
	for _, rel := range sr.Related {
		d.Links = append(d.Links, rule.Link{Kind: rel.Type, Target: rel.ID})
	}
	for _, diag := range sr.Diagnostics {
		d.Diagnose(diag)
	}
	c.attack(d, sr)
	c.query(d, sr)
	switch sr.Kind {
	case lang.KindDetection:
		if sr.Detection != nil {
			explainDetection(d, sr.Detection, c.file.Lines, c.queryLine(d), false)
			if tf := sr.Detection.Timeframe; tf != "" {
				d.TimeWindow = tf
			}
		}
	case lang.KindFilter:
		if sr.Filter != nil {
			for _, r := range sr.Filter.Rules {
				d.Links = append(d.Links, rule.Link{Kind: LinkFilterFor, Target: r.Ref})
			}
			if sr.Filter.Detection != nil {
				explainDetection(d, sr.Filter.Detection, c.file.Lines, c.queryLine(d), true)
			}
		}
	case lang.KindCorrelation:
		if sr.Correlation != nil {
			explainCorrelation(d, sr.Correlation, extra)
		}
	}
	c.regression(d, sr)
	if len(extra) > 0 {
		d.Extra = extra
	}
	return d
}

// query sets Query and QueryOrigin: the detection (correlation, filter)
// section as written; for a rule merged from a collection, the documents
// it was merged from, in order.
func (c *fileContext) query(d *rule.Document, sr *lang.Rule) {
	if len(sr.Merged) > 0 {
		var parts []string
		for _, sp := range sr.Merged {
			if sp.Start.IsValid() && sp.End <= source.Pos(len(c.text)) && sp.Start <= sp.End {
				parts = append(parts, c.text[sp.Start:sp.End])
			}
		}
		d.Query = strings.Join(parts, "\n---\n")
		if len(sr.Merged) == 1 && sr.Merged[0].Start.IsValid() {
			p := c.file.Lines.Position(sr.Merged[0].Start)
			d.QueryOrigin = source.Origin{Line: p.Line, Col: 1}
		}
		return
	}
	section := ""
	switch sr.Kind {
	case lang.KindDetection:
		section = "detection"
	case lang.KindCorrelation:
		section = "correlation"
	case lang.KindFilter:
		section = "filter"
	}
	for _, k := range sr.Keys {
		if k.Name != section || !k.Pos.IsValid() || k.End > source.Pos(len(c.text)) || k.End < k.Pos {
			continue
		}
		start := k.Pos
		// Include the key's indentation (none for top-level keys).
		d.Query = c.text[start:k.End]
		p := c.file.Lines.Position(start)
		d.QueryOrigin = source.Origin{Line: p.Line, Col: p.Column}
		return
	}
}

// queryLine returns the file line where the Query starts (1 when unknown).
func (c *fileContext) queryLine(d *rule.Document) int {
	if d.QueryOrigin.Line > 0 {
		return d.QueryOrigin.Line
	}
	return 1
}

// attack maps the attack.* tags through the ATT&CK catalog.
func (c *fileContext) attack(d *rule.Document, sr *lang.Rule) {
	var techniques, tactics []string
	for _, t := range sr.Tags {
		name, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(t)), "attack.")
		if !ok || name == "" {
			continue
		}
		switch {
		case isATTACKID(name, 't'):
			techniques = append(techniques, name)
		case isATTACKID(name, 'g'), isATTACKID(name, 's'), isATTACKID(name, 'm'), isATTACKID(name, 'c'), isATTACKID(name, 'd'):
			// groups, software, mitigations, campaigns, data sources
		default:
			tactics = append(tactics, name)
		}
	}
	if c.env == nil || c.env.Attack == nil || len(techniques)+len(tactics) == 0 {
		return
	}
	mapped, problems := c.mapAttack(techniques, tactics)
	d.Attack = mapped
	if len(problems) == 0 {
		return
	}
	line, col := 0, 0
	var tags lang.Key
	for _, k := range sr.Keys {
		if k.Name == "tags" && k.Pos.IsValid() {
			p := c.file.Lines.Position(k.Pos)
			line, col = p.Line, p.Column
			tags = k
		}
	}
	for _, p := range problems {
		dg := source.Diagnostic{Code: "ATTACK001", Severity: source.Warning, Message: p, Line: line, Col: col}
		// Place the warning on the tag it is about, else on tags:.
		for _, ref := range slices.Concat(techniques, tactics) {
			id := attack.NormalizeTechniqueID(ref)
			if !strings.Contains(p, `"`+ref+`"`) && (id == "" || !strings.Contains(p, `"`+id+`"`) && !strings.Contains(p, "technique "+id+" ")) {
				continue
			}
			if off := tagOffset(c.text, tags, "attack."+ref); off >= 0 {
				pos := c.file.Lines.Position(source.Pos(off))
				dg.Line, dg.Col = pos.Line, pos.Column
			}
			break
		}
		d.Diagnose(dg)
	}
}

// tagOffset returns the file offset of the tag (attack.t1027, lower case)
// inside the tags block k, compared without case and as a whole tag, or -1.
func tagOffset(text string, k lang.Key, tag string) int {
	from, to := int(k.Pos), int(k.End)
	if !k.Pos.IsValid() || from < 0 || to > len(text) || from >= to {
		return -1
	}
	block := strings.ToLower(text[from:to])
	for i := 0; i < len(block); {
		j := strings.Index(block[i:], tag)
		if j < 0 {
			return -1
		}
		start, end := i+j, i+j+len(tag)
		before := start == 0 || !isTagByte(block[start-1])
		after := end == len(block) || !isTagByte(block[end])
		if before && after {
			return from + start
		}
		i = end
	}
	return -1
}

func isTagByte(c byte) bool {
	return c == '.' || c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z'
}

// attackResult is one cached ATT&CK mapping.
type attackResult struct {
	mapped   []rule.Attack
	problems []string
}

// mapAttack maps techniques and tactics through the run's ATT&CK catalog,
// caching the result per tag set: thousands of Sigma rules share a few
// hundred tag sets.
func (c *fileContext) mapAttack(techniques, tactics []string) ([]rule.Attack, []string) {
	cache := c.env.Shared(Format+":attack", func() any { return new(sync.Map) }).(*sync.Map)
	key := strings.Join(techniques, ",") + "|" + strings.Join(tactics, ",")
	if v, ok := cache.Load(key); ok {
		r := v.(attackResult)
		return slices.Clone(r.mapped), r.problems
	}
	mapped, problems := c.env.Attack.Map(techniques, tactics)
	cache.Store(key, attackResult{mapped: slices.Clone(mapped), problems: problems})
	return mapped, problems
}

// isATTACKID reports whether s is an ATT&CK object id with the given
// prefix letter: t1055, t1055.002, g0016, s0002.
func isATTACKID(s string, prefix byte) bool {
	if len(s) < 5 || s[0] != prefix {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c == '.' && prefix == 't' && i == 5 {
			continue
		}
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// explainDetection adds a stage per condition term, with its predicates,
// and the indicators and exclusions. For a filter meta-rule every positive
// predicate is an exclusion (the filter suppresses what it selects).
func explainDetection(d *rule.Document, det *lang.Detection, lines *source.LineTable, queryLine int, filterRule bool) {
	e := &detectionExplainer{d: d, det: det, lines: lines, queryLine: queryLine, filterRule: filterRule, indicators: newIndicatorSet(&d.Analysis)}
	for i, c := range det.Conditions {
		pipeline := "main"
		if len(det.Conditions) > 1 {
			pipeline = fmt.Sprintf("condition %d", i+1)
		}
		e.condition(c, pipeline)
	}
	e.parameters()
}

type detectionExplainer struct {
	d          *rule.Document
	indicators *indicatorSet
	det        *lang.Detection
	lines      *source.LineTable
	queryLine  int
	filterRule bool
	params     []string
}

// conjuncts returns the top-level terms of x: the operands of its and
// chains, through parentheses.
func conjuncts(x lang.Expr, out []lang.Expr) []lang.Expr {
	if b, ok := lang.Unparen(x).(*lang.BinaryExpr); ok && b.Op == lang.AND {
		out = conjuncts(b.X, out)
		return conjuncts(b.Y, out)
	}
	return append(out, x)
}

func (e *detectionExplainer) condition(c *lang.Condition, pipeline string) {
	if len(c.Errors) > 0 {
		// The condition cannot be read: one stage with its text, listing
		// every selection's predicates, none counted as an indicator.
		st := rule.Stage{Kind: StageSelection, Text: strings.Join(strings.Fields(c.Text), " "), Pipeline: pipeline}
		for _, s := range e.det.Searches {
			e.search(&st, s, 0, false)
		}
		e.d.Analysis.Stages = append(e.d.Analysis.Stages, st)
		return
	}
	for _, term := range conjuncts(c.Expr, nil) {
		if _, bad := term.(*lang.BadExpr); bad {
			continue
		}
		neg := false
		inner := lang.Unparen(term)
		if n, ok := inner.(*lang.NotExpr); ok {
			neg = true
			inner = n.X
		}
		kind := StageSelection
		if neg || e.filterRule {
			kind = StageFilter
		}
		st := rule.Stage{Kind: kind, Text: termText(c.Text, term), Pipeline: pipeline}
		if refs := e.det.Referenced(term); len(refs) > 0 && refs[0].Pos.IsValid() {
			st.Line = e.lines.Position(refs[0].Pos).Line - e.queryLine + 1
		}
		// Polarity, as in every front end (docs/rule-model.md): a
		// predicate under an odd number of nots is an exclusion (the
		// term's own not, and a not nested under an or: (sel and not
		// filter) or other), under an even number an indicator.
		var walk func(x lang.Expr, nots int)
		walk = func(x lang.Expr, nots int) {
			switch x := x.(type) {
			case *lang.Ident:
				e.search(&st, e.det.Search(x.Name), nots, true)
			case *lang.OfExpr:
				for _, s := range e.det.Of(x) {
					e.search(&st, s, nots, true)
				}
			case *lang.NotExpr:
				walk(x.X, nots+1)
			case *lang.ParenExpr:
				walk(x.X, nots)
			case *lang.BinaryExpr:
				walk(x.X, nots)
				walk(x.Y, nots)
			}
		}
		start := 0
		if neg {
			start = 1
		}
		walk(inner, start)
		e.d.Analysis.Stages = append(e.d.Analysis.Stages, st)
	}
	if a := c.Aggregation; a != nil && a.Func != "" {
		st := rule.Stage{Kind: a.Func, Text: a.String(), Pipeline: pipeline}
		if a.Near != nil {
			for _, s := range e.det.Referenced(a.Near) {
				e.search(&st, s, 0, false) // shown, not counted: near is a correlation
			}
		}
		if len(a.GroupBy) > 0 {
			e.d.GroupBy = append(e.d.GroupBy, a.GroupBy...)
		}
		e.d.Analysis.Stages = append(e.d.Analysis.Stages, st)
	}
}

// termText returns a term's text as the author wrote it, whitespace runs
// (line folding) collapsed.
func termText(text string, x lang.Expr) string {
	start, end := int(x.Pos()), int(x.End())
	if start < 0 || end > len(text) || start > end {
		return lang.Print(x)
	}
	return strings.Join(strings.Fields(text[start:end]), " ")
}

// search adds the predicates of a search identifier to a stage. nots counts
// the nots above it; count says whether its predicates are recorded as
// indicators (an even number of nots) or exclusions (odd), or only shown.
// A filter meta-rule is about what it suppresses: its predicates under no
// not (the specification's example, condition: selection) or under one not
// (condition: not selection, the form pySigma, which ANDs a filter's
// condition into the rules it names, and sigma-cli document) are
// exclusions; deeper ones are only shown.
func (e *detectionExplainer) search(st *rule.Stage, s *lang.Search, nots int, count bool) {
	if s == nil {
		return
	}
	negated := nots%2 == 1
	record := count
	if e.filterRule {
		record = count && nots <= 1
		negated = negated || record
	}
	for _, g := range s.Groups {
		for _, it := range g.Items {
			for _, p := range e.itemPredicates(it) {
				p.Negated = negated
				st.Predicates = append(st.Predicates, p)
				if record {
					e.indicators.add(p)
				}
			}
		}
	}
}

// itemPredicates turns a detection item into predicates: one per run of
// values with the same kind and transforms (values of a plain equality list
// make one "in").
func (e *detectionExplainer) itemPredicates(it *lang.Item) []rule.Predicate {
	field := it.Field
	if it.IsKeyword() {
		field = KeywordField
	}
	var out []rule.Predicate
	for _, v := range it.Values {
		kind, value, transforms := e.valueKind(it, v)
		if n := len(out); n > 0 && out[n-1].Kind == kind && equalStrings(out[n-1].Transforms, transforms) {
			if kind != rule.KindIsNull && kind != rule.KindIsNotNull {
				out[n-1].Values = append(out[n-1].Values, value)
			}
			continue
		}
		p := rule.Predicate{Field: field, Kind: kind, Transforms: transforms}
		if kind != rule.KindIsNull && kind != rule.KindIsNotNull {
			p.Values = []string{value}
		}
		out = append(out, p)
	}
	for i := range out {
		if out[i].Kind == rule.KindEq && len(out[i].Values) > 1 && !it.All {
			out[i].Kind = rule.KindIn
		}
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// valueKind decides the kind, the shown value and the transforms of one
// value of an item (see docs/lang-sigma.md).
func (e *detectionExplainer) valueKind(it *lang.Item, v *lang.Value) (kind, value string, transforms []string) {
	var tr []string
	add := func(t string) {
		for _, x := range tr {
			if x == t {
				return
			}
		}
		tr = append(tr, t)
	}
	if it.Cased {
		add(rule.TransformCased)
	}
	if it.All {
		add(rule.TransformAll)
	}
	for _, m := range it.Modifiers {
		switch m.Name {
		case "base64":
			add(rule.TransformBase64)
		case "base64offset":
			add(rule.TransformBase64Offset)
		case "utf16le", "utf16be", "utf16":
			add(rule.TransformWide)
		case "windash":
			add(rule.TransformWindash)
		}
	}
	if it.FieldRef {
		add(rule.TransformFieldRef)
	}
	if it.TimePart != "" {
		add(it.TimePart)
	}

	switch it.Compare {
	case lang.CompareExists:
		if strings.EqualFold(v.Raw, "false") {
			return rule.KindIsNull, "", tr
		}
		return rule.KindIsNotNull, "", tr
	case lang.CompareRegex:
		// Sigma regular expressions are case-sensitive unless |i.
		if !strings.Contains(it.Regex, "i") {
			add(rule.TransformCased)
		}
		flags := strings.ReplaceAll(it.Regex, "i", "")
		value = v.Raw
		if flags != "" {
			value = "(?" + flags + ")" + value
		}
		return rule.KindRegex, value, tr
	case lang.CompareCIDR:
		return rule.KindCIDR, v.Raw, tr
	case lang.CompareGT:
		return rule.KindGt, v.Raw, tr
	case lang.CompareGTE:
		return rule.KindGe, v.Raw, tr
	case lang.CompareLT:
		return rule.KindLt, v.Raw, tr
	case lang.CompareLTE:
		return rule.KindLe, v.Raw, tr
	}
	if v.Type == lang.ValueNull {
		if it.Compare == lang.CompareNotEqual {
			return rule.KindIsNotNull, "", tr
		}
		return rule.KindIsNull, "", tr
	}
	if it.FieldRef || v.Type != lang.ValueString {
		switch it.Compare {
		case lang.CompareContains:
			kind = rule.KindContains
		case lang.CompareStartsWith:
			kind = rule.KindStartsWith
		case lang.CompareEndsWith:
			kind = rule.KindEndsWith
		case lang.CompareNotEqual:
			kind = rule.KindNe
		default:
			kind = rule.KindEq
			if it.IsKeyword() {
				kind = rule.KindContains
			}
		}
		return kind, v.Raw, tr
	}
	s := v.Str
	if it.Expand && s.HasPlaceholders() {
		add(TransformExpand)
		e.params = append(e.params, s.Placeholders()...)
	}
	switch it.Compare {
	case lang.CompareContains:
		inner, _, _ := s.TrimAnyChars()
		return rule.KindContains, e.shown(inner, &tr, it.Expand), tr
	case lang.CompareStartsWith:
		inner, _, _ := trimRight(s)
		return rule.KindStartsWith, e.shown(inner, &tr, it.Expand), tr
	case lang.CompareEndsWith:
		inner, _, _ := trimLeft(s)
		return rule.KindEndsWith, e.shown(inner, &tr, it.Expand), tr
	case lang.CompareNotEqual:
		return rule.KindNe, e.shown(s, &tr, it.Expand), tr
	}
	// Equality, wildcards deciding the kind; keywords are searched anywhere.
	if it.IsKeyword() {
		inner, _, _ := s.TrimAnyChars()
		return rule.KindContains, e.shown(inner, &tr, it.Expand), tr
	}
	if s.IsAnyChars() {
		return rule.KindIsNotNull, "", tr
	}
	if hasWildcards(s) {
		inner, lead, trail := s.TrimAnyChars()
		if !hasWildcards(inner) {
			switch {
			case lead && trail:
				return rule.KindContains, e.shown(inner, &tr, it.Expand), tr
			case lead:
				return rule.KindEndsWith, e.shown(inner, &tr, it.Expand), tr
			case trail:
				return rule.KindStartsWith, e.shown(inner, &tr, it.Expand), tr
			}
		}
		return rule.KindMatch, e.shown(s, &tr, it.Expand), tr
	}
	return rule.KindEq, e.shown(s, &tr, it.Expand), tr
}

// shown returns the value as pages show it: the decoded text when it has no
// wildcards, the canonical Sigma notation (with the wildcard transform)
// when it has.
func (e *detectionExplainer) shown(s lang.String, tr *[]string, placeholders bool) string {
	if !hasWildcards(s) {
		return s.Text()
	}
	found := false
	for _, t := range *tr {
		if t == rule.TransformWildcard {
			found = true
		}
	}
	if !found {
		*tr = append(*tr, rule.TransformWildcard)
	}
	return s.Escaped(placeholders)
}

// hasWildcards reports whether s has a * or ? wildcard.
func hasWildcards(s lang.String) bool {
	for _, p := range s.Parts {
		if p.Kind == lang.PartAnyChars || p.Kind == lang.PartOneChar {
			return true
		}
	}
	return false
}

func trimLeft(s lang.String) (lang.String, bool, bool) {
	parts := s.Parts
	lead := false
	for len(parts) > 0 && parts[0].Kind == lang.PartAnyChars {
		parts = parts[1:]
		lead = true
	}
	return lang.String{Parts: parts}, lead, false
}

func trimRight(s lang.String) (lang.String, bool, bool) {
	parts := s.Parts
	trail := false
	for len(parts) > 0 && parts[len(parts)-1].Kind == lang.PartAnyChars {
		parts = parts[:len(parts)-1]
		trail = true
	}
	return lang.String{Parts: parts}, false, trail
}

// parameters lists the placeholders of |expand values.
func (e *detectionExplainer) parameters() {
	seen := map[string]bool{}
	for _, p := range e.d.Analysis.Parameters {
		seen[p.Name] = true
	}
	for _, name := range e.params {
		if seen[name] {
			continue
		}
		seen[name] = true
		e.d.Analysis.Parameters = append(e.d.Analysis.Parameters, rule.Parameter{Name: name, Text: "%" + name + "%"})
	}
}

// explainCorrelation adds the correlation stage: one stage over the
// referenced rules, named by the correlation type.
func explainCorrelation(d *rule.Document, c *lang.Correlation, extra map[string]any) {
	var refs []string
	for _, r := range c.Rules {
		refs = append(refs, r.Ref)
	}
	var b strings.Builder
	b.WriteString(c.Type)
	b.WriteString(" of " + strings.Join(refs, ", "))
	if len(c.GroupBy) > 0 {
		b.WriteString(" by " + strings.Join(c.GroupBy, ", "))
	}
	if c.Timespan != "" {
		b.WriteString(" within " + c.Timespan)
	}
	for i, cc := range c.Condition {
		if i == 0 {
			b.WriteString(" where ")
		} else {
			b.WriteString(" and ")
		}
		op := countOps[cc.Op]
		if op == "" {
			op = cc.Op
		}
		b.WriteString(metric(c) + " " + op + " " + cc.Value)
	}
	d.Analysis.Stages = append(d.Analysis.Stages, rule.Stage{Kind: c.Type, Text: b.String(), Line: 1})
	d.TimeWindow = c.Timespan
	d.GroupBy = append(d.GroupBy, c.GroupBy...)
	for _, r := range c.Rules {
		d.Links = append(d.Links, rule.Link{Kind: LinkCorrelates, Target: r.Ref})
	}
	corr := map[string]any{"type": c.Type, "rules": refs}
	if len(c.GroupBy) > 0 {
		corr["group-by"] = c.GroupBy
	}
	if c.Timespan != "" {
		corr["timespan"] = c.Timespan
	}
	if len(c.Condition) > 0 {
		cond := map[string]string{}
		for _, cc := range c.Condition {
			cond[cc.Op] = cc.Value
		}
		corr["condition"] = cond
	}
	if len(c.Field) > 0 {
		corr["field"] = c.Field
	}
	if len(c.Aliases) > 0 {
		al := map[string]map[string]string{}
		for _, a := range c.Aliases {
			m := map[string]string{}
			for _, f := range a.Fields {
				m[f.Rule] = f.Field
			}
			al[a.Name] = m
		}
		corr["aliases"] = al
	}
	if c.Generate {
		corr["generate"] = true
	}
	extra["correlation"] = corr
}

// metric spells what a correlation condition compares, for the stage text.
func metric(c *lang.Correlation) string {
	field := strings.Join(c.Field, ", ")
	switch c.Type {
	case "value_count":
		return "count(distinct " + field + ")"
	case "value_sum":
		return "sum(" + field + ")"
	case "value_avg":
		return "avg(" + field + ")"
	case "value_percentile":
		return "percentile(" + field + ")"
	case "temporal", "temporal_ordered":
		return "rules matched"
	}
	return "count"
}

// countOps spells the correlation comparisons.
var countOps = map[string]string{"gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "eq": "==", "neq": "!=", "percentile": "percentile"}

// indicatorSet records predicates as indicators and exclusions exactly as
// rule.Analysis.AddPredicate does (merged by field and kind, duplicate values
// skipped), but an indicator with many values is deduplicated through a map
// (Sigma lists of hundreds of values would make the scans quadratic), and the
// values of one predicate share one copy of its transforms.
type indicatorSet struct {
	a   *rule.Analysis
	big map[indicatorKey]map[string]bool
}

type indicatorKey struct {
	negated     bool
	field, kind string
}

// mapFrom is the number of values from which an indicator's duplicates are
// found through a map rather than a scan.
const mapFrom = 16

func newIndicatorSet(a *rule.Analysis) *indicatorSet { return &indicatorSet{a: a} }

func valueID(v string, transforms []string) string {
	if len(transforms) == 0 {
		return v
	}
	return v + "\x00" + strings.Join(transforms, "\x00")
}

func (s *indicatorSet) add(p rule.Predicate) {
	list := &s.a.Indicators
	if p.Negated {
		list = &s.a.Exclusions
	}
	i := slices.IndexFunc(*list, func(in rule.Indicator) bool { return in.Field == p.Field && in.Kind == p.Kind })
	if i < 0 {
		*list = append(*list, rule.Indicator{Field: p.Field, Kind: p.Kind, Values: make([]rule.Value, 0, len(p.Values))})
		i = len(*list) - 1
	}
	in := &(*list)[i]
	values := p.Values
	if len(values) == 0 && (p.Kind == rule.KindIsNull || p.Kind == rule.KindIsNotNull) {
		values = []string{""}
	}
	k := indicatorKey{p.Negated, p.Field, p.Kind}
	set := s.big[k]
	transforms := slices.Clone(p.Transforms)
	for _, v := range values {
		if set == nil && len(in.Values) >= mapFrom {
			set = make(map[string]bool, 2*len(in.Values))
			for _, x := range in.Values {
				set[valueID(x.Value, x.Transforms)] = true
			}
			if s.big == nil {
				s.big = map[indicatorKey]map[string]bool{}
			}
			s.big[k] = set
		}
		if set != nil {
			id := valueID(v, p.Transforms)
			if set[id] {
				continue
			}
			set[id] = true
		} else if slices.ContainsFunc(in.Values, func(x rule.Value) bool { return x.Value == v && slices.Equal(x.Transforms, p.Transforms) }) {
			continue
		}
		in.Values = append(in.Values, rule.Value{Value: v, Transforms: transforms})
	}
}
