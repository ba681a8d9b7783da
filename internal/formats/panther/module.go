package panther

import (
	"strings"

	"github.com/detwiki/detwiki/internal/lang/python"
	"github.com/detwiki/detwiki/internal/rule"
)

// module is a parsed Python file: a rule's, a data model's or a global
// helper module.
type module struct {
	name string
	path string // relative to the source folder
	src  string
	mod  *python.Module
	errs python.ErrorList
	// funcs are the module-level functions by name.
	funcs map[string]*python.FunctionDef
	// names is the module scope: constants, imports, functions.
	names map[string]sym
	// summaries say what each function checks (helpers only).
	summaries map[string]*summary
	building  map[string]bool
	scoped    bool
	// frozen is set once the corpus is built: the module is then read
	// concurrently and never written.
	frozen bool
}

// summary is what a function checks when it returns a true value: its
// predicates (negated ones must not hold), and a readable list.
type summary struct {
	preds  []rule.Predicate
	checks string
	doc    string
}

func newModule(name, rel, src string) *module {
	mod, errs := python.Parse(src)
	m := &module{name: name, path: rel, src: src, mod: mod, errs: errs,
		funcs: map[string]*python.FunctionDef{}, summaries: map[string]*summary{}, building: map[string]bool{}}
	for _, s := range mod.Body {
		if f, ok := s.(*python.FunctionDef); ok {
			m.funcs[f.Name.Name] = f
		}
	}
	return m
}

// scope builds the module scope once: imports of global helpers (whole
// modules, functions, constants), constants (strings, numbers, lists, sets,
// tuples, compiled regular expressions) and functions.
func (m *module) scope(c *corpus) map[string]sym {
	if m.scoped {
		return m.names
	}
	m.scoped = true
	m.names = map[string]sym{}
	for _, s := range m.mod.Body {
		switch s := s.(type) {
		case *python.Import:
			for _, a := range s.Names {
				local := a.AsName
				if local == "" {
					local = strings.Split(a.Name, ".")[0]
				}
				if h := c.helpers[a.Name]; h != nil && h != m {
					m.names[local] = sym{kind: symModule, mod: h}
				} else {
					m.names[local] = sym{kind: symStdlib, name: a.Name}
				}
			}
		case *python.ImportFrom:
			h := c.helpers[s.Module]
			for _, a := range s.Names {
				local := a.AsName
				if local == "" {
					local = a.Name
				}
				switch {
				case h != nil && h != m && h.funcs[a.Name] != nil:
					m.names[local] = sym{kind: symFunc, mod: h, fn: h.funcs[a.Name], name: a.Name}
				case h != nil && h != m:
					h.scope(c)
					if v, ok := h.names[a.Name]; ok && v.kind != symModule {
						m.names[local] = v
					}
				default:
					m.names[local] = sym{kind: symStdlib, name: s.Module + "." + a.Name}
				}
			}
		case *python.FunctionDef:
			m.names[s.Name.Name] = sym{kind: symFunc, mod: m, fn: s, name: s.Name.Name}
		case *python.Assign:
			if len(s.Targets) != 1 {
				continue
			}
			if n, ok := s.Targets[0].(*python.Name); ok {
				a := &analyzer{c: c, m: m}
				v := a.eval(s.Value, nil)
				if v.kind == symConst || v.kind == symRegex {
					v.name = n.Name
					v.node = s.Value
					m.names[n.Name] = v
				}
			}
		case *python.AnnAssign:
			if n, ok := s.Target.(*python.Name); ok && s.Value != nil {
				a := &analyzer{c: c, m: m}
				v := a.eval(s.Value, nil)
				if v.kind == symConst || v.kind == symRegex {
					v.name = n.Name
					v.node = s.Value
					m.names[n.Name] = v
				}
			}
		}
	}
	return m.names
}

// summarizeAll computes the summary of every function of a helper module
// whose first parameter can be the event.
func (m *module) summarizeAll(c *corpus) {
	m.scope(c)
	for _, name := range sortedKeys(m.funcs) {
		m.summary(c, name)
	}
}

// summary returns what the function checks when called with the event as
// its first argument (nil for functions without parameters, and while a
// recursive call is being summarised).
func (m *module) summary(c *corpus, name string) *summary {
	if s, ok := m.summaries[name]; ok || m.frozen {
		return s
	}
	f := m.funcs[name]
	if f == nil || len(f.Params) == 0 {
		m.summaries[name] = nil
		return nil
	}
	if m.building[name] {
		return nil
	}
	m.building[name] = true
	a := &analyzer{c: c, m: m, summarizing: true}
	sc := newScope(nil)
	sc.vars[f.Params[0].Name] = sym{kind: symEvent}
	a.body(f.Body, sc)
	s := &summary{doc: docstring(f)}
	for _, st := range a.stages {
		s.preds = append(s.preds, st.Predicates...)
	}
	s.checks = describe(s.preds)
	delete(m.building, name)
	m.summaries[name] = s
	return s
}

// returnedField is the event field a data-model method returns, when all
// its return statements return the same one.
func (m *module) returnedField(c *corpus, method string) string {
	m.scope(c)
	target := m.names[method]
	f, fm := target.fn, target.mod
	if target.kind != symFunc || f == nil || len(f.Params) == 0 {
		return ""
	}
	a := &analyzer{c: c, m: fm}
	sc := newScope(nil)
	sc.vars[f.Params[0].Name] = sym{kind: symEvent}
	field := ""
	ok := true
	var walk func(list []python.Stmt)
	walk = func(list []python.Stmt) {
		for _, s := range list {
			switch s := s.(type) {
			case *python.Assign:
				a.assign(s, sc)
			case *python.Return:
				if s.Value == nil || isFalsy(s.Value) {
					continue
				}
				v := a.eval(s.Value, sc)
				if v.kind != symField || field != "" && v.field != field {
					ok = false
					continue
				}
				field = v.field
			case *python.If:
				walk(s.Body)
				walk(s.Else)
			case *python.Try:
				walk(s.Body)
			}
		}
	}
	walk(f.Body)
	if !ok {
		return ""
	}
	return field
}

// docstring returns the first line of a function's docstring.
func docstring(f *python.FunctionDef) string {
	if len(f.Body) == 0 {
		return ""
	}
	if e, ok := f.Body[0].(*python.ExprStmt); ok {
		if s, ok := e.X.(*python.Str); ok {
			line, _, _ := strings.Cut(strings.TrimSpace(s.Value), "\n")
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// describe renders predicates for a reader: "errorCode is empty; eventName
// in [DeleteTrail, StopLogging]".
func describe(preds []rule.Predicate) string {
	var parts []string
	for _, p := range preds {
		s := phrase(p)
		if !contains(parts, s) {
			parts = append(parts, s)
		}
		if len(parts) == 8 {
			parts = append(parts, "...")
			break
		}
	}
	return strings.Join(parts, "; ")
}

func phrase(p rule.Predicate) string {
	vals := strings.Join(p.Values, ", ")
	if len(p.Values) > 1 {
		vals = "[" + vals + "]"
	}
	kind := p.Kind
	neg := p.Negated
	switch {
	case kind == rule.KindIsNotNull && neg:
		return p.Field + " is empty"
	case kind == rule.KindIsNull && neg:
		return p.Field + " is set"
	case kind == rule.KindIsNotNull:
		return p.Field + " is set"
	case kind == rule.KindIsNull:
		return p.Field + " is empty"
	}
	op := map[string]string{rule.KindEq: "=", rule.KindNe: "!=", rule.KindIn: "in", rule.KindContains: "contains",
		rule.KindStartsWith: "starts with", rule.KindEndsWith: "ends with", rule.KindRegex: "matches",
		rule.KindMatch: "matches", rule.KindGt: ">", rule.KindGe: ">=", rule.KindLt: "<", rule.KindLe: "<=",
		rule.KindCIDR: "in network"}[kind]
	if op == "" {
		op = kind
	}
	s := p.Field + " " + op + " " + vals
	if neg {
		return "not (" + s + ")"
	}
	return s
}
