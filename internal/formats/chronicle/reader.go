// Package chronicle reads Google Security Operations (Chronicle) detection
// rules: .yaral files holding YARA-L 2.0 rules, as in the
// chronicle/detection-rules repository (community and _deprecated rules).
//
// Every rule of a file becomes one rule document. The query is parsed with
// internal/lang/yaral; the meta section fills the document's metadata
// (title, author, severity, ATT&CK in its several spellings, data sources,
// platforms, dates, references) and the events, match, outcome, condition
// and options sections its analysis: stages, event-variable bindings,
// placeholder and reference-list parameters, indicators and exclusions from
// the event predicates, outcome outputs, the match window and group-by, and
// the UDM event types as tables. The shared schema pass (package schema)
// later fills events and canonical fields from these facts. See
// docs/lang-yaral.md.
package chronicle

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/lang/yaral"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// Format is the reader's name.
const Format = "chronicle"

// QueryLanguage is the query language of every document the reader makes.
const QueryLanguage = "yara-l"

// Reader reads .yaral files.
type Reader struct{}

// New returns the Chronicle reader.
func New() formats.Reader { return Reader{} }

// Format implements formats.Reader.
func (Reader) Format() string { return Format }

// Language implements formats.Reader.
func (Reader) Language() string { return rule.LangChronicle }

// Detect takes files named *.yaral.
func (Reader) Detect(f *formats.File) bool { return f.Ext() == ".yaral" }

// Read implements formats.Reader: one document per rule of the file.
func (r Reader) Read(f *formats.File, env *formats.Env) []*rule.Document {
	if !utf8.Valid(f.Data) {
		d := formats.StubDocument(r, f, "")
		d.QueryLanguage = QueryLanguage
		d.Diagnose(source.Diagnostic{Code: "READ0005", Severity: source.Error, Line: 1, Col: 1,
			Message: "the file is not UTF-8 text"})
		return []*rule.Document{d}
	}
	src := string(f.Data)
	file, errs := yaral.Parse(src)
	diags := append(errs.Diagnostics(src), yaral.Check(file).DiagnosticsAs(src, source.Warning)...)
	if len(file.Rules) == 0 {
		d := formats.StubDocument(r, f, "")
		d.QueryLanguage = QueryLanguage
		d.Query = src
		for _, x := range diags {
			d.Diagnose(x)
		}
		if len(diags) == 0 {
			d.Diagnose(source.Diagnostic{Code: yaral.CodeSyntax, Severity: source.Error, Line: 1, Col: 1,
				Message: "the file holds no YARA-L rule"})
		}
		return []*rule.Document{d}
	}
	lt := source.NewLineTable(f.Path, src)
	docs := make([]*rule.Document, 0, len(file.Rules))
	for i, ru := range file.Rules {
		suffix := ""
		if i > 0 {
			suffix = strconv.Itoa(i + 1)
		}
		d := &rule.Document{
			ID:            rule.MakeID(rule.LangChronicle, f.Path, suffix),
			Language:      rule.LangChronicle,
			QueryLanguage: QueryLanguage,
			Format:        Format,
			Source:        rule.Source{Repo: f.Repo, Path: f.Path},
			Body:          src,
			Query:         src,
			Deprecated:    deprecatedPath(f.Path),
		}
		if len(file.Rules) > 1 {
			// Several rules in one file: each document's query is its own
			// rule, placed in the file.
			start, end := ruleSpan(file, i, len(src))
			d.Query = src[start:end]
			p := lt.Position(source.Pos(start))
			d.QueryOrigin = source.Origin{Line: p.Line, Col: p.Column}
		}
		x := &explainer{d: d, r: ru, src: src, lt: lt, env: env}
		x.meta()
		x.analyse()
		for _, diag := range diags {
			if len(file.Rules) == 1 || inRule(lt, diag, file, i, len(src)) {
				d.Diagnose(diag)
			}
		}
		docs = append(docs, d)
	}
	return docs
}

// ruleSpan returns the byte span of the i-th rule of a file that holds
// several: from the end of the previous rule (so that the comments in front
// of a rule belong to it; the first rule starts at the top of the file) to
// the end of this one (the last rule runs to the end of the file).
func ruleSpan(file *yaral.File, i, size int) (int, int) {
	start, end := 0, size
	if i > 0 {
		start = int(file.Rules[i-1].End())
	}
	if i < len(file.Rules)-1 {
		end = int(file.Rules[i].End())
	}
	return min(start, end), end
}

// inRule reports whether a diagnostic falls inside the i-th rule's span
// (diagnostics without a line go to the first rule).
func inRule(lt *source.LineTable, d source.Diagnostic, file *yaral.File, i, size int) bool {
	if d.Line <= 0 {
		return i == 0
	}
	start, end := ruleSpan(file, i, size)
	off := int(lt.LineStart(d.Line)) + d.Col - 1
	return off >= start && (off < end || i == len(file.Rules)-1)
}

// deprecatedPath reports whether the rule lives under a folder the source
// uses for retired rules (_deprecated/, deprecated/).
func deprecatedPath(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if strings.EqualFold(strings.Trim(seg, "_"), "deprecated") {
			return true
		}
	}
	return false
}
