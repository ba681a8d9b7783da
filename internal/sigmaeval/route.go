package sigmaeval

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/detwiki/detwiki/internal/events"
	"github.com/detwiki/detwiki/internal/lang/sigma"
	"github.com/detwiki/detwiki/internal/schema"
	yaml "go.yaml.in/yaml/v3"
)

//go:embed routes.yaml
var routesYAML []byte

// Lane is one kind of event a rule runs on: the events of a provider's
// channels with some event IDs (Sysmon 1), maybe narrowed by a field value
// (Sysmon 12 with EventType CreateKey), and how Sigma's field names map to
// the event's (Security 4688 calls Image NewProcessName).
type Lane struct {
	// Name says what the lane is: "Sysmon 1", "Security 4688", "Security",
	// "Windows".
	Name     string
	Provider string
	// Channels (lower case); empty for any Windows channel.
	Channels []string
	// EventIDs; empty for any event of the channels.
	EventIDs []string
	// FilterField and FilterValue narrow a generic event to the class
	// (EventType = CreateKey); empty for none.
	FilterField, FilterValue string
	// Renames maps Sigma field names to the event's field names.
	Renames map[string]string

	key string
}

// Key identifies the lane's event selection (for caches).
func (l *Lane) Key() string { return l.key }

// Route says where a logsource's rules run: on the events of its lanes and
// on events that name no channel (generic events: JSON lines of any other
// source, matched by field names as the rule writes them).
type Route struct {
	Lanes []*Lane
	// Problem explains, for a Windows logsource, why no lane routes it
	// ("" when it has lanes or is not a Windows logsource).
	Problem string
}

// Router maps Sigma logsources to lanes. It is safe for concurrent use.
type Router struct {
	catalog *schema.Catalog
	fields  *schema.FieldTable
	facts   routeFacts
	// services maps "product/service" to providers' channels.
	services map[string]serviceRoute
	system   map[string]events.SysField

	mu    sync.Mutex
	cache map[string]*Route
}

type serviceRoute struct {
	provider string
	channels []string
}

type routeFacts struct {
	TaxonomyProviders map[string][]string `yaml:"taxonomy_providers"`
	RenamedProviders  []struct {
		Provider string `yaml:"provider"`
		Schema   string `yaml:"schema"`
		Context  string `yaml:"context"`
	} `yaml:"renamed_providers"`
	WindowsServices map[string][]string `yaml:"windows_services"`
	SystemFields    map[string]string   `yaml:"system_fields"`
}

var (
	defaultRouter     *Router
	defaultRouterOnce sync.Once
)

// DefaultRouter returns the router built from the embedded schema and
// routes.yaml. It panics if the embedded data is broken, which the package
// tests rule out.
func DefaultRouter() *Router {
	defaultRouterOnce.Do(func() {
		r, err := NewRouter(schema.Events(), schema.Fields(), routesYAML)
		if err != nil {
			panic("sigmaeval: " + err.Error())
		}
		defaultRouter = r
	})
	return defaultRouter
}

// NewRouter builds a router from an event-equivalence table, a field table
// and routing facts in the routes.yaml format.
func NewRouter(cat *schema.Catalog, fields *schema.FieldTable, facts []byte) (*Router, error) {
	r := &Router{catalog: cat, fields: fields, services: map[string]serviceRoute{}, system: map[string]events.SysField{}, cache: map[string]*Route{}}
	dec := yaml.NewDecoder(strings.NewReader(string(facts)))
	dec.KnownFields(true)
	if err := dec.Decode(&r.facts); err != nil {
		return nil, fmt.Errorf("routes.yaml: %w", err)
	}
	for _, p := range cat.Providers {
		for _, s := range p.Sigma {
			key := strings.ToLower(s)
			sr := r.services[key]
			sr.provider = p.Name
			sr.channels = appendFolded(sr.channels, p.Channels...)
			r.services[key] = sr
		}
	}
	for svc, chans := range r.facts.WindowsServices {
		key := "windows/" + strings.ToLower(svc)
		sr := r.services[key]
		if sr.provider == "" {
			sr.provider = svc
		}
		sr.channels = appendFolded(sr.channels, chans...)
		r.services[key] = sr
	}
	for _, rp := range r.facts.RenamedProviders {
		if cat.Provider(rp.Provider) == nil {
			return nil, fmt.Errorf("routes.yaml: renamed provider %s is not in the schema", rp.Provider)
		}
	}
	for prod, provs := range r.facts.TaxonomyProviders {
		for _, p := range provs {
			if cat.Provider(p) == nil {
				return nil, fmt.Errorf("routes.yaml: taxonomy provider %s (%s) is not in the schema", p, prod)
			}
		}
	}
	sys := map[string]events.SysField{}
	for _, s := range events.SysFields() {
		sys[s.Name()] = s
	}
	for sigmaName, name := range r.facts.SystemFields {
		s, ok := sys[name]
		if !ok {
			return nil, fmt.Errorf("routes.yaml: system field %s: events has no property %s", sigmaName, name)
		}
		r.system[sigmaName] = s
	}
	return r, nil
}

func appendFolded(list []string, add ...string) []string {
	for _, a := range add {
		a = strings.ToLower(a)
		dup := false
		for _, x := range list {
			if x == a {
				dup = true
				break
			}
		}
		if !dup {
			list = append(list, a)
		}
	}
	return list
}

// SystemField returns the Windows system property a Sigma field name
// stands for (EventID, Provider_Name, ...).
func (r *Router) SystemField(name string) (events.SysField, bool) {
	s, ok := r.system[name]
	return s, ok
}

// Route returns the lanes of a logsource. Routes are cached.
func (r *Router) Route(ls sigma.Logsource) *Route {
	key := strings.ToLower(ls.Product + "/" + ls.Category + "/" + ls.Service)
	r.mu.Lock()
	defer r.mu.Unlock()
	if rt, ok := r.cache[key]; ok {
		return rt
	}
	rt := r.route(strings.ToLower(ls.Product), strings.ToLower(ls.Category), strings.ToLower(ls.Service))
	r.cache[key] = rt
	return rt
}

func (r *Router) route(product, category, service string) *Route {
	rt := &Route{}
	windowsLike := product == "windows" || product == "linux"
	if category != "" {
		rt.Lanes = r.categoryLanes(product, category, service)
		if len(rt.Lanes) > 0 || !windowsLike {
			return rt
		}
		if service == "" {
			rt.Problem = fmt.Sprintf("no %s events carry Sigma's %s fields", product, category)
			return rt
		}
	}
	if service != "" {
		sr, ok := r.services[product+"/"+service]
		if !ok || len(sr.channels) == 0 {
			if windowsLike {
				rt.Problem = fmt.Sprintf("no channel is known for %s service %s", product, service)
			}
			return rt
		}
		rt.Lanes = []*Lane{{Name: sr.provider, Provider: sr.provider, Channels: sr.channels}}
		rt.Lanes[0].key = "svc:" + product + "/" + service
		return rt
	}
	if product == "windows" {
		rt.Lanes = []*Lane{{Name: "Windows", key: "windows"}}
	}
	return rt
}

// categoryLanes returns the lanes of a category: the events of its class and
// of the classes nested in it, from the product's taxonomy providers, and
// from renamed providers with a field mapping for the category.
func (r *Router) categoryLanes(product, category, service string) []*Lane {
	cl := r.catalog.ClassOfSigma(category)
	if cl == nil {
		return nil
	}
	classes := append([]*schema.Class{cl}, r.catalog.Descendants(cl)...)
	taxonomy := map[string]bool{}
	var products []string
	if product != "" {
		products = []string{product}
	} else {
		for p := range r.facts.TaxonomyProviders {
			products = append(products, p)
		}
		sort.Strings(products)
	}
	for _, p := range products {
		for _, name := range r.facts.TaxonomyProviders[p] {
			taxonomy[name] = true
		}
	}
	renames := map[string]map[string]string{}
	for _, rp := range r.facts.RenamedProviders {
		if d := r.fields.Derivation(rp.Schema, rp.Context, category); d != nil {
			renames[rp.Provider] = d.Map
		}
	}
	type evKey struct{ provider, event string }
	byEvent := map[evKey]*Lane{}
	var lanes []*Lane
	for _, c := range classes {
		for _, e := range c.Events {
			p := r.catalog.Provider(e.Provider)
			if p == nil || len(p.Channels) == 0 {
				continue
			}
			ren, renamed := renames[p.Name]
			if !taxonomy[p.Name] && !renamed {
				continue
			}
			if product != "" && p.Platform != "" && p.Platform != product {
				continue
			}
			if service != "" && !providerNamesService(p, product, service) {
				continue
			}
			k := evKey{p.Name, e.Event}
			field, value, _ := strings.Cut(e.Filter, "=")
			if l := byEvent[k]; l != nil {
				if e.Filter == "" || l.FilterField != "" && (l.FilterField != field || l.FilterValue != value) {
					l.FilterField, l.FilterValue = "", "" // the broadest wins
					l.key = "ev:" + p.Name + "/" + e.Event
				}
				continue
			}
			chans := p.Channels
			for _, s := range p.Sigma {
				if sr, ok := r.services[strings.ToLower(s)]; ok {
					chans = sr.channels
				}
			}
			l := &Lane{Name: p.Name + " " + e.Event, Provider: p.Name, Channels: appendFolded(nil, chans...),
				EventIDs: []string{e.Event}, FilterField: field, FilterValue: value, Renames: ren}
			l.key = "ev:" + p.Name + "/" + e.Event
			if e.Filter != "" {
				l.key += "?" + e.Filter
			}
			byEvent[k] = l
			lanes = append(lanes, l)
		}
	}
	return lanes
}

func providerNamesService(p *schema.Provider, product, service string) bool {
	for _, s := range p.Sigma {
		if strings.EqualFold(s, product+"/"+service) {
			return true
		}
	}
	return false
}
