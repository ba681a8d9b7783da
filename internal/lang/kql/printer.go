package kql

import (
	"io"
	"strings"
)

// Print formats a syntax tree back into KQL text in a canonical layout:
// one statement per line (let ...;), each top-level pipe operator on its
// own line (| where ...), single spaces around binary operators. Literals
// keep their source spelling. Parsing the output gives the same tree as
// the input (apart from positions). For a *Script, comments are kept and
// placed before the statement or operator that follows them.
func Print(node Node) string {
	var p printer
	if s, ok := node.(*Script); ok {
		p.comments = commentsOutsideLiterals(s)
	}
	p.node(node)
	p.flushComments(-1)
	return p.b.String()
}

// Fprint writes Print(node) to w.
func Fprint(w io.Writer, node Node) error {
	_, err := io.WriteString(w, Print(node))
	return err
}

// commentsOutsideLiterals returns the script's comments except those
// between the parts of a compound string literal ("a" // c <newline> "b"),
// which print with the literal.
func commentsOutsideLiterals(s *Script) []*Comment {
	var spans []Node
	Inspect(s, func(n Node) bool {
		if l, ok := n.(*BasicLit); ok && l.Kind == STRING && strings.Contains(l.Raw, "//") {
			spans = append(spans, l)
		}
		return true
	})
	if len(spans) == 0 {
		return s.Comments
	}
	var out []*Comment
	for _, c := range s.Comments {
		inside := false
		for _, l := range spans {
			if c.Slash > l.Pos() && c.Slash < l.End() {
				inside = true
				break
			}
		}
		if !inside {
			out = append(out, c)
		}
	}
	return out
}

type printer struct {
	b        strings.Builder
	indent   int
	inline   int // > 0 inside parentheses: pipelines stay on one line
	comments []*Comment
}

func (p *printer) str(s string) { p.b.WriteString(s) }

func (p *printer) newline() {
	p.b.WriteByte('\n')
	for i := 0; i < p.indent; i++ {
		p.b.WriteString("    ")
	}
}

// flushComments writes the pending comments that start before pos (all
// when pos < 0), each on its own line.
func (p *printer) flushComments(pos int) {
	for len(p.comments) > 0 && (pos < 0 || int(p.comments[0].Slash) < pos) {
		c := p.comments[0]
		p.comments = p.comments[1:]
		if s := p.b.String(); strings.TrimSpace(s[strings.LastIndexByte(s, '\n')+1:]) != "" {
			p.newline()
		}
		p.str(strings.TrimRight(c.Text, " \t\r"))
		p.newline()
	}
}

func (p *printer) node(n Node) {
	switch n := n.(type) {
	case nil:
	case *Script:
		for _, d := range n.Directives {
			p.str(d.Text)
			p.newline()
		}
		for i, s := range n.Statements {
			if _, ok := s.(*BadStmt); ok {
				continue
			}
			if i > 0 {
				p.str(";")
				p.newline()
			}
			if len(p.comments) > 0 {
				p.flushComments(int(s.Pos()))
			}
			p.node(s)
		}
	case Stmt:
		p.stmt(n)
	case Expr:
		p.expr(n)
	case *Schema:
		p.schema(n)
	case *NamedParam:
		p.param(n)
	case *FuncBody:
		p.body(n)
	case *PatternMatch:
		p.patternMatch(n)
	case *TopNestedClause:
		p.topNested(n)
	case *ForkBranch:
		p.forkBranch(n)
	case *ScanStep:
		p.scanStep(n)
	case *Comment:
		p.str(n.Text)
	case *Directive:
		p.str(n.Text)
	}
}

func (p *printer) stmt(s Stmt) {
	switch s := s.(type) {
	case *LetStmt:
		p.str("let ")
		p.ident(s.Name)
		p.str(" = ")
		p.expr(s.Value)
	case *QueryStmt:
		p.expr(s.X)
	case *SetStmt:
		p.str("set ")
		p.ident(s.Name)
		if s.Value != nil {
			p.str(" = ")
			p.expr(s.Value)
		}
	case *DeclareStmt:
		p.str("declare query_parameters(")
		p.params(s.Params)
		p.str(")")
	case *AliasStmt:
		p.str("alias database ")
		p.ident(s.Name)
		p.str(" = ")
		p.expr(s.Value)
	case *PatternStmt:
		p.str("declare pattern ")
		p.ident(s.Name)
		if s.Matches != nil || s.Params != nil {
			p.str(" = (")
			p.params(s.Params)
			p.str(")")
			if s.Path != nil {
				p.str("[")
				p.expr(s.Path)
				p.str("]")
			}
			p.str(" {")
			p.indent++
			for _, m := range s.Matches {
				p.newline()
				p.patternMatch(m)
			}
			p.indent--
			p.newline()
			p.str("}")
		}
	case *RestrictStmt:
		p.str("restrict access to (")
		p.exprList(s.Entities)
		p.str(")")
		if s.With != nil {
			p.str(" with (")
			p.namedList(s.With, ", ")
			p.str(")")
		}
	}
}

func (p *printer) patternMatch(m *PatternMatch) {
	p.str("(")
	p.exprList(m.Args)
	p.str(")")
	if m.Path != nil {
		p.str(".[")
		p.expr(m.Path)
		p.str("]")
	}
	p.str(" = ")
	p.body(m.Body)
	p.str(";")
}

func (p *printer) body(b *FuncBody) {
	if b == nil {
		p.str("{}")
		return
	}
	p.str("{")
	p.indent++
	for _, s := range b.Stmts {
		p.newline()
		p.stmt(s)
		p.str(";")
	}
	if b.Result != nil {
		p.newline()
		saved := p.inline
		p.inline = 0
		p.expr(b.Result)
		p.inline = saved
	}
	p.indent--
	p.newline()
	p.str("}")
}

func (p *printer) ident(id *Ident) {
	if id == nil {
		return
	}
	if id.Quoted {
		p.str("[")
		p.str(Quote(id.Name))
		p.str("]")
		return
	}
	p.str(id.Name)
}

func (p *printer) exprList(xs []Expr) {
	for i, x := range xs {
		if i > 0 {
			p.str(", ")
		}
		p.expr(x)
	}
}

func (p *printer) params(ps []*Param) {
	for i, x := range ps {
		if i > 0 {
			p.str(", ")
		}
		p.paramDecl(x)
	}
}

func (p *printer) paramDecl(x *Param) {
	p.ident(x.Name)
	if x.Colon.IsValid() || x.Type != nil {
		p.str(":")
		p.typ(x.Type)
	}
	if x.Default != nil {
		p.str(" = ")
		p.expr(x.Default)
	}
}

func (p *printer) typ(t *TypeExpr) {
	if t == nil {
		return
	}
	if t.Tabular {
		p.str("(")
		p.exprList(t.Columns)
		p.str(")")
		return
	}
	p.str(t.Name)
}

func (p *printer) schema(s *Schema) {
	p.str("(")
	p.params(s.Columns)
	p.str(")")
}

// param prints an operator parameter: name=value.
func (p *printer) param(np *NamedParam) {
	p.str(np.Name)
	if np.Assign.IsValid() {
		p.str("=")
	} else {
		p.str(" ")
	}
	p.expr(np.Value)
}

func (p *printer) namedList(ps []*NamedParam, sep string) {
	for i, np := range ps {
		if i > 0 {
			p.str(sep)
		}
		p.param(np)
	}
}

// opParams prints operator parameters followed by a space.
func (p *printer) opParams(ps []*NamedParam) {
	for _, np := range ps {
		p.param(np)
		p.str(" ")
	}
}

func (p *printer) expr(x Expr) {
	switch x := x.(type) {
	case nil:
	case *Ident:
		p.ident(x)
	case *BasicLit:
		p.str(x.Raw)
	case *DynamicLit:
		p.str("dynamic(")
		p.expr(x.Value)
		p.str(")")
	case *JSONArray:
		p.str("[")
		p.exprList(x.Elems)
		p.str("]")
	case *JSONObject:
		p.str("{")
		for i, pr := range x.Pairs {
			if i > 0 {
				p.str(", ")
			}
			p.expr(pr)
		}
		p.str("}")
	case *JSONPair:
		if x.Key != nil {
			p.str(x.Key.Raw)
		}
		p.str(": ")
		p.expr(x.Value)
	case *BinaryExpr:
		p.expr(x.X)
		if x.Op == COLON {
			p.str(": ")
		} else {
			p.str(" ")
			p.str(x.Op.String())
			p.str(" ")
		}
		p.expr(x.Y)
	case *UnaryExpr:
		p.str(x.Op.String())
		p.expr(x.X)
	case *InExpr:
		p.expr(x.X)
		p.str(" ")
		p.str(x.Op.String())
		p.str(" ")
		p.expr(x.List)
	case *ListExpr:
		if !x.Lparen.IsValid() {
			p.exprList(x.Elems)
			return
		}
		p.inline++
		p.str("(")
		p.exprList(x.Elems)
		p.str(")")
		p.inline--
	case *BetweenExpr:
		p.expr(x.X)
		p.str(" ")
		p.str(x.Op.String())
		p.str(" (")
		p.expr(x.Low)
		p.str(" .. ")
		p.expr(x.High)
		p.str(")")
	case *CallExpr:
		p.ident(x.Fun)
		if x.Fun != nil && !x.Fun.Quoted && gooKind(Lookup(x.Fun.Name)) != 0 {
			// guid(...) and bool(...) written together are typed literals.
			p.str(" ")
		}
		p.inline++
		p.str("(")
		p.exprList(x.Args)
		p.str(")")
		p.inline--
	case *IndexExpr:
		p.expr(x.X)
		p.str("[")
		p.expr(x.Index)
		p.str("]")
	case *SelectorExpr:
		p.expr(x.X)
		if x.Dot.IsValid() {
			p.str(".")
		}
		p.expr(x.Sel)
	case *ParenExpr:
		p.inline++
		p.str("(")
		p.expr(x.X)
		p.str(")")
		p.inline--
	case *BracketExpr:
		p.str("[")
		p.expr(x.X)
		p.str("]")
	case *NamedExpr:
		if x.Lparen.IsValid() {
			p.str("(")
			for i, id := range x.Names {
				if i > 0 {
					p.str(", ")
				}
				p.ident(id)
			}
			p.str(")")
		} else if len(x.Names) > 0 {
			p.ident(x.Names[0])
		}
		p.str(" = ")
		p.expr(x.Value)
	case *StarExpr:
		p.str("*")
	case *OrderedExpr:
		p.expr(x.X)
		if x.Dir != 0 {
			p.str(" ")
			p.str(x.Dir.String())
		}
		if x.NullsPos.IsValid() {
			p.str(" nulls")
			if x.Nulls != 0 {
				p.str(" ")
				p.str(x.Nulls.String())
			}
		}
	case *LambdaExpr:
		if x.View.IsValid() {
			p.str("view ")
		}
		p.str("(")
		p.params(x.Params)
		p.str(") ")
		p.body(x.Body)
	case *Param:
		p.paramDecl(x)
	case *TypeExpr:
		p.typ(x)
	case *TypeOfExpr:
		p.str("typeof(")
		p.exprList(x.Types)
		p.str(")")
	case *DataTableExpr:
		p.str("datatable")
		for _, np := range x.Params {
			p.str(" ")
			p.param(np)
		}
		if x.Schema != nil {
			p.schema(x.Schema)
		}
		p.str(" [")
		p.exprList(x.Values)
		p.str("]")
	case *ExternalDataExpr:
		p.str(x.Keyword.String())
		for _, np := range x.Params {
			p.str(" ")
			p.param(np)
		}
		if x.Schema != nil {
			p.schema(x.Schema)
		}
		p.str(" [")
		p.inline++
		p.exprList(x.URIs)
		p.inline--
		p.str("]")
		if x.With != nil {
			p.str(" with (")
			p.namedList(x.With, ", ")
			p.str(")")
		}
	case *ToScalarExpr:
		p.str(x.Keyword.String())
		for _, np := range x.Params {
			p.str(" ")
			p.param(np)
		}
		p.inline++
		p.str("(")
		p.expr(x.X)
		p.str(")")
		p.inline--
	case *MaterializeExpr:
		p.inline++
		p.str("materialize(")
		p.expr(x.X)
		p.str(")")
		p.inline--
	case *ToTypeExpr:
		if x.X != nil {
			p.expr(x.X)
			p.str(" ")
		}
		p.str("to ")
		p.expr(x.Type)
	case *DefaultExpr:
		p.expr(x.X)
		p.str(" default = ")
		p.expr(x.Value)
	case *DataScopeExpr:
		p.expr(x.X)
		p.str(" datascope=")
		p.ident(x.Value)
	case *EntityGroupExpr:
		p.str("entity_group [")
		p.exprList(x.Elems)
		p.str("]")
	case *ContextualDataTableExpr:
		p.str("__contextual_datatable ")
		p.expr(x.ID)
		p.str(" ")
		if x.Schema != nil {
			p.schema(x.Schema)
		}
	case *MaterializedViewCombineExpr:
		p.inline++
		p.str("materialized-view-combine (")
		p.expr(x.View)
		p.str(") base (")
		p.expr(x.Base)
		p.str(") delta (")
		p.expr(x.Delta)
		p.str(") aggregations (")
		p.expr(x.Aggregations)
		p.str(")")
		p.inline--
	case *GraphNode:
		p.str("(")
		p.ident(x.Name)
		p.str(")")
	case *GraphEdge:
		p.str(x.Left)
		if x.Right != "" || x.Left == "-[" || x.Left == "<-[" {
			p.ident(x.Name)
			if x.Low != nil {
				p.str("*")
				p.expr(x.Low)
				p.str("..")
				p.expr(x.High)
			}
			p.str(x.Right)
		}
	case *BadExpr:
	case *PipeExpr:
		p.pipe(x)
	case Operator:
		p.operator(x)
	}
}

func (p *printer) pipe(x *PipeExpr) {
	p.expr(x.Source)
	for _, o := range x.Ops {
		if p.inline > 0 {
			p.str(" | ")
		} else {
			p.newline()
			if len(p.comments) > 0 {
				p.flushComments(int(o.Pos()))
			}
			p.str("| ")
		}
		p.operator(o)
	}
}

func (p *printer) kw(o Operator) {
	p.str(o.Keyword().String())
}

func (p *printer) operator(o Operator) {
	switch o := o.(type) {
	case *WhereOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.expr(o.Pred)
	case *ExtendOp:
		p.kw(o)
		p.str(" ")
		p.exprList(o.Exprs)
	case *ProjectOp:
		p.kw(o)
		if len(o.Exprs) > 0 {
			p.str(" ")
			p.exprList(o.Exprs)
		}
	case *ProjectAwayOp:
		p.kw(o)
		if len(o.Columns) > 0 {
			p.str(" ")
			p.exprList(o.Columns)
		}
	case *ProjectReorderOp:
		p.kw(o)
		if len(o.Columns) > 0 {
			p.str(" ")
			p.exprList(o.Columns)
		}
	case *SummarizeOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.exprList(o.Aggs)
		if o.By.IsValid() {
			if len(o.Aggs) > 0 {
				p.str(" ")
			}
			p.str("by ")
			p.exprList(o.Groups)
			if o.Bin != nil {
				p.str(" bin=")
				p.expr(o.Bin)
			}
		}
	case *JoinOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.expr(o.Right)
		if o.On.IsValid() {
			p.str(" on ")
			p.exprList(o.Conds)
		} else if o.Where != nil {
			p.str(" where ")
			p.expr(o.Where)
		}
	case *LookupOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.expr(o.Right)
		if o.On.IsValid() {
			p.str(" on ")
			p.exprList(o.Conds)
		}
	case *UnionOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.exprList(o.Tables)
	case *ParseOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.expr(o.Source)
		p.str(" with")
		for _, x := range o.Pattern {
			p.str(" ")
			p.expr(x)
		}
	case *ParseKvOp:
		p.kw(o)
		p.str(" ")
		p.expr(o.Source)
		p.str(" as ")
		if o.Keys != nil {
			p.schema(o.Keys)
		}
		if o.With != nil {
			p.str(" with (")
			p.namedList(o.With, ", ")
			p.str(")")
		}
	case *MvExpandOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.exprList(o.Items)
		if o.Limit != nil {
			p.str(" limit ")
			p.expr(o.Limit)
		}
	case *MvApplyOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.exprList(o.Items)
		if o.Limit != nil {
			p.str(" limit ")
			p.expr(o.Limit)
		}
		if o.ID != nil {
			p.str(" id ")
			p.expr(o.ID)
		}
		p.str(" on ")
		p.expr(o.Subquery)
	case *MakeSeriesOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.exprList(o.Aggs)
		p.str(" on ")
		p.expr(o.Axis)
		if o.InRange != nil {
			p.str(" in range")
			p.expr(o.InRange)
		} else {
			if o.From != nil {
				p.str(" from ")
				p.expr(o.From)
			}
			if o.To != nil {
				p.str(" to ")
				p.expr(o.To)
			}
			p.str(" step ")
			p.expr(o.Step)
		}
		if o.By.IsValid() {
			p.str(" by ")
			p.exprList(o.Groups)
		}
	case *TopOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.expr(o.Count)
		p.str(" by ")
		p.expr(o.By)
	case *TopNestedOp:
		for i, c := range o.Clauses {
			if i > 0 {
				p.str(", ")
			}
			p.topNested(c)
		}
	case *TopHittersOp:
		p.kw(o)
		p.str(" ")
		p.expr(o.Count)
		p.str(" of ")
		p.expr(o.Of)
		if o.By != nil {
			p.str(" by ")
			p.expr(o.By)
		}
	case *TakeOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.expr(o.Count)
	case *SortOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.str("by ")
		p.exprList(o.By)
	case *DistinctOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.exprList(o.Columns)
	case *CountOp:
		p.kw(o)
		if o.As != nil {
			p.str(" as ")
			p.ident(o.As)
		}
	case *EvaluateOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.expr(o.Plugin)
		if o.Schema != nil {
			p.str(" : ")
			p.schema(o.Schema)
		}
	case *InvokeOp:
		p.kw(o)
		p.str(" ")
		p.expr(o.Call)
	case *AsOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.ident(o.Alias)
	case *GetSchemaOp:
		p.kw(o)
		for _, np := range o.Params {
			p.str(" ")
			p.param(np)
		}
	case *SampleOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.expr(o.Count)
	case *SampleDistinctOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.expr(o.Count)
		p.str(" of ")
		p.expr(o.Of)
	case *SerializeOp:
		p.kw(o)
		for _, np := range o.Params {
			p.str(" ")
			p.param(np)
		}
		if len(o.Exprs) > 0 {
			p.str(" ")
			p.exprList(o.Exprs)
		}
	case *RenderOp:
		p.kw(o)
		p.str(" ")
		p.ident(o.Chart)
		for _, np := range o.Params {
			p.str(" ")
			p.param(np)
		}
		if o.With != nil {
			p.str(" with (")
			p.namedList(o.With, ", ")
			p.str(")")
		}
	case *ForkOp:
		p.kw(o)
		for _, b := range o.Branches {
			p.str(" ")
			p.forkBranch(b)
		}
	case *FacetOp:
		p.kw(o)
		p.str(" by ")
		p.exprList(o.Columns)
		if o.With != nil {
			p.str(" with ")
			if op, ok := o.With.(Operator); ok {
				p.operator(op)
			} else {
				p.expr(o.With)
			}
		}
	case *SearchOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		if o.DataScope != nil {
			p.str("datascope=")
			p.ident(o.DataScope)
			p.str(" ")
		}
		if o.In != nil {
			p.str("in (")
			p.exprList(o.In)
			p.str(") ")
		}
		p.expr(o.Pred)
	case *FindOp:
		p.kw(o)
		p.str(" ")
		if o.DataScope != nil {
			p.str("datascope=")
			p.ident(o.DataScope)
			p.str(" ")
		}
		p.opParams(o.Params)
		if o.In != nil {
			p.str("in (")
			p.exprList(o.In)
			p.str(") ")
		}
		p.str("where ")
		p.expr(o.Pred)
		switch o.ProjectKw {
		case PROJECT:
			p.str(" project ")
			p.exprList(o.Project)
		case PROJECT_SMART:
			p.str(" project-smart")
		}
	case *RangeOp:
		p.kw(o)
		p.str(" ")
		p.ident(o.Column)
		p.str(" from ")
		p.expr(o.From)
		p.str(" to ")
		p.expr(o.To)
		p.str(" step ")
		p.expr(o.Step)
	case *PrintOp:
		p.kw(o)
		p.str(" ")
		p.exprList(o.Exprs)
	case *ScanOp:
		p.kw(o)
		for _, np := range o.Params {
			p.str(" ")
			p.param(np)
		}
		if o.OrderBy != nil {
			p.str(" order by ")
			p.exprList(o.OrderBy)
		}
		if o.PartitionBy != nil {
			p.str(" partition by ")
			p.exprList(o.PartitionBy)
		}
		if o.Declare != nil {
			p.str(" declare (")
			p.params(o.Declare)
			p.str(")")
		}
		p.str(" with (")
		p.indent++
		for _, s := range o.Steps {
			p.newline()
			p.scanStep(s)
		}
		p.indent--
		p.newline()
		p.str(")")
	case *PartitionOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.str("by ")
		p.expr(o.Column)
		if o.Scope != nil {
			p.str(" in ")
			p.expr(o.Scope)
		}
		p.str(" ")
		if px, ok := o.Subquery.(*ParenExpr); ok && o.Brace {
			p.inline++
			p.str("{")
			p.expr(px.X)
			p.str("}")
			p.inline--
		} else {
			p.expr(o.Subquery)
		}
	case *ReduceOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.str("by ")
		p.expr(o.By)
		if o.With != nil {
			p.str(" with ")
			p.namedList(o.With, ", ")
		}
	case *ConsumeOp:
		p.kw(o)
		for _, np := range o.Params {
			p.str(" ")
			p.param(np)
		}
	case *AssertSchemaOp:
		p.kw(o)
		if o.Schema != nil {
			p.schema(o.Schema)
		}
	case *ExecuteAndCacheOp:
		p.kw(o)
	case *MacroExpandOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.expr(o.Group)
		if o.As != nil {
			p.str(" as ")
			p.ident(o.As)
		}
		p.str(" (")
		p.inline++
		for i, s := range o.Stmts {
			if i > 0 {
				p.str("; ")
			}
			p.stmt(s)
		}
		p.inline--
		p.str(")")
	case *InlineExternalTableOp:
		p.kw(o)
		if o.Schema != nil {
			p.schema(o.Schema)
		}
		p.str(" kind=")
		p.ident(o.Kind)
		if o.Partitions != nil {
			p.str(" partition by (")
			p.params(o.Partitions)
			p.str(")")
		}
		if o.PathFormat != nil {
			p.str(" pathformat=(")
			for i, x := range o.PathFormat {
				if i > 0 {
					p.str(" ")
				}
				p.expr(x)
			}
			p.str(")")
		}
		if o.DataFormat != nil {
			p.str(" dataformat=")
			p.ident(o.DataFormat)
		}
		p.str(" (")
		p.inline++
		p.exprList(o.ConnectionStrings)
		p.inline--
		p.str(")")
		if o.With != nil {
			p.str(" with (")
			p.namedList(o.With, ", ")
			p.str(")")
		}
	case *MakeGraphOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.expr(o.Source)
		p.str(" " + o.Direction + " ")
		p.expr(o.Target)
		if o.WithNodeID != nil {
			p.str(" with_node_id=")
			p.ident(o.WithNodeID)
		} else if o.With != nil {
			p.str(" with ")
			for i, k := range o.With {
				if i > 0 {
					p.str(", ")
				}
				p.expr(k.Table)
				p.str(" on ")
				p.expr(k.Key)
			}
		}
		if o.PartitionedBy != nil {
			p.str(" partitioned-by ")
			p.expr(o.PartitionedBy)
			p.str(" ")
			p.expr(o.Subquery)
		}
	case *GraphMatchOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		for i, g := range o.Patterns {
			if i > 0 {
				p.str(", ")
			}
			for _, e := range g.Elems {
				p.expr(e)
			}
		}
		if o.Where != nil {
			p.str(" where ")
			p.inline++
			p.expr(o.Where)
			p.inline--
		}
		if o.Project != nil {
			p.str(" project ")
			p.exprList(o.Project)
		}
	case *GraphToTableOp:
		p.kw(o)
		for i, g := range o.Outputs {
			if i > 0 {
				p.str(",")
			}
			p.str(" ")
			p.str(g.Kw.String())
			if g.As != nil {
				p.str(" as ")
				p.ident(g.As)
			}
			for _, np := range g.Params {
				p.str(" ")
				p.param(np)
			}
		}
	case *GraphMarkComponentsOp:
		p.kw(o)
		for _, np := range o.Params {
			p.str(" ")
			p.param(np)
		}
	case *GraphWhereOp:
		p.kw(o)
		p.str(" ")
		p.expr(o.Pred)
	case *PartitionByOp:
		p.kw(o)
		p.str(" ")
		p.opParams(o.Params)
		p.expr(o.Entity)
		if o.ID != nil {
			p.str(" id ")
			p.expr(o.ID)
		}
		p.str(" ")
		p.expr(o.Subquery)
	case *BadOp:
		p.str(o.Text)
	}
}

func (p *printer) topNested(c *TopNestedClause) {
	p.str("top-nested ")
	if c.Count != nil {
		p.expr(c.Count)
		p.str(" ")
	}
	p.str("of ")
	p.expr(c.Of)
	if c.Others != nil {
		p.str(" with others = ")
		p.expr(c.Others)
	}
	p.str(" by ")
	p.expr(c.By)
}

func (p *printer) forkBranch(b *ForkBranch) {
	if b.Name != nil {
		p.ident(b.Name)
		p.str(" = ")
	}
	p.inline++
	p.str("(")
	p.expr(b.Query)
	p.str(")")
	p.inline--
}

func (p *printer) scanStep(s *ScanStep) {
	p.str("step ")
	p.ident(s.Name)
	if s.Optional {
		p.str(" optional")
	}
	if s.Output != "" {
		p.str(" output=")
		p.str(s.Output)
	}
	p.str(": ")
	p.inline++
	p.expr(s.Cond)
	if s.Assigns != nil {
		p.str(" => ")
		p.exprList(s.Assigns)
	}
	p.inline--
	p.str(";")
}
