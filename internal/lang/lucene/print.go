package lucene

import "strings"

// Print returns canonical Lucene text for n: one space between clauses,
// operators as written, terms re-escaped. Printing a parsed query and
// parsing the result gives the same tree.
func Print(n Node) string {
	var b strings.Builder
	printNode(&b, n)
	return b.String()
}

func printNode(b *strings.Builder, n Node) {
	switch n := n.(type) {
	case *Query:
		for i, c := range n.Clauses {
			if i > 0 {
				b.WriteByte(' ')
			}
			printNode(b, c)
		}
	case *Clause:
		if n.ConjText != "" {
			b.WriteString(n.ConjText + " ")
		}
		if n.ModText != "" {
			b.WriteString(n.ModText)
			if n.ModText == "NOT" {
				b.WriteByte(' ')
			}
		}
		if n.Field != "" {
			b.WriteString(escapeTerm(n.Field, false) + ":")
		}
		printNode(b, n.Sub)
		if n.Boost != "" {
			b.WriteString("^" + n.Boost)
		}
	case *Term:
		b.WriteString(escapeTerm(n.Value, true))
		b.WriteString(n.Fuzzy)
	case *Phrase:
		b.WriteString(quotePhrase(n.Value))
		if n.Slop != "" {
			b.WriteString("~" + n.Slop)
		}
	case *Regexp:
		b.WriteString("/" + strings.ReplaceAll(n.Value, "/", `\/`) + "/")
	case *Range:
		if n.Op != "" {
			b.WriteString(n.Op)
			if n.Op[0] == '>' {
				b.WriteString(rangeBound(n.Lower))
			} else {
				b.WriteString(rangeBound(n.Upper))
			}
			return
		}
		if n.IncludeLower {
			b.WriteByte('[')
		} else {
			b.WriteByte('{')
		}
		b.WriteString(rangeBound(n.Lower) + " TO " + rangeBound(n.Upper))
		if n.IncludeUpper {
			b.WriteByte(']')
		} else {
			b.WriteByte('}')
		}
	case *Group:
		b.WriteByte('(')
		printNode(b, n.Query)
		b.WriteByte(')')
	case *Bad:
		b.WriteString("<bad>")
	}
}

func rangeBound(s string) string {
	if s == "*" {
		return s
	}
	if s == "" || strings.ContainsAny(s, " \t\r\n[]{}\"") || s == "TO" {
		return quotePhrase(s)
	}
	return escapeTerm(s, false)
}

func quotePhrase(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// escapeTerm escapes the characters that would end or change a term;
// wildcards stay unescaped when wild is set.
func escapeTerm(s string, wild bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if termStop(c) || c == '\\' || (c == '*' || c == '?') && !wild ||
			i == 0 && (c == '+' || c == '-' || c == '<' || c == '>' || c == '|' || c == '&') {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	out := b.String()
	switch out {
	case "AND", "OR", "NOT", "&&", "||":
		return `\` + out
	}
	return out
}
