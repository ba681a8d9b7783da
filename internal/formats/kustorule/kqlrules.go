package kustorule

import (
	"strconv"
	"strings"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// TitlePolicy says where the title of a plain KQL text's rule comes from.
type TitlePolicy int

const (
	// TitleFromFileName: the file's name is the title (Defender hunting
	// queries, whose file names are their titles); comments describe.
	TitleFromFileName TitlePolicy = iota
	// TitleFromComment: a "Title:" comment, else the first comment line
	// when it reads as a title (short, no final period, more comment lines
	// follow), else the file name.
	TitleFromComment
)

// ReadKQLText turns a plain KQL text (.kql, .csl, Defender .txt) into rules:
// one per query (see SplitKQL), each with what the comments in front of it
// say. The first rule also takes the file's leading comments. diags are the
// decoding diagnostics, kept on the first rule.
func ReadKQLText(r formats.Reader, f *formats.File, text string, diags []source.Diagnostic, env *formats.Env, policy TitlePolicy) []*rule.Document {
	queries := joinIfOneQuery(text, SplitKQL(text))
	if len(queries) == 0 {
		d := NewDocument(r, f, text, 1)
		for _, x := range diags {
			d.Diagnose(x)
		}
		d.Diagnose(source.Diagnostic{Code: CodeNotAQuery, Severity: source.Error, Line: 1, Col: 1,
			Message: "the file holds no KQL query (only comments or blank lines)"})
		return []*rule.Document{d}
	}
	var capped *source.Diagnostic
	if len(queries) > MaxRulesPerFile {
		capped = &source.Diagnostic{Code: CodeTooManyQueries, Severity: source.Warning, Line: queries[MaxRulesPerFile].Origin.Line, Col: 1,
			Message: "the file holds " + strconv.Itoa(len(queries)) + " queries; only the first " + strconv.Itoa(MaxRulesPerFile) + " are read"}
		queries = queries[:MaxRulesPerFile]
	}
	cat := Catalog(env)
	stem := Stem(f.Base())
	var out []*rule.Document
	for i, q := range queries {
		d := NewDocument(r, f, text, i+1)
		if i == 0 {
			for _, x := range diags {
				d.Diagnose(x)
			}
			if capped != nil {
				d.Diagnose(*capped)
			}
		}
		h := q.Header
		title, desc := "", h.Description()
		switch {
		case h.Title != "":
			title = h.Title
		case policy == TitleFromComment && (i == 0 || len(queries) == 1):
			if first, rest := h.FirstProse(); titleLike(first) {
				title, desc = first, rest
			}
		}
		if title == "" {
			title = stem
			if len(queries) > 1 {
				if first, rest := h.FirstProse(); i > 0 && titleLike(first) {
					title, desc = stem+": "+first, rest
				} else {
					title = stem + " (" + strconv.Itoa(i+1) + ")"
				}
			}
		}
		d.Title = title
		d.Description = desc
		d.Author = h.Author
		d.References = h.References
		d.Tags = h.Tags
		d.DataSources = h.DataSources
		for _, p := range h.Platforms {
			if pl := Platform(p); pl != "" {
				d.Platforms = AppendUnique(d.Platforms, pl)
			}
		}
		if h.Contact != "" {
			SetExtra(d, "contact", h.Contact)
		}
		d.Kind = "hunting"
		d.Query = q.Text
		d.QueryOrigin = q.Origin
		MapAttack(d, cat, h.Techniques, h.Tactics, h.Line)
		ParseQuery(d)
		out = append(out, d)
	}
	return out
}

// titleLike reports whether a comment line reads as a title.
func titleLike(s string) bool {
	s = strings.TrimSpace(s)
	return s != "" && len(s) <= 80 && !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, ":") && !strings.HasSuffix(s, ",") &&
		!strings.Contains(s, "://")
}

// Platform maps the names rule sources give platforms (WindowsEndpoint,
// Macintosh, MacOS, Linux, AWS, Azure) onto detwiki's platform names; "" if
// unknown.
func Platform(name string) string {
	o := strings.ToLower(strings.TrimSpace(name))
	switch {
	case strings.HasPrefix(o, "windows") || o == "win":
		return "windows"
	case strings.HasPrefix(o, "linux"):
		return "linux"
	case strings.HasPrefix(o, "mac") || o == "osx" || o == "os x":
		return "macos"
	case o == "aws":
		return "aws"
	case o == "azure", o == "azuread", o == "azure ad", o == "entra", o == "entra id":
		return "azure"
	case o == "gcp", o == "google cloud":
		return "gcp"
	}
	return ""
}

// joinIfOneQuery undoes a split when the parser accepts the pieces together
// as one query: the split is a guess from the text's shape, the parser has
// the last word.
func joinIfOneQuery(text string, qs []Query) []Query {
	if len(qs) < 2 {
		return qs
	}
	lines := SplitLines(text)
	last := qs[len(qs)-1]
	end := last.Origin.Line + strings.Count(last.Text, "\n")
	whole := strings.Join(lines[qs[0].Origin.Line-1:end], "\n")
	if lead := qs[0].Origin.Col - 1; lead > 0 && lead <= len(whole) {
		whole = whole[lead:]
	}
	if !ParsesCleanly(whole) {
		return qs
	}
	q := qs[0]
	q.Text = whole
	return []Query{q}
}
