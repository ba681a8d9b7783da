package elastic

import (
	"fmt"
	"strings"

	"github.com/detwiki/detwiki/internal/lang/eql"
	"github.com/detwiki/detwiki/internal/rule"
)

// explainEQL fills the analysis from an EQL query: one stage per event
// query, sequence or sample step, and pipe; a binding per step; maxspan and
// runs as parameters; the sequence (or sample) join keys as group-by fields.
// categoryField is the field the event category tests (event.category
// unless the rule overrides it).
func explainEQL(x *explainer, q *eql.Query, categoryField string) {
	d := x.doc
	steps := func(kind string, list []*eql.Step, by *eql.JoinKeys) {
		if by != nil {
			for _, k := range by.Keys {
				addGroupBy(d, eqlKeyName(k))
			}
		}
		if len(list) > 0 && list[0].By != nil {
			for _, k := range list[0].By.Keys {
				addGroupBy(d, eqlKeyName(k))
			}
		}
		for i, st := range list {
			name := fmt.Sprintf("step%d", i+1)
			if x.pipeline != "" {
				name = x.pipeline + "." + name
			}
			k := kind
			if st.Missing {
				k = "missing"
			}
			x.eqlStep(k, name, st, st.Missing, categoryField)
		}
	}
	switch b := q.Body.(type) {
	case *eql.EventQuery:
		x.stage("query", "", b.Pos(), b.End(), eqlFilterPredicates(b, false, categoryField))
	case *eql.Sequence:
		if ms := b.MaxSpan(); ms != "" {
			d.Analysis.Parameters = append(d.Analysis.Parameters, rule.Parameter{Name: "maxspan", Text: "with maxspan=" + ms, Values: []string{ms}})
		}
		steps("sequence", b.Steps, b.By)
		if b.Until != nil {
			name := "until"
			if x.pipeline != "" {
				name = x.pipeline + "." + name
			}
			// The sequence ends when the until event occurs: what it
			// matches suppresses alerts, like an exclusion.
			x.eqlStep("until", name, b.Until, true, categoryField)
		}
	case *eql.Sample:
		steps("sample", b.Steps, b.By)
	case *eql.Join:
		steps("join", b.Steps, b.By)
		if b.Until != nil {
			x.eqlStep("until", "until", b.Until, true, categoryField)
		}
	}
	for _, p := range q.Pipes {
		var preds []rule.Predicate
		if p.Name == "filter" {
			for _, a := range p.Args {
				eqlCond(a, false, &preds)
			}
		}
		x.stage(p.Name, "", p.Pos(), p.End(), preds)
	}
}

// eqlStep adds the binding, stage and runs parameter of one step.
func (x *explainer) eqlStep(kind, name string, st *eql.Step, negated bool, categoryField string) {
	d := x.doc
	d.Analysis.Bindings = append(d.Analysis.Bindings, rule.Binding{Name: name, Text: x.text(st.Pos(), st.End())})
	var preds []rule.Predicate
	if st.Filter != nil {
		preds = eqlFilterPredicates(st.Filter, negated, categoryField)
	}
	x.stage(kind, name, st.Pos(), st.End(), preds)
	if r := st.Runs(); r != "" {
		d.Analysis.Parameters = append(d.Analysis.Parameters, rule.Parameter{Name: name + ".runs", Text: "with runs=" + r, Values: []string{r}})
	}
}

func addGroupBy(d *rule.Document, f string) {
	if f == "" {
		return
	}
	for _, g := range d.GroupBy {
		if g == f {
			return
		}
	}
	d.GroupBy = append(d.GroupBy, f)
}

func eqlKeyName(k eql.Expr) string {
	if f, ok := eql.Unparen(k).(*eql.Field); ok {
		return f.Name()
	}
	return eql.Print(k)
}

// eqlFilterPredicates returns the predicates of `category where cond`: the
// category as an event.category test, then the condition's. The category
// stays positive even in an until or missing-event step (negated): the rule
// reads those events too; only what it looks for in them is an exclusion.
func eqlFilterPredicates(e *eql.EventQuery, negated bool, categoryField string) []rule.Predicate {
	var preds []rule.Predicate
	if !e.Any && e.Category != "" {
		preds = append(preds, valuePredicates(categoryField, []valueCmp{{text: e.Category, cased: true}}, false, false)...)
	}
	if e.Cond != nil {
		eqlCond(e.Cond, negated, &preds)
	}
	return preds
}

// eqlCond collects the predicates of a condition. negated tracks the
// polarity: a comparison under an odd number of nots (or written !=) is an
// exclusion, stored with its positive kind.
func eqlCond(e eql.Expr, negated bool, out *[]rule.Predicate) {
	switch e := e.(type) {
	case *eql.ParenExpr:
		eqlCond(e.X, negated, out)
	case *eql.UnaryExpr:
		if e.Op == eql.NOT {
			eqlCond(e.X, !negated, out)
		}
	case *eql.BinaryExpr:
		switch e.Op {
		case eql.AND, eql.OR:
			eqlCond(e.X, negated, out)
			eqlCond(e.Y, negated, out)
		default:
			if e.Op.IsComparison() {
				eqlCompare(e, negated, out)
			}
		}
	case *eql.InExpr:
		field := eqlFieldName(e.X)
		if field == "" {
			return
		}
		vals := make([]valueCmp, 0, len(e.List))
		for _, v := range e.List {
			vals = append(vals, eqlValue(v, e.Op == eql.IN, false))
		}
		*out = append(*out, valuePredicates(field, vals, negated != e.Not, true)...)
	case *eql.PredicateExpr:
		field := eqlFieldName(e.X)
		if field == "" {
			return
		}
		switch e.Op {
		case eql.REGEX, eql.INSENSITIVEREGEX:
			for _, v := range e.Values {
				vc := eqlValue(v, e.Op == eql.REGEX, false)
				_, value, tr := classify(valueCmp{text: vc.text, cased: vc.cased, transforms: vc.transforms})
				*out = append(*out, rule.Predicate{Field: field, Kind: rule.KindRegex, Values: []string{value}, Transforms: tr, Negated: negated})
			}
		default:
			cased := e.Op == eql.LIKE
			vals := make([]valueCmp, 0, len(e.Values))
			for _, v := range e.Values {
				vals = append(vals, eqlValue(v, cased, true))
			}
			*out = append(*out, valuePredicates(field, vals, negated, e.Lparen.IsValid())...)
		}
	case *eql.CallExpr:
		eqlCall(e, negated, out)
	}
}

// eqlFieldName returns the field an operand names, or "".
func eqlFieldName(e eql.Expr) string {
	if f, ok := eql.Unparen(e).(*eql.Field); ok {
		return f.Name()
	}
	return ""
}

// eqlValue turns a compared operand into a value: a literal's decoded text,
// another field (field_ref) or an expression's text.
func eqlValue(e eql.Expr, cased, pattern bool) valueCmp {
	switch v := eql.Unparen(e).(type) {
	case *eql.BasicLit:
		return valueCmp{text: v.Value, cased: cased && v.Kind == eql.STRING, pattern: pattern && v.Kind == eql.STRING, qmark: true}
	case *eql.Field:
		return valueCmp{text: v.Name(), transforms: []string{rule.TransformFieldRef}}
	case *eql.UnaryExpr:
		if lit, ok := v.X.(*eql.BasicLit); ok && v.Op == eql.SUB {
			return valueCmp{text: "-" + lit.Value}
		}
	}
	return valueCmp{text: eql.Print(e), transforms: []string{rule.TransformExpression}}
}

func eqlCompare(e *eql.BinaryExpr, negated bool, out *[]rule.Predicate) {
	op := e.Op.String()
	left, right := e.X, e.Y
	if eqlFieldName(left) == "" {
		if eqlFieldName(right) == "" {
			return
		}
		left, right, op = right, left, mirror(op)
	}
	field := eqlFieldName(left)
	if lit, ok := eql.Unparen(right).(*eql.BasicLit); ok && lit.Kind == eql.NULL {
		switch op {
		case "==":
			*out = append(*out, rule.Predicate{Field: field, Kind: rule.KindIsNull, Negated: negated})
		case "!=":
			*out = append(*out, rule.Predicate{Field: field, Kind: rule.KindIsNotNull, Negated: negated})
		}
		return
	}
	kind, neg, ok := comparisonKind(op)
	if !ok {
		return
	}
	v := eqlValue(right, true, false)
	if kind != rule.KindEq {
		v.cased = false
	}
	_, value, tr := classify(v)
	*out = append(*out, rule.Predicate{Field: field, Kind: kind, Values: []string{value}, Transforms: tr, Negated: negated != neg})
}

// eqlCall maps the string functions to kinds: startsWith, endsWith,
// stringContains, cidrMatch (cidr), wildcard; a name~ call is
// case-insensitive.
func eqlCall(c *eql.CallExpr, negated bool, out *[]rule.Predicate) {
	if len(c.Args) < 2 {
		return
	}
	field := eqlFieldName(c.Args[0])
	if field == "" {
		return
	}
	var kind string
	switch strings.ToLower(c.Name) {
	case "startswith":
		kind = rule.KindStartsWith
	case "endswith":
		kind = rule.KindEndsWith
	case "stringcontains":
		kind = rule.KindContains
	case "cidrmatch":
		kind = rule.KindCIDR
	case "wildcard":
		vals := make([]valueCmp, 0, len(c.Args)-1)
		for _, a := range c.Args[1:] {
			vals = append(vals, eqlValue(a, !c.Insensitive, true))
		}
		*out = append(*out, valuePredicates(field, vals, negated, false)...)
		return
	default:
		return
	}
	for _, a := range c.Args[1:] {
		v := eqlValue(a, !c.Insensitive && kind != rule.KindCIDR, false)
		_, value, tr := classify(v)
		*out = append(*out, rule.Predicate{Field: field, Kind: kind, Values: []string{value}, Transforms: tr, Negated: negated})
	}
}
