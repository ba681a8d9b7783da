package kustorule

import (
	"slices"
	"strconv"
	"strings"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// QueryLanguage is the query language of every Kusto-family rule.
const QueryLanguage = "kql"

// NewDocument returns the document a Kusto reader fills for the n-th rule
// (1-based) of f: id, language, format, source and body are set. body is the
// file text after Decode.
func NewDocument(r formats.Reader, f *formats.File, body string, n int) *rule.Document {
	suffix := ""
	if n > 1 {
		suffix = strconv.Itoa(n)
	}
	return &rule.Document{
		ID:            rule.MakeID(rule.LangKusto, f.Path, suffix),
		Language:      rule.LangKusto,
		QueryLanguage: QueryLanguage,
		Format:        r.Format(),
		Source:        rule.Source{Repo: f.Repo, Path: f.Path},
		Title:         Stem(f.Base()),
		Body:          body,
	}
}

// Unreadable returns the one document of a file that could not be decoded:
// its diagnostics say why.
func Unreadable(r formats.Reader, f *formats.File, diags []source.Diagnostic) []*rule.Document {
	d := NewDocument(r, f, "", 1)
	for _, x := range diags {
		d.Diagnose(x)
	}
	return []*rule.Document{d}
}

// Catalog returns the run's ATT&CK catalog (the built-in one when the run has
// none, as in unit tests and fuzzing).
func Catalog(env *formats.Env) *attack.Catalog {
	if env != nil && env.Attack != nil {
		return env.Attack
	}
	return attack.Default()
}

// MapAttack maps technique ids and tactic names as the source writes them
// and merges the result into d.Attack. Each problem becomes an ATTACK001
// warning at line (the line where the source names them; 0 if unknown).
func MapAttack(d *rule.Document, cat *attack.Catalog, techniques, tactics []string, line int) {
	refs := func(vs []string) []Ref {
		out := make([]Ref, len(vs))
		for i, v := range vs {
			out[i] = Ref{Value: v, Line: line}
		}
		return out
	}
	MapAttackRefs(d, cat, refs(techniques), refs(tactics))
}

// AppendUnique appends the non-empty values of vs to list unless already there.
func AppendUnique(list []string, vs ...string) []string {
	for _, v := range vs {
		v = strings.TrimSpace(v)
		if v != "" && !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// SetExtra stores a format-specific value under key.
func SetExtra(d *rule.Document, key string, v any) {
	if d.Extra == nil {
		d.Extra = map[string]any{}
	}
	d.Extra[key] = v
}

// TechniqueRefs returns the ATT&CK technique ids written in text ("T1055",
// "T1055.002", "T1574/002" as in attack.mitre.org addresses), in order of
// first appearance.
func TechniqueRefs(text string) []string {
	var out []string
	for i := 0; i+5 <= len(text); i++ {
		if text[i] != 'T' || i > 0 && isWordByte(text[i-1]) {
			continue
		}
		if !digits(text[i+1:], 4) {
			continue
		}
		end := i + 5
		if end < len(text) && isWordByte(text[end]) {
			continue // T12345, T1055abc: not an id
		}
		id := text[i:end]
		if end+4 <= len(text) && (text[end] == '.' || text[end] == '/') && digits(text[end+1:], 3) &&
			(end+4 == len(text) || !(text[end+4] >= '0' && text[end+4] <= '9')) {
			id += "." + text[end+1:end+4]
		}
		out = AppendUnique(out, id)
	}
	return out
}

func digits(s string, n int) bool {
	if len(s) < n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// URLs returns the http(s) addresses written in text, in order of first
// appearance, without trailing punctuation.
func URLs(text string) []string {
	var out []string
	for i := 0; i < len(text); {
		j := strings.Index(text[i:], "http")
		if j < 0 {
			break
		}
		start := i + j
		rest := text[start:]
		if !(strings.HasPrefix(rest, "http://") || strings.HasPrefix(rest, "https://")) || start > 0 && isWordByte(text[start-1]) {
			i = start + 4
			continue
		}
		end := start
		for end < len(text) && !strings.ContainsRune(" \t\r\n<>\"'`()[]{}|\\", rune(text[end])) && text[end] >= 0x20 {
			end++
		}
		u := strings.TrimRight(text[start:end], ".,;:!?*")
		if len(u) > len("https://") {
			out = AppendUnique(out, u)
		}
		i = max(end, start+4)
	}
	return out
}

// PlainText turns a short markdown value into plain text: emphasis markers
// around it, links ([text](url) becomes text) and template brackets
// ("< name >") are removed.
func PlainText(md string) string {
	s := strings.TrimSpace(md)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '[' {
			if close := strings.Index(s[i:], "]("); close > 0 {
				if end := strings.IndexByte(s[i+close:], ')'); end > 0 {
					b.WriteString(s[i+1 : i+close])
					i += close + end
					continue
				}
			}
		}
		b.WriteByte(s[i])
	}
	s = strings.TrimSpace(b.String())
	for {
		t := s
		for _, m := range []string{"**", "__", "*", "_", "`"} {
			if len(t) >= 2*len(m) && strings.HasPrefix(t, m) && strings.HasSuffix(t, m) {
				t = strings.TrimSpace(t[len(m) : len(t)-len(m)])
			}
		}
		if strings.HasPrefix(t, "<") && strings.HasSuffix(t, ">") && !strings.Contains(t[1:len(t)-1], "<") {
			t = strings.TrimSpace(t[1 : len(t)-1])
		}
		if t == s {
			return s
		}
		s = t
	}
}

// IsNone reports whether a prose value says there is nothing ("None.",
// "N/A", "-").
func IsNone(s string) bool {
	switch strings.ToLower(strings.TrimRight(strings.TrimSpace(PlainText(s)), ".")) {
	case "", "none", "n/a", "na", "-", "tbd", "todo":
		return true
	}
	return false
}

// Clone returns a copy of d for files that hold several rules built from
// common metadata. Its slices are clipped (an append never writes into the
// original's arrays, so the copies cost nothing for a file of many rules)
// and its map is copied; elements must not be modified in place.
func Clone(d *rule.Document) *rule.Document {
	c := *d
	c.GroupBy = slices.Clip(d.GroupBy)
	c.References = slices.Clip(d.References)
	c.FalsePositives = slices.Clip(d.FalsePositives)
	c.DataSources = slices.Clip(d.DataSources)
	c.Platforms = slices.Clip(d.Platforms)
	c.Tags = slices.Clip(d.Tags)
	c.Attack = slices.Clip(d.Attack)
	c.Sections = slices.Clip(d.Sections)
	c.Links = slices.Clip(d.Links)
	c.Tests = slices.Clip(d.Tests)
	c.Variants = slices.Clip(d.Variants)
	if d.Extra != nil {
		c.Extra = make(map[string]any, len(d.Extra))
		for k, v := range d.Extra {
			c.Extra[k] = v
		}
	}
	c.Analysis = rule.Analysis{
		Outputs:     slices.Clip(d.Analysis.Outputs),
		Tables:      slices.Clip(d.Analysis.Tables),
		Diagnostics: slices.Clip(d.Analysis.Diagnostics),
	}
	return &c
}

// BlockLabel returns the text that introduces a code block: the last line
// of a paragraph that ends right above it (at most one blank line between),
// without a trailing colon and emphasis, or "".
func BlockLabel(m *Markdown, code *Block) string {
	for i := code.Line - 2; i >= 0 && i >= code.Line-3; i-- {
		t := strings.TrimSpace(m.Lines[i])
		if t == "" {
			continue
		}
		if strings.HasPrefix(t, "#") || strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") || strings.HasPrefix(t, "|") ||
			strings.HasPrefix(t, "//") || isThematicBreak(t) {
			return ""
		}
		t = PlainText(strings.TrimSuffix(PlainText(t), ":"))
		t = strings.TrimSpace(strings.TrimSuffix(t, ":"))
		if len(t) > 160 {
			return ""
		}
		return t
	}
	return ""
}

// ISODate turns "23/10/2020" (day first, as FalconFriday writes it) into
// "2020-10-23"; ISO dates and anything else are returned trimmed.
func ISODate(s string) string {
	s = strings.TrimSpace(s)
	parts := strings.Split(s, "/")
	if len(parts) == 3 && len(parts[2]) == 4 && len(parts[0]) <= 2 && len(parts[1]) <= 2 {
		pad := func(x string) string {
			if len(x) == 1 {
				return "0" + x
			}
			return x
		}
		return parts[2] + "-" + pad(parts[1]) + "-" + pad(parts[0])
	}
	return s
}
