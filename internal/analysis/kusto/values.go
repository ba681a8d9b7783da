package kusto

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/detwiki/detwiki/internal/lang/kql"
)

// maxListValues bounds the values one constant list yields (a dynamic
// list of a generated rule can be huge; a rule document need not be).
const maxListValues = 10000

// scalarKind is the type of a folded constant.
type scalarKind uint8

const (
	kindNone scalarKind = iota
	kindString
	kindLong
	kindReal
	kindTimespan
	kindOther // bool, datetime, guid: kept as text
)

// scalar is a constant folded from a literal or a small expression.
type scalar struct {
	kind scalarKind
	text string        // kindString, kindOther
	num  float64       // kindLong, kindReal
	dur  time.Duration // kindTimespan
}

// String returns the constant as a value of the rule document.
func (s scalar) String() string {
	switch s.kind {
	case kindLong:
		if math.Abs(s.num) < 1e18 {
			return strconv.FormatInt(int64(s.num), 10)
		}
		return strconv.FormatFloat(s.num, 'g', -1, 64)
	case kindReal:
		return strconv.FormatFloat(s.num, 'g', -1, 64)
	case kindTimespan:
		return formatDuration(s.dur)
	}
	return s.text
}

// formatDuration writes a timespan the way KQL rules write it: the largest
// unit that divides it (2h, 14d, 90s), else a clock form.
func formatDuration(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	units := []struct {
		u    time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}, {time.Millisecond, "ms"}, {time.Microsecond, "microsecond"}}
	if d == 0 {
		return "0s"
	}
	for _, u := range units {
		if d%u.u == 0 {
			return sign + strconv.FormatInt(int64(d/u.u), 10) + u.name
		}
	}
	return sign + strconv.FormatInt(int64(d/100), 10) + "tick"
}

// literal folds a literal.
func literal(b *kql.BasicLit) (scalar, bool) {
	if b == nil {
		return scalar{}, false
	}
	switch b.Kind {
	case kql.STRING:
		return scalar{kind: kindString, text: b.Value()}, true
	case kql.LONG, kql.INT:
		if v, ok := b.Int(); ok {
			return scalar{kind: kindLong, num: float64(v)}, true
		}
	case kql.REAL, kql.DECIMAL:
		if v, ok := b.Float(); ok {
			return scalar{kind: kindReal, num: v}, true
		}
	case kql.TIMESPAN:
		if v, ok := b.Duration(); ok {
			return scalar{kind: kindTimespan, dur: v}, true
		}
	case kql.NULL:
		return scalar{}, false
	}
	return scalar{kind: kindOther, text: b.Value()}, true
}

// fold evaluates a constant scalar expression: literals, parameters with one
// constant value, unary minus, arithmetic on numbers and timespans, and
// strcat/tolower/toupper/tostring/totimespan of constants.
func (an *analyzer) fold(x kql.Expr, depth int) (scalar, bool) {
	if depth > maxExprDepth {
		return scalar{}, false
	}
	switch v := x.(type) {
	case *kql.BasicLit:
		return literal(v)
	case *kql.ParenExpr:
		return an.fold(v.X, depth+1)
	case *kql.Ident:
		if s := an.lookup(v.Name); s != nil && s.kind == symParam && len(s.scalars) == 1 {
			return s.scalars[0], true
		}
	case *kql.UnaryExpr:
		s, ok := an.fold(v.X, depth+1)
		if !ok {
			return s, false
		}
		if v.Op == kql.SUB {
			switch s.kind {
			case kindLong, kindReal:
				s.num = -s.num
				return s, true
			case kindTimespan:
				s.dur = -s.dur
				return s, true
			}
			return s, false
		}
		return s, v.Op == kql.ADD
	case *kql.BinaryExpr:
		switch v.Op {
		case kql.ADD, kql.SUB, kql.MUL, kql.QUO, kql.REM:
		default:
			return scalar{}, false
		}
		l, ok1 := an.fold(v.X, depth+1)
		r, ok2 := an.fold(v.Y, depth+1)
		if !ok1 || !ok2 {
			return scalar{}, false
		}
		return arith(v.Op, l, r)
	case *kql.CallExpr:
		if v.Fun == nil {
			return scalar{}, false
		}
		switch strings.ToLower(v.Fun.Name) {
		case "strcat":
			var b strings.Builder
			for _, a := range v.Args {
				s, ok := an.fold(a, depth+1)
				if !ok {
					return scalar{}, false
				}
				b.WriteString(s.String())
			}
			return scalar{kind: kindString, text: b.String()}, true
		case "tolower", "toupper", "tostring", "totimespan", "totime", "tolong", "toint", "toreal", "todouble":
			if len(v.Args) != 1 {
				return scalar{}, false
			}
			s, ok := an.fold(v.Args[0], depth+1)
			if !ok {
				return s, false
			}
			switch strings.ToLower(v.Fun.Name) {
			case "tolower":
				return scalar{kind: kindString, text: strings.ToLower(s.String())}, true
			case "toupper":
				return scalar{kind: kindString, text: strings.ToUpper(s.String())}, true
			case "tostring":
				return scalar{kind: kindString, text: s.String()}, true
			}
			return s, true
		}
	}
	return scalar{}, false
}

// arith applies a KQL arithmetic operator to two constants.
func arith(op kql.Token, l, r scalar) (scalar, bool) {
	num := func(s scalar) bool { return s.kind == kindLong || s.kind == kindReal }
	switch {
	case num(l) && num(r):
		out := scalar{kind: kindLong}
		if l.kind == kindReal || r.kind == kindReal {
			out.kind = kindReal
		}
		switch op {
		case kql.ADD:
			out.num = l.num + r.num
		case kql.SUB:
			out.num = l.num - r.num
		case kql.MUL:
			out.num = l.num * r.num
		case kql.QUO:
			if r.num == 0 {
				return scalar{}, false
			}
			out.num = l.num / r.num
			if out.kind == kindLong {
				out.num = math.Trunc(out.num)
			}
		case kql.REM:
			if r.num == 0 || out.kind != kindLong {
				return scalar{}, false
			}
			out.num = float64(int64(l.num) % int64(r.num))
		}
		return out, true
	case l.kind == kindTimespan && r.kind == kindTimespan:
		switch op {
		case kql.ADD:
			return scalar{kind: kindTimespan, dur: l.dur + r.dur}, true
		case kql.SUB:
			return scalar{kind: kindTimespan, dur: l.dur - r.dur}, true
		case kql.QUO:
			if r.dur == 0 {
				return scalar{}, false
			}
			return scalar{kind: kindReal, num: float64(l.dur) / float64(r.dur)}, true
		}
	case l.kind == kindTimespan && num(r):
		switch op {
		case kql.MUL:
			return scalar{kind: kindTimespan, dur: time.Duration(float64(l.dur) * r.num)}, true
		case kql.QUO:
			if r.num == 0 {
				return scalar{}, false
			}
			return scalar{kind: kindTimespan, dur: time.Duration(float64(l.dur) / r.num)}, true
		}
	case num(l) && r.kind == kindTimespan && op == kql.MUL:
		return scalar{kind: kindTimespan, dur: time.Duration(l.num * float64(r.dur))}, true
	case l.kind == kindString && r.kind == kindString && op == kql.ADD:
		return scalar{}, false // KQL has no string +
	}
	return scalar{}, false
}

// constList returns the constant values of a list expression: a literal, a
// dynamic array, pack_array(...)/split(...) of constants, a parameter with
// constant values, a single-column datatable binding, or a folded scalar.
// ok is false when any part is not constant.
func (an *analyzer) constList(x kql.Expr, depth int) ([]string, bool) {
	var out []string
	ok := an.appendConst(&out, x, depth)
	return out, ok
}

func (an *analyzer) appendConst(out *[]string, x kql.Expr, depth int) bool {
	if depth > maxExprDepth {
		return false
	}
	add := func(v string) {
		if len(*out) < maxListValues {
			*out = append(*out, v)
		}
	}
	switch v := x.(type) {
	case *kql.DynamicLit:
		return an.appendConst(out, v.Value, depth+1)
	case *kql.JSONArray:
		for _, e := range v.Elems {
			if !an.appendConst(out, e, depth+1) {
				return false
			}
		}
		return true
	case *kql.ListExpr:
		for _, e := range v.Elems {
			if !an.appendConst(out, e, depth+1) {
				return false
			}
		}
		return true
	case *kql.ParenExpr:
		return an.appendConst(out, v.X, depth+1)
	case *kql.Ident:
		if s := an.lookup(v.Name); s != nil && s.konst {
			for _, x := range s.values {
				add(x)
			}
			return true
		}
		return false
	case *kql.CallExpr:
		if v.Fun == nil {
			return false
		}
		switch strings.ToLower(v.Fun.Name) {
		case "pack_array", "dynamic", "set_union", "array_concat":
			for _, a := range v.Args {
				if !an.appendConst(out, a, depth+1) {
					return false
				}
			}
			return true
		case "split":
			if len(v.Args) != 2 {
				return false
			}
			s, ok1 := an.fold(v.Args[0], depth+1)
			sep, ok2 := an.fold(v.Args[1], depth+1)
			if !ok1 || !ok2 || s.kind != kindString || sep.kind != kindString || sep.text == "" {
				return false
			}
			for _, p := range strings.Split(s.text, sep.text) {
				add(p)
			}
			return true
		}
	}
	s, ok := an.fold(x, depth+1)
	if !ok {
		return false
	}
	add(s.String())
	return true
}

// compact returns expression text on one line with runs of white space
// collapsed, cut to a readable length.
func compact(s string) string {
	const max = 300
	var b strings.Builder
	space := false
	for _, r := range strings.TrimSpace(s) {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
		if b.Len() > max {
			b.WriteString("…")
			break
		}
	}
	return b.String()
}
