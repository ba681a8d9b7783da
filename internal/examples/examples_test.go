package examples_test

import (
	"path/filepath"
	"testing"

	"github.com/detwiki/detwiki/internal/examples"
	"github.com/detwiki/detwiki/internal/formats"
	_ "github.com/detwiki/detwiki/internal/formats/all"
)

// readerOf names the reader each example folder is written for.
var readerOf = map[string]string{
	"example-sentinel":     "sentinel",
	"example-falconfriday": "falconfriday",
	"example-kql":          "kql-file",
	"example-sigma":        "sigma",
	"example-elastic":      "elastic",
	"example-splunk":       "splunk",
	"example-chronicle":    "chronicle",
	"example-panther":      "panther",
	"example-sublime":      "sublime",
	"example-defender":     "defender-markdown",
	"example-elastic-hunt": "elastic-hunt",
	"example-markdown":     "markdown",
}

// TestEveryExampleIsRead checks that each example is read, by the reader it
// is written for, as one rule without errors, for every format whose reader
// has landed.
func TestEveryExampleIsRead(t *testing.T) {
	dirs, err := examples.Extract(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != len(readerOf) {
		t.Fatalf("example folders = %d, want %d", len(dirs), len(readerOf))
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		format, ok := readerOf[name]
		if !ok {
			t.Errorf("unexpected example folder %s", name)
			continue
		}
		if _, ok := formats.Lookup(format); !ok {
			t.Logf("%s: reader %s not registered yet; skipped", name, format)
			continue
		}
		res, err := formats.Read([]string{dir}, formats.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Documents) != 1 {
			t.Errorf("%s: %d rules, want 1", name, len(res.Documents))
			continue
		}
		d := res.Documents[0]
		if d.Format != format {
			t.Errorf("%s: read by %s, want %s", name, d.Format, format)
		}
		for _, diag := range d.Analysis.Diagnostics {
			if diag.IsError() {
				t.Errorf("%s: %s", name, diag)
			}
		}
		if len(d.Attack) == 0 && format != "sublime" {
			t.Errorf("%s: no ATT&CK mapping", name)
		}
		if len(d.Analysis.Indicators) == 0 {
			t.Errorf("%s: no indicator", name)
		}
	}
}

// TestEveryFormatHasAnExample: the examples are one per supported format,
// so every registered reader has one (a new reader needs an example).
func TestEveryFormatHasAnExample(t *testing.T) {
	covered := map[string]bool{}
	for _, format := range readerOf {
		covered[format] = true
	}
	for _, r := range formats.Readers() {
		if !covered[r.Format()] {
			t.Errorf("reader %s (%s) has no example under internal/examples/rules", r.Format(), r.Language())
		}
	}
}
