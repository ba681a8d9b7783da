package engine

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fuzzCatalog is the small catalog the executor fuzz target runs queries
// on: a few rows of every type, dynamic values included.
func fuzzCatalog() MapCatalog {
	t := NewMemTable("T", Schema{
		{Name: "x", Type: TypeLong}, {Name: "s", Type: TypeString}, {Name: "d", Type: TypeDynamic},
		{Name: "t", Type: TypeDateTime}, {Name: "r", Type: TypeReal}, {Name: "b", Type: TypeBool},
	}, [][]Value{
		{Long(1), String("a b"), Dyn([]any{int64(1), "x"}), {T: TypeDateTime, I: TimeToTicks(scriptNow) - TicksPerHour}, Real(1.5), Bool(true)},
		{Long(2), String("C:\\Windows\\cmd.exe /c x"), Dyn(&Bag{Keys: []string{"k"}, Vals: []any{"v"}}), {T: TypeDateTime, I: TimeToTicks(scriptNow)}, NullOf(TypeReal), Bool(false)},
		{NullOf(TypeLong), String(""), Dyn(nil), NullOf(TypeDateTime), Real(-2), NullOf(TypeBool)},
	})
	return MapCatalog{"T": t, "SecurityEvent": t, "DeviceProcessEvents": t}
}

// FuzzRun checks and runs arbitrary queries on a small catalog: the engine
// never panics (an internal error is a bug) and its memory stays bounded
// (the row limit is small; strings are capped). Seeds: the KQL parser's
// fuzz corpus (internal/lang/kql/testdata/fuzz/FuzzParse), every query of
// the script tests, and testdata/fuzz/FuzzRun.
func FuzzRun(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	cat := fuzzCatalog()
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4096 {
			return
		}
		q, diags := Compile(src, Options{Catalog: cat, Now: scriptNow, MaxRows: 2000})
		if q == nil {
			if len(diags) == 0 {
				t.Fatalf("no query and no diagnostic for %q", src)
			}
			return
		}
		start := time.Now()
		res, err := q.Run()
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("%q: %v", src, err)
		}
		if res != nil && res.Rows() > 2000*2000 {
			t.Fatalf("%q: %d rows", src, res.Rows())
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Fatalf("%q ran %v", src, d)
		}
	})
}

// fuzzSeeds returns the parser's fuzz corpus and the script tests' queries.
func fuzzSeeds(tb testing.TB) []string {
	var out []string
	files, _ := filepath.Glob(filepath.Join("..", "lang", "kql", "testdata", "fuzz", "FuzzParse", "*"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			if rest, ok := strings.CutPrefix(line, "string("); ok {
				if s, err := strconv.Unquote(strings.TrimSuffix(rest, ")")); err == nil {
					out = append(out, s)
				}
			}
		}
	}
	scripts, _ := filepath.Glob("testdata/scripts/*.kqltest")
	for _, name := range scripts {
		cmds, err := parseScriptFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		for _, cmd := range cmds {
			if cmd.kind != "load" {
				out = append(out, cmd.arg)
			}
		}
	}
	if len(out) < 100 {
		tb.Fatalf("only %d fuzz seeds", len(out))
	}
	return out
}
