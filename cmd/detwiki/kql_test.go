package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runKQLCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return out.String(), errb.String(), code
}

func TestKQLCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.kql")
	bad := filepath.Join(dir, "sub", "bad.csl")
	os.MkdirAll(filepath.Dir(bad), 0o755)
	os.WriteFile(good, []byte("SecurityEvent\n| where EventID == 4688\n"), 0o644)
	os.WriteFile(bad, []byte("SecurityEvent\n| where (EventID == 4688\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a query ("), 0o644)

	if out, errs, code := runKQLCmd(t, "kql", "check", good); code != 0 || out != "" {
		t.Errorf("good file: exit %d, out %q, err %q", code, out, errs)
	}
	out, _, code := runKQLCmd(t, "kql", "check", dir)
	if code != 1 || out != bad+":2:25: Expected: )\n" {
		t.Errorf("folder: exit %d, out %q", code, out)
	}
}

// TestKQLCheckBadPaths: a missing path and a binary file are reported once
// each and the other files are still checked.
func TestKQLCheckBadPaths(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin.kql")
	bad := filepath.Join(dir, "bad.kql")
	os.WriteFile(bin, []byte("\x00\xff\xfe\x1b[2J(((\n\x01\x02"), 0o644)
	os.WriteFile(bad, []byte("T | where\n"), 0o644)
	missing := filepath.Join(dir, "missing.kql")
	out, errs, code := runKQLCmd(t, "kql", "check", missing, bin, bad)
	want := bin + ":1:1: " + notTextMessage + "\n" + bad + ":1:10: Missing expression\n"
	if code != 2 || out != want || !strings.Contains(errs, "missing.kql") {
		t.Errorf("exit %d\nout %q\nwant %q\nerr %q", code, out, want, errs)
	}
	if out, errs, code := runKQLCmd(t, "kql", "check", bin); code != 1 || strings.Count(out, "\n") != 1 || errs != "" {
		t.Errorf("binary file: exit %d, out %q, err %q", code, out, errs)
	}
	out, errs, code = runKQLCmd(t, "kql", "fmt", missing, bin, bad)
	if code != 2 || out != "" || strings.Count(errs, "\n") != 3 {
		t.Errorf("fmt: exit %d, out %q, err %q", code, out, errs)
	}
}

func TestKQLCheckJSONL(t *testing.T) {
	in := filepath.Join(t.TempDir(), "q.jsonl")
	os.WriteFile(in, []byte(`{"id": "r1", "query": "T | take 1"}`+"\n"+`{"id": 7, "query": "T\n| where"}`+"\n"), 0o644)
	out, errs, code := runKQLCmd(t, "kql", "check", "--jsonl", in)
	if code != 1 {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", out)
	}
	var v0, v1 struct {
		ID          any  `json:"id"`
		OK          bool `json:"ok"`
		Diagnostics []struct {
			Line, Col int
			Message   string
		} `json:"diagnostics"`
	}
	json.Unmarshal([]byte(lines[0]), &v0)
	json.Unmarshal([]byte(lines[1]), &v1)
	if v0.ID != "r1" || !v0.OK || len(v0.Diagnostics) != 0 {
		t.Errorf("line 1 = %s", lines[0])
	}
	if v1.ID != float64(7) || v1.OK || len(v1.Diagnostics) != 1 || v1.Diagnostics[0].Line != 2 || v1.Diagnostics[0].Col != 8 || v1.Diagnostics[0].Message != "Missing expression" {
		t.Errorf("line 2 = %s", lines[1])
	}
}

func TestKQLFmt(t *testing.T) {
	in := filepath.Join(t.TempDir(), "q.kql")
	os.WriteFile(in, []byte("let x=1h;T|where t>ago(x)//recent\n|summarize count() by bin(t,1h)"), 0o644)
	out, errs, code := runKQLCmd(t, "kql", "fmt", in)
	want := "let x = 1h;\nT\n| where t > ago(x)\n//recent\n| summarize count() by bin(t, 1h)\n"
	if code != 0 || out != want {
		t.Errorf("exit %d, stderr %q\ngot:\n%s\nwant:\n%s", code, errs, out, want)
	}
	os.WriteFile(in, []byte("T | where ("), 0o644)
	if _, errs, code := runKQLCmd(t, "kql", "fmt", in); code != 1 || !strings.Contains(errs, "Missing expression") {
		t.Errorf("broken input: exit %d, stderr %q", code, errs)
	}
	if _, _, code := runKQLCmd(t, "kql", "frobnicate"); code != 2 {
		t.Errorf("unknown subcommand: exit %d", code)
	}
}

// TestKQLCheckJSONLBadLine: a line that is not a JSON object still gets its
// verdict line (verdicts stay in step with the input) and the lines after
// it are checked; the exit status says the input was bad.
func TestKQLCheckJSONLBadLine(t *testing.T) {
	in := filepath.Join(t.TempDir(), "q.jsonl")
	os.WriteFile(in, []byte("{\"id\": 1, \"query\": \"T | take 1\"}\nnot json\n{\"id\": 3, \"query\": \"T | take 1\"}\n"), 0o644)
	out, errs, code := runKQLCmd(t, "kql", "check", "--jsonl", in)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 2 || len(lines) != 3 || !strings.HasPrefix(lines[1], `{"id":null,"ok":false`) || !strings.HasPrefix(lines[2], `{"id":3,"ok":true`) || !strings.Contains(errs, ":2:") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
}

// TestKQLCheckRuleFile: a Sentinel rule named on the command line has its
// query checked, with errors at file positions; a rule of another language
// is refused rather than parsed as KQL.
func TestKQLCheckRuleFile(t *testing.T) {
	dir := t.TempDir()
	yml := filepath.Join(dir, "r.yaml")
	os.WriteFile(yml, []byte("id: 0a0a0a0a-0a0a-0a0a-0a0a-0a0a0a0a0a0a\nname: broken\nseverity: Low\nquery: |\n  SecurityEvent\n  | where EventID == 4624 and\n  | take 1\n"), 0o644)
	out, errs, code := runKQLCmd(t, "kql", "check", yml)
	if code != 1 || out != yml+":6:30: Missing expression\n" {
		t.Errorf("sentinel rule: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	sig := filepath.Join(dir, "s.yml")
	os.WriteFile(sig, []byte("title: t\nlogsource:\n  product: windows\ndetection:\n  sel:\n    a: b\n  condition: sel\n"), 0o644)
	if out, errs, code := runKQLCmd(t, "kql", "check", sig); code != 2 || out != "" || !strings.Contains(errs, "is a sigma rule") {
		t.Errorf("sigma rule: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
