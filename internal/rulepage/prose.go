package rulepage

import (
	"html/template"
	"strings"

	"github.com/detwiki/detwiki/internal/highlight"
)

// Prose renders the prose of a rule (descriptions, notes, investigation
// guides, often markdown) as safe HTML: paragraphs, headings, lists, block
// quotes, fenced code, inline code, bold, and links to http(s) URLs only.
// Every other character is escaped; nothing of the text can become markup.
func Prose(text string) template.HTML {
	text = strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n")
	if text == "" {
		return ""
	}
	var b strings.Builder
	lines := strings.Split(text, "\n")
	var para []string
	flush := func() {
		if len(para) > 0 {
			b.WriteString("<p>")
			inline(&b, strings.Join(para, "\n"))
			b.WriteString("</p>\n")
			para = nil
		}
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trim := strings.TrimSpace(line)
		switch {
		case trim == "":
			flush()
		case strings.HasPrefix(trim, "```") || strings.HasPrefix(trim, "~~~"):
			flush()
			fence := trim[:3]
			var code []string
			for i++; i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), fence); i++ {
				code = append(code, lines[i])
			}
			b.WriteString(`<pre class="prose-code"><code>`)
			highlight.Escape(&b, strings.Join(code, "\n"))
			b.WriteString("</code></pre>\n")
		case headingLevel(trim) > 0:
			flush()
			lvl := headingLevel(trim)
			tag := "h4"
			if lvl > 2 {
				tag = "h5"
			}
			b.WriteString("<" + tag + ">")
			inline(&b, strings.TrimSpace(strings.TrimLeft(trim, "#")))
			b.WriteString("</" + tag + ">\n")
		case listItem(trim) != "":
			flush()
			ordered := trim[0] >= '0' && trim[0] <= '9'
			tag := "ul"
			if ordered {
				tag = "ol"
			}
			b.WriteString("<" + tag + ">\n")
			for ; i < len(lines); i++ {
				t := strings.TrimSpace(lines[i])
				item := listItem(t)
				if item == "" {
					if t != "" && len(lines[i]) > len(strings.TrimLeft(lines[i], " \t")) {
						// An indented continuation line of the item.
						b.WriteString(" ")
						inline(&b, t)
						continue
					}
					i--
					break
				}
				b.WriteString("<li>")
				inline(&b, item)
				b.WriteString("</li>\n")
			}
			b.WriteString("</" + tag + ">\n")
		case strings.HasPrefix(trim, ">"):
			flush()
			var quote []string
			for ; i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), ">"); i++ {
				quote = append(quote, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lines[i]), ">")))
			}
			i--
			b.WriteString("<blockquote>")
			inline(&b, strings.Join(quote, "\n"))
			b.WriteString("</blockquote>\n")
		default:
			para = append(para, trim)
		}
	}
	flush()
	return template.HTML(b.String())
}

func headingLevel(s string) int {
	n := 0
	for n < len(s) && s[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || n >= len(s) || s[n] != ' ' {
		return 0
	}
	return n
}

// listItem returns the text of a list item line ("- x", "* x", "1. x"),
// or "".
func listItem(s string) string {
	if len(s) >= 2 && (s[0] == '-' || s[0] == '*' || s[0] == '+') && s[1] == ' ' {
		return strings.TrimSpace(s[2:])
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i < 4 && i+1 < len(s) && (s[i] == '.' || s[i] == ')') && s[i+1] == ' ' {
		return strings.TrimSpace(s[i+2:])
	}
	return ""
}

// inline renders code spans, bold, links and bare URLs; the rest is
// escaped.
func inline(b *strings.Builder, s string) {
	for len(s) > 0 {
		switch {
		case s[0] == '`':
			if end := strings.IndexByte(s[1:], '`'); end >= 0 {
				b.WriteString("<code>")
				highlight.Escape(b, s[1:1+end])
				b.WriteString("</code>")
				s = s[end+2:]
				continue
			}
		case strings.HasPrefix(s, "**"):
			if end := strings.Index(s[2:], "**"); end > 0 {
				b.WriteString("<strong>")
				inline(b, s[2:2+end])
				b.WriteString("</strong>")
				s = s[end+4:]
				continue
			}
		case s[0] == '[':
			if text, href, n, ok := parseMDLink(s); ok {
				if safe := safeHref(href); safe != "" {
					writeLink(b, safe, text)
				} else {
					highlight.Escape(b, text)
				}
				s = s[n:]
				continue
			}
		case strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://"):
			end := 0
			for end < len(s) && s[end] > ' ' && s[end] != '<' && s[end] != '>' && s[end] != '"' {
				end++
			}
			u := strings.TrimRight(s[:end], ".,;:)]'")
			if safe := safeHref(u); safe != "" {
				writeLink(b, safe, u)
				s = s[len(u):]
				continue
			}
		}
		// Copy up to the next special byte.
		next := 1
		for next < len(s) && !strings.ContainsRune("`*[h", rune(s[next])) {
			next++
		}
		highlight.Escape(b, s[:next])
		s = s[next:]
	}
}

func writeLink(b *strings.Builder, href, text string) {
	b.WriteString(`<a href="`)
	highlight.Escape(b, href)
	b.WriteString(`" rel="noopener noreferrer">`)
	highlight.Escape(b, text)
	b.WriteString("</a>")
}

// parseMDLink parses "[text](href)" at the start of s.
func parseMDLink(s string) (text, href string, n int, ok bool) {
	close := strings.Index(s, "](")
	if close < 1 || strings.ContainsAny(s[1:close], "\n[") {
		return "", "", 0, false
	}
	end := strings.IndexByte(s[close+2:], ')')
	if end < 0 || strings.ContainsAny(s[close+2:close+2+end], " \n") {
		return "", "", 0, false
	}
	return s[1:close], s[close+2 : close+2+end], close + 3 + end, true
}
