package spl

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// ExplainOptions tune Explain.
type ExplainOptions struct {
	// FilterMacro names the detection's own exclusion hook (security_content
	// writes `<detection>_filter` at the end of every search); its stage and
	// parameter get a note saying so.
	FilterMacro string
}

// Explanation is what Explain understood of a search.
type Explanation struct {
	// Analysis holds the stages, indicators, exclusions, outputs, tables,
	// bindings (subsearches) and parameters (macros used).
	Analysis rule.Analysis
	// GroupBy is the BY clause of the last aggregation of the main search.
	GroupBy []string
	// Lookups are the lookup tables the search reads (lookup, inputlookup).
	Lookups []string
	// FilterMacroUsed reports whether the search calls opt.FilterMacro.
	FilterMacroUsed bool
}

// Explain turns a parsed, expanded search into rule facts: a stage per
// command (consecutive evals merged), predicates from the implicit search,
// search, tstats WHERE, where, regex and inputlookup WHERE, outputs from the
// commands that make fields, tables from datamodels, indexes, sourcetypes and
// sources, and the macros used as parameters. text is the expanded search pl
// was parsed from; exp may be nil when the search had no macros.
func Explain(pl *Pipeline, text string, exp *Expansion, opt ExplainOptions) *Explanation {
	x := &explainer{text: text, exp: exp, opt: opt, lines: source.NewLineTable("", text), out: &Explanation{}}
	x.parameters()
	x.pipeline(pl, "main")
	x.outputs(pl)
	x.out.Analysis.Normalize()
	return x.out
}

type explainer struct {
	text  string
	exp   *Expansion
	opt   ExplainOptions
	lines *source.LineTable
	out   *Explanation
	subs  int
	// starts holds where each stage's first command starts.
	starts []source.Pos
}

// ---------------------------------------------------------------------------
// Parameters

func (x *explainer) parameters() {
	if x.exp == nil {
		return
	}
	seen := map[string]bool{}
	a := &x.out.Analysis
	for _, u := range x.exp.Uses {
		p := rule.Parameter{Name: u.Name, Text: u.Call}
		key := "?" + u.Call
		if u.Macro != nil {
			key = u.Macro.Key()
			p.Name, p.Text = u.Macro.Name, u.Macro.Definition
			if len(u.Macro.Args) > 0 {
				p.Name = u.Macro.Name + "(" + strings.Join(u.Macro.Args, ", ") + ")"
			}
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		switch {
		case x.opt.FilterMacro != "" && u.Name == x.opt.FilterMacro:
			x.out.FilterMacroUsed = true
			p.Note = "the customer's exclusion hook for this detection: edit this macro to filter out known-good results"
		case u.Macro == nil:
			p.Note = "not defined in the rule source"
		case u.Macro.Source != "" && !strings.HasSuffix(u.Macro.Source, ".yml") && !strings.HasSuffix(u.Macro.Source, ".yaml"):
			p.Note = "defined by " + u.Macro.Source
		}
		a.Parameters = append(a.Parameters, p)
	}
}

// macroNote says which depth-0 macro call a command came from, if it lies
// inside one expansion.
func (x *explainer) macroNote(n Node) string {
	if x.exp == nil {
		return ""
	}
	for _, u := range x.exp.Uses {
		if u.Depth != 0 || u.Macro == nil || n.Pos() < u.ExpPos || n.End() > u.ExpEnd {
			continue
		}
		if x.opt.FilterMacro != "" && u.Name == x.opt.FilterMacro {
			return "from " + u.Call + ", the customer's exclusion hook for this detection"
		}
		return "from macro " + u.Call
	}
	return ""
}

// ---------------------------------------------------------------------------
// Stages and predicates

func (x *explainer) pipeline(pl *Pipeline, name string) {
	a := &x.out.Analysis
	first := len(a.Stages)
	for _, c := range pl.Commands {
		kind := c.Name()
		switch c.(type) {
		case *BadCmd:
			kind = "unparsed"
		case *MacroCmd:
			kind = "macro"
		}
		st := rule.Stage{Kind: kind, Steps: 1, Pipeline: name, Text: x.text[c.Pos():c.End()],
			Line: x.lines.Position(c.Pos()).Line, Note: x.macroNote(c)}
		var preds []rule.Predicate
		switch c := c.(type) {
		case *SearchCmd:
			if c.Expr != nil {
				preds = x.searchPredicates(c.Expr, false)
			}
		case *TstatsCmd:
			x.tstatsTables(c)
			if c.Where != nil {
				preds = x.searchPredicates(c.Where, true)
			}
		case *WhereCmd:
			if c.Cond != nil {
				preds = evalPredicates(c.Cond)
			}
		case *RegexCmd:
			if c.Pattern != nil {
				preds = []rule.Predicate{{Field: c.Field, Kind: rule.KindRegex, Values: []string{c.Pattern.Value}, Negated: c.Negated}}
			}
		case *InputlookupCmd:
			if c.Table != nil {
				x.addLookup(c.Table.Value)
			}
			if c.Where != nil {
				preds = x.searchPredicates(c.Where, false)
			}
		case *LookupCmd:
			if c.Table != nil {
				x.addLookup(c.Table.Value)
			}
		case *GenericCmd:
			x.genericTables(c)
		}
		for _, p := range preds {
			a.AddPredicate(p)
		}
		st.Predicates = preds
		if n := len(a.Stages); kind == "eval" && n > first && a.Stages[n-1].Kind == "eval" && a.Stages[n-1].Pipeline == name {
			prev := &a.Stages[n-1]
			prev.Text = x.text[x.starts[n-1]:c.End()]
			prev.Steps++
			if prev.Note != st.Note {
				prev.Note = strings.Trim(prev.Note+"; "+st.Note, "; ")
			}
			continue
		}
		a.Stages = append(a.Stages, st)
		x.starts = append(x.starts, c.Pos())
		x.subsearches(c)
	}
}

// subsearches explains the subsearches of a command as pipelines of their
// own, each recorded as a binding.
func (x *explainer) subsearches(c Command) {
	Inspect(c, func(n Node) bool {
		s, ok := n.(*Subsearch)
		if !ok {
			return true
		}
		x.subs++
		name := fmt.Sprintf("subsearch %d", x.subs)
		x.out.Analysis.Bindings = append(x.out.Analysis.Bindings, rule.Binding{Name: name, Text: x.text[s.Pos():s.End()], DerivedFrom: []string{}})
		if s.Pipeline != nil {
			x.pipeline(s.Pipeline, name)
		}
		return false
	})
}

func (x *explainer) addLookup(name string) {
	if name != "" && !slices.Contains(x.out.Lookups, name) {
		x.out.Lookups = append(x.out.Lookups, name)
	}
}

// tstatsTables records the datamodel of a tstats, refined by a top-level
// nodename=X in its WHERE.
func (x *explainer) tstatsTables(c *TstatsCmd) {
	if c.Datamodel == nil {
		return
	}
	dm := c.Datamodel.Text()
	if node := nodename(c.Where); node != "" {
		dm = joinNode(dm, node)
	}
	x.out.Analysis.AddTable(dm)
}

// nodename finds nodename=X among the top-level conjuncts of a WHERE.
func nodename(e SearchExpr) string {
	switch e := e.(type) {
	case *SearchBinary:
		if e.Op == "AND" {
			if n := nodename(e.X); n != "" {
				return n
			}
			return nodename(e.Y)
		}
	case *SearchParen:
		return nodename(e.X)
	case *SearchCompare:
		if strings.EqualFold(e.Field.Value, "nodename") && e.Op == EQ {
			if w, ok := e.Value.(*Word); ok {
				return w.Value
			}
		}
	}
	return ""
}

// joinNode joins a datamodel (Network_Resolution, Endpoint.Processes) and a
// nodename (DNS, Processes.Remote) into one dataset path.
func joinNode(dm, node string) string {
	last := dm
	if i := strings.LastIndexByte(dm, '.'); i >= 0 {
		last = dm[i+1:]
	}
	head, rest, _ := strings.Cut(node, ".")
	if head == last {
		if rest == "" {
			return dm
		}
		return dm + "." + rest
	}
	return dm + "." + node
}

// genericTables finds what | from datamodel:X, | datamodel X Y and
// | mstats ... index=X read.
func (x *explainer) genericTables(c *GenericCmd) {
	var words []string
	for _, a := range c.Args {
		if w, ok := a.(*Word); ok {
			words = append(words, w.Value)
		}
	}
	switch c.Name() {
	case "from":
		for i, w := range words {
			if v, ok := strings.CutPrefix(w, "datamodel:"); ok {
				x.out.Analysis.AddTable(v)
			} else if w == "datamodel" && i+1 < len(words) {
				x.out.Analysis.AddTable(words[i+1])
			}
		}
	case "mstats":
		// | mstats ... WHERE index=metrics ...
		for _, a := range c.Args {
			if o, ok := a.(*Option); ok && o.Name() == "index" && o.Op == EQ && o.Text() != "*" {
				x.out.Analysis.AddTable(o.Text())
			}
		}
	case "datamodel":
		if len(words) >= 2 {
			x.out.Analysis.AddTable(words[0] + "." + words[1])
		} else if len(words) == 1 {
			x.out.Analysis.AddTable(words[0])
		}
	}
}

// ---------------------------------------------------------------------------
// Search predicates

// polarity tracks where a leaf sits: top is true while only AND (and a
// leading NOT) stand above it; neg counts the NOTs and != that apply.
type polarity struct {
	top bool
	neg bool
}

func (x *explainer) searchPredicates(e SearchExpr, tstats bool) []rule.Predicate {
	var out []rule.Predicate
	x.searchWalk(e, polarity{top: true}, tstats, &out)
	return out
}

func (x *explainer) searchWalk(e SearchExpr, pol polarity, tstats bool, out *[]rule.Predicate) {
	switch e := e.(type) {
	case *SearchBinary:
		sub := pol
		if e.Op == "OR" && !pol.neg {
			sub.top = false
		}
		x.searchWalk(e.X, sub, tstats, out)
		x.searchWalk(e.Y, sub, tstats, out)
	case *SearchNot:
		if e.X != nil {
			x.searchWalk(e.X, polarity{top: pol.top, neg: !pol.neg}, tstats, out)
		}
	case *SearchParen:
		if e.X != nil {
			x.searchWalk(e.X, pol, tstats, out)
		}
	case *SearchCompare:
		if tstats && strings.EqualFold(e.Field.Value, "nodename") {
			return
		}
		val, cased, ok := operandValue(e.Value)
		if !ok {
			return
		}
		field := e.Field.Value
		var p rule.Predicate
		switch e.Op {
		case EQ, EQL, NEQ:
			p = searchValuePredicate(field, val)
			if e.Op == NEQ {
				pol.neg = !pol.neg
			}
		case LSS:
			p = rule.Predicate{Field: field, Kind: rule.KindLt, Values: []string{val}}
		case LEQ:
			p = rule.Predicate{Field: field, Kind: rule.KindLe, Values: []string{val}}
		case GTR:
			p = rule.Predicate{Field: field, Kind: rule.KindGt, Values: []string{val}}
		case GEQ:
			p = rule.Predicate{Field: field, Kind: rule.KindGe, Values: []string{val}}
		default:
			return
		}
		if cased {
			p.Transforms = append(p.Transforms, rule.TransformCased)
		}
		emit(p, pol, out)
		if !pol.neg && (e.Op == EQ || e.Op == EQL) {
			switch strings.ToLower(field) {
			case "index", "sourcetype", "source":
				if val != "*" {
					x.out.Analysis.AddTable(val)
				}
			}
		}
	case *SearchIn:
		field := e.Field.Value
		var plain, cased, cidrs []string
		for _, v := range e.Values {
			val, isCased, ok := operandValue(v)
			if !ok {
				continue
			}
			p := searchValuePredicate(field, val)
			if p.Kind == rule.KindCIDR {
				cidrs = append(cidrs, val)
				continue
			}
			if p.Kind == rule.KindEq {
				if isCased {
					cased = append(cased, val)
				} else {
					plain = append(plain, val)
				}
				continue
			}
			if isCased {
				p.Transforms = append(p.Transforms, rule.TransformCased)
			}
			emit(p, pol, out)
		}
		if len(plain) > 0 {
			emit(rule.Predicate{Field: field, Kind: rule.KindIn, Values: plain}, pol, out)
		}
		if len(cased) > 0 {
			emit(rule.Predicate{Field: field, Kind: rule.KindIn, Values: cased, Transforms: []string{rule.TransformCased}}, pol, out)
		}
		if len(cidrs) > 0 {
			emit(rule.Predicate{Field: field, Kind: rule.KindCIDR, Values: cidrs}, pol, out)
		}
	case *SearchTerm:
		val, cased, ok := operandValue(e.Value)
		if !ok || val == "*" {
			return // a lone * matches every event
		}
		p := rule.Predicate{Field: "_raw", Kind: rule.KindMatch, Values: []string{val}}
		if strings.Contains(val, "*") {
			if k, v, _ := wildcardKind(val); k == rule.KindContains {
				p.Kind, p.Values = k, []string{v}
			} else {
				p.Transforms = []string{rule.TransformWildcard}
			}
		}
		if cased {
			p.Transforms = append(p.Transforms, rule.TransformCased)
		}
		emit(p, pol, out)
	}
}

// operandValue returns the decoded value of a search operand and whether it
// is compared case-sensitively (CASE()); subsearches and macros have none.
func operandValue(o Operand) (string, bool, bool) {
	switch o := o.(type) {
	case *Word:
		if o.Tok == MACRO {
			return "", false, false
		}
		return o.Value, false, true
	case *Directive:
		if o.Value == nil {
			return "", false, false
		}
		return o.Value.Value, strings.EqualFold(o.Name.Value, "CASE"), true
	}
	return "", false, false
}

// searchValuePredicate is field=value in the search command, where * is a
// wildcard and a value in CIDR notation matches the addresses of its range
// (src=10.0.0.0/8; Splunk does this for any field).
func searchValuePredicate(field, val string) rule.Predicate {
	if isCIDR(val) {
		return rule.Predicate{Field: field, Kind: rule.KindCIDR, Values: []string{val}}
	}
	kind, v, tr := wildcardKind(val)
	p := rule.Predicate{Field: field, Kind: kind, Transforms: tr}
	if kind != rule.KindIsNotNull {
		p.Values = []string{v}
	}
	return p
}

// isCIDR reports whether a search value is an address range in CIDR
// notation (10.0.0.0/8, fe80::/10).
func isCIDR(val string) bool {
	if !strings.Contains(val, "/") {
		return false
	}
	_, err := netip.ParsePrefix(val)
	return err == nil
}

// wildcardKind classifies a search value with * wildcards (see
// docs/rule-model.md): * alone is is_not_null, *x* contains, x* starts_with,
// *x ends_with, anything else with a * match with the wildcard transform.
func wildcardKind(v string) (kind, value string, transforms []string) {
	return patternKind(v, '*')
}

// likeKind classifies a like() pattern, where % is the wildcard.
func likeKind(v string) (kind, value string, transforms []string) {
	return patternKind(v, '%')
}

func patternKind(v string, star byte) (kind, value string, transforms []string) {
	n := strings.Count(v, string(star))
	switch {
	case n == 0:
		return rule.KindEq, v, nil
	case len(v) == 1 || strings.Trim(v, string(star)) == "":
		if star == '*' {
			return rule.KindIsNotNull, "", nil
		}
		return rule.KindMatch, v, []string{rule.TransformWildcard}
	case n == 2 && v[0] == star && v[len(v)-1] == star:
		return rule.KindContains, v[1 : len(v)-1], nil
	case n == 1 && v[len(v)-1] == star:
		return rule.KindStartsWith, v[:len(v)-1], nil
	case n == 1 && v[0] == star:
		return rule.KindEndsWith, v[1:], nil
	}
	return rule.KindMatch, v, []string{rule.TransformWildcard}
}

// emit records a predicate with the polarity it sits under: a negation on
// the top-level conjunction makes an exclusion (positive kind, Negated);
// deeper, it becomes the opposite kind where there is one.
func emit(p rule.Predicate, pol polarity, out *[]rule.Predicate) {
	if pol.neg {
		if pol.top {
			p.Negated = true
		} else {
			p = opposite(p)
		}
	}
	*out = append(*out, p)
}

// opposite returns the predicate that holds when p does not: eq and in
// become ne, comparisons flip, null tests swap. Kinds without an opposite
// stay negated.
func opposite(p rule.Predicate) rule.Predicate {
	switch p.Kind {
	case rule.KindEq, rule.KindIn:
		p.Kind = rule.KindNe
	case rule.KindNe:
		p.Kind = rule.KindEq
	case rule.KindGt:
		p.Kind = rule.KindLe
	case rule.KindGe:
		p.Kind = rule.KindLt
	case rule.KindLt:
		p.Kind = rule.KindGe
	case rule.KindLe:
		p.Kind = rule.KindGt
	case rule.KindIsNull:
		p.Kind = rule.KindIsNotNull
	case rule.KindIsNotNull:
		p.Kind = rule.KindIsNull
	default:
		p.Negated = true
	}
	return p
}

// ---------------------------------------------------------------------------
// Eval predicates (where)

func evalPredicates(e Expr) []rule.Predicate {
	var out []rule.Predicate
	evalWalk(e, polarity{top: true}, &out)
	return out
}

func evalWalk(e Expr, pol polarity, out *[]rule.Predicate) {
	switch e := e.(type) {
	case *ParenExpr:
		evalWalk(e.X, pol, out)
	case *UnaryExpr:
		if e.Op == "NOT" {
			evalWalk(e.X, polarity{top: pol.top, neg: !pol.neg}, out)
		}
	case *BinaryExpr:
		switch e.Op {
		case "AND":
			evalWalk(e.X, pol, out)
			evalWalk(e.Y, pol, out)
		case "OR", "XOR":
			sub := pol
			if !pol.neg || e.Op == "XOR" {
				sub.top = false
			}
			evalWalk(e.X, sub, out)
			evalWalk(e.Y, sub, out)
		case "LIKE":
			field, folded := fieldOf(e.X)
			if lit, ok := literal(e.Y); ok {
				p := likePredicate(field, lit, folded)
				emit(p, pol, out)
			}
		case "=", "==", "!=", "<", "<=", ">", ">=":
			if p, ok := comparePredicate(e); ok {
				if e.Op == "!=" {
					pol.neg = !pol.neg
				}
				emit(p, pol, out)
			}
		}
	case *InExpr:
		field, folded := fieldOf(e.X)
		var vals, refs []string
		stringy := false
		for _, item := range e.List {
			if lit, ok := literal(item); ok {
				vals = append(vals, lit)
				if _, isStr := item.(*StringLit); isStr {
					stringy = true
				}
			} else if id, ok := item.(*Ident); ok {
				refs = append(refs, id.Name)
			}
		}
		if len(vals) > 0 {
			p := rule.Predicate{Field: field, Kind: rule.KindIn, Values: vals}
			if stringy && !folded {
				p.Transforms = []string{rule.TransformCased}
			}
			emit(p, pol, out)
		}
		if len(refs) > 0 {
			emit(rule.Predicate{Field: field, Kind: rule.KindIn, Values: refs, Transforms: []string{rule.TransformFieldRef}}, pol, out)
		}
	case *CallExpr:
		if p, ok := callPredicate(e); ok {
			emit(p, pol, out)
		}
	}
}

// fieldOf returns the field an expression tests: a field name, the field
// inside lower()/upper()/trim() (folded reports a case fold), or the
// expression's text.
func fieldOf(e Expr) (field string, folded bool) {
	switch e := e.(type) {
	case *Ident:
		return e.Name, false
	case *ParenExpr:
		return fieldOf(e.X)
	case *CallExpr:
		if len(e.Args) == 1 {
			if id, ok := e.Args[0].(*Ident); ok {
				switch e.Name() {
				case "lower", "upper":
					return id.Name, true
				case "trim", "ltrim", "rtrim", "tostring":
					return id.Name, false
				}
			}
		}
	}
	return Print(e), false
}

// isFieldish reports whether e reads a field (rather than being a constant).
func isFieldish(e Expr) bool {
	switch e := e.(type) {
	case *Ident:
		return true
	case *ParenExpr:
		return isFieldish(e.X)
	case *CallExpr:
		for _, a := range e.Args {
			if isFieldish(a) {
				return true
			}
		}
	case *BinaryExpr:
		return isFieldish(e.X) || isFieldish(e.Y)
	case *UnaryExpr:
		return isFieldish(e.X)
	}
	return false
}

// literal returns the value of a string or number literal (or a negated
// number).
func literal(e Expr) (string, bool) {
	switch e := e.(type) {
	case *StringLit:
		return e.Value, true
	case *NumberLit:
		return e.Raw, true
	case *ParenExpr:
		return literal(e.X)
	case *UnaryExpr:
		if n, ok := e.X.(*NumberLit); ok && e.Op == "-" {
			return "-" + n.Raw, true
		}
	}
	return "", false
}

var mirror = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "==": "==", "!=": "!="}

// comparePredicate turns field op literal (either way round), field op
// field and field op expression into a predicate. != gives eq (the caller
// negates).
func comparePredicate(e *BinaryExpr) (rule.Predicate, bool) {
	l, r, op := e.X, e.Y, e.Op
	if !isFieldish(l) && isFieldish(r) {
		l, r, op = r, l, mirror[op]
	}
	if !isFieldish(l) {
		return rule.Predicate{}, false
	}
	field, folded := fieldOf(l)
	p := rule.Predicate{Field: field}
	switch op {
	case "=", "==", "!=":
		p.Kind = rule.KindEq
	case "<":
		p.Kind = rule.KindLt
	case "<=":
		p.Kind = rule.KindLe
	case ">":
		p.Kind = rule.KindGt
	case ">=":
		p.Kind = rule.KindGe
	}
	if c, ok := r.(*CallExpr); ok && c.Name() == "null" && len(c.Args) == 0 && p.Kind == rule.KindEq {
		p.Kind = rule.KindIsNull
		return p, true
	}
	if lit, ok := literal(r); ok {
		p.Values = []string{lit}
		if _, isStr := r.(*StringLit); isStr && !folded && p.Kind == rule.KindEq {
			p.Transforms = []string{rule.TransformCased}
		}
		return p, true
	}
	if id, ok := r.(*Ident); ok {
		p.Values = []string{id.Name}
		p.Transforms = []string{rule.TransformFieldRef}
		return p, true
	}
	p.Values = []string{Print(r)}
	p.Transforms = []string{rule.TransformExpression}
	return p, true
}

func likePredicate(field, pattern string, folded bool) rule.Predicate {
	kind, v, tr := likeKind(pattern)
	p := rule.Predicate{Field: field, Kind: kind, Values: []string{v}, Transforms: tr}
	if !folded {
		p.Transforms = append(p.Transforms, rule.TransformCased)
	}
	return p
}

// callPredicate reads the boolean eval functions that test one field:
// like, match, in, isnull, isnotnull, cidrmatch, searchmatch.
func callPredicate(c *CallExpr) (rule.Predicate, bool) {
	arg := func(i int) Expr {
		if i < len(c.Args) {
			return c.Args[i]
		}
		return nil
	}
	switch c.Name() {
	case "like":
		if len(c.Args) == 2 {
			field, folded := fieldOf(c.Args[0])
			if lit, ok := literal(c.Args[1]); ok {
				return likePredicate(field, lit, folded), true
			}
		}
	case "match":
		if len(c.Args) == 2 {
			field, _ := fieldOf(c.Args[0])
			if lit, ok := literal(c.Args[1]); ok {
				return rule.Predicate{Field: field, Kind: rule.KindRegex, Values: []string{lit}}, true
			}
		}
	case "in":
		if len(c.Args) >= 2 {
			field, folded := fieldOf(c.Args[0])
			p := rule.Predicate{Field: field, Kind: rule.KindIn}
			stringy := false
			for _, a := range c.Args[1:] {
				if lit, ok := literal(a); ok {
					p.Values = append(p.Values, lit)
					if _, isStr := a.(*StringLit); isStr {
						stringy = true
					}
				}
			}
			if stringy && !folded {
				p.Transforms = []string{rule.TransformCased}
			}
			return p, len(p.Values) > 0
		}
	case "isnull":
		if a := arg(0); a != nil && len(c.Args) == 1 {
			field, _ := fieldOf(a)
			return rule.Predicate{Field: field, Kind: rule.KindIsNull}, true
		}
	case "isnotnull":
		if a := arg(0); a != nil && len(c.Args) == 1 {
			field, _ := fieldOf(a)
			return rule.Predicate{Field: field, Kind: rule.KindIsNotNull}, true
		}
	case "cidrmatch":
		if len(c.Args) == 2 {
			if lit, ok := literal(c.Args[0]); ok {
				field, _ := fieldOf(c.Args[1])
				return rule.Predicate{Field: field, Kind: rule.KindCIDR, Values: []string{lit}}, true
			}
		}
	case "searchmatch":
		if lit, ok := literal(arg(0)); ok && len(c.Args) == 1 {
			return rule.Predicate{Field: "_raw", Kind: rule.KindMatch, Values: []string{lit}, Transforms: []string{rule.TransformExpression}}, true
		}
	}
	return rule.Predicate{}, false
}

// ---------------------------------------------------------------------------
// Outputs and group-by

func (x *explainer) outputs(pl *Pipeline) {
	var outs []rule.Output
	set := func(field, src string) {
		if field == "" {
			return
		}
		for i := range outs {
			if outs[i].Field == field {
				outs[i].Source = src
				return
			}
		}
		outs = append(outs, rule.Output{Field: field, Source: src})
	}
	for _, c := range pl.Commands {
		kind := c.Name()
		switch c := c.(type) {
		case *TstatsCmd:
			outs = outs[:0]
			for _, a := range c.Aggs {
				set(a.OutputName(), kind)
			}
			x.out.GroupBy = x.out.GroupBy[:0]
			for _, w := range c.By {
				set(w.Value, kind)
				x.out.GroupBy = append(x.out.GroupBy, w.Value)
			}
		case *StatsCmd:
			transforming := kind == "stats" || kind == "chart" || kind == "timechart"
			if transforming {
				outs = outs[:0]
				x.out.GroupBy = x.out.GroupBy[:0]
			}
			for _, a := range c.Aggs {
				set(a.OutputName(), kind)
			}
			if c.Over != nil {
				set(c.Over.Value, kind)
				if transforming {
					x.out.GroupBy = append(x.out.GroupBy, c.Over.Value)
				}
			}
			for _, w := range c.By {
				set(w.Value, kind)
				if transforming {
					x.out.GroupBy = append(x.out.GroupBy, w.Value)
				}
			}
		case *EvalCmd:
			for _, a := range c.Assigns {
				if id, ok := a.Field.(*Ident); ok {
					set(id.Name, kind)
				}
			}
		case *FieldsCmd:
			if c.Remove {
				outs = slices.DeleteFunc(outs, func(o rule.Output) bool {
					return slices.ContainsFunc(c.Fields, func(w *Word) bool { _, ok := globMatch(w.Value, o.Field); return ok })
				})
				continue
			}
			var next []rule.Output
			for _, w := range c.Fields {
				matched := false
				if strings.Contains(w.Value, "*") {
					for _, o := range outs {
						if _, ok := globMatch(w.Value, o.Field); ok && !slices.ContainsFunc(next, func(n rule.Output) bool { return n.Field == o.Field }) {
							next = append(next, rule.Output{Field: o.Field, Source: kind})
							matched = true
						}
					}
				}
				if !matched && !slices.ContainsFunc(next, func(n rule.Output) bool { return n.Field == w.Value }) {
					next = append(next, rule.Output{Field: w.Value, Source: kind})
				}
			}
			outs = next
		case *RenameCmd:
			for _, p := range c.Pairs {
				if p.To == nil {
					continue
				}
				from, to := p.From.Value, p.To.Value
				if strings.Contains(from, "*") {
					for i := range outs {
						if caps, ok := globMatch(from, outs[i].Field); ok {
							outs[i] = rule.Output{Field: globFill(to, caps), Source: kind}
						}
					}
					continue
				}
				i := slices.IndexFunc(outs, func(o rule.Output) bool { return o.Field == from })
				if i >= 0 {
					outs[i] = rule.Output{Field: to, Source: kind}
				} else {
					set(to, kind)
				}
			}
		case *LookupCmd:
			for _, f := range c.Outputs {
				set(f.Name(), kind)
			}
		case *RexCmd:
			if c.Regex != nil && !c.Sed {
				for _, g := range regexGroupNames(c.Regex.Value) {
					set(g, kind)
				}
			}
		case *SpathCmd:
			for _, o := range c.Options {
				if o.Name() == "output" {
					set(o.Text(), kind)
				}
			}
		case *ConvertCmd:
			for _, cv := range c.Conversions {
				if cv.Alias != "" {
					set(cv.Alias, kind)
				}
			}
		case *BinCmd:
			if c.Alias != nil {
				set(c.Alias.Value, kind)
			}
		}
	}
	dedup := outs[:0]
	for _, o := range outs {
		if !slices.ContainsFunc(dedup, func(d rule.Output) bool { return d.Field == o.Field }) {
			dedup = append(dedup, o)
		}
	}
	x.out.Analysis.Outputs = append(x.out.Analysis.Outputs, dedup...)
}

// globMatch matches s against a pattern with * wildcards and returns what
// each * matched.
func globMatch(pattern, s string) ([]string, bool) {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return nil, pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return nil, false
	}
	rest := s[len(parts[0]):]
	var caps []string
	for i := 1; i < len(parts); i++ {
		p := parts[i]
		if i == len(parts)-1 {
			if !strings.HasSuffix(rest, p) || len(rest) < len(p) {
				return nil, false
			}
			caps = append(caps, rest[:len(rest)-len(p)])
			return caps, true
		}
		j := strings.Index(rest, p)
		if j < 0 {
			return nil, false
		}
		caps = append(caps, rest[:j])
		rest = rest[j+len(p):]
	}
	return caps, true
}

// globFill puts the captures of globMatch into the * of a target pattern.
func globFill(pattern string, caps []string) string {
	var b strings.Builder
	i := 0
	for _, c := range pattern {
		if c == '*' && i < len(caps) {
			b.WriteString(caps[i])
			i++
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// regexGroupNames lists the named groups (?<name>...) and (?P<name>...) of
// a regular expression.
func regexGroupNames(re string) []string {
	var names []string
	for i := 0; i+3 < len(re); i++ {
		if re[i] == '\\' {
			i++
			continue
		}
		if re[i] != '(' || re[i+1] != '?' {
			continue
		}
		j := i + 2
		if re[j] == 'P' {
			j++
		}
		if j >= len(re) || re[j] != '<' {
			continue
		}
		end := strings.IndexByte(re[j+1:], '>')
		if end <= 0 {
			continue
		}
		name := re[j+1 : j+1+end]
		if name[0] != '=' && name[0] != '!' && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names
}
