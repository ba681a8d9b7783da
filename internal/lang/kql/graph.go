package kql

import "github.com/detwiki/detwiki/internal/source"

// Graph operators: make-graph, graph-match, graph-shortest-paths,
// graph-to-table, graph-mark-components, graph-where-nodes,
// graph-where-edges.

type (
	// MakeGraphOp is make-graph [params] Source --> Target [with T on key,
	// ... | with_node_id=name] [partitioned-by entity (subquery)].
	MakeGraphOp struct {
		op
		Params        []*NamedParam
		Source        Expr
		Direction     string // "-->" or "--"
		Target        Expr
		WithNodeID    *Ident
		With          []*GraphTableKey
		PartitionedBy Expr
		Subquery      Expr
	}

	// GraphMatchOp is graph-match or graph-shortest-paths [params]
	// patterns [where pred] [project exprs].
	GraphMatchOp struct {
		op
		Params   []*NamedParam
		Patterns []*GraphPattern
		Where    Expr
		Project  []Expr
	}

	// GraphToTableOp is graph-to-table nodes [as N] [params], edges ...
	GraphToTableOp struct {
		op
		Outputs []*GraphOutput
	}

	// GraphMarkComponentsOp is graph-mark-components [params].
	GraphMarkComponentsOp struct {
		op
		Params []*NamedParam
	}

	// GraphWhereOp is graph-where-nodes or graph-where-edges pred.
	GraphWhereOp struct {
		op
		Pred Expr
	}
)

// GraphTableKey is one T on key of make-graph ... with.
type GraphTableKey struct {
	Table  Expr
	On     source.Pos
	Key    Expr
	EndPos source.Pos
}

// Pos returns the offset of the table.
func (k *GraphTableKey) Pos() source.Pos { return k.Table.Pos() }

// End returns the offset past the key.
func (k *GraphTableKey) End() source.Pos { return k.EndPos }

// GraphPattern is a chain of nodes and edges: (a)-[e*1..3]->(b).
type GraphPattern struct {
	Elems  []Expr // *GraphNode and *GraphEdge
	EndPos source.Pos
}

// Pos returns the offset of the first element.
func (g *GraphPattern) Pos() source.Pos {
	if len(g.Elems) > 0 {
		return g.Elems[0].Pos()
	}
	return g.EndPos
}

// End returns the offset past the last element.
func (g *GraphPattern) End() source.Pos { return g.EndPos }

// GraphOutput is nodes [as N] [params] or edges [as E] [params].
type GraphOutput struct {
	KwPos  source.Pos
	Kw     Token // NODES or EDGES
	As     *Ident
	Params []*NamedParam
	EndPos source.Pos
}

// Pos returns the offset of nodes/edges.
func (g *GraphOutput) Pos() source.Pos { return g.KwPos }

// End returns the offset past the clause.
func (g *GraphOutput) End() source.Pos { return g.EndPos }

type (
	// GraphNode is (name) in a graph pattern.
	GraphNode struct {
		Lparen source.Pos
		Name   *Ident // nil for ()
		Rparen source.Pos
		EndPos source.Pos
	}

	// GraphEdge is -->, <--, --, or -[name*lo..hi]-> / <-[...]- in a
	// graph pattern. Left and Right are the arrow parts as written.
	GraphEdge struct {
		From   source.Pos
		Left   string // "-->", "<--", "--", "-[" or "<-["
		Name   *Ident
		Low    Expr // *lo..hi range, else nil
		High   Expr
		Right  string // "]->" or "]-" after a bracketed edge
		EndPos source.Pos
	}
)

// Pos returns the offset of the first byte of the GraphNode.
func (x *GraphNode) Pos() source.Pos { return x.Lparen }

// End returns the offset just past the last byte of the GraphNode.
func (x *GraphNode) End() source.Pos { return x.EndPos }

// Pos returns the offset of the first byte of the GraphEdge.
func (x *GraphEdge) Pos() source.Pos { return x.From }

// End returns the offset just past the last byte of the GraphEdge.
func (x *GraphEdge) End() source.Pos { return x.EndPos }
func (*GraphNode) exprNode()         {}
func (*GraphEdge) exprNode()         {}

var (
	makeGraphParams   = []paramSpec{pHintStrategy.with("shuffle", "native")}
	graphMatchParams  = []paramSpec{{name: "cycles", kind: pvWord, values: []string{"none", "all", "unique_edges"}}}
	shortestParams    = []paramSpec{{name: "output", kind: pvWord, values: []string{"any", "all"}}}
	markCompParams    = []paramSpec{pKind.with("weak", "strong"), {name: "with_component_id", kind: pvName}}
	toTableNodeParams = []paramSpec{{name: "with_node_id", kind: pvName}}
	toTableEdgeParams = []paramSpec{{name: "with_source_id", kind: pvName}, {name: "with_target_id", kind: pvName}}
)

// parseGraphOperator parses the graph operators, or returns nil.
func (p *parser) parseGraphOperator() Operator {
	switch p.kind(0) {
	case MAKE_GRAPH:
		return p.parseMakeGraph()
	case GRAPH_MATCH:
		return p.parseGraphMatch(graphMatchParams)
	case GRAPH_SHORTEST_PATHS:
		return p.parseGraphMatch(shortestParams)
	case GRAPH_TO_TABLE:
		o := &GraphToTableOp{}
		p.startOp(&o.op)
		o.Outputs = commaList(p, p.parseGraphOutput, func() *GraphOutput {
			p.errMissing("The graph-to-table operator requires 1-2 arguments (nodes, edges).", codeMissing)
			pos := p.nodePos()
			return &GraphOutput{KwPos: pos, EndPos: pos}
		}, nil, true, false)
		return p.endOp(&o.op, o)
	case GRAPH_MARK_COMPONENTS:
		o := &GraphMarkComponentsOp{}
		p.startOp(&o.op)
		o.Params = p.parseParams(markCompParams, allowDeclaredOrKnown, true)
		return p.endOp(&o.op, o)
	case GRAPH_WHERE_NODES, GRAPH_WHERE_EDGES:
		o := &GraphWhereOp{}
		p.startOp(&o.op)
		o.Pred = p.parseUnnamedOrMissing()
		return p.endOp(&o.op, o)
	}
	return nil
}

// parseArrow parses one of the multi-token arrows of graph syntax.
func (p *parser) parseArrow(arrows ...string) string {
	for _, a := range arrows {
		if n := p.matchText(0, a); n > 0 {
			p.skip(n)
			return a
		}
	}
	return ""
}

func (p *parser) nameRefOrMissing() Expr {
	if id := p.parseName(false); id != nil {
		return id
	}
	return p.missingName()
}

func (p *parser) parseMakeGraph() Operator {
	o := &MakeGraphOp{}
	p.startOp(&o.op)
	o.Params = p.parseParams(makeGraphParams, allowDeclaredOrKnown, true)
	o.Source = p.nameRefOrMissing()
	if o.Direction = p.parseArrow("-->", "--"); o.Direction == "" {
		p.errExpected("Expected one of: -->, --", codeExpected)
	}
	o.Target = p.nameRefOrMissing()
	if p.kind(0) == WITH_NODE_ID {
		p.advance()
		p.expect(ASSIGN)
		o.WithNodeID = p.parseName(false)
		if o.WithNodeID == nil {
			o.WithNodeID = p.missingName()
		}
	} else if _, ok := p.got(WITH); ok {
		o.With = commaList(p, func() (*GraphTableKey, bool) {
			t := p.parseUnary()
			if t == nil {
				return nil, false
			}
			k := &GraphTableKey{Table: t}
			k.On = p.expect(ON)
			k.Key = p.nameRefOrMissing()
			k.EndPos = p.prevEnd()
			return k, true
		}, func() *GraphTableKey {
			b := p.missingExpr()
			return &GraphTableKey{Table: b, On: source.NoPos, Key: b, EndPos: b.End()}
		}, p.endAt(PARTITIONED_BY), true, false)
	}
	if _, ok := p.got(PARTITIONED_BY); ok {
		o.PartitionedBy = p.parseSimplePath()
		if o.PartitionedBy == nil {
			o.PartitionedBy = p.missingName()
		}
		lp := p.expect(LPAREN)
		px := &ParenExpr{Lparen: lp}
		px.X = p.parseContextualSubquery()
		px.Rparen = p.closeOf(RPAREN)
		if !lp.IsValid() {
			px.Lparen = px.X.Pos()
		}
		o.Subquery = px
	}
	return p.endOp(&o.op, o)
}

func (p *parser) parseGraphMatch(specs []paramSpec) Operator {
	o := &GraphMatchOp{}
	p.startOp(&o.op)
	o.Params = p.parseParams(specs, allowDeclaredOrKnown, true)
	o.Patterns = commaList(p, func() (*GraphPattern, bool) {
		return p.parseGraphPattern(), true
	}, nil, nil, true, false)
	if _, ok := p.got(WHERE); ok {
		o.Where = p.parseExpr()
		if o.Where == nil {
			o.Where = p.missingExpr()
		}
	}
	if _, ok := p.got(PROJECT); ok {
		o.Project = commaList(p, exprOf(p.parseNamedExpr), p.missingExpr, p.atCommonEnd, true, false)
	}
	return p.endOp(&o.op, o)
}

// parseGraphPattern parses one or more nodes and edges.
func (p *parser) parseGraphPattern() *GraphPattern {
	g := &GraphPattern{}
	for {
		x := p.parseGraphElem()
		if x == nil {
			break
		}
		g.Elems = append(g.Elems, x)
	}
	if len(g.Elems) == 0 {
		p.errMissing("Missing graph-match pattern.", codeMissing)
		pos := p.nodePos()
		g.Elems = append(g.Elems, &GraphNode{Lparen: pos, Rparen: source.NoPos, EndPos: pos})
	}
	g.EndPos = p.prevEnd()
	return g
}

func (p *parser) parseGraphElem() Expr {
	if lp, ok := p.got(LPAREN); ok {
		n := &GraphNode{Lparen: lp}
		n.Name = p.parseName(false)
		n.Rparen = p.expect(RPAREN)
		n.EndPos = p.prevEnd()
		return n
	}
	pos := p.pos()
	if a := p.parseArrow("-->", "<--", "--"); a != "" {
		return &GraphEdge{From: pos, Left: a, EndPos: p.prevEnd()}
	}
	if a := p.parseArrow("-[", "<-["); a != "" {
		e := &GraphEdge{From: pos, Left: a}
		e.Name = p.parseName(false)
		if _, ok := p.got(MUL); ok {
			if e.Low = p.parseUnary(); e.Low == nil {
				e.Low = p.missing("value")
			}
			p.expect(DOTDOT)
			if e.High = p.parseUnary(); e.High == nil {
				e.High = p.missingExpr()
			}
		}
		if e.Right = p.parseArrow("]->", "]-"); e.Right == "" {
			p.errExpected("Expected one of: ]->, ]-", codeExpected)
		}
		e.EndPos = p.prevEnd()
		return e
	}
	return nil
}

func (p *parser) parseGraphOutput() (*GraphOutput, bool) {
	k := p.kind(0)
	if k != NODES && k != EDGES {
		return nil, false
	}
	t := p.advance()
	g := &GraphOutput{KwPos: source.Pos(t.pos), Kw: k}
	if _, ok := p.got(AS); ok {
		g.As = p.parseName(false)
		if g.As == nil {
			g.As = p.missingName()
		}
	}
	specs := toTableNodeParams
	if k == EDGES {
		specs = toTableEdgeParams
	}
	g.Params = p.parseParams(specs, allowDeclaredOrKnown, true)
	g.EndPos = p.prevEnd()
	return g, true
}
