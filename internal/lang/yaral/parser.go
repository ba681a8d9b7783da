package yaral

import (
	"github.com/detwiki/detwiki/internal/source"
)

// MaxDepth bounds expression nesting (parentheses, operators, calls). Real
// rules nest a dozen levels at most; the bound keeps hostile input from
// exhausting the stack.
const MaxDepth = 200

// maxErrors stops parsing after this many errors: past it, errors are noise.
const maxErrors = 100

// Parse reads a .yaral file. It never panics: the returned file holds every
// rule that could be read (with BadExpr nodes where an expression could not
// be), and errs every lexical and syntax error, sorted by position.
func Parse(src string) (f *File, errs ErrorList) {
	p := &parser{src: src}
	p.toks, p.comments = lex(src, &p.errs)
	f = &File{Comments: p.comments, Size: len(src)}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
		}
		p.errs.Sort()
		errs = p.errs
	}()
	p.parseFile(f)
	return f, p.errs
}

// ParseExpr reads a single expression (as in an events predicate or a
// condition); it is meant for tests and tools.
func ParseExpr(src string) (x Expr, errs ErrorList) {
	p := &parser{src: src}
	p.toks, p.comments = lex(src, &p.errs)
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
	x = p.parseExpr()
	if p.tok().Kind != EOF {
		p.errorExpected("end of expression")
	}
	return x, p.errs
}

// bailout is the private panic value that stops a parse (too many errors,
// nesting too deep); Parse recovers it and returns what was read.
type bailout struct{}

type parser struct {
	src      string
	toks     []Token
	comments []*Comment
	i        int
	errs     ErrorList
	depth    int
	// lastErrLine-style suppression: one error per token position.
	lastErrPos source.Pos
	errSeen    bool
}

func (p *parser) tok() Token { return p.toks[p.i] }

func (p *parser) peek(n int) Token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() Token {
	t := p.toks[p.i]
	if t.Kind != EOF {
		p.i++
	}
	return t
}

// prevEnd returns the end of the last consumed token.
func (p *parser) prevEnd() source.Pos {
	if p.i == 0 {
		return 0
	}
	return p.toks[p.i-1].End
}

func (p *parser) errorAt(pos, end source.Pos, code, msg string) {
	if p.errSeen && pos == p.lastErrPos {
		return // one error per position, like go/parser
	}
	p.errSeen, p.lastErrPos = true, pos
	p.errs.Add(pos, end, code, msg)
	if len(p.errs) >= maxErrors {
		panic(bailout{})
	}
}

func (p *parser) errorExpected(what string) {
	t := p.tok()
	p.errorAt(t.Pos, t.End, CodeSyntax, "expected "+what+", found "+t.describe())
}

// expect consumes a token of kind k or reports an error; it returns the
// token's position (NoPos when it was missing).
func (p *parser) expect(k Kind) source.Pos {
	t := p.tok()
	if t.Kind != k {
		p.errorExpected(k.String())
		return source.NoPos
	}
	p.next()
	return t.Pos
}

// word reports whether the current token is the (case-insensitive) keyword w.
func (p *parser) word(w string) bool {
	t := p.tok()
	return t.Kind == IDENT && lowerKeyword(t.Text) == w
}

// sectionNames are the words that open a section when followed by ':'.
func sectionName(s string) bool {
	switch s {
	case "meta", "events", "match", "outcome", "condition", "options":
		return true
	}
	return false
}

// atSection reports whether the current tokens are a section header.
func (p *parser) atSection() bool {
	t := p.tok()
	return t.Kind == IDENT && sectionName(t.Text) && p.peek(1).Kind == COLON
}

// atSectionEnd reports whether the current section's items end here.
func (p *parser) atSectionEnd() bool {
	switch p.tok().Kind {
	case EOF, RBRACE:
		return true
	}
	return p.atSection() || p.atRule()
}

// atRule reports whether a new rule starts here: `rule name {` at the start
// of a line.
func (p *parser) atRule() bool {
	t := p.tok()
	return t.Kind == IDENT && t.Text == "rule" && t.LineStart && p.peek(1).Kind == IDENT && p.peek(2).Kind == LBRACE
}

// syncLine skips tokens after an error up to the next token that starts a
// line (or a section, brace or end of file), always making progress.
func (p *parser) syncLine(from int) {
	if p.i == from {
		p.next()
	}
	for !p.atSectionEnd() && !p.tok().LineStart {
		p.next()
	}
}

// ---- file and rules ----

func (p *parser) parseFile(f *File) {
	for p.tok().Kind != EOF {
		if p.tok().Kind == IDENT && p.tok().Text == "rule" {
			f.Rules = append(f.Rules, p.parseRule())
			continue
		}
		p.errorExpected("'rule'")
		// Skip to the next rule keyword.
		p.next()
		for p.tok().Kind != EOF && !(p.tok().Kind == IDENT && p.tok().Text == "rule") {
			p.next()
		}
	}
}

func (p *parser) parseRule() *Rule {
	r := &Rule{RulePos: p.next().Pos, Rbrace: source.NoPos}
	if t := p.tok(); t.Kind == IDENT {
		p.next()
		r.Name = &Ident{NamePos: t.Pos, Name: t.Text}
	} else {
		p.errorExpected("rule name")
		r.Name = &Ident{NamePos: p.prevEnd()}
	}
	r.Lbrace = p.expect(LBRACE)
	order := 0
	for {
		t := p.tok()
		switch {
		case t.Kind == RBRACE:
			p.next()
			r.Rbrace = t.Pos
			r.EndPos = t.End
			p.checkSections(r)
			return r
		case t.Kind == EOF || p.atRule():
			p.errorAt(t.Pos, t.End, CodeSyntax, "expected '}' to close rule "+r.Name.Name+", found "+t.describe())
			r.EndPos = p.prevEnd()
			p.checkSections(r)
			return r
		case p.atSection():
			s := p.parseSection()
			rank := sectionRank(s.Name())
			if rank < order {
				p.errs.Add(s.Pos(), s.Pos()+source.Pos(len(s.Name())), CodeSection,
					"section "+s.Name()+" is out of order (sections go meta, events, match, outcome, condition, options)")
			}
			order = max(order, rank)
			p.addSection(r, s)
		default:
			p.errorExpected("a section (meta:, events:, match:, outcome:, condition:, options:)")
			p.syncLine(p.i)
		}
	}
}

func sectionRank(name string) int {
	switch name {
	case "meta":
		return 1
	case "events":
		return 2
	case "match":
		return 3
	case "outcome":
		return 4
	case "condition":
		return 5
	}
	return 6
}

func (p *parser) addSection(r *Rule, s Section) {
	r.Sections = append(r.Sections, s)
	dup := false
	switch s := s.(type) {
	case *MetaSection:
		dup = r.Meta != nil
		if !dup {
			r.Meta = s
		}
	case *EventsSection:
		dup = r.Events != nil
		if !dup {
			r.Events = s
		}
	case *MatchSection:
		dup = r.Match != nil
		if !dup {
			r.Match = s
		}
	case *OutcomeSection:
		dup = r.Outcome != nil
		if !dup {
			r.Outcome = s
		}
	case *ConditionSection:
		dup = r.Condition != nil
		if !dup {
			r.Condition = s
		}
	case *OptionsSection:
		dup = r.Options != nil
		if !dup {
			r.Options = s
		}
	}
	if dup {
		p.errs.Add(s.Pos(), s.Pos()+source.Pos(len(s.Name())), CodeSection, "section "+s.Name()+" given twice")
	}
}

// checkSections reports the sections every rule needs.
func (p *parser) checkSections(r *Rule) {
	pos := r.RulePos
	if r.Events == nil {
		p.errs.Add(pos, pos+4, CodeSection, "rule "+r.Name.Name+" has no events section")
	}
	if r.Condition == nil {
		p.errs.Add(pos, pos+4, CodeSection, "rule "+r.Name.Name+" has no condition section")
	}
}

func (p *parser) parseSection() Section {
	name := p.next()
	colon := p.next()
	h := sectionHeader{NamePos: name.Pos, Colon: colon.Pos, EndPos: colon.End}
	var s Section
	switch name.Text {
	case "meta":
		m := &MetaSection{sectionHeader: h}
		m.Entries = p.parseEntries(true)
		s = m
	case "options":
		o := &OptionsSection{sectionHeader: h}
		o.Entries = p.parseEntries(false)
		s = o
	case "events":
		e := &EventsSection{sectionHeader: h}
		e.Stmts = p.parseStmts()
		s = e
	case "match":
		s = p.parseMatch(h)
	case "outcome":
		o := &OutcomeSection{sectionHeader: h}
		o.Assigns = p.parseAssigns()
		s = o
	default: // condition
		c := &ConditionSection{sectionHeader: h}
		if !p.atSectionEnd() {
			start := p.i
			c.Expr = p.parseExpr()
			if !p.atSectionEnd() {
				p.errorExpected("end of condition (and, or, or a new section)")
				p.syncSection(start)
			}
		}
		s = c
	}
	if end := p.prevEnd(); end > h.EndPos {
		setSectionEnd(s, end)
	}
	return s
}

func setSectionEnd(s Section, end source.Pos) {
	switch s := s.(type) {
	case *MetaSection:
		s.EndPos = end
	case *EventsSection:
		s.EndPos = end
	case *MatchSection:
		s.EndPos = end
	case *OutcomeSection:
		s.EndPos = end
	case *ConditionSection:
		s.EndPos = end
	case *OptionsSection:
		s.EndPos = end
	}
}

// syncSection skips to the end of the current section.
func (p *parser) syncSection(from int) {
	if p.i == from {
		p.next()
	}
	for !p.atSectionEnd() {
		p.next()
	}
}

// parseEntries reads `key = value` lines (meta or options).
func (p *parser) parseEntries(meta bool) []*MetaEntry {
	var out []*MetaEntry
	for !p.atSectionEnd() {
		start := p.i
		t := p.tok()
		if t.Kind != IDENT {
			p.errorExpected("a key")
			p.syncLine(start)
			continue
		}
		p.next()
		e := &MetaEntry{Key: &Ident{NamePos: t.Pos, Name: t.Text}}
		e.Eq = p.expect(ASSIGN)
		if e.Eq == source.NoPos {
			e.Value = &BadExpr{From: t.End, To: t.End}
			e.EndPos = t.End
			out = append(out, e)
			p.syncLine(start)
			continue
		}
		if meta {
			e.Value = p.parseUnary()
		} else {
			e.Value = p.parseExpr()
		}
		e.EndPos = e.Value.End()
		out = append(out, e)
		if !p.atSectionEnd() && !p.tok().LineStart {
			p.errorExpected("a new line after the value")
			p.syncLine(start)
		}
	}
	return out
}

// parseStmts reads the predicates of an events section.
func (p *parser) parseStmts() []Expr {
	var out []Expr
	for !p.atSectionEnd() {
		start := p.i
		nerr := len(p.errs)
		x := p.parseExpr()
		out = append(out, x)
		// Errors at one position are reported once, so progress, not the
		// error count, decides whether to skip ahead.
		if p.i == start || len(p.errs) > nerr && !p.atSectionEnd() && !p.tok().LineStart {
			p.syncLine(start)
		}
	}
	return out
}

// parseAssigns reads `$var = expression` lines of an outcome section.
func (p *parser) parseAssigns() []*Assign {
	var out []*Assign
	for !p.atSectionEnd() {
		start := p.i
		nerr := len(p.errs)
		t := p.tok()
		if t.Kind != VAR {
			p.errorExpected("an outcome variable ($name)")
			p.syncLine(start)
			continue
		}
		p.next()
		a := &Assign{Var: &VarRef{Dollar: t.Pos, Name: t.Text[1:]}}
		a.Eq = p.expect(ASSIGN)
		if a.Eq == source.NoPos {
			a.Value = &BadExpr{From: t.End, To: t.End}
			out = append(out, a)
			p.syncLine(start)
			continue
		}
		a.Value = p.parseExpr()
		out = append(out, a)
		if len(p.errs) > nerr && !p.atSectionEnd() && !p.tok().LineStart {
			p.syncLine(start)
		}
	}
	return out
}

// parseMatch reads `vars over|by duration [every duration] [before|after $pivot]`.
func (p *parser) parseMatch(h sectionHeader) *MatchSection {
	m := &MatchSection{sectionHeader: h, WindowPos: source.NoPos, AnchorPos: source.NoPos}
	if p.atSectionEnd() {
		return m
	}
	start := p.i
	for {
		t := p.tok()
		if t.Kind != VAR {
			p.errorExpected("a match variable ($name)")
			p.syncSection(start)
			return m
		}
		m.Vars = append(m.Vars, p.parsePostfix())
		if p.tok().Kind != COMMA {
			break
		}
		p.next()
	}
	switch {
	case p.word("over"), p.word("by"):
		t := p.next()
		m.Window, m.WindowPos = lowerKeyword(t.Text), t.Pos
	default:
		p.errorExpected("'over' or 'by' and a time window")
		p.syncSection(start)
		return m
	}
	m.Duration = p.parseDuration()
	if p.word("every") {
		p.next()
		m.Every = p.parseDuration()
	}
	if p.word("before") || p.word("after") {
		t := p.next()
		m.Anchor, m.AnchorPos = lowerKeyword(t.Text), t.Pos
		if p.tok().Kind == VAR {
			m.Pivot = p.parsePostfix()
		} else {
			p.errorExpected("the pivot event variable")
		}
	}
	if !p.atSectionEnd() {
		p.errorExpected("end of the match section")
		p.syncSection(start)
	}
	return m
}

func (p *parser) parseDuration() *BasicLit {
	t := p.tok()
	if t.Kind != DURATION {
		p.errorExpected("a duration (such as 10m, 1h, 2d)")
		return nil
	}
	p.next()
	return &BasicLit{ValuePos: t.Pos, Kind: LitDuration, Value: t.Text}
}

// ---- expressions ----
//
// Precedence, lowest first:
//   or
//   and
//   not, any, all (prefix)
//   = != < <= > >=, in [regex|cidr] (non-associative), each with an optional nocase
//   + -
//   * /
//   - ! (prefix)
//   operands: literals, $e.path["key"], #e, %list, calls, ( expr )

func (p *parser) enter() {
	p.depth++
	if p.depth > MaxDepth {
		t := p.tok()
		p.errs.Add(t.Pos, t.End, CodeTooDeep, "expression nested too deeply (more than 200 levels)")
		panic(bailout{})
	}
}

func (p *parser) leave() { p.depth-- }

func (p *parser) parseExpr() Expr {
	p.enter()
	defer p.leave()
	x := p.parseAnd()
	for p.word("or") {
		op := p.next()
		y := p.parseAnd()
		x = &BinaryExpr{X: x, OpPos: op.Pos, Op: "or", Y: y}
	}
	return x
}

func (p *parser) parseAnd() Expr {
	x := p.parseNot()
	for p.word("and") {
		op := p.next()
		y := p.parseNot()
		x = &BinaryExpr{X: x, OpPos: op.Pos, Op: "and", Y: y}
	}
	return x
}

func (p *parser) parseNot() Expr {
	switch {
	case p.word("not"):
		p.enter()
		defer p.leave()
		op := p.next()
		return &UnaryExpr{OpPos: op.Pos, Op: "not", X: p.parseNot()}
	case (p.word("any") || p.word("all")) && p.peek(1).Kind == VAR:
		p.enter()
		defer p.leave()
		q := p.next()
		return &QuantExpr{QuantPos: q.Pos, Quant: lowerKeyword(q.Text), X: p.parseComparison()}
	}
	return p.parseComparison()
}

func compareOp(k Kind) string {
	switch k {
	case ASSIGN:
		return "="
	case NEQ:
		return "!="
	case LSS:
		return "<"
	case LEQ:
		return "<="
	case GTR:
		return ">"
	case GEQ:
		return ">="
	}
	return ""
}

func (p *parser) parseComparison() Expr {
	x := p.parseAdditive()
	if op := compareOp(p.tok().Kind); op != "" {
		t := p.next()
		y := p.parseAdditive()
		c := &Comparison{X: x, OpPos: t.Pos, Op: op, Y: y, Nocase: source.NoPos, EndPos: y.End()}
		if p.word("nocase") {
			n := p.next()
			c.Nocase, c.EndPos = n.Pos, n.End
		}
		if compareOp(p.tok().Kind) != "" {
			t := p.tok()
			p.errorAt(t.Pos, t.End, CodeSyntax, "comparisons do not chain: put parentheses around "+printExpr(c))
		}
		return c
	}
	if p.word("in") {
		t := p.next()
		in := &InExpr{X: x, InPos: t.Pos, Nocase: source.NoPos}
		if (p.word("regex") || p.word("cidr")) && p.peek(1).Kind == REFLIST {
			in.Mode = lowerKeyword(p.next().Text)
		}
		if p.tok().Kind == REFLIST {
			in.List = p.parseOperand()
		} else {
			p.errorExpected("a reference list (%name)")
			in.List = &BadExpr{From: p.prevEnd(), To: p.prevEnd()}
		}
		in.EndPos = in.List.End()
		if p.word("nocase") {
			n := p.next()
			in.Nocase, in.EndPos = n.Pos, n.End
		}
		return in
	}
	return x
}

func (p *parser) parseAdditive() Expr {
	x := p.parseMultiplicative()
	for {
		k := p.tok().Kind
		if k != ADD && k != SUB {
			return x
		}
		op := p.next()
		y := p.parseMultiplicative()
		x = &BinaryExpr{X: x, OpPos: op.Pos, Op: op.Text, Y: y}
	}
}

func (p *parser) parseMultiplicative() Expr {
	x := p.parseUnary()
	for {
		k := p.tok().Kind
		if k != MUL && k != QUO {
			return x
		}
		op := p.next()
		y := p.parseUnary()
		x = &BinaryExpr{X: x, OpPos: op.Pos, Op: op.Text, Y: y}
	}
}

func (p *parser) parseUnary() Expr {
	switch p.tok().Kind {
	case SUB, NOT:
		p.enter()
		defer p.leave()
		op := p.next()
		return &UnaryExpr{OpPos: op.Pos, Op: op.Text, X: p.parseUnary()}
	}
	return p.parseOperand()
}

// parsePostfix reads a variable with its field path, if any.
func (p *parser) parsePostfix() Expr {
	t := p.next()
	v := &VarRef{Dollar: t.Pos, Name: t.Text[1:]}
	if p.tok().Kind != DOT && p.tok().Kind != LBRACK {
		return v
	}
	f := &FieldPath{Var: v}
	for {
		switch p.tok().Kind {
		case DOT:
			dot := p.next()
			n := p.tok()
			if n.Kind != IDENT {
				p.errorExpected("a field name after '.'")
				f.Path = append(f.Path, PathElem{Pos: dot.Pos, End: dot.End})
				return f
			}
			p.next()
			f.Path = append(f.Path, PathElem{Pos: dot.Pos, Name: n.Text, End: n.End})
		case LBRACK:
			lb := p.next()
			p.enter()
			key := p.parseExpr()
			p.leave()
			end := p.tok().End
			if p.expect(RBRACK) == source.NoPos {
				end = key.End()
			}
			f.Path = append(f.Path, PathElem{Pos: lb.Pos, Key: key, End: end})
		default:
			return f
		}
	}
}

func (p *parser) parseOperand() Expr {
	t := p.tok()
	switch t.Kind {
	case VAR:
		return p.parsePostfix()
	case COUNT:
		p.next()
		return &CountRef{Hash: t.Pos, Name: t.Text[1:]}
	case REFLIST:
		p.next()
		r := &RefListRef{Percent: t.Pos, Name: t.Text[1:], EndPos: t.End}
		if p.tok().Kind == DOT && p.peek(1).Kind == IDENT && p.peek(1).Pos == p.tok().End {
			p.next()
			c := p.next()
			r.Column, r.EndPos = c.Text, c.End
		}
		return r
	case STRING:
		p.next()
		return &BasicLit{ValuePos: t.Pos, Kind: LitString, Value: t.Text}
	case RAWSTRING:
		p.next()
		return &BasicLit{ValuePos: t.Pos, Kind: LitRawString, Value: t.Text}
	case NUMBER:
		p.next()
		return &BasicLit{ValuePos: t.Pos, Kind: LitNumber, Value: t.Text}
	case DURATION:
		p.next()
		return &BasicLit{ValuePos: t.Pos, Kind: LitDuration, Value: t.Text}
	case REGEX:
		p.next()
		return &RegexLit{ValuePos: t.Pos, Value: t.Text}
	case LPAREN:
		p.enter()
		defer p.leave()
		p.next()
		x := p.parseExpr()
		rp := p.tok().Pos
		if p.expect(RPAREN) == source.NoPos {
			rp = x.End() - 1
		}
		return &ParenExpr{Lparen: t.Pos, X: x, Rparen: rp}
	case IDENT:
		if p.atSectionEnd() || reservedWord(t.Text) {
			break
		}
		return p.parseName()
	}
	if t.Kind == ILLEGAL {
		// The lexer has reported it already.
		p.next()
		return &BadExpr{From: t.Pos, To: t.End}
	}
	p.errorExpected("an expression")
	// The missing operand sits, zero-width, after what was read.
	end := p.prevEnd()
	return &BadExpr{From: end, To: end}
}

// parseName reads an identifier, a dotted function name and its call.
func (p *parser) parseName() Expr {
	t := p.next()
	name := t.Text
	for p.tok().Kind == DOT && p.peek(1).Kind == IDENT {
		p.next()
		name += "." + p.next().Text
	}
	// A call's '(' follows its name on the same line: a '(' that starts a
	// line opens the next events predicate instead.
	if p.tok().Kind != LPAREN || p.tok().LineStart {
		return &Ident{NamePos: t.Pos, Name: name}
	}
	p.enter()
	defer p.leave()
	c := &Call{FuncPos: t.Pos, Func: name, Lparen: p.next().Pos, Nocase: source.NoPos}
	if p.tok().Kind != RPAREN {
		for {
			c.Args = append(c.Args, p.parseExpr())
			if p.tok().Kind != COMMA {
				break
			}
			p.next()
		}
	}
	c.Rparen = p.tok().Pos
	if p.expect(RPAREN) == source.NoPos {
		c.Rparen = p.prevEnd() - 1
		if c.Rparen < c.Lparen {
			c.Rparen = c.Lparen
		}
	}
	if p.word("nocase") {
		c.Nocase = p.next().Pos
	}
	return c
}

// reservedWord reports words that can never be an operand: the binary and
// postfix operator words.
func reservedWord(s string) bool {
	switch lowerKeyword(s) {
	case "and", "or", "in", "nocase", "not":
		return true
	}
	return false
}
