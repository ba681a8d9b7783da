package web

import (
	"bytes"
	"container/list"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/rulepage"
)

// Limits on requests: longer ones are refused, never truncated.
const (
	// MaxQueryString is the longest query string accepted (bytes).
	MaxQueryString = 4096
	// MaxPath is the longest URL path accepted (bytes).
	MaxPath = 2048
)

// Options configure a Server.
type Options struct {
	// BaseURL is the public URL of the wiki (scheme and host, optional
	// path), used for the absolute links of Navigator layers; empty takes
	// it from each request.
	BaseURL string
	// Notes are shown on the home page.
	Notes []string
	// Logger receives one line per failed request (nil: none).
	Logger *log.Logger
	// CacheBytes bounds the memory of rendered pages kept for reuse, stored
	// gzip-compressed (default 256 MiB, about 30,000 rule pages; negative: no
	// cache).
	CacheBytes int
	// Warm renders every rule page into the cache in the background, on one
	// core, so that first visits are as fast as later ones.
	Warm bool
	// RenderSlots is how many pages are rendered at once (default
	// GOMAXPROCS); the others wait their turn, first come first served.
	// One leaves a core to cached pages and the network during a burst of
	// first visits (a tighter p99 for them, half their throughput on two
	// cores; see docs/performance.md).
	RenderSlots int
}

// Server is the wiki over one catalog: HTML pages, JSON API and static
// assets. It is safe for concurrent use.
type Server struct {
	site  *site
	opt   Options
	mux   *http.ServeMux
	css   []byte
	cache *pageCache
	// layers keeps the Navigator layers answered (see layerCache).
	layers *layerCache
	// etag identifies the catalog: pages are the same for one catalog.
	etag string
	// warmed is set once the background warm-up has rendered every rule.
	warmed atomic.Bool
	// inflight counts the requests being answered, lastRequest is when the
	// last one arrived (Unix nanoseconds): the warm-up waits for quiet.
	inflight    atomic.Int64
	lastRequest atomic.Int64
	// renderSlots bounds the pages rendered (and compressed) at once
	// (Options.RenderSlots): a burst of uncached pages queues in arrival
	// order (a channel serves its waiters first in, first out) instead of
	// sharing the cores by the scheduler's time slices, which let some
	// requests wait far longer than others.
	renderSlots chan struct{}
}

// New returns the server of a catalog.
func New(c *catalog.Catalog, opt Options) *Server {
	if opt.CacheBytes == 0 {
		opt.CacheBytes = 256 << 20
	}
	slots := opt.RenderSlots
	if slots <= 0 {
		slots = runtime.GOMAXPROCS(0)
	}
	s := &Server{site: newSite(c, opt.Notes), opt: opt, mux: http.NewServeMux(), renderSlots: make(chan struct{}, slots),
		layers: newLayerCache(maxCachedLayers)}
	s.css = []byte(stylesheet())
	if opt.CacheBytes > 0 {
		s.cache = newPageCache(opt.CacheBytes)
	}
	s.etag = fmt.Sprintf(`"dw-%x"`, c.Info.Built.UnixNano())
	s.routes()
	if opt.Warm && s.cache != nil {
		go s.warm()
	}
	return s
}

// warm renders every rule page into the cache, one at a time, and only
// while the server is idle: it steps aside whenever a request is being
// answered or was in the last warmQuiet, so that it never competes with
// visitors for the CPU.
func (s *Server) warm() {
	defer s.warmed.Store(true)
	buf := new(bytes.Buffer)
	for _, r := range s.site.cat.Rules {
		key := "/rules/" + r.ID
		if s.cache.has(key) {
			continue
		}
		s.waitIdle()
		buf.Reset()
		if err := s.site.rulePage(buf, rulepage.Server, false, r); err == nil {
			s.cache.put(key, buf.Bytes())
		}
	}
}

// warmQuiet is how long the server must have been idle before the warm-up
// renders another page.
const warmQuiet = 50 * time.Millisecond

// waitIdle returns once no request is in flight and none arrived in the
// last warmQuiet.
func (s *Server) waitIdle() {
	for {
		last := time.Unix(0, s.lastRequest.Load())
		if s.inflight.Load() == 0 && time.Since(last) >= warmQuiet {
			return
		}
		time.Sleep(warmQuiet)
	}
}

// stylesheet is the wiki's CSS: the rule page's plus the frame's.
func stylesheet() string {
	web, _ := fs.ReadFile(assetFS, "assets/web.css")
	return rulepage.CSS() + "\n" + string(web)
}

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /{$}", s.handleHome)
	m.HandleFunc("GET /rules/{$}", s.handleList(false))
	m.HandleFunc("GET /rules", redirectTo("/rules/"))
	m.HandleFunc("GET /rules/{lang}/{slug}", s.handleRule)
	m.HandleFunc("GET /search", s.handleList(true))
	m.HandleFunc("GET /attack/{$}", s.handleMatrix)
	m.HandleFunc("GET /attack", redirectTo("/attack/"))
	m.HandleFunc("GET /attack/{id}", s.handleTechnique)
	m.HandleFunc("GET /events/{$}", s.handleEvents)
	m.HandleFunc("GET /events", redirectTo("/events/"))
	m.HandleFunc("GET /events/{provider}", s.handleProvider)
	m.HandleFunc("GET /events/{provider}/{event}", s.handleEvent)
	m.HandleFunc("GET /fields/{$}", s.handleFields)
	m.HandleFunc("GET /fields", redirectTo("/fields/"))
	m.HandleFunc("GET /fields/{field}", s.handleField)
	m.HandleFunc("GET /indicators/{$}", s.handleIndicators)
	m.HandleFunc("GET /indicators", redirectTo("/indicators/"))
	m.HandleFunc("GET /indicators/{field}/{kind}/{value}", s.handleIndicator)
	m.HandleFunc("GET /patterns/{$}", s.handlePatterns)
	m.HandleFunc("GET /patterns", redirectTo("/patterns/"))
	m.HandleFunc("GET /patterns/{slug}", s.handlePattern)
	m.HandleFunc("GET /coverage", s.handleCoverage)
	m.HandleFunc("GET /static/{name}", s.handleStatic)
	m.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	s.apiRoutes()
	// Anything else: the wiki's 404 page (the mux's own is plain text).
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "no page "+r.URL.Path)
	})
}

func redirectTo(target string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u := target
		if r.URL.RawQuery != "" {
			u += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, u, http.StatusMovedPermanently)
	}
}

// ServeHTTP refuses requests that could reach outside the catalog or are
// too large, sets the security headers and dispatches.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.inflight.Add(1)
	defer s.inflight.Add(-1)
	s.lastRequest.Store(time.Now().UnixNano())
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		s.fail(w, r, http.StatusMethodNotAllowed, "only GET and HEAD are supported")
		return
	}
	if msg, status := checkRequest(r); status != 0 {
		s.fail(w, r, status, msg)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// checkRequest refuses paths that try to leave their folder (".." segments,
// encoded slashes, backslashes or NUL bytes, however they are encoded) and
// oversized paths and queries.
func checkRequest(r *http.Request) (string, int) {
	raw := r.URL.EscapedPath()
	if len(raw) > MaxPath {
		return "path too long", http.StatusRequestURITooLong
	}
	if len(r.URL.RawQuery) > MaxQueryString {
		return fmt.Sprintf("query string too long (%d bytes, at most %d)", len(r.URL.RawQuery), MaxQueryString), http.StatusRequestURITooLong
	}
	lower := strings.ToLower(raw)
	for _, bad := range []string{"%2f", "%5c", "%00", "%2e", "\\"} {
		if strings.Contains(lower, bad) {
			return "invalid path", http.StatusBadRequest
		}
	}
	p, err := url.PathUnescape(raw)
	if err != nil {
		return "invalid path", http.StatusBadRequest
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." || seg == "." {
			return "invalid path", http.StatusBadRequest
		}
	}
	if strings.ContainsAny(p, "\x00\\") {
		return "invalid path", http.StatusBadRequest
	}
	return "", 0
}

// fail writes an error: JSON under /api/, an HTML page elsewhere.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if s.opt.Logger != nil && status >= 500 {
		s.opt.Logger.Printf("%s %s: %d %s", r.Method, r.URL.Path, status, msg)
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, status, map[string]any{"error": msg, "status": status})
		return
	}
	var buf bytes.Buffer
	data := &errorData{Base: s.base(), Status: status, Title: http.StatusText(status), Message: msg}
	if status == http.StatusNotFound {
		data.Title, data.Hint = "Page not found", hintQuery(r.URL.Path)
	}
	err := s.site.render(&buf, rulepage.Server, false, "", data.Title, "", "error", data)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err != nil {
		io.WriteString(w, http.StatusText(status))
		return
	}
	w.Write(buf.Bytes())
}

func (s *Server) base() Base { return Base{URLs: rulepage.Server, Cat: s.site.cat} }

// page renders a content template in the layout (through the cache).
// data is called only when the page is not cached.
func (s *Server) page(w http.ResponseWriter, r *http.Request, nav, title, query, content string, data func() any) {
	s.cached(w, r, func(buf *bytes.Buffer) error {
		return s.site.render(buf, rulepage.Server, false, nav, title, query, content, data())
	})
}

// cached answers from the page cache, or renders the page, caches it and
// answers. Pages depend only on the catalog and the URL.
func (s *Server) cached(w http.ResponseWriter, r *http.Request, render func(*bytes.Buffer) error) {
	h := w.Header()
	h.Set("ETag", s.etag)
	h.Set("Vary", "Accept-Encoding")
	h.Set("Cache-Control", "no-cache")
	if match := r.Header.Get("If-None-Match"); match != "" && match == s.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	key := r.URL.Path
	if r.URL.RawQuery != "" {
		key += "?" + r.URL.RawQuery
	}
	if e, ok := s.cache.entry(key); ok {
		writeCached(w, r, e)
		return
	}
	buf := getBuffer()
	defer putBuffer(buf)
	s.renderSlots <- struct{}{}
	err := render(buf)
	var e *cacheEntry
	if err == nil {
		e = s.cache.put(key, buf.Bytes())
	}
	<-s.renderSlots
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	if e != nil && acceptsGzip(r) {
		writeCached(w, r, e)
		return
	}
	writeHTML(w, buf.Bytes())
}

func acceptsGzip(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept-Encoding"), "gzip")
}

// writeCached sends a cached page, compressed when the client accepts it.
func writeCached(w http.ResponseWriter, r *http.Request, e *cacheEntry) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	writeGzipped(w, r, e.gz, e.size)
}

// writeGzipped sends a gzip-compressed body as it is when the client
// accepts gzip, decompressed (size bytes) otherwise.
func writeGzipped(w http.ResponseWriter, r *http.Request, gz []byte, size int) {
	h := w.Header()
	if acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		h.Set("Content-Length", strconv.Itoa(len(gz)))
		w.Write(gz)
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return
	}
	h.Set("Content-Length", strconv.Itoa(size))
	io.Copy(w, zr)
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	s.page(w, r, "home", "Detection rules", "", "home", func() any { return s.site.home(s.base()) })
}

func (s *Server) handleList(search bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if len(q.Get("q")) > catalog.MaxQueryLen {
			s.fail(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("query too long (at most %d bytes)", catalog.MaxQueryLen))
			return
		}
		title, nav, text := "Rules", "rules", q.Get("q")
		if search {
			title, nav = "Search", "search"
			if text != "" {
				title = text + " · search"
			}
		}
		s.page(w, r, nav, title, text, "list", func() any { return s.site.list(s.base(), q, search) })
	}
}

func (s *Server) handleRule(w http.ResponseWriter, r *http.Request) {
	lang, slug := r.PathValue("lang"), r.PathValue("slug")
	format := ""
	if strings.HasSuffix(slug, ".md") {
		slug, format = strings.TrimSuffix(slug, ".md"), "md"
	}
	rl, ok := s.site.cat.Rule(lang + "/" + slug)
	if !ok && format == "" {
		// An id may itself end in ".md".
		rl, ok = s.site.cat.Rule(lang + "/" + r.PathValue("slug"))
	}
	if !ok {
		if sh, shared := s.site.cat.SharedID(lang + "/" + slug); shared {
			s.page(w, r, "rules", sh.ID, "", "shared", func() any { return &sharedData{Base: s.base(), Shared: sh} })
			return
		}
		s.fail(w, r, http.StatusNotFound, "no rule "+lang+"/"+slug)
		return
	}
	if format == "md" {
		var buf bytes.Buffer
		if err := rulepage.RenderMarkdown(&buf, &rulepage.Page{Doc: rl.Document, Rule: rl, Catalog: s.site.cat, URLs: rulepage.Server}); err != nil {
			s.fail(w, r, http.StatusInternalServerError, err.Error())
			return
		}
		w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
		w.Write(buf.Bytes())
		return
	}
	s.cached(w, r, func(buf *bytes.Buffer) error { return s.site.rulePage(buf, rulepage.Server, false, rl) })
}

func (s *Server) handleMatrix(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.page(w, r, "attack", "ATT&CK matrix", "", "matrix", func() any { return s.site.matrix(s.base(), q.Get("lang"), q.Get("source")) })
}

func (s *Server) handleTechnique(w http.ResponseWriter, r *http.Request) {
	d, ok := s.site.technique(s.base(), r.PathValue("id"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, "no ATT&CK technique "+r.PathValue("id"))
		return
	}
	s.page(w, r, "attack", d.ID+" "+d.Name, "", "technique", func() any { return d })
}

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	s.page(w, r, "events", "Events", "", "events", func() any { return &eventsData{Base: s.base(), Providers: s.site.cat.Providers} })
}

func (s *Server) handleProvider(w http.ResponseWriter, r *http.Request) {
	p, ok := s.site.cat.ProviderBySlug(r.PathValue("provider"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, "no event provider "+r.PathValue("provider"))
		return
	}
	s.page(w, r, "events", p.Name, "", "provider", func() any { return s.site.provider(s.base(), p) })
}

func (s *Server) handleEvent(w http.ResponseWriter, r *http.Request) {
	e, ok := s.site.cat.EventBySlug(r.PathValue("provider") + "/" + r.PathValue("event"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, "no event "+r.PathValue("provider")+"/"+r.PathValue("event"))
		return
	}
	s.page(w, r, "events", e.Provider+" "+e.Event, "", "event", func() any { return s.site.event(s.base(), e) })
}

func (s *Server) handleFields(w http.ResponseWriter, r *http.Request) {
	s.page(w, r, "fields", "Fields", "", "fields", func() any { return &fieldsData{Base: s.base(), Fields: s.site.cat.Fields} })
}

func (s *Server) handleField(w http.ResponseWriter, r *http.Request) {
	f, ok := s.site.cat.FieldBySlug(r.PathValue("field"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, "no field "+r.PathValue("field"))
		return
	}
	s.page(w, r, "fields", f.Name, "", "field", func() any { return s.site.field(s.base(), f) })
}

// maxIndicatorList is the number of indicators the indicators page lists.
const maxIndicatorList = 500

func (s *Server) handleIndicators(w http.ResponseWriter, r *http.Request) {
	c := s.site.cat
	list := c.Indicators
	if len(list) > maxIndicatorList {
		list = list[:maxIndicatorList]
	}
	s.page(w, r, "indicators", "Indicators", "", "indicators", func() any { return &indicatorsData{Base: s.base(), Indicators: list, Total: len(c.Indicators)} })
}

func (s *Server) handleIndicator(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("field") + "/" + r.PathValue("kind") + "/" + r.PathValue("value")
	st, ok := s.site.cat.IndicatorBySlug(slug)
	if !ok {
		s.fail(w, r, http.StatusNotFound, "no indicator "+slug)
		return
	}
	s.page(w, r, "indicators", st.Field+" "+st.Kind+" "+st.Value, "", "indicator", func() any { return s.site.indicator(s.base(), st) })
}

// maxPatternList is the number of patterns the patterns page lists.
const maxPatternList = 300

func (s *Server) handlePatterns(w http.ResponseWriter, r *http.Request) {
	c := s.site.cat
	list := c.Patterns
	if len(list) > maxPatternList {
		list = list[:maxPatternList]
	}
	s.page(w, r, "patterns", "Detection patterns", "", "patterns", func() any { return &patternsData{Base: s.base(), Patterns: list, Total: len(c.Patterns)} })
}

func (s *Server) handlePattern(w http.ResponseWriter, r *http.Request) {
	p, ok := s.site.cat.PatternBySlug(r.PathValue("slug"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, "no detection pattern "+r.PathValue("slug"))
		return
	}
	s.page(w, r, "patterns", "Detection pattern", "", "pattern", func() any { return &patternData{Base: s.base(), Pattern: p, Rules: s.site.cat.RulesAt(p.Rules)} })
}

func (s *Server) handleCoverage(w http.ResponseWriter, r *http.Request) {
	var f catalog.MatrixFilter
	if l := r.URL.Query().Get("lang"); l != "" {
		f.Languages = []string{l}
	}
	s.page(w, r, "coverage", "Coverage per language", "", "coverage", func() any { return &coverageData{Base: s.base(), Coverage: s.site.cat.Coverage(f)} })
}

// assetTypes are the static files the server has.
var startTime = time.Now()

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var data []byte
	switch name {
	case "detwiki.css":
		data = s.css
	case "detwiki.js":
		data, _ = fs.ReadFile(assetFS, "assets/detwiki.js")
	default:
		s.fail(w, r, http.StatusNotFound, "no static file "+name)
		return
	}
	h := w.Header()
	h.Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
	h.Set("Cache-Control", "public, max-age=3600")
	http.ServeContent(w, r, name, startTime, bytes.NewReader(data))
}

// pageCache keeps rendered pages, gzip-compressed, up to a byte budget,
// dropping the least recently used. It is split into shards, each with its
// own lock and its share of the budget, so that concurrent requests for
// different pages rarely wait for each other.
type pageCache struct {
	shards [cacheShards]cacheShard
}

const cacheShards = 16

type cacheShard struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List
	items map[string]*list.Element
}

type cacheEntry struct {
	key  string
	gz   []byte // the page, gzip-compressed
	size int    // its uncompressed size
}

func newPageCache(max int) *pageCache {
	c := &pageCache{}
	for i := range c.shards {
		c.shards[i] = cacheShard{max: max / cacheShards, order: list.New(), items: map[string]*list.Element{}}
	}
	return c
}

func (c *pageCache) shard(key string) *cacheShard {
	h := uint32(2166136261) // FNV-1a
	for i := 0; i < len(key); i++ {
		h = (h ^ uint32(key[i])) * 16777619
	}
	return &c.shards[h%cacheShards]
}

// gzipWriters compress pages at the fastest level (klauspost/compress:
// about 1.5 times the speed of compress/gzip at its fastest, with the same
// ratio; compressing is a third of the cost of a page seen for the first
// time).
var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return w
}}

// gzipBuffers recycle the buffers pages are compressed into before the
// result is copied into a slice of its exact size.
var gzipBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 32<<10)) }}

func (c *pageCache) entry(key string) (*cacheEntry, bool) {
	if c == nil {
		return nil, false
	}
	sh := c.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if e, ok := sh.items[key]; ok {
		sh.order.MoveToFront(e)
		return e.Value.(*cacheEntry), true
	}
	return nil, false
}

// get returns a cached page, uncompressed.
func (c *pageCache) get(key string) ([]byte, bool) {
	e, ok := c.entry(key)
	if !ok {
		return nil, false
	}
	zr, err := gzip.NewReader(bytes.NewReader(e.gz))
	if err != nil {
		return nil, false
	}
	b, err := io.ReadAll(zr)
	return b, err == nil
}

// has reports whether a page is cached (without touching its recency).
func (c *pageCache) has(key string) bool {
	if c == nil {
		return false
	}
	sh := c.shard(key)
	sh.mu.Lock()
	_, ok := sh.items[key]
	sh.mu.Unlock()
	return ok
}

// compress returns data gzip-compressed, in a slice of its own.
func compress(data []byte) []byte {
	buf := gzipBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(buf)
	zw.Write(data)
	zw.Close()
	gzipWriters.Put(zw)
	gz := bytes.Clone(buf.Bytes())
	if buf.Cap() <= 1<<20 {
		gzipBuffers.Put(buf)
	}
	return gz
}

// put compresses and caches a page and returns its entry (nil without a
// cache).
func (c *pageCache) put(key string, data []byte) *cacheEntry {
	if c == nil {
		return nil
	}
	e := &cacheEntry{key: key, gz: compress(data), size: len(data)}
	sh := c.shard(key)
	if len(e.gz) > sh.max/4 {
		return e
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if old, ok := sh.items[key]; ok {
		return old.Value.(*cacheEntry)
	}
	sh.items[key] = sh.order.PushFront(e)
	sh.size += len(e.gz)
	for sh.size > sh.max {
		last := sh.order.Back()
		ce := last.Value.(*cacheEntry)
		sh.order.Remove(last)
		delete(sh.items, ce.key)
		sh.size -= len(ce.gz)
	}
	return e
}

// stats returns the number of pages and compressed bytes cached.
func (c *pageCache) stats() (pages, size int) {
	if c == nil {
		return 0, 0
	}
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		pages += len(sh.items)
		size += sh.size
		sh.mu.Unlock()
	}
	return pages, size
}

// HTTPServer returns an http.Server for the wiki with timeouts and limits
// suited to a public address.
func (s *Server) HTTPServer() *http.Server { return NewHTTPServer(s) }

// NewHTTPServer returns an http.Server for h (a Server or a Gate) with
// timeouts and limits suited to a public address.
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// Serve serves the wiki on ln until it fails.
func (s *Server) Serve(ln net.Listener) error { return ServeHandler(s, ln) }

// ServeHandler serves h (a Server or a Gate) on ln until it fails.
func ServeHandler(h http.Handler, ln net.Listener) error {
	err := NewHTTPServer(h).Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Gate answers for a server that is not ready yet: `detwiki serve` listens
// at once and loads (or builds) its catalog behind a Gate, which answers
// every request with 503 Service Unavailable and a page that reloads
// itself (JSON under /api/) until Open hands it the server.
type Gate struct {
	srv    atomic.Pointer[Server]
	status atomic.Pointer[string]
}

// NewGate returns a closed gate that says status ("loading 14,066 rules")
// while it is closed.
func NewGate(status string) *Gate {
	g := &Gate{}
	g.SetStatus(status)
	return g
}

// SetStatus changes what the gate says while it is closed.
func (g *Gate) SetStatus(status string) { g.status.Store(&status) }

// Open makes the gate hand every request to s from now on.
func (g *Gate) Open(s *Server) { g.srv.Store(s) }

// ServeHTTP answers a request: by the server once the gate is open.
func (g *Gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s := g.srv.Load(); s != nil {
		s.ServeHTTP(w, r)
		return
	}
	status := *g.status.Load()
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("Cache-Control", "no-store")
	h.Set("Retry-After", "1")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": status, "status": http.StatusServiceUnavailable, "loading": true})
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusServiceUnavailable)
	io.WriteString(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="1"><title>detwiki</title></head><body><p>detwiki: `)
	io.WriteString(w, template.HTMLEscapeString(status))
	io.WriteString(w, "…</p></body></html>\n")
}

func writeHTML(w http.ResponseWriter, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

// CacheStats says how many pages the cache holds and whether the warm-up
// is done, and how many Navigator layers are kept (of how many built).
type CacheStats struct {
	Pages  int  `json:"pages"`
	Bytes  int  `json:"bytes"`
	Warmed bool `json:"warmed"`
	// Layers and LayerBytes are the Navigator layers kept
	// (gzip-compressed); LayerBuilds counts the layers built because they
	// were not cached.
	Layers      int   `json:"layers"`
	LayerBytes  int   `json:"layer_bytes"`
	LayerBuilds int64 `json:"layer_builds"`
}

// CacheStats returns the state of the page and layer caches.
func (s *Server) CacheStats() CacheStats {
	st := CacheStats{Warmed: s.warmed.Load()}
	st.Pages, st.Bytes = s.cache.stats()
	st.Layers, st.LayerBytes = s.layers.stats()
	st.LayerBuilds = s.layers.builds.Load()
	return st
}
