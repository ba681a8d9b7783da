package kustorule

import (
	"strings"

	"github.com/detwiki/detwiki/internal/source"
)

// Markdown is a markdown text cut into blocks that keep their line numbers.
// It understands what rule write-ups use: ATX headings, fenced code blocks,
// pipe tables, thematic breaks and paragraphs (list items included); it is
// not a full CommonMark parser and never needs to be: the readers only locate
// parts of the text, the wiki renders the prose itself.
type Markdown struct {
	// Lines are the text's lines without their line ends.
	Lines  []string
	Blocks []*Block
}

// BlockKind says what a block is.
type BlockKind uint8

// Block kinds.
const (
	Paragraph BlockKind = iota + 1
	Heading
	Code
	Table
	ThematicBreak
)

// Block is one block of a markdown text.
type Block struct {
	Kind BlockKind
	// Line and EndLine are the block's first and last lines (1-based,
	// inclusive); a code block's include its fences.
	Line, EndLine int
	// Level is a heading's level (1 for #).
	Level int
	// Text is a heading's text, a paragraph's lines as written (joined by
	// \n) or a code block's content.
	Text string
	// Info is a code fence's info string ("kql", "C#", "" ...), Indent the
	// fence's indentation and Closed whether a closing fence was found.
	Info   string
	Indent int
	Closed bool
	// Index is the block's place in Markdown.Blocks.
	Index int
	// ContentIndent is how many spaces were taken off every content line:
	// the fence's indentation, or less when a content line has less.
	ContentIndent int
	// Cells are a table's rows, the header first (the delimiter row left
	// out), each cell trimmed.
	Cells [][]string
}

// Origin places a code block's content in the file.
func (b *Block) Origin() source.Origin {
	return source.Origin{Line: b.Line + 1, Col: b.ContentIndent + 1, Indent: b.ContentIndent}
}

// Lang returns the code block's language tag in lower case ("kql", "c#", "").
func (b *Block) Lang() string {
	info := strings.TrimSpace(b.Info)
	if i := strings.IndexAny(info, " \t{"); i >= 0 {
		info = info[:i]
	}
	return strings.ToLower(info)
}

// SplitLines cuts text into lines without their line ends (\n or \r\n).
func SplitLines(text string) []string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// ParseMarkdown cuts text into blocks.
func ParseMarkdown(text string) *Markdown {
	m := &Markdown{Lines: SplitLines(text)}
	lines := m.Lines
	n := len(lines)
	for i := 0; i < n; {
		line := lines[i]
		indent, trimmed := leading(line)
		switch {
		case trimmed == "":
			i++
		case isFence(trimmed):
			b, next := scanFence(lines, i, indent, trimmed)
			m.Blocks = append(m.Blocks, b)
			i = next
		case indent <= 3 && headingLevel(trimmed) > 0:
			lvl := headingLevel(trimmed)
			m.Blocks = append(m.Blocks, &Block{Kind: Heading, Line: i + 1, EndLine: i + 1, Level: lvl, Text: headingText(trimmed[lvl:])})
			i++
		case indent <= 3 && isThematicBreak(trimmed):
			m.Blocks = append(m.Blocks, &Block{Kind: ThematicBreak, Line: i + 1, EndLine: i + 1})
			i++
		case tableStart(lines, i):
			b := &Block{Kind: Table, Line: i + 1}
			b.Cells = append(b.Cells, TableCells(line))
			j := i + 2
			for j < n {
				_, t := leading(lines[j])
				if t == "" || !strings.Contains(t, "|") || isFence(t) || headingLevel(t) > 0 || isThematicBreak(t) {
					break
				}
				b.Cells = append(b.Cells, TableCells(lines[j]))
				j++
			}
			b.EndLine = j
			m.Blocks = append(m.Blocks, b)
			i = j
		default:
			j := i + 1
			for j < n {
				ind, t := leading(lines[j])
				if t == "" || isFence(t) || ind <= 3 && (headingLevel(t) > 0 || isThematicBreak(t)) || tableStart(lines, j) {
					break
				}
				j++
			}
			m.Blocks = append(m.Blocks, &Block{Kind: Paragraph, Line: i + 1, EndLine: j, Text: strings.Join(lines[i:j], "\n")})
			i = j
		}
	}
	for i, b := range m.Blocks {
		b.Index = i
	}
	return m
}

func leading(line string) (int, string) {
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	return i, strings.TrimRight(line[i:], " \t")
}

func isFence(t string) bool {
	if !(strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")) {
		return false
	}
	run := fenceRun(t)
	return t[0] != '`' || !strings.Contains(t[run:], "`")
}

func fenceRun(t string) int {
	run := 0
	for run < len(t) && t[run] == t[0] {
		run++
	}
	return run
}

func scanFence(lines []string, i, indent int, trimmed string) (*Block, int) {
	run := fenceRun(trimmed)
	b := &Block{Kind: Code, Line: i + 1, Info: strings.TrimSpace(trimmed[run:]), Indent: indent}
	var content []string
	j := i + 1
	for ; j < len(lines); j++ {
		_, t := leading(lines[j])
		if strings.HasPrefix(t, trimmed[:run]) && fenceRun(t) >= run && strings.TrimSpace(t[fenceRun(t):]) == "" && t[0] == trimmed[0] {
			b.Closed = true
			break
		}
		content = append(content, lines[j])
	}
	// Take the same number of spaces off every line, so that the content
	// maps back onto the file with one indentation.
	strip := indent
	for _, l := range content {
		if strings.TrimSpace(l) == "" {
			continue
		}
		k := 0
		for k < strip && k < len(l) && l[k] == ' ' {
			k++
		}
		strip = k
	}
	for i, l := range content {
		if len(l) >= strip {
			content[i] = l[strip:]
		} else {
			content[i] = ""
		}
	}
	b.ContentIndent = strip
	b.Text = strings.Join(content, "\n")
	if b.Closed {
		b.EndLine = j + 1
		return b, j + 1
	}
	b.EndLine = len(lines)
	return b, len(lines)
}

func headingLevel(t string) int {
	lvl := 0
	for lvl < len(t) && t[lvl] == '#' {
		lvl++
	}
	if lvl == 0 || lvl > 6 || lvl < len(t) && t[lvl] != ' ' && t[lvl] != '\t' {
		return 0
	}
	return lvl
}

func headingText(s string) string {
	s = strings.TrimSpace(s)
	if t := strings.TrimRight(s, "#"); t != s && (t == "" || strings.HasSuffix(t, " ")) {
		s = strings.TrimSpace(t)
	}
	return s
}

func isThematicBreak(t string) bool {
	if len(t) < 3 || !strings.ContainsRune("-*_", rune(t[0])) {
		return false
	}
	n := 0
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case t[0]:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}

// tableStart reports whether lines[i] opens a pipe table: it holds a '|' and
// the next line is a delimiter row (|---|:---:|).
func tableStart(lines []string, i int) bool {
	if i+1 >= len(lines) || !strings.Contains(lines[i], "|") {
		return false
	}
	_, d := leading(lines[i+1])
	if !strings.Contains(d, "-") || !strings.Contains(d, "|") {
		return false
	}
	for j := 0; j < len(d); j++ {
		if !strings.ContainsRune("|-: \t", rune(d[j])) {
			return false
		}
	}
	return true
}

// TableCells splits a table row into its trimmed cells (an escaped \| stays
// in its cell).
func TableCells(row string) []string {
	row = strings.TrimSpace(row)
	row = strings.TrimPrefix(row, "|")
	if strings.HasSuffix(row, "|") && !strings.HasSuffix(row, `\|`) {
		row = row[:len(row)-1]
	}
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(row); i++ {
		switch {
		case row[i] == '\\' && i+1 < len(row) && row[i+1] == '|':
			cur.WriteByte('|')
			i++
		case row[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(row[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

// Source returns lines from..to (1-based, inclusive) joined by \n, with
// blanks at line ends and blank lines at both ends dropped.
func (m *Markdown) Source(from, to int) string {
	from = max(from, 1)
	to = min(to, len(m.Lines))
	for from <= to && strings.TrimSpace(m.Lines[from-1]) == "" {
		from++
	}
	for to >= from && strings.TrimSpace(m.Lines[to-1]) == "" {
		to--
	}
	if from > to {
		return ""
	}
	out := make([]string, 0, to-from+1)
	for _, l := range m.Lines[from-1 : to] {
		out = append(out, strings.TrimRight(l, " \t"))
	}
	return strings.Join(out, "\n")
}

// Section is a heading and the blocks up to the next heading of the same or
// a higher level (sub-sections included).
type Section struct {
	// Heading is nil for the text before the first heading.
	Heading *Block
	Blocks  []*Block
	// Line and EndLine bound the section's body (after its heading).
	Line, EndLine int
}

// Title is the section heading's text ("" before the first heading).
func (s *Section) Title() string {
	if s.Heading == nil {
		return ""
	}
	return s.Heading.Text
}

// Sections cuts the text at headings of level <= maxLevel. The first section
// holds what comes before the first such heading and has no Heading.
func (m *Markdown) Sections(maxLevel int) []*Section {
	cur := &Section{Line: 1}
	out := []*Section{cur}
	for _, b := range m.Blocks {
		if b.Kind == Heading && b.Level <= maxLevel {
			cur.EndLine = b.Line - 1
			cur = &Section{Heading: b, Line: b.Line + 1}
			out = append(out, cur)
			continue
		}
		cur.Blocks = append(cur.Blocks, b)
	}
	cur.EndLine = len(m.Lines)
	return out
}

// Body returns the section's markdown text without its heading, trailing
// thematic breaks and surrounding blank lines.
func (m *Markdown) Body(s *Section) string {
	end := s.EndLine
	for i := len(s.Blocks) - 1; i >= 0 && s.Blocks[i].Kind == ThematicBreak; i-- {
		end = s.Blocks[i].Line - 1
	}
	if len(s.Blocks) == 0 {
		return ""
	}
	return m.Source(s.Line, end)
}

// FieldLine is one "**Key:** value" line of a markdown paragraph.
type FieldLine struct {
	Key, Value string
	Line       int
}

// Fields returns the "**Key:** value" lines of the paragraphs in blocks (the
// forms "**Key**: value" and "Key: value" inside bold are accepted too).
func Fields(blocks []*Block) []FieldLine {
	var out []FieldLine
	for _, b := range blocks {
		if b.Kind != Paragraph {
			continue
		}
		for k, line := range strings.Split(b.Text, "\n") {
			t := strings.TrimSpace(line)
			if !strings.HasPrefix(t, "**") {
				continue
			}
			rest := t[2:]
			end := strings.Index(rest, "**")
			if end < 0 {
				continue
			}
			key, value := rest[:end], rest[end+2:]
			switch {
			case strings.HasSuffix(key, ":"):
				key = key[:len(key)-1]
			case strings.HasPrefix(value, ":"):
				value = value[1:]
			default:
				continue
			}
			out = append(out, FieldLine{Key: strings.TrimSpace(key), Value: strings.TrimSpace(value), Line: b.Line + k})
		}
	}
	return out
}

// Prose returns the paragraphs (and lists) of blocks as written, joined by
// blank lines: the prose of a section without its tables and code.
func Prose(blocks []*Block) string {
	var parts []string
	for _, b := range blocks {
		if b.Kind == Paragraph {
			parts = append(parts, strings.TrimSpace(b.Text))
		}
	}
	return strings.Join(parts, "\n\n")
}

// ListItems returns the items of the markdown bullet lists in text (lines
// starting with *, - or +), or the whole text as one item when it has no list.
func ListItems(text string) []string {
	var items []string
	var cur []string
	flush := func() {
		if s := strings.TrimSpace(strings.Join(cur, " ")); s != "" {
			items = append(items, s)
		}
		cur = nil
	}
	bulleted := false
	for _, line := range SplitLines(text) {
		t := strings.TrimSpace(line)
		if len(t) >= 2 && strings.ContainsRune("*-+", rune(t[0])) && (t[1] == ' ' || t[1] == '\t') {
			flush()
			bulleted = true
			cur = append(cur, strings.TrimSpace(t[2:]))
			continue
		}
		if t == "" {
			flush()
			continue
		}
		cur = append(cur, t)
	}
	flush()
	if !bulleted && len(items) > 1 {
		return []string{strings.TrimSpace(text)}
	}
	return items
}

// IsBlockLabel reports whether paragraph b only introduces the code block
// right below it: one line ending with a colon ("Generic:", "Rule 1:").
func (m *Markdown) IsBlockLabel(b *Block) bool {
	if b.Kind != Paragraph || b.Line != b.EndLine {
		return false
	}
	t := strings.TrimSpace(PlainText(b.Text))
	if !strings.HasSuffix(t, ":") && !strings.HasSuffix(strings.TrimSpace(b.Text), ":") {
		return false
	}
	if i := b.Index + 1; i < len(m.Blocks) && m.Blocks[b.Index] == b {
		n := m.Blocks[i]
		return n.Kind == Code && n.Line <= b.EndLine+2
	}
	return false
}
