package kql

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"

	"github.com/detwiki/detwiki/internal/sharedtest"
)

// verdict is one line of the oracle's corpus verdicts: Microsoft's parser's
// ok/error verdict on one corpus query.
type verdict struct {
	ID          string `json:"id"`
	Path        string `json:"path"`
	Query       string `json:"query"`
	OK          bool   `json:"ok"`
	Diagnostics []struct {
		Start   int    `json:"start"`
		End     int    `json:"end"`
		Message string `json:"message"`
	} `json:"diagnostics"`
}

func loadVerdicts(tb testing.TB) []verdict {
	tb.Helper()
	path := sharedtest.Path(tb, "tools", "kql-oracle", "corpus-verdicts.jsonl")
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []verdict
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var v verdict
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			tb.Fatal(err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}
