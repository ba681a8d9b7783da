// Package panther reads Panther detections (the panther-analysis
// repository layout): rules and scheduled rules (YAML metadata and a Python
// file with rule(event)), simple YAML detections, correlation rules, and
// scheduled and saved queries (Snowflake SQL). Data models, global helpers
// and packs are read as the context the rules need, once per source folder
// (formats.Env.Shared), and produce no document of their own.
//
// The Python is parsed with internal/lang/python and explained without
// running it: guard clauses and the return expression of rule(event)
// become stages, comparisons of event fields (event.get, event.deep_get,
// deep_get(event, ...), event["a"]["b"], event.udm through the log type's
// data model, local variables) with literals and module constants become
// indicators, negated conjuncts and early "return False" guards become
// exclusions, global helper calls are followed into the helper's code and
// named with what they check, title/dedup/alert_context give outputs. Log
// types are the tables (the shared schema pass turns them and eventName,
// eventType, ... into events); Reports give ATT&CK; Tests become sample
// events. See docs/lang-panther.md.
package panther

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/yamlfile"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// Format is the reader's name.
const Format = "panther"

// Query languages of the documents the reader makes.
const (
	QueryLanguagePython = "python"
	QueryLanguageSQL    = "sql"
)

// Diagnostic codes of the reader (the parsers' are python.Code* and
// sql.Code*).
const (
	CodeYAML          = "READ0010" // the YAML is invalid or not a mapping
	CodeAnalysisType  = "PY2001"   // unknown AnalysisType
	CodeNoPython      = "PY2002"   // Filename missing, unreadable or outside the source
	CodeNoRuleFunc    = "PY2003"   // the Python file has no rule() function
	CodeUnknownRule   = "PY2004"   // a correlation rule names a rule the source does not have
	CodeField         = "PY2005"   // a metadata field has an unexpected shape
	CodeQueryNote     = "PY2006"   // the SQL could only be read in part
	CodeUnknownQuery  = "PY2007"   // a scheduled rule names a query the source does not have
	CodeNoQuery       = "PY2008"   // a query file without Query
	CodeCorrelationNo = "PY2009"   // a correlation rule without Group or Sequence
	CodeTooIntricate  = "PY2010"   // rule()'s conditions are too intricate to explain in full
)

// Reader reads panther-analysis YAML files.
type Reader struct{}

// New returns the Panther reader.
func New() formats.Reader { return Reader{} }

// Format implements formats.Reader.
func (Reader) Format() string { return Format }

// Language implements formats.Reader.
func (Reader) Language() string { return rule.LangPanther }

// Detect takes YAML files with a top-level AnalysisType key.
func (Reader) Detect(f *formats.File) bool {
	switch f.Ext() {
	case ".yml", ".yaml":
	default:
		return false
	}
	return yamlfile.HasTopKey(f.Data, "AnalysisType")
}

// Analysis types.
const (
	typeRule          = "rule"
	typeScheduledRule = "scheduled_rule"
	typePolicy        = "policy"
	typeCorrelation   = "correlation_rule"
	typeScheduled     = "scheduled_query"
	typeSaved         = "saved_query"
	typeDataModel     = "datamodel"
	typeGlobal        = "global"
	typePack          = "pack"
	typeLookupTable   = "lookup_table"
)

// SupportTypes are the analysis types that are context for rules (read
// once per source) rather than rules: they produce no document.
var SupportTypes = []string{typeDataModel, typeGlobal, typePack, typeLookupTable}

// Read implements formats.Reader.
func (r Reader) Read(f *formats.File, env *formats.Env) []*rule.Document {
	d := formats.StubDocument(r, f, "")
	if data, changed := loneCRToLF(f.Data); changed {
		g := *f
		g.Data = data
		f = &g
		d.Body = string(data)
	}
	if !utf8.Valid(f.Data) {
		d.Diagnose(source.Diagnostic{Code: "READ0005", Severity: source.Error, Line: 1, Col: 1, Message: "the file is not UTF-8 text"})
		return []*rule.Document{d}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(f.Data, &root); err != nil {
		d.Diagnose(yamlDiagnostic(err))
		return []*rule.Document{d}
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		d.Diagnose(source.Diagnostic{Code: CodeYAML, Severity: source.Error, Line: 1, Col: 1, Message: "the file is not a YAML mapping"})
		return []*rule.Document{d}
	}
	m := mapping{root.Content[0]}
	typ := strings.TrimSpace(m.str("AnalysisType"))
	rd := &reading{f: f, env: env, d: d, m: m, typ: typ}
	switch typ {
	case typeDataModel, typeGlobal, typePack, typeLookupTable:
		return nil
	case typeRule, typeScheduledRule, typePolicy:
		rd.ruleDoc()
	case typeCorrelation:
		rd.correlation()
	case typeScheduled, typeSaved:
		rd.query()
	default:
		rd.meta()
		line := 1
		if k := m.key("AnalysisType"); k != nil {
			line = k.Line
		}
		d.Diagnose(source.Diagnostic{Code: CodeAnalysisType, Severity: source.Error, Line: line, Col: 1,
			Message: "unknown AnalysisType " + quote(typ) + " (known: rule, scheduled_rule, policy, correlation_rule, scheduled_query, saved_query, datamodel, global, pack, lookup_table)"})
	}
	return []*rule.Document{d}
}

// reading is the state of reading one YAML file.
type reading struct {
	f   *formats.File
	env *formats.Env
	d   *rule.Document
	m   mapping
	typ string
}

func (rd *reading) corpus() *corpus { return corpusFor(rd.env, rd.f) }

func (rd *reading) diag(code string, sev source.Severity, line int, msg string) {
	rd.diagAt(code, sev, line, 1, msg)
}

// diagAt is diag at a line and column.
func (rd *reading) diagAt(code string, sev source.Severity, line, col int, msg string) {
	if line < 1 {
		line, col = 1, 1
	}
	if col < 1 {
		col = 1
	}
	rd.d.Diagnose(source.Diagnostic{Code: code, Severity: sev, Line: line, Col: col, Message: msg})
}

// readSibling reads a file named by the YAML (Filename), relative to the
// YAML's folder; it must stay inside the source folder.
func readSibling(f *formats.File, name string) (rel string, data []byte, err error) {
	rel = path.Join(path.Dir(f.Path), filepath.ToSlash(name))
	if strings.HasPrefix(rel, "../") || rel == ".." || path.IsAbs(name) || f.Abs == "" {
		return rel, nil, errOutside
	}
	abs := filepath.Join(filepath.Dir(f.Abs), filepath.FromSlash(name))
	root := f.Root
	if root == "" {
		root = filepath.Dir(f.Abs)
	}
	if r, e := filepath.Rel(root, abs); e != nil || strings.HasPrefix(r, "..") {
		return rel, nil, errOutside
	}
	data, err = os.ReadFile(abs)
	return rel, data, err
}

type errString string

func (e errString) Error() string { return string(e) }

const errOutside = errString("the file is outside the source folder")

// yamlDiagnostic turns a yaml.v3 error ("yaml: line 3: ...") into a
// diagnostic at that line.
func yamlDiagnostic(err error) source.Diagnostic {
	msg := err.Error()
	line := 1
	if i := strings.Index(msg, "line "); i >= 0 {
		n, j := 0, i+5
		for j < len(msg) && msg[j] >= '0' && msg[j] <= '9' {
			n = n*10 + int(msg[j]-'0')
			j++
		}
		if n > 0 {
			line = n
		}
	}
	return source.Diagnostic{Code: CodeYAML, Severity: source.Error, Line: line, Col: 1,
		Message: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

func quote(s string) string { return "\"" + s + "\"" }

// loneCRToLF returns data with every CR not followed by LF made LF, byte for
// byte: YAML counts a lone CR (an old Mac line end) as a line end, so the
// body and every position then agree with YAML's line numbers. data itself
// is left alone (a copy is made, and changed set, when something changes).
func loneCRToLF(data []byte) (out []byte, changed bool) {
	copied := false
	for i, c := range data {
		if c == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
			if !copied {
				data = bytes.Clone(data)
				copied = true
			}
			data[i] = '\n'
		}
	}
	return data, copied
}
