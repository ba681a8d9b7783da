package rulepage

import (
	"html/template"
	"strconv"

	"github.com/detwiki/detwiki/internal/highlight"
)

// The repetitive parts of a page (indicator tables, predicate lists) are
// written here rather than in the templates: a rule can have hundreds of
// values, and html/template's per-value reflection dominates the page's
// cost. Every piece of rule text goes through esc; links are the catalog's
// own paths or http(s) URLs checked by safeHref, and are escaped as
// attribute values.

// Builder writes HTML: markup with Raw, text (escaped) with Esc, tags with
// escaped attribute values with Open, and links and code with Link and
// Code. The wiki uses it for its long lists as rule pages do.
type Builder struct{ buf []byte }

// Raw writes markup as it is; never pass it rule text.
func (b *Builder) Raw(s string) { b.buf = append(b.buf, s...) }

// Esc writes text, escaped.
func (b *Builder) Esc(s string) { b.buf = highlight.AppendEscape(b.buf, s) }

// HTML returns what was written.
func (b *Builder) HTML() template.HTML { return template.HTML(b.buf) }

// Bytes returns what was written (valid until the next write or Reset).
func (b *Builder) Bytes() []byte { return b.buf }

// Len returns the number of bytes written.
func (b *Builder) Len() int { return len(b.buf) }

// Reset empties the builder, keeping its memory.
func (b *Builder) Reset() { b.buf = b.buf[:0] }

type htmlBuilder = Builder

func (b *Builder) raw(s string) { b.buf = append(b.buf, s...) }
func (b *Builder) esc(s string) { b.buf = highlight.AppendEscape(b.buf, s) }

// Open writes <tag attr="value" ...> with escaped attribute values (empty
// values are left out). Attribute values that are URLs must be the
// catalog's own paths or checked http(s) URLs.
func (b *Builder) Open(tag string, attrs ...string) { b.open(tag, attrs...) }

// Code writes <code>text</code>, linked to href when it is set.
func (b *Builder) Code(text, href string) { b.code(text, href, "") }

// Link writes text linked to href (plain text when href is empty).
func (b *Builder) Link(text, href string) { b.link(text, href) }

func (b *htmlBuilder) open(tag string, attrs ...string) {
	b.buf = append(b.buf, '<')
	b.raw(tag)
	for i := 0; i+1 < len(attrs); i += 2 {
		if attrs[i+1] == "" {
			continue
		}
		b.buf = append(b.buf, ' ')
		b.raw(attrs[i])
		b.raw(`="`)
		b.esc(attrs[i+1])
		b.buf = append(b.buf, '"')
	}
	b.buf = append(b.buf, '>')
}

// code writes <code>text</code>, linked when href is set.
func (b *htmlBuilder) code(text, href, title string) {
	if href != "" {
		b.open("a", "href", href, "title", title)
	}
	b.raw("<code>")
	b.esc(text)
	b.raw("</code>")
	if href != "" {
		b.raw("</a>")
	}
}

func (b *htmlBuilder) transforms(ts []string) {
	for _, t := range ts {
		b.open("span", "class", "tf", "title", "transform "+t)
		b.esc(TransformLabel(t))
		b.raw("</span>")
	}
}

func (b *htmlBuilder) corpus(c valueCell) {
	if !c.HasCorpus {
		return
	}
	n := strconv.Itoa(c.Count)
	if c.Count <= 1 {
		b.raw(`<span class="corpus unique" data-corpus="` + n + `" title="rules of the catalog that look for the same value">unique to this rule</span>`)
		return
	}
	b.raw(`<span class="corpus" data-corpus="` + n + `" title="rules of the catalog that look for the same value">corpus ` + n)
	if len(c.ByLanguage) > 0 {
		b.raw(" (")
		for i, l := range c.ByLanguage {
			if i > 0 {
				b.raw(", ")
			}
			b.esc(l.Language)
			b.raw(" " + strconv.Itoa(l.Count))
		}
		b.raw(")")
	}
	b.raw("</span>")
}

// writeIndicators writes an indicator (or exclusion) table.
func writeIndicators(b *Builder, rows []indicatorRow) {
	b.raw(`<div class="table-wrap"><table class="indicators"><thead><tr><th>Field</th><th>Kind</th><th>Values</th></tr></thead><tbody>` + "\n")
	for _, r := range rows {
		b.raw(`<tr class="indicator"><td class="field">`)
		b.code(r.Field, r.FieldHref, "")
		if r.Canonical != "" {
			b.raw(`<div class="canonical" title="canonical field">= `)
			b.esc(r.Canonical)
			b.raw("</div>")
		}
		b.raw(`</td><td class="kind">`)
		b.open("abbr", "title", r.KindPhrase)
		b.esc(r.Kind)
		b.raw(`</abbr></td><td><ul class="values">`)
		for i, v := range r.Values {
			if i == maxPageValues {
				b.raw(`<li class="value muted">… and ` + strconv.Itoa(len(r.Values)-i) + ` more values (all are in the rule body)</li>` + "\n")
				break
			}
			b.raw(`<li class="value">`)
			switch {
			case v.Href != "":
				b.code(v.Value, v.Href, "")
			case v.FieldRef != "":
				b.code(v.Value, v.FieldRef, "another column")
			case v.Value != "":
				b.code(v.Value, "", "")
			}
			b.raw(" ")
			b.transforms(v.Transforms)
			b.raw(" ")
			b.corpus(v)
			b.raw("</li>\n")
		}
		b.raw("</ul></td></tr>\n")
	}
	b.raw("</tbody></table></div>\n")
}

// Limits on the lists of a page: a rule with thousands of values (hash
// lists) would otherwise make a page of megabytes, most of it the same
// values over again in its related rules.
const (
	maxPageValues = 250
	maxDiffPreds  = 12
)

// writePreds writes predicates as list items (at most max; 0: all).
func writePreds(b *Builder, preds []predView, max int) {
	for i, p := range preds {
		if max > 0 && i == max {
			b.raw(`<li class="muted">… and ` + strconv.Itoa(len(preds)-i) + " more</li>\n")
			break
		}
		b.raw(`<li>`)
		if p.Negated {
			b.raw(`<span class="not">not</span> `)
		}
		b.code(p.Field, p.FieldHref, "")
		b.raw(" ")
		b.open("abbr", "title", p.KindPhrase)
		b.esc(p.Kind)
		b.raw("</abbr>")
		for i, v := range p.Values {
			if i == maxPageValues {
				b.raw(" … and " + strconv.Itoa(len(p.Values)-i) + " more")
				break
			}
			if i > 0 {
				b.raw(",")
			}
			b.raw(" ")
			b.code(v, "", "")
		}
		b.raw(" ")
		b.transforms(p.Transforms)
		b.raw("</li>\n")
	}
}

// link writes text linked to href when href is set.
func (b *htmlBuilder) link(text, href string) {
	if href == "" {
		b.esc(text)
		return
	}
	b.open("a", "href", href)
	b.esc(text)
	b.raw("</a>")
}

// writeEvents writes the rows of the event coverage table.
func writeEvents(b *Builder, rows []eventRow) {
	for _, e := range rows {
		if e.Equivalent {
			b.raw(`<tr class="equivalent"><td>`)
		} else {
			b.raw(`<tr class="direct"><td>`)
		}
		b.link(e.Provider, e.ProviderHref)
		b.raw("</td><td>")
		b.code(e.Event, e.Href, "")
		b.raw("</td><td>")
		b.esc(e.Title)
		b.raw("</td><td>")
		b.esc(e.Class)
		if e.Equivalent {
			b.raw(`</td><td><span class="via-eq">≈ equivalent</span></td></tr>` + "\n")
		} else {
			b.raw(`</td><td><span class="via-rule">the rule</span></td></tr>` + "\n")
		}
	}
}

// writeMeta writes the metadata list's entries.
func writeMeta(b *Builder, rows []metaRow) {
	for _, m := range rows {
		b.raw("<dt>")
		b.esc(m.Label)
		b.raw("</dt><dd>")
		switch {
		case len(m.Links) > 0:
			for i, l := range m.Links {
				if i > 0 {
					b.raw(", ")
				}
				b.link(l.Text, l.Href)
			}
		case m.Code:
			b.code(m.Text, "", "")
		default:
			b.esc(m.Text)
		}
		b.raw("</dd>\n")
	}
}
