package engine

import (
	"sort"
	"strconv"
	"strings"
)

// execCtx runs a plan. Operators work a chunk at a time where they can
// (scan, filter, project); blocking operators (summarize, join, sort)
// gather their input first.
//
// A plan holds no run state: everything a run computes (let-bound tables,
// toscalar values, in-sets, the rows an mv-apply subquery reads) lives in the
// execCtx, so one compiled Query can run many times, on several catalogs and
// from several goroutines.
type execCtx struct {
	maxRows int
	// now is the replay time now() and ago() read (ticks).
	now int64
	// catalog, when set, rebinds every scan to the table of the same name
	// in it (Query.RunOn).
	catalog Catalog
	// memo holds the results of SharedNode, scalarSubquery and inTableExpr.
	memo map[any]*memoEntry
	// applyRows are the expanded rows an mv-apply subquery reads.
	applyRows map[*applyInput][]*Chunk
	// trace, when set, counts the rows each node produced.
	trace map[Node]int
	// lateSeen records the late-bound columns of bag_unpack and pivot the
	// data has (for column_ifexists).
	lateSeen map[Node]map[string]bool
	// filled records, when tracing, the input columns a filter reads that
	// had a value (not null, not empty) in some row.
	filled map[Node]map[int]bool
}

// noteFilled records which columns e reads have a value in ch.
func (ctx *execCtx) noteFilled(n Node, e Expr, ch *Chunk) {
	if ctx.filled == nil {
		ctx.filled = map[Node]map[int]bool{}
	}
	m := ctx.filled[n]
	if m == nil {
		m = map[int]bool{}
		ctx.filled[n] = m
	}
	walkExpr(e, func(x Expr) {
		r, ok := x.(*colRef)
		if !ok || m[r.Index] || r.Index >= len(ch.Cols) {
			return
		}
		m[r.Index] = m[r.Index] // seen, maybe empty
		c := ch.Cols[r.Index]
		if c == nil {
			return
		}
		for i := 0; i < ch.N; i++ {
			if v := c.Get(i); !isNullish(v) && !(v.T == TypeString && v.S == "") {
				m[r.Index] = true
				return
			}
		}
	})
}

// memoEntry is a result computed once per run.
type memoEntry struct {
	chunks []*Chunk
	val    Value
	set    map[string]bool
	terms  []Value
	err    error
}

// memoized returns the entry for key, computing it with fill on first use.
func (ctx *execCtx) memoized(key any, fill func(e *memoEntry)) *memoEntry {
	if e, ok := ctx.memo[key]; ok {
		return e
	}
	if ctx.memo == nil {
		ctx.memo = map[any]*memoEntry{}
	}
	e := &memoEntry{}
	fill(e)
	ctx.memo[key] = e
	return e
}

// child returns a context for one run of an mv-apply subquery: fresh
// memo (its let-bound values may depend on the row), shared settings.
func (ctx *execCtx) child() *execCtx {
	return &execCtx{maxRows: ctx.maxRows, now: ctx.now, catalog: ctx.catalog, applyRows: ctx.applyRows, trace: ctx.trace, lateSeen: ctx.lateSeen, filled: ctx.filled}
}

// scan reads a table, rebound by name to ctx.catalog when one is set.
func (ctx *execCtx) scan(x *ScanNode, need []bool) ([]*Chunk, error) {
	t := x.Table
	if ctx.catalog != nil {
		rt, ok := ctx.catalog.Table(t.Name())
		if !ok {
			return nil, errorf("table '%s' is not in the catalog the query runs on", t.Name())
		}
		if !sameColumns(rt.Schema(), x.Cols) {
			return nil, errorf("table '%s' has other columns than the query was compiled for", t.Name())
		}
		t = rt
	}
	return t.Scan(need)
}

// sameColumns reports whether two schemas have the same names and types.
func sameColumns(a, b Schema) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Type != b[i].Type {
			return false
		}
	}
	return true
}

func (ctx *execCtx) checkRows(n int, what string) error {
	if n > ctx.maxRows {
		return errorf("%s produced more than %d rows (the engine's row limit)", what, ctx.maxRows)
	}
	return nil
}

// run executes n and returns its chunks (and counts them when tracing).
func (ctx *execCtx) run(n Node) ([]*Chunk, error) {
	chunks, err := ctx.runNode(n)
	if ctx.trace != nil && err == nil {
		rows := 0
		for _, ch := range chunks {
			rows += ch.N
		}
		ctx.trace[n] += rows
	}
	return chunks, err
}

func (ctx *execCtx) runNode(n Node) ([]*Chunk, error) {
	switch x := n.(type) {
	case *ScanNode:
		need := x.Need
		if need == nil {
			need = allTrue(len(x.Cols))
		}
		return ctx.scan(x, need)
	case *ValuesNode:
		return x.Table.Chunks, nil
	case *applyInput:
		return ctx.applyRows[x], nil
	case *RangeNode:
		return ctx.runRange(x)
	case *FilterNode:
		in, err := ctx.run(x.In)
		if err != nil {
			return nil, err
		}
		var out []*Chunk
		for _, ch := range in {
			if ctx.trace != nil {
				ctx.noteFilled(x, x.Pred, ch)
			}
			c, err := x.Pred.eval(ctx, ch)
			if err != nil {
				return nil, err
			}
			sel := selectTrue(c, ch.N)
			switch {
			case len(sel) == ch.N:
				out = append(out, ch)
			case len(sel) > 0:
				out = append(out, ch.Gather(sel))
			}
		}
		return out, nil
	case *ProjectNode:
		in, err := ctx.run(x.In)
		if err != nil {
			return nil, err
		}
		out := make([]*Chunk, 0, len(in))
		for _, ch := range in {
			res := &Chunk{N: ch.N, Cols: make([]*Column, len(x.Exprs))}
			for i, e := range x.Exprs {
				if r, ok := e.(*colRef); ok && ch.Cols[r.Index] == nil {
					continue // a column nobody reads
				}
				c, err := e.eval(ctx, ch)
				if err != nil {
					return nil, err
				}
				res.Cols[i] = c
			}
			out = append(out, res)
		}
		return out, nil
	case *SummarizeNode:
		return ctx.runSummarize(x)
	case *JoinNode:
		return ctx.runJoin(x)
	case *UnionNode:
		var out []*Chunk
		for i, in := range x.Inputs {
			chunks, err := ctx.run(in)
			if err != nil {
				return nil, err
			}
			for _, ch := range chunks {
				res := &Chunk{N: ch.N, Cols: make([]*Column, len(x.Out))}
				for j, src := range x.Maps[i] {
					if src >= 0 {
						res.Cols[j] = ch.Cols[src]
					} else {
						res.Cols[j] = ConstColumn(NullOf(x.Out[j].Type), ch.N)
					}
				}
				if x.SourceCol >= 0 {
					res.Cols[x.SourceCol] = ConstColumn(String(x.Names[i]), ch.N)
				}
				out = append(out, res)
			}
		}
		return out, nil
	case *SortNode:
		in, err := ctx.run(x.In)
		if err != nil {
			return nil, err
		}
		return ctx.sortChunks(x.Schema(), in, x.Keys, -1)
	case *TakeNode:
		nc, err := x.N.eval(ctx, &Chunk{N: 1})
		if err != nil {
			return nil, err
		}
		limit, _ := toI(nc.Get(0))
		if s, ok := x.In.(*SortNode); ok {
			in, err := ctx.run(s.In)
			if err != nil {
				return nil, err
			}
			return ctx.sortChunks(s.Schema(), in, s.Keys, limit)
		}
		in, err := ctx.run(x.In)
		if err != nil {
			return nil, err
		}
		var out []*Chunk
		left := limit
		for _, ch := range in {
			if left <= 0 {
				break
			}
			if int64(ch.N) <= left {
				out = append(out, ch)
				left -= int64(ch.N)
				continue
			}
			idx := make([]int32, left)
			for i := range idx {
				idx[i] = int32(i)
			}
			out = append(out, ch.Gather(idx))
			left = 0
		}
		return out, nil
	case *SerializeNode:
		in, err := ctx.run(x.In)
		if err != nil {
			return nil, err
		}
		if len(in) <= 1 {
			return in, nil
		}
		return []*Chunk{concatChunks(x.Schema(), in)}, nil
	case *SharedNode:
		e := ctx.memoized(x, func(e *memoEntry) { e.chunks, e.err = ctx.run(x.In) })
		return e.chunks, e.err
	case *CountNode:
		in, err := ctx.run(x.In)
		if err != nil {
			return nil, err
		}
		total := 0
		for _, ch := range in {
			total += ch.N
		}
		return []*Chunk{{N: 1, Cols: []*Column{{T: TypeLong, N: 1, I: []int64{int64(total)}}}}}, nil
	case *DistinctNode:
		return ctx.runDistinct(x)
	case *MvExpandNode:
		return ctx.runMvExpand(x)
	case *ParseNode:
		return ctx.runParse(x)
	case *MvApplyNode:
		return ctx.runMvApply(x)
	case *MakeSeriesNode:
		return ctx.runMakeSeries(x)
	case *BagUnpackNode:
		return ctx.runBagUnpack(x)
	case *TopNestedNode:
		return ctx.runTopNested(x)
	case *PartitionNode:
		return ctx.runPartition(x)
	case *PivotNode:
		return ctx.runPivot(x)
	}
	return nil, errorf("internal error: no executor for %T", n)
}

// selectTrue returns the rows where a bool column is true (null is false).
func selectTrue(c *Column, n int) []int32 {
	if c.Const != nil {
		if truthy(*c.Const) {
			idx := make([]int32, n)
			for i := range idx {
				idx[i] = int32(i)
			}
			return idx
		}
		return nil
	}
	sel := make([]int32, 0, n/4+1)
	switch {
	case c.I != nil && c.Null == nil:
		for i, v := range c.I {
			if v != 0 {
				sel = append(sel, int32(i))
			}
		}
	case c.I != nil:
		for i, v := range c.I {
			if v != 0 && !c.Null[i] {
				sel = append(sel, int32(i))
			}
		}
	default:
		for i := 0; i < n; i++ {
			if truthy(c.Get(i)) {
				sel = append(sel, int32(i))
			}
		}
	}
	return sel
}

// groupKey encodes a value for hashing (numbers by value across types).
func groupKey(v Value) string {
	if v.T == TypeDynamic {
		if v.D == nil {
			return "\x00"
		}
		s := dynScalar(v.D)
		if s.T == TypeDynamic {
			return dynKey(v.D)
		}
		v = s
	}
	if v.Null {
		return "\x00"
	}
	switch {
	case v.T.isStringy():
		return "s" + v.S
	case v.T.isFloat():
		return "n" + strconv.FormatFloat(v.F, 'g', -1, 64)
	case v.T.isIntLike() || v.T == TypeBool:
		return "n" + strconv.FormatInt(v.I, 10)
	case v.T == TypeDateTime:
		return "t" + strconv.FormatInt(v.I, 10)
	case v.T == TypeTimeSpan:
		return "p" + strconv.FormatInt(v.I, 10)
	}
	return "?" + v.String()
}

func rowKey(cols []*Column, r int, buf *strings.Builder) string {
	buf.Reset()
	for _, c := range cols {
		buf.WriteString(groupKey(c.Get(r)))
		buf.WriteByte(0x1f)
	}
	return buf.String()
}

func (ctx *execCtx) runSummarize(x *SummarizeNode) ([]*Chunk, error) {
	in, err := ctx.run(x.In)
	if err != nil {
		return nil, err
	}
	type group struct {
		keys   []Value
		states []aggState
	}
	groups := map[string]*group{}
	var order []*group
	var buf strings.Builder
	newGroup := func(keys []Value) *group {
		g := &group{keys: keys}
		for _, a := range x.Aggs {
			g.states = append(g.states, a.new())
		}
		return g
	}
	for _, ch := range in {
		gcols := make([]*Column, len(x.Groups))
		for i, e := range x.Groups {
			c, err := e.eval(ctx, ch)
			if err != nil {
				return nil, err
			}
			gcols[i] = c
		}
		acols := make([][]*Column, len(x.Aggs))
		for i, a := range x.Aggs {
			cols, err := evalAggArgs(ctx, a, ch)
			if err != nil {
				return nil, err
			}
			acols[i] = cols
		}
		args := make([][]Value, len(x.Aggs))
		for i := range x.Aggs {
			args[i] = make([]Value, len(acols[i]))
		}
		for r := 0; r < ch.N; r++ {
			k := rowKey(gcols, r, &buf)
			g := groups[k]
			if g == nil {
				keys := make([]Value, len(gcols))
				for i, c := range gcols {
					keys[i] = c.Get(r)
				}
				g = newGroup(keys)
				groups[k] = g
				order = append(order, g)
				if err := ctx.checkRows(len(order), "summarize"); err != nil {
					return nil, err
				}
			}
			for i, st := range g.states {
				for j, c := range acols[i] {
					args[i][j] = c.Get(r)
				}
				st.add(args[i])
			}
		}
	}
	// summarize without by over no rows still yields one row
	if len(order) == 0 && len(x.Groups) == 0 {
		order = append(order, newGroup(nil))
	}
	mid := make([]*builder, len(x.Mid))
	for i, col := range x.Mid {
		mid[i] = newBuilder(col.Type, len(order))
	}
	for _, g := range order {
		k := 0
		for _, v := range g.keys {
			mid[k].Append(v)
			k++
		}
		for _, st := range g.states {
			for _, v := range st.result() {
				if k < len(mid) {
					mid[k].Append(v)
				}
				k++
			}
		}
	}
	midChunk := &Chunk{N: len(order), Cols: make([]*Column, len(mid))}
	for i, b := range mid {
		midChunk.Cols[i] = b.Build()
	}
	out := &Chunk{N: midChunk.N, Cols: make([]*Column, len(x.Post))}
	for i, e := range x.Post {
		c, err := e.eval(ctx, midChunk)
		if err != nil {
			return nil, err
		}
		out.Cols[i] = c
	}
	if out.N == 0 {
		return nil, nil
	}
	return []*Chunk{out}, nil
}

func (ctx *execCtx) runJoin(x *JoinNode) ([]*Chunk, error) {
	lin, err := ctx.run(x.Left)
	if err != nil {
		return nil, err
	}
	rin, err := ctx.run(x.Right)
	if err != nil {
		return nil, err
	}
	left := concatChunks(x.Left.Schema(), nonEmpty(lin))
	right := concatChunks(x.Right.Schema(), nonEmpty(rin))
	if left == nil {
		left = &Chunk{Cols: make([]*Column, len(x.Left.Schema()))}
	}
	if right == nil {
		right = &Chunk{Cols: make([]*Column, len(x.Right.Schema()))}
	}
	var buf strings.Builder
	keyCols := func(ch *Chunk, keys []int, s Schema) []*Column {
		cols := make([]*Column, len(keys))
		for i, k := range keys {
			cols[i] = ch.Cols[k]
			if cols[i] == nil {
				cols[i] = ConstColumn(NullOf(s[k].Type), ch.N)
			}
		}
		return cols
	}
	lk := keyCols(left, x.LeftKeys, x.Left.Schema())
	rk := keyCols(right, x.RightKeys, x.Right.Schema())
	hasNull := func(cols []*Column, r int) bool {
		for _, c := range cols {
			if isNullish(c.Get(r)) {
				return true
			}
		}
		return false
	}
	// index the right side
	index := map[string][]int32{}
	for r := 0; r < right.N; r++ {
		if hasNull(rk, r) {
			continue
		}
		k := rowKey(rk, r, &buf)
		index[k] = append(index[k], int32(r))
	}
	var li, ri []int32 // output pairs; -1 for a missing side
	rightMatched := make([]bool, right.N)
	leftSeen := map[string]bool{}
	emit := func(l, r int32) error {
		li = append(li, l)
		ri = append(ri, r)
		return ctx.checkRows(len(li), "join")
	}
	for l := 0; l < left.N; l++ {
		var matches []int32
		k := ""
		if !hasNull(lk, l) {
			k = rowKey(lk, l, &buf)
			matches = index[k]
		}
		switch x.Kind {
		case "innerunique":
			if k == "" || leftSeen[k] {
				continue
			}
			leftSeen[k] = true
			for _, r := range matches {
				if err := emit(int32(l), r); err != nil {
					return nil, err
				}
			}
		case "inner", "lookupinner":
			for _, r := range matches {
				if err := emit(int32(l), r); err != nil {
					return nil, err
				}
			}
		case "leftouter", "fullouter", "lookupleft":
			if len(matches) == 0 {
				if err := emit(int32(l), -1); err != nil {
					return nil, err
				}
			}
			for _, r := range matches {
				if x.Kind == "fullouter" {
					rightMatched[r] = true
				}
				if err := emit(int32(l), r); err != nil {
					return nil, err
				}
			}
		case "rightouter":
			for _, r := range matches {
				rightMatched[r] = true
				if err := emit(int32(l), r); err != nil {
					return nil, err
				}
			}
		case "leftsemi":
			if len(matches) > 0 {
				if err := emit(int32(l), -1); err != nil {
					return nil, err
				}
			}
		case "leftanti":
			if len(matches) == 0 {
				if err := emit(int32(l), -1); err != nil {
					return nil, err
				}
			}
		case "rightsemi", "rightanti":
			for _, r := range matches {
				rightMatched[r] = true
			}
		}
	}
	switch x.Kind {
	case "rightouter", "fullouter":
		for r := 0; r < right.N; r++ {
			if !rightMatched[r] {
				if err := emit(-1, int32(r)); err != nil {
					return nil, err
				}
			}
		}
	case "rightsemi", "rightanti":
		for r := 0; r < right.N; r++ {
			if rightMatched[r] == (x.Kind == "rightsemi") {
				if err := emit(-1, int32(r)); err != nil {
					return nil, err
				}
			}
		}
	}
	if len(li) == 0 {
		return nil, nil
	}
	out := &Chunk{N: len(li), Cols: make([]*Column, len(x.Out))}
	for j, col := range x.Out {
		var src *Column
		var idx []int32
		if x.LeftCol[j] >= 0 {
			src, idx = left.Cols[x.LeftCol[j]], li
		} else {
			src, idx = right.Cols[x.RightCol[j]], ri
		}
		if src == nil {
			continue
		}
		out.Cols[j] = gatherOuter(src, idx, col.Type)
	}
	return []*Chunk{out}, nil
}

func nonEmpty(chunks []*Chunk) []*Chunk {
	var out []*Chunk
	for _, c := range chunks {
		if c.N > 0 {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// gatherOuter gathers rows, -1 giving a null.
func gatherOuter(c *Column, idx []int32, t Type) *Column {
	missing := false
	for _, i := range idx {
		if i < 0 {
			missing = true
			break
		}
	}
	if !missing {
		return c.Gather(idx)
	}
	b := newBuilder(t, len(idx))
	for _, i := range idx {
		if i < 0 {
			b.Append(NullOf(t))
		} else {
			b.Append(c.Get(int(i)))
		}
	}
	return b.Build()
}

// sortChunks sorts all rows (stable) and keeps the first limit (< 0: all).
func (ctx *execCtx) sortChunks(s Schema, in []*Chunk, keys []sortKey, limit int64) ([]*Chunk, error) {
	in = nonEmpty(in)
	if in == nil {
		return nil, nil
	}
	all := concatChunks(s, in)
	kcols := make([]*Column, len(keys))
	for i, k := range keys {
		c, err := k.X.eval(ctx, all)
		if err != nil {
			return nil, err
		}
		kcols[i] = c
	}
	idx := make([]int32, all.N)
	for i := range idx {
		idx[i] = int32(i)
	}
	sort.SliceStable(idx, func(a, b int) bool {
		for i, k := range keys {
			va, vb := kcols[i].Get(int(idx[a])), kcols[i].Get(int(idx[b]))
			na, nb := isNullish(va) || va.T == TypeString && va.S == "" && false, isNullish(vb)
			if na || nb {
				if na && nb {
					continue
				}
				return na == k.NullsFirst
			}
			c, _ := compareValues(va, vb)
			if c == 0 {
				continue
			}
			if k.Desc {
				return c > 0
			}
			return c < 0
		}
		return false
	})
	if limit >= 0 && int64(len(idx)) > limit {
		idx = idx[:limit]
	}
	if len(idx) == 0 {
		return nil, nil
	}
	return []*Chunk{all.Gather(idx)}, nil
}

func (ctx *execCtx) runDistinct(x *DistinctNode) ([]*Chunk, error) {
	in, err := ctx.run(x.In)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	bs := make([]*builder, len(x.Out))
	for i, c := range x.Out {
		bs[i] = newBuilder(c.Type, 0)
	}
	var buf strings.Builder
	n := 0
	for _, ch := range in {
		cols := make([]*Column, len(x.Exprs))
		for i, e := range x.Exprs {
			c, err := e.eval(ctx, ch)
			if err != nil {
				return nil, err
			}
			cols[i] = c
		}
		for r := 0; r < ch.N; r++ {
			k := rowKey(cols, r, &buf)
			if seen[k] {
				continue
			}
			seen[k] = true
			for i, c := range cols {
				bs[i].Append(c.Get(r))
			}
			n++
		}
	}
	if n == 0 {
		return nil, nil
	}
	out := &Chunk{N: n, Cols: make([]*Column, len(bs))}
	for i, b := range bs {
		out.Cols[i] = b.Build()
	}
	return []*Chunk{out}, nil
}

func (ctx *execCtx) runRange(x *RangeNode) ([]*Chunk, error) {
	one := &Chunk{N: 1}
	get := func(e Expr) (Value, error) {
		c, err := e.eval(ctx, one)
		if err != nil {
			return Value{}, err
		}
		return c.Get(0), nil
	}
	from, err := get(x.From)
	if err != nil {
		return nil, err
	}
	to, err := get(x.To)
	if err != nil {
		return nil, err
	}
	step, err := get(x.Step)
	if err != nil {
		return nil, err
	}
	b := newBuilder(x.T, 0)
	n := 0
	if x.T.isFloat() {
		f, t, s := numF(Convert(from, TypeReal)), numF(Convert(to, TypeReal)), numF(Convert(step, TypeReal))
		if s == 0 {
			return nil, errorf("range step is zero")
		}
		for v := f; s > 0 && v <= t || s < 0 && v >= t; v += s {
			b.Append(Real(v))
			if n++; n > ctx.maxRows {
				return nil, ctx.checkRows(n, "range")
			}
		}
	} else {
		f, t := Convert(from, x.T).I, Convert(to, x.T).I
		s := step.I
		if step.T.isFloat() {
			s = int64(step.F)
		}
		if s == 0 {
			return nil, errorf("range step is zero")
		}
		for v := f; s > 0 && v <= t || s < 0 && v >= t; v += s {
			b.Append(Value{T: x.T, I: v})
			if n++; n > ctx.maxRows {
				return nil, ctx.checkRows(n, "range")
			}
		}
	}
	if n == 0 {
		return nil, nil
	}
	return []*Chunk{{N: n, Cols: []*Column{b.Build()}}}, nil
}

// expandValue lists the elements a dynamic value expands to: the array's
// elements, a bag's members (single-key bags, or [key, value] pairs for
// kind=array), one null for null, nothing for an empty array or bag.
func expandValue(d any, bag bool) []any {
	switch v := d.(type) {
	case nil:
		return []any{nil}
	case []any:
		return v
	case *Bag:
		out := make([]any, len(v.Keys))
		for i, k := range v.Keys {
			if bag {
				out[i] = &Bag{Keys: []string{k}, Vals: []any{v.Vals[i]}}
			} else {
				out[i] = []any{k, v.Vals[i]}
			}
		}
		return out
	}
	return []any{d}
}

func (ctx *execCtx) runMvExpand(x *MvExpandNode) ([]*Chunk, error) {
	in, err := ctx.run(x.In)
	if err != nil {
		return nil, err
	}
	var out []*Chunk
	total := 0
	for _, ch := range in {
		items := make([]*Column, len(x.Items))
		for i, it := range x.Items {
			c, err := it.X.eval(ctx, ch)
			if err != nil {
				return nil, err
			}
			items[i] = c
		}
		var src []int32
		expanded := make([][]any, len(x.Items))
		var index []int64
		for r := 0; r < ch.N; r++ {
			lists := make([][]any, len(items))
			n := 0
			for i, c := range items {
				v := c.Get(r)
				var d any
				if v.T == TypeDynamic {
					d = v.D
				} else {
					d = dynOf(v)
				}
				lists[i] = expandValue(d, x.Bag)
				n = max(n, len(lists[i]))
			}
			if x.Limit >= 0 && int64(n) > x.Limit {
				n = int(x.Limit)
			}
			for k := 0; k < n; k++ {
				src = append(src, int32(r))
				for i := range items {
					var e any
					if k < len(lists[i]) {
						e = lists[i][k]
					}
					expanded[i] = append(expanded[i], e)
				}
				index = append(index, int64(k))
			}
			total += n
			if err := ctx.checkRows(total, "mv-expand"); err != nil {
				return nil, err
			}
		}
		if len(src) == 0 {
			continue
		}
		res := &Chunk{N: len(src), Cols: make([]*Column, len(x.Out))}
		for i, k := range x.Keep {
			if c := ch.Cols[k]; c != nil {
				res.Cols[i] = c.Gather(src)
			}
		}
		for i, it := range x.Items {
			b := newBuilder(it.T, len(src))
			for _, e := range expanded[i] {
				if it.T == TypeDynamic {
					b.Append(Dyn(e))
				} else {
					b.Append(castDynamic(e, it.T))
				}
			}
			res.Cols[it.Col] = b.Build()
		}
		if x.IndexCol >= 0 {
			res.Cols[x.IndexCol] = &Column{T: TypeLong, N: len(index), I: index}
		}
		out = append(out, res)
	}
	return out, nil
}

// castDynamic converts an expanded element to a declared type: only
// values already of that kind convert, others become null ("to typeof"
// casts, it does not parse).
func castDynamic(e any, t Type) Value {
	switch t {
	case TypeString:
		if s, ok := e.(string); ok {
			return String(s)
		}
		if e == nil {
			return String("")
		}
		return String(DynString(e))
	}
	return convertDynamic(e, t)
}

func (ctx *execCtx) runParse(x *ParseNode) ([]*Chunk, error) {
	in, err := ctx.run(x.In)
	if err != nil {
		return nil, err
	}
	var out []*Chunk
	p := x.Pattern
	for _, ch := range in {
		src, err := x.Src.eval(ctx, ch)
		if err != nil {
			return nil, err
		}
		bs := make([]*builder, len(p.Cols))
		for i, t := range p.Types {
			bs[i] = newBuilder(t, ch.N)
		}
		var keep []int32
		// a parse of a dictionary column matches once per distinct value
		cache := map[string][]Value{}
		for r := 0; r < ch.N; r++ {
			s := src.Str(r)
			vals, ok := cache[s]
			if !ok {
				vals = parseOne(p, s)
				if src.IsDict() {
					cache[s] = vals
				}
			}
			if vals == nil {
				if x.Where {
					continue
				}
				for i, t := range p.Types {
					bs[i].Append(NullOf(t))
				}
			} else {
				for i := range p.Types {
					bs[i].Append(vals[i])
				}
			}
			keep = append(keep, int32(r))
		}
		if len(keep) == 0 {
			continue
		}
		res := &Chunk{N: len(keep), Cols: make([]*Column, len(x.Out))}
		pass := func(in, out int) {
			if ch.Cols[in] != nil {
				if len(keep) == ch.N {
					res.Cols[out] = ch.Cols[in]
				} else {
					res.Cols[out] = ch.Cols[in].Gather(keep)
				}
			}
		}
		for i := 0; i < x.NIn; i++ {
			pass(i, i)
		}
		for _, m := range x.Late {
			pass(m[0], m[1])
		}
		for i, col := range p.Cols {
			res.Cols[col] = bs[i].Build()
		}
		out = append(out, res)
	}
	return out, nil
}

// parseOne matches s against a parse pattern: the captured values, or nil
// when it does not match (or, in simple mode, a typed capture does not
// convert).
func parseOne(p *parsePattern, s string) []Value {
	if p.Plain {
		if strs, matched, ok := p.matchPlain(s); ok {
			if !matched {
				return nil
			}
			vals := make([]Value, len(strs))
			for i, v := range strs {
				vals[i] = String(v)
			}
			return vals
		}
	}
	m := p.Re.FindStringSubmatch(s)
	if m == nil {
		return nil
	}
	vals := make([]Value, len(p.Types))
	for i, t := range p.Types {
		g := ""
		if i+1 < len(m) {
			g = m[i+1]
		}
		v := Convert(String(g), t)
		if v.Null && t != TypeString && p.Kind == "simple" {
			return nil
		}
		vals[i] = v
	}
	return vals
}

func (ctx *execCtx) runMvApply(x *MvApplyNode) ([]*Chunk, error) {
	in, err := ctx.run(x.In)
	if err != nil {
		return nil, err
	}
	expand := &MvExpandNode{Items: x.Items, IndexCol: -1, Limit: -1, Bag: true, Out: x.Input.Cols}
	inS := x.In.Schema()
	expand.Keep = make([]int, len(inS))
	for i := range expand.Keep {
		expand.Keep[i] = i
	}
	var out []*Chunk
	total := 0
	for _, ch := range in {
		for r := 0; r < ch.N; r++ {
			one := ch.Gather([]int32{int32(r)})
			expand.In = &ValuesNode{Table: &MemTable{Cols: inS, Chunks: []*Chunk{one}}}
			rows, err := ctx.runMvExpand(expand)
			if err != nil {
				return nil, err
			}
			sub := ctx.child()
			sub.applyRows = map[*applyInput][]*Chunk{x.Input: rows}
			res, err := sub.run(x.Sub)
			if err != nil {
				return nil, err
			}
			for _, rc := range res {
				if rc.N == 0 {
					continue
				}
				idx := make([]int32, rc.N)
				o := &Chunk{N: rc.N, Cols: make([]*Column, 0, len(x.Out))}
				for _, k := range x.Keep {
					if c := one.Cols[k]; c != nil {
						o.Cols = append(o.Cols, c.Gather(idx))
					} else {
						o.Cols = append(o.Cols, nil)
					}
				}
				o.Cols = append(o.Cols, rc.Cols...)
				out = append(out, o)
				total += rc.N
				if err := ctx.checkRows(total, "mv-apply"); err != nil {
					return nil, err
				}
			}
		}
	}
	return out, nil
}

func (ctx *execCtx) runMakeSeries(x *MakeSeriesNode) ([]*Chunk, error) {
	in, err := ctx.run(x.In)
	if err != nil {
		return nil, err
	}
	one := &Chunk{N: 1}
	getV := func(e Expr) (Value, bool) {
		if e == nil {
			return Value{}, false
		}
		c, err := e.eval(ctx, one)
		if err != nil {
			return Value{}, false
		}
		v := c.Get(0)
		return v, !v.Null
	}
	step, ok := getV(x.Step)
	if !ok {
		return nil, errorf("make-series needs a step")
	}
	type group struct {
		keys []Value
		bins map[int64][]aggState
	}
	groups := map[string]*group{}
	var order []*group
	var buf strings.Builder
	lo, hi := int64(1<<62), int64(-1<<62)
	stepI := Convert(step, TypeTimeSpan).I
	if x.Axis.Type().isNumeric() {
		stepI = Convert(step, TypeLong).I
	}
	if stepI <= 0 {
		return nil, errorf("make-series step must be positive")
	}
	from, hasFrom := getV(x.From)
	to, hasTo := getV(x.To)
	for _, ch := range in {
		gcols := make([]*Column, len(x.Groups))
		for i, e := range x.Groups {
			c, err := e.eval(ctx, ch)
			if err != nil {
				return nil, err
			}
			gcols[i] = c
		}
		axis, err := x.Axis.eval(ctx, ch)
		if err != nil {
			return nil, err
		}
		acols := make([][]*Column, len(x.Aggs))
		for i, a := range x.Aggs {
			if acols[i], err = evalAggArgs(ctx, a, ch); err != nil {
				return nil, err
			}
		}
		for r := 0; r < ch.N; r++ {
			av := axis.Get(r)
			if av.Null {
				continue
			}
			pos := av.I
			if av.T.isFloat() {
				pos = int64(av.F)
			}
			k := rowKey(gcols, r, &buf)
			g := groups[k]
			if g == nil {
				keys := make([]Value, len(gcols))
				for i, c := range gcols {
					keys[i] = c.Get(r)
				}
				g = &group{keys: keys, bins: map[int64][]aggState{}}
				groups[k] = g
				order = append(order, g)
			}
			start := int64(0)
			if hasFrom {
				start = from.I
			}
			bin := start + floorDiv(pos-start, stepI)*stepI
			lo, hi = min(lo, bin), max(hi, bin)
			st := g.bins[bin]
			if st == nil {
				for _, a := range x.Aggs {
					st = append(st, a.new())
				}
				g.bins[bin] = st
			}
			for i, a := range st {
				vals := make([]Value, len(acols[i]))
				for j, c := range acols[i] {
					vals[j] = c.Get(r)
				}
				a.add(vals)
			}
		}
	}
	if hasFrom {
		lo = from.I
	}
	if hasTo {
		hi = to.I - 1
	}
	if len(order) == 0 || hi < lo {
		return nil, nil
	}
	nbins := (hi-lo)/stepI + 1
	if nbins > 100000 {
		return nil, errorf("make-series would make %d bins", nbins)
	}
	bs := make([]*builder, len(x.Out))
	for i, c := range x.Out {
		bs[i] = newBuilder(c.Type, len(order))
	}
	for _, g := range order {
		k := 0
		for _, v := range g.keys {
			bs[k].Append(v)
			k++
		}
		for ai := range x.Aggs {
			arr := make([]any, nbins)
			for b := int64(0); b < nbins; b++ {
				st := g.bins[lo+b*stepI]
				if st == nil {
					arr[b] = ToDynamic(x.Defaults[ai])
				} else {
					arr[b] = ToDynamic(st[ai].result()[0])
				}
			}
			bs[k].Append(Dyn(arr))
			k++
		}
		axis := make([]any, nbins)
		for b := int64(0); b < nbins; b++ {
			if x.Axis.Type() == TypeDateTime {
				axis[b] = DynDateTime(lo + b*stepI)
			} else {
				axis[b] = lo + b*stepI
			}
		}
		bs[k].Append(Dyn(axis))
	}
	out := &Chunk{N: len(order), Cols: make([]*Column, len(bs))}
	for i, b := range bs {
		out.Cols[i] = b.Build()
	}
	return []*Chunk{out}, nil
}
