// Package kustotest holds what the tests of the Kusto readers share: reading
// a file as a run would, golden JSON comparison, and the invariants every
// document must keep.
package kustotest

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/formattest"
	"github.com/detwiki/detwiki/internal/formats/kustorule"
	"github.com/detwiki/detwiki/internal/golden"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// Read runs r over f as a run does (ReadFile: defaults filled, panics
// reported) and checks the invariants of every document.
func Read(tb testing.TB, r formats.Reader, f *formats.File) []*rule.Document {
	tb.Helper()
	docs := formats.ReadFile(r, f, formattest.Env())
	for _, d := range docs {
		Check(tb, d, string(f.Data))
	}
	return docs
}

// Check asserts what every Kusto document must hold: the fixed fields, a
// title, no reader panic, diagnostics that name the file and a line, and a
// query origin that maps the query onto the body.
func Check(tb testing.TB, d *rule.Document, file string) {
	tb.Helper()
	if d.Language != rule.LangKusto || d.QueryLanguage != kustorule.QueryLanguage || d.Format == "" || !strings.HasPrefix(d.ID, "kusto/") {
		tb.Errorf("%s: language/query_language/format/id = %q/%q/%q/%q", d.Source.Path, d.Language, d.QueryLanguage, d.Format, d.ID)
	}
	if strings.TrimSpace(d.Title) == "" {
		tb.Errorf("%s: no title", d.Source.Path)
	}
	for _, x := range d.Analysis.Diagnostics {
		if x.Code == "READ0002" {
			tb.Errorf("%s: reader panicked: %s", d.Source.Path, x.Message)
		}
		if x.Path != d.Source.Path {
			tb.Errorf("%s: diagnostic names %q: %s", d.Source.Path, x.Path, x)
		}
		if x.Line == 0 {
			tb.Errorf("%s: diagnostic without a line: %s", d.Source.Path, x)
		}
	}
	if m := kustorule.OriginMismatch(d); m != "" {
		tb.Errorf("%s: query origin: %s", d.Source.Path, m)
	}
	if d.Query == "" && !d.Deprecated && !source.Diagnostics(d.Analysis.Diagnostics).HasErrors() {
		tb.Errorf("%s: no query, not a stub and no error", d.Source.Path)
	}
}

// JSON renders documents the way goldens hold them: indented, HTML left
// alone, and each body replaced by its length (bodies are the source files,
// which stay in ../shared; QueryOrigin is checked against them instead).
func JSON(tb testing.TB, docs []*rule.Document) []byte {
	tb.Helper()
	type golden struct {
		*rule.Document
		Body string `json:"body"`
	}
	out := make([]golden, len(docs))
	for i, d := range docs {
		out[i] = golden{Document: d, Body: bodyNote(d.Body)}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func bodyNote(body string) string {
	return "(" + strconv.Itoa(len(body)) + " bytes: the source file)"
}

// Golden compares got with testdata/golden/<name>.json, or rewrites that
// file when update is set.
func Golden(tb testing.TB, name string, got []byte, update bool) {
	tb.Helper()
	golden.Check(tb, filepath.Join("testdata", "golden", name+".json"), got, update)
}
