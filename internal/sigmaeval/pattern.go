package sigmaeval

import (
	"strings"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/lang/sigma"
)

// patternKind says how a compiled string pattern compares a value.
type patternKind uint8

const (
	patExact    patternKind = iota // the whole value
	patPrefix                      // lit*
	patSuffix                      // *lit
	patContains                    // *lit*
	patAny                         // * (any value, the empty one included)
	patGlob                        // anything else: segments, * and ?
)

// globTok is one token of a general wildcard pattern.
type globTok struct {
	star bool   // *
	one  bool   // ?
	lit  string // literal text
}

// strPattern is a Sigma string (wildcards resolved, escapes decoded) compiled
// for matching whole values. Literal text is folded unless the pattern is
// cased; the value given to match must be folded the same way (see fold).
type strPattern struct {
	kind  patternKind
	lit   string
	toks  []globTok
	cased bool
}

// compilePattern compiles a Sigma string. Placeholders must have been
// replaced before (an unresolved placeholder is matched as literal text
// %name%, which never occurs in real values).
func compilePattern(s sigma.String, cased bool) strPattern {
	p := strPattern{cased: cased}
	var toks []globTok
	for _, part := range s.Parts {
		switch part.Kind {
		case sigma.PartAnyChars:
			if len(toks) > 0 && toks[len(toks)-1].star {
				continue // ** is *
			}
			toks = append(toks, globTok{star: true})
		case sigma.PartOneChar:
			toks = append(toks, globTok{one: true})
		case sigma.PartText:
			text := part.Text
			if !cased {
				text = fold(text)
			}
			if n := len(toks); n > 0 && !toks[n-1].star && !toks[n-1].one {
				toks[n-1].lit += text
				continue
			}
			toks = append(toks, globTok{lit: text})
		case sigma.PartPlaceholder:
			text := "%" + part.Text + "%"
			if !cased {
				text = fold(text)
			}
			toks = append(toks, globTok{lit: text})
		}
	}
	isLit := func(t globTok) bool { return !t.star && !t.one }
	switch {
	case len(toks) == 0:
		p.kind = patExact
	case len(toks) == 1 && toks[0].star:
		p.kind = patAny
	case len(toks) == 1 && isLit(toks[0]):
		p.kind, p.lit = patExact, toks[0].lit
	case len(toks) == 2 && isLit(toks[0]) && toks[1].star:
		p.kind, p.lit = patPrefix, toks[0].lit
	case len(toks) == 2 && toks[0].star && isLit(toks[1]):
		p.kind, p.lit = patSuffix, toks[1].lit
	case len(toks) == 3 && toks[0].star && isLit(toks[1]) && toks[2].star:
		p.kind, p.lit = patContains, toks[1].lit
	default:
		p.kind, p.toks = patGlob, toks
	}
	return p
}

// match reports whether the (folded, unless cased) value matches the whole
// pattern.
func (p *strPattern) match(v string) bool {
	switch p.kind {
	case patExact:
		return v == p.lit
	case patPrefix:
		return strings.HasPrefix(v, p.lit)
	case patSuffix:
		return strings.HasSuffix(v, p.lit)
	case patContains:
		return strings.Contains(v, p.lit)
	case patAny:
		return true
	}
	return globMatch(p.toks, v)
}

// globMatch matches v against tokens: * any run of characters (maybe none),
// ? exactly one character, literal text as it is. It backtracks only to the
// last star, so it runs in O(len(toks) * len(v)) at worst.
func globMatch(toks []globTok, v string) bool {
	ti, vi := 0, 0
	starTok, starVal := -1, 0
	for {
		if ti < len(toks) {
			t := toks[ti]
			switch {
			case t.star:
				starTok, starVal = ti, vi
				ti++
				continue
			case t.one:
				if vi < len(v) {
					_, n := utf8.DecodeRuneInString(v[vi:])
					vi += n
					ti++
					continue
				}
			default:
				if strings.HasPrefix(v[vi:], t.lit) {
					// A literal right after a star: jump to its next
					// occurrence rather than stepping one byte at a time.
					vi += len(t.lit)
					ti++
					continue
				}
			}
		} else if vi == len(v) {
			return true
		}
		// Mismatch: let the last star swallow one more character.
		if starTok < 0 || starVal >= len(v) {
			return false
		}
		next := starTok + 1
		if next < len(toks) && !toks[next].star && !toks[next].one {
			i := strings.Index(v[starVal+1:], toks[next].lit)
			if i < 0 {
				return false
			}
			starVal += 1 + i
		} else {
			_, n := utf8.DecodeRuneInString(v[starVal:])
			starVal += n
		}
		ti, vi = next, starVal
	}
}

// fold returns s as Sigma compares it without |cased: lower-cased. Text that
// is not valid UTF-8 (the bytes of |utf16 encodings) is folded byte by byte,
// ASCII only.
func fold(s string) string {
	ascii := true
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if 'A' <= c && c <= 'Z' {
			upper = true
		}
	}
	if ascii {
		if !upper {
			return s
		}
		b := []byte(s)
		for i, c := range b {
			if 'A' <= c && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
		return string(b)
	}
	if utf8.ValidString(s) {
		return strings.ToLower(s)
	}
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
