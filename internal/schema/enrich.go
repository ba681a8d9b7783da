package schema

import (
	"fmt"
	"slices"
	"strings"

	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// Enrich fills what the shared facts say about a rule document:
//
//   - Analysis.Events: the events the rule reads (Via "rule"), recognised
//     from the facts its front end recorded (tables, Sigma logsource,
//     indicators on discriminating fields, Splunk data sources), then
//     their equivalents in the other providers (Via "equivalent", with the
//     class). Events a front end added itself are kept and get equivalents.
//   - CanonicalField on every indicator and exclusion that has none.
//
// It is registered with formats.AddEnricher and runs on every document a
// run reads. It never panics: an internal error becomes a diagnostic.
func Enrich(d *rule.Document) {
	if d == nil {
		return
	}
	defer func() {
		if p := recover(); p != nil {
			d.Diagnose(source.Diagnostic{Code: "SCHEMA0001", Severity: source.Error,
				Message: fmt.Sprintf("internal error in the schema pass (a detwiki bug): %v", p)})
		}
	}()
	e := enricher{cat: Events(), ft: Fields(), d: d, a: &d.Analysis}
	e.run()
}

// enricher holds one document's state during Enrich.
type enricher struct {
	cat *Catalog
	ft  *FieldTable
	d   *rule.Document
	a   *rule.Analysis

	classes   []*Class // classes of the rule's own events
	providers []string // providers the rule reads
	contexts  []string // field-lookup contexts (Sigma categories and services)
	udmTypes  []string // UDM event types read (Chronicle)

	// Sigma: the logsource, read once.
	logsource    [3]string
	logsourceSet bool

	// Kusto: table of each field, from the stages' predicates.
	fieldTable map[string]string
	// kind is the kind of the comparison whose field is being mapped.
	kind       string
	pipeSource map[string]string
}

func (e *enricher) run() {
	switch e.d.Language {
	case rule.LangKusto:
		e.kustoEvents()
	case rule.LangSigma:
		e.sigmaEvents()
	case rule.LangElastic:
		e.elasticEvents()
	case rule.LangSplunk:
		e.splunkEvents()
	case rule.LangChronicle:
		e.chronicleEvents()
	case rule.LangPanther:
		e.pantherEvents()
	case rule.LangSublime:
		e.sublimeEvents()
	}
	// Events a front end added itself count as the rule's own.
	for _, ev := range e.a.Events {
		if ev.Via != rule.ViaRule {
			continue
		}
		e.noteProvider(ev.Provider)
		for _, cl := range e.cat.ClassesOf(ev.Provider, ev.Event) {
			e.noteClass(cl)
		}
	}
	e.addEquivalents()
	e.fillCanonical()
}

// platform returns the one platform the rule is about (windows, linux,
// macos), from the front end's Platforms, the Sigma product or the
// providers it reads, or "" when unknown or mixed.
func (e *enricher) platform() string {
	if len(e.d.Platforms) == 1 {
		return strings.ToLower(e.d.Platforms[0])
	}
	if e.d.Language == rule.LangSigma {
		if product, _, _ := e.sigmaLogsource(); product == "windows" || product == "linux" || product == "macos" {
			return product
		}
	}
	plat := ""
	for _, p := range e.providers {
		prov := e.cat.Provider(p)
		if prov == nil || prov.Platform == "" {
			continue
		}
		if plat != "" && plat != prov.Platform {
			return ""
		}
		plat = prov.Platform
	}
	return plat
}

// ---------------------------------------------------------------------------
// Events

// addRuleEvent records an event the rule reads directly.
func (e *enricher) addRuleEvent(provider, event string) {
	e.addRuleEventClass(provider, event, nil)
}

func (e *enricher) addRuleEventClass(provider, event string, cl *Class) {
	if provider == "" || event == "" {
		return
	}
	classes := e.cat.ClassesOf(provider, event)
	if cl == nil && len(classes) > 0 {
		cl = classes[0]
	}
	ev := rule.Event{Provider: provider, Event: event, Via: rule.ViaRule, Title: e.cat.Title(provider, event)}
	switch {
	case ev.Title != "":
	case event == "*":
		ev.Title = "Any event"
	case provider == "ECS":
		ev.Title = "event.category " + event
	}
	if cl != nil {
		ev.Class = cl.Name
	}
	e.a.AddEvent(ev)
	e.noteProvider(provider)
	for _, c := range classes {
		e.noteClass(c)
	}
	if cl != nil {
		e.noteClass(cl)
	}
}

func (e *enricher) noteClass(cl *Class) {
	for _, x := range e.classes {
		if x == cl {
			return
		}
	}
	e.classes = append(e.classes, cl)
	for _, s := range cl.Sigma {
		e.addContext(s)
	}
	if len(cl.Sigma) == 0 {
		e.addContext(cl.Name)
	}
}

func (e *enricher) noteProvider(p string) {
	for _, x := range e.providers {
		if x == p {
			return
		}
	}
	e.providers = append(e.providers, p)
}

func (e *enricher) addContext(c string) {
	if c == "" {
		return
	}
	for _, x := range e.contexts {
		if x == c {
			return
		}
	}
	e.contexts = append(e.contexts, c)
}

// addEquivalents adds, for every class the rule's events belong to, the
// events of the other providers.
func (e *enricher) addEquivalents() {
	if len(e.classes) == 0 {
		return
	}
	// Mark the table's events already there in a bitset indexed by event
	// id; events the table does not know cannot collide with equivalents.
	var small [16]uint64
	seen := small[:]
	if n := (e.cat.eventCount + 63) / 64; n > len(small) {
		seen = make([]uint64, n)
	}
	for _, ev := range e.a.Events {
		if info := e.cat.lookupEvent(ev.Provider, ev.Event); info != nil {
			seen[info.id/64] |= 1 << (info.id % 64)
		}
	}
	plat := e.platform()
	for _, cl := range e.classes {
		for _, ce := range e.cat.Equivalents(cl) {
			if seen[ce.id/64]&(1<<(ce.id%64)) != 0 {
				continue
			}
			if plat != "" && ce.platform != "" && ce.platform != plat {
				continue
			}
			seen[ce.id/64] |= 1 << (ce.id % 64)
			// Same semantics as Analysis.AddEvent, without its linear scan.
			e.a.Events = append(e.a.Events, rule.Event{Provider: ce.Event.Provider, Event: ce.Event.Event,
				Title: ce.Event.Title, Via: rule.ViaEquivalent, Class: ce.Class})
		}
	}
}

// values returns the values the rule's indicators compare a field with for
// equality (eq and in), for any of the given field names
// (case-insensitive; a Chronicle "$e." prefix is ignored).
func (e *enricher) values(fields ...string) []string {
	var out []string
	for i := range e.a.Indicators {
		ind := &e.a.Indicators[i]
		if ind.Kind != rule.KindEq && ind.Kind != rule.KindIn {
			continue
		}
		f := stripVariable(ind.Field)
		match := false
		for _, name := range fields {
			if strings.EqualFold(f, name) {
				match = true
				break
			}
		}
		if !match {
			continue
		}
		for _, v := range ind.Values {
			if hasTransform(v.Transforms, rule.TransformFieldRef) || hasTransform(v.Transforms, rule.TransformExpression) || v.Value == "" {
				continue
			}
			out = appendUnique(out, v.Value)
		}
	}
	return out
}

func hasTransform(ts []string, t string) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// stripVariable drops a YARA-L event variable ("$e.", "$e1.") from a field.
func stripVariable(f string) string {
	if len(f) > 1 && f[0] == '$' {
		if i := strings.IndexByte(f, '.'); i > 0 {
			return f[i+1:]
		}
	}
	return f
}

// providerEvents adds the events of provider p named by the rule's values
// of p's event fields, or (p, "*") when the rule names none and
// whole is true.
func (e *enricher) providerEvents(p string, whole bool) {
	prov := e.cat.Provider(p)
	if prov == nil {
		return
	}
	var vals []string
	if len(prov.EventFields) > 0 {
		vals = e.values(prov.EventFields...)
	}
	for _, v := range vals {
		e.addRuleEvent(p, v)
	}
	if len(vals) == 0 {
		if ev, ok := e.cat.defaultEvent[p]; ok {
			e.addRuleEvent(p, ev)
		} else if whole {
			e.addRuleEvent(p, "*")
		}
	}
}

// windowsEvents adds the events a Windows event-log rule reads: event IDs
// of the provider named by a channel or provider-name filter.
func (e *enricher) windowsEvents(provider string, ids []string) {
	if provider == "" {
		return
	}
	if len(ids) == 0 {
		e.addRuleEvent(provider, "*")
		return
	}
	for _, id := range ids {
		e.addRuleEvent(provider, id)
	}
}

// guessWindowsProvider returns the provider that has an event id, trying
// the usual logs in order (a rule filtering EventID without a channel).
func (e *enricher) guessWindowsProvider(ids []string, order ...string) string {
	for _, p := range order {
		for _, id := range ids {
			if len(e.cat.ClassesOf(p, id)) > 0 {
				return p
			}
		}
	}
	return ""
}

// channelProvider returns the provider of the first channel, provider name
// or "XmlWinEventLog:<channel>" source value that names one.
func (e *enricher) channelProvider(values []string) string {
	for _, v := range values {
		v = strings.TrimSpace(v)
		if i := strings.LastIndex(v, "WinEventLog:"); i >= 0 {
			v = v[i+len("WinEventLog:"):]
		}
		lv := strings.ToLower(v)
		if p, ok := e.cat.channel[lv]; ok {
			return p
		}
		if p, ok := e.cat.winSource[lv]; ok {
			return p
		}
	}
	return ""
}

// ---- Kusto ------------------------------------------------------------------

func (e *enricher) kustoEvents() {
	ids := e.values("EventID")
	var defender []string
	for _, t := range e.a.Tables {
		lt := strings.ToLower(t)
		if p, ok := e.cat.kustoTable[lt]; ok {
			switch {
			case strings.HasPrefix(p, "Defender-"):
				defender = append(defender, t)
			case p == "Security":
				e.windowsEvents("Security", ids)
			default:
				e.providerEvents(p, true)
			}
			continue
		}
		switch lt {
		case "event", "windowsevent":
			p := e.channelProvider(e.values("EventLog", "Channel", "Source", "Provider", "ProviderName", "EventSourceName"))
			if p == "" && len(ids) > 0 {
				p = e.guessWindowsProvider(ids, "Security", "System", "Sysmon", "PowerShell")
			}
			e.windowsEvents(p, ids)
			continue
		}
		if ev := e.asimEvent(t); ev != "" {
			e.addRuleEvent("ASIM", ev)
		}
	}
	if len(defender) > 0 {
		e.defenderEvents(defender)
	}
}

// defenderEvents adds the Defender events: each table with the ActionType
// values its own pipelines filter on (from the stages), else the values
// the catalog knows for the table, else the table's default event.
func (e *enricher) defenderEvents(tables []string) {
	perTable := map[string][]string{}
	found := false
	for si := range e.a.Stages {
		st := &e.a.Stages[si]
		for pi := range st.Predicates {
			p := &st.Predicates[pi]
			if p.Negated || (p.Kind != rule.KindEq && p.Kind != rule.KindIn) || !strings.EqualFold(p.Field, "ActionType") {
				continue
			}
			if hasTransform(p.Transforms, rule.TransformFieldRef) || hasTransform(p.Transforms, rule.TransformExpression) {
				continue
			}
			t := e.pipelineTable(st.Pipeline, 0)
			if t == "" {
				continue
			}
			for _, v := range p.Values {
				perTable[strings.ToLower(t)] = appendUnique(perTable[strings.ToLower(t)], v)
				found = true
			}
		}
	}
	if !found {
		// No stage facts: assign the indicator's values by what the catalog
		// knows of each table, the rest to the first table read.
		for _, v := range e.values("ActionType") {
			placed := false
			for _, t := range tables {
				p := e.cat.kustoTable[strings.ToLower(t)]
				if len(e.cat.ClassesOf(p, v)) > 0 {
					perTable[strings.ToLower(t)] = appendUnique(perTable[strings.ToLower(t)], v)
					placed = true
					break
				}
			}
			if !placed {
				lt := strings.ToLower(tables[0])
				perTable[lt] = appendUnique(perTable[lt], v)
			}
		}
	}
	for _, t := range tables {
		p := e.cat.kustoTable[strings.ToLower(t)]
		vals := perTable[strings.ToLower(t)]
		if len(vals) == 0 {
			if ev, ok := e.cat.defaultEvent[p]; ok {
				e.addRuleEvent(p, ev)
			} else {
				e.addRuleEvent(p, "*")
			}
			continue
		}
		for _, v := range vals {
			e.addRuleEvent(p, v)
		}
	}
}

// pipelineTable returns the table a KQL pipeline reads: the first known
// table (or, recursively, binding) named in its source stage.
func (e *enricher) pipelineTable(pipeline string, depth int) string {
	if depth > 8 || pipeline == "" {
		return ""
	}
	if e.pipeSource == nil {
		e.pipeSource = map[string]string{}
		for i := range e.a.Stages {
			st := &e.a.Stages[i]
			name := st.Pipeline
			if name == "" {
				name = "main"
			}
			if _, ok := e.pipeSource[name]; !ok && (st.Kind == "source" || i == 0 || e.a.Stages[i-1].Pipeline != st.Pipeline) {
				e.pipeSource[name] = st.Text
			}
		}
	}
	text := e.pipeSource[pipeline]
	if len(text) > 400 {
		text = text[:400]
	}
	for i := 0; i < len(text); {
		c := text[i]
		if !isIdentStart(c) {
			i++
			continue
		}
		j := i + 1
		for j < len(text) && isIdentPart(text[j]) {
			j++
		}
		word := text[i:j]
		i = j
		if _, ok := e.cat.kustoTable[strings.ToLower(word)]; ok {
			return word
		}
		if isKnownKustoTable(word) {
			return word
		}
		if word != pipeline {
			if _, ok := e.pipeSource[word]; ok {
				if t := e.pipelineTable(word, depth+1); t != "" {
					return t
				}
			}
		}
	}
	return ""
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// isKnownKustoTable reports tables the field table knows that are no
// provider of the events table (Event, WindowsEvent, Syslog, ...).
func isKnownKustoTable(t string) bool {
	switch strings.ToLower(t) {
	case "event", "windowsevent", "securityevent", "syslog", "commonsecuritylog":
		return true
	}
	return false
}

// asimEvent returns the ASIM event of a parser name (imProcessCreate,
// _Im_Dns, ASimProcessCreateMicrosoftSysmon, vimFileEvent...), or "".
func (e *enricher) asimEvent(name string) string {
	n := strings.TrimLeft(name, "_")
	ln := strings.ToLower(n)
	cut := 0
	for _, p := range []string{"im_", "asim_", "asim", "vim", "im"} {
		if strings.HasPrefix(ln, p) {
			cut = len(p)
			break
		}
	}
	if cut == 0 {
		return ""
	}
	rest := ln[cut:]
	best, bestLen := "", 0
	for fam, ev := range e.cat.ASIM {
		lf := strings.ToLower(fam)
		if len(lf) > bestLen && strings.HasPrefix(rest, lf) {
			best, bestLen = ev, len(lf)
		}
	}
	return best
}

// ---- Sigma ------------------------------------------------------------------

// sigmaLogsource returns the rule's product, category and service, from
// Extra["logsource"] or, failing that, the "product/category/service"
// table entry (see logsourceOfTable).
func (e *enricher) sigmaLogsource() (product, category, service string) {
	if !e.logsourceSet {
		e.logsource[0], e.logsource[1], e.logsource[2] = e.readLogsource()
		e.logsourceSet = true
	}
	return e.logsource[0], e.logsource[1], e.logsource[2]
}

func (e *enricher) readLogsource() (product, category, service string) {
	if ls, ok := e.d.Extra["logsource"].(map[string]any); ok {
		product, _ = ls["product"].(string)
		category, _ = ls["category"].(string)
		service, _ = ls["service"].(string)
		if product != "" || category != "" || service != "" {
			return strings.ToLower(product), strings.ToLower(category), strings.ToLower(service)
		}
	}
	if ls, ok := e.d.Extra["logsource"].(map[string]string); ok {
		product, category, service = strings.ToLower(ls["product"]), strings.ToLower(ls["category"]), strings.ToLower(ls["service"])
		if product != "" || category != "" || service != "" {
			return product, category, service
		}
	}
	if len(e.a.Tables) == 1 {
		return e.logsourceOfTable(strings.ToLower(e.a.Tables[0]))
	}
	return "", "", ""
}

// logsourceOfTable reads a Sigma table entry, the logsource written
// "product/category/service" with its empty parts left out
// (windows/process_creation, windows/security, aws/cloudtrail, proxy), for
// a document that has it but no Extra["logsource"] (one built by another
// producer, or a correlation whose rules' logsources differ only in their
// definitions). Three parts are product, category and service. Otherwise
// the first part is the product when it is the document's one platform
// (the Sigma front end's Platforms is the product) or the product of a
// provider's logsource (windows, linux, aws, ...); then, of two parts left,
// the first is the category and the second the service; of one part, it is
// a service when a provider is named by it (windows/security), a category
// when a class or Sigma's taxonomy is (proxy, process_creation,
// jvm/application), and otherwise a service after a product (linux/sshd,
// zeek/http) but a category alone (Sigma's logsources without a product are
// generic categories).
func (e *enricher) logsourceOfTable(table string) (product, category, service string) {
	parts := strings.Split(table, "/")
	for _, p := range parts {
		if p == "" {
			return "", "", ""
		}
	}
	switch len(parts) {
	case 3:
		return parts[0], parts[1], parts[2]
	case 1, 2:
	default:
		return "", "", ""
	}
	if e.isSigmaProduct(parts[0]) {
		product, parts = parts[0], parts[1:]
	}
	switch len(parts) {
	case 0:
		return product, "", ""
	case 2:
		return product, parts[0], parts[1]
	}
	x := parts[0]
	switch {
	case e.cat.sigmaLog[product+"/"+x] != "" || e.cat.sigmaLog["/"+x] != "":
		return product, "", x
	case e.cat.ClassOfSigma(x) != nil || slices.Contains(sigmaCategoriesWithoutClass, x):
		return product, x, ""
	case product != "":
		return product, "", x
	}
	return "", x, ""
}

// sigmaCategoriesWithoutClass are the logsource categories of Sigma's
// taxonomy (sigma-specification Taxonomy_specification.md, "Application
// Folder" and "Category Folder") that no event class names.
var sigmaCategoriesWithoutClass = []string{"application", "authentication", "database", "firewall"}

// isSigmaProduct reports whether a logsource part is the document's
// product: its one platform, or the product of a provider's logsource.
func (e *enricher) isSigmaProduct(part string) bool {
	if len(e.d.Platforms) == 1 && strings.EqualFold(e.d.Platforms[0], part) {
		return true
	}
	for k := range e.cat.sigmaLog {
		if p, _, ok := strings.Cut(k, "/"); ok && p == part {
			return true
		}
	}
	return false
}

func (e *enricher) sigmaEvents() {
	product, category, service := e.sigmaLogsource()
	if category != "" {
		e.addContext(category)
		if cl := e.cat.ClassOfSigma(category); cl != nil {
			e.addRuleEventClass("Sigma", category, cl)
		} else {
			e.addRuleEvent("Sigma", category)
		}
	}
	if service != "" {
		e.addContext(service)
		p := e.cat.sigmaLog[product+"/"+service]
		if p == "" {
			p = e.cat.sigmaLog["/"+service]
		}
		if p != "" {
			if prov := e.cat.Provider(p); prov != nil && len(prov.Channels) > 0 {
				e.windowsEvents(p, e.values("EventID"))
			} else {
				e.providerEvents(p, true)
			}
		}
	}
	if product != "" {
		e.addContext(product)
	}
}

// ---- Elastic ----------------------------------------------------------------

// ecsCategories are the event.category values EQL names before "where".
var ecsCategories = []string{"process", "network", "file", "registry", "library", "driver", "api",
	"authentication", "iam", "configuration", "intrusion_detection", "malware", "web", "email", "host", "session", "package", "database", "threat", "vulnerability"}

func (e *enricher) elasticEvents() {
	cats := e.values("event.category")
	if strings.EqualFold(e.d.QueryLanguage, "eql") {
		cats = eqlCategories(e.d.Query, cats)
	}
	for _, t := range e.a.Tables {
		// logs-endpoint.events.process-* names its category.
		lt := strings.ToLower(t)
		if i := strings.Index(lt, "endpoint.events."); i >= 0 {
			c := lt[i+len("endpoint.events."):]
			c = strings.TrimRight(c, "-*")
			for _, k := range ecsCategories {
				if c == k {
					cats = appendUnique(cats, k)
				}
			}
		}
	}
	types := e.values("event.type")
	actions := e.values("event.action")
	var bare []string // categories no type or action refines
	for _, c := range cats {
		lc := strings.ToLower(c)
		added := false
		for _, t := range types {
			ev := lc + "/" + strings.ToLower(t)
			if len(e.cat.ClassesOf("ECS", ev)) > 0 {
				e.addRuleEvent("ECS", ev)
				added = true
			}
		}
		for _, a := range actions {
			if ev, ok := e.cat.ECSActions[strings.ToLower(a)]; ok && strings.HasPrefix(ev, lc) {
				e.addRuleEvent("ECS", ev)
				added = true
			}
		}
		if !added {
			bare = append(bare, lc)
		}
	}
	if len(cats) == 0 {
		for _, a := range actions {
			if ev, ok := e.cat.ECSActions[strings.ToLower(a)]; ok {
				e.addRuleEvent("ECS", ev)
			}
		}
	}
	// Providers named by dataset, index pattern, channel or provider name.
	var providers []string
	for _, v := range append(e.values("event.dataset", "data_stream.dataset", "event.module"), e.a.Tables...) {
		if p := e.elasticProvider(v); p != "" {
			providers = appendUnique(providers, p)
		}
	}
	if p := e.channelProvider(e.values("winlog.channel", "event.provider", "winlog.provider_name")); p != "" {
		providers = appendUnique(providers, p)
	}
	codes := e.values("event.code", "winlog.event_id")
	for _, p := range providers {
		prov := e.cat.Provider(p)
		if prov == nil {
			continue
		}
		if len(prov.Channels) > 0 {
			if len(codes) > 0 {
				e.windowsEvents(p, codes)
			}
			continue
		}
		acts := e.values("event.action")
		for _, a := range acts {
			e.addRuleEvent(p, a)
		}
		if len(acts) == 0 {
			e.addRuleEvent(p, "*")
		}
	}
	if len(providers) == 0 && len(codes) > 0 {
		if p := e.guessWindowsProvider(codes, "Security", "System"); p != "" {
			e.windowsEvents(p, codes)
		}
	}
	// A bare category stands for its usual event (process: process
	// start) only when nothing narrower (a Sysmon event code, say)
	// says what the rule reads.
	narrower := len(e.classes) > 0
	for _, lc := range bare {
		switch {
		case len(e.cat.ClassesOf("ECS", lc)) > 0:
			e.addRuleEvent("ECS", lc)
		case !narrower && len(e.cat.ClassesOf("ECS", lc+"/start")) > 0:
			e.addRuleEvent("ECS", lc+"/start")
		default:
			e.addRuleEventClass("ECS", lc, nil)
		}
	}
}

// elasticProvider returns the provider of a dataset or index pattern.
func (e *enricher) elasticProvider(v string) string {
	lv := strings.ToLower(strings.TrimSpace(v))
	lv = strings.TrimRight(lv, "*-")
	if p, ok := e.cat.elastic[lv]; ok {
		return p
	}
	for k, p := range e.cat.elastic {
		if strings.HasPrefix(lv, k) {
			return p
		}
	}
	return ""
}

// eqlCategories adds the event categories an EQL query names before
// "where" (`process where ...`, `[network where ...]`) to cats.
func eqlCategories(q string, cats []string) []string {
	prev := ""
	for i := 0; i < len(q); {
		c := q[i]
		if c == '"' || c == '\'' {
			// Skip string literals.
			j := i + 1
			for j < len(q) && q[j] != c {
				if q[j] == '\\' {
					j++
				}
				j++
			}
			i = j + 1
			prev = ""
			continue
		}
		if !isIdentStart(c) {
			i++
			continue
		}
		j := i + 1
		for j < len(q) && isIdentPart(q[j]) {
			j++
		}
		word := q[i:j]
		i = j
		if strings.EqualFold(word, "where") && prev != "" {
			for _, k := range ecsCategories {
				if strings.EqualFold(prev, k) {
					cats = appendUnique(cats, k)
				}
			}
		}
		prev = word
	}
	return cats
}

// ---- Splunk -----------------------------------------------------------------

// cimEvents are the CIM datamodels the events table knows, by lower name.
func (e *enricher) cimEvent(dm string) string {
	dm = strings.TrimSpace(dm)
	if len(e.cat.ClassesOf("CIM", dm)) > 0 {
		return dm
	}
	if i := strings.IndexByte(dm, '.'); i > 0 {
		head := dm[:i]
		if len(e.cat.ClassesOf("CIM", head)) > 0 {
			return head
		}
	}
	return ""
}

func (e *enricher) splunkEvents() {
	for _, t := range e.a.Tables {
		if ev := e.cimEvent(t); ev != "" {
			e.addRuleEvent("CIM", ev)
			e.addContext(cimDataset(t))
		}
	}
	for _, ds := range e.d.DataSources {
		for _, part := range strings.Split(ds, " AND ") {
			e.splunkDataSource(strings.TrimSpace(part))
		}
	}
	// Raw searches: EventCode with a WinEventLog source.
	codes := e.values("EventCode")
	if len(codes) > 0 {
		p := e.channelProvider(e.values("source", "sourcetype", "LogName"))
		if p == "" {
			p = e.guessWindowsProvider(codes, "Security", "System")
		}
		if p != "" {
			for _, c := range codes {
				e.addRuleEvent(p, c)
			}
		}
	}
}

// splunkDataSource turns a security_content data source name ("Sysmon
// EventID 1", "Windows Event Log Security 4688", "CrowdStrike
// ProcessRollup2", "NTLM Operational 8004,8005,8006") into events.
func (e *enricher) splunkDataSource(name string) {
	ln := strings.ToLower(name)
	for _, pp := range e.cat.splunkPrefix {
		if !strings.HasPrefix(ln, pp.prefix) && ln != strings.TrimSpace(pp.prefix) {
			continue
		}
		rest := ""
		if len(name) > len(pp.prefix) {
			rest = strings.TrimSpace(name[len(pp.prefix):])
		}
		if rest == "" {
			if ev, ok := e.cat.defaultEvent[pp.provider]; ok {
				e.addRuleEvent(pp.provider, ev)
			} else {
				e.addRuleEvent(pp.provider, "*")
			}
			return
		}
		for _, ev := range strings.Split(rest, ",") {
			ev = strings.TrimSpace(ev)
			ev = strings.TrimPrefix(ev, "EventID ")
			e.addRuleEvent(pp.provider, ev)
		}
		return
	}
}

// cimDataset returns the CIM dataset (field prefix) of a datamodel name:
// Endpoint.Processes -> Processes, Network_Traffic -> All_Traffic.
func cimDataset(dm string) string {
	switch strings.ToLower(dm) {
	case "network_traffic", "network_traffic.all_traffic":
		return "All_Traffic"
	case "network_resolution", "network_resolution.dns":
		return "DNS"
	case "change", "change.all_changes":
		return "All_Changes"
	case "email", "email.all_email":
		return "All_Email"
	case "web", "web.web", "web.proxy":
		return "Web"
	case "authentication", "authentication.authentication":
		return "Authentication"
	}
	if i := strings.LastIndexByte(dm, '.'); i >= 0 {
		return dm[i+1:]
	}
	return dm
}

// ---- Chronicle --------------------------------------------------------------

func (e *enricher) chronicleEvents() {
	types := e.values("metadata.event_type")
	for _, t := range e.a.Tables {
		if isUpperIdent(t) {
			types = appendUnique(types, t)
		}
	}
	for _, t := range types {
		e.udmTypes = append(e.udmTypes, t)
		e.addRuleEvent("UDM", t)
	}
	pet := e.values("metadata.product_event_type")
	if len(pet) == 0 {
		return
	}
	p := ""
	for _, v := range e.values("metadata.log_type", "metadata.product_name", "metadata.vendor_name") {
		if q, ok := e.cat.chronicle[strings.ToLower(v)]; ok {
			p = q
			break
		}
	}
	if p != "" {
		for _, v := range pet {
			e.addRuleEvent(p, v)
		}
		return
	}
	// Windows event IDs without a product: small numbers are Sysmon's.
	for _, v := range pet {
		if !isDigits(v) {
			continue
		}
		q := "Sysmon"
		if len(v) >= 4 {
			q = e.guessWindowsProvider([]string{v}, "Security", "System")
		}
		if q != "" {
			e.addRuleEvent(q, v)
		}
	}
}

func isUpperIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c == '_' || c >= '0' && c <= '9' && i > 0) {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	if s == "" || len(s) > 6 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ---- Panther ----------------------------------------------------------------

func (e *enricher) pantherEvents() {
	for _, t := range e.a.Tables {
		p := e.pantherProvider(t)
		if p != "" {
			e.providerEvents(p, true)
		}
	}
}

func (e *enricher) pantherProvider(logType string) string {
	lt := strings.ToLower(strings.TrimSpace(logType))
	if p, ok := e.cat.panther[lt]; ok {
		return p
	}
	for k, p := range e.cat.panther {
		if strings.HasPrefix(lt, k) {
			return p
		}
	}
	return ""
}

// ---- Sublime ----------------------------------------------------------------

// sublimeDirections are the message directions of Sublime's message data
// model (type.inbound, type.outbound, type.internal), each an event of
// Sublime-MDM.
var sublimeDirections = []string{"inbound", "outbound", "internal"}

// sublimeEvents adds the message the rule reads, in the directions its
// indicators test (the front end records type.outbound as `type eq
// outbound`, ECS email.direction); a rule that tests none reads inbound
// mail, what nearly every Sublime rule is about.
func (e *enricher) sublimeEvents() {
	const provider = "Sublime-MDM"
	added := false
	if prov := e.cat.Provider(provider); prov != nil {
		for _, v := range e.values(prov.EventFields...) {
			for _, dir := range sublimeDirections {
				if strings.EqualFold(strings.TrimSpace(v), dir) {
					e.addRuleEvent(provider, dir)
					added = true
				}
			}
		}
	}
	if !added {
		e.addRuleEvent(provider, "inbound")
	}
}
