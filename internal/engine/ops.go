package engine

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/lang/kql"
)

// binaryOp returns the implementation and result type of a binary
// operator over operands of types lt and rt, or an error message.
func binaryOp(op kql.Token, lt, rt Type) (rowFunc, Type, string) {
	switch op {
	case kql.ADD, kql.SUB, kql.MUL, kql.QUO, kql.REM:
		return arithOp(op, lt, rt)
	case kql.EQL, kql.NEQ, kql.LSS, kql.LEQ, kql.GTR, kql.GEQ, kql.LSSGTR:
		// a string compared with a number or a timespan converts (rules
		// compare EventID == "4688"); other mixes are errors
		// a bool compares with a number as 0 or 1 (CreatedOnLocalMachine == 0)
		if ct := commonType(lt, rt); ct == TypeUnknown && lt != TypeUnknown && rt != TypeUnknown &&
			!(lt.isStringy() && rt != TypeBool || rt.isStringy() && lt != TypeBool) &&
			!(lt == TypeBool && rt.isNumeric() || rt == TypeBool && lt.isNumeric()) {
			return nil, 0, "cannot compare " + lt.String() + " with " + rt.String()
		}
		if op == kql.LSSGTR {
			op = kql.NEQ
		}
		return compareOp(op), TypeBool, ""
	case kql.EQTILDE, kql.NEQTILDE:
		neg := op == kql.NEQTILDE
		return func(a []Value) Value {
			if a[0].Null && a[0].T != TypeString || a[1].Null && a[1].T != TypeString {
				return NullOf(TypeBool)
			}
			return Bool(strings.EqualFold(a[0].String(), a[1].String()) != neg)
		}, TypeBool, ""
	case kql.MATCHES_REGEX:
		return regexMatchOp(), TypeBool, ""
	}
	if f, ok := stringOps[op]; ok {
		return func(a []Value) Value {
			return Bool(f(a[0].String(), a[1].String()))
		}, TypeBool, ""
	}
	return nil, 0, "operator '" + op.String() + "' is not supported by detwiki's engine"
}

// stringOps are the string predicates by token.
var stringOps = map[kql.Token]func(s, t string) bool{
	kql.CONTAINS:          func(s, t string) bool { return containsFold(s, t) },
	kql.NOT_CONTAINS:      func(s, t string) bool { return !containsFold(s, t) },
	kql.NOTCONTAINS:       func(s, t string) bool { return !containsFold(s, t) },
	kql.CONTAINS_CS:       strings.Contains,
	kql.CONTAINSCS:        strings.Contains,
	kql.NOT_CONTAINS_CS:   func(s, t string) bool { return !strings.Contains(s, t) },
	kql.NOTCONTAINSCS:     func(s, t string) bool { return !strings.Contains(s, t) },
	kql.STARTSWITH:        func(s, t string) bool { return hasPrefixFold(s, t) },
	kql.NOT_STARTSWITH:    func(s, t string) bool { return !hasPrefixFold(s, t) },
	kql.STARTSWITH_CS:     strings.HasPrefix,
	kql.NOT_STARTSWITH_CS: func(s, t string) bool { return !strings.HasPrefix(s, t) },
	kql.ENDSWITH:          func(s, t string) bool { return hasSuffixFold(s, t) },
	kql.NOT_ENDSWITH:      func(s, t string) bool { return !hasSuffixFold(s, t) },
	kql.ENDSWITH_CS:       strings.HasSuffix,
	kql.NOT_ENDSWITH_CS:   func(s, t string) bool { return !strings.HasSuffix(s, t) },
	kql.HAS:               func(s, t string) bool { return hasTerm(s, t, true, true, true) },
	kql.NOT_HAS:           func(s, t string) bool { return !hasTerm(s, t, true, true, true) },
	kql.HAS_CS:            func(s, t string) bool { return hasTerm(s, t, true, true, false) },
	kql.NOT_HAS_CS:        func(s, t string) bool { return !hasTerm(s, t, true, true, false) },
	kql.HASPREFIX:         func(s, t string) bool { return hasTerm(s, t, true, false, true) },
	kql.NOT_HASPREFIX:     func(s, t string) bool { return !hasTerm(s, t, true, false, true) },
	kql.HASPREFIX_CS:      func(s, t string) bool { return hasTerm(s, t, true, false, false) },
	kql.NOT_HASPREFIX_CS:  func(s, t string) bool { return !hasTerm(s, t, true, false, false) },
	kql.HASSUFFIX:         func(s, t string) bool { return hasTerm(s, t, false, true, true) },
	kql.NOT_HASSUFFIX:     func(s, t string) bool { return !hasTerm(s, t, false, true, true) },
	kql.HASSUFFIX_CS:      func(s, t string) bool { return hasTerm(s, t, false, true, false) },
	kql.NOT_HASSUFFIX_CS:  func(s, t string) bool { return !hasTerm(s, t, false, true, false) },
	kql.LIKE:              func(s, t string) bool { return likeMatch(s, t, true) },
	kql.NOTLIKE:           func(s, t string) bool { return !likeMatch(s, t, true) },
	kql.LIKECS:            func(s, t string) bool { return likeMatch(s, t, false) },
	kql.NOTLIKECS:         func(s, t string) bool { return !likeMatch(s, t, false) },
}

// isTermChar reports whether a rune belongs to a term as Kusto's term index
// splits text: letters and digits (ASCII and beyond); everything else
// separates terms.
func isTermChar(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// hasTerm reports whether term occurs in s at term boundaries: with left,
// the match must start a term (the character before it is no term
// character) when term starts with a term character; with right, it must
// end one. has = both, hasprefix = left, hassuffix = right. An empty term
// matches everything.
func hasTerm(s, term string, left, right, fold bool) bool {
	if term == "" {
		return true
	}
	hs, ht := s, term
	index := strings.Index
	if fold {
		if isASCII(s) && isASCII(term) {
			index = indexFoldASCII
		} else {
			hs, ht = lowerASCIIFold(s), lowerASCIIFold(term)
		}
	}
	needLeft := left && isTermChar(firstRune(ht))
	needRight := right && isTermChar(lastRune(ht))
	for off := 0; off <= len(hs)-len(ht); {
		i := index(hs[off:], ht)
		if i < 0 {
			return false
		}
		start := off + i
		end := start + len(ht)
		ok := true
		if needLeft && start > 0 && isTermChar(lastRune(hs[:start])) {
			ok = false
		}
		if ok && needRight && end < len(hs) && isTermChar(firstRune(hs[end:])) {
			ok = false
		}
		if ok {
			return true
		}
		_, size := utf8.DecodeRuneInString(hs[start:])
		off = start + size
	}
	return false
}

// lowerASCIIFold lower-cases s (ASCII fast path, Unicode otherwise).
func lowerASCIIFold(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return strings.ToLower(s)
		}
		if c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

func containsFold(s, t string) bool {
	if t == "" {
		return true
	}
	if isASCII(s) && isASCII(t) {
		return indexFoldASCII(s, t) >= 0
	}
	return strings.Contains(lowerASCIIFold(s), lowerASCIIFold(t))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// indexFoldASCII returns the index of the first occurrence of t in s
// ignoring ASCII case (both ASCII), or -1, without allocating.
func indexFoldASCII(s, t string) int {
	if t == "" {
		return 0
	}
	first := t[0]
	lower := first | 0x20
	letter := lower >= 'a' && lower <= 'z'
	for i := 0; i+len(t) <= len(s); i++ {
		b := s[i]
		if b != first && !(letter && b|0x20 == lower) {
			continue
		}
		if equalFoldASCII(s[i:i+len(t)], t) {
			return i
		}
	}
	return -1
}

func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z' {
			return false
		}
	}
	return true
}

func hasPrefixFold(s, t string) bool {
	return len(s) >= len(t) && strings.EqualFold(s[:len(t)], t) || strings.HasPrefix(lowerASCIIFold(s), lowerASCIIFold(t))
}

func hasSuffixFold(s, t string) bool {
	return len(s) >= len(t) && strings.EqualFold(s[len(s)-len(t):], t) || strings.HasSuffix(lowerASCIIFold(s), lowerASCIIFold(t))
}

// likeMatch implements like: % any run, _ one character.
func likeMatch(s, pattern string, fold bool) bool {
	var re strings.Builder
	re.WriteString("(?s)^")
	if fold {
		re.WriteString("(?i)")
	}
	for _, r := range pattern {
		switch r {
		case '%':
			re.WriteString(".*")
		case '_':
			re.WriteString(".")
		default:
			re.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	re.WriteString("$")
	rx, err := cachedRegexp(re.String())
	if err != nil {
		return false
	}
	return rx.MatchString(s)
}

var regexCache sync.Map // pattern -> *regexp.Regexp or error

// cachedRegexp compiles a RE2 pattern once.
func cachedRegexp(pattern string) (*regexp.Regexp, error) {
	if v, ok := regexCache.Load(pattern); ok {
		if rx, ok := v.(*regexp.Regexp); ok {
			return rx, nil
		}
		return nil, v.(error)
	}
	rx, err := regexp.Compile(pattern)
	if err != nil {
		regexCache.Store(pattern, err)
		return nil, err
	}
	regexCache.Store(pattern, rx)
	return rx, nil
}

func regexMatchOp() rowFunc {
	return func(a []Value) Value {
		rx, err := cachedRegexp(a[1].String())
		if err != nil {
			panic(&runtimeError{"invalid regular expression " + strconv.Quote(a[1].String()) + ": " + err.Error()})
		}
		return Bool(rx.MatchString(a[0].String()))
	}
}

// compareOp implements == != < <= > >= with Kusto's null rules: == of a
// null and a non-null is false, != true, two nulls give null; ordering
// with a null gives null.
func compareOp(op kql.Token) rowFunc {
	return func(a []Value) Value {
		x, y := a[0], a[1]
		xn, yn := isNullish(x), isNullish(y)
		if xn || yn {
			switch op {
			case kql.EQL:
				if xn && yn {
					return NullOf(TypeBool)
				}
				return Bool(false)
			case kql.NEQ:
				if xn && yn {
					return NullOf(TypeBool)
				}
				return Bool(true)
			}
			return NullOf(TypeBool)
		}
		cmp, ok := compareValues(x, y)
		if !ok {
			switch op {
			case kql.EQL:
				return Bool(false)
			case kql.NEQ:
				return Bool(true)
			}
			return NullOf(TypeBool)
		}
		switch op {
		case kql.EQL:
			return Bool(cmp == 0)
		case kql.NEQ:
			return Bool(cmp != 0)
		case kql.LSS:
			return Bool(cmp < 0)
		case kql.LEQ:
			return Bool(cmp <= 0)
		case kql.GTR:
			return Bool(cmp > 0)
		case kql.GEQ:
			return Bool(cmp >= 0)
		}
		return NullOf(TypeBool)
	}
}

// isNullish reports a null operand (strings are never null).
func isNullish(v Value) bool {
	if v.T == TypeString {
		return false
	}
	if v.T == TypeDynamic {
		return v.D == nil
	}
	return v.Null
}

// compareValues orders two non-null values, bringing a dynamic operand to
// the other's type; ok is false when they are not comparable.
func compareValues(x, y Value) (int, bool) {
	if x.T == TypeDynamic && y.T != TypeDynamic {
		x = convertDynamic(x.D, y.T)
		if x.Null && y.T != TypeString {
			return 0, false
		}
	} else if y.T == TypeDynamic && x.T != TypeDynamic {
		y = convertDynamic(y.D, x.T)
		if y.Null && x.T != TypeString {
			return 0, false
		}
	}
	switch {
	case x.T == TypeDynamic && y.T == TypeDynamic:
		if dynEqual(x.D, y.D) {
			return 0, true
		}
		xs, ys := DynString(x.D), DynString(y.D)
		if xf, ok := x.D.(float64); ok {
			if yf, ok := toFloat(y.D); ok {
				return cmpFloat(xf, yf), true
			}
		}
		if xi, ok := x.D.(int64); ok {
			if yf, ok := toFloat(y.D); ok {
				return cmpFloat(float64(xi), yf), true
			}
		}
		return strings.Compare(xs, ys), true
	case x.T.isStringy() && y.T.isStringy():
		if x.T == TypeGuid || y.T == TypeGuid {
			return strings.Compare(strings.ToLower(x.S), strings.ToLower(y.S)), true
		}
		return strings.Compare(x.S, y.S), true
	case x.T.isNumeric() && y.T.isNumeric():
		if x.T.isFloat() || y.T.isFloat() {
			return cmpFloat(numF(x), numF(y)), true
		}
		return cmpInt(x.I, y.I), true
	case x.T == y.T && x.T.storesInt():
		return cmpInt(x.I, y.I), true
	case x.T == TypeDateTime && y.T == TypeString:
		if t, ok := ParseDateTime(y.S); ok {
			return cmpInt(x.I, t), true
		}
	case x.T == TypeString && y.T == TypeDateTime:
		if t, ok := ParseDateTime(x.S); ok {
			return cmpInt(t, y.I), true
		}
	case x.T == TypeString && y.T != TypeString:
		if c := Convert(x, y.T); !c.Null {
			return compareValues(c, y)
		}
	case y.T == TypeString && x.T != TypeString:
		if c := Convert(y, x.T); !c.Null {
			return compareValues(x, c)
		}
	case x.T == TypeBool && y.T.isNumeric() || y.T == TypeBool && x.T.isNumeric():
		return cmpFloat(numF(x), numF(y)), true
	}
	return 0, false
}

func toFloat(d any) (float64, bool) {
	switch v := d.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

func numF(v Value) float64 {
	if v.T.isFloat() {
		return v.F
	}
	return float64(v.I)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	}
	// NaN sorts first
	if math.IsNaN(a) && !math.IsNaN(b) {
		return -1
	}
	if !math.IsNaN(a) && math.IsNaN(b) {
		return 1
	}
	return 0
}

// arithOp implements + - * / % over numbers, datetimes and timespans.
func arithOp(op kql.Token, lt, rt Type) (rowFunc, Type, string) {
	bad := "operator '" + op.String() + "' cannot be applied to " + lt.String() + " and " + rt.String()
	if lt == TypeDynamic || rt == TypeDynamic || lt == TypeUnknown || rt == TypeUnknown {
		// resolved per value
		return func(a []Value) Value { return dynArith(op, a[0], a[1]) }, TypeReal, ""
	}
	switch {
	case lt.isNumeric() && rt.isNumeric():
		if lt.isFloat() || rt.isFloat() {
			t := TypeReal
			return func(a []Value) Value {
				if a[0].Null || a[1].Null {
					return NullOf(t)
				}
				return Value{T: t, F: floatArith(op, numF(a[0]), numF(a[1]))}
			}, t, ""
		}
		t := TypeLong
		if lt == TypeInt && rt == TypeInt {
			t = TypeInt
		}
		return func(a []Value) Value {
			if a[0].Null || a[1].Null {
				return NullOf(t)
			}
			v, ok := intArith(op, a[0].I, a[1].I)
			if !ok {
				return NullOf(t)
			}
			return Value{T: t, I: v}
		}, t, ""
	case lt == TypeDateTime && rt == TypeDateTime && op == kql.SUB:
		return intOp(func(x, y int64) int64 { return x - y }), TypeTimeSpan, ""
	case lt == TypeDateTime && rt == TypeTimeSpan && (op == kql.ADD || op == kql.SUB):
		if op == kql.ADD {
			return intOpT(func(x, y int64) int64 { return x + y }, TypeDateTime), TypeDateTime, ""
		}
		return intOpT(func(x, y int64) int64 { return x - y }, TypeDateTime), TypeDateTime, ""
	case lt == TypeTimeSpan && rt == TypeDateTime && op == kql.ADD:
		return intOpT(func(x, y int64) int64 { return x + y }, TypeDateTime), TypeDateTime, ""
	case lt == TypeTimeSpan && rt == TypeTimeSpan:
		switch op {
		case kql.ADD:
			return intOpT(func(x, y int64) int64 { return x + y }, TypeTimeSpan), TypeTimeSpan, ""
		case kql.SUB:
			return intOpT(func(x, y int64) int64 { return x - y }, TypeTimeSpan), TypeTimeSpan, ""
		case kql.QUO:
			return func(a []Value) Value {
				if a[0].Null || a[1].Null || a[1].I == 0 {
					return NullOf(TypeReal)
				}
				return Real(float64(a[0].I) / float64(a[1].I))
			}, TypeReal, ""
		case kql.REM:
			return intOpT(func(x, y int64) int64 {
				if y == 0 {
					return 0
				}
				return x % y
			}, TypeTimeSpan), TypeTimeSpan, ""
		}
	case lt == TypeTimeSpan && rt.isNumeric() && (op == kql.MUL || op == kql.QUO),
		lt.isNumeric() && rt == TypeTimeSpan && op == kql.MUL:
		return func(a []Value) Value {
			if a[0].Null || a[1].Null {
				return NullOf(TypeTimeSpan)
			}
			x, y := numF(a[0]), numF(a[1])
			if op == kql.QUO {
				if y == 0 {
					return NullOf(TypeTimeSpan)
				}
				return Value{T: TypeTimeSpan, I: int64(x / y)}
			}
			return Value{T: TypeTimeSpan, I: int64(x * y)}
		}, TypeTimeSpan, ""
	}
	return nil, 0, bad
}

func intOp(f func(x, y int64) int64) rowFunc { return intOpT(f, TypeTimeSpan) }

func intOpT(f func(x, y int64) int64, t Type) rowFunc {
	return func(a []Value) Value {
		if a[0].Null || a[1].Null {
			return NullOf(t)
		}
		return Value{T: t, I: f(a[0].I, a[1].I)}
	}
}

func intArith(op kql.Token, x, y int64) (int64, bool) {
	switch op {
	case kql.ADD:
		return x + y, true
	case kql.SUB:
		return x - y, true
	case kql.MUL:
		return x * y, true
	case kql.QUO:
		if y == 0 {
			return 0, false
		}
		return x / y, true
	case kql.REM:
		if y == 0 {
			return 0, false
		}
		return x % y, true
	}
	return 0, false
}

func floatArith(op kql.Token, x, y float64) float64 {
	switch op {
	case kql.ADD:
		return x + y
	case kql.SUB:
		return x - y
	case kql.MUL:
		return x * y
	case kql.QUO:
		return x / y
	case kql.REM:
		return math.Mod(x, y)
	}
	return math.NaN()
}

// dynArith computes arithmetic where an operand's type is only known per
// value (dynamic): numbers give a real.
func dynArith(op kql.Token, x, y Value) Value {
	if x.T == TypeDynamic {
		x = dynScalar(x.D)
	}
	if y.T == TypeDynamic {
		y = dynScalar(y.D)
	}
	if x.Null || y.Null {
		return NullOf(TypeReal)
	}
	fn, _, err := arithOp(op, x.T, y.T)
	if err != "" || x.T == TypeDynamic || y.T == TypeDynamic {
		return NullOf(TypeReal)
	}
	return fn([]Value{x, y})
}

// dynScalar turns a dynamic scalar into a typed value.
func dynScalar(d any) Value {
	switch v := d.(type) {
	case bool:
		return Bool(v)
	case int64:
		return Long(v)
	case float64:
		return Real(v)
	case string:
		return String(v)
	case DynDateTime:
		return Value{T: TypeDateTime, I: int64(v)}
	case DynTimeSpan:
		return Value{T: TypeTimeSpan, I: int64(v)}
	case nil:
		return NullOf(TypeReal)
	}
	return Dyn(d)
}

// inKey is the set key of a value for in / !in (numbers by value, strings
// folded for in~).
func inKey(v Value, fold bool) string {
	if v.T == TypeDynamic {
		v = dynScalar(v.D)
		if v.T == TypeDynamic {
			return "j" + DynString(v.D)
		}
	}
	switch {
	case v.T.isStringy():
		if fold {
			return "s" + strings.ToLower(v.S)
		}
		return "s" + v.S
	case v.T.isNumeric() || v.T == TypeBool:
		return "n" + strconv.FormatFloat(numF(v), 'g', -1, 64)
	case v.T == TypeDateTime:
		return "t" + strconv.FormatInt(v.I, 10)
	case v.T == TypeTimeSpan:
		return "p" + strconv.FormatInt(v.I, 10)
	}
	return "?" + v.String()
}

// hasAnyAll implements has_any / has_all: whole-term matches of any (all)
// of the terms.
func hasAnyAll(x Value, terms []Value, all bool) Value {
	s := lowerASCIIFold(x.String())
	for _, t := range terms {
		ok := hasTerm(s, lowerASCIIFold(t.String()), true, true, false)
		if ok && !all {
			return Bool(true)
		}
		if !ok && all {
			return Bool(false)
		}
	}
	return Bool(all)
}

func itoa(i int) string { return strconv.Itoa(i) }

// fastIntCompare returns a vectorized comparison of an int-stored column
// (int, long, datetime, timespan) with a constant of the same kind, or nil.
func fastIntCompare(op kql.Token, l, r Expr) Expr {
	lt, rt := l.Type(), r.Type()
	same := lt == rt && (lt == TypeDateTime || lt == TypeTimeSpan) || lt.isIntLike() && rt.isIntLike()
	if !same {
		return nil
	}
	var cmp func(a, b int64) bool
	switch op {
	case kql.EQL:
		cmp = func(a, b int64) bool { return a == b }
	case kql.NEQ, kql.LSSGTR:
		cmp = func(a, b int64) bool { return a != b }
	case kql.LSS:
		cmp = func(a, b int64) bool { return a < b }
	case kql.LEQ:
		cmp = func(a, b int64) bool { return a <= b }
	case kql.GTR:
		cmp = func(a, b int64) bool { return a > b }
	case kql.GEQ:
		cmp = func(a, b int64) bool { return a >= b }
	default:
		return nil
	}
	slow := compareOp(op)
	return &vecExpr{Name: op.String(), Args: []Expr{l, r}, T: TypeBool, Fn: func(ctx *execCtx, a []*Column, n int) (*Column, error) {
		x, y := a[0], a[1]
		if x.I == nil || y.Const == nil || y.Const.Null {
			return applyRow(slow, a, n, TypeBool), nil
		}
		k := y.Const.I
		out := make([]int64, n)
		for i, v := range x.I {
			if cmp(v, k) {
				out[i] = 1
			}
		}
		res := &Column{T: TypeBool, N: n, I: out}
		if x.Null != nil {
			// null rows compare as compareOp says (== false, != true,
			// an ordering null)
			nv := slow([]Value{NullOf(x.T), *y.Const})
			for i, isNull := range x.Null {
				if !isNull {
					continue
				}
				out[i] = nv.I
				if nv.Null {
					if res.Null == nil {
						res.Null = make([]bool, n)
					}
					res.Null[i] = true
				}
			}
		}
		return res, nil
	}}
}
