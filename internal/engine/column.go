package engine

// Column is a typed column of N values. Exactly one representation is set:
//
//   - Const: one value for every row (literals, scalars);
//   - I (bool, int, long, datetime, timespan), F (real, decimal), D (dynamic);
//   - S for strings and guids, or Dict and Codes for dictionary-encoded
//     strings (the value of row r is Dict[Codes[r]]).
//
// Null marks null rows of the non-string types (nil when none are null).
// Columns are immutable once built and may be shared between chunks.
type Column struct {
	T     Type
	N     int
	Const *Value
	I     []int64
	F     []float64
	S     []string
	Dict  []string
	Codes []uint32
	D     []any
	Null  []bool
}

// ConstColumn returns a column of n copies of v.
func ConstColumn(v Value, n int) *Column {
	return &Column{T: v.T, N: n, Const: &v}
}

// IsDict reports whether the column is dictionary-encoded.
func (c *Column) IsDict() bool { return c.Codes != nil }

// Get returns the value of row r.
func (c *Column) Get(r int) Value {
	if c.Const != nil {
		return *c.Const
	}
	switch {
	case c.Codes != nil:
		return Value{T: c.T, S: c.Dict[c.Codes[r]]}
	case c.S != nil:
		if c.Null != nil && c.Null[r] {
			return Value{T: c.T, Null: c.T != TypeString}
		}
		return Value{T: c.T, S: c.S[r]}
	case c.D != nil:
		return Dyn(c.D[r])
	case c.I != nil:
		if c.Null != nil && c.Null[r] {
			return NullOf(c.T)
		}
		return Value{T: c.T, I: c.I[r]}
	case c.F != nil:
		if c.Null != nil && c.Null[r] {
			return NullOf(c.T)
		}
		return Value{T: c.T, F: c.F[r]}
	}
	// an empty column of a type with no storage yet: every row is null
	return NullOf(c.T)
}

// IsNullAt reports whether row r is null.
func (c *Column) IsNullAt(r int) bool {
	if c.Const != nil {
		return c.Const.Null
	}
	if c.Null != nil {
		return c.Null[r]
	}
	if c.D != nil {
		return c.D[r] == nil
	}
	return false
}

// Str returns the string of row r of a string column.
func (c *Column) Str(r int) string {
	if c.Const != nil {
		return c.Const.S
	}
	if c.Codes != nil {
		return c.Dict[c.Codes[r]]
	}
	if c.S != nil {
		return c.S[r]
	}
	return c.Get(r).String()
}

// Gather returns the rows idx of c, in that order.
func (c *Column) Gather(idx []int32) *Column {
	n := len(idx)
	if c.Const != nil {
		return &Column{T: c.T, N: n, Const: c.Const}
	}
	out := &Column{T: c.T, N: n}
	switch {
	case c.Codes != nil:
		out.Dict = c.Dict
		out.Codes = make([]uint32, n)
		for i, r := range idx {
			out.Codes[i] = c.Codes[r]
		}
		return out
	case c.S != nil:
		out.S = make([]string, n)
		for i, r := range idx {
			out.S[i] = c.S[r]
		}
	case c.D != nil:
		out.D = make([]any, n)
		for i, r := range idx {
			out.D[i] = c.D[r]
		}
	case c.I != nil:
		out.I = make([]int64, n)
		for i, r := range idx {
			out.I[i] = c.I[r]
		}
	case c.F != nil:
		out.F = make([]float64, n)
		for i, r := range idx {
			out.F[i] = c.F[r]
		}
	default:
		return &Column{T: c.T, N: n, Const: ptr(NullOf(c.T))}
	}
	if c.Null != nil {
		out.Null = make([]bool, n)
		for i, r := range idx {
			out.Null[i] = c.Null[r]
		}
	}
	return out
}

func ptr(v Value) *Value { return &v }

// Compact returns c in the form predicates run fastest on: a plain string
// column with repeated values (at most half as many distinct values as
// rows) dictionary-encoded, a dictionary column whose dictionary holds
// values no row uses (after a gather) re-encoded with only the used ones;
// other columns as they are. Predicates over a dictionary column run once
// per distinct value.
func (c *Column) Compact() *Column {
	switch {
	case c.Codes != nil && len(c.Dict) > c.N:
		remap := make([]uint32, len(c.Dict))
		var dict []string
		codes := make([]uint32, c.N)
		for r, k := range c.Codes {
			m := remap[k]
			if m == 0 {
				dict = append(dict, c.Dict[k])
				m = uint32(len(dict))
				remap[k] = m
			}
			codes[r] = m - 1
		}
		return &Column{T: c.T, N: c.N, Dict: dict, Codes: codes}
	case c.S != nil && c.Null == nil && c.T == TypeString && c.N >= 16:
		index := make(map[string]uint32, 64)
		var dict []string
		codes := make([]uint32, c.N)
		for r, s := range c.S {
			k, ok := index[s]
			if !ok {
				if len(dict) > c.N/2 {
					return c
				}
				k = uint32(len(dict))
				index[s] = k
				dict = append(dict, s)
			}
			codes[r] = k
		}
		return &Column{T: c.T, N: c.N, Dict: dict, Codes: codes}
	}
	return c
}

// Materialize returns c without the Const form (for operators that append
// columns of several chunks).
func (c *Column) Materialize() *Column {
	if c.Const == nil {
		return c
	}
	b := newBuilder(c.T, c.N)
	for i := 0; i < c.N; i++ {
		b.Append(*c.Const)
	}
	return b.Build()
}

// builder appends values into a new column.
type builder struct {
	t     Type
	i     []int64
	f     []float64
	s     []string
	d     []any
	null  []bool
	nulls bool
	n     int
}

func newBuilder(t Type, capacity int) *builder {
	b := &builder{t: t}
	switch {
	case t.storesInt():
		b.i = make([]int64, 0, capacity)
	case t.isFloat():
		b.f = make([]float64, 0, capacity)
	case t == TypeString || t == TypeGuid:
		b.s = make([]string, 0, capacity)
	case t == TypeDynamic:
		b.d = make([]any, 0, capacity)
	}
	b.null = make([]bool, 0, capacity)
	return b
}

// Append adds v, converted to the builder's type when it differs.
func (b *builder) Append(v Value) {
	if v.T != b.t && !(v.Null && v.T != TypeDynamic) {
		v = Convert(v, b.t)
	}
	isNull := v.Null
	if isNull && b.t != TypeDynamic {
		b.nulls = true
	}
	switch {
	case b.t.storesInt():
		b.i = append(b.i, v.I)
	case b.t.isFloat():
		b.f = append(b.f, v.F)
	case b.t == TypeString || b.t == TypeGuid:
		if isNull {
			b.s = append(b.s, "")
		} else {
			b.s = append(b.s, v.S)
		}
		if b.t == TypeString {
			isNull = false
		}
	case b.t == TypeDynamic:
		if isNull {
			b.d = append(b.d, nil)
		} else {
			b.d = append(b.d, v.D)
		}
		isNull = false
	}
	b.null = append(b.null, isNull)
	b.n++
}

// Build returns the column.
func (b *builder) Build() *Column {
	c := &Column{T: b.t, N: b.n}
	switch {
	case b.t.storesInt():
		c.I = b.i
	case b.t.isFloat():
		c.F = b.f
	case b.t == TypeString || b.t == TypeGuid:
		c.S = b.s
	case b.t == TypeDynamic:
		c.D = b.d
	default:
		return &Column{T: b.t, N: b.n, Const: ptr(NullOf(b.t))}
	}
	if b.nulls {
		c.Null = b.null
	}
	return c
}

// Chunk is a block of rows: one column per schema column, all of length N.
type Chunk struct {
	N    int
	Cols []*Column
}

// Gather returns the rows idx of the chunk.
func (ch *Chunk) Gather(idx []int32) *Chunk {
	out := &Chunk{N: len(idx), Cols: make([]*Column, len(ch.Cols))}
	for i, c := range ch.Cols {
		if c != nil {
			out.Cols[i] = c.Gather(idx)
		}
	}
	return out
}

// Row returns row r of the chunk.
func (ch *Chunk) Row(r int) []Value {
	out := make([]Value, len(ch.Cols))
	for i, c := range ch.Cols {
		if c != nil {
			out[i] = c.Get(r)
		}
	}
	return out
}

// concatChunks merges chunks into one (for operators that need all rows at
// once: sort, serialize).
func concatChunks(schema Schema, chunks []*Chunk) *Chunk {
	if len(chunks) == 1 {
		return chunks[0]
	}
	total := 0
	for _, ch := range chunks {
		total += ch.N
	}
	out := &Chunk{N: total, Cols: make([]*Column, len(schema))}
	for j, col := range schema {
		allDict := len(chunks) > 0
		for _, ch := range chunks {
			if c := ch.Cols[j]; c == nil || !c.IsDict() {
				allDict = false
				break
			}
		}
		if allDict && sameDict(chunks, j) {
			codes := make([]uint32, 0, total)
			for _, ch := range chunks {
				codes = append(codes, ch.Cols[j].Codes...)
			}
			out.Cols[j] = &Column{T: col.Type, N: total, Dict: chunks[0].Cols[j].Dict, Codes: codes}
			continue
		}
		b := newBuilder(col.Type, total)
		for _, ch := range chunks {
			c := ch.Cols[j]
			for r := 0; r < ch.N; r++ {
				if c == nil {
					b.Append(NullOf(col.Type))
				} else {
					b.Append(c.Get(r))
				}
			}
		}
		out.Cols[j] = b.Build()
	}
	return out
}

func sameDict(chunks []*Chunk, j int) bool {
	d := chunks[0].Cols[j].Dict
	for _, ch := range chunks[1:] {
		e := ch.Cols[j].Dict
		if len(e) != len(d) || len(d) > 0 && &e[0] != &d[0] {
			return false
		}
	}
	return true
}
