package elastic

import (
	"github.com/detwiki/detwiki/internal/lang/lucene"
	"github.com/detwiki/detwiki/internal/rule"
)

// lucenePredicates collects the predicates of a Lucene query: field:term is
// eq (cased when it has letters: keyword fields are exact), a CIDR term on
// an IP field is cidr, wildcard terms
// follow the shared wildcard rules (* and ?), /re/ is regex, ranges are
// gt/ge/lt/le, _exists_:field is is_not_null, and field:(a OR b) is one in
// predicate. Clauses under -, NOT or ! (an odd number of them) are
// exclusions.
func lucenePredicates(q *lucene.Query, field string, negated bool, out *[]rule.Predicate) {
	var plain []valueCmp
	var plainNeg []valueCmp
	for _, c := range q.Clauses {
		f := field
		if c.Field != "" {
			f = c.Field
		}
		neg := negated != c.Negated()
		if f == "_exists_" {
			if t, ok := c.Sub.(*lucene.Term); ok {
				*out = append(*out, rule.Predicate{Field: t.Value, Kind: rule.KindIsNotNull, Negated: neg})
			}
			continue
		}
		switch s := c.Sub.(type) {
		case *lucene.Group:
			lucenePredicates(s.Query, f, neg, out)
		case *lucene.Term:
			if f == "" {
				continue
			}
			v := valueCmp{text: s.Value, cased: true, pattern: s.Wildcard, qmark: true, ipField: isIPField(f)}
			if c.Field == "" && field != "" { // inside field:( ... ): gather
				if neg {
					plainNeg = append(plainNeg, v)
				} else {
					plain = append(plain, v)
				}
				continue
			}
			*out = append(*out, valuePredicates(f, []valueCmp{v}, neg, false)...)
		case *lucene.Phrase:
			if f == "" {
				continue
			}
			*out = append(*out, valuePredicates(f, []valueCmp{{text: s.Value, cased: true, ipField: isIPField(f)}}, neg, false)...)
		case *lucene.Regexp:
			if f == "" {
				continue
			}
			*out = append(*out, rule.Predicate{Field: f, Kind: rule.KindRegex, Values: []string{s.Value}, Transforms: casedIf(s.Value), Negated: neg})
		case *lucene.Range:
			if f == "" {
				continue
			}
			if s.Lower != "*" && s.Lower != "" {
				k := rule.KindGt
				if s.IncludeLower {
					k = rule.KindGe
				}
				*out = append(*out, rule.Predicate{Field: f, Kind: k, Values: []string{s.Lower}, Negated: neg})
			}
			if s.Upper != "*" && s.Upper != "" {
				k := rule.KindLt
				if s.IncludeUpper {
					k = rule.KindLe
				}
				*out = append(*out, rule.Predicate{Field: f, Kind: k, Values: []string{s.Upper}, Negated: neg})
			}
		}
	}
	if len(plain) > 0 {
		*out = append(*out, valuePredicates(field, plain, negated, len(plain) > 1)...)
	}
	if len(plainNeg) > 0 {
		*out = append(*out, valuePredicates(field, plainNeg, !negated, len(plainNeg) > 1)...)
	}
}

func casedIf(v string) []string {
	if hasLetter(v) {
		return []string{rule.TransformCased}
	}
	return nil
}

// explainLucene adds the single filter stage of a Lucene query.
func explainLucene(x *explainer, q *lucene.Query) {
	var preds []rule.Predicate
	lucenePredicates(q, "", false, &preds)
	x.stage("filter", "", q.Pos(), q.End(), preds)
}
