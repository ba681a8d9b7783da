package elastic

import (
	"strings"

	"github.com/detwiki/detwiki/internal/lang/esql"
	"github.com/detwiki/detwiki/internal/lang/kuery"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// explainESQL fills the analysis from an ES|QL query: one stage per command
// (kind = the command name in lower case; consecutive EVALs merge into one
// stage), WHERE predicates, FROM sources and LOOKUP JOIN indexes as tables,
// outputs from KEEP, STATS and EVAL, and the last STATS ... BY keys as
// group-by fields.
func explainESQL(x *explainer, q *esql.Query) {
	d := x.doc
	var lastBy []string
	cmds := q.Commands
	for i := 0; i < len(cmds); i++ {
		c := cmds[i]
		var preds []rule.Predicate
		switch c := c.(type) {
		case *esql.FromCommand:
			for _, s := range c.Sources {
				d.Analysis.AddTable(s.Name)
			}
		case *esql.WhereCommand:
			esqlCond(c.Cond, false, &preds)
		case *esql.EvalCommand:
			// Consecutive EVALs are one computed-column stage.
			j := i
			for j+1 < len(cmds) {
				if _, ok := cmds[j+1].(*esql.EvalCommand); !ok {
					break
				}
				j++
			}
			for _, e := range cmds[i : j+1] {
				for _, f := range e.(*esql.EvalCommand).Fields {
					d.Analysis.AddOutput(f.OutputName(), "eval")
				}
			}
			st := x.stage("eval", "", c.Pos(), cmds[j].End(), nil)
			st.Steps = j - i + 1
			i = j
			continue
		case *esql.StatsCommand:
			src := c.Name()
			for _, f := range c.Aggs {
				d.Analysis.AddOutput(f.OutputName(), src)
			}
			var by []string
			for _, f := range c.By {
				d.Analysis.AddOutput(f.OutputName(), src)
				by = append(by, f.OutputName())
			}
			if len(by) > 0 {
				lastBy = by
			}
		case *esql.KeepCommand:
			for _, p := range c.Patterns {
				d.Analysis.AddOutput(p.Name, "keep")
			}
		case *esql.JoinCommand:
			if c.Target != nil {
				d.Analysis.AddTable(c.Target.Name)
			}
		}
		kind := c.Name()
		if _, ok := c.(*esql.FromCommand); ok && i == 0 {
			// The stage that names the pipeline's input is "source" in
			// every language (docs/rule-model.md), as KQL's table is.
			kind = "source"
		}
		x.stage(kind, "", c.Pos(), c.End(), preds)
	}
	for _, g := range lastBy {
		addGroupBy(d, g)
	}
}

// esqlField returns the column an operand names and whether the comparison
// on it ignores case (TO_LOWER(field) and TO_UPPER(field) do).
func esqlField(e esql.Expr) (field string, folded bool) {
	switch v := esql.Unparen(e).(type) {
	case *esql.FieldRef:
		return v.Name(), false
	case *esql.CallExpr:
		switch strings.ToLower(v.Name) {
		case "to_lower", "to_upper":
			if len(v.Args) == 1 {
				f, _ := esqlField(v.Args[0])
				return f, f != ""
			}
		}
	case *esql.CastExpr:
		return esqlField(v.X)
	}
	return "", false
}

// esqlValue turns a compared operand into a value.
func esqlValue(e esql.Expr, cased, pattern bool) valueCmp {
	switch v := esql.Unparen(e).(type) {
	case *esql.Literal:
		return valueCmp{text: v.Value, cased: cased && v.Kind == esql.STRING, pattern: pattern && v.Kind == esql.STRING, qmark: true}
	case *esql.FieldRef:
		return valueCmp{text: v.Name(), transforms: []string{rule.TransformFieldRef}}
	case *esql.UnaryExpr:
		if lit, ok := v.X.(*esql.Literal); ok && v.Op == esql.SUB {
			return valueCmp{text: "-" + lit.Value}
		}
	}
	return valueCmp{text: esql.Print(e), transforms: []string{rule.TransformExpression}}
}

// esqlCond collects the predicates of a WHERE condition, tracking polarity
// as eqlCond does.
func esqlCond(e esql.Expr, negated bool, out *[]rule.Predicate) {
	switch e := e.(type) {
	case *esql.ParenExpr:
		esqlCond(e.X, negated, out)
	case *esql.UnaryExpr:
		if e.Op == esql.NOT {
			esqlCond(e.X, !negated, out)
		}
	case *esql.BinaryExpr:
		switch e.Op {
		case esql.AND, esql.OR:
			esqlCond(e.X, negated, out)
			esqlCond(e.Y, negated, out)
		default:
			if e.Op.IsComparison() {
				esqlCompare(e, negated, out)
			}
		}
	case *esql.InExpr:
		field, folded := esqlField(e.X)
		if field == "" {
			return
		}
		vals := make([]valueCmp, 0, len(e.List))
		for _, v := range e.List {
			vals = append(vals, esqlValue(v, !folded, false))
		}
		*out = append(*out, valuePredicates(field, vals, negated != e.Not, true)...)
	case *esql.LikeExpr:
		field, folded := esqlField(e.X)
		if field == "" {
			return
		}
		neg := negated != e.Not
		if e.Op == esql.RLIKE {
			for _, p := range e.Patterns {
				v := esqlValue(p, !folded, false)
				_, value, tr := classify(v)
				*out = append(*out, rule.Predicate{Field: field, Kind: rule.KindRegex, Values: []string{value}, Transforms: tr, Negated: neg})
			}
			return
		}
		vals := make([]valueCmp, 0, len(e.Patterns))
		for _, p := range e.Patterns {
			v := esqlValue(p, !folded, true)
			if v.pattern {
				v.text = likeUnescape(v.text)
			}
			vals = append(vals, v)
		}
		*out = append(*out, valuePredicates(field, vals, neg, false)...)
	case *esql.IsNullExpr:
		field, _ := esqlField(e.X)
		if field == "" {
			return
		}
		k := rule.KindIsNull
		if e.Not {
			k = rule.KindIsNotNull
		}
		*out = append(*out, rule.Predicate{Field: field, Kind: k, Negated: negated})
	case *esql.MatchExpr:
		field, _ := esqlField(e.X)
		if field == "" {
			return
		}
		v := esqlValue(e.Query, false, false)
		*out = append(*out, rule.Predicate{Field: field, Kind: rule.KindMatch, Values: []string{v.text}, Transforms: v.transforms, Negated: negated})
	case *esql.CallExpr:
		esqlCall(e, negated, out)
	}
}

func esqlCompare(e *esql.BinaryExpr, negated bool, out *[]rule.Predicate) {
	op := e.Op.String()
	left, right := e.X, e.Y
	if f, _ := esqlField(left); f == "" {
		if f, _ := esqlField(right); f == "" {
			return
		}
		left, right, op = right, left, mirror(op)
	}
	field, folded := esqlField(left)
	kind, neg, ok := comparisonKind(op)
	if !ok {
		return
	}
	v := esqlValue(right, !folded && kind == rule.KindEq, false)
	_, value, tr := classify(v)
	*out = append(*out, rule.Predicate{Field: field, Kind: kind, Values: []string{value}, Transforms: tr, Negated: negated != neg})
}

// esqlCall maps the predicate functions: STARTS_WITH, ENDS_WITH,
// CIDR_MATCH, MATCH and the embedded KQL("...") query, whose own
// predicates are added.
func esqlCall(c *esql.CallExpr, negated bool, out *[]rule.Predicate) {
	name := strings.ToLower(c.Name)
	if name == "kql" {
		if len(c.Args) == 1 {
			if lit, ok := c.Args[0].(*esql.Literal); ok && lit.Kind == esql.STRING {
				if q, errs := kuery.Parse(lit.Value); len(errs) == 0 && q != nil {
					kueryPredicates(q, negated, "", out)
				}
			}
		}
		return
	}
	if len(c.Args) < 2 {
		return
	}
	field, folded := esqlField(c.Args[0])
	if field == "" {
		return
	}
	var kind string
	switch name {
	case "starts_with":
		kind = rule.KindStartsWith
	case "ends_with":
		kind = rule.KindEndsWith
	case "cidr_match":
		kind = rule.KindCIDR
	case "match", "match_phrase":
		kind = rule.KindMatch
	default:
		return
	}
	for _, a := range c.Args[1:] {
		if _, ok := a.(*esql.MapExpr); ok {
			continue // options
		}
		v := esqlValue(a, !folded && (kind == rule.KindStartsWith || kind == rule.KindEndsWith), false)
		_, value, tr := classify(v)
		*out = append(*out, rule.Predicate{Field: field, Kind: kind, Values: []string{value}, Transforms: tr, Negated: negated})
	}
}

// kqlDiagnostics parses the KQL("...") strings of an ES|QL query and returns
// their errors at positions of the query text (exact in """raw""" strings;
// in "..." strings up to the first escape).
func kqlDiagnostics(x *explainer, q *esql.Query) []source.Diagnostic {
	var out []source.Diagnostic
	esql.Inspect(q, func(n esql.Node) bool {
		c, ok := n.(*esql.CallExpr)
		if !ok || !strings.EqualFold(c.Name, "kql") || len(c.Args) != 1 {
			return true
		}
		lit, ok := c.Args[0].(*esql.Literal)
		if !ok || lit.Kind != esql.STRING {
			return true
		}
		_, errs := kuery.Parse(lit.Value)
		delim := source.Pos(1)
		if strings.HasPrefix(lit.Raw, `"""`) {
			delim = 3
		}
		for _, e := range errs {
			p := x.lines.Position(lit.Pos() + delim + e.Pos)
			out = append(out, source.Diagnostic{Code: e.Code, Severity: source.Error, Message: "in KQL(): " + e.Msg, Line: p.Line, Col: p.Column})
		}
		return true
	})
	return out
}

// likeUnescape removes the escapes of an ES|QL LIKE pattern, where a
// backslash makes the next character literal: """C:\\Windows\\*""" (the
// string C:\\Windows\\*) is C:\Windows\ followed by the wildcard. A
// pattern that escapes a wildcard character (\* or \?) is kept as written,
// since a value cannot tell a literal * from a wildcard.
func likeUnescape(p string) string {
	if !strings.Contains(p, `\`) {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] != '\\' || i+1 == len(p) {
			b.WriteByte(p[i])
			continue
		}
		i++
		if p[i] == '*' || p[i] == '?' {
			return p
		}
		b.WriteByte(p[i])
	}
	return b.String()
}
