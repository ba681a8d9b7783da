// Package rulepage renders the page of one rule: its metadata and
// description, ATT&CK coverage, references, the events it reads and their
// equivalents, the rule body highlighted, its parameters, sub-queries,
// stages and predicates, indicators with their corpus counts, exclusions,
// output fields, related rules (neighbours, same action) and diagnostics.
//
// The same page is shown by the wiki server, the static site and
// `detwiki analyze --format html|md`: HTML (a fragment for the wiki's
// layout, or a self-contained page) and markdown. Fields, values, events
// and techniques are links to the catalog's pages (see URLs). All rule text
// is escaped: html/template escapes the plain strings of the view, and the
// highlighter and prose renderer escape every byte they copy.
package rulepage

import (
	"bytes"
	"embed"
	"html/template"
	"io"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed style.css
var css string

// CSS is the stylesheet of rule pages (and the base of the wiki's).
func CSS() string { return css }

// Funcs are the template functions of rule pages; the wiki's own
// templates use them too.
func Funcs() template.FuncMap {
	return template.FuncMap{
		"langName":       LanguageName,
		"qlName":         QueryLanguageName,
		"kindPhrase":     KindPhrase,
		"transformLabel": TransformLabel,
		"css":            func() template.CSS { return template.CSS(css) },
	}
}

var pageTemplates = template.Must(template.New("rulepage").Funcs(Funcs()).ParseFS(templateFS, "templates/*.html"))

// RenderFragment writes the page's <article> (for a layout that provides
// the document, the stylesheet and navigation).
func RenderFragment(w io.Writer, p *Page) error {
	return execute(w, p, "rule")
}

// RenderHTML writes the page as a self-contained HTML document with its
// stylesheet inline.
func RenderHTML(w io.Writer, p *Page) error {
	return execute(w, p, "standalone")
}

// RenderHTMLPages writes several pages as one self-contained HTML document
// (one article each, with a table of contents).
func RenderHTMLPages(w io.Writer, pages []*Page) error {
	views := make([]*view, len(pages))
	for i, p := range pages {
		views[i] = p.view()
	}
	var buf bytes.Buffer
	if err := pageTemplates.ExecuteTemplate(&buf, "standalone-many", views); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func execute(w io.Writer, p *Page, name string) error {
	return pageTemplates.ExecuteTemplate(w, name, p.view())
}
