package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/catalog/catalogtest"
	"github.com/detwiki/detwiki/internal/htmlcheck"
	"github.com/detwiki/detwiki/internal/rulepage"
	"github.com/detwiki/detwiki/internal/web"
)

func fixtureServer(t testing.TB) *httptest.Server {
	t.Helper()
	c := catalog.New(catalogtest.Documents(), catalog.Info{Detwiki: "test"}, nil)
	srv := httptest.NewServer(web.New(c, web.Options{Notes: []string{"Example rules " + catalogtest.ScriptTag}}))
	t.Cleanup(srv.Close)
	return srv
}

// get fetches a path without following redirects.
func get(t testing.TB, srv *httptest.Server, path string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest("GET", srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Send the path exactly as written (no cleaning or re-encoding).
	req.URL.Opaque = path
	if i := strings.IndexByte(path, '?'); i >= 0 {
		req.URL.Opaque, req.URL.RawQuery = path[:i], path[i+1:]
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// pages are paths every fixture catalog serves, with text each must show.
var pages = []struct{ path, want string }{
	{"/", "Detection rules, explained"},
	{"/rules/", "MMC Spawning a Script Host"},
	{"/rules/?lang=sigma&sort=title&order=desc", "MMC Spawning a Script Host"},
	{"/rules/?technique=T1218&page=1", "Process Injection Initiated By MMC"},
	{"/search?q=mmc.exe", "Process Injection Initiated By MMC"},
	{"/search?q=field%3AInitiatingProcessFileName+value%3Ammc", "process.parent.name"},
	{"/rules/" + catalogtest.MMCInjection, `data-corpus="6"`},
	{"/rules/" + catalogtest.MMCInjection + ".md", "corpus 6"},
	{"/rules/" + catalogtest.Hostile, "Hostile"},
	{"/attack/", "Defense Evasion"},
	{"/attack/?lang=sigma", "Defense Evasion"},
	{"/attack/T1218", "System Binary Proxy Execution"},
	{"/attack/T1218.014", "MMC"},
	{"/events/", "Sysmon"},
	{"/events/Sysmon", "process_creation"},
	{"/events/Sysmon/1", "Equivalent events"},
	{"/fields/", "process.parent.name"},
	{"/fields/process.parent.name", "mmc.exe"},
	{"/indicators/", "mmc.exe"},
	{"/indicators/process.parent.name/eq/mmc.exe", "Processes.parent_process_name"},
	{"/patterns/", "Sysmon/1"},
	{"/coverage", "native equivalents"},
	{"/static/detwiki.css", ".matrix"},
	{"/static/detwiki.js", "parseQuery"},
}

func TestPages(t *testing.T) {
	srv := fixtureServer(t)
	for _, p := range pages {
		status, h, body := get(t, srv, p.path)
		if status != 200 {
			t.Errorf("GET %s: %d %s", p.path, status, body)
			continue
		}
		if !strings.Contains(body, p.want) {
			t.Errorf("GET %s lacks %q", p.path, p.want)
		}
		if strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			for _, problem := range htmlcheck.Injected(body, "/static/detwiki.js") {
				t.Errorf("GET %s: %s", p.path, problem)
			}
			if h.Get("Content-Security-Policy") == "" || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("GET %s: security headers missing: %v", p.path, h)
			}
		}
	}
}

func TestEveryRulePageIsInert(t *testing.T) {
	srv := fixtureServer(t)
	c := catalog.New(catalogtest.Documents(), catalog.Info{}, nil)
	for _, r := range c.Rules {
		status, _, body := get(t, srv, "/rules/"+r.ID)
		if status != 200 {
			t.Errorf("%s: %d", r.ID, status)
			continue
		}
		for _, problem := range htmlcheck.Injected(body, "/static/detwiki.js") {
			t.Errorf("%s: %s", r.ID, problem)
		}
	}
	// The hostile rule's strings appear on its pages, as text.
	_, _, body := get(t, srv, "/rules/"+catalogtest.Hostile)
	if title := htmlcheck.Text(body, "h1"); !strings.Contains(title, catalogtest.ScriptTag) || !strings.Contains(title, catalogtest.ImgTag) {
		t.Errorf("hostile title = %q", title)
	}
	for _, p := range []string{"/search?q=" + url.QueryEscape(catalogtest.ImgTag), "/search?q=" + url.QueryEscape("value:"+catalogtest.ScriptTag),
		"/indicators/", "/fields/", "/events/", "/", "/coverage", "/rules/?table=" + url.QueryEscape(catalogtest.ScriptTag)} {
		status, _, body := get(t, srv, p)
		if status != 200 {
			t.Errorf("GET %s: %d", p, status)
		}
		for _, problem := range htmlcheck.Injected(body, "/static/detwiki.js") {
			t.Errorf("GET %s: %s", p, problem)
		}
	}
}

func TestRefusals(t *testing.T) {
	srv := fixtureServer(t)
	long := strings.Repeat("a", catalog.MaxQueryLen+1)
	tests := []struct {
		path   string
		status int
	}{
		{"/rules/..%2f..%2fetc%2fpasswd", 400},
		{"/static/..%2fcatalog.db", 400},
		{"/static/%2e%2e/x", 400},
		{"/rules/kusto/..%5c..%5cwindows", 400},
		{"/rules/%00", 400},
		{"/api/rules/..%2F..%2Fetc", 400},
		{"/static/../../etc/passwd", 400},
		{"/search?q=" + long, 413},
		{"/api/search?q=" + long, 413},
		{"/search?q=" + strings.Repeat("a+", catalog.MaxQueryTerms+1), 200}, // an error message, not a failure
		{"/rules/?q=" + strings.Repeat("x", web.MaxQueryString), 414},
		{"/" + strings.Repeat("a/", web.MaxPath), 414},
		{"/rules/kusto/nope", 404},
		{"/api/rules/kusto/nope", 404},
		{"/static/catalog.db", 404},
		{"/api/nope", 404},
	}
	for _, tt := range tests {
		status, _, body := get(t, srv, tt.path)
		if status != tt.status {
			t.Errorf("GET %.80s: %d, want %d (%.200s)", tt.path, status, tt.status, body)
		}
	}
	resp, err := http.Post(srv.URL+"/rules/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}
	_, _, body := get(t, srv, "/search?q="+strings.Repeat("a+", catalog.MaxQueryTerms+1))
	if !strings.Contains(body, "query too long") {
		t.Error("too many terms: no message")
	}
}

func getJSON(t *testing.T, srv *httptest.Server, path string, v any) {
	t.Helper()
	status, h, body := get(t, srv, path)
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Fatalf("GET %s: %d %s %s", path, status, h.Get("Content-Type"), body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

func TestAPI(t *testing.T) {
	srv := fixtureServer(t)
	var list struct {
		Total, Page, PerPage, Pages int
		Rules                       []struct {
			ID, Title, Language string
			Techniques          []string
		}
		Facets []catalog.Facet
	}
	getJSON(t, srv, "/api/rules?lang=kusto&per_page=2&page=2&sort=id", &list)
	if list.Total != 5 || len(list.Rules) != 2 || list.Pages != 3 || list.Page != 2 {
		t.Errorf("/api/rules: %+v", list)
	}
	getJSON(t, srv, "/api/search?q=mmc.exe+lang:elastic", &list)
	if list.Total != 1 || list.Rules[0].ID != catalogtest.ElasticMMCChild {
		t.Errorf("/api/search: %+v", list)
	}
	var doc struct {
		ID       string
		Analysis struct {
			Indicators []struct {
				Field  string
				Values []struct {
					Value  string
					Corpus struct{ Total int }
				}
			}
		}
	}
	getJSON(t, srv, "/api/rules/"+catalogtest.MMCInjection, &doc)
	if doc.ID != catalogtest.MMCInjection || doc.Analysis.Indicators[0].Values[0].Corpus.Total != 6 {
		t.Errorf("/api/rules/id: %+v", doc)
	}
	var matrix catalog.Matrix
	getJSON(t, srv, "/api/attack?lang=sigma", &matrix)
	if matrix.Rules != 2 || len(matrix.Tactics) < 14 {
		t.Errorf("/api/attack: rules %d tactics %d", matrix.Rules, len(matrix.Tactics))
	}
	var layer catalog.Layer
	status, h, body := get(t, srv, "/api/attack/layer?lang=kusto")
	if status != 200 || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("layer: %d %v", status, h)
	}
	json.Unmarshal([]byte(body), &layer)
	if layer.Versions.Layer != "4.5" || len(layer.Techniques) == 0 || len(layer.Techniques[0].Links) == 0 || !strings.HasPrefix(layer.Techniques[0].Links[0].URL, srv.URL+"/rules/kusto/") {
		t.Errorf("layer = %+v", layer)
	}
	var events struct {
		Total  int
		Events []map[string]any
	}
	getJSON(t, srv, "/api/events", &events)
	if events.Total == 0 {
		t.Error("/api/events empty")
	}
	var inds struct {
		Total      int
		Indicators []map[string]any
	}
	getJSON(t, srv, "/api/indicators?field=process.parent.name&value=mmc", &inds)
	if inds.Total != 1 {
		t.Errorf("/api/indicators: %+v", inds)
	}
	var ind map[string]any
	getJSON(t, srv, "/api/indicators/process.parent.name/eq/mmc.exe", &ind)
	if rules, _ := ind["rules"].([]any); len(rules) != 6 {
		t.Errorf("/api/indicators/x: %v", ind)
	}
	for _, p := range []string{"/api/", "/api/info", "/api/fields", "/api/patterns", "/api/coverage", "/api/events/Sysmon/1",
		"/api/related/" + catalogtest.MMCInjection, "/api/attack/T1218"} {
		var v any
		getJSON(t, srv, p, &v)
	}
	// Bad queries are JSON errors.
	status, _, body = get(t, srv, "/api/search?q=kind:nonsense")
	if status != 400 || !strings.Contains(body, "unknown kind") {
		t.Errorf("bad kind: %d %s", status, body)
	}
}

// TestLayerCache checks that a Navigator layer is built once per filter and
// base URL and then answered from the cache, compressed or not, the same
// bytes each time, and that the cache stays bounded.
func TestLayerCache(t *testing.T) {
	c := catalog.New(catalogtest.Documents(), catalog.Info{Detwiki: "test"}, nil)
	s := web.New(c, web.Options{CacheBytes: -1}) // layers are cached even without the page cache
	fetch := func(path, host string, gzipped bool) (*httptest.ResponseRecorder, string) {
		t.Helper()
		req := httptest.NewRequest("GET", path, nil)
		req.Host = host
		if gzipped {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
		body := rec.Body.Bytes()
		if rec.Header().Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("GET %s: %v", path, err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatalf("GET %s: %v", path, err)
			}
		} else if gzipped {
			t.Errorf("GET %s: not compressed for a client accepting gzip", path)
		}
		return rec, string(body)
	}
	want := new(bytes.Buffer)
	enc := json.NewEncoder(want)
	enc.SetEscapeHTML(true)
	enc.Encode(c.Layer(catalog.LayerOptions{MatrixFilter: catalog.MatrixFilter{Languages: []string{"kusto"}},
		RuleURL: func(id string) string { return "http://wiki.example" + rulepage.Server.Rule(id) }}))

	for i, gz := range []bool{false, true, false, true} {
		rec, body := fetch("/api/attack/layer?lang=kusto", "wiki.example", gz)
		if body != want.String() {
			t.Fatalf("request %d: layer differs from catalog.Layer:\n%s\nwant\n%s", i, body, want)
		}
		h := rec.Header()
		if h.Get("Content-Type") != "application/json; charset=utf-8" || h.Get("Content-Disposition") != `attachment; filename="detwiki-layer-kusto.json"` ||
			h.Get("Content-Length") != strconv.Itoa(rec.Body.Len()) {
			t.Errorf("request %d: headers %v", i, h)
		}
	}
	if st := s.CacheStats(); st.LayerBuilds != 1 || st.Layers != 1 || st.LayerBytes == 0 {
		t.Errorf("after four requests of one layer: %+v, want one layer built and kept", st)
	}
	// Another base URL or filter is another layer.
	if _, body := fetch("/api/attack/layer?lang=kusto", "other.example", true); !strings.Contains(body, "http://other.example/rules/") {
		t.Errorf("layer for another host links elsewhere: %.300s", body)
	}
	fetch("/api/attack/layer", "wiki.example", true)
	if st := s.CacheStats(); st.LayerBuilds != 3 || st.Layers != 3 {
		t.Errorf("three distinct layers: %+v", st)
	}
	// Any number of distinct filters keeps memory bounded.
	for i := range 100 {
		fetch(fmt.Sprintf("/api/attack/layer?source=s%d", i), "wiki.example", true)
	}
	if st := s.CacheStats(); st.Layers > 32 || st.LayerBuilds != 103 {
		t.Errorf("after 100 more filters: %+v, want at most 32 layers kept", st)
	}
}

// TestLayerCacheConcurrent asks for one layer from many clients at once:
// it is built once, and every client gets it whole.
func TestLayerCacheConcurrent(t *testing.T) {
	c := catalog.New(catalogtest.Documents(), catalog.Info{Detwiki: "test"}, nil)
	s := web.New(c, web.Options{})
	var wg sync.WaitGroup
	bodies := make([]string, 16)
	for i := range bodies {
		wg.Go(func() {
			req := httptest.NewRequest("GET", "/api/attack/layer?lang=sigma", nil)
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			bodies[i] = rec.Body.String()
		})
	}
	wg.Wait()
	for i, b := range bodies {
		if b != bodies[0] || !strings.Contains(b, `"versions"`) {
			t.Fatalf("client %d got %.200q, client 0 %.200q", i, b, bodies[0])
		}
	}
	if st := s.CacheStats(); st.LayerBuilds != 1 || st.Layers != 1 {
		t.Errorf("16 concurrent requests of one layer: %+v, want it built once", st)
	}
}
