package splunk

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/source"
)

// scalarMap maps byte offsets of a YAML scalar's decoded value back to
// offsets of the file. It re-reads the scalar as written (quoted, plain or
// block, with line folding and escapes) and keeps the result only when it
// decodes to exactly the value the YAML library produced; otherwise every
// offset maps to the start of the scalar.
type scalarMap struct {
	start   int   // file offset of the scalar's first content byte
	offsets []int // file offset of each decoded byte, plus one for the end
}

// newScalarMap builds the map of node, a scalar of the file text body.
func newScalarMap(body string, lines *source.LineTable, node *yaml.Node) *scalarMap {
	begin := int(lines.LineStart(node.Line))
	if begin < 0 {
		return &scalarMap{}
	}
	begin += node.Column - 1
	if begin > len(body) {
		begin = len(body)
	}
	m := &scalarMap{start: begin}
	var dec []byte
	var offs []int
	switch node.Style {
	case yaml.SingleQuotedStyle:
		dec, offs = readFlow(body, begin+1, '\'')
		m.start = begin + 1
	case yaml.DoubleQuotedStyle:
		dec, offs = readFlow(body, begin+1, '"')
		m.start = begin + 1
	case yaml.LiteralStyle, yaml.FoldedStyle:
		dec, offs = readBlock(body, begin, node.Style == yaml.FoldedStyle)
	default:
		dec, offs = readFlow(body, begin, 0)
	}
	if string(dec) == node.Value && len(offs) == len(dec)+1 {
		m.offsets = offs
	}
	return m
}

// FileOffset returns the file offset of the decoded value's byte off.
func (m *scalarMap) FileOffset(off int) int {
	if m.offsets == nil || off < 0 {
		return m.start
	}
	if off >= len(m.offsets) {
		return m.offsets[len(m.offsets)-1]
	}
	return m.offsets[off]
}

// Exact reports whether offsets map byte for byte.
func (m *scalarMap) Exact() bool { return m.offsets != nil }

// readFlow decodes a flow scalar starting at i: quoted by q ('\” or '"'),
// or plain when q is 0 (up to the end of its lines). It folds line breaks
// as YAML does: a single break becomes a space, each empty line a newline,
// white space around breaks is dropped.
func readFlow(s string, i int, q byte) ([]byte, []int) {
	var dec []byte
	var offs []int
	emit := func(b byte, at int) {
		dec = append(dec, b)
		offs = append(offs, at)
	}
	plainIndent := -1
	for i < len(s) {
		c := s[i]
		switch {
		case q == '\'' && c == '\'':
			if i+1 < len(s) && s[i+1] == '\'' {
				emit('\'', i)
				i += 2
				continue
			}
			offs = append(offs, i)
			return dec, offs
		case q == '"' && c == '"':
			offs = append(offs, i)
			return dec, offs
		case q == '"' && c == '\\' && i+1 < len(s):
			n, ok := readEscape(s, i, &dec, &offs)
			if !ok {
				return nil, nil
			}
			i = n
			continue
		case q == 0 && (c == '#' && i > 0 && (s[i-1] == ' ' || s[i-1] == '\t')):
			offs = append(offs, i)
			return trimPlain(dec, offs)
		case c == '\n' || c == '\r':
			// Drop white space before the break.
			for len(dec) > 0 && (dec[len(dec)-1] == ' ' || dec[len(dec)-1] == '\t') {
				dec, offs = dec[:len(dec)-1], offs[:len(offs)-1]
			}
			brk := i
			newlines := 0
			j := i
			for j < len(s) {
				if s[j] == '\r' {
					j++
					continue
				}
				if s[j] != '\n' {
					break
				}
				j++
				k := j
				for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
					k++
				}
				if q == 0 {
					// A plain scalar ends at a less indented line, a comment
					// or the document's end.
					if plainIndent < 0 {
						plainIndent = 1
					}
					if k-j < plainIndent || k < len(s) && s[k] == '#' || k >= len(s) {
						offs = append(offs, brk)
						return trimPlain(dec, offs)
					}
				}
				if k < len(s) && (s[k] == '\n' || s[k] == '\r') {
					newlines++
					j = k
					continue
				}
				j = k
				break
			}
			if newlines == 0 {
				emit(' ', brk)
			} else {
				for n := 0; n < newlines; n++ {
					emit('\n', brk)
				}
			}
			i = j
			continue
		}
		emit(c, i)
		i++
	}
	if q != 0 {
		return nil, nil
	}
	offs = append(offs, len(s))
	return trimPlain(dec, offs)
}

func trimPlain(dec []byte, offs []int) ([]byte, []int) {
	for len(dec) > 0 && (dec[len(dec)-1] == ' ' || dec[len(dec)-1] == '\t' || dec[len(dec)-1] == '\n') {
		end := offs[len(offs)-1]
		dec, offs = dec[:len(dec)-1], offs[:len(offs)-1]
		offs[len(offs)-1] = end
	}
	return dec, offs
}

// readEscape decodes a double-quoted escape at s[i] == '\\'.
func readEscape(s string, i int, dec *[]byte, offs *[]int) (int, bool) {
	put := func(str string) {
		for k := 0; k < len(str); k++ {
			*dec = append(*dec, str[k])
			*offs = append(*offs, i)
		}
	}
	c := s[i+1]
	simple := map[byte]string{'0': "\x00", 'a': "\a", 'b': "\b", 't': "\t", '\t': "\t", 'n': "\n", 'v': "\v", 'f': "\f",
		'r': "\r", 'e': "\x1b", ' ': " ", '"': "\"", '/': "/", '\\': "\\", 'N': "\u0085", '_': "\u00a0", 'L': "\u2028", 'P': "\u2029"}
	if r, ok := simple[c]; ok {
		put(r)
		return i + 2, true
	}
	width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[c]
	if width > 0 {
		if i+2+width > len(s) {
			return 0, false
		}
		v, err := strconv.ParseUint(s[i+2:i+2+width], 16, 32)
		if err != nil {
			return 0, false
		}
		var buf [4]byte
		n := utf8.EncodeRune(buf[:], rune(v))
		put(string(buf[:n]))
		return i + 2 + width, true
	}
	if c == '\n' || c == '\r' {
		// An escaped line break: the break and the next line's indentation
		// vanish.
		j := i + 1
		for j < len(s) && (s[j] == '\n' || s[j] == '\r') {
			j++
		}
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		return j, true
	}
	return 0, false
}

// readBlock decodes a literal (|) or folded (>) block scalar whose header
// starts at i.
func readBlock(s string, i int, folded bool) ([]byte, []int) {
	eol := strings.IndexByte(s[i:], '\n')
	if eol < 0 {
		return nil, nil
	}
	header := s[i : i+eol]
	keep, strip := strings.Contains(header, "+"), strings.Contains(header, "-")
	j := i + eol + 1
	indent := -1
	var dec []byte
	var offs []int
	prevMoreIndented, first := false, true
	pendingBreaks := 0
	lastBreak := j
	for j < len(s) {
		le := strings.IndexByte(s[j:], '\n')
		line := s[j:]
		if le >= 0 {
			line = s[j : j+le]
		}
		sp := 0
		for sp < len(line) && line[sp] == ' ' {
			sp++
		}
		blank := strings.TrimSpace(line) == ""
		if indent < 0 && !blank {
			indent = sp
		}
		if !blank && sp < indent {
			break
		}
		if blank {
			pendingBreaks++
		} else {
			content := line[indent:]
			more := len(content) > 0 && (content[0] == ' ' || content[0] == '\t')
			if !first {
				switch {
				case folded && pendingBreaks == 0 && !more && !prevMoreIndented:
					dec, offs = append(dec, ' '), append(offs, lastBreak)
				case folded && !more && !prevMoreIndented:
					for n := 0; n < pendingBreaks; n++ {
						dec, offs = append(dec, '\n'), append(offs, lastBreak)
					}
				default:
					for n := 0; n <= pendingBreaks; n++ {
						dec, offs = append(dec, '\n'), append(offs, lastBreak)
					}
				}
			} else {
				for n := 0; n < pendingBreaks; n++ {
					dec, offs = append(dec, '\n'), append(offs, lastBreak)
				}
			}
			for k := 0; k < len(content); k++ {
				dec, offs = append(dec, content[k]), append(offs, j+indent+k)
			}
			pendingBreaks, first, prevMoreIndented = 0, false, more
		}
		if le < 0 {
			j = len(s)
			break
		}
		lastBreak = j + le
		j += le + 1
	}
	switch {
	case strip:
	case keep:
		for n := 0; n <= pendingBreaks; n++ {
			dec, offs = append(dec, '\n'), append(offs, lastBreak)
		}
	default:
		if len(dec) > 0 {
			dec, offs = append(dec, '\n'), append(offs, lastBreak)
		}
	}
	offs = append(offs, lastBreak)
	return dec, offs
}
