package rulepage

import (
	"fmt"
	"io"
	"strings"

	"github.com/detwiki/detwiki/internal/rule"
)

// RenderMarkdown writes the page as markdown (GitHub flavour). Rule text is
// escaped so that it reads as text: it can neither add markup nor raw HTML.
func RenderMarkdown(w io.Writer, p *Page) error {
	v := p.view()
	d := p.Doc
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", mdText(v.Title))
	badges := []string{"**" + mdText(v.LangName) + "**"}
	if v.QLName != "" {
		badges = append(badges, mdText(v.QLName))
	}
	if v.Severity != "" {
		badges = append(badges, "severity "+mdText(v.Severity))
	}
	for _, x := range v.Badges {
		badges = append(badges, mdText(x))
	}
	if v.Feed {
		badges = append(badges, "third-party feed")
	}
	if v.Deprecated {
		badges = append(badges, "deprecated")
	}
	fmt.Fprintf(&b, "%s\n\n", strings.Join(badges, " · "))

	b.WriteString("## At a glance\n\n")
	s := v.Summary
	if len(s.Reads) > 0 || len(s.Events) > 0 {
		var parts []string
		for _, l := range s.Reads {
			parts = append(parts, mdLink(mdCode(l.Text), l.Href))
		}
		line := "- Reads " + strings.Join(parts, ", ")
		if len(s.Events) > 0 {
			var evs []string
			for _, l := range s.Events {
				evs = append(evs, mdLink(mdText(l.Text), l.Href))
			}
			if len(parts) == 0 {
				line = "- Reads " + strings.Join(evs, ", ")
			} else {
				line += ": " + strings.Join(evs, ", ")
			}
		}
		b.WriteString(line + ".\n")
	}
	if s.Indicators > 0 {
		fmt.Fprintf(&b, "- Matches %d value%s on %d field%s", s.Values, plural(s.Values), s.Fields, plural(s.Fields))
		if s.Exclusions > 0 {
			fmt.Fprintf(&b, " and excludes %d", s.Exclusions)
		}
		b.WriteString(".")
		if s.Unique > 0 || s.Shared > 0 {
			var parts []string
			if s.Shared > 0 {
				parts = append(parts, fmt.Sprintf("%d shared with other rules of the catalog", s.Shared))
			}
			if s.Unique > 0 {
				parts = append(parts, fmt.Sprintf("%d unique to this rule", s.Unique))
			}
			b.WriteString(" " + strings.Join(parts, "; ") + ".")
		}
		b.WriteString("\n")
	}
	if len(s.TopShared) > 0 {
		var parts []string
		for _, x := range s.TopShared {
			parts = append(parts, fmt.Sprintf("%s (%d rules)", mdLink(mdCode(x.Field)+" "+x.Kind+" "+mdCode(x.Value), x.Href), x.Count))
		}
		b.WriteString("- Most shared: " + strings.Join(parts, "; ") + ".\n")
	}
	if s.Stages > 0 {
		fmt.Fprintf(&b, "- %d stage%s", s.Stages, plural(s.Stages))
		if s.Bindings > 0 {
			fmt.Fprintf(&b, " and %d named sub-quer%s", s.Bindings, map[bool]string{true: "y", false: "ies"}[s.Bindings == 1])
		}
		b.WriteString(".\n")
	}
	if s.TimeWindow != "" || s.Frequency != "" {
		var parts []string
		if s.TimeWindow != "" {
			parts = append(parts, "looks back "+mdText(s.TimeWindow))
		}
		if s.Frequency != "" {
			parts = append(parts, "runs every "+mdText(s.Frequency))
		}
		b.WriteString("- " + capitalize(strings.Join(parts, ", ")) + ".\n")
	}
	if len(s.Outputs) > 0 {
		var parts []string
		for _, o := range s.Outputs {
			parts = append(parts, mdCode(o))
		}
		b.WriteString("- Emits " + strings.Join(parts, ", ") + ".\n")
	}
	if s.Errors+s.Warnings > 0 {
		fmt.Fprintf(&b, "- %d error%s, %d warning%s while reading the rule (see Diagnostics).\n", s.Errors, plural(s.Errors), s.Warnings, plural(s.Warnings))
	}
	if v.InCatalog {
		fmt.Fprintf(&b, "- In the catalog: %d narrower, %d broader, %d identical rule%s; %d matching the same action.\n", v.NarrowerN, v.BroaderN, v.SameN, plural(v.SameN), v.SameActN)
	}
	b.WriteString("\n## Metadata\n\n| | |\n|---|---|\n")
	for _, m := range v.Meta {
		var val string
		switch {
		case len(m.Links) > 0:
			var parts []string
			for _, l := range m.Links {
				parts = append(parts, mdLink(mdText(l.Text), l.Href))
			}
			val = strings.Join(parts, ", ")
		case m.Code:
			val = mdCode(m.Text)
		default:
			val = mdText(m.Text)
		}
		fmt.Fprintf(&b, "| %s | %s |\n", mdText(m.Label), val)
	}
	if desc := strings.TrimSpace(trimQuotes(d.Description)); desc != "" {
		b.WriteString("\n" + mdProse(desc) + "\n")
	}
	if len(v.Attack) > 0 {
		b.WriteString("\n## MITRE ATT&CK coverage\n\n| Tactic | Technique | Name |\n|---|---|---|\n")
		for _, a := range v.Attack {
			tactic := mdText(a.Tactic)
			if a.TacticID != "" {
				tactic += " (" + a.TacticID + ")"
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", tactic, mdLink(mdText(a.TechniqueID), a.Href), mdText(a.Technique))
		}
	}
	if len(v.References) > 0 {
		b.WriteString("\n## References\n\n")
		for _, r := range v.References {
			if r.Href != "" {
				fmt.Fprintf(&b, "- %s\n", mdLink(mdText(r.Text), r.Href))
			} else {
				fmt.Fprintf(&b, "- %s\n", mdText(r.Text))
			}
		}
	}
	if len(v.Events) > 0 {
		b.WriteString("\n## Event coverage\n\n| Provider | Event | Title | Class | Read by |\n|---|---|---|---|---|\n")
		for _, e := range v.Events {
			via := "**the rule**"
			if e.Equivalent {
				via = "≈ equivalent"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdLink(mdText(e.Provider), e.ProviderHref), mdLink(mdCode(e.Event), e.Href), mdText(e.Title), mdText(e.Class), via)
		}
	}
	b.WriteString("\n## Rule body\n\n")
	if d.Query != "" {
		b.WriteString(fence(d.Query, queryLang(d.QueryLanguage)))
	} else {
		b.WriteString("This rule has no query text.\n")
	}
	if len(v.Params)+len(v.Bindings)+len(v.Pipelines) > 0 {
		b.WriteString("\n## Stages and predicates\n")
		a := &d.Analysis
		if len(a.Parameters) > 0 {
			b.WriteString("\n### Parameters\n\n| Name | Value | Definition |\n|---|---|---|\n")
			for _, p := range a.Parameters {
				var vals []string
				for _, x := range p.Values {
					vals = append(vals, mdCode(x))
				}
				fmt.Fprintf(&b, "| %s | %s | %s |\n", mdCode(p.Name), strings.Join(vals, ", "), mdCode(p.Text))
			}
		}
		if len(a.Bindings) > 0 {
			b.WriteString("\n### Named sub-queries\n")
			for _, bd := range a.Bindings {
				fmt.Fprintf(&b, "\n#### %s", mdCode(bd.Name))
				if len(bd.DerivedFrom) > 0 {
					var parts []string
					for _, x := range bd.DerivedFrom {
						parts = append(parts, mdCode(x))
					}
					b.WriteString(" (uses " + strings.Join(parts, ", ") + ")")
				}
				b.WriteString("\n\n" + fence(bd.Text, queryLang(d.QueryLanguage)))
			}
		}
		for _, pl := range v.Pipelines {
			if pl.Name == "main" {
				b.WriteString("\n### Main pipeline\n\n")
			} else {
				fmt.Fprintf(&b, "\n### Pipeline %s\n\n", mdCode(pl.Name))
			}
			for _, st := range pl.Stages {
				fmt.Fprintf(&b, "%d. **Stage %d: %s**", st.N, st.N, mdText(st.Kind))
				if st.Steps > 1 {
					fmt.Fprintf(&b, " (%d consecutive steps)", st.Steps)
				}
				if st.Line > 0 {
					fmt.Fprintf(&b, ", line %d", st.Line)
				}
				b.WriteString("\n\n")
				b.WriteString(indent(fence(stageText(d.Analysis.Stages, st.N), queryLang(d.QueryLanguage)), "   "))
				for _, pr := range st.Predicates {
					b.WriteString("   - " + mdPred(pr) + "\n")
				}
				if st.Note != "" {
					b.WriteString("\n   _" + mdText(st.Note) + "_\n")
				}
				b.WriteString("\n")
			}
		}
	}
	writeIndicators := func(title, explain string, rows []indicatorRow) {
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n## %s\n\n%s\n\n| Field | Kind | Values |\n|---|---|---|\n", title, explain)
		for _, r := range rows {
			field := mdLink(mdCode(r.Field), r.FieldHref)
			if r.Canonical != "" {
				field += " (= " + mdCode(r.Canonical) + ")"
			}
			var vals []string
			for _, c := range r.Values {
				x := mdCode(c.Value)
				if c.Href != "" {
					x = mdLink(x, c.Href)
				} else if c.FieldRef != "" {
					x = mdLink(x, c.FieldRef)
				}
				for _, t := range c.Transforms {
					x += " _" + TransformLabel(t) + "_"
				}
				if c.HasCorpus {
					x += " — " + corpusText(c)
				}
				vals = append(vals, x)
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", field, r.Kind, strings.Join(vals, "<br>"))
		}
	}
	writeIndicators("Indicators", "Each row is a field, a comparison and the values the rule matches; the corpus count says how many rules of the catalog (this one included) look for the same value.", v.Indicators)
	writeIndicators("Exclusions", "What the rule filters out, shown with the positive comparison.", v.Exclusions)
	if len(v.Outputs) > 0 {
		b.WriteString("\n## Output fields\n\n| Field | Source |\n|---|---|\n")
		for _, o := range v.Outputs {
			fmt.Fprintf(&b, "| %s | %s |\n", mdCode(o.Field), mdText(o.Source))
		}
	}
	if v.InCatalog {
		b.WriteString("\n## Related rules\n")
		rel := func(title string, n int, list []relatedView) {
			fmt.Fprintf(&b, "\n### %s (%d)\n\n", title, n)
			if len(list) == 0 {
				b.WriteString("None.\n")
			}
			for _, r := range list {
				fmt.Fprintf(&b, "- %s (%s)", mdLink(mdText(r.Title), r.Href), mdText(LanguageName(r.Language)))
				var parts []string
				for _, p := range r.Diff {
					parts = append(parts, mdPred(p))
				}
				if len(parts) > 0 {
					b.WriteString(": " + strings.Join(parts, "; "))
				}
				b.WriteString("\n")
			}
		}
		rel("Narrower (they add)", v.NarrowerN, v.Narrower)
		rel("Broader (this rule adds)", v.BroaderN, v.Broader)
		if v.SameN > 0 {
			rel("Same predicates", v.SameN, v.Same)
		}
		rel("Matching the same action (shared key indicators)", v.SameActN, v.SameAction)
	}
	if len(d.FalsePositives) > 0 {
		b.WriteString("\n## False positives\n\n")
		for _, f := range d.FalsePositives {
			b.WriteString("- " + mdText(f) + "\n")
		}
	}
	for _, sec := range d.Sections {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n", mdText(sec.Title), mdProse(sec.Text))
	}
	if len(v.Links) > 0 {
		b.WriteString("\n## Links\n\n")
		for _, l := range v.Links {
			b.WriteString("- " + mdLink(mdText(l.Text), l.Href) + "\n")
		}
	}
	for _, va := range d.Variants {
		fmt.Fprintf(&b, "\n## Variant: %s\n\n%s", mdText(va.Name), fence(va.Query, queryLang(va.QueryLanguage)))
	}
	if len(d.Tests) > 0 {
		b.WriteString("\n## Sample events\n\n| Test | Expected | File |\n|---|---|---|\n")
		for _, t := range d.Tests {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", mdText(t.Name), mdText(t.Expect), mdCode(t.Path))
		}
	}
	if len(v.Diags) > 0 {
		b.WriteString("\n## Diagnostics\n\n")
		for _, dg := range v.Diags {
			fmt.Fprintf(&b, "- **%s**", mdText(dg.Severity))
			if dg.Code != "" {
				b.WriteString(" " + mdCode(dg.Code))
			}
			if dg.Pos != "" {
				b.WriteString(" " + dg.Pos)
			}
			b.WriteString(": " + mdText(dg.Message) + "\n")
			if dg.Snippet != "" {
				b.WriteString(indent(fence(dg.Snippet, ""), "  "))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func stageText(stages []rule.Stage, n int) string {
	for _, s := range stages {
		if s.N == n {
			return s.Text
		}
	}
	return ""
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func corpusText(c valueCell) string {
	if c.Count <= 1 {
		return "unique to this rule"
	}
	var parts []string
	for _, l := range c.ByLanguage {
		parts = append(parts, fmt.Sprintf("%s %d", l.Language, l.Count))
	}
	return fmt.Sprintf("corpus %d (%s)", c.Count, strings.Join(parts, ", "))
}

func mdPred(p predView) string {
	var vals []string
	for _, x := range p.Values {
		vals = append(vals, mdCode(x))
	}
	s := mdLink(mdCode(p.Field), p.FieldHref) + " " + p.Kind
	if len(vals) > 0 {
		s += " " + strings.Join(vals, ", ")
	}
	for _, t := range p.Transforms {
		s += " _" + TransformLabel(t) + "_"
	}
	if p.Negated {
		s = "not " + s
	}
	return s
}

// mdText escapes text for markdown: markup characters get a backslash,
// angle brackets become entities, line breaks become spaces.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '|', '#', '!', '{', '}', '(', ')', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode returns s as an inline code span (empty string: nothing).
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "|", `\|`).Replace(s)
	ticks := "`"
	for strings.Contains(s, ticks) {
		ticks += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || len(ticks) > 1 {
		return ticks + " " + s + " " + ticks
	}
	return ticks + s + ticks
}

// mdLink links text to href when href is set.
func mdLink(text, href string) string {
	if href == "" || text == "" {
		return text
	}
	href = strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E").Replace(href)
	return "[" + text + "](" + href + ")"
}

// fence returns text in a fenced code block longer than any fence inside.
func fence(text, lang string) string {
	f := "```"
	for strings.Contains(text, f) {
		f += "`"
	}
	return f + lang + "\n" + strings.TrimRight(text, "\n") + "\n" + f + "\n"
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// mdProse writes prose as markdown, keeping its markdown formatting but
// escaping any HTML, and disarming links that are not http(s) so that the
// rule's text stays text.
func mdProse(s string) string {
	s = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(strings.TrimSpace(s))
	var b strings.Builder
	for {
		i := strings.Index(s, "](")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i+1])
		rest := s[i+2:]
		target := strings.ToLower(strings.TrimSpace(rest))
		if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") || strings.HasPrefix(target, "#") {
			b.WriteString("(")
		} else {
			b.WriteString("\\(")
		}
		s = rest
	}
	return b.String()
}
