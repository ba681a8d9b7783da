package sublime

import (
	"slices"
	"strings"

	"github.com/detwiki/detwiki/internal/lang/mql"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// StageKind is the kind of every stage of a Sublime rule: one filter per
// top-level conjunct.
const StageKind = "filter"

// Table is what every Sublime rule reads (Analysis.Tables): one email
// message, as Sublime's message data model (MDM) describes it.
const Table = "message"

// DirectionField is the field a message-direction test is recorded on:
// the MDM's type.inbound, type.outbound and type.internal are booleans of
// which one is true, so `type.inbound` reads `type eq inbound` (and maps to
// ECS email.direction, whose values are inbound, outbound, internal).
const DirectionField = "type"

// messageDirection returns the direction a boolean MDM path tests
// (type.inbound is "inbound").
func messageDirection(field string) (string, bool) {
	switch field {
	case "type.inbound", "type.outbound", "type.internal":
		return field[len("type."):], true
	}
	return "", false
}

// explainer walks an MQL tree into the document's analysis.
type explainer struct {
	d   *rule.Document
	src string
	lt  *source.LineTable
	// elems is the stack of collections whose elements '.', '..' name,
	// innermost last.
	elems []elemScope
}

// elemScope is what '.' stands for inside one array function.
type elemScope struct {
	// coll is the rendered path of the collection (attachments,
	// body.links, ml.nlu_classifier(body.current_thread.text).intents), a
	// $list, or, with self, one field of a list literal of fields.
	coll string
	// self is set when '.' is the field coll itself: any([subject.subject,
	// sender.display_name], strings.ilike(., "*invoice*")) is read once per
	// field of the list.
	self bool
	// values, when set, are the literals '.' stands for: any(["a", "b"],
	// strings.icontains(body.current_thread.text, .)).
	values []string
}

// isList reports whether '.' stands for the elements of a $list.
func (s elemScope) isList() bool { return strings.HasPrefix(s.coll, "$") }

// explain fills d.Analysis from the parsed source.
func explain(d *rule.Document, file *mql.Source) {
	if file == nil || file.Expr == nil {
		return
	}
	x := &explainer{d: d, src: d.Query, lt: source.NewLineTable("", d.Query)}
	// Every rule reads one email message of the message data model.
	d.Analysis.AddTable(Table)
	if lit, ok := mql.Unparen(file.Expr).(*mql.BasicLit); ok && lit.Kind == mql.LitBool {
		// "source: false" disables a rule (sublime-rules does this for IOC
		// rules with no active indicators).
		st := rule.Stage{Kind: StageKind, Text: lit.Raw, Pipeline: "main", Line: x.lt.Position(lit.Pos()).Line}
		if lit.Value == "false" {
			st.Note = "the source is false: the rule never matches"
			p := x.lt.Position(lit.Pos())
			line, col := d.QueryOrigin.Map(p.Line, p.Column)
			d.Diagnose(source.Diagnostic{Code: CodeNeverMatches, Severity: source.Warning, Line: line, Col: col,
				Message: "the rule's source is false: it never matches"})
		}
		d.Analysis.Stages = append(d.Analysis.Stages, st)
		return
	}
	for _, c := range conjuncts(file.Expr) {
		st := rule.Stage{Kind: StageKind, Text: x.text(c), Pipeline: "main"}
		st.Line = x.lt.Position(c.Pos()).Line
		x.predicates(c, &st, false, false)
		d.Analysis.Stages = append(d.Analysis.Stages, st)
		for _, p := range st.Predicates {
			d.Analysis.AddPredicate(p)
		}
	}
	x.lists(file.Expr)
}

// conjuncts splits the top-level and chain (through parentheses).
func conjuncts(e mql.Expr) []mql.Expr {
	switch x := e.(type) {
	case *mql.BinaryExpr:
		if x.Op == "and" {
			return append(conjuncts(x.X), conjuncts(x.Y)...)
		}
	case *mql.ParenExpr:
		if b, ok := x.X.(*mql.BinaryExpr); ok && b.Op == "and" {
			return conjuncts(x.X)
		}
	}
	return []mql.Expr{e}
}

// text returns a node's source text, dedented.
func (x *explainer) text(n mql.Expr) string {
	s, e := int(n.Pos()), int(n.End())
	if s < 0 || e > len(x.src) || e < s {
		return ""
	}
	t := x.src[s:e]
	if !strings.Contains(t, "\n") {
		return t
	}
	// Dedent the lines after the first by the indentation of the first.
	col := x.lt.Position(n.Pos()).Column - 1
	lines := strings.Split(t, "\n")
	for i := 1; i < len(lines); i++ {
		l := lines[i]
		n := len(l) - len(strings.TrimLeft(l, " "))
		lines[i] = l[min(n, col):]
	}
	return strings.Join(lines, "\n")
}

// lists records the $lists the source uses as parameters.
func (x *explainer) lists(e mql.Expr) {
	var seen []string
	mql.Inspect(e, func(n mql.Expr) bool {
		if l, ok := n.(*mql.ListRef); ok && !slices.Contains(seen, l.Name) {
			seen = append(seen, l.Name)
			x.d.Analysis.Parameters = append(x.d.Analysis.Parameters, rule.Parameter{Name: l.Name, Text: l.Name,
				Note: "a Sublime list, maintained by the platform or the organisation"})
		}
		return true
	})
}

// predicates adds the predicates of a boolean expression to st. negated is
// set under an odd number of nots; all under all().
func (x *explainer) predicates(e mql.Expr, st *rule.Stage, negated, all bool) {
	switch e := e.(type) {
	case *mql.ParenExpr:
		x.predicates(e.X, st, negated, all)
	case *mql.UnaryExpr:
		if e.Op == "not" {
			x.predicates(e.X, st, !negated, all)
		}
	case *mql.OfExpr:
		for _, it := range e.List {
			x.predicates(it, st, negated, all)
		}
	case *mql.BinaryExpr:
		switch e.Op {
		case "and", "or":
			x.predicates(e.X, st, negated, all)
			x.predicates(e.Y, st, negated, all)
		default:
			x.comparison(e, st, negated, all)
		}
	case *mql.Call:
		x.call(e, st, negated, all)
	case *mql.Selector, *mql.Ident, *mql.Index:
		// A boolean field on its own: type.inbound, .is_reply.
		if f, ok := x.field(e); ok {
			if dir, ok := messageDirection(f); ok {
				x.add(st, rule.Predicate{Field: DirectionField, Kind: rule.KindEq, Values: []string{dir}}, negated, all)
				return
			}
			x.add(st, rule.Predicate{Field: f, Kind: rule.KindEq, Values: []string{"true"}}, negated, all)
		}
	}
}

func (x *explainer) add(st *rule.Stage, p rule.Predicate, negated, all bool) {
	if p.Field == "" {
		return
	}
	if p.Negated {
		negated = !negated
	}
	p.Negated = negated
	if all {
		p.Transforms = append(p.Transforms, rule.TransformAll)
	}
	st.Predicates = append(st.Predicates, p)
}

// withElem evaluates fn with sc pushed as what '.' stands for.
func (x *explainer) withElem(sc elemScope, fn func()) {
	x.elems = append(x.elems, sc)
	fn()
	x.elems = x.elems[:len(x.elems)-1]
}

// maxFieldPasses is the longest list literal of fields whose lambda is
// read once per field.
const maxFieldPasses = 16

// listLambda reads an array function over a list literal: over literals,
// '.' is each of them (one predicate with every value; allValues adds
// the all transform under all()); over fields, the lambda is read once
// per field with '.' that field (any() is their or, all() their and, so
// no all transform of its own). A list mixing both is left to the caller
// (false).
func (x *explainer) listLambda(lst *mql.ListLit, body mql.Expr, st *rule.Stage, negated, allValues, all bool) bool {
	if len(lst.Elems) == 0 {
		return false
	}
	var lits []string
	var fields []string
	for _, el := range lst.Elems {
		if lit, ok := mql.Unparen(el).(*mql.BasicLit); ok && lit.Kind != mql.LitNull {
			lits = append(lits, lit.Value)
			continue
		}
		f, ok := x.field(el)
		if !ok {
			return false
		}
		fields = append(fields, f)
	}
	switch {
	case len(fields) == 0:
		x.withElem(elemScope{coll: x.render(lst), values: lits}, func() {
			x.predicates(body, st, negated, allValues)
		})
	case len(lits) == 0:
		// One pass per field: bounded, so that nested lists of fields
		// cannot multiply the work (any([a, b], any([c, d], ...)) is
		// expanded at the outer level only).
		if len(fields) > maxFieldPasses || slices.ContainsFunc(x.elems, func(sc elemScope) bool { return sc.self }) {
			return false
		}
		for _, f := range fields {
			x.withElem(elemScope{coll: f, self: true}, func() {
				x.predicates(body, st, negated, all)
			})
		}
	default:
		return false
	}
	return true
}

// arrayFuncs take a collection and an expression evaluated per element.
var arrayFuncs = map[string]bool{"any": true, "all": true, "filter": true, "map": true,
	"distinct": true, "sum": true, "ratio": true}

// call adds the predicates of a function call used as a condition.
func (x *explainer) call(c *mql.Call, st *rule.Stage, negated, all bool) {
	name := c.FuncName()
	if arrayFuncs[name] && len(c.Args) == 2 {
		if name == "any" || name == "all" || name == "filter" {
			if lst, ok := mql.Unparen(c.Args[0]).(*mql.ListLit); ok && x.listLambda(lst, c.Args[1], st, negated, all || name == "all", all) {
				return
			}
		}
		coll := x.render(c.Args[0])
		// The collection's own predicates (any(filter(attachments, ...), ...)).
		x.inner(c.Args[0], st, negated, all)
		if name == "any" || name == "all" || name == "filter" {
			x.withElem(elemScope{coll: coll}, func() {
				x.predicates(c.Args[1], st, negated, all || name == "all")
			})
		}
		return
	}
	if preds, ok := x.stringFunc(c); ok {
		for _, p := range preds {
			x.add(st, p, negated, all)
		}
		return
	}
	x.inner(c, st, negated, all)
}

// inner looks inside an operand for array functions with conditions
// (length(filter(attachments, .file_type == "pdf")) > 0 has one).
func (x *explainer) inner(e mql.Expr, st *rule.Stage, negated, all bool) {
	switch e := e.(type) {
	case *mql.Call:
		name := e.FuncName()
		if (name == "filter" || name == "any" || name == "all" || name == "ratio") && len(e.Args) == 2 {
			x.call(e, st, negated, all)
			return
		}
		for _, a := range e.Args {
			x.inner(a, st, negated, all)
		}
	case *mql.Selector:
		x.inner(e.X, st, negated, all)
	case *mql.Index:
		x.inner(e.X, st, negated, all)
	case *mql.ParenExpr:
		x.inner(e.X, st, negated, all)
	}
}

// stringFuncs maps the string and regex functions to kinds; "i" forms are
// case-insensitive.
var stringFuncs = map[string]struct {
	kind  string
	cased bool
}{
	"strings.icontains":    {rule.KindContains, false},
	"strings.contains":     {rule.KindContains, true},
	"strings.ilike":        {rule.KindMatch, false},
	"strings.like":         {rule.KindMatch, true},
	"strings.istarts_with": {rule.KindStartsWith, false},
	"strings.starts_with":  {rule.KindStartsWith, true},
	"strings.iends_with":   {rule.KindEndsWith, false},
	"strings.ends_with":    {rule.KindEndsWith, true},
	"strings.iequals":      {rule.KindEq, false},
	"regex.icontains":      {rule.KindRegex, false},
	"regex.contains":       {rule.KindRegex, true},
	"regex.imatch":         {rule.KindRegex, false},
	"regex.match":          {rule.KindRegex, true},
}

// stringFunc turns strings.icontains(field, "a", "b") and its kin into a
// predicate: the first argument is the field, the others its values
// (several values: any of them).
func (x *explainer) stringFunc(c *mql.Call) ([]rule.Predicate, bool) {
	fn, ok := stringFuncs[c.FuncName()]
	if !ok || len(c.Args) < 2 {
		return nil, false
	}
	field, folded, ok := x.fieldFolded(c.Args[0])
	if !ok {
		return nil, false
	}
	cased := fn.cased && !folded
	var preds []rule.Predicate
	for _, a := range c.Args[1:] {
		vals, transforms, ok := x.values(a)
		if !ok {
			return nil, false
		}
		for _, v := range vals {
			kind, val := fn.kind, v
			ts := slices.Clone(transforms)
			if fn.kind == rule.KindMatch && !slices.Contains(ts, rule.TransformExpression) {
				kind, val, ts = wildcard(v, ts)
			}
			if cased {
				ts = append(ts, rule.TransformCased)
			}
			preds = append(preds, rule.Predicate{Field: field, Kind: kind, Values: []string{val}, Transforms: ts})
		}
	}
	// Values of the same kind and transforms share one predicate.
	var out []rule.Predicate
	for _, p := range preds {
		i := slices.IndexFunc(out, func(o rule.Predicate) bool {
			return o.Kind == p.Kind && slices.Equal(o.Transforms, p.Transforms)
		})
		if i < 0 {
			out = append(out, p)
			continue
		}
		out[i].Values = append(out[i].Values, p.Values...)
	}
	return out, len(out) > 0
}

// wildcard maps a strings.ilike pattern (* any run, ? one character) to
// the shared kinds: *foo* contains, foo* starts_with, *foo ends_with, a
// pattern without wildcards eq, anything else match with the wildcard
// transform.
func wildcard(v string, ts []string) (string, string, []string) {
	inner := strings.Trim(v, "*")
	if strings.ContainsAny(inner, "*?") || inner == "" {
		return rule.KindMatch, v, append(ts, rule.TransformWildcard)
	}
	pre, suf := strings.HasPrefix(v, "*"), strings.HasSuffix(v, "*")
	switch {
	case pre && suf:
		return rule.KindContains, inner, ts
	case suf:
		return rule.KindStartsWith, inner, ts
	case pre:
		return rule.KindEndsWith, inner, ts
	}
	return rule.KindEq, v, ts
}

// comparisons maps MQL comparison operators to kinds; swapped gives the
// kind when the field is on the right.
var comparisons = map[string]struct{ kind, swapped string }{
	"==": {rule.KindEq, rule.KindEq}, "=~": {rule.KindEq, rule.KindEq},
	"!=": {rule.KindNe, rule.KindNe}, "!~": {rule.KindNe, rule.KindNe},
	"<": {rule.KindLt, rule.KindGt}, "<=": {rule.KindLe, rule.KindGe},
	">": {rule.KindGt, rule.KindLt}, ">=": {rule.KindGe, rule.KindLe},
	"in": {rule.KindIn, ""}, "in~": {rule.KindIn, ""}, "not in": {rule.KindIn, ""}, "not in~": {rule.KindIn, ""},
}

func (x *explainer) comparison(e *mql.BinaryExpr, st *rule.Stage, negated, all bool) {
	// Chained comparisons: 0 < length(x) < 20 reads as (0 < length(x)) < 20.
	left := e.X
	if inner, ok := e.X.(*mql.BinaryExpr); ok && comparisons[inner.Op].kind != "" && !strings.Contains(inner.Op, "in") {
		x.comparison(inner, st, negated, all)
		left = inner.Y
	}
	x.inner(left, st, negated, all)
	x.inner(e.Y, st, negated, all)
	if e.Op == "is" || e.Op == "is not" {
		if lit, ok := e.Y.(*mql.BasicLit); ok && lit.Kind == mql.LitNull {
			if f, ok := x.field(left); ok {
				kind := rule.KindIsNull
				if e.Op == "is not" {
					kind = rule.KindIsNotNull
				}
				x.add(st, rule.Predicate{Field: f, Kind: kind}, negated, all)
			}
		}
		return
	}
	op, ok := comparisons[e.Op]
	if !ok {
		return
	}
	fieldSide, valueSide, kind := left, e.Y, op.kind
	f, folded, fok := x.fieldFolded(fieldSide)
	if !fok || !x.isFieldOperand(fieldSide) {
		if op.swapped == "" {
			return
		}
		fieldSide, valueSide, kind = e.Y, left, op.swapped
		if f, folded, fok = x.fieldFolded(fieldSide); !fok || !x.isFieldOperand(fieldSide) {
			return
		}
	}
	vals, ts, ok := x.values(valueSide)
	if !ok {
		// Two fields compared (.href_url.domain.root_domain !=
		// sender.email.domain.root_domain): the other field is the
		// value, with the field_ref transform.
		if g, _, gok := x.fieldFolded(valueSide); gok && x.isFieldOperand(valueSide) && g != f {
			p := rule.Predicate{Field: f, Kind: kind, Values: []string{g}, Transforms: []string{rule.TransformFieldRef}}
			if strings.HasPrefix(e.Op, "not in") {
				p.Negated = true
			}
			x.add(st, p, negated, all)
		}
		return
	}
	if lit, isLit := mql.Unparen(valueSide).(*mql.BasicLit); isLit && lit.Kind == mql.LitNull {
		switch kind {
		case rule.KindEq:
			x.add(st, rule.Predicate{Field: f, Kind: rule.KindIsNull}, negated, all)
		case rule.KindNe:
			x.add(st, rule.Predicate{Field: f, Kind: rule.KindIsNotNull}, negated, all)
		}
		return
	}
	if dir, ok := messageDirection(f); ok && len(vals) == 1 && (vals[0] == "true" || vals[0] == "false") && (kind == rule.KindEq || kind == rule.KindNe) {
		// type.inbound == false tests the direction too.
		holds := (kind == rule.KindEq) == (vals[0] == "true")
		x.add(st, rule.Predicate{Field: DirectionField, Kind: rule.KindEq, Values: []string{dir}, Negated: !holds}, negated, all)
		return
	}
	caseInsensitive := e.Op == "=~" || e.Op == "!~" || strings.HasSuffix(e.Op, "~") || folded
	if !caseInsensitive && hasString(valueSide) && kind != rule.KindGt && kind != rule.KindGe && kind != rule.KindLt && kind != rule.KindLe {
		ts = append(ts, rule.TransformCased)
	}
	p := rule.Predicate{Field: f, Kind: kind, Values: vals, Transforms: ts}
	if strings.HasPrefix(e.Op, "not in") {
		p.Negated = true
	}
	x.add(st, p, negated, all)
}

// hasString reports whether a value operand holds a string literal.
func hasString(e mql.Expr) bool {
	switch v := mql.Unparen(e).(type) {
	case *mql.BasicLit:
		return v.Kind == mql.LitString
	case *mql.ListLit:
		for _, el := range v.Elems {
			if hasString(el) {
				return true
			}
		}
	case *mql.ListRef:
		return true
	}
	return false
}

// isFieldOperand reports whether an operand names message data (a path, a
// function result over it), not a literal or a string/regex computation.
func (x *explainer) isFieldOperand(e mql.Expr) bool {
	switch v := mql.Unparen(e).(type) {
	case *mql.BasicLit, *mql.ListLit, *mql.ListRef:
		return false
	case *mql.Call:
		name := v.FuncName()
		if strings.HasPrefix(name, "strings.") || strings.HasPrefix(name, "regex.") {
			return normalizers[name] != ""
		}
	case *mql.Elem:
		// '.' of a $list is a value, not a field.
		if len(x.elems) < v.Depth {
			return false
		}
		sc := x.elems[len(x.elems)-v.Depth]
		return !sc.isList() && sc.values == nil
	}
	return true
}

// normalizers are functions that return their argument transformed in a
// way that keeps it the same field for matching purposes: "folded" when
// they fold case.
var normalizers = map[string]string{
	"strings.replace_confusables": "same",
	"strings.to_lower":            "folded",
	"strings.to_upper":            "folded",
	"strings.trim":                "same",
}

// field renders an operand as a field name.
func (x *explainer) field(e mql.Expr) (string, bool) {
	f, _, ok := x.fieldFolded(e)
	return f, ok
}

// fieldFolded renders an operand as a field: a path (sender.email.domain),
// a path inside a lambda (attachments[].file_name), a function result over
// one (network.whois(sender.email.domain).days_old, length(body.links)).
// folded is set when a normalizer folds its case.
func (x *explainer) fieldFolded(e mql.Expr) (string, bool, bool) {
	e = mql.Unparen(e)
	if c, ok := e.(*mql.Call); ok && len(c.Args) >= 1 {
		if how := normalizers[c.FuncName()]; how != "" {
			f, folded, ok := x.fieldFolded(c.Args[0])
			return f, folded || how == "folded", ok
		}
	}
	if !x.isFieldOperand(e) {
		return "", false, false
	}
	s := x.render(e)
	if s == "" {
		return "", false, false
	}
	return s, false, true
}

// render prints an operand with '.' and '..' replaced by the paths of the
// collections they stand for.
func (x *explainer) render(e mql.Expr) string {
	var b strings.Builder
	x.renderTo(&b, e)
	return b.String()
}

func (x *explainer) elem(depth int) string {
	if depth <= len(x.elems) {
		sc := x.elems[len(x.elems)-depth]
		if sc.isList() || sc.self {
			return sc.coll
		}
		return sc.coll + "[]"
	}
	// Outside any array function: keep the dots as written (.x, ..x).
	return strings.Repeat(".", depth-1)
}

func (x *explainer) renderTo(b *strings.Builder, e mql.Expr) {
	switch v := e.(type) {
	case *mql.Elem:
		if v.Depth > len(x.elems) {
			b.WriteString(strings.Repeat(".", v.Depth))
			return
		}
		b.WriteString(x.elem(v.Depth))
	case *mql.Selector:
		if el, ok := v.X.(*mql.Elem); ok {
			b.WriteString(x.elem(el.Depth))
			b.WriteByte('.')
			b.WriteString(v.Sel)
			return
		}
		x.renderTo(b, v.X)
		b.WriteByte('.')
		b.WriteString(v.Sel)
	case *mql.Index:
		x.renderTo(b, v.X)
		b.WriteByte('[')
		x.renderTo(b, v.Index)
		b.WriteByte(']')
	case *mql.Call:
		name := v.FuncName()
		if name == "" {
			x.renderTo(b, v.Fun)
		} else {
			b.WriteString(name)
		}
		b.WriteByte('(')
		args := v.Args
		if arrayFuncs[name] && len(args) == 2 {
			// filter(attachments, ...) names the collection only.
			args = args[:1]
		}
		for i, a := range args {
			if i > 0 {
				b.WriteString(", ")
			}
			x.renderTo(b, a)
		}
		b.WriteByte(')')
	case *mql.ParenExpr:
		b.WriteByte('(')
		x.renderTo(b, v.X)
		b.WriteByte(')')
	case *mql.BinaryExpr:
		x.renderTo(b, v.X)
		b.WriteString(" " + v.Op + " ")
		x.renderTo(b, v.Y)
	case *mql.UnaryExpr:
		b.WriteString(v.Op)
		if v.Op == "not" {
			b.WriteByte(' ')
		}
		x.renderTo(b, v.X)
	case *mql.KeyValue:
		b.WriteString(v.Key + "=")
		x.renderTo(b, v.Value)
	default:
		b.WriteString(mql.Print(e))
	}
}

// values decodes a value operand: a literal, a list literal of literals, a
// $list (kept as its name, with the expression transform), or '.' over a
// $list.
func (x *explainer) values(e mql.Expr) ([]string, []string, bool) {
	switch v := mql.Unparen(e).(type) {
	case *mql.BasicLit:
		return []string{v.Value}, nil, true
	case *mql.ListRef:
		return []string{v.Name}, []string{rule.TransformExpression}, true
	case *mql.Elem:
		if v.Depth <= len(x.elems) {
			sc := x.elems[len(x.elems)-v.Depth]
			if sc.isList() {
				return []string{sc.coll}, []string{rule.TransformExpression}, true
			}
			if sc.values != nil {
				return slices.Clone(sc.values), nil, true
			}
		}
		return nil, nil, false
	case *mql.ListLit:
		var out []string
		for _, el := range v.Elems {
			lit, ok := mql.Unparen(el).(*mql.BasicLit)
			if !ok {
				return []string{x.render(v)}, []string{rule.TransformExpression}, true
			}
			out = append(out, lit.Value)
		}
		return out, nil, len(out) > 0
	}
	return nil, nil, false
}
