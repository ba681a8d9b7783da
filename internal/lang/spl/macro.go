package spl

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/detwiki/detwiki/internal/source"
)

// Limits of macro expansion: how deep macros may nest and how long an
// expanded search may grow.
const (
	MaxMacroDepth  = 20
	MaxExpandedLen = 1 << 20
	MaxMacroCalls  = 10000
)

// Macro is a search macro: a named piece of SPL, optionally with named
// arguments that its definition uses as $name$.
type Macro struct {
	Name       string
	Args       []string
	Definition string
	// Source says where the macro comes from: a file path, or the app that
	// ships it for macros security_content uses but does not define.
	Source string
	// Description is the macro's own description, when it has one.
	Description string
}

// Key is the name Splunk files the macro under: name, or name(n) for a
// macro with n arguments.
func (m *Macro) Key() string { return MacroKey(m.Name, len(m.Args)) }

// MacroKey returns name for nargs == 0 and name(nargs) otherwise.
func MacroKey(name string, nargs int) string {
	if nargs == 0 {
		return name
	}
	return name + "(" + strconv.Itoa(nargs) + ")"
}

// Macros is a set of macros. It is safe for concurrent reads once built.
type Macros struct {
	byKey   map[string]*Macro
	arities map[string][]int
}

// NewMacros returns an empty set.
func NewMacros() *Macros {
	return &Macros{byKey: map[string]*Macro{}, arities: map[string][]int{}}
}

// Add adds m, replacing a macro with the same key.
func (ms *Macros) Add(m *Macro) {
	k := m.Key()
	if _, ok := ms.byKey[k]; !ok {
		ms.arities[m.Name] = append(ms.arities[m.Name], len(m.Args))
	}
	ms.byKey[k] = m
}

// Lookup returns the macro called name with nargs arguments, or nil.
func (ms *Macros) Lookup(name string, nargs int) *Macro {
	if ms == nil {
		return nil
	}
	return ms.byKey[MacroKey(name, nargs)]
}

// Len is the number of macros.
func (ms *Macros) Len() int {
	if ms == nil {
		return 0
	}
	return len(ms.byKey)
}

// ExpandOptions tune Expand.
type ExpandOptions struct {
	// Fallback is asked for a macro the set does not have; it may supply one
	// (security_content's per-detection <name>_filter macros, macros Splunk
	// apps ship). A nil result leaves the call unexpanded, with a
	// diagnostic.
	Fallback func(name string, nargs int) *Macro
}

// MacroUse is one macro call met while expanding.
type MacroUse struct {
	// Call is the call as written, with its backticks.
	Call string
	Name string
	Args []string
	// Macro is the macro that was expanded; nil when the call was left as
	// written (unknown macro, wrong arguments, recursion).
	Macro *Macro
	// Depth is 0 for a call written in the search itself, 1 for a call in
	// the definition of such a macro, and so on; Parent is the index of the
	// use whose definition holds the call (-1 at depth 0).
	Depth  int
	Parent int
	// Pos and End place the call in the source search; a nested call has
	// the span of the depth-0 call it comes from.
	Pos, End source.Pos
	// ExpPos and ExpEnd place the expansion (or the call left as written) in
	// the expanded text.
	ExpPos, ExpEnd source.Pos
}

// Expansion is a search with its macros expanded, and the map back to the
// source.
type Expansion struct {
	Source string
	Text   string
	Uses   []MacroUse
	// Errors are the expansion problems, at positions of Source.
	Errors ErrorList
	segs   []segment
}

// segment maps a piece of the expanded text to the source: copied text maps
// byte for byte, an expansion maps to its call.
type segment struct {
	exp, n   int
	src      int
	srcEnd   int
	expanded bool
}

// SourcePos maps an offset of the expanded text to the source: inside text
// copied from the source, to the same character; inside an expansion, to the
// start of the macro call.
func (e *Expansion) SourcePos(p source.Pos) source.Pos {
	if len(e.segs) == 0 || p < 0 {
		return p
	}
	i := sort.Search(len(e.segs), func(i int) bool { return e.segs[i].exp+e.segs[i].n > int(p) }) // first segment ending after p
	if i == len(e.segs) {
		return source.Pos(len(e.Source))
	}
	s := e.segs[i]
	if int(p) < s.exp {
		return source.Pos(s.src)
	}
	if s.expanded {
		return source.Pos(s.src)
	}
	return source.Pos(s.src + int(p) - s.exp)
}

// SourceSpan maps a span of the expanded text to the source; a span inside
// one expansion maps to the whole macro call.
func (e *Expansion) SourceSpan(pos, end source.Pos) (source.Pos, source.Pos) {
	a := e.SourcePos(pos)
	if end <= pos {
		return a, a
	}
	b := e.SourcePos(end - 1)
	if i := e.segAt(end - 1); i >= 0 && e.segs[i].expanded {
		return a, source.Pos(e.segs[i].srcEnd)
	}
	return a, b + 1
}

func (e *Expansion) segAt(p source.Pos) int {
	i := sort.Search(len(e.segs), func(i int) bool { return e.segs[i].exp+e.segs[i].n > int(p) })
	if i == len(e.segs) || int(p) < e.segs[i].exp {
		return -1
	}
	return i
}

// UseAt returns the depth-0 macro call whose expansion holds the expanded
// text at p, or nil.
func (e *Expansion) UseAt(p source.Pos) *MacroUse {
	for i := range e.Uses {
		u := &e.Uses[i]
		if u.Depth == 0 && u.Macro != nil && p >= u.ExpPos && p < u.ExpEnd {
			return u
		}
	}
	return nil
}

// Expand expands the macro calls of src (`name` and `name(arg, ...)`, with
// positional or name=value arguments and $arg$ substitution in the
// definition) recursively, as Splunk does before it parses a search. Calls
// inside "quoted strings" and ```comments``` are left alone. A macro it cannot
// expand stays in the text as written and is reported in Errors.
func Expand(src string, macros *Macros, opt ExpandOptions) *Expansion {
	x := &expander{macros: macros, opt: opt, exp: &Expansion{Source: src}}
	x.b.Grow(len(src) + len(src)/2)
	x.expand(src, 0, -1, nil, 0, 0)
	x.exp.Text = x.b.String()
	x.exp.Errors.Sort()
	return x.exp
}

type expander struct {
	macros  *Macros
	opt     ExpandOptions
	exp     *Expansion
	b       strings.Builder
	tooBig  bool
	tooDeep bool
}

func (x *expander) errorf(pos, end int, code, format string, args ...any) {
	x.exp.Errors = append(x.exp.Errors, &Error{Pos: source.Pos(pos), End: source.Pos(end), Code: code, Msg: fmt.Sprintf(format, args...)})
}

// copySeg writes text copied from the source (depth 0 only records it).
func (x *expander) copyText(s string, depth, srcOff int) {
	if s == "" {
		return
	}
	if depth == 0 {
		x.exp.segs = append(x.exp.segs, segment{exp: x.b.Len(), n: len(s), src: srcOff})
	}
	x.b.WriteString(s)
}

// expand writes text with its macros expanded. At depth 0 text is the
// source; deeper, it is a definition, and [callPos, callEnd) is the depth-0
// call it comes from.
func (x *expander) expand(text string, depth, parent int, stack []string, callPos, callEnd int) {
	i, last := 0, 0
	for i < len(text) {
		j := strings.IndexAny(text[i:], "\"`\\")
		if j < 0 {
			break
		}
		i += j
		switch text[i] {
		case '\\':
			i += 2
			continue
		case '"':
			i = skipString(text, i)
			continue
		}
		if strings.HasPrefix(text[i:], "```") {
			end := strings.Index(text[i+3:], "```")
			if end < 0 {
				i = len(text)
			} else {
				i += 3 + end + 3
			}
			continue
		}
		// A macro call.
		end := strings.IndexByte(text[i+1:], '`')
		if end < 0 {
			pos, e := i, len(text)
			if depth > 0 {
				pos, e = callPos, callEnd
			}
			x.errorf(pos, e, CodeMacroSyntax, "macro call not terminated: ` without a closing `")
			i = len(text)
			break
		}
		callStart, callStop := i, i+1+end+1
		x.copyText(text[last:callStart], depth, last)
		x.call(text[callStart:callStop], depth, parent, stack, callStart, callStop, callPos, callEnd)
		i, last = callStop, callStop
	}
	x.copyText(text[last:], depth, last)
}

// skipString returns the offset after the double-quoted string starting at i.
func skipString(s string, i int) int {
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(s)
}

// call expands one call (with its backticks) found in a text at [at, atEnd).
func (x *expander) call(call string, depth, parent int, stack []string, at, atEnd, callPos, callEnd int) {
	if depth == 0 {
		callPos, callEnd = at, atEnd
	}
	if len(x.exp.Uses) >= MaxMacroCalls {
		if !x.tooBig {
			x.tooBig = true
			x.errorf(callPos, callEnd, CodeMacroTooLarge, "more than %d macro calls; the rest are left unexpanded", MaxMacroCalls)
		}
		x.writeCall(call, depth, at, callPos, callEnd)
		return
	}
	use := MacroUse{Call: call, Depth: depth, Parent: parent, Pos: source.Pos(callPos), End: source.Pos(callEnd), ExpPos: source.Pos(x.b.Len())}
	idx := len(x.exp.Uses)
	x.exp.Uses = append(x.exp.Uses, use)
	where := ""
	if depth > 0 {
		where = " (in the expansion of " + x.exp.Uses[x.root(idx)].Call + ")"
	}
	leave := func() {
		x.writeCall(call, depth, at, callPos, callEnd)
		x.exp.Uses[idx].ExpEnd = source.Pos(x.b.Len())
	}
	name, args, ok := splitCall(call[1 : len(call)-1])
	x.exp.Uses[idx].Name, x.exp.Uses[idx].Args = name, args
	if !ok {
		x.errorf(callPos, callEnd, CodeMacroSyntax, "malformed macro call %s%s", clip(call), where)
		leave()
		return
	}
	m := x.macros.Lookup(name, len(args))
	if m == nil && x.opt.Fallback != nil {
		m = x.opt.Fallback(name, len(args))
	}
	if m == nil {
		var ar []int
		if x.macros != nil {
			ar = x.macros.arities[name]
		}
		if len(ar) > 0 {
			x.errorf(callPos, callEnd, CodeMacroArgs, "macro `%s` takes %s, called with %d%s", name, arityText(ar), len(args), where)
		} else {
			x.errorf(callPos, callEnd, CodeMacroUnknown, "macro `%s` is not defined (%d arguments)%s", name, len(args), where)
		}
		leave()
		return
	}
	key := m.Key()
	if slices.Contains(stack, key) {
		x.errorf(callPos, callEnd, CodeMacroCycle, "macro `%s` expands to itself%s", name, where)
		leave()
		return
	}
	if depth >= MaxMacroDepth || x.tooBig {
		if !x.tooBig && !x.tooDeep {
			x.tooDeep = true
			x.errorf(callPos, callEnd, CodeMacroTooLarge, "macros nested deeper than %d levels%s", MaxMacroDepth, where)
		}
		leave()
		return
	}
	def := substitute(m, args)
	if x.b.Len()+len(def) > MaxExpandedLen {
		x.tooBig = true
		x.errorf(callPos, callEnd, CodeMacroTooLarge, "expanded search longer than %d bytes%s", MaxExpandedLen, where)
		leave()
		return
	}
	x.exp.Uses[idx].Macro = m
	start := x.b.Len()
	x.expand(def, depth+1, idx, append(stack, key), callPos, callEnd)
	if depth == 0 {
		x.exp.segs = append(x.exp.segs, segment{exp: start, n: x.b.Len() - start, src: callPos, srcEnd: callEnd, expanded: true})
	}
	x.exp.Uses[idx].ExpEnd = source.Pos(x.b.Len())
}

func (x *expander) root(i int) int {
	for x.exp.Uses[i].Parent >= 0 {
		i = x.exp.Uses[i].Parent
	}
	return i
}

// writeCall writes a call left unexpanded.
func (x *expander) writeCall(call string, depth, at, callPos, callEnd int) {
	if depth == 0 {
		x.copyText(call, 0, at)
		return
	}
	x.b.WriteString(call)
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

func arityText(ar []int) string {
	ar = slices.Clone(ar)
	slices.Sort(ar)
	parts := make([]string, len(ar))
	for i, n := range ar {
		parts[i] = strconv.Itoa(n)
	}
	s := strings.Join(parts, " or ")
	if len(ar) == 1 && ar[0] == 1 {
		return s + " argument"
	}
	return s + " arguments"
}

// splitCall splits the inside of a macro call into its name and arguments.
func splitCall(s string) (name string, args []string, ok bool) {
	s = strings.TrimSpace(s)
	open := strings.IndexByte(s, '(')
	if open < 0 {
		return s, nil, validMacroName(s)
	}
	name = strings.TrimSpace(s[:open])
	if !strings.HasSuffix(s, ")") || !validMacroName(name) {
		return name, nil, false
	}
	inner := s[open+1 : len(s)-1]
	if strings.TrimSpace(inner) == "" {
		return name, nil, true
	}
	depth, start := 0, 0
	for i := 0; i < len(inner); i++ {
		switch inner[i] {
		case '\\':
			i++
		case '"':
			i = skipString(inner, i) - 1
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				args = append(args, strings.TrimSpace(inner[start:i]))
				start = i + 1
			}
		}
	}
	args = append(args, strings.TrimSpace(inner[start:]))
	return name, args, true
}

func validMacroName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isLetter(c) && !isDigit(c) && c != '-' && c != '.' && c != ':' {
			return false
		}
	}
	return true
}

// substitute returns m's definition with its $arg$ placeholders replaced by
// args: by name when every argument is written name=value with m's argument
// names, else by position.
func substitute(m *Macro, args []string) string {
	if len(m.Args) == 0 || strings.IndexByte(m.Definition, '$') < 0 {
		return m.Definition
	}
	values := make(map[string]string, len(m.Args))
	named := true
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		k = strings.TrimSpace(k)
		if !ok || !slices.Contains(m.Args, k) {
			named = false
			break
		}
		values[k] = strings.TrimSpace(v)
	}
	if !named || len(values) != len(m.Args) {
		clear(values)
		for i, name := range m.Args {
			if i < len(args) {
				values[name] = args[i]
			}
		}
	}
	def := m.Definition
	var b strings.Builder
	for {
		i := strings.IndexByte(def, '$')
		if i < 0 {
			b.WriteString(def)
			break
		}
		j := strings.IndexByte(def[i+1:], '$')
		if j < 0 {
			b.WriteString(def)
			break
		}
		name := def[i+1 : i+1+j]
		if v, ok := values[name]; ok {
			b.WriteString(def[:i])
			b.WriteString(v)
			def = def[i+1+j+1:]
			continue
		}
		b.WriteString(def[:i+1])
		def = def[i+1:]
	}
	return b.String()
}
