package rulepage

import (
	"net/url"
	"strings"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/rule"
)

// URLs makes the links of the wiki's pages. The server and the static site
// use the same paths; the static site adds ".html" and links relatively so
// that it works from any folder, any static host and file://.
//
// Paths: rules/<language>/<slug>, rules/ (browse), search, attack/
// (matrix), attack/<technique>, fields/<field>,
// indicators/<field>/<kind>/<value>, events/<provider>,
// events/<provider>/<event>, patterns/, coverage, static/<asset>.
type URLs struct {
	// Base is prepended to every path: "/" on the server, a relative prefix
	// such as "../../" in the static site, or an absolute URL.
	Base string
	// Ext is appended to page paths (".html" in the static site).
	Ext string
	// SharedIndicatorsOnly says that indicator pages exist only for the
	// indicators at least two rules look for: the static site leaves out
	// the pages of values unique to one rule (most of them), which would
	// only repeat that rule's page.
	SharedIndicatorsOnly bool
	// LinkPublicSource says that a rule page links the rule's source file in
	// its public repository instead of showing it, when detwiki knows the
	// repository and no diagnostic points into the file (the static site:
	// the file mostly repeats the query and metadata the page shows).
	LinkPublicSource bool
}

// Server are the URLs of `detwiki serve`.
var Server = URLs{Base: "/"}

// Static returns the URLs of a static page at the given depth (the number
// of folders between the site root and the page).
func Static(depth int) URLs {
	return URLs{Base: strings.Repeat("../", depth), Ext: ".html", SharedIndicatorsOnly: true, LinkPublicSource: true}
}

// HasIndicatorPage reports whether the wiki these URLs link has a page for
// the indicator st.
func (u URLs) HasIndicatorPage(st *catalog.IndicatorStat) bool {
	return st != nil && (!u.SharedIndicatorsOnly || st.Total >= 2)
}

// Page returns the link of a page path ("rules/kusto/x").
func (u URLs) Page(path string) string {
	return u.Base + path + u.Ext
}

// Dir returns the link of a folder's page ("rules/").
func (u URLs) Dir(path string) string {
	if u.Ext != "" {
		return u.Base + path + "index" + u.Ext
	}
	return u.Base + path
}

// Home returns the link of the home page.
func (u URLs) Home() string { return u.Dir("") }

// WithQuery returns link with the query parameters added.
func WithQuery(link string, q url.Values) string {
	if len(q) == 0 {
		return link
	}
	return link + "?" + q.Encode()
}

// Rule returns the link of a rule page.
func (u URLs) Rule(id string) string { return u.Page("rules/" + id) }

// Browse returns the link of the rule list with filters.
func (u URLs) Browse(q url.Values) string { return WithQuery(u.Dir("rules/"), q) }

// Search returns the link of a search.
func (u URLs) Search(q string) string {
	return WithQuery(u.Page("search"), url.Values{"q": {q}})
}

// Field returns the link of the page of the field the values of an
// indicator of a rule in the given language count under.
func (u URLs) Field(language string, ind rule.Indicator) string {
	return u.Page("fields/" + catalog.FieldSlug(language, ind))
}

// FieldByName returns the link of the page of a field named as a rule of
// the given language writes it.
func (u URLs) FieldByName(language, name string) string {
	return u.Page("fields/" + catalog.FieldSlugByName(language, name))
}

// FieldSlug returns the link of a field page by page key.
func (u URLs) FieldSlug(slug string) string { return u.Page("fields/" + slug) }

// FieldKey returns the link of a field page by corpus field key.
func (u URLs) FieldKey(key string) string { return u.Page("fields/" + catalog.PageKey(key)) }

// Indicator returns the link of the page of one value of an indicator ("" for
// a value without a corpus key: a column, an expression).
func (u URLs) Indicator(language string, ind rule.Indicator, v rule.Value) string {
	slug := catalog.IndicatorSlug(language, ind, v)
	if slug == "" {
		return ""
	}
	return u.Page("indicators/" + slug)
}

// IndicatorSlug returns the link of an indicator page by its path.
func (u URLs) IndicatorSlug(slug string) string { return u.Page("indicators/" + slug) }

// Event returns the link of an event page.
func (u URLs) Event(provider, event string) string {
	return u.Page("events/" + catalog.EventSlug(provider, event))
}

// Provider returns the link of a provider page.
func (u URLs) Provider(provider string) string {
	return u.Page("events/" + catalog.PageKey(provider))
}

// Technique returns the link of a technique page.
func (u URLs) Technique(id string) string { return u.Page("attack/" + id) }

// Matrix returns the link of the ATT&CK matrix.
func (u URLs) Matrix(q url.Values) string { return WithQuery(u.Dir("attack/"), q) }

// Table returns the link of the rule list filtered on a table.
func (u URLs) Table(name string) string { return u.Browse(url.Values{"table": {name}}) }

// Pattern returns the link of a detection pattern page.
func (u URLs) Pattern(slug string) string { return u.Page("patterns/" + slug) }

// Asset returns the link of a static file (CSS, JS).
func (u URLs) Asset(name string) string { return u.Base + "static/" + name }

// exists reports whether the wiki of u over catalog c has the page at path
// ("fields/x", "indicators/f/k/v", "events/p/e", "events/p"); without a
// catalog every page is assumed to exist.
func exists(c *catalog.Catalog, u URLs, path string) bool {
	if c == nil {
		return true
	}
	kind, slug, _ := strings.Cut(path, "/")
	var ok bool
	switch kind {
	case "fields":
		_, ok = c.FieldBySlug(slug)
	case "indicators":
		st, found := c.IndicatorBySlug(slug)
		ok = found && u.HasIndicatorPage(st)
	case "events":
		if strings.Contains(slug, "/") {
			_, ok = c.EventBySlug(slug)
		} else {
			_, ok = c.ProviderBySlug(slug)
		}
	default:
		ok = true
	}
	return ok
}
