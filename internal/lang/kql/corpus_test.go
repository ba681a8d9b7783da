package kql

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
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

// knownDifferences lists the corpus queries on which our verdict differs
// from Microsoft's parser, each explained in docs/lang-kql.md.
var knownDifferences = map[string]string{}

// TestCorpusDifferential compares our ok/error verdict with Microsoft's
// parser's on every corpus query (verdicts recorded by
// ../shared/tools/kql-oracle). Agreement must be at least 99.5% and every
// disagreement must be a documented known difference.
func TestCorpusDifferential(t *testing.T) {
	vs := loadVerdicts(t)
	if len(vs) < 2500 {
		t.Fatalf("only %d verdicts", len(vs))
	}
	agree, oracleErrors := 0, 0
	for _, v := range vs {
		_, errs := Parse(v.Query)
		ok := len(errs) == 0
		if !v.OK {
			oracleErrors++
		}
		if ok == v.OK {
			agree++
			if _, listed := knownDifferences[v.ID]; listed {
				t.Errorf("%s: listed as a known difference but now agrees; remove it", v.ID)
			}
			continue
		}
		if _, listed := knownDifferences[v.ID]; listed {
			continue
		}
		first := "no error"
		if len(errs) > 0 {
			first = errs[0].Msg
		}
		t.Errorf("%s: oracle ok=%v, ours ok=%v (%s)", v.ID, v.OK, ok, first)
	}
	rate := float64(agree) / float64(len(vs))
	t.Logf("verdict agreement: %d/%d = %.2f%% (%d queries the oracle rejects)", agree, len(vs), 100*rate, oracleErrors)
	if rate < 0.995 {
		t.Errorf("agreement %.2f%% is below 99.5%%", 100*rate)
	}
}

// TestCorpusFirstError checks that on the queries both parsers reject, our
// first error names the same message as the oracle's at the same place.
func TestCorpusFirstError(t *testing.T) {
	vs := loadVerdicts(t)
	same, total := 0, 0
	for _, v := range vs {
		if v.OK || len(v.Diagnostics) == 0 {
			continue
		}
		_, errs := Parse(v.Query)
		if len(errs) == 0 {
			continue
		}
		total++
		d := v.Diagnostics[0]
		e := errs[0]
		if e.Msg == d.Message && utf16Offset(v.Query, int(e.Pos)) == d.Start {
			same++
		} else {
			t.Logf("%s: oracle %q at %d, ours %q at %d", v.ID, d.Message, d.Start, e.Msg, utf16Offset(v.Query, int(e.Pos)))
		}
	}
	t.Logf("first error identical (message and offset) on %d/%d rejected queries", same, total)
	if total > 0 && same*10 < total*9 {
		t.Errorf("first errors agree on only %d/%d", same, total)
	}
}

// utf16Offset converts a byte offset into the UTF-16 code unit offset the
// oracle (JavaScript) reports.
func utf16Offset(s string, off int) int {
	n := 0
	for i, r := range s {
		if i >= off {
			break
		}
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// stmtDump is the position-free dump of a script's statements.
func stmtDump(s *Script) string {
	var b strings.Builder
	for _, d := range s.Directives {
		b.WriteString(d.Text)
		b.WriteByte('\n')
	}
	for _, st := range s.Statements {
		b.WriteString(Dump(st))
	}
	return b.String()
}

// TestCorpusRoundTrip prints every corpus query the parser accepts and
// parses the output again: the trees must be identical.
func TestCorpusRoundTrip(t *testing.T) {
	vs := loadVerdicts(t)
	n, failed := 0, 0
	for _, v := range vs {
		s, errs := Parse(v.Query)
		if len(errs) > 0 {
			continue
		}
		n++
		out := Print(s)
		s2, errs2 := Parse(out)
		if len(errs2) > 0 {
			failed++
			if failed <= 10 {
				t.Errorf("%s: printed query does not parse: %v\n%s", v.ID, errs2[0], out)
			}
			continue
		}
		if a, b := stmtDump(s), stmtDump(s2); a != b {
			failed++
			if failed <= 10 {
				t.Errorf("%s: round trip changed the tree\n--- printed:\n%s\n--- diff:\n%s", v.ID, out, firstDiff(a, b))
			}
		}
	}
	t.Logf("round trip: %d/%d queries identical", n-failed, n)
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			lo := max(0, i-5)
			return strings.Join(la[lo:min(len(la), i+3)], "\n") + "\n+++\n" + strings.Join(lb[lo:min(len(lb), i+3)], "\n")
		}
	}
	return "(lengths differ)"
}
