package kustorule

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// quotedEnd reports whether what follows a query line on its file line is
// only the closing quote of a YAML string or a YAML comment.
func quotedEnd(rest string) bool {
	t := strings.TrimSpace(rest)
	return t == "'" || t == `"` || strings.HasPrefix(t, "#") && len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t')
}

// OriginMismatch checks that d.QueryOrigin places every line of d.Query on
// the same text in d.Body, the invariant that makes relocated diagnostics
// point at the right place (the last line may be followed by the closing
// quote of a YAML string). Documents whose reader declares approximate
// positions (an info READ1108) are not checked. It returns "" when it
// holds, else what differs.
// Tests of every Kusto reader run it over the whole corpus.
func OriginMismatch(d *rule.Document) string {
	if d.Query == "" || d.QueryOrigin.Line == 0 {
		return ""
	}
	for _, x := range d.Analysis.Diagnostics {
		if x.Code == CodeFoldedQuery && x.Severity == source.Info {
			return "" // the reader says positions are approximate
		}
	}
	body := SplitLines(d.Body)
	for k, ql := range SplitLines(d.Query) {
		if strings.TrimSpace(ql) == "" {
			continue // blank lines (and the final line break) map anywhere
		}
		line, col := d.QueryOrigin.Map(k+1, 1)
		if line > len(body) {
			return fmt.Sprintf("query line %d maps to line %d, past the end of the file", k+1, line)
		}
		bl := body[line-1]
		if col-1 > len(bl) {
			return fmt.Sprintf("query line %d maps to %d:%d, past the end of that line", k+1, line, col)
		}
		got := strings.TrimRightFunc(bl[col-1:], unicode.IsSpace)
		if want := strings.TrimRightFunc(ql, unicode.IsSpace); !(got == want || strings.HasPrefix(got, want) && quotedEnd(got[len(want):])) {
			return fmt.Sprintf("query line %d %q maps to %d:%d %q", k+1, want, line, col, got)
		}
	}
	return ""
}
