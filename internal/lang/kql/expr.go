package kql

import "github.com/detwiki/detwiki/internal/source"

// Expression grammar, from loosest to tightest binding (Kusto's own
// precedence):
//
//	or
//	and
//	== != <> in in~ !in !in~ has_any has_all between !between  (one per level)
//	< <= > >=                                                  (one per level)
//	+ -
//	* / %
//	=~ !~ has !has contains ... matches regex like : ...       (one per level)
//	unary + -
//	postfix . [ ] and primary expressions

// parseExpr parses a possibly tabular expression (a pipeline).
func (p *parser) parseExpr() Expr { return p.parsePipeExpr() }

func (p *parser) parsePipeExpr() Expr {
	var x Expr
	if p.scanPossibleQueryOperator() {
		x = p.parseUnpipedOperator()
		if x == nil {
			x = p.parsePipedOperator()
		}
		if x == nil {
			x = p.parseUnnamedExpr()
		}
	} else {
		x = p.parseUnnamedExpr()
		if x == nil {
			x = p.parseUnpipedOperator()
		}
		if x == nil {
			x = p.parsePipedOperator()
		}
	}
	if x == nil {
		return nil
	}
	return p.parsePipes(x)
}

// parsePipes parses | op | op ... after the pipeline's source.
func (p *parser) parsePipes(x Expr) Expr {
	if p.kind(0) != BAR {
		return x
	}
	pe := &PipeExpr{Source: x}
	// The two stacks grow apart while an operator is parsed (its bar is
	// pushed first), so each keeps its own mark.
	start, barStart := len(p.opStack), len(p.barStack)
	for p.kind(0) == BAR {
		bar := p.advance()
		p.barStack = append(p.barStack, source.Pos(bar.pos))
		op := p.parseRequiredOperator()
		p.opStack = append(p.opStack, op)
	}
	pe.Ops = append([]Operator(nil), p.opStack[start:]...)
	pe.Bars = append([]source.Pos(nil), p.barStack[barStart:]...)
	clear(p.opStack[start:])
	p.opStack, p.barStack = p.opStack[:start], p.barStack[:barStart]
	return pe
}

// parseSubPipe parses a pipeline that starts with an operator (mv-apply,
// partition, fork, facet subqueries).
func (p *parser) parseSubPipe() Expr {
	return p.parsePipes(p.parseRequiredOperator())
}

func (p *parser) parseUnnamedOrMissing() Expr {
	if x := p.parseUnnamedExpr(); x != nil {
		return x
	}
	return p.missingExpr()
}

// parseUnnamedExpr parses a scalar expression (no name = value).
func (p *parser) parseUnnamedExpr() Expr {
	p.enter()
	defer p.leave()
	switch p.kind(1) {
	case COMMA, RPAREN, RBRACE, RBRACK, BAR:
		switch p.kind(0) {
		case IDENT, BOOL, LONG, REAL, DECIMAL, DATETIME, TIMESPAN, GUID, RAWGUID, INT:
			return p.parsePrimary()
		}
	}
	return p.parseOr()
}

func (p *parser) parseOr() Expr {
	x := p.parseAnd()
	if x == nil {
		return nil
	}
	for p.kind(0) == OR {
		t := p.advance()
		y := p.parseAnd()
		if y == nil {
			y = p.missingExpr()
		}
		x = &BinaryExpr{X: x, OpPos: source.Pos(t.pos), Op: OR, Y: y}
	}
	return x
}

func (p *parser) parseAnd() Expr {
	x := p.parseEquality()
	if x == nil {
		return nil
	}
	for p.kind(0) == AND {
		t := p.advance()
		y := p.parseEquality()
		if y == nil {
			y = p.missingExpr()
		}
		x = &BinaryExpr{X: x, OpPos: source.Pos(t.pos), Op: AND, Y: y}
	}
	return x
}

func (p *parser) parseEquality() Expr {
	if p.kind(0) == MUL && p.kind(1) == EQL {
		star := p.advance()
		t := p.advance()
		return &BinaryExpr{X: &StarExpr{Star: source.Pos(star.pos)}, OpPos: source.Pos(t.pos), Op: EQL, Y: p.relationalOrMissing()}
	}
	x := p.parseRelational()
	if x == nil {
		return nil
	}
	switch k := p.kind(0); k {
	case EQL:
		t := p.advance()
		return &BinaryExpr{X: x, OpPos: source.Pos(t.pos), Op: k, Y: p.relationalOrMissing()}
	case NEQ, LSSGTR:
		t := p.advance()
		y := p.parseRelational()
		if y == nil {
			p.errMissing("Expected: token", codeExpected)
			y = p.bad()
		}
		return &BinaryExpr{X: x, OpPos: source.Pos(t.pos), Op: k, Y: y}
	case IN:
		if p.kind(1) == RANGE {
			return x
		}
		fallthrough
	case IN_CI, NOT_IN, NOT_IN_CI, HAS_ANY, HAS_ALL:
		t := p.advance()
		return &InExpr{X: x, OpPos: source.Pos(t.pos), Op: k, List: p.parseInList()}
	case BETWEEN, NOT_BETWEEN:
		t := p.advance()
		b := &BetweenExpr{X: x, OpPos: source.Pos(t.pos), Op: k}
		b.Lparen = p.expect(LPAREN)
		b.Low = p.parseUnnamedOrMissing()
		b.DotDot = p.expect(DOTDOT)
		b.High = p.parseUnnamedOrMissing()
		b.Rparen = p.closeOf(RPAREN)
		return b
	}
	return x
}

func (p *parser) relationalOrMissing() Expr {
	if y := p.parseRelational(); y != nil {
		return y
	}
	return p.missingExpr()
}

// parseInList parses the ( list ) of in, !in, has_any, ...: either one
// tabular expression or a list of scalar expressions.
func (p *parser) parseInList() *ListExpr {
	l := &ListExpr{Lparen: p.expect(LPAREN)}
	if p.scanIsQueryExpr() {
		x := p.parseExpr()
		if x == nil {
			x = p.missingExpr()
		}
		l.Elems = []Expr{x}
	} else {
		l.Elems = commaList(p, exprOf(p.parseUnnamedExpr), p.missingExpr, p.atCommonEnd, true, false)
	}
	l.Rparen = p.closeOf(RPAREN)
	if !l.Lparen.IsValid() {
		if len(l.Elems) > 0 {
			l.Lparen = l.Elems[0].Pos()
		} else {
			l.Lparen = l.Rparen
		}
	}
	return l
}

// scanIsQueryExpr reports whether a tabular expression starts here: a
// query operator, or a '|' before the end of the expression.
func (p *parser) scanIsQueryExpr() bool {
	if p.scanPossibleQueryOperator() {
		return true
	}
	depth := 0
	for o := 0; ; o++ {
		switch p.kind(o) {
		case EOF, SEMICOLON:
			return false
		case COMMA:
			if depth == 0 {
				return false
			}
		case RPAREN:
			if depth == 0 {
				return false
			}
			depth--
		case LPAREN:
			depth++
		case BAR:
			if depth == 0 {
				return true
			}
		}
	}
}

func (p *parser) parseRelational() Expr {
	x := p.parseAdditive()
	if x == nil {
		return nil
	}
	switch k := p.kind(0); k {
	case LSS, LEQ, GTR, GEQ:
		t := p.advance()
		y := p.parseAdditive()
		if y == nil {
			y = p.missingExpr()
		}
		x = &BinaryExpr{X: x, OpPos: source.Pos(t.pos), Op: k, Y: y}
	}
	return x
}

func (p *parser) parseAdditive() Expr {
	x := p.parseMultiplicative()
	if x == nil {
		return nil
	}
	for k := p.kind(0); k == ADD || k == SUB; k = p.kind(0) {
		t := p.advance()
		y := p.parseMultiplicative()
		if y == nil {
			y = p.missingExpr()
		}
		x = &BinaryExpr{X: x, OpPos: source.Pos(t.pos), Op: k, Y: y}
	}
	return x
}

func (p *parser) parseMultiplicative() Expr {
	x := p.parseStringOp()
	if x == nil {
		return nil
	}
	for k := p.kind(0); k == MUL || k == QUO || k == REM; k = p.kind(0) {
		t := p.advance()
		y := p.parseStringOp()
		if y == nil {
			y = p.missingExpr()
		}
		x = &BinaryExpr{X: x, OpPos: source.Pos(t.pos), Op: k, Y: y}
	}
	return x
}

// IsStringOp reports whether t is one of Kusto's string operators (=~, !~,
// has, !has, has_cs, hasprefix, contains, startswith, endswith, like,
// matches regex, ... and their _cs and negated forms) or the search ':'.
func IsStringOp(t Token) bool {
	switch t {
	case EQTILDE, NEQTILDE, HAS, NOT_HAS, HAS_CS, NOT_HAS_CS, HASPREFIX, NOT_HASPREFIX,
		HASPREFIX_CS, NOT_HASPREFIX_CS, HASSUFFIX, NOT_HASSUFFIX, HASSUFFIX_CS, NOT_HASSUFFIX_CS,
		LIKE, NOTLIKE, LIKECS, NOTLIKECS, CONTAINS, NOTCONTAINS, NOT_CONTAINS, CONTAINSCS, CONTAINS_CS,
		NOTCONTAINSCS, NOT_CONTAINS_CS, STARTSWITH, NOT_STARTSWITH, STARTSWITH_CS, NOT_STARTSWITH_CS,
		ENDSWITH, NOT_ENDSWITH, ENDSWITH_CS, NOT_ENDSWITH_CS, MATCHES_REGEX, COLON:
		return true
	}
	return false
}

func (p *parser) parseStringOp() Expr {
	if p.kind(0) == MUL && IsStringOp(p.kind(1)) {
		star := p.advance()
		t := p.advance()
		return &BinaryExpr{X: &StarExpr{Star: source.Pos(star.pos)}, OpPos: source.Pos(t.pos), Op: t.kind, Y: p.unaryOrMissing()}
	}
	x := p.parseUnary()
	if x != nil && IsStringOp(p.kind(0)) {
		t := p.advance()
		x = &BinaryExpr{X: x, OpPos: source.Pos(t.pos), Op: t.kind, Y: p.unaryOrMissing()}
	}
	return x
}

func (p *parser) unaryOrMissing() Expr {
	if y := p.parseUnary(); y != nil {
		return y
	}
	return p.missingExpr()
}

func (p *parser) parseUnary() Expr {
	switch k := p.kind(0); k {
	case SUB, ADD:
		t := p.advance()
		x := p.parsePostfix()
		if x == nil {
			x = p.missingExpr()
		}
		return &UnaryExpr{OpPos: source.Pos(t.pos), Op: k, X: x}
	}
	return p.parsePostfix()
}

// parsePostfix parses a primary expression followed by .name, .f() and [i].
func (p *parser) parsePostfix() Expr {
	if p.kind(0) == TOTABLE {
		return p.parseToScalar()
	}
	x := p.parsePrimary()
	for x != nil {
		switch p.kind(0) {
		case DOT:
			dot := p.advance()
			sel := p.parsePathSelectorOrCall()
			if sel == nil {
				sel = p.missingName()
			}
			x = &SelectorExpr{X: x, Dot: source.Pos(dot.pos), Sel: sel}
		case LBRACK:
			x = p.parseIndex(x)
		default:
			return x
		}
	}
	return x
}

func (p *parser) parseIndex(x Expr) Expr {
	lb := p.advance()
	ix := &IndexExpr{X: x, Lbrack: source.Pos(lb.pos)}
	ix.Index = p.parseUnnamedExpr()
	if ix.Index == nil {
		ix.Index = p.missingName()
	}
	ix.Rbrack = p.closeOf(RBRACK)
	return ix
}

func (p *parser) parsePathSelectorOrCall() Expr {
	if p.scanCallStart(0) {
		return p.parseCall()
	}
	return p.parsePathSelector()
}

// parsePathSelector parses what may follow a '.': a name, a bracketed name
// or expression, @, kind/withsource.
func (p *parser) parsePathSelector() Expr {
	if p.kind(0) == LBRACK {
		if id := p.parseBracketedWildcardName(); id != nil {
			return id
		}
		if id := p.parseBracketedName(); id != nil {
			return id
		}
		lb := p.advance()
		bx := &BracketExpr{Lbrack: source.Pos(lb.pos)}
		bx.X = p.parseUnnamedExpr()
		if bx.X == nil {
			bx.X = p.missingName()
		}
		bx.Rbrack = p.closeOf(RBRACK)
		return bx
	}
	return p.parseBarePathSelector()
}

func (p *parser) parseBarePathSelector() Expr {
	t := p.tok(0)
	if t.kind == AT || t.kind.isSpecialIdent() {
		p.advance()
		return p.identOf(t)
	}
	if id := p.parseName(false); id != nil {
		return id
	}
	return nil
}

// parsePrimary parses literals, parenthesized expressions, calls, names and
// the expression-level table constructs (datatable, externaldata,
// toscalar).
func (p *parser) parsePrimary() Expr {
	switch p.kind(0) {
	case LONG, REAL, BOOL, INT, DECIMAL, TIMESPAN, DATETIME, GUID, RAWGUID, STRING, TYPE_DYNAMIC:
		return p.parseLiteral()
	case DATATABLE:
		return p.parseDataTable()
	case EXTERNALDATA, EXTERNAL_DATA:
		return p.parseExternalData()
	case LPAREN:
		return p.parseParen()
	case TOSCALAR:
		return p.parseToScalar()
	case HIDDEN_CONTEXTUAL_DATATABLE:
		return p.parseContextualDataTable()
	case MATERIALIZED_VIEW_COMBINE:
		return p.parseMaterializedViewCombine()
	}
	if p.scanTypeOfLiteral() {
		return p.parseTypeOf()
	}
	if p.scanCallStart(0) {
		return p.parseCall()
	}
	if x := p.parsePathSelector(); x != nil {
		if p.kind(0) == DATASCOPE {
			return p.parseDataScope(x)
		}
		return x
	}
	return p.parseKeywordAsName()
}

// parseDataScope parses the datascope=value after x.
func (p *parser) parseDataScope(x Expr) Expr {
	pos := p.pos()
	return &DataScopeExpr{X: x, DataScope: pos, Value: p.parseDataScopeClause()}
}

// parseEntityGroup parses entity_group [a, b] or entity_group(...).
func (p *parser) parseEntityGroup() Expr {
	if p.scanCallStart(0) {
		return p.parseCall()
	}
	kw := p.advance()
	g := &EntityGroupExpr{EntityGroup: source.Pos(kw.pos)}
	g.Lbrack = p.expect(LBRACK)
	g.Elems = commaList(p, exprOf(p.parseUnnamedExpr), p.missingExpr, p.atCommonEnd, true, false)
	g.Rbrack = p.closeOf(RBRACK)
	return g
}

func (p *parser) parseContextualDataTable() Expr {
	kw := p.advance()
	c := &ContextualDataTableExpr{KwPos: source.Pos(kw.pos)}
	c.ID = p.parseLiteral()
	if c.ID == nil {
		c.ID = p.parseUnnamedOrMissing()
	}
	c.Schema = p.requiredRowSchema()
	return c
}

func (p *parser) parseMaterializedViewCombine() Expr {
	kw := p.advance()
	m := &MaterializedViewCombineExpr{KwPos: source.Pos(kw.pos)}
	p.expect(LPAREN)
	m.View = p.parseExpr()
	if m.View == nil {
		m.View = p.missingExpr()
	}
	p.expect(RPAREN)
	clause := func(name string) Expr {
		if n := p.matchText(0, name); n > 0 {
			p.skip(n)
			p.expect(LPAREN)
			var x Expr
			if name == "aggregations" {
				if p.kind(0) == SUMMARIZE {
					x = p.parseSummarize()
				}
			} else {
				x = p.parseExpr()
			}
			if x == nil {
				x = p.missingExpr()
			}
			p.expect(RPAREN)
			return x
		}
		return p.missing(name + " clause")
	}
	m.Base = clause("base")
	m.Delta = clause("delta")
	m.Aggregations = clause("aggregations")
	m.EndPos = p.prevEnd()
	return m
}

// parseKeywordAsName accepts a keyword where a name was clearly meant
// (followed by an operator or a closing token), reporting that it needs
// brackets.
func (p *parser) parseKeywordAsName() Expr {
	t := p.tok(0)
	if !t.kind.IsKeyword() {
		return nil
	}
	switch p.kind(1) {
	case AND, OR, EQL, NEQ, EQTILDE, NEQTILDE, GTR, GEQ, LSS, LEQ, MUL, QUO, REM,
		HAS, NOT_HAS, HAS_CS, NOT_HAS_CS, HASPREFIX, NOT_HASPREFIX, HASPREFIX_CS, NOT_HASPREFIX_CS,
		HASSUFFIX, NOT_HASSUFFIX, HASSUFFIX_CS, NOT_HASSUFFIX_CS, LIKE, NOTLIKE, LIKECS, NOTLIKECS,
		CONTAINS, NOTCONTAINS, NOT_CONTAINS, CONTAINSCS, CONTAINS_CS, NOTCONTAINSCS, NOT_CONTAINS_CS,
		STARTSWITH, NOT_STARTSWITH, STARTSWITH_CS, NOT_STARTSWITH_CS, ENDSWITH, NOT_ENDSWITH,
		ENDSWITH_CS, NOT_ENDSWITH_CS, MATCHES_REGEX, IN, IN_CI, NOT_IN, NOT_IN_CI, HAS_ANY, HAS_ALL,
		BETWEEN, NOT_BETWEEN, RPAREN, RBRACK, RBRACE, DOT, COMMA, COLON, BAR:
		p.advance()
		name := p.text(t)
		p.errAt(t.pos, t.end, "The name '"+name+"' needs to be bracketed as "+bracketName(name)+" to be used in this context.", codeBracket)
		return p.identOf(t)
	}
	return nil
}

func (p *parser) parseParen() Expr {
	lp := p.advance()
	x := &ParenExpr{Lparen: source.Pos(lp.pos)}
	x.X = p.parseExpr()
	if x.X == nil {
		x.X = p.missingExpr()
	}
	x.Rparen = p.closeOf(RPAREN)
	return x
}

func (p *parser) parseToScalar() Expr {
	t := p.advance()
	x := &ToScalarExpr{KwPos: source.Pos(t.pos), Keyword: t.kind}
	if np := p.parseNamedParam(kindParam, allowDeclared, false); np != nil {
		x.Params = []*NamedParam{np}
	}
	x.Lparen = p.expect(LPAREN)
	x.X = p.parseExpr()
	if x.X == nil {
		x.X = p.missingExpr()
	}
	x.Rparen = p.closeOf(RPAREN)
	return x
}

// scanCallStart reports whether a function call starts at offset o. A
// braced name must be written without spaces ({name}); Microsoft's parser
// crashes on { name }( instead.
func (p *parser) scanCallStart(o int) bool {
	n := p.scanName(o)
	if n == 3 && p.kind(o) == LBRACE && p.scanBracedName(o) != 3 {
		return false
	}
	return n > 0 && p.kind(o+n) == LPAREN
}

func (p *parser) parseCall() Expr {
	fun := p.parseName(false)
	if fun == nil {
		fun = p.missingName()
	}
	c := &CallExpr{Fun: fun}
	lp := p.advance()
	c.Lparen = source.Pos(lp.pos)
	c.Args = commaList(p, exprOf(p.parseArgument), p.missingExpr, p.atCommonEnd, false, false)
	c.Rparen = p.closeOf(RPAREN)
	return c
}

func (p *parser) parseArgument() Expr {
	if p.kind(0) == MUL && (p.kind(1) == RPAREN || p.kind(1) == COMMA) {
		t := p.advance()
		return &StarExpr{Star: source.Pos(t.pos)}
	}
	return p.parseNamedExpr()
}

// parseNamedExpr parses name = expr, (a, b) = expr, or an unnamed
// expression.
func (p *parser) parseNamedExpr() Expr {
	if n := p.scanRenameName(0); n > 0 && p.kind(n) == ASSIGN {
		name := p.parseRenameName()
		t := p.advance()
		return newNamed(name, source.Pos(t.pos), p.parseUnnamedOrMissing())
	}
	if n := p.scanDashedName(0); n > 0 && p.kind(n) == ASSIGN {
		first, last := p.tok(0), p.tok(n-1)
		name := &Ident{NamePos: source.Pos(first.pos), EndPos: source.Pos(last.end), Name: p.src[first.pos:last.end]}
		p.errAt(first.pos, last.end, "The name '"+name.Name+"' needs to be bracketed as "+bracketName(name.Name)+" to be used in this context.", codeBracket)
		p.skip(n)
		t := p.advance()
		return newNamed(name, source.Pos(t.pos), p.parseUnnamedOrMissing())
	}
	if n := p.scanRenameList(0); n > 0 && p.kind(n) == ASSIGN {
		lp := p.advance()
		x := &NamedExpr{Lparen: source.Pos(lp.pos)}
		x.Names = commaList(p, func() (*Ident, bool) {
			id := p.parseRenameName()
			return id, id != nil
		}, p.missingName, p.atCommonEnd, true, false)
		x.Rparen = p.expect(RPAREN)
		x.Assign = p.expect(ASSIGN)
		x.Value = p.parseUnnamedOrMissing()
		return x
	}
	return p.parseUnnamedExpr()
}

// scanRenameList matches ( name, name, ... ).
func (p *parser) scanRenameList(o int) int {
	if p.kind(o) != LPAREN {
		return -1
	}
	start := o
	o++
	for !isCommonEnd(p.kind(o)) {
		n := p.scanRenameName(o)
		if n <= 0 {
			return -1
		}
		o += n
		if p.kind(o) != COMMA {
			break
		}
		o++
	}
	if p.kind(o) != RPAREN {
		return -1
	}
	return o + 1 - start
}

// ---------------------------------------------------------------------------
// Literals

func (p *parser) literalToken() *BasicLit {
	t := p.advance()
	return p.newLit(source.Pos(t.pos), source.Pos(t.end), t.kind, p.text(t))
}

// parseLiteral parses a literal: strings (adjacent strings join), numbers,
// typed literals, dynamic(...), signed numbers, typeof(...) and {client
// parameters}. It returns nil when no literal starts here.
func (p *parser) parseLiteral() Expr {
	switch k := p.kind(0); k {
	case STRING:
		first := p.advance()
		last := first
		for p.kind(0) == STRING {
			last = p.advance()
		}
		return p.newLit(source.Pos(first.pos), source.Pos(last.end), STRING, p.src[first.pos:last.end])
	case BOOL, LONG, REAL, DECIMAL, INT, GUID, DATETIME, TIMESPAN:
		return p.literalToken()
	case RAWGUID:
		t := p.tok(0)
		p.errAt(t.pos, t.end, "Raw guid literals are not allowed in this context, use guid(...) instead.", codeRawGUID)
		return p.literalToken()
	case TYPE_DYNAMIC:
		return p.parseDynamic()
	case ADD, SUB:
		if p.scanSignedNumber() {
			sign := p.advance()
			num := p.advance()
			return &BasicLit{ValuePos: source.Pos(sign.pos), EndPos: source.Pos(num.end), Kind: num.kind, Raw: p.src[sign.pos:num.end]}
		}
	case TYPEOF:
		if p.kind(1) == LPAREN {
			return p.parseTypeOf()
		}
	case LBRACE:
		if id := p.parseBracedName(); id != nil {
			return id
		}
	}
	return nil
}

func (p *parser) scanSignedNumber() bool {
	n := p.tok(1)
	return !n.sp && (n.kind == LONG || n.kind == REAL || n.kind == TIMESPAN) && isDigit(p.src[n.pos])
}

func (p *parser) parseDynamic() Expr {
	if p.kind(1) != LPAREN {
		return nil
	}
	kw := p.advance()
	lp := p.advance()
	d := &DynamicLit{Dynamic: source.Pos(kw.pos), Lparen: source.Pos(lp.pos)}
	d.Value = p.parseJSONValue()
	if d.Value == nil {
		d.Value = p.missing("json value")
	}
	d.Rparen = p.closeOf(RPAREN)
	return d
}

func (p *parser) parseJSONValue() Expr {
	p.enter()
	defer p.leave()
	switch p.kind(0) {
	case LONG, REAL:
		return p.literalToken()
	case SUB:
		if k := p.kind(1); k == LONG || k == REAL {
			t := p.advance()
			return &UnaryExpr{OpPos: source.Pos(t.pos), Op: SUB, X: p.literalToken()}
		}
		return nil
	case BOOL, DATETIME, TIMESPAN, GUID, RAWGUID, DECIMAL, STRING, TYPE_DYNAMIC:
		return p.parseLiteral()
	case NULL:
		return p.literalToken()
	case LBRACK:
		lb := p.advance()
		a := &JSONArray{Lbrack: source.Pos(lb.pos)}
		a.Elems = commaList(p, exprOf(p.parseJSONValue), func() Expr { return p.missing("json value") }, p.atCommonEnd, false, false)
		a.Rbrack = p.closeOf(RBRACK)
		return a
	case LBRACE:
		if p.scanBracedName(0) > 0 {
			return p.parseBracedName()
		}
		lb := p.advance()
		o := &JSONObject{Lbrace: source.Pos(lb.pos)}
		o.Pairs = commaList(p, p.parseJSONPair, p.missingJSONPair, p.atCommonEnd, false, false)
		o.Rbrace = p.closeOf(RBRACE)
		return o
	}
	return nil
}

func (p *parser) missingJSONPair() *JSONPair {
	p.errMissing("Missing json key:value pair", codeMissing)
	pos := p.nodePos()
	return &JSONPair{Colon: source.NoPos, Value: &BadExpr{From: pos, To: pos}}
}

func (p *parser) parseJSONPair() (*JSONPair, bool) {
	switch p.kind(0) {
	case STRING:
		pr := &JSONPair{Key: p.literalToken()}
		pr.Colon = p.expect(COLON)
		pr.Value = p.parseJSONValue()
		if pr.Value == nil {
			pr.Value = p.missing("json value")
		}
		return pr, true
	case COLON:
		p.errExpected("Missing string", codeMissing)
		pr := &JSONPair{Colon: source.Pos(p.advance().pos)}
		pr.Value = p.parseJSONValue()
		if pr.Value == nil {
			pr.Value = p.missing("json value")
		}
		return pr, true
	}
	save, nerr := p.i, len(p.errs)
	v := p.parseJSONValue()
	if v == nil {
		p.i, p.errs = save, p.errs[:nerr]
		return nil, false
	}
	p.errAt(int32(v.Pos()), int32(v.Pos()), "Missing string", codeMissing)
	p.errExpected("Expected: :", codeExpected)
	return &JSONPair{Colon: source.NoPos, Value: v}, true
}

// scanTypeOfLiteral reports whether typeof( starts here.
func (p *parser) scanTypeOfLiteral() bool {
	return p.kind(0) == TYPEOF && p.kind(1) == LPAREN
}

func (p *parser) parseTypeOf() Expr {
	kw := p.advance()
	x := &TypeOfExpr{TypeOf: source.Pos(kw.pos)}
	x.Lparen = p.expect(LPAREN)
	if isParamType(p.kind(0), true) || (p.kind(0) == IDENT && p.kind(1) == RPAREN) {
		t := p.advance()
		x.Types = []Expr{p.typeOf(t)}
	} else {
		x.Types = commaList(p, func() (Expr, bool) {
			if p.kind(0) == MUL {
				t := p.advance()
				return &StarExpr{Star: source.Pos(t.pos)}, true
			}
			prm := p.parseNameAndType()
			return prm, prm != nil
		}, func() Expr {
			p.errMissing("Missing type name", codeMissing)
			return p.bad()
		}, p.atCommonEnd, false, false)
	}
	x.Rparen = p.closeOf(RPAREN)
	return x
}

func (p *parser) parseDataTable() Expr {
	kw := p.advance()
	d := &DataTableExpr{DataTable: source.Pos(kw.pos)}
	d.Params = p.parseParams(nil, allowDeclaredOrKnown, false)
	d.Schema = p.requiredRowSchema()
	d.Lbrack = p.expect(LBRACK)
	p.got(COMMA)
	d.Values = commaList(p, exprOf(p.parseLiteral), func() Expr { return p.missing("value") }, p.atCommonEnd, false, true)
	d.Rbrack = p.closeOf(RBRACK)
	return d
}

func (p *parser) parseExternalData() Expr {
	kw := p.advance()
	d := &ExternalDataExpr{KwPos: source.Pos(kw.pos), Keyword: kw.kind}
	d.Params = p.parseParams(nil, allowDeclaredOrKnown, false)
	d.Schema = p.requiredRowSchema()
	d.Lbrack = p.expect(LBRACK)
	d.URIs = commaList(p, exprOf(p.parseExpr), func() Expr { return p.missing("value") }, p.atCommonEnd, false, true)
	d.Rbrack = p.closeOf(RBRACK)
	if _, ok := p.got(WITH); ok {
		p.expect(LPAREN)
		d.With = commaList(p, p.parseProperty, func() *NamedParam {
			p.errMissing("Missing parameter", codeMissing)
			pos := p.nodePos()
			return &NamedParam{NamePos: pos, Assign: source.NoPos, Value: &BadExpr{From: pos, To: pos}}
		}, p.atCommonEnd, false, false)
		p.expect(RPAREN)
	}
	d.EndPos = p.prevEnd()
	return d
}

// parseEntityPath parses name(.name | .f() | [x])* as used by union,
// restrict and find operands.
func (p *parser) parseEntityPath() Expr {
	x := p.parsePathSelectorOrCall()
	for x != nil {
		switch p.kind(0) {
		case DOT:
			dot := p.advance()
			var sel Expr
			if p.scanWildcardName(0) > 0 {
				sel = p.parseWildcardName()
				return &SelectorExpr{X: x, Dot: source.Pos(dot.pos), Sel: sel}
			}
			sel = p.parsePathSelectorOrCall()
			if sel == nil {
				sel = p.missingName()
			}
			x = &SelectorExpr{X: x, Dot: source.Pos(dot.pos), Sel: sel}
		case LBRACK:
			x = p.bracketSelector(x, p.parsePathSelector())
		default:
			return x
		}
	}
	return x
}

// parseSimplePath parses name(.name | [x])* (facet, partition by).
func (p *parser) parseSimplePath() Expr {
	x := p.parsePathSelector()
	for x != nil {
		switch p.kind(0) {
		case DOT:
			dot := p.advance()
			sel := p.parsePathSelector()
			if sel == nil {
				sel = p.missingName()
			}
			x = &SelectorExpr{X: x, Dot: source.Pos(dot.pos), Sel: sel}
		case LBRACK:
			x = p.bracketSelector(x, p.parsePathSelector())
		default:
			return x
		}
	}
	return x
}

// bracketSelector attaches a bracketed path element to x: x[expr] becomes
// an IndexExpr, x['name'] and x[Col*] a SelectorExpr without a dot.
func (p *parser) bracketSelector(x, sel Expr) Expr {
	if bx, ok := sel.(*BracketExpr); ok {
		return &IndexExpr{X: x, Lbrack: bx.Lbrack, Index: bx.X, Rbrack: bx.Rbrack}
	}
	return &SelectorExpr{X: x, Dot: source.NoPos, Sel: sel}
}
