package kustorule

import (
	"fmt"
	"strings"

	"github.com/detwiki/detwiki/internal/analysis/kusto"
	"github.com/detwiki/detwiki/internal/lang/kql"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// maxQueryErrors bounds the syntax errors reported for one query: after
// that many the query is not KQL in any useful sense.
const maxQueryErrors = 20

// ParseQuery parses d.Query with the KQL front end, records each syntax
// error as a diagnostic at its position in the file (through d.QueryOrigin),
// then fills the analysis block from the syntax tree (package
// internal/analysis/kusto; a query with errors is analysed as far as its
// partial tree goes).
func ParseQuery(d *rule.Document) {
	if strings.TrimSpace(d.Query) == "" {
		return
	}
	script, errs := kql.Parse(d.Query)
	defer kusto.Analyze(d, script)
	if len(errs) == 0 {
		return
	}
	lt := source.NewLineTable("", d.Query)
	for i, e := range errs {
		if i == maxQueryErrors {
			last := errs[len(errs)-1].Diagnostic(lt).Relocate(d.Source.Path, d.QueryOrigin)
			last.Message = fmt.Sprintf("%d more syntax errors", len(errs)-maxQueryErrors)
			last.EndLine, last.EndCol = 0, 0
			d.Diagnose(last)
			break
		}
		d.Diagnose(e.Diagnostic(lt).Relocate(d.Source.Path, d.QueryOrigin))
	}
}

// Parseable reports whether a code block's text is a KQL query: it looks
// like one (LooksLikeKQL: a query statement and pipes, or a statement
// keyword) or the KQL parser accepts it without error. A KQL query with a
// syntax error is still a query (its errors are reported); text in another
// language neither looks like KQL nor parses.
func Parseable(text string) bool {
	if LooksLikeKQL(text) {
		return true
	}
	return ParsesCleanly(text)
}

// ParsesCleanly reports whether the KQL parser accepts text without error.
func ParsesCleanly(text string) bool {
	if strings.TrimSpace(text) == "" {
		return false
	}
	s, errs := kql.Parse(text)
	return len(errs) == 0 && len(s.Statements) > 0
}
