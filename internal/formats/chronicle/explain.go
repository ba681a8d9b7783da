package chronicle

import (
	"strings"

	"github.com/detwiki/detwiki/internal/lang/yaral"
	"github.com/detwiki/detwiki/internal/rule"
)

// analyse fills the document's analysis from the rule's sections.
func (x *explainer) analyse() {
	a := &x.d.Analysis
	r := x.r
	vars := yaral.Declared(r)
	missing := missingEvents(r, vars)
	for _, s := range r.Sections {
		if _, isMeta := s.(*yaral.MetaSection); isMeta {
			continue
		}
		st := rule.Stage{Kind: s.Name(), Text: x.sectionText(s), Line: x.lt.Position(s.Pos()).Line}
		if ev, ok := s.(*yaral.EventsSection); ok && ev == r.Events {
			for _, stmt := range ev.Stmts {
				if !onlyMissing(stmt, missing) {
					x.predicates(stmt, &st, vars, false, false)
					continue
				}
				// What a missing event looks for suppresses the alert: its
				// tests are exclusions, but the events it reads stay
				// indicators, as for EQL's missing events.
				n := len(st.Predicates)
				x.predicates(stmt, &st, vars, false, false)
				for i := n; i < len(st.Predicates); i++ {
					if !sourceFields[st.Predicates[i].Field] {
						st.Predicates[i].Negated = !st.Predicates[i].Negated
					}
				}
			}
		}
		a.Stages = append(a.Stages, st)
	}
	for _, st := range a.Stages {
		for _, p := range st.Predicates {
			a.AddPredicate(p)
		}
	}
	x.bindings(vars)
	x.parameters(vars)
	x.outputs()
	x.tables()
}

// sourceFields are the fields that say which events a rule reads (the
// tables); a missing event's tests of them stay indicators.
var sourceFields = map[string]bool{"metadata.event_type": true, "metadata.log_type": true, "metadata.product_name": true}

// missingEvents returns the event variables the condition requires to be
// absent (!$e, not $e) and never names otherwise: `$login and !$mfa`
// alerts on a login without an MFA event.
func missingEvents(r *yaral.Rule, vars *yaral.Vars) map[string]bool {
	if r.Condition == nil || r.Condition.Expr == nil {
		return nil
	}
	absent, present := map[string]bool{}, map[string]bool{}
	var walk func(e yaral.Expr, negated bool)
	walk = func(e yaral.Expr, negated bool) {
		switch e := e.(type) {
		case *yaral.ParenExpr:
			walk(e.X, negated)
		case *yaral.UnaryExpr:
			walk(e.X, negated != (e.Op == "!" || e.Op == "not"))
		case *yaral.BinaryExpr:
			walk(e.X, negated)
			walk(e.Y, negated)
		case *yaral.VarRef:
			if negated {
				absent[e.Name] = true
			} else {
				present[e.Name] = true
			}
		default: // counts (#e > 2) and any other mention
			yaral.Inspect(e, func(n yaral.Node) bool {
				switch n := n.(type) {
				case *yaral.VarRef:
					present[n.Name] = true
				case *yaral.CountRef:
					present[n.Name] = true
				}
				return true
			})
		}
	}
	walk(r.Condition.Expr, false)
	var out map[string]bool
	for name := range absent {
		if !present[name] && vars.IsEvent(name) {
			if out == nil {
				out = map[string]bool{}
			}
			out[name] = true
		}
	}
	return out
}

// onlyMissing reports whether an events statement tests fields of missing
// event variables only.
func onlyMissing(stmt yaral.Expr, missing map[string]bool) bool {
	if len(missing) == 0 {
		return false
	}
	seen := false
	all := true
	yaral.Inspect(stmt, func(n yaral.Node) bool {
		if fp, ok := n.(*yaral.FieldPath); ok && fp.Var != nil {
			seen = true
			if !missing[fp.Var.Name] {
				all = false
			}
		}
		return true
	})
	return seen && all
}

// sectionText is a section's body as written, without its keyword and
// with the common indentation removed.
func (x *explainer) sectionText(s yaral.Section) string {
	start := int(s.Pos()) + len(s.Name())
	if start < len(x.src) && x.src[start] == ':' {
		start++
	}
	end := int(s.End())
	if end < start || end > len(x.src) {
		return ""
	}
	return dedent(x.src[start:end])
}

// dedent trims blank leading and trailing lines and removes the
// indentation every non-blank line shares.
func dedent(s string) string {
	lines := strings.Split(strings.TrimRight(s, " \t\r\n"), "\n")
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	indent := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " \t"))
		if indent < 0 || n < indent {
			indent = n
		}
	}
	for i, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if len(l) >= indent && indent > 0 {
			l = l[indent:]
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

// text returns a node's source text.
func (x *explainer) text(n yaral.Node) string {
	s, e := int(n.Pos()), int(n.End())
	if s < 0 || e > len(x.src) || e < s {
		return ""
	}
	return x.src[s:e]
}

// ---- predicates -------------------------------------------------------------

// predicates walks one events statement and adds the comparisons of an
// event field with a literal (or list, or another field of the same event)
// to the stage. negated says the statement is under a not (an odd number
// of them): its predicates are exclusions, with the positive kind. all is
// set under the all quantifier.
func (x *explainer) predicates(e yaral.Expr, st *rule.Stage, vars *yaral.Vars, negated, all bool) {
	switch e := e.(type) {
	case *yaral.ParenExpr:
		x.predicates(e.X, st, vars, negated, all)
	case *yaral.BinaryExpr:
		if e.Op == "and" || e.Op == "or" {
			x.predicates(e.X, st, vars, negated, all)
			x.predicates(e.Y, st, vars, negated, all)
		}
	case *yaral.UnaryExpr:
		if e.Op == "not" || e.Op == "!" {
			x.predicates(e.X, st, vars, !negated, all)
		}
	case *yaral.QuantExpr:
		x.predicates(e.X, st, vars, negated, all || e.Quant == "all")
	case *yaral.Comparison:
		if p, ok := x.comparison(e, vars); ok {
			x.add(st, p, negated, all)
		}
	case *yaral.InExpr:
		if p, ok := x.inList(e); ok {
			x.add(st, p, negated, all)
		}
	case *yaral.Call:
		if p, ok := x.call(e); ok {
			x.add(st, p, negated, all)
		}
	}
}

func (x *explainer) add(st *rule.Stage, p rule.Predicate, negated, all bool) {
	if p.Negated {
		negated = !negated
	}
	p.Negated = negated
	if all {
		p.Transforms = append(p.Transforms, rule.TransformAll)
	}
	st.Predicates = append(st.Predicates, p)
}

// fieldOf returns the field an operand reads: an event field path, or one
// wrapped in strings.to_lower / strings.to_upper (which makes the
// comparison case-insensitive: folded reports it).
func fieldOf(e yaral.Expr) (field string, folded, ok bool) {
	switch e := e.(type) {
	case *yaral.FieldPath:
		return e.Field(), false, true
	case *yaral.ParenExpr:
		return fieldOf(e.X)
	case *yaral.Call:
		switch strings.ToLower(e.Func) {
		case "strings.to_lower", "strings.to_upper":
			if len(e.Args) == 1 {
				if f, _, ok := fieldOf(e.Args[0]); ok {
					return f, true, true
				}
			}
		}
	}
	return "", false, false
}

// literal returns the value of a literal operand and whether it is a
// string (the only values case matters for) or a regular expression.
func literal(e yaral.Expr) (value string, isString, isRegex, ok bool) {
	switch e := e.(type) {
	case *yaral.BasicLit:
		switch e.Kind {
		case yaral.LitString, yaral.LitRawString:
			return e.Unquote(), true, false, true
		}
		return e.Value, false, false, true
	case *yaral.RegexLit:
		return e.Pattern(), false, true, true
	case *yaral.Ident:
		switch strings.ToLower(e.Name) {
		case "true", "false", "null":
			return strings.ToLower(e.Name), false, false, true
		}
	case *yaral.UnaryExpr:
		if lit, ok := e.X.(*yaral.BasicLit); ok && e.Op == "-" && lit.Kind == yaral.LitNumber {
			return "-" + lit.Value, false, false, true
		}
	}
	return "", false, false, false
}

// mirror gives the operator with its operands swapped (1 < $x is $x > 1).
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

// caseInsensitiveRegex reports an RE2 pattern that turns case folding on
// for the whole expression.
func caseInsensitiveRegex(p string) bool {
	return strings.HasPrefix(p, "(?i)") || strings.HasPrefix(p, "(?is)") || strings.HasPrefix(p, "(?si)")
}

// comparison turns `field op literal` (either way round), `field op
// field` of one event, and `field op expression` into a predicate. Joins
// with placeholders or other events' fields are not predicates.
func (x *explainer) comparison(c *yaral.Comparison, vars *yaral.Vars) (rule.Predicate, bool) {
	left, right, op := c.X, c.Y, c.Op
	field, folded, ok := fieldOf(left)
	if !ok {
		if field, folded, ok = fieldOf(right); !ok {
			return rule.Predicate{}, false
		}
		left, right, op = right, left, mirror(op)
	}
	cased := !folded && !c.Nocase.IsValid()
	p := rule.Predicate{Field: field}
	if v, isString, isRegex, ok := literal(right); ok {
		switch {
		case isRegex:
			if op != "=" && op != "!=" {
				return rule.Predicate{}, false
			}
			// There is no "does not match" kind: != /re/ is a negated regex.
			p.Kind, p.Values = rule.KindRegex, []string{v}
			p.Negated = op == "!="
			cased = cased && !caseInsensitiveRegex(v)
		case v == "" && isString && (op == "=" || op == "!="):
			p.Kind = rule.KindIsNull
			if op == "!=" {
				p.Kind = rule.KindIsNotNull
			}
			return p, true
		default:
			p.Kind, p.Values = compareKind(op), []string{v}
			cased = cased && isString
		}
		if cased {
			p.Transforms = []string{rule.TransformCased}
		}
		return p, true
	}
	switch r := right.(type) {
	case *yaral.VarRef:
		return rule.Predicate{}, false // a placeholder join
	case *yaral.FieldPath:
		lf, _ := left.(*yaral.FieldPath)
		if lf == nil || lf.Var.Name != r.Var.Name {
			return rule.Predicate{}, false // a join between events
		}
		p.Kind, p.Values = compareKind(op), []string{r.Field()}
		p.Transforms = []string{rule.TransformFieldRef}
		return p, true
	}
	if _, _, isField := fieldOf(right); isField {
		return rule.Predicate{}, false // a folded join
	}
	if mentionsPlaceholderOrEvent(right) {
		return rule.Predicate{}, false
	}
	p.Kind, p.Values = compareKind(op), []string{x.text(right)}
	p.Transforms = []string{rule.TransformExpression}
	return p, true
}

// mentionsPlaceholderOrEvent reports whether an expression reads a variable
// (then comparing with it is a join, not a constant).
func mentionsPlaceholderOrEvent(e yaral.Expr) bool {
	found := false
	yaral.Inspect(e, func(n yaral.Node) bool {
		switch n.(type) {
		case *yaral.VarRef, *yaral.FieldPath, *yaral.CountRef:
			found = true
		}
		return !found
	})
	return found
}

func compareKind(op string) string {
	switch op {
	case "!=":
		return rule.KindNe
	case "<":
		return rule.KindLt
	case "<=":
		return rule.KindLe
	case ">":
		return rule.KindGt
	case ">=":
		return rule.KindGe
	}
	return rule.KindEq
}

// inList turns `field in %list` into an in predicate (regex for `in
// regex`, cidr for `in cidr`) whose value is the list, with the expression
// transform: the values live in the Chronicle instance, not in the rule.
func (x *explainer) inList(in *yaral.InExpr) (rule.Predicate, bool) {
	field, folded, ok := fieldOf(in.X)
	if !ok {
		return rule.Predicate{}, false
	}
	p := rule.Predicate{Field: field, Kind: rule.KindIn, Values: []string{x.text(in.List)},
		Transforms: []string{rule.TransformExpression}}
	switch in.Mode {
	case "regex":
		p.Kind = rule.KindRegex
	case "cidr":
		p.Kind = rule.KindCIDR
	}
	if in.Mode != "cidr" && !folded && !in.Nocase.IsValid() {
		p.Transforms = append(p.Transforms, rule.TransformCased)
	}
	return p, true
}

// call turns the boolean functions that test one field against a literal
// into predicates: re.regex, strings.contains, strings.starts_with,
// strings.ends_with, net.ip_in_range_cidr.
func (x *explainer) call(c *yaral.Call) (rule.Predicate, bool) {
	var kind string
	switch strings.ToLower(c.Func) {
	case "re.regex":
		kind = rule.KindRegex
	case "strings.contains":
		kind = rule.KindContains
	case "strings.starts_with":
		kind = rule.KindStartsWith
	case "strings.ends_with":
		kind = rule.KindEndsWith
	case "net.ip_in_range_cidr":
		kind = rule.KindCIDR
	default:
		return rule.Predicate{}, false
	}
	if len(c.Args) != 2 {
		return rule.Predicate{}, false
	}
	field, folded, ok := fieldOf(c.Args[0])
	if !ok {
		return rule.Predicate{}, false
	}
	p := rule.Predicate{Field: field, Kind: kind}
	v, isString, _, ok := literal(c.Args[1])
	if !ok || !isString {
		if mentionsPlaceholderOrEvent(c.Args[1]) {
			return rule.Predicate{}, false
		}
		p.Values = []string{x.text(c.Args[1])}
		p.Transforms = []string{rule.TransformExpression}
		return p, true
	}
	p.Values = []string{v}
	cased := kind != rule.KindCIDR && !folded && !c.Nocase.IsValid()
	if kind == rule.KindRegex && caseInsensitiveRegex(v) {
		cased = false
	}
	if cased {
		p.Transforms = []string{rule.TransformCased}
	}
	return p, true
}

// ---- bindings, parameters, outputs, tables ------------------------------------

// statementsOf returns the source text of the events statements that
// mention a variable (as $name, $name.field or in a key), one per line.
func (x *explainer) statementsOf(name string, sigil byte) string {
	if x.r.Events == nil {
		return ""
	}
	var out []string
	for _, s := range x.r.Events.Stmts {
		found := false
		yaral.Inspect(s, func(n yaral.Node) bool {
			switch n := n.(type) {
			case *yaral.VarRef:
				found = found || sigil == '$' && n.Name == name
			case *yaral.RefListRef:
				found = found || sigil == '%' && n.Name == name
			}
			return !found
		})
		if found {
			out = append(out, dedent(x.text(s)))
		}
	}
	return strings.Join(out, "\n")
}

// bindings lists the event variables with their predicates and what they
// join on: the placeholders and other event variables their fields are
// compared with.
func (x *explainer) bindings(vars *yaral.Vars) {
	for _, e := range vars.Events {
		b := rule.Binding{Name: "$" + e, Text: x.statementsOf(e, '$'), DerivedFrom: []string{}}
		var events []string
		for _, j := range vars.Joins[e] {
			if vars.IsEvent(j) {
				events = append(events, "$"+j)
			} else {
				b.DerivedFrom = append(b.DerivedFrom, "$"+j)
			}
		}
		b.DerivedFrom = append(b.DerivedFrom, events...)
		x.d.Analysis.Bindings = append(x.d.Analysis.Bindings, b)
	}
}

// parameters lists the placeholders and reference lists.
func (x *explainer) parameters(vars *yaral.Vars) {
	a := &x.d.Analysis
	for _, p := range vars.Placeholders {
		a.Parameters = append(a.Parameters, rule.Parameter{Name: "$" + p, Text: x.statementsOf(p, '$')})
	}
	for _, l := range vars.RefLists {
		text := x.statementsOf(l, '%')
		if text == "" {
			text = x.outcomeUsing(l)
		}
		a.Parameters = append(a.Parameters, rule.Parameter{Name: "%" + l, Text: text})
	}
}

// outcomeUsing returns the outcome assignments that read a reference list.
func (x *explainer) outcomeUsing(list string) string {
	if x.r.Outcome == nil {
		return ""
	}
	var out []string
	for _, as := range x.r.Outcome.Assigns {
		found := false
		yaral.Inspect(as, func(n yaral.Node) bool {
			if l, ok := n.(*yaral.RefListRef); ok && l.Name == list {
				found = true
			}
			return !found
		})
		if found {
			out = append(out, x.text(as))
		}
	}
	return strings.Join(out, "\n")
}

// outputs lists what a detection carries: the match variables (group-by)
// and the outcome variables ($risk_score drives the alert's score). It
// also fills group_by, time_window and the risk score.
func (x *explainer) outputs() {
	d := x.d
	if m := x.r.Match; m != nil {
		for _, v := range m.Vars {
			name := x.text(v)
			d.GroupBy = append(d.GroupBy, name)
			d.Analysis.AddOutput(name, "match")
		}
		if m.Duration != nil {
			d.TimeWindow = m.Duration.Value
		}
		if m.Window != "" || m.Anchor != "" {
			w := map[string]any{"kind": windowKind(m)}
			if m.Every != nil {
				w["every"] = m.Every.Value
			}
			if m.Pivot != nil {
				w["pivot"] = x.text(m.Pivot)
			}
			d.Extra = setExtra(d.Extra, "match_window", w)
		}
	}
	if o := x.r.Outcome; o != nil {
		for _, as := range o.Assigns {
			d.Analysis.AddOutput("$"+as.Var.Name, "outcome")
			if strings.EqualFold(as.Var.Name, "risk_score") {
				d.Extra = setExtra(d.Extra, "risk_score", x.text(as.Value))
			}
		}
	}
	if opt := x.r.Options; opt != nil {
		m := map[string]any{}
		for _, e := range opt.Entries {
			m[e.Key.Name] = yaral.ValueText(e.Value)
		}
		d.Extra = setExtra(d.Extra, "options", m)
	}
}

// windowKind names the match window the way the YARA-L documentation does:
// hop (over), tumbling (by), sliding (over ... before|after $pivot).
func windowKind(m *yaral.MatchSection) string {
	switch {
	case m.Anchor != "":
		return "sliding"
	case m.Window == "by":
		return "tumbling"
	}
	return "hop"
}

func setExtra(extra map[string]any, key string, v any) map[string]any {
	if extra == nil {
		extra = map[string]any{}
	}
	extra[key] = v
	return extra
}

// tables lists the UDM event types the rule reads (metadata.event_type
// equalities that are not exclusions), then the log types and product
// names it filters on, written log_type:X and product_name:X so that they
// are not taken for event types.
func (x *explainer) tables() {
	a := &x.d.Analysis
	for _, spec := range []struct{ field, prefix string }{
		{"metadata.event_type", ""},
		{"metadata.log_type", "log_type:"},
		{"metadata.product_name", "product_name:"},
	} {
		for _, ind := range a.Indicators {
			if ind.Field != spec.field || (ind.Kind != rule.KindEq && ind.Kind != rule.KindIn) {
				continue
			}
			for _, v := range ind.Values {
				if hasTransform(v.Transforms, rule.TransformExpression) || hasTransform(v.Transforms, rule.TransformFieldRef) || v.Value == "" {
					continue
				}
				a.AddTable(spec.prefix + v.Value)
			}
		}
	}
}

func hasTransform(list []string, t string) bool {
	for _, x := range list {
		if x == t {
			return true
		}
	}
	return false
}
