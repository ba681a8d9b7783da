package python

import (
	"strings"
	"testing"
)

// sx renders an expression with its structure explicit.
func sx(e Expr) string {
	switch x := e.(type) {
	case nil:
		return "nil"
	case *BadExpr:
		return "BAD"
	case *Name:
		return x.Name
	case *Constant:
		return x.Raw
	case *Str:
		s := "'" + x.Value + "'"
		if x.FString {
			s = "f" + s
			for _, f := range x.Fields {
				s += "{" + sx(f) + "}"
			}
		}
		return s
	case *Attribute:
		return "(. " + sx(x.X) + " " + x.Attr + ")"
	case *Subscript:
		return "([] " + sx(x.X) + " " + sx(x.Index) + ")"
	case *Slice:
		return "(: " + sx(x.Lo) + " " + sx(x.Hi) + " " + sx(x.Step) + ")"
	case *Call:
		parts := []string{"call", sx(x.Func)}
		for _, a := range x.Args {
			parts = append(parts, sx(a))
		}
		for _, k := range x.Keywords {
			parts = append(parts, k.Name+"="+sx(k.Value))
		}
		return "(" + strings.Join(parts, " ") + ")"
	case *Starred:
		return "*" + sx(x.X)
	case *UnaryOp:
		return "(" + x.Op + " " + sx(x.X) + ")"
	case *BinOp:
		return "(" + x.Op + " " + sx(x.X) + " " + sx(x.Y) + ")"
	case *Compare:
		s := "(cmp " + sx(x.X)
		for i, op := range x.Ops {
			s += " " + op + " " + sx(x.Comparators[i])
		}
		return s + ")"
	case *IfExp:
		return "(ifexp " + sx(x.Cond) + " " + sx(x.Body) + " " + sx(x.Else) + ")"
	case *Lambda:
		var ps []string
		for _, p := range x.Params {
			ps = append(ps, p.Name)
		}
		return "(lambda [" + strings.Join(ps, " ") + "] " + sx(x.Body) + ")"
	case *NamedExpr:
		return "(:= " + x.Target.Name + " " + sx(x.Value) + ")"
	case *Tuple:
		return "(tuple " + sxList(x.Elts) + ")"
	case *List:
		return "(list " + sxList(x.Elts) + ")"
	case *Set:
		return "(set " + sxList(x.Elts) + ")"
	case *Dict:
		var ps []string
		for i := range x.Values {
			k := "**"
			if x.Keys[i] != nil {
				k = sx(x.Keys[i])
			}
			ps = append(ps, k+":"+sx(x.Values[i]))
		}
		return "(dict " + strings.Join(ps, " ") + ")"
	case *Comp:
		s := "(comp" + string(x.Kind) + " "
		if x.Key != nil {
			s += sx(x.Key) + ":"
		}
		s += sx(x.Elt)
		for _, g := range x.Generators {
			s += " for " + sx(g.Target) + " in " + sx(g.Iter)
			for _, c := range g.Ifs {
				s += " if " + sx(c)
			}
		}
		return s + ")"
	case *ParenExpr:
		return sx(x.X)
	case *Yield:
		return "(yield " + sx(x.X) + ")"
	}
	return "?"
}

func sxList(list []Expr) string {
	var ps []string
	for _, x := range list {
		ps = append(ps, sx(x))
	}
	return strings.Join(ps, " ")
}

var exprTests = []struct{ in, want string }{
	{`event.get("eventName") in CLOUDTRAIL_STOP_DELETE`, `(cmp (call (. event get) 'eventName') in CLOUDTRAIL_STOP_DELETE)`},
	{`a and b or not c and d`, `(or (and a b) (and (not c) d))`},
	{`not a == b`, `(not (cmp a == b))`},
	{`a not in b`, `(cmp a not in b)`},
	{`a is not None`, `(cmp a is not None)`},
	{`0 < x <= 10`, `(cmp 0 < x <= 10)`},
	{`-x ** 2`, `(- (** x 2))`},
	{`2 ** -1`, `(** 2 (- 1))`},
	{`a + b * c - d // e % f`, `(- (+ a (* b c)) (% (// d e) f))`},
	{`a | b ^ c & d << 1`, `(| a (^ b (& c (<< d 1))))`},
	{`x if c else y`, `(ifexp c x y)`},
	{`lambda d, key: d.get(key, default)`, `(lambda [d key] (call (. d get) key default))`},
	{`deep_get(event, "a", "b", default="")`, `(call deep_get event 'a' 'b' default='')`},
	{`event.deep_get("requestParameters", "name", default="<UNKNOWN>")`, `(call (. event deep_get) 'requestParameters' 'name' default='<UNKNOWN>')`},
	{`event["a"]["b"]`, `([] ([] event 'a') 'b')`},
	{`x[1:2]`, `([] x (: 1 2 nil))`},
	{`x[::2]`, `([] x (: nil nil 2))`},
	{`x[a, b:c]`, `([] x (tuple a (: b c nil)))`},
	{`f(*args, **kw)`, `(call f *args =kw)`},
	{`any(x in name for x in SUSPICIOUS)`, `(call any (comp( (cmp x in name) for x in SUSPICIOUS))`},
	{`[k for k, v in d.items() if v]`, `(comp[ k for (tuple k v) in (call (. d items)) if v)`},
	{`{k: v for k, v in x}`, `(comp{ k:v for (tuple k v) in x)`},
	{`{a for a in b}`, `(comp{ a for a in b)`},
	{`{"a": 1, **rest}`, `(dict 'a':1 **:rest)`},
	{`{"a", "b"}`, `(set 'a' 'b')`},
	{`{}`, `(dict )`},
	{`()`, `(tuple )`},
	{`(a,)`, `(tuple a)`},
	{`[1, 2,]`, `(list 1 2)`},
	{`(y := f(x))`, `(:= y (call f x))`},
	{`"a" "b" 'c'`, `'abc'`},
	{`"tab\there" + r"\d+"`, "(+ 'tab\there' '\\d+')"},
	{`f"User [{event.deep_get('userIdentity', 'arn')}] did {action!r:>10}"`,
		`f'User [{event.deep_get('userIdentity', 'arn')}] did {action!r:>10}'{(call (. event deep_get) 'userIdentity' 'arn')}{action}`},
	{`f"{{literal}} {x=}"`, `f'{literal} {x=}'{x}`},
	{`f"{a['b']}"`, `f'{a['b']}'{([] a 'b')}`},
	{`"""doc
string"""`, "'doc\nstring'"},
	{`a, *b`, `(tuple a *b)`},
	{`await x`, `(await x)`},
	{`x.y.z()`, `(call (. (. x y) z))`},
	{`"\x41\u0042\101"`, `'ABA'`},
}

func TestParseExpr(t *testing.T) {
	for _, tt := range exprTests {
		e, errs := ParseExpr(tt.in)
		if len(errs) > 0 {
			t.Errorf("%s: %v", tt.in, errs)
			continue
		}
		if got := sx(e); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.in, got, tt.want)
		}
		printed := PrintExpr(e)
		e2, errs2 := ParseExpr(printed)
		if len(errs2) > 0 || dump(e2) != dump(e) {
			t.Errorf("%s: printed %q reparses differently (%v)", tt.in, printed, errs2)
		}
	}
}

const sampleRule = `from panther_aws_helpers import aws_cloudtrail_success, aws_rule_context
import panther_base_helpers as base
from global_filter_cloudtrail import filter_include_event

# API calls that are indicative of CloudTrail changes
CLOUDTRAIL_STOP_DELETE = {
    "DeleteTrail",
    "StopLogging",
}


def rule(event):
    if not filter_include_event(event):
        return False
    if event.get("errorCode"):  # failed calls do not count
        return False
    return aws_cloudtrail_success(event) and event.get("eventName") in CLOUDTRAIL_STOP_DELETE


@decorator(arg)
def title(event) -> str:
    for key in ("a", "b"):
        if key in event:
            break
    else:
        pass
    try:
        x = int(event.get("n", 0))
    except (ValueError, TypeError) as err:
        x = 0
    finally:
        y = 1
    with open("f") as fh, other():
        data = fh.read()
    while x > 0:
        x -= 1
    match event.get("kind", default="x"):
        case "a" | "b" as kind if kind:
            return "ab"
        case [first, *rest]:
            return first
        case {"k": v, **others}:
            return v
        case Point(x=0):
            return "origin"
        case _:
            pass
    result: dict = {}
    a = b = c = 1; d = 2
    del a, b
    global GLOBAL
    assert x, "message"
    lambda: 0
    raise ValueError("bad") from None
    return f"CloudTrail [{dedup(event)}] was stopped" \
        " and more"


class Helper(Base, metaclass=Meta):
    """Docstring."""

    async def run(self, *args, key=None, **kwargs):
        async with lock:
            await self.go()
        return [i async for i in aiter()]
`

func TestParseModule(t *testing.T) {
	mod, errs := Parse(sampleRule)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs.Diagnostics(sampleRule))
	}
	var names []string
	for _, s := range mod.Body {
		switch x := s.(type) {
		case *FunctionDef:
			names = append(names, "def "+x.Name.Name)
		case *ClassDef:
			names = append(names, "class "+x.Name.Name)
		case *Assign:
			names = append(names, "assign "+sx(x.Targets[0]))
		case *Import, *ImportFrom:
			names = append(names, "import")
		}
	}
	if got, want := strings.Join(names, ", "), "import, import, import, assign CLOUDTRAIL_STOP_DELETE, def rule, def title, class Helper"; got != want {
		t.Errorf("top-level statements:\n got %s\nwant %s", got, want)
	}
	rule := mod.Func("rule")
	if rule == nil || len(rule.Body) != 3 {
		t.Fatalf("rule() body: %+v", rule)
	}
	if r, ok := rule.Body[2].(*Return); !ok || sx(r.Value) != `(and (call aws_cloudtrail_success event) (cmp (call (. event get) 'eventName') in CLOUDTRAIL_STOP_DELETE))` {
		t.Errorf("return: %s", sx(rule.Body[2].(*Return).Value))
	}
	title := mod.Func("title")
	if len(title.Decorators) != 1 || title.Returns == nil {
		t.Errorf("title decorators/returns: %+v", title)
	}
	checkSpans(t, "sample", sampleRule, mod)
	roundTrip(t, "sample", sampleRule, mod)
}

var errorTests = []struct {
	in   string
	want string // first error
	keep string // a function the partial module still has ("" for none)
}{
	{"def rule(event):\n    return event.get(\"a\") ==\n\ndef title(event):\n    return 'x'\n",
		"2:29: expected an expression, found end of line", "title"},
	{"def rule(event)\n    return True\n", "1:16: expected ':' after the function signature, found end of line", "rule"},
	{"def rule(event):\nreturn True\n", "2:1: expected an indented block", "rule"},
	{"def rule(event):\n    if x:\n        return 1\n      return 2\n", "4:7: unindent does not match any outer indentation level", "rule"},
	{"x = 'abc\ny = 2\n", "1:5: string literal not terminated before the end of the line", ""},
	{"x = (1, 2\ndef rule(event):\n    return True\n", "1:10: expected ')', found end of line, to close the tuple opened at 1:5", "rule"},
	{"def rule(event):\n    return f(\n        event.get('a'),\n        event.get('b')\n    x = 1\n", "5:5: expected ')', found 'x', to close the call opened at 2:13", "rule"},
	{"else:\n    pass\ndef rule(e):\n    return 1\n", "1:1: 'else' without a matching statement before it", "rule"},
	{"x = $\n", "1:5: illegal character \"$\"", ""},
	{"if a ! b:\n    pass\n", "1:6: '!' is not a Python operator (use not)", ""},
	{"f'{}'\n", "1:3: f-string: empty expression not allowed", ""},
	{"f'{a b}'\n", "1:6: f-string: unexpected 'b' in the replacement field", ""},
	{"def f(:\n    pass\ndef rule(e):\n    return 1\n", "1:7: expected a parameter name, found ':'", "rule"},
	{"x = 1 +\ny = 2\n", "1:8: expected an expression, found end of line", ""},
	{"try:\n    pass\nx = 1\n", "3:1: expected 'except' or 'finally' after the try block, found 'x'", ""},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range errorTests {
		mod, errs := Parse(tt.in)
		if len(errs) == 0 {
			t.Errorf("%q: no error", tt.in)
			continue
		}
		d := errs.Diagnostics(tt.in)[0]
		got := strings.TrimSuffix(d.String(), " ["+d.Code+"]")
		if !strings.HasPrefix(got, tt.want) {
			t.Errorf("%q:\n first error %q\n        want %q", tt.in, got, tt.want)
		}
		if tt.keep != "" && mod.Func(tt.keep) == nil {
			t.Errorf("%q: the partial module lost %s()", tt.in, tt.keep)
		}
		checkSpans(t, tt.in, tt.in, mod)
	}
}

func TestDepthLimit(t *testing.T) {
	for _, src := range []string{
		"x = " + strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000) + "\n",
		"x = " + strings.Repeat("not ", 5000) + "a\n",
		"x = " + strings.Repeat("-", 5000) + "a\n",
		"x = " + strings.Repeat("[", 5000) + "\n",
	} {
		mod, errs := Parse(src)
		if len(errs) == 0 {
			t.Errorf("no error for deep nesting")
			continue
		}
		found := false
		for _, e := range errs {
			found = found || e.Code == CodeTooDeep
		}
		if !found {
			t.Errorf("no depth error: %v", errs[0])
		}
		checkSpans(t, "deep", src, mod)
	}
	var b strings.Builder
	for i := range 300 {
		b.WriteString(strings.Repeat(" ", i) + "if x:\n")
	}
	b.WriteString(strings.Repeat(" ", 300) + "pass\n")
	if _, errs := Parse(b.String()); len(errs) == 0 || errs[0].Code != CodeTooDeep {
		t.Errorf("deep blocks: %v", errs)
	}
}
