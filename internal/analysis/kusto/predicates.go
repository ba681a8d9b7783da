package kusto

import (
	"slices"
	"strings"
	"time"

	"github.com/detwiki/detwiki/internal/lang/kql"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// opKind says what a KQL comparison operator means in the kind vocabulary.
type opKind struct {
	kind    string
	cased   bool // case-sensitive
	negated bool // a negative operator (!has, !~, !in, ...): an exclusion
	all     bool // has_all: every value must match
	// wildcard is "prefix" for hasprefix (a term starting with the value:
	// match value*) or "suffix" for hassuffix (match *value).
	wildcard string
}

// binaryOps maps the comparison operators of BinaryExpr.
var binaryOps = map[kql.Token]opKind{
	kql.EQL:      {kind: rule.KindEq, cased: true},
	kql.EQTILDE:  {kind: rule.KindEq},
	kql.NEQ:      {kind: rule.KindNe, cased: true},
	kql.LSSGTR:   {kind: rule.KindNe, cased: true},
	kql.NEQTILDE: {kind: rule.KindEq, negated: true},

	kql.HAS:        {kind: rule.KindMatch},
	kql.HAS_CS:     {kind: rule.KindMatch, cased: true},
	kql.NOT_HAS:    {kind: rule.KindMatch, negated: true},
	kql.NOT_HAS_CS: {kind: rule.KindMatch, cased: true, negated: true},

	kql.HASPREFIX:        {kind: rule.KindMatch, wildcard: "prefix"},
	kql.HASPREFIX_CS:     {kind: rule.KindMatch, wildcard: "prefix", cased: true},
	kql.NOT_HASPREFIX:    {kind: rule.KindMatch, wildcard: "prefix", negated: true},
	kql.NOT_HASPREFIX_CS: {kind: rule.KindMatch, wildcard: "prefix", cased: true, negated: true},
	kql.HASSUFFIX:        {kind: rule.KindMatch, wildcard: "suffix"},
	kql.HASSUFFIX_CS:     {kind: rule.KindMatch, wildcard: "suffix", cased: true},
	kql.NOT_HASSUFFIX:    {kind: rule.KindMatch, wildcard: "suffix", negated: true},
	kql.NOT_HASSUFFIX_CS: {kind: rule.KindMatch, wildcard: "suffix", cased: true, negated: true},

	kql.CONTAINS:        {kind: rule.KindContains},
	kql.CONTAINS_CS:     {kind: rule.KindContains, cased: true},
	kql.CONTAINSCS:      {kind: rule.KindContains, cased: true},
	kql.NOT_CONTAINS:    {kind: rule.KindContains, negated: true},
	kql.NOTCONTAINS:     {kind: rule.KindContains, negated: true},
	kql.NOT_CONTAINS_CS: {kind: rule.KindContains, cased: true, negated: true},
	kql.NOTCONTAINSCS:   {kind: rule.KindContains, cased: true, negated: true},

	kql.STARTSWITH:        {kind: rule.KindStartsWith},
	kql.STARTSWITH_CS:     {kind: rule.KindStartsWith, cased: true},
	kql.NOT_STARTSWITH:    {kind: rule.KindStartsWith, negated: true},
	kql.NOT_STARTSWITH_CS: {kind: rule.KindStartsWith, cased: true, negated: true},
	kql.ENDSWITH:          {kind: rule.KindEndsWith},
	kql.ENDSWITH_CS:       {kind: rule.KindEndsWith, cased: true},
	kql.NOT_ENDSWITH:      {kind: rule.KindEndsWith, negated: true},
	kql.NOT_ENDSWITH_CS:   {kind: rule.KindEndsWith, cased: true, negated: true},

	kql.MATCHES_REGEX: {kind: rule.KindRegex, cased: true},
	kql.LIKE:          {kind: rule.KindMatch, wildcard: "like"},
	kql.LIKECS:        {kind: rule.KindMatch, wildcard: "like", cased: true},
	kql.NOTLIKE:       {kind: rule.KindMatch, wildcard: "like", negated: true},
	kql.NOTLIKECS:     {kind: rule.KindMatch, wildcard: "like", cased: true, negated: true},

	kql.COLON: {kind: rule.KindMatch}, // search's Column:term

	kql.GTR: {kind: rule.KindGt},
	kql.GEQ: {kind: rule.KindGe},
	kql.LSS: {kind: rule.KindLt},
	kql.LEQ: {kind: rule.KindLe},
}

// inOps maps the list operators of InExpr.
var inOps = map[kql.Token]opKind{
	kql.IN:        {kind: rule.KindIn, cased: true},
	kql.IN_CI:     {kind: rule.KindIn},
	kql.NOT_IN:    {kind: rule.KindIn, cased: true, negated: true},
	kql.NOT_IN_CI: {kind: rule.KindIn, negated: true},
	kql.HAS_ANY:   {kind: rule.KindMatch},
	kql.HAS_ALL:   {kind: rule.KindMatch, all: true},
}

// flipped gives the ordering operator with its operands swapped (5 < x is
// x > 5).
var flipped = map[kql.Token]kql.Token{kql.GTR: kql.LSS, kql.LSS: kql.GTR, kql.GEQ: kql.LEQ, kql.LEQ: kql.GEQ}

// transformOrder is the order transforms are listed in.
var transformOrder = []string{rule.TransformCased, rule.TransformAll, rule.TransformWildcard, rule.TransformFieldRef, rule.TransformExpression}

// isOrdering reports the kinds that compare magnitudes (time filters are
// among them).
func isOrdering(kind string) bool {
	return kind == rule.KindGt || kind == rule.KindGe || kind == rule.KindLt || kind == rule.KindLe
}

// filter collects the predicates of one stage.
type filter struct {
	an    *analyzer
	p     *pipe
	stage int // index in p.own
	depth int // pipeline depth, for sub-queries
	preds []rule.Predicate
	notes []string
}

// finish stores the predicates and the notes on the stage.
func (fc *filter) finish() {
	if fc.stage < 0 || fc.stage >= len(fc.p.own) {
		return
	}
	st := &fc.p.own[fc.stage]
	st.Predicates = append(st.Predicates, fc.preds...)
	if len(fc.notes) > 0 {
		note := strings.Join(fc.notes, "; ") + "."
		if st.Note != "" {
			st.Note += " " + note
		} else {
			st.Note = note
		}
	}
}

func (fc *filter) note(s string) {
	if s != "" && !slices.Contains(fc.notes, s) {
		fc.notes = append(fc.notes, s)
	}
}

// valued is one value of a comparison with its transforms.
type valued struct {
	value      string
	transforms []string
}

// add records a predicate on field for the values, one predicate per set
// of transforms.
func (fc *filter) add(field fieldRef, k opKind, neg bool, vals []valued) {
	kind := k.kind
	negated := k.negated != neg
	switch {
	case kind == rule.KindNe && negated:
		kind, negated = rule.KindEq, false
	case kind == rule.KindIsNull && negated:
		kind, negated = rule.KindIsNotNull, false
	case kind == rule.KindIsNotNull && negated:
		kind, negated = rule.KindIsNull, false
	}
	fc.note(field.trace)
	if kind == rule.KindIsNull || kind == rule.KindIsNotNull {
		fc.preds = append(fc.preds, rule.Predicate{Field: field.name, Kind: kind, Negated: negated})
		return
	}
	var groups []rule.Predicate
	for _, v := range vals {
		ts := slices.Clone(v.transforms)
		if k.cased && !field.fold {
			ts = append(ts, rule.TransformCased)
		}
		if k.all {
			ts = append(ts, rule.TransformAll)
		}
		value := v.value
		if k.wildcard != "" && !slices.Contains(ts, rule.TransformFieldRef) && !slices.Contains(ts, rule.TransformExpression) {
			switch k.wildcard {
			case "prefix":
				value += "*"
			case "suffix":
				value = "*" + value
			}
			ts = append(ts, rule.TransformWildcard)
		}
		ts = sortTransforms(ts)
		i := slices.IndexFunc(groups, func(p rule.Predicate) bool { return slices.Equal(p.Transforms, ts) })
		if i < 0 {
			groups = append(groups, rule.Predicate{Field: field.name, Kind: kind, Transforms: ts, Negated: negated})
			i = len(groups) - 1
		}
		if !slices.Contains(groups[i].Values, value) {
			groups[i].Values = append(groups[i].Values, value)
		}
	}
	fc.preds = append(fc.preds, groups...)
}

func sortTransforms(ts []string) []string {
	if len(ts) == 0 {
		return nil
	}
	out := make([]string, 0, len(ts))
	for _, t := range transformOrder {
		if slices.Contains(ts, t) {
			out = append(out, t)
		}
	}
	return out
}

// walk collects the predicates of a filter expression. neg is set under an
// odd number of not(...).
func (fc *filter) walk(x kql.Expr, neg bool, depth int) {
	if x == nil {
		return
	}
	if depth > maxExprDepth {
		if !fc.an.deep {
			fc.an.deep = true
			fc.an.diag(source.Diagnostic{Code: CodeTooDeep, Severity: source.Warning, Line: fc.an.line(x.Pos()), Col: fc.an.col(x.Pos()),
				Message: "the filter nests too deeply to analyse; the predicates below this point are left out"})
		}
		return
	}
	switch v := x.(type) {
	case *kql.ParenExpr:
		fc.walk(v.X, neg, depth+1)
	case *kql.BinaryExpr:
		switch v.Op {
		case kql.AND, kql.OR:
			fc.walk(v.X, neg, depth+1)
			fc.walk(v.Y, neg, depth+1)
			return
		}
		if cond, val, ok := boolTest(v, fc.an, fc.p); ok {
			// isnotempty(X) == false, ipv4_is_private(IP) != true
			fc.walk(cond, neg != !val, depth+1)
			return
		}
		if k, ok := binaryOps[v.Op]; ok {
			fc.compare(v.Op, k, v.X, v.Y, neg)
			return
		}
		fc.subqueries(x)
	case *kql.InExpr:
		fc.in(v, neg)
	case *kql.BetweenExpr:
		fc.between(v, neg)
	case *kql.CallExpr:
		fc.call(v, neg, depth)
	case *kql.Ident, *kql.SelectorExpr, *kql.IndexExpr:
		// A boolean column used as a condition: where IsCertificateValid.
		if ref, ok := fc.an.fieldOf(fc.p, x, 0); ok && ref.name != "*" {
			fc.add(ref, opKind{kind: rule.KindEq}, neg, []valued{{value: "true"}})
		}
	case *kql.BasicLit:
		// where true, where "text" (a search term in search/find)
	default:
		fc.subqueries(x)
	}
}

// boolTest recognises a condition compared with a bool literal
// (cond == false, cond != true): it returns the condition and the value it
// must have. A boolean column compared with a literal is a plain
// comparison, not a test.
func boolTest(b *kql.BinaryExpr, an *analyzer, p *pipe) (kql.Expr, bool, bool) {
	if b.Op != kql.EQL && b.Op != kql.NEQ && b.Op != kql.EQTILDE && b.Op != kql.NEQTILDE {
		return nil, false, false
	}
	cond, other := b.X, b.Y
	lit, ok := other.(*kql.BasicLit)
	if !ok || lit.Kind != kql.BOOL {
		cond, other = b.Y, b.X
		if lit, ok = other.(*kql.BasicLit); !ok || lit.Kind != kql.BOOL {
			return nil, false, false
		}
	}
	val, ok := lit.Bool()
	if !ok {
		return nil, false, false
	}
	if _, isField := an.fieldOf(p, cond, 0); isField {
		return nil, false, false
	}
	switch cond.(type) {
	case *kql.CallExpr, *kql.ParenExpr, *kql.BinaryExpr, *kql.InExpr, *kql.BetweenExpr:
	default:
		return nil, false, false
	}
	if b.Op == kql.NEQ || b.Op == kql.NEQTILDE {
		val = !val
	}
	return cond, val, true
}

// subqueries analyses the sub-queries inside an expression the filter does
// not otherwise read (toscalar(...) and tabular in-lists).
func (fc *filter) subqueries(x kql.Expr) {
	for _, sub := range tabularParts(x) {
		kind := "subquery"
		kql.Inspect(x, func(n kql.Node) bool {
			if ts, ok := n.(*kql.ToScalarExpr); ok && ts.X == sub {
				kind = "toscalar"
				return false
			}
			return true
		})
		fc.an.subquery(fc.p, kind, sub, fc.depth)
	}
}

// call handles function calls used as conditions: not(), null checks, IP
// range tests.
func (fc *filter) call(c *kql.CallExpr, neg bool, depth int) {
	if c.Fun == nil {
		return
	}
	fn := strings.ToLower(c.Fun.Name)
	arg := func(i int) kql.Expr {
		if i < len(c.Args) {
			return c.Args[i]
		}
		return nil
	}
	switch fn {
	case "not":
		if len(c.Args) == 1 {
			fc.walk(c.Args[0], !neg, depth+1)
		}
		return
	case "isempty", "isnull", "isnotempty", "isnotnull":
		if ref, ok := fc.an.fieldOf(fc.p, arg(0), 0); ok {
			kind := rule.KindIsNull
			if strings.HasPrefix(fn, "isnot") {
				kind = rule.KindIsNotNull
			}
			fc.add(ref, opKind{kind: kind}, neg, nil)
		}
		return
	case "ipv4_is_in_range", "ipv6_is_in_range", "ipv4_is_in_any_range", "ipv6_is_in_any_range":
		if ref, ok := fc.an.fieldOf(fc.p, arg(0), 0); ok {
			var vals []valued
			for _, a := range c.Args[1:] {
				vals = append(vals, fc.values(a)...)
			}
			fc.add(ref, opKind{kind: rule.KindCIDR}, neg, vals)
		}
		return
	case "ipv4_is_private":
		if ref, ok := fc.an.fieldOf(fc.p, arg(0), 0); ok {
			fc.add(ref, opKind{kind: rule.KindCIDR}, neg, []valued{{value: "10.0.0.0/8"}, {value: "172.16.0.0/12"}, {value: "192.168.0.0/16"}})
		}
		return
	case "has_ipv4", "has_ipv4_prefix", "has_any_ipv4", "has_any_ipv4_prefix":
		if ref, ok := fc.an.fieldOf(fc.p, arg(0), 0); ok {
			var vals []valued
			for _, a := range c.Args[1:] {
				vals = append(vals, fc.values(a)...)
			}
			k := opKind{kind: rule.KindMatch}
			if strings.HasSuffix(fn, "_prefix") {
				k.wildcard = "prefix"
			}
			fc.add(ref, k, neg, vals)
		}
		return
	case "matches_regex", "regex_match":
		return
	}
	fc.subqueries(c)
}

// compare handles field op value (or value op field).
func (fc *filter) compare(op kql.Token, k opKind, l, r kql.Expr, neg bool) {
	an := fc.an
	if isOrdering(k.kind) && (an.isTimeValue(l, 0) || an.isTimeValue(r, 0)) {
		fc.timeNote(op, l, r)
		return
	}
	ref, ok := an.fieldOf(fc.p, l, 0)
	if !ok {
		ref, ok = an.fieldOf(fc.p, r, 0)
		if !ok {
			fc.subqueries(l)
			fc.subqueries(r)
			return
		}
		l, r = r, l
		if f, isOrd := flipped[op]; isOrd {
			k = binaryOps[f]
		}
	}
	fc.add(ref, k, neg, fc.values(r))
}

// in handles x in (...), x has_any (...) and their negations.
func (fc *filter) in(v *kql.InExpr, neg bool) {
	k, ok := inOps[v.Op]
	if !ok || v.List == nil {
		return
	}
	ref, ok := fc.an.fieldOf(fc.p, v.X, 0)
	if !ok {
		fc.subqueries(v.List)
		return
	}
	var vals []valued
	for _, e := range v.List.Elems {
		if kql.IsTabular(e) {
			fc.an.subquery(fc.p, "in", e, fc.depth)
			vals = append(vals, valued{value: compact(kql.Text(fc.an.src, unparen(e))), transforms: []string{rule.TransformExpression}})
			continue
		}
		vals = append(vals, fc.values(e)...)
	}
	fc.add(ref, k, neg, vals)
}

// between handles x between (a .. b): x ge a and x le b.
func (fc *filter) between(v *kql.BetweenExpr, neg bool) {
	if v.Op == kql.NOT_BETWEEN {
		neg = !neg
	}
	an := fc.an
	if an.isTimeValue(v.X, 0) || an.isTimeValue(v.Low, 0) || an.isTimeValue(v.High, 0) {
		if !neg {
			fc.timeNote(kql.GEQ, v.X, v.Low)
		}
		return
	}
	ref, ok := an.fieldOf(fc.p, v.X, 0)
	if !ok {
		return
	}
	fc.add(ref, opKind{kind: rule.KindGe}, neg, fc.values(v.Low))
	fc.add(ref, opKind{kind: rule.KindLe}, neg, fc.values(v.High))
}

// search handles the predicate of search: terms are whole-term matches in
// any column (field "*"), comparisons as in where.
func (fc *filter) search(x kql.Expr) {
	switch v := x.(type) {
	case *kql.BasicLit:
		if s, ok := v.StringValue(); ok {
			fc.add(fieldRef{name: "*"}, opKind{kind: rule.KindMatch}, false, []valued{{value: s}})
		}
	case *kql.BinaryExpr:
		if v.Op == kql.AND || v.Op == kql.OR {
			fc.search(v.X)
			fc.search(v.Y)
			return
		}
		fc.walk(x, false, 0)
	default:
		fc.walk(x, false, 0)
	}
}

// parseWhere handles parse-where: rows are kept when the source column
// holds the pattern's literal parts, in order (contains all of them,
// case-sensitively; a regex pattern for kind=regex).
func (fc *filter) parseWhere(v *kql.ParseOp) {
	ref, ok := fc.an.fieldOf(fc.p, v.Source, 0)
	if !ok {
		return
	}
	regex := paramWord(v.Params, "kind") == "regex"
	var vals []valued
	for _, x := range v.Pattern {
		if b, ok := x.(*kql.BasicLit); ok {
			if s, ok := b.StringValue(); ok && s != "" {
				vals = append(vals, valued{value: s})
			}
		}
	}
	if len(vals) == 0 {
		return
	}
	if regex {
		fc.add(ref, opKind{kind: rule.KindRegex, cased: true}, false, vals)
		return
	}
	fc.add(ref, opKind{kind: rule.KindContains, cased: true, all: len(vals) > 1}, false, vals)
}

func paramWord(params []*kql.NamedParam, name string) string {
	switch v := kql.ParamValue(params, name).(type) {
	case *kql.Ident:
		return strings.ToLower(v.Name)
	case *kql.BasicLit:
		return strings.ToLower(v.Value())
	}
	return ""
}

// joinPolarity says whether a join kind filters rows (1), removes the
// matching ones (-1, the anti kinds) or keeps every left row (0, outer).
func joinPolarity(kind string) int {
	switch strings.ToLower(kind) {
	case "leftanti", "anti", "leftantisemi", "rightanti", "rightantisemi":
		return -1
	case "leftouter", "rightouter", "fullouter", "outer":
		return 0
	}
	return 1
}

// joinKeys records the equality of join or lookup keys: on X (X of both
// sides), on $left.A == $right.B. The value is the right column qualified
// with the right side's name, with the field_ref transform. Both sides are
// traced to the field they come from, the left through the pipeline, the
// right through right, the columns of the right side (a binding or a
// sub-query): on X where each side renamed X reads Y eq T.Z, with notes
// saying X is Y and T.X is Z, not Y eq T.X.
func (fc *filter) joinKeys(conds []kql.Expr, kind string, right *colState, rightName string) {
	pol := joinPolarity(kind)
	if pol == 0 {
		return
	}
	for _, c := range conds {
		var lx, rx kql.Expr
		switch v := c.(type) {
		case *kql.Ident:
			lx, rx = v, v
		case *kql.BinaryExpr:
			if v.Op != kql.EQL {
				continue
			}
			lx, rx = v.X, v.Y
			if isSide(rx, "$left") || isSide(lx, "$right") {
				lx, rx = rx, lx
			}
		default:
			continue
		}
		ref, ok := fc.an.fieldOf(fc.p, lx, 0)
		if !ok {
			continue
		}
		rname := sideColumn(rx)
		if rname == "" {
			continue
		}
		var r fieldRef
		if !strings.Contains(rname, ".") {
			r = right.trace(rname)
			rname = r.name
		}
		fc.add(ref, opKind{kind: rule.KindEq, cased: true}, pol < 0,
			[]valued{{value: rightName + "." + rname, transforms: []string{rule.TransformFieldRef}}})
		if r.trace != "" {
			fc.note(rightName + "." + r.trace)
		}
	}
}

// joinWhere records the predicates of join ... where: comparisons of
// $left and $right columns and of columns with values.
func (fc *filter) joinWhere(x kql.Expr, kind string) {
	pol := joinPolarity(kind)
	if pol == 0 {
		return
	}
	fc.walk(x, pol < 0, 0)
}

// isSide reports whether x is $left.Col or $right.Col for the given side.
func isSide(x kql.Expr, side string) bool {
	s, ok := x.(*kql.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := s.X.(*kql.Ident)
	return ok && id.Name == side
}

// sideColumn returns the column of $right.Col, or of Col.
func sideColumn(x kql.Expr) string {
	switch v := x.(type) {
	case *kql.Ident:
		return v.Name
	case *kql.SelectorExpr:
		if id, ok := v.Sel.(*kql.Ident); ok {
			if base, ok := v.X.(*kql.Ident); ok && (base.Name == "$left" || base.Name == "$right") {
				return id.Name
			}
			if b := sideColumn(v.X); b != "" {
				return b + "." + id.Name
			}
		}
	}
	return ""
}

// values resolves the right side of a comparison: constants (decoded
// literals, parameters, lists), a column (field_ref), or the expression's
// text (expression).
func (fc *filter) values(x kql.Expr) []valued {
	an := fc.an
	if x == nil {
		return nil
	}
	if vals, ok := an.constList(x, 0); ok {
		out := make([]valued, len(vals))
		for i, v := range vals {
			out[i] = valued{value: v}
		}
		return out
	}
	switch v := x.(type) {
	case *kql.ParenExpr:
		return fc.values(v.X)
	case *kql.ListExpr:
		var out []valued
		for _, e := range v.Elems {
			out = append(out, fc.values(e)...)
		}
		return out
	case *kql.DynamicLit:
		if arr, ok := v.Value.(*kql.JSONArray); ok {
			var out []valued
			for _, e := range arr.Elems {
				out = append(out, fc.values(e)...)
			}
			return out
		}
	case *kql.Ident:
		if s := an.lookup(v.Name); s != nil {
			return []valued{{value: v.Name, transforms: []string{rule.TransformExpression}}}
		}
	}
	if ref, ok := an.fieldOf(fc.p, x, 0); ok {
		fc.note(ref.trace)
		return []valued{{value: ref.name, transforms: []string{rule.TransformFieldRef}}}
	}
	fc.subqueries(x)
	return []valued{{value: compact(kql.Text(an.src, x)), transforms: []string{rule.TransformExpression}}}
}

// ---------------------------------------------------------------------------
// Fields

// fieldRef is a field a predicate compares: the column as the source
// names it (traced through aliases), whether it was case-folded, and a note
// saying where a renamed or computed column comes from.
type fieldRef struct {
	name  string
	fold  bool
	trace string
}

// transparent functions return their argument's value (possibly converted
// or case-folded): a comparison of tolower(X) is a comparison of X.
var transparent = map[string]bool{
	"tostring": true, "tolower": true, "toupper": true, "tolong": true, "toint": true, "toreal": true, "todouble": true,
	"tobool": true, "toboolean": true, "todatetime": true, "totimespan": true, "toguid": true, "todecimal": true,
	"todynamic": true, "parse_json": true, "parsejson": true,
}

// fieldOf resolves an expression to the field it reads, or reports false
// when it is not a column: a literal, a parameter, a binding, a computed
// expression.
func (an *analyzer) fieldOf(p *pipe, x kql.Expr, depth int) (fieldRef, bool) {
	if x == nil || depth > maxExprDepth {
		return fieldRef{}, false
	}
	switch v := x.(type) {
	case *kql.Ident:
		if v.Name == "" || v.Wildcard || v.Name == "$left" || v.Name == "$right" {
			return fieldRef{}, false
		}
		if an.lookup(v.Name) != nil {
			return fieldRef{}, false
		}
		return an.trace(p, v.Name), true
	case *kql.StarExpr:
		return fieldRef{name: "*"}, true
	case *kql.ParenExpr:
		return an.fieldOf(p, v.X, depth+1)
	case *kql.SelectorExpr:
		sel, ok := v.Sel.(*kql.Ident)
		if !ok {
			return fieldRef{}, false
		}
		if base, ok := v.X.(*kql.Ident); ok && (base.Name == "$left" || base.Name == "$right") {
			return an.trace(p, sel.Name), true
		}
		ref, ok := an.fieldOf(p, v.X, depth+1)
		if !ok || ref.name == "*" {
			return fieldRef{}, false
		}
		ref.name += "." + sel.Name
		return ref, true
	case *kql.IndexExpr:
		ref, ok := an.fieldOf(p, v.X, depth+1)
		if !ok || ref.name == "*" {
			return fieldRef{}, false
		}
		b, ok := v.Index.(*kql.BasicLit)
		if !ok {
			return fieldRef{}, false
		}
		if s, ok := b.StringValue(); ok {
			ref.name += "." + s
		} else {
			ref.name += "[" + b.Raw + "]"
		}
		return ref, true
	case *kql.CallExpr:
		if v.Fun == nil || len(v.Args) == 0 {
			return fieldRef{}, false
		}
		fn := strings.ToLower(v.Fun.Name)
		switch {
		case transparent[fn]:
			if len(v.Args) != 1 {
				return fieldRef{}, false
			}
			ref, ok := an.fieldOf(p, v.Args[0], depth+1)
			if ok && (fn == "tolower" || fn == "toupper") {
				ref.fold = true
			}
			return ref, ok
		case fn == "column_ifexists" || fn == "columnifexists":
			if b, ok := v.Args[0].(*kql.BasicLit); ok {
				if s, ok := b.StringValue(); ok && s != "" {
					return an.trace(p, s), true
				}
			}
		case fn == "coalesce":
			return an.fieldOf(p, v.Args[0], depth+1)
		}
	}
	return fieldRef{}, false
}

// trace follows a column name to the field it comes from in pipeline p.
func (an *analyzer) trace(p *pipe, name string) fieldRef {
	if p == nil {
		return fieldRef{name: name}
	}
	return p.cols.trace(name)
}

// trace follows a column name to the field it comes from, given the
// columns s of the pipeline at that point.
func (s *colState) trace(name string) fieldRef {
	if s == nil {
		return fieldRef{name: name}
	}
	c := s.get(name)
	if c == nil {
		return fieldRef{name: name}
	}
	switch {
	case c.origin != "" && c.origin != name:
		return fieldRef{name: c.origin, fold: c.fold, trace: name + " is " + c.origin + " (" + c.via + ")"}
	case c.via == "parse" || c.via == "parse-where" || c.via == "parse-kv":
		if len(c.from) > 0 {
			return fieldRef{name: name, trace: name + " is parsed from " + c.from[0]}
		}
	case len(c.from) > 0 && c.via != "":
		return fieldRef{name: name, trace: name + " is computed by " + c.via + " from " + strings.Join(c.from, ", ")}
	case c.via != "":
		return fieldRef{name: name, trace: name + " is computed by " + c.via}
	}
	return fieldRef{name: name, fold: c.fold}
}

// col returns the 1-based query column of a position.
func (an *analyzer) col(p source.Pos) int {
	if !p.IsValid() || int(p) > len(an.src) {
		return 0
	}
	return an.lines.Position(p).Column
}

// ---------------------------------------------------------------------------
// Time filters

// timeFuncs are the functions whose result is a point in time.
var timeFuncs = map[string]bool{
	"ago": true, "now": true, "datetime": true, "todatetime": true, "startofday": true, "startofweek": true,
	"startofmonth": true, "startofyear": true, "endofday": true, "endofweek": true, "endofmonth": true,
	"endofyear": true, "datetime_add": true, "ingestion_time": true, "make_datetime": true, "unixtime_seconds_todatetime": true,
	"unixtime_milliseconds_todatetime": true,
}

// isTimeValue reports whether x is a point in time by its form: a datetime
// literal, ago()/now()/startofday()/ingestion_time(), arithmetic on them, a
// parameter whose value is one, or the usual time columns.
func (an *analyzer) isTimeValue(x kql.Expr, depth int) bool {
	if depth > 16 {
		return false
	}
	switch v := x.(type) {
	case *kql.BasicLit:
		return v.Kind == kql.DATETIME
	case *kql.ParenExpr:
		return an.isTimeValue(v.X, depth+1)
	case *kql.CallExpr:
		if v.Fun == nil {
			return false
		}
		fn := strings.ToLower(v.Fun.Name)
		if timeFuncs[fn] {
			return true
		}
		if (fn == "bin" || fn == "floor") && len(v.Args) > 0 {
			return an.isTimeValue(v.Args[0], depth+1)
		}
	case *kql.BinaryExpr:
		if v.Op == kql.ADD || v.Op == kql.SUB {
			return an.isTimeValue(v.X, depth+1)
		}
	case *kql.Ident:
		if s := an.lookup(v.Name); s != nil {
			return s.value != nil && s.kind == symParam && an.isTimeValue(s.value, depth+1)
		}
		switch v.Name {
		case "TimeGenerated", "Timestamp", "_TimeReceived":
			return true
		}
	}
	return false
}

// timeFilter records the lookback of a time filter, the span of ago(span)
// (or now(-span), now() - span) on the side that bounds time from below,
// and returns it (0 when the filter has none).
func (an *analyzer) timeFilter(op kql.Token, l, r kql.Expr) time.Duration {
	var lower kql.Expr
	switch op {
	case kql.GTR, kql.GEQ:
		lower = r
	case kql.LSS, kql.LEQ:
		lower = l
	default:
		return 0
	}
	if d, ok := an.lookback(lower, 0); ok && d > 0 {
		an.windows = append(an.windows, d)
		return d
	}
	return 0
}

// timeNote records a time filter on the stage.
func (fc *filter) timeNote(op kql.Token, l, r kql.Expr) {
	if d := fc.an.timeFilter(op, l, r); d > 0 {
		fc.note("time filter: the last " + formatDuration(d))
		return
	}
	fc.note("time filter")
}

// lookback returns span for ago(span), now(-span), now() - span,
// startofday(ago(span)), or a parameter holding one of them.
func (an *analyzer) lookback(x kql.Expr, depth int) (time.Duration, bool) {
	if depth > 16 || x == nil {
		return 0, false
	}
	switch v := x.(type) {
	case *kql.ParenExpr:
		return an.lookback(v.X, depth+1)
	case *kql.Ident:
		if s := an.lookup(v.Name); s != nil && s.kind == symParam && s.value != nil {
			return an.lookback(s.value, depth+1)
		}
	case *kql.CallExpr:
		if v.Fun == nil {
			return 0, false
		}
		switch strings.ToLower(v.Fun.Name) {
		case "ago":
			if len(v.Args) == 1 {
				if s, ok := an.fold(v.Args[0], 0); ok && s.kind == kindTimespan {
					return s.dur, true
				}
			}
		case "now":
			if len(v.Args) == 1 {
				if s, ok := an.fold(v.Args[0], 0); ok && s.kind == kindTimespan {
					return -s.dur, true
				}
			}
		case "startofday", "startofweek", "startofmonth", "bin", "floor", "todatetime":
			if len(v.Args) > 0 {
				return an.lookback(v.Args[0], depth+1)
			}
		}
	case *kql.BinaryExpr:
		if v.Op == kql.SUB {
			if c, ok := v.X.(*kql.CallExpr); ok && c.Fun != nil && strings.EqualFold(c.Fun.Name, "now") && len(c.Args) == 0 {
				if s, ok := an.fold(v.Y, 0); ok && s.kind == kindTimespan {
					return s.dur, true
				}
			}
			if d, ok := an.lookback(v.X, depth+1); ok {
				if s, ok := an.fold(v.Y, 0); ok && s.kind == kindTimespan {
					return d + s.dur, true
				}
			}
		}
	}
	return 0, false
}
