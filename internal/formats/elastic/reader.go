package elastic

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/detwiki/detwiki/internal/attack"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/lang/eql"
	"github.com/detwiki/detwiki/internal/lang/esql"
	"github.com/detwiki/detwiki/internal/lang/kuery"
	"github.com/detwiki/detwiki/internal/lang/lucene"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// Reader formats.
const (
	FormatRule = "elastic"      // detection rule TOML
	FormatHunt = "elastic-hunt" // hunting TOML
)

// Query languages as documents name them.
const (
	LangEQL    = "eql"
	LangKuery  = "kuery"
	LangLucene = "lucene"
	LangESQL   = "esql"
	LangSQL    = "sql" // osquery SQL in hunting files (not parsed)
)

// Diagnostic codes of the reader.
const (
	CodeTOML        = "READ0701" // the file is not valid TOML
	CodeNotRule     = "READ0702" // valid TOML without the tables a rule needs
	CodeFieldType   = "READ0703" // a field with a value of the wrong type
	CodeNoQuery     = "READ0704" // a query rule without a query
	CodeLanguage    = "READ0705" // a query language the reader does not know
	CodeFenceLine   = "READ0706" // a stray markdown fence language line before a query
	CodeAttack      = "ATTACK001"
	ruleTable       = "rule"
	huntTable       = "hunt"
	metadataTable   = "metadata"
	deprecatedDir   = "_deprecated/"
	defaultCategory = "event.category"
)

type ruleReader struct{}

// New returns the reader of elastic/detection-rules rule TOML files.
func New() formats.Reader { return ruleReader{} }

// Format implements formats.Reader.
func (ruleReader) Format() string { return FormatRule }

// Language implements formats.Reader.
func (ruleReader) Language() string { return rule.LangElastic }

// Detect implements formats.Reader: a .toml file with a [rule] table.
func (ruleReader) Detect(f *formats.File) bool {
	return f.Ext() == ".toml" && hasTable(f.Data, ruleTable)
}

// hasTable reports whether data has the header [name] at the start of a
// line.
func hasTable(data []byte, name string) bool {
	h := "[" + name + "]"
	return bytes.HasPrefix(data, []byte(h)) || bytes.Contains(data, []byte("\n"+h))
}

// decode parses the TOML file; a syntax error becomes a diagnostic on d.
func decode(d *rule.Document, text string) (map[string]any, bool) {
	var m map[string]any
	if _, err := toml.Decode(text, &m); err != nil {
		dg := diag(CodeTOML, source.Error, "invalid TOML: "+err.Error())
		var pe toml.ParseError
		if errors.As(err, &pe) {
			dg.Message = "invalid TOML: " + pe.Message
			dg.Line, dg.Col = pe.Position.Line, pe.Position.Col
		}
		d.Diagnose(dg)
		return nil, false
	}
	return m, true
}

func rootTable(m map[string]any, name string, warn func(string)) table {
	t := table{name: name, warn: warn}
	if v, ok := m[name]; ok {
		if mm, ok := v.(map[string]any); ok {
			t.m = mm
		} else {
			warn(fmt.Sprintf("[%s] should be a table, found %s", name, tomlType(v)))
		}
	}
	return t
}

// Read implements formats.Reader.
func (r ruleReader) Read(f *formats.File, env *formats.Env) []*rule.Document {
	d := formats.StubDocument(r, f, "")
	text := d.Body
	root, ok := decode(d, text)
	if !ok {
		return []*rule.Document{d}
	}
	warn := func(msg string) { d.Diagnose(diag(CodeFieldType, source.Warning, msg)) }
	meta := rootTable(root, metadataTable, warn)
	rl := rootTable(root, ruleTable, warn)
	if rl.m == nil {
		d.Diagnose(diag(CodeNotRule, source.Error, "no [rule] table: not a detection rule"))
		return []*rule.Document{d}
	}
	fillRule(d, f, env, meta, rl, root)
	explainRule(d, f, text, rl)
	setDataSources(d, meta.strs("integration"))
	return []*rule.Document{d}
}

// fillRule copies the rule's metadata into the document.
func fillRule(d *rule.Document, f *formats.File, env *formats.Env, meta, rl table, root map[string]any) {
	if name := strings.TrimSpace(rl.str("name")); name != "" {
		d.Title = name
	}
	d.Description = strings.TrimSpace(rl.str("description"))
	d.Author = strings.Join(rl.strs("author"), ", ")
	d.Status = meta.str("maturity")
	d.Severity = rl.str("severity")
	d.TimeWindow = strings.TrimPrefix(rl.str("from"), "now-")
	d.Frequency = rl.str("interval")
	d.References = rl.strs("references")
	for _, fp := range rl.strs("false_positives") {
		if fp = normalizeText(fp); fp != "" {
			d.FalsePositives = append(d.FalsePositives, fp)
		}
	}
	d.Version = rl.str("version")
	d.Created = isoDate(meta.str("creation_date"))
	d.Modified = isoDate(meta.str("updated_date"))
	d.Kind = rl.str("type")
	d.Tags = rl.strs("tags")
	integrations := meta.strs("integration")
	d.Platforms = platforms(d.Tags, integrations, "")
	d.Deprecated = d.Status == "deprecated" || strings.HasPrefix(f.Path, deprecatedDir) || strings.Contains(f.Path, "/"+deprecatedDir)
	if v, ok := meta.value("promotion"); ok && v == true {
		d.ThirdPartyFeed = true // the rule promotes another product's alerts
	}
	for _, idx := range rl.strs("index") {
		d.Analysis.AddTable(idx)
	}
	// ATT&CK.
	var techniques, tactics []string
	for _, th := range rl.tables("threat") {
		if fw := th.str("framework"); fw != "" && !strings.Contains(strings.ToUpper(fw), "ATT&CK") {
			continue
		}
		if id := th.sub("tactic").str("id"); id != "" {
			tactics = append(tactics, id)
		} else if name := th.sub("tactic").str("name"); name != "" {
			tactics = append(tactics, name)
		}
		for _, te := range th.tables("technique") {
			techniques = append(techniques, te.str("id"))
			for _, st := range te.tables("subtechnique") {
				techniques = append(techniques, st.str("id"))
			}
		}
	}
	mapAttack(d, env, techniques, tactics)
	// Prose.
	if s := strings.TrimSpace(rl.str("note")); s != "" {
		d.Sections = append(d.Sections, rule.Section{Title: "Investigation guide", Text: s})
	}
	if s := strings.TrimSpace(rl.str("setup")); s != "" {
		d.Sections = append(d.Sections, rule.Section{Title: "Setup", Text: s})
	}
	if s := strings.TrimSpace(meta.str("deprecated_reason")); s != "" {
		d.Sections = append(d.Sections, rule.Section{Title: "Deprecation", Text: s})
	}
	// Extra.
	extra := map[string]any{}
	for _, k := range ruleExtraKeys {
		if v, ok := rl.value(k); ok {
			extra[k] = v
		}
	}
	for _, k := range metadataExtraKeys {
		if v, ok := meta.value(k); ok {
			extra[k] = v
		}
	}
	if v, ok := root["transform"]; ok {
		extra["transform"] = v
	}
	if len(extra) > 0 {
		d.Extra = extra
	}
	// Investigation fields are what an analyst sees first: outputs.
	for _, fld := range rl.sub("investigation_fields").strs("field_names") {
		d.Analysis.AddOutput(fld, "investigation_fields")
	}
	ruleParameters(d, rl)
}

// ruleExtraKeys are the [rule] settings kept in Extra, as decoded.
var ruleExtraKeys = []string{
	"rule_id", "risk_score", "risk_score_mapping", "severity_mapping", "threshold", "new_terms",
	"alert_suppression", "threat_mapping", "threat_query", "threat_language", "threat_index",
	"threat_indicator_path", "threat_filters", "building_block_type", "investigation_fields",
	"machine_learning_job_id", "anomaly_threshold", "timestamp_override", "event_category_override",
	"rule_name_override", "filters", "exceptions_list", "max_signals", "timeline_id", "timeline_title",
	"enabled",
}

// metadataExtraKeys are the [metadata] settings kept in Extra.
var metadataExtraKeys = []string{
	"integration", "min_stack_version", "min_stack_comments", "deprecation_date", "deprecated_reason",
	"promotion", "bypass_bbr_timing",
}

// ruleParameters records threshold, new_terms, machine-learning and
// indicator-match settings as parameters (and threshold fields as group-by
// keys).
func ruleParameters(d *rule.Document, rl table) {
	add := func(name, text string, values ...string) {
		d.Analysis.Parameters = append(d.Analysis.Parameters, rule.Parameter{Name: name, Text: text, Values: values})
	}
	if th := rl.sub("threshold"); th.m != nil {
		fields := th.strs("field")
		if len(fields) > 0 {
			add("threshold.field", "threshold.field = "+strings.Join(fields, ", "), fields...)
		}
		for _, f := range fields {
			addGroupBy(d, f)
		}
		if v := th.str("value"); v != "" {
			add("threshold.value", "threshold.value >= "+v, v)
		}
		for _, c := range th.tables("cardinality") {
			f, v := c.str("field"), c.str("value")
			add("threshold.cardinality", "cardinality("+f+") >= "+v, f, v)
		}
	}
	if nt := rl.sub("new_terms"); nt.m != nil {
		if fields := nt.strs("value"); len(fields) > 0 {
			add("new_terms.fields", "new terms of "+strings.Join(fields, ", "), fields...)
		}
		for _, h := range nt.tables("history_window_start") {
			if v := h.str("value"); v != "" {
				add("new_terms.history_window_start", "history window starts at "+v, v)
			}
		}
	}
	if jobs := rl.strs("machine_learning_job_id"); len(jobs) > 0 {
		add("machine_learning_job_id", "machine learning job "+strings.Join(jobs, ", "), jobs...)
	}
	if v := rl.str("anomaly_threshold"); v != "" {
		add("anomaly_threshold", "anomaly score >= "+v, v)
	}
	for _, tm := range rl.tables("threat_mapping") {
		var parts []string
		for _, e := range tm.tables("entries") {
			parts = append(parts, e.str("field")+" = "+e.str("value"))
		}
		if len(parts) > 0 {
			add("threat_mapping", strings.Join(parts, " and "), parts...)
		}
	}
	if tp := rl.str("threat_indicator_path"); tp != "" {
		add("threat_indicator_path", "threat_indicator_path = "+tp, tp)
	}
}

// mapAttack resolves the ATT&CK ids through the catalog; problems become
// warnings.
func mapAttack(d *rule.Document, env *formats.Env, techniques, tactics []string) {
	if env == nil || env.Attack == nil || len(techniques)+len(tactics) == 0 {
		return
	}
	att, problems := env.Attack.Map(techniques, tactics)
	d.Attack = append(d.Attack, att...)
	var locs map[string]stringLoc
	if len(problems) > 0 {
		locs = attackRefLocations(d.Body)
	}
	for _, p := range problems {
		dg := diag(CodeAttack, source.Warning, p)
		// Place the warning on the id or name it is about.
		for _, ref := range slices.Concat(techniques, tactics) {
			ref = strings.TrimSpace(ref)
			if l, ok := locs[ref]; ok && ref != "" && (strings.Contains(p, `"`+ref+`"`) ||
				strings.Contains(p, "technique "+attack.NormalizeTechniqueID(ref)+" ") ||
				strings.Contains(p, `"`+attack.NormalizeTechniqueID(ref)+`"`)) {
				dg.Line, dg.Col = l.Line, l.Col
				break
			}
		}
		d.Diagnose(dg)
	}
}

// attackRefLocations returns where the file writes each ATT&CK reference,
// by its text: the technique, sub-technique and tactic ids and names of
// [[rule.threat]], and a hunt's mitre list.
func attackRefLocations(text string) map[string]stringLoc {
	locs := map[string]stringLoc{}
	for _, tk := range [...][2]string{
		{"rule.threat.technique", "id"}, {"rule.threat.technique.subtechnique", "id"},
		{"rule.threat.tactic", "id"}, {"rule.threat.tactic", "name"}, {huntTable, "mitre"},
	} {
		for _, l := range locateAll(text, tk[0], tk[1]) {
			v := strings.TrimSpace(l.content(text))
			if _, seen := locs[v]; !seen {
				locs[v] = l
			}
		}
	}
	return locs
}

// explainRule parses and explains the rule's query (or lists its ML jobs).
func explainRule(d *rule.Document, f *formats.File, text string, rl table) {
	typ := d.Kind
	query := rl.str("query")
	lang := strings.ToLower(rl.str("language"))
	if lang == "" {
		// Kibana's defaults: EQL and ES|QL rules are written in their
		// language, every other query rule in kuery.
		switch typ {
		case LangEQL, LangESQL:
			lang = typ
		default:
			lang = LangKuery
		}
	}
	if typ == "machine_learning" {
		// No query: the rule is its job(s), listed as parameters.
		return
	}
	if strings.TrimSpace(query) == "" {
		d.Diagnose(diag(CodeNoQuery, source.Warning, fmt.Sprintf("%s rule without a query", typ)))
		return
	}
	d.Query = query
	var pos *posMap
	if locs := locateStrings(text, ruleTable, "query"); len(locs) > 0 {
		d.QueryOrigin = locs[0].origin()
		pos = locs[0].posMap(text, query)
	}
	catField := defaultCategory
	if o := rl.str("event_category_override"); o != "" {
		catField = o
	}
	x := newExplainer(d, query, "")
	x.pos = pos
	switch lang {
	case LangEQL:
		d.QueryLanguage = LangEQL
		explainQueryEQL(x, f.Path, d.QueryOrigin, catField)
	case LangKuery:
		d.QueryLanguage = LangKuery
		explainQueryKuery(x, f.Path, d.QueryOrigin, "filter", "")
	case LangLucene:
		d.QueryLanguage = LangLucene
		explainQueryLucene(x, f.Path, d.QueryOrigin)
	case LangESQL:
		d.QueryLanguage = LangESQL
		explainQueryESQL(x, f.Path, d.QueryOrigin)
	default:
		d.QueryLanguage = lang
		d.Diagnose(diag(CodeLanguage, source.Warning, fmt.Sprintf("unknown query language %q; the query is not analysed", lang)))
		return
	}
	// Indicator-match rules also filter the indicator index.
	if tq := rl.str("threat_query"); strings.TrimSpace(tq) != "" {
		for _, idx := range rl.strs("threat_index") {
			d.Analysis.AddTable(idx)
		}
		var o source.Origin
		tx := newExplainer(d, tq, "threat")
		if locs := locateStrings(text, ruleTable, "threat_query"); len(locs) > 0 {
			o = locs[0].origin()
			tx.pos = locs[0].posMap(text, tq)
		}
		if strings.EqualFold(rl.str("threat_language"), LangLucene) {
			q, errs := lucene.Parse(tq)
			tx.diagnose(f.Path, o, errs.Diagnostics(tq))
			var preds []rule.Predicate
			lucenePredicates(q, "", false, &preds)
			tx.stage("filter", "threat", q.Pos(), q.End(), preds)
		} else {
			explainQueryKuery(tx, f.Path, o, "filter", "threat")
		}
	}
	explainFilters(d, rl)
}

// diagnose relocates parse errors into the file and records them.
func diagnose(d *rule.Document, path string, origin source.Origin, ds []source.Diagnostic) {
	for _, dg := range ds {
		d.Diagnose(dg.Relocate(path, origin))
	}
}

func explainQueryEQL(x *explainer, path string, o source.Origin, catField string) {
	q, errs := eql.Parse(x.query)
	x.diagnose(path, o, errs.Diagnostics(x.query))
	explainEQL(x, q, catField)
}

func explainQueryKuery(x *explainer, path string, o source.Origin, kind, pipeline string) {
	q, errs := kuery.Parse(x.query)
	x.diagnose(path, o, errs.Diagnostics(x.query))
	explainKuery(x, q, kind, pipeline)
}

func explainQueryLucene(x *explainer, path string, o source.Origin) {
	q, errs := lucene.Parse(x.query)
	x.diagnose(path, o, errs.Diagnostics(x.query))
	explainLucene(x, q)
}

func explainQueryESQL(x *explainer, path string, o source.Origin) {
	q, errs := esql.Parse(x.query)
	x.diagnose(path, o, errs.Diagnostics(x.query))
	x.diagnose(path, o, kqlDiagnostics(x, q))
	explainESQL(x, q)
}

// explainFilters turns the rule's Kibana filters (phrase, phrases, exists;
// negate) into a "filters" stage.
func explainFilters(d *rule.Document, rl table) {
	filters := rl.tables("filters")
	if len(filters) == 0 {
		return
	}
	var preds []rule.Predicate
	var texts []string
	for _, f := range filters {
		m := f.sub("meta")
		if v, ok := m.value("disabled"); ok && v == true {
			continue
		}
		key := m.str("key")
		if key == "" {
			continue
		}
		neg := false
		if v, ok := m.value("negate"); ok && v == true {
			neg = true
		}
		switch m.str("type") {
		case "exists":
			preds = append(preds, rule.Predicate{Field: key, Kind: rule.KindIsNotNull, Negated: neg})
			texts = append(texts, notIf(neg)+key+" exists")
		case "phrase":
			v := m.sub("params").str("query")
			if v == "" {
				v = m.str("value")
			}
			preds = append(preds, valuePredicates(key, []valueCmp{{text: v, cased: true}}, neg, false)...)
			texts = append(texts, notIf(neg)+key+": "+strconv.Quote(v))
		case "phrases":
			vals := m.strs("params")
			var vc []valueCmp
			for _, v := range vals {
				vc = append(vc, valueCmp{text: v, cased: true})
			}
			preds = append(preds, valuePredicates(key, vc, neg, true)...)
			texts = append(texts, notIf(neg)+key+": ("+strings.Join(vals, " or ")+")")
		}
	}
	if len(texts) == 0 {
		return
	}
	d.Analysis.Stages = append(d.Analysis.Stages, rule.Stage{Kind: "filter", Text: strings.Join(texts, " and "), Pipeline: "filters", Predicates: preds})
	for _, p := range preds {
		d.Analysis.AddPredicate(p)
	}
}

// setDataSources lists what the rule reads: its index patterns and ES|QL
// sources (the analysis tables), then its integrations.
func setDataSources(d *rule.Document, integrations []string) {
	for _, t := range d.Analysis.Tables {
		d.DataSources = appendUnique(d.DataSources, t)
	}
	for _, in := range integrations {
		d.DataSources = appendUnique(d.DataSources, in)
	}
}

func notIf(b bool) string {
	if b {
		return "not "
	}
	return ""
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// platforms derives the platforms a rule targets from its OS tags, its
// integrations and (for hunts) its folder.
func platforms(tags, integrations []string, folder string) []string {
	var out []string
	for _, t := range tags {
		name, val, ok := strings.Cut(t, ":")
		if !ok || strings.TrimSpace(name) != "OS" {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(val)) {
		case "windows":
			out = appendUnique(out, "windows")
		case "linux":
			out = appendUnique(out, "linux")
		case "macos":
			out = appendUnique(out, "macos")
		}
	}
	for _, in := range append(integrations, folder) {
		if p := integrationPlatform[in]; p != "" {
			out = appendUnique(out, p)
		}
	}
	return out
}

// integrationPlatform maps Elastic integrations (and hunting folders) to
// platforms.
var integrationPlatform = map[string]string{
	"windows": "windows", "linux": "linux", "macos": "macos",
	"aws": "aws", "aws_bedrock": "aws", "aws_bedrock_agentcore": "aws",
	"azure": "azure", "azure_openai": "azure", "entityanalytics_entra_id": "azure",
	"gcp": "gcp", "google_workspace": "google_workspace",
	"o365": "m365", "microsoft_exchange_online_message_trace": "m365",
	"okta": "okta", "kubernetes": "kubernetes", "github": "github",
}
