package web_test

import (
	"html"
	"regexp"
	"strconv"
	"testing"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/catalog/catalogtest"
)

// homeCountRow is a row of the home page's "By language" and "By tactic"
// cards: a link to the rule list and a count.
var homeCountRow = regexp.MustCompile(`<tr><td><a href="(/rules/\?(?:lang|tactic)=[^"]+)">([^<]+)</a></td><td class="num">(\d+)</td></tr>`)

// listCount is the total the rule list page shows.
var listCount = regexp.MustCompile(`<p class="count"><strong>(\d+)</strong> rule`)

// TestHomeCountsMatchLists: every count of the home page's language and
// tactic cards is the number of rules its link lists (the fixture's
// third-party feed is a Kusto rule; its rules mapped to a tactic without a
// technique count under the tactic).
func TestHomeCountsMatchLists(t *testing.T) {
	srv := fixtureServer(t)
	_, _, home := get(t, srv, "/")
	rows := homeCountRow.FindAllStringSubmatch(home, -1)
	seen := map[string]bool{}
	for _, row := range rows {
		href, name := html.UnescapeString(row[1]), row[2]
		want, _ := strconv.Atoi(row[3])
		status, _, list := get(t, srv, href)
		m := listCount.FindStringSubmatch(list)
		if status != 200 || m == nil {
			t.Errorf("%s (%s): %d, no count", name, href, status)
			continue
		}
		if got, _ := strconv.Atoi(m[1]); got != want {
			t.Errorf("home says %s %d, its list %s has %d rules", name, want, href, got)
		}
		seen[href] = true
	}
	// The fixture has rules of five languages and a Defense Evasion rule.
	for _, href := range []string{"/rules/?lang=kusto", "/rules/?lang=sigma", "/rules/?tactic=TA0005"} {
		if !seen[href] {
			t.Errorf("home has no count linking to %s (rows: %q)", href, rows)
		}
	}
	// The feed is still counted in the total.
	c := catalog.New(catalogtest.Documents(), catalog.Info{}, nil)
	if c.Info.Feeds == 0 {
		t.Fatal("the fixture has no third-party feed: the test proves nothing")
	}
}
