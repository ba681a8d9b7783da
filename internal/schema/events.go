package schema

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

//go:embed events.json
var eventsJSON []byte

// Catalog is the event-equivalence table: providers, event classes and the
// indexes Enrich uses to recognise what a rule reads.
type Catalog struct {
	Version int `json:"version"`
	// Sources say where the table comes from (OSSEM-DM snapshot, curated file).
	Sources   []Source   `json:"sources"`
	Providers []Provider `json:"providers"`
	Classes   []Class    `json:"classes"`
	// Defaults are the events a source stands for when a rule names no
	// narrower one (DeviceProcessEvents read without an ActionType filter
	// stands for ProcessCreated).
	Defaults []EventRef `json:"defaults"`
	// ECSActions maps ECS event.action values to ECS events of the table.
	ECSActions map[string]string `json:"ecs_actions"`
	// ASIM maps ASIM parser families (ProcessCreate, Dns, ...) to ASIM events.
	ASIM map[string]string `json:"asim"`

	classByName  map[string]*Class
	event        map[evKey]*eventInfo // exact provider and event
	eventLower   map[evKey]*eventInfo // lower-cased
	classBySigma map[string]*Class    // Sigma category
	children     map[string][]*Class
	provider     map[string]*Provider // lower(name)
	channel      map[string]string    // lower(channel) -> provider
	winSource    map[string]string    // lower(Windows provider name) -> provider
	sigmaLog     map[string]string    // lower(product/service) -> provider
	kustoTable   map[string]string    // lower(table) -> provider
	elastic      map[string]string    // lower(dataset or index prefix) -> provider
	splunkPrefix []prefixProvider
	panther      map[string]string // lower(log type) -> provider
	chronicle    map[string]string // lower(log type or product name) -> provider
	eventField   map[string][]string
	defaultEvent map[string]string // provider -> event
	equivalents  map[string][]ClassEvent
	eventCount   int
}

// evKey identifies a provider's event in the indexes.
type evKey struct{ provider, event string }

// eventInfo is what the table knows of one provider's event.
type eventInfo struct {
	id      int
	classes []*Class
	title   string
}

type prefixProvider struct {
	prefix   string // lower
	provider string
}

// Source says where a part of a table comes from.
type Source struct {
	Name   string `json:"name"`
	Repo   string `json:"repo,omitempty"`
	Path   string `json:"path"`
	Commit string `json:"commit,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
}

// Provider is an event provider and what identifies it in each rule
// language. The yaml tags read it from classes.yaml (package eventgen).
type Provider struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	// Platform is the one operating system the provider's events come from
	// (windows, linux), or "" for any.
	Platform string `json:"platform,omitempty" yaml:"platform"`
	// Channels and Sources are Windows event channels and provider names.
	Channels []string `json:"channels,omitempty" yaml:"channels"`
	Sources  []string `json:"sources,omitempty" yaml:"sources"`
	// Sigma lists product/service logsources; Kusto tables; Elastic
	// datasets or index-pattern prefixes; Splunk data_source name prefixes;
	// Panther log types; Chronicle log types or product names.
	Sigma     []string `json:"sigma,omitempty" yaml:"sigma"`
	Kusto     []string `json:"kusto,omitempty" yaml:"kusto"`
	Elastic   []string `json:"elastic,omitempty" yaml:"elastic"`
	Splunk    []string `json:"splunk,omitempty" yaml:"splunk"`
	Panther   []string `json:"panther,omitempty" yaml:"panther"`
	Chronicle []string `json:"chronicle,omitempty" yaml:"chronicle"`
	// EventFields are the fields whose values name the provider's events.
	EventFields []string `json:"event_fields,omitempty" yaml:"event_fields"`
}

// Class is a provider-neutral event class.
type Class struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	// Parent is the broader class this one belongs to, if any.
	Parent string `json:"parent,omitempty"`
	// Sigma lists the Sigma logsource categories of the class.
	Sigma  []string `json:"sigma,omitempty"`
	Events []Event  `json:"events"`
}

// Event is one provider's event in a class.
type Event struct {
	Provider string `json:"provider"`
	Event    string `json:"event"`
	Title    string `json:"title,omitempty"`
	// Filter narrows a generic event to the class (ObjectType=File).
	Filter string `json:"filter,omitempty"`
	// Source is "curated" or "ossem:<relationship ids>".
	Source string `json:"source"`
}

// EventRef names a provider's event.
type EventRef struct {
	Provider string `json:"provider" yaml:"provider"`
	Event    string `json:"event" yaml:"event"`
}

var (
	defaultCatalog     *Catalog
	defaultCatalogErr  error
	defaultCatalogOnce sync.Once
)

// Events returns the embedded event-equivalence table. It panics if the
// embedded data is broken, which the package tests rule out.
func Events() *Catalog {
	defaultCatalogOnce.Do(func() {
		defaultCatalog, defaultCatalogErr = ParseEvents(eventsJSON)
	})
	if defaultCatalogErr != nil {
		panic("schema: embedded events.json: " + defaultCatalogErr.Error())
	}
	return defaultCatalog
}

// ParseEvents decodes an event-equivalence table (the events.json format)
// and builds its indexes.
func ParseEvents(data []byte) (*Catalog, error) {
	var c Catalog
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, err
	}
	c.classByName = map[string]*Class{}
	c.event = map[evKey]*eventInfo{}
	c.eventLower = map[evKey]*eventInfo{}
	c.classBySigma = map[string]*Class{}
	c.children = map[string][]*Class{}
	c.provider = map[string]*Provider{}
	c.channel = map[string]string{}
	c.winSource = map[string]string{}
	c.sigmaLog = map[string]string{}
	c.kustoTable = map[string]string{}
	c.elastic = map[string]string{}
	c.panther = map[string]string{}
	c.chronicle = map[string]string{}
	c.eventField = map[string][]string{}
	c.defaultEvent = map[string]string{}
	for i := range c.Providers {
		p := &c.Providers[i]
		c.provider[strings.ToLower(p.Name)] = p
		for _, s := range p.Channels {
			c.channel[strings.ToLower(s)] = p.Name
		}
		for _, s := range p.Sources {
			c.winSource[strings.ToLower(s)] = p.Name
		}
		for _, s := range p.Sigma {
			c.sigmaLog[strings.ToLower(s)] = p.Name
		}
		for _, s := range p.Kusto {
			c.kustoTable[strings.ToLower(s)] = p.Name
		}
		for _, s := range p.Elastic {
			c.elastic[strings.ToLower(s)] = p.Name
		}
		for _, s := range p.Splunk {
			c.splunkPrefix = append(c.splunkPrefix, prefixProvider{strings.ToLower(s), p.Name})
		}
		for _, s := range p.Panther {
			c.panther[strings.ToLower(s)] = p.Name
		}
		for _, s := range p.Chronicle {
			c.chronicle[strings.ToLower(s)] = p.Name
		}
		for _, f := range p.EventFields {
			k := strings.ToLower(f)
			c.eventField[k] = append(c.eventField[k], p.Name)
		}
	}
	// Longest Splunk prefixes first: "Sysmon for Linux EventID " before "Sysmon ".
	sort.SliceStable(c.splunkPrefix, func(i, j int) bool { return len(c.splunkPrefix[i].prefix) > len(c.splunkPrefix[j].prefix) })
	for i := range c.Classes {
		cl := &c.Classes[i]
		c.classByName[cl.Name] = cl
		for _, s := range cl.Sigma {
			c.classBySigma[s] = cl
		}
	}
	for i := range c.Classes {
		cl := &c.Classes[i]
		if cl.Parent != "" {
			if c.classByName[cl.Parent] == nil {
				return nil, fmt.Errorf("class %s: unknown parent %s", cl.Name, cl.Parent)
			}
			c.children[cl.Parent] = append(c.children[cl.Parent], cl)
		}
		for _, e := range cl.Events {
			if c.provider[strings.ToLower(e.Provider)] == nil {
				return nil, fmt.Errorf("class %s: unknown provider %s", cl.Name, e.Provider)
			}
			lk := evKey{strings.ToLower(e.Provider), strings.ToLower(e.Event)}
			info := c.eventLower[lk]
			if info == nil {
				info = &eventInfo{id: c.eventCount, title: e.Title}
				c.eventCount++
				c.eventLower[lk] = info
				c.event[evKey{e.Provider, e.Event}] = info
			}
			if !containsClass(info.classes, cl) {
				info.classes = append(info.classes, cl)
			}
		}
	}
	for _, d := range c.Defaults {
		c.defaultEvent[d.Provider] = d.Event
	}
	c.equivalents = make(map[string][]ClassEvent, len(c.Classes))
	for i := range c.Classes {
		c.equivalents[c.Classes[i].Name] = c.computeEquivalents(&c.Classes[i])
	}
	return &c, nil
}

func containsClass(list []*Class, c *Class) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}

// lookupEvent returns what the table knows of a provider's event, trying
// the exact names before lower-casing them.
func (c *Catalog) lookupEvent(provider, event string) *eventInfo {
	if info, ok := c.event[evKey{provider, event}]; ok {
		return info
	}
	return c.eventLower[evKey{strings.ToLower(provider), strings.ToLower(event)}]
}

// Class returns the class named name, or nil.
func (c *Catalog) Class(name string) *Class { return c.classByName[name] }

// ClassOfSigma returns the class of a Sigma logsource category, or nil.
func (c *Catalog) ClassOfSigma(category string) *Class { return c.classBySigma[category] }

// ClassesOf returns the classes a provider's event belongs to (most often
// one; a generic event such as Security 4657 may belong to several).
func (c *Catalog) ClassesOf(provider, event string) []*Class {
	if info := c.lookupEvent(provider, event); info != nil {
		return info.classes
	}
	return nil
}

// Provider returns the provider named name (case-insensitive), or nil.
func (c *Catalog) Provider(name string) *Provider { return c.provider[strings.ToLower(name)] }

// Title returns the title of a provider's event, or "" when the table does
// not know it.
func (c *Catalog) Title(provider, event string) string {
	if info := c.lookupEvent(provider, event); info != nil {
		return info.title
	}
	return ""
}

// Ancestors returns cl's parent, grandparent, ... (nearest first).
func (c *Catalog) Ancestors(cl *Class) []*Class {
	var out []*Class
	for p := c.classByName[cl.Parent]; p != nil && len(out) < 8; p = c.classByName[p.Parent] {
		out = append(out, p)
	}
	return out
}

// Descendants returns the classes nested in cl, depth first.
func (c *Catalog) Descendants(cl *Class) []*Class {
	var out []*Class
	var walk func(*Class, int)
	walk = func(x *Class, depth int) {
		if depth > 8 {
			return
		}
		for _, ch := range c.children[x.Name] {
			out = append(out, ch)
			walk(ch, depth+1)
		}
	}
	walk(cl, 0)
	return out
}

// Equivalents returns the events equivalent to an event of class cl: the
// events of cl, of its ancestors (broader events that cover it) and, when
// cl is itself broad, of its descendants. Each event is returned once, with
// the class that lists it. The slice is shared: do not modify it.
func (c *Catalog) Equivalents(cl *Class) []ClassEvent {
	if cl == nil {
		return nil
	}
	return c.equivalents[cl.Name]
}

func (c *Catalog) computeEquivalents(cl *Class) []ClassEvent {
	var out []ClassEvent
	seen := map[int]bool{}
	add := func(x *Class) {
		for _, e := range x.Events {
			id := c.lookupEvent(e.Provider, e.Event).id
			if !seen[id] {
				seen[id] = true
				ce := ClassEvent{Class: x.Name, Event: e, id: id}
				if p := c.provider[strings.ToLower(e.Provider)]; p != nil {
					ce.platform = p.Platform
				}
				out = append(out, ce)
			}
		}
	}
	add(cl)
	for _, a := range c.Ancestors(cl) {
		add(a)
	}
	for _, d := range c.Descendants(cl) {
		add(d)
	}
	return out
}

// ClassEvent is an event with the class that lists it.
type ClassEvent struct {
	Class    string
	Event    Event
	id       int
	platform string
}

// ProviderNames returns the names of every provider, in table order.
func (c *Catalog) ProviderNames() []string {
	out := make([]string, len(c.Providers))
	for i, p := range c.Providers {
		out[i] = p.Name
	}
	return out
}
