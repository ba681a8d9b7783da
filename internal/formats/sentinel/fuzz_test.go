package sentinel

import (
	"encoding/json"
	"testing"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/formattest"
	"github.com/detwiki/detwiki/internal/formats/kustorule"
)

// FuzzRead feeds arbitrary bytes to the YAML reader: it must never panic,
// always place its query inside the file, and give documents that encode
// as JSON. Seeds: testdata/fuzz/FuzzRead and the cases below.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"id: x\nname: A\nquery: |\n  T\n  | where a == 1\n",
		"  name: A\n  query: |2-\n   \n  T\n",
		"name: A\nquery:\n  let a = 1;\n  T // c\n  | x\nb: 1\n",
		"name: A\nquery: 'T | take 1'\n",
		"name: A\nquery: \"T\n  | take 1\"\n",
		"name: A\ntags:\n  - ParentAlert: https://x\n    version: 1.0.0\n  - Schema: ASimDns\n",
		"a: &a [x, x]\nb: &b [*a, *a]\nquery: *b\n",
		"query: |\n" + "  T\n" + "entityMappings:\n  - entityType: Host\n    fieldMappings:\n      - identifier: FullName\n        columnName: Computer\n",
		"name: A\nquery: |\nT\n| where x\nseverity: High\n",
		"\xef\xbb\xbfname: A\nquery: T\n",
		"name: [[[[\n",
	} {
		f.Add([]byte(s))
	}
	env := formattest.Env()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		file := &formats.File{Repo: "fuzz", Root: "/fuzz", Path: "Detections/fuzz.yaml", Data: data}
		_ = (Reader{}).Detect(file)
		for _, d := range (Reader{}).Read(file, env) {
			if m := kustorule.OriginMismatch(d); m != "" {
				t.Fatalf("query origin: %s", m)
			}
			d.Normalize()
			if _, err := json.Marshal(d); err != nil {
				t.Fatalf("document does not encode: %v", err)
			}
		}
	})
}
