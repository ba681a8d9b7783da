package kql

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// IsTyped reports whether the literal is written in the constructor form
// (datetime(...), long(...), time(...), guid(...), bool(...)).
func (b *BasicLit) IsTyped() bool {
	return len(b.Raw) > 0 && isLetter(b.Raw[0]) && b.Kind != STRING && b.Kind != BOOL && b.Kind != RAWGUID && b.Kind != NULL ||
		b.Kind == BOOL && strings.HasPrefix(b.Raw, "bool(")
}

// Inner returns the text between the parentheses of a typed literal
// (2024-01-01 for datetime(2024-01-01)), trimmed of spaces, or Raw for the
// other literals.
func (b *BasicLit) Inner() string {
	if !b.IsTyped() {
		return b.Raw
	}
	i := strings.IndexByte(b.Raw, '(')
	s := b.Raw[i+1:]
	s = strings.TrimSuffix(s, ")")
	return strings.TrimSpace(s)
}

// Value returns the decoded value as text: the content of a string with its
// escapes resolved ("C:\\Windows" → C:\Windows, @"C:\W" → C:\W, h"x" → x,
// adjacent strings concatenated), the inside of a typed literal
// (datetime(2024-01-01) → 2024-01-01), "" for null, and the source text of
// other literals (42, 2h, true).
func (b *BasicLit) Value() string {
	switch b.Kind {
	case STRING:
		return Unquote(b.Raw)
	case NULL:
		return ""
	}
	return b.Inner()
}

// StringValue returns the decoded string and true for string literals.
func (b *BasicLit) StringValue() (string, bool) {
	if b.Kind != STRING {
		return "", false
	}
	return Unquote(b.Raw), true
}

// Int returns the value of an integer literal (LONG or INT kinds: 42, -1,
// 0x1F, long(42)).
func (b *BasicLit) Int() (int64, bool) {
	if b.Kind != LONG && b.Kind != INT {
		return 0, false
	}
	s := b.Inner()
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var v int64
	var err error
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		var u uint64
		u, err = strconv.ParseUint(s[2:], 16, 64)
		v = int64(u)
	} else {
		v, err = strconv.ParseInt(s, 10, 64)
	}
	if err != nil {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// Float returns the value of a numeric literal (REAL, DECIMAL, LONG, INT).
func (b *BasicLit) Float() (float64, bool) {
	switch b.Kind {
	case LONG, INT:
		v, ok := b.Int()
		return float64(v), ok
	case REAL, DECIMAL:
		s := b.Inner()
		switch s {
		case "nan":
			return math.NaN(), true
		case "+inf":
			return math.Inf(1), true
		case "-inf":
			return math.Inf(-1), true
		}
		v, err := strconv.ParseFloat(s, 64)
		return v, err == nil
	}
	return 0, false
}

// Bool returns the value of a bool literal (true, False, bool(true)).
func (b *BasicLit) Bool() (bool, bool) {
	if b.Kind != BOOL {
		return false, false
	}
	switch strings.ToLower(b.Inner()) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

var timespanUnits = map[string]time.Duration{
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"m": time.Minute, "min": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"s": time.Second, "sec": time.Second, "second": time.Second, "seconds": time.Second,
	"ms": time.Millisecond, "milli": time.Millisecond, "millis": time.Millisecond, "millisec": time.Millisecond,
	"millisecond": time.Millisecond, "milliseconds": time.Millisecond,
	"micro": time.Microsecond, "micros": time.Microsecond, "microsec": time.Microsecond,
	"microsecond": time.Microsecond, "microseconds": time.Microsecond,
	"nano": time.Nanosecond, "nanos": time.Nanosecond, "nanosec": time.Nanosecond,
	"nanosecond": time.Nanosecond, "nanoseconds": time.Nanosecond,
	"tick": 100 * time.Nanosecond, "ticks": 100 * time.Nanosecond,
}

// Duration returns the value of a timespan literal: 2h, 1.5d, 1tick, -30m,
// time(1h), timespan(1.02:03:04), time(02:00:00).
func (b *BasicLit) Duration() (time.Duration, bool) {
	if b.Kind != TIMESPAN {
		return 0, false
	}
	return parseTimespan(b.Inner())
}

func parseTimespan(s string) (time.Duration, bool) {
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var d time.Duration
	var ok bool
	if strings.Contains(s, ":") {
		d, ok = parseClockSpan(s)
	} else {
		i := 0
		for i < len(s) && (isDigit(s[i]) || s[i] == '.') {
			i++
		}
		unit := time.Duration(24 * time.Hour) // a bare number is days
		if i < len(s) {
			u, found := timespanUnits[s[i:]]
			if !found {
				return 0, false
			}
			unit = u
		}
		f, err := strconv.ParseFloat(s[:i], 64)
		if err != nil {
			return 0, false
		}
		d, ok = time.Duration(f*float64(unit)), true
	}
	if neg {
		d = -d
	}
	return d, ok
}

// parseClockSpan parses [d.]hh:mm[:ss[.fffffff]].
func parseClockSpan(s string) (time.Duration, bool) {
	var days int64
	if i := strings.IndexByte(s, '.'); i >= 0 && i < strings.IndexByte(s, ':') {
		n, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil {
			return 0, false
		}
		days, s = n, s[i+1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	h, err1 := strconv.ParseInt(parts[0], 10, 64)
	m, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	d := time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if len(parts) == 3 {
		sec, err := strconv.ParseFloat(parts[2], 64)
		if err != nil {
			return 0, false
		}
		d += time.Duration(sec * float64(time.Second))
	}
	return d, true
}

var datetimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.9999999",
	"2006-01-02 15:04:05.9999999",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006-01-02T15:04:05.9999999Z",
	"2006-01-02 15:04:05.9999999Z",
	"2006/01/02",
	"2006/01/02 15:04:05",
	"01/02/2006",
	"01/02/2006 15:04:05",
	"2 Jan 2006",
	"2 Jan 2006 15:04:05",
	"Mon, 2 Jan 2006 15:04:05 MST",
}

// Time returns the value of a datetime literal (datetime(2024-01-31),
// datetime(2024-01-31T10:00:00Z)), in UTC.
func (b *BasicLit) Time() (time.Time, bool) {
	if b.Kind != DATETIME {
		return time.Time{}, false
	}
	s := b.Inner()
	for _, layout := range datetimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// Unquote decodes the text of a string literal, or of several adjacent
// string literals (with spaces or comments between them), into its value.
// Text that is not a string literal is returned unchanged.
func Unquote(raw string) string {
	// Fast path: one plain literal without escapes.
	if n := len(raw); n >= 2 && (raw[0] == '\'' || raw[0] == '"') && raw[n-1] == raw[0] &&
		strings.IndexByte(raw[1:n-1], '\\') < 0 && strings.IndexByte(raw[1:n-1], raw[0]) < 0 {
		return raw[1 : n-1]
	}
	var b strings.Builder
	s := Scanner{src: raw}
	any := false
	for {
		s.skipTrivia()
		if s.pos >= len(raw) {
			break
		}
		start := s.pos
		end, ok := s.tryString(start)
		if !ok || end <= start {
			if !any {
				return raw
			}
			break
		}
		any = true
		appendStringValue(&b, raw[start:end])
		s.pos = end
	}
	return b.String()
}

// appendStringValue appends the value of one string literal token.
func appendStringValue(b *strings.Builder, lit string) {
	p := 0
	if p < len(lit) && (lit[p] == 'h' || lit[p] == 'H') {
		p++
	}
	verbatim := false
	if p < len(lit) && lit[p] == '@' {
		verbatim = true
		p++
	}
	if p >= len(lit) {
		return
	}
	q := lit[p]
	if q == '`' || q == '~' {
		body := lit[p+3:]
		body = strings.TrimSuffix(body, lit[p:p+3])
		b.WriteString(body)
		return
	}
	body := lit[p+1:]
	if len(body) > 0 && body[len(body)-1] == q {
		body = body[:len(body)-1]
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if verbatim {
			if c == q && i+1 < len(body) && body[i+1] == q {
				i++
			}
			b.WriteByte(c)
			continue
		}
		if c != '\\' || i+1 >= len(body) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := body[i]; e {
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'a':
			b.WriteByte('\a')
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
		case 'v':
			b.WriteByte('\v')
		case 'u', 'U', 'x':
			n := map[byte]int{'u': 4, 'U': 8, 'x': 2}[e]
			if i+n < len(body)+0 && hexRun(body, i+1, n) {
				v, _ := strconv.ParseUint(body[i+1:i+1+n], 16, 32)
				if e == 'x' {
					b.WriteByte(byte(v))
				} else {
					b.WriteRune(rune(v))
				}
				i += n
			} else {
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		default:
			if e >= '0' && e <= '7' {
				n := escapeLen(body, i-1) - 1
				if n < 1 {
					n = 1
				}
				v, _ := strconv.ParseUint(body[i:i+n], 8, 32)
				if v < utf8.RuneSelf {
					b.WriteByte(byte(v))
				} else {
					b.WriteRune(rune(v))
				}
				i += n - 1
			} else {
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		}
	}
}

// Quote returns a KQL string literal whose value is s: a verbatim @'...'
// literal when s has backslashes but no quote or line break, otherwise a
// regular literal with escapes.
func Quote(s string) string {
	if strings.ContainsRune(s, '\\') && !strings.ContainsAny(s, "'\r\n") {
		return "@'" + s + "'"
	}
	var b strings.Builder
	q := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	b.WriteByte(q)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\'', '"':
			if c == q {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(q)
	return b.String()
}
