package kqlfile

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/formattest"
	"github.com/detwiki/detwiki/internal/formats/kustorule/kustotest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestGolden(t *testing.T) {
	inputs, _ := filepath.Glob(filepath.Join("testdata", "input", "*"))
	if len(inputs) < 5 {
		t.Fatalf("inputs: %v", inputs)
	}
	for _, in := range inputs {
		name := filepath.Base(in)
		t.Run(name, func(t *testing.T) {
			f := formattest.LoadFile(t, filepath.Join("testdata", "input"), name)
			if !(Reader{}).Detect(f) {
				t.Fatal("not detected")
			}
			kustotest.Golden(t, strings.ReplaceAll(name, ".", "_"), kustotest.JSON(t, kustotest.Read(t, Reader{}, f)), *update)
		})
	}
}

func TestHeaderFields(t *testing.T) {
	dir := filepath.Join("testdata", "input")
	d := kustotest.Read(t, Reader{}, formattest.LoadFile(t, dir, "single.kql"))[0]
	if d.Title != "Process creation by a renamed PsExec service" || d.Description != "Finds PSEXESVC-style services started from an unusual path." ||
		d.Author != "Detection Team" || strings.Join(d.DataSources, ",") != "Windows Security Event (SecurityEvent)" ||
		strings.Join(d.Tags, ",") != "lateralmovement,psexec" || len(d.References) != 1 || len(d.Attack) != 1 || d.Attack[0].TechniqueID != "T1569.002" {
		t.Errorf("single.kql: %q %q %q %v %v %v %v", d.Title, d.Description, d.Author, d.DataSources, d.Tags, d.References, d.Attack)
	}
	if !strings.HasPrefix(d.Query, "SecurityEvent\n") || d.QueryOrigin.Line != 8 {
		t.Errorf("query %.20q at %+v", d.Query, d.QueryOrigin)
	}
	docs := kustotest.Read(t, Reader{}, formattest.LoadFile(t, dir, "multi.kql"))
	if len(docs) != 2 || docs[0].Title != "Failed and successful sign-ins" || docs[1].Title != "multi: Successes from new countries" || docs[1].QueryOrigin.Line != 8 {
		for _, d := range docs {
			t.Logf("%s %q %+v", d.ID, d.Title, d.QueryOrigin)
		}
		t.Errorf("multi.kql: %d docs", len(docs))
	}
	docs = kustotest.Read(t, Reader{}, formattest.LoadFile(t, dir, "lets-with-blank-lines.csl"))
	if len(docs) != 1 || len(docs[0].Analysis.Diagnostics) != 0 || !strings.HasSuffix(docs[0].Query, "| where Connections > threshold") {
		t.Errorf("lets: %d docs %v", len(docs), docs[0].Analysis.Diagnostics)
	}
	d = kustotest.Read(t, Reader{}, formattest.LoadFile(t, dir, "syntax-error.kql"))[0]
	if len(d.Analysis.Diagnostics) == 0 || d.Analysis.Diagnostics[0].Code != "KQL1001" || d.Analysis.Diagnostics[0].Line != 4 {
		t.Errorf("syntax error: %v", d.Analysis.Diagnostics)
	}
}

func TestDetect(t *testing.T) {
	for path, want := range map[string]bool{"a.kql": true, "b.CSL": true, "c.txt": false, "d.md": false} {
		if got := (Reader{}).Detect(&formats.File{Path: path, Data: []byte("T | take 1")}); got != want {
			t.Errorf("Detect(%s) = %v", path, got)
		}
	}
}
