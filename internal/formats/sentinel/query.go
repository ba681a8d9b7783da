package sentinel

import (
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/formats/kustorule"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// query reads the query scalar and where it sits in the file. A literal
// block (query: |) is taken as YAML decodes it: its lines are the file's
// lines without their indentation. A folded block or a plain scalar that
// runs over several lines is taken line by line as written (YAML would fold
// the lines into one, which changes nothing for KQL except that a // comment
// would swallow the rest; that case gets a warning).
func (rd *reading) query(fl field) {
	v := resolve(fl.value)
	if v == nil || v.Kind != yaml.ScalarNode {
		line := fl.key.Line
		rd.diag(kustorule.CodeValueType, source.Error, line, "query: expected a string")
		return
	}
	keyIndent := fl.key.Column - 1
	vcol := rd.valueColumn(v)
	switch {
	case v.Style&yaml.LiteralStyle != 0:
		indent := rd.blockIndent(v, vcol, keyIndent)
		rd.d.Query = v.Value
		rd.d.QueryOrigin = source.Origin{Line: v.Line + 1, Col: indent + 1, Indent: indent}
	case v.Style&yaml.FoldedStyle != 0:
		indent := rd.blockIndent(v, vcol, keyIndent)
		rd.d.Query = rawBlock(rd.lines, v.Line, indent)
		rd.d.QueryOrigin = source.Origin{Line: v.Line + 1, Col: indent + 1, Indent: indent}
		rd.foldWarning(v.Line)
	default:
		quoted := v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0
		col := vcol
		if quoted {
			col++
		}
		rd.d.Query = v.Value
		rd.d.QueryOrigin = source.Origin{Line: v.Line, Col: col}
		end := continuationEnd(rd.lines, v.Line, keyIndent)
		if end == v.Line {
			if rest := rd.lineFrom(v.Line, col); !valueAt(rest, v.Value) {
				// yaml.v3 may place a node off its value; look for the
				// value further on the line before giving up on exact
				// positions (quoted strings with escapes never match).
				if i := strings.LastIndex(rest, v.Value); i > 0 && v.Value != "" && valueAt(rest[i:], v.Value) {
					rd.d.QueryOrigin.Col = col + i
				} else {
					rd.diag(kustorule.CodeFoldedQuery, source.Info, v.Line,
						"the query is a quoted string with escapes; positions in it are approximate")
				}
			}
			return
		}
		if quoted {
			rd.diag(kustorule.CodeFoldedQuery, source.Info, v.Line,
				"the query is a quoted string over several lines; positions after its first line are approximate")
			return
		}
		first := rd.lineFrom(v.Line, vcol)
		indent := -1
		for _, l := range rd.lines[v.Line:end] {
			if strings.TrimSpace(l) == "" {
				continue
			}
			if n := len(l) - len(strings.TrimLeft(l, " ")); indent < 0 || n < indent {
				indent = n
			}
		}
		parts := []string{strings.TrimRight(first, " \t\r")}
		for _, l := range rd.lines[v.Line:end] {
			if len(l) >= indent {
				l = l[indent:]
			}
			parts = append(parts, strings.TrimRight(l, " \t\r"))
		}
		rd.d.Query = strings.Join(parts, "\n")
		rd.d.QueryOrigin.Indent = indent
		rd.foldWarning(v.Line)
	}
}

func (rd *reading) foldWarning(line int) {
	if kustorule.HasLineComment(rd.d.Query) {
		rd.diag(kustorule.CodeFoldedQuery, source.Warning, line,
			"the query is a folded or plain YAML scalar over several lines: YAML joins its lines into one, so a // comment hides the rest of the query; use a literal block (query: |)")
	}
}

// blockIndent returns the indentation of a block scalar's content: the
// explicit indentation indicator (|2-) added to the parent's indentation,
// or the indentation of its first non-blank line.
func (rd *reading) blockIndent(v *yaml.Node, col, parentIndent int) int {
	if v.Line-1 < len(rd.lines) {
		header := rd.lineFrom(v.Line, col)
		for i := 1; i < len(header) && i < 4; i++ {
			if c := header[i]; c >= '1' && c <= '9' {
				return parentIndent + int(c-'0')
			} else if c != '-' && c != '+' {
				break
			}
		}
	}
	for _, l := range rd.lines[min(v.Line, len(rd.lines)):] {
		if strings.TrimSpace(l) == "" {
			continue
		}
		return len(l) - len(strings.TrimLeft(l, " "))
	}
	return parentIndent + 2
}

// rawBlock returns the lines after line (1-based) that are indented by at
// least indent (or blank), without that indentation and without trailing
// blank lines.
func rawBlock(lines []string, line, indent int) string {
	var out []string
	for _, l := range lines[min(line, len(lines)):] {
		if strings.TrimSpace(l) != "" && len(l)-len(strings.TrimLeft(l, " ")) < indent {
			break
		}
		if len(l) >= indent {
			l = l[indent:]
		} else {
			l = ""
		}
		out = append(out, strings.TrimRight(l, "\r"))
	}
	for len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}

// continuationEnd returns the last line (1-based) of a plain scalar that
// starts on line: the following lines indented deeper than its key.
func continuationEnd(lines []string, line, keyIndent int) int {
	end := line
	for i := line; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" {
			continue
		}
		if len(l)-len(strings.TrimLeft(l, " ")) <= keyIndent {
			break
		}
		end = i + 1
	}
	return end
}

// salvage recovers what a line scan can from YAML that does not parse: the
// top-level name, description, severity and query (a block or one line). It
// returns the text with the query's lines blanked out (line numbers kept),
// for a second try at the rest of the file, or "" when it found no query.
func salvage(d *rule.Document, lines []string) string {
	base := -1
	queryFrom, queryTo := -1, -1
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") || t == "---" {
			continue
		}
		ind := len(l) - len(strings.TrimLeft(l, " "))
		if base < 0 {
			base = ind
		}
		if ind != base || strings.HasPrefix(t, "-") {
			continue
		}
		key, value, ok := strings.Cut(t, ":")
		if !ok {
			continue
		}
		key = strings.TrimSpace(key)
		value = strings.Trim(value, " \t\r")
		block := value == "" || strings.HasPrefix(value, "|") || strings.HasPrefix(value, ">")
		var content string
		var origin source.Origin
		if block {
			// The block runs to the next key at the mapping's indentation;
			// its lines keep the smallest indentation among them (a
			// broken file may indent its first line deeper, or not at all).
			j := i + 1
			indent := -1
			for ; j < len(lines); j++ {
				x := lines[j]
				if strings.TrimSpace(x) == "" {
					continue
				}
				xi := len(x) - len(strings.TrimLeft(x, " "))
				if xi <= base && keyLike(strings.TrimSpace(x)) {
					break
				}
				if indent < 0 || xi < indent {
					indent = xi
				}
			}
			if indent < 0 {
				continue
			}
			content = rawBlock(lines[:j], i+1, indent)
			origin = source.Origin{Line: i + 2, Col: indent + 1, Indent: indent}
			if key == "query" {
				queryFrom, queryTo = i, j
			}
		} else {
			content = value
			vi := strings.IndexByte(l, ':') + 1
			for vi < len(l) && (l[vi] == ' ' || l[vi] == '\t') {
				vi++
			}
			origin = source.Origin{Line: i + 1, Col: vi + 1}
			if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
				content = value[1 : len(value)-1]
				origin.Col++
			}
		}
		switch key {
		case "name":
			if strings.TrimSpace(content) != "" {
				d.Title = strings.Join(strings.Fields(content), " ")
			}
		case "description":
			d.Description = cleanDescription(content)
		case "severity":
			d.Severity = strings.TrimSpace(content)
		case "query":
			d.Query = content
			d.QueryOrigin = origin
			if queryFrom != i {
				queryFrom, queryTo = i, i+1
			}
		}
	}
	if queryFrom < 0 {
		return ""
	}
	rest := slices.Clone(lines)
	rest[queryFrom] = strings.Repeat(" ", max(base, 0)) + "query: ''"
	for k := queryFrom + 1; k < queryTo; k++ {
		rest[k] = ""
	}
	return strings.Join(rest, "\n")
}

// keyLike reports whether a line starts with "key:" (a YAML mapping key).
func keyLike(t string) bool {
	i := 0
	for i < len(t) && (t[i] == '_' || t[i] >= 'a' && t[i] <= 'z' || t[i] >= 'A' && t[i] <= 'Z' || t[i] >= '0' && t[i] <= '9') {
		i++
	}
	return i > 0 && i < len(t) && t[i] == ':' && (i+1 == len(t) || t[i+1] == ' ' || t[i+1] == '\t')
}

// lineFrom returns the text of a file line from a 1-based column.
func (rd *reading) lineFrom(line, col int) string {
	if line < 1 || line > len(rd.lines) {
		return ""
	}
	l := rd.lines[line-1]
	if col-1 > len(l) {
		return ""
	}
	return l[col-1:]
}

// valueColumn returns the column where a scalar's value starts: yaml.v3
// places an anchored or tagged node at its anchor or tag ("&q |", "!!str
// T"), which this skips.
func (rd *reading) valueColumn(v *yaml.Node) int {
	col := v.Column
	for range 2 {
		rest := rd.lineFrom(v.Line, col)
		if !strings.HasPrefix(rest, "&") && !strings.HasPrefix(rest, "!") {
			break
		}
		i := strings.IndexAny(rest, " \t")
		if i < 0 {
			break
		}
		for i < len(rest) && (rest[i] == ' ' || rest[i] == '\t') {
			i++
		}
		col += i
	}
	return col
}

// valueAt reports whether rest (a line from a scalar's start, after an
// opening quote) holds exactly value: followed by nothing, a closing quote
// or a comment.
func valueAt(rest, value string) bool {
	if !strings.HasPrefix(rest, value) {
		return false
	}
	after := strings.TrimSpace(rest[len(value):])
	return after == "" || after == "'" || after == `"` || strings.HasPrefix(after, "#") && (value == "" || len(rest) > len(value) && (rest[len(value)] == ' ' || rest[len(value)] == '\t'))
}
