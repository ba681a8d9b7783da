// Package kqlfile reads plain KQL files (.kql, .csl): the leading `//`
// comments give the title (a "Title:" line, or a first line that reads as a
// title) and the description, and lines such as "Author:", "Tags:",
// "Reference:", "MITRE: T1059" or "Data connector required for this query -
// X" fill their fields. A file that holds several queries separated by blank
// lines (the Kusto Explorer convention) gives one rule per query, each
// described by the comments in front of it.
package kqlfile

import (
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/kustorule"
	"github.com/detwiki/detwiki/internal/rule"
)

// Format is the reader's name.
const Format = "kql-file"

// Reader reads .kql and .csl files.
type Reader struct{}

// New returns the plain KQL file reader.
func New() formats.Reader { return Reader{} }

// Format implements formats.Reader.
func (Reader) Format() string { return Format }

// Language implements formats.Reader.
func (Reader) Language() string { return rule.LangKusto }

// Detect takes files named *.kql or *.csl.
func (Reader) Detect(f *formats.File) bool {
	switch kustorule.Ext(f.Base()) {
	case "kql", "csl", "kusto":
		return true
	}
	return false
}

// Read implements formats.Reader.
func (r Reader) Read(f *formats.File, env *formats.Env) []*rule.Document {
	text, diags, ok := kustorule.Decode(f.Path, f.Data)
	if !ok {
		return kustorule.Unreadable(r, f, diags)
	}
	return kustorule.ReadKQLText(r, f, text, diags, env, kustorule.TitleFromComment)
}
