package kql

import "github.com/detwiki/detwiki/internal/source"

// chartTypes are the render chart types Kusto knows.
var chartTypes = map[string]bool{
	"table": true, "list": true, "barchart": true, "piechart": true, "ladderchart": true,
	"timechart": true, "linechart": true, "anomalychart": true, "pivotchart": true,
	"areachart": true, "stackedareachart": true, "scatterchart": true, "timepivot": true,
	"columnchart": true, "timeline": true, "3Dchart": true, "card": true, "treemap": true,
	"plotly": true, "graph": true, "sankey": true,
}

// scanPossibleQueryOperator reports whether the tokens here can only be a
// query operator (a keyword that cannot be an identifier, or one of the
// identifier-like keywords followed by what only the operator allows).
func (p *parser) scanPossibleQueryOperator() bool {
	k := p.kind(0)
	switch k {
	case EVALUATE:
		if p.scanName(1) > 0 {
			return true
		}
		n, _ := p.scanParamName(nil, allowKnown, false, 1)
		return n > 0
	case FACET:
		return p.kind(1) == BY
	case PARTITION:
		if p.kind(1) == BY {
			return true
		}
		n, _ := p.scanParamName(nil, allowKnown, false, 1)
		return n > 0
	case RANGE:
		n := p.scanName(1)
		return n > 0 && p.kind(1+n) == FROM
	case REDUCE:
		if p.kind(1) == BY {
			return true
		}
		n, _ := p.scanParamName(nil, allowKnown, false, 1)
		return n > 0
	case RENDER:
		t := p.tok(1)
		return chartTypes[p.text(t)] || t.kind == IDENT || t.kind.CanBeIdentifier()
	case INLINE_EXTERNAL_TABLE:
		return p.kind(1) == LPAREN || p.kind(1) == KIND
	case FORK, LOOKUP, HIDDEN_PARTITIONBY:
		return false
	case AS, ASSERT_SCHEMA, CONSUME, COUNT, DISTINCT, HIDDEN_EXECUTEANDCACHE, EXTEND, FILTER, FIND,
		GETSCHEMA, GRAPH_MATCH, GRAPH_TO_TABLE, INVOKE, JOIN, LIMIT, MACRO_EXPAND, MAKE_GRAPH,
		GRAPH_MARK_COMPONENTS, MAKE_SERIES, MVAPPLY, MV_APPLY, MVEXPAND, MV_EXPAND, ORDER, PARSE,
		PARSE_WHERE, PARSE_KV, PRINT, PROJECT, PROJECT_AWAY, PROJECT_KEEP, PROJECT_RENAME,
		PROJECT_BY_NAMES, PROJECT_REORDER, SAMPLE, SAMPLE_DISTINCT, SCAN, SEARCH, SERIALIZE, SORT,
		SUMMARIZE, TAKE, TOP, TOP_HITTERS, TOP_NESTED, UNION, WHERE:
		return !k.CanBeIdentifier()
	}
	return false
}

// parseUnpipedOperator parses the operators that may start a query.
func (p *parser) parseUnpipedOperator() Operator {
	switch p.kind(0) {
	case EVALUATE:
		return p.parseEvaluate()
	case FIND:
		return p.parseFind()
	case PRINT:
		return p.parsePrint()
	case SEARCH:
		return p.parseSearch()
	case UNION:
		return p.parseUnion()
	case MACRO_EXPAND:
		return p.parseMacroExpand()
	}
	return nil
}

func (p *parser) parseMacroExpand() Operator {
	o := &MacroExpandOp{}
	p.startOp(&o.op)
	o.Params = p.parseParams(unionParams, allowDeclaredOrKnown, true)
	switch {
	case p.kind(0) == ENTITY_GROUP:
		o.Group = p.parseEntityGroup()
	case (p.text(p.tok(0)) == "database" || p.text(p.tok(0)) == "cluster") && p.kind(1) == LPAREN:
		o.Group = p.parseEntityPath()
	default:
		if id := p.parseName(false); id != nil {
			o.Group = id
		} else {
			o.Group = p.missingExpr()
		}
	}
	if _, ok := p.got(AS); ok {
		o.As = p.parseName(false)
		if o.As == nil {
			o.As = p.missingName()
		}
	}
	p.expect(LPAREN)
	o.Stmts = p.parseStatements()
	p.expect(RPAREN)
	return p.endOp(&o.op, o)
}

func (p *parser) parsePartitionBy() Operator {
	o := &PartitionByOp{}
	p.startOp(&o.op)
	o.Params = p.parseParams(partitionParams, allowDeclaredOrKnown, false)
	o.Entity = p.parseSimplePath()
	if o.Entity == nil {
		o.Entity = p.missingName()
	}
	if _, ok := p.got(ID); ok {
		if o.ID = p.parseLiteral(); o.ID == nil {
			o.ID = p.missing("value")
		}
	}
	lp := p.expect(LPAREN)
	px := &ParenExpr{Lparen: lp}
	px.X = p.parseContextualSubquery()
	px.Rparen = p.closeOf(RPAREN)
	if !lp.IsValid() {
		px.Lparen = px.X.Pos()
	}
	o.Subquery = px
	return p.endOp(&o.op, o)
}

// parseContextualSubquery parses the subquery of mv-apply and
// __partitionby: an operator (or __contextual_datatable) and its pipes.
func (p *parser) parseContextualSubquery() Expr {
	if p.kind(0) == HIDDEN_CONTEXTUAL_DATATABLE {
		return p.parsePipes(p.parseContextualDataTable())
	}
	return p.parseSubPipe()
}

// parsePipedOperator parses an operator that follows '|'.
func (p *parser) parsePipedOperator() Operator {
	switch p.kind(0) {
	case AS:
		return p.parseAs()
	case CONSUME:
		return p.parseConsume()
	case COUNT:
		if p.kind(1) != LPAREN {
			return p.parseCount()
		}
	case DISTINCT:
		return p.parseDistinct()
	case EVALUATE:
		return p.parseEvaluate()
	case HIDDEN_EXECUTEANDCACHE:
		o := &ExecuteAndCacheOp{}
		p.startOp(&o.op)
		return p.endOp(&o.op, o)
	case EXTEND:
		return p.parseExtend()
	case FACET:
		return p.parseFacet()
	case FILTER, WHERE:
		return p.parseWhere()
	case FIND:
		return p.parseFind()
	case FORK:
		return p.parseFork()
	case GETSCHEMA:
		o := &GetSchemaOp{}
		p.startOp(&o.op)
		if np := p.parseNamedParam(getSchemaParams[0], allowDeclared, false); np != nil {
			o.Params = []*NamedParam{np}
		}
		return p.endOp(&o.op, o)
	case INVOKE:
		return p.parseInvoke()
	case JOIN:
		return p.parseJoin()
	case LOOKUP:
		return p.parseLookup()
	case MAKE_SERIES:
		return p.parseMakeSeries()
	case MVAPPLY, MV_APPLY:
		return p.parseMvApply()
	case MVEXPAND, MV_EXPAND:
		return p.parseMvExpand()
	case PARSE, PARSE_WHERE:
		return p.parseParse()
	case PARSE_KV:
		return p.parseParseKv()
	case PARTITION:
		return p.parsePartition()
	case HIDDEN_PARTITIONBY:
		return p.parsePartitionBy()
	case PROJECT, PROJECT_RENAME:
		o := &ProjectOp{}
		p.startOp(&o.op)
		o.Exprs = commaList(p, exprOf(p.parseNamedExpr), p.missingExpr, p.atCommonEnd, false, false)
		return p.endOp(&o.op, o)
	case PROJECT_BY_NAMES:
		o := &ProjectOp{}
		p.startOp(&o.op)
		o.Exprs = commaList(p, exprOf(p.parseUnnamedExpr), p.missingExpr, p.atCommonEnd, false, false)
		return p.endOp(&o.op, o)
	case PROJECT_AWAY, PROJECT_KEEP:
		o := &ProjectAwayOp{}
		p.startOp(&o.op)
		o.Columns = commaList(p, exprOf(p.parseWildcardOrName), p.missingExpr, p.atCommonEnd, false, false)
		return p.endOp(&o.op, o)
	case PROJECT_REORDER:
		o := &ProjectReorderOp{}
		p.startOp(&o.op)
		o.Columns = commaList(p, exprOf(p.parseReorderColumn), p.missingExpr, p.atCommonEnd, false, false)
		return p.endOp(&o.op, o)
	case RANGE:
		if p.kind(1) != LPAREN {
			return p.parseRange()
		}
	case REDUCE:
		return p.parseReduce()
	case RENDER:
		return p.parseRender()
	case SAMPLE:
		o := &SampleOp{}
		p.startOp(&o.op)
		o.Params = p.parseParams(nil, allowDeclaredOrKnown, true)
		o.Count = p.namedOrMissing()
		return p.endOp(&o.op, o)
	case SAMPLE_DISTINCT:
		o := &SampleDistinctOp{}
		p.startOp(&o.op)
		o.Params = p.parseParams(nil, allowDeclaredOrKnown, true)
		o.Count = p.namedOrMissing()
		p.expect(OF)
		o.Of = p.namedOrMissing()
		return p.endOp(&o.op, o)
	case SCAN:
		return p.parseScan()
	case SEARCH:
		return p.parseSearch()
	case SERIALIZE:
		o := &SerializeOp{}
		p.startOp(&o.op)
		o.Params = p.parseParams(nil, allowDeclaredOrKnown, true)
		o.Exprs = commaList(p, exprOf(p.parseNamedExpr), p.missingExpr, p.atCommonEnd, false, false)
		return p.endOp(&o.op, o)
	case SORT, ORDER:
		return p.parseSort()
	case SUMMARIZE:
		return p.parseSummarize()
	case TAKE, LIMIT:
		o := &TakeOp{}
		p.startOp(&o.op)
		o.Params = p.parseParams(nil, allowDeclaredOrKnown, true)
		o.Count = p.namedOrMissing()
		return p.endOp(&o.op, o)
	case TOP:
		o := &TopOp{}
		p.startOp(&o.op)
		o.Params = p.parseParams(topParams, allowDeclaredOrKnown, true)
		o.Count = p.namedOrMissing()
		p.expect(BY)
		o.By = p.parseOrdered()
		if o.By == nil {
			o.By = p.missingExpr()
		}
		return p.endOp(&o.op, o)
	case TOP_HITTERS:
		o := &TopHittersOp{}
		p.startOp(&o.op)
		o.Count = p.namedOrMissing()
		p.expect(OF)
		o.Of = p.namedOrMissing()
		if _, ok := p.got(BY); ok {
			o.By = p.namedOrMissing()
		}
		return p.endOp(&o.op, o)
	case TOP_NESTED:
		return p.parseTopNested()
	case UNION:
		return p.parseUnion()
	case INLINE_EXTERNAL_TABLE:
		return p.parseInlineExternalTable()
	case MAKE_GRAPH, GRAPH_MATCH, GRAPH_SHORTEST_PATHS, GRAPH_TO_TABLE, GRAPH_MARK_COMPONENTS, GRAPH_WHERE_NODES, GRAPH_WHERE_EDGES:
		return p.parseGraphOperator()
	case ASSERT_SCHEMA:
		o := &AssertSchemaOp{}
		p.startOp(&o.op)
		o.Schema = p.requiredRowSchema()
		return p.endOp(&o.op, o)
	}
	return nil
}

// parseRequiredOperator parses the operator after '|', reporting "Query
// operator expected." when there is none.
func (p *parser) parseRequiredOperator() Operator {
	if o := p.parsePipedOperator(); o != nil {
		return o
	}
	if o := p.parseUnpipedOperator(); o != nil {
		return o
	}
	if t := p.tok(0); t.kind == IDENT {
		p.advance()
		p.errAt(t.pos, t.end, "Query operator expected.", codeOperator)
		return &BadOp{op: op{Kw: IDENT, KwPos: source.Pos(t.pos), EndPos: source.Pos(t.end)}, Text: p.text(t)}
	}
	p.errMissing("Query operator expected.", codeOperator)
	pos := p.nodePos()
	return &BadOp{op: op{Kw: ILLEGAL, KwPos: pos, EndPos: pos}}
}

func (p *parser) startOp(o *op) {
	t := p.advance()
	o.Kw, o.KwPos = t.kind, source.Pos(t.pos)
}

func (p *parser) endOp(o *op, x Operator) Operator {
	o.EndPos = p.prevEnd()
	if o.EndPos < o.KwPos {
		o.EndPos = o.KwPos
	}
	return x
}

func (p *parser) namedOrMissing() Expr {
	if x := p.parseNamedExpr(); x != nil {
		return x
	}
	return p.missingExpr()
}

func (p *parser) parseWildcardOrName() Expr {
	if id := p.parseWildcardName(); id != nil {
		return id
	}
	if id := p.parseName(false); id != nil {
		return id
	}
	return nil
}

func (p *parser) parseReorderColumn() Expr {
	x := p.parseWildcardOrName()
	if x == nil {
		return nil
	}
	switch k := p.kind(0); k {
	case ASC, DESC, GRANNY_ASC, GRANNY_DESC:
		t := p.advance()
		return &OrderedExpr{X: x, DirPos: source.Pos(t.pos), Dir: k, NullsPos: source.NoPos, EndPos: source.Pos(t.end)}
	}
	return x
}

// parseOrdered parses expr [asc|desc] [nulls first|last].
func (p *parser) parseOrdered() Expr {
	x := p.parseNamedExpr()
	if x == nil {
		return nil
	}
	switch p.kind(0) {
	case ASC, DESC, GRANNY_ASC, GRANNY_DESC, NULLS:
	default:
		return x
	}
	o := &OrderedExpr{X: x, DirPos: source.NoPos, NullsPos: source.NoPos}
	switch k := p.kind(0); k {
	case ASC, DESC, GRANNY_ASC, GRANNY_DESC:
		o.Dir, o.DirPos = k, source.Pos(p.advance().pos)
	}
	if pos, ok := p.got(NULLS); ok {
		o.NullsPos = pos
		switch k := p.kind(0); k {
		case FIRST, LAST:
			o.Nulls = k
			p.advance()
		default:
			p.errExpected("Missing first or last", codeMissing)
		}
	}
	o.EndPos = p.prevEnd()
	return o
}

func (p *parser) parseWhere() Operator {
	o := &WhereOp{}
	p.startOp(&o.op)
	o.Params = p.parseParams(nil, allowDeclaredOrKnown, true)
	o.Pred = p.namedOrMissing()
	return p.endOp(&o.op, o)
}

func (p *parser) parseExtend() Operator {
	o := &ExtendOp{}
	p.startOp(&o.op)
	o.Exprs = commaList(p, exprOf(p.parseNamedExpr), p.missingExpr, p.atCommonEnd, true, false)
	return p.endOp(&o.op, o)
}

func (p *parser) parseSummarize() Operator {
	o := &SummarizeOp{By: source.NoPos}
	p.startOp(&o.op)
	o.Params = p.parseParams(summarizeParams, allowDeclaredOrKnown, true)
	o.Aggs = commaList(p, exprOf(p.parseNamedExpr), p.missingExpr, p.endAt(BY), false, false)
	if pos, ok := p.got(BY); ok {
		o.By = pos
		o.Groups = commaList(p, exprOf(p.parseNamedExpr), p.missingExpr, func() bool {
			if p.kind(0) == BIN && p.kind(1) == ASSIGN && p.kind(2).IsLiteral() {
				return true
			}
			return p.atCommonEnd()
		}, true, false)
		// legacy: by x bin = 1h
		if p.kind(0) == BIN && p.kind(1) == ASSIGN {
			p.skip(2)
			o.Bin = p.parseUnnamedOrMissing()
		}
	}
	return p.endOp(&o.op, o)
}

func (p *parser) parseDistinct() Operator {
	o := &DistinctOp{}
	p.startOp(&o.op)
	o.Params = p.parseParams(distinctParams, allowDeclaredOrKnown, true)
	o.Columns = commaList(p, exprOf(func() Expr {
		if t := p.tok(0); t.kind == MUL {
			p.advance()
			return &StarExpr{Star: source.Pos(t.pos)}
		}
		return p.parseNamedExpr()
	}), p.missingExpr, p.atCommonEnd, true, false)
	return p.endOp(&o.op, o)
}

func (p *parser) parseCount() Operator {
	o := &CountOp{}
	p.startOp(&o.op)
	if _, ok := p.got(AS); ok {
		if t := p.tok(0); t.kind == IDENT {
			p.advance()
			o.As = p.identOf(t)
		} else {
			p.errExpected("Missing name", codeMissing)
			o.As = p.missingNameQuiet()
		}
	}
	return p.endOp(&o.op, o)
}

func (p *parser) missingNameQuiet() *Ident {
	pos := p.nodePos()
	return &Ident{NamePos: pos, EndPos: pos}
}

func (p *parser) parseSort() Operator {
	o := &SortOp{}
	p.startOp(&o.op)
	o.Params = p.parseParams(sortParams, allowDeclaredOrKnown, false)
	p.expect(BY)
	o.By = commaList(p, exprOf(p.parseOrdered), p.missingExpr, p.atCommonEnd, true, false)
	return p.endOp(&o.op, o)
}

func (p *parser) parseJoin() Operator {
	o := &JoinOp{On: source.NoPos}
	p.startOp(&o.op)
	o.Params = p.parseParams(joinParams, allowDeclaredOrKnown, true)
	o.Right = p.parseUnnamedOrMissing()
	if pos, ok := p.got(ON); ok {
		o.On = pos
		o.Conds = commaList(p, exprOf(p.parseUnnamedExpr), p.missingExpr, nil, true, false)
	} else if _, ok := p.got(WHERE); ok {
		o.Where = p.parseUnnamedOrMissing()
	}
	return p.endOp(&o.op, o)
}

func (p *parser) parseLookup() Operator {
	o := &LookupOp{On: source.NoPos}
	p.startOp(&o.op)
	o.Params = p.parseParams(lookupParams, allowDeclaredOrKnown, true)
	o.Right = p.parseUnnamedOrMissing()
	if pos, ok := p.got(ON); ok {
		o.On = pos
		o.Conds = commaList(p, exprOf(p.parseUnnamedExpr), p.missingExpr, nil, true, false)
	} else {
		p.errMissing("Missing join on condition clause", codeMissing)
	}
	return p.endOp(&o.op, o)
}

func (p *parser) parseUnion() Operator {
	o := &UnionOp{}
	p.startOp(&o.op)
	o.Params = p.parseParams(unionParams, allowDeclaredOrKnown, true)
	o.Tables = commaList(p, exprOf(p.parseUnionOperand), p.missingExpr, p.atCommonEnd, true, false)
	return p.endOp(&o.op, o)
}

// parseUnionOperand parses (query), a wildcard name (Device*), or a table
// path (T, database('d').T, cluster('c').database('d').T*).
func (p *parser) parseUnionOperand() Expr {
	if p.kind(0) == LPAREN {
		return p.parseParen()
	}
	if p.kind(0) == LBRACK {
		if id := p.parseBracketedWildcardName(); id != nil {
			return id
		}
		if id := p.parseBracketedName(); id != nil {
			return id
		}
		return nil
	}
	if p.scanWildcardName(0) > 0 {
		return p.parseWildcardName()
	}
	return p.parseEntityPath()
}

func (p *parser) parseParse() Operator {
	o := &ParseOp{}
	p.startOp(&o.op)
	o.Params = p.parseParams(parseOpParams, allowDeclaredOrKnown, true)
	o.Source = p.parseUnnamedOrMissing()
	o.With = p.expect(WITH)
	for {
		var x Expr
		switch p.kind(0) {
		case MUL:
			t := p.advance()
			x = &StarExpr{Star: source.Pos(t.pos)}
		case STRING:
			x = p.parseLiteral()
		default:
			x = p.parseCapture()
		}
		if x == nil {
			break
		}
		o.Pattern = append(o.Pattern, x)
	}
	return p.endOp(&o.op, o)
}

// parseCapture parses name or name:type in a parse pattern.
func (p *parser) parseCapture() Expr {
	if p.kind(0) == COLON {
		return p.parseMissingNameAndType()
	}
	name := p.parseName(true)
	if name == nil {
		return nil
	}
	prm := &Param{Name: name, Colon: source.NoPos, Assign: source.NoPos}
	if pos, ok := p.got(COLON); ok {
		prm.Colon = pos
		prm.Type = p.parseScalarType(false)
	}
	return prm
}

func (p *parser) parseParseKv() Operator {
	o := &ParseKvOp{}
	p.startOp(&o.op)
	o.Source = p.parseUnnamedOrMissing()
	o.As = p.expect(AS)
	o.Keys = p.requiredRowSchema()
	if _, ok := p.got(WITH); ok {
		p.expect(LPAREN)
		o.With = commaList(p, func() (*NamedParam, bool) {
			n, spec := p.scanParamName(parseKvWithParams, allowDeclared, false, 0)
			if n <= 0 {
				return nil, false
			}
			return p.finishParam(n, spec, parseKvWithParams, true), true
		}, p.missingNamedParam, p.atCommonEnd, false, false)
		p.expect(RPAREN)
	}
	return p.endOp(&o.op, o)
}

func (p *parser) missingNamedParam() *NamedParam {
	p.errMissing("Missing parameter", codeMissing)
	pos := p.nodePos()
	return &NamedParam{NamePos: pos, Assign: source.NoPos, Value: &BadExpr{From: pos, To: pos}}
}

func (p *parser) parseToTypeOf() *TypeOfExpr {
	if p.kind(0) == TYPEOF && p.kind(1) == LPAREN {
		return p.parseTypeOf().(*TypeOfExpr)
	}
	p.errMissing("Missing typeof", codeMissing)
	pos := p.nodePos()
	return &TypeOfExpr{TypeOf: pos, Lparen: source.NoPos, Rparen: pos - 1}
}

// parseMvItem parses expr [to typeof(type)] or to typeof(type) (mv-expand).
func (p *parser) parseMvItem() Expr { return p.parseMvItemOf(false) }

// parseMvApplyItem is parseMvItem for mv-apply, which reports a missing
// expression after the to typeof(...) clause rather than before it.
func (p *parser) parseMvApplyItem() Expr { return p.parseMvItemOf(true) }

func (p *parser) parseMvItemOf(apply bool) Expr {
	if p.kind(0) == TO {
		if apply {
			at, before := p.nodePos(), len(p.errs)
			to := p.advance()
			tt := p.parseToTypeOf()
			nerr := len(p.errs)
			x := p.missingExpr()
			p.moveErrors(before, nerr, at)
			x.(*BadExpr).From, x.(*BadExpr).To = at, at
			return &ToTypeExpr{X: x, To: source.Pos(to.pos), Type: tt}
		}
		x := p.missingExpr()
		to := p.advance()
		return &ToTypeExpr{X: x, To: source.Pos(to.pos), Type: p.parseToTypeOf()}
	}
	x := p.parseNamedExpr()
	if x == nil {
		return nil
	}
	if pos, ok := p.got(TO); ok {
		return &ToTypeExpr{X: x, To: pos, Type: p.parseToTypeOf()}
	}
	return x
}

func (p *parser) parseMvExpand() Operator {
	o := &MvExpandOp{}
	p.startOp(&o.op)
	o.Params = p.parseParams(mvExpandParams, allowDeclaredOrKnown, true)
	o.Items = commaList(p, exprOf(p.parseMvItem), p.missingExpr, p.endAt(LIMIT), true, false)
	if _, ok := p.got(LIMIT); ok {
		o.Limit = p.parseUnnamedOrMissing()
	}
	return p.endOp(&o.op, o)
}

func (p *parser) parseMvApply() Operator {
	o := &MvApplyOp{On: source.NoPos}
	p.startOp(&o.op)
	o.Params = p.parseParams(mvApplyParams, allowDeclaredOrKnown, true)
	handled := false
	if p.kind(0) == TO {
		save, nerr := p.i, len(p.errs)
		to := p.advance()
		tt := p.parseToTypeOf()
		if p.kind(0) != COMMA {
			o.Items = []Expr{&ToTypeExpr{To: source.Pos(to.pos), Type: tt}}
			handled = true
		} else {
			p.i, p.errs = save, p.errs[:nerr]
		}
	}
	if !handled {
		o.Items = commaList(p, exprOf(p.parseMvApplyItem), p.missingExpr, func() bool {
			switch p.kind(0) {
			case LIMIT, ID, ON:
				switch p.kind(1) {
				case COMMA, TO, ASSIGN:
				default:
					return true
				}
			}
			return p.atCommonEnd()
		}, true, false)
	}
	if _, ok := p.got(LIMIT); ok {
		o.Limit = p.parseUnnamedOrMissing()
	}
	if _, ok := p.got(ID); ok {
		o.ID = p.parseUnnamedOrMissing()
	}
	o.On = p.expect(ON)
	if lp, ok := p.got(LPAREN); ok {
		px := &ParenExpr{Lparen: lp}
		px.X = p.parseContextualSubquery()
		px.Rparen = p.closeOf(RPAREN)
		o.Subquery = px
	} else {
		p.errExpected("Expected: (", codeExpected)
		o.Subquery = p.bad()
	}
	return p.endOp(&o.op, o)
}

func (p *parser) parseMakeSeries() Operator {
	o := &MakeSeriesOp{On: source.NoPos, By: source.NoPos}
	p.startOp(&o.op)
	o.Params = p.parseParams(makeSeriesParams, allowDeclaredOrKnown, true)
	o.Aggs = commaList(p, exprOf(func() Expr {
		x := p.parseNamedExpr()
		if x == nil {
			return nil
		}
		if pos, ok := p.got(DEFAULT); ok {
			p.expect(ASSIGN)
			return &DefaultExpr{X: x, Default: pos, Value: p.namedOrMissing()}
		}
		return x
	}), p.missingExpr, p.endAt(ON, FROM, IN), true, false)
	o.On = p.expect(ON)
	o.Axis = p.namedOrMissing()
	switch p.kind(0) {
	case FROM, TO, STEP:
		if _, ok := p.got(FROM); ok {
			o.From = p.parseUnnamedOrMissing()
		}
		if _, ok := p.got(TO); ok {
			o.To = p.parseUnnamedOrMissing()
		}
		p.expect(STEP)
		o.Step = p.parseUnnamedOrMissing()
	default:
		p.expect(IN)
		p.expect(RANGE)
		l := &ListExpr{Lparen: p.expect(LPAREN)}
		l.Elems = commaList(p, exprOf(p.parseNamedExpr), p.missingExpr, p.atCommonEnd, false, false)
		l.Rparen = p.closeOf(RPAREN)
		if !l.Lparen.IsValid() {
			l.Lparen = l.Rparen
		}
		o.InRange = l
	}
	if pos, ok := p.got(BY); ok {
		o.By = pos
		o.Groups = commaList(p, exprOf(p.parseNamedExpr), p.missingExpr, nil, true, false)
	}
	return p.endOp(&o.op, o)
}

func (p *parser) parseTopNested() Operator {
	o := &TopNestedOp{}
	first := p.tok(0)
	o.Kw, o.KwPos = TOP_NESTED, source.Pos(first.pos)
	o.Clauses = commaList(p, func() (*TopNestedClause, bool) {
		pos, ok := p.got(TOP_NESTED)
		if !ok {
			return nil, false
		}
		c := &TopNestedClause{TopNested: pos}
		c.Count = p.parseNamedExpr()
		p.expect(OF)
		c.Of = p.namedOrMissing()
		if _, ok := p.got(WITH); ok {
			p.expect(OTHERS)
			p.expect(ASSIGN)
			if x := p.parseLiteral(); x != nil {
				c.Others = x
			} else {
				c.Others = p.parseUnnamedOrMissing()
			}
		}
		p.expect(BY)
		c.By = p.parseOrdered()
		if c.By == nil {
			c.By = p.missingExpr()
		}
		c.EndPos = p.prevEnd()
		return c, true
	}, func() *TopNestedClause {
		p.errMissing("Missing clause", codeMissing)
		pos := p.nodePos()
		b := &BadExpr{From: pos, To: pos}
		return &TopNestedClause{TopNested: pos, Of: b, By: b, EndPos: pos}
	}, p.atCommonEnd, true, false)
	return p.endOp(&o.op, o)
}

func (p *parser) parseEvaluate() Operator {
	o := &EvaluateOp{}
	p.startOp(&o.op)
	o.Params = p.parseParams(evaluateParams, allowDeclaredOrKnown, false)
	switch {
	case p.scanCallStart(0):
		o.Plugin = p.parseCall()
	case p.scanName(0) > 0:
		fun := p.parseName(false)
		lp := p.expect(LPAREN)
		rp := p.expect(RPAREN)
		if !rp.IsValid() {
			rp = fun.End() - 1
		}
		if !lp.IsValid() {
			lp = fun.End()
		}
		o.Plugin = &CallExpr{Fun: fun, Lparen: lp, Rparen: rp}
	default:
		o.Plugin = p.missing("function call")
	}
	if _, ok := p.got(COLON); ok {
		if s := p.parseRowSchemaWithStar(); s != nil {
			o.Schema = s
		} else {
			o.Schema = p.requiredRowSchema()
		}
	}
	return p.endOp(&o.op, o)
}

// parseRowSchemaWithStar parses an evaluate output schema ( [*,] cols ).
func (p *parser) parseRowSchemaWithStar() *Schema {
	lp, ok := p.got(LPAREN)
	if !ok {
		return nil
	}
	s := &Schema{Lparen: lp}
	p.got(COMMA)
	if t := p.tok(0); t.kind == MUL {
		p.advance()
		p.got(COMMA)
		s.Columns = append(s.Columns, &Param{Name: &Ident{NamePos: source.Pos(t.pos), EndPos: source.Pos(t.end), Name: "*", Wildcard: true}, Colon: source.NoPos, Assign: source.NoPos})
	}
	s.Columns = append(s.Columns, commaList(p, p.parseNameAndTypeOK, p.missingParam, p.atCommonEnd, false, true)...)
	s.Rparen = p.expect(RPAREN)
	s.EndPos = p.prevEnd()
	return s
}

func (p *parser) parseInvoke() Operator {
	o := &InvokeOp{}
	p.startOp(&o.op)
	if p.scanCallStart(0) {
		var x Expr = p.parseCall()
		for p.kind(0) == DOT && p.scanCallStart(1) {
			dot := p.advance()
			x = &SelectorExpr{X: x, Dot: source.Pos(dot.pos), Sel: p.parseCall()}
		}
		o.Call = x
	} else {
		o.Call = p.missingExpr()
	}
	return p.endOp(&o.op, o)
}

func (p *parser) parseAs() Operator {
	o := &AsOp{}
	p.startOp(&o.op)
	o.Params = p.parseParams(asParams, allowDeclaredOrKnown, true)
	o.Alias = p.parseName(false)
	if o.Alias == nil {
		o.Alias = p.missingName()
	}
	return p.endOp(&o.op, o)
}

func (p *parser) parseConsume() Operator {
	o := &ConsumeOp{}
	p.startOp(&o.op)
	o.Params = p.parseParams(consumeParams, allowDeclaredOrKnown, false)
	return p.endOp(&o.op, o)
}

func (p *parser) parseRange() Operator {
	o := &RangeOp{}
	p.startOp(&o.op)
	o.Column = p.parseName(false)
	if o.Column == nil {
		o.Column = p.missingName()
	}
	p.expect(FROM)
	o.From = p.parseUnnamedOrMissing()
	p.expect(TO)
	o.To = p.parseUnnamedOrMissing()
	p.expect(STEP)
	o.Step = p.parseUnnamedOrMissing()
	return p.endOp(&o.op, o)
}

func (p *parser) parsePrint() Operator {
	o := &PrintOp{}
	p.startOp(&o.op)
	o.Exprs = commaList(p, exprOf(p.parseNamedExpr), p.missingExpr, p.atCommonEnd, true, false)
	return p.endOp(&o.op, o)
}

func (p *parser) parseRender() Operator {
	o := &RenderOp{}
	p.startOp(&o.op)
	t := p.tok(0)
	if chartTypes[p.text(t)] || t.kind == IDENT {
		p.advance()
		o.Chart = p.identOf(t)
	} else {
		p.errExpected("Expected one of: table, list, barchart, piechart, ladderchart, timechart, linechart, anomalychart, pivotchart, areachart, stackedareachart, scatterchart, timepivot, columnchart, timeline, 3Dchart, card, treemap, plotly, graph, sankey", codeExpected)
		o.Chart = p.missingNameQuiet()
	}
	for {
		var np *NamedParam
		for _, spec := range renderLegacyParams {
			if np = p.parseNamedParam(spec, allowDeclared, true); np != nil {
				break
			}
		}
		if np == nil && p.kind(0) == WITH && p.kind(1) != LPAREN {
			np = p.finishParam(1, paramSpec{name: "with", kind: pvAny, missing: "string", noEquals: true}, nil, false)
		}
		if np == nil && p.kind(0) == BY {
			np = p.finishParam(1, paramSpec{name: "by", kind: pvColumnList, noEquals: true}, renderLegacyParams, false)
		}
		if np == nil {
			break
		}
		o.Params = append(o.Params, np)
	}
	if _, ok := p.got(WITH); ok {
		p.expect(LPAREN)
		p.got(COMMA)
		o.With = commaList(p, func() (*NamedParam, bool) {
			n, spec := p.scanParamName(renderWithParams, allowDeclared, false, 0)
			if n <= 0 {
				return nil, false
			}
			return p.finishParam(n, spec, renderWithParams, true), true
		}, p.missingNamedParam, p.atCommonEnd, false, false)
		p.expect(RPAREN)
	}
	return p.endOp(&o.op, o)
}

func (p *parser) parseFork() Operator {
	o := &ForkOp{}
	p.startOp(&o.op)
	for {
		b := p.parseForkBranch()
		if b == nil {
			break
		}
		o.Branches = append(o.Branches, b)
	}
	if len(o.Branches) == 0 {
		p.errExpected("Expected: (", codeExpected)
	}
	return p.endOp(&o.op, o)
}

func (p *parser) parseForkBranch() *ForkBranch {
	b := &ForkBranch{}
	if n := p.scanName(0); n > 0 && p.kind(n) == ASSIGN {
		b.Name = p.parseName(false)
		p.advance()
		b.Lparen = p.expect(LPAREN)
	} else if lp, ok := p.got(LPAREN); ok {
		b.Lparen = lp
	} else {
		return nil
	}
	b.Query = p.parseForkPipe()
	if b.Query == nil {
		b.Query = p.parseExpr()
	}
	if b.Query == nil {
		b.Query = p.missingExpr()
	}
	b.Rparen = p.expect(RPAREN)
	b.EndPos = p.prevEnd()
	return b
}

// parseForkPipe parses a pipeline that starts with an operator, or nil.
func (p *parser) parseForkPipe() Expr {
	var x Operator = p.parsePipedOperator()
	if x == nil {
		x = p.parseUnpipedOperator()
	}
	if x == nil {
		return nil
	}
	return p.parsePipes(x)
}

func (p *parser) parseFacet() Operator {
	o := &FacetOp{}
	p.startOp(&o.op)
	p.expect(BY)
	o.Columns = commaList(p, exprOf(p.parseSimplePath), func() Expr { return p.missingName() }, p.endAt(WITH), true, false)
	if _, ok := p.got(WITH); ok {
		if lp, ok := p.got(LPAREN); ok {
			px := &ParenExpr{Lparen: lp}
			px.X = p.parseForkPipe()
			if px.X == nil {
				px.X = p.missing("query operator")
			}
			px.Rparen = p.closeOf(RPAREN)
			o.With = px
		} else if x := p.parsePipedOperator(); x != nil {
			o.With = x
		} else if x := p.parseUnpipedOperator(); x != nil {
			o.With = x
		} else {
			o.With = p.parseRequiredOperator()
		}
	}
	return p.endOp(&o.op, o)
}

func (p *parser) parseFindIn() []Expr {
	if _, ok := p.got(IN); !ok {
		return nil
	}
	p.expect(LPAREN)
	l := commaList(p, exprOf(p.parseFindOperand), p.missingExpr, p.atCommonEnd, true, false)
	p.expect(RPAREN)
	return l
}

func (p *parser) parseFindOperand() Expr {
	return p.parseUnionOperand()
}

// parseDataScopeClause parses datascope=all|hotcache when it is next.
func (p *parser) parseDataScopeClause() *Ident {
	if p.kind(0) != DATASCOPE {
		return nil
	}
	p.advance()
	p.expect(ASSIGN)
	if t := p.tok(0); p.text(t) == "all" || t.kind == HOTCACHE {
		p.advance()
		return p.identOf(t)
	}
	p.errExpected("Expected one of: all, hotcache", codeExpected)
	return p.missingNameQuiet()
}

func (p *parser) parseSearch() Operator {
	o := &SearchOp{}
	p.startOp(&o.op)
	o.Params = p.parseParams(searchParams, allowDeclaredOrKnown, true)
	o.DataScope = p.parseDataScopeClause()
	o.In = p.parseFindIn()
	x := p.parseUnnamedExpr()
	if x == nil {
		if t := p.tok(0); t.kind == MUL {
			p.advance()
			x = &StarExpr{Star: source.Pos(t.pos)}
			if a, ok := p.got(AND); ok {
				x = &BinaryExpr{X: x, OpPos: a, Op: AND, Y: p.parseUnnamedOrMissing()}
			}
		}
	}
	if x == nil {
		x = p.missingExpr()
	}
	o.Pred = x
	return p.endOp(&o.op, o)
}

func (p *parser) parseFind() Operator {
	o := &FindOp{}
	p.startOp(&o.op)
	o.DataScope = p.parseDataScopeClause()
	o.Params = p.parseParams(findParams, allowDeclaredOrKnown, false)
	o.In = p.parseFindIn()
	if len(o.Params) > 0 || o.In != nil {
		p.expect(WHERE)
	} else {
		p.got(WHERE)
	}
	o.Pred = p.parseUnnamedOrMissing()
	switch p.kind(0) {
	case PROJECT:
		p.advance()
		o.ProjectKw = PROJECT
		o.Project = commaList(p, exprOf(func() Expr {
			if t := p.tok(0); t.kind == MUL {
				p.advance()
				return &StarExpr{Star: source.Pos(t.pos)}
			}
			if p.kind(0) == PACK && p.kind(1) == LPAREN {
				return p.parseCall()
			}
			name := p.parseName(false)
			if name == nil {
				return nil
			}
			if c, ok := p.got(COLON); ok {
				return &Param{Name: name, Colon: c, Type: p.parseScalarType(true), Assign: source.NoPos}
			}
			return name
		}), p.missingExpr, nil, true, false)
	case PROJECT_SMART:
		p.advance()
		o.ProjectKw = PROJECT_SMART
	}
	return p.endOp(&o.op, o)
}

func (p *parser) parsePartition() Operator {
	o := &PartitionOp{}
	p.startOp(&o.op)
	o.Params = p.parseParams(partitionParams, allowDeclaredOrKnown, false)
	p.expect(BY)
	o.Column = p.parseSimplePath()
	if o.Column == nil {
		o.Column = p.missingName()
	}
	if _, ok := p.got(IN); ok {
		switch {
		case p.scanCallStart(0):
			o.Scope = p.parseCall()
		case p.kind(0) == TYPE_DYNAMIC && p.kind(1) == LPAREN:
			o.Scope = p.parseDynamic()
		default:
			o.Scope = p.missingExpr()
		}
	}
	switch p.kind(0) {
	case LBRACE:
		lb := p.advance()
		o.Brace = true
		px := &ParenExpr{Lparen: source.Pos(lb.pos)}
		px.X = p.parseExpr()
		if px.X == nil {
			px.X = p.missingExpr()
		}
		px.Rparen = p.closeOf(RBRACE)
		o.Subquery = px
	case LPAREN:
		lp := p.advance()
		px := &ParenExpr{Lparen: source.Pos(lp.pos)}
		if x := p.parseForkPipe(); x != nil {
			px.X = x
		} else if x := p.parseExpr(); x != nil {
			px.X = x
		} else {
			px.X = p.missingExpr()
		}
		px.Rparen = p.closeOf(RPAREN)
		o.Subquery = px
	default:
		p.errExpected("Expected: (", codeExpected)
		o.Subquery = p.bad()
	}
	return p.endOp(&o.op, o)
}

func (p *parser) parseReduce() Operator {
	o := &ReduceOp{}
	p.startOp(&o.op)
	o.Params = p.parseParams(reduceWithParams, allowDeclaredOrKnown, false)
	p.expect(BY)
	o.By = p.namedOrMissing()
	if _, ok := p.got(WITH); ok {
		o.With = commaList(p, func() (*NamedParam, bool) {
			n, spec := p.scanParamName(reduceWithParams, allowDeclaredOrKnown, false, 0)
			if n <= 0 {
				return nil, false
			}
			return p.finishParam(n, spec, reduceWithParams, true), true
		}, p.missingNamedParam, p.atCommonEnd, false, false)
	}
	return p.endOp(&o.op, o)
}

func (p *parser) parseScan() Operator {
	o := &ScanOp{}
	p.startOp(&o.op)
	o.Params = p.parseParams(scanParams, allowDeclaredOrKnown, false)
	scanEnd := p.endAt(PARTITION, ORDER, BY, DECLARE, WITH)
	if _, ok := p.got(ORDER); ok {
		p.expect(BY)
		o.OrderBy = commaList(p, exprOf(p.parseOrdered), p.missingExpr, scanEnd, true, false)
	}
	if _, ok := p.got(PARTITION); ok {
		p.expect(BY)
		o.PartitionBy = commaList(p, exprOf(p.parseUnnamedExpr), p.missingExpr, scanEnd, true, false)
	}
	if _, ok := p.got(DECLARE); ok {
		p.expect(LPAREN)
		o.Declare = commaList(p, p.parseFuncParam, p.missingParam, p.atCommonEnd, false, false)
		p.expect(RPAREN)
	}
	p.expect(WITH)
	p.expect(LPAREN)
	for !p.atCommonEnd() {
		st := p.parseScanStep()
		if st == nil {
			break
		}
		o.Steps = append(o.Steps, st)
	}
	p.expect(RPAREN)
	return p.endOp(&o.op, o)
}

func (p *parser) parseScanStep() *ScanStep {
	pos, ok := p.got(STEP)
	if !ok {
		return nil
	}
	s := &ScanStep{Step: pos}
	s.Name = p.parseName(true)
	if s.Name == nil {
		s.Name = p.missingName()
	}
	if _, ok := p.got(OPTIONAL); ok {
		s.Optional = true
	}
	if _, ok := p.got(OUTPUT); ok {
		p.expect(ASSIGN)
		switch t := p.tok(0); p.text(t) {
		case "all", "last", "none":
			p.advance()
			s.Output = p.text(t)
		default:
			p.errExpected("Expected one of: all, last, none", codeExpected)
		}
	}
	p.expect(COLON)
	s.Cond = p.parseUnnamedOrMissing()
	if _, ok := p.got(FATARROW); ok {
		s.Assigns = commaList(p, exprOf(func() Expr {
			name := p.parseName(true)
			if name == nil {
				return nil
			}
			assign := p.expect(ASSIGN)
			return newNamed(name, assign, p.parseUnnamedOrMissing())
		}), func() Expr { return p.missingName() }, p.atCommonEnd, true, false)
	}
	p.expect(SEMICOLON)
	s.EndPos = p.prevEnd()
	return s
}
