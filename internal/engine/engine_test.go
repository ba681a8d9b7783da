package engine

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestRunOn compiles a query once and runs it on two catalogs at two
// replay times: tables are rebound by name and now() is the run's.
func TestRunOn(t *testing.T) {
	schema := Schema{{Name: "TimeGenerated", Type: TypeDateTime}, {Name: "Name", Type: TypeString}}
	day1 := time.Date(2020, 1, 1, 12, 0, 0, 0, time.UTC)
	day2 := time.Date(2021, 6, 1, 12, 0, 0, 0, time.UTC)
	mk := func(at time.Time, names ...string) MapCatalog {
		var rows [][]Value
		for i, n := range names {
			rows = append(rows, []Value{{T: TypeDateTime, I: TimeToTicks(at.Add(-time.Duration(i) * 2 * time.Hour))}, String(n)})
		}
		return MapCatalog{"Events": NewMemTable("Events", schema, rows)}
	}
	template := MapCatalog{"Events": NewMemTable("Events", schema, nil)}
	q, diags := Compile(`Events | where TimeGenerated > ago(3h) | summarize n = count(), names = make_set(Name)`, Options{Catalog: template, Now: day1})
	if q == nil {
		t.Fatal(diags)
	}
	for _, tc := range []struct {
		cat  MapCatalog
		now  time.Time
		want string
	}{
		{mk(day1, "a", "b", "c"), day1, `[2,["a","b"]]`}, // c is 4 h old
		{mk(day2, "x", "y"), day2, `[2,["x","y"]]`},
		{mk(day2, "x", "y"), day2.Add(time.Hour), `[1,["x"]]`},
	} {
		res, err := q.RunOn(tc.cat, tc.now)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		res.Each(func(row []Value) { got = append(got, rowJSON(row)) })
		if strings.Join(got, "") != tc.want {
			t.Errorf("now %v: got %v, want %s", tc.now, got, tc.want)
		}
	}
	// a table with other columns is refused
	other := MapCatalog{"Events": NewMemTable("Events", Schema{{Name: "X", Type: TypeLong}}, nil)}
	if _, err := q.RunOn(other, day1); err == nil || !strings.Contains(err.Error(), "other columns") {
		t.Errorf("RunOn on other columns: %v", err)
	}
}

// TestRunOnConcurrent runs one compiled query from several goroutines.
func TestRunOnConcurrent(t *testing.T) {
	cat := fuzzCatalog()
	q, diags := Compile(`let m = materialize(T | where isnotnull(x)); m | join kind=inner (m) on x | summarize c = count() | extend s = toscalar(m | count)`, Options{Catalog: cat, Now: scriptNow})
	if q == nil {
		t.Fatal(diags)
	}
	done := make(chan string)
	for i := 0; i < 4; i++ {
		go func() {
			res, err := q.RunOn(cat, scriptNow)
			if err != nil {
				done <- err.Error()
				return
			}
			var got string
			res.Each(func(row []Value) { got = rowJSON(row) })
			done <- got
		}()
	}
	for i := 0; i < 4; i++ {
		if got := <-done; got != "[2,2]" {
			t.Errorf("got %s, want [2,2]", got)
		}
	}
}

// TestTrace names the operator that dropped the last rows, and the tables
// without rows.
func TestTrace(t *testing.T) {
	cat := fuzzCatalog()
	cat["Empty"] = NewMemTable("Empty", Schema{{Name: "x", Type: TypeLong}}, nil)
	for _, tc := range []struct {
		query string
		want  string // Text of the first emptied stage
		time  bool
		scan  bool
	}{
		{`T | where x > 0 | where s has "nothing-like-this"`, `where s has "nothing-like-this"`, false, false},
		{`T | where t > now()`, `where t > now()`, true, false},
		{`Empty | where x == 1`, `Empty`, false, true},
		{`T | join kind=inner (T | extend x = x + 100) on x`, `join kind=inner (T | extend x = x + 100) on x`, false, false},
	} {
		q, diags := Compile(tc.query, Options{Catalog: cat, Now: scriptNow})
		if q == nil {
			t.Fatal(diags)
		}
		res, tr, err := q.RunTraced(cat, scriptNow)
		if err != nil || res.Rows() != 0 {
			t.Fatalf("%s: %v, %d rows", tc.query, err, res.Rows())
		}
		st := tr.Emptied(cat)
		if len(st) == 0 {
			t.Errorf("%s: no stage emptied", tc.query)
			continue
		}
		if st[0].Text != tc.want || st[0].Time != tc.time || st[0].Scan != tc.scan {
			t.Errorf("%s: got %+v, want %q time %v scan %v", tc.query, st[0], tc.want, tc.time, tc.scan)
		}
	}
	// a filter on a column that is empty in every input row says so
	q, _ := Compile(`T | where x > 1 | where s has "zzz"`, Options{Catalog: cat, Now: scriptNow})
	_, tr, _ := q.RunTraced(cat, scriptNow)
	if st := tr.Emptied(cat); len(st) != 1 || len(st[0].Empty) != 0 {
		t.Errorf("where s has zzz: %+v (s has values)", st)
	}
	q, _ = Compile(`T | where isnull(x) | where s has "x"`, Options{Catalog: cat, Now: scriptNow})
	_, tr, _ = q.RunTraced(cat, scriptNow)
	if st := tr.Emptied(cat); len(st) != 1 || strings.Join(st[0].Empty, ",") != "s" {
		t.Errorf("where s has x after isnull(x): %+v, want s empty", st)
	}
}

// TestPlainParse checks the regex-free matcher of simple parse patterns
// against the regex it replaces, on random patterns and inputs.
func TestPlainParse(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := "ab=,\n "
	word := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	checked := 0
	for i := 0; i < 3000; i++ {
		p := &parsePattern{Kind: "simple", Plain: true}
		var re strings.Builder
		re.WriteString("^")
		n := 1 + rng.IntN(5)
		for k := 0; k < n; k++ {
			last := k == n-1
			switch rng.IntN(3) {
			case 0:
				lit := word(1 + rng.IntN(2))
				p.Steps = append(p.Steps, parseStep{Lit: lit, Capture: -1})
				re.WriteString(regexp.QuoteMeta(lit))
			case 1:
				p.Steps = append(p.Steps, parseStep{Capture: -2})
				if last {
					re.WriteString(".*")
				} else {
					re.WriteString(".*?")
				}
			default:
				p.Steps = append(p.Steps, parseStep{Capture: len(p.Cols)})
				p.Cols = append(p.Cols, len(p.Cols))
				p.Types = append(p.Types, TypeString)
				re.WriteString("(" + captureRegex(TypeString, last, "simple") + ")")
			}
		}
		p.Steps = mergeLiterals(p.Steps)
		p.Re = regexp.MustCompile(re.String())
		for j := 0; j < 5; j++ {
			s := word(rng.IntN(12))
			vals, matched, ok := p.matchPlain(s)
			if !ok {
				continue // a newline: the regex decides
			}
			m := p.Re.FindStringSubmatch(s)
			if (m != nil) != matched {
				t.Fatalf("pattern %q on %q: plain matched %v, regex %v", re.String(), s, matched, m != nil)
			}
			if m != nil {
				for k := range vals {
					if vals[k] != m[k+1] {
						t.Fatalf("pattern %q on %q: capture %d plain %q, regex %q", re.String(), s, k, vals[k], m[k+1])
					}
				}
			}
			checked++
		}
	}
	if checked < 5000 {
		t.Errorf("only %d cases checked", checked)
	}
}

// TestFoldSearch checks the ASCII case-folded search against strings.ToLower.
func TestFoldSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := "aAbB@`[{_ zZ"
	word := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for i := 0; i < 20000; i++ {
		s, sub := word(rng.IntN(10)), word(1+rng.IntN(3))
		if got, want := indexFoldASCII(s, sub), strings.Index(strings.ToLower(s), strings.ToLower(sub)); got != want {
			t.Fatalf("indexFoldASCII(%q, %q) = %d, want %d", s, sub, got, want)
		}
		if got, want := hasTerm(s, sub, true, true, true), hasTerm(strings.ToLower(s), strings.ToLower(sub), true, true, false); got != want {
			t.Fatalf("hasTerm(%q, %q) = %v, want %v", s, sub, got, want)
		}
	}
}

// TestFuzzyUnionWarning: a leg union isfuzzy=true leaves out is a warning
// naming the leg's failure at its position, as Kusto reports it in the
// query status; when every leg fails, the error alone.
func TestFuzzyUnionWarning(t *testing.T) {
	cat := MapCatalog{"A": NewMemTable("A", Schema{{Name: "k", Type: TypeString}}, [][]Value{{String("a")}})}
	q, diags := Compile("union isfuzzy=true A,\n  (Missing | take 1)", Options{Catalog: cat, Now: time.Now()})
	if q == nil {
		t.Fatal(diags)
	}
	if len(q.Warnings) != 1 {
		t.Fatalf("warnings %v", q.Warnings)
	}
	w := q.Warnings[0]
	if w.Code != CodeUnknownTable || w.Line != 2 || w.Col != 4 || !strings.Contains(w.Message, "isfuzzy") || !strings.Contains(w.Message, "Missing") {
		t.Errorf("warning %+v", w)
	}
	q, diags = Compile("union isfuzzy=true Missing, Other", Options{Catalog: cat, Now: time.Now()})
	if q != nil || len(diags) != 1 || diags[0].Code != CodeUnknownTable || !strings.Contains(diags[0].Message, "Missing") {
		t.Errorf("every leg missing: %v", diags)
	}
}
