package spl

import (
	"fmt"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/source"
)

// sexpr renders search and eval expressions as prefix S-expressions so
// tests can state operator precedence and grouping compactly.
func sexpr(n Node) string {
	switch n := n.(type) {
	case nil:
		return "<nil>"
	case *SearchBinary:
		return fmt.Sprintf("(%s %s %s)", n.Op, sexpr(n.X), sexpr(n.Y))
	case *SearchNot:
		return fmt.Sprintf("(NOT %s)", sexpr(n.X))
	case *SearchParen:
		return sexpr(n.X)
	case *SearchCompare:
		v := "<missing>"
		if n.Value != nil {
			v = sexpr(n.Value)
		}
		return fmt.Sprintf("(%s %s %s)", n.Op, n.Field.Value, v)
	case *SearchIn:
		var vs []string
		for _, v := range n.Values {
			vs = append(vs, sexpr(v))
		}
		return fmt.Sprintf("(IN %s %s)", n.Field.Value, strings.Join(vs, " "))
	case *SearchTerm:
		return sexpr(n.Value)
	case *Word:
		return n.Value
	case *Directive:
		return fmt.Sprintf("%s(%s)", strings.ToUpper(n.Name.Value), sexpr(n.Value))
	case *Subsearch:
		return "[" + Print(n.Pipeline) + "]"
	case *BadSearch:
		return "BAD"
	case *Ident:
		return n.Name
	case *StringLit:
		return fmt.Sprintf("%q", n.Value)
	case *NumberLit:
		return n.Raw
	case *BinaryExpr:
		return fmt.Sprintf("(%s %s %s)", n.Op, sexpr(n.X), sexpr(n.Y))
	case *UnaryExpr:
		return fmt.Sprintf("(%s %s)", n.Op, sexpr(n.X))
	case *ParenExpr:
		return sexpr(n.X)
	case *CallExpr:
		var as []string
		for _, a := range n.Args {
			as = append(as, sexpr(a))
		}
		return fmt.Sprintf("%s(%s)", n.Fun.Name, strings.Join(as, ", "))
	case *InExpr:
		var as []string
		for _, a := range n.List {
			as = append(as, sexpr(a))
		}
		return fmt.Sprintf("(IN %s %s)", sexpr(n.X), strings.Join(as, " "))
	case *BadExpr:
		return "BAD"
	case *MacroExpr:
		return n.Raw
	}
	return fmt.Sprintf("<%T>", n)
}

func mustParse(t *testing.T, src string) *Pipeline {
	t.Helper()
	pl, errs := ParseQuery(src)
	if len(errs) > 0 {
		t.Fatalf("ParseQuery(%q): %v", src, errs)
	}
	checkTree(t, src, pl, true)
	return pl
}

// checkTree checks the invariants every tree keeps: spans inside the text,
// children inside their parent and in order, and printing that is stable
// (and, for a search that parsed cleanly, parses back without errors).
func checkTree(t *testing.T, src string, pl *Pipeline, clean bool) {
	t.Helper()
	Inspect(pl, func(n Node) bool {
		if n.Pos() < 0 || n.End() < n.Pos() || int(n.End()) > len(src) {
			t.Errorf("%q: %T has span [%d,%d)", src, n, n.Pos(), n.End())
		}
		prev := n.Pos()
		for _, c := range Children(n) {
			if c.Pos() < prev || c.End() > n.End() {
				t.Errorf("%q: child %T [%d,%d) outside or before its sibling in %T [%d,%d)", src, c, c.Pos(), c.End(), n, n.Pos(), n.End())
			}
			prev = c.End()
		}
		return true
	})
	out := Print(pl)
	pl2, errs := ParseQuery(out)
	if out2 := Print(pl2); out2 != out || (clean && len(errs) > 0) {
		t.Errorf("print round trip of %q:\n  printed  %q\n  reprinted %q\n  errors %v", src, out, out2, errs)
	}
}

var searchExprTests = []struct{ src, want string }{
	{`a b`, `(AND a b)`},
	{`a AND b`, `(AND a b)`},
	// OR binds tighter than AND in the search command.
	{`a b OR c`, `(AND a (OR b c))`},
	{`a OR b c OR d`, `(AND (OR a b) (OR c d))`},
	{`NOT a b`, `(AND (NOT a) b)`},
	{`NOT (a OR b) c`, `(AND (NOT (OR a b)) c)`},
	{`NOT NOT a`, `(NOT (NOT a))`},
	// Lower-case and/or/not are plain terms.
	{`a or b`, `(AND (AND a or) b)`},
	{`x=1`, `(= x 1)`},
	{`x = 1`, `(= x 1)`},
	{`x!=1 y<2 z>=3`, `(AND (AND (!= x 1) (< y 2)) (>= z 3))`},
	{`Processes.process_name=*\\AppData\\*`, `(= Processes.process_name *\AppData\*)`},
	{`f="C:\\Windows\\*" g="say \"hi\""`, `(AND (= f C:\Windows\*) (= g say "hi"))`},
	{`"DNS.query"="*.in-addr.arpa"`, `(= DNS.query *.in-addr.arpa)`},
	{`sourcetype=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational`, `(= sourcetype XmlWinEventLog:Microsoft-Windows-Sysmon/Operational)`},
	{`x=a=b`, `(= x a=b)`},
	{`f IN ("a.exe", b*, c)`, `(IN f a.exe b* c)`},
	{`f IN("a","b")`, `(IN f a b)`},
	{`f in (a)`, `(IN f a)`},
	{`NOT f IN (a, b)`, `(NOT (IN f a b))`},
	{`"a phrase" term*`, `(AND a phrase term*)`},
	{`host=CASE(WEB01) TERM(10.0.0.1)`, `(AND (= host CASE(WEB01)) TERM(10.0.0.1))`},
	{`x=1 [search y=2 | fields z]`, `(AND (= x 1) [search y=2 | fields z])`},
	{"a ```a comment``` b", `(AND a b)`},
	{"`unknown_macro(x)` a", "(AND `unknown_macro(x)` a)"},
	{`_time>=relative_time(now(), "-10m@m")`, `(>= _time relative_time(now(), -10m@m))`},
	{`(a OR b) AND (c OR d)`, `(AND (OR a b) (OR c d))`},
}

func TestSearchExpressions(t *testing.T) {
	for _, tt := range searchExprTests {
		pl := mustParse(t, tt.src)
		c, ok := pl.Commands[0].(*SearchCmd)
		if !ok || !c.Implicit() {
			t.Errorf("%q: first command %T is not the implicit search", tt.src, pl.Commands[0])
			continue
		}
		if got := sexpr(c.Expr); got != tt.want {
			t.Errorf("%q\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
}

var evalExprTests = []struct{ src, want string }{
	{`a=1`, `(= a 1)`},
	{`a == "x" OR b != 2 AND c < 3`, `(OR (== a "x") (AND (!= b 2) (< c 3)))`},
	{`a and b or c`, `(OR (AND a b) c)`},
	{`a OR b XOR c`, `(XOR (OR a b) c)`},
	{`NOT a=1 AND b`, `(AND (NOT (= a 1)) b)`},
	{`1 + 2 * 3 - 4`, `(- (+ 1 (* 2 3)) 4)`},
	{`-x * 2`, `(* (- x) 2)`},
	{`a . "-" . b`, `(. (. a "-") b)`},
	{`Processes.process_name="cmd.exe"`, `(= Processes.process_name "cmd.exe")`},
	{`'field name'="v"`, `(= field name "v")`},
	{`x LIKE "%foo%"`, `(LIKE x "%foo%")`},
	{`like(x, "%foo%")`, `like(x, "%foo%")`},
	{`x IN ("a", "b")`, `(IN x "a" "b")`},
	{`NOT x IN (y)`, `(NOT (IN x y))`},
	{`in(x, "a", "b")`, `in(x, "a", "b")`},
	{`if(match(cmd, "(?i)-enc"), 1, 0)`, `if(match(cmd, "(?i)-enc"), 1, 0)`},
	{`case(x>1, "a", true(), "b")`, `case((> x 1), "a", true(), "b")`},
	{`mvindex(split(a, "\\"), -1)`, `mvindex(split(a, "\\"), (- 1))`},
	{`'<<FIELD>>' > ('avg_<<FIELD>>' + 3)`, `(> <<FIELD>> (+ avg_<<FIELD>> 3))`},
	{`<<FIELD>>="null"`, `(= <<FIELD>> "null")`},
	{`inbound:outbound / 2`, `(/ inbound:outbound 2)`},
	{`1.5e3 > .5`, `(> 1.5e3 .5)`},
}

func TestEvalExpressions(t *testing.T) {
	for _, tt := range evalExprTests {
		x, errs := ParseExpr(tt.src)
		if len(errs) > 0 {
			t.Errorf("ParseExpr(%q): %v", tt.src, errs)
			continue
		}
		if got := sexpr(x); got != tt.want {
			t.Errorf("%q\n got %s\nwant %s", tt.src, got, tt.want)
		}
		if again, errs := ParseExpr(Print(x)); len(errs) > 0 || sexpr(again) != sexpr(x) {
			t.Errorf("%q: printed %q parses to %s (%v)", tt.src, Print(x), sexpr(again), errs)
		}
	}
}

var commandTests = []struct {
	src  string
	want string // Dump labels of the commands, one a line
}{
	{`| tstats summariesonly=false count min(_time) as firstTime from datamodel=Endpoint.Processes where Processes.process_name=cmd.exe by Processes.dest _time span=1h`,
		"tstats"},
	{`index=main | stats count, dc(user) as users values(eval(if(x=="a", y, null))) as v by host, src`, "search\nstats"},
	{`a | eval x=1, 'y z'=lower(x), unusual_-name="v"`, "search\neval"},
	{`a | table _time, "Search Name" dest | fields - b64x_* | fields + a`,
		"search\ntable remove=false fields=[_time Search Name dest]\nfields remove=true fields=[b64x_*]\nfields remove=false fields=[a]"},
	{`a | rename Processes.* AS *, "x y" as z`, "search\nrename Processes.*->* x y->z"},
	{`a | lookup update=true alexa_lookup_by_str domain as query OUTPUT rank, x AS y`,
		"search\nlookup table=alexa_lookup_by_str in=[query] OUTPUT=[rank y]"},
	{`a | lookup t f OUTPUTNEW g`, "search\nlookup table=t in=[f] OUTPUTNEW=[g]"},
	{`a | rex field=process "(?<cmd>\\w+)" max_match=0 | rex mode=sed field=x "s/a/b/g"`,
		"search\nrex field=process sed=false regex=\"(?<cmd>\\\\w+)\"\nrex field=x sed=true regex=\"s/a/b/g\""},
	{`a | regex process_name!="^cmd" | regex "x+"`,
		"search\nregex field=process_name negated=true pattern=\"^cmd\"\nregex field=_raw negated=false pattern=\"x+\""},
	{`a | sort 0 - count, +user num(x) | sort -_time desc`,
		"search\nsort keys=[{true  count} {false  user} {false num x}] desc=false\nsort keys=[{true  _time}] desc=true"},
	{`a | convert timeformat="%Y" ctime(firstTime) AS t dur2sec(d)`, "search\nconvert [{ctime firstTime t} {dur2sec d }]"},
	{`| inputlookup append=t allowlist.csv where enabled=1 | join type=left user [search index=x | fields user] | append [| makeresults]`,
		"inputlookup\njoin\nappend"},
	{`a | appendpipe [stats count | table x] | foreach * [eval <<FIELD>> = if(<<FIELD>>="null",null(),<<FIELD>>)]`, "search\nappendpipe\nforeach"},
	{`a | dedup 1 user src sortby -_time | head 10 | bin _time span=1h as t | bucket _time span=1d`, "search\ndedup\nhead\nbin\nbucket"},
	{`a | transaction user maxspan=10m startswith=eval(x="y") | mvexpand v limit=5 | makemv delim="," allowempty=t v`, "search\ntransaction\nmvexpand\nmakemv"},
	{`a | fillnull value=0 a, b | xmlkv UserData_Xml maxinputs=10 | spath input=x output=y path=a.b{}.c`, "search\nfillnull\nxmlkv\nspath"},
	{`a | eventstats avg(x) as m by h | streamstats count by h window=5 | chart count over a by b | timechart span=5m count by h`,
		"search\neventstats\nstreamstats\nchart\ntimechart"},
	{"a | `get_asset(src)` | where isnull(x)", "search\n`get_asset(src)`\nwhere"},
	{`a | iplocation src | anycommand arg1 k=v "str" (group x, y) [search z]`, "search\niplocation\nanycommand"},
	{`search index=x | search y`, "search\nsearch"},
	{`[search a] | stats count`, "search\nstats"},
}

func TestCommands(t *testing.T) {
	for _, tt := range commandTests {
		pl := mustParse(t, tt.src)
		var got []string
		for _, c := range pl.Commands {
			got = append(got, label(c))
		}
		if g := strings.Join(got, "\n"); g != tt.want {
			t.Errorf("%q\n got %s\nwant %s", tt.src, g, tt.want)
		}
	}
}

func TestTstatsParts(t *testing.T) {
	pl := mustParse(t, `| tstats summariesonly=false count min(_time) as firstTime from datamodel=Network_Resolution where nodename=DNS "DNS.message_type"="QUERY" NOT DNS.query=*.arpa by "DNS.src", DNS.query _time span=1h`)
	c := pl.Commands[0].(*TstatsCmd)
	if len(c.Options) != 1 || c.Options[0].Name() != "summariesonly" {
		t.Errorf("options = %v", c.Options)
	}
	if len(c.Aggs) != 2 || c.Aggs[1].OutputName() != "firstTime" || c.Aggs[0].OutputName() != "count" {
		t.Errorf("aggs = %v", c.Aggs)
	}
	if c.Datamodel == nil || c.Datamodel.Text() != "Network_Resolution" {
		t.Errorf("datamodel = %v", c.Datamodel)
	}
	if got := sexpr(c.Where); got != `(AND (AND (= nodename DNS) (= DNS.message_type QUERY)) (NOT (= DNS.query *.arpa)))` {
		t.Errorf("where = %s", got)
	}
	var by []string
	for _, w := range c.By {
		by = append(by, w.Value)
	}
	if strings.Join(by, " ") != "DNS.src DNS.query _time" || len(c.Trailing) != 1 {
		t.Errorf("by = %v, trailing = %v", by, c.Trailing)
	}
}

// TestErrors checks each error's message and offset; the offset is where
// the "@" marker stands in the input (the marker itself is removed).
var errorTests = []struct{ src, msg string }{
	{`a @| `, "empty command after '|'"},
	{`a | eval x=@`, "expected an expression, found end of search"},
	{`a | eval x=1 @y=2`, `unexpected word "y" in the eval command`},
	{`a | eval @=1`, "expected a field name to assign"},
	{`a | where x=(1 @`, "expected ')', found end of search, to close the '('"},
	{`(a OR b @`, "expected ')', found end of search, to close the '('"},
	{`a @) b`, "unexpected ')' in the search command"},
	{`x=@`, "missing value after x="},
	{`a | tstats count from @where x=1`, "expected datamodel=<name> after FROM"},
	{`a | @tstats from datamodel=x`, "tstats needs at least one statistical function"},
	{`a | search x="unterminated@`, ""},
	{`a | join x @`, ""},
	{`@] a`, "unexpected ']' outside a subsearch"},
	{"a ```open@", ""},
	{"a | stats count @`b", "macro call not terminated"},
	{`a [search b @`, "expected ']', found end of search, to close the subsearch"},
	{`a | rename @x`, "expected AS <new name> after x in rename"},
	{`a | @lookup`, "lookup needs a lookup table name"},
	{`a | eval x=1 + @* 2`, "expected an expression, found '*'"},
	{`a | where x @@ 1`, ""},
}

// TestErrorsRelated checks that an error about a missing closing bracket
// names the opening one as its related place (never as a byte offset in the
// message, which a reader of a macro-expanded search could not place).
func TestErrorsRelated(t *testing.T) {
	tests := []struct {
		src  string
		open int // offset of the opening bracket
		msg  string
	}{
		{`a | where x=(1 `, 12, "expected ')', found end of search, to close the '('"},
		{`(a OR b | stats count`, 0, "expected ')', found '|', to close the '('"},
		{`a [search b `, 2, "expected ']', found end of search, to close the subsearch"},
		{`a x IN ("b", "c" | stats count`, 7, "expected ')', found '|', to close the IN list"},
		{`a CASE(b | stats count`, 6, "expected ')', found '|', to close CASE("},
		{`a | eval y=if(a, "z" | stats count`, 13, "expected ')', found '|', to close the '('"},
	}
	for _, tt := range tests {
		_, errs := ParseQuery(tt.src)
		var got *Error
		for _, e := range errs {
			if e.HasRelated() {
				got = e
				break
			}
		}
		if got == nil {
			t.Errorf("%q: no error with a related place in %v", tt.src, errs)
			continue
		}
		if got.Msg != tt.msg || got.Related != (source.Span{Start: source.Pos(tt.open), End: source.Pos(tt.open + 1)}) {
			t.Errorf("%q: got %q related %v, want %q related %d", tt.src, got.Msg, got.Related, tt.msg, tt.open)
		}
		if strings.Contains(got.Msg, "offset") {
			t.Errorf("%q: message %q names a byte offset", tt.src, got.Msg)
		}
		// Shown as a diagnostic, the related place is a line:col.
		for _, d := range errs.Diagnostics(tt.src) {
			if d.RelatedLine > 0 && !strings.HasSuffix(d.Message, fmt.Sprintf(" at 1:%d", tt.open+1)) {
				t.Errorf("%q: diagnostic %q, want it to end with 1:%d", tt.src, d.Message, tt.open+1)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	for _, tt := range errorTests {
		at := strings.IndexByte(tt.src, '@')
		src := strings.Replace(tt.src, "@", "", 1)
		if tt.msg == "" {
			// Only check that there is an error, somewhere.
			if _, errs := ParseQuery(src); len(errs) == 0 {
				t.Errorf("%q: no error", src)
			}
			continue
		}
		_, errs := ParseQuery(src)
		found := false
		for _, e := range errs {
			if int(e.Pos) == at && strings.Contains(e.Msg, tt.msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: want %q at offset %d, got %v", src, tt.msg, at, errs)
			for _, e := range errs {
				t.Logf("  %d: %s", e.Pos, e.Msg)
			}
		}
	}
}

func TestPartialTreeAfterErrors(t *testing.T) {
	src := `index=x EventCode=1 | eval a= | stats count by host | where (b | table host`
	pl, errs := ParseQuery(src)
	if len(errs) < 2 {
		t.Fatalf("errors = %v, want at least 2", errs)
	}
	var names []string
	for _, c := range pl.Commands {
		names = append(names, c.Name())
	}
	if got := strings.Join(names, " "); got != "search eval stats where table" {
		t.Errorf("commands = %s", got)
	}
	diags := errs.Diagnostics(src)
	if len(diags) != len(errs) || diags[0].Line != 1 || diags[0].Col < 1 {
		t.Errorf("diagnostics = %v", diags)
	}
}

func TestDepthLimit(t *testing.T) {
	for _, src := range []string{
		strings.Repeat("(", 5000) + "a" + strings.Repeat(")", 5000),
		"a | eval x=" + strings.Repeat("(", 5000) + "1",
		strings.Repeat("NOT ", 5000) + "a",
		"a | eval x=" + strings.Repeat("-", 5000) + "1",
		strings.Repeat("[search ", 3000) + "a",
		"a | stats count(" + strings.Repeat("(", 3000),
	} {
		_, errs := ParseQuery(src)
		if len(errs) == 0 || !strings.Contains(errs.Error(), "nested deeper") {
			t.Errorf("%.30q...: errors = %v", src, errs)
		}
	}
}

func TestUnquote(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`abc`, `abc`},
		{`"a b"`, `a b`},
		{`"C:\\Windows"`, `C:\Windows`},
		{`"say \"hi\""`, `say "hi"`},
		{`"\d+\.exe"`, `\d+\.exe`},
		{`"Processes".*`, `Processes.*`},
		{`*\\AppData\\*`, `*\AppData\*`},
	}
	for _, tt := range tests {
		if got := Unquote(tt.raw); got != tt.want {
			t.Errorf("Unquote(%s) = %s, want %s", tt.raw, got, tt.want)
		}
	}
}
