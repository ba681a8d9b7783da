package elastic

import (
	"github.com/detwiki/detwiki/internal/lang/kuery"
	"github.com/detwiki/detwiki/internal/rule"
)

// kueryPredicates collects the predicates of a kuery query. `field : value`
// is an eq test (a case-sensitive one on the keyword fields rules use, so
// values with letters carry the cased transform); a CIDR value on an IP
// field (destination.ip : 10.0.0.0/8) is a cidr test; unquoted wildcards follow
// the shared wildcard rules; `field : *` is is_not_null; a value list
// `field : (a or b)` is one in predicate; `field : (a and b)` marks the
// values all; ranges are gt/ge/lt/le; nested queries prefix their fields
// with the nested path. Values under an odd number of nots are exclusions.
func kueryPredicates(e kuery.Expr, negated bool, prefix string, out *[]rule.Predicate) {
	switch e := e.(type) {
	case *kuery.BinaryExpr:
		kueryPredicates(e.X, negated, prefix, out)
		kueryPredicates(e.Y, negated, prefix, out)
	case *kuery.NotExpr:
		kueryPredicates(e.X, !negated, prefix, out)
	case *kuery.ParenExpr:
		kueryPredicates(e.X, negated, prefix, out)
	case *kuery.NestedExpr:
		kueryPredicates(e.X, negated, prefix+e.Field.Value+".", out)
	case *kuery.RangeExpr:
		kind, _, ok := comparisonKind(e.Op)
		if !ok || e.Value == nil {
			return
		}
		*out = append(*out, rule.Predicate{Field: prefix + e.Field.Value, Kind: kind, Values: []string{e.Value.Value}, Negated: negated})
	case *kuery.MatchExpr:
		if e.Field == nil {
			return // free text: no field to test
		}
		kueryValues(prefix+e.Field.Value, e.Value, negated, false, out)
	}
}

// kueryValues collects the tests of a value list on field.
func kueryValues(field string, v kuery.Value, negated, all bool, out *[]rule.Predicate) {
	// Gather the plain alternatives of an or-list into one predicate.
	var lits []*kuery.Literal
	var rest []kuery.Value
	var gather func(v kuery.Value)
	gather = func(v kuery.Value) {
		switch v := v.(type) {
		case *kuery.ValueParen:
			gather(v.X)
		case *kuery.ValueBinary:
			if v.Op == kuery.OR {
				gather(v.X)
				gather(v.Y)
				return
			}
			rest = append(rest, v)
		case *kuery.Literal:
			lits = append(lits, v)
		default:
			rest = append(rest, v)
		}
	}
	gather(v)
	if len(lits) > 0 {
		vals := make([]valueCmp, 0, len(lits))
		for _, l := range lits {
			vc := valueCmp{text: l.Value, cased: true, pattern: l.Wildcard && !l.Quoted, ipField: isIPField(field)}
			if all {
				vc.transforms = []string{rule.TransformAll}
			}
			vals = append(vals, vc)
		}
		plain := 0
		for _, v := range vals {
			if !v.pattern {
				plain++
			}
		}
		*out = append(*out, valuePredicates(field, vals, negated, plain > 1)...)
	}
	for _, r := range rest {
		switch r := r.(type) {
		case *kuery.ValueNot:
			// `a and not (b or c)`: what is excluded need not all match.
			kueryValues(field, r.X, !negated, false, out)
		case *kuery.ValueBinary: // and
			kueryValues(field, r.X, negated, true, out)
			kueryValues(field, r.Y, negated, true, out)
		case *kuery.ValueParen:
			kueryValues(field, r.X, negated, all, out)
		}
	}
}

// explainKuery adds the single filter stage of a kuery query.
func explainKuery(x *explainer, q kuery.Expr, kind, pipeline string) {
	var preds []rule.Predicate
	if q != nil {
		kueryPredicates(q, false, "", &preds)
		x.stage(kind, pipeline, q.Pos(), q.End(), preds)
		return
	}
	x.stage(kind, pipeline, 0, 0, nil)
}
