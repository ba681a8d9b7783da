// Package sigma reads Sigma rule files (rules, correlation rules, filter
// meta-rules and Sigma 1 collections) into rule documents and explains them:
// a stage per condition term, indicators and exclusions from the detection
// items, outputs from fields, ATT&CK from tags, the logsource as the table,
// links to related, correlated and filtered rules, and SigmaHQ regression
// events as tests. See docs/lang-sigma.md for the decisions.
package sigma

import (
	"bytes"
	"path"
	"strconv"
	"strings"

	"github.com/detwiki/detwiki/internal/formats"
	lang "github.com/detwiki/detwiki/internal/lang/sigma"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// Format is the reader's name.
const Format = "sigma"

// QueryLanguage is the query language of Sigma documents.
const QueryLanguage = "sigma"

type reader struct{}

// New returns the Sigma reader.
func New() formats.Reader { return reader{} }

func (reader) Format() string   { return Format }
func (reader) Language() string { return rule.LangSigma }

// Detect accepts .yml/.yaml files with a top-level detection, correlation
// or filter key (a filter also needs a logsource), or a Sigma 1 collection
// (action: global).
func (reader) Detect(f *formats.File) bool {
	switch f.Ext() {
	case ".yml", ".yaml":
	default:
		return false
	}
	return looksLikeSigma(f.Data)
}

// looksLikeSigma looks for the top-level keys of a Sigma document at the
// start of a line.
func looksLikeSigma(data []byte) bool {
	has := func(key string) bool {
		return bytes.HasPrefix(data, []byte(key)) || bytes.Contains(data, []byte("\n"+key))
	}
	switch {
	case has("detection:"), has("correlation:"), has("action: global"):
		return true
	case has("filter:") && has("logsource:"):
		return true
	}
	return false
}

// Read reads every rule of a Sigma file.
func (r reader) Read(f *formats.File, env *formats.Env) []*rule.Document {
	text := string(f.Data)
	file := lang.Parse(text)
	if len(file.Rules) == 0 {
		d := formats.StubDocument(r, f, "")
		d.QueryLanguage = QueryLanguage
		for _, diag := range file.Diagnostics {
			d.Diagnose(diag)
		}
		if len(file.Diagnostics) == 0 {
			d.Diagnose(source.Diagnostic{Code: lang.CodeNoRule, Severity: source.Error, Line: 1, Col: 1,
				Message: "the file holds no Sigma rule"})
		}
		return []*rule.Document{d}
	}
	ctx := &fileContext{f: f, env: env, file: file, text: text, body: text}
	docs := make([]*rule.Document, len(file.Rules))
	for i, sr := range file.Rules {
		suffix := ""
		if i > 0 {
			suffix = strconv.Itoa(i + 1)
		}
		docs[i] = ctx.document(sr, rule.MakeID(rule.LangSigma, f.Path, suffix))
	}
	for _, diag := range file.Diagnostics {
		docs[0].Diagnose(diag)
	}
	ctx.link(docs)
	return docs
}

// fileContext is what explaining the rules of one file shares.
type fileContext struct {
	f    *formats.File
	env  *formats.Env
	file *lang.File
	text string
	body string
}

// folderMark reports whether the slash-separated path has a folder named
// name (deprecated, unsupported).
func folderMark(p, name string) bool {
	dir := path.Dir(p)
	for dir != "." && dir != "/" && dir != "" {
		if path.Base(dir) == name {
			return true
		}
		dir = path.Dir(dir)
	}
	return false
}

// normalizeDate writes the old 2019/10/25 form as 2019-10-25.
func normalizeDate(s string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), "/", "-")
}
