package sigma

import "strings"

// PartKind says what a part of a String is.
type PartKind uint8

// The parts of a String.
const (
	// PartText is literal text (wildcard characters in it are plain).
	PartText PartKind = iota
	// PartAnyChars is the wildcard * (any run of characters, maybe none).
	PartAnyChars
	// PartOneChar is the wildcard ? (exactly one character).
	PartOneChar
	// PartPlaceholder is a %name% placeholder of a value with the expand
	// modifier; Text is the name without the percent signs.
	PartPlaceholder
)

// Part is one piece of a String.
type Part struct {
	Kind PartKind
	Text string
}

// String is a Sigma string value decoded: literal text, wildcards and
// placeholders, in order, with the escapes resolved. Adjacent text parts are
// merged; an empty String is the empty value ”.
type String struct {
	Parts []Part
}

// ParseString decodes a Sigma string value as the specification and pySigma
// define it: * and ? are wildcards; a backslash escapes *, ? and itself
// (and %, when placeholders are on); a backslash before any other character,
// or at the end, is a plain backslash. With placeholders, %name% (letters,
// digits, _ - .) becomes a placeholder part.
func ParseString(s string, placeholders bool) String {
	if !strings.ContainsAny(s, `*?\%`) {
		if s == "" {
			return String{}
		}
		return String{Parts: []Part{{Kind: PartText, Text: s}}}
	}
	var out String
	var acc strings.Builder
	flush := func() {
		if acc.Len() > 0 {
			out.Parts = append(out.Parts, Part{Kind: PartText, Text: acc.String()})
			acc.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 < len(s) {
				n := s[i+1]
				if n == '*' || n == '?' || n == '\\' || placeholders && n == '%' {
					acc.WriteByte(n)
					i++
					continue
				}
			}
			acc.WriteByte('\\')
		case c == '*':
			flush()
			out.Parts = append(out.Parts, Part{Kind: PartAnyChars})
		case c == '?':
			flush()
			out.Parts = append(out.Parts, Part{Kind: PartOneChar})
		case c == '%' && placeholders:
			if n := placeholderLen(s[i+1:]); n > 0 {
				flush()
				out.Parts = append(out.Parts, Part{Kind: PartPlaceholder, Text: s[i+1 : i+1+n]})
				i += n + 1
				continue
			}
			acc.WriteByte(c)
		default:
			acc.WriteByte(c)
		}
	}
	flush()
	return out
}

// placeholderLen returns the length of a placeholder name at the start of s
// that is closed by %, or 0.
func placeholderLen(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			return i
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return 0
		}
	}
	return 0
}

// Text returns s as a plain string: literal text, with * and ? for
// wildcards and %name% for placeholders (unescaped: only meaningful when
// IsPlain, or for display).
func (s String) Text() string {
	if len(s.Parts) == 1 && s.Parts[0].Kind == PartText {
		return s.Parts[0].Text
	}
	var b strings.Builder
	for _, p := range s.Parts {
		switch p.Kind {
		case PartText:
			b.WriteString(p.Text)
		case PartAnyChars:
			b.WriteByte('*')
		case PartOneChar:
			b.WriteByte('?')
		case PartPlaceholder:
			b.WriteByte('%')
			b.WriteString(p.Text)
			b.WriteByte('%')
		}
	}
	return b.String()
}

// String returns s in canonical Sigma notation (see Escaped), with
// placeholder escapes when s holds placeholders.
func (s String) String() string { return s.Escaped(s.HasPlaceholders()) }

// Escaped returns s in canonical Sigma notation: ParseString of the result
// with the same placeholders setting gives s back. Backslashes are doubled
// only where they must be: before a wildcard, another backslash or (with
// placeholders) a percent sign.
func (s String) Escaped(placeholders bool) string {
	var b strings.Builder
	special := func(c byte) bool { return c == '*' || c == '?' || c == '\\' || placeholders && c == '%' }
	for i, p := range s.Parts {
		switch p.Kind {
		case PartText:
			for j := 0; j < len(p.Text); j++ {
				c := p.Text[j]
				switch {
				case c == '\\':
					next := byte(0)
					if j+1 < len(p.Text) {
						next = p.Text[j+1]
					} else if i+1 < len(s.Parts) {
						switch s.Parts[i+1].Kind {
						case PartText:
							if t := s.Parts[i+1].Text; t != "" {
								next = t[0]
							}
						default:
							next = '*' // a wildcard or placeholder follows
						}
					}
					if special(next) {
						b.WriteByte('\\')
					}
					b.WriteByte('\\')
				case special(c):
					b.WriteByte('\\')
					b.WriteByte(c)
				default:
					b.WriteByte(c)
				}
			}
		case PartAnyChars:
			b.WriteByte('*')
		case PartOneChar:
			b.WriteByte('?')
		case PartPlaceholder:
			b.WriteByte('%')
			b.WriteString(p.Text)
			b.WriteByte('%')
		}
	}
	return b.String()
}

// IsPlain reports whether s has no wildcards and no placeholders.
func (s String) IsPlain() bool {
	for _, p := range s.Parts {
		if p.Kind != PartText {
			return false
		}
	}
	return true
}

// HasPlaceholders reports whether s holds a %name% placeholder.
func (s String) HasPlaceholders() bool {
	for _, p := range s.Parts {
		if p.Kind == PartPlaceholder {
			return true
		}
	}
	return false
}

// Placeholders returns the names of s's placeholders, in order.
func (s String) Placeholders() []string {
	var names []string
	for _, p := range s.Parts {
		if p.Kind == PartPlaceholder {
			names = append(names, p.Text)
		}
	}
	return names
}

// TrimAnyChars returns s without leading and trailing * wildcards and
// whether it had them at each end.
func (s String) TrimAnyChars() (inner String, leading, trailing bool) {
	parts := s.Parts
	for len(parts) > 0 && parts[0].Kind == PartAnyChars {
		parts = parts[1:]
		leading = true
	}
	for len(parts) > 0 && parts[len(parts)-1].Kind == PartAnyChars {
		parts = parts[:len(parts)-1]
		trailing = true
	}
	return String{Parts: parts}, leading, trailing
}

// IsAnyChars reports whether s is nothing but * wildcards (it matches any
// value).
func (s String) IsAnyChars() bool {
	if len(s.Parts) == 0 {
		return false
	}
	for _, p := range s.Parts {
		if p.Kind != PartAnyChars {
			return false
		}
	}
	return true
}

// Wrap returns s with a * wildcard added before (leading) and after
// (trailing), unless one is there already.
func (s String) Wrap(leading, trailing bool) String {
	parts := make([]Part, 0, len(s.Parts)+2)
	if leading && (len(s.Parts) == 0 || s.Parts[0].Kind != PartAnyChars) {
		parts = append(parts, Part{Kind: PartAnyChars})
	}
	parts = append(parts, s.Parts...)
	if trailing && (len(parts) == 0 || parts[len(parts)-1].Kind != PartAnyChars) {
		parts = append(parts, Part{Kind: PartAnyChars})
	}
	return String{Parts: parts}
}

// Equal reports whether two strings have the same parts.
func (s String) Equal(t String) bool {
	if len(s.Parts) != len(t.Parts) {
		return false
	}
	for i := range s.Parts {
		if s.Parts[i] != t.Parts[i] {
			return false
		}
	}
	return true
}

// Plain returns a String of literal text.
func Plain(text string) String {
	if text == "" {
		return String{}
	}
	return String{Parts: []Part{{Kind: PartText, Text: text}}}
}
