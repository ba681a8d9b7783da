package spl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/source"
)

// fuzzSeeds are the inputs of the table tests plus a few whole searches in
// the shape security_content writes; testdata/fuzz/ holds more.
func fuzzSeeds() []string {
	var seeds []string
	for _, tt := range searchExprTests {
		seeds = append(seeds, tt.src)
	}
	for _, tt := range evalExprTests {
		seeds = append(seeds, "* | where "+tt.src)
	}
	for _, tt := range commandTests {
		seeds = append(seeds, tt.src)
	}
	for _, tt := range errorTests {
		seeds = append(seeds, strings.Replace(tt.src, "@", "", 1))
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "parse", "*.spl"))
	for _, f := range files {
		if data, err := os.ReadFile(f); err == nil {
			seeds = append(seeds, string(data))
		}
	}
	return append(seeds,
		"| tstats `summaries` count min(_time) as firstTime from datamodel=Endpoint.Processes where Processes.process_name IN (\"a.exe\",\"b.exe\") NOT Processes.parent_process_name=*x* by Processes.dest | `drop_dm_object_name(Processes)` | `ctime(firstTime)` | `my_rule_filter`",
		"`sysmon` EventCode=1 | eval x=if(match(CommandLine, \"(?i)-enc\\\\s\"), 1, 0) | stats count by host | where count > 5 ```done```",
		"| inputlookup a.csv | append [| tstats count where index=* by host] | foreach * [eval <<FIELD>>=if(<<FIELD>>=\"\", null(), <<FIELD>>)]",
	)
}

// FuzzParse checks that any input parses without a panic into a tree whose
// spans are sane, and that an error-free tree prints to text that parses
// back to the same tree.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1<<14 {
			return
		}
		pl, errs := ParseQuery(src)
		Inspect(pl, func(n Node) bool {
			if n.Pos() < 0 || n.End() < n.Pos() || int(n.End()) > len(src) {
				t.Fatalf("%T span [%d,%d) outside %d bytes", n, n.Pos(), n.End(), len(src))
			}
			return true
		})
		for _, e := range errs {
			if e.Pos < 0 || int(e.Pos) > len(src) {
				t.Fatalf("error %q at %d outside %d bytes", e.Msg, e.Pos, len(src))
			}
		}
		_ = errs.Diagnostics(src)
		if len(errs) > 0 || !utf8.ValidString(src) {
			return
		}
		out := Print(pl)
		pl2, errs2 := ParseQuery(out)
		if len(errs2) > 0 {
			t.Fatalf("printed %q of %q does not parse: %v", out, src, errs2)
		}
		if out2 := Print(pl2); out2 != out {
			t.Fatalf("print not stable:\n src %q\n 1st %q\n 2nd %q", src, out, out2)
		}
		Explain(pl, src, nil, ExplainOptions{})
	})
}

// FuzzExpand checks that macro expansion never panics, keeps its limits and
// maps every position back into the source.
func FuzzExpand(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Add("`outer(`ping`)` `pair(a=1, b=\"`x`\")` `loop`")
	ms := testMacros()
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1<<14 {
			return
		}
		e := Expand(src, ms, ExpandOptions{})
		if len(e.Text) > MaxExpandedLen+len(src)+1<<12 {
			t.Fatalf("expanded to %d bytes", len(e.Text))
		}
		for _, er := range e.Errors {
			if er.Pos < 0 || er.End < er.Pos || int(er.End) > len(src) {
				t.Fatalf("error span [%d,%d) outside %d bytes", er.Pos, er.End, len(src))
			}
		}
		for _, p := range []int{0, len(e.Text) / 2, len(e.Text)} {
			if q := e.SourcePos(sourcePos(p)); q < 0 || int(q) > len(src) {
				t.Fatalf("SourcePos(%d) = %d outside %d bytes", p, q, len(src))
			}
		}
		pl, _ := ParseQuery(e.Text)
		Explain(pl, e.Text, e, ExplainOptions{})
	})
}

func sourcePos(p int) source.Pos { return source.Pos(p) }
