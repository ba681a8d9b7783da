// Package source holds what every front end shares about source text: byte
// offsets, line tables that turn offsets into line:col positions only when they
// are shown, the origin of a query embedded in a larger file, and diagnostics.
//
// Positions follow go/token: a Pos is a byte offset into one text; line and
// column are 1-based and the column counts bytes, as Go's tools do.
package source

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a byte offset into a source text. NoPos (-1) means "no position".
type Pos int

// NoPos is the zero position: the node or diagnostic has no place in the text.
const NoPos Pos = -1

// IsValid reports whether p is a real position.
func (p Pos) IsValid() bool { return p >= 0 }

// Span is a half-open byte range [Start, End) of a source text.
type Span struct {
	Start Pos
	End   Pos
}

// Position is a human-readable place: a file name, a 1-based line and a
// 1-based byte column.
type Position struct {
	Filename string `json:"file,omitempty"`
	Offset   int    `json:"offset"`
	Line     int    `json:"line"`
	Column   int    `json:"col"`
}

// String formats the position as file:line:col (omitting the parts it lacks).
func (p Position) String() string {
	s := p.Filename
	if p.Line > 0 {
		if s != "" {
			s += ":"
		}
		s += fmt.Sprintf("%d:%d", p.Line, p.Column)
	}
	if s == "" {
		s = "-"
	}
	return s
}

// LineTable maps byte offsets of one text to line:col positions. The zero value
// is not usable; build one with NewLineTable.
type LineTable struct {
	name  string
	size  int
	lines []int // offset of the first byte of each line
}

// NewLineTable indexes the line starts of text. name is used in Positions.
func NewLineTable(name, text string) *LineTable {
	lines := make([]int, 1, 1+strings.Count(text, "\n"))
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			lines = append(lines, i+1)
		}
	}
	return &LineTable{name: name, size: len(text), lines: lines}
}

// Name is the file name given to NewLineTable.
func (t *LineTable) Name() string { return t.name }

// LineCount is the number of lines in the text.
func (t *LineTable) LineCount() int { return len(t.lines) }

// LineStart returns the offset of the first byte of the 1-based line.
func (t *LineTable) LineStart(line int) Pos {
	if line < 1 || line > len(t.lines) {
		return NoPos
	}
	return Pos(t.lines[line-1])
}

// Position converts an offset into a Position. Offsets past the end clamp to
// the end of the text.
func (t *LineTable) Position(p Pos) Position {
	if !p.IsValid() {
		return Position{Filename: t.name}
	}
	off := int(p)
	if off > t.size {
		off = t.size
	}
	i := sort.Search(len(t.lines), func(i int) bool { return t.lines[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return Position{Filename: t.name, Offset: off, Line: i + 1, Column: off - t.lines[i] + 1}
}

// Origin places a text that was cut out of a larger file (a YAML block scalar,
// a markdown code fence, a TOML string) so positions inside it can be shown as
// positions in the file. Line and Col are where the first byte of the embedded
// text sits in the file; every later line of the embedded text starts at column
// Indent+1 of the following file line. The zero Origin maps positions onto
// themselves.
type Origin struct {
	Line   int `json:"line"`
	Col    int `json:"col"`
	Indent int `json:"indent"`
}

// Map turns a 1-based line:col inside the embedded text into a line:col in the
// enclosing file.
func (o Origin) Map(line, col int) (int, int) {
	if o.Line == 0 {
		return line, col
	}
	if line <= 1 {
		return o.Line, o.Col + col - 1
	}
	return o.Line + line - 1, o.Indent + col
}
