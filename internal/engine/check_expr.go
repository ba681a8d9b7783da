package engine

import (
	"fmt"
	"strings"

	"github.com/detwiki/detwiki/internal/lang/kql"
)

// expr checks a scalar expression against the row schema s (nil outside a
// row context).
func (c *checker) expr(x kql.Expr, sc *scope, s Schema) Expr {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > 300 {
		c.fail(x, CodeSemantic, "expression nesting is too deep")
	}
	switch v := x.(type) {
	case *kql.BasicLit:
		return &constExpr{V: c.literal(v)}
	case *kql.DynamicLit:
		return &constExpr{V: Dyn(c.jsonValue(v.Value))}
	case *kql.Ident:
		return c.ident(v, sc, s)
	case *kql.ParenExpr:
		if kql.IsTabular(v.X) {
			c.fail(v, CodeSemantic, "a tabular expression cannot be used as a scalar (use toscalar())")
		}
		return c.expr(v.X, sc, s)
	case *kql.UnaryExpr:
		e := c.expr(v.X, sc, s)
		if v.Op == kql.SUB {
			return c.binary(v, kql.SUB, &constExpr{V: zeroOf(e.Type())}, e)
		}
		return e
	case *kql.BinaryExpr:
		switch v.Op {
		case kql.AND, kql.OR:
			l, r := c.expr(v.X, sc, s), c.expr(v.Y, sc, s)
			c.wantBool(v.X, l)
			c.wantBool(v.Y, r)
			return &logicExpr{Or: v.Op == kql.OR, X: l, Y: r}
		}
		return c.binary(v, v.Op, c.expr(v.X, sc, s), c.expr(v.Y, sc, s))
	case *kql.InExpr:
		return c.in(v, sc, s)
	case *kql.BetweenExpr:
		x := c.expr(v.X, sc, s)
		lo, hi := c.expr(v.Low, sc, s), c.expr(v.High, sc, s)
		if x.Type() == TypeDateTime && lo.Type() == TypeDateTime && hi.Type() == TypeTimeSpan {
			// datetime between (start .. length): the upper bound is start + length
			hi = c.binary(v, kql.ADD, lo, hi)
		}
		ge := c.binary(v, kql.GEQ, x, lo)
		le := c.binary(v, kql.LEQ, x, hi)
		var e Expr = &logicExpr{X: ge, Y: le}
		if v.Op == kql.NOT_BETWEEN {
			e = c.callBuiltin(v, "not", []Expr{e})
		}
		return e
	case *kql.CallExpr:
		if name, ok := c.aggRewrite[v]; ok {
			i := s.Index(name)
			return &colRef{Index: i, Name: name, T: s[i].Type}
		}
		return c.call(v, sc, s)
	case *kql.IndexExpr:
		base := c.expr(v.X, sc, s)
		idx := c.expr(v.Index, sc, s)
		return &callExpr{Name: "index", Fn: func(a []Value) Value { return indexValue(a[0], a[1]) }, Args: []Expr{base, idx}, T: TypeDynamic}
	case *kql.SelectorExpr:
		base := c.expr(v.X, sc, s)
		var key string
		switch sel := v.Sel.(type) {
		case *kql.Ident:
			key = sel.Name
		case *kql.BracketExpr:
			k := c.foldConst(c.expr(sel.X, sc, s))
			kc, ok := k.(*constExpr)
			if !ok {
				c.fail(sel, CodeSemantic, "a property name must be a constant")
			}
			key = kc.V.String()
		case *kql.CallExpr:
			c.fail(sel, CodeOperator, "method-call syntax is not supported by detwiki's engine")
		default:
			c.fail(v, CodeSemantic, "unexpected property access")
		}
		if t := base.Type(); t != TypeDynamic && t != TypeString && t != TypeUnknown {
			c.fail(v, CodeType, "cannot read property '%s' of a %s value", key, t)
		}
		kv := String(key)
		return &callExpr{Name: "member", Fn: func(a []Value) Value { return indexValue(a[0], kv) }, Args: []Expr{base}, T: TypeDynamic}
	case *kql.ToScalarExpr:
		if v.Keyword == kql.TOTABLE {
			c.fail(v, CodeSemantic, "totable() is tabular")
		}
		n := c.tabular(v.X, sc)
		t := TypeUnknown
		if ns := n.Schema(); len(ns) > 0 {
			t = ns[0].Type
		}
		return &scalarSubquery{Plan: n, T: t}
	case *kql.NamedExpr:
		c.fail(v, CodeSemantic, "a named expression is not allowed here")
	case *kql.StarExpr:
		c.fail(v, CodeSemantic, "'*' is not allowed here")
	case *kql.BadExpr:
		c.fail(v, CodeSemantic, "missing expression")
	}
	c.fail(x, CodeOperator, "expression '%s' (%s) is not supported by detwiki's engine", shorten(kql.Text(c.text, x)), strings.TrimPrefix(fmt.Sprintf("%T", x), "*kql."))
	return nil
}

func shorten(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

func (c *checker) wantBool(n kql.Node, e Expr) {
	if t := e.Type(); t != TypeBool && t != TypeDynamic && t != TypeUnknown {
		c.fail(n, CodeType, "a bool operand was expected, not %s", t)
	}
}

func zeroOf(t Type) Value {
	switch t {
	case TypeReal, TypeDecimal:
		return Value{T: t}
	case TypeTimeSpan:
		return Value{T: TypeTimeSpan}
	case TypeInt:
		return Value{T: TypeInt}
	}
	return Long(0)
}

// literal decodes a literal token into a value.
func (c *checker) literal(v *kql.BasicLit) Value {
	inner := strings.ToLower(v.Inner())
	isNull := v.IsTyped() && inner == "null"
	switch v.Kind {
	case kql.STRING:
		s, _ := v.StringValue()
		return String(s)
	case kql.BOOL:
		if isNull {
			return NullOf(TypeBool)
		}
		b, ok := v.Bool()
		if !ok {
			c.fail(v, CodeType, "invalid bool literal %s", v.Raw)
		}
		return Bool(b)
	case kql.LONG, kql.INT:
		t := TypeLong
		if v.Kind == kql.INT {
			t = TypeInt
		}
		if isNull {
			return NullOf(t)
		}
		n, ok := v.Int()
		if !ok {
			f, okf := v.Float()
			if !okf {
				c.fail(v, CodeType, "invalid number %s", v.Raw)
			}
			return Real(f)
		}
		return Value{T: t, I: n}
	case kql.REAL, kql.DECIMAL:
		t := TypeReal
		if v.Kind == kql.DECIMAL {
			t = TypeDecimal
		}
		if isNull {
			return NullOf(t)
		}
		f, ok := v.Float()
		if !ok {
			c.fail(v, CodeType, "invalid number %s", v.Raw)
		}
		return Value{T: t, F: f}
	case kql.DATETIME:
		if isNull {
			return NullOf(TypeDateTime)
		}
		inner := v.Inner()
		if strings.HasPrefix(inner, `"`) || strings.HasPrefix(inner, "'") {
			// datetime('12-02-2022'): the text may be quoted
			inner = kql.Unquote(inner)
		}
		if ticks, ok := ParseDateTime(inner); ok {
			return Value{T: TypeDateTime, I: ticks}
		}
		c.fail(v, CodeType, "invalid datetime literal %s", v.Raw)
	case kql.TIMESPAN:
		if isNull {
			return NullOf(TypeTimeSpan)
		}
		if ticks, ok := ParseTimeSpan(v.Inner()); ok {
			return Value{T: TypeTimeSpan, I: ticks}
		}
		if d, ok := v.Duration(); ok {
			return Value{T: TypeTimeSpan, I: int64(d / 100)}
		}
		c.fail(v, CodeType, "invalid timespan literal %s", v.Raw)
	case kql.GUID, kql.RAWGUID:
		if isNull {
			return NullOf(TypeGuid)
		}
		if g, ok := parseGuid(v.Inner()); ok {
			return Value{T: TypeGuid, S: g}
		}
		c.fail(v, CodeType, "invalid guid literal %s", v.Raw)
	case kql.NULL:
		return Dyn(nil)
	}
	c.fail(v, CodeType, "unsupported literal %s", v.Raw)
	return Value{}
}

// jsonValue converts the JSON inside dynamic(...) into a dynamic value.
func (c *checker) jsonValue(x kql.Expr) any {
	switch v := x.(type) {
	case nil:
		return nil
	case *kql.JSONArray:
		out := make([]any, 0, len(v.Elems))
		for _, e := range v.Elems {
			out = append(out, c.jsonValue(e))
		}
		return out
	case *kql.JSONObject:
		b := &Bag{}
		for _, p := range v.Pairs {
			if p.Key == nil {
				continue
			}
			k, ok := p.Key.StringValue()
			if !ok {
				k = p.Key.Value()
			}
			b.Set(k, c.jsonValue(p.Value))
		}
		return b
	case *kql.UnaryExpr:
		val := c.jsonValue(v.X)
		if v.Op == kql.SUB {
			switch n := val.(type) {
			case int64:
				return -n
			case float64:
				return -n
			}
		}
		return val
	case *kql.BasicLit:
		if v.Kind == kql.NULL {
			return nil
		}
		return ToDynamic(c.literal(v))
	}
	c.fail(x, CodeSemantic, "invalid dynamic literal")
	return nil
}

// ident resolves a name in an expression: a column of the row, a let
// binding, or a function without arguments.
func (c *checker) ident(id *kql.Ident, sc *scope, s Schema) Expr {
	if i := s.Index(id.Name); i >= 0 {
		col := s[i]
		if col.Unfilled {
			c.warn(id, CodeUnfilledColumn, "column '"+id.Name+"' cannot be filled from the events given: its values are empty")
		}
		return &colRef{Index: i, Name: col.Name, T: col.Type}
	}
	if b := sc.lookup(id.Name); b != nil {
		switch {
		case b.scalar != nil:
			return b.scalar
		case b.fn != nil:
			res := c.callUser(&kql.CallExpr{Fun: id, Lparen: id.End(), Rparen: id.End()}, b, sc, s, nil)
			if e, ok := res.(Expr); ok {
				return e
			}
			c.fail(id, CodeSemantic, "'%s' is a table, a scalar was expected", id.Name)
		case b.table != nil:
			c.fail(id, CodeSemantic, "'%s' is a table, a scalar was expected", id.Name)
		}
	}
	switch id.Name {
	case "true", "True", "TRUE":
		return &constExpr{V: Bool(true)}
	case "false", "False", "FALSE":
		return &constExpr{V: Bool(false)}
	}
	if e := c.lateRef(id.Name, s); e != nil {
		return e
	}
	c.unknownColumn(id, s)
	return nil
}

// in checks in, !in, in~, !in~, has_any, has_all.
func (c *checker) in(v *kql.InExpr, sc *scope, s Schema) Expr {
	x := c.expr(v.X, sc, s)
	ci := v.Op == kql.IN_CI || v.Op == kql.NOT_IN_CI
	neg := v.Op == kql.NOT_IN || v.Op == kql.NOT_IN_CI
	if len(v.List.Elems) == 1 && (kql.IsTabular(v.List.Elems[0]) || c.isTableRef(v.List.Elems[0], sc)) {
		n := c.tabular(v.List.Elems[0], sc)
		e := &inTableExpr{X: x, Plan: n, CaseIns: ci, Negate: neg}
		switch v.Op {
		case kql.HAS_ANY:
			e.Has = hasAny
		case kql.HAS_ALL:
			e.Has = hasAll
		}
		return e
	}
	var items []Expr
	for _, el := range v.List.Elems {
		items = append(items, c.fold(c.expr(el, sc, s)))
	}
	allConst := true
	for _, it := range items {
		if _, ok := it.(*constExpr); !ok {
			allConst = false
		}
	}
	switch v.Op {
	case kql.HAS_ANY, kql.HAS_ALL:
		all := v.Op == kql.HAS_ALL
		if allConst {
			terms := flattenConsts(items)
			return &callExpr{Name: "has_any", Fn: func(a []Value) Value { return hasAnyAll(a[0], terms, all) }, Args: []Expr{x}, T: TypeBool}
		}
		args := append([]Expr{x}, items...)
		return &callExpr{Name: "has_any", Fn: func(a []Value) Value {
			var terms []Value
			for _, t := range a[1:] {
				terms = append(terms, flattenValue(t)...)
			}
			return hasAnyAll(a[0], terms, all)
		}, Args: args, T: TypeBool}
	}
	if allConst {
		set := map[string]bool{}
		for _, it := range flattenConsts(items) {
			if it.Null {
				continue
			}
			set[inKey(it, ci)] = true
		}
		return &callExpr{Name: "in", Fn: func(a []Value) Value {
			if a[0].Null {
				return Bool(neg)
			}
			return Bool(set[inKey(a[0], ci)] != neg)
		}, Args: []Expr{x}, T: TypeBool}
	}
	args := append([]Expr{x}, items...)
	return &callExpr{Name: "in", Fn: func(a []Value) Value {
		if a[0].Null {
			return Bool(neg)
		}
		k := inKey(a[0], ci)
		for _, t := range a[1:] {
			for _, e := range flattenValue(t) {
				if !e.Null && inKey(e, ci) == k {
					return Bool(!neg)
				}
			}
		}
		return Bool(neg)
	}, Args: args, T: TypeBool}
}

// flattenConsts returns the values of constant list items, with dynamic
// arrays spread (x in (dynamic(["a","b"])) and let-bound arrays).
func flattenConsts(items []Expr) []Value {
	var out []Value
	for _, it := range items {
		out = append(out, flattenValue(it.(*constExpr).V)...)
	}
	return out
}

func flattenValue(v Value) []Value {
	if v.T == TypeDynamic {
		if arr, ok := v.D.([]any); ok {
			out := make([]Value, 0, len(arr))
			for _, e := range arr {
				out = append(out, Dyn(e))
			}
			return out
		}
	}
	return []Value{v}
}

// call checks a function call.
func (c *checker) call(v *kql.CallExpr, sc *scope, s Schema) Expr {
	name := v.Fun.Name
	if b := sc.lookup(name); b != nil && b.fn != nil {
		res := c.callUser(v, b, sc, s, nil)
		if e, ok := res.(Expr); ok {
			return e
		}
		c.fail(v, CodeSemantic, "function '%s' returns a table, a scalar was expected", name)
	}
	lname := strings.ToLower(name)
	if isAggregate(name) {
		c.fail(v.Fun, CodeSemantic, "aggregate function '%s' can only be used in summarize", name)
	}
	// functions the checker resolves itself
	switch lname {
	case "now":
		if len(v.Args) == 0 {
			return &nowExpr{}
		}
		off := c.fold(c.expr(v.Args[0], sc, s))
		return c.binary(v, kql.ADD, &nowExpr{}, off)
	case "ago":
		if len(v.Args) != 1 {
			c.fail(v, CodeType, "ago() takes one timespan")
		}
		d := c.fold(c.expr(v.Args[0], sc, s))
		return c.binary(v, kql.SUB, &nowExpr{}, d)
	case "ingestion_time":
		// Kusto's hidden ingestion time: replayed events were ingested
		// when they happened, so it is the row's TimeGenerated (or the
		// Defender tables' Timestamp)
		for _, name := range []string{"TimeGenerated", "Timestamp"} {
			if i := s.Index(name); i >= 0 && s[i].Type == TypeDateTime {
				return &colRef{Index: i, Name: name, T: TypeDateTime}
			}
		}
		c.fail(v, CodeFunction, "ingestion_time() needs the table's TimeGenerated column here (detwiki replays the ingestion time as the event time)")
	case "column_ifexists", "columnifexists":
		if len(v.Args) != 2 {
			c.fail(v, CodeType, "column_ifexists() takes a column name and a default")
		}
		k, ok := c.foldConst(c.expr(v.Args[0], sc, nil)).(*constExpr)
		if !ok {
			c.fail(v.Args[0], CodeType, "column_ifexists() needs a constant column name")
		}
		if i := s.Index(k.V.String()); i >= 0 {
			return &colRef{Index: i, Name: s[i].Name, T: s[i].Type}
		}
		def := c.expr(v.Args[1], sc, s)
		if e := c.lateIfExists(k.V.String(), s, def); e != nil {
			return e
		}
		return def
	case "pack_all", "bag_pack_all":
		var args []Expr
		var names []string
		for i, col := range s {
			args = append(args, &colRef{Index: i, Name: col.Name, T: col.Type})
			names = append(names, col.Name)
		}
		return &callExpr{Name: lname, Fn: func(a []Value) Value {
			b := &Bag{}
			for i, v := range a {
				if !v.Null {
					b.Set(names[i], ToDynamic(v))
				}
			}
			return Dyn(b)
		}, Args: args, T: TypeDynamic}
	case "toscalar":
		if len(v.Args) == 1 {
			return c.expr(&kql.ToScalarExpr{KwPos: v.Pos(), Keyword: kql.TOSCALAR, X: v.Args[0], Rparen: v.Rparen}, sc, s)
		}
	case "materialize":
		c.fail(v, CodeSemantic, "materialize() is tabular")
	}
	// extract(re, n, s, typeof(T)) and extractjson(path, s, typeof(T)):
	// the last argument names the result type
	if (lname == "extract" && len(v.Args) == 4 || (lname == "extractjson" || lname == "extract_json") && len(v.Args) == 3) && isTypeOf(v.Args[len(v.Args)-1]) {
		t := c.typeOfArg(v.Args[len(v.Args)-1])
		var args []Expr
		for _, a := range v.Args[:len(v.Args)-1] {
			args = append(args, c.expr(a, sc, s))
		}
		e := c.callBuiltin(v, lname, args)
		if t != TypeString {
			e = c.convertExpr(e, t)
		}
		return e
	}
	var args []Expr
	for _, a := range v.Args {
		if ne, ok := a.(*kql.NamedExpr); ok {
			a = ne.Value
		}
		if _, ok := a.(*kql.StarExpr); ok {
			c.fail(a, CodeSemantic, "'*' is only allowed in aggregates")
		}
		args = append(args, c.expr(a, sc, s))
	}
	return c.callBuiltin(v, lname, args)
}

// callBuiltin resolves a built-in scalar function by its signature and
// binds its implementation.
func (c *checker) callBuiltin(at kql.Node, name string, args []Expr) Expr {
	sig, ok := signatures[name]
	if !ok {
		// name is lower case for the look-up; messages show it as written.
		written := name
		if call, ok := at.(*kql.CallExpr); ok && call.Fun != nil {
			written = call.Fun.Name
		}
		if serviceFunctions[name] {
			c.fail(at, CodeFunction, "'%s' is a service function that detwiki's engine cannot run offline", written)
		}
		if knownUnsupported[name] {
			c.fail(at, CodeFunction, "function '%s' is not supported by detwiki's engine", written)
		}
		c.fail(at, CodeUnknownFunction, "Unknown function: '%s'", written)
	}
	if len(args) < sig.Min || sig.Max >= 0 && len(args) > sig.Max {
		c.fail(at, CodeType, "function '%s' takes %s arguments, %d given", name, sig.arity(), len(args))
	}
	types := make([]Type, len(args))
	for i, a := range args {
		types[i] = a.Type()
	}
	t, err := sig.Result(types)
	if err != "" {
		c.fail(at, CodeType, "%s: %s", name, err)
	}
	impl, ok := implementations[sig.Impl]
	if !ok {
		c.fail(at, CodeFunction, "function '%s' is not supported by detwiki's engine", name)
	}
	if impl.vec != nil {
		return &vecExpr{Name: name, Window: true, Fn: impl.vec, Args: args, T: t}
	}
	fn := impl.row
	if impl.typed != nil {
		fn = impl.typed(types, t)
	}
	return &callExpr{Name: name, Fn: fn, Args: args, T: t}
}

// convertExpr converts e to t (function parameters with a declared type).
func (c *checker) convertExpr(e Expr, t Type) Expr {
	return &callExpr{Name: "convert", Fn: func(a []Value) Value { return Convert(a[0], t) }, Args: []Expr{e}, T: t}
}

// indexValue is x[i] / x.key on dynamic (and JSON text in strings).
func indexValue(base, idx Value) Value {
	if base.Null {
		return Dyn(nil)
	}
	switch base.T {
	case TypeDynamic:
		return Dyn(dynIndex(base.D, idx))
	case TypeString:
		return Dyn(dynIndex(base.S, idx))
	}
	return Dyn(nil)
}

// binary checks and binds a binary operator.
func (c *checker) binary(at kql.Node, op kql.Token, l, r Expr) Expr {
	lt, rt := l.Type(), r.Type()
	if fast := fastIntCompare(op, l, r); fast != nil {
		return fast
	}
	fn, t, err := binaryOp(op, lt, rt)
	if err != "" {
		c.fail(at, CodeType, "%s", err)
	}
	return &callExpr{Name: op.String(), Fn: fn, Args: []Expr{l, r}, T: t}
}

func isTypeOf(x kql.Expr) bool {
	_, ok := x.(*kql.TypeOfExpr)
	return ok
}

// typeOfArg returns the scalar type typeof(T) names.
func (c *checker) typeOfArg(x kql.Expr) Type {
	t, ok := x.(*kql.TypeOfExpr)
	if ok && len(t.Types) == 1 {
		if te, ok := t.Types[0].(*kql.TypeExpr); ok {
			if typ, ok := ParseType(te.Name); ok {
				return typ
			}
		}
	}
	c.fail(x, CodeType, "typeof() needs one scalar type here")
	return TypeUnknown
}
