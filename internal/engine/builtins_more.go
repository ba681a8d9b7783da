package engine

import (
	"net/netip"
	"strings"
	"unicode/utf8"
)

// Functions added for the corpus's rules: range (scalar), make_string,
// indexof_regex, has_any_index, has_ipv4_prefix, has_any_ipv4_prefix.
func init() {
	def("range", 2, 3, returns(TypeDynamic))
	def("make_string", 1, -1, returns(TypeString))
	def("indexof_regex", 2, 5, returns(TypeLong))
	def("has_any_index", 2, 2, returns(TypeLong))
	def("has_ipv4_prefix", 2, 2, returns(TypeBool))
	def("has_any_ipv4_prefix", 2, -1, returns(TypeBool))
	signatures["extract_json"] = &signature{Name: "extract_json", Min: 2, Max: 3, Impl: "extractjson", Result: returns(TypeString)}

	// range(start, stop [, step]): the array start, start+step, ... up to
	// stop (step 1 by default; numbers, datetimes with a timespan step).
	row("range", func(a []Value) Value {
		from, to := a[0], a[1]
		if from.Null || to.Null {
			return Dyn(nil)
		}
		if from.T == TypeDateTime || from.T == TypeTimeSpan {
			if len(a) < 3 || a[2].Null {
				return Dyn(nil)
			}
			f, t := Convert(from, from.T).I, Convert(to, from.T).I
			step := Convert(a[2], TypeTimeSpan).I
			var out []any
			for v := f; step > 0 && v <= t || step < 0 && v >= t; v += step {
				if len(out) >= 1_000_000 {
					break
				}
				if from.T == TypeDateTime {
					out = append(out, DynDateTime(v))
				} else {
					out = append(out, DynTimeSpan(v))
				}
			}
			return Dyn(orEmpty(out))
		}
		if from.T.isFloat() || to.T.isFloat() || len(a) > 2 && a[2].T.isFloat() {
			f, _ := toF(from)
			t, _ := toF(to)
			step := 1.0
			if len(a) > 2 {
				step, _ = toF(a[2])
			}
			var out []any
			for v := f; step > 0 && v <= t || step < 0 && v >= t; v += step {
				if len(out) >= 1_000_000 {
					break
				}
				out = append(out, v)
			}
			return Dyn(orEmpty(out))
		}
		f, _ := toI(from)
		t, _ := toI(to)
		step := int64(1)
		if len(a) > 2 {
			step, _ = toI(a[2])
		}
		var out []any
		for v := f; step > 0 && v <= t || step < 0 && v >= t; v += step {
			if len(out) >= 1_000_000 {
				break
			}
			out = append(out, v)
		}
		return Dyn(orEmpty(out))
	})

	// make_string(codes...): the string of the Unicode code points given
	// as numbers or arrays of numbers.
	row("make_string", func(a []Value) Value {
		var sb strings.Builder
		for _, v := range a {
			for _, e := range flattenValue(v) {
				n, ok := toI(e)
				if !ok || n < 0 || n > utf8.MaxRune {
					return String("")
				}
				sb.WriteRune(rune(n))
			}
		}
		return String(sb.String())
	})

	// indexof_regex(source, regex [, start [, length [, occurrence]]]):
	// the position of the occurrence-th match, -1 for none, null for an
	// invalid argument.
	row("indexof_regex", func(a []Value) Value {
		s := str(a[0])
		rx, err := cachedRegexp(str(a[1]))
		if err != nil {
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
		if start < 0 || start > int64(len(s)) || occ < 1 || length < -1 {
			return NullOf(TypeLong)
		}
		end := int64(len(s))
		if length >= 0 && start+length < end {
			end = start + length
		}
		locs := rx.FindAllStringIndex(s[start:end], int(occ))
		if int64(len(locs)) < occ {
			return Long(-1)
		}
		return Long(start + int64(locs[occ-1][0]))
	})

	// has_any_index(source, values): the index of the first of values
	// found in source as a whole term (has), -1 for none.
	row("has_any_index", func(a []Value) Value {
		s := str(a[0])
		for i, t := range flattenValue(a[1]) {
			if hasTerm(s, t.String(), true, true, true) {
				return Long(int64(i))
			}
		}
		return Long(-1)
	})

	row("has_ipv4_prefix", func(a []Value) Value {
		return hasIPv4Prefix(str(a[0]), []Value{a[1]})
	})
	row("has_any_ipv4_prefix", func(a []Value) Value {
		var prefixes []Value
		for _, v := range a[1:] {
			prefixes = append(prefixes, flattenValue(v)...)
		}
		return hasIPv4Prefix(str(a[0]), prefixes)
	})
}

func orEmpty(a []any) []any {
	if a == nil {
		return []any{}
	}
	return a
}

// hasIPv4Prefix reports whether text holds an IPv4 address (delimited by
// characters that are neither alphanumeric nor '.') that starts with one of
// the prefixes. A prefix is a whole address or the start of one ending in
// '.' ("10.", "192.168.").
func hasIPv4Prefix(text string, prefixes []Value) Value {
	var valid []string
	for _, p := range prefixes {
		s := p.String()
		if validIPv4Prefix(s) {
			valid = append(valid, s)
		}
	}
	if len(valid) == 0 {
		return Bool(false)
	}
	for i := 0; i < len(text); {
		c := text[i]
		if !(c >= '0' && c <= '9') {
			i++
			continue
		}
		j := i
		for j < len(text) && (text[j] >= '0' && text[j] <= '9' || text[j] == '.') {
			j++
		}
		before := i == 0 || !isAlnum(text[i-1])
		after := j == len(text) || !isAlnum(text[j])
		tok := text[i:j]
		if before && after {
			if ip, err := netip.ParseAddr(tok); err == nil && ip.Is4() {
				for _, p := range valid {
					if strings.HasPrefix(tok, p) && (strings.HasSuffix(p, ".") || tok == p) {
						return Bool(true)
					}
				}
			}
		}
		i = j
	}
	return Bool(false)
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func validIPv4Prefix(p string) bool {
	if ip, err := netip.ParseAddr(p); err == nil && ip.Is4() {
		return true
	}
	if !strings.HasSuffix(p, ".") {
		return false
	}
	parts := strings.Split(strings.TrimSuffix(p, "."), ".")
	if len(parts) == 0 || len(parts) > 3 {
		return false
	}
	for _, part := range parts {
		if part == "" || len(part) > 3 {
			return false
		}
		n := 0
		for _, ch := range part {
			if ch < '0' || ch > '9' {
				return false
			}
			n = n*10 + int(ch-'0')
		}
		if n > 255 {
			return false
		}
	}
	return true
}
