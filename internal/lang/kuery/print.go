package kuery

import (
	"fmt"
	"strings"
)

// Print returns canonical kuery text for n: lower-case keywords, one space
// around operators and after colons, literals re-escaped. Printing a parsed
// query and parsing the result gives the same tree.
func Print(n Node) string {
	var b strings.Builder
	printNode(&b, n)
	return b.String()
}

func printNode(b *strings.Builder, n Node) {
	switch n := n.(type) {
	case nil:
	case *BinaryExpr:
		printNode(b, n.X)
		b.WriteString(" " + n.Op.String() + " ")
		printNode(b, n.Y)
	case *NotExpr:
		b.WriteString("not ")
		printNode(b, n.X)
	case *ParenExpr:
		b.WriteString("(")
		printNode(b, n.X)
		b.WriteString(")")
	case *NestedExpr:
		printNode(b, n.Field)
		b.WriteString(": { ")
		printNode(b, n.X)
		b.WriteString(" }")
	case *RangeExpr:
		printNode(b, n.Field)
		b.WriteString(" " + n.Op + " ")
		printNode(b, n.Value)
	case *MatchExpr:
		if n.Field != nil {
			printNode(b, n.Field)
			b.WriteString(": ")
		}
		printNode(b, n.Value)
	case *ValueBinary:
		printNode(b, n.X)
		b.WriteString(" " + n.Op.String() + " ")
		printNode(b, n.Y)
	case *ValueNot:
		b.WriteString("not ")
		printNode(b, n.X)
	case *ValueParen:
		b.WriteString("(")
		printNode(b, n.X)
		b.WriteString(")")
	case *Literal:
		if n.Quoted || n.Value == "" {
			b.WriteString(Quote(n.Value))
		} else {
			b.WriteString(escapeUnquoted(n.Value, n.Wildcard))
		}
	case *BadExpr:
		b.WriteString("<bad>")
	}
}

// Quote returns s as a kuery quoted string.
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// escapeUnquoted writes an unquoted value back: special characters are
// escaped (* too, unless the value is a wildcard pattern), and so are words
// that would read as keywords.
func escapeUnquoted(s string, wildcard bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '*' && wildcard:
			b.WriteByte('*')
		case isSpecial(c):
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\n':
			b.WriteString(`\n`)
		default:
			if kw := keywordInValue(s, i); kw > 0 {
				if strings.EqualFold(s[i:i+kw], "not") {
					// \not would read as \n (a newline) + "ot": write the
					// n as a unicode escape instead.
					fmt.Fprintf(&b, `\u%04x`, s[i])
					b.WriteString(s[i+1 : i+kw])
				} else {
					b.WriteByte('\\')
					b.WriteString(s[i : i+kw])
				}
				i += kw - 1
				continue
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// keywordInValue returns the length of a keyword at s[i] that would end an
// unquoted value once printed (`or`/`and` after a space, `not` anywhere,
// when a space or the end of the value follows: the printer may put a
// space after the value), or 0.
func keywordInValue(s string, i int) int {
	prevSpace := i > 0 && isSpaceByte(s[i-1])
	for _, w := range [...]string{"or", "and", "not"} {
		if i+len(w) > len(s) || !strings.EqualFold(s[i:i+len(w)], w) {
			continue
		}
		nextSpace := i+len(w) == len(s) || isSpaceByte(s[i+len(w)])
		if w == "not" && nextSpace || prevSpace && nextSpace {
			return len(w)
		}
	}
	return 0
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xA0 }
