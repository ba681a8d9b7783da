package sublime_test

import (
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/formats"
	_ "github.com/detwiki/detwiki/internal/formats/all"
	"github.com/detwiki/detwiki/internal/formats/sublime"
	"github.com/detwiki/detwiki/internal/schema"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

// TestCorpus reads every file of sublime-rules: each becomes a document,
// every MQL source parses, and the only diagnostics are the warnings of
// disabled rules.
func TestCorpus(t *testing.T) {
	root := sharedtest.Corpus(t, "sublime-rules")
	res, err := formats.Read([]string{root}, formats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	docs, parsed, withIndicators, inbound := 0, 0, 0, 0
	for _, d := range res.Documents {
		if d.Format != sublime.Format {
			t.Errorf("%s read by %s", d.Source.Path, d.Format)
			continue
		}
		docs++
		ok := true
		for _, g := range d.Analysis.Diagnostics {
			if strings.HasPrefix(g.Code, "MQL1") {
				ok = false
			}
			if g.Code != sublime.CodeNeverMatches {
				t.Errorf("%s: %s", d.Source.Path, g)
			}
		}
		if ok {
			parsed++
		}
		if len(d.Analysis.Indicators) > 0 {
			withIndicators++
		}
		if len(d.Analysis.Events) == 0 {
			t.Errorf("%s: no events", d.Source.Path)
		}
		if strings.Join(d.Analysis.Tables, ",") != sublime.Table {
			t.Errorf("%s: tables %v, want [%s]", d.Source.Path, d.Analysis.Tables, sublime.Table)
		}
		// type.inbound counts under ECS email.direction = inbound, as
		// Defender's EmailDirection == "Inbound" does.
		for _, ind := range d.Analysis.Indicators {
			for _, v := range ind.Values {
				if k, ok := schema.CountKey(d.Language, ind, v); ok && k == "email.direction|eq|inbound" {
					inbound++
				}
			}
		}
	}
	t.Logf("%d rules test that the message is inbound (email.direction eq inbound)", inbound)
	if inbound < 1100 {
		t.Errorf("%d rules count under email.direction eq inbound, want at least 1,100", inbound)
	}
	t.Logf("%d files, %d documents, %d MQL sources parse without error (%.2f%%), %d with indicators, skipped %v",
		res.Files, docs, parsed, 100*float64(parsed)/float64(max(docs, 1)), withIndicators, res.Skipped)
	if docs < 1200 || float64(parsed) < 0.99*float64(docs) || float64(withIndicators) < 0.99*float64(docs) {
		t.Errorf("documents %d, parsed %d, with indicators %d", docs, parsed, withIndicators)
	}
	for _, p := range res.Skipped {
		if strings.HasSuffix(p, ".yml") {
			t.Errorf("rule file skipped: %s", p)
		}
	}
}
