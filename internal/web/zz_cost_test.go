package web_test

import (
	"net/http/httptest"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/detwiki/detwiki/internal/web"
)

func TestZZPageCosts(t *testing.T) {
	if os.Getenv("ZZ_COSTS") == "" {
		t.Skip()
	}
	c := corpusCatalog(t)
	h := web.New(c, web.Options{})
	type cost struct {
		id   string
		d    time.Duration
		size int
	}
	var costs []cost
	var total time.Duration
	for _, r := range c.Rules {
		req := httptest.NewRequest("GET", "/rules/"+r.ID, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, req)
		d := time.Since(start)
		total += d
		costs = append(costs, cost{r.ID, d, rec.Body.Len()})
	}
	sort.Slice(costs, func(i, j int) bool { return costs[i].d > costs[j].d })
	t.Logf("total %s, mean %s", total, total/time.Duration(len(costs)))
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		t.Logf("p%.1f %s", q*100, costs[int(float64(len(costs))*(1-q))].d)
	}
	for _, x := range costs[:15] {
		t.Logf("%s %s %d", x.id, x.d, x.size)
	}
}
