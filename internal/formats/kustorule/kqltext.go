package kustorule

import (
	"strings"

	"github.com/detwiki/detwiki/internal/source"
)

// Header is what the `//` comment lines in front of a query say. Lines that
// name a known key ("Author:", "Tags:", "Read more here:", "Data connector
// required for this query - X", ...) fill their field; the rest is prose.
type Header struct {
	// Line is the header's first line in the file (0 when there is none).
	Line int
	// Prose holds the comment lines that are not keys, decoration or bare
	// addresses, as written (without the // marker); "" separates paragraphs.
	Prose []string
	// Title is given by a "Title:" or "Name:" line.
	Title       string
	Author      string
	References  []string
	Tags        []string
	Techniques  []string
	Tactics     []string
	DataSources []string
	Platforms   []string
	// Contact is how to reach the author ("Questions via Twitter: @x").
	Contact string
}

// Description joins the prose lines: lines of one paragraph with a newline,
// paragraphs with a blank line.
func (h *Header) Description() string {
	var b strings.Builder
	blank := false
	for _, l := range h.Prose {
		if l == "" {
			blank = b.Len() > 0
			continue
		}
		if b.Len() > 0 {
			if blank {
				b.WriteString("\n\n")
			} else {
				b.WriteByte('\n')
			}
		}
		blank = false
		b.WriteString(l)
	}
	return b.String()
}

// FirstProse returns the first prose line and the description made of the
// others (for formats whose first comment is the title).
func (h *Header) FirstProse() (string, string) {
	for i, l := range h.Prose {
		if l != "" {
			rest := Header{Prose: h.Prose[i+1:]}
			return l, rest.Description()
		}
	}
	return "", ""
}

// headerKey classifies a comment line "Key: value" by its key.
func headerKey(key string) string {
	k := strings.ToLower(strings.TrimSpace(key))
	switch k {
	case "title", "name", "query name", "rule name":
		return "title"
	case "author", "authors", "contributor", "contributors", "created by", "written by":
		return "author"
	case "tags", "tag", "keywords":
		return "tags"
	case "cve", "cves":
		return "cve"
	case "mitre", "mitre att&ck", "att&ck", "attack", "technique", "techniques", "mitre technique", "mitre techniques", "attack technique", "attack techniques":
		return "technique"
	case "tactic", "tactics", "mitre tactic", "mitre tactics":
		return "tactic"
	case "reference", "references", "ref", "refs", "read more here", "read more", "more info", "more information", "blog", "blogpost", "blog post", "link", "links", "source", "original sigma rule", "see", "see also":
		return "references"
	case "os platforms", "os platform", "platform", "platforms", "os":
		return "platforms"
	case "questions via twitter", "twitter", "contact", "contact info", "questions":
		return "contact"
	case "data connector", "data connectors", "data source", "data sources", "required data connector", "required data connectors", "data connector required", "data connector required for this query", "requires":
		return "data"
	}
	return ""
}

// ParseHeader reads comment lines (each without its // marker) that start
// at file line first.
func ParseHeader(comments []string, first int) Header {
	h := Header{Line: first}
	for _, raw := range comments {
		l := strings.TrimSpace(raw)
		if isDecoration(l) {
			if len(h.Prose) > 0 && h.Prose[len(h.Prose)-1] != "" {
				h.Prose = append(h.Prose, "")
			}
			continue
		}
		h.Techniques = AppendUnique(h.Techniques, TechniqueRefs(l)...)
		if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
			// A line that is an address (which may hold spaces, as
			// addresses copied from a browser bar do).
			h.References = AppendUnique(h.References, strings.ReplaceAll(l, " ", "%20"))
			continue
		}
		h.References = AppendUnique(h.References, URLs(l)...)
		if kind, value, ok := keyLine(l); ok {
			switch kind {
			case "title":
				h.Title = value
			case "author":
				h.Author = value
			case "tags":
				h.Tags = AppendUnique(h.Tags, splitTags(value)...)
			case "cve":
				h.Tags = AppendUnique(h.Tags, splitTags(value)...)
			case "tactic":
				h.Tactics = AppendUnique(h.Tactics, splitList(value)...)
			case "platforms":
				h.Platforms = AppendUnique(h.Platforms, splitList(value)...)
			case "data":
				h.DataSources = AppendUnique(h.DataSources, splitList(value)...)
			case "contact":
				h.Contact = value
			case "technique", "references":
			}
			continue
		}
		h.Prose = append(h.Prose, l)
	}
	for len(h.Prose) > 0 && h.Prose[len(h.Prose)-1] == "" {
		h.Prose = h.Prose[:len(h.Prose)-1]
	}
	return h
}

// keyLine splits "Key: value" and "Data connector required for this query -
// value" lines whose key is known.
func keyLine(l string) (kind, value string, ok bool) {
	for _, sep := range []string{":", " - ", " – "} {
		i := strings.Index(l, sep)
		if i <= 0 || i > 60 {
			continue
		}
		if kind = headerKey(l[:i]); kind != "" {
			return kind, strings.TrimSpace(l[i+len(sep):]), true
		}
	}
	return "", "", false
}

func splitTags(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' }) {
		out = append(out, strings.TrimLeft(f, "#"))
	}
	return out
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' })
}

// isDecoration reports whether a comment line is empty or only rules
// (//////, ------, ======).
func isDecoration(l string) bool {
	for _, r := range l {
		if !strings.ContainsRune("/-=*#_~ \t", r) {
			return false
		}
	}
	return true
}

// Query is one query of a KQL text, with where it sits and the comments in
// front of it.
type Query struct {
	Text   string
	Origin source.Origin
	Header Header
}

// trimSpaceLike drops the invisible characters some editors leave at the
// start of a line (zero-width space, BOM) as well as blanks; it returns how
// many bytes it dropped.
func trimSpaceLike(s string) (string, int) {
	n := 0
	for {
		switch {
		case strings.HasPrefix(s[n:], "\u200b"), strings.HasPrefix(s[n:], "\ufeff"):
			n += 3
		case n < len(s) && (s[n] == ' ' || s[n] == '\t'):
			n++
		default:
			return s[n:], n
		}
	}
}

func isBlank(l string) bool {
	t, _ := trimSpaceLike(l)
	return strings.TrimSpace(t) == ""
}

func isComment(l string) bool {
	t, _ := trimSpaceLike(l)
	return strings.HasPrefix(t, "//")
}

func commentText(l string) string {
	t, _ := trimSpaceLike(l)
	t = strings.TrimPrefix(t, "//")
	return strings.TrimPrefix(t, " ")
}

// LooksLikeKQL is a cheap test for plain KQL text: after leading comments
// and blank lines, a line that starts like a query statement followed by a
// pipe somewhere, or a statement keyword (let, print, union, ...).
func LooksLikeKQL(text string) bool {
	lines := SplitLines(text)
	i := 0
	for i < len(lines) && (isBlank(lines[i]) || isComment(lines[i])) {
		i++
	}
	if i == len(lines) {
		return false
	}
	first, _ := trimSpaceLike(lines[i])
	word := firstWord(first)
	if word == "" {
		return false
	}
	switch word {
	case "let", "print", "union", "datatable", "range", "search", "find", "externaldata", "evaluate", "declare", "set":
		return true
	}
	rest := strings.TrimSpace(first[len(word):])
	if strings.HasPrefix(rest, "|") && !strings.HasPrefix(rest, "||") {
		return true // Table | where ...
	}
	if rest != "" && !strings.HasPrefix(rest, "//") && !strings.HasPrefix(rest, "(") {
		return false // prose: "Some notes | ..."
	}
	for _, l := range lines[i+1:] {
		if t, _ := trimSpaceLike(l); strings.HasPrefix(t, "|") && !strings.HasPrefix(t, "||") {
			return true
		}
	}
	return false
}

// firstWord returns the identifier a line starts with ("" if none).
func firstWord(s string) string {
	i := 0
	for i < len(s) && (isWordByte(s[i]) || s[i] == '-' && i > 0) {
		i++
	}
	if i == 0 || s[0] >= '0' && s[0] <= '9' {
		return ""
	}
	return s[:i]
}

// continuationWords are words that cannot start a new query: they continue
// the expression above.
var continuationWords = map[string]bool{"on": true, "and": true, "or": true, "not": true, "by": true, "with": true,
	"kind": true, "asc": true, "desc": true, "else": true, "then": true, "between": true, "in": true, "has": true,
	"contains": true, "startswith": true, "endswith": true, "matches": true, "like": true, "hint": true}

// SplitKQL cuts a plain KQL text into its queries. A file may hold several
// queries separated by blank lines, the Kusto Explorer convention; a blank
// line starts a new query only when what comes before is a complete query
// (balanced brackets, not ending in an operator, its last statement not a
// let) and what follows starts a new statement. Comment lines directly in
// front of a query become its Header; the file's leading comments are the
// first query's header. Queries hold no leading comments; text with no code
// gives no query.
func SplitKQL(text string) []Query {
	lines := SplitLines(text)
	var out []Query
	var comments []string
	commentStart := 0
	cur := -1 // index in out of the query being built
	var st splitState
	lastCode := 0
	blankBefore := true
	for i, l := range lines {
		if isBlank(l) {
			blankBefore = true
			continue
		}
		if isComment(l) && (cur < 0 || blankBefore && st.complete()) {
			// A comment in front of a (possibly new) query.
			if len(comments) == 0 {
				commentStart = i + 1
			} else if blankBefore {
				comments = append(comments, "")
			}
			comments = append(comments, commentText(l))
			blankBefore = false
			continue
		}
		if isComment(l) {
			lastCode = i
			blankBefore = false
			continue
		}
		t, _ := trimSpaceLike(l)
		startsNew := cur < 0 || (blankBefore || len(comments) > 0) && st.complete() && startsStatement(t)
		if startsNew {
			if cur >= 0 {
				out[cur].Text = strings.Join(lines[firstLine(out[cur])-1:lastCode+1], "\n")
			}
			q := Query{Origin: source.Origin{Line: i + 1, Col: 1 + leadingInvisible(l)}, Header: ParseHeader(comments, commentStart)}
			if len(comments) == 0 {
				q.Header.Line = 0
			}
			out = append(out, q)
			cur = len(out) - 1
			comments, st = nil, splitState{}
		} else if len(comments) > 0 {
			// Comments inside a query stay in it.
			comments = nil
		}
		st.feed(t)
		lastCode = i
		blankBefore = false
	}
	if cur >= 0 {
		out[cur].Text = strings.Join(lines[firstLine(out[cur])-1:lastCode+1], "\n")
	}
	for k := range out {
		if lead := out[k].Origin.Col - 1; lead > 0 {
			out[k].Text = out[k].Text[lead:]
		}
	}
	return out
}

func firstLine(q Query) int { return q.Origin.Line }

func leadingInvisible(l string) int {
	n := 0
	for strings.HasPrefix(l[n:], "\u200b") || strings.HasPrefix(l[n:], "\ufeff") {
		n += 3
	}
	return n
}

// startsStatement reports whether a code line can start a new query.
func startsStatement(t string) bool {
	w := firstWord(t)
	if w == "" {
		return false
	}
	if continuationWords[strings.ToLower(w)] {
		return false
	}
	rest := strings.TrimSpace(t[len(w):])
	// "Field == x" continues an expression; "Table", "Table | ..." and
	// "let x = ..." start one.
	for _, op := range []string{"==", "!=", "=~", "!~", "<", ">", "+", "-", "*", "/", "%", ",", ")", "]", "."} {
		if strings.HasPrefix(rest, op) && !(w == "let" || w == "set" || w == "declare") {
			return false
		}
	}
	return true
}

// splitState follows a query's text closely enough to tell whether it is
// complete: bracket depth outside strings and comments, whether it ends with
// an operator, and whether its last statement is a let.
type splitState struct {
	depth     int
	inString  byte // quote of an open multi-line string (```)
	lastByte  byte
	lastWord  string
	stmtStart string // first word of the current statement
	hasCode   bool
	// sawComment is set when feed meets a // comment.
	sawComment bool
}

// commentAt reports whether line holds a // comment outside strings.
func (s *splitState) commentAt(line string) bool {
	s.feed(line)
	return s.sawComment
}

func (s *splitState) complete() bool {
	if !s.hasCode || s.depth != 0 || s.inString != 0 {
		return false
	}
	switch s.lastByte {
	case '|', ',', '(', '[', '{', '=', '<', '>', '+', '-', '*', '/', '%', '.', ';', ':', '!', '~':
		return false
	}
	switch strings.ToLower(s.lastWord) {
	case "and", "or", "not", "by", "on", "with", "in", "has", "contains", "let":
		return false
	}
	return s.stmtStart != "let" && s.stmtStart != "set" && s.stmtStart != "declare"
}

func (s *splitState) feed(line string) {
	i := 0
	n := len(line)
	for i < n {
		c := line[i]
		if s.inString != 0 {
			if strings.HasPrefix(line[i:], "```") {
				s.inString = 0
				i += 3
				s.lastByte, s.lastWord = '`', ""
				continue
			}
			i++
			continue
		}
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			i++
			continue
		case c == '/' && i+1 < n && line[i+1] == '/':
			s.sawComment = true
			return // comment to the end of the line
		case strings.HasPrefix(line[i:], "```"):
			s.inString = '`'
			i += 3
			s.hasCode = true
			continue
		case c == '"' || c == '\'' || (c == '@' || c == 'h' || c == 'H') && i+1 < n && (line[i+1] == '"' || line[i+1] == '\''):
			verbatim := c == '@'
			if c != '"' && c != '\'' {
				i++
			}
			q := line[i]
			i++
			for i < n && line[i] != q {
				if line[i] == '\\' && !verbatim {
					i++
				}
				i++
			}
			i++
			s.lastByte, s.lastWord = q, ""
			s.noteCode("")
			continue
		case isWordByte(c):
			j := i
			for j < n && isWordByte(line[j]) {
				j++
			}
			w := line[i:j]
			s.noteCode(w)
			s.lastByte, s.lastWord = c, w
			i = j
			continue
		}
		switch c {
		case '(', '[', '{':
			s.depth++
		case ')', ']', '}':
			if s.depth > 0 {
				s.depth--
			}
		case ';':
			if s.depth == 0 {
				s.stmtStart = ""
				s.lastByte, s.lastWord = ';', ""
				i++
				continue
			}
		}
		s.noteCode("")
		s.lastByte, s.lastWord = c, ""
		i++
	}
}

func (s *splitState) noteCode(word string) {
	s.hasCode = true
	if s.stmtStart == "" {
		s.stmtStart = strings.ToLower(word)
		if word == "" {
			s.stmtStart = "?"
		}
	}
}

// HasLineComment reports whether a KQL text holds a // comment outside its
// string literals.
func HasLineComment(text string) bool {
	for _, l := range SplitLines(text) {
		var s splitState
		if strings.Contains(l, "//") && s.commentAt(l) {
			return true
		}
	}
	return false
}
