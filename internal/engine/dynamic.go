package engine

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A dynamic value is one of: nil (null), bool, int64, float64, string,
// []any (array), *Bag (property bag), DynDateTime, DynTimeSpan.

// Bag is a property bag: keys in insertion order.
type Bag struct {
	Keys []string
	Vals []any
}

// DynDateTime is a datetime held in a dynamic value (ticks).
type DynDateTime int64

// DynTimeSpan is a timespan held in a dynamic value (ticks).
type DynTimeSpan int64

// Get returns the value under key k.
func (b *Bag) Get(k string) (any, bool) {
	for i, key := range b.Keys {
		if key == k {
			return b.Vals[i], true
		}
	}
	return nil, false
}

// Set sets key k (replacing an existing value).
func (b *Bag) Set(k string, v any) {
	for i, key := range b.Keys {
		if key == k {
			b.Vals[i] = v
			return
		}
	}
	b.Keys = append(b.Keys, k)
	b.Vals = append(b.Vals, v)
}

// Len returns the number of keys.
func (b *Bag) Len() int { return len(b.Keys) }

// ParseJSON decodes JSON text into a dynamic value. Text that is not JSON
// gives (nil, false).
func ParseJSON(s string) (any, bool) {
	p := jsonParser{s: s}
	p.ws()
	v, ok := p.value(0)
	if !ok {
		return nil, false
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, false
	}
	return v, true
}

type jsonParser struct {
	s string
	i int
}

func (p *jsonParser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (any, bool) {
	if depth > 256 || p.i >= len(p.s) {
		return nil, false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		p.i++
		b := &Bag{}
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return b, true
		}
		for {
			p.ws()
			if p.i >= len(p.s) || p.s[p.i] != '"' {
				return nil, false
			}
			k, ok := p.str()
			if !ok {
				return nil, false
			}
			p.ws()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return nil, false
			}
			p.i++
			p.ws()
			v, ok := p.value(depth + 1)
			if !ok {
				return nil, false
			}
			b.Set(k, v)
			p.ws()
			if p.i >= len(p.s) {
				return nil, false
			}
			if p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.s[p.i] == '}' {
				p.i++
				return b, true
			}
			return nil, false
		}
	case c == '[':
		p.i++
		arr := []any{}
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			return arr, true
		}
		for {
			p.ws()
			v, ok := p.value(depth + 1)
			if !ok {
				return nil, false
			}
			arr = append(arr, v)
			p.ws()
			if p.i >= len(p.s) {
				return nil, false
			}
			if p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.s[p.i] == ']' {
				p.i++
				return arr, true
			}
			return nil, false
		}
	case c == '"':
		return p.str()
	case strings.HasPrefix(p.s[p.i:], "true"):
		p.i += 4
		return true, true
	case strings.HasPrefix(p.s[p.i:], "false"):
		p.i += 5
		return false, true
	case strings.HasPrefix(p.s[p.i:], "null"):
		p.i += 4
		return nil, true
	default:
		start := p.i
		if p.i < len(p.s) && (p.s[p.i] == '-' || p.s[p.i] == '+') {
			p.i++
		}
		isFloat := false
		for p.i < len(p.s) {
			c := p.s[p.i]
			if c >= '0' && c <= '9' {
			} else if c == '.' || c == 'e' || c == 'E' || (c == '-' || c == '+') && p.i > start && (p.s[p.i-1] == 'e' || p.s[p.i-1] == 'E') {
				isFloat = true
			} else {
				break
			}
			p.i++
		}
		lit := p.s[start:p.i]
		if lit == "" || lit == "-" {
			return nil, false
		}
		if !isFloat {
			if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
				return n, true
			}
		}
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil && !math.IsInf(f, 0) {
			return nil, false
		}
		return f, true
	}
}

func (p *jsonParser) str() (string, bool) {
	p.i++
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != '"' && p.s[p.i] != '\\' {
		p.i++
	}
	if p.i < len(p.s) && p.s[p.i] == '"' {
		s := p.s[start:p.i]
		p.i++
		return s, true
	}
	var b strings.Builder
	b.WriteString(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch c {
		case '"':
			p.i++
			return b.String(), true
		case '\\':
			if p.i+1 >= len(p.s) {
				return "", false
			}
			e := p.s[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				if p.i+4 > len(p.s) {
					return "", false
				}
				n, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
				if err != nil {
					return "", false
				}
				p.i += 4
				r := rune(n)
				if utf16.IsSurrogate(r) && p.i+6 <= len(p.s) && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
					if n2, err := strconv.ParseUint(p.s[p.i+2:p.i+6], 16, 32); err == nil {
						r = utf16.DecodeRune(r, rune(n2))
						p.i += 6
					}
				}
				b.WriteRune(r)
			default:
				return "", false
			}
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return "", false
}

// DynString returns tostring() of a dynamic value: a string as it is, null
// as "", anything else as JSON.
func DynString(d any) string {
	switch x := d.(type) {
	case nil:
		return ""
	case string:
		return x
	case DynDateTime:
		return FormatDateTime(int64(x))
	case DynTimeSpan:
		return FormatTimeSpan(int64(x))
	}
	return string(AppendJSON(nil, d))
}

// AppendJSON appends the JSON text of a dynamic value.
func AppendJSON(b []byte, d any) []byte {
	switch x := d.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.AppendQuote(b, FormatReal(x))
		}
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.AppendFloat(b, x, 'f', -1, 64)
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case string:
		return appendJSONString(b, x)
	case DynDateTime:
		return appendJSONString(b, FormatDateTime(int64(x)))
	case DynTimeSpan:
		return appendJSONString(b, FormatTimeSpan(int64(x)))
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSON(b, e)
		}
		return append(b, ']')
	case *Bag:
		b = append(b, '{')
		for i, k := range x.Keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = AppendJSON(b, x.Vals[i])
		}
		return append(b, '}')
	}
	return append(b, "null"...)
}

const hexDigits = "0123456789abcdef"

func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// ToDynamic converts a scalar value into a dynamic one.
func ToDynamic(v Value) any {
	if v.Null {
		return nil
	}
	switch v.T {
	case TypeBool:
		return v.I != 0
	case TypeInt, TypeLong:
		return v.I
	case TypeReal, TypeDecimal:
		return v.F
	case TypeString, TypeGuid:
		return v.S
	case TypeDateTime:
		return DynDateTime(v.I)
	case TypeTimeSpan:
		return DynTimeSpan(v.I)
	case TypeDynamic:
		return v.D
	}
	return nil
}

// convertDynamic converts a dynamic value to a scalar type (tostring,
// toint, todatetime, ... of dynamic values).
func convertDynamic(d any, t Type) Value {
	if t == TypeDynamic {
		return Dyn(d)
	}
	switch x := d.(type) {
	case nil:
		return NullOf(t)
	case bool:
		return Convert(Bool(x), t)
	case int64:
		return Convert(Long(x), t)
	case float64:
		return Convert(Real(x), t)
	case string:
		return Convert(String(x), t)
	case DynDateTime:
		return Convert(Value{T: TypeDateTime, I: int64(x)}, t)
	case DynTimeSpan:
		return Convert(Value{T: TypeTimeSpan, I: int64(x)}, t)
	}
	if t == TypeString {
		return String(DynString(d))
	}
	return NullOf(t)
}

// dynTypeName returns gettype() of a dynamic value.
func dynTypeName(d any) string {
	switch d.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case int64:
		return "long"
	case float64:
		return "real"
	case string:
		return "string"
	case DynDateTime:
		return "datetime"
	case DynTimeSpan:
		return "timespan"
	case []any:
		return "array"
	case *Bag:
		return "dictionary"
	}
	return "object"
}

// dynEqual reports whether two dynamic values are equal (numbers compare by
// value across int and real).
func dynEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case int64:
		switch y := b.(type) {
		case int64:
			return x == y
		case float64:
			return float64(x) == y
		}
		return false
	case float64:
		switch y := b.(type) {
		case int64:
			return x == float64(y)
		case float64:
			return x == y
		}
		return false
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !dynEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case *Bag:
		y, ok := b.(*Bag)
		if !ok || len(x.Keys) != len(y.Keys) {
			return false
		}
		for i, k := range x.Keys {
			v, ok := y.Get(k)
			if !ok || !dynEqual(x.Vals[i], v) {
				return false
			}
		}
		return true
	}
	return a == b
}

// dynKey returns a string that equal dynamic values share (for sets and
// grouping).
func dynKey(d any) string {
	switch x := d.(type) {
	case string:
		return "s" + x
	case int64:
		return "n" + strconv.FormatFloat(float64(x), 'g', -1, 64)
	case float64:
		return "n" + strconv.FormatFloat(x, 'g', -1, 64)
	case *Bag:
		// keys sorted so that bags with the same members group together
		idx := make([]int, len(x.Keys))
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(i, j int) bool { return x.Keys[idx[i]] < x.Keys[idx[j]] })
		s := &Bag{}
		for _, i := range idx {
			s.Set(x.Keys[i], x.Vals[i])
		}
		return "j" + string(AppendJSON(nil, s))
	}
	return "j" + string(AppendJSON(nil, d))
}

// dynIndex returns d[i] for arrays (negative i counts from the end) or
// d[key] for bags; null when absent.
func dynIndex(d any, idx Value) any {
	switch x := d.(type) {
	case []any:
		var i int64
		switch {
		case idx.T.storesInt():
			i = idx.I
		case idx.T.isFloat():
			i = int64(idx.F)
		case idx.T == TypeDynamic:
			n, ok := idx.D.(int64)
			if !ok {
				return nil
			}
			i = n
		default:
			return nil
		}
		if i < 0 {
			i += int64(len(x))
		}
		if i < 0 || i >= int64(len(x)) {
			return nil
		}
		return x[i]
	case *Bag:
		var k string
		switch idx.T {
		case TypeString:
			k = idx.S
		case TypeDynamic:
			s, ok := idx.D.(string)
			if !ok {
				return nil
			}
			k = s
		default:
			return nil
		}
		v, _ := x.Get(k)
		return v
	case string:
		// a JSON text in a string column: Kusto indexes it as dynamic
		if parsed, ok := ParseJSON(x); ok {
			if _, isStr := parsed.(string); !isStr {
				return dynIndex(parsed, idx)
			}
		}
	}
	return nil
}
