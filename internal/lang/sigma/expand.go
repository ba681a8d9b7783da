package sigma

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxExpansion bounds how many patterns one value may expand into (windash
// multiplies the variants by five for every dash).
const MaxExpansion = 4096

// MaxExpandedBytes bounds the total size of the patterns one value expands
// into (chained encodings multiply it).
const MaxExpandedBytes = 1 << 20

// WindashChars are the characters the windash modifier makes
// interchangeable: hyphen, slash, en dash, em dash and horizontal bar.
var WindashChars = []string{"-", "/", "\u2013", "\u2014", "\u2015"}

// Patterns returns the patterns value v of the item finally matches (any one
// of them), after the modifiers that change values, applied in the order
// written as pySigma applies them: contains, startswith and endswith add *
// wildcards; base64 and base64offset encode (base64offset gives the three
// variants for the three alignments); utf16le (wide), utf16be and utf16
// (with a byte-order mark) encode each character as two bytes; windash gives
// every combination of dash characters for each dash that starts a word.
// Encoded bytes are kept in the String's text as they are (not UTF-8).
//
// For comparisons that are not on strings (regular expressions, CIDR,
// numbers, exists, field references) it returns v.Str unchanged.
func (it *Item) Patterns(v *Value) ([]String, error) {
	cur := []String{v.Str}
	if !it.IsStringCompare() || v.Type == ValueNull {
		return cur, nil
	}
	for _, m := range it.Modifiers {
		var next []String
		var err error
		switch m.Name {
		case "contains":
			next = mapStrings(cur, func(s String) String { return s.Wrap(true, true) })
		case "startswith":
			next = mapStrings(cur, func(s String) String { return s.Wrap(false, true) })
		case "endswith":
			next = mapStrings(cur, func(s String) String { return s.Wrap(true, false) })
		case "base64":
			next, err = encodeAll(cur, m.Name, func(b string) []string { return []string{base64.StdEncoding.EncodeToString([]byte(b))} })
		case "base64offset":
			next, err = encodeAll(cur, m.Name, base64Offsets)
		case "utf16le", "utf16be", "utf16":
			next = mapStrings(cur, func(s String) String { return encodeUTF16(s, m.Name) })
		case "windash":
			for _, s := range cur {
				next = append(next, windash(s)...)
				if len(next) > MaxExpansion {
					return cur, fmt.Errorf("windash expands the value into more than %d variants", MaxExpansion)
				}
			}
		default:
			continue
		}
		if err != nil {
			return cur, err
		}
		cur = next
		if len(cur) > MaxExpansion {
			return cur, fmt.Errorf("the value expands into more than %d variants", MaxExpansion)
		}
		size := 0
		for _, s := range cur {
			for _, p := range s.Parts {
				size += len(p.Text) + 1
			}
		}
		if size > MaxExpandedBytes {
			return cur, fmt.Errorf("the value expands into more than %d bytes", MaxExpandedBytes)
		}
	}
	return cur, nil
}

func mapStrings(in []String, f func(String) String) []String {
	out := make([]String, len(in))
	for i, s := range in {
		out[i] = f(s)
	}
	return out
}

// encodeAll encodes every (plain) string; wildcards cannot be encoded.
func encodeAll(in []String, name string, enc func(string) []string) ([]String, error) {
	var out []String
	for _, s := range in {
		if !s.IsPlain() {
			return nil, fmt.Errorf("%s cannot encode a value with wildcards or placeholders (%s); put contains, startswith or endswith after it", name, s)
		}
		for _, e := range enc(s.Text()) {
			out = append(out, Plain(e))
		}
	}
	return out, nil
}

// base64Offsets returns the three base64 forms of b as it may appear at the
// three byte alignments inside a longer encoded text, without the characters
// that depend on the neighbouring bytes (pySigma's base64offset).
func base64Offsets(b string) []string {
	start := [3]int{0, 2, 3}
	endTrim := [3]int{0, 3, 2} // characters cut from the end, by (len+shift)%3
	out := make([]string, 0, 3)
	for shift := 0; shift < 3; shift++ {
		enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat(" ", shift) + b))
		end := len(enc) - endTrim[(len(b)+shift)%3]
		s := start[shift]
		if s > end {
			s = end
		}
		out = append(out, enc[s:end])
	}
	return out
}

// encodeUTF16 encodes the text parts of s as UTF-16 (little endian for
// utf16le, big endian for utf16be, little endian after a byte-order mark for
// utf16), keeping wildcards.
func encodeUTF16(s String, name string) String {
	var out String
	for i, p := range s.Parts {
		if p.Kind != PartText {
			out.Parts = append(out.Parts, p)
			continue
		}
		var b strings.Builder
		if name == "utf16" && i == 0 {
			b.WriteString("\xff\xfe")
		}
		for _, r := range p.Text {
			for _, u := range utf16.Encode([]rune{r}) {
				if name == "utf16be" {
					b.WriteByte(byte(u >> 8))
					b.WriteByte(byte(u))
				} else {
					b.WriteByte(byte(u))
					b.WriteByte(byte(u >> 8))
				}
			}
		}
		out.Parts = append(out.Parts, Part{Kind: PartText, Text: b.String()})
	}
	if name == "utf16" && (len(s.Parts) == 0 || s.Parts[0].Kind != PartText) {
		out.Parts = append([]Part{{Kind: PartText, Text: "\xff\xfe"}}, out.Parts...)
	}
	return out
}

// windash returns every variant of s with each dash that starts a word (a
// - or / not preceded by a word character and followed by one, pySigma's
// \B[-/]\b, within one text part) replaced by each of WindashChars.
func windash(s String) []String {
	type slot struct{ part, off int }
	var slots []slot
	for pi, p := range s.Parts {
		if p.Kind != PartText {
			continue
		}
		for i := 0; i < len(p.Text); i++ {
			c := p.Text[i]
			if c != '-' && c != '/' {
				continue
			}
			if i > 0 {
				r, _ := utf8.DecodeLastRuneInString(p.Text[:i])
				if isWordRune(r) {
					continue
				}
			}
			if i+1 >= len(p.Text) {
				continue
			}
			r, _ := utf8.DecodeRuneInString(p.Text[i+1:])
			if !isWordRune(r) {
				continue
			}
			slots = append(slots, slot{pi, i})
		}
	}
	if len(slots) == 0 {
		return []String{s}
	}
	total := 1
	for range slots {
		total *= len(WindashChars)
		if total > MaxExpansion {
			return make([]String, MaxExpansion+1)
		}
	}
	out := make([]String, 0, total)
	choice := make([]int, len(slots))
	for {
		parts := append([]Part(nil), s.Parts...)
		// Rebuild each affected part from its slots, right to left so the
		// offsets stay valid.
		for k := len(slots) - 1; k >= 0; k-- {
			sl := slots[k]
			t := parts[sl.part].Text
			parts[sl.part].Text = t[:sl.off] + WindashChars[choice[k]] + t[sl.off+1:]
		}
		out = append(out, String{Parts: parts})
		k := len(choice) - 1
		for k >= 0 {
			choice[k]++
			if choice[k] < len(WindashChars) {
				break
			}
			choice[k] = 0
			k--
		}
		if k < 0 {
			return out
		}
	}
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}
