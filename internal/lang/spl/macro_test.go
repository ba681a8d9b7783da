package spl

import (
	"fmt"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/source"
)

func testMacros() *Macros {
	ms := NewMacros()
	for _, m := range []*Macro{
		{Name: "sysmon", Definition: "sourcetype=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational"},
		{Name: "summaries", Definition: "summariesonly=`summariesonly_config` allow_old_summaries=true"},
		{Name: "summariesonly_config", Definition: "false"},
		{Name: "ctime", Args: []string{"field"}, Definition: `convert timeformat="%Y" ctime($field$)`},
		{Name: "drop_dm_object_name", Args: []string{"object"}, Definition: "rename $object$.* AS *"},
		{Name: "pair", Args: []string{"a", "b"}, Definition: "eval $a$=$b$, $b$_copy=$b$ $unknown$"},
		{Name: "pair", Args: []string{"only"}, Definition: "eval only=$only$"},
		{Name: "loop", Definition: "a `loop`"},
		{Name: "ping", Definition: "`pong`"},
		{Name: "pong", Definition: "`ping`"},
		{Name: "outer", Args: []string{"x"}, Definition: "search `inner($x$)`"},
		{Name: "inner", Args: []string{"y"}, Definition: "y=$y$ `sysmon`"},
	} {
		ms.Add(m)
	}
	return ms
}

func TestExpand(t *testing.T) {
	filter := ExpandOptions{Fallback: func(name string, n int) *Macro {
		if n == 0 && strings.HasSuffix(name, "_filter") {
			return &Macro{Name: name, Definition: "search *"}
		}
		return nil
	}}
	tests := []struct {
		src, want string
		uses      []string // names of the macros used, in order, "!" marks one left unexpanded
		errs      []string // codes
	}{
		{"`sysmon` EventCode=1", "sourcetype=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational EventCode=1", []string{"sysmon"}, nil},
		// Nested macros, inside a definition.
		{"| tstats `summaries` count", "| tstats summariesonly=false allow_old_summaries=true count", []string{"summaries", "summariesonly_config"}, nil},
		// Positional arguments and $arg$ substitution; unknown $x$ stays.
		{"a | `ctime(firstTime)`", `a | convert timeformat="%Y" ctime(firstTime)`, []string{"ctime"}, nil},
		{"a | `pair(x, \"1, 2\")`", `a | eval x="1, 2", "1, 2"_copy="1, 2" $unknown$`, []string{"pair"}, nil},
		// Named arguments, in any order.
		{"a | `pair(b=y, a=x)`", `a | eval x=y, y_copy=y $unknown$`, []string{"pair"}, nil},
		// Overloads by argument count.
		{"a | `pair(z)`", `a | eval only=z`, []string{"pair"}, nil},
		// Arguments that are macros themselves get expanded after substitution.
		{"`outer(7)`", "search y=7 sourcetype=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational", []string{"outer", "inner", "sysmon"}, nil},
		// The quoted-argument form of drop_dm_object_name.
		{"a | `drop_dm_object_name(\"Authentication\")`", `a | rename "Authentication".* AS *`, []string{"drop_dm_object_name"}, nil},
		// Not expanded: inside quoted strings and comments.
		{"a=\"`sysmon`\" ```see `sysmon` ``` b", "a=\"`sysmon`\" ```see `sysmon` ``` b", nil, nil},
		// A backslash escapes a quote outside strings.
		{"a=\\\"x `sysmon`", "a=\\\"x sourcetype=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational", []string{"sysmon"}, nil},
		// The filter hook comes from the fallback.
		{"a | `my_detection_filter`", "a | search *", []string{"my_detection_filter"}, nil},
		// Problems: unknown macro, wrong argument count, recursion, bad call.
		{"a | `nope(1)` | b", "a | `nope(1)` | b", []string{"!nope"}, []string{CodeMacroUnknown}},
		{"a | `ctime`", "a | `ctime`", []string{"!ctime"}, []string{CodeMacroArgs}},
		{"`loop`", "a `loop`", []string{"loop", "!loop"}, []string{CodeMacroCycle}},
		{"`ping`", "`ping`", []string{"ping", "pong", "!ping"}, []string{CodeMacroCycle}},
		{"a `bad name(`", "a `bad name(`", []string{"!bad name"}, []string{CodeMacroSyntax}},
		{"a `open", "a `open", nil, []string{CodeMacroSyntax}},
	}
	for _, tt := range tests {
		e := Expand(tt.src, testMacros(), filter)
		if e.Text != tt.want {
			t.Errorf("Expand(%q)\n got %q\nwant %q", tt.src, e.Text, tt.want)
		}
		var uses []string
		for _, u := range e.Uses {
			if u.Macro == nil {
				uses = append(uses, "!"+u.Name)
			} else {
				uses = append(uses, u.Name)
			}
		}
		if strings.Join(uses, " ") != strings.Join(tt.uses, " ") {
			t.Errorf("Expand(%q): uses %v, want %v", tt.src, uses, tt.uses)
		}
		var codes []string
		for _, er := range e.Errors {
			codes = append(codes, er.Code)
			if er.Pos < 0 || int(er.End) > len(tt.src) || er.End < er.Pos {
				t.Errorf("Expand(%q): error span [%d,%d) outside the source", tt.src, er.Pos, er.End)
			}
		}
		if strings.Join(codes, " ") != strings.Join(tt.errs, " ") {
			t.Errorf("Expand(%q): errors %v, want codes %v", tt.src, e.Errors, tt.errs)
		}
	}
}

func TestExpansionPositions(t *testing.T) {
	src := "`sysmon` EventCode=1 | `ctime(firstTime)` | eval x=1"
	e := Expand(src, testMacros(), ExpandOptions{})
	// Text copied from the source maps byte for byte.
	for _, s := range []string{"EventCode=1", "eval x=1"} {
		exp := strings.Index(e.Text, s)
		if got := e.SourcePos(source.Pos(exp)); int(got) != strings.Index(src, s) {
			t.Errorf("SourcePos(%q) = %d, want %d", s, got, strings.Index(src, s))
		}
	}
	// Text from an expansion maps to its call.
	exp := strings.Index(e.Text, "ctime(firstTime)")
	if got := e.SourcePos(source.Pos(exp)); int(got) != strings.Index(src, "`ctime") {
		t.Errorf("SourcePos(inside expansion) = %d, want %d", got, strings.Index(src, "`ctime"))
	}
	a, b := e.SourceSpan(source.Pos(exp), source.Pos(exp+5))
	if src[a:b] != "`ctime(firstTime)`" {
		t.Errorf("SourceSpan = %q", src[a:b])
	}
	if u := e.UseAt(source.Pos(exp)); u == nil || u.Name != "ctime" || e.Text[u.ExpPos:u.ExpEnd] != `convert timeformat="%Y" ctime(firstTime)` {
		t.Errorf("UseAt = %+v", u)
	}
	if got := e.SourcePos(source.Pos(len(e.Text))); int(got) != len(src) {
		t.Errorf("SourcePos(end) = %d, want %d", got, len(src))
	}
	// A parse error inside an expansion is reported at the call.
	e = Expand("a | `pair(x, )`", testMacros(), ExpandOptions{})
	_, errs := ParseQuery(e.Text)
	if len(errs) == 0 {
		t.Fatalf("no parse error in %q", e.Text)
	}
	if p := e.SourcePos(errs[0].Pos); p != 4 {
		t.Errorf("error maps to %d, want 4 (the call)", p)
	}
}

func TestExpandLimits(t *testing.T) {
	// Each level doubles: 32 KiB << 15 = 1 GiB if nothing stopped it.
	doubling := func(levels int, leaf string) *Macros {
		ms := NewMacros()
		ms.Add(&Macro{Name: "m0", Definition: leaf})
		for i := 1; i <= levels; i++ {
			prev := fmt.Sprintf("`m%d`", i-1)
			ms.Add(&Macro{Name: fmt.Sprintf("m%d", i), Definition: prev + " " + prev})
		}
		return ms
	}
	for _, tt := range []struct {
		name   string
		macros *Macros
		call   string
		msg    string
	}{
		{"size", doubling(15, strings.Repeat("x", 32<<10)), "`m15`", "longer than"},
		{"depth", doubling(MaxMacroDepth+5, "x"), fmt.Sprintf("`m%d`", MaxMacroDepth+5), "nested deeper"},
		{"calls", doubling(18, "x"), "`m18`", "macro calls"},
	} {
		e := Expand(tt.call, tt.macros, ExpandOptions{})
		if len(e.Text) > MaxExpandedLen+1<<12 {
			t.Errorf("%s: expanded to %d bytes", tt.name, len(e.Text))
		}
		if len(e.Uses) > MaxMacroCalls {
			t.Errorf("%s: %d uses", tt.name, len(e.Uses))
		}
		if len(e.Errors) > 2 {
			t.Errorf("%s: %d errors, want one or two", tt.name, len(e.Errors))
		}
		found := false
		for _, er := range e.Errors {
			found = found || er.Code == CodeMacroTooLarge && strings.Contains(er.Msg, tt.msg)
		}
		if !found {
			t.Errorf("%s: no %s error about %q: %v", tt.name, CodeMacroTooLarge, tt.msg, e.Errors)
		}
	}
}
