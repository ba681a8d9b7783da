// Package htmlcheck inspects the HTML that detwiki writes, for tests: it
// lists the elements of a page (a small tag scanner: detwiki's pages escape
// all text, so every '<' starts a tag) and reports markup a rule could have
// injected.
package htmlcheck

import (
	"fmt"
	"html"
	"strings"
)

// Element is one start tag and its attributes (names lower case, values
// unescaped).
type Element struct {
	Name  string
	Attrs map[string]string
	// Offset is the byte offset of the tag in the page.
	Offset int
}

// Elements returns the start tags of doc, in order. Comments, doctypes and
// end tags are skipped; the content of <script> and <style> is not
// scanned.
func Elements(doc string) []Element {
	var out []Element
	i := 0
	for {
		lt := strings.IndexByte(doc[i:], '<')
		if lt < 0 {
			return out
		}
		i += lt
		rest := doc[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			end := strings.Index(rest, "-->")
			if end < 0 {
				return out
			}
			i += end + 3
			continue
		case strings.HasPrefix(rest, "<!"), strings.HasPrefix(rest, "</"):
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				return out
			}
			i += end + 1
			continue
		}
		el, n := parseTag(rest)
		if n == 0 {
			i++
			continue
		}
		el.Offset = i
		out = append(out, el)
		i += n
		if el.Name == "script" || el.Name == "style" {
			end := strings.Index(strings.ToLower(doc[i:]), "</"+el.Name)
			if end < 0 {
				return out
			}
			i += end
		}
	}
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == ':'
}

// parseTag parses "<name attr=value ...>" at the start of s and returns the
// element and the bytes consumed (0 when s does not start a tag).
func parseTag(s string) (Element, int) {
	j := 1
	for j < len(s) && isNameByte(s[j]) {
		j++
	}
	if j == 1 {
		return Element{}, 0
	}
	el := Element{Name: strings.ToLower(s[1:j]), Attrs: map[string]string{}}
	for j < len(s) {
		for j < len(s) && (s[j] == ' ' || s[j] == '\n' || s[j] == '\t' || s[j] == '\r' || s[j] == '/') {
			j++
		}
		if j >= len(s) {
			break
		}
		if s[j] == '>' {
			return el, j + 1
		}
		k := j
		for k < len(s) && s[k] != '=' && s[k] != '>' && s[k] != ' ' && s[k] != '\n' && s[k] != '\t' && s[k] != '/' {
			k++
		}
		name := strings.ToLower(s[j:k])
		val := ""
		j = k
		if j < len(s) && s[j] == '=' {
			j++
			if j < len(s) && (s[j] == '"' || s[j] == '\'') {
				q := s[j]
				end := strings.IndexByte(s[j+1:], q)
				if end < 0 {
					return el, len(s)
				}
				val = s[j+1 : j+1+end]
				j += end + 2
			} else {
				k := j
				for k < len(s) && s[k] != ' ' && s[k] != '>' && s[k] != '\n' && s[k] != '\t' {
					k++
				}
				val = s[j:k]
				j = k
			}
		}
		if name != "" {
			el.Attrs[name] = html.UnescapeString(val)
		}
		if k == j && name == "" {
			j++
		}
	}
	return el, len(s)
}

// Injected returns what in doc looks like markup a rule injected: script
// elements other than those whose src is in allowedScripts, img, iframe,
// object and embed elements, event-handler attributes and javascript:
// URLs.
func Injected(doc string, allowedScripts ...string) []string {
	var problems []string
	for _, el := range Elements(doc) {
		switch el.Name {
		case "script":
			ok := false
			for _, a := range allowedScripts {
				if el.Attrs["src"] != "" && strings.HasSuffix(el.Attrs["src"], a) {
					ok = true
				}
			}
			if !ok {
				problems = append(problems, fmt.Sprintf("<script> at %d (src %q)", el.Offset, el.Attrs["src"]))
			}
		case "img", "iframe", "object", "embed", "svg", "math", "base":
			problems = append(problems, fmt.Sprintf("<%s> at %d", el.Name, el.Offset))
		}
		for k, v := range el.Attrs {
			if strings.HasPrefix(k, "on") {
				problems = append(problems, fmt.Sprintf("%s attribute on <%s> at %d", k, el.Name, el.Offset))
			}
			if (k == "href" || k == "src" || k == "action" || k == "formaction") && strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), "javascript:") {
				problems = append(problems, fmt.Sprintf("javascript: %s on <%s> at %d", k, el.Name, el.Offset))
			}
		}
	}
	return problems
}

// Text returns the text content of the first element with the given name
// (its characters up to the matching end tag, tags stripped, unescaped).
func Text(doc, name string) string {
	for _, el := range Elements(doc) {
		if el.Name != name {
			continue
		}
		start := strings.IndexByte(doc[el.Offset:], '>') + el.Offset + 1
		end := strings.Index(doc[start:], "</"+name)
		if end < 0 {
			return ""
		}
		inner := doc[start : start+end]
		var b strings.Builder
		for {
			lt := strings.IndexByte(inner, '<')
			if lt < 0 {
				b.WriteString(inner)
				break
			}
			b.WriteString(inner[:lt])
			gt := strings.IndexByte(inner[lt:], '>')
			if gt < 0 {
				break
			}
			inner = inner[lt+gt+1:]
		}
		return html.UnescapeString(b.String())
	}
	return ""
}
