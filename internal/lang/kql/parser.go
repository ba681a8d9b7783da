package kql

import (
	"strings"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/source"
)

// maxDepth bounds the nesting of expressions; deeper input is reported and
// parsing stops (Microsoft's parser switches to a slower stack-safe mode
// instead, see docs/lang-kql.md).
const maxDepth = 250

// Parse parses a KQL query text (a script of statements separated by
// semicolons) and returns its syntax tree and every syntax error, in the
// order Microsoft's parser reports them (the order of the tree, which is
// source order except that an error about a missing token comes before the
// errors inside what follows it). It never panics and always returns a
// tree: parts that could not be parsed appear as BadExpr, BadOp or BadStmt
// nodes.
func Parse(src string) (*Script, []*Error) {
	p := parserPool.get()
	defer parserPool.put(p)
	return p.parse(src)
}

// ParseExpr parses a single scalar or tabular expression.
func ParseExpr(src string) (Expr, []*Error) {
	s, errs := Parse(src)
	if len(s.Statements) == 1 {
		if q, ok := s.Statements[0].(*QueryStmt); ok {
			return q.X, errs
		}
	}
	if len(errs) == 0 {
		errs = append(errs, &Error{Pos: 0, End: source.Pos(len(src)), Msg: "Expected: expression", Code: codeExpected})
	}
	if q := s.Query(); q != nil {
		return q, errs
	}
	return &BadExpr{From: 0, To: source.Pos(len(src))}, errs
}

type parser struct {
	src   string
	toks  []lexeme
	i     int
	errs  []*Error
	depth int
	sc    Scanner

	// Slabs for the most frequent nodes: one allocation per 64 nodes.
	idents []Ident
	lits   []BasicLit

	// Scratch stacks for building lists (see commaList and parsePipes).
	scratch  []Expr
	opStack  []Operator
	barStack []source.Pos
}

const slabSize = 64

func (p *parser) newIdent(pos, end source.Pos, name string) *Ident {
	if len(p.idents) == 0 {
		p.idents = make([]Ident, slabSize)
	}
	id := &p.idents[0]
	p.idents = p.idents[1:]
	id.NamePos, id.EndPos, id.Name = pos, end, name
	return id
}

func (p *parser) newLit(pos, end source.Pos, kind Token, raw string) *BasicLit {
	if len(p.lits) == 0 {
		p.lits = make([]BasicLit, slabSize)
	}
	l := &p.lits[0]
	p.lits = p.lits[1:]
	l.ValuePos, l.EndPos, l.Kind, l.Raw = pos, end, kind, raw
	return l
}

// bailout is raised to abandon a parse that nests too deep.
type bailout struct{}

type pool struct{ ch chan *parser }

var parserPool = pool{ch: make(chan *parser, 4)}

func (pl pool) get() *parser {
	select {
	case p := <-pl.ch:
		return p
	default:
		return &parser{}
	}
}

func (pl pool) put(p *parser) {
	if cap(p.toks) > 1<<16 {
		return
	}
	p.src, p.errs = "", nil
	p.sc.Comments, p.sc.Errors = nil, nil
	select {
	case pl.ch <- p:
	default:
	}
}

func (p *parser) parse(src string) (script *Script, errs []*Error) {
	p.src = src
	p.sc.Init(src)
	p.toks = p.sc.scanAll(p.toks[:0])
	p.i = 0
	p.depth = 0
	p.errs = nil
	p.scratch, p.opStack, p.barStack = p.scratch[:0], p.opStack[:0], p.barStack[:0]
	script = &Script{EndPos: source.Pos(len(src))}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				// A parser bug must not take the caller down: report it as
				// a syntax error at the current token.
				p.errAt(p.tok(0).pos, p.tok(0).end, "internal parser error", codeUnexpected)
			}
			from := source.Pos(p.tok(0).pos)
			script.Statements = append(script.Statements, &BadStmt{From: from, To: source.Pos(len(src))})
		}
		script.Comments = p.sc.Comments
		errs = p.finishErrors()
	}()
	p.parseScript(script)
	return script, nil
}

// finishErrors returns the errors in the order the reference parser
// reports them: the order of the syntax tree, where a token's lexical error
// comes when the token is consumed.
func (p *parser) finishErrors() []*Error {
	for p.i < len(p.toks)-1 {
		p.advance()
	}
	return p.errs
}

// consumed records the lexical error of a token the parser takes.
func (p *parser) consumed(l *lexeme) {
	if l.err != 0 {
		p.errs = append(p.errs, p.sc.Errors[l.err-1])
	}
}

// skip consumes n tokens.
func (p *parser) skip(n int) {
	for ; n > 0; n-- {
		p.advance()
	}
}

// ---------------------------------------------------------------------------
// Tokens

// tok returns the token n places ahead (EOF past the end).
func (p *parser) tok(n int) *lexeme {
	j := p.i + n
	if j >= len(p.toks) {
		j = len(p.toks) - 1
	}
	return &p.toks[j]
}

func (p *parser) kind(n int) Token { return p.tok(n).kind }

func (p *parser) pos() source.Pos { return source.Pos(p.toks[p.i].pos) }

func (p *parser) text(l *lexeme) string { return p.src[l.pos:l.end] }

// advance consumes the current token and returns it.
func (p *parser) advance() *lexeme {
	l := &p.toks[p.i]
	if l.err != 0 {
		p.consumed(l)
	}
	if l.kind != EOF {
		p.i++
	}
	return l
}

// prevEnd is the end of the last consumed token.
func (p *parser) prevEnd() source.Pos {
	if p.i == 0 {
		return 0
	}
	return source.Pos(p.toks[p.i-1].end)
}

// got consumes the current token if it is k.
func (p *parser) got(k Token) (source.Pos, bool) {
	if p.toks[p.i].kind == k {
		return source.Pos(p.advance().pos), true
	}
	return source.NoPos, false
}

// expect consumes a required token; when it is missing it reports
// "Expected: k" and returns NoPos without consuming anything.
func (p *parser) expect(k Token) source.Pos {
	if pos, ok := p.got(k); ok {
		return pos
	}
	p.errExpected("Expected: "+k.String(), codeExpected)
	return source.NoPos
}

// missingSpan is where an error about something missing before the current
// token is shown, as the reference parser does: on the current token when
// at most one space (not a line break) separates it from the previous one,
// else as an empty span just after the previous token.
func (p *parser) missingSpan() (source.Pos, source.Pos) {
	t := p.tok(0)
	if p.i == 0 {
		return source.Pos(t.pos), source.Pos(t.pos)
	}
	prev := p.toks[p.i-1].end
	gap := p.src[prev:t.pos]
	if gap == "" || (!t.nl && utf8.RuneCountInString(gap) == 1) {
		return source.Pos(t.pos), source.Pos(t.end)
	}
	return source.Pos(prev), source.Pos(prev)
}

// moveErrors moves the errors from index from on to index to, placing them
// at pos: an error about a node that is missing before something the parser
// had to read first.
func (p *parser) moveErrors(to, from int, pos source.Pos) {
	moved := append([]*Error(nil), p.errs[from:]...)
	for _, e := range moved {
		e.Pos, e.End = pos, pos
	}
	copy(p.errs[to+len(moved):], p.errs[to:from])
	copy(p.errs[to:], moved)
}

// errExpected reports a missing token ("Expected: )").
func (p *parser) errExpected(msg, code string) {
	pos, end := p.missingSpan()
	p.errAt(int32(pos), int32(end), msg, code)
}

// nodePos is where a missing syntax node (an expression, a name, an
// operator) is reported: just after the previous token.
func (p *parser) nodePos() source.Pos {
	if p.i == 0 {
		return source.Pos(p.tok(0).pos)
	}
	return source.Pos(p.toks[p.i-1].end)
}

// errMissing reports a missing node ("Missing expression").
func (p *parser) errMissing(msg, code string) {
	pos := p.nodePos()
	p.errAt(int32(pos), int32(pos), msg, code)
}

func (p *parser) errAt(pos, end int32, msg, code string) {
	p.errs = append(p.errs, &Error{Pos: source.Pos(pos), End: source.Pos(end), Msg: msg, Code: code})
}

// missingExpr reports a missing expression and returns a BadExpr for it.
func (p *parser) missingExpr() Expr {
	t := p.tok(0)
	if t.kind.IsKeyword() {
		kw := p.text(t)
		p.errMissing("Missing expression: If the keyword '"+kw+"' is intended to be part of an expression it needs to be bracketted as "+bracketName(kw)+".", codeMissing)
	} else {
		p.errMissing("Missing expression", codeMissing)
	}
	return p.bad()
}

// missing reports "Missing <what>" and returns a BadExpr.
func (p *parser) missing(what string) Expr {
	p.errMissing("Missing "+what, codeMissing)
	return p.bad()
}

// missingName reports a missing name and returns an empty Ident.
func (p *parser) missingName() *Ident {
	t := p.tok(0)
	if t.kind.IsKeyword() {
		kw := p.text(t)
		p.errMissing("Missing name: If the keyword '"+kw+"' is intended be used as the name, it needs to be bracketted as "+bracketName(kw)+".", codeMissing)
	} else {
		p.errMissing("Missing name", codeMissing)
	}
	pos := p.nodePos()
	return &Ident{NamePos: pos, EndPos: pos}
}

func (p *parser) bad() *BadExpr {
	pos := p.nodePos()
	return &BadExpr{From: pos, To: pos}
}

func bracketName(name string) string {
	if strings.ContainsRune(name, '\'') {
		return `["` + strings.ReplaceAll(name, `"`, `\"`) + `"]`
	}
	return "['" + name + "']"
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		t := p.tok(0)
		p.errAt(t.pos, t.end, "The expression is nested too deeply.", codeTooDeep)
		panic(bailout{})
	}
}

func (p *parser) leave() { p.depth-- }

// ---------------------------------------------------------------------------
// Lists

// commaList parses a comma-separated list the way Kusto does: elem returns
// false when no element starts here; missing (optional) creates a stand-in
// for an element that is required but absent; atEnd (optional) tells where
// the list must end, which also lets adjacent elements without a comma be
// parsed (with "Expected: ,").
func commaList[T any](p *parser, elem func() (T, bool), missing func() T, atEnd func() bool, oneOrMore, trailingComma bool) []T {
	// Expression lists are built on a scratch stack shared by nested
	// lists, then copied into a slice of the exact length: one allocation
	// per list instead of one per doubling.
	var local []T
	buf, start := &local, 0
	if sp, ok := any(&p.scratch).(*[]T); ok {
		buf, start = sp, len(*sp)
	}
	list := (*buf)[start:start]
	defer func() {
		if buf != &local {
			clear((*buf)[start:])
			*buf = (*buf)[:start]
		}
	}()
	add := func(x T) {
		*buf = append(*buf, x)
		list = (*buf)[start:]
	}
	var el T
	ok := false
	if atEnd == nil || !atEnd() {
		el, ok = elem()
	}
	if !ok && p.kind(0) == COMMA && missing != nil {
		el, ok = missing(), true
	}
	for ok {
		k := p.kind(0)
		switch {
		case k == EOF || (atEnd != nil && atEnd()):
			add(el)
			ok = false
		case k == COMMA:
			p.advance()
			add(el)
			ok = false
			if atEnd == nil || !atEnd() {
				el, ok = elem()
			}
			if !ok && !trailingComma && missing != nil {
				add(missing())
			}
		case atEnd != nil:
			save := len(p.errs)
			pos, end := p.missingSpan()
			next, nok := elem()
			if nok {
				// Two elements without a comma between them.
				e := &Error{Pos: pos, End: end, Msg: "Expected: ,", Code: codeExpected}
				p.errs = append(p.errs, nil)
				copy(p.errs[save+1:], p.errs[save:])
				p.errs[save] = e
			}
			add(el)
			el, ok = next, nok
		default:
			add(el)
			ok = false
		}
	}
	if oneOrMore && len(list) == 0 && missing != nil {
		add(missing())
	}
	if buf == &local || len(list) == 0 {
		return local
	}
	out := make([]T, len(list))
	copy(out, list)
	return out
}

// atCommonEnd reports whether the current token ends a list: ) ] } | ; or
// the end of the text.
func (p *parser) atCommonEnd() bool { return isCommonEnd(p.kind(0)) }

func isCommonEnd(k Token) bool {
	switch k {
	case RPAREN, RBRACK, RBRACE, BAR, SEMICOLON, EOF:
		return true
	}
	return false
}

func (p *parser) endAt(kinds ...Token) func() bool {
	return func() bool {
		k := p.kind(0)
		for _, x := range kinds {
			if k == x {
				return true
			}
		}
		return isCommonEnd(k)
	}
}

// exprOf adapts an Expr-returning parser function to commaList.
func exprOf(f func() Expr) func() (Expr, bool) {
	return func() (Expr, bool) {
		e := f()
		return e, e != nil
	}
}

// ---------------------------------------------------------------------------
// Script and statements

func (p *parser) parseScript(s *Script) {
	for p.kind(0) == DIRECTIVE {
		t := p.advance()
		s.Directives = append(s.Directives, &Directive{Hash: source.Pos(t.pos), Text: p.text(t)})
	}
	s.Statements = p.parseStatements()
	if t := p.tok(0); t.kind != EOF {
		p.advance()
		p.errAt(t.pos, t.end, "The incomplete fragment is unexpected.", codeFragment)
		s.Statements = append(s.Statements, &BadStmt{From: source.Pos(t.pos), To: source.Pos(len(p.src))})
		for p.kind(0) != EOF {
			p.advance()
		}
	}
}

// parseStatements parses statements separated by semicolons.
func (p *parser) parseStatements() []Stmt {
	var list []Stmt
	st := p.parseStatement()
	for st != nil {
		list = append(list, st)
		if _, ok := p.got(SEMICOLON); ok {
			st = p.parseStatement()
			continue
		}
		pos, end := p.missingSpan()
		save := len(p.errs)
		next := p.parseStatement()
		if next != nil {
			e := &Error{Pos: pos, End: end, Msg: "Expected: ;", Code: codeExpected}
			p.errs = append(p.errs, nil)
			copy(p.errs[save+1:], p.errs[save:])
			p.errs[save] = e
		}
		st = next
	}
	return list
}

// parseStatement parses one statement or returns nil.
func (p *parser) parseStatement() Stmt {
	switch p.kind(0) {
	case ALIAS:
		if p.kind(1) == DATABASE {
			return p.parseAlias()
		}
	case LET:
		if p.scanName(1) > 0 {
			return p.parseLet()
		}
	case DECLARE:
		switch p.kind(1) {
		case PATTERN:
			return p.parsePatternStmt()
		case QUERY_PARAMETERS:
			return p.parseDeclare()
		}
	case RESTRICT:
		if p.kind(1) == ACCESS {
			return p.parseRestrict()
		}
	case SET:
		return p.parseSet()
	}
	if x := p.parseExpr(); x != nil {
		return &QueryStmt{X: x}
	}
	return nil
}

func (p *parser) parseAlias() Stmt {
	s := &AliasStmt{Alias: source.Pos(p.advance().pos)}
	p.expect(DATABASE)
	s.Name = p.parseName(false)
	if s.Name == nil {
		s.Name = p.missingName()
	}
	s.Assign = p.expect(ASSIGN)
	s.Value = p.parseUnnamedOrMissing()
	return s
}

func (p *parser) parseLet() *LetStmt {
	s := &LetStmt{Let: source.Pos(p.advance().pos)}
	s.Name = p.parseName(false)
	if s.Name == nil {
		s.Name = p.missingName()
	}
	s.Assign = p.expect(ASSIGN)
	switch {
	case p.kind(0) == MATERIALIZE:
		s.Value = p.parseMaterialize()
	case p.kind(0) == ENTITY_GROUP:
		s.Value = p.parseEntityGroup()
	case p.scanFuncDeclStart():
		s.Value = p.parseLambda()
	default:
		s.Value = p.parseExpr()
		if s.Value == nil {
			s.Value = p.missingExpr()
		}
	}
	return s
}

func (p *parser) parseMaterialize() Expr {
	m := &MaterializeExpr{Materialize: source.Pos(p.advance().pos)}
	m.Lparen = p.expect(LPAREN)
	m.X = p.parsePipeExpr()
	if m.X == nil {
		m.X = p.missingExpr()
	}
	m.Rparen = p.closeOf(RPAREN)
	return m
}

// closeOf expects a closing token and returns its offset. When it is
// missing (reported as "Expected: )"), it returns the offset of the last
// byte before where it belongs, so that End() = close+1 still ends the node
// where its text ends.
func (p *parser) closeOf(k Token) source.Pos {
	if pos, ok := p.got(k); ok {
		return pos
	}
	p.errExpected("Expected: "+k.String(), codeExpected)
	return p.prevEnd() - 1
}

// scanFuncDeclStart reports whether a function declaration starts here:
// [view] ( ) | [view] ( * | [view] ( name :
func (p *parser) scanFuncDeclStart() bool {
	o := 0
	if p.kind(0) == VIEW {
		o = 1
	}
	if p.kind(o) != LPAREN {
		return false
	}
	switch p.kind(o + 1) {
	case RPAREN, MUL:
		return true
	}
	n := p.scanExtendedName(o + 1)
	return n > 0 && p.kind(o+1+n) == COLON
}

func (p *parser) parseLambda() Expr {
	l := &LambdaExpr{View: source.NoPos}
	if pos, ok := p.got(VIEW); ok {
		l.View = pos
	}
	if pos, ok := p.got(LPAREN); ok {
		l.Lparen = pos
		l.Params = commaList(p, p.parseFuncParam, p.missingParam, p.atCommonEnd, false, false)
		l.Rparen = p.expect(RPAREN)
	} else {
		l.Lparen = p.expect(LPAREN)
		l.Rparen = p.expect(RPAREN)
	}
	l.Body = p.parseFuncBody()
	if l.Body == nil {
		pos := p.nodePos()
		p.expect(LBRACE)
		p.expect(RBRACE)
		l.Body = &FuncBody{Lbrace: pos, Rbrace: source.NoPos, EndPos: pos}
	}
	return l
}

func (p *parser) missingParam() *Param {
	p.errMissing("Missing parameter", codeMissing)
	pos := p.nodePos()
	return &Param{Name: &Ident{NamePos: pos, EndPos: pos}, Colon: source.NoPos, Assign: source.NoPos}
}

// parseFuncParam parses name:type [= default].
func (p *parser) parseFuncParam() (*Param, bool) {
	prm := p.parseNameAndType()
	if prm == nil {
		return nil, false
	}
	if pos, ok := p.got(ASSIGN); ok {
		prm.Assign = pos
		if d := p.parseLiteral(); d != nil {
			prm.Default = d
		} else if id := p.parseIdentOrKeywordToken(); id != nil {
			prm.Default = id
		} else {
			prm.Default = p.missingExpr()
		}
	}
	return prm, true
}

// parseFuncBody parses { [let ...;]* [expr] [;] }.
func (p *parser) parseFuncBody() *FuncBody {
	lb, ok := p.got(LBRACE)
	if !ok {
		return nil
	}
	b := &FuncBody{Lbrace: lb}
	for !p.atCommonEnd() {
		var st Stmt
		switch {
		case p.kind(0) == LET:
			st = p.parseLet()
		case p.kind(0) == DECLARE && p.kind(1) == QUERY_PARAMETERS:
			st = p.parseDeclare()
		}
		if st == nil {
			break
		}
		b.Stmts = append(b.Stmts, st)
		p.expect(SEMICOLON)
	}
	b.Result = p.parseExpr()
	p.got(SEMICOLON)
	b.Rbrace = p.expect(RBRACE)
	b.EndPos = p.prevEnd()
	return b
}

func (p *parser) parseSet() Stmt {
	s := &SetStmt{Set: source.Pos(p.advance().pos), Assign: source.NoPos}
	s.Name = p.parseName(false)
	if s.Name == nil {
		s.Name = p.missingName()
	}
	if pos, ok := p.got(ASSIGN); ok {
		s.Assign = pos
		s.Value = p.parseUnnamedOrMissing()
	}
	return s
}

func (p *parser) parseDeclare() *DeclareStmt {
	s := &DeclareStmt{Declare: source.Pos(p.advance().pos)}
	p.expect(QUERY_PARAMETERS)
	s.Lparen = p.expect(LPAREN)
	s.Params = commaList(p, p.parseFuncParam, p.missingParam, p.atCommonEnd, true, false)
	s.Rparen = p.expect(RPAREN)
	s.EndPos = p.prevEnd()
	return s
}

func (p *parser) parseRestrict() Stmt {
	s := &RestrictStmt{Restrict: source.Pos(p.advance().pos)}
	p.expect(ACCESS)
	p.expect(TO)
	p.expect(LPAREN)
	s.Entities = commaList(p, exprOf(p.parseRestrictEntity), p.missingExpr, p.atCommonEnd, true, false)
	p.expect(RPAREN)
	if _, ok := p.got(WITH); ok {
		p.expect(LPAREN)
		s.With = commaList(p, p.parseProperty, nil, p.atCommonEnd, false, false)
		p.expect(RPAREN)
	}
	s.EndPos = p.prevEnd()
	return s
}

func (p *parser) parseRestrictEntity() Expr {
	if p.scanWildcardName(0) > 0 {
		return p.parseWildcardName()
	}
	return p.parseEntityPath()
}

// parseProperty parses name = literal-or-name in with (...) clauses of
// externaldata and restrict.
func (p *parser) parseProperty() (*NamedParam, bool) {
	name := p.parseRenameName()
	if name == nil {
		return nil, false
	}
	np := &NamedParam{NamePos: name.NamePos, Name: name.Name}
	np.Assign = p.expect(ASSIGN)
	switch p.kind(0) {
	case STRING, LONG, REAL, BOOL, DATETIME:
		np.Value = p.parseLiteral()
	case RAWGUID, GUID:
		np.Value = p.literalToken()
	default:
		if id := p.parseRenameName(); id != nil {
			np.Value = id
		} else {
			np.Value = p.missing("value")
		}
	}
	return np, true
}

func (p *parser) parsePatternStmt() Stmt {
	s := &PatternStmt{Declare: source.Pos(p.advance().pos)}
	p.advance() // pattern
	s.Name = p.parseName(false)
	if s.Name == nil {
		s.Name = p.missingName()
	}
	if _, ok := p.got(ASSIGN); ok {
		p.expect(LPAREN)
		s.Params = commaList(p, p.parseNameAndTypeOK, p.missingParam, p.atCommonEnd, false, false)
		p.expect(RPAREN)
		if _, ok := p.got(LBRACK); ok {
			s.Path = p.parseNameAndType()
			if s.Path == nil {
				s.Path = p.missingParam()
			}
			p.expect(RBRACK)
		}
		p.expect(LBRACE)
		for !p.atCommonEnd() {
			m := p.parsePatternMatch()
			if m == nil {
				break
			}
			s.Matches = append(s.Matches, m)
		}
		if len(s.Matches) == 0 {
			p.errMissing("Missing pattern match", codeMissing)
		}
		p.expect(RBRACE)
	}
	s.EndPos = p.prevEnd()
	return s
}

func (p *parser) parsePatternMatch() *PatternMatch {
	lp, ok := p.got(LPAREN)
	if !ok {
		return nil
	}
	m := &PatternMatch{Lparen: lp}
	m.Args = commaList(p, exprOf(p.parseUnnamedExpr), func() Expr { return p.missing("string") }, p.atCommonEnd, true, false)
	m.Rparen = p.expect(RPAREN)
	if _, ok := p.got(DOT); ok {
		p.expect(LBRACK)
		if lit := p.parseLiteral(); lit != nil {
			m.Path = lit
		} else {
			m.Path = p.missing("string")
		}
		p.expect(RBRACK)
	}
	p.expect(ASSIGN)
	lb := p.expect(LBRACE)
	body := &FuncBody{Lbrace: lb}
	for !p.atCommonEnd() && p.kind(0) == LET {
		body.Stmts = append(body.Stmts, p.parseLet())
		p.expect(SEMICOLON)
	}
	body.Result = p.parseExpr()
	p.got(SEMICOLON)
	body.Rbrace = p.expect(RBRACE)
	body.EndPos = p.prevEnd()
	m.Body = body
	p.expect(SEMICOLON)
	m.EndPos = p.prevEnd()
	return m
}

// ---------------------------------------------------------------------------
// Names

// parseName parses a name: an identifier, a keyword that can be an
// identifier, ['bracketed'] or {braced}. With extended set, the keywords
// allowed as declared names (title, count, ...) are accepted too.
func (p *parser) parseName(extended bool) *Ident {
	switch p.kind(0) {
	case LBRACK:
		return p.parseBracketedName()
	case LBRACE:
		return p.parseBracedName()
	}
	t := p.tok(0)
	if t.kind == IDENT || t.kind.CanBeIdentifier() || (extended && t.kind.isExtendedIdent()) {
		p.advance()
		return p.identOf(t)
	}
	return nil
}

// parseRenameName parses the name of a named expression (x = ...): an
// identifier, a bracketed or braced name, or an extended keyword.
func (p *parser) parseRenameName() *Ident { return p.parseName(true) }

func (p *parser) identOf(t *lexeme) *Ident {
	// An identifier spelled like a keyword is printed bracketed.
	id := p.newIdent(source.Pos(t.pos), source.Pos(t.end), p.text(t))
	id.Quoted = t.kwid
	return id
}

// scanName returns the number of tokens of a name at offset o, or -1.
func (p *parser) scanName(o int) int {
	t := p.tok(o)
	switch t.kind {
	case IDENT:
		return 1
	case LBRACK:
		return p.scanBracketedName(o)
	case LBRACE:
		if k := p.kind(o + 1); (k == IDENT || k.CanBeIdentifier()) && p.kind(o+2) == RBRACE {
			return 3
		}
		return -1
	}
	if t.kind.CanBeIdentifier() {
		return 1
	}
	return -1
}

func (p *parser) scanExtendedName(o int) int {
	if n := p.scanName(o); n > 0 {
		return n
	}
	if p.kind(o).isExtendedIdent() {
		return 1
	}
	return -1
}

// scanRenameName is scanName with extended keywords.
func (p *parser) scanRenameName(o int) int {
	t := p.tok(o)
	switch t.kind {
	case IDENT:
		return 1
	case LBRACK:
		return p.scanBracketedName(o)
	case LBRACE:
		if k := p.kind(o + 1); (k == IDENT || k.CanBeIdentifier()) && p.kind(o+2) == RBRACE {
			return 3
		}
		return -1
	}
	if t.kind.isExtendedIdent() {
		return 1
	}
	return -1
}

// scanBracketedName matches [ 'string'... ].
func (p *parser) scanBracketedName(o int) int {
	if p.kind(o) != LBRACK {
		return -1
	}
	n := 0
	for p.kind(o+1+n) == STRING {
		n++
	}
	if n == 0 || p.kind(o+1+n) != RBRACK {
		return -1
	}
	return n + 2
}

func (p *parser) parseBracketedName() *Ident {
	n := p.scanBracketedName(0)
	if n < 0 {
		return nil
	}
	open := p.advance()
	first := p.tok(0)
	last := p.tok(n - 3)
	p.skip(n - 2)
	close := p.advance()
	raw := p.src[first.pos:last.end]
	return &Ident{NamePos: source.Pos(open.pos), EndPos: source.Pos(close.end), Name: Unquote(raw), Quoted: true}
}

// scanBracedName matches a client parameter {name} or {name[-1]} written
// without spaces.
func (p *parser) scanBracedName(o int) int {
	if p.kind(o) != LBRACE {
		return -1
	}
	i := o + 1
	t := p.tok(i)
	if (t.kind != IDENT && !t.kind.IsKeyword()) || t.sp {
		return -1
	}
	i++
	if t := p.tok(i); t.kind == LBRACK && !t.sp {
		i++
		if t := p.tok(i); t.kind == SUB && !t.sp {
			i++
		}
		if t := p.tok(i); t.kind != LONG || t.sp {
			return -1
		}
		i++
		if t := p.tok(i); t.kind != RBRACK || t.sp {
			return -1
		}
		i++
	}
	if t := p.tok(i); t.kind != RBRACE || t.sp {
		return -1
	}
	return i + 1 - o
}

func (p *parser) parseBracedName() *Ident {
	n := p.scanBracedName(0)
	if n < 0 {
		return nil
	}
	first := p.tok(0)
	last := p.tok(n - 1)
	p.skip(n)
	return &Ident{NamePos: source.Pos(first.pos), EndPos: source.Pos(last.end), Name: p.src[first.pos:last.end]}
}

// scanWildcardName matches a wildcarded name such as Col*, *, a*b written
// without spaces.
func (p *parser) scanWildcardName(o int) int {
	start := o
	t := p.tok(o)
	switch {
	case t.kind == MUL:
		o++
	case (t.kind == IDENT || t.kind.isExtendedIdent()) && p.kind(o+1) == MUL && !p.tok(o+1).sp:
		o += 2
	default:
		return -1
	}
	for {
		t := p.tok(o)
		if t.sp {
			break
		}
		if t.kind == IDENT || t.kind == LONG || t.kind == MUL || t.kind.isExtendedIdent() {
			o++
			continue
		}
		break
	}
	return o - start
}

func (p *parser) parseWildcardName() *Ident {
	n := p.scanWildcardName(0)
	if n <= 0 {
		return nil
	}
	first := p.tok(0)
	last := p.tok(n - 1)
	p.skip(n)
	return &Ident{NamePos: source.Pos(first.pos), EndPos: source.Pos(last.end), Name: p.src[first.pos:last.end], Wildcard: true}
}

// parseBracketedWildcardName parses [Col*].
func (p *parser) parseBracketedWildcardName() *Ident {
	if p.kind(0) != LBRACK || p.scanWildcardName(1) <= 0 {
		return nil
	}
	open := p.advance()
	id := p.parseWildcardName()
	end := p.closeOf(RBRACK) + 1
	id.NamePos, id.EndPos = source.Pos(open.pos), end
	return id
}

// scanDashedName matches a name written with dashes (my-col), which Kusto
// accepts only bracketed.
func (p *parser) scanDashedName(o int) int {
	start := o
	t := p.tok(o)
	if t.kind != IDENT && !t.kind.IsKeyword() {
		return 0
	}
	o++
	for {
		t := p.tok(o)
		if t.sp || (t.kind != IDENT && !t.kind.IsKeyword() && t.kind != SUB) {
			break
		}
		o++
	}
	return o - start
}

// parseIdentOrKeywordToken parses an identifier or a keyword usable as one.
func (p *parser) parseIdentOrKeywordToken() *Ident {
	t := p.tok(0)
	if t.kind == IDENT || t.kind.CanBeIdentifier() {
		p.advance()
		return p.identOf(t)
	}
	return nil
}

// ---------------------------------------------------------------------------
// Types and schemas

// isParamType reports the types allowed in declarations.
func isParamType(k Token, extended bool) bool {
	switch k {
	case TYPE_BOOL, TYPE_BOOLEAN, TYPE_DATE, TYPE_DATETIME, TYPE_DECIMAL, TYPE_DOUBLE, TYPE_DYNAMIC,
		TYPE_GUID, TYPE_INT, TYPE_INT64, TYPE_INT8, TYPE_LONG, TYPE_REAL, TYPE_STRING, TYPE_TIME,
		TYPE_TIMESPAN, TYPE_UNIQUEID:
		return true
	case TYPE_FLOAT, TYPE_INT16, TYPE_INT32, TYPE_UINT, TYPE_UINT16, TYPE_UINT32, TYPE_UINT64, TYPE_UINT8, TYPE_ULONG:
		return extended
	}
	return false
}

func (p *parser) typeOf(t *lexeme) *TypeExpr {
	return &TypeExpr{TypePos: source.Pos(t.pos), EndPos: source.Pos(t.end), Name: p.text(t)}
}

// parseScalarType parses a parameter type, reporting invalid type names.
func (p *parser) parseScalarType(extended bool) *TypeExpr {
	t := p.tok(0)
	if isParamType(t.kind, extended) {
		p.advance()
		return p.typeOf(t)
	}
	if isParamType(t.kind, true) || t.kind == IDENT || t.kind.CanBeIdentifier() {
		p.advance()
		p.errAt(t.pos, t.end, "The name '"+p.text(t)+"' is not a valid type name that can be used here.", codeTypeName)
		return p.typeOf(t)
	}
	p.errMissing("Missing type name", codeMissing)
	pos := p.nodePos()
	return &TypeExpr{TypePos: pos, EndPos: pos}
}

// parseNameAndType parses name:type, name:(schema) or :type (missing name).
func (p *parser) parseNameAndType() *Param {
	name := p.parseName(true)
	if name != nil {
		prm := &Param{Name: name, Assign: source.NoPos}
		prm.Colon = p.expect(COLON)
		if p.kind(0) == LPAREN {
			prm.Type = p.parseSchemaType()
		} else {
			prm.Type = p.parseScalarType(false)
		}
		return prm
	}
	if p.kind(0) == COLON {
		return p.parseMissingNameAndType()
	}
	return nil
}

// parseMissingNameAndType parses :type where the name is missing. Like the
// reference parser it reports the missing name where the name belongs but
// words the message after looking past the type.
func (p *parser) parseMissingNameAndType() *Param {
	at := p.nodePos()
	before := len(p.errs)
	colon := p.advance()
	typ := p.parseScalarType(false)
	name := p.missingName()
	p.moveErrors(before, len(p.errs)-1, at)
	name.NamePos, name.EndPos = at, at
	return &Param{Name: name, Colon: source.Pos(colon.pos), Type: typ, Assign: source.NoPos}
}

func (p *parser) parseNameAndTypeOK() (*Param, bool) {
	prm := p.parseNameAndType()
	return prm, prm != nil
}

// parseSchemaType parses (*) or (name:type, ...).
func (p *parser) parseSchemaType() *TypeExpr {
	lp := p.advance()
	t := &TypeExpr{TypePos: source.Pos(lp.pos), Tabular: true}
	if p.kind(0) == MUL {
		st := p.advance()
		t.Columns = []Expr{&StarExpr{Star: source.Pos(st.pos)}}
	} else {
		t.Columns = commaList(p, func() (Expr, bool) {
			prm := p.parseNameAndType()
			return prm, prm != nil
		}, func() Expr { return p.missingParam() }, p.atCommonEnd, false, true)
	}
	t.EndPos = p.closeOf(RPAREN) + 1
	return t
}

// parseRowSchema parses ( [,] name:type, ... ).
func (p *parser) parseRowSchema(oneOrMore bool) *Schema {
	lp, ok := p.got(LPAREN)
	if !ok {
		return nil
	}
	s := &Schema{Lparen: lp}
	p.got(COMMA)
	s.Columns = commaList(p, p.parseNameAndTypeOK, p.missingParam, p.atCommonEnd, oneOrMore, true)
	s.Rparen = p.expect(RPAREN)
	s.EndPos = p.prevEnd()
	return s
}

func (p *parser) requiredRowSchema() *Schema {
	if s := p.parseRowSchema(false); s != nil {
		return s
	}
	p.errMissing("Missing schema declaration", codeMissing)
	pos := p.nodePos()
	return &Schema{Lparen: pos, Rparen: source.NoPos, EndPos: pos}
}
