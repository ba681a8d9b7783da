package schema

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed fields.yaml
var fieldsYAML []byte

// FieldTable maps each schema's field names to ECS names.
type FieldTable struct {
	Version int
	// Sources are the repositories and commits the facts were read from.
	Sources []FieldSource
	// Schemas in file order.
	Schemas []*FieldSchema
	// Conflicts lists composed facts that a direct entry overrides with a
	// different ECS name (kept for docs and review).
	Conflicts []Conflict
	// Derivations are the derived entries as written: how a schema names
	// Sigma's fields in a context (Security 4688 calls Image
	// NewProcessName), read from the backends.
	Derivations []Derivation

	byName         map[string]*FieldSchema
	providerSchema map[string]string
}

// FieldSource is one source of field facts.
type FieldSource struct {
	ID     string `yaml:"id"`
	Repo   string `yaml:"repo"`
	Commit string `yaml:"commit"`
	Path   string `yaml:"path"`
	What   string `yaml:"what"`
}

// FieldSchema is one schema's field vocabulary: generic fields and
// per-context overrides (a Defender table, a Sigma category, a CIM
// dataset, a UDM event-type group).
type FieldSchema struct {
	Name    string
	Title   string
	Sources []string
	// EventDataPrefix, when set, names fields that have no entry
	// <prefix><field> (the Windows event-data convention of the Elastic
	// pipelines).
	EventDataPrefix string

	generic  fieldMap
	contexts map[string]*fieldMap
	// agreed maps fields to the ECS name every context that has them
	// agrees on (for lookups that know no context).
	agreed fieldMap
}

// Mapping is one field fact.
type Mapping struct {
	Field string
	// ECS is the canonical (ECS) name; "" means the field has none.
	ECS string
	// Via says where the fact comes from: "direct" for an entry of the
	// schema, "sigma <Field> (<source>)" for one composed through Sigma.
	Via string
}

// Conflict is a composed fact overridden by a direct entry.
type Conflict struct {
	Schema, Context, Field string
	Direct, Composed       string
	Via                    string
}

// Derivation is one derived entry of fields.yaml: Sigma field names (of
// SigmaContext, a Sigma category or "ecs"/"web") and the schema's field
// each one is in Context.
type Derivation struct {
	Schema       string
	Context      string
	SigmaContext string
	Source       string
	// Map maps a Sigma field to the schema's field.
	Map map[string]string
}

// Derivation returns the derived entry of schema, context and Sigma
// context, or nil.
func (t *FieldTable) Derivation(schema, context, sigmaContext string) *Derivation {
	for i := range t.Derivations {
		d := &t.Derivations[i]
		if d.Schema == schema && d.Context == context && d.SigmaContext == sigmaContext {
			return d
		}
	}
	return nil
}

type fieldMap struct {
	exact map[string]Mapping
	lower map[string]Mapping
}

func (m *fieldMap) set(field string, mp Mapping) {
	if m.exact == nil {
		m.exact = map[string]Mapping{}
		m.lower = map[string]Mapping{}
	}
	m.exact[field] = mp
	if _, ok := m.lower[strings.ToLower(field)]; !ok {
		m.lower[strings.ToLower(field)] = mp
	}
}

func (m *fieldMap) has(field string) bool {
	if m == nil || m.exact == nil {
		return false
	}
	_, ok := m.lower[strings.ToLower(field)]
	return ok
}

// Len returns the number of fields the schema maps (generic and per
// context, composed facts included).
func (s *FieldSchema) Len() int {
	n := len(s.generic.exact)
	for _, m := range s.contexts {
		n += len(m.exact)
	}
	return n
}

// Contexts returns the schema's context names, sorted.
func (s *FieldSchema) Contexts() []string {
	out := make([]string, 0, len(s.contexts))
	for k := range s.contexts {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Mappings returns every fact of the schema in a context ("" for the
// generic fields), sorted by field.
func (s *FieldSchema) Mappings(context string) []Mapping {
	m := &s.generic
	if context != "" {
		m = s.contexts[context]
		if m == nil {
			return nil
		}
	}
	out := make([]Mapping, 0, len(m.exact))
	for _, mp := range m.exact {
		out = append(out, mp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// Lookup returns the ECS name of field in the first of contexts that maps
// it, else in the schema's generic fields, else (when the schema has one)
// the event-data name. Exact-case entries win over case-insensitive ones.
func (s *FieldSchema) Lookup(contexts []string, field string) (Mapping, bool) {
	if s == nil || field == "" {
		return Mapping{}, false
	}
	for _, c := range contexts {
		if m := s.contexts[c]; m != nil {
			if mp, ok := m.exact[field]; ok {
				return mp, true
			}
		}
	}
	if mp, ok := s.generic.exact[field]; ok {
		return mp, true
	}
	lf := strings.ToLower(field)
	for _, c := range contexts {
		if m := s.contexts[c]; m != nil {
			if mp, ok := m.lower[lf]; ok {
				return mp, true
			}
		}
	}
	if mp, ok := s.generic.lower[lf]; ok {
		return mp, true
	}
	if s.EventDataPrefix != "" && isEventDataName(field) {
		return Mapping{Field: field, ECS: s.EventDataPrefix + field, Via: "event data"}, true
	}
	return Mapping{}, false
}

// LookupAgreed returns the mapping of a field that every context of the
// schema maps to the same ECS name (CIM's process_name is process.name in
// Processes, Registry and Filesystem alike), for rules whose context is
// unknown.
func (s *FieldSchema) LookupAgreed(field string) (Mapping, bool) {
	if s == nil {
		return Mapping{}, false
	}
	if mp, ok := s.agreed.exact[field]; ok {
		return mp, true
	}
	mp, ok := s.agreed.lower[strings.ToLower(field)]
	return mp, ok
}

func (s *FieldSchema) buildAgreed() {
	type vote struct {
		mp       Mapping
		conflict bool
	}
	votes := map[string]*vote{}
	for _, ctx := range sortedKeys(s.contexts) {
		for _, k := range sortedKeys(s.contexts[ctx].exact) {
			mp := s.contexts[ctx].exact[k]
			v := votes[k]
			switch {
			case v == nil:
				votes[k] = &vote{mp: mp}
			case v.mp.ECS != mp.ECS:
				v.conflict = true
			}
		}
	}
	for _, k := range sortedKeys(votes) {
		if v := votes[k]; !v.conflict && v.mp.ECS != "" {
			s.agreed.set(k, v.mp)
		}
	}
}

// isEventDataName reports whether field looks like a Windows event-data
// name: an upper-case letter, then letters, digits and underscores
// (SubjectUserName, TargetImage; not a computed count or isOutlier).
func isEventDataName(field string) bool {
	if len(field) == 0 || len(field) > 64 || field[0] < 'A' || field[0] > 'Z' {
		return false
	}
	for i := 0; i < len(field); i++ {
		c := field[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case (c >= '0' && c <= '9' || c == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}

// Schema returns the schema named name, or nil.
func (t *FieldTable) Schema(name string) *FieldSchema { return t.byName[name] }

// SchemaOfProvider returns the field schema an event provider's records
// use (CloudTrail -> cloudtrail), or nil.
func (t *FieldTable) SchemaOfProvider(provider string) *FieldSchema {
	return t.byName[t.providerSchema[provider]]
}

var (
	defaultFields     *FieldTable
	defaultFieldsErr  error
	defaultFieldsOnce sync.Once
)

// Fields returns the embedded canonical-field table. It panics if the
// embedded data is broken, which the package tests rule out.
func Fields() *FieldTable {
	defaultFieldsOnce.Do(func() {
		defaultFields, defaultFieldsErr = ParseFields(fieldsYAML)
	})
	if defaultFieldsErr != nil {
		panic("schema: embedded fields.yaml: " + defaultFieldsErr.Error())
	}
	return defaultFields
}

type fieldsFile struct {
	Version   int               `yaml:"version"`
	Sources   []FieldSource     `yaml:"sources"`
	Schemas   []schemaFile      `yaml:"schemas"`
	Providers map[string]string `yaml:"providers"`
	Derived   []derivedFile     `yaml:"derived"`
	Extra     map[string]any    `yaml:",inline"`
}

type schemaFile struct {
	Name            string                       `yaml:"name"`
	Title           string                       `yaml:"title"`
	Source          []string                     `yaml:"source"`
	EventDataPrefix string                       `yaml:"event_data_prefix"`
	Fields          map[string]string            `yaml:"fields"`
	Contexts        map[string]map[string]string `yaml:"contexts"`
}

type derivedFile struct {
	Schema       string            `yaml:"schema"`
	Context      string            `yaml:"context"`
	SigmaContext string            `yaml:"sigma_context"`
	Source       string            `yaml:"source"`
	Map          map[string]string `yaml:"map"`
}

// ParseFields decodes a canonical-field table (the fields.yaml format) and
// composes its derived facts.
func ParseFields(data []byte) (*FieldTable, error) {
	var f fieldsFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	if len(f.Extra) > 0 {
		return nil, fmt.Errorf("unknown top-level keys %v", keys(f.Extra))
	}
	t := &FieldTable{Version: f.Version, Sources: f.Sources, byName: map[string]*FieldSchema{}, providerSchema: f.Providers}
	sources := map[string]bool{}
	for _, s := range f.Sources {
		sources[s.ID] = true
	}
	for _, sf := range f.Schemas {
		if sf.Name == "" || t.byName[sf.Name] != nil {
			return nil, fmt.Errorf("schema %q is empty or listed twice", sf.Name)
		}
		for _, src := range sf.Source {
			if !sources[src] {
				return nil, fmt.Errorf("schema %s: unknown source %q", sf.Name, src)
			}
		}
		s := &FieldSchema{Name: sf.Name, Title: sf.Title, Sources: sf.Source, EventDataPrefix: sf.EventDataPrefix, contexts: map[string]*fieldMap{}}
		for _, k := range sortedKeys(sf.Fields) {
			s.generic.set(k, Mapping{Field: k, ECS: sf.Fields[k], Via: "direct"})
		}
		for ctx, fields := range sf.Contexts {
			m := &fieldMap{}
			for _, k := range sortedKeys(fields) {
				m.set(k, Mapping{Field: k, ECS: fields[k], Via: "direct"})
			}
			s.contexts[ctx] = m
		}
		t.Schemas = append(t.Schemas, s)
		t.byName[s.Name] = s
	}
	for p, s := range f.Providers {
		if t.byName[s] == nil {
			return nil, fmt.Errorf("provider %s: unknown schema %q", p, s)
		}
	}
	windows, web := t.byName["windows"], t.byName["web"]
	if windows == nil || web == nil {
		return nil, fmt.Errorf("the windows and web schemas are required (Sigma's side of the derived facts)")
	}
	for _, d := range f.Derived {
		s := t.byName[d.Schema]
		if s == nil {
			return nil, fmt.Errorf("derived: unknown schema %q", d.Schema)
		}
		if !sources[d.Source] {
			return nil, fmt.Errorf("derived %s/%s: unknown source %q", d.Schema, d.Context, d.Source)
		}
		t.Derivations = append(t.Derivations, Derivation{Schema: d.Schema, Context: d.Context, SigmaContext: d.SigmaContext, Source: d.Source, Map: d.Map})
		target := &s.generic
		if d.Context != "" {
			target = s.contexts[d.Context]
			if target == nil {
				target = &fieldMap{}
				s.contexts[d.Context] = target
			}
		}
		for _, sigmaField := range sortedKeys(d.Map) {
			field := d.Map[sigmaField]
			var ecs string
			switch d.SigmaContext {
			case "ecs":
				ecs = sigmaField
			case "web":
				if mp, ok := web.Lookup(nil, sigmaField); ok {
					ecs = mp.ECS
				}
			default:
				if mp, ok := windows.Lookup([]string{d.SigmaContext}, sigmaField); ok {
					ecs = mp.ECS
				}
			}
			if ecs == "" {
				continue
			}
			via := "sigma " + sigmaField + " (" + d.Source + ")"
			if target.has(field) {
				if cur := target.lower[strings.ToLower(field)]; cur.ECS != ecs && cur.Via == "direct" {
					t.Conflicts = append(t.Conflicts, Conflict{Schema: d.Schema, Context: d.Context, Field: field, Direct: cur.ECS, Composed: ecs, Via: via})
				}
				continue
			}
			target.set(field, Mapping{Field: field, ECS: ecs, Via: via})
		}
	}
	for _, s := range t.Schemas {
		s.buildAgreed()
	}
	return t, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func keys(m map[string]any) []string { return sortedKeys(m) }
