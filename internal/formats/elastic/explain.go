package elastic

import (
	"net/netip"
	"slices"
	"strings"
	"unicode"

	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// explainer builds the analysis of one query of a document.
type explainer struct {
	doc   *rule.Document
	query string // the text positions refer to
	lines *source.LineTable
	// pipeline names the pipeline of the stages added (for hunts with
	// several queries: "query-2", ...); "" means main.
	pipeline string
	// pos places the query in the file when an Origin cannot (a basic
	// string with escape sequences); nil otherwise.
	pos *posMap
}

func newExplainer(doc *rule.Document, query, pipeline string) *explainer {
	return &explainer{doc: doc, query: query, lines: source.NewLineTable("", query), pipeline: pipeline}
}

// diagnose records diagnostics found in the query, placed in the file named
// path: through x.pos when set, else through the origin o.
func (x *explainer) diagnose(path string, o source.Origin, ds []source.Diagnostic) {
	if x.pos == nil {
		diagnose(x.doc, path, o, ds)
		return
	}
	for _, dg := range ds {
		x.doc.Diagnose(x.pos.relocate(dg, path, x.lines))
	}
}

// text returns the query text between two offsets, trimmed.
func (x *explainer) text(from, to source.Pos) string {
	if from < 0 {
		from = 0
	}
	if int(to) > len(x.query) {
		to = source.Pos(len(x.query))
	}
	if from >= to {
		return ""
	}
	return strings.TrimSpace(x.query[from:to])
}

// stage appends a stage with its predicates and records the predicates as
// indicators and exclusions.
func (x *explainer) stage(kind, pipeline string, from, to source.Pos, preds []rule.Predicate) *rule.Stage {
	if pipeline == "" {
		pipeline = x.pipeline
	}
	st := rule.Stage{Kind: kind, Text: x.text(from, to), Pipeline: pipeline, Predicates: preds}
	if from >= 0 && int(from) <= len(x.query) {
		st.Line = x.lines.Position(from).Line
	}
	for i, p := range preds {
		if strings.HasSuffix(p.Field, caselessSuffix) {
			// A lower-case normalised copy of the field: case cannot matter.
			preds[i].Transforms = slices.DeleteFunc(slices.Clone(p.Transforms), func(t string) bool { return t == rule.TransformCased })
		}
	}
	a := &x.doc.Analysis
	a.Stages = append(a.Stages, st)
	for _, p := range preds {
		a.AddPredicate(p)
	}
	return &a.Stages[len(a.Stages)-1]
}

// caselessSuffix names the ECS multi-field that holds a keyword field's
// value in lower case (process.name.caseless, process.executable.caseless):
// a test on it is a case-insensitive test of the field itself.
const caselessSuffix = ".caseless"

// hasLetter reports whether case can matter when comparing s.
func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsUpper(r) || unicode.IsLower(r) {
			return true
		}
	}
	return false
}

// valueCmp is one value a field is compared with.
type valueCmp struct {
	text string
	// pattern: * (and ? when qmark) are wildcards in text.
	pattern bool
	qmark   bool
	// cased: the comparison is case-sensitive (transform added when the
	// value has letters).
	cased bool
	// extra transforms (field_ref, expression, all).
	transforms []string
	// ipField: the field holds IP addresses (ECS *.ip), where a CIDR value
	// (kuery destination.ip : 10.0.0.0/8, Lucene too) is a range test.
	ipField bool
}

// isIPField reports whether an ECS field holds IP addresses: source.ip,
// destination.ip, client.ip, host.ip, related.ip, ... (ECS type ip).
func isIPField(field string) bool {
	return field == "ip" || strings.HasSuffix(field, ".ip")
}

// classify turns one compared value into a predicate kind, value and
// transforms, following docs/rule-model.md: *foo* is contains foo, foo*
// starts_with foo, *foo ends_with foo, a lone * is is_not_null, any other
// pattern match with the wildcard transform and the value as written.
func classify(v valueCmp) (kind, value string, transforms []string) {
	if v.ipField && strings.Contains(v.text, "/") {
		if _, err := netip.ParsePrefix(v.text); err == nil {
			return rule.KindCIDR, v.text, v.transforms
		}
	}
	kind, value = rule.KindEq, v.text
	isWild := func(s string) bool {
		return strings.Contains(s, "*") || v.qmark && strings.Contains(s, "?")
	}
	if v.pattern && isWild(v.text) {
		core := strings.Trim(v.text, "*")
		lead := strings.HasPrefix(v.text, "*")
		trail := strings.HasSuffix(v.text, "*")
		switch {
		case core == "":
			return rule.KindIsNotNull, "", nil
		case isWild(core):
			kind, value = rule.KindMatch, v.text
			transforms = append(transforms, rule.TransformWildcard)
		case lead && trail:
			kind, value = rule.KindContains, core
		case trail:
			kind, value = rule.KindStartsWith, core
		default:
			kind, value = rule.KindEndsWith, core
		}
	}
	if v.cased && hasLetter(value) {
		transforms = append([]string{rule.TransformCased}, transforms...)
	}
	transforms = append(transforms, v.transforms...)
	return kind, value, transforms
}

// valuePredicates turns the values a field is compared with into
// predicates: plain values with the same transforms share one eq (one value)
// or in (several values) predicate, CIDR ranges one cidr predicate; patterns
// become their own predicates.
// list says the values were written as a list (in, : (a, b)), which makes a
// single plain value an in predicate too.
func valuePredicates(field string, vals []valueCmp, negated, list bool) []rule.Predicate {
	var out []rule.Predicate
	plain := map[string]int{} // transforms key -> index in out
	cidrs := map[string]int{} // transforms key -> index in out
	for _, v := range vals {
		kind, value, tr := classify(v)
		if kind == rule.KindCIDR {
			key := strings.Join(tr, ",")
			if i, ok := cidrs[key]; ok {
				out[i].Values = append(out[i].Values, value)
			} else {
				cidrs[key] = len(out)
				out = append(out, rule.Predicate{Field: field, Kind: kind, Values: []string{value}, Transforms: tr, Negated: negated})
			}
			continue
		}
		if kind != rule.KindEq {
			p := rule.Predicate{Field: field, Kind: kind, Transforms: tr, Negated: negated}
			if kind != rule.KindIsNotNull {
				p.Values = []string{value}
			}
			out = append(out, p)
			continue
		}
		key := strings.Join(tr, ",")
		if i, ok := plain[key]; ok {
			out[i].Values = append(out[i].Values, value)
			out[i].Kind = rule.KindIn
			continue
		}
		k := rule.KindEq
		if list {
			k = rule.KindIn
		}
		plain[key] = len(out)
		out = append(out, rule.Predicate{Field: field, Kind: k, Values: []string{value}, Transforms: tr, Negated: negated})
	}
	return out
}

// comparisonKind maps a comparison operator to a kind; ok is false for
// operators that are not comparisons.
func comparisonKind(op string) (kind string, negate, ok bool) {
	switch op {
	case "==", "=", ":":
		return rule.KindEq, false, true
	case "!=":
		return rule.KindEq, true, true
	case "<":
		return rule.KindLt, false, true
	case "<=":
		return rule.KindLe, false, true
	case ">":
		return rule.KindGt, false, true
	case ">=":
		return rule.KindGe, false, true
	}
	return "", false, false
}

// mirror flips a comparison operator for `literal op field`.
func mirror(op string) string {
	switch op {
	case "<":
		return ">"
	case "<=":
		return ">="
	case ">":
		return "<"
	case ">=":
		return "<="
	}
	return op
}
