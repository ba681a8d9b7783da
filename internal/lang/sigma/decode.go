package sigma

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"regexp/syntax"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/source"
	yaml "go.yaml.in/yaml/v3"
)

// ParseFile reads a Sigma file: every YAML document, a Sigma 1 collection
// merged (action: global applies to the documents after it, reset clears it,
// repeat repeats the previous document with changes). It never panics and
// never gives up on the whole file for one bad rule: each rule carries its
// own diagnostics, and what belongs to no rule is in File.Diagnostics.
func ParseFile(data []byte) *File {
	return Parse(string(data))
}

// Parse is ParseFile for a file already held as a string.
func Parse(text string) (f *File) {
	f = &File{Lines: source.NewLineTable("", text)}
	d := &decoder{text: text, lines: f.Lines}
	defer func() {
		if r := recover(); r != nil {
			// A bug, not bad input; keep it visible without losing the run.
			f.Diagnostics = append(f.Diagnostics, source.Diagnostic{Code: CodeYAML, Severity: source.Error,
				Message: fmt.Sprintf("internal error while reading the Sigma file (a detwiki bug): %v", r), Line: 1, Col: 1})
		}
	}()
	docs, err := decodeDocuments(text)
	if err != nil {
		f.Diagnostics = append(f.Diagnostics, d.yamlError(err))
	}
	d.docStarts = documentStarts(text)
	var global, prev *yaml.Node
	var globalSpans, prevSpans []source.Span
	for i, doc := range docs {
		if len(doc.Content) == 0 {
			continue // an empty document (a trailing ---)
		}
		m := resolve(doc.Content[0])
		if m.Kind != yaml.MappingNode {
			if m.Kind == yaml.ScalarNode && m.Tag == "!!null" {
				continue
			}
			f.Diagnostics = append(f.Diagnostics, d.diag(source.Error, CodeNotMapping, d.pos(m), source.NoPos,
				"a Sigma document must be a mapping of keys (title, logsource, detection, ...)"))
			continue
		}
		own := d.docSpan(m)
		action, actionNode := "", lookup(m, "action")
		if actionNode != nil {
			action = strings.ToLower(strings.TrimSpace(actionNode.Value))
		}
		switch action {
		case "global":
			global = withoutKey(m, "action")
			globalSpans = []source.Span{own}
			continue
		case "reset":
			global, globalSpans = nil, nil
			continue
		case "repeat":
			if prev == nil {
				f.Diagnostics = append(f.Diagnostics, d.diag(source.Error, CodeAction, d.pos(actionNode), source.NoPos,
					"action: repeat with no previous document to repeat"))
				continue
			}
			m = merge(prev, withoutKey(m, "action"))
			prevSpans = append(append([]source.Span(nil), prevSpans...), own)
		case "":
			prevSpans = []source.Span{own}
		default:
			f.Diagnostics = append(f.Diagnostics, d.diag(source.Error, CodeAction, d.pos(actionNode), source.NoPos,
				fmt.Sprintf("unknown action %q (global, reset or repeat)", actionNode.Value)))
			continue
		}
		prev = m
		var merged []source.Span
		if global != nil {
			m = merge(global, m)
			merged = append(append(merged, globalSpans...), prevSpans...)
		} else if action == "repeat" {
			merged = prevSpans
		}
		r := d.rule(m, i)
		r.Merged = merged
		f.Rules = append(f.Rules, r)
	}
	return f
}

// decodeDocuments decodes every YAML document of data, stopping at the first
// syntax error (the documents before it are kept).
func decodeDocuments(text string) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(strings.NewReader(text))
	var docs []*yaml.Node
	for {
		n := new(yaml.Node)
		err := dec.Decode(n)
		if err == io.EOF {
			return docs, nil
		}
		if err != nil {
			return docs, err
		}
		docs = append(docs, n)
	}
}

// documentStarts returns the offsets of the lines that start a YAML document
// (--- or ... at column 1).
func documentStarts(text string) []source.Pos {
	var out []source.Pos
	for off := 0; off < len(text); {
		if strings.HasPrefix(text[off:], "---") || strings.HasPrefix(text[off:], "...") {
			if len(text) == off+3 || strings.IndexByte(" \t\r\n", text[off+3]) >= 0 {
				out = append(out, source.Pos(off))
			}
		}
		nl := strings.IndexByte(text[off:], '\n')
		if nl < 0 {
			break
		}
		off += nl + 1
	}
	return out
}

// decoder turns YAML nodes into the model, collecting diagnostics of the
// rule being decoded.
type decoder struct {
	text      string
	lines     *source.LineTable
	docStarts []source.Pos
	diags     []source.Diagnostic
	reported  map[string]bool // the diagnostics in diags, by code, place and message
}

// pos converts a node's line and (character) column into a byte offset.
func (d *decoder) pos(n *yaml.Node) source.Pos {
	if n == nil || n.Line <= 0 {
		return source.NoPos
	}
	start := d.lines.LineStart(n.Line)
	if !start.IsValid() {
		return source.NoPos
	}
	off := int(start)
	for i := 1; i < n.Column && off < len(d.text); i++ {
		c := d.text[off]
		if c == '\n' {
			break
		}
		if c < utf8.RuneSelf {
			off++
			continue
		}
		_, w := utf8.DecodeRuneInString(d.text[off:])
		off += w
	}
	return source.Pos(off)
}

// scalarEnd returns the end offset of a scalar node that sits on one line.
func (d *decoder) scalarEnd(n *yaml.Node, start source.Pos) source.Pos {
	if !start.IsValid() {
		return source.NoPos
	}
	l := len(n.Value)
	if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
		l += 2
	}
	end := int(start) + l
	if nl := strings.IndexByte(d.text[start:], '\n'); nl >= 0 && int(start)+nl < end {
		end = int(start) + nl
	}
	if end > len(d.text) {
		end = len(d.text)
	}
	return source.Pos(end)
}

// diag builds a diagnostic at file offsets (end may be NoPos).
func (d *decoder) diag(sev source.Severity, code string, pos, end source.Pos, msg string) source.Diagnostic {
	diag := source.Diagnostic{Code: code, Severity: sev, Message: msg}
	if pos.IsValid() {
		p := d.lines.Position(pos)
		diag.Line, diag.Col = p.Line, p.Column
		if end.IsValid() && end > pos {
			e := d.lines.Position(end)
			diag.EndLine, diag.EndCol = e.Line, e.Column
		}
	}
	return diag
}

func (d *decoder) errorf(n *yaml.Node, code, format string, args ...any) {
	p := d.pos(n)
	end := source.NoPos
	if n != nil && n.Kind == yaml.ScalarNode {
		end = d.scalarEnd(n, p)
	}
	d.report(d.diag(source.Error, code, p, end, fmt.Sprintf(format, args...)))
}

// report records dg once: a node reached through several YAML aliases
// (*list used nine times) gives the same problem at the same place.
func (d *decoder) report(dg source.Diagnostic) {
	key := fmt.Sprintf("%s %d:%d %s", dg.Code, dg.Line, dg.Col, dg.Message)
	if d.reported[key] {
		return
	}
	if d.reported == nil {
		d.reported = map[string]bool{}
	}
	d.reported[key] = true
	d.diags = append(d.diags, dg)
}

func (d *decoder) warnf(n *yaml.Node, code, format string, args ...any) {
	p := d.pos(n)
	end := source.NoPos
	if n != nil && n.Kind == yaml.ScalarNode {
		end = d.scalarEnd(n, p)
	}
	d.report(d.diag(source.Warning, code, p, end, fmt.Sprintf(format, args...)))
}

// yamlError turns a YAML syntax error into a diagnostic. go-yaml writes
// "yaml: line N: problem"; the line is taken from there.
func (d *decoder) yamlError(err error) source.Diagnostic {
	msg := err.Error()
	line := 0
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = strings.Join(te.Errors, "; ")
	}
	rest, ok := strings.CutPrefix(msg, "yaml: ")
	if ok {
		msg = rest
		if after, ok := strings.CutPrefix(rest, "line "); ok {
			if colon := strings.IndexByte(after, ':'); colon > 0 {
				if n, err := strconv.Atoi(after[:colon]); err == nil {
					line = n
					msg = strings.TrimSpace(after[colon+1:])
				}
			}
		}
	}
	// go-yaml counts a lone \r as a line break too; stay inside the file.
	if n := d.lines.LineCount(); line > n {
		line = n
	}
	if line <= 0 {
		line = 1
	}
	return source.Diagnostic{Code: CodeYAML, Severity: source.Error, Message: "YAML syntax error: " + msg, Line: line, Col: 1}
}

// resolve follows YAML aliases (*anchor) to the node they stand for.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 16; i++ {
		n = n.Alias
	}
	return n
}

// lookup returns the value of key in a mapping node, or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return resolve(m.Content[i+1])
		}
	}
	return nil
}

// withoutKey returns a copy of mapping m without key.
func withoutKey(m *yaml.Node, key string) *yaml.Node {
	out := *m
	out.Content = make([]*yaml.Node, 0, len(m.Content))
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != key {
			out.Content = append(out.Content, m.Content[i], m.Content[i+1])
		}
	}
	return &out
}

// merge returns base deep-merged with over: mappings merge key by key
// (recursively), anything else in over replaces what base has.
func merge(base, over *yaml.Node) *yaml.Node {
	if base == nil {
		return over
	}
	out := *base
	out.Content = append([]*yaml.Node(nil), base.Content...)
	for i := 0; i+1 < len(over.Content); i += 2 {
		k, v := over.Content[i], over.Content[i+1]
		found := false
		for j := 0; j+1 < len(out.Content); j += 2 {
			if out.Content[j].Value != k.Value {
				continue
			}
			found = true
			bv := resolve(out.Content[j+1])
			rv := resolve(v)
			if bv.Kind == yaml.MappingNode && rv.Kind == yaml.MappingNode {
				out.Content[j+1] = merge(bv, rv)
			} else {
				out.Content[j], out.Content[j+1] = k, v
			}
			break
		}
		if !found {
			out.Content = append(out.Content, k, v)
		}
	}
	return &out
}

// docSpan returns the span of the document whose mapping is m.
func (d *decoder) docSpan(m *yaml.Node) source.Span {
	start := d.pos(m)
	if len(m.Content) > 0 {
		start = d.pos(m.Content[0])
	}
	if !start.IsValid() {
		return source.Span{Start: source.NoPos, End: source.NoPos}
	}
	// Start at the beginning of the line, after a --- marker if any.
	if ls := strings.LastIndexByte(d.text[:start], '\n'); ls >= 0 {
		start = source.Pos(ls + 1)
	} else {
		start = 0
	}
	return source.Span{Start: start, End: d.trimEnd(start, d.docEnd(start))}
}

// docEnd returns the end of the document holding offset p.
func (d *decoder) docEnd(p source.Pos) source.Pos {
	for _, s := range d.docStarts {
		if s > p {
			return s
		}
	}
	return source.Pos(len(d.text))
}

// trimEnd moves end back over trailing blank lines and comment-only lines,
// so a key's span ends with its last line of content.
func (d *decoder) trimEnd(start, end source.Pos) source.Pos {
	if !start.IsValid() || int(end) > len(d.text) {
		return end
	}
	for end > start {
		// Look at the last line before end.
		lineEnd := int(end)
		for lineEnd > int(start) && (d.text[lineEnd-1] == '\n' || d.text[lineEnd-1] == '\r') {
			lineEnd--
		}
		ls := strings.LastIndexByte(d.text[start:lineEnd], '\n')
		lineStart := int(start)
		if ls >= 0 {
			lineStart = int(start) + ls + 1
		}
		line := strings.TrimSpace(d.text[lineStart:lineEnd])
		if lineStart > int(start) && (line == "" || line[0] == '#') {
			end = source.Pos(lineStart)
			continue
		}
		return source.Pos(lineEnd)
	}
	return end
}

// rule decodes one rule mapping.
func (d *decoder) rule(m *yaml.Node, doc int) *Rule {
	d.diags, d.reported = nil, nil
	r := &Rule{Doc: doc, Node: m}
	if len(m.Content) > 0 {
		r.Pos = d.pos(m.Content[0])
	} else {
		r.Pos = d.pos(m)
	}
	r.End = d.docEnd(r.Pos)
	r.Keys = make([]Key, 0, len(m.Content)/2)
	var detection, correlation, filter *yaml.Node
	var detectionKey, correlationKey, filterKey *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], resolve(m.Content[i+1])
		key := k.Value
		for _, prev := range r.Keys {
			if prev.Name == key {
				d.errorf(k, CodeDuplicateKey, "duplicate key %q (YAML keys must be unique; the later value wins)", key)
				break
			}
		}
		kp := d.pos(k)
		end := d.docEnd(kp)
		if i+2 < len(m.Content) {
			if next := d.pos(m.Content[i+2]); next > kp && next < end {
				end = next
			}
		}
		r.Keys = append(r.Keys, Key{Name: key, Pos: kp, End: d.trimEnd(kp, end)})
		switch key {
		case "title":
			r.Title = d.scalar(k, v)
		case "id":
			r.ID = d.scalar(k, v)
		case "name":
			r.Name = d.scalar(k, v)
		case "taxonomy":
			r.Taxonomy = d.scalar(k, v)
		case "status":
			r.Status = d.scalar(k, v)
		case "description":
			r.Description = d.scalar(k, v)
		case "license":
			r.License = d.scalar(k, v)
		case "author":
			r.Author = strings.Join(d.stringList(k, v), ", ")
		case "date":
			r.Date = d.scalar(k, v)
		case "modified":
			r.Modified = d.scalar(k, v)
		case "level":
			r.Level = d.scalar(k, v)
		case "regression_tests_path":
			r.RegressionTestsPath = d.scalar(k, v)
		case "references":
			r.References = d.stringList(k, v)
		case "falsepositives":
			r.FalsePositives = d.stringList(k, v)
		case "fields":
			r.Fields = d.stringList(k, v)
		case "tags":
			r.Tags = d.stringList(k, v)
		case "scope":
			r.Scope = d.stringList(k, v)
		case "related":
			r.Related = d.related(k, v)
		case "logsource":
			r.Logsource = d.logsource(k, v)
		case "detection":
			detection, detectionKey = v, k
		case "correlation":
			correlation, correlationKey = v, k
		case "filter":
			filter, filterKey = v, k
		}
	}
	switch {
	case detection != nil:
		r.Kind = KindDetection
		r.Detection = d.detection(detectionKey, detection, false)
	case correlation != nil:
		r.Kind = KindCorrelation
		r.Correlation = d.correlation(correlationKey, correlation)
	case filter != nil:
		r.Kind = KindFilter
		r.Filter = d.filter(filterKey, filter)
	default:
		d.diags = append(d.diags, d.diag(source.Error, CodeNoRule, r.Pos, source.NoPos,
			"not a Sigma rule: the document has no detection, correlation or filter section"))
	}
	if detection != nil && (correlation != nil || filter != nil) {
		k := correlationKey
		if k == nil {
			k = filterKey
		}
		d.errorf(k, CodeBadShape, "a rule has one of detection, correlation or filter; %s is ignored", k.Value)
	}
	d.checkMeta(r, m)
	r.Diagnostics = d.diags
	d.diags, d.reported = nil, nil
	return r
}

// checkMeta checks the mandatory keys and the metadata vocabularies.
func (d *decoder) checkMeta(r *Rule, m *yaml.Node) {
	if r.Title == "" {
		d.diags = append(d.diags, d.diag(source.Error, CodeMissing, r.Pos, source.NoPos, "the rule has no title (title is mandatory)"))
	}
	if r.Logsource.IsZero() && r.Kind != KindCorrelation && (r.Detection != nil || r.Filter != nil) {
		if n := lookup(m, "logsource"); n == nil {
			d.diags = append(d.diags, d.diag(source.Error, CodeMissing, r.Pos, source.NoPos, "the rule has no logsource (logsource is mandatory)"))
		}
	}
	if r.Level != "" {
		switch strings.ToLower(r.Level) {
		case "informational", "low", "medium", "high", "critical":
		default:
			d.warnf(lookup(m, "level"), CodeQuality, "unknown level %q (informational, low, medium, high or critical)", r.Level)
		}
	}
	if r.Status != "" {
		switch strings.ToLower(r.Status) {
		case "stable", "test", "experimental", "deprecated", "unsupported":
		default:
			d.warnf(lookup(m, "status"), CodeQuality, "unknown status %q (stable, test, experimental, deprecated or unsupported)", r.Status)
		}
	}
}

// scalar returns a scalar value's text; anything else is reported.
func (d *decoder) scalar(k, v *yaml.Node) string {
	if v.Kind != yaml.ScalarNode {
		d.errorf(v, CodeBadShape, "%s must be a single value, not a %s", k.Value, kindName(v))
		return ""
	}
	if v.Tag == "!!null" {
		return ""
	}
	return v.Value
}

// stringList returns a list of scalars (or one scalar) as strings.
func (d *decoder) stringList(k, v *yaml.Node) []string {
	switch v.Kind {
	case yaml.ScalarNode:
		if v.Tag == "!!null" || v.Value == "" {
			return nil
		}
		return []string{v.Value}
	case yaml.SequenceNode:
		out := make([]string, 0, len(v.Content))
		for _, e := range v.Content {
			e = resolve(e)
			if e.Kind != yaml.ScalarNode {
				d.errorf(e, CodeBadShape, "%s must be a list of values; this entry is a %s", k.Value, kindName(e))
				continue
			}
			if e.Tag == "!!null" {
				continue
			}
			out = append(out, e.Value)
		}
		return out
	}
	d.errorf(v, CodeBadShape, "%s must be a list of values, not a %s", k.Value, kindName(v))
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "single value"
	}
	return "YAML node"
}

func (d *decoder) related(k, v *yaml.Node) []Related {
	if v.Kind != yaml.SequenceNode {
		d.errorf(v, CodeBadShape, "related must be a list of {id, type} entries")
		return nil
	}
	var out []Related
	for _, e := range v.Content {
		e = resolve(e)
		if e.Kind != yaml.MappingNode {
			d.errorf(e, CodeBadShape, "a related entry must be a mapping with id and type")
			continue
		}
		rel := Related{Pos: d.pos(e)}
		if n := lookup(e, "id"); n != nil {
			rel.ID = d.scalar(e.Content[0], n)
		}
		if n := lookup(e, "type"); n != nil {
			rel.Type = d.scalar(e.Content[0], n)
		}
		if rel.ID == "" {
			d.errorf(e, CodeMissing, "a related entry needs an id")
			continue
		}
		switch rel.Type {
		case "derived", "obsolete", "merged", "renamed", "similar":
		default:
			d.warnf(lookup(e, "type"), CodeQuality, "unknown related type %q (derived, obsolete, merged, renamed or similar)", rel.Type)
		}
		out = append(out, rel)
	}
	return out
}

func (d *decoder) logsource(k, v *yaml.Node) Logsource {
	ls := Logsource{Pos: d.pos(k)}
	if v.Kind != yaml.MappingNode {
		if !(v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
			d.errorf(v, CodeBadShape, "logsource must be a mapping (category, product, service, definition)")
		}
		return ls
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		lk, lv := v.Content[i], resolve(v.Content[i+1])
		val := d.scalar(lk, lv)
		switch lk.Value {
		case "category":
			ls.Category = val
		case "product":
			ls.Product = val
		case "service":
			ls.Service = val
		case "definition":
			ls.Definition = val
		default:
			if ls.Custom == nil {
				ls.Custom = map[string]string{}
			}
			ls.Custom[lk.Value] = val
		}
	}
	return ls
}

// detection decodes a detection section (or, with filter, a filter section
// whose "rules" key the caller handles).
func (d *decoder) detection(k, v *yaml.Node, filter bool) *Detection {
	det := &Detection{Pos: d.pos(k)}
	if v.Kind != yaml.MappingNode {
		d.errorf(v, CodeBadShape, "%s must be a mapping of search identifiers and a condition", k.Value)
		return det
	}
	var condNode *yaml.Node
	names := make(map[string]bool, len(v.Content)/2)
	for i := 0; i+1 < len(v.Content); i += 2 {
		sk, sv := v.Content[i], resolve(v.Content[i+1])
		switch sk.Value {
		case "condition":
			condNode = sv
			continue
		case "timeframe":
			det.Timeframe = d.scalar(sk, sv)
			d.warnf(sk, CodeObsolete, "timeframe is Sigma 1 syntax; Sigma 2 puts time windows in correlation rules (timespan)")
			continue
		case "rules":
			if filter {
				continue
			}
		}
		if names[sk.Value] {
			d.errorf(sk, CodeDuplicateKey, "duplicate search identifier %q (YAML keys must be unique; the later one wins)", sk.Value)
			// Keep the later one, as YAML loaders do.
			for j, s := range det.Searches {
				if s.Name == sk.Value {
					det.Searches = append(det.Searches[:j], det.Searches[j+1:]...)
					break
				}
			}
		}
		names[sk.Value] = true
		det.Searches = append(det.Searches, d.search(sk, sv))
	}
	det.buildIndex()
	if condNode == nil {
		d.errorf(k, CodeMissing, "%s has no condition", k.Value)
	} else {
		det.Conditions = d.conditions(condNode)
	}
	d.checkConditions(det)
	return det
}

// search decodes one search identifier.
func (d *decoder) search(k, v *yaml.Node) *Search {
	s := &Search{Name: k.Value, Pos: d.pos(k)}
	switch v.Kind {
	case yaml.MappingNode:
		if g := d.group(v); g != nil {
			s.Groups = append(s.Groups, g)
		}
	case yaml.SequenceNode:
		var kw *Item
		for _, e := range v.Content {
			e = resolve(e)
			switch e.Kind {
			case yaml.MappingNode:
				if g := d.group(e); g != nil {
					s.Groups = append(s.Groups, g)
				}
			case yaml.ScalarNode:
				if kw == nil {
					kw = &Item{Pos: d.pos(e)}
					s.Groups = append(s.Groups, &Group{Pos: kw.Pos, Items: []*Item{kw}})
				}
				kw.Values = append(kw.Values, d.value(kw, e))
			default:
				d.errorf(e, CodeBadShape, "search identifier %s: a list entry must be a keyword or a mapping of fields, not a %s", k.Value, kindName(e))
			}
		}
		if kw != nil {
			d.checkValues(kw, nil)
		}
	case yaml.ScalarNode:
		if v.Tag == "!!null" {
			d.errorf(k, CodeBadShape, "search identifier %s is empty", k.Value)
			break
		}
		kw := &Item{Pos: d.pos(v)}
		kw.Values = []*Value{d.value(kw, v)}
		s.Groups = append(s.Groups, &Group{Pos: kw.Pos, Items: []*Item{kw}})
	default:
		d.errorf(v, CodeBadShape, "search identifier %s must be a mapping of fields or a list", k.Value)
	}
	if len(s.Groups) == 0 && v.Kind != yaml.ScalarNode {
		d.errorf(k, CodeBadShape, "search identifier %s has no detection items", k.Value)
	}
	return s
}

// group decodes a mapping of detection items.
func (d *decoder) group(m *yaml.Node) *Group {
	g := &Group{Pos: d.pos(m), Items: make([]*Item, 0, len(m.Content)/2)}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], resolve(m.Content[i+1])
		for _, it := range g.Items {
			if it.Key == k.Value {
				d.errorf(k, CodeDuplicateKey, "duplicate field %q in one selection (YAML keys must be unique)", k.Value)
				break
			}
		}
		if it := d.item(k, v); it != nil {
			g.Items = append(g.Items, it)
		}
	}
	if len(g.Items) == 0 {
		d.errorf(m, CodeBadShape, "an empty mapping of detection items")
		return nil
	}
	return g
}

// item decodes "field|mod|mod: value(s)".
func (d *decoder) item(k, v *yaml.Node) *Item {
	kp := d.pos(k)
	it := &Item{Key: k.Value, Pos: kp}
	keyOff := 0
	if k.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
		keyOff = 1
	}
	field, mods, hasMods := strings.Cut(k.Value, "|")
	it.Field = field
	if hasMods {
		off := len(field) + 1
		for _, w := range strings.Split(mods, "|") {
			mp := source.NoPos
			if kp.IsValid() {
				mp = kp + source.Pos(keyOff+off)
			}
			off += len(w) + 1
			d.modifier(it, w, mp)
		}
	}
	d.checkModifiers(it, k)
	switch v.Kind {
	case yaml.ScalarNode:
		it.Values = []*Value{d.value(it, v)}
	case yaml.SequenceNode:
		if len(v.Content) == 0 {
			d.errorf(k, CodeValue, "%s has an empty list of values", k.Value)
		}
		it.Values = make([]*Value, 0, len(v.Content))
		backing := make([]Value, len(v.Content)) // one allocation for the item's values
		for i, e := range v.Content {
			e = resolve(e)
			if e.Kind != yaml.ScalarNode {
				d.errorf(e, CodeBadShape, "%s: a value must be a single value, not a %s", k.Value, kindName(e))
				continue
			}
			d.valueInto(&backing[i], it, e)
			it.Values = append(it.Values, &backing[i])
		}
	default:
		d.errorf(v, CodeBadShape, "%s: the value must be a single value or a list of values, not a %s", k.Value, kindName(v))
		return it
	}
	d.checkValues(it, k)
	return it
}

// modifier adds one modifier to an item, setting what it amounts to.
func (d *decoder) modifier(it *Item, written string, pos source.Pos) {
	name := strings.ToLower(written)
	info, ok := modifiers[name]
	end := pos
	if pos.IsValid() {
		end = pos + source.Pos(len(written))
	}
	if !ok {
		msg := fmt.Sprintf("unknown modifier %q", written)
		if written == "" {
			msg = "empty modifier (two | in a row)"
		}
		d.diags = append(d.diags, d.diag(source.Error, CodeModifier, pos, end, msg))
		return
	}
	m := Modifier{Name: info.name, Written: written, Pos: pos}
	if it.HasModifier(m.Name) {
		d.diags = append(d.diags, d.diag(source.Warning, CodeModifier, pos, end, fmt.Sprintf("modifier %s is repeated", m.Name)))
	}
	bad := func(format string, args ...any) {
		d.diags = append(d.diags, d.diag(source.Error, CodeModifier, pos, end, fmt.Sprintf(format, args...)))
	}
	switch info.class {
	case modCompare:
		if it.Compare != CompareEqual && it.Compare != info.compare {
			bad("modifier %s cannot be combined with %s", m.Name, it.Compare)
		}
		it.Compare = info.compare
	case modRegexFlag:
		if it.Compare != CompareRegex {
			bad("modifier %s is a flag of re and must follow it (re|%s)", written, m.Name)
		} else if !strings.Contains(it.Regex, m.Name) {
			it.Regex = addFlag(it.Regex, m.Name)
		}
	case modFlag:
		switch m.Name {
		case "all":
			it.All = true
		case "cased":
			it.Cased = true
		case "fieldref":
			it.FieldRef = true
		case "expand":
			it.Expand = true
		}
	case modTime:
		if it.TimePart != "" {
			bad("modifier %s cannot be combined with %s", m.Name, it.TimePart)
		}
		it.TimePart = m.Name
	}
	it.Modifiers = append(it.Modifiers, m)
}

// addFlag adds a regular expression flag keeping the order i, m, s.
func addFlag(flags, f string) string {
	var b strings.Builder
	for _, c := range "ims" {
		if strings.ContainsRune(flags, c) || string(c) == f {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// checkModifiers reports combinations the specification does not allow.
func (d *decoder) checkModifiers(it *Item, k *yaml.Node) {
	for _, m := range it.Modifiers {
		if !m.IsEncoding() {
			continue
		}
		switch it.Compare {
		case CompareRegex, CompareCIDR, CompareGT, CompareGTE, CompareLT, CompareLTE, CompareExists:
			d.diags = append(d.diags, d.diag(source.Error, CodeModifier, m.Pos, m.Pos+source.Pos(len(m.Written)),
				fmt.Sprintf("modifier %s cannot be applied to a %s comparison", m.Name, it.Compare)))
		}
	}
	if it.Compare == CompareExists && len(it.Modifiers) > 1 {
		d.errorf(k, CodeModifier, "exists cannot be combined with other modifiers")
	}
	if it.FieldRef {
		switch it.Compare {
		case CompareEqual, CompareNotEqual, CompareContains, CompareStartsWith, CompareEndsWith:
		default:
			d.errorf(k, CodeModifier, "fieldref cannot be combined with %s", it.Compare)
		}
	}
}

// value decodes one scalar value of an item.
func (d *decoder) value(it *Item, n *yaml.Node) *Value {
	v := new(Value)
	d.valueInto(v, it, n)
	return v
}

// valueInto decodes one scalar value into v.
func (d *decoder) valueInto(v *Value, it *Item, n *yaml.Node) {
	*v = Value{Pos: d.pos(n), Raw: n.Value}
	switch n.Tag {
	case "!!null":
		v.Type = ValueNull
		v.Raw = ""
		return
	case "!!int", "!!float":
		v.Type = ValueNumber
	case "!!bool":
		v.Type = ValueBool
	}
	if v.Type == ValueString && it.IsStringCompare() {
		v.Str = ParseString(n.Value, it.Expand)
	} else {
		v.Str = Plain(n.Value)
	}
}

// checkValues checks an item's values against its modifiers.
func (d *decoder) checkValues(it *Item, k *yaml.Node) {
	if it.All && len(it.Values) == 1 && k != nil {
		d.warnf(k, CodeQuality, "%s: |all with a single value (the specification allows all only on lists)", k.Value)
	}
	nulls := 0
	for _, v := range it.Values {
		if v.Type == ValueNull {
			nulls++
		}
	}
	if nulls > 0 && len(it.Values) > 1 {
		d.valueDiag(source.Warning, CodeValue, it.Values[0], "null cannot be part of a list of values; put it in a selection of its own")
	}
	for _, v := range it.Values {
		switch it.Compare {
		case CompareExists:
			if v.Type != ValueBool && !(v.Type == ValueString && (strings.EqualFold(v.Raw, "true") || strings.EqualFold(v.Raw, "false"))) {
				d.valueDiag(source.Error, CodeValue, v, fmt.Sprintf("exists takes true or false, not %q", v.Raw))
			}
		case CompareGT, CompareGTE, CompareLT, CompareLTE:
			if _, err := strconv.ParseFloat(strings.TrimSpace(v.Raw), 64); err != nil {
				d.valueDiag(source.Error, CodeValue, v, fmt.Sprintf("%s compares numbers; %q is not a number", it.Compare, v.Raw))
			}
		case CompareCIDR:
			if _, err := netip.ParsePrefix(strings.TrimSpace(v.Raw)); err != nil {
				d.valueDiag(source.Error, CodeValue, v, fmt.Sprintf("%q is not a CIDR range (address/prefix length)", v.Raw))
			}
		case CompareRegex:
			flags := syntax.Perl
			if strings.Contains(it.Regex, "i") {
				flags |= syntax.FoldCase
			}
			if _, err := syntax.Parse(v.Raw, flags); err != nil {
				d.valueDiag(source.Warning, CodeQuality, v, fmt.Sprintf("regular expression is not RE2 syntax (Go cannot run it): %v", regexErrorText(err)))
			}
		}
		if it.Expand && v.Type == ValueString && !v.Str.HasPlaceholders() && it.IsStringCompare() {
			d.valueDiag(source.Warning, CodeValue, v, fmt.Sprintf("expand on a value without a %%placeholder%%: %q", v.Raw))
		}
		if len(it.Encodings()) > 0 && v.Type != ValueNull {
			if _, err := it.Patterns(v); err != nil {
				d.valueDiag(source.Error, CodeValue, v, err.Error())
			}
		}
	}
}

func regexErrorText(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return fmt.Sprintf("%s: %q", se.Code, se.Expr)
	}
	return err.Error()
}

func (d *decoder) valueDiag(sev source.Severity, code string, v *Value, msg string) {
	end := source.NoPos
	if v.Pos.IsValid() {
		end = v.Pos + source.Pos(len(v.Raw))
		if nl := strings.IndexByte(d.text[v.Pos:], '\n'); nl >= 0 && v.Pos+source.Pos(nl) < end {
			end = v.Pos + source.Pos(nl)
		}
	}
	d.diags = append(d.diags, d.diag(sev, code, v.Pos, end, msg))
}

// conditions decodes a condition or a list of conditions.
func (d *decoder) conditions(n *yaml.Node) []*Condition {
	var nodes []*yaml.Node
	switch n.Kind {
	case yaml.ScalarNode:
		nodes = []*yaml.Node{n}
	case yaml.SequenceNode:
		for _, e := range n.Content {
			e = resolve(e)
			if e.Kind != yaml.ScalarNode {
				d.errorf(e, CodeBadShape, "a condition list holds conditions, not a %s", kindName(e))
				continue
			}
			nodes = append(nodes, e)
		}
	default:
		d.errorf(n, CodeBadShape, "condition must be a condition or a list of conditions, not a %s", kindName(n))
		return nil
	}
	out := make([]*Condition, 0, len(nodes))
	for _, e := range nodes {
		c := ParseCondition(e.Value)
		c.at = scalarAt{start: d.pos(e), style: e.Style}
		if strings.TrimSpace(e.Value) == "" {
			d.errorf(e, CodeMissing, "the condition is empty")
			continue
		}
		for _, err := range c.Errors {
			p, end := d.conditionPos(c, err.Pos), d.conditionPos(c, err.End)
			dg := d.diag(source.Error, CodeCondition, p, end, "condition: "+err.Msg)
			if err.Related.End > err.Related.Start {
				if r := d.conditionPos(c, err.Related.Start); r.IsValid() {
					rp := d.lines.Position(r)
					dg = dg.WithRelated(dg.Message, rp.Line, rp.Column)
				}
			}
			d.diags = append(d.diags, dg)
		}
		if a := c.Aggregation; a != nil && len(c.Errors) == 0 {
			what := "an aggregation (| " + a.Func + ")"
			if a.Func == "near" {
				what = "near"
			}
			d.diags = append(d.diags, d.diag(source.Warning, CodeObsolete, d.conditionPos(c, a.Pipe), d.conditionPos(c, a.End()),
				"condition: "+what+" is Sigma 1 syntax, obsolete since Sigma 2; use a correlation rule"))
		}
		out = append(out, c)
	}
	return out
}

// checkConditions reports identifiers the conditions use that the detection
// does not define, patterns that match none, unusual quantifiers, and search
// identifiers no condition uses. Conditions with syntax errors are not
// checked.
func (d *decoder) checkConditions(det *Detection) {
	for _, c := range det.Conditions {
		if len(c.Errors) > 0 {
			return // the syntax errors say it all
		}
	}
	used := make(map[*Search]bool, len(det.Searches))
	for _, c := range det.Conditions {
		check := func(x Expr) {
			Inspect(x, func(n Expr) bool {
				switch n := n.(type) {
				case *Ident:
					s := det.Search(n.Name)
					if s == nil {
						d.diags = append(d.diags, d.diag(source.Error, CodeUndefined, d.conditionPos(c, n.Pos()), d.conditionPos(c, n.End()),
							fmt.Sprintf("condition: search identifier %q is not defined in the detection", n.Name)))
					}
					used[s] = true
				case *OfExpr:
					matched := det.Of(n)
					if len(matched) == 0 {
						what := "pattern " + strconv.Quote(n.Pattern) + " matches no search identifier"
						if n.Them {
							what = "them: the detection has no search identifiers"
						}
						d.diags = append(d.diags, d.diag(source.Error, CodeUndefined, d.conditionPos(c, n.Pos()), d.conditionPos(c, n.End()),
							"condition: "+what))
					}
					for _, s := range matched {
						used[s] = true
					}
					if !n.All && n.Quant != "1" && n.Quant != "any" {
						d.diags = append(d.diags, d.diag(source.Warning, CodeQuality, d.conditionPos(c, n.Pos()), d.conditionPos(c, n.OfPos),
							fmt.Sprintf("condition: quantifier %s: the specification defines only 1 of, any of and all of", n.Quant)))
					}
				}
				return true
			})
		}
		check(c.Expr)
		if c.Aggregation != nil && c.Aggregation.Near != nil {
			check(c.Aggregation.Near)
		}
	}
	if len(det.Conditions) == 0 {
		return
	}
	for _, s := range det.Searches {
		if !used[s] {
			d.diags = append(d.diags, d.diag(source.Warning, CodeUnused, s.Pos, s.Pos+source.Pos(len(s.Name)),
				fmt.Sprintf("search identifier %q is not used by the condition", s.Name)))
		}
	}
}

// scalarAt records where a scalar's text starts in the file and its style,
// to map offsets inside the decoded text back to the file.
type scalarAt struct {
	start source.Pos
	style yaml.Style
}

// conditionPos maps a byte offset of a condition's decoded text to a file
// offset. A one-line plain scalar maps directly; otherwise the decoded text
// is aligned with the source, skipping the whitespace that line folding
// changed and quoting characters.
func (d *decoder) conditionPos(c *Condition, off source.Pos) source.Pos {
	start := c.at.start
	if !start.IsValid() {
		return source.NoPos
	}
	if off < 0 {
		off = 0
	}
	if int(off) > len(c.Text) {
		off = source.Pos(len(c.Text))
	}
	if c.at.style == 0 && int(start)+len(c.Text) <= len(d.text) && d.text[int(start):int(start)+len(c.Text)] == c.Text {
		return start + off
	}
	j := int(start)
	switch c.at.style {
	case yaml.LiteralStyle, yaml.FoldedStyle:
		// Skip the indicator line (| or >).
		if nl := strings.IndexByte(d.text[j:], '\n'); nl >= 0 {
			j += nl + 1
		}
	case yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
		j++
	}
	for i := 0; i < int(off); i++ {
		ch := c.Text[i]
		if ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r' {
			continue
		}
		for j < len(d.text) && d.text[j] != ch {
			switch d.text[j] {
			case ' ', '\t', '\n', '\r', '\'', '"', '\\':
				j++
				continue
			}
			return start // lost alignment; point at the condition
		}
		if j >= len(d.text) {
			return start
		}
		j++
	}
	// Skip whitespace to the token at off.
	for j < len(d.text) && (d.text[j] == ' ' || d.text[j] == '\n' || d.text[j] == '\t' || d.text[j] == '\r') {
		j++
	}
	return source.Pos(j)
}

// correlationTypes are the correlation types of the specification (2.1).
var correlationTypes = map[string]bool{
	"event_count": true, "value_count": true, "temporal": true, "temporal_ordered": true,
	"value_sum": true, "value_avg": true, "value_percentile": true,
}

func (d *decoder) correlation(k, v *yaml.Node) *Correlation {
	c := &Correlation{Pos: d.pos(k)}
	if v.Kind != yaml.MappingNode {
		d.errorf(v, CodeBadShape, "correlation must be a mapping (type, rules, group-by, timespan, condition)")
		return c
	}
	var typeNode, condNode, timespanNode *yaml.Node
	for i := 0; i+1 < len(v.Content); i += 2 {
		ck, cv := v.Content[i], resolve(v.Content[i+1])
		switch ck.Value {
		case "type":
			c.Type, typeNode = d.scalar(ck, cv), cv
		case "rules":
			c.Rules = d.refs(ck, cv)
		case "group-by":
			c.GroupBy = d.stringList(ck, cv)
		case "timespan", "timeframe":
			c.Timespan, timespanNode = d.scalar(ck, cv), cv
		case "condition":
			condNode = cv
		case "aliases":
			c.Aliases = d.aliases(ck, cv)
		case "generate":
			c.Generate = cv.Kind == yaml.ScalarNode && cv.Tag == "!!bool" && strings.EqualFold(cv.Value, "true")
		default:
			d.warnf(ck, CodeCorrelation, "unknown correlation key %q", ck.Value)
		}
	}
	switch {
	case c.Type == "":
		d.errorf(k, CodeMissing, "correlation has no type (event_count, value_count, temporal, temporal_ordered, ...)")
	case !correlationTypes[c.Type]:
		d.errorf(typeNode, CodeCorrelation, "unknown correlation type %q", c.Type)
	}
	if len(c.Rules) == 0 {
		d.errorf(k, CodeReference, "correlation references no rules (rules)")
	}
	if c.Timespan == "" {
		d.errorf(k, CodeMissing, "correlation has no timespan")
	} else if dur, ok := ParseTimespan(c.Timespan); ok {
		c.Duration = dur
	} else {
		d.errorf(timespanNode, CodeCorrelation, "timespan %q is not a number and a unit (s, m, h, d, w, M, y)", c.Timespan)
	}
	if condNode != nil {
		d.countCondition(c, condNode)
	} else if correlationTypes[c.Type] && c.Type != "temporal" && c.Type != "temporal_ordered" {
		d.errorf(k, CodeMissing, "a correlation of type %s needs a condition", c.Type)
	}
	if correlationTypes[c.Type] && strings.HasPrefix(c.Type, "value_") && len(c.Field) == 0 {
		d.errorf(k, CodeMissing, "a %s correlation needs condition.field", c.Type)
	}
	return c
}

func (d *decoder) countCondition(c *Correlation, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, CodeCorrelation, "a correlation condition is a mapping such as gte: 10")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		ck, cv := n.Content[i], resolve(n.Content[i+1])
		switch ck.Value {
		case "field":
			c.Field = d.stringList(ck, cv)
		case "gt", "gte", "lt", "lte", "eq", "neq":
			val := d.scalar(ck, cv)
			if _, err := strconv.ParseFloat(val, 64); err != nil {
				d.errorf(cv, CodeCorrelation, "condition %s: %q is not a number", ck.Value, val)
			}
			c.Condition = append(c.Condition, CountCondition{Op: ck.Value, Value: val})
		case "percentile":
			val := d.scalar(ck, cv)
			c.Condition = append(c.Condition, CountCondition{Op: ck.Value, Value: val})
		default:
			d.errorf(ck, CodeCorrelation, "unknown condition operator %q (gt, gte, lt, lte, eq, neq)", ck.Value)
		}
	}
}

// ParseTimespan parses a Sigma timespan: a number and a unit (s, m, h, d; w,
// M and y are accepted too).
func ParseTimespan(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return 0, false
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 0 {
		return 0, false
	}
	var unit time.Duration
	switch s[len(s)-1] {
	case 's':
		unit = time.Second
	case 'm':
		unit = time.Minute
	case 'h':
		unit = time.Hour
	case 'd':
		unit = 24 * time.Hour
	case 'w':
		unit = 7 * 24 * time.Hour
	case 'M':
		unit = 30 * 24 * time.Hour
	case 'y':
		unit = 365 * 24 * time.Hour
	default:
		return 0, false
	}
	return time.Duration(n) * unit, true
}

func (d *decoder) refs(k, v *yaml.Node) []RuleRef {
	var out []RuleRef
	add := func(n *yaml.Node) {
		if n.Kind != yaml.ScalarNode || n.Value == "" {
			d.errorf(n, CodeBadShape, "%s must list rule ids or names", k.Value)
			return
		}
		out = append(out, RuleRef{Ref: n.Value, Pos: d.pos(n)})
	}
	switch v.Kind {
	case yaml.SequenceNode:
		for _, e := range v.Content {
			add(resolve(e))
		}
	default:
		add(v)
	}
	return out
}

func (d *decoder) aliases(k, v *yaml.Node) []Alias {
	if v.Kind != yaml.MappingNode {
		d.errorf(v, CodeBadShape, "aliases must map alias names to {rule name: field}")
		return nil
	}
	var out []Alias
	for i := 0; i+1 < len(v.Content); i += 2 {
		ak, av := v.Content[i], resolve(v.Content[i+1])
		a := Alias{Name: ak.Value}
		if av.Kind != yaml.MappingNode {
			d.errorf(av, CodeBadShape, "alias %s must map rule names to fields", ak.Value)
			continue
		}
		for j := 0; j+1 < len(av.Content); j += 2 {
			a.Fields = append(a.Fields, AliasField{Rule: av.Content[j].Value, Field: d.scalar(av.Content[j], resolve(av.Content[j+1]))})
		}
		out = append(out, a)
	}
	return out
}

func (d *decoder) filter(k, v *yaml.Node) *Filter {
	f := &Filter{Pos: d.pos(k)}
	if v.Kind != yaml.MappingNode {
		d.errorf(v, CodeBadShape, "filter must be a mapping (rules, selections, condition)")
		return f
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		if v.Content[i].Value == "rules" {
			f.Rules = d.refs(v.Content[i], resolve(v.Content[i+1]))
		}
	}
	if len(f.Rules) == 0 {
		d.errorf(k, CodeReference, "filter references no rules (filter.rules)")
	}
	f.Detection = d.detection(k, v, true)
	return f
}
