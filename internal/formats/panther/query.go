package panther

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/formats/yamlfile"
	"github.com/detwiki/detwiki/internal/lang/sql"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// query reads a scheduled or saved query: its SQL, the tables (log types)
// each SELECT reads and the predicates of its WHERE.
func (rd *reading) query() {
	d, m := rd.d, rd.m
	rd.meta()
	d.QueryLanguage = QueryLanguageSQL
	sch := m.sub("Schedule")
	if r := sch.str("RateMinutes"); r != "" {
		d.Frequency = r + "m"
	} else if cron := sch.str("CronExpression"); cron != "" {
		d.Frequency = "cron " + cron
	}
	if lb := m.str("Lookback"); lb != "" {
		d.TimeWindow = lb
	}
	qn := m.get("Query")
	if qn == nil || qn.Kind != yaml.ScalarNode || strings.TrimSpace(qn.Value) == "" {
		rd.diag(CodeNoQuery, source.Error, 1, "the query file has no Query")
		return
	}
	d.Query = qn.Value
	d.QueryOrigin = yamlfile.ScalarOrigin(qn, rd.f.Data)
	c := rd.corpus()
	for _, id := range c.queryUsers[m.str("QueryName")] {
		d.Links = append(d.Links, rule.Link{Kind: "scheduled_rule", Target: id})
	}
	q, errs := sql.Parse(d.Query)
	sev := source.Warning
	if q.Template {
		sev = source.Info
	}
	for _, diag := range errs.DiagnosticsAs(d.Query, sev) {
		d.Diagnose(diag.Relocate(rd.f.Path, d.QueryOrigin))
	}
	x := &sqlExplainer{d: d, src: d.Query, c: c, lt: source.NewLineTable("", d.Query), ctes: q.CTEs}
	for _, s := range q.Selects {
		x.selectStage(s)
	}
	if len(q.Selects) == 0 || len(errs) > 0 {
		note := "the query could not be read as a simple SELECT; it is shown as written"
		if q.Template {
			note = "a templated query ({{ }} / {% %}); read as far as its SQL goes"
		} else if len(q.Selects) > 0 {
			note = "the query could only be read in part; it is shown as written"
		}
		d.Sections = append(d.Sections, rule.Section{Title: "Note", Text: note})
		if len(q.Selects) == 0 {
			d.Analysis.Stages = append(d.Analysis.Stages, rule.Stage{Kind: "query", Text: d.Query, Pipeline: "main", Line: 1, Note: note})
		}
	}
}

type sqlExplainer struct {
	d    *rule.Document
	src  string
	c    *corpus
	lt   *source.LineTable
	ctes []string
	// qualifiers are the table names and aliases of the current SELECT.
	qualifiers []string
}

// selectStage adds one stage per SELECT: the tables it reads and the
// predicates of its WHERE.
func (x *sqlExplainer) selectStage(s *sql.Select) {
	pipeline := "main"
	if s.CTE != "" {
		pipeline = s.CTE
	}
	x.qualifiers = x.qualifiers[:0]
	var tables []string
	for _, t := range s.Tables {
		x.qualifiers = append(x.qualifiers, strings.ToLower(t.Name))
		if i := strings.LastIndexByte(t.Name, '.'); i >= 0 {
			x.qualifiers = append(x.qualifiers, strings.ToLower(t.Name[i+1:]))
		}
		if t.Alias != "" {
			x.qualifiers = append(x.qualifiers, strings.ToLower(t.Alias))
		}
		if contains(x.ctes, t.Name) {
			tables = append(tables, t.Name)
			continue
		}
		name := t.Name
		if lt := x.c.logTypeOfTable(t.Name); lt != "" {
			name = lt
		}
		x.d.Analysis.AddTable(name)
		tables = append(tables, name)
	}
	if s.CTE != "" {
		x.d.Analysis.Bindings = append(x.d.Analysis.Bindings, rule.Binding{Name: s.CTE, Text: clip(sql.TextSpan(x.src, s.SelectPos, s.To), 2000), DerivedFrom: tables})
	}
	text := "FROM " + strings.Join(tables, ", ")
	if s.Where != nil {
		text += "\nWHERE " + sql.Text(x.src, s.Where)
	}
	st := rule.Stage{Kind: "select", Text: text, Pipeline: pipeline, Line: x.lt.Position(s.SelectPos).Line}
	if s.Where != nil {
		x.cond(s.Where, false, &st)
	}
	for _, p := range st.Predicates {
		x.d.Analysis.AddPredicate(p)
	}
	for _, col := range s.Columns {
		if f := strings.TrimSpace(col.Alias); f != "" && pipeline == "main" {
			x.d.Analysis.AddOutput(f, "select")
		}
	}
	x.d.Analysis.Stages = append(x.d.Analysis.Stages, st)
}

func (x *sqlExplainer) add(st *rule.Stage, neg bool, p rule.Predicate) {
	if p.Field == "" {
		return
	}
	if neg {
		p.Negated = !p.Negated
	}
	st.Predicates = append(st.Predicates, p)
}

// field names a column reference the way Panther rules name event fields:
// table qualifiers dropped, the path into semi-structured columns joined
// with dots (client:ip_address is client.ip_address). folded is set under
// LOWER/UPPER.
func (x *sqlExplainer) field(e sql.Expr) (string, bool, bool) {
	switch v := e.(type) {
	case *sql.Paren:
		return x.field(v.X)
	case *sql.Cast:
		return x.field(v.X)
	case *sql.Call:
		switch strings.ToLower(v.Name) {
		case "lower", "upper":
			if len(v.Args) == 1 {
				f, _, ok := x.field(v.Args[0])
				return f, true, ok
			}
		case "trim", "to_varchar", "to_char", "strip_null_value":
			if len(v.Args) >= 1 {
				return x.field(v.Args[0])
			}
		}
	case *sql.Ref:
		path := v.Path
		col := v.Colon
		for col > 1 {
			prefix := strings.ToLower(strings.Join(path[:col-1], "."))
			if !contains(x.qualifiers, prefix) {
				break
			}
			path = path[col-1:]
			col = 1
		}
		return strings.Join(path, "."), false, len(path) > 0
	}
	return "", false, false
}

// literal decodes a literal value.
func literal(e sql.Expr) (string, bool, bool) {
	switch v := e.(type) {
	case *sql.Paren:
		return literal(v.X)
	case *sql.Cast:
		return literal(v.X)
	case *sql.Lit:
		return v.Value, v.Kind == sql.LitString, true
	case *sql.Unary:
		if v.Op == "-" {
			if s, str, ok := literal(v.X); ok && !str {
				return "-" + s, false, true
			}
		}
	}
	return "", false, false
}

var sqlComparisons = map[string][2]string{
	"=": {rule.KindEq, rule.KindEq}, "==": {rule.KindEq, rule.KindEq},
	"!=": {rule.KindNe, rule.KindNe}, "<>": {rule.KindNe, rule.KindNe},
	"<": {rule.KindLt, rule.KindGt}, "<=": {rule.KindLe, rule.KindGe},
	">": {rule.KindGt, rule.KindLt}, ">=": {rule.KindGe, rule.KindLe},
}

// cond adds the predicates of a WHERE condition.
func (x *sqlExplainer) cond(e sql.Expr, neg bool, st *rule.Stage) {
	switch v := e.(type) {
	case *sql.Paren:
		x.cond(v.X, neg, st)
	case *sql.Unary:
		if v.Op == "NOT" {
			x.cond(v.X, !neg, st)
		}
	case *sql.Binary:
		switch v.Op {
		case "AND", "OR":
			x.cond(v.X, neg, st)
			x.cond(v.Y, neg, st)
			return
		}
		kinds, ok := sqlComparisons[v.Op]
		if !ok {
			return
		}
		f, folded, fok := x.field(v.X)
		val, str, vok := literal(v.Y)
		kind := kinds[0]
		if !fok || !vok {
			f, folded, fok = x.field(v.Y)
			val, str, vok = literal(v.X)
			kind = kinds[1]
		}
		if !fok || !vok {
			return
		}
		x.add(st, neg, rule.Predicate{Field: f, Kind: kind, Values: []string{val}, Transforms: cased(str && !folded && (kind == rule.KindEq || kind == rule.KindNe))})
	case *sql.In:
		f, folded, ok := x.field(v.X)
		if !ok {
			return
		}
		n := neg != v.Not
		if v.Sub {
			x.add(st, n, rule.Predicate{Field: f, Kind: rule.KindIn, Values: []string{"(subquery)"}, Transforms: []string{rule.TransformExpression}})
			return
		}
		var vals []string
		anyStr := false
		for _, it := range v.List {
			val, str, ok := literal(it)
			if !ok {
				return
			}
			anyStr = anyStr || str
			vals = append(vals, val)
		}
		x.add(st, n, rule.Predicate{Field: f, Kind: rule.KindIn, Values: vals, Transforms: cased(anyStr && !folded)})
	case *sql.Like:
		f, folded, ok := x.field(v.X)
		if !ok {
			return
		}
		n := neg != v.Not
		op := strings.Fields(v.Op)[0]
		for _, pat := range v.Patterns {
			val, _, ok := literal(pat)
			if !ok {
				continue
			}
			var p rule.Predicate
			switch op {
			case "RLIKE", "REGEXP":
				p = rule.Predicate{Field: f, Kind: rule.KindRegex, Values: []string{val}, Transforms: cased(!folded)}
			default:
				kind, value, ts := likeKind(val)
				if op == "LIKE" && !folded {
					ts = append(ts, rule.TransformCased)
				}
				p = rule.Predicate{Field: f, Kind: kind, Values: []string{value}, Transforms: ts}
			}
			x.add(st, n, p)
		}
	case *sql.Between:
		f, _, ok := x.field(v.X)
		lo, _, lok := literal(v.Lo)
		hi, _, hok := literal(v.Hi)
		if !ok || !lok || !hok {
			return
		}
		n := neg != v.Not
		x.add(st, n, rule.Predicate{Field: f, Kind: rule.KindGe, Values: []string{lo}})
		x.add(st, n, rule.Predicate{Field: f, Kind: rule.KindLe, Values: []string{hi}})
	case *sql.IsNull:
		f, _, ok := x.field(v.X)
		if !ok {
			return
		}
		kind := rule.KindIsNull
		if v.Not {
			kind = rule.KindIsNotNull
		}
		x.add(st, neg, rule.Predicate{Field: f, Kind: kind})
	case *sql.Call:
		if strings.EqualFold(v.Name, "p_occurs_since") && len(v.Args) >= 1 && x.d.TimeWindow == "" {
			x.d.TimeWindow = compactInterval(sql.Text(x.src, v.Args[0]))
		}
	}
}

// intervalUnits are the unit words of Panther's intervals ('1 day', '30
// minutes') with the letter every rule document writes a time window in.
var intervalUnits = map[string]string{
	"s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
	"m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m",
	"h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
	"d": "d", "day": "d", "days": "d",
}

// compactInterval writes the interval argument of p_occurs_since the way
// time windows are written in every language (1d, 30m, 6h): '1 day' is 1d,
// '30 minutes' 30m, a number of seconds (3600) the largest whole unit (1h),
// a week 7d. Anything else (a template tag) is kept as written.
func compactInterval(arg string) string {
	s := strings.TrimSpace(strings.Trim(strings.TrimSpace(arg), `'"`))
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	num := s[:i]
	unit := strings.ToLower(strings.TrimSpace(s[i:]))
	n, err := strconv.Atoi(num)
	if num == "" || err != nil {
		return s
	}
	switch {
	case unit == "":
		// seconds
		for _, u := range []struct {
			secs   int
			letter string
		}{{86400, "d"}, {3600, "h"}, {60, "m"}} {
			if n > 0 && n%u.secs == 0 {
				return strconv.Itoa(n/u.secs) + u.letter
			}
		}
		return num + "s"
	case unit == "w" || unit == "week" || unit == "weeks":
		return strconv.Itoa(7*n) + "d"
	case intervalUnits[unit] != "":
		return num + intervalUnits[unit]
	}
	return s
}

// likeKind maps a LIKE pattern (% any run, _ one character) to a kind:
// %foo% contains, foo% starts_with, %foo ends_with, no wildcard eq, else
// match with the wildcard transform (the pattern as written).
func likeKind(v string) (string, string, []string) {
	inner := strings.Trim(v, "%")
	if strings.ContainsAny(inner, "%_") || inner == "" {
		return rule.KindMatch, v, []string{rule.TransformWildcard}
	}
	pre, suf := strings.HasPrefix(v, "%"), strings.HasSuffix(v, "%")
	switch {
	case pre && suf:
		return rule.KindContains, inner, nil
	case suf:
		return rule.KindStartsWith, inner, nil
	case pre:
		return rule.KindEndsWith, inner, nil
	}
	return rule.KindEq, v, nil
}
