package markdown

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/formats/formattest"
	"github.com/detwiki/detwiki/internal/formats/kustorule/kustotest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGoldenInputs reads the hand-written inputs of testdata/input.
func TestGoldenInputs(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "input", "*.md"))
	if err != nil || len(inputs) == 0 {
		t.Fatal("no inputs", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".md")
		t.Run(name, func(t *testing.T) {
			f := formattest.LoadFile(t, filepath.Join("testdata", "input"), filepath.Base(in))
			detected := (Reader{}).Detect(f)
			docs := kustotest.Read(t, Reader{}, f)
			if detected != (len(docs) > 0) {
				t.Errorf("Detect = %v but %d documents", detected, len(docs))
			}
			kustotest.Golden(t, name, kustotest.JSON(t, docs), *update)
		})
	}
}

// TestGoldenCorpus reads the corpus files no specific reader takes: the
// FalconFriday collection of FireEye countermeasures (one rule per block)
// and a Defender hunting query without the usual sections.
func TestGoldenCorpus(t *testing.T) {
	for _, g := range []struct{ name, corpus, path string }{
		{"corpus-fireeye-countermeasures", "FalconFriday", "hunts/FireEye_red_team_tool_countermeasures.md"},
		{"corpus-defender-two-blocks", "Microsoft-365-Defender-Hunting-Queries", "TVM/devices_with_vuln_and_users_received_payload.md"},
	} {
		t.Run(g.name, func(t *testing.T) {
			f := formattest.CorpusFile(t, g.corpus, g.path)
			if !(Reader{}).Detect(f) {
				t.Fatal("not detected")
			}
			kustotest.Golden(t, g.name, kustotest.JSON(t, kustotest.Read(t, Reader{}, f)), *update)
		})
	}
}

func TestVariantsAndBlocks(t *testing.T) {
	dir := filepath.Join("testdata", "input")
	docs := kustotest.Read(t, Reader{}, formattest.LoadFile(t, dir, "platform-variants.md"))
	if len(docs) != 1 || len(docs[0].Variants) != 1 || docs[0].Variants[0].Name != "Microsoft Sentinel" || docs[0].Extra["variant"] != "Microsoft Defender XDR" {
		t.Fatalf("platform variants: %d docs", len(docs))
	}
	var ids []string
	for _, a := range docs[0].Attack {
		ids = append(ids, a.TechniqueID)
	}
	if got := strings.Join(ids, ","); got != "T1059.001,T1204.002" {
		t.Errorf("attack %s", got)
	}
	docs = kustotest.Read(t, Reader{}, formattest.LoadFile(t, dir, "several-blocks.md"))
	if len(docs) != 2 || docs[0].Title != "Logons by local administrators" || docs[1].Title != "Downloads with certutil" {
		for _, d := range docs {
			t.Logf("%q", d.Title)
		}
		t.Fatalf("several blocks: %d docs", len(docs))
	}
	docs = kustotest.Read(t, Reader{}, formattest.LoadFile(t, dir, "technique-table.md"))
	if len(docs) != 1 || len(docs[0].Attack) != 2 || docs[0].Attack[1].Tactic != "Privilege Escalation" {
		t.Errorf("table attack %+v", docs[0].Attack)
	}
	if _, err := os.Stat(filepath.Join(dir, "no-kql.md")); err != nil {
		t.Fatal(err)
	}
	if docs := kustotest.Read(t, Reader{}, formattest.LoadFile(t, dir, "no-kql.md")); len(docs) != 0 {
		t.Errorf("markdown without KQL gave %d documents", len(docs))
	}
}
