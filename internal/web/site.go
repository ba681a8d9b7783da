package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/highlight"
	"github.com/detwiki/detwiki/internal/rulepage"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// site renders the wiki's pages; the server and the static export share it.
type site struct {
	cat   *catalog.Catalog
	tmpl  *template.Template
	notes []string // shown on the home page (e.g. "these are example rules")

	facetsOnce sync.Once
	facetsAll  map[string]catalog.Facet

	// frames caches the layout around pages without a search query, per
	// frameKey, split at the title.
	frames sync.Map

	// ruleJSON: the static site has the rule documents as JSON files.
	ruleJSON bool
}

// frameKey identifies a layout: the URLs, static or not, the active
// section.
type frameKey struct {
	base, ext string
	static    bool
	nav       string
}

// frameParts is a rendered layout: the head around the (escaped) title
// and search text, and the foot.
type frameParts struct {
	head [3][]byte
	foot []byte
}

// titlePlaceholder and queryPlaceholder stand for the title and the search
// box's text while a layout is rendered once; html/template leaves them as
// they are.
const (
	titlePlaceholder = "DETWIKITITLEPLACEHOLDER"
	queryPlaceholder = "DETWIKIQUERYPLACEHOLDER"
)

// layout is the data of the page frame.
type layout struct {
	Title   string
	Nav     string // the active section
	URLs    rulepage.URLs
	Static  bool
	Query   string // the search box's text
	Info    catalog.Info
	Scripts []string
}

func newSite(c *catalog.Catalog, notes []string) *site {
	s := &site{cat: c, notes: notes}
	funcs := rulepage.Funcs()
	funcs["add"] = func(a, b int) int { return a + b }
	funcs["heat"] = heatClass
	funcs["pct"] = func(n, total int) string {
		if total == 0 {
			return "0"
		}
		return strconv.Itoa(n * 100 / total)
	}
	funcs["join"] = strings.Join
	funcs["list"] = func(s ...string) []string { return s }
	funcs["rules"] = newRuleList
	funcs["lower"] = strings.ToLower
	funcs["sortedCounts"] = sortedCounts
	funcs["pageKey"] = catalog.PageKey
	funcs["date"] = func(i catalog.Info) string { return i.Built.Format("2006-01-02 15:04 MST") }
	funcs["dur"] = func(i catalog.Info) string { return i.Duration.Round(100e6).String() }
	funcs["firstN"] = func(n int, list any) any { return firstN(n, list) }
	s.tmpl = template.Must(template.New("web").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))
	return s
}

// heatClass returns the heat-map class (h0..h5) of a count against the max.
func heatClass(n, max int) string {
	if n <= 0 || max <= 0 {
		return "h0"
	}
	// Logarithmic buckets: counts spread over orders of magnitude.
	steps := []float64{0.02, 0.08, 0.2, 0.45}
	r := float64(n) / float64(max)
	for i, s := range steps {
		if r <= s {
			return "h" + strconv.Itoa(i+1)
		}
	}
	return "h5"
}

// langCount is one entry of a counts table.
type langCount struct {
	Key   string
	Count int
}

func sortedCounts(m map[string]int) []langCount {
	out := make([]langCount, 0, len(m))
	for k, v := range m {
		out = append(out, langCount{k, v})
	}
	slices.SortFunc(out, func(a, b langCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out
}

func firstN(n int, list any) any {
	switch l := list.(type) {
	case []*catalog.Rule:
		if len(l) > n {
			return l[:n]
		}
	case []*catalog.IndicatorStat:
		if len(l) > n {
			return l[:n]
		}
	case []*catalog.FieldStat:
		if len(l) > n {
			return l[:n]
		}
	case []*catalog.Pattern:
		if len(l) > n {
			return l[:n]
		}
	case []*catalog.TableStat:
		if len(l) > n {
			return l[:n]
		}
	}
	return list
}

// bufPool recycles the buffers pages are rendered into.
var bufPool = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 64<<10)) }}

func getBuffer() *bytes.Buffer { return bufPool.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= 4<<20 {
		b.Reset()
		bufPool.Put(b)
	}
}

// render writes a page: the content template executed with data, inside
// the layout.
func (s *site) render(w io.Writer, u rulepage.URLs, static bool, nav, title, query, content string, data any) error {
	buf := getBuffer()
	defer putBuffer(buf)
	if err := s.tmpl.ExecuteTemplate(buf, content, data); err != nil {
		return fmt.Errorf("template %s: %w", content, err)
	}
	return s.frame(w, u, static, nav, title, query, buf.Bytes())
}

// frame writes the layout around already rendered (and escaped) content.
// The layout of each (URLs, static, section) is rendered once with
// placeholders for the title and the search box's text, which are escaped
// into it per page.
func (s *site) frame(w io.Writer, u rulepage.URLs, static bool, nav, title, query string, content ...[]byte) error {
	f, err := s.frameFor(frameKey{u.Base, u.Ext, static, nav})
	if err != nil {
		return err
	}
	t := titleBuffers.Get().(*[]byte)
	defer titleBuffers.Put(t)
	*t = highlight.AppendEscape((*t)[:0], title)
	split := len(*t)
	*t = highlight.AppendEscape(*t, query)
	parts := [][]byte{f.head[0], (*t)[:split], f.head[1], (*t)[split:], f.head[2]}
	parts = append(parts, content...)
	parts = append(parts, f.foot)
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			return err
		}
	}
	return nil
}

var titleBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// frameFor returns the layout of key, rendering it the first time.
func (s *site) frameFor(k frameKey) (*frameParts, error) {
	if f, ok := s.frames.Load(k); ok {
		return f.(*frameParts), nil
	}
	l := layout{Title: titlePlaceholder, Query: queryPlaceholder, Nav: k.nav, URLs: rulepage.URLs{Base: k.base, Ext: k.ext}, Static: k.static, Info: s.cat.Info}
	var head, foot bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&head, "layout-head", l); err != nil {
		return nil, err
	}
	if err := s.tmpl.ExecuteTemplate(&foot, "layout-foot", l); err != nil {
		return nil, err
	}
	h := head.Bytes()
	if bytes.Count(h, []byte(titlePlaceholder)) != 1 || bytes.Count(h, []byte(queryPlaceholder)) != 1 ||
		bytes.Index(h, []byte(titlePlaceholder)) > bytes.Index(h, []byte(queryPlaceholder)) {
		return nil, fmt.Errorf("layout: the title and query placeholders are not in the head once, in order")
	}
	pre, rest, _ := bytes.Cut(h, []byte(titlePlaceholder))
	mid, post, _ := bytes.Cut(rest, []byte(queryPlaceholder))
	f := &frameParts{head: [3][]byte{pre, mid, post}, foot: foot.Bytes()}
	s.frames.Store(k, f)
	return f, nil
}

// fragments recycle the buffers rule articles are written into.
var fragments = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// rulePage renders the page of one rule.
func (s *site) rulePage(w io.Writer, u rulepage.URLs, static bool, r *catalog.Rule) error {
	frag := fragments.Get().(*[]byte)
	defer func() {
		if cap(*frag) <= 4<<20 {
			fragments.Put(frag)
		}
	}()
	*frag = rulepage.AppendFragment((*frag)[:0], &rulepage.Page{Doc: r.Document, Rule: r, Catalog: s.cat, URLs: u})
	var extra string
	switch {
	case !static:
		extra = `<p class="formats">Also as <a href="` + template.HTMLEscapeString(s.ruleJSONLink(u, static, r.ID)) + `">JSON</a> and <a href="` +
			template.HTMLEscapeString(u.Base+"rules/"+r.ID+".md") + `">markdown</a>.</p>`
	case s.ruleJSON:
		extra = `<p class="formats">Also as <a href="` + template.HTMLEscapeString(s.ruleJSONLink(u, static, r.ID)) + `">JSON</a>.</p>`
	}
	return s.frame(w, u, static, "rules", r.Title, "", *frag, []byte(extra))
}

func (s *site) ruleJSONLink(u rulepage.URLs, static bool, id string) string {
	if static {
		return u.Base + "rules/" + id + ".json"
	}
	return u.Base + "api/rules/" + id
}

// filterValues reads the browse filters from URL query values.
func filterValues(q url.Values) map[string][]string {
	out := map[string][]string{}
	for _, k := range catalog.FilterKeys {
		for _, v := range q[k] {
			for _, part := range strings.Split(v, ",") {
				if part = strings.TrimSpace(part); part != "" {
					out[k] = append(out[k], part)
				}
			}
		}
	}
	return out
}
