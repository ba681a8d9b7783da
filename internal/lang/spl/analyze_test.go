package spl

import (
	"fmt"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/rule"
)

func explain(t *testing.T, src string, macros *Macros, opt ExplainOptions) *Explanation {
	t.Helper()
	e := Expand(src, macros, ExpandOptions{Fallback: func(name string, n int) *Macro {
		if n == 0 && strings.HasSuffix(name, "_filter") {
			return &Macro{Name: name, Definition: "search *"}
		}
		return nil
	}})
	pl, errs := ParseQuery(e.Text)
	if len(errs) > 0 {
		t.Fatalf("%q: %v", e.Text, errs)
	}
	return Explain(pl, e.Text, e, opt)
}

// indicators renders indicators one a line: field kind values {transforms}.
func indicators(list []rule.Indicator) string {
	var lines []string
	for _, in := range list {
		var vs []string
		for _, v := range in.Values {
			s := v.Value
			if len(v.Transforms) > 0 {
				s += "{" + strings.Join(v.Transforms, ",") + "}"
			}
			vs = append(vs, s)
		}
		lines = append(lines, fmt.Sprintf("%s %s %s", in.Field, in.Kind, strings.Join(vs, "|")))
	}
	return strings.Join(lines, "\n")
}

func TestExplainPredicates(t *testing.T) {
	tests := []struct {
		src        string
		indicators string
		exclusions string
	}{
		{`EventCode=1 Image="*\\cmd.exe" CommandLine="* /c *" ParentImage=C:\\Windows\\explorer.exe`,
			"EventCode eq 1\nImage ends_with \\cmd.exe\nCommandLine contains  /c \nParentImage eq C:\\Windows\\explorer.exe", ""},
		{`f=abc* g=*a*b* h=* i=**`, "f starts_with abc\ng match *a*b*{wildcard}\nh is_not_null \ni is_not_null ", ""},
		{`f IN ("a.exe", "b.exe", *x*, y*) NOT g IN (c, d)`, "f contains x\nf starts_with y\nf in a.exe|b.exe", "g in c|d"},
		// Top-level NOT and != are exclusions, kept with the positive kind.
		{`a=1 NOT b=2 c!=3 NOT (d=4 OR e=*x*)`, "a eq 1", "b eq 2\nc eq 3\nd eq 4\ne contains x"},
		// Under OR a negation is the opposite kind.
		{`(a=1 OR b!=2 OR NOT c>3 OR NOT d=*) e=5`, "a eq 1\nb ne 2\nc le 3\nd is_null \ne eq 5", ""},
		{`NOT NOT a=1`, "a eq 1", ""},
		{`host=CASE(Web01) "failed login" error*`, "host eq Web01{cased}\n_raw match failed login|error*{wildcard}", ""},
		{`x>10 y<=2`, "x gt 10\ny le 2", ""},
		// A CIDR value matches its address range (any field), alone or in a list.
		{`src=10.0.0.0/8 dest_ip IN (192.168.0.0/16, "fe80::/10", 8.8.8.8) dest_ip!=172.16.0.0/12 (a=1 OR ip!=127.0.0.0/8) path=a/b note=x.x.x.x/22`,
			"src cidr 10.0.0.0/8\ndest_ip in 8.8.8.8\ndest_ip cidr 192.168.0.0/16|fe80::/10\na eq 1\npath eq a/b\nnote eq x.x.x.x/22",
			"dest_ip cidr 172.16.0.0/12\nip cidr 127.0.0.0/8"}, // cidr has no opposite kind: negated under OR too
		// Eval comparisons are case-sensitive; lower() folds.
		{`* | where x="A" AND y==2 AND lower(z)="b" AND 'q r'!="c"`, "x eq A{cased}\ny eq 2\nz eq b", "q r eq c{cased}"},
		{`* | where like(p, "%cmd%") OR p LIKE "x%" OR like(lower(p), "%.exe") OR like(p, "a%b") OR like(p, "plain")`,
			"p contains cmd{cased}\np starts_with x{cased}\np ends_with .exe\np match a%b{wildcard,cased}\np eq plain{cased}", ""},
		{`* | where match(cmd, "(?i)-enc") AND NOT isnull(u) AND isnotnull(v) AND cidrmatch("10.0.0.0/8", ip)`,
			"cmd regex (?i)-enc\nv is_not_null \nip cidr 10.0.0.0/8", "u is_null "},
		{`* | where x IN ("a", "b") AND in(y, 1, 2) AND NOT z IN ("c")`, "x in a{cased}|b{cased}\ny in 1|2", "z in c{cased}"},
		{`* | where NOT new_ace IN (old_values)`, "", "new_ace in old_values{field_ref}"},
		{`| mstats avg(x) as io where index=kubernetes_metrics by pod`, "", ""},
		{`* | where src != dest AND count > 5 AND len(process) > 100 AND t > relative_time(now(), "-1d")`,
			"count gt 5\nlen(process) gt 100\nt gt relative_time(now(), \"-1d\"){expression}", "src eq dest{field_ref}"},
		{`* | where 5 < count`, "count gt 5", ""},
		{`* | regex process!="^cmd" | regex "x+"`, "_raw regex x+", "process regex ^cmd"},
		{`| tstats count from datamodel=Network_Resolution where nodename=DNS DNS.query=*.ru by DNS.src`, "DNS.query ends_with .ru", ""},
		{`| inputlookup x.csv where enabled=true`, "enabled eq true", ""},
		// Subsearches count too.
		{`* | join user [search index=x EventCode=4624]`, "index eq x\nEventCode eq 4624", ""},
	}
	for _, tt := range tests {
		ex := explain(t, tt.src, nil, ExplainOptions{})
		if got := indicators(ex.Analysis.Indicators); got != tt.indicators {
			t.Errorf("%q indicators:\n%s\nwant\n%s", tt.src, got, tt.indicators)
		}
		if got := indicators(ex.Analysis.Exclusions); got != tt.exclusions {
			t.Errorf("%q exclusions:\n%s\nwant\n%s", tt.src, got, tt.exclusions)
		}
	}
}

func TestExplainStructure(t *testing.T) {
	ms := testMacros()
	src := "| tstats `summaries` count min(_time) as firstTime from datamodel=Endpoint.Processes where Processes.parent_process_name=mmc.exe by Processes.dest Processes.process_name" +
		" | `drop_dm_object_name(Processes)` | eval a=1 | eval b=2, c=3 | `ctime(firstTime)` | lookup t process_name OUTPUT risk AS r" +
		" | rex field=dest \"(?<host>[^.]+)\\.(?P<domain>.*)\" | table dest host r firstTime | `my_rule_filter`"
	ex := explain(t, src, ms, ExplainOptions{FilterMacro: "my_rule_filter"})
	a := ex.Analysis
	var stages []string
	for _, s := range a.Stages {
		stages = append(stages, fmt.Sprintf("%s/%d", s.Kind, s.Steps))
	}
	if got := strings.Join(stages, " "); got != "tstats/1 rename/1 eval/2 convert/1 lookup/1 rex/1 table/1 search/1" {
		t.Errorf("stages = %s", got)
	}
	if got := a.Stages[2].Text; got != "eval a=1 | eval b=2, c=3" {
		t.Errorf("merged eval text = %q", got)
	}
	if !strings.Contains(a.Stages[1].Note, "drop_dm_object_name(Processes)") || !strings.Contains(a.Stages[7].Note, "exclusion hook") {
		t.Errorf("notes = %q, %q", a.Stages[1].Note, a.Stages[7].Note)
	}
	var outs []string
	for _, o := range a.Outputs {
		outs = append(outs, o.Field+"/"+o.Source)
	}
	if got := strings.Join(outs, " "); got != "dest/table host/table r/table firstTime/table" {
		t.Errorf("outputs = %s", got)
	}
	if got := strings.Join(ex.GroupBy, " "); got != "Processes.dest Processes.process_name" {
		t.Errorf("group by = %s", got)
	}
	if got := strings.Join(a.Tables, " "); got != "Endpoint.Processes" {
		t.Errorf("tables = %s", got)
	}
	if got := strings.Join(ex.Lookups, " "); got != "t" {
		t.Errorf("lookups = %s", got)
	}
	var params []string
	for _, p := range a.Parameters {
		params = append(params, p.Name)
	}
	if got := strings.Join(params, " "); got != "summaries summariesonly_config drop_dm_object_name(object) ctime(field) my_rule_filter" {
		t.Errorf("parameters = %s", got)
	}
	if last := a.Parameters[len(a.Parameters)-1]; last.Text != "search *" || !strings.Contains(last.Note, "exclusion hook") || !ex.FilterMacroUsed {
		t.Errorf("filter parameter = %+v", last)
	}
}

func TestExplainOutputsWithoutTable(t *testing.T) {
	ex := explain(t, `index=x | stats count by user, src | rename src as source_ip | eval risk=count*2 | fields - count`, nil, ExplainOptions{})
	var outs []string
	for _, o := range ex.Analysis.Outputs {
		outs = append(outs, o.Field+"/"+o.Source)
	}
	if got := strings.Join(outs, " "); got != "user/stats source_ip/rename risk/eval" {
		t.Errorf("outputs = %s", got)
	}
	if got := strings.Join(ex.GroupBy, " "); got != "user src" {
		t.Errorf("group by = %s", got)
	}
	if got := strings.Join(ex.Analysis.Tables, " "); got != "x" {
		t.Errorf("tables = %s", got)
	}
}

func TestExplainSubsearchBindings(t *testing.T) {
	ex := explain(t, `index=a | append [| tstats count from datamodel=Web where Web.url=*evil* by Web.src] | stats count by src`, nil, ExplainOptions{})
	a := ex.Analysis
	if len(a.Bindings) != 1 || a.Bindings[0].Name != "subsearch 1" {
		t.Fatalf("bindings = %+v", a.Bindings)
	}
	var stages []string
	for _, s := range a.Stages {
		stages = append(stages, s.Pipeline+":"+s.Kind)
	}
	if got := strings.Join(stages, " "); got != "main:search main:append subsearch 1:tstats main:stats" {
		t.Errorf("stages = %s", got)
	}
	if got := strings.Join(a.Tables, " "); got != "a Web" {
		t.Errorf("tables = %s", got)
	}
}

func TestGlob(t *testing.T) {
	caps, ok := globMatch("Processes.*", "Processes.dest")
	if !ok || globFill("*", caps) != "dest" {
		t.Errorf("globMatch = %v %v", caps, ok)
	}
	if _, ok := globMatch("a*b*c", "axxbyyc"); !ok {
		t.Error("a*b*c")
	}
	if _, ok := globMatch("a*c", "ab"); ok {
		t.Error("a*c matched ab")
	}
	if got := regexGroupNames(`(?<a>x)(?P<b>y)(?:z)(?<=w)\(?<c>`); strings.Join(got, " ") != "a b" {
		t.Errorf("groups = %v", got)
	}
}

func TestExplainTables(t *testing.T) {
	tests := []struct{ src, want string }{
		{`| mstats avg(x) as io where index=kubernetes_metrics by pod`, "kubernetes_metrics"},
		{`| from datamodel Web.Web | stats count`, "Web.Web"},
		{`| from datamodel:Risk.All_Risk`, "Risk.All_Risk"},
		{`| datamodel Endpoint Processes search | stats count`, "Endpoint.Processes"},
		{`| tstats count from datamodel=Network_Resolution where nodename=DNS by x`, "Network_Resolution.DNS"},
		{`| tstats count from datamodel=Endpoint.Processes where nodename=Processes.Remote by x`, "Endpoint.Processes.Remote"},
		{`index=main sourcetype=aws:* (source=a OR source=b) NOT index=c`, "main aws:* a b"},
	}
	for _, tt := range tests {
		ex := explain(t, tt.src, nil, ExplainOptions{})
		if got := strings.Join(ex.Analysis.Tables, " "); got != tt.want {
			t.Errorf("%q: tables = %q, want %q", tt.src, got, tt.want)
		}
	}
}
