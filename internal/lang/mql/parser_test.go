package mql

import (
	"strings"
	"testing"
)

// sexpr renders a tree with its structure explicit, for tests.
func sexpr(e Expr) string {
	var b strings.Builder
	var walk func(Expr)
	list := func(name string, xs []Expr) {
		b.WriteString("(" + name)
		for _, x := range xs {
			b.WriteByte(' ')
			walk(x)
		}
		b.WriteByte(')')
	}
	walk = func(e Expr) {
		switch x := e.(type) {
		case nil:
			b.WriteString("nil")
		case *BadExpr:
			b.WriteString("BAD")
		case *Ident:
			b.WriteString(x.Name)
		case *Elem:
			b.WriteString("elem" + strings.Repeat("^", x.Depth-1))
		case *ListRef:
			b.WriteString(x.Name)
		case *BasicLit:
			if x.Kind == LitString {
				b.WriteString("'" + x.Value + "'")
			} else {
				b.WriteString(x.Raw)
			}
		case *Selector:
			b.WriteString("(. ")
			walk(x.X)
			b.WriteString(" " + x.Sel + ")")
		case *Index:
			b.WriteString("(index ")
			walk(x.X)
			b.WriteByte(' ')
			walk(x.Index)
			b.WriteByte(')')
		case *Slice:
			b.WriteString("(slice ")
			walk(x.X)
			b.WriteByte(' ')
			walk(x.Lo)
			b.WriteByte(' ')
			walk(x.Hi)
			b.WriteByte(')')
		case *Call:
			list("call "+x.FuncName(), x.Args)
		case *KeyValue:
			b.WriteString("(= " + x.Key + " ")
			walk(x.Value)
			b.WriteByte(')')
		case *ListLit:
			list("list", x.Elems)
		case *ParenExpr:
			walk(x.X)
		case *UnaryExpr:
			b.WriteString("(" + x.Op + " ")
			walk(x.X)
			b.WriteByte(')')
		case *BinaryExpr:
			b.WriteString("(" + x.Op + " ")
			walk(x.X)
			b.WriteByte(' ')
			walk(x.Y)
			b.WriteByte(')')
		case *OfExpr:
			b.WriteString("(of ")
			walk(x.Count)
			b.WriteByte(' ')
			list("", x.List)
			b.WriteByte(')')
		}
	}
	walk(e)
	return b.String()
}

var exprTests = []struct{ in, want string }{
	{`type.inbound`, `(. type inbound)`},
	{`sender.email.domain.root_domain == "docsend.com"`, `(== (. (. (. sender email) domain) root_domain) 'docsend.com')`},
	{`a and b or c and not d`, `(or (and a b) (and c (not d)))`},
	{`not a == b`, `(not (== a b))`},
	{`not not a`, `(not (not a))`},
	{`a in ("x", 'y''s')`, `(in a (list 'x' 'y's'))`},
	{`a in~ $org_domains`, `(in~ a $org_domains)`},
	{`a not in $free_email_providers`, `(not in a $free_email_providers)`},
	{`a not in~ ("x",)`, `(not in~ a (list 'x'))`},
	{`a =~ "x" and b !~ "y"`, `(and (=~ a 'x') (!~ b 'y'))`},
	{`headers.in_reply_to is null`, `(is (. headers in_reply_to) null)`},
	{`.name is not null`, `(is not (. elem name) null)`},
	{`any(attachments, .file_extension in~ ("html", "htm"))`, `(call any attachments (in~ (. elem file_extension) (list 'html' 'htm')))`},
	{`any(body.links, any(.x, ..href_url.url == .))`, `(call any (. body links) (call any (. elem x) (== (. (. elem^ href_url) url) elem)))`},
	{`network.whois(sender.email.domain).days_old < 30`, `(< (. (call network.whois (. (. sender email) domain)) days_old) 30)`},
	{`any(ml.nlu_classifier(body.current_thread.text).intents, .name == "cred_theft" and .confidence in ("medium", "high"))`,
		`(call any (. (call ml.nlu_classifier (. (. body current_thread) text)) intents) (and (== (. elem name) 'cred_theft') (in (. elem confidence) (list 'medium' 'high'))))`},
	{`profile.by_sender().prevalence in ("new", "outlier")`, `(in (. (call profile.by_sender) prevalence) (list 'new' 'outlier'))`},
	{`2 of (a, b, c)`, `(of 2 ( a b c))`},
	{`none of (a, b)`, `(of none ( a b))`},
	{`attachments[0].file_type == "pdf"`, `(== (. (index attachments 0) file_type) 'pdf')`},
	{`body.current_thread.text[0:100]`, `(slice (. (. body current_thread) text) 0 100)`},
	{`x[:3]`, `(slice x nil 3)`},
	{`0 < length(body.links) < 20`, `(< (< 0 (call length (. body links))) 20)`},
	{`length(a) + 1 * 2 - 3 > -1`, `(> (- (+ (call length a) (* 1 2)) 3) (- 1))`},
	{`ml.link_analysis(., mode="aggressive").credphish.disposition == "phishing"`,
		`(== (. (. (call ml.link_analysis elem (= mode 'aggressive')) credphish) disposition) 'phishing')`},
	{"a // comment\n  and b // more", `(and a b)`},
	{`flatten([recipients.to, recipients.cc])`, `(call flatten (list (. recipients to) (. recipients cc)))`},
	{`"line\nnext \u{1F600}" == x`, "(== 'line\nnext \U0001F600' x)"},
	{`coalesce(a, b) == 1.5`, `(== (call coalesce a b) 1.5)`},
	{`(a or b) and c`, `(and (or a b) c)`},
	{`beta.file.parse_ics(.).product_id`, `(. (call beta.file.parse_ics elem) product_id)`},
	{`x.type == "a" and .in`, `(and (== (. x type) 'a') (. elem in))`},
}

func TestParseExpr(t *testing.T) {
	for _, tt := range exprTests {
		e, errs := ParseExpr(tt.in)
		if len(errs) > 0 {
			t.Errorf("%s: %v", tt.in, errs)
			continue
		}
		if got := sexpr(e); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.in, got, tt.want)
		}
		printed := Print(e)
		e2, errs2 := ParseExpr(printed)
		if len(errs2) > 0 || sexpr(e2) != tt.want {
			t.Errorf("%s: printed %q reparses to %s (%v)", tt.in, printed, sexpr(e2), errs2)
		}
	}
}

var errorTests = []struct {
	in   string
	want string // first error, "line:col: message"
	tree string // the partial tree
}{
	{`a == `, `1:6: expected an expression, found end of source`, `(== a BAD)`},
	{`a = "x"`, `1:3: '=' is not an MQL operator (use == to compare)`, `a`},
	{`a and (b or c`, `1:14: expected ')', found end of source, to close the '(' at 1:7`, `(and a (or b c))`},
	{`"abc`, `1:1: string not terminated`, `'abc'`},
	{`a ! b`, `1:3: '!' is not an MQL operator (use not)`, `a`},
	{`a b and c`, `1:3: unexpected 'b' after the expression`, `(and a c)`},
	{`any(x, .y == "z"`, `1:17: expected ')', found end of source, to close the '(' at 1:4`, `(call any x (== (. elem y) 'z'))`},
	{"type.inbound\nand any(headers.hops,\n  .index == 0", `3:14: expected ')', found end of source, to close the '(' at 2:8`, ``},
	{`"bad \q escape"`, `1:1: invalid escape sequence in string`, `'bad '`},
	{`a.`, `1:3: expected a field name after '.', found end of source`, `a`},
	{`x[]`, `1:3: expected an index, found ']'`, `(index x BAD)`},
	{`2 of a`, `1:6: expected '(' after 'of', found 'a'`, ``},
	{`a and € and b`, `1:7: illegal character "€"`, ``},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range errorTests {
		f, errs := Parse(tt.in)
		if len(errs) == 0 {
			t.Errorf("%s: no error", tt.in)
			continue
		}
		d := errs.Diagnostics(tt.in)[0]
		got := strings.TrimSuffix(strings.TrimPrefix(d.String(), ""), " ["+d.Code+"]")
		if got != tt.want {
			t.Errorf("%s: first error %q, want %q", tt.in, got, tt.want)
		}
		if tt.tree != "" {
			if s := sexpr(f.Expr); s != tt.tree {
				t.Errorf("%s: partial tree %s, want %s", tt.in, s, tt.tree)
			}
		}
		checkSpans(t, tt.in, f)
	}
}

func TestDepthLimit(t *testing.T) {
	src := strings.Repeat("(", 10000) + "a" + strings.Repeat(")", 10000)
	_, errs := Parse(src)
	if len(errs) == 0 || errs[0].Code != CodeTooDeep {
		t.Fatalf("want a depth error, got %v", errs)
	}
	src = strings.Repeat("not ", 5000) + "a"
	if _, errs := Parse(src); len(errs) == 0 || errs[0].Code != CodeTooDeep {
		t.Fatalf("want a depth error for nested not, got %v", errs)
	}
}

func TestEmptySource(t *testing.T) {
	f, errs := Parse("  // only a comment\n")
	if f.Expr != nil || len(errs) != 0 || len(f.Comments) != 1 {
		t.Errorf("empty source: expr %v errs %v comments %d", f.Expr, errs, len(f.Comments))
	}
}

// TestCorpusRoundTrip prints every corpus source and parses it again: the
// tree must be the same.
func TestCorpusRoundTrip(t *testing.T) {
	for path, src := range corpusSources(t) {
		e, errs := ParseExpr(src)
		if len(errs) > 0 {
			continue
		}
		printed := Print(e)
		e2, errs2 := ParseExpr(printed)
		if len(errs2) > 0 {
			t.Errorf("%s: printed text does not parse: %v", path, errs2)
			continue
		}
		if a, b := sexpr(e), sexpr(e2); a != b {
			t.Errorf("%s: round trip changed the tree", path)
		}
	}
}
