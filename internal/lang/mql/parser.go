package mql

import (
	"strconv"

	"github.com/detwiki/detwiki/internal/source"
)

// MaxDepth bounds how deeply expressions may nest; deeper input is reported
// (CodeTooDeep) instead of exhausting the stack.
const MaxDepth = 256

// Parse parses an MQL source. It always returns a Source (its Expr nil only
// for a source without tokens, or BadExpr where nothing could be read) and
// every error found, sorted by position.
func Parse(src string) (file *Source, errs ErrorList) {
	p := &parser{src: src}
	p.toks, p.comments = lex(src, &p.errs)
	file = &Source{Comments: p.comments, Size: len(src)}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			file.Expr = &BadExpr{From: 0, To: source.Pos(len(src))}
		}
		p.errs.Sort()
		errs = p.errs
	}()
	if p.tok().Kind == EOF {
		return file, nil
	}
	file.Expr = p.top()
	return file, nil
}

// ParseExpr parses src as one expression (Parse without the comments).
func ParseExpr(src string) (Expr, ErrorList) {
	f, errs := Parse(src)
	return f.Expr, errs
}

type bailout struct{}

type parser struct {
	src      string
	toks     []Token
	comments []*Comment
	i        int
	errs     ErrorList
	depth    int
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

func (p *parser) isWord(w string) bool {
	t := p.tok()
	return t.Kind == IDENT && t.Text == w
}

func (p *parser) errorf(t Token, msg string) {
	p.errs.Add(t.Pos, t.End, CodeSyntax, msg)
}

// expect consumes a token of kind k, or reports one missing.
func (p *parser) expect(k Kind, context string) Token {
	t := p.tok()
	if t.Kind != k {
		p.errorf(t, "expected "+k.String()+context+", found "+t.describe())
		return Token{Kind: k, Pos: t.Pos, End: t.Pos}
	}
	return p.advance()
}

// top parses the whole source; after an error it skips to the next
// top-level and/or and goes on, so that the rest of the rule is kept.
func (p *parser) top() Expr {
	x := p.expr(0)
	for p.tok().Kind != EOF {
		t := p.tok()
		if t.Kind == ASSIGN {
			p.errorf(t, "'=' is not an MQL operator (use == to compare)")
		} else {
			p.errorf(t, "unexpected "+t.describe()+" after the expression")
		}
		depth := 0
		for p.tok().Kind != EOF {
			t := p.tok()
			if depth == 0 && t.Kind == IDENT && (t.Text == "and" || t.Text == "or") {
				break
			}
			switch t.Kind {
			case LPAREN, LBRACK:
				depth++
			case RPAREN, RBRACK:
				if depth > 0 {
					depth--
				}
			}
			p.advance()
		}
		if p.tok().Kind == EOF {
			break
		}
		op := p.advance()
		y := p.expr(0)
		x = &BinaryExpr{X: x, OpPos: op.Pos, Op: op.Text, Y: y}
	}
	return x
}

// Binding powers, lowest first.
const (
	bpOr      = 1
	bpAnd     = 2
	bpNot     = 3
	bpCompare = 4
	bpAdd     = 5
	bpMul     = 6
	bpUnary   = 7
)

// infix returns the operator at the current token, its binding power and
// how many tokens it takes (not in: 2), or bp 0 when there is none.
func (p *parser) infix() (op string, bp, n int) {
	t := p.tok()
	switch t.Kind {
	case IDENT:
		switch t.Text {
		case "or":
			return "or", bpOr, 1
		case "and":
			return "and", bpAnd, 1
		case "in":
			return "in", bpCompare, 1
		case "is":
			if n := p.peek(1); n.Kind == IDENT && n.Text == "not" {
				return "is not", bpCompare, 2
			}
			return "is", bpCompare, 1
		case "not":
			switch n := p.peek(1); {
			case n.Kind == IDENT && n.Text == "in":
				return "not in", bpCompare, 2
			case n.Kind == INI:
				return "not in~", bpCompare, 2
			}
		}
	case INI:
		return "in~", bpCompare, 1
	case EQL:
		return "==", bpCompare, 1
	case NEQ:
		return "!=", bpCompare, 1
	case IEQL:
		return "=~", bpCompare, 1
	case INEQ:
		return "!~", bpCompare, 1
	case LSS:
		return "<", bpCompare, 1
	case LEQ:
		return "<=", bpCompare, 1
	case GTR:
		return ">", bpCompare, 1
	case GEQ:
		return ">=", bpCompare, 1
	case ADD:
		return "+", bpAdd, 1
	case SUB:
		return "-", bpAdd, 1
	case MUL:
		return "*", bpMul, 1
	case QUO:
		return "/", bpMul, 1
	case REM:
		return "%", bpMul, 1
	}
	return "", 0, 0
}

// expr parses an expression whose operators bind tighter than minBP.
func (p *parser) expr(minBP int) Expr {
	p.depth++
	if p.depth > MaxDepth {
		t := p.tok()
		p.errs.Add(t.Pos, t.End, CodeTooDeep, "expression nested deeper than "+strconv.Itoa(MaxDepth)+" levels")
		panic(bailout{})
	}
	defer func() { p.depth-- }()
	x := p.unary()
	for {
		op, bp, n := p.infix()
		if bp == 0 || bp <= minBP {
			return x
		}
		opPos := p.tok().Pos
		for range n {
			p.advance()
		}
		y := p.expr(bp)
		x = &BinaryExpr{X: x, OpPos: opPos, Op: op, Y: y}
	}
}

// unary parses prefix operators and a postfix-extended primary.
func (p *parser) unary() Expr {
	t := p.tok()
	switch {
	case t.Kind == IDENT && t.Text == "not":
		p.advance()
		return &UnaryExpr{OpPos: t.Pos, Op: "not", X: p.expr(bpNot - 1 + 1)}
	case t.Kind == SUB:
		p.advance()
		return &UnaryExpr{OpPos: t.Pos, Op: "-", X: p.expr(bpUnary)}
	}
	return p.postfix(p.primary())
}

func (p *parser) primary() Expr {
	t := p.tok()
	switch t.Kind {
	case IDENT:
		switch t.Text {
		case "true", "false":
			p.advance()
			return &BasicLit{ValuePos: t.Pos, Kind: LitBool, Raw: t.Text, Value: t.Text}
		case "null":
			p.advance()
			return &BasicLit{ValuePos: t.Pos, Kind: LitNull, Raw: t.Text, Value: t.Text}
		case "none", "all", "any":
			if n := p.peek(1); n.Kind == IDENT && n.Text == "of" {
				p.advance()
				return p.of(&Ident{NamePos: t.Pos, Name: t.Text})
			}
		}
		p.advance()
		return &Ident{NamePos: t.Pos, Name: t.Text}
	case NUMBER:
		p.advance()
		lit := &BasicLit{ValuePos: t.Pos, Kind: LitNumber, Raw: t.Text, Value: t.Text}
		if n := p.tok(); n.Kind == IDENT && n.Text == "of" {
			return p.of(lit)
		}
		return lit
	case STRING, RAWSTRING:
		p.advance()
		v, ok := Unquote(t.Text)
		switch {
		case ok:
		case len(t.Text) < 2 || t.Text[len(t.Text)-1] != t.Text[0]:
			// Unterminated (reported by the lexer): keep what is there.
			v = t.Text[1:]
		case t.Kind == STRING:
			p.errs.Add(t.Pos, t.End, CodeLexical, "invalid escape sequence in string")
		}
		return &BasicLit{ValuePos: t.Pos, Kind: LitString, Raw: t.Text, Value: v}
	case LIST:
		p.advance()
		return &ListRef{NamePos: t.Pos, Name: t.Text}
	case DOT:
		p.advance()
		depth, end := 1, t.End
		for p.tok().Kind == DOT && p.tok().Pos == end {
			end = p.advance().End
			depth++
		}
		var x Expr = &Elem{DotPos: t.Pos, Depth: depth}
		if n := p.tok(); n.Kind == IDENT && n.Pos == end {
			p.advance()
			x = &Selector{X: x, Sel: n.Text, SelPos: n.Pos}
		}
		return x
	case LPAREN:
		p.advance()
		if p.tok().Kind == RPAREN {
			r := p.advance()
			return &ListLit{Lbrack: t.Pos, Elems: []Expr{}, Rbrack: r.Pos}
		}
		x := p.expr(0)
		if p.tok().Kind == COMMA {
			elems := []Expr{x}
			for p.tok().Kind == COMMA {
				p.advance()
				if p.tok().Kind == RPAREN { // trailing comma
					break
				}
				elems = append(elems, p.expr(0))
			}
			r := p.closing(RPAREN, t)
			return &ListLit{Lbrack: t.Pos, Elems: elems, Rbrack: r.Pos}
		}
		r := p.closing(RPAREN, t)
		return &ParenExpr{Lparen: t.Pos, X: x, Rparen: r.Pos}
	case LBRACK:
		p.advance()
		elems := p.exprList(RBRACK)
		r := p.closing(RBRACK, t)
		return &ListLit{Lbrack: t.Pos, Bracket: true, Elems: elems, Rbrack: r.Pos}
	}
	if t.Kind == ASSIGN {
		p.errorf(t, "'=' is not an MQL operator (use == to compare)")
	} else {
		p.errorf(t, "expected an expression, found "+t.describe())
	}
	switch t.Kind {
	case RPAREN, RBRACK, COMMA, EOF:
	default:
		p.advance()
	}
	return &BadExpr{From: t.Pos, To: t.End}
}

// closing consumes the closing bracket of open, skipping anything unexpected
// before it (with one error) so that the enclosing expression goes on.
func (p *parser) closing(k Kind, open Token) Token {
	if p.tok().Kind == k {
		return p.advance()
	}
	t := p.tok()
	p.errs.AddRelated(t.Pos, t.End, source.Span{Start: open.Pos, End: open.End}, CodeSyntax,
		"expected "+k.String()+", found "+t.describe()+", to close the "+open.Kind.String())
	depth := 0
	for {
		t := p.tok()
		switch t.Kind {
		case EOF:
			return p.missing(k, open)
		case LPAREN, LBRACK:
			depth++
		case RPAREN, RBRACK:
			if depth == 0 {
				if t.Kind == k {
					return p.advance()
				}
				return p.missing(k, open)
			}
			depth--
		}
		p.advance()
	}
}

// missing stands for a closing bracket that is not there: it sits on the
// last byte of the previous token, so that the node it closes ends there.
func (p *parser) missing(k Kind, open Token) Token {
	pos := open.Pos
	if p.i > 0 && p.toks[p.i-1].End-1 > pos {
		pos = p.toks[p.i-1].End - 1
	}
	return Token{Kind: k, Pos: pos, End: pos}
}

// exprList parses comma-separated expressions up to (not including) end.
func (p *parser) exprList(end Kind) []Expr {
	list := []Expr{}
	for p.tok().Kind != end && p.tok().Kind != EOF {
		before := p.i
		list = append(list, p.expr(0))
		if p.tok().Kind != COMMA {
			break
		}
		p.advance()
		if p.i == before {
			break
		}
	}
	return list
}

// argList parses the arguments of a call up to (not including) ')':
// expressions and named arguments (name=value).
func (p *parser) argList() []Expr {
	list := []Expr{}
	for p.tok().Kind != RPAREN && p.tok().Kind != EOF {
		before := p.i
		if t := p.tok(); t.Kind == IDENT && p.peek(1).Kind == ASSIGN {
			p.advance()
			p.advance()
			list = append(list, &KeyValue{KeyPos: t.Pos, Key: t.Text, Value: p.expr(0)})
		} else {
			list = append(list, p.expr(0))
		}
		if p.tok().Kind != COMMA {
			break
		}
		p.advance()
		if p.i == before {
			break
		}
	}
	return list
}

// of parses "(a, b, ...)" after "N of".
func (p *parser) of(count Expr) Expr {
	p.advance() // of
	open := p.tok()
	lp := p.expect(LPAREN, " after 'of'")
	if lp.End == lp.Pos { // missing '('
		return &OfExpr{Count: count, Lparen: open.Pos, List: []Expr{}, Rparen: open.Pos - 1}
	}
	list := p.exprList(RPAREN)
	r := p.closing(RPAREN, lp)
	return &OfExpr{Count: count, Lparen: lp.Pos, List: list, Rparen: r.Pos}
}

// postfix parses member access, calls, indexes and slices after x.
func (p *parser) postfix(x Expr) Expr {
	for {
		t := p.tok()
		switch t.Kind {
		case DOT:
			p.advance()
			n := p.tok()
			if n.Kind != IDENT {
				p.errorf(n, "expected a field name after '.', found "+n.describe())
				return x
			}
			p.advance()
			x = &Selector{X: x, Sel: n.Text, SelPos: n.Pos}
		case LPAREN:
			p.advance()
			args := p.argList()
			r := p.closing(RPAREN, t)
			x = &Call{Fun: x, Lparen: t.Pos, Args: args, Rparen: r.Pos}
		case LBRACK:
			p.advance()
			var lo Expr
			if k := p.tok().Kind; k != COLON && k != RBRACK {
				lo = p.expr(0)
			}
			if p.tok().Kind == COLON {
				p.advance()
				var hi Expr
				if p.tok().Kind != RBRACK {
					hi = p.expr(0)
				}
				r := p.closing(RBRACK, t)
				x = &Slice{X: x, Lbrack: t.Pos, Lo: lo, Hi: hi, Rbrack: r.Pos}
				continue
			}
			if lo == nil {
				n := p.tok()
				p.errorf(n, "expected an index, found "+n.describe())
				lo = &BadExpr{From: n.Pos, To: n.Pos}
			}
			r := p.closing(RBRACK, t)
			x = &Index{X: x, Lbrack: t.Pos, Index: lo, Rbrack: r.Pos}
		default:
			return x
		}
	}
}
