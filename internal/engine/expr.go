package engine

import (
	"fmt"
	"sync"
)

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
	Fn   func(ctx *execCtx, args []*Column, n int) (*Column, error)
	Args []Expr
	T    Type
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
	y, err := e.Y.eval(ctx, ch)
	if err != nil {
		return nil, err
	}
	return applyRow(func(a []Value) Value {
		p, q := a[0], a[1]
		if e.Or {
			if !p.Null && p.I != 0 || !q.Null && q.I != 0 {
				return Bool(true)
			}
			if p.Null || q.Null {
				return NullOf(TypeBool)
			}
			return Bool(false)
		}
		if !p.Null && p.I == 0 || !q.Null && q.I == 0 {
			return Bool(false)
		}
		if p.Null || q.Null {
			return NullOf(TypeBool)
		}
		return Bool(true)
	}, []*Column{x, y}, ch.N, TypeBool), nil
}

// scalarSubquery is toscalar(T): the first column of the first row of a
// tabular plan, computed once per run.
type scalarSubquery struct {
	Plan Node
	T    Type
	once sync.Once
	val  Value
	err  error
}

func (e *scalarSubquery) Type() Type { return e.T }
func (e *scalarSubquery) eval(ctx *execCtx, ch *Chunk) (*Column, error) {
	e.once.Do(func() {
		e.val = NullOf(e.T)
		chunks, err := ctx.run(e.Plan)
		if err != nil {
			e.err = err
			return
		}
		for _, c := range chunks {
			if c.N > 0 && len(c.Cols) > 0 && c.Cols[0] != nil {
				e.val = c.Cols[0].Get(0)
				return
			}
		}
	})
	if e.err != nil {
		return nil, e.err
	}
	return ConstColumn(e.val, ch.N), nil
}

// inTableExpr is x in (T): membership in the first column of a tabular plan.
type inTableExpr struct {
	X       Expr
	Plan    Node
	CaseIns bool
	Negate  bool
	once    sync.Once
	set     map[string]bool
	err     error
}

func (e *inTableExpr) Type() Type { return TypeBool }
func (e *inTableExpr) eval(ctx *execCtx, ch *Chunk) (*Column, error) {
	e.once.Do(func() {
		e.set = map[string]bool{}
		chunks, err := ctx.run(e.Plan)
		if err != nil {
			e.err = err
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
				e.set[inKey(v, e.CaseIns)] = true
			}
		}
	})
	if e.err != nil {
		return nil, e.err
	}
	x, err := e.X.eval(ctx, ch)
	if err != nil {
		return nil, err
	}
	return applyRow(func(a []Value) Value {
		if a[0].Null {
			return Bool(e.Negate)
		}
		return Bool(e.set[inKey(a[0], e.CaseIns)] != e.Negate)
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
