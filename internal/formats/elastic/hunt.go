package elastic

import (
	"fmt"
	"strings"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

type huntReader struct{}

// NewHunt returns the reader of elastic/detection-rules hunting TOML files.
func NewHunt() formats.Reader { return huntReader{} }

// Format implements formats.Reader.
func (huntReader) Format() string { return FormatHunt }

// Language implements formats.Reader.
func (huntReader) Language() string { return rule.LangElastic }

// Detect implements formats.Reader: a .toml file with a [hunt] table.
func (huntReader) Detect(f *formats.File) bool {
	return f.Ext() == ".toml" && hasTable(f.Data, huntTable)
}

// Read implements formats.Reader. A hunt is one document; its first query is
// the document's query, the others are variants, and every query is
// analysed (the stages of the n-th query belong to pipeline "query-n").
func (r huntReader) Read(f *formats.File, env *formats.Env) []*rule.Document {
	d := formats.StubDocument(r, f, "")
	text := d.Body
	root, ok := decode(d, text)
	if !ok {
		return []*rule.Document{d}
	}
	warn := func(msg string) { d.Diagnose(diag(CodeFieldType, source.Warning, msg)) }
	h := rootTable(root, huntTable, warn)
	if h.m == nil {
		d.Diagnose(diag(CodeNotRule, source.Error, "no [hunt] table: not a hunting query"))
		return []*rule.Document{d}
	}
	if name := strings.TrimSpace(h.str("name")); name != "" {
		d.Title = name
	}
	d.Description = strings.TrimSpace(h.str("description"))
	d.Author = strings.Join(h.strs("author"), ", ")
	d.Kind = "hunting"
	d.References = h.strs("references")
	integrations := h.strs("integration")
	// hunting/<platform>/queries/<file>.toml
	folder := ""
	if parts := strings.Split(f.Path, "/"); len(parts) >= 3 {
		folder = parts[len(parts)-3]
	}
	d.Platforms = platforms(nil, integrations, folder)
	// mitre lists ATT&CK techniques and, for LLM hunts, MITRE ATLAS ones
	// (AML.T0051), which the ATT&CK catalog does not hold: those are kept
	// in Extra.
	var techniques, atlas []string
	for _, id := range h.strs("mitre") {
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(id)), "AML.") {
			atlas = append(atlas, strings.TrimSpace(id))
		} else {
			techniques = append(techniques, id)
		}
	}
	mapAttack(d, env, techniques, nil)
	if notes := h.strs("notes"); len(notes) > 0 {
		var b strings.Builder
		for _, n := range notes {
			b.WriteString("- " + strings.TrimSpace(n) + "\n")
		}
		d.Sections = append(d.Sections, rule.Section{Title: "Notes", Text: strings.TrimRight(b.String(), "\n")})
	}
	extra := map[string]any{}
	for _, k := range []string{"uuid", "integration", "language", "license"} {
		if v, ok := h.value(k); ok {
			extra[k] = v
		}
	}
	if len(atlas) > 0 {
		extra["mitre_atlas"] = atlas
	}
	d.Extra = extra

	languages := h.strs("language")
	queries := h.strs("query")
	locs := locateStrings(text, huntTable, "query")
	for i, q := range queries {
		var o source.Origin
		var pos *posMap
		if i < len(locs) {
			o = locs[i].origin()
			pos = locs[i].posMap(text, q)
		}
		n := len(q)
		q, o = stripFenceLine(d, f.Path, q, o)
		pos = pos.drop(n - len(q))
		lang := huntQueryLanguage(q, languages)
		pipeline := ""
		if i > 0 {
			pipeline = fmt.Sprintf("query-%d", i+1)
			d.Variants = append(d.Variants, rule.Variant{Name: pipeline, QueryLanguage: lang, Query: q})
		} else {
			d.Query, d.QueryOrigin, d.QueryLanguage = q, o, lang
		}
		x := newExplainer(d, q, pipeline)
		x.pos = pos
		switch lang {
		case LangESQL:
			explainQueryESQL(x, f.Path, o)
		case LangEQL:
			explainQueryEQL(x, f.Path, o, defaultCategory)
		case LangKuery:
			explainQueryKuery(x, f.Path, o, "filter", pipeline)
		}
	}
	if len(queries) == 0 {
		d.Diagnose(diag(CodeNoQuery, source.Warning, "hunt without a query"))
	}
	setDataSources(d, integrations)
	return []*rule.Document{d}
}

// stripFenceLine drops a first line that holds only a markdown fence language
// ("sql", "esql"): some hunts carry it over from their markdown source, and
// it is not part of the query. The origin moves down one line.
func stripFenceLine(d *rule.Document, path, q string, o source.Origin) (string, source.Origin) {
	first, rest, ok := strings.Cut(q, "\n")
	switch strings.ToLower(strings.TrimSpace(first)) {
	case "sql", "esql", "eql", "kql", "kuery":
	default:
		return q, o
	}
	if !ok {
		return q, o
	}
	dg := diag(CodeFenceLine, source.Warning, fmt.Sprintf("the query starts with a stray %q line (a markdown fence language); it is ignored", strings.TrimSpace(first)))
	dg.Line, dg.Col = 1, 1
	d.Diagnose(dg.Relocate(path, o))
	if o.Line > 0 {
		o = source.Origin{Line: o.Line + 1, Col: o.Indent + 1, Indent: o.Indent}
	}
	return rest, o
}

// huntQueryLanguage decides the language of one hunt query: osquery SQL
// starts with SELECT or WITH, ES|QL with a source command; otherwise the
// hunt's first non-SQL language.
func huntQueryLanguage(q string, languages []string) string {
	word := strings.ToLower(firstWord(q))
	switch word {
	case "select", "with":
		return LangSQL
	case "from", "row", "show", "ts":
		return LangESQL
	}
	for _, l := range languages {
		switch strings.ToLower(l) {
		case "es|ql", "esql":
			return LangESQL
		case "eql":
			return LangEQL
		case "kql", "kuery":
			return LangKuery
		}
	}
	if len(languages) > 0 {
		return strings.ToLower(languages[0])
	}
	return ""
}

// firstWord returns the first word of q, skipping white space and comments.
func firstWord(q string) string {
	for {
		q = strings.TrimLeft(q, " \t\r\n")
		switch {
		case strings.HasPrefix(q, "//") || strings.HasPrefix(q, "--"):
			_, rest, ok := strings.Cut(q, "\n")
			if !ok {
				return ""
			}
			q = rest
			continue
		case strings.HasPrefix(q, "/*"):
			_, rest, ok := strings.Cut(q, "*/")
			if !ok {
				return ""
			}
			q = rest
			continue
		}
		end := strings.IndexFunc(q, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_')
		})
		if end < 0 {
			return q
		}
		return q[:end]
	}
}
