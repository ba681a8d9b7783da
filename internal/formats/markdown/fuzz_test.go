package markdown

import (
	"encoding/json"
	"testing"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/defendermd"
	"github.com/detwiki/detwiki/internal/formats/falconfriday"
	"github.com/detwiki/detwiki/internal/formats/formattest"
	"github.com/detwiki/detwiki/internal/formats/kustorule"
)

// FuzzMarkdownReaders feeds arbitrary text to the three markdown readers
// (generic, FalconFriday, Defender): none may panic, every query must sit
// where its origin says, and documents must encode as JSON. Seeds:
// testdata/fuzz/FuzzMarkdownReaders and the cases below.
func FuzzMarkdownReaders(f *testing.F) {
	for _, s := range []string{
		"# T\n\n```kql\nT\n| where a == 1\n```\n",
		"# T\n## A Defender\n```\nT | take 1\n```\n## B Sentinel\n```\nS | take 1\n```\n",
		"# T\n\n## Metadata\n**ID:** 0xFF-0001-x\n**OS:** WindowsEndpoint\n\n## ATT&CK Tags\n| Tactic | Technique | Subtechnique | Technique Name |\n|---|---|---|---|\n| TA0005 - Defense Evasion | T1218 | 014 | x |\n\n## Detection\n**Query:**\n```C#\nDeviceEvents\n| take 1\n```\n## Version History\n| Version | Date | Impact | Notes |\n|---|---|---|---|\n| 1.0 | 2024-06-27 | major | x |\n",
		"# H\n## Hunt Tags\n**ID:** T1021.003\n**Last Modified:** 23/10/2020\n## Hunt details\nRule 1:\n```C#\nA\n| take 1\n\n// two\nB\n| take 1\n```\n",
		"This detection has been replaced by [x](y.md)",
		"# Q\n## Query\n```\nEmailEvents\n| take 1\n```\n## Category\n| Technique, tactic, or state | Covered? (v=yes) | Notes |\n|---|---|---|\n| Execution | v | |\n| Ransomware | v | |\n## Contributor info\n**Contributor:** < A >\n",
		"# Q\n## Query\n\nEmailEvents\n| where x\n\n## Category\n",
		"```\n\u200bT\n| x\n",
		"    ```kql\n    T\n  | take 1\n    ```\n",
	} {
		f.Add([]byte(s))
	}
	readers := []formats.Reader{New(), falconfriday.New(), defendermd.New()}
	env := formattest.Env()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		for _, r := range readers {
			file := &formats.File{Repo: "fuzz", Root: "/fuzz", Path: "hunts/fuzz.md", Data: data}
			_ = r.Detect(file)
			for _, d := range r.Read(file, env) {
				if m := kustorule.OriginMismatch(d); m != "" {
					t.Fatalf("%s: query origin: %s", r.Format(), m)
				}
				d.Normalize()
				if _, err := json.Marshal(d); err != nil {
					t.Fatalf("%s: document does not encode: %v", r.Format(), err)
				}
			}
		}
	})
}
