package panther

import (
	"slices"
	"strings"

	"github.com/detwiki/detwiki/internal/lang/python"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// symKind says what a Python name or expression stands for, as far as the
// analysis can tell without running anything.
type symKind uint8

const (
	symUnknown symKind = iota
	symEvent           // the event (rule's parameter)
	symField           // an event field: field, folded
	symConst           // constant values: values, str
	symEach            // a loop variable over constant values
	symRegex           // a compiled regular expression: pattern, icase
	symExpr            // a local variable holding a condition: node, sc
	symModule          // an imported global helper module: mod
	symFunc            // a function: mod, fn
	symStdlib          // a module or name from outside the source (re, json, ...)
)

type sym struct {
	kind    symKind
	field   string
	folded  bool // the field was lower-cased (comparisons are not cased)
	values  []string
	str     bool // values are strings
	pattern string
	icase   bool
	name    string // constant, function or module name
	node    python.Expr
	sc      *scope
	mod     *module
	fn      *python.FunctionDef
}

// scope holds a function's local names; module names are looked up after.
type scope struct {
	vars   map[string]sym
	parent *scope
}

func newScope(parent *scope) *scope { return &scope{vars: map[string]sym{}, parent: parent} }

func (s *scope) lookup(name string) (sym, bool) {
	for ; s != nil; s = s.parent {
		if v, ok := s.vars[name]; ok {
			return v, true
		}
	}
	return sym{}, false
}

// helperUse is a global helper a rule calls, with what it checks.
type helperUse struct {
	Name   string
	Module string
	Checks string
	Doc    string
}

// analyzer explains Python functions: stages, predicates, outputs.
type analyzer struct {
	c        *corpus
	m        *module
	logTypes []string
	lt       *source.LineTable
	stages   []rule.Stage
	helpers  []helperUse
	// summarizing is set while summarising a helper (no helper records).
	summarizing bool
	depth       int
	// localSummaries caches the rule module's own functions.
	localSummaries map[*python.FunctionDef][]rule.Predicate
	// budget is the number of condition steps left for one explanation,
	// shared with the analyzers of the functions it inlines: a name bound
	// to a condition is read again where it is used, so without a bound
	// v2 = v1 and v1, v3 = v2 and v2, ... doubles the work at each line.
	budget *int
}

const maxInline = 6

// maxSteps bounds the condition steps of one explanation (the corpus's
// most intricate rule takes under a hundred).
const maxSteps = 100_000

// steps returns the shared step budget, made on first use.
func (a *analyzer) steps() *int {
	if a.budget == nil {
		n := maxSteps
		a.budget = &n
	}
	return a.budget
}

// spend takes one step from the budget; false once it is spent, and the
// condition is then left unread.
func (a *analyzer) spend() bool {
	b := a.steps()
	if *b <= 0 {
		return false
	}
	*b--
	return true
}

// exhausted reports whether the budget ran out.
func (a *analyzer) exhausted() bool { return a.budget != nil && *a.budget <= 0 }

func (a *analyzer) lookup(name string, sc *scope) sym {
	if v, ok := sc.lookup(name); ok {
		return v
	}
	if v, ok := a.m.scope(a.c)[name]; ok {
		return v
	}
	return sym{}
}

func (a *analyzer) text(n python.Node) string {
	s, e := int(n.Pos()), int(n.End())
	if s < 0 || e > len(a.m.src) || e < s {
		return ""
	}
	return a.m.src[s:e]
}

// ---- values -------------------------------------------------------------------

// eval tells what an expression stands for.
func (a *analyzer) eval(e python.Expr, sc *scope) sym {
	switch x := e.(type) {
	case *python.ParenExpr:
		return a.eval(x.X, sc)
	case *python.Name:
		return a.lookup(x.Name, sc)
	case *python.Str:
		if x.FString {
			return sym{}
		}
		return sym{kind: symConst, values: []string{x.Value}, str: true}
	case *python.Constant:
		switch x.Kind {
		case python.ConstNumber:
			return sym{kind: symConst, values: []string{x.Raw}}
		case python.ConstTrue:
			return sym{kind: symConst, values: []string{"true"}}
		case python.ConstFalse:
			return sym{kind: symConst, values: []string{"false"}}
		}
		return sym{}
	case *python.List:
		return a.constList(x.Elts, sc)
	case *python.Tuple:
		return a.constList(x.Elts, sc)
	case *python.Set:
		return a.constList(x.Elts, sc)
	case *python.Dict:
		var keys []python.Expr
		for _, k := range x.Keys {
			if k != nil {
				keys = append(keys, k)
			}
		}
		return a.constList(keys, sc)
	case *python.BinOp:
		switch x.Op {
		case "|", "+":
			l, r := a.eval(x.X, sc), a.eval(x.Y, sc)
			if l.kind == symConst && r.kind == symConst {
				return sym{kind: symConst, values: union(l.values, r.values), str: l.str || r.str}
			}
			if x.Op == "+" && l.kind == symConst && len(l.values) == 1 && l.str && r.kind == symConst && len(r.values) == 1 {
				return sym{kind: symConst, values: []string{l.values[0] + r.values[0]}, str: true}
			}
		case "or":
			// event.get("a") or "" is the field.
			if l := a.eval(x.X, sc); l.kind == symField {
				return l
			}
		}
		return sym{}
	case *python.Attribute:
		base := a.eval(x.X, sc)
		if base.kind == symModule && base.mod != nil {
			base.mod.scope(a.c)
			if v, ok := base.mod.names[x.Attr]; ok {
				return v
			}
			if f := base.mod.funcs[x.Attr]; f != nil {
				return sym{kind: symFunc, mod: base.mod, fn: f, name: x.Attr}
			}
		}
		return sym{}
	case *python.Subscript:
		base := a.eval(x.X, sc)
		if base.kind == symEvent || base.kind == symField {
			if k := a.eval(x.Index, sc); k.kind == symConst && len(k.values) == 1 {
				if k.str {
					return withPath(base, k.values[0])
				}
				return withPath(base, "["+k.values[0]+"]")
			}
		}
		return sym{}
	case *python.Call:
		return a.evalCall(x, sc)
	case *python.Comp:
		return a.evalComp(x, sc)
	}
	return sym{}
}

// evalComp reads [re.compile(p, re.I) for p in PATTERNS]: the compiled
// patterns of a constant list.
func (a *analyzer) evalComp(x *python.Comp, sc *scope) sym {
	if len(x.Generators) != 1 || x.Key != nil {
		return sym{}
	}
	g := x.Generators[0]
	inner := newScope(sc)
	a.bindLoop(g.Target, g.Iter, sc, inner)
	n, ok := g.Target.(*python.Name)
	if !ok || inner.vars[n.Name].kind != symEach || len(g.Ifs) > 0 {
		return sym{}
	}
	each := inner.vars[n.Name]
	if c, ok := x.Elt.(*python.Call); ok {
		if at, ok := c.Func.(*python.Attribute); ok && at.Attr == "compile" && len(c.Args) >= 1 {
			if base := a.eval(at.X, sc); base.kind == symStdlib && base.name == "re" {
				if arg, ok := c.Args[0].(*python.Name); ok && arg.Name == n.Name {
					return sym{kind: symRegex, values: each.values, icase: a.ignoreCase(c, 1, sc)}
				}
			}
		}
	}
	return sym{}
}

func (a *analyzer) constList(elts []python.Expr, sc *scope) sym {
	out := sym{kind: symConst}
	for _, el := range elts {
		v := a.eval(el, sc)
		if v.kind != symConst {
			return sym{}
		}
		out.values = append(out.values, v.values...)
		out.str = out.str || v.str
	}
	return out
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// withPath extends the event or a field by one key.
func withPath(base sym, key string) sym {
	switch {
	case base.kind == symEvent:
		return sym{kind: symField, field: strings.TrimPrefix(key, ".")}
	case strings.HasPrefix(key, "["):
		return sym{kind: symField, field: base.field + key, folded: base.folded}
	}
	return sym{kind: symField, field: base.field + "." + key, folded: base.folded}
}

// keyArgs returns the leading constant string arguments of a call (the keys
// of deep_get(event, "a", "b")).
func (a *analyzer) keyArgs(args []python.Expr, sc *scope) []string {
	var keys []string
	for _, arg := range args {
		if _, ok := arg.(*python.Starred); ok {
			break
		}
		v := a.eval(arg, sc)
		if v.kind != symConst || len(v.values) != 1 {
			break
		}
		keys = append(keys, v.values[0])
	}
	return keys
}

func fieldFrom(base sym, keys []string) sym {
	if len(keys) == 0 {
		return sym{}
	}
	for _, k := range keys {
		base = withPath(base, k)
	}
	return base
}

// string methods that keep a field a field; folding ones make comparisons
// case-insensitive.
var keepMethods = map[string]bool{"strip": true, "lstrip": true, "rstrip": true, "lower": true, "upper": true,
	"casefold": true, "removeprefix": false}

func (a *analyzer) evalCall(x *python.Call, sc *scope) sym {
	switch fn := x.Func.(type) {
	case *python.Attribute:
		base := a.eval(fn.X, sc)
		switch base.kind {
		case symEvent, symField:
			switch fn.Attr {
			case "get":
				return fieldFrom(base, a.keyArgs(x.Args[:min(1, len(x.Args))], sc))
			case "deep_get", "deep_walk":
				return fieldFrom(base, a.keyArgs(x.Args, sc))
			case "udm":
				if base.kind == symEvent {
					if keys := a.keyArgs(x.Args, sc); len(keys) == 1 {
						return sym{kind: symField, field: a.c.udmField(keys[0], a.logTypes)}
					}
				}
			case "lower", "upper", "casefold":
				if base.kind == symField {
					base.folded = true
					return base
				}
			case "strip", "lstrip", "rstrip":
				if base.kind == symField {
					return base
				}
			}
		case symConst:
			if fn.Attr == "keys" && len(x.Args) == 0 {
				return base
			}
			return sym{}
		case symRegex:
			return sym{}
		case symModule:
			if t := a.eval(fn, sc); t.kind == symFunc {
				return a.callValue(t, x, sc)
			}
		}
		if base.kind == symStdlib && base.name == "re" && fn.Attr == "compile" && len(x.Args) >= 1 {
			if p := a.eval(x.Args[0], sc); p.kind == symConst && p.str && len(p.values) == 1 {
				return sym{kind: symRegex, pattern: p.values[0], icase: a.ignoreCase(x, 1, sc)}
			}
		}
		return sym{}
	case *python.Name:
		target := a.lookup(fn.Name, sc)
		switch {
		case target.kind == symFunc && (fn.Name == "deep_get" || fn.Name == "deep_walk" || target.name == "deep_get" || target.name == "deep_walk"),
			target.kind == symUnknown && (fn.Name == "deep_get" || fn.Name == "deep_walk"):
			if len(x.Args) >= 2 {
				base := a.eval(x.Args[0], sc)
				if base.kind == symEvent || base.kind == symField {
					return fieldFrom(base, a.keyArgs(x.Args[1:], sc))
				}
			}
		case (fn.Name == "str" || fn.Name == "float" || fn.Name == "int") && target.kind == symUnknown && len(x.Args) >= 1:
			if v := a.eval(x.Args[0], sc); v.kind == symField {
				return v
			}
		case (fn.Name == "set" || fn.Name == "frozenset" || fn.Name == "tuple" || fn.Name == "list" || fn.Name == "sorted") &&
			target.kind == symUnknown && len(x.Args) == 1:
			if v := a.eval(x.Args[0], sc); v.kind == symConst {
				return v
			}
		case target.kind == symFunc:
			return a.callValue(target, x, sc)
		}
	}
	return sym{}
}

// callValue evaluates a call of a function that returns an event field
// (get_crowdstrike_field(event, "DomainName"), get_actor_user(event)): the
// function's return value with its parameters bound to the arguments, when
// every return gives the same field.
func (a *analyzer) callValue(target sym, call *python.Call, sc *scope) sym {
	f := target.fn
	if f == nil || len(f.Params) == 0 || a.depth > maxInline*8 {
		return sym{}
	}
	mod := target.mod
	if mod == nil {
		mod = a.m
	}
	sub := &analyzer{c: a.c, m: mod, logTypes: a.logTypes, summarizing: true, depth: a.depth + 8, budget: a.steps()}
	fsc := newScope(nil)
	for i, prm := range f.Params {
		if prm.Kind != python.ParamNormal {
			break
		}
		v := sym{}
		if i < len(call.Args) {
			v = a.eval(call.Args[i], sc)
		} else if prm.Default != nil {
			v = sub.eval(prm.Default, nil)
		}
		for _, k := range call.Keywords {
			if k.Name == prm.Name {
				v = a.eval(k.Value, sc)
			}
		}
		fsc.vars[prm.Name] = v
	}
	var result sym
	ok := true
	var walk func(list []python.Stmt)
	walk = func(list []python.Stmt) {
		for _, s := range list {
			if !ok {
				return
			}
			switch s := s.(type) {
			case *python.Assign:
				sub.assign(s, fsc)
			case *python.Return:
				if s.Value == nil || isFalsy(s.Value) || isNone(s.Value) {
					continue
				}
				v := sub.eval(s.Value, fsc)
				if v.kind != symField || result.kind == symField && v.field != result.field {
					ok = false
					return
				}
				result = v
			case *python.If:
				walk(s.Body)
				walk(s.Else)
			case *python.Try:
				walk(s.Body)
			}
		}
	}
	walk(f.Body)
	if !ok || result.kind != symField {
		return sym{}
	}
	return result
}

// ignoreCase reports whether a re call passes re.I / re.IGNORECASE (as
// the positional argument at index i or flags=).
func (a *analyzer) ignoreCase(x *python.Call, i int, sc *scope) bool {
	var flags []python.Expr
	if len(x.Args) > i {
		flags = append(flags, x.Args[i])
	}
	for _, k := range x.Keywords {
		if k.Name == "flags" {
			flags = append(flags, k.Value)
		}
	}
	found := false
	for _, f := range flags {
		python.Inspect(f, func(n python.Node) bool {
			if at, ok := n.(*python.Attribute); ok && (at.Attr == "I" || at.Attr == "IGNORECASE") {
				found = true
			}
			return true
		})
	}
	return found
}

// ---- conditions ---------------------------------------------------------------

// pred is the context predicates are added in.
type pred struct {
	st  *rule.Stage
	neg bool // under an odd number of nots (or a guard that returns False)
	all bool // under all(...)
}

func (p pred) flip() pred { p.neg = !p.neg; return p }

func (a *analyzer) add(ctx pred, p rule.Predicate) {
	if p.Field == "" {
		return
	}
	if ctx.neg {
		p.Negated = !p.Negated
	}
	if p.Negated && p.Kind == rule.KindNe {
		// "if x != 'a': return False" requires x == 'a'.
		p.Kind, p.Negated = rule.KindEq, false
	}
	if ctx.all {
		p.Transforms = append(p.Transforms, rule.TransformAll)
	}
	ctx.st.Predicates = append(ctx.st.Predicates, p)
}

// cond adds the predicates of a condition.
func (a *analyzer) cond(e python.Expr, sc *scope, ctx pred) {
	a.depth++
	defer func() { a.depth-- }()
	if a.depth > 64 || !a.spend() {
		return
	}
	switch x := e.(type) {
	case *python.ParenExpr:
		a.cond(x.X, sc, ctx)
	case *python.BinOp:
		if x.Op == "and" || x.Op == "or" {
			a.cond(x.X, sc, ctx)
			a.cond(x.Y, sc, ctx)
		}
	case *python.UnaryOp:
		if x.Op == "not" {
			a.cond(x.X, sc, ctx.flip())
		}
	case *python.Compare:
		left := x.X
		for i, op := range x.Ops {
			a.compare(left, op, x.Comparators[i], sc, ctx)
			left = x.Comparators[i]
		}
	case *python.NamedExpr:
		a.cond(x.Value, sc, ctx)
		sc.vars[x.Target.Name] = a.eval(x.Value, sc)
	case *python.Call:
		a.callCond(x, sc, ctx)
	case *python.Name, *python.Attribute, *python.Subscript:
		v := a.eval(x, sc)
		switch v.kind {
		case symField:
			a.add(ctx, rule.Predicate{Field: v.field, Kind: rule.KindIsNotNull})
		case symExpr:
			if v.node != nil && v.sc != nil {
				a.cond(v.node, v.sc, ctx)
			}
		}
	case *python.IfExp:
		// Body if Cond else Else holds when Cond and Body hold or when
		// Cond does not and Else does: both branches are read, Cond only
		// where a constant branch makes it a filter (x if C else False: C
		// must hold; False if C else x: C must not); otherwise it only
		// chooses between them.
		switch {
		case isFalsy(x.Else) || isTrue(x.Body):
			a.cond(x.Cond, sc, ctx)
		case isFalsy(x.Body) || isTrue(x.Else):
			a.cond(x.Cond, sc, ctx.flip())
		}
		a.cond(x.Body, sc, ctx)
		a.cond(x.Else, sc, ctx)
	}
}

func isStrConst(v sym) bool { return v.kind == symConst && v.str }

// compare adds the predicate of one comparison.
func (a *analyzer) compare(le python.Expr, op string, re python.Expr, sc *scope, ctx pred) {
	l, r := a.eval(le, sc), a.eval(re, sc)
	switch op {
	case "in", "not in":
		if op == "not in" {
			ctx = ctx.flip()
		}
		switch {
		case l.kind == symField && (r.kind == symConst || r.kind == symEach):
			a.add(ctx, rule.Predicate{Field: l.field, Kind: rule.KindIn, Values: r.values, Transforms: cased(r.str && !l.folded)})
		case (l.kind == symConst && l.str || l.kind == symEach) && r.kind == symField:
			a.add(ctx, rule.Predicate{Field: r.field, Kind: rule.KindContains, Values: l.values, Transforms: cased(!r.folded)})
		case l.kind == symField && r.kind == symField:
			a.add(ctx, rule.Predicate{Field: l.field, Kind: rule.KindIn, Values: []string{r.field}, Transforms: []string{rule.TransformFieldRef}})
		}
		return
	case "is", "is not", "==", "!=":
		if l.kind != symField && r.kind == symField {
			l, r = r, l
		}
		if l.kind == symExpr && isNone(re) && l.node != nil {
			// match = re.search(...); match is not None
			if op == "is" || op == "==" {
				ctx = ctx.flip()
			}
			a.cond(l.node, l.sc, ctx)
			return
		}
		if l.kind != symField {
			return
		}
		negate := op == "is not" || op == "!="
		if isNone(re) || isNone(le) {
			kind := rule.KindIsNull
			if negate {
				kind = rule.KindIsNotNull
			}
			a.add(ctx, rule.Predicate{Field: l.field, Kind: kind})
			return
		}
		kind := rule.KindEq
		if negate {
			kind = rule.KindNe
		}
		switch r.kind {
		case symConst:
			a.add(ctx, rule.Predicate{Field: l.field, Kind: kind, Values: r.values, Transforms: cased(r.str && !l.folded)})
		case symEach:
			k := rule.KindIn
			if negate {
				ctx = ctx.flip()
			}
			a.add(ctx, rule.Predicate{Field: l.field, Kind: k, Values: r.values, Transforms: cased(r.str && !l.folded)})
		case symField:
			a.add(ctx, rule.Predicate{Field: l.field, Kind: kind, Values: []string{r.field}, Transforms: []string{rule.TransformFieldRef}})
		}
		return
	case "<", "<=", ">", ">=":
		kinds := map[string][2]string{"<": {rule.KindLt, rule.KindGt}, "<=": {rule.KindLe, rule.KindGe},
			">": {rule.KindGt, rule.KindLt}, ">=": {rule.KindGe, rule.KindLe}}[op]
		switch {
		case l.kind == symField && r.kind == symConst && !r.str:
			a.add(ctx, rule.Predicate{Field: l.field, Kind: kinds[0], Values: r.values})
		case r.kind == symField && l.kind == symConst && !l.str:
			a.add(ctx, rule.Predicate{Field: r.field, Kind: kinds[1], Values: l.values})
		}
	}
}

func cased(b bool) []string {
	if b {
		return []string{rule.TransformCased}
	}
	return nil
}

func isNone(e python.Expr) bool {
	c, ok := python.Unparen(e).(*python.Constant)
	return ok && c.Kind == python.ConstNone
}

func isFalsy(e python.Expr) bool {
	switch x := python.Unparen(e).(type) {
	case *python.Constant:
		return x.Kind == python.ConstFalse || x.Kind == python.ConstNone || x.Kind == python.ConstNumber && x.Raw == "0"
	case *python.Str:
		return x.Value == "" && !x.FString
	case *python.List:
		return len(x.Elts) == 0
	case *python.Dict:
		return len(x.Keys) == 0
	}
	return false
}

func isTrue(e python.Expr) bool {
	c, ok := python.Unparen(e).(*python.Constant)
	return ok && c.Kind == python.ConstTrue
}

// callCond adds the predicates of a call used as a condition.
func (a *analyzer) callCond(x *python.Call, sc *scope, ctx pred) {
	switch fn := x.Func.(type) {
	case *python.Name:
		target := a.lookup(fn.Name, sc)
		switch {
		case (fn.Name == "any" || fn.Name == "all") && target.kind == symUnknown && len(x.Args) == 1:
			a.quantifier(x.Args[0], sc, ctx, fn.Name == "all")
			return
		case fn.Name == "bool" && target.kind == symUnknown && len(x.Args) == 1:
			a.cond(x.Args[0], sc, ctx)
			return
		case target.kind == symStdlib && strings.HasSuffix(target.name, "fnmatch") && len(x.Args) == 2,
			fn.Name == "fnmatch" && target.kind == symUnknown && len(x.Args) == 2:
			f, p := a.eval(x.Args[0], sc), a.eval(x.Args[1], sc)
			if f.kind == symField && (p.kind == symConst || p.kind == symEach) && p.str {
				for _, v := range p.values {
					kind, val, ts := globKind(v)
					a.add(ctx, rule.Predicate{Field: f.field, Kind: kind, Values: []string{val}, Transforms: ts})
				}
			}
			return
		case target.kind == symFunc:
			a.inline(target, x, sc, ctx)
			return
		}
		if v := a.eval(x, sc); v.kind == symField {
			a.add(ctx, rule.Predicate{Field: v.field, Kind: rule.KindIsNotNull})
		}
	case *python.Attribute:
		base := a.eval(fn.X, sc)
		switch {
		case base.kind == symField && (fn.Attr == "startswith" || fn.Attr == "endswith") && len(x.Args) == 1:
			v := a.eval(x.Args[0], sc)
			if v.kind == symConst || v.kind == symEach {
				kind := rule.KindStartsWith
				if fn.Attr == "endswith" {
					kind = rule.KindEndsWith
				}
				a.add(ctx, rule.Predicate{Field: base.field, Kind: kind, Values: v.values, Transforms: cased(!base.folded)})
			}
			return
		case base.kind == symStdlib && base.name == "re" && (fn.Attr == "match" || fn.Attr == "search" || fn.Attr == "fullmatch") && len(x.Args) >= 2:
			p, f := a.eval(x.Args[0], sc), a.eval(x.Args[1], sc)
			if p.kind == symRegex {
				p = sym{kind: symConst, values: []string{p.pattern}, str: true, icase: p.icase}
			}
			if f.kind == symField && p.kind == symConst && len(p.values) == 1 {
				a.add(ctx, rule.Predicate{Field: f.field, Kind: rule.KindRegex, Values: p.values,
					Transforms: cased(!f.folded && !p.icase && !a.ignoreCase(x, 2, sc))})
			}
			return
		case base.kind == symRegex && (fn.Attr == "match" || fn.Attr == "search" || fn.Attr == "fullmatch" || fn.Attr == "findall") && len(x.Args) >= 1:
			if f := a.eval(x.Args[0], sc); f.kind == symField {
				pats := base.values
				if len(pats) == 0 {
					pats = []string{base.pattern}
				}
				a.add(ctx, rule.Predicate{Field: f.field, Kind: rule.KindRegex, Values: pats, Transforms: cased(!f.folded && !base.icase)})
			}
			return
		case base.kind == symFunc || base.kind == symModule:
		}
		if target := a.eval(fn, sc); target.kind == symFunc {
			a.inline(target, x, sc, ctx)
			return
		}
		if v := a.eval(x, sc); v.kind == symField {
			a.add(ctx, rule.Predicate{Field: v.field, Kind: rule.KindIsNotNull})
		}
	}
}

// globKind maps a fnmatch pattern to a kind as for other wildcards.
func globKind(v string) (string, string, []string) {
	inner := strings.Trim(v, "*")
	if strings.ContainsAny(inner, "*?[") || inner == "" {
		return rule.KindMatch, v, []string{rule.TransformWildcard, rule.TransformCased}
	}
	pre, suf := strings.HasPrefix(v, "*"), strings.HasSuffix(v, "*")
	switch {
	case pre && suf:
		return rule.KindContains, inner, []string{rule.TransformCased}
	case suf:
		return rule.KindStartsWith, inner, []string{rule.TransformCased}
	case pre:
		return rule.KindEndsWith, inner, []string{rule.TransformCased}
	}
	return rule.KindEq, v, []string{rule.TransformCased}
}

// quantifier reads any(cond for x in ITER) and all(...): x stands for each
// constant value (or each element of an event field).
func (a *analyzer) quantifier(arg python.Expr, sc *scope, ctx pred, all bool) {
	comp, ok := python.Unparen(arg).(*python.Comp)
	if !ok {
		var elts []python.Expr
		switch l := python.Unparen(arg).(type) {
		case *python.List:
			elts = l.Elts
		case *python.Tuple:
			elts = l.Elts
		}
		for _, el := range elts {
			a.cond(el, sc, ctx)
		}
		return
	}
	inner := newScope(sc)
	for _, g := range comp.Generators {
		a.bindLoop(g.Target, g.Iter, sc, inner)
	}
	ctx.all = ctx.all || all
	for _, g := range comp.Generators {
		for _, c := range g.Ifs {
			a.cond(c, inner, ctx)
		}
	}
	a.cond(comp.Elt, inner, ctx)
}

// bindLoop binds a for target: to each value of a constant, or to the
// elements of an event field.
func (a *analyzer) bindLoop(target, iter python.Expr, sc, into *scope) {
	n, ok := target.(*python.Name)
	if !ok {
		if t, ok := target.(*python.Tuple); ok {
			for _, el := range t.Elts {
				if nn, ok := el.(*python.Name); ok {
					into.vars[nn.Name] = sym{}
				}
			}
		}
		return
	}
	v := a.eval(iter, sc)
	switch v.kind {
	case symConst:
		into.vars[n.Name] = sym{kind: symEach, values: v.values, str: v.str, name: v.name}
	case symField:
		into.vars[n.Name] = sym{kind: symField, field: v.field + "[]", folded: v.folded}
	case symRegex:
		into.vars[n.Name] = v
	default:
		into.vars[n.Name] = sym{}
	}
}

// inline adds the predicates of a function called as a condition: a global
// helper's summary when it is called with the event (recorded as a helper
// the rule uses), else the function's body analysed with its parameters
// bound to the arguments (pattern_match(event.get("a"), "x*")).
func (a *analyzer) inline(target sym, call *python.Call, sc *scope, ctx pred) {
	if target.fn == nil || len(call.Args) == 0 || len(target.fn.Params) == 0 {
		return
	}
	args := make([]sym, len(call.Args))
	for i, arg := range call.Args {
		args[i] = a.eval(arg, sc)
	}
	global := target.mod != nil && target.mod != a.m
	var preds []rule.Predicate
	if global && args[0].kind == symEvent {
		s := target.mod.summary(a.c, target.fn.Name.Name)
		if s == nil {
			return
		}
		preds = s.preds
		if !a.summarizing {
			a.useHelper(target, s)
		}
	} else {
		if a.depth > maxInline*8 {
			return
		}
		key := target.fn
		cacheable := !global && args[0].kind == symEvent && len(args) == 1
		if cached, ok := a.localSummaries[key]; ok && cacheable {
			preds = cached
		} else {
			if cacheable {
				if a.localSummaries == nil {
					a.localSummaries = map[*python.FunctionDef][]rule.Predicate{}
				}
				a.localSummaries[key] = nil // recursion guard
			}
			mod := a.m
			if global {
				mod = target.mod
			}
			sub := &analyzer{c: a.c, m: mod, logTypes: a.logTypes, summarizing: true, depth: a.depth + 8,
				localSummaries: a.localSummaries, budget: a.steps()}
			fsc := newScope(nil)
			for i, prm := range target.fn.Params {
				if prm.Kind != python.ParamNormal {
					break
				}
				v := sym{}
				if i < len(args) {
					v = args[i]
				}
				for _, k := range call.Keywords {
					if k.Name == prm.Name {
						v = a.eval(k.Value, sc)
					}
				}
				fsc.vars[prm.Name] = v
			}
			sub.body(target.fn.Body, fsc)
			for _, st := range sub.stages {
				preds = append(preds, st.Predicates...)
			}
			if cacheable {
				a.localSummaries[key] = preds
			}
		}
		if global && !a.summarizing && len(preds) > 0 {
			a.useHelper(target, &summary{checks: describe(preds), doc: docstring(target.fn)})
		}
	}
	for _, p := range preds {
		a.add(ctx, p)
	}
}

func (a *analyzer) useHelper(target sym, s *summary) {
	name := target.fn.Name.Name
	for _, h := range a.helpers {
		if h.Name == name && h.Module == target.mod.name {
			return
		}
	}
	a.helpers = append(a.helpers, helperUse{Name: name, Module: target.mod.name, Checks: s.checks, Doc: s.doc})
}

// ---- statements ---------------------------------------------------------------

// Stage kinds of Python rules.
const (
	stageIf     = "if"
	stageReturn = "return"
	stageCase   = "case"
)

func (a *analyzer) newStage(kind string, n python.Node, text, note string) *rule.Stage {
	st := rule.Stage{Kind: kind, Text: text, Pipeline: "main", Note: note}
	if a.lt != nil {
		st.Line = a.lt.Position(n.Pos()).Line
	}
	a.stages = append(a.stages, st)
	return &a.stages[len(a.stages)-1]
}

// returns classifies a block: does it end by returning a false value
// (a guard), does it return a true value somewhere?
func returns(list []python.Stmt) (endsFalse, returnsTrue bool) {
	for _, s := range list {
		switch s := s.(type) {
		case *python.Return:
			if s.Value == nil || isFalsy(s.Value) {
				// Whatever follows is unreachable.
				return true, returnsTrue
			}
			return false, true
		case *python.If:
			_, t1 := returns(s.Body)
			_, t2 := returns(s.Else)
			returnsTrue = returnsTrue || t1 || t2
		case *python.For:
			_, t := returns(s.Body)
			returnsTrue = returnsTrue || t
		case *python.Try:
			_, t := returns(s.Body)
			returnsTrue = returnsTrue || t
		case *python.With:
			_, t := returns(s.Body)
			returnsTrue = returnsTrue || t
		}
	}
	return false, returnsTrue
}

// body walks a function body: assignments bind names, guards and positive
// ifs and the return expression become stages.
func (a *analyzer) body(list []python.Stmt, sc *scope) {
	a.depth++
	defer func() { a.depth-- }()
	if a.depth > 64 {
		return
	}
	for _, s := range list {
		switch s := s.(type) {
		case *python.Assign:
			a.assign(s, sc)
		case *python.AnnAssign:
			if n, ok := s.Target.(*python.Name); ok && s.Value != nil {
				a.bind(n.Name, s.Value, sc)
			}
		case *python.AugAssign:
			if n, ok := s.Target.(*python.Name); ok {
				sc.vars[n.Name] = sym{}
			}
		case *python.If:
			a.ifStmt(s, sc)
		case *python.Return:
			if s.Value == nil || isFalsy(s.Value) || isTrue(s.Value) {
				return
			}
			st := a.newStage(stageReturn, s, "return "+a.text(s.Value), "")
			a.cond(s.Value, sc, pred{st: st})
			return
		case *python.For:
			inner := newScope(sc)
			a.bindLoop(s.Target, s.Iter, sc, inner)
			a.body(s.Body, inner)
		case *python.While:
			a.body(s.Body, sc)
		case *python.With:
			a.body(s.Body, sc)
		case *python.Try:
			a.body(s.Body, sc)
			a.body(s.Else, sc)
		case *python.Match:
			a.match(s, sc)
		}
	}
}

func (a *analyzer) assign(s *python.Assign, sc *scope) {
	for _, t := range s.Targets {
		switch t := t.(type) {
		case *python.Name:
			a.bind(t.Name, s.Value, sc)
		case *python.Tuple:
			for _, el := range t.Elts {
				if n, ok := el.(*python.Name); ok {
					sc.vars[n.Name] = sym{}
				}
			}
		}
	}
}

// bind binds a local name to what its value stands for, or to the
// expression itself (a condition evaluated where the name is used).
func (a *analyzer) bind(name string, value python.Expr, sc *scope) {
	v := a.eval(value, sc)
	if v.kind == symUnknown {
		v = sym{kind: symExpr, node: value, sc: sc}
	}
	sc.vars[name] = v
}

func (a *analyzer) ifStmt(s *python.If, sc *scope) {
	endsFalse, returnsTrue := returns(s.Body)
	header := "if " + a.text(s.Cond)
	switch {
	case endsFalse && !returnsTrue:
		st := a.newStage(stageIf, s, header+": return False", "guard: the rule does not match when this holds")
		a.cond(s.Cond, sc, pred{st: st, neg: true})
		// What follows the guard runs when it does not hold.
		a.body(s.Else, sc)
	case returnsTrue:
		st := a.newStage(stageIf, s, header, "the rule matches through this branch when this holds")
		a.cond(s.Cond, sc, pred{st: st})
		a.body(s.Body, newScope(sc))
		a.body(s.Else, sc)
	default:
		a.body(s.Body, sc)
		a.body(s.Else, sc)
	}
}

// match reads match SUBJECT: case "a" | "b": return True.
func (a *analyzer) match(s *python.Match, sc *scope) {
	subject := a.eval(s.Subject, sc)
	for _, c := range s.Cases {
		_, returnsTrue := returns(c.Body)
		if subject.kind == symField && returnsTrue {
			var vals []string
			str := false
			var collect func(e python.Expr) bool
			collect = func(e python.Expr) bool {
				switch p := e.(type) {
				case *python.BinOp:
					return p.Op == "|" && collect(p.X) && collect(p.Y)
				default:
					v := a.eval(p, sc)
					if v.kind != symConst {
						return false
					}
					vals = append(vals, v.values...)
					str = str || v.str
					return true
				}
			}
			if collect(c.Pattern) {
				st := a.newStage(stageCase, s, "case "+a.text(c.Pattern), "the rule matches through this case")
				a.add(pred{st: st}, rule.Predicate{Field: subject.field, Kind: rule.KindIn, Values: vals, Transforms: cased(str && !subject.folded)})
			}
		}
		a.body(c.Body, newScope(sc))
	}
}

// ---- outputs ------------------------------------------------------------------

// fieldsRead returns the event fields a function reads.
func (a *analyzer) fieldsRead(f *python.FunctionDef) []string {
	if len(f.Params) == 0 {
		return nil
	}
	sc := newScope(nil)
	sc.vars[f.Params[0].Name] = sym{kind: symEvent}
	var out []string
	for _, s := range f.Body {
		if as, ok := s.(*python.Assign); ok {
			a.assign(as, sc)
		}
		python.Inspect(s, func(n python.Node) bool {
			e, ok := n.(python.Expr)
			if !ok {
				return true
			}
			switch e.(type) {
			case *python.Call, *python.Subscript:
				if v := a.eval(e, sc); v.kind == symField {
					if !slices.Contains(out, v.field) {
						out = append(out, v.field)
					}
					return false
				}
			}
			return true
		})
	}
	return out
}

// dictKeys returns the keys of the dict a function returns (alert_context),
// following one helper call.
func (a *analyzer) dictKeys(f *python.FunctionDef, depth int) []string {
	var keys []string
	for _, s := range f.Body {
		python.Inspect(s, func(n python.Node) bool {
			switch x := n.(type) {
			case *python.Return:
				switch v := python.Unparen(x.Value).(type) {
				case *python.Dict:
					for _, k := range v.Keys {
						if ks, ok := k.(*python.Str); ok && !slices.Contains(keys, ks.Value) {
							keys = append(keys, ks.Value)
						}
					}
				case *python.Call:
					if depth > 0 {
						if n, ok := v.Func.(*python.Name); ok {
							if t := a.lookup(n.Name, nil); t.kind == symFunc && t.fn != nil {
								sub := &analyzer{c: a.c, m: t.mod}
								for _, k := range sub.dictKeys(t.fn, depth-1) {
									if !slices.Contains(keys, k) {
										keys = append(keys, k)
									}
								}
							}
						}
					}
				}
				return false
			case *python.Assign:
				// context = {...}; context["k"] = ...
				for _, t := range x.Targets {
					if sub, ok := t.(*python.Subscript); ok {
						if ks, ok := sub.Index.(*python.Str); ok && !slices.Contains(keys, ks.Value) {
							keys = append(keys, ks.Value)
						}
					}
				}
				if d, ok := python.Unparen(x.Value).(*python.Dict); ok {
					for _, k := range d.Keys {
						if ks, ok := k.(*python.Str); ok && !slices.Contains(keys, ks.Value) {
							keys = append(keys, ks.Value)
						}
					}
				}
			}
			return true
		})
	}
	return keys
}
