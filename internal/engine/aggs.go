package engine

import (
	"math"
	"sort"
	"strings"

	"github.com/detwiki/detwiki/internal/lang/kql"
)

// aggCall is a checked aggregate: its arguments and output columns.
type aggCall struct {
	Name    string
	Args    []Expr
	Star    bool  // arg_max(x, *): return every input column
	StarCol []int // the input columns returned with Star
	OutCols Schema
	Params  []float64 // percentiles
	new     func() aggState
}

// aggState accumulates one group.
type aggState interface {
	add(args []Value)
	result() []Value
}

var aggregateNames = map[string]string{
	"count": "count", "countif": "countif", "dcount": "dcount", "dcountif": "dcountif",
	"count_distinct": "dcount", "count_distinctif": "dcountif",
	"sum": "sum", "sumif": "sumif", "avg": "avg", "avgif": "avgif", "min": "min", "max": "max",
	"minif": "minif", "maxif": "maxif", "arg_min": "arg_min", "arg_max": "arg_max", "argmin": "arg_min",
	"argmax": "arg_max", "make_set": "make_set", "makeset": "make_set", "make_set_if": "make_set_if",
	"make_list": "make_list", "makelist": "make_list", "make_list_if": "make_list_if",
	"make_list_with_nulls": "make_list_with_nulls", "make_bag": "make_bag", "make_bag_if": "make_bag_if",
	"take_any": "take_any", "any": "take_any", "take_anyif": "take_anyif", "anyif": "take_anyif",
	"percentile": "percentile", "percentiles": "percentiles", "stdev": "stdev", "stdevp": "stdevp",
	"variance": "variance", "variancep": "variancep", "stdevif": "stdevif", "varianceif": "varianceif",
	"percentiles_array": "percentiles_array", "hll": "", "tdigest": "", "buildschema": "",
	"binary_all_and": "", "binary_all_or": "", "binary_all_xor": "", "make_bag_with_nulls": "",
}

// isAggregate reports whether name is an aggregation function.
func isAggregate(name string) bool {
	_, ok := aggregateNames[strings.ToLower(name)]
	return ok
}

// aggregate checks an aggregate call over the input schema s.
func (c *checker) aggregate(call *kql.CallExpr, s Schema, sc *scope) *aggCall {
	lname := strings.ToLower(call.Fun.Name)
	kind := aggregateNames[lname]
	if kind == "" {
		c.fail(call.Fun, CodeFunction, "aggregate '%s' is not supported by detwiki's engine", call.Fun.Name)
	}
	a := &aggCall{Name: kind}
	argName := ""
	if len(call.Args) > 0 {
		argName = nameOf(call.Args[0])
	}
	for i, x := range call.Args {
		if ne, ok := x.(*kql.NamedExpr); ok {
			x = ne.Value
		}
		if _, ok := x.(*kql.StarExpr); ok {
			if (kind == "arg_max" || kind == "arg_min") && i > 0 {
				a.Star = true
				continue
			}
			if kind == "take_any" {
				a.Star = true
				continue
			}
			c.fail(x, CodeSemantic, "'*' is not allowed in %s", call.Fun.Name)
		}
		if (kind == "percentile" || kind == "percentiles") && i > 0 {
			k, ok := c.foldConst(c.expr(x, sc, s)).(*constExpr)
			if !ok {
				c.fail(x, CodeType, "percentile needs constant percentages")
			}
			f, _ := toF(k.V)
			a.Params = append(a.Params, f)
			continue
		}
		a.Args = append(a.Args, c.expr(x, sc, s))
	}
	need := func(n int) {
		if len(a.Args) < n {
			c.fail(call, CodeType, "%s needs %d argument(s)", call.Fun.Name, n)
		}
	}
	t0 := TypeUnknown
	if len(a.Args) > 0 {
		t0 = a.Args[0].Type()
	}
	out := func(prefix string, t Type) {
		a.OutCols = Schema{{Name: prefix + "_" + argName, Type: t}}
	}
	switch kind {
	case "count":
		a.OutCols = Schema{{Name: "count_" + argName, Type: TypeLong}}
		a.Args = nil
		a.new = func() aggState { return &countAgg{} }
	case "countif":
		need(1)
		a.OutCols = Schema{{Name: "countif_", Type: TypeLong}}
		a.new = func() aggState { return &countAgg{cond: true} }
	case "dcount", "dcountif":
		need(1)
		out(kind, TypeLong)
		a.new = func() aggState { return &dcountAgg{cond: kind == "dcountif", seen: map[string]bool{}} }
	case "sum", "sumif":
		need(1)
		t := TypeLong
		if t0.isFloat() || t0 == TypeDynamic {
			t = TypeReal
		} else if t0 == TypeTimeSpan {
			t = TypeTimeSpan
		}
		out(kind, t)
		a.new = func() aggState { return &sumAgg{cond: kind == "sumif", t: t} }
	case "avg", "avgif":
		need(1)
		out(kind, TypeReal)
		a.new = func() aggState { return &avgAgg{cond: kind == "avgif"} }
	case "min", "max", "minif", "maxif":
		need(1)
		out(kind, t0)
		isMax := strings.HasPrefix(kind, "max")
		a.new = func() aggState { return &minMaxAgg{max: isMax, cond: strings.HasSuffix(kind, "if"), t: t0} }
	case "arg_min", "arg_max":
		need(1)
		first := argName
		if first == "" {
			first = strings.TrimPrefix(kind, "arg_") + "_"
		}
		a.OutCols = Schema{{Name: first, Type: t0}}
		var extra []int
		if a.Star {
			skip := -1
			if r, ok := a.Args[0].(*colRef); ok {
				skip = r.Index
			}
			for i, col := range s {
				if i != skip {
					a.StarCol = append(a.StarCol, i)
					a.OutCols = append(a.OutCols, col)
				}
			}
		}
		for k, e := range a.Args[1:] {
			name := nameOf(call.Args[k+1])
			if ne, ok := call.Args[k+1].(*kql.NamedExpr); ok {
				name = ne.Names[0].Name
			}
			if name == "" {
				name = columnN(a.OutCols)
			}
			a.OutCols = append(a.OutCols, ColumnDef{Name: name, Type: e.Type()})
			extra = append(extra, k+1)
		}
		isMax := kind == "arg_max"
		n := len(a.OutCols)
		a.new = func() aggState { return &argAgg{max: isMax, n: n, t: t0} }
		_ = extra
	case "make_set", "make_set_if", "make_list", "make_list_if", "make_list_with_nulls":
		need(1)
		prefix := "set"
		if strings.HasPrefix(kind, "make_list") {
			prefix = "list"
		}
		out(prefix, TypeDynamic)
		limit := 1048576
		cond := strings.HasSuffix(kind, "_if")
		if len(a.Args) > 1 && !cond || len(a.Args) > 2 {
			if k, ok := c.foldConst(a.Args[len(a.Args)-1]).(*constExpr); ok {
				if n, ok := toI(k.V); ok && n > 0 {
					limit = int(n)
				}
			}
		}
		set := prefix == "set"
		nulls := kind == "make_list_with_nulls"
		a.new = func() aggState {
			return &collectAgg{set: set, cond: cond, limit: limit, nulls: nulls, seen: map[string]bool{}}
		}
	case "make_bag", "make_bag_if":
		need(1)
		out("bag", TypeDynamic)
		a.new = func() aggState { return &bagAgg{cond: kind == "make_bag_if", bag: &Bag{}} }
	case "take_any", "take_anyif":
		if a.Star {
			a.OutCols = s.clone()
			for i := range s {
				a.StarCol = append(a.StarCol, i)
			}
			n := len(s)
			a.new = func() aggState { return &anyAgg{n: n} }
			break
		}
		need(1)
		if kind == "take_anyif" {
			out("any", t0)
			a.new = func() aggState { return &anyAgg{n: 1, cond: true} }
			break
		}
		a.OutCols = nil
		for k, e := range a.Args {
			name := "any_" + nameOf(call.Args[k])
			if ne, ok := call.Args[k].(*kql.NamedExpr); ok {
				name = ne.Names[0].Name
			}
			a.OutCols = append(a.OutCols, ColumnDef{Name: name, Type: e.Type()})
		}
		n := len(a.Args)
		a.new = func() aggState { return &anyAgg{n: n} }
	case "percentile", "percentiles", "percentiles_array":
		need(1)
		if len(a.Params) == 0 {
			c.fail(call, CodeType, "%s needs percentages", call.Fun.Name)
		}
		t := t0
		if kind == "percentiles_array" {
			a.OutCols = Schema{{Name: "percentiles_" + argName, Type: TypeDynamic}}
		} else {
			for _, p := range a.Params {
				a.OutCols = append(a.OutCols, ColumnDef{Name: "percentile_" + argName + "_" + FormatReal(p), Type: t})
			}
		}
		params := a.Params
		asArray := kind == "percentiles_array"
		a.new = func() aggState { return &percentileAgg{ps: params, t: t, array: asArray} }
	case "stdev", "stdevp", "variance", "variancep", "stdevif", "varianceif":
		need(1)
		out(kind, TypeReal)
		a.new = func() aggState { return &varAgg{kind: kind} }
	}
	return a
}

// evalAggArgs evaluates an aggregate's arguments over a chunk.
func evalAggArgs(ctx *execCtx, a *aggCall, ch *Chunk) ([]*Column, error) {
	cols := make([]*Column, 0, len(a.Args)+len(a.StarCol))
	for _, e := range a.Args {
		c, err := e.eval(ctx, ch)
		if err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	for _, i := range a.StarCol {
		c := ch.Cols[i]
		if c == nil {
			c = ConstColumn(NullOf(TypeString), ch.N)
		}
		cols = append(cols, c)
	}
	return cols, nil
}

func truthy(v Value) bool {
	b := Convert(v, TypeBool)
	return !b.Null && b.I != 0
}

type countAgg struct {
	cond bool
	n    int64
}

func (a *countAgg) add(v []Value) {
	if !a.cond || truthy(v[0]) {
		a.n++
	}
}
func (a *countAgg) result() []Value { return []Value{Long(a.n)} }

type dcountAgg struct {
	cond bool
	seen map[string]bool
}

func (a *dcountAgg) add(v []Value) {
	if isNullish(v[0]) || a.cond && !truthy(v[1]) {
		return
	}
	a.seen[groupKey(v[0])] = true
}
func (a *dcountAgg) result() []Value { return []Value{Long(int64(len(a.seen)))} }

type sumAgg struct {
	cond bool
	t    Type
	i    int64
	f    float64
	any  bool
}

func (a *sumAgg) add(v []Value) {
	if isNullish(v[0]) || a.cond && !truthy(v[1]) {
		return
	}
	a.any = true
	if a.t == TypeReal {
		f, _ := toF(v[0])
		a.f += f
	} else {
		a.i += Convert(v[0], a.t).I
	}
}
func (a *sumAgg) result() []Value {
	if !a.any {
		// Kusto's default value of sum and sumif over no (non-null)
		// value is 0 ("Default values of aggregations", summarize operator)
		if a.t == TypeReal {
			return []Value{Real(0)}
		}
		return []Value{{T: a.t}}
	}
	if a.t == TypeReal {
		return []Value{Real(a.f)}
	}
	return []Value{{T: a.t, I: a.i}}
}

type avgAgg struct {
	cond bool
	sum  float64
	n    int64
}

func (a *avgAgg) add(v []Value) {
	if isNullish(v[0]) || a.cond && !truthy(v[1]) {
		return
	}
	f, ok := toF(v[0])
	if !ok {
		return
	}
	a.sum += f
	a.n++
}
func (a *avgAgg) result() []Value {
	if a.n == 0 {
		// 0/0: Kusto's avg over no (non-null) value is NaN (summarize
		// operator, "Aggregates default values")
		return []Value{Real(math.NaN())}
	}
	return []Value{Real(a.sum / float64(a.n))}
}

type minMaxAgg struct {
	max, cond bool
	t         Type
	best      Value
	found     bool
}

func (a *minMaxAgg) add(v []Value) {
	if isNullish(v[0]) || a.cond && !truthy(v[1]) {
		return
	}
	if a.t == TypeString && v[0].S == "" {
		return
	}
	if !a.found {
		a.best, a.found = v[0], true
		return
	}
	if c, ok := compareValues(v[0], a.best); ok && (a.max && c > 0 || !a.max && c < 0) {
		a.best = v[0]
	}
}
func (a *minMaxAgg) result() []Value {
	if !a.found {
		return []Value{NullOf(a.t)}
	}
	return []Value{a.best}
}

type argAgg struct {
	max   bool
	n     int
	t     Type
	best  []Value
	found bool
}

func (a *argAgg) add(v []Value) {
	if isNullish(v[0]) {
		if !a.found && a.best == nil {
			a.best = append([]Value(nil), v...)
		}
		return
	}
	if a.found {
		c, ok := compareValues(v[0], a.best[0])
		if !ok || a.max && c <= 0 || !a.max && c >= 0 {
			return
		}
	}
	a.best = append(a.best[:0], v...)
	a.found = true
}
func (a *argAgg) result() []Value {
	if a.best == nil {
		out := make([]Value, a.n)
		for i := range out {
			out[i] = NullOf(TypeString)
		}
		out[0] = NullOf(a.t)
		return out
	}
	return a.best
}

type collectAgg struct {
	set, cond, nulls bool
	limit            int
	seen             map[string]bool
	items            []any
}

func (a *collectAgg) add(v []Value) {
	if a.cond && !truthy(v[1]) || len(a.items) >= a.limit {
		return
	}
	if isNullish(v[0]) && !a.nulls {
		return
	}
	d := ToDynamic(v[0])
	if a.set {
		k := dynKey(d)
		if a.seen[k] {
			return
		}
		a.seen[k] = true
	}
	a.items = append(a.items, d)
}
func (a *collectAgg) result() []Value {
	if a.items == nil {
		return []Value{Dyn([]any{})}
	}
	return []Value{Dyn(a.items)}
}

type bagAgg struct {
	cond bool
	bag  *Bag
}

func (a *bagAgg) add(v []Value) {
	if a.cond && !truthy(v[1]) {
		return
	}
	if b, ok := dynOf(v[0]).(*Bag); ok {
		for i, k := range b.Keys {
			if _, exists := a.bag.Get(k); !exists {
				a.bag.Set(k, b.Vals[i])
			}
		}
	}
}
func (a *bagAgg) result() []Value { return []Value{Dyn(a.bag)} }

type anyAgg struct {
	n    int
	cond bool
	got  []Value
}

func (a *anyAgg) add(v []Value) {
	if a.got != nil {
		return
	}
	if a.cond {
		if !truthy(v[1]) {
			return
		}
		a.got = []Value{v[0]}
		return
	}
	a.got = append([]Value(nil), v[:a.n]...)
}
func (a *anyAgg) result() []Value {
	if a.got == nil {
		out := make([]Value, a.n)
		for i := range out {
			out[i] = NullOf(TypeString)
		}
		return out
	}
	return a.got
}

type percentileAgg struct {
	ps    []float64
	t     Type
	vals  []Value
	array bool
}

func (a *percentileAgg) add(v []Value) {
	if !isNullish(v[0]) {
		a.vals = append(a.vals, v[0])
	}
}

// result picks the nearest-rank percentile (Kusto estimates; on small
// inputs the estimate is the nearest rank).
func (a *percentileAgg) result() []Value {
	sort.Slice(a.vals, func(i, j int) bool { c, _ := compareValues(a.vals[i], a.vals[j]); return c < 0 })
	out := make([]Value, len(a.ps))
	for i, p := range a.ps {
		if len(a.vals) == 0 {
			out[i] = NullOf(a.t)
			continue
		}
		rank := int(math.Ceil(p/100*float64(len(a.vals)))) - 1
		rank = max(0, min(rank, len(a.vals)-1))
		out[i] = a.vals[rank]
	}
	if a.array {
		arr := make([]any, len(out))
		for i, v := range out {
			arr[i] = ToDynamic(v)
		}
		return []Value{Dyn(arr)}
	}
	return out
}

type varAgg struct {
	kind string
	xs   []float64
}

func (a *varAgg) add(v []Value) {
	if isNullish(v[0]) || strings.HasSuffix(a.kind, "if") && !truthy(v[1]) {
		return
	}
	if f, ok := toF(v[0]); ok {
		a.xs = append(a.xs, f)
	}
}
func (a *varAgg) result() []Value {
	n := float64(len(a.xs))
	sample := !strings.HasSuffix(strings.TrimSuffix(a.kind, "if"), "p")
	if n < 2 && (n == 0 || sample) {
		// one value: no spread; none: Kusto's default value of stdev and
		// variance, 0 ("Default values of aggregations")
		return []Value{Real(0)}
	}
	mean := 0.0
	for _, x := range a.xs {
		mean += x
	}
	mean /= n
	ss := 0.0
	for _, x := range a.xs {
		ss += (x - mean) * (x - mean)
	}
	d := n
	if sample {
		d = n - 1
	}
	v := ss / d
	if strings.HasPrefix(a.kind, "stdev") {
		v = math.Sqrt(v)
	}
	return []Value{Real(v)}
}
