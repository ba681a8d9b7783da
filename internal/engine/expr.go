package engine

import "fmt"

// Expr is a checked, typed scalar expression of the logical plan. It
// evaluates a whole chunk at a time.
type Expr interface {
	Type() Type
	eval(ctx *execCtx, ch *Chunk) (*Column, error)
}

// colRef reads column Index of the input.
type colRef struct {
	Index int
	Name  string
	T     Type
}

func (e *colRef) Type() Type { return e.T }
func (e *colRef) eval(ctx *execCtx, ch *Chunk) (*Column, error) {
	c := ch.Cols[e.Index]
	if c == nil {
		return ConstColumn(NullOf(e.T), ch.N), nil
	}
	return c, nil
}

// constExpr is a literal or a folded scalar.
type constExpr struct{ V Value }

func (e *constExpr) Type() Type { return e.V.T }
func (e *constExpr) eval(ctx *execCtx, ch *Chunk) (*Column, error) {
	return ConstColumn(e.V, ch.N), nil
}

// callExpr applies a row function to its arguments.
type callExpr struct {
	Name string
	Fn   rowFunc
	Args []Expr
	T    Type
}

func (e *callExpr) Type() Type { return e.T }
func (e *callExpr) eval(ctx *execCtx, ch *Chunk) (*Column, error) {
	cols := make([]*Column, len(e.Args))
	for i, a := range e.Args {
		c, err := a.eval(ctx, ch)
		if err != nil {
			return nil, err
		}
		cols[i] = c
	}
	return applyRow(e.Fn, cols, ch.N, e.T), nil
}

// vecExpr applies a function that works on whole columns (aggregate-like
// scalar functions, row_number, prev, next).
type vecExpr struct {
	Name string
	// Window marks functions over the sequence of rows (row_number, prev,
	// next): they must see every row of the chunk.
	Window bool
	Fn     func(ctx *execCtx, args []*Column, n int) (*Column, error)
	Args   []Expr
	T      Type
}

func (e *vecExpr) Type() Type { return e.T }
func (e *vecExpr) eval(ctx *execCtx, ch *Chunk) (*Column, error) {
	cols := make([]*Column, len(e.Args))
	for i, a := range e.Args {
		c, err := a.eval(ctx, ch)
		if err != nil {
			return nil, err
		}
		cols[i] = c
	}
	return e.Fn(ctx, cols, ch.N)
}

// logicExpr is and / or with Kusto's three-valued logic.
type logicExpr struct {
	Or   bool
	X, Y Expr
}

func (e *logicExpr) Type() Type { return TypeBool }
func (e *logicExpr) eval(ctx *execCtx, ch *Chunk) (*Column, error) {
	x, err := e.X.eval(ctx, ch)
	if err != nil {
		return nil, err
	}
	// short cut: a constant left side decides alone
	if x.Const != nil && !x.Const.Null {
		if (x.Const.I != 0) == e.Or {
			return x, nil
		}
		return e.Y.eval(ctx, ch)
	}
	if y, ok, err := e.evalSelective(ctx, ch, x); ok || err != nil {
		return y, err
	}
	y, err := e.Y.eval(ctx, ch)
	if err != nil {
		return nil, err
	}
	if x.I != nil && y.I != nil && x.Null == nil && y.Null == nil {
		out := make([]int64, ch.N)
		for r := range out {
			p, q := x.I[r] != 0, y.I[r] != 0
			if e.Or && (p || q) || !e.Or && p && q {
				out[r] = 1
			}
		}
		return &Column{T: TypeBool, N: ch.N, I: out}, nil
	}
	return applyRow(func(a []Value) Value {
		if e.Or {
			return orValues(a[0], a[1])
		}
		return andValues(a[0], a[1])
	}, []*Column{x, y}, ch.N, TypeBool), nil
}

// evalSelective evaluates Y only on the rows X leaves undecided (true or
// null rows for and, false or null rows for or), which saves the costly
// right side of `EventID == 4688 and CommandLine has_any (...)` on most
// rows. It declines (ok false) when X decides few rows, when X is not a
// plain bool column, or when Y holds a window function (row_number, prev,
// next), whose result depends on every row of the chunk.
func (e *logicExpr) evalSelective(ctx *execCtx, ch *Chunk, x *Column) (res *Column, ok bool, err error) {
	if x.I == nil || x.T != TypeBool || ch.N < 64 {
		return nil, false, nil
	}
	undecided := make([]int32, 0, ch.N/8)
	for r, v := range x.I {
		isNull := x.Null != nil && x.Null[r]
		if isNull || (v != 0) != e.Or {
			undecided = append(undecided, int32(r))
		}
	}
	if len(undecided) > ch.N/2 {
		return nil, false, nil
	}
	window := false
	reads := make([]bool, len(ch.Cols))
	walkExpr(e.Y, func(y Expr) {
		switch v := y.(type) {
		case *vecExpr:
			window = window || v.Window
		case *colRef:
			if v.Index < len(reads) {
				reads[v.Index] = true
			}
		}
	})
	if window {
		return nil, false, nil
	}
	out := &Column{T: TypeBool, N: ch.N, I: make([]int64, ch.N)}
	decided := int64(0)
	if e.Or {
		decided = 1
	}
	for r := range out.I {
		out.I[r] = decided
	}
	if len(undecided) == 0 {
		return out, true, nil
	}
	sub := &Chunk{N: len(undecided), Cols: make([]*Column, len(ch.Cols))}
	for i, c := range ch.Cols {
		if c != nil && reads[i] {
			sub.Cols[i] = c.Gather(undecided)
		}
	}
	y, err := e.Y.eval(ctx, sub)
	if err != nil {
		return nil, true, err
	}
	for k, r := range undecided {
		p := Value{T: TypeBool, I: x.I[r], Null: x.Null != nil && x.Null[r]}
		q := y.Get(k)
		var v Value
		if e.Or {
			v = orValues(p, q)
		} else {
			v = andValues(p, q)
		}
		if v.Null {
			if out.Null == nil {
				out.Null = make([]bool, ch.N)
			}
			out.Null[r] = true
		}
		out.I[r] = v.I
	}
	return out, true, nil
}

func orValues(p, q Value) Value {
	if !p.Null && p.I != 0 || !q.Null && q.I != 0 {
		return Bool(true)
	}
	if p.Null || q.Null {
		return NullOf(TypeBool)
	}
	return Bool(false)
}

func andValues(p, q Value) Value {
	if !p.Null && p.I == 0 || !q.Null && q.I == 0 {
		return Bool(false)
	}
	if p.Null || q.Null {
		return NullOf(TypeBool)
	}
	return Bool(true)
}

// scalarSubquery is toscalar(T): the first column of the first row of a
// tabular plan, computed once per run.
type scalarSubquery struct {
	Plan Node
	T    Type
}

func (e *scalarSubquery) Type() Type { return e.T }
func (e *scalarSubquery) eval(ctx *execCtx, ch *Chunk) (*Column, error) {
	m := ctx.memoized(e, func(m *memoEntry) {
		m.val = NullOf(e.T)
		chunks, err := ctx.run(e.Plan)
		if err != nil {
			m.err = err
			return
		}
		for _, c := range chunks {
			if c.N > 0 && len(c.Cols) > 0 && c.Cols[0] != nil {
				m.val = fixType(c.Cols[0].Get(0), e.T)
				return
			}
		}
	})
	if m.err != nil {
		return nil, m.err
	}
	return ConstColumn(m.val, ch.N), nil
}

// nowExpr is now(): the replay time of the run (Options.Now at compile
// time, or the time given to RunOn).
type nowExpr struct{}

func (e *nowExpr) Type() Type { return TypeDateTime }
func (e *nowExpr) eval(ctx *execCtx, ch *Chunk) (*Column, error) {
	return ConstColumn(Value{T: TypeDateTime, I: ctx.now}, ch.N), nil
}

// inTableExpr is x in (T): membership in the first column of a tabular plan.
type inTableExpr struct {
	X       Expr
	Plan    Node
	CaseIns bool
	Negate  bool
	Has     int // hasAny, hasAll: has_any / has_all of the column's values as terms
}

const (
	hasAny = 1
	hasAll = 2
)

func (e *inTableExpr) Type() Type { return TypeBool }
func (e *inTableExpr) eval(ctx *execCtx, ch *Chunk) (*Column, error) {
	m := ctx.memoized(e, func(m *memoEntry) {
		m.set = map[string]bool{}
		chunks, err := ctx.run(e.Plan)
		if err != nil {
			m.err = err
			return
		}
		if e.Has != 0 {
			for _, c := range chunks {
				if len(c.Cols) == 0 || c.Cols[0] == nil {
					continue
				}
				for r := 0; r < c.N; r++ {
					m.terms = append(m.terms, flattenValue(c.Cols[0].Get(r))...)
				}
			}
			return
		}
		for _, c := range chunks {
			if len(c.Cols) == 0 || c.Cols[0] == nil {
				continue
			}
			for r := 0; r < c.N; r++ {
				v := c.Cols[0].Get(r)
				if v.Null {
					continue
				}
				m.set[inKey(v, e.CaseIns)] = true
			}
		}
	})
	if m.err != nil {
		return nil, m.err
	}
	set := m.set
	x, err := e.X.eval(ctx, ch)
	if err != nil {
		return nil, err
	}
	if e.Has != 0 {
		terms, all := m.terms, e.Has == hasAll
		return applyRow(func(a []Value) Value { return hasAnyAll(a[0], terms, all) }, []*Column{x}, ch.N, TypeBool), nil
	}
	return applyRow(func(a []Value) Value {
		if a[0].Null {
			return Bool(e.Negate)
		}
		return Bool(set[inKey(a[0], e.CaseIns)] != e.Negate)
	}, []*Column{x}, ch.N, TypeBool), nil
}

// rowFunc computes one result from one row of arguments. Row functions are
// pure: the engine may call them once per distinct argument value.
type rowFunc func(args []Value) Value

// applyRow evaluates fn over n rows of args. Constant arguments are passed
// as they are; when every non-constant argument is the same
// dictionary-encoded column, fn runs once per dictionary entry and the
// result is mapped through the codes (a string result stays
// dictionary-encoded).
func applyRow(fn rowFunc, args []*Column, n int, t Type) *Column {
	var dictCol *Column
	allConst := true
	liftable := true
	for _, a := range args {
		if a.Const != nil {
			continue
		}
		allConst = false
		if !a.IsDict() {
			liftable = false
			continue
		}
		if dictCol == nil {
			dictCol = a
		} else if dictCol != a && !sameCodes(dictCol, a) {
			liftable = false
		}
	}
	vals := make([]Value, len(args))
	if allConst {
		for i, a := range args {
			vals[i] = *a.Const
		}
		return ConstColumn(fixType(fn(vals), t), n)
	}
	if liftable && dictCol != nil && len(dictCol.Dict) < n*2+16 {
		m := len(dictCol.Dict)
		b := newBuilder(t, m)
		for k := 0; k < m; k++ {
			for i, a := range args {
				if a.Const != nil {
					vals[i] = *a.Const
				} else {
					vals[i] = Value{T: a.T, S: a.Dict[k]}
				}
			}
			b.Append(fixType(fn(vals), t))
		}
		res := b.Build()
		return expandDict(res, dictCol.Codes, n)
	}
	b := newBuilder(t, n)
	for r := 0; r < n; r++ {
		for i, a := range args {
			vals[i] = a.Get(r)
		}
		b.Append(fixType(fn(vals), t))
	}
	return b.Build()
}

func sameCodes(a, b *Column) bool {
	return len(a.Codes) == len(b.Codes) && len(a.Codes) > 0 && &a.Codes[0] == &b.Codes[0] &&
		len(a.Dict) == len(b.Dict) && len(a.Dict) > 0 && &a.Dict[0] == &b.Dict[0]
}

// expandDict maps a per-dictionary-entry result through codes.
func expandDict(res *Column, codes []uint32, n int) *Column {
	if res.Const != nil {
		return ConstColumn(*res.Const, n)
	}
	if res.S != nil && res.Null == nil && res.T == TypeString {
		return &Column{T: res.T, N: n, Dict: res.S, Codes: codes}
	}
	out := &Column{T: res.T, N: n}
	switch {
	case res.I != nil:
		out.I = make([]int64, n)
		for r, c := range codes {
			out.I[r] = res.I[c]
		}
	case res.F != nil:
		out.F = make([]float64, n)
		for r, c := range codes {
			out.F[r] = res.F[c]
		}
	case res.S != nil:
		out.S = make([]string, n)
		for r, c := range codes {
			out.S[r] = res.S[c]
		}
	case res.D != nil:
		out.D = make([]any, n)
		for r, c := range codes {
			out.D[r] = res.D[c]
		}
	}
	if res.Null != nil {
		out.Null = make([]bool, n)
		for r, c := range codes {
			out.Null[r] = res.Null[c]
		}
	}
	return out
}

// fixType gives a function result the declared type (int results of long
// arithmetic, nulls without a type).
func fixType(v Value, t Type) Value {
	if v.T == t {
		return v
	}
	if v.Null && v.T != TypeDynamic {
		return NullOf(t)
	}
	if t == TypeUnknown {
		return v
	}
	return Convert(v, t)
}

// runtimeError is an error while running a query.
type runtimeError struct{ msg string }

func (e *runtimeError) Error() string { return e.msg }

func errorf(format string, args ...any) error { return &runtimeError{fmt.Sprintf(format, args...)} }
