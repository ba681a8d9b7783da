package kustorule

import (
	"fmt"
	"strings"

	"github.com/detwiki/detwiki/internal/rule"
)

// OriginMismatch checks that d.QueryOrigin places every line of d.Query on
// the same text in d.Body, the invariant that makes relocated diagnostics
// point at the right place. It returns "" when it holds, else what differs.
// Tests of every Kusto reader run it over the whole corpus.
func OriginMismatch(d *rule.Document) string {
	if d.Query == "" || d.QueryOrigin.Line == 0 {
		return ""
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
		got := strings.TrimRight(bl[col-1:], " \t")
		if want := strings.TrimRight(ql, " \t"); got != want {
			return fmt.Sprintf("query line %d %q maps to %d:%d %q", k+1, want, line, col, got)
		}
	}
	return ""
}
