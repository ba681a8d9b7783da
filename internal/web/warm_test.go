package web_test

import (
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/catalog/catalogtest"
	"github.com/detwiki/detwiki/internal/web"
)

// TestWarmUp: with Warm, the server renders every rule page into its cache
// once it is idle, while requests from many clients at once are answered
// from the same (sharded) cache.
func TestWarmUp(t *testing.T) {
	c := catalog.New(catalogtest.Documents(), catalog.Info{}, nil)
	s := web.New(c, web.Options{Warm: true, RenderSlots: 1})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := range c.Rules {
				r := c.Rules[(i+j)%len(c.Rules)]
				if code, _, _ := get(t, srv, "/rules/"+r.ID); code != 200 {
					t.Errorf("%s: %d", r.ID, code)
				}
			}
		}(i)
	}
	wg.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for !s.CacheStats().Warmed && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	st := s.CacheStats()
	if !st.Warmed || st.Pages < len(c.Rules) || st.Bytes == 0 {
		t.Errorf("cache after the warm-up: %+v, %d rules", st, len(c.Rules))
	}
}
