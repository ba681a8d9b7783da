package rulepage

import (
	"html/template"
	"strings"
)

// Prose renders the prose of a rule (descriptions, notes, investigation
// guides, often markdown) as safe HTML: paragraphs, headings, lists, block
// quotes, fenced code, inline code, bold, and links to http(s) URLs only.
// Every other character is escaped; nothing of the text can become markup.
func Prose(text string) template.HTML {
	var b Builder
	writeProse(&b, text)
	return template.HTML(b.buf)
}

// writeProse writes text as Prose renders it.
func writeProse(b *Builder, text string) {
	text = strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n")
	if text == "" {
		return
	}
	lines := strings.Split(text, "\n")
	var para []string
	flush := func() {
		if len(para) > 0 {
			b.raw("<p>")
			inline(b, strings.Join(para, "\n"))
			b.raw("</p>\n")
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
			b.raw(`<pre class="prose-code"><code>`)
			b.esc(strings.Join(code, "\n"))
			b.raw("</code></pre>\n")
		case headingLevel(trim) > 0:
			flush()
			lvl := headingLevel(trim)
			tag := "h4"
			if lvl > 2 {
				tag = "h5"
			}
			b.raw("<" + tag + ">")
			inline(b, strings.TrimSpace(strings.TrimLeft(trim, "#")))
			b.raw("</" + tag + ">\n")
		case listItem(trim) != "":
			flush()
			ordered := trim[0] >= '0' && trim[0] <= '9'
			tag := "ul"
			if ordered {
				tag = "ol"
			}
			b.raw("<" + tag + ">\n")
			for ; i < len(lines); i++ {
				t := strings.TrimSpace(lines[i])
				item := listItem(t)
				if item == "" {
					if t != "" && len(lines[i]) > len(strings.TrimLeft(lines[i], " \t")) {
						// An indented continuation line of the item.
						b.raw(" ")
						inline(b, t)
						continue
					}
					i--
					break
				}
				b.raw("<li>")
				inline(b, item)
				b.raw("</li>\n")
			}
			b.raw("</" + tag + ">\n")
		case strings.HasPrefix(trim, ">"):
			flush()
			var quote []string
			for ; i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), ">"); i++ {
				quote = append(quote, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lines[i]), ">")))
			}
			i--
			b.raw("<blockquote>")
			inline(b, strings.Join(quote, "\n"))
			b.raw("</blockquote>\n")
		default:
			para = append(para, trim)
		}
	}
	flush()
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
func inline(b *Builder, s string) {
	for len(s) > 0 {
		switch {
		case s[0] == '`':
			if end := strings.IndexByte(s[1:], '`'); end >= 0 {
				b.raw("<code>")
				b.esc(s[1 : 1+end])
				b.raw("</code>")
				s = s[end+2:]
				continue
			}
		case strings.HasPrefix(s, "**"):
			if end := strings.Index(s[2:], "**"); end > 0 {
				b.raw("<strong>")
				inline(b, s[2:2+end])
				b.raw("</strong>")
				s = s[end+4:]
				continue
			}
		case s[0] == '[':
			if text, href, n, ok := parseMDLink(s); ok {
				if safe := safeHref(href); safe != "" {
					writeLink(b, safe, text)
				} else {
					b.esc(text)
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
		b.esc(s[:next])
		s = s[next:]
	}
}

func writeLink(b *Builder, href, text string) {
	b.raw(`<a href="`)
	b.esc(href)
	b.raw(`" rel="noopener noreferrer">`)
	b.esc(text)
	b.raw("</a>")
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
