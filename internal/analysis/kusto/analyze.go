package kusto

import (
	"fmt"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/detwiki/detwiki/internal/lang/kql"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// Diagnostic codes of the analysis.
const (
	// CodeInternal: the analysis failed on this query (a detwiki bug); what
	// was filled before the failure is kept.
	CodeInternal = "KQL3001"
	// CodeTooDeep: a filter nests deeper than the analysis follows; the
	// predicates below that depth are left out.
	CodeTooDeep = "KQL3002"
)

// maxExprDepth bounds how deep the analysis follows an expression (the
// parser bounds nesting, but a chain of and/or is as deep as it is long).
const maxExprDepth = 400

// maxPipelineDepth bounds nested sub-queries (a join inside a union inside
// a toscalar ...) and binding chains.
const maxPipelineDepth = 64

// MainPipeline names the pipeline of the query's result.
const MainPipeline = "main"

// Analyze fills d.Analysis from script, the syntax tree of d.Query:
// parameters, bindings, stages with their predicates, indicators,
// exclusions, outputs (query outputs first, then the columns the reader
// recorded from entityMappings and customDetails) and tables; d.GroupBy and
// d.TimeWindow when the reader left them empty; d.ThirdPartyFeed. It
// replaces parameters, bindings, stages, indicators and exclusions, and
// keeps the reader's tables, events and diagnostics. It never panics: an
// internal error becomes a KQL3001 diagnostic.
func Analyze(d *rule.Document, script *kql.Script) {
	if d == nil || script == nil {
		return
	}
	an := &analyzer{src: d.Query, d: d, a: &d.Analysis, top: &scope{}, subNames: map[string]int{}}
	defer func() {
		if p := recover(); p != nil {
			an.diag(source.Diagnostic{Code: CodeInternal, Severity: source.Error, Line: 1, Col: 1,
				Message: fmt.Sprintf("internal error in the KQL analysis (a detwiki bug): %v\n%s", p, firstLines(string(debug.Stack()), 12))})
		}
	}()
	an.run(script)
}

// scope holds the names a part of the query can see.
type scope struct {
	parent *scope
	syms   map[string]*symbol
}

func (s *scope) declare(sym *symbol) {
	if s.syms == nil {
		s.syms = map[string]*symbol{}
	}
	s.syms[sym.name] = sym
}

type symKind uint8

const (
	symParam   symKind = iota + 1 // a scalar let
	symBinding                    // a tabular let, materialize, view or function
	symArg                        // a parameter of a function
)

// symbol is a name declared by a let (or a function's parameter).
type symbol struct {
	kind  symKind
	name  string
	order int
	value kql.Expr
	// konst is set when the symbol has constant values (a scalar, a list, a
	// single-column datatable); values are their texts, scalars the folded
	// scalar when there is exactly one.
	konst   bool
	values  []string
	scalars []scalar
	// state is a binding's result columns; tabular is set for bindings
	// whose value is a table (not a scalar function or toscalar).
	state   *colState
	tabular bool
}

// analyzer holds one document's analysis.
type analyzer struct {
	src   string
	d     *rule.Document
	a     *rule.Analysis
	lines *source.LineTable
	top   *scope
	cur   *scope
	order int

	stages   []rule.Stage
	subNames map[string]int
	windows  []time.Duration
	groupBy  []string
	mainCols *colState
	deep     bool // a filter was too deep (reported once)
}

func (an *analyzer) diag(x source.Diagnostic) {
	if an.lines != nil && x.Line > 0 {
		x = x.Relocate(an.d.Source.Path, an.d.QueryOrigin)
	}
	an.d.Diagnose(x)
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// lookup resolves a name in the current scope chain.
func (an *analyzer) lookup(name string) *symbol {
	for s := an.cur; s != nil; s = s.parent {
		if sym, ok := s.syms[name]; ok {
			return sym
		}
	}
	return nil
}

func (an *analyzer) run(script *kql.Script) {
	an.lines = source.NewLineTable("", an.src)
	an.cur = an.top
	a := an.a
	a.Parameters, a.Bindings, a.Stages, a.Indicators, a.Exclusions = nil, nil, nil, nil, nil
	readerOutputs := a.Outputs
	a.Outputs = nil

	var queries []*kql.QueryStmt
	for _, st := range script.Statements {
		if q, ok := st.(*kql.QueryStmt); ok && q.X != nil {
			queries = append(queries, q)
		}
	}
	nq := 0
	for _, st := range script.Statements {
		switch s := st.(type) {
		case *kql.LetStmt:
			an.let(s, 0)
		case *kql.QueryStmt:
			if s.X == nil {
				continue
			}
			nq++
			name := MainPipeline
			if nq < len(queries) {
				name = "query-" + strconv.Itoa(nq)
			}
			st, stages := an.pipeline(name, s.X, 0)
			an.stages = append(an.stages, stages...)
			if name == MainPipeline {
				an.mainCols = st
			}
		}
	}
	a.Stages = an.stages
	for i := range a.Stages {
		a.Stages[i].N = i + 1
	}
	for _, st := range a.Stages {
		for _, p := range st.Predicates {
			a.AddPredicate(p)
		}
	}
	if an.mainCols != nil {
		for _, c := range an.mainCols.cols {
			a.AddOutput(c.name, c.source)
		}
	}
	for _, o := range readerOutputs {
		if !isQueryOutputSource(o.Source) {
			a.AddOutput(o.Field, o.Source)
		}
	}
	if len(an.d.GroupBy) == 0 && len(an.groupBy) > 0 {
		an.d.GroupBy = an.groupBy
	}
	if an.d.TimeWindow == "" && len(an.windows) > 0 {
		an.d.TimeWindow = formatDuration(slices.Max(an.windows))
	}
	an.d.ThirdPartyFeed = isThirdPartyFeed(an.d)
}

// isQueryOutputSource reports the output sources the analysis itself gives
// (so analysing a document twice does not keep stale query outputs).
func isQueryOutputSource(s string) bool {
	switch s {
	case "project", "project-rename", "project-by-names", "extend", "serialize", "summarize", "make-series",
		"parse", "parse-where", "parse-kv", "distinct", "count", "mv-expand", "print", "range",
		"datatable", "externaldata", "getschema":
		return true
	}
	return false
}

// ---------------------------------------------------------------------------
// let statements

// let declares a let statement's name: a parameter (scalar), or a binding
// (tabular, materialize, view, function, or a scalar computed by toscalar).
func (an *analyzer) let(l *kql.LetStmt, depth int) {
	if l == nil || l.Name == nil || l.Value == nil {
		return
	}
	name := l.Name.Name
	an.order++
	sym := &symbol{name: name, order: an.order, value: l.Value}
	text := an.stmtText(l)
	switch v := l.Value.(type) {
	case *kql.LambdaExpr:
		sym.kind = symBinding
		sym.tabular = v.Body != nil && v.Body.Result != nil && kql.IsTabular(v.Body.Result)
		derived := an.derivedFrom(l.Value)
		an.cur.declare(sym) // functions may call themselves
		an.a.Bindings = append(an.a.Bindings, rule.Binding{Name: name, Text: text, DerivedFrom: derived})
		sym.state, sym.tabular = an.lambda(name, v, depth)
		return
	case *kql.MaterializeExpr:
		sym.kind, sym.tabular = symBinding, true
		derived := an.derivedFrom(l.Value)
		an.a.Bindings = append(an.a.Bindings, rule.Binding{Name: name, Text: text, DerivedFrom: derived})
		st, stages := an.pipeline(name, v.X, depth+1)
		an.stages = append(an.stages, stages...)
		sym.state = st
		an.cur.declare(sym)
		return
	}
	if kql.IsTabular(l.Value) || an.isBindingRef(l.Value) {
		sym.kind, sym.tabular = symBinding, true
		derived := an.derivedFrom(l.Value)
		an.a.Bindings = append(an.a.Bindings, rule.Binding{Name: name, Text: text, DerivedFrom: derived})
		st, stages := an.pipeline(name, l.Value, depth+1)
		an.stages = append(an.stages, stages...)
		sym.state = st
		if dt, ok := unparen(l.Value).(*kql.DataTableExpr); ok && dt.Schema != nil && len(dt.Schema.Columns) == 1 {
			if vals, ok := an.constList(&kql.ListExpr{Elems: dt.Values}, 0); ok {
				sym.konst, sym.values = true, vals
			}
		}
		an.cur.declare(sym)
		return
	}
	if subs := tabularParts(l.Value); len(subs) > 0 {
		// A scalar computed from a sub-query (toscalar(T | ...)): a binding,
		// since it names a sub-query with stages of its own.
		sym.kind = symBinding
		derived := an.derivedFrom(l.Value)
		an.a.Bindings = append(an.a.Bindings, rule.Binding{Name: name, Text: text, DerivedFrom: derived})
		for _, sub := range subs {
			_, stages := an.pipeline(name, sub, depth+1)
			an.stages = append(an.stages, stages...)
		}
		an.cur.declare(sym)
		return
	}
	sym.kind = symParam
	p := rule.Parameter{Name: name, Text: text}
	if vals, ok := an.constList(l.Value, 0); ok {
		sym.konst, sym.values = true, vals
		p.Values = vals
		if s, ok := an.fold(l.Value, 0); ok {
			sym.scalars = []scalar{s}
		}
	}
	an.a.Parameters = append(an.a.Parameters, p)
	an.cur.declare(sym)
}

// isBindingRef reports whether x names a binding (let T2 = T1;).
func (an *analyzer) isBindingRef(x kql.Expr) bool {
	switch v := unparen(x).(type) {
	case *kql.Ident:
		s := an.lookup(v.Name)
		return s != nil && s.kind == symBinding && s.tabular
	case *kql.CallExpr:
		if v.Fun == nil {
			return false
		}
		s := an.lookup(v.Fun.Name)
		return s != nil && s.kind == symBinding && s.tabular
	}
	return false
}

// lambda analyses a function or view body in a scope of its own: its
// parameters are arguments (their defaults are their values), its lets are
// declared as parameters and bindings of the rule, and a tabular result
// (a pipeline, or the name of one of its own bindings) becomes the stages
// of pipeline name. It returns the result's columns and whether the result
// is a table.
func (an *analyzer) lambda(name string, l *kql.LambdaExpr, depth int) (*colState, bool) {
	tabular := l.Body != nil && l.Body.Result != nil && kql.IsTabular(l.Body.Result)
	if depth > maxPipelineDepth || l.Body == nil {
		return openState(), tabular
	}
	outer := an.cur
	an.cur = &scope{parent: outer}
	defer func() { an.cur = outer }()
	for _, p := range l.Params {
		if p == nil || p.Name == nil {
			continue
		}
		an.order++
		arg := &symbol{kind: symArg, name: p.Name.Name, order: an.order}
		if p.Default != nil {
			if vals, ok := an.constList(p.Default, 0); ok {
				arg.konst, arg.values = true, vals
			}
		}
		an.cur.declare(arg)
	}
	for _, st := range l.Body.Stmts {
		if ls, ok := st.(*kql.LetStmt); ok {
			an.let(ls, depth+1)
		}
	}
	if l.Body.Result != nil && (tabular || an.isBindingRef(l.Body.Result)) {
		st, stages := an.pipeline(name, l.Body.Result, depth+1)
		an.stages = append(an.stages, stages...)
		return st, true
	}
	if l.Body.Result != nil {
		for _, sub := range tabularParts(l.Body.Result) {
			_, stages := an.pipeline(name, sub, depth+1)
			an.stages = append(an.stages, stages...)
		}
	}
	return openState(), tabular
}

// stmtText returns a let statement's text with its semicolon.
func (an *analyzer) stmtText(l *kql.LetStmt) string {
	end := int(l.End())
	if end > len(an.src) {
		end = len(an.src)
	}
	i := end
	for i < len(an.src) && (an.src[i] == ' ' || an.src[i] == '\t' || an.src[i] == '\r' || an.src[i] == '\n') {
		i++
	}
	if i < len(an.src) && an.src[i] == ';' {
		end = i + 1
	}
	start := int(l.Pos())
	if start < 0 || start > end {
		return ""
	}
	return an.src[start:end]
}

// derivedFrom lists the parameters and bindings an expression names, in
// the order they are declared.
func (an *analyzer) derivedFrom(x kql.Expr) []string {
	var syms []*symbol
	kql.Inspect(x, func(n kql.Node) bool {
		id, ok := n.(*kql.Ident)
		if !ok || id == nil {
			return true
		}
		if s := an.lookup(id.Name); s != nil && s.kind != symArg && !slices.Contains(syms, s) {
			syms = append(syms, s)
		}
		return true
	})
	slices.SortStableFunc(syms, func(a, b *symbol) int { return a.order - b.order })
	out := make([]string, len(syms))
	for i, s := range syms {
		out[i] = s.name
	}
	return out
}

// tabularParts returns the sub-queries inside a scalar expression:
// toscalar(...) arguments and tabular operands of in/has_any, outermost
// first.
func tabularParts(x kql.Expr) []kql.Expr {
	var out []kql.Expr
	kql.Inspect(x, func(n kql.Node) bool {
		switch v := n.(type) {
		case *kql.ToScalarExpr:
			if v.X != nil {
				out = append(out, v.X)
			}
			return false
		case *kql.InExpr:
			if v.List != nil && len(v.List.Elems) == 1 && kql.IsTabular(v.List.Elems[0]) {
				out = append(out, v.List.Elems[0])
				return false
			}
		case *kql.PipeExpr:
			out = append(out, v)
			return false
		}
		return true
	})
	return out
}

func unparen(x kql.Expr) kql.Expr {
	for i := 0; i < maxExprDepth; i++ {
		p, ok := x.(*kql.ParenExpr)
		if !ok || p.X == nil {
			return x
		}
		x = p.X
	}
	return x
}

// ---------------------------------------------------------------------------
// Stages

// line returns the 1-based query line of a position.
func (an *analyzer) line(p source.Pos) int {
	if !p.IsValid() || int(p) > len(an.src) {
		return 0
	}
	return an.lines.Position(p).Line
}

// text returns the source text between two offsets, clamped.
func (an *analyzer) text(from, to source.Pos) string {
	f, t := int(from), int(to)
	if f < 0 {
		f = 0
	}
	if t > len(an.src) {
		t = len(an.src)
	}
	if f > t {
		return ""
	}
	return an.src[f:t]
}

// subName names a sub-query's pipeline: parent/kind, numbered from the
// second one on (main/join, main/join-2).
func (an *analyzer) subName(parent, kind string) string {
	base := parent + "/" + kind
	an.subNames[base]++
	if n := an.subNames[base]; n > 1 {
		return base + "-" + strconv.Itoa(n)
	}
	return base
}

// opRef is one operator of a flattened pipeline with the '|' before it.
type opRef struct {
	op  kql.Operator
	bar source.Pos
}

// flatten turns a tabular expression into a source and its operators,
// continuing into parenthesized pipelines and materialize at the source:
// (T | where a) | where b is T, where a, where b.
func flatten(x kql.Expr, ops []opRef, depth int) (kql.Expr, []opRef) {
	if depth > maxPipelineDepth {
		return x, ops
	}
	switch v := x.(type) {
	case *kql.ParenExpr:
		if v.X != nil && kql.IsTabular(v.X) {
			return flatten(v.X, ops, depth+1)
		}
	case *kql.MaterializeExpr:
		if v.X != nil {
			return flatten(v.X, ops, depth+1)
		}
	case *kql.PipeExpr:
		var mine []opRef
		for i, o := range v.Ops {
			bar := source.Pos(-1)
			if i < len(v.Bars) {
				bar = v.Bars[i]
			}
			mine = append(mine, opRef{op: o, bar: bar})
		}
		src, inner := flatten(v.Source, nil, depth+1)
		return src, append(append(inner, mine...), ops...)
	}
	return x, ops
}

// pipe is the state of one pipeline being analysed.
type pipe struct {
	name   string
	own    []rule.Stage
	after  []rule.Stage // sub-query pipelines, listed after this one
	cols   *colState
	notes  []string
	isMain bool
}

// pipeline analyses a tabular expression as pipeline name and returns its
// result columns and its stages followed by those of its sub-queries.
func (an *analyzer) pipeline(name string, x kql.Expr, depth int) (*colState, []rule.Stage) {
	if x == nil || depth > maxPipelineDepth {
		return openState(), nil
	}
	p := &pipe{name: name, cols: openState(), isMain: name == MainPipeline}
	src, ops := flatten(x, nil, 0)
	an.source(p, src, depth)
	for i, r := range ops {
		an.operator(p, r, i, depth)
	}
	return p.cols, append(p.own, p.after...)
}

// barBefore returns the offset of the '|' before an operator at pos: the
// parser's bar when it is that one, else the '|' found by skipping back
// over white space, else pos (an operator without a bar: a pipeline's
// source, or a comment between the bar and the operator).
func (an *analyzer) barBefore(pos, bar source.Pos) source.Pos {
	if !pos.IsValid() || int(pos) > len(an.src) {
		return pos
	}
	if bar.IsValid() && bar < pos && an.src[bar] == '|' && strings.TrimSpace(an.src[bar+1:pos]) == "" {
		return bar
	}
	i := int(pos) - 1
	for i >= 0 && (an.src[i] == ' ' || an.src[i] == '\t' || an.src[i] == '\n' || an.src[i] == '\r') {
		i--
	}
	if i >= 0 && an.src[i] == '|' {
		return source.Pos(i)
	}
	return pos
}

// addStage appends a stage spanning [from, to) of the query.
func (an *analyzer) addStage(p *pipe, kind string, from, to source.Pos) *rule.Stage {
	p.own = append(p.own, rule.Stage{Kind: kind, Steps: 1, Text: an.text(from, to), Pipeline: p.name, Line: an.line(from)})
	return &p.own[len(p.own)-1]
}

// source analyses a pipeline's source: a table, a binding, a function (an
// ASIM parser), a datatable, or a query operator that starts a pipeline
// (union, search, find, print, range, evaluate).
func (an *analyzer) source(p *pipe, x kql.Expr, depth int) {
	switch v := x.(type) {
	case nil:
		return
	case *kql.BadExpr:
		return
	case kql.Operator:
		an.operator(p, opRef{op: v, bar: -1}, -1, depth)
		return
	case *kql.DataTableExpr:
		an.addStage(p, "datatable", v.Pos(), v.End())
		p.cols = schemaState(v.Schema, "datatable")
		return
	case *kql.ExternalDataExpr:
		an.addStage(p, "externaldata", v.Pos(), v.End())
		p.cols = schemaState(v.Schema, "externaldata")
		return
	}
	an.addStage(p, "source", x.Pos(), x.End())
	p.cols = an.tableRef(p, x, depth)
	if c, ok := x.(*kql.CallExpr); ok && c.Fun != nil && an.lookup(c.Fun.Name) == nil && IsASIMParser(c.Fun.Name) {
		fc := &filter{an: an, p: p, stage: len(p.own) - 1, depth: depth}
		fc.asimParams(c)
		fc.finish()
	}
}

// tableRef resolves a table operand (a pipeline source, a join or lookup
// right side, a union leg that is a name): a binding gives its columns, a
// table or function is recorded in Tables.
func (an *analyzer) tableRef(p *pipe, x kql.Expr, depth int) *colState {
	switch v := x.(type) {
	case *kql.Ident:
		if v.Name == "" {
			return openState()
		}
		if s := an.lookup(v.Name); s != nil {
			if s.state != nil {
				return s.state.clone()
			}
			return openState()
		}
		an.a.AddTable(v.Name)
	case *kql.CallExpr:
		if v.Fun == nil {
			return openState()
		}
		if s := an.lookup(v.Fun.Name); s != nil {
			if s.state != nil {
				return s.state.clone()
			}
			return openState()
		}
		switch strings.ToLower(v.Fun.Name) {
		case "table", "database", "cluster", "workspace", "app", "external_table", "materialized_view":
			if len(v.Args) > 0 {
				if s, ok := an.fold(v.Args[0], 0); ok && s.kind == kindString && strings.ToLower(v.Fun.Name) != "workspace" &&
					strings.ToLower(v.Fun.Name) != "cluster" && strings.ToLower(v.Fun.Name) != "database" && strings.ToLower(v.Fun.Name) != "app" {
					an.a.AddTable(s.text)
				}
			}
			return openState()
		}
		an.a.AddTable(v.Fun.Name)
	case *kql.SelectorExpr:
		// cluster('c').database('d').T, workspace('w').T
		return an.tableRef(p, v.Sel, depth)
	case *kql.ParenExpr:
		if v.X != nil && kql.IsTabular(v.X) {
			return an.subquery(p, "source", v.X, depth)
		}
	}
	return openState()
}

// subquery analyses a sub-query of pipeline p as a pipeline of its own,
// listed after p's stages, and returns its columns.
func (an *analyzer) subquery(p *pipe, kind string, x kql.Expr, depth int) *colState {
	st, stages := an.pipeline(an.subName(p.name, kind), x, depth+1)
	p.after = append(p.after, stages...)
	return st
}

// operator analyses one operator of pipeline p. i is its index among the
// pipeline's operators (-1 for a source operator).
func (an *analyzer) operator(p *pipe, r opRef, i, depth int) {
	o := r.op
	if o == nil {
		return
	}
	from := an.barBefore(o.Pos(), r.bar)
	kind := o.Name()
	if kind == "" {
		return // a missing operator (reported by the parser)
	}
	// Consecutive extends are one stage of several steps.
	if _, ok := o.(*kql.ExtendOp); ok && len(p.own) > 0 && i > 0 {
		last := &p.own[len(p.own)-1]
		if last.Kind == kind {
			last.Steps++
			last.Text += "\n" + an.text(from, o.End())
			an.columns(p, o, depth)
			return
		}
	}
	st := an.addStage(p, kind, from, o.End())
	fc := &filter{an: an, p: p, stage: len(p.own) - 1, depth: depth}
	switch v := o.(type) {
	case *kql.WhereOp:
		fc.walk(v.Pred, false, 0)
	case *kql.ParseOp:
		if v.Kw == kql.PARSE_WHERE {
			fc.parseWhere(v)
		}
	case *kql.JoinOp:
		right, rightName := an.operand(p, "join", v.Right, depth)
		fc.joinKeys(v.Conds, v.Kind(), right, rightName)
		if v.Where != nil {
			fc.joinWhere(v.Where, v.Kind())
		}
		an.columns(p, o, depth)
		p.cols = p.cols.join(right)
		fc.finish()
		return
	case *kql.LookupOp:
		right, rightName := an.operand(p, "lookup", v.Right, depth)
		fc.joinKeys(v.Conds, v.Kind(), right, rightName)
		p.cols = p.cols.join(right)
		fc.finish()
		return
	case *kql.UnionOp:
		var legs []*colState
		if i >= 0 {
			legs = append(legs, p.cols)
		}
		for _, t := range v.Tables {
			switch t := t.(type) {
			case *kql.Ident:
				if t.Wildcard {
					an.a.AddTable(t.Name)
					legs = append(legs, openState())
					continue
				}
				legs = append(legs, an.tableRef(p, t, depth))
			case *kql.ParenExpr, *kql.PipeExpr:
				legs = append(legs, an.subquery(p, "union", t, depth))
			default:
				legs = append(legs, an.tableRef(p, t, depth))
			}
		}
		p.cols = unionStates(legs)
		fc.finish()
		return
	case *kql.SearchOp:
		for _, t := range v.In {
			an.tableRef(p, t, depth)
		}
		fc.search(v.Pred)
	case *kql.FindOp:
		for _, t := range v.In {
			an.tableRef(p, t, depth)
		}
		fc.walk(v.Pred, false, 0)
	case *kql.ScanOp:
		for _, s := range v.Steps {
			if s != nil && s.Cond != nil {
				fc.walk(s.Cond, false, 0)
			}
		}
	case *kql.MvApplyOp:
		if v.Subquery != nil {
			an.subquery(p, "mv-apply", v.Subquery, depth)
		}
	case *kql.PartitionOp:
		if v.Subquery != nil {
			an.subquery(p, "partition", v.Subquery, depth)
		}
	case *kql.ForkOp:
		for _, b := range v.Branches {
			if b != nil && b.Query != nil {
				an.subquery(p, "fork", b.Query, depth)
			}
		}
	case *kql.FacetOp:
		if v.With != nil {
			an.subquery(p, "facet", v.With, depth)
		}
	case *kql.AsOp:
		// The name stands for the pipeline so far in the rest of the query
		// (a join or union reading it again): not a table.
		if v.Alias != nil && v.Alias.Name != "" {
			an.order++
			an.cur.declare(&symbol{kind: symBinding, name: v.Alias.Name, order: an.order, tabular: true, state: p.cols.clone()})
		}
	case *kql.InvokeOp, *kql.EvaluateOp:
		// A user function called on the pipeline is a use of that binding;
		// its columns are unknown.
	case *kql.SummarizeOp:
		if p.isMain {
			an.groupBy = groupNames(v.Groups)
		}
	case *kql.MakeSeriesOp:
		if p.isMain {
			an.groupBy = groupNames(v.Groups)
		}
	}
	_ = st
	an.columns(p, o, depth)
	fc.finish()
}

// operand analyses the right side of a join or lookup and returns its
// columns and the name its columns are qualified with in field_ref values
// (the table or binding name, else $right).
func (an *analyzer) operand(p *pipe, kind string, x kql.Expr, depth int) (*colState, string) {
	switch v := x.(type) {
	case *kql.Ident:
		return an.tableRef(p, v, depth), v.Name
	case *kql.ParenExpr:
		if v.X != nil {
			if id, ok := unparen(v.X).(*kql.Ident); ok {
				return an.tableRef(p, id, depth), id.Name
			}
			return an.subquery(p, kind, v.X, depth), "$right"
		}
	case *kql.PipeExpr:
		return an.subquery(p, kind, v, depth), "$right"
	case nil, *kql.BadExpr:
		return openState(), "$right"
	}
	return an.tableRef(p, x, depth), "$right"
}

// groupNames returns the column names a summarize groups by.
func groupNames(groups []kql.Expr) []string {
	var out []string
	for _, g := range groups {
		if n := groupName(g); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// groupName is the column a by-expression produces: the name, the
// assigned name, or the column inside bin()/floor().
func groupName(g kql.Expr) string {
	switch v := g.(type) {
	case *kql.Ident:
		return v.Name
	case *kql.NamedExpr:
		if len(v.Names) > 0 && v.Names[0] != nil {
			return v.Names[0].Name
		}
	case *kql.CallExpr:
		if v.Fun == nil || len(v.Args) == 0 {
			return ""
		}
		switch strings.ToLower(v.Fun.Name) {
		case "bin", "floor", "bin_at", "bin_auto", "startofday", "startofhour", "startofweek", "startofmonth", "tostring", "tolower", "toupper":
			return groupName(v.Args[0])
		}
	case *kql.ParenExpr:
		return groupName(v.X)
	case *kql.SelectorExpr:
		// AdditionalFields.X as a group: KQL names the column AdditionalFields_X.
		if id, ok := v.Sel.(*kql.Ident); ok {
			if base := groupName(v.X); base != "" {
				return base + "_" + id.Name
			}
		}
	}
	return ""
}
