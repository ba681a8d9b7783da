package ruletest

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/detwiki/detwiki/internal/engine"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/lang/sigma"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/sigmaeval"
	"github.com/detwiki/detwiki/internal/source"
	"github.com/detwiki/detwiki/internal/tables"
)

// Rule is one rule document of a Set with what runs it.
type Rule struct {
	Doc *rule.Document
	// Root is the folder the document's source path is relative to (its
	// tests' event paths are too).
	Root string
	// Sigma is the compiled detection rule, Correlation the compiled
	// correlation rule (Sigma documents only).
	Sigma       *sigmaeval.Rule
	Correlation *sigmaeval.Correlation
	// Kusto is the checked query of a Kusto rule (package engine), run on
	// each data set's adapted tables (package tables).
	Kusto *engine.Query
	// Why says why the rule cannot run ("" when it can).
	Why string
	// Diagnostics are the problems compiling it.
	Diagnostics []source.Diagnostic
}

// Runnable reports whether the rule can run on events.
func (r *Rule) Runnable() bool { return r.Why == "" }

// Set is a set of rules ready to run.
type Set struct {
	Rules []*Rule
	// Diagnostics are problems with rule files that produced no document.
	Diagnostics source.Diagnostics
}

// SetOptions configure how rules are compiled.
type SetOptions struct {
	// Placeholders gives Sigma |expand placeholders their values.
	Placeholders map[string][]string
	// Router routes Sigma logsources (nil: the default).
	Router *sigmaeval.Router
	// Progress is called as rule files are read.
	Progress func(done, total int)
}

// Load reads the rule files under paths (package formats) and compiles
// what can run.
func Load(paths []string, opt *SetOptions) (*Set, error) {
	if opt == nil {
		opt = &SetOptions{}
	}
	files, diags := formats.List(paths)
	res, err := formats.ReadFiles(files, diags, formats.Options{Progress: opt.Progress})
	if err != nil {
		return nil, err
	}
	rootOf := map[string]string{}
	for _, f := range files {
		rootOf[f.Repo+"\x00"+f.Path] = f.Root
	}
	set := NewSet(res.Documents, func(d *rule.Document) string { return rootOf[d.Source.Repo+"\x00"+d.Source.Path] }, opt)
	set.Diagnostics = append(set.Diagnostics, res.Diagnostics...)
	return set, nil
}

// NewSet compiles rule documents. rootOf returns the folder a document's
// source path is relative to (where its file and its tests' event files
// are). The documents of one file must come in file order, as package
// formats returns them.
func NewSet(docs []*rule.Document, rootOf func(*rule.Document) string, opt *SetOptions) *Set {
	if opt == nil {
		opt = &SetOptions{}
	}
	set := &Set{}
	type fileKey struct{ root, path string }
	type sigmaFile struct {
		file *sigma.File
		docs []*Rule
	}
	files := map[fileKey]*sigmaFile{}
	var order []fileKey
	for _, d := range docs {
		r := &Rule{Doc: d, Root: rootOf(d)}
		set.Rules = append(set.Rules, r)
		if d.Language == rule.LangKusto {
			compileKusto(r)
			continue
		}
		if d.Language != rule.LangSigma {
			r.Why = fmt.Sprintf("%s rules do not run on events yet", d.Language)
			continue
		}
		k := fileKey{r.Root, d.Source.Path}
		sf := files[k]
		if sf == nil {
			sf = &sigmaFile{file: sigma.Parse(d.Body)}
			files[k] = sf
			order = append(order, k)
		}
		sf.docs = append(sf.docs, r)
	}
	// Compile detection rules, then correlations (which reference rules by
	// id or name anywhere in the set).
	byRef := map[string]any{}
	type pending struct {
		r     *Rule
		sr    *sigma.Rule
		lines *source.LineTable
	}
	var corrs, filters []pending
	copt := &sigmaeval.Options{Placeholders: opt.Placeholders, Router: opt.Router}
	for _, k := range order {
		sf := files[k]
		rules := sf.file.Rules
		for i, r := range sf.docs {
			if len(rules) == 0 {
				r.Why = "the rule file does not parse: " + firstError(sf.file.Diagnostics)
				continue
			}
			if len(rules) != len(sf.docs) {
				r.Why = "the rule file does not read as it did when the document was made"
				continue
			}
			sr := rules[i]
			switch sr.Kind {
			case sigma.KindDetection:
				r.Sigma = sigmaeval.Compile(sr, sf.file.Lines, copt)
				r.Diagnostics = r.Sigma.Diagnostics
				if !r.Sigma.Runnable() {
					r.Why = "the rule cannot run: " + firstError(r.Sigma.Diagnostics)
				}
				addRef(byRef, sr, r.Sigma)
			case sigma.KindCorrelation:
				corrs = append(corrs, pending{r, sr, sf.file.Lines})
			default:
				filters = append(filters, pending{r, sr, sf.file.Lines})
			}
		}
	}
	// Filters narrow the detection rules they name (or, with rules: any,
	// every rule of their logsource), as pySigma applies them.
	for _, p := range filters {
		f := sigmaeval.CompileFilter(p.sr, p.lines, copt)
		p.r.Diagnostics = f.Diagnostics
		if !f.Runnable() {
			p.r.Why = "the filter cannot run: " + firstError(f.Diagnostics)
			continue
		}
		refs, everyRule := sigmaeval.FilterRefs(p.sr)
		var targets []*sigmaeval.Rule
		if everyRule {
			for _, r := range set.Rules {
				if r.Sigma != nil {
					targets = append(targets, r.Sigma)
				}
			}
		}
		for _, ref := range refs {
			if t, ok := byRef[ref].(*sigmaeval.Rule); ok {
				targets = append(targets, t)
			}
		}
		n := 0
		seen := map[*sigmaeval.Rule]bool{}
		for _, t := range targets {
			if !seen[t] && t.Runnable() && sigmaeval.FilterApplies(p.sr, t.Source) {
				seen[t] = true
				t.AddFilter(f)
				n++
			}
		}
		p.r.Why = fmt.Sprintf("a Sigma filter does not run on its own: it narrows %d rule(s) of this run", n)
	}
	// Correlations may reference correlations: compile in dependency order
	// by resolving lazily.
	compiled := map[*sigma.Rule]*sigmaeval.Correlation{}
	corrBy := map[string]pending{}
	for _, p := range corrs {
		if p.sr.ID != "" {
			corrBy[p.sr.ID] = p
		}
		if p.sr.Name != "" {
			corrBy[p.sr.Name] = p
		}
	}
	visiting := map[*sigma.Rule]bool{}
	var compile func(p pending) *sigmaeval.Correlation
	compile = func(p pending) *sigmaeval.Correlation {
		if c, ok := compiled[p.sr]; ok {
			return c
		}
		visiting[p.sr] = true
		c := sigmaeval.CompileCorrelation(p.sr, p.lines, func(ref string) any {
			if x, ok := byRef[ref]; ok {
				return x
			}
			if q, ok := corrBy[ref]; ok && !visiting[q.sr] {
				return compile(q)
			}
			return nil
		})
		visiting[p.sr] = false
		compiled[p.sr] = c
		return c
	}
	for _, p := range corrs {
		c := compile(p)
		p.r.Correlation = c
		p.r.Diagnostics = c.Diagnostics
		if !c.Runnable() {
			p.r.Why = "the correlation cannot run: " + firstError(c.Diagnostics)
		}
	}
	return set
}

// emptyTables is the catalog Kusto queries are checked against: the
// adapted tables (SecurityEvent, Event, the Defender XDR tables, ...) with no
// rows; a checked query then runs on each data set's tables (RunOn).
var emptyTables = tables.NewCatalog()

// kustoCheckTime is the replay time of the check (runs use the data's).
var kustoCheckTime = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// compileKusto checks a Kusto rule's query against the adapted tables.
func compileKusto(r *Rule) {
	if strings.TrimSpace(r.Doc.Query) == "" {
		r.Why = "the rule has no query"
		return
	}
	q, diags := engine.Compile(r.Doc.Query, engine.Options{Catalog: emptyTables, Now: kustoCheckTime})
	if q == nil {
		msg := "the query does not compile"
		if len(diags) > 0 {
			d := diags[len(diags)-1]
			msg = fmt.Sprintf("the query cannot run: %s [%s]", d.Message, d.Code)
		}
		r.Why = msg
		r.Diagnostics = diags
		return
	}
	r.Kusto = q
	r.Diagnostics = q.Warnings
}

func addRef(byRef map[string]any, sr *sigma.Rule, r *sigmaeval.Rule) {
	if sr.ID != "" {
		byRef[sr.ID] = r
	}
	if sr.Name != "" {
		byRef[sr.Name] = r
	}
}

func firstError(ds []source.Diagnostic) string {
	for _, d := range ds {
		if d.Severity == source.Error {
			return d.Message
		}
	}
	if len(ds) > 0 {
		return ds[0].Message
	}
	return "unknown problem"
}

// Runnable returns the rules that can run, in set order.
func (s *Set) Runnable() []*Rule {
	var out []*Rule
	for _, r := range s.Rules {
		if r.Runnable() {
			out = append(out, r)
		}
	}
	return out
}

// positiveTests returns the rule's positive tests: event files that must
// make it fire, as absolute paths with their names relative to the root.
func (r *Rule) positiveTests() []dataset {
	var out []dataset
	seen := map[string]bool{}
	for _, t := range r.Doc.Tests {
		if t.Expect != "match" || t.Path == "" || seen[t.Path] {
			continue
		}
		seen[t.Path] = true
		out = append(out, dataset{Name: t.Path, Path: filepath.Join(r.Root, filepath.FromSlash(t.Path))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
