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
	_ "embed" // the stylesheet
	"html/template"
	"io"
	"strconv"
	"sync"
)

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

// RenderFragment writes the page's <article> (for a layout that provides
// the document, the stylesheet and navigation).
func RenderFragment(w io.Writer, p *Page) error {
	b := getBuilder()
	defer putBuilder(b)
	p.view().writeArticle(b)
	_, err := w.Write(b.buf)
	return err
}

// AppendFragment appends the page's <article> to dst and returns the
// extended buffer (RenderFragment without the copy).
func AppendFragment(dst []byte, p *Page) []byte {
	b := Builder{buf: dst}
	p.view().writeArticle(&b)
	return b.buf
}

// RenderHTML writes the page as a self-contained HTML document with its
// stylesheet inline.
func RenderHTML(w io.Writer, p *Page) error {
	return renderStandalone(w, []*view{p.view()}, false)
}

// RenderHTMLPages writes several pages as one self-contained HTML document
// (one article each, with a table of contents).
func RenderHTMLPages(w io.Writer, pages []*Page) error {
	views := make([]*view, len(pages))
	for i, p := range pages {
		views[i] = p.view()
	}
	return renderStandalone(w, views, true)
}

func renderStandalone(w io.Writer, views []*view, many bool) error {
	b := getBuilder()
	defer putBuilder(b)
	b.raw("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
	if many {
		b.raw(strconv.Itoa(len(views)) + " rules")
	} else {
		b.esc(views[0].Title)
	}
	b.raw(" · detwiki</title>\n<style>")
	// The stylesheet is the package's own, with no "</" in it.
	b.raw(css)
	b.raw("</style>\n</head>\n<body class=\"standalone\">\n<main>\n")
	if many {
		b.raw(`<nav class="toc" aria-label="rules">`)
		for _, v := range views {
			b.open("a", "href", "#"+v.ID)
			b.esc(v.Title)
			b.raw("</a> ")
		}
		b.raw("</nav>\n")
		for _, v := range views {
			b.open("div", "id", v.ID)
			v.writeArticle(b)
			b.raw("</div>\n<hr>\n")
		}
	} else {
		views[0].writeArticle(b)
	}
	b.raw("\n</main>\n<footer><p>Rendered by detwiki. Links to fields, indicators, events and techniques resolve in a detwiki catalog (<code>detwiki serve</code>).</p></footer>\n</body>\n</html>\n")
	_, err := w.Write(b.buf)
	return err
}

// builders recycles the buffers pages are written into.
var builders = sync.Pool{New: func() any { return &Builder{buf: make([]byte, 0, 64<<10)} }}

func getBuilder() *Builder { return builders.Get().(*Builder) }

func putBuilder(b *Builder) {
	if cap(b.buf) <= 4<<20 {
		b.Reset()
		builders.Put(b)
	}
}
