// Package eventgen builds the event-equivalence table embedded by package
// schema (internal/schema/events.json) from two inputs: the hand-curated
// classes file (internal/schema/classes.yaml) and the OSSEM-DM relationships
// (OTRF/OSSEM-DM relationships/_all_ossem_relationships.yml), which give the
// Security-Auditing, Sysmon, Defender XDR and CloudTrail events of 181
// behaviours. The command internal/schema/gen writes the table; the package's
// test regenerates it in memory and checks the committed file is up to date.
package eventgen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/schema"
)

// Table is the generated event-equivalence table (the JSON form package
// schema decodes).
type Table struct {
	Version    int               `json:"version"`
	Sources    []Source          `json:"sources"`
	Providers  []Provider        `json:"providers"`
	Classes    []Class           `json:"classes"`
	Defaults   []EventRef        `json:"defaults"`
	ECSActions map[string]string `json:"ecs_actions"`
	ASIM       map[string]string `json:"asim"`
}

// The parts of the table are package schema's types, the ones that decode
// the generated file.
type (
	// Source says where a part of the table comes from.
	Source = schema.Source
	// Provider is an event provider and what identifies it in each rule
	// language.
	Provider = schema.Provider
	// Class is a provider-neutral event class with its events in every
	// provider.
	Class = schema.Class
	// Event is one provider's event in a class.
	Event = schema.Event
	// EventRef names a provider's event.
	EventRef = schema.EventRef
)

// Inputs are the generator's inputs.
type Inputs struct {
	// Classes is the curated classes.yaml.
	Classes []byte
	// ClassesPath names it in the output's sources.
	ClassesPath string
	// OSSEM is _all_ossem_relationships.yml.
	OSSEM []byte
	// OSSEMPath and OSSEMCommit name the OSSEM-DM snapshot.
	OSSEMPath, OSSEMCommit string
}

type curated struct {
	Version         int               `yaml:"version"`
	Providers       []Provider        `yaml:"providers"`
	Classes         []curatedClass    `yaml:"classes"`
	OSSEMLogSources map[string]string `yaml:"ossem_log_sources"`
	Defaults        []EventRef        `yaml:"defaults"`
	ECSActions      map[string]string `yaml:"ecs_actions"`
	ASIM            map[string]string `yaml:"asim"`
	Titles          map[string]string `yaml:"titles"`
	// Extra catches unknown top-level keys (an error: a typo would drop facts).
	Extra map[string]any `yaml:",inline"`
}

type curatedClass struct {
	Name   string         `yaml:"name"`
	Title  string         `yaml:"title"`
	Parent string         `yaml:"parent"`
	Sigma  []string       `yaml:"sigma"`
	OSSEM  []string       `yaml:"ossem"`
	Events []curatedEvent `yaml:"events"`
}

type curatedEvent struct {
	Provider string `yaml:"provider"`
	Event    string `yaml:"event"`
	Title    string `yaml:"title"`
}

type ossemRelationship struct {
	ID     string       `yaml:"relationship_id"`
	Name   string       `yaml:"name"`
	Events []ossemEvent `yaml:"security_events"`
}

type ossemEvent struct {
	EventID   string              `yaml:"event_id"`
	Name      string              `yaml:"name"`
	Channel   string              `yaml:"channel"`
	LogSource string              `yaml:"log_source"`
	FilterIn  []map[string]string `yaml:"filter_in"`
}

// Generate merges the curated classes with OSSEM-DM and returns the table.
func Generate(in Inputs) (*Table, error) {
	var cur curated
	if err := yaml.Unmarshal(in.Classes, &cur); err != nil {
		return nil, fmt.Errorf("%s: %w", in.ClassesPath, err)
	}
	if len(cur.Extra) > 0 {
		var keys []string
		for k := range cur.Extra {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return nil, fmt.Errorf("%s: unknown top-level keys %s", in.ClassesPath, strings.Join(keys, ", "))
	}
	var rels []ossemRelationship
	if err := yaml.Unmarshal(in.OSSEM, &rels); err != nil {
		return nil, fmt.Errorf("%s: %w", in.OSSEMPath, err)
	}
	byID := make(map[string]*ossemRelationship, len(rels))
	for i := range rels {
		byID[rels[i].ID] = &rels[i]
	}
	providers := map[string]bool{}
	for _, p := range cur.Providers {
		if p.Name == "" || providers[p.Name] {
			return nil, fmt.Errorf("%s: provider %q is empty or listed twice", in.ClassesPath, p.Name)
		}
		providers[p.Name] = true
	}
	sum := sha256.Sum256(in.OSSEM)
	t := &Table{
		Version: cur.Version,
		Sources: []Source{
			{Name: "OSSEM-DM relationships", Repo: "OTRF/OSSEM-DM", Path: in.OSSEMPath, Commit: in.OSSEMCommit, SHA256: hex.EncodeToString(sum[:])},
			{Name: "curated classes", Path: in.ClassesPath},
		},
		Providers:  cur.Providers,
		Defaults:   cur.Defaults,
		ECSActions: cur.ECSActions,
		ASIM:       cur.ASIM,
	}
	classNames := map[string]bool{}
	for _, cc := range cur.Classes {
		if cc.Name == "" || classNames[cc.Name] {
			return nil, fmt.Errorf("%s: class %q is empty or listed twice", in.ClassesPath, cc.Name)
		}
		classNames[cc.Name] = true
	}
	for _, cc := range cur.Classes {
		if cc.Parent != "" && !classNames[cc.Parent] {
			return nil, fmt.Errorf("%s: class %s: unknown parent %q", in.ClassesPath, cc.Name, cc.Parent)
		}
		c := Class{Name: cc.Name, Title: cc.Title, Parent: cc.Parent, Sigma: cc.Sigma, Events: []Event{}}
		add := func(e Event) {
			for i := range c.Events {
				x := &c.Events[i]
				if x.Provider == e.Provider && x.Event == e.Event {
					if strings.HasPrefix(x.Source, "ossem:") && strings.HasPrefix(e.Source, "ossem:") {
						id := strings.TrimPrefix(e.Source, "ossem:")
						if !slices.Contains(strings.Split(strings.TrimPrefix(x.Source, "ossem:"), ","), id) {
							x.Source += "," + id
						}
					}
					if x.Filter == "" || e.Filter == "" {
						x.Filter = ""
					}
					return
				}
			}
			c.Events = append(c.Events, e)
		}
		for _, pick := range cc.OSSEM {
			id, only, _ := strings.Cut(pick, ":")
			rel := byID[id]
			if rel == nil {
				return nil, fmt.Errorf("%s: class %s: OSSEM relationship %s not found", in.ClassesPath, cc.Name, id)
			}
			var want []string
			if only != "" {
				want = strings.Split(only, ",")
			}
			found := map[string]bool{}
			for _, oe := range rel.Events {
				e, key, err := fromOSSEM(oe, cur.OSSEMLogSources)
				if err != nil {
					return nil, fmt.Errorf("%s: class %s: %s: %w", in.OSSEMPath, cc.Name, id, err)
				}
				if want != nil && !slices.Contains(want, key) {
					continue
				}
				found[key] = true
				if !providers[e.Provider] {
					return nil, fmt.Errorf("%s: class %s: %s: provider %q is not in the providers list", in.ClassesPath, cc.Name, id, e.Provider)
				}
				e.Source = "ossem:" + id
				add(e)
			}
			for _, w := range want {
				if !found[w] {
					return nil, fmt.Errorf("%s: class %s: OSSEM relationship %s has no event %q", in.ClassesPath, cc.Name, id, w)
				}
			}
		}
		for _, ce := range cc.Events {
			if !providers[ce.Provider] {
				return nil, fmt.Errorf("%s: class %s: provider %q is not in the providers list", in.ClassesPath, cc.Name, ce.Provider)
			}
			if ce.Event == "" {
				return nil, fmt.Errorf("%s: class %s: an event of %s has no name", in.ClassesPath, cc.Name, ce.Provider)
			}
			add(Event{Provider: ce.Provider, Event: ce.Event, Title: ce.Title, Source: "curated"})
		}
		for i := range c.Events {
			e := &c.Events[i]
			if title, ok := cur.Titles[e.Provider+"/"+e.Event]; ok {
				e.Title = title
			}
			if e.Title == "" && e.Provider == "Sigma" {
				e.Title = "Sigma logsource category " + e.Event
			}
			if e.Title == "" {
				return nil, fmt.Errorf("%s: class %s: event %s/%s has no title (add one under titles)", in.ClassesPath, cc.Name, e.Provider, e.Event)
			}
		}
		t.Classes = append(t.Classes, c)
	}
	for _, d := range cur.Defaults {
		if !providers[d.Provider] {
			return nil, fmt.Errorf("%s: default %s/%s: unknown provider", in.ClassesPath, d.Provider, d.Event)
		}
	}
	return t, nil
}

// fromOSSEM converts an OSSEM event and returns it with the key a pick
// names it by (the event ID, Defender ActionType or CloudTrail eventName).
func fromOSSEM(oe ossemEvent, logSources map[string]string) (Event, string, error) {
	provider, ok := logSources[oe.LogSource]
	if !ok {
		return Event{}, "", fmt.Errorf("OSSEM log_source %q has no provider (add it to ossem_log_sources)", oe.LogSource)
	}
	title := strings.TrimSuffix(strings.TrimSpace(oe.Name), ".")
	var filters []string
	var filterKey string
	for _, f := range oe.FilterIn {
		keys := make([]string, 0, len(f))
		for k := range f {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch k {
			case "ActionType", "eventName":
				filterKey = f[k]
			case "eventType":
			default:
				filters = append(filters, k+"="+f[k])
			}
		}
	}
	e := Event{Provider: provider, Event: oe.EventID, Title: title, Filter: strings.Join(filters, ", ")}
	switch {
	case provider == "Defender-":
		if filterKey == "" {
			return Event{}, "", fmt.Errorf("Defender event %s has no ActionType", oe.EventID)
		}
		e.Provider = "Defender-" + oe.EventID
		e.Event = filterKey
		e.Title = ""
	case provider == "CloudTrail":
		if filterKey == "" {
			return Event{}, "", fmt.Errorf("CloudTrail event has no eventName")
		}
		e.Event = filterKey
		e.Title = "CloudTrail " + filterKey
	}
	return e, e.Event, nil
}

// Marshal writes the table as compact JSON: one line per event, provider,
// and table entry, so diffs stay readable.
func Marshal(t *Table) ([]byte, error) {
	var b bytes.Buffer
	line := func(v any) error {
		j, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b.Write(j)
		return nil
	}
	b.WriteString("{\n\"version\": ")
	fmt.Fprint(&b, t.Version)
	b.WriteString(",\n\"sources\": [\n")
	for i, s := range t.Sources {
		if err := line(s); err != nil {
			return nil, err
		}
		b.WriteString(sep(i, len(t.Sources)))
	}
	b.WriteString("],\n\"providers\": [\n")
	for i, p := range t.Providers {
		if err := line(p); err != nil {
			return nil, err
		}
		b.WriteString(sep(i, len(t.Providers)))
	}
	b.WriteString("],\n\"classes\": [\n")
	for i, c := range t.Classes {
		head := struct {
			Name   string   `json:"name"`
			Title  string   `json:"title"`
			Parent string   `json:"parent,omitempty"`
			Sigma  []string `json:"sigma,omitempty"`
		}{c.Name, c.Title, c.Parent, c.Sigma}
		j, err := json.Marshal(head)
		if err != nil {
			return nil, err
		}
		// Reopen the class object to list its events one per line.
		b.Write(j[:len(j)-1])
		b.WriteString(",\"events\":[\n")
		for k, e := range c.Events {
			if err := line(e); err != nil {
				return nil, err
			}
			b.WriteString(sep(k, len(c.Events)))
		}
		b.WriteString("]}")
		b.WriteString(sep(i, len(t.Classes)))
	}
	b.WriteString("],\n\"defaults\": ")
	if err := line(t.Defaults); err != nil {
		return nil, err
	}
	b.WriteString(",\n\"ecs_actions\": ")
	if err := line(t.ECSActions); err != nil {
		return nil, err
	}
	b.WriteString(",\n\"asim\": ")
	if err := line(t.ASIM); err != nil {
		return nil, err
	}
	b.WriteString("\n}\n")
	// Check the result is valid JSON that decodes back to the table.
	var back Table
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		return nil, fmt.Errorf("eventgen: generated invalid JSON: %w", err)
	}
	return b.Bytes(), nil
}

func sep(i, n int) string {
	if i < n-1 {
		return ",\n"
	}
	return "\n"
}
