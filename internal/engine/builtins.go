package engine

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// impl is a function implementation: row (per row, pure), typed (a row
// function chosen by the argument types), or vec (whole columns, for window
// functions).
type impl struct {
	row   rowFunc
	typed func(args []Type, result Type) rowFunc
	vec   func(ctx *execCtx, args []*Column, n int) (*Column, error)
}

var implementations = map[string]impl{}

func row(name string, fn rowFunc) { implementations[name] = impl{row: fn} }

func str(v Value) string { return v.String() }

func toI(v Value) (int64, bool) {
	c := Convert(v, TypeLong)
	return c.I, !c.Null
}

func toF(v Value) (float64, bool) {
	c := Convert(v, TypeReal)
	return c.F, !c.Null
}

func dynOf(v Value) any {
	if v.T == TypeDynamic {
		return v.D
	}
	if v.T == TypeString {
		if d, ok := ParseJSON(v.S); ok {
			return d
		}
		return v.S
	}
	return ToDynamic(v)
}

func arrOf(v Value) ([]any, bool) {
	a, ok := dynOf(v).([]any)
	return a, ok
}

func init() {
	conv := func(t Type) rowFunc { return func(a []Value) Value { return Convert(a[0], t) } }
	row("tostring", func(a []Value) Value { return String(a[0].String()) })
	row("toint", conv(TypeInt))
	row("tolong", conv(TypeLong))
	row("todouble", conv(TypeReal))
	row("todecimal", conv(TypeDecimal))
	row("tobool", conv(TypeBool))
	row("todatetime", conv(TypeDateTime))
	row("totimespan", conv(TypeTimeSpan))
	row("toguid", conv(TypeGuid))
	row("todynamic", func(a []Value) Value {
		if a[0].T == TypeString {
			if d, ok := ParseJSON(a[0].S); ok {
				return Dyn(d)
			}
			return Dyn(a[0].S)
		}
		return Dyn(ToDynamic(a[0]))
	})
	row("parse_xml", func(a []Value) Value { return Dyn(parseXML(a[0].String())) })
	row("gettype", func(a []Value) Value {
		if a[0].T == TypeDynamic {
			return String(dynTypeName(a[0].D))
		}
		if a[0].Null {
			return String("null")
		}
		return String(a[0].T.String())
	})
	row("not", func(a []Value) Value {
		v := Convert(a[0], TypeBool)
		if v.Null {
			return NullOf(TypeBool)
		}
		return Bool(v.I == 0)
	})
	row("isnull", func(a []Value) Value { return Bool(isNullish(a[0])) })
	row("isnotnull", func(a []Value) Value { return Bool(!isNullish(a[0])) })
	row("isempty", func(a []Value) Value { return Bool(a[0].IsEmpty()) })
	row("isnotempty", func(a []Value) Value { return Bool(!a[0].IsEmpty()) })
	row("iff", func(a []Value) Value {
		c := Convert(a[0], TypeBool)
		if !c.Null && c.I != 0 {
			return a[1]
		}
		return a[2]
	})
	row("case", func(a []Value) Value {
		for i := 0; i+1 < len(a)-1; i += 2 {
			c := Convert(a[i], TypeBool)
			if !c.Null && c.I != 0 {
				return a[i+1]
			}
		}
		return a[len(a)-1]
	})
	row("coalesce", func(a []Value) Value {
		for _, v := range a {
			if !v.IsEmpty() {
				return v
			}
		}
		return a[len(a)-1]
	})
	minmax := func(max bool) rowFunc {
		return func(a []Value) Value {
			var best Value
			found := false
			for _, v := range a {
				if isNullish(v) {
					continue
				}
				if !found {
					best, found = v, true
					continue
				}
				if c, ok := compareValues(v, best); ok && (c > 0) == max && c != 0 {
					best = v
				}
			}
			if !found {
				return a[0]
			}
			return best
		}
	}
	row("max_of", minmax(true))
	row("min_of", minmax(false))

	// strings
	row("tolower", func(a []Value) Value { return String(strings.ToLower(str(a[0]))) })
	row("toupper", func(a []Value) Value { return String(strings.ToUpper(str(a[0]))) })
	row("strlen", func(a []Value) Value { return Long(int64(utf8.RuneCountInString(str(a[0])))) })
	row("string_size", func(a []Value) Value { return Long(int64(len(str(a[0])))) })
	row("strcat", func(a []Value) Value {
		var b strings.Builder
		for _, v := range a {
			b.WriteString(v.String())
		}
		return String(b.String())
	})
	row("strcat_delim", func(a []Value) Value {
		parts := make([]string, 0, len(a)-1)
		for _, v := range a[1:] {
			parts = append(parts, v.String())
		}
		return String(strings.Join(parts, a[0].String()))
	})
	row("strcat_array", func(a []Value) Value {
		arr, _ := arrOf(a[0])
		parts := make([]string, len(arr))
		for i, e := range arr {
			parts[i] = DynString(e)
		}
		return String(strings.Join(parts, a[1].String()))
	})
	row("substring", func(a []Value) Value {
		r := []rune(str(a[0]))
		start, ok := toI(a[1])
		if !ok {
			return String("")
		}
		if start < 0 {
			start = 0
		}
		if start > int64(len(r)) {
			return String("")
		}
		end := int64(len(r))
		if len(a) > 2 {
			n, ok := toI(a[2])
			if ok && start+n < end {
				end = start + n
			}
			if ok && n < 0 {
				end = start
			}
		}
		return String(string(r[start:end]))
	})
	row("indexof", func(a []Value) Value {
		s, t := []rune(str(a[0])), []rune(str(a[1]))
		start := int64(0)
		if len(a) > 2 {
			start, _ = toI(a[2])
		}
		length := int64(-1)
		if len(a) > 3 {
			length, _ = toI(a[3])
		}
		occ := int64(1)
		if len(a) > 4 {
			occ, _ = toI(a[4])
		}
		if start < 0 {
			start += int64(len(s))
		}
		if start < 0 || start > int64(len(s)) {
			return NullOf(TypeLong)
		}
		if length < -1 || occ < 0 {
			return NullOf(TypeLong)
		}
		// the documented examples examine length+1 positions from start:
		// indexof("abcdefgabcdefg", "cde", 1, 10, 2) finds the match at 9,
		// indexof("abcdefg", "cde", 1, 2) does not find the one at 2
		end := int64(len(s))
		if length >= 0 && start+length+1 < end {
			end = start + length + 1
		}
		hay := string(s[start:end])
		pos := 0
		for k := int64(1); ; k++ {
			i := strings.Index(hay[pos:], string(t))
			if i < 0 {
				return Long(-1)
			}
			if k == occ {
				return Long(start + int64(utf8.RuneCountInString(hay[:pos+i])))
			}
			pos += i + max(1, len(string(t)))
			if pos > len(hay) {
				return Long(-1)
			}
		}
	})
	row("countof", func(a []Value) Value {
		s, t := str(a[0]), str(a[1])
		if len(a) > 2 && strings.EqualFold(str(a[2]), "regex") {
			rx, err := cachedRegexp(t)
			if err != nil {
				return Long(0)
			}
			return Long(int64(len(rx.FindAllStringIndex(s, -1))))
		}
		if t == "" {
			return Long(0)
		}
		// overlapping occurrences, as Kusto counts plain text
		n := 0
		for i := 0; ; {
			j := strings.Index(s[i:], t)
			if j < 0 {
				break
			}
			n++
			i += j + 1
			if i > len(s) {
				break
			}
		}
		return Long(int64(n))
	})
	row("split", func(a []Value) Value {
		parts := strings.Split(str(a[0]), str(a[1]))
		arr := make([]any, len(parts))
		for i, p := range parts {
			arr[i] = p
		}
		if len(a) > 2 {
			i, ok := toI(a[2])
			if !ok || i < 0 || i >= int64(len(arr)) {
				return Dyn([]any{})
			}
			return Dyn([]any{arr[i]})
		}
		return Dyn(arr)
	})
	implementations["extract"] = impl{typed: func(args []Type, t Type) rowFunc {
		return func(a []Value) Value {
			rx, err := cachedRegexp(str(a[0]))
			if err != nil {
				panic(&runtimeError{"extract: invalid regular expression: " + err.Error()})
			}
			g, _ := toI(a[1])
			m := rx.FindStringSubmatch(str(a[2]))
			if m == nil || g < 0 || g >= int64(len(m)) {
				return String("")
			}
			return String(m[g])
		}
	}}
	row("extract_all", func(a []Value) Value {
		rx, err := cachedRegexp(str(a[0]))
		if err != nil {
			panic(&runtimeError{"extract_all: invalid regular expression: " + err.Error()})
		}
		text := str(a[len(a)-1])
		var groups []int64
		if len(a) == 3 {
			if arr, ok := arrOf(a[1]); ok {
				for _, g := range arr {
					if n, ok := g.(int64); ok {
						groups = append(groups, n)
					}
				}
			}
		}
		var out []any
		for _, m := range rx.FindAllStringSubmatch(text, -1) {
			switch {
			case len(groups) > 0:
				row := []any{}
				for _, g := range groups {
					if g >= 0 && g < int64(len(m)) {
						row = append(row, m[g])
					}
				}
				out = append(out, row)
			case len(m) == 1:
				out = append(out, m[0])
			case len(m) == 2:
				out = append(out, m[1])
			default:
				row := []any{}
				for _, g := range m[1:] {
					row = append(row, g)
				}
				out = append(out, row)
			}
		}
		if out == nil {
			return Dyn(nil)
		}
		return Dyn(out)
	})
	row("extractjson", func(a []Value) Value {
		d, ok := ParseJSON(str(a[1]))
		if !ok {
			return String("")
		}
		v := jsonPath(d, str(a[0]))
		return String(DynString(v))
	})
	row("replace", func(a []Value) Value {
		rx, err := cachedRegexp(str(a[0]))
		if err != nil {
			panic(&runtimeError{"replace: invalid regular expression: " + err.Error()})
		}
		return String(rx.ReplaceAllString(str(a[2]), kustoRewrite(str(a[1]))))
	})
	// replace_regex(source, regex, rewrite): the arguments of the legacy
	// replace(regex, rewrite, source) in another order
	row("replace_regex", func(a []Value) Value {
		rx, err := cachedRegexp(str(a[1]))
		if err != nil {
			panic(&runtimeError{"replace_regex: invalid regular expression: " + err.Error()})
		}
		return String(rx.ReplaceAllString(str(a[0]), kustoRewrite(str(a[2]))))
	})
	row("replace_string", func(a []Value) Value {
		if str(a[1]) == "" {
			return String(str(a[0]))
		}
		return String(strings.ReplaceAll(str(a[0]), str(a[1]), str(a[2])))
	})
	trimmer := func(start, end bool) rowFunc {
		return func(a []Value) Value {
			pat := str(a[0])
			s := str(a[1])
			if start {
				if rx, err := cachedRegexp("^(?:" + pat + ")+"); err == nil {
					s = rx.ReplaceAllString(s, "")
				}
			}
			if end {
				if rx, err := cachedRegexp("(?:" + pat + ")+$"); err == nil {
					s = rx.ReplaceAllString(s, "")
				}
			}
			return String(s)
		}
	}
	row("trim", trimmer(true, true))
	row("trim_start", trimmer(true, false))
	row("trim_end", trimmer(false, true))
	row("reverse", func(a []Value) Value {
		r := []rune(str(a[0]))
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return String(string(r))
	})
	row("strrep", func(a []Value) Value {
		n, _ := toI(a[1])
		if n <= 0 {
			return String("")
		}
		// Kusto's documentation: a multiplier over the maximum of 1024
		// repeats the string 1024 times.
		n = min(n, 1024)
		delim := ""
		if len(a) > 2 {
			delim = str(a[2])
		}
		if int64(len(str(a[0]))+len(delim))*n > defaultMaxStringSize {
			panic(&runtimeError{"strrep: the result would be longer than 1 MiB"})
		}
		parts := make([]string, n)
		for i := range parts {
			parts[i] = str(a[0])
		}
		return String(strings.Join(parts, delim))
	})
	row("strcmp", func(a []Value) Value { return Int(int64(strings.Compare(str(a[0]), str(a[1])))) })
	row("translate", func(a []Value) Value {
		from, to := []rune(str(a[0])), []rune(str(a[1]))
		var b strings.Builder
		for _, r := range str(a[2]) {
			i := -1
			for k, f := range from {
				if f == r {
					i = k
					break
				}
			}
			switch {
			case i < 0:
				b.WriteRune(r)
			case len(to) == 0:
			case i < len(to):
				b.WriteRune(to[i])
			default:
				b.WriteRune(to[len(to)-1])
			}
		}
		return String(b.String())
	})
	row("isascii", func(a []Value) Value {
		s := str(a[0])
		for i := 0; i < len(s); i++ {
			if s[i] >= utf8.RuneSelf {
				return Bool(false)
			}
		}
		return Bool(true)
	})
	row("url_decode", func(a []Value) Value {
		s, err := url.QueryUnescape(str(a[0]))
		if err != nil {
			return String("")
		}
		return String(s)
	})
	// url_encode encodes a space as '+', url_encode_component as %20;
	// both write the hex digits in lower case, as Kusto does
	row("url_encode", func(a []Value) Value { return String(lowerHexEscapes(url.QueryEscape(str(a[0])))) })
	row("url_encode_component", func(a []Value) Value {
		return String(lowerHexEscapes(strings.ReplaceAll(url.QueryEscape(str(a[0])), "+", "%20")))
	})
	row("base64_decode_tostring", func(a []Value) Value {
		b, ok := decodeBase64(str(a[0]))
		if !ok || !utf8.Valid(b) {
			return String("")
		}
		return String(string(b))
	})
	row("base64_encode_tostring", func(a []Value) Value { return String(base64.StdEncoding.EncodeToString([]byte(str(a[0])))) })
	row("base64_decode_toarray", func(a []Value) Value {
		b, ok := decodeBase64(str(a[0]))
		if !ok {
			return Dyn(nil)
		}
		out := make([]any, len(b))
		for i, c := range b {
			out[i] = int64(c)
		}
		return Dyn(out)
	})
	row("hash_sha256", func(a []Value) Value { h := sha256.Sum256([]byte(str(a[0]))); return String(hex.EncodeToString(h[:])) })
	row("hash_sha1", func(a []Value) Value { h := sha1.Sum([]byte(str(a[0]))); return String(hex.EncodeToString(h[:])) })
	row("hash_md5", func(a []Value) Value { h := md5.Sum([]byte(str(a[0]))); return String(hex.EncodeToString(h[:])) })
	row("tohex", func(a []Value) Value {
		n, ok := toI(a[0])
		if !ok {
			return String("")
		}
		s := strconv.FormatUint(uint64(n), 16)
		if n >= 0 {
			s = strconv.FormatInt(n, 16)
		}
		if len(a) > 1 {
			w, _ := toI(a[1])
			for int64(len(s)) < w && w < 64 {
				s = "0" + s
			}
		}
		return String(s)
	})
	row("parse_command_line", func(a []Value) Value {
		args := commandLineToArgv(str(a[0]))
		out := make([]any, len(args))
		for i, s := range args {
			out[i] = s
		}
		return Dyn(out)
	})
	row("parse_path", func(a []Value) Value { return Dyn(parsePath(str(a[0]))) })
	row("parse_url", func(a []Value) Value { return Dyn(parseURL(str(a[0]))) })
	row("parse_urlquery", func(a []Value) Value {
		q := str(a[0])
		if i := strings.IndexByte(q, '?'); i >= 0 {
			q = q[i+1:]
		}
		vals, _ := url.ParseQuery(q)
		params := &Bag{}
		keys := make([]string, 0, len(vals))
		for k := range vals {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			params.Set(k, vals.Get(k))
		}
		return Dyn(&Bag{Keys: []string{"Query Parameters"}, Vals: []any{params}})
	})
	// parse_ipv4 applies a prefix mask: 192.168.255.255/24 is 3232300800
	row("parse_ipv4", func(a []Value) Value {
		addr, bits, ok := parseIPv4Range(str(a[0]))
		if !ok {
			return NullOf(TypeLong)
		}
		b := addr.As4()
		n := int64(b[0])<<24 | int64(b[1])<<16 | int64(b[2])<<8 | int64(b[3])
		return Long(n &^ (1<<(32-bits) - 1))
	})
	row("new_guid", func(a []Value) Value {
		var b [16]byte
		for i := range b {
			b[i] = byte(rand.IntN(256))
		}
		h := hex.EncodeToString(b[:])
		return Value{T: TypeGuid, S: h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]}
	})

	// dynamic
	row("array_length", func(a []Value) Value {
		arr, ok := arrOf(a[0])
		if !ok {
			return NullOf(TypeLong)
		}
		return Long(int64(len(arr)))
	})
	row("array_concat", func(a []Value) Value {
		out := []any{}
		for _, v := range a {
			arr, ok := arrOf(v)
			if !ok {
				return Dyn(nil)
			}
			out = append(out, arr...)
		}
		return Dyn(out)
	})
	row("array_slice", func(a []Value) Value {
		arr, ok := arrOf(a[0])
		if !ok {
			return Dyn(nil)
		}
		s, _ := toI(a[1])
		e, _ := toI(a[2])
		n := int64(len(arr))
		if s < 0 {
			s += n
		}
		if e < 0 {
			e += n
		}
		if s < 0 {
			s = 0
		}
		if e >= n {
			e = n - 1
		}
		if s > e || s >= n {
			return Dyn([]any{})
		}
		return Dyn(append([]any{}, arr[s:e+1]...))
	})
	// array_index_of(array, value [, start [, length [, occurrence]]]):
	// a negative start counts from the end; length -1 is unlimited
	row("array_index_of", func(a []Value) Value {
		arr, ok := arrOf(a[0])
		if !ok {
			return NullOf(TypeLong)
		}
		start, length, occ := int64(0), int64(-1), int64(1)
		if len(a) > 2 {
			start, _ = toI(a[2])
		}
		if len(a) > 3 {
			length, _ = toI(a[3])
		}
		if len(a) > 4 {
			occ, _ = toI(a[4])
		}
		if start < 0 {
			start += int64(len(arr))
		}
		if start < 0 || start > int64(len(arr)) || length < -1 || occ < 1 {
			return NullOf(TypeLong)
		}
		end := int64(len(arr))
		if length >= 0 && start+length < end {
			end = start + length
		}
		want := ToDynamic(a[1])
		for i := start; i < end; i++ {
			if dynEqual(arr[i], want) {
				if occ--; occ == 0 {
					return Long(i)
				}
			}
		}
		return Long(-1)
	})
	sorter := func(desc bool) rowFunc {
		return func(a []Value) Value {
			arr, ok := arrOf(a[0])
			if !ok {
				return Dyn(nil)
			}
			out := append([]any{}, arr...)
			sort.SliceStable(out, func(i, j int) bool {
				c, _ := compareValues(dynScalar(out[i]), dynScalar(out[j]))
				if desc {
					return c > 0
				}
				return c < 0
			})
			return Dyn(out)
		}
	}
	row("array_sort_asc", sorter(false))
	row("array_sort_desc", sorter(true))
	row("array_reverse", func(a []Value) Value {
		arr, ok := arrOf(a[0])
		if !ok {
			return Dyn(nil)
		}
		out := make([]any, len(arr))
		for i, e := range arr {
			out[len(arr)-1-i] = e
		}
		return Dyn(out)
	})
	row("array_sum", func(a []Value) Value {
		arr, _ := arrOf(a[0])
		sum := 0.0
		for _, e := range arr {
			if f, ok := toFloat(e); ok {
				sum += f
			}
		}
		return Real(sum)
	})
	row("set_has_element", func(a []Value) Value {
		arr, _ := arrOf(a[0])
		want := ToDynamic(a[1])
		for _, e := range arr {
			if dynEqual(e, want) {
				return Bool(true)
			}
		}
		return Bool(false)
	})
	setOp := func(kind string) rowFunc {
		return func(a []Value) Value {
			first, _ := arrOf(a[0])
			var out []any
			seen := map[string]bool{}
			inAll := func(e any) bool {
				k := dynKey(e)
				for _, v := range a[1:] {
					arr, _ := arrOf(v)
					found := false
					for _, x := range arr {
						if dynKey(x) == k {
							found = true
							break
						}
					}
					if kind == "intersect" && !found || kind == "difference" && found {
						return false
					}
				}
				return true
			}
			add := func(e any) {
				k := dynKey(e)
				if !seen[k] {
					seen[k] = true
					out = append(out, e)
				}
			}
			for _, e := range first {
				if kind == "union" || inAll(e) {
					add(e)
				}
			}
			if kind == "union" {
				for _, v := range a[1:] {
					arr, _ := arrOf(v)
					for _, e := range arr {
						add(e)
					}
				}
			}
			if out == nil {
				out = []any{}
			}
			return Dyn(out)
		}
	}
	row("set_difference", setOp("difference"))
	row("set_union", setOp("union"))
	row("set_intersect", setOp("intersect"))
	row("pack", func(a []Value) Value {
		b := &Bag{}
		for i := 0; i+1 < len(a); i += 2 {
			b.Set(a[i].String(), ToDynamic(a[i+1]))
		}
		return Dyn(b)
	})
	row("pack_array", func(a []Value) Value {
		out := make([]any, len(a))
		for i, v := range a {
			out[i] = ToDynamic(v)
		}
		return Dyn(out)
	})
	row("bag_keys", func(a []Value) Value {
		b, ok := dynOf(a[0]).(*Bag)
		if !ok {
			return Dyn(nil)
		}
		out := make([]any, len(b.Keys))
		for i, k := range b.Keys {
			out[i] = k
		}
		return Dyn(out)
	})
	row("bag_merge", func(a []Value) Value {
		out := &Bag{}
		for _, v := range a {
			if b, ok := dynOf(v).(*Bag); ok {
				for i, k := range b.Keys {
					if _, exists := out.Get(k); !exists {
						out.Set(k, b.Vals[i])
					}
				}
			}
		}
		return Dyn(out)
	})
	row("bag_remove_keys", func(a []Value) Value {
		b, ok := dynOf(a[0]).(*Bag)
		if !ok {
			return Dyn(nil)
		}
		drop := map[string]bool{}
		if arr, ok := arrOf(a[1]); ok {
			for _, k := range arr {
				drop[DynString(k)] = true
			}
		}
		out := &Bag{}
		for i, k := range b.Keys {
			if !drop[k] {
				out.Set(k, b.Vals[i])
			}
		}
		return Dyn(out)
	})
	row("bag_has_key", func(a []Value) Value {
		b, ok := dynOf(a[0]).(*Bag)
		if !ok {
			return Bool(false)
		}
		_, has := b.Get(a[1].String())
		return Bool(has)
	})
	row("zip", func(a []Value) Value {
		var arrs [][]any
		n := 0
		for _, v := range a {
			arr, _ := arrOf(v)
			arrs = append(arrs, arr)
			n = max(n, len(arr))
		}
		out := make([]any, n)
		for i := range out {
			tuple := make([]any, len(arrs))
			for j, arr := range arrs {
				if i < len(arr) {
					tuple[j] = arr[i]
				}
			}
			out[i] = tuple
		}
		return Dyn(out)
	})

	// ip addresses
	row("ipv4_is_private", func(a []Value) Value {
		addr, _, ok := parseIPv4Range(str(a[0]))
		if !ok {
			return NullOf(TypeBool)
		}
		b := addr.As4()
		return Bool(b[0] == 10 || b[0] == 172 && b[1]&0xF0 == 16 || b[0] == 192 && b[1] == 168)
	})
	row("ipv4_is_in_range", func(a []Value) Value {
		addr, _, ok1 := parseIPv4Range(str(a[0]))
		base, bits, ok2 := parseIPv4Range(str(a[1]))
		if !ok1 || !ok2 {
			return NullOf(TypeBool)
		}
		p, err := base.Prefix(bits)
		if err != nil {
			return NullOf(TypeBool)
		}
		return Bool(p.Contains(addr))
	})
	row("ipv4_is_in_any_range", func(a []Value) Value {
		addr, _, ok := parseIPv4Range(str(a[0]))
		if !ok {
			return NullOf(TypeBool)
		}
		var ranges []Value
		for _, v := range a[1:] {
			ranges = append(ranges, flattenValue(v)...)
		}
		for _, r := range ranges {
			base, bits, ok := parseIPv4Range(r.String())
			if !ok {
				continue
			}
			if p, err := base.Prefix(bits); err == nil && p.Contains(addr) {
				return Bool(true)
			}
		}
		return Bool(false)
	})
	row("ipv4_compare", func(a []Value) Value {
		x, xb, ok1 := parseIPv4Range(str(a[0]))
		y, yb, ok2 := parseIPv4Range(str(a[1]))
		if !ok1 || !ok2 {
			return NullOf(TypeInt)
		}
		bits := min(xb, yb)
		if len(a) > 2 {
			if n, ok := toI(a[2]); ok {
				bits = int(n)
			}
		}
		px, _ := x.Prefix(bits)
		py, _ := y.Prefix(bits)
		return Int(int64(px.Addr().Compare(py.Addr())))
	})
	row("ipv4_is_match", func(a []Value) Value {
		x, xb, ok1 := parseIPv4Range(str(a[0]))
		y, yb, ok2 := parseIPv4Range(str(a[1]))
		if !ok1 || !ok2 {
			return NullOf(TypeBool)
		}
		bits := min(xb, yb)
		if len(a) > 2 {
			if n, ok := toI(a[2]); ok {
				bits = int(n)
			}
		}
		px, _ := x.Prefix(bits)
		py, _ := y.Prefix(bits)
		return Bool(px.Addr() == py.Addr())
	})
	row("ipv6_is_match", func(a []Value) Value {
		x, err1 := netip.ParseAddr(str(a[0]))
		y, err2 := netip.ParseAddr(str(a[1]))
		if err1 != nil || err2 != nil {
			return NullOf(TypeBool)
		}
		return Bool(x.Unmap() == y.Unmap())
	})
	row("has_ipv4", func(a []Value) Value {
		return Bool(hasTerm(str(a[0]), str(a[1]), true, true, false) && ipBoundary(str(a[0]), str(a[1])))
	})
	row("has_any_ipv4", func(a []Value) Value {
		var ips []Value
		for _, v := range a[1:] {
			ips = append(ips, flattenValue(v)...)
		}
		for _, ip := range ips {
			if hasTerm(str(a[0]), ip.String(), true, true, false) && ipBoundary(str(a[0]), ip.String()) {
				return Bool(true)
			}
		}
		return Bool(false)
	})

	// datetime
	row("datetime_diff", func(a []Value) Value {
		x, y := Convert(a[1], TypeDateTime), Convert(a[2], TypeDateTime)
		if x.Null || y.Null {
			return NullOf(TypeLong)
		}
		return datetimeDiff(strings.ToLower(str(a[0])), x.I, y.I)
	})
	row("datetime_add", func(a []Value) Value {
		n, ok := toI(a[1])
		t := Convert(a[2], TypeDateTime)
		if !ok || t.Null {
			return NullOf(TypeDateTime)
		}
		return datetimeAdd(strings.ToLower(str(a[0])), n, t.I)
	})
	row("datetime_part", func(a []Value) Value {
		t := Convert(a[1], TypeDateTime)
		if t.Null {
			return NullOf(TypeInt)
		}
		return datetimePart(strings.ToLower(str(a[0])), t.I)
	})
	startOf := func(unit string, end bool) rowFunc {
		return func(a []Value) Value {
			t := Convert(a[0], TypeDateTime)
			if t.Null {
				return NullOf(TypeDateTime)
			}
			off := int64(0)
			if len(a) > 1 {
				off, _ = toI(a[1])
			}
			return Value{T: TypeDateTime, I: periodBound(unit, t.I, off, end)}
		}
	}
	row("startofday", startOf("day", false))
	row("startofweek", startOf("week", false))
	row("startofmonth", startOf("month", false))
	row("startofyear", startOf("year", false))
	row("endofday", startOf("day", true))
	row("endofweek", startOf("week", true))
	row("endofmonth", startOf("month", true))
	row("endofyear", startOf("year", true))
	part := func(f func(t time.Time) int64, rt Type) rowFunc {
		return func(a []Value) Value {
			t := Convert(a[0], TypeDateTime)
			if t.Null {
				return NullOf(rt)
			}
			return Value{T: rt, I: f(t.Time())}
		}
	}
	row("dayofweek", part(func(t time.Time) int64 { return int64(t.Weekday()) * TicksPerDay }, TypeTimeSpan))
	row("dayofmonth", part(func(t time.Time) int64 { return int64(t.Day()) }, TypeInt))
	row("dayofyear", part(func(t time.Time) int64 { return int64(t.YearDay()) }, TypeInt))
	row("hourofday", part(func(t time.Time) int64 { return int64(t.Hour()) }, TypeInt))
	row("getmonth", part(func(t time.Time) int64 { return int64(t.Month()) }, TypeInt))
	row("getyear", part(func(t time.Time) int64 { return int64(t.Year()) }, TypeInt))
	row("week_of_year", part(func(t time.Time) int64 { _, w := t.ISOWeek(); return int64(w) }, TypeInt))
	row("format_datetime", func(a []Value) Value {
		t := Convert(a[0], TypeDateTime)
		if t.Null {
			return String("")
		}
		return String(formatDateTime(t.I, str(a[1])))
	})
	row("format_timespan", func(a []Value) Value {
		t := Convert(a[0], TypeTimeSpan)
		if t.Null {
			return String("")
		}
		return String(formatTimeSpan(t.I, str(a[1])))
	})
	row("make_datetime", func(a []Value) Value {
		p := [7]int64{1, 1, 1, 0, 0, 0, 0}
		for i, v := range a {
			if i < 6 {
				n, ok := toI(v)
				if !ok {
					return NullOf(TypeDateTime)
				}
				p[i] = n
			} else {
				f, _ := toF(v)
				p[6] = int64(f * TicksPerSecond)
			}
		}
		if len(a) == 6 {
			f, _ := toF(a[5])
			p[5] = int64(f)
			p[6] = int64((f - math.Floor(f)) * TicksPerSecond)
		}
		t := time.Date(int(p[0]), time.Month(p[1]), int(p[2]), int(p[3]), int(p[4]), int(p[5]), 0, time.UTC)
		return Value{T: TypeDateTime, I: TimeToTicks(t) + p[6]}
	})
	row("make_timespan", func(a []Value) Value {
		var ticks int64
		units := []int64{TicksPerHour, TicksPerMinute, TicksPerSecond}
		if len(a) == 4 {
			units = []int64{TicksPerDay, TicksPerHour, TicksPerMinute, TicksPerSecond}
		}
		for i, v := range a {
			f, ok := toF(v)
			if !ok || i >= len(units) {
				return NullOf(TypeTimeSpan)
			}
			ticks += int64(f * float64(units[i]))
		}
		return Value{T: TypeTimeSpan, I: ticks}
	})
	unix := func(perTick float64) rowFunc {
		return func(a []Value) Value {
			f, ok := toF(a[0])
			if !ok {
				return NullOf(TypeDateTime)
			}
			return Value{T: TypeDateTime, I: int64(f * perTick)}
		}
	}
	row("unixtime_seconds_todatetime", unix(TicksPerSecond))
	row("unixtime_milliseconds_todatetime", unix(TicksPerMillisecond))
	row("unixtime_microseconds_todatetime", unix(TicksPerMicrosecond))
	row("unixtime_nanoseconds_todatetime", unix(0.01))
	row("ingestion_time", func(a []Value) Value { return NullOf(TypeDateTime) })

	// math
	implementations["bin"] = impl{typed: func(args []Type, t Type) rowFunc {
		return func(a []Value) Value { return binValue(a[0], a[1], Value{T: a[0].T, Null: true}, t) }
	}}
	implementations["bin_at"] = impl{typed: func(args []Type, t Type) rowFunc {
		return func(a []Value) Value { return binValue(a[0], a[1], a[2], t) }
	}}
	row("round", func(a []Value) Value {
		if a[0].T.isIntLike() {
			return a[0]
		}
		f, ok := toF(a[0])
		if !ok {
			return NullOf(TypeReal)
		}
		p := int64(0)
		if len(a) > 1 {
			p, _ = toI(a[1])
		}
		m := math.Pow(10, float64(p))
		return Real(math.Round(f*m) / m)
	})
	row("abs", func(a []Value) Value {
		v := a[0]
		if v.Null {
			return v
		}
		if v.T.isFloat() {
			v.F = math.Abs(v.F)
		} else if v.I < 0 {
			v.I = -v.I
		}
		return v
	})
	row("ceiling", func(a []Value) Value {
		v := a[0]
		if v.T.isFloat() {
			v.F = math.Ceil(v.F)
		}
		return v
	})
	row("sign", func(a []Value) Value {
		v := a[0]
		if v.Null {
			return v
		}
		if v.T.isFloat() {
			switch {
			case v.F > 0:
				v.F = 1
			case v.F < 0:
				v.F = -1
			}
			return v
		}
		v.I = int64(cmpInt(v.I, 0))
		return v
	})
	realFn := func(f func(float64) float64) rowFunc {
		return func(a []Value) Value {
			x, ok := toF(a[0])
			if !ok {
				return NullOf(TypeReal)
			}
			return Real(f(x))
		}
	}
	row("exp", realFn(math.Exp))
	row("log", realFn(math.Log))
	row("log10", realFn(math.Log10))
	row("log2", realFn(math.Log2))
	row("sqrt", realFn(math.Sqrt))
	implementations["exp2"] = impl{row: realFn(math.Exp2)}
	implementations["exp10"] = impl{row: realFn(func(x float64) float64 { return math.Pow(10, x) })}
	row("pow", func(a []Value) Value {
		x, ok1 := toF(a[0])
		y, ok2 := toF(a[1])
		if !ok1 || !ok2 {
			return NullOf(TypeReal)
		}
		return Real(math.Pow(x, y))
	})
	row("isnan", func(a []Value) Value { f, ok := toF(a[0]); return Bool(ok && math.IsNaN(f)) })
	row("isinf", func(a []Value) Value { f, ok := toF(a[0]); return Bool(ok && math.IsInf(f, 0)) })
	row("isfinite", func(a []Value) Value {
		f, ok := toF(a[0])
		return Bool(ok && !math.IsInf(f, 0) && !math.IsNaN(f))
	})
	row("rand", func(a []Value) Value {
		if len(a) > 0 {
			n, _ := toI(a[0])
			if n > 0 {
				return Real(float64(rand.Int64N(n)))
			}
		}
		return Real(rand.Float64())
	})
	bin2 := func(f func(x, y int64) int64) rowFunc {
		return func(a []Value) Value {
			x, ok1 := toI(a[0])
			y, ok2 := toI(a[1])
			if !ok1 || !ok2 {
				return NullOf(TypeLong)
			}
			return Long(f(x, y))
		}
	}
	row("binary_and", bin2(func(x, y int64) int64 { return x & y }))
	row("binary_or", bin2(func(x, y int64) int64 { return x | y }))
	row("binary_xor", bin2(func(x, y int64) int64 { return x ^ y }))
	row("binary_shift_left", bin2(func(x, y int64) int64 { return x << uint(y&63) }))
	row("binary_shift_right", bin2(func(x, y int64) int64 { return x >> uint(y&63) }))
	row("binary_not", func(a []Value) Value {
		x, ok := toI(a[0])
		if !ok {
			return NullOf(TypeLong)
		}
		return Long(^x)
	})

	// window functions
	implementations["row_number"] = impl{vec: func(ctx *execCtx, args []*Column, n int) (*Column, error) {
		start := int64(1)
		if len(args) > 0 && args[0].N > 0 {
			start, _ = toI(args[0].Get(0))
		}
		out := make([]int64, n)
		k := start
		for i := range out {
			if i > 0 && len(args) > 1 {
				if r := Convert(args[1].Get(i), TypeBool); !r.Null && r.I != 0 {
					k = start
				}
			}
			out[i] = k
			k++
		}
		return &Column{T: TypeLong, N: n, I: out}, nil
	}}
	shift := func(dir int) func(ctx *execCtx, args []*Column, n int) (*Column, error) {
		return func(ctx *execCtx, args []*Column, n int) (*Column, error) {
			off := int64(1)
			if len(args) > 1 && n > 0 {
				off, _ = toI(args[1].Get(0))
			}
			b := newBuilder(args[0].T, n)
			for i := 0; i < n; i++ {
				j := int64(i) + int64(dir)*off
				switch {
				case j >= 0 && j < int64(n):
					b.Append(args[0].Get(int(j)))
				case len(args) > 2:
					b.Append(args[2].Get(i))
				default:
					b.Append(NullOf(args[0].T))
				}
			}
			return b.Build(), nil
		}
	}
	implementations["prev"] = impl{vec: shift(-1)}
	implementations["next"] = impl{vec: shift(1)}
}

func decodeBase64(s string) ([]byte, bool) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

// kustoRewrite turns Kusto's \1 group references into Go's ${1}.
// lowerHexEscapes writes the hex digits of %XX escapes in lower case.
func lowerHexEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1] = byte(unicode.ToLower(rune(b[i+1])))
			b[i+2] = byte(unicode.ToLower(rune(b[i+2])))
		}
	}
	return string(b)
}

func kustoRewrite(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
			b.WriteString("${" + string(s[i+1]) + "}")
			i++
			continue
		}
		if c == '$' {
			b.WriteString("$$")
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func parseIPv4Range(s string) (netip.Addr, int, bool) {
	s = strings.TrimSpace(s)
	bits := 32
	if i := strings.IndexByte(s, '/'); i >= 0 {
		n, err := strconv.Atoi(s[i+1:])
		if err != nil || n < 0 || n > 32 {
			return netip.Addr{}, 0, false
		}
		bits, s = n, s[:i]
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, 0, false
	}
	addr = addr.Unmap()
	if !addr.Is4() {
		return netip.Addr{}, 0, false
	}
	return addr, bits, true
}

func ipBoundary(s, ip string) bool {
	i := strings.Index(s, ip)
	for i >= 0 {
		before := i == 0 || !(s[i-1] >= '0' && s[i-1] <= '9' || s[i-1] == '.')
		j := i + len(ip)
		after := j >= len(s) || !(s[j] >= '0' && s[j] <= '9' || s[j] == '.')
		if before && after {
			return true
		}
		k := strings.Index(s[i+1:], ip)
		if k < 0 {
			return false
		}
		i += 1 + k
	}
	return false
}

// binValue rounds x down to a multiple of size (from at, when given).
func binValue(x, size, at Value, t Type) Value {
	if x.Null || size.Null {
		return NullOf(t)
	}
	if x.T == TypeDynamic {
		x = dynScalar(x.D)
	}
	switch x.T {
	case TypeDateTime, TypeTimeSpan:
		s := Convert(size, TypeTimeSpan)
		if s.Null || s.I <= 0 {
			if size.T.isNumeric() {
				s = Value{T: TypeTimeSpan, I: int64(numF(size) * TicksPerDay)}
			}
			if s.I <= 0 {
				return NullOf(t)
			}
		}
		base := int64(0)
		if !at.Null {
			base = Convert(at, x.T).I
		}
		d := x.I - base
		q := d / s.I
		if d%s.I != 0 && d < 0 {
			q--
		}
		return Value{T: x.T, I: base + q*s.I}
	}
	if x.T.isIntLike() && size.T.isIntLike() && (at.Null || at.T.isIntLike()) {
		if size.I <= 0 {
			return NullOf(t)
		}
		base := int64(0)
		if !at.Null {
			base = at.I
		}
		d := x.I - base
		q := d / size.I
		if d%size.I != 0 && d < 0 {
			q--
		}
		return Convert(Long(base+q*size.I), t)
	}
	xf, ok1 := toF(x)
	sf, ok2 := toF(size)
	if !ok1 || !ok2 || sf <= 0 {
		return NullOf(t)
	}
	base := 0.0
	if !at.Null {
		base, _ = toF(at)
	}
	return Convert(Real(base+math.Floor((xf-base)/sf)*sf), t)
}

func datetimeDiff(unit string, a, b int64) Value {
	ta, tb := TicksToTime(a), TicksToTime(b)
	switch unit {
	case "year":
		return Long(int64(ta.Year() - tb.Year()))
	case "quarter":
		return Long(int64((ta.Year()*12+int(ta.Month())-1)/3 - (tb.Year()*12+int(tb.Month())-1)/3))
	case "month":
		return Long(int64((ta.Year()*12 + int(ta.Month())) - (tb.Year()*12 + int(tb.Month()))))
	case "week":
		wa := periodBound("week", a, 0, false)
		wb := periodBound("week", b, 0, false)
		return Long((wa - wb) / (7 * TicksPerDay))
	case "day":
		return Long(floorDiv(a, TicksPerDay) - floorDiv(b, TicksPerDay))
	case "hour":
		return Long(floorDiv(a, TicksPerHour) - floorDiv(b, TicksPerHour))
	case "minute":
		return Long(floorDiv(a, TicksPerMinute) - floorDiv(b, TicksPerMinute))
	case "second":
		return Long(floorDiv(a, TicksPerSecond) - floorDiv(b, TicksPerSecond))
	case "millisecond":
		return Long(floorDiv(a, TicksPerMillisecond) - floorDiv(b, TicksPerMillisecond))
	case "microsecond":
		return Long(floorDiv(a, TicksPerMicrosecond) - floorDiv(b, TicksPerMicrosecond))
	case "nanosecond":
		return Long((a - b) * 100)
	}
	return NullOf(TypeLong)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// addMonths adds n months as .NET's DateTime.AddMonths does: a day past
// the end of the target month becomes its last day (Jan 31 + 1 month is
// Feb 28).
func addMonths(t time.Time, n int64) time.Time {
	y, m, d := t.Date()
	total := int64(y)*12 + int64(m-1) + n
	ny, nm := int(total/12), time.Month(total%12+1)
	if last := time.Date(ny, nm+1, 0, 0, 0, 0, 0, time.UTC).Day(); d > last {
		d = last
	}
	return time.Date(ny, nm, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

func datetimeAdd(unit string, n, t int64) Value {
	tt := TicksToTime(t)
	frac := t - TimeToTicks(tt.Truncate(time.Second))
	switch unit {
	case "year":
		return Value{T: TypeDateTime, I: TimeToTicks(addMonths(tt, 12*n)) + 0*frac}
	case "quarter":
		return Value{T: TypeDateTime, I: TimeToTicks(addMonths(tt, 3*n))}
	case "month":
		return Value{T: TypeDateTime, I: TimeToTicks(addMonths(tt, n))}
	case "week":
		return Value{T: TypeDateTime, I: t + n*7*TicksPerDay}
	case "day":
		return Value{T: TypeDateTime, I: t + n*TicksPerDay}
	case "hour":
		return Value{T: TypeDateTime, I: t + n*TicksPerHour}
	case "minute":
		return Value{T: TypeDateTime, I: t + n*TicksPerMinute}
	case "second":
		return Value{T: TypeDateTime, I: t + n*TicksPerSecond}
	case "millisecond":
		return Value{T: TypeDateTime, I: t + n*TicksPerMillisecond}
	case "microsecond":
		return Value{T: TypeDateTime, I: t + n*TicksPerMicrosecond}
	case "nanosecond":
		return Value{T: TypeDateTime, I: t + n/100}
	}
	return NullOf(TypeDateTime)
}

func datetimePart(unit string, t int64) Value {
	tt := TicksToTime(t)
	switch unit {
	case "year":
		return Int(int64(tt.Year()))
	case "quarter":
		return Int(int64((int(tt.Month())-1)/3 + 1))
	case "month":
		return Int(int64(tt.Month()))
	case "week_of_year", "weekofyear":
		_, w := tt.ISOWeek()
		return Int(int64(w))
	case "day":
		return Int(int64(tt.Day()))
	case "dayofyear":
		return Int(int64(tt.YearDay()))
	case "hour":
		return Int(int64(tt.Hour()))
	case "minute":
		return Int(int64(tt.Minute()))
	case "second":
		return Int(int64(tt.Second()))
	case "millisecond":
		return Int(int64(tt.Nanosecond() / 1e6))
	case "microsecond":
		return Int(int64(tt.Nanosecond() / 1e3))
	case "nanosecond":
		return Int(int64(tt.Nanosecond()))
	}
	return NullOf(TypeInt)
}

// periodBound returns the start (or end: one tick before the next start)
// of the day, week (Sunday), month or year holding t, offset by off
// periods.
func periodBound(unit string, t, off int64, end bool) int64 {
	tt := TicksToTime(t)
	var start time.Time
	switch unit {
	case "day":
		start = time.Date(tt.Year(), tt.Month(), tt.Day()+int(off), 0, 0, 0, 0, time.UTC)
	case "week":
		d := tt.AddDate(0, 0, -int(tt.Weekday()))
		start = time.Date(d.Year(), d.Month(), d.Day()+7*int(off), 0, 0, 0, 0, time.UTC)
	case "month":
		start = time.Date(tt.Year(), tt.Month()+time.Month(off), 1, 0, 0, 0, 0, time.UTC)
	case "year":
		start = time.Date(tt.Year()+int(off), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if !end {
		return TimeToTicks(start)
	}
	var next time.Time
	switch unit {
	case "day":
		next = start.AddDate(0, 0, 1)
	case "week":
		next = start.AddDate(0, 0, 7)
	case "month":
		next = start.AddDate(0, 1, 0)
	case "year":
		next = start.AddDate(1, 0, 0)
	}
	return TimeToTicks(next) - 1
}

// formatDateTime implements format_datetime's .NET-style specifiers.
func formatDateTime(ticks int64, f string) string {
	t := TicksToTime(ticks)
	frac := ticks % TicksPerSecond
	if frac < 0 {
		frac += TicksPerSecond
	}
	var b strings.Builder
	for i := 0; i < len(f); {
		c := f[i]
		j := i
		for j < len(f) && f[j] == c {
			j++
		}
		n := j - i
		switch c {
		case 'y':
			if n <= 2 {
				b.WriteString(pad(int64(t.Year()%100), n))
			} else {
				b.WriteString(pad(int64(t.Year()), n))
			}
		case 'M':
			b.WriteString(pad(int64(t.Month()), n))
		case 'd':
			b.WriteString(pad(int64(t.Day()), n))
		case 'H':
			b.WriteString(pad(int64(t.Hour()), n))
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b.WriteString(pad(int64(h), n))
		case 'm':
			b.WriteString(pad(int64(t.Minute()), n))
		case 's':
			b.WriteString(pad(int64(t.Second()), n))
		case 'f', 'F':
			s := pad7(frac)
			if n > 7 {
				n = 7
			}
			s = s[:n]
			if c == 'F' {
				s = strings.TrimRight(s, "0")
			}
			b.WriteString(s)
		case 't':
			ap := "AM"
			if t.Hour() >= 12 {
				ap = "PM"
			}
			b.WriteString(ap[:min(n, 2)])
		default:
			b.WriteString(f[i:j])
		}
		i = j
	}
	return b.String()
}

func pad(v int64, n int) string {
	s := strconv.FormatInt(v, 10)
	for len(s) < n {
		s = "0" + s
	}
	return s
}

func formatTimeSpan(ticks int64, f string) string {
	neg := ticks < 0
	if neg {
		ticks = -ticks
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := 0; i < len(f); {
		c := f[i]
		j := i
		for j < len(f) && f[j] == c {
			j++
		}
		n := j - i
		switch c {
		case 'd':
			b.WriteString(pad(ticks/TicksPerDay, n))
		case 'h', 'H':
			b.WriteString(pad(ticks%TicksPerDay/TicksPerHour, n))
		case 'm':
			b.WriteString(pad(ticks%TicksPerHour/TicksPerMinute, n))
		case 's':
			b.WriteString(pad(ticks%TicksPerMinute/TicksPerSecond, n))
		case 'f', 'F':
			s := pad7(ticks % TicksPerSecond)
			s = s[:min(n, 7)]
			if c == 'F' {
				s = strings.TrimRight(s, "0")
			}
			b.WriteString(s)
		default:
			b.WriteString(f[i:j])
		}
		i = j
	}
	return b.String()
}

// commandLineToArgv splits a Windows command line as CommandLineToArgvW
// does: white space separates arguments, double quotes group, 2n
// backslashes before a quote give n backslashes and toggle quoting, 2n+1
// give n and a literal quote; the program name (first argument) ends at
// the first white space outside quotes and takes backslashes literally.
func commandLineToArgv(s string) []string {
	var args []string
	i := 0
	// program name
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if i >= len(s) {
		return []string{}
	}
	var b strings.Builder
	if s[i] == '"' {
		i++
		for i < len(s) && s[i] != '"' {
			b.WriteByte(s[i])
			i++
		}
		if i < len(s) {
			i++
		}
	} else {
		for i < len(s) && s[i] != ' ' && s[i] != '\t' {
			b.WriteByte(s[i])
			i++
		}
	}
	args = append(args, b.String())
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			return args
		}
		b.Reset()
		inQuote := false
		for i < len(s) {
			c := s[i]
			if (c == ' ' || c == '\t') && !inQuote {
				break
			}
			if c == '\\' {
				n := 0
				for i < len(s) && s[i] == '\\' {
					n++
					i++
				}
				if i < len(s) && s[i] == '"' {
					b.WriteString(strings.Repeat(`\`, n/2))
					if n%2 == 1 {
						b.WriteByte('"')
						i++
					}
				} else {
					b.WriteString(strings.Repeat(`\`, n))
				}
				continue
			}
			if c == '"' {
				if inQuote && i+1 < len(s) && s[i+1] == '"' {
					b.WriteByte('"')
					i += 2
					continue
				}
				inQuote = !inQuote
				i++
				continue
			}
			b.WriteByte(c)
			i++
		}
		args = append(args, b.String())
	}
}

// parsePath splits a file path as parse_path does.
func parsePath(p string) any {
	b := &Bag{}
	scheme := ""
	rootPath := ""
	dir := ""
	name := ""
	ext := ""
	alt := ""
	s := p
	if i := strings.Index(s, "://"); i > 0 {
		scheme = s[:i]
		s = s[i+3:]
	}
	sep := strings.LastIndexAny(s, `\/`)
	if sep >= 0 {
		dir = s[:sep]
		name = s[sep+1:]
	} else {
		name = s
	}
	// the root is a drive (C:); shares (\\server\share) have none, as the
	// page's examples show
	if len(s) >= 2 && s[1] == ':' {
		rootPath = s[:2]
	}
	if i := strings.IndexByte(name, ':'); i >= 0 {
		alt = name[i+1:]
		name = name[:i]
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		ext = name[i+1:]
	}
	b.Set("Scheme", scheme)
	b.Set("RootPath", rootPath)
	b.Set("DirectoryPath", dir)
	b.Set("DirectoryName", lastElem(dir))
	b.Set("Filename", name)
	b.Set("Extension", ext)
	b.Set("AlternateDataStreamName", alt)
	return b
}

func lastElem(dir string) string {
	if i := strings.LastIndexAny(dir, `\/`); i >= 0 {
		return dir[i+1:]
	}
	return dir
}

// parseURL splits a URL as parse_url does.
func parseURL(s string) any {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return &Bag{}
	}
	b := &Bag{}
	b.Set("Scheme", u.Scheme)
	b.Set("Host", u.Hostname())
	b.Set("Port", u.Port())
	b.Set("Path", u.Path)
	user, pass := "", ""
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
	}
	b.Set("Username", user)
	b.Set("Password", pass)
	q := &Bag{}
	vals := u.Query()
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		q.Set(k, vals.Get(k))
	}
	b.Set("Query Parameters", q)
	b.Set("Fragment", u.Fragment)
	return b
}

// jsonPath evaluates a $.a.b[0] path on a dynamic value.
func jsonPath(d any, path string) any {
	path = strings.TrimSpace(path)
	if !strings.HasPrefix(path, "$") {
		return nil
	}
	path = path[1:]
	for path != "" {
		switch path[0] {
		case '.':
			path = path[1:]
			i := strings.IndexAny(path, ".[")
			if i < 0 {
				i = len(path)
			}
			d = dynIndex(d, String(path[:i]))
			path = path[i:]
		case '[':
			j := strings.IndexByte(path, ']')
			if j < 0 {
				return nil
			}
			key := strings.Trim(path[1:j], `'"`)
			if n, err := strconv.ParseInt(key, 10, 64); err == nil {
				d = dynIndex(d, Long(n))
			} else {
				d = dynIndex(d, String(key))
			}
			path = path[j+1:]
		default:
			return nil
		}
	}
	return d
}
