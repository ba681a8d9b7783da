package sigma

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// yamlBomb returns YAML whose key x holds levels of nine-fold aliases:
// 9^levels values written in a few hundred bytes.
func yamlBomb(levels int) string {
	var b strings.Builder
	b.WriteString("x:\n  a: &a [\"v\",\"v\",\"v\",\"v\",\"v\",\"v\",\"v\",\"v\",\"v\"]\n")
	prev := "a"
	for i := 1; i < levels; i++ {
		n := string(rune('a' + i))
		fmt.Fprintf(&b, "  %s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n", n, n, prev, prev, prev, prev, prev, prev, prev, prev, prev)
		prev = n
	}
	return b.String()
}

// TestNodeValueBomb: converting a YAML bomb stops after MaxNodeValues
// values instead of expanding billions, and a shared budget is spent once.
func TestNodeValueBomb(t *testing.T) {
	text := yamlBomb(10) + "title: t\nlogsource: {product: windows}\ndetection: {sel: {a: b}, condition: sel}\n"
	f := Parse(text)
	if len(f.Rules) != 1 {
		t.Fatalf("%d rules", len(f.Rules))
	}
	start := time.Now()
	budget := MaxNodeValues
	NodeValueBudget(f.Rules[0].Lookup("x"), &budget)
	if budget >= 0 {
		t.Errorf("budget left %d: the bomb was not cut", budget)
	}
	if v := NodeValueBudget(f.Rules[0].Lookup("title"), &budget); v != nil {
		t.Errorf("a spent budget still made %v", v)
	}
	if v := NodeValue(f.Rules[0].Lookup("title")); v != "t" {
		t.Errorf("NodeValue(title) = %v", v)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestAliasedProblemReportedOnce: a bad node used through nine aliases is
// one diagnostic, not nine.
func TestAliasedProblemReportedOnce(t *testing.T) {
	text := yamlBomb(2) + "title: t\nlogsource: {product: windows}\ntags: *b\ndetection:\n  sel:\n    f: *b\n  condition: sel\n"
	f := Parse(text)
	seen := map[string]int{}
	for _, d := range append(f.Diagnostics, f.Rules[0].Diagnostics...) {
		seen[d.String()]++
	}
	for msg, n := range seen {
		if n > 1 {
			t.Errorf("%d times: %s", n, msg)
		}
	}
	if len(seen) == 0 {
		t.Error("no diagnostic for a list of lists")
	}
}
