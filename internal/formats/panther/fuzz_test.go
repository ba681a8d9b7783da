package panther

import (
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/formats"
)

// FuzzRead checks that the reader never panics on any YAML and that its
// diagnostics have positions inside the YAML file (lines as YAML counts
// them: the body has a lone CR as LF).
func FuzzRead(f *testing.F) {
	f.Add(ruleYML("AWS.CloudTrail"))
	f.Add(dataModelYML)
	f.Add("AnalysisType: correlation_rule\nRuleID: c\nDetection:\n  - Group:\n      - ID: A\n        RuleID: X\n    MatchCriteria:\n      f:\n        - GroupID: A\n          Match: p_alert_context.a\n")
	f.Add("AnalysisType: scheduled_query\nQueryName: q\nQuery: |\n  SELECT * FROM t WHERE a IN ('x', 'y') AND b ILIKE '%z'\n")
	f.Add("AnalysisType: rule\nRuleID: r\nDetection:\n  - Key: action\n    Condition: Equals\n    Value: x\n")
	env := &formats.Env{Attack: attack.Default()}
	f.Fuzz(func(t *testing.T, text string) {
		file := &formats.File{Repo: "r", Root: "/nonexistent-detwiki-fuzz", Path: "rules/a.yml",
			Abs: "/nonexistent-detwiki-fuzz/rules/a.yml", Data: []byte(text)}
		for _, d := range New().Read(file, env) {
			lines := 1 + strings.Count(d.Body, "\n")
			for _, g := range d.Analysis.Diagnostics {
				if g.Line < 1 || g.Col < 1 {
					t.Fatalf("diagnostic without a position: %s", g)
				}
				if (g.Path == "" || g.Path == file.Path) && g.Line > lines+1 {
					t.Fatalf("diagnostic line %d outside the file (%d lines): %s", g.Line, lines, g)
				}
			}
		}
	})
}
