package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/rulepage"
)

func (s *Server) apiRoutes() {
	m := s.mux
	m.HandleFunc("GET /api/{$}", s.apiIndex)
	m.HandleFunc("GET /api/info", s.apiInfo)
	m.HandleFunc("GET /api/rules", s.apiRules(false))
	m.HandleFunc("GET /api/rules/{lang}/{slug}", s.apiRule)
	m.HandleFunc("GET /api/related/{lang}/{slug}", s.apiRelated)
	m.HandleFunc("GET /api/search", s.apiRules(true))
	m.HandleFunc("GET /api/attack", s.apiAttack)
	m.HandleFunc("GET /api/attack/layer", s.apiLayer)
	m.HandleFunc("GET /api/attack/{id}", s.apiTechnique)
	m.HandleFunc("GET /api/events", s.apiEvents)
	m.HandleFunc("GET /api/events/{provider}/{event}", s.apiEvent)
	m.HandleFunc("GET /api/indicators", s.apiIndicators)
	m.HandleFunc("GET /api/indicators/{field}/{kind}/{value}", s.apiIndicator)
	m.HandleFunc("GET /api/fields", s.apiFields)
	m.HandleFunc("GET /api/patterns", s.apiPatterns)
	m.HandleFunc("GET /api/coverage", s.apiCoverage)
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "no such API endpoint; see /api/")
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

func (s *Server) apiIndex(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"endpoints": []string{"/api/info", "/api/rules", "/api/rules/{id}", "/api/related/{id}", "/api/search?q=",
			"/api/attack", "/api/attack/layer", "/api/attack/{technique}", "/api/events", "/api/events/{provider}/{event}",
			"/api/indicators", "/api/indicators/{field}/{kind}/{value}", "/api/fields", "/api/patterns", "/api/coverage"},
		"docs": "docs/api.md",
	})
}

func (s *Server) apiInfo(w http.ResponseWriter, r *http.Request) {
	c := s.site.cat
	// Where the sources are on the build machine is nobody's business.
	info := c.Info
	info.Sources = append([]catalog.SourceInfo(nil), info.Sources...)
	for i := range info.Sources {
		info.Sources[i].Root = ""
	}
	writeJSON(w, http.StatusOK, map[string]any{"info": info, "languages": c.Languages, "indicators": len(c.Indicators),
		"fields": len(c.Fields), "events": len(c.Events), "patterns": len(c.Patterns), "cache": s.CacheStats()})
}

// ruleSummary is a rule in lists.
type ruleSummary struct {
	ID             string              `json:"id"`
	Title          string              `json:"title"`
	Language       string              `json:"language"`
	QueryLanguage  string              `json:"query_language"`
	Format         string              `json:"format"`
	Source         rule.Source         `json:"source"`
	Severity       string              `json:"severity,omitempty"`
	Status         string              `json:"status,omitempty"`
	Techniques     []string            `json:"techniques"`
	Tactics        []string            `json:"tactics"`
	Tables         []string            `json:"tables"`
	ThirdPartyFeed bool                `json:"third_party_feed"`
	URL            string              `json:"url"`
	API            string              `json:"api"`
	Score          int                 `json:"score,omitempty"`
	Snippet        string              `json:"snippet,omitempty"`
	Matched        []catalog.Predicate `json:"matched,omitempty"`
}

func summarize(r *catalog.Rule) ruleSummary {
	rs := ruleSummary{ID: r.ID, Title: r.Title, Language: r.Language, QueryLanguage: r.QueryLanguage, Format: r.Format,
		Source: r.Source, Severity: r.Severity, Status: r.Status, Techniques: r.Techniques, Tactics: r.Tactics,
		Tables: r.Analysis.Tables, ThirdPartyFeed: r.ThirdPartyFeed, URL: "/rules/" + r.ID, API: "/api/rules/" + r.ID}
	if rs.Techniques == nil {
		rs.Techniques = []string{}
	}
	if rs.Tactics == nil {
		rs.Tactics = []string{}
	}
	return rs
}

// filterFromQuery reads a Filter from URL parameters.
func filterFromQuery(q url.Values) catalog.Filter {
	page, _ := strconv.Atoi(q.Get("page"))
	per, _ := strconv.Atoi(q.Get("per_page"))
	return catalog.Filter{Q: q.Get("q"), Filters: filterValues(q), Feeds: q.Get("feeds") == "1" || q.Get("feeds") == "true",
		Sort: q.Get("sort"), Desc: q.Get("order") == "desc", Page: page, PerPage: per}
}

func (s *Server) apiRules(search bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if search && strings.TrimSpace(q.Get("q")) == "" {
			s.fail(w, r, http.StatusBadRequest, "missing q")
			return
		}
		f := filterFromQuery(q)
		res, err := s.site.cat.Find(f)
		if err != nil {
			status := http.StatusBadRequest
			if errors.Is(err, catalog.ErrQueryTooLong) {
				status = http.StatusRequestEntityTooLarge
			}
			s.fail(w, r, status, err.Error())
			return
		}
		rules := make([]ruleSummary, 0, len(res.Hits))
		for _, h := range res.Hits {
			rs := summarize(h.Rule)
			rs.Score, rs.Snippet, rs.Matched = h.Score, h.Snippet, h.Matched
			rules = append(rules, rs)
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"query": res.Query.String(), "total": res.Total, "page": res.Page, "per_page": res.PerPage, "pages": res.Pages,
			"sort": res.Sort, "took_ms": float64(res.Took.Microseconds()) / 1000, "rules": rules, "facets": res.Facets,
		})
	}
}

// ruleOf returns the rule a request names. A shared id (several rules were
// read with it, each has an id of its own) is answered 300 Multiple Choices
// with the candidates; an unknown id 404.
func (s *Server) ruleOf(w http.ResponseWriter, r *http.Request) (*catalog.Rule, bool) {
	id := r.PathValue("lang") + "/" + r.PathValue("slug")
	rl, ok := s.site.cat.Rule(id)
	if ok {
		return rl, true
	}
	if sh, shared := s.site.cat.SharedID(id); shared {
		candidates := make([]ruleSummary, 0, len(sh.Rules))
		for _, c := range sh.Rules {
			candidates = append(candidates, summarize(c))
		}
		writeJSON(w, http.StatusMultipleChoices, map[string]any{
			"error":  fmt.Sprintf("%d rules were read with the id %s; each has an id of its own: see candidates", len(sh.Rules), sh.ID),
			"status": http.StatusMultipleChoices, "id": sh.ID, "candidates": candidates,
		})
		return nil, false
	}
	s.fail(w, r, http.StatusNotFound, "no rule "+id)
	return nil, false
}

func (s *Server) apiRule(w http.ResponseWriter, r *http.Request) {
	if rl, ok := s.ruleOf(w, r); ok {
		writeJSON(w, http.StatusOK, rl.Document)
	}
}

func (s *Server) apiRelated(w http.ResponseWriter, r *http.Request) {
	rl, ok := s.ruleOf(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": rl.ID, "neighbours": rl.Neighbours,
		"same_action": rl.SameAction, "same_action_total": rl.SameActionTotal})
}

func matrixFilter(q url.Values) catalog.MatrixFilter {
	var f catalog.MatrixFilter
	for _, v := range q["lang"] {
		f.Languages = append(f.Languages, strings.Split(v, ",")...)
	}
	for _, v := range q["source"] {
		f.Sources = append(f.Sources, strings.Split(v, ",")...)
	}
	return f
}

func (s *Server) apiAttack(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.site.cat.Matrix(matrixFilter(r.URL.Query())))
}

// baseURL is the public URL of the wiki for absolute links.
func (s *Server) baseURL(r *http.Request) string {
	if s.opt.BaseURL != "" {
		return strings.TrimSuffix(s.opt.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) apiLayer(w http.ResponseWriter, r *http.Request) {
	base := s.baseURL(r)
	opt := catalog.LayerOptions{MatrixFilter: matrixFilter(r.URL.Query()), RuleURL: func(id string) string {
		return base + rulepage.Server.Rule(id)
	}}
	name := "detwiki-layer"
	for _, x := range append(append([]string{}, opt.Languages...), opt.Sources...) {
		name += "-" + catalog.PageKey(x)
	}
	// The layer depends only on the filter (as given: its values name the
	// layer) and the base URL of the links.
	key := base + "\x00" + strings.Join(opt.Languages, "\x01") + "\x00" + strings.Join(opt.Sources, "\x01")
	e := s.layers.get(key, func(buf *bytes.Buffer) error {
		s.renderSlots <- struct{}{}
		defer func() { <-s.renderSlots }()
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(true)
		return enc.Encode(s.site.cat.Layer(opt))
	})
	if e.err != nil {
		s.fail(w, r, http.StatusInternalServerError, e.err.Error())
		return
	}
	h := w.Header()
	h.Set("Content-Disposition", `attachment; filename="`+name+`.json"`)
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", "Accept-Encoding")
	writeGzipped(w, r, e.gz, e.size)
}

func (s *Server) apiTechnique(w http.ResponseWriter, r *http.Request) {
	d, ok := s.site.technique(s.base(), r.PathValue("id"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, "no ATT&CK technique "+r.PathValue("id"))
		return
	}
	list := func(rs []*catalog.Rule) []ruleSummary {
		out := make([]ruleSummary, 0, len(rs))
		for _, r := range rs {
			out = append(out, summarize(r))
		}
		return out
	}
	writeJSON(w, http.StatusOK, map[string]any{"technique": d.Stat, "rules": list(d.Rules), "subtechnique_rules": list(d.SubRules)})
}

func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) {
	out := make([]map[string]any, 0, len(s.site.cat.Events))
	for _, e := range s.site.cat.Events {
		out = append(out, map[string]any{"provider": e.Provider, "event": e.Event, "title": e.Title, "class": e.Class,
			"rules": len(e.Rules), "equivalent_rules": len(e.Equivalent), "url": "/events/" + e.Slug, "api": "/api/events/" + e.Slug})
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": len(out), "events": out})
}

func (s *Server) apiEvent(w http.ResponseWriter, r *http.Request) {
	e, ok := s.site.cat.EventBySlug(r.PathValue("provider") + "/" + r.PathValue("event"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, "no event")
		return
	}
	direct, equiv := s.site.cat.EventRules(e)
	ids := func(rs []*catalog.Rule) []string {
		out := make([]string, 0, len(rs))
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	var eqs []string
	for _, o := range e.Equivalents {
		eqs = append(eqs, o.Provider+"/"+o.Event)
	}
	samples := []map[string]any{}
	for _, sm := range s.site.cat.EventSamples(e, maxEventSamples) {
		x := map[string]any{"rules": ids(sm.Rules), "rules_total": sm.RulesTotal}
		if sm.Dataset != "" {
			x["dataset"], x["fields"] = sm.Dataset, sm.Fields
		} else {
			x["event"] = sm.Text
		}
		samples = append(samples, x)
	}
	writeJSON(w, http.StatusOK, map[string]any{"event": e, "rules": ids(direct), "equivalent_rules": ids(equiv), "equivalents": eqs, "samples": samples})
}

func (s *Server) apiIndicators(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 || per > 1000 {
		per = 100
	}
	if page < 1 {
		page = 1
	}
	field, kind, value := strings.ToLower(q.Get("field")), strings.ToLower(q.Get("kind")), strings.ToLower(q.Get("value"))
	if len(value) > catalog.MaxQueryLen || len(field) > catalog.MaxQueryLen {
		s.fail(w, r, http.StatusRequestEntityTooLarge, "parameter too long")
		return
	}
	var match []*catalog.IndicatorStat
	for _, st := range s.site.cat.Indicators {
		if field != "" && st.Key.Field != field && !containsFold(st.Spellings, field) {
			continue
		}
		if kind != "" && st.Kind != rule.KindClass(kind) {
			continue
		}
		if value != "" && !strings.Contains(st.Key.Value, value) {
			continue
		}
		match = append(match, st)
	}
	from := min((page-1)*per, len(match))
	to := min(from+per, len(match))
	out := make([]map[string]any, 0, to-from)
	for _, st := range match[from:to] {
		out = append(out, map[string]any{"field": st.Field, "kind": st.Kind, "value": st.Value, "spellings": st.Spellings,
			"corpus": rule.Corpus{Total: st.Total, ByLanguage: st.ByLanguage}, "url": "/indicators/" + st.Slug, "api": "/api/indicators/" + st.Slug})
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": len(match), "page": page, "per_page": per, "indicators": out})
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func (s *Server) apiIndicator(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("field") + "/" + r.PathValue("kind") + "/" + r.PathValue("value")
	st, ok := s.site.cat.IndicatorBySlug(slug)
	if !ok {
		s.fail(w, r, http.StatusNotFound, "no indicator "+slug)
		return
	}
	d := s.site.indicator(s.base(), st)
	uses := make([]map[string]any, 0, len(d.Rules))
	for _, u := range d.Rules {
		uses = append(uses, map[string]any{"id": u.Rule.ID, "title": u.Rule.Title, "language": u.Rule.Language,
			"field": u.Field, "kind": u.Kind, "value": u.Value, "transforms": u.Tf})
	}
	writeJSON(w, http.StatusOK, map[string]any{"indicator": st, "corpus": rule.Corpus{Total: st.Total, ByLanguage: st.ByLanguage}, "rules": uses})
}

func (s *Server) apiFields(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"total": len(s.site.cat.Fields), "fields": s.site.cat.Fields})
}

func (s *Server) apiPatterns(w http.ResponseWriter, r *http.Request) {
	out := make([]map[string]any, 0, len(s.site.cat.Patterns))
	for _, p := range s.site.cat.Patterns {
		out = append(out, map[string]any{"events": p.EventKeys, "rules": len(p.Rules), "by_language": p.ByLanguage, "url": "/patterns/" + p.Slug})
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": len(out), "patterns": out})
}

func (s *Server) apiCoverage(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.site.cat.Coverage(matrixFilter(r.URL.Query())))
}
