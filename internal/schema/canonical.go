package schema

import (
	"strings"

	"github.com/detwiki/detwiki/internal/rule"
)

// fillCanonical sets CanonicalField on every indicator and exclusion that
// lacks one.
func (e *enricher) fillCanonical() {
	for i := range e.a.Indicators {
		if e.a.Indicators[i].CanonicalField == "" {
			e.a.Indicators[i].CanonicalField = e.canonicalOf(e.a.Indicators[i].Field, e.a.Indicators[i].Kind)
		}
	}
	for i := range e.a.Exclusions {
		if e.a.Exclusions[i].CanonicalField == "" {
			e.a.Exclusions[i].CanonicalField = e.canonicalOf(e.a.Exclusions[i].Field, e.a.Exclusions[i].Kind)
		}
	}
}

// canonical returns the ECS name of a field of this rule, or "".
func (e *enricher) canonical(field string) string { return e.canonicalOf(field, "") }

// canonicalOf returns the ECS name of a field compared with the given kind:
// in a Kusto rule that reads several tables, the same column name can come
// from different tables in different comparisons (FileName of
// DeviceFileEvents in one let, of DeviceProcessEvents in the main query).
func (e *enricher) canonicalOf(field, kind string) string {
	if field == "" || len(field) > 256 {
		return ""
	}
	e.kind = kind
	mp, ok := e.lookup(field)
	if !ok {
		return ""
	}
	return mp.ECS
}

// Canonical returns the ECS name of a field as a rule of the given
// language writes it, with no other context (no table, logsource or event
// type), or "" when the table has none. Enrich knows more about each rule
// and is more precise.
func Canonical(language, field string) string {
	e := enricher{cat: Events(), ft: Fields(), d: &rule.Document{Language: language}}
	e.a = &e.d.Analysis
	return e.canonical(field)
}

// lookup finds a field's mapping along the rule language's chain of
// schemas.
func (e *enricher) lookup(field string) (Mapping, bool) {
	ft := e.ft
	switch e.d.Language {
	case rule.LangElastic:
		return e.elasticLookup(field)
	case rule.LangKusto:
		return e.kustoLookup(field)
	case rule.LangSigma:
		return e.sigmaLookup(field)
	case rule.LangSplunk:
		return e.splunkLookup(field)
	case rule.LangChronicle:
		f := stripVariable(field)
		ctx := []string{"actor"}
		if len(e.udmTypes) == 0 || containsFold(e.udmTypes, "PROCESS_LAUNCH") {
			ctx[0] = "launch"
		}
		return ft.Schema("udm").Lookup(ctx, f)
	case rule.LangPanther:
		for _, p := range e.providers {
			if s := ft.SchemaOfProvider(p); s != nil {
				if mp, ok := s.Lookup(nil, field); ok {
					return mp, true
				}
			}
		}
		f := strings.TrimPrefix(strings.TrimPrefix(field, "udm:"), "p_udm.")
		return ft.Schema("panther-udm").Lookup(nil, f)
	case rule.LangSublime:
		return ft.Schema("sublime").Lookup(nil, normalizeMQLPath(field))
	}
	return Mapping{}, false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// elasticLookup: ECS fields of Elastic rules are canonical already, except
// Windows event data (winlog.event_data.X), which takes X's ECS name when
// the Windows schema has a non-event-data one, and ECS multi-fields
// (process.name.caseless), which take their base field's name.
func (e *enricher) elasticLookup(field string) (Mapping, bool) {
	base, via := ecsBaseField(field), "ecs"
	if base != field {
		via = "ecs multi-field"
	}
	if rest, ok := strings.CutPrefix(base, "winlog.event_data."); ok {
		if mp, ok := e.ft.Schema("windows").Lookup(e.contexts, rest); ok && mp.ECS != "" && !strings.HasPrefix(mp.ECS, "winlog.event_data.") {
			return Mapping{Field: field, ECS: mp.ECS, Via: mp.Via}, true
		}
	}
	return Mapping{Field: field, ECS: base, Via: via}, true
}

// ecsMultiFields are the suffixes of ECS multi-fields that index their
// base field's value again with the same meaning for a comparison:
// ".caseless" is the value lower-cased (Elastic Defend's
// process.name.caseless, file.path.caseless), so a test on it is a
// case-insensitive test of the base field and counts with it. (".text", a
// tokenised copy matched word by word, is not one: its tests do not
// compare the whole value.)
var ecsMultiFields = []string{".caseless"}

// ecsBaseField returns the field an ECS multi-field indexes
// (process.name for process.name.caseless), or field itself.
func ecsBaseField(field string) string {
	for _, suffix := range ecsMultiFields {
		if base, ok := strings.CutSuffix(field, suffix); ok && base != "" {
			return base
		}
	}
	return field
}

// kustoLookup resolves a KQL column through the table it comes from:
// Defender tables, Sentinel tables, Windows event data (SecurityEvent,
// Event, WindowsEvent), ASIM parsers and the providers' schemas.
func (e *enricher) kustoLookup(field string) (Mapping, bool) {
	if t := e.kustoFieldTable(field, e.kind); t != "" {
		if mp, ok := e.kustoTableLookup(t, field); ok {
			return mp, true
		}
	}
	for _, t := range e.a.Tables {
		if mp, ok := e.kustoTableLookup(t, field); ok {
			return mp, true
		}
	}
	// No table knows it: a column parsed out of event data, or a rule that
	// reads a table only through a function.
	if mp, ok := e.ft.Schema("defender").Lookup(nil, field); ok {
		return mp, true
	}
	if mp, ok := e.ft.Schema("windows").Lookup(e.contexts, field); ok && mp.Via != "event data" {
		return mp, true
	}
	// A table the schemas do not know is usually a Sentinel solution's
	// parser function, which returns ASIM-normalised columns
	// (HttpUserAgentOriginal, DvcAction, SrcIpAddr).
	if mp, ok := e.ft.Schema("asim").Lookup(nil, field); ok {
		return mp, true
	}
	return Mapping{}, false
}

// kustoTableLookup looks a column up in the schemas of one table.
func (e *enricher) kustoTableLookup(table, field string) (Mapping, bool) {
	ft := e.ft
	lt := strings.ToLower(table)
	p := e.cat.kustoTable[lt]
	switch {
	case strings.HasPrefix(p, "Defender-"):
		ctx := [1]string{table}
		return ft.Schema("defender").Lookup(ctx[:], field)
	case p == "Security" || lt == "event" || lt == "windowsevent":
		ctx := [1]string{canonicalTableName(lt)}
		if mp, ok := ft.Schema("sentinel").Lookup(ctx[:], field); ok {
			return mp, true
		}
		wctx := e.windowsContexts()
		return ft.Schema("windows").Lookup(wctx, field)
	}
	if p != "" {
		ctx := [1]string{canonicalSentinelContext(ft, table)}
		if mp, ok := ft.Schema("sentinel").Lookup(ctx[:], field); ok {
			return mp, true
		}
		if s := ft.SchemaOfProvider(p); s != nil {
			return s.Lookup(nil, field)
		}
		return Mapping{}, false
	}
	if ev := e.asimEvent(table); ev != "" {
		schema, _, _ := strings.Cut(ev, "/")
		ctx := [1]string{schema}
		return ft.Schema("asim").Lookup(ctx[:], field)
	}
	if c := canonicalSentinelContext(ft, table); c != "" {
		ctx := [1]string{c}
		return ft.Schema("sentinel").Lookup(ctx[:], field)
	}
	return Mapping{}, false
}

func canonicalTableName(lt string) string {
	switch lt {
	case "securityevent":
		return "SecurityEvent"
	case "event":
		return "Event"
	case "windowsevent":
		return "WindowsEvent"
	}
	return lt
}

// canonicalSentinelContext returns the sentinel schema's context for a
// table name in any case, or "".
func canonicalSentinelContext(ft *FieldTable, table string) string {
	s := ft.Schema("sentinel")
	if _, ok := s.contexts[table]; ok {
		return table
	}
	for k := range s.contexts {
		if strings.EqualFold(k, table) {
			return k
		}
	}
	return ""
}

// windowsContexts are the Windows schema contexts of a Windows event-log
// rule: "security" plus the Sigma categories of its events.
func (e *enricher) windowsContexts() []string {
	out := make([]string, 0, len(e.contexts)+1)
	for _, p := range e.providers {
		if p == "Security" {
			out = append(out, "security")
			break
		}
	}
	return append(out, e.contexts...)
}

// kustoFieldTable returns the table a column is compared in, from the
// stages' predicates (the pipeline each belongs to and the table that
// pipeline reads), or the rule's only table. A comparison of the same kind
// decides first; any comparison of the field otherwise.
func (e *enricher) kustoFieldTable(field, kind string) string {
	if len(e.a.Tables) == 1 {
		return e.a.Tables[0]
	}
	if e.fieldTable == nil {
		e.fieldTable = map[string]string{}
		for si := range e.a.Stages {
			st := &e.a.Stages[si]
			if len(st.Predicates) == 0 {
				continue
			}
			t := e.pipelineTable(st.Pipeline, 0)
			if t == "" {
				continue
			}
			for _, p := range st.Predicates {
				for _, k := range [2]string{p.Field, p.Field + "\x00" + p.Kind} {
					if _, ok := e.fieldTable[k]; !ok {
						e.fieldTable[k] = t
					}
				}
			}
		}
	}
	if t, ok := e.fieldTable[field+"\x00"+kind]; ok {
		return t
	}
	return e.fieldTable[field]
}

// sigmaLookup resolves a Sigma field by the rule's logsource: Windows
// taxonomy (per category and service), web (proxy, webserver), the cloud
// services' schemas, ECS names used as they are (network, dns categories).
func (e *enricher) sigmaLookup(field string) (Mapping, bool) {
	ft := e.ft
	product, category, _ := e.sigmaLogsource()
	for _, p := range e.providers {
		if s := ft.SchemaOfProvider(p); s != nil {
			if mp, ok := s.Lookup(nil, field); ok {
				return mp, true
			}
		}
	}
	if category == "proxy" || category == "webserver" {
		if mp, ok := ft.Schema("web").Lookup(nil, field); ok {
			return mp, true
		}
	}
	if isECSName(field) {
		return Mapping{Field: field, ECS: field, Via: "ecs"}, true
	}
	w := ft.Schema("windows")
	mp, ok := w.Lookup(e.contexts, field)
	if ok && mp.Via == "event data" && product != "windows" {
		return Mapping{}, false
	}
	return mp, ok
}

// ecsTopLevel are ECS field sets; a dotted Sigma field starting with one
// is an ECS name already (Sigma's network and dns taxonomies use ECS).
var ecsTopLevel = []string{"source", "destination", "network", "dns", "url", "http", "user_agent", "event",
	"process", "file", "host", "user", "registry", "dll", "tls", "server", "client"}

func isECSName(field string) bool {
	i := strings.IndexByte(field, '.')
	if i <= 0 {
		return false
	}
	head := field[:i]
	for _, t := range ecsTopLevel {
		if head == t {
			return true
		}
	}
	return false
}

// splunkLookup resolves CIM fields (Processes.process_name, or
// process_name in a rule that reads Endpoint.Processes), Splunk Add-on
// names of raw events, Sysmon names of raw Sysmon events and the
// providers' schemas.
func (e *enricher) splunkLookup(field string) (Mapping, bool) {
	ft := e.ft
	cim := ft.Schema("cim")
	if i := strings.IndexByte(field, '.'); i > 0 {
		ds := field[:i]
		if _, ok := cim.contexts[ds]; ok {
			ctx := [1]string{ds}
			return cim.Lookup(ctx[:], field[i+1:])
		}
	}
	var ctx []string
	for _, c := range e.contexts {
		if _, ok := cim.contexts[c]; ok {
			ctx = append(ctx, c)
		}
	}
	if len(ctx) > 0 {
		if mp, ok := cim.Lookup(ctx, field); ok {
			return mp, true
		}
	}
	for _, p := range e.providers {
		if s := ft.SchemaOfProvider(p); s != nil {
			if mp, ok := s.Lookup(nil, field); ok {
				return mp, true
			}
		}
	}
	if mp, ok := ft.Schema("splunk-raw").Lookup(nil, field); ok {
		return mp, true
	}
	if mp, ok := cim.LookupAgreed(field); ok {
		return mp, true
	}
	// Raw Windows events: Sysmon names, and event data when the rule reads
	// a Windows log.
	if mp, ok := ft.Schema("windows").Lookup(e.contexts, field); ok && (mp.Via != "event data" || e.platform() == "windows") {
		return mp, true
	}
	return Mapping{}, false
}

// normalizeMQLPath drops array indexes and "[]" from an MQL path and a
// leading dot (a path relative to an any() element).
func normalizeMQLPath(p string) string {
	if strings.IndexByte(p, '[') < 0 && !strings.HasPrefix(p, ".") {
		return p
	}
	var b strings.Builder
	depth := 0
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '[':
			depth++
		case c == ']':
			if depth > 0 {
				depth--
			}
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return strings.TrimPrefix(b.String(), ".")
}
