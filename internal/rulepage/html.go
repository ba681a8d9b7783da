package rulepage

import (
	"strconv"
	"strings"

	"github.com/detwiki/detwiki/internal/highlight"
)

// The rule page's HTML is written here in Go, straight into one buffer,
// rather than by html/template: a page is mostly rule text (code blocks,
// indicator tables, related rules), html/template's reflection per value
// was most of a page's cost, and the intermediate strings most of its
// garbage. Every piece of rule text goes through esc (or the highlighter,
// which escapes every byte it copies); attribute values go through open's
// escaping; links are the catalog's own paths or http(s) URLs checked by
// safeHref. TestArticleEscapes and the hostile-rule tests hold it to that.

// writeArticle writes the page's <article>.
func (v *view) writeArticle(b *Builder) {
	u := v.URLs
	b.raw("\n")
	b.open("article", "class", "rule", "id", "rule", "data-rule-id", v.ID)
	b.raw("\n<nav class=\"crumbs\" aria-label=\"breadcrumb\">")
	b.link("detwiki", u.Home())
	b.raw(" › ")
	b.link("Rules", u.Dir("rules/"))
	b.raw(" › ")
	b.link(v.LangName, v.Browse("lang", v.Language))
	if repo := v.P.Doc.Source.Repo; repo != "" {
		b.raw(" › ")
		b.link(repo, v.Browse("source", repo))
	}
	b.raw("</nav>\n<header>\n<h1 class=\"title\">")
	b.esc(v.Title)
	b.raw("</h1>\n<p class=\"badges\">")
	b.open("span", "class", "lang lang-"+v.Language)
	b.esc(v.LangName)
	b.raw("</span>")
	if v.QLName != "" {
		b.raw(` <span class="badge">`)
		b.esc(v.QLName)
		b.raw("</span>")
	}
	if v.Severity != "" {
		b.raw(" ")
		b.open("span", "class", "sev sev-"+v.Severity)
		b.esc(v.Severity)
		b.raw("</span>")
	}
	for _, x := range v.Badges {
		b.raw(` <span class="badge">`)
		b.esc(x)
		b.raw("</span>")
	}
	if v.Feed {
		b.raw(` <span class="badge feed" title="forwards another product's alerts; kept out of browse lists and coverage">third-party feed</span>`)
	}
	if v.Deprecated {
		b.raw(` <span class="badge deprecated">deprecated</span>`)
	}
	b.raw("</p>\n</header>\n\n")
	v.writeTOC(b)
	v.writeSummary(b)

	b.raw("<section id=\"metadata\">\n<h2>Metadata</h2>\n<dl class=\"meta\">\n")
	writeMeta(b, v.Meta)
	b.raw("</dl>\n")
	if strings.TrimSpace(v.Desc) != "" {
		b.raw(`<div class="prose description">`)
		writeProse(b, v.Desc)
		b.raw("</div>\n")
	}
	b.raw("</section>\n\n")

	if len(v.Attack) > 0 {
		b.raw("<section id=\"attack\">\n<h2>MITRE ATT&amp;CK coverage</h2>\n<div class=\"table-wrap\"><table><thead><tr><th>Tactic</th><th>Technique</th><th>Name</th></tr></thead><tbody>\n")
		for _, a := range v.Attack {
			b.raw("<tr><td>")
			if a.Tactic != "" {
				b.esc(a.Tactic)
				b.raw(` <span class="muted">`)
				b.esc(a.TacticID)
				b.raw("</span>")
			}
			b.raw("</td><td>")
			if a.Href != "" {
				b.link(a.TechniqueID, a.Href)
			}
			b.raw("</td><td>")
			b.esc(a.Technique)
			b.raw("</td></tr>\n")
		}
		b.raw("</tbody></table></div>\n</section>\n\n")
	}

	if len(v.References) > 0 {
		b.raw("<section id=\"references\">\n<h2>References</h2>\n<ul class=\"refs\">")
		for _, r := range v.References {
			b.raw("<li>")
			if r.Href != "" {
				b.open("a", "href", r.Href, "rel", "noopener noreferrer")
				b.esc(r.Text)
				b.raw("</a>")
			} else {
				b.esc(r.Text)
			}
			b.raw("</li>\n")
		}
		b.raw("</ul>\n</section>\n\n")
	}

	if len(v.Events) > 0 {
		b.raw("<section id=\"events\">\n<h2>Event coverage</h2>\n<p class=\"explain\">Telemetry the rule reads, and the same activity as other providers record it (<span class=\"via-eq\">≈ equivalent</span>): where to look when the rule's own source is missing.</p>\n")
		b.raw("<div class=\"table-wrap\"><table class=\"events\"><thead><tr><th>Provider</th><th>Event</th><th>Title</th><th>Class</th><th>Read by</th></tr></thead><tbody>\n")
		writeEvents(b, v.Events)
		b.raw("</tbody></table></div>\n</section>\n\n")
	}

	b.raw("<section id=\"body\">\n<h2>Rule body")
	if v.QLName != "" {
		b.raw(` <span class="muted">`)
		b.esc(v.QLName)
		b.raw("</span>")
	}
	b.raw("</h2>\n")
	if v.Query != nil {
		v.Query.write(b)
	} else {
		b.raw(`<p class="muted">This rule has no query text.</p>`)
	}
	b.raw("\n")
	switch {
	case v.Body != nil:
		b.raw(`<details class="source-file"><summary>Source file <code>`)
		b.esc(v.BodyPath)
		b.raw("</code></summary>")
		v.Body.write(b)
		b.raw("</details>")
	case v.BodyHref != "":
		b.raw(`<p class="source-file">Source file `)
		b.open("a", "href", v.BodyHref, "rel", "noopener noreferrer")
		b.raw("<code>")
		b.esc(v.BodyPath)
		b.raw("</code></a> in its public repository.</p>")
	}
	b.raw("\n</section>\n\n")

	v.writeStages(b)

	if len(v.Indicators) > 0 {
		b.raw("<section id=\"indicators\">\n<h2>Indicators</h2>\n<p class=\"explain\">Each row is a field, a comparison and the values the rule matches. The corpus count says how many rules of the catalog (this one included) look for the same value on the same field, in any language: high numbers point to widely used indicators; “unique” means only this rule looks for it.</p>\n")
		writeIndicators(b, v.Indicators)
		b.raw("\n</section>\n\n")
	}
	if len(v.Exclusions) > 0 {
		b.raw("<section id=\"exclusions\">\n<h2>Exclusions</h2>\n<p class=\"explain\">What the rule filters out (top-level negated conditions), shown with the positive comparison.</p>\n")
		writeIndicators(b, v.Exclusions)
		b.raw("\n</section>\n\n")
	}
	if len(v.Outputs) > 0 {
		b.raw("<section id=\"outputs\">\n<h2>Output fields</h2>\n<p class=\"explain\">Fields the rule emits when it matches, and the step or mapping that produces each.</p>\n<div class=\"table-wrap\"><table><thead><tr><th>Field</th><th>Source</th></tr></thead><tbody>\n")
		for _, o := range v.Outputs {
			b.raw("<tr><td>")
			b.code(o.Field, "", "")
			b.raw("</td><td>")
			b.esc(o.Source)
			b.raw("</td></tr>\n")
		}
		b.raw("</tbody></table></div>\n</section>\n\n")
	}
	if v.InCatalog {
		v.writeRelated(b)
	}
	v.writeExtras(b)
	if len(v.Diags) > 0 {
		b.raw("<section id=\"diagnostics\">\n<h2>Diagnostics</h2>\n<ul class=\"diags\">")
		for _, d := range v.Diags {
			b.open("li", "class", "diag diag-"+d.Severity)
			b.raw(`<span class="sev-label">`)
			b.esc(d.Severity)
			b.raw("</span>")
			if d.Code != "" {
				b.raw(" ")
				b.code(d.Code, "", "")
			}
			if d.Pos != "" {
				b.raw(" ")
				b.link(d.Pos, d.Href)
			}
			b.raw(": ")
			b.esc(d.Message)
			if d.Snippet != "" {
				b.raw(`<pre class="snippet"><code>`)
				b.esc(d.Snippet)
				b.raw("</code></pre>")
			}
			b.raw("</li>\n")
		}
		b.raw("</ul>\n</section>\n")
	}
	b.raw("</article>\n")
}

func (v *view) writeTOC(b *Builder) {
	b.raw(`<nav class="toc" aria-label="contents"><a href="#summary">Summary</a> <a href="#metadata">Metadata</a>`)
	if len(v.Attack) > 0 {
		b.raw(` <a href="#attack">ATT&amp;CK</a>`)
	}
	if len(v.Events) > 0 {
		b.raw(` <a href="#events">Events</a>`)
	}
	b.raw(` <a href="#body">Rule body</a>`)
	if len(v.Params)+len(v.Bindings)+len(v.Pipelines) > 0 {
		b.raw(` <a href="#stages">Stages</a>`)
	}
	if len(v.Indicators) > 0 {
		b.raw(` <a href="#indicators">Indicators</a>`)
	}
	if len(v.Exclusions) > 0 {
		b.raw(` <a href="#exclusions">Exclusions</a>`)
	}
	if len(v.Outputs) > 0 {
		b.raw(` <a href="#outputs">Outputs</a>`)
	}
	if v.InCatalog {
		b.raw(` <a href="#related">Related rules</a>`)
	}
	if len(v.Diags) > 0 {
		b.raw(` <a href="#diagnostics">Diagnostics</a>`)
	}
	b.raw("</nav>\n\n")
}

// plural returns "s" unless n is 1.
func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (v *view) writeSummary(b *Builder) {
	s := &v.Summary
	b.raw("<section id=\"summary\" class=\"summary\">\n<h2>At a glance</h2>\n<ul>\n")
	eventLinks := func(list []Link) {
		for i, l := range list {
			if i > 0 {
				b.raw(", ")
			}
			b.open("a", "href", l.Href, "title", l.Title)
			b.esc(l.Text)
			b.raw("</a>")
		}
	}
	switch {
	case len(s.Reads) > 0:
		b.raw("<li>Reads ")
		for i, l := range s.Reads {
			if i > 0 {
				b.raw(", ")
			}
			b.open("a", "href", l.Href)
			b.raw("<code>")
			b.esc(l.Text)
			b.raw("</code></a>")
		}
		if len(s.Events) > 0 {
			b.raw(": ")
			eventLinks(s.Events)
		}
		b.raw(".</li>\n")
	case len(s.Events) > 0:
		b.raw("<li>Reads ")
		eventLinks(s.Events)
		b.raw(".</li>\n")
	}
	switch {
	case s.Indicators > 0:
		b.raw("<li>Matches <strong>" + strconv.Itoa(s.Values) + "</strong> value" + pluralS(s.Values) +
			" on <strong>" + strconv.Itoa(s.Fields) + "</strong> field" + pluralS(s.Fields))
		if s.Exclusions > 0 {
			b.raw(" and excludes <strong>" + strconv.Itoa(s.Exclusions) + "</strong>")
		}
		b.raw(".")
		if s.Unique > 0 || s.Shared > 0 {
			b.raw(" ")
			if s.Shared > 0 {
				b.raw(strconv.Itoa(s.Shared) + " shared with other rules of the catalog")
			}
			if s.Unique > 0 && s.Shared > 0 {
				b.raw("; ")
			}
			if s.Unique > 0 {
				b.raw(strconv.Itoa(s.Unique) + " unique to this rule")
			}
			b.raw(".")
		}
		b.raw("</li>\n")
	case s.HasAnalysis:
		b.raw("<li>No field comparison was found in the query.</li>\n")
	}
	if len(s.TopShared) > 0 {
		b.raw("<li>Most shared: ")
		for i, x := range s.TopShared {
			if i > 0 {
				b.raw("; ")
			}
			if x.Href != "" {
				b.open("a", "href", x.Href)
			}
			b.raw("<code>")
			b.esc(x.Field)
			b.raw("</code> ")
			b.esc(x.Kind)
			b.raw(" <code>")
			b.esc(x.Value)
			b.raw("</code>")
			if x.Href != "" {
				b.raw("</a>")
			}
			b.raw(" (" + strconv.Itoa(x.Count) + " rules)")
		}
		b.raw(".</li>\n")
	}
	if s.Stages > 0 {
		b.raw("<li>" + strconv.Itoa(s.Stages) + " stage" + pluralS(s.Stages))
		if s.Bindings > 0 {
			b.raw(" and " + strconv.Itoa(s.Bindings) + " named sub-quer")
			if s.Bindings == 1 {
				b.raw("y")
			} else {
				b.raw("ies")
			}
		}
		b.raw(".</li>\n")
	}
	if s.TimeWindow != "" || s.Frequency != "" {
		b.raw("<li>")
		if s.TimeWindow != "" {
			b.raw("Looks back ")
			b.esc(s.TimeWindow)
		}
		if s.TimeWindow != "" && s.Frequency != "" {
			b.raw(", ")
		}
		if s.Frequency != "" {
			b.raw("runs every ")
			b.esc(s.Frequency)
		}
		b.raw(".</li>\n")
	}
	if len(s.Outputs) > 0 {
		b.raw("<li>Emits ")
		for i, o := range s.Outputs {
			if i > 0 {
				b.raw(", ")
			}
			b.code(o, "", "")
		}
		b.raw(".</li>\n")
	}
	if s.Techniques > 0 {
		b.raw("<li>Maps to " + strconv.Itoa(s.Techniques) + " ATT&amp;CK entr")
		if s.Techniques == 1 {
			b.raw("y.</li>\n")
		} else {
			b.raw("ies.</li>\n")
		}
	}
	if s.Errors > 0 || s.Warnings > 0 {
		b.raw(`<li class="diag-note"><a href="#diagnostics">`)
		if s.Errors > 0 {
			b.raw(strconv.Itoa(s.Errors) + " error" + pluralS(s.Errors))
		}
		if s.Errors > 0 && s.Warnings > 0 {
			b.raw(", ")
		}
		if s.Warnings > 0 {
			b.raw(strconv.Itoa(s.Warnings) + " warning" + pluralS(s.Warnings))
		}
		b.raw("</a> while reading the rule.</li>\n")
	}
	if v.InCatalog {
		b.raw(`<li><a href="#related">` + strconv.Itoa(v.NarrowerN) + " narrower, " + strconv.Itoa(v.BroaderN) + " broader, " +
			strconv.Itoa(v.SameN) + ` identical</a> and <a href="#same-action">` + strconv.Itoa(v.SameActN) + " rule" + pluralS(v.SameActN) +
			" matching the same action</a> in the catalog.</li>\n")
	}
	b.raw("</ul>\n</section>\n\n")
}

func (v *view) writeStages(b *Builder) {
	if len(v.Params)+len(v.Bindings)+len(v.Pipelines) == 0 {
		return
	}
	b.raw("<section id=\"stages\">\n<h2>Stages and predicates</h2>\n")
	if len(v.Params) > 0 {
		b.raw("<h3>Parameters</h3>\n<div class=\"table-wrap\"><table class=\"params\"><thead><tr><th>Name</th><th>Value</th><th>Definition</th></tr></thead><tbody>\n")
		for _, p := range v.Params {
			b.open("tr", "id", p.Anchor)
			b.raw("<td>")
			b.code(p.Name, "", "")
			b.raw("</td><td>")
			for i, x := range p.Values {
				if i > 0 {
					b.raw(", ")
				}
				b.code(x, "", "")
			}
			b.raw("</td><td>")
			b.snippet(p.Text, v.Lang)
			b.raw("</td></tr>\n")
		}
		b.raw("</tbody></table></div>")
	}
	b.raw("\n")
	if len(v.Bindings) > 0 {
		b.raw("<h3>Named sub-queries</h3>\n")
		for _, bd := range v.Bindings {
			b.open("div", "class", "binding", "id", bd.Anchor)
			b.raw("<h4>")
			b.code(bd.Name, "", "")
			if len(bd.DerivedFrom) > 0 {
				b.raw(` <span class="muted">uses `)
				for i, l := range bd.DerivedFrom {
					if i > 0 {
						b.raw(", ")
					}
					b.link(l.Text, l.Href)
				}
				b.raw("</span>")
			}
			b.raw("</h4>")
			b.snippet(bd.Text, v.Lang)
			b.raw("</div>\n")
		}
	}
	b.raw("\n")
	for _, pl := range v.Pipelines {
		if pl.Name == "main" {
			b.raw("<h3>Main pipeline</h3>\n")
		} else {
			b.raw("<h3>Pipeline ")
			b.code(pl.Name, "", "")
			b.raw("</h3>\n")
		}
		b.raw(`<ol class="stages">`)
		for _, st := range pl.Stages {
			n := strconv.Itoa(st.N)
			b.raw(`<li class="stage" id="stage-` + n + `"><div class="stage-head"><span class="stage-n">Stage ` + n + `</span> <span class="stage-kind">`)
			b.esc(st.Kind)
			b.raw("</span>")
			if st.Steps > 1 {
				b.raw(` <span class="muted">(` + strconv.Itoa(st.Steps) + " consecutive steps)</span>")
			}
			if st.LineHref != "" {
				b.raw(" ")
				b.open("a", "class", "muted", "href", st.LineHref)
				b.raw("line " + strconv.Itoa(st.Line) + "</a>")
			}
			b.raw("</div>\n")
			b.snippet(st.Text, v.Lang)
			if len(st.Predicates) > 0 {
				b.raw(`<ul class="preds">`)
				writePreds(b, st.Predicates, 0)
				b.raw("</ul>")
			}
			if st.Note != "" {
				b.raw(`<p class="stage-note muted">`)
				b.esc(st.Note)
				b.raw("</p>")
			}
			b.raw("</li>\n")
		}
		b.raw("</ol>\n")
	}
	b.raw("</section>\n\n")
}

// snippet writes highlighted code in <pre class="snippet">.
func (b *Builder) snippet(text, lang string) {
	b.raw(`<pre class="snippet"><code>`)
	b.buf = highlight.AppendHTML(b.buf, text, lang)
	b.raw("</code></pre>")
}

func (v *view) writeRelated(b *Builder) {
	list := func(rel []relatedView) {
		b.raw(`<ul class="related">`)
		for _, r := range rel {
			b.raw("<li>")
			b.open("a", "href", r.Href)
			b.esc(r.Title)
			b.raw("</a> ")
			if r.Language != "" {
				b.open("span", "class", "lang lang-"+r.Language)
				b.esc(LanguageName(r.Language))
				b.raw("</span>")
			}
			if len(r.Diff) > 0 {
				b.raw(`<ul class="diff">`)
				writePreds(b, r.Diff, maxDiffPreds)
				b.raw("</ul>")
			}
			b.raw("</li>\n")
		}
		b.raw("</ul>")
	}
	b.raw("<section id=\"related\">\n<h2>Related rules</h2>\n")
	b.raw(`<h3 id="narrower">Narrower <span class="muted">` + strconv.Itoa(v.NarrowerN) + "</span></h3>\n")
	if len(v.Narrower) > 0 {
		b.raw(`<p class="explain">They look for everything this rule looks for, and more (shown).</p>`)
		list(v.Narrower)
	} else {
		b.raw(`<p class="muted">No rule has all of this rule's predicates and more.</p>`)
	}
	b.raw("\n" + `<h3 id="broader">Broader <span class="muted">` + strconv.Itoa(v.BroaderN) + "</span></h3>\n")
	if len(v.Broader) > 0 {
		b.raw(`<p class="explain">This rule has all of their predicates and more (shown).</p>`)
		list(v.Broader)
	} else {
		b.raw(`<p class="muted">No rule has a strict subset of this rule's predicates.</p>`)
	}
	b.raw("\n")
	if len(v.Same) > 0 {
		b.raw(`<h3 id="same">Same predicates <span class="muted">` + strconv.Itoa(v.SameN) + "</span></h3>")
		list(v.Same)
	}
	b.raw("\n" + `<h3 id="same-action">Matching the same action <span class="muted">` + strconv.Itoa(v.SameActN) + "</span></h3>\n")
	if len(v.SameAction) > 0 {
		b.raw(`<p class="explain">Rules on the same kind of event that share key indicators (shown) with this one.</p>`)
		list(v.SameAction)
	} else {
		b.raw(`<p class="muted">No other rule shares an event class and a key indicator with this one.</p>`)
	}
	b.raw("\n</section>\n\n")
}

func (v *view) writeExtras(b *Builder) {
	if len(v.FalsePos) > 0 {
		b.raw(`<section id="false-positives"><h2>False positives</h2><ul>`)
		for _, f := range v.FalsePos {
			b.raw("<li>")
			b.esc(f)
			b.raw("</li>")
		}
		b.raw("</ul></section>")
	}
	b.raw("\n")
	for _, s := range v.Sections {
		b.raw(`<section class="prose-section"><h2>`)
		b.esc(s.Title)
		b.raw(`</h2><div class="prose">`)
		writeProse(b, s.Text)
		b.raw("</div></section>\n")
	}
	b.raw("\n")
	if len(v.Links) > 0 {
		b.raw(`<section id="links"><h2>Links</h2><ul>`)
		for _, l := range v.Links {
			b.raw("<li>")
			if l.Title != "" {
				b.raw(`<span class="muted">`)
				b.esc(l.Title)
				b.raw("</span> ")
			}
			b.link(l.Text, l.Href)
			b.raw("</li>")
		}
		b.raw("</ul></section>")
	}
	b.raw("\n")
	if len(v.Variants) > 0 {
		b.raw(`<section id="variants"><h2>Variants</h2>`)
		for _, va := range v.Variants {
			b.raw("<h3>")
			b.esc(va.Name)
			b.raw(` <span class="muted">`)
			b.esc(va.Language)
			b.raw("</span></h3>")
			b.snippet(va.Text, va.Lang)
		}
		b.raw("</section>")
	}
	b.raw("\n")
	if len(v.Tests) > 0 {
		b.raw(`<section id="tests"><h2>Sample events</h2><div class="table-wrap"><table><thead><tr><th>Test</th><th>Expected</th><th>Event</th></tr></thead><tbody>`)
		for _, t := range v.Tests {
			b.raw("<tr><td>")
			b.esc(t.Name)
			b.raw("</td><td>")
			b.esc(t.Expect)
			b.raw("</td><td>")
			if t.Path != "" {
				b.code(t.Path, "", "")
			}
			if t.Event != "" {
				b.raw(`<details><summary>event</summary><pre class="snippet"><code>`)
				b.esc(t.Event)
				b.raw("</code></pre></details>")
			}
			b.raw("</td></tr>")
		}
		b.raw("</tbody></table></div></section>")
	}
	b.raw("\n")
	if r := v.Runs; r != nil {
		b.raw("<section id=\"runs\"><h2>Run on events</h2>\n")
		if len(r.Tests) > 0 {
			b.raw(`<h3>Its own sample events</h3><div class="table-wrap"><table><thead><tr><th>Events</th><th>Hits</th><th>Result</th></tr></thead><tbody>`)
			for _, t := range r.Tests {
				b.raw("<tr><td>")
				b.code(t.Dataset, "", "")
				b.raw("</td><td>" + strconv.Itoa(t.Hits) + "</td><td>")
				if t.OK {
					b.raw("fires")
				} else {
					b.raw("<strong>does not fire</strong>")
					if t.Problem != "" {
						b.raw(": ")
						b.esc(t.Problem)
					}
				}
				b.raw("</td></tr>")
			}
			b.raw("</tbody></table></div>")
		}
		b.raw("\n")
		if r.Of > 0 {
			b.raw("<h3>Data sets</h3>")
			if len(r.Datasets) > 0 {
				b.raw(`<p class="explain">Fires on ` + strconv.Itoa(len(r.Datasets)) + " of the " + strconv.Itoa(r.Of) +
					` event data sets it ran on.</p><div class="table-wrap"><table><thead><tr><th>Data set</th><th>Hits</th></tr></thead><tbody>`)
				for _, d := range r.Datasets {
					b.raw("<tr><td>")
					b.code(d.Dataset, "", "")
					b.raw("</td><td>" + strconv.Itoa(d.Hits) + "</td></tr>")
				}
				b.raw("</tbody></table></div>")
			} else {
				b.raw(`<p class="muted">Fires on none of the ` + strconv.Itoa(r.Of) + " event data sets it ran on.</p>")
			}
		}
		b.raw("\n")
		if len(r.Samples) > 0 {
			b.raw("<h3>Matching events</h3>")
			for _, s := range r.Samples {
				b.raw(`<details class="run-sample"><summary>`)
				b.code(s.Dataset, "", "")
				b.raw(`</summary><div class="table-wrap"><table><tbody>`)
				for _, f := range s.Fields {
					b.raw("<tr><th>")
					b.esc(f.Name)
					b.raw("</th><td>")
					b.code(f.Value, "", "")
					b.raw("</td></tr>")
				}
				b.raw("</tbody></table></div></details>")
			}
		}
		b.raw("\n</section>")
	}
	b.raw("\n\n")
}

// write writes a numbered code block: every line is a span with an id
// (Q12 for line 12 of the query, L12 of the source file) that stages and
// diagnostics link to; the stylesheet numbers the lines (CSS counters), so
// a line costs a dozen bytes of markup rather than a link of its own.
func (c *codeBlock) write(b *Builder) {
	b.raw(`<pre class="code" data-lang="`)
	b.esc(c.Lang)
	b.raw(`"><code>`)
	b.buf = highlight.AppendLines(b.buf, c.Text, c.Lang, func(dst []byte, n int) []byte {
		dst = append(dst, `<span id="`...)
		dst = append(dst, c.Prefix...)
		dst = strconv.AppendInt(dst, int64(n), 10)
		if c.Mark[n] {
			return append(dst, `" class="m">`...)
		}
		return append(dst, `">`...)
	}, "\n</span>")
	b.raw("</code></pre>")
}
