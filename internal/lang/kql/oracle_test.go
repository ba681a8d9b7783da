package kql

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/sharedtest"
)

// oracleResult is one line of oracle.js output.
type oracleResult struct {
	ID          int  `json:"id"`
	OK          bool `json:"ok"`
	Diagnostics []struct {
		Start   int    `json:"start"`
		End     int    `json:"end"`
		Message string `json:"message"`
	} `json:"diagnostics"`
}

// runOracle runs Microsoft's parser (../shared/tools/kql-oracle/oracle.js
// under node) over the queries. It skips the test when node or the oracle's
// node_modules are absent, except under CI where it fails.
func runOracle(t *testing.T, queries []string) []oracleResult {
	t.Helper()
	script := sharedtest.Path(t, "tools", "kql-oracle", "oracle.js")
	unavailable := func(msg string) {
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		unavailable("node is not installed")
	}
	modules := os.Getenv("KQL_ORACLE_NODE_MODULES")
	if modules == "" {
		modules = filepath.Join(filepath.Dir(script), "node_modules")
	}
	if _, err := os.Stat(filepath.Join(modules, "@kusto", "language-service-next")); err != nil {
		unavailable("the KQL oracle's node_modules are not installed (set KQL_ORACLE_NODE_MODULES; see oracle.js)")
	}
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for i, q := range queries {
		if err := enc.Encode(map[string]any{"id": i, "query": q}); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(node, script)
	cmd.Env = append(os.Environ(), "KQL_ORACLE_NODE_MODULES="+modules)
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle: %v\n%s", err, stderr.String())
	}
	res := make([]oracleResult, len(queries))
	seen := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var r oracleResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("oracle output: %v", err)
		}
		if r.ID >= 0 && r.ID < len(res) {
			res[r.ID] = r
			seen++
		}
	}
	if seen != len(queries) {
		t.Fatalf("oracle answered %d of %d queries", seen, len(queries))
	}
	return res
}

// oracleCases reads testdata/oracle_cases.kql: queries separated by lines
// of four equal signs.
func oracleCases(t *testing.T) []string {
	data, err := os.ReadFile(filepath.Join("testdata", "oracle_cases.kql"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, c := range strings.Split(string(data), "\n====\n") {
		if i == 0 {
			// drop the header comment lines
			var keep []string
			for _, l := range strings.Split(c, "\n") {
				if !strings.HasPrefix(l, "// ") {
					keep = append(keep, l)
				}
			}
			c = strings.Join(keep, "\n")
		}
		out = append(out, strings.TrimSuffix(c, "\n"))
	}
	return out
}

// mutations derives broken and unusual variants of real queries: each query
// cut short at a token boundary, with one token removed and with one token
// doubled. The choice is deterministic.
func mutations(queries []string, perQuery int) []string {
	var out []string
	seed := uint32(2463534242)
	rnd := func(n int) int {
		seed ^= seed << 13
		seed ^= seed >> 17
		seed ^= seed << 5
		return int(seed % uint32(n))
	}
	var s Scanner
	for _, q := range queries {
		s.Init(q)
		toks := s.scanAll(nil)
		if len(toks) < 3 {
			continue
		}
		for i := 0; i < perQuery; i++ {
			k := rnd(len(toks) - 1)
			t := toks[k]
			switch i % 3 {
			case 0:
				out = append(out, q[:t.end])
			case 1:
				out = append(out, q[:t.pos]+q[t.end:])
			case 2:
				out = append(out, q[:t.end]+" "+q[t.pos:])
			}
		}
	}
	return out
}

// liveDifferences are the edge cases on which we knowingly differ from
// Microsoft's parser; docs/lang-kql.md explains each.
var liveDifferences = map[string]string{}

// TestOracleLive runs Microsoft's parser itself over hand-written edge
// cases (every one must agree, or be a documented difference) and over
// mutated corpus queries (agreement must stay above 99%).
func TestOracleLive(t *testing.T) {
	if testing.Short() {
		t.Skip("runs node")
	}
	cases := oracleCases(t)
	vs := loadVerdicts(t)
	// A sample of the corpus by default; KQL_ORACLE_MUTATIONS=all mutates
	// every query six ways and generates 30,000 queries (slow, for
	// development).
	every, per := 6, 3
	if os.Getenv("KQL_ORACLE_MUTATIONS") == "all" {
		every, per = 1, 6
	}
	var corpus []string
	for i, v := range vs {
		if i%every == 0 {
			corpus = append(corpus, v.Query)
		}
	}
	muts := mutations(corpus, per)
	ngen := 1500
	if os.Getenv("KQL_ORACLE_MUTATIONS") == "all" {
		ngen = 30000
	}
	gens := generatedQueries(ngen)
	all := append(append(append([]string{}, cases...), muts...), gens...)
	res := runOracle(t, all)

	mismatch, known, caseRejected, caseSame := 0, 0, 0, 0
	for i, q := range cases {
		_, errs := Parse(q)
		ok := len(errs) == 0
		if !ok && !res[i].OK && len(res[i].Diagnostics) > 0 {
			caseRejected++
			d := res[i].Diagnostics[0]
			if d.Message == errs[0].Msg && d.Start == utf16Offset(q, int(errs[0].Pos)) {
				caseSame++
			} else if os.Getenv("KQL_ORACLE_SHOW") != "" {
				t.Logf("edge first error: oracle %s, ours %s\n%s", describeOracle(res[i]), describeErrs(errs), q)
			}
		}
		if ok == res[i].OK {
			if _, listed := liveDifferences[q]; listed {
				t.Errorf("listed as a known difference but agrees now: %q", q)
			}
			continue
		}
		if _, listed := liveDifferences[q]; listed {
			known++
			continue
		}
		mismatch++
		t.Errorf("edge case %d: oracle ok=%v %s, ours ok=%v %s\n%s", i, res[i].OK, describeOracle(res[i]), ok, describeErrs(errs), q)
	}
	t.Logf("edge cases: %d/%d agree (%d documented differences); on the %d both reject, the first error is identical for %d",
		len(cases)-mismatch-known, len(cases), known, caseRejected, caseSame)
	if caseRejected > 0 && float64(caseSame) < 0.95*float64(caseRejected) {
		t.Errorf("first errors identical on only %d of %d edge cases", caseSame, caseRejected)
	}

	compareBatch(t, "mutated corpus queries", muts, res[len(cases):len(cases)+len(muts)])
	compareBatch(t, "generated queries", gens, res[len(cases)+len(muts):])
}

// compareBatch compares verdicts and first errors on a batch of queries:
// verdicts must agree on 99% and first errors on 95% of the rejected ones.
func compareBatch(t *testing.T, what string, qs []string, res []oracleResult) {
	agree, rejected, sameFirst := 0, 0, 0
	for j, q := range qs {
		r := res[j]
		_, errs := Parse(q)
		if (len(errs) == 0) == r.OK {
			agree++
		} else if testing.Verbose() {
			t.Logf("%s: oracle ok=%v %s, ours %s\n%s", what, r.OK, describeOracle(r), describeErrs(errs), q)
		}
		if !r.OK && len(errs) > 0 && len(r.Diagnostics) > 0 {
			rejected++
			d := r.Diagnostics[0]
			if d.Message == errs[0].Msg && d.Start == utf16Offset(q, int(errs[0].Pos)) {
				sameFirst++
			} else if os.Getenv("KQL_ORACLE_SHOW") != "" {
				at := int(errs[0].Pos)
				t.Logf("first error: oracle %s, ours %s\n%q", describeOracle(r), describeErrs(errs), q[max(0, at-40):at]+"<<>>"+q[at:min(len(q), at+20)])
			}
		}
	}
	rate := float64(agree) / float64(len(qs))
	t.Logf("%s: %d/%d = %.2f%% agree; on the %d both reject, the first error is identical (message and offset) for %d",
		what, agree, len(qs), 100*rate, rejected, sameFirst)
	if rate < 0.99 {
		t.Errorf("agreement on %s %.2f%% is below 99%%", what, 100*rate)
	}
	if rejected > 0 && float64(sameFirst) < 0.95*float64(rejected) {
		t.Errorf("first errors identical on only %d of %d %s", sameFirst, rejected, what)
	}
}

func describeOracle(r oracleResult) string {
	if len(r.Diagnostics) == 0 {
		return ""
	}
	d := r.Diagnostics[0]
	return fmt.Sprintf("(%q at %d)", d.Message, d.Start)
}

func describeErrs(errs []*Error) string {
	if len(errs) == 0 {
		return ""
	}
	return fmt.Sprintf("(%q at %d)", errs[0].Msg, errs[0].Pos)
}

// TestEdgeCaseRoundTrip prints and reparses every accepted edge case of
// testdata/oracle_cases.kql (no node needed).
func TestEdgeCaseRoundTrip(t *testing.T) {
	n := 0
	for _, q := range oracleCases(t) {
		s, errs := Parse(q)
		if len(errs) > 0 {
			continue
		}
		n++
		out := Print(s)
		s2, errs2 := Parse(out)
		if len(errs2) > 0 || stmtDump(s) != stmtDump(s2) {
			t.Errorf("round trip of %q via %q: %v\n%s", q, out, errs2, firstDiff(stmtDump(s), stmtDump(s2)))
		}
	}
	if n < 300 {
		t.Errorf("only %d accepted edge cases", n)
	}
}
