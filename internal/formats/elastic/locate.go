package elastic

import (
	"strings"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/source"
)

// stringLoc is where a TOML string value's content starts in the file.
type stringLoc struct {
	Offset int // byte offset of the first content byte
	Line   int // 1-based
	Col    int // 1-based byte column
	Delim  string
}

// origin returns the source.Origin that maps positions in the decoded string
// onto the file. Positions are exact for literal strings ('...', ”'...”')
// and for basic strings up to their first escape sequence on a line.
func (l stringLoc) origin() source.Origin {
	if l.Line == 0 {
		return source.Origin{}
	}
	return source.Origin{Line: l.Line, Col: l.Col, Indent: 0}
}

// locateStrings finds the string values of key in the TOML table named table
// ("rule", "hunt"): one location for a string, one per element for an array
// of strings. It reads the file the way a TOML lexer does (strings, comments,
// arrays) so that lines inside multi-line strings are never taken for keys.
func locateStrings(text, table, key string) []stringLoc {
	return locate(text, table, key, false)
}

// locateAll is locateStrings for a key written more than once: the string
// values of every key in every table named table (the tables of an array of
// tables, [[rule.threat.technique]]), in file order.
func locateAll(text, table, key string) []stringLoc {
	return locate(text, table, key, true)
}

// content returns the string's text as written in the file, up to its
// closing delimiter (escape sequences are not decoded).
func (l stringLoc) content(text string) string {
	if l.Delim == "" || l.Offset > len(text) {
		return ""
	}
	end := skipString(text, l.Offset-len(l.Delim), l.Delim) - len(l.Delim)
	if end < l.Offset {
		return ""
	}
	return text[l.Offset:end]
}

func locate(text, table, key string, all bool) []stringLoc {
	var found []stringLoc
	loc := func(off int, delim string) stringLoc {
		lineStart := strings.LastIndexByte(text[:off], '\n') + 1
		return stringLoc{Offset: off, Line: strings.Count(text[:off], "\n") + 1, Col: off - lineStart + 1, Delim: delim}
	}
	current := ""
	i := 0
	n := len(text)
	for i < n {
		// At the start of a line (outside any value).
		for i < n && (text[i] == ' ' || text[i] == '\t') {
			i++
		}
		if i >= n {
			break
		}
		switch text[i] {
		case '\n', '\r':
			i++
			continue
		case '#':
			i = skipLine(text, i)
			continue
		case '[':
			end := strings.IndexByte(text[i:], '\n')
			if end < 0 {
				end = n - i
			}
			header := strings.TrimSpace(text[i : i+end])
			if h, _, ok := strings.Cut(header, "#"); ok {
				header = strings.TrimSpace(h)
			}
			header = strings.Trim(header, "[]")
			current = strings.TrimSpace(header)
			i += end
			continue
		}
		// A key = value line.
		eq := keyEnd(text, i)
		if eq < 0 {
			i = skipLine(text, i)
			continue
		}
		k := strings.TrimSpace(text[i:eq])
		k = strings.Trim(k, `"'`)
		j := eq + 1
		for j < n && (text[j] == ' ' || text[j] == '\t') {
			j++
		}
		if current == table && k == key {
			var out []stringLoc
			if v := j; v < n && text[v] == '[' {
				// An array of strings.
				v++
				for v < n {
					for v < n && (text[v] == ' ' || text[v] == '\t' || text[v] == '\n' || text[v] == '\r' || text[v] == ',') {
						v++
					}
					if v >= n || text[v] == ']' {
						break
					}
					if text[v] == '#' {
						v = skipLine(text, v)
						continue
					}
					start, delim := contentStart(text, v)
					if delim == "" {
						break
					}
					out = append(out, loc(start, delim))
					v = skipString(text, v, delim)
				}
			} else if start, delim := contentStart(text, j); delim != "" {
				out = []stringLoc{loc(start, delim)}
			}
			if !all {
				return out
			}
			found = append(found, out...)
		}
		i = skipValue(text, j)
	}
	return found
}

// keyEnd returns the offset of the '=' of a key/value line starting at i, or
// -1 when the line has none before a value starts.
func keyEnd(text string, i int) int {
	for j := i; j < len(text); j++ {
		switch text[j] {
		case '=':
			return j
		case '\n':
			return -1
		case '"', '\'':
			// Quoted key.
			q := text[j]
			for j++; j < len(text) && text[j] != q && text[j] != '\n'; j++ {
			}
		}
	}
	return -1
}

func skipLine(text string, i int) int {
	for i < len(text) && text[i] != '\n' {
		i++
	}
	return i
}

// contentStart returns the offset where the content of the string starting
// at i begins, and its delimiter ("" when no string starts at i). A newline
// right after an opening triple quote is not part of the content.
func contentStart(text string, i int) (int, string) {
	for _, d := range [...]string{`'''`, `"""`, `'`, `"`} {
		if strings.HasPrefix(text[i:], d) {
			j := i + len(d)
			if len(d) == 3 {
				if strings.HasPrefix(text[j:], "\r\n") {
					j += 2
				} else if strings.HasPrefix(text[j:], "\n") {
					j++
				}
			}
			return j, d
		}
	}
	return 0, ""
}

// skipValue skips the value starting at i (a string, an array, an inline
// table or a scalar) and the rest of its line.
func skipValue(text string, i int) int {
	depth := 0
	n := len(text)
	for i < n {
		c := text[i]
		switch {
		case strings.HasPrefix(text[i:], `'''`) || strings.HasPrefix(text[i:], `"""`):
			d := text[i : i+3]
			j := i + 3
			for {
				k := strings.Index(text[j:], d)
				if k < 0 {
					return n
				}
				k += j
				if d == `"""` && escaped(text, k) {
					j = k + 1
					continue
				}
				i = k + 3
				for i < n && text[i] == d[0] { // up to two quotes belong to the content
					i++
				}
				break
			}
			continue
		case c == '"' || c == '\'':
			j := i + 1
			for j < n && text[j] != c && text[j] != '\n' {
				if c == '"' && text[j] == '\\' {
					j++
				}
				j++
			}
			i = j + 1
			continue
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
		case c == '#':
			i = skipLine(text, i)
			continue
		case c == '\n':
			if depth <= 0 {
				return i + 1
			}
		}
		i++
	}
	return n
}

// skipString returns the offset after the string that starts at i with the
// delimiter delim.
func skipString(text string, i int, delim string) int {
	j := i + len(delim)
	for j < len(text) {
		k := strings.Index(text[j:], delim)
		if k < 0 {
			return len(text)
		}
		k += j
		if delim[0] == '"' && escaped(text, k) {
			j = k + 1
			continue
		}
		end := k + len(delim)
		if len(delim) == 3 {
			for n := 0; n < 2 && end < len(text) && text[end] == delim[0]; n++ {
				end++ // up to two quotes before the closing ones belong to the content
			}
		}
		return end
	}
	return len(text)
}

// escaped reports whether the byte at k is preceded by an odd number of
// backslashes.
func escaped(text string, k int) bool {
	n := 0
	for j := k - 1; j >= 0 && text[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

// posMap places every byte of a decoded TOML basic string ("...", """...""")
// that holds escape sequences in the file, where an Origin cannot: an escape
// such as \n or \u00e9 makes the decoded text differ from the file text.
type posMap struct {
	offsets []int // file offset of each decoded byte, then of the closing delimiter
	file    *source.LineTable
}

// posMap returns the map of the basic string at l when it holds an escape
// sequence and decoding it gives value, the string the TOML library read;
// otherwise nil, and l.origin() places the string exactly enough.
func (l stringLoc) posMap(text, value string) *posMap {
	if l.Delim == "" || l.Delim[0] != '"' {
		return nil
	}
	raw := l.content(text)
	if !strings.Contains(raw, `\`) {
		return nil
	}
	decoded, offsets, ok := decodeBasic(text, l.Offset, l.Offset+len(raw), len(l.Delim) == 3)
	if !ok || decoded != value {
		return nil
	}
	return &posMap{offsets: offsets, file: source.NewLineTable("", text)}
}

// drop returns the map of the string without its first n bytes.
func (m *posMap) drop(n int) *posMap {
	if m == nil || n <= 0 || n >= len(m.offsets) {
		return m
	}
	return &posMap{offsets: m.offsets[n:], file: m.file}
}

// mapLineCol turns a line:col of the decoded string (indexed by query) into
// a line:col of the file.
func (m *posMap) mapLineCol(query *source.LineTable, line, col int) (int, int) {
	start := query.LineStart(line)
	if !start.IsValid() {
		start = 0
	}
	off := max(0, min(int(start)+col-1, len(m.offsets)-1))
	p := m.file.Position(source.Pos(m.offsets[off]))
	return p.Line, p.Column
}

// relocate is source.Diagnostic.Relocate through the map.
func (m *posMap) relocate(d source.Diagnostic, path string, query *source.LineTable) source.Diagnostic {
	d.Path = path
	if d.Line > 0 {
		d.Line, d.Col = m.mapLineCol(query, d.Line, d.Col)
	}
	if d.EndLine > 0 {
		d.EndLine, d.EndCol = m.mapLineCol(query, d.EndLine, d.EndCol)
	}
	if d.RelatedLine > 0 {
		suffix := " at " + source.LineCol(d.RelatedLine, d.RelatedCol)
		line, col := m.mapLineCol(query, d.RelatedLine, d.RelatedCol)
		if msg, ok := strings.CutSuffix(d.Message, suffix); ok {
			return d.WithRelated(msg, line, col)
		}
		d.RelatedLine, d.RelatedCol = line, col
	}
	return d
}

// decodeBasic decodes the content text[from:to] of a TOML basic string and
// returns, for each decoded byte, the file offset of what produced it (an
// escape sequence maps to its backslash), then the offset to. Multi-line
// strings also trim a line-ending backslash with the white space and line
// breaks after it. ok is false for an escape TOML does not define.
func decodeBasic(text string, from, to int, multiline bool) (decoded string, offsets []int, ok bool) {
	var b strings.Builder
	offsets = make([]int, 0, to-from+1)
	emit := func(s string, at int) {
		b.WriteString(s)
		for range len(s) {
			offsets = append(offsets, at)
		}
	}
	hex := func(i, n int) (rune, bool) {
		if i+n > to {
			return 0, false
		}
		var r rune
		for _, c := range text[i : i+n] {
			switch {
			case c >= '0' && c <= '9':
				r = r*16 + c - '0'
			case c >= 'a' && c <= 'f':
				r = r*16 + c - 'a' + 10
			case c >= 'A' && c <= 'F':
				r = r*16 + c - 'A' + 10
			default:
				return 0, false
			}
		}
		return r, utf8.ValidRune(r)
	}
	for i := from; i < to; {
		if text[i] != '\\' {
			emit(text[i:i+1], i)
			i++
			continue
		}
		if i+1 >= to {
			return "", nil, false
		}
		switch c := text[i+1]; c {
		case 'b', 't', 'n', 'f', 'r', 'e', '"', '\\':
			emit(basicEscapes[c], i)
			i += 2
		case 'u', 'U', 'x':
			n := map[byte]int{'u': 4, 'U': 8, 'x': 2}[c]
			r, valid := hex(i+2, n)
			if !valid {
				return "", nil, false
			}
			emit(string(r), i)
			i += 2 + n
		case ' ', '\t', '\r', '\n':
			if !multiline {
				return "", nil, false
			}
			j := i + 1
			for j < to && (text[j] == ' ' || text[j] == '\t') {
				j++
			}
			if j < to && text[j] != '\n' && text[j] != '\r' {
				return "", nil, false // a backslash before white space that does not end the line
			}
			for j < to && strings.IndexByte(" \t\r\n", text[j]) >= 0 {
				j++
			}
			i = j
		default:
			return "", nil, false
		}
	}
	offsets = append(offsets, to)
	return b.String(), offsets, true
}

// basicEscapes are the one-character escape sequences of TOML basic strings.
var basicEscapes = map[byte]string{'b': "\b", 't': "\t", 'n': "\n", 'f': "\f", 'r': "\r", 'e': "\x1b", '"': `"`, '\\': `\`}
