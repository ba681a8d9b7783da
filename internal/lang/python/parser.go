package python

import (
	"strconv"

	"github.com/detwiki/detwiki/internal/source"
)

// MaxDepth bounds how deeply expressions and blocks may nest; deeper input
// is reported (CodeTooDeep) instead of exhausting the stack.
const MaxDepth = 200

// Parse parses a Python module. It always returns a Module holding every
// statement it could read (a BadStmt where it could not) and every error,
// sorted by position. Nothing is executed.
func Parse(src string) (mod *Module, errs ErrorList) {
	p := &parser{src: src}
	var comments []*Comment
	p.toks, comments = lex(src, &p.errs)
	mod = &Module{Comments: comments, Size: len(src)}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			mod.Body = append(p.partial, &BadStmt{From: p.tok().Pos, To: source.Pos(len(src))})
		}
		p.errs.Sort()
		errs = p.errs
	}()
	mod.Body = p.module()
	return mod, nil
}

// ParseExpr parses src as one expression (a testlist: a, b is a Tuple).
func ParseExpr(src string) (x Expr, errs ErrorList) {
	p := &parser{src: src}
	p.toks = lexInside(src, 0, &p.errs)
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			x = &BadExpr{From: 0, To: source.Pos(len(src))}
		}
		p.errs.Sort()
		errs = p.errs
	}()
	if p.tok().Kind == EOF {
		p.errorf(p.tok(), "expected an expression, found end of input")
		return &BadExpr{}, nil
	}
	x = p.starExprs()
	if t := p.tok(); t.Kind != EOF {
		p.errorf(t, "unexpected "+t.describe()+" after the expression")
	}
	return x, nil
}

type bailout struct{}

type parser struct {
	src     string
	toks    []Token
	i       int
	errs    ErrorList
	depth   int
	partial []Stmt // module statements read so far (kept after a bailout)
}

func (p *parser) tok() Token { return p.toks[p.i] }

func (p *parser) peek(n int) Token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) advance() Token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

// prevEnd is the end of the last token consumed.
func (p *parser) prevEnd() source.Pos {
	if p.i == 0 {
		return 0
	}
	return p.toks[p.i-1].End
}

func (p *parser) isOp(text string) bool {
	t := p.toks[p.i]
	return t.Kind == OP && t.Text == text
}

func (p *parser) isName(text string) bool {
	t := p.toks[p.i]
	return t.Kind == NAME && t.Text == text
}

func (p *parser) errorf(t Token, msg string) {
	end := t.End
	if end < t.Pos {
		end = t.Pos
	}
	p.errs.Add(t.Pos, end, CodeSyntax, msg)
}

// expectOp consumes the operator text or reports it missing.
func (p *parser) expectOp(text, context string) bool {
	if p.isOp(text) {
		p.advance()
		return true
	}
	t := p.tok()
	p.errorf(t, "expected '"+text+"'"+context+", found "+t.describe())
	return false
}

func (p *parser) enter() {
	p.depth++
	if p.depth > MaxDepth {
		t := p.tok()
		p.errs.Add(t.Pos, t.End, CodeTooDeep, "nested deeper than "+strconv.Itoa(MaxDepth)+" levels")
		panic(bailout{})
	}
}

func (p *parser) leave() { p.depth-- }

// skipLine skips to the end of the logical line (consuming its NEWLINE).
func (p *parser) skipLine() {
	for {
		switch p.tok().Kind {
		case EOF:
			return
		case NEWLINE:
			p.advance()
			return
		}
		p.advance()
	}
}

// ---- statements --------------------------------------------------------------

func (p *parser) module() []Stmt {
	for p.tok().Kind != EOF {
		switch p.tok().Kind {
		case NEWLINE, DEDENT:
			p.advance()
			continue
		case INDENT:
			t := p.advance()
			p.errorf(t, "unexpected indent")
			p.partial = append(p.partial, p.suite()...)
			continue
		}
		p.partial = append(p.partial, p.statement()...)
	}
	return p.partial
}

// suite reads statements up to the DEDENT that closes the current block
// (consumed).
func (p *parser) suite() []Stmt {
	var body []Stmt
	for {
		switch p.tok().Kind {
		case EOF:
			return body
		case DEDENT:
			p.advance()
			return body
		case NEWLINE:
			p.advance()
			continue
		case INDENT:
			t := p.advance()
			p.errorf(t, "unexpected indent")
			body = append(body, p.suite()...)
			continue
		}
		body = append(body, p.statement()...)
	}
}

// block reads the body after a compound statement's ':': an indented block
// or simple statements on the same line.
func (p *parser) block() []Stmt {
	p.enter()
	defer p.leave()
	if p.tok().Kind != NEWLINE {
		return p.simpleStmts()
	}
	p.advance()
	if p.tok().Kind != INDENT {
		p.errorf(p.tok(), "expected an indented block")
		return nil
	}
	p.advance()
	return p.suite()
}

// colon expects the ':' that ends a compound statement's header, skipping
// what stands before it on the line after an error.
func (p *parser) colon(context string) {
	if p.isOp(":") {
		p.advance()
		return
	}
	t := p.tok()
	p.errorf(t, "expected ':'"+context+", found "+t.describe())
	for {
		switch t := p.tok(); {
		case t.Kind == NEWLINE || t.Kind == EOF:
			return
		case t.Kind == OP && t.Text == ":":
			p.advance()
			return
		}
		p.advance()
	}
}

// stmtsEnd is where a list of statements ends, for To fields.
func stmtsEnd(list []Stmt, def source.Pos) source.Pos {
	if len(list) == 0 {
		return def
	}
	return list[len(list)-1].End()
}

func (p *parser) statement() []Stmt {
	t := p.tok()
	if t.Kind == OP && t.Text == "@" {
		return []Stmt{p.decorated()}
	}
	if t.Kind == NAME {
		switch t.Text {
		case "def":
			return []Stmt{p.funcDef(t.Pos, nil, false)}
		case "class":
			return []Stmt{p.classDef(t.Pos, nil)}
		case "if":
			return []Stmt{p.ifStmt(false)}
		case "for":
			return []Stmt{p.forStmt(false)}
		case "while":
			return []Stmt{p.whileStmt()}
		case "try":
			return []Stmt{p.tryStmt()}
		case "with":
			return []Stmt{p.withStmt(false)}
		case "async":
			n := p.peek(1)
			if n.Kind == NAME {
				switch n.Text {
				case "def":
					p.advance()
					return []Stmt{p.funcDef(t.Pos, nil, true)}
				case "for":
					p.advance()
					return []Stmt{p.forStmt(true)}
				case "with":
					p.advance()
					return []Stmt{p.withStmt(true)}
				}
			}
		case "match":
			if p.looksLikeMatch() {
				return []Stmt{p.matchStmt()}
			}
		case "elif", "else", "except", "finally":
			p.errorf(t, "'"+t.Text+"' without a matching statement before it")
			p.skipLine()
			if p.tok().Kind == INDENT {
				p.advance()
				p.suite()
			}
			return []Stmt{&BadStmt{From: t.Pos, To: p.prevEnd()}}
		}
	}
	return p.simpleStmts()
}

// looksLikeMatch reports whether a line starting with the soft keyword
// match is a match statement: "match <subject>:" then an indented block.
func (p *parser) looksLikeMatch() bool {
	n := p.peek(1)
	if n.Kind == OP && (n.Text == "=" || n.Text == "." || n.Text == ":" || n.Text == "," || augOps[n.Text]) || n.Kind == NEWLINE {
		return false
	}
	depth := 0
	for k := 1; ; k++ {
		t := p.peek(k)
		switch t.Kind {
		case NEWLINE, EOF:
			prev := p.peek(k - 1)
			return prev.Kind == OP && prev.Text == ":" && p.peek(k+1).Kind == INDENT
		case OP:
			switch t.Text {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth--
			case "=":
				if depth == 0 {
					return false
				}
			}
		}
	}
}

// matchStmt reads match subject: case pattern [if guard]: block ...
func (p *parser) matchStmt() Stmt {
	kw := p.advance()
	m := &Match{MatchPos: kw.Pos}
	m.Subject = p.starExprs()
	p.colon(" after the match subject")
	if p.tok().Kind != NEWLINE {
		p.errorf(p.tok(), "expected a new line after 'match ...:', found "+p.tok().describe())
		p.skipToLineEnd()
	}
	p.advance()
	if p.tok().Kind != INDENT {
		p.errorf(p.tok(), "expected an indented block of case clauses")
		m.To = p.prevEnd()
		return m
	}
	p.advance()
	p.enter()
	defer p.leave()
	for p.tok().Kind != DEDENT && p.tok().Kind != EOF {
		if p.tok().Kind == NEWLINE {
			p.advance()
			continue
		}
		if !p.isName("case") {
			t := p.tok()
			p.errorf(t, "expected 'case' in the match statement, found "+t.describe())
			p.skipLine()
			continue
		}
		ct := p.advance()
		c := &MatchCase{CasePos: ct.Pos}
		c.Pattern = p.patterns()
		if p.isName("if") {
			p.advance()
			c.Guard = p.namedTest()
		}
		p.colon(" after the case pattern")
		c.Body = p.block()
		m.Cases = append(m.Cases, c)
	}
	if p.tok().Kind == DEDENT {
		p.advance()
	}
	m.To = p.prevEnd()
	if n := len(m.Cases); n > 0 {
		m.To = stmtsEnd(m.Cases[n-1].Body, m.To)
	}
	return m
}

// patterns reads a case pattern; patterns are read as expressions (literals,
// names, dotted names, a | b, sequences, mappings, class patterns), with
// "pattern as name" as MatchAs.
func (p *parser) patterns() Expr {
	from := p.tok().Pos
	first := p.pattern()
	if !p.isOp(",") {
		return first
	}
	elts := []Expr{first}
	for p.isOp(",") {
		p.advance()
		if p.isOp(":") || p.isName("if") {
			break
		}
		elts = append(elts, p.pattern())
	}
	return &Tuple{From: from, To: p.prevEnd(), Elts: elts}
}

func (p *parser) pattern() Expr {
	x := p.starOr(p.bitOr)
	if p.isName("as") {
		p.advance()
		return &MatchAs{X: x, Name: p.name("a name after 'as'")}
	}
	return x
}

// simpleStmts reads small statements separated by ';' up to the end of the
// line.
func (p *parser) simpleStmts() []Stmt {
	var list []Stmt
	for {
		start := p.i
		s := p.smallStmt()
		list = append(list, s)
		if p.isOp(";") {
			p.advance()
			if k := p.tok().Kind; k == NEWLINE || k == EOF {
				break
			}
			continue
		}
		if k := p.tok().Kind; k == NEWLINE || k == EOF {
			break
		}
		t := p.tok()
		p.errorf(t, "expected end of line, found "+t.describe())
		if p.i == start {
			p.advance()
		}
		p.skipToLineEnd()
		list[len(list)-1] = &BadStmt{From: s.Pos(), To: p.prevEnd()}
		break
	}
	if p.tok().Kind == NEWLINE {
		p.advance()
	}
	return list
}

// skipToLineEnd skips to the NEWLINE (not consumed).
func (p *parser) skipToLineEnd() {
	for k := p.tok().Kind; k != NEWLINE && k != EOF; k = p.tok().Kind {
		p.advance()
	}
}

var augOps = map[string]bool{"+=": true, "-=": true, "*=": true, "/=": true, "//=": true, "%=": true,
	"**=": true, ">>=": true, "<<=": true, "&=": true, "|=": true, "^=": true, "@=": true}

func (p *parser) smallStmt() Stmt {
	t := p.tok()
	if t.Kind == NAME {
		switch t.Text {
		case "pass", "break", "continue":
			p.advance()
			return &SimpleStmt{KeywordPos: t.Pos, Keyword: t.Text}
		case "return":
			p.advance()
			r := &Return{ReturnPos: t.Pos}
			if !p.atStmtEnd() {
				r.Value = p.starExprs()
			}
			return r
		case "raise":
			p.advance()
			r := &Raise{RaisePos: t.Pos}
			if !p.atStmtEnd() {
				r.Exc = p.test()
				if p.isName("from") {
					p.advance()
					r.Cause = p.test()
				}
			}
			r.To = p.prevEnd()
			return r
		case "global", "nonlocal":
			p.advance()
			g := &Global{KeywordPos: t.Pos, Nonlocal: t.Text == "nonlocal"}
			for {
				g.Names = append(g.Names, p.name("a name after "+t.Text))
				if !p.isOp(",") {
					break
				}
				p.advance()
			}
			return g
		case "del":
			p.advance()
			d := &Del{DelPos: t.Pos}
			d.Targets = p.exprListOf(func() Expr { return p.bitOr() })
			return d
		case "assert":
			p.advance()
			a := &Assert{AssertPos: t.Pos, Test: p.test()}
			if p.isOp(",") {
				p.advance()
				a.Msg = p.test()
			}
			return a
		case "import":
			return p.importStmt()
		case "from":
			return p.importFrom()
		}
	}
	x := p.starExprs()
	switch {
	case p.isOp("="):
		a := &Assign{Targets: []Expr{x}}
		for p.isOp("=") {
			p.advance()
			var v Expr
			if p.isName("yield") {
				v = p.yieldExpr()
			} else {
				v = p.starExprs()
			}
			a.Targets = append(a.Targets, v)
		}
		a.Value = a.Targets[len(a.Targets)-1]
		a.Targets = a.Targets[:len(a.Targets)-1]
		return a
	case p.tok().Kind == OP && augOps[p.tok().Text]:
		op := p.advance()
		var v Expr
		if p.isName("yield") {
			v = p.yieldExpr()
		} else {
			v = p.starExprs()
		}
		return &AugAssign{Target: x, Op: op.Text, Value: v}
	case p.isOp(":"):
		p.advance()
		a := &AnnAssign{Target: x, Annotation: p.test()}
		if p.isOp("=") {
			p.advance()
			a.Value = p.starExprs()
		}
		return a
	}
	return &ExprStmt{X: x}
}

func (p *parser) atStmtEnd() bool {
	t := p.tok()
	return t.Kind == NEWLINE || t.Kind == EOF || t.Kind == OP && t.Text == ";"
}

func (p *parser) name(context string) *Name {
	t := p.tok()
	if t.Kind != NAME || keywords[t.Text] {
		p.errorf(t, "expected "+context+", found "+t.describe())
		return &Name{NamePos: t.Pos} // an empty name: nothing was there
	}
	p.advance()
	return &Name{NamePos: t.Pos, Name: t.Text}
}

// dottedName reads a.b.c.
func (p *parser) dottedName() (string, source.Pos) {
	n := p.name("a module name")
	s := n.Name
	for p.isOp(".") {
		p.advance()
		s += "." + p.name("a name after '.'").Name
	}
	return s, n.NamePos
}

func (p *parser) importStmt() Stmt {
	t := p.advance()
	imp := &Import{ImportPos: t.Pos}
	for {
		name, pos := p.dottedName()
		a := &Alias{NamePos: pos, Name: name}
		if p.isName("as") {
			p.advance()
			a.AsName = p.name("a name after 'as'").Name
		}
		imp.Names = append(imp.Names, a)
		if !p.isOp(",") {
			break
		}
		p.advance()
	}
	imp.To = p.prevEnd()
	return imp
}

func (p *parser) importFrom() Stmt {
	t := p.advance()
	imp := &ImportFrom{FromPos: t.Pos}
	for p.isOp(".") || p.isOp("...") {
		imp.Level += len(p.advance().Text)
	}
	if !p.isName("import") {
		imp.Module, _ = p.dottedName()
	}
	if !p.isName("import") {
		p.errorf(p.tok(), "expected 'import', found "+p.tok().describe())
		imp.To = p.prevEnd()
		return imp
	}
	p.advance()
	if p.isOp("*") {
		p.advance()
		imp.Star = true
		imp.To = p.prevEnd()
		return imp
	}
	paren := p.isOp("(")
	if paren {
		p.advance()
	}
	for {
		if paren && p.isOp(")") {
			break
		}
		n := p.name("a name to import")
		a := &Alias{NamePos: n.NamePos, Name: n.Name}
		if p.isName("as") {
			p.advance()
			a.AsName = p.name("a name after 'as'").Name
		}
		imp.Names = append(imp.Names, a)
		if !p.isOp(",") {
			break
		}
		p.advance()
	}
	if paren {
		p.expectOp(")", " to close the import list")
	}
	imp.To = p.prevEnd()
	return imp
}

func (p *parser) decorated() Stmt {
	from := p.tok().Pos
	var decos []Expr
	for p.isOp("@") {
		p.advance()
		decos = append(decos, p.namedTest())
		if p.tok().Kind != NEWLINE {
			p.errorf(p.tok(), "expected end of line after the decorator, found "+p.tok().describe())
			p.skipToLineEnd()
		}
		if p.tok().Kind == NEWLINE {
			p.advance()
		}
	}
	t := p.tok()
	switch {
	case t.Kind == NAME && t.Text == "def":
		return p.funcDef(from, decos, false)
	case t.Kind == NAME && t.Text == "async" && p.peek(1).is(NAME, "def"):
		p.advance()
		return p.funcDef(from, decos, true)
	case t.Kind == NAME && t.Text == "class":
		return p.classDef(from, decos)
	}
	p.errorf(t, "expected def or class after decorators, found "+t.describe())
	return &BadStmt{From: from, To: p.prevEnd()}
}

func (p *parser) funcDef(from source.Pos, decos []Expr, async bool) Stmt {
	def := p.advance()
	f := &FunctionDef{From: from, Decorators: decos, DefPos: def.Pos, Async: async}
	f.Name = p.name("a function name")
	open := p.tok()
	if p.expectOp("(", " after the function name") {
		f.Params = p.params(")", true)
		p.closeBracketOf(")", open, "the parameter list")
	}
	if p.isOp("->") {
		p.advance()
		f.Returns = p.test()
	}
	p.colon(" after the function signature")
	f.Body = p.block()
	f.To = stmtsEnd(f.Body, p.prevEnd())
	return f
}

// params reads parameters up to (not including) end. Annotations are
// allowed in def, not in lambda.
func (p *parser) params(end string, annotations bool) []*Param {
	var list []*Param
	for !p.isOp(end) && p.tok().Kind != EOF && p.tok().Kind != NEWLINE {
		t := p.tok()
		prm := &Param{NamePos: t.Pos}
		switch {
		case p.isOp("/"):
			p.advance()
			prm.Kind = ParamSlash
			prm.Name = "/"
		case p.isOp("*") && (p.peek(1).is(OP, ",") || p.peek(1).is(OP, end)):
			p.advance()
			prm.Kind = ParamStarOnly
			prm.Name = "*"
		case p.isOp("*") || p.isOp("**"):
			p.advance()
			prm.Kind = ParamVarArgs
			if t.Text == "**" {
				prm.Kind = ParamKwArgs
			}
			n := p.name("a parameter name")
			prm.NamePos, prm.Name = n.NamePos, n.Name
		default:
			n := p.name("a parameter name")
			prm.NamePos, prm.Name = n.NamePos, n.Name
			if n.Name == "" {
				// Not a parameter at all: skip to the end of the list.
				for !p.isOp(end) && p.tok().Kind != EOF && p.tok().Kind != NEWLINE && !p.isOp(":") {
					p.advance()
				}
				return list
			}
		}
		if annotations && p.isOp(":") && prm.Kind != ParamSlash && prm.Kind != ParamStarOnly {
			p.advance()
			prm.Annotation = p.test()
		}
		if p.isOp("=") && (prm.Kind == ParamNormal) {
			p.advance()
			prm.Default = p.test()
		}
		list = append(list, prm)
		if !p.isOp(",") {
			break
		}
		p.advance()
	}
	return list
}

func (p *parser) classDef(from source.Pos, decos []Expr) Stmt {
	kw := p.advance()
	c := &ClassDef{From: from, Decorators: decos, ClassPos: kw.Pos}
	c.Name = p.name("a class name")
	if p.isOp("(") {
		open := p.advance()
		c.Bases, c.Keywords = p.args()
		p.closeBracketOf(")", open, "the base list")
	}
	p.colon(" after the class name")
	c.Body = p.block()
	c.To = stmtsEnd(c.Body, p.prevEnd())
	return c
}

func (p *parser) ifStmt(elif bool) Stmt {
	kw := p.advance()
	s := &If{IfPos: kw.Pos, Elif: elif}
	s.Cond = p.namedTest()
	p.colon(" after the condition")
	s.Body = p.block()
	switch {
	case p.isName("elif"):
		s.Else = []Stmt{p.ifStmt(true)}
	case p.isName("else"):
		p.advance()
		p.colon(" after else")
		s.Else = p.block()
	}
	s.To = stmtsEnd(s.Else, stmtsEnd(s.Body, p.prevEnd()))
	return s
}

func (p *parser) forStmt(async bool) Stmt {
	kw := p.advance()
	s := &For{ForPos: kw.Pos, Async: async}
	s.Target = p.targets()
	if p.isName("in") {
		p.advance()
	} else {
		p.errorf(p.tok(), "expected 'in' in the for statement, found "+p.tok().describe())
	}
	s.Iter = p.starExprs()
	p.colon(" after the for clause")
	s.Body = p.block()
	if p.isName("else") {
		p.advance()
		p.colon(" after else")
		s.Else = p.block()
	}
	s.To = stmtsEnd(s.Else, stmtsEnd(s.Body, p.prevEnd()))
	return s
}

// targets reads the targets of a for clause: a, b or (a, b), without
// taking the 'in' that follows as a comparison.
func (p *parser) targets() Expr {
	from := p.tok().Pos
	first := p.starOr(p.bitOr)
	if !p.isOp(",") {
		return first
	}
	elts := []Expr{first}
	for p.isOp(",") {
		p.advance()
		if p.isName("in") || p.isOp("=") {
			break
		}
		elts = append(elts, p.starOr(p.bitOr))
	}
	return &Tuple{From: from, To: p.prevEnd(), Elts: elts}
}

func (p *parser) whileStmt() Stmt {
	kw := p.advance()
	s := &While{WhilePos: kw.Pos}
	s.Cond = p.namedTest()
	p.colon(" after the condition")
	s.Body = p.block()
	if p.isName("else") {
		p.advance()
		p.colon(" after else")
		s.Else = p.block()
	}
	s.To = stmtsEnd(s.Else, stmtsEnd(s.Body, p.prevEnd()))
	return s
}

func (p *parser) tryStmt() Stmt {
	kw := p.advance()
	s := &Try{TryPos: kw.Pos}
	p.colon(" after try")
	s.Body = p.block()
	for p.isName("except") {
		et := p.advance()
		h := &ExceptHandler{ExceptPos: et.Pos}
		if p.isOp("*") { // except* (exception groups)
			p.advance()
		}
		if !p.isOp(":") {
			h.Type = p.test()
			if p.isOp(",") { // except A, B: (Python 2) or a bare tuple
				elts := []Expr{h.Type}
				for p.isOp(",") {
					p.advance()
					elts = append(elts, p.test())
				}
				h.Type = &Tuple{From: elts[0].Pos(), To: p.prevEnd(), Elts: elts}
			}
			if p.isName("as") {
				p.advance()
				h.Name = p.name("a name after 'as'").Name
			}
		}
		p.colon(" after the except clause")
		h.Body = p.block()
		s.Handlers = append(s.Handlers, h)
	}
	if p.isName("else") {
		p.advance()
		p.colon(" after else")
		s.Else = p.block()
	}
	if p.isName("finally") {
		p.advance()
		p.colon(" after finally")
		s.Finally = p.block()
	}
	if len(s.Handlers) == 0 && s.Finally == nil {
		p.errorf(p.tok(), "expected 'except' or 'finally' after the try block, found "+p.tok().describe())
	}
	end := stmtsEnd(s.Body, p.prevEnd())
	if n := len(s.Handlers); n > 0 {
		end = stmtsEnd(s.Handlers[n-1].Body, end)
	}
	end = stmtsEnd(s.Else, end)
	s.To = stmtsEnd(s.Finally, end)
	return s
}

func (p *parser) withStmt(async bool) Stmt {
	kw := p.advance()
	s := &With{WithPos: kw.Pos, Async: async}
	for {
		it := &WithItem{Context: p.test()}
		if p.isName("as") {
			p.advance()
			it.Target = p.targets()
		}
		s.Items = append(s.Items, it)
		if !p.isOp(",") {
			break
		}
		p.advance()
	}
	p.colon(" after the with items")
	s.Body = p.block()
	s.To = stmtsEnd(s.Body, p.prevEnd())
	return s
}

// ---- expressions -------------------------------------------------------------

// exprListOf reads item (, item)* with an optional trailing comma.
func (p *parser) exprListOf(item func() Expr) []Expr {
	list := []Expr{item()}
	for p.isOp(",") {
		p.advance()
		if p.atExprListEnd() {
			break
		}
		list = append(list, item())
	}
	return list
}

// atExprListEnd reports whether the token ends a comma-separated list.
func (p *parser) atExprListEnd() bool {
	t := p.tok()
	switch t.Kind {
	case NEWLINE, EOF, INDENT, DEDENT:
		return true
	case OP:
		switch t.Text {
		case ")", "]", "}", "=", ":", ";":
			return true
		}
		return augOps[t.Text]
	case NAME:
		return t.Text == "in" || t.Text == "for" || t.Text == "if" || t.Text == "else"
	}
	return false
}

// starExprs reads a comma list of expressions and *starred ones; two or
// more (or a trailing comma) make a Tuple.
func (p *parser) starExprs() Expr {
	from := p.tok().Pos
	first := p.starOr(p.namedTest)
	if !p.isOp(",") {
		return first
	}
	elts := []Expr{first}
	for p.isOp(",") {
		p.advance()
		if p.atExprListEnd() {
			break
		}
		elts = append(elts, p.starOr(p.namedTest))
	}
	return &Tuple{From: from, To: p.prevEnd(), Elts: elts}
}

func (p *parser) starOr(item func() Expr) Expr {
	if p.isOp("*") {
		t := p.advance()
		return &Starred{Star: t.Pos, X: p.bitOr()}
	}
	return item()
}

// namedTest reads name := value or a test.
func (p *parser) namedTest() Expr {
	if t := p.tok(); t.Kind == NAME && !keywords[t.Text] && p.peek(1).is(OP, ":=") {
		p.advance()
		p.advance()
		return &NamedExpr{Target: &Name{NamePos: t.Pos, Name: t.Text}, Value: p.test()}
	}
	return p.test()
}

// test reads a conditional expression or a lambda.
func (p *parser) test() Expr {
	p.enter()
	defer p.leave()
	if p.isName("lambda") {
		return p.lambda(true)
	}
	x := p.orTest()
	if p.isName("if") {
		p.advance()
		cond := p.orTest()
		if !p.isName("else") {
			p.errorf(p.tok(), "expected 'else' in the conditional expression, found "+p.tok().describe())
			return &IfExp{Body: x, Cond: cond, Else: &BadExpr{From: p.tok().Pos, To: p.tok().Pos}}
		}
		p.advance()
		return &IfExp{Body: x, Cond: cond, Else: p.test()}
	}
	return x
}

// testNoCond reads an expression without a conditional (comprehension
// conditions and iterables).
func (p *parser) testNoCond() Expr {
	p.enter()
	defer p.leave()
	if p.isName("lambda") {
		return p.lambda(false)
	}
	return p.orTest()
}

func (p *parser) lambda(cond bool) Expr {
	kw := p.advance()
	l := &Lambda{LambdaPos: kw.Pos}
	l.Params = p.params(":", false)
	p.expectOp(":", " after the lambda parameters")
	if cond {
		l.Body = p.test()
	} else {
		l.Body = p.testNoCond()
	}
	return l
}

func (p *parser) orTest() Expr {
	x := p.andTest()
	for p.isName("or") {
		op := p.advance()
		x = &BinOp{X: x, OpPos: op.Pos, Op: "or", Y: p.andTest()}
	}
	return x
}

func (p *parser) andTest() Expr {
	x := p.notTest()
	for p.isName("and") {
		op := p.advance()
		x = &BinOp{X: x, OpPos: op.Pos, Op: "and", Y: p.notTest()}
	}
	return x
}

func (p *parser) notTest() Expr {
	if p.isName("not") {
		p.enter()
		defer p.leave()
		op := p.advance()
		return &UnaryOp{OpPos: op.Pos, Op: "not", X: p.notTest()}
	}
	return p.comparison()
}

// compOp returns the comparison operator at the current token and how many
// tokens it takes.
func (p *parser) compOp() (string, int) {
	t := p.tok()
	switch t.Kind {
	case OP:
		switch t.Text {
		case "==", "!=", "<", "<=", ">", ">=":
			return t.Text, 1
		}
	case NAME:
		switch t.Text {
		case "in":
			return "in", 1
		case "not":
			if p.peek(1).is(NAME, "in") {
				return "not in", 2
			}
		case "is":
			if p.peek(1).is(NAME, "not") {
				return "is not", 2
			}
			return "is", 1
		}
	}
	return "", 0
}

func (p *parser) comparison() Expr {
	x := p.bitOr()
	op, n := p.compOp()
	if n == 0 {
		return x
	}
	c := &Compare{X: x}
	for n > 0 {
		for range n {
			p.advance()
		}
		c.Ops = append(c.Ops, op)
		c.Comparators = append(c.Comparators, p.bitOr())
		op, n = p.compOp()
	}
	return c
}

// binary operator precedence, lowest first (| ^ & shifts + - * / // % @).
func binaryPrec(t Token) int {
	if t.Kind != OP {
		return 0
	}
	switch t.Text {
	case "|":
		return 1
	case "^":
		return 2
	case "&":
		return 3
	case "<<", ">>":
		return 4
	case "+", "-":
		return 5
	case "*", "/", "//", "%", "@":
		return 6
	}
	return 0
}

func (p *parser) bitOr() Expr { return p.binary(1) }

func (p *parser) binary(minPrec int) Expr {
	p.enter()
	defer p.leave()
	x := p.factor()
	for {
		prec := binaryPrec(p.tok())
		if prec < minPrec || prec == 0 {
			return x
		}
		op := p.advance()
		y := p.binary(prec + 1)
		x = &BinOp{X: x, OpPos: op.Pos, Op: op.Text, Y: y}
	}
}

func (p *parser) factor() Expr {
	if t := p.tok(); t.Kind == OP && (t.Text == "-" || t.Text == "+" || t.Text == "~") {
		p.enter()
		defer p.leave()
		p.advance()
		return &UnaryOp{OpPos: t.Pos, Op: t.Text, X: p.factor()}
	}
	return p.power()
}

func (p *parser) power() Expr {
	var x Expr
	if t := p.tok(); t.is(NAME, "await") {
		p.advance()
		x = &UnaryOp{OpPos: t.Pos, Op: "await", X: p.primary()}
	} else {
		x = p.primary()
	}
	if p.isOp("**") {
		op := p.advance()
		return &BinOp{X: x, OpPos: op.Pos, Op: "**", Y: p.factor()}
	}
	return x
}

// primary reads an atom and its trailers: .name, (args), [index].
func (p *parser) primary() Expr {
	x := p.atom()
	for {
		t := p.tok()
		if t.Kind != OP {
			return x
		}
		switch t.Text {
		case ".":
			p.advance()
			n := p.tok()
			if n.Kind != NAME {
				p.errorf(n, "expected an attribute name after '.', found "+n.describe())
				return x
			}
			p.advance()
			x = &Attribute{X: x, Attr: n.Text, AttrPos: n.Pos}
		case "(":
			p.advance()
			args, kws := p.args()
			r := p.closeBracketOf(")", t, "the call")
			x = &Call{Func: x, Lparen: t.Pos, Args: args, Keywords: kws, Rparen: r}
		case "[":
			p.advance()
			idx := p.subscript()
			r := p.closeBracketOf("]", t, "the subscript")
			x = &Subscript{X: x, Lbrack: t.Pos, Index: idx, Rbrack: r}
		default:
			return x
		}
	}
}

// args reads call arguments up to (not including) ')'.
func (p *parser) args() ([]Expr, []*Keyword) {
	var args []Expr
	var kws []*Keyword
	for !p.isOp(")") && p.tok().Kind != EOF {
		start := p.i
		t := p.tok()
		switch {
		case p.isOp("**"):
			p.advance()
			kws = append(kws, &Keyword{NamePos: t.Pos, Value: p.test()})
		case p.isOp("*"):
			p.advance()
			args = append(args, &Starred{Star: t.Pos, X: p.test()})
		case t.Kind == NAME && !keywords[t.Text] && p.peek(1).is(OP, "="):
			p.advance()
			p.advance()
			kws = append(kws, &Keyword{NamePos: t.Pos, Name: t.Text, Value: p.test()})
		default:
			x := p.namedTest()
			if p.isName("for") || p.isName("async") && p.peek(1).is(NAME, "for") {
				gens := p.compFor()
				x = &Comp{From: x.Pos(), To: p.prevEnd(), Kind: '(', Elt: x, Generators: gens}
			}
			args = append(args, x)
		}
		if !p.isOp(",") {
			break
		}
		p.advance()
		if p.i == start {
			break
		}
	}
	return args, kws
}

// subscript reads an index: an expression, a slice, or a tuple of them.
func (p *parser) subscript() Expr {
	from := p.tok().Pos
	first := p.sliceItem()
	if !p.isOp(",") {
		return first
	}
	elts := []Expr{first}
	for p.isOp(",") {
		p.advance()
		if p.isOp("]") {
			break
		}
		elts = append(elts, p.sliceItem())
	}
	return &Tuple{From: from, To: p.prevEnd(), Elts: elts}
}

func (p *parser) sliceItem() Expr {
	from := p.tok().Pos
	var lo Expr
	if !p.isOp(":") {
		lo = p.starOr(p.namedTest)
		if !p.isOp(":") {
			return lo
		}
	}
	s := &Slice{From: from, Lo: lo}
	p.advance() // :
	if !p.isOp(":") && !p.isOp("]") && !p.isOp(",") {
		s.Hi = p.test()
	}
	if p.isOp(":") {
		p.advance()
		if !p.isOp("]") && !p.isOp(",") {
			s.Step = p.test()
		}
	}
	s.To = p.prevEnd()
	return s
}

// compFor reads the for/if clauses of a comprehension.
func (p *parser) compFor() []*Comprehension {
	var gens []*Comprehension
	for p.isName("for") || p.isName("async") && p.peek(1).is(NAME, "for") {
		c := &Comprehension{For: p.tok().Pos}
		if p.isName("async") {
			p.advance()
			c.Async = true
		}
		p.advance() // for
		c.Target = p.targets()
		if p.isName("in") {
			p.advance()
		} else {
			p.errorf(p.tok(), "expected 'in' in the comprehension, found "+p.tok().describe())
		}
		c.Iter = p.testNoCond()
		for p.isName("if") {
			p.advance()
			c.Ifs = append(c.Ifs, p.testNoCond())
		}
		gens = append(gens, c)
	}
	return gens
}

// closeBracketOf consumes the closing bracket of open and returns its
// position; when it is missing it reports it, skips to it on the same line
// and returns where it should be.
func (p *parser) closeBracketOf(closer string, open Token, what string) source.Pos {
	if p.isOp(closer) {
		return p.advance().Pos
	}
	t := p.tok()
	end := t.End
	if end < t.Pos {
		end = t.Pos
	}
	p.errs.AddRelated(t.Pos, end, source.Span{Start: open.Pos, End: open.End}, CodeSyntax,
		"expected '"+closer+"', found "+t.describe()+", to close "+what+" opened")
	depth := 0
	for {
		t := p.tok()
		switch {
		case t.Kind == EOF || t.Kind == NEWLINE:
			return p.missingAt(open.Pos)
		case t.Kind == OP && (t.Text == "(" || t.Text == "[" || t.Text == "{"):
			depth++
		case t.Kind == OP && (t.Text == ")" || t.Text == "]" || t.Text == "}"):
			if depth == 0 {
				if t.Text == closer {
					return p.advance().Pos
				}
				return p.missingAt(open.Pos)
			}
			depth--
		}
		p.advance()
	}
}

// missingAt is the position given to a missing closing bracket: the last
// byte of the previous token, so the node it closes ends there.
func (p *parser) missingAt(open source.Pos) source.Pos {
	if e := p.prevEnd() - 1; e > open {
		return e
	}
	return open
}

func (p *parser) yieldExpr() Expr {
	kw := p.advance()
	y := &Yield{YieldPos: kw.Pos}
	if p.isName("from") {
		p.advance()
		y.From = true
		y.X = p.test()
	} else if !p.atExprListEnd() && !p.isOp(")") {
		y.X = p.starExprs()
	}
	y.To = p.prevEnd()
	return y
}

// atom reads a name, literal or display.
func (p *parser) atom() Expr {
	t := p.tok()
	switch t.Kind {
	case NAME:
		switch t.Text {
		case "True":
			p.advance()
			return &Constant{ValuePos: t.Pos, Kind: ConstTrue, Raw: t.Text}
		case "False":
			p.advance()
			return &Constant{ValuePos: t.Pos, Kind: ConstFalse, Raw: t.Text}
		case "None":
			p.advance()
			return &Constant{ValuePos: t.Pos, Kind: ConstNone, Raw: t.Text}
		}
		if keywords[t.Text] {
			break
		}
		p.advance()
		return &Name{NamePos: t.Pos, Name: t.Text}
	case NUMBER:
		p.advance()
		return &Constant{ValuePos: t.Pos, Kind: ConstNumber, Raw: t.Text}
	case STRING:
		return p.strings()
	case OP:
		switch t.Text {
		case "...":
			p.advance()
			return &Constant{ValuePos: t.Pos, Kind: ConstEllipsis, Raw: t.Text}
		case "(":
			return p.parenAtom()
		case "[":
			return p.listAtom()
		case "{":
			return p.braceAtom()
		}
	}
	p.errorf(t, "expected an expression, found "+t.describe())
	switch {
	case t.Kind == NEWLINE || t.Kind == EOF || t.Kind == INDENT || t.Kind == DEDENT:
	case t.Kind == OP && (t.Text == ")" || t.Text == "]" || t.Text == "}" || t.Text == ":" || t.Text == "," || t.Text == "=" || t.Text == ";"):
	default:
		p.advance()
		return &BadExpr{From: t.Pos, To: t.End}
	}
	return &BadExpr{From: t.Pos, To: t.Pos}
}

func (p *parser) parenAtom() Expr {
	open := p.advance()
	if p.isOp(")") {
		r := p.advance()
		return &Tuple{From: open.Pos, To: r.End, Paren: true}
	}
	if p.isName("yield") {
		y := p.yieldExpr()
		r := p.closeBracketOf(")", open, "the parenthesis")
		return &ParenExpr{Lparen: open.Pos, X: y, Rparen: r}
	}
	first := p.starOr(p.namedTest)
	if p.isName("for") || p.isName("async") && p.peek(1).is(NAME, "for") {
		gens := p.compFor()
		r := p.closeBracketOf(")", open, "the generator expression")
		return &Comp{From: open.Pos, To: r + 1, Kind: '(', Elt: first, Generators: gens}
	}
	if !p.isOp(",") {
		r := p.closeBracketOf(")", open, "the parenthesis")
		return &ParenExpr{Lparen: open.Pos, X: first, Rparen: r}
	}
	elts := []Expr{first}
	for p.isOp(",") {
		p.advance()
		if p.isOp(")") {
			break
		}
		elts = append(elts, p.starOr(p.namedTest))
	}
	r := p.closeBracketOf(")", open, "the tuple")
	return &Tuple{From: open.Pos, To: r + 1, Elts: elts, Paren: true}
}

func (p *parser) listAtom() Expr {
	open := p.advance()
	if p.isOp("]") {
		r := p.advance()
		return &List{Lbrack: open.Pos, Rbrack: r.Pos}
	}
	first := p.starOr(p.namedTest)
	if p.isName("for") || p.isName("async") && p.peek(1).is(NAME, "for") {
		gens := p.compFor()
		r := p.closeBracketOf("]", open, "the list comprehension")
		return &Comp{From: open.Pos, To: r + 1, Kind: '[', Elt: first, Generators: gens}
	}
	elts := []Expr{first}
	for p.isOp(",") {
		p.advance()
		if p.isOp("]") {
			break
		}
		elts = append(elts, p.starOr(p.namedTest))
	}
	r := p.closeBracketOf("]", open, "the list")
	return &List{Lbrack: open.Pos, Elts: elts, Rbrack: r}
}

func (p *parser) braceAtom() Expr {
	open := p.advance()
	if p.isOp("}") {
		r := p.advance()
		return &Dict{Lbrace: open.Pos, Rbrace: r.Pos}
	}
	// A dict: {k: v, **m, ...} or {k: v for ...}.
	var key Expr
	var doubleStar bool
	if p.isOp("**") {
		p.advance()
		doubleStar = true
	} else {
		key = p.starOr(p.namedTest)
	}
	if doubleStar || p.isOp(":") {
		d := &Dict{Lbrace: open.Pos}
		var value Expr
		if doubleStar {
			value = p.bitOr()
		} else {
			p.advance()
			value = p.test()
			if p.isName("for") || p.isName("async") && p.peek(1).is(NAME, "for") {
				gens := p.compFor()
				r := p.closeBracketOf("}", open, "the dict comprehension")
				return &Comp{From: open.Pos, To: r + 1, Kind: '{', Key: key, Elt: value, Generators: gens}
			}
		}
		d.Keys = append(d.Keys, key)
		d.Values = append(d.Values, value)
		for p.isOp(",") {
			p.advance()
			if p.isOp("}") {
				break
			}
			if p.isOp("**") {
				p.advance()
				d.Keys = append(d.Keys, nil)
				d.Values = append(d.Values, p.bitOr())
				continue
			}
			k := p.test()
			p.expectOp(":", " between a dict key and its value")
			d.Keys = append(d.Keys, k)
			d.Values = append(d.Values, p.test())
		}
		d.Rbrace = p.closeBracketOf("}", open, "the dict")
		return d
	}
	if p.isName("for") || p.isName("async") && p.peek(1).is(NAME, "for") {
		gens := p.compFor()
		r := p.closeBracketOf("}", open, "the set comprehension")
		return &Comp{From: open.Pos, To: r + 1, Kind: '{', Elt: key, Generators: gens}
	}
	elts := []Expr{key}
	for p.isOp(",") {
		p.advance()
		if p.isOp("}") {
			break
		}
		elts = append(elts, p.starOr(p.namedTest))
	}
	r := p.closeBracketOf("}", open, "the set")
	return &Set{Lbrace: open.Pos, Elts: elts, Rbrace: r}
}
