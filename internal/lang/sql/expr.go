package sql

import (
	"strings"

	"github.com/detwiki/detwiki/internal/source"
)

// Expr is a node of a WHERE, HAVING or ON condition.
type Expr interface {
	Pos() source.Pos
	End() source.Pos
	exprNode()
}

type (
	// Ref is a column, a qualified column (t.col) or a path into a
	// semi-structured column (properties:user:name, col['key']).
	Ref struct {
		From, To source.Pos
		// Path holds the parts as written, quotes removed; Colon is the
		// index of the first part reached through ':' (len(Path) when
		// none): Path[:Colon] is the (qualified) column.
		Path  []string
		Colon int
	}

	// Lit is a string, number, boolean or NULL literal.
	Lit struct {
		From, To source.Pos
		Kind     LitKind
		Value    string // decoded
	}

	// Call is a function call; Name is as written (lower case not forced).
	Call struct {
		From, To source.Pos
		Name     string
		Args     []Expr
	}

	// Unary is NOT X, -X or +X.
	Unary struct {
		OpPos source.Pos
		Op    string // upper case for words
		X     Expr
	}

	// Binary is X Op Y: AND, OR, comparisons (= != <> < <= > >=), IS
	// DISTINCT FROM, arithmetic and ||.
	Binary struct {
		X  Expr
		Op string
		Y  Expr
	}

	// In is X [NOT] IN (list) or X [NOT] IN (subquery) (Sub set, List
	// empty).
	In struct {
		X    Expr
		Not  bool
		List []Expr
		Sub  bool
		To   source.Pos
	}

	// Like is X [NOT] LIKE|ILIKE|RLIKE|REGEXP pattern, or the ANY/ALL
	// forms with several patterns.
	Like struct {
		X        Expr
		Not      bool
		Op       string // LIKE, ILIKE, RLIKE, REGEXP, LIKE ANY, ILIKE ANY, LIKE ALL, ...
		Patterns []Expr
		To       source.Pos
	}

	// Between is X [NOT] BETWEEN Lo AND Hi.
	Between struct {
		X      Expr
		Not    bool
		Lo, Hi Expr
	}

	// IsNull is X IS [NOT] NULL.
	IsNull struct {
		X   Expr
		Not bool
		To  source.Pos
	}

	// Cast is X::Type.
	Cast struct {
		X    Expr
		Type string
		To   source.Pos
	}

	// Paren is (X).
	Paren struct {
		From, To source.Pos
		X        Expr
	}

	// Opaque is an expression the reader keeps as text: CASE ... END, a
	// subquery, EXISTS (...), a template tag, an array or object literal.
	Opaque struct {
		From, To source.Pos
	}
)

// LitKind is the kind of a literal.
type LitKind uint8

// Literal kinds.
const (
	LitString LitKind = iota
	LitNumber
	LitBool
	LitNull
)

func (x *Ref) Pos() source.Pos     { return x.From }
func (x *Ref) End() source.Pos     { return x.To }
func (x *Lit) Pos() source.Pos     { return x.From }
func (x *Lit) End() source.Pos     { return x.To }
func (x *Call) Pos() source.Pos    { return x.From }
func (x *Call) End() source.Pos    { return x.To }
func (x *Unary) Pos() source.Pos   { return x.OpPos }
func (x *Unary) End() source.Pos   { return x.X.End() }
func (x *Binary) Pos() source.Pos  { return x.X.Pos() }
func (x *Binary) End() source.Pos  { return x.Y.End() }
func (x *In) Pos() source.Pos      { return x.X.Pos() }
func (x *In) End() source.Pos      { return x.To }
func (x *Like) Pos() source.Pos    { return x.X.Pos() }
func (x *Like) End() source.Pos    { return x.To }
func (x *Between) Pos() source.Pos { return x.X.Pos() }
func (x *Between) End() source.Pos { return x.Hi.End() }
func (x *IsNull) Pos() source.Pos  { return x.X.Pos() }
func (x *IsNull) End() source.Pos  { return x.To }
func (x *Cast) Pos() source.Pos    { return x.X.Pos() }
func (x *Cast) End() source.Pos    { return x.To }
func (x *Paren) Pos() source.Pos   { return x.From }
func (x *Paren) End() source.Pos   { return x.To }
func (x *Opaque) Pos() source.Pos  { return x.From }
func (x *Opaque) End() source.Pos  { return x.To }

func (*Ref) exprNode()     {}
func (*Lit) exprNode()     {}
func (*Call) exprNode()    {}
func (*Unary) exprNode()   {}
func (*Binary) exprNode()  {}
func (*In) exprNode()      {}
func (*Like) exprNode()    {}
func (*Between) exprNode() {}
func (*IsNull) exprNode()  {}
func (*Cast) exprNode()    {}
func (*Paren) exprNode()   {}
func (*Opaque) exprNode()  {}

// Column returns the column part of a reference (Path[:Colon]) joined by
// dots, and the path inside it (Path[Colon:]) joined by dots.
func (x *Ref) Column() (column, path string) {
	return strings.Join(x.Path[:x.Colon], "."), strings.Join(x.Path[x.Colon:], ".")
}

// Binding powers, lowest first.
const (
	bpOr = 1 + iota
	bpAnd
	bpNot
	bpCompare
	bpConcat
	bpAdd
	bpMul
	bpUnary
)

// expr reads a condition up to the end of its clause.
func (p *parser) expr() Expr { return p.exprBP(0) }

// infix returns the binary operator at the current token and its binding
// power (0 when there is none).
func (p *parser) infix() (string, int) {
	t := p.tok()
	switch t.Kind {
	case OP:
		switch t.Text {
		case "=", "==", "!=", "<>", "<", "<=", ">", ">=":
			return t.Text, bpCompare
		case "||":
			return "||", bpConcat
		case "+", "-":
			return t.Text, bpAdd
		case "*", "/", "%":
			return t.Text, bpMul
		}
	case IDENT:
		switch strings.ToLower(t.Text) {
		case "or":
			return "OR", bpOr
		case "and":
			return "AND", bpAnd
		case "in", "like", "ilike", "rlike", "regexp", "between", "is":
			return strings.ToUpper(t.Text), bpCompare
		case "not":
			n := p.peek(1)
			for _, w := range []string{"in", "like", "ilike", "rlike", "regexp", "between"} {
				if n.keyword(w) {
					return "NOT " + strings.ToUpper(w), bpCompare
				}
			}
		}
	}
	return "", 0
}

func (p *parser) exprBP(minBP int) Expr {
	p.enter()
	defer p.leave()
	x := p.unary()
	for {
		op, bp := p.infix()
		if bp == 0 || bp <= minBP {
			return x
		}
		opTok := p.advance()
		not := false
		if op[:min(4, len(op))] == "NOT " {
			not = true
			op = op[4:]
			p.advance()
		}
		switch op {
		case "IN":
			x = p.in(x, not)
		case "LIKE", "ILIKE", "RLIKE", "REGEXP":
			x = p.like(x, not, op)
		case "BETWEEN":
			lo := p.exprBP(bpCompare)
			if p.kw("and") {
				p.advance()
			} else {
				p.errorf(p.tok(), "expected AND in BETWEEN, found "+p.tok().describe())
			}
			hi := p.exprBP(bpCompare)
			x = &Between{X: x, Not: not, Lo: lo, Hi: hi}
		case "IS":
			n := false
			if p.kw("not") {
				p.advance()
				n = true
			}
			switch {
			case p.kw("null"):
				end := p.advance().End
				x = &IsNull{X: x, Not: n, To: end}
			case p.kw("distinct"):
				p.advance()
				if p.kw("from") {
					p.advance()
				}
				op := "IS DISTINCT FROM"
				if n {
					op = "IS NOT DISTINCT FROM"
				}
				x = &Binary{X: x, Op: op, Y: p.exprBP(bpCompare)}
			default:
				y := p.exprBP(bpCompare)
				op := "IS"
				if n {
					op = "IS NOT"
				}
				x = &Binary{X: x, Op: op, Y: y}
			}
		default:
			_ = opTok
			x = &Binary{X: x, Op: op, Y: p.exprBP(bp)}
		}
	}
}

func (p *parser) in(x Expr, not bool) Expr {
	in := &In{X: x, Not: not}
	if !p.isOp("(") {
		// IN followed by something else (a template tag, a variable).
		y := p.unary()
		in.List = []Expr{y}
		in.To = y.End()
		return in
	}
	open := p.advance()
	if p.kw("select", "with") {
		in.Sub = true
		p.query(true, "")
		p.closeParenOf(open)
		in.To = p.prevEnd()
		return in
	}
	for !p.isOp(")") && p.tok().Kind != EOF {
		start := p.i
		in.List = append(in.List, p.expr())
		if !p.isOp(",") {
			break
		}
		p.advance()
		if p.i == start {
			break
		}
	}
	p.closeParenOf(open)
	in.To = p.prevEnd()
	return in
}

func (p *parser) like(x Expr, not bool, op string) Expr {
	l := &Like{X: x, Not: not, Op: op}
	if p.kw("any", "all", "some") {
		l.Op += " " + strings.ToUpper(p.advance().Text)
		if p.isOp("(") {
			open := p.advance()
			for !p.isOp(")") && p.tok().Kind != EOF {
				start := p.i
				l.Patterns = append(l.Patterns, p.expr())
				if !p.isOp(",") {
					break
				}
				p.advance()
				if p.i == start {
					break
				}
			}
			p.closeParenOf(open)
			l.To = p.prevEnd()
			return l
		}
	}
	pat := p.exprBP(bpCompare)
	l.Patterns = []Expr{pat}
	if p.kw("escape") {
		p.advance()
		p.unary()
	}
	l.To = p.prevEnd()
	return l
}

func (p *parser) unary() Expr {
	t := p.tok()
	switch {
	case t.keyword("not"):
		p.advance()
		return &Unary{OpPos: t.Pos, Op: "NOT", X: p.exprBP(bpNot)}
	case t.Kind == OP && (t.Text == "-" || t.Text == "+"):
		p.advance()
		return &Unary{OpPos: t.Pos, Op: t.Text, X: p.exprBP(bpUnary)}
	}
	return p.postfix(p.primary())
}

func (p *parser) postfix(x Expr) Expr {
	for {
		switch {
		case p.isOp("::"):
			p.advance()
			typ := p.advance()
			if typ.Kind != IDENT {
				p.errorf(typ, "expected a type after '::', found "+typ.describe())
			}
			if p.isOp("(") {
				p.skipBalanced()
			}
			x = &Cast{X: x, Type: strings.ToUpper(typ.Text), To: p.prevEnd()}
		case p.isOp("[") || p.isOp(":") || p.isOp("."):
			ref, _ := x.(*Ref)
			if p.isOp("[") {
				p.advance()
				key := p.expr()
				if !p.isOp("]") {
					p.errorf(p.tok(), "expected ']', found "+p.tok().describe())
				} else {
					p.advance()
				}
				if lit, ok := key.(*Lit); ok && ref != nil && lit.Kind == LitString {
					// col['key'] is the path col:key.
					ref.Path = append(ref.Path, lit.Value)
					ref.To = p.prevEnd()
					continue
				}
				x = &Opaque{From: x.Pos(), To: p.prevEnd()}
				continue
			}
			sep := p.advance()
			n := p.tok()
			if n.Kind != IDENT && n.Kind != QIDENT {
				p.errorf(n, "expected a name after '"+sep.Text+"', found "+n.describe())
				return x
			}
			p.advance()
			if ref == nil {
				x = &Opaque{From: x.Pos(), To: n.End}
				continue
			}
			inColumn := ref.Colon == len(ref.Path)
			ref.Path = append(ref.Path, identName(n))
			if inColumn && sep.Text == "." {
				ref.Colon = len(ref.Path)
			}
			ref.To = n.End
		default:
			return x
		}
	}
}

func (p *parser) primary() Expr {
	t := p.tok()
	switch t.Kind {
	case IDENT:
		switch strings.ToLower(t.Text) {
		case "true", "false":
			p.advance()
			return &Lit{From: t.Pos, To: t.End, Kind: LitBool, Value: strings.ToLower(t.Text)}
		case "null":
			p.advance()
			return &Lit{From: t.Pos, To: t.End, Kind: LitNull, Value: "null"}
		case "case":
			p.advance()
			depth := 1
			for depth > 0 && p.tok().Kind != EOF {
				switch {
				case p.kw("case"):
					depth++
				case p.kw("end"):
					depth--
				case p.isOp("(") && (p.peek(1).keyword("select") || p.peek(1).keyword("with")):
					p.skipBalanced()
					continue
				}
				p.advance()
			}
			return &Opaque{From: t.Pos, To: p.prevEnd()}
		case "exists":
			p.advance()
			if p.isOp("(") {
				p.skipBalanced()
			}
			return &Opaque{From: t.Pos, To: p.prevEnd()}
		case "interval", "date", "timestamp", "time":
			if p.peek(1).Kind == STRING {
				p.advance()
				p.advance()
				return &Opaque{From: t.Pos, To: p.prevEnd()}
			}
		}
		if p.peek(1).Kind == OP && p.peek(1).Text == "(" && !reserved[strings.ToLower(t.Text)] {
			return p.call()
		}
		if reserved[strings.ToLower(t.Text)] {
			break
		}
		p.advance()
		return &Ref{From: t.Pos, To: t.End, Path: []string{t.Text}, Colon: 1}
	case QIDENT:
		p.advance()
		return &Ref{From: t.Pos, To: t.End, Path: []string{identName(t)}, Colon: 1}
	case STRING:
		p.advance()
		return &Lit{From: t.Pos, To: t.End, Kind: LitString, Value: unquote(t.Text)}
	case NUMBER:
		p.advance()
		return &Lit{From: t.Pos, To: t.End, Kind: LitNumber, Value: t.Text}
	case VAR, TEMPLATE:
		p.advance()
		return &Opaque{From: t.Pos, To: t.End}
	case OP:
		switch t.Text {
		case "(":
			if p.peek(1).keyword("select") || p.peek(1).keyword("with") {
				p.skipBalanced()
				return &Opaque{From: t.Pos, To: p.prevEnd()}
			}
			p.advance()
			x := p.expr()
			if p.isOp(",") { // a row value (a, b)
				for p.isOp(",") {
					p.advance()
					p.expr()
				}
				p.closeParenOf(t)
				return &Opaque{From: t.Pos, To: p.prevEnd()}
			}
			p.closeParenOf(t)
			return &Paren{From: t.Pos, To: p.prevEnd(), X: x}
		case "[", "{":
			closer := map[string]string{"[": "]", "{": "}"}[t.Text]
			p.advance()
			depth := 1
			for depth > 0 && p.tok().Kind != EOF {
				switch n := p.advance(); {
				case n.Kind == OP && n.Text == t.Text:
					depth++
				case n.Kind == OP && n.Text == closer:
					depth--
				}
			}
			return &Opaque{From: t.Pos, To: p.prevEnd()}
		case "*":
			p.advance()
			return &Opaque{From: t.Pos, To: t.End}
		}
	}
	p.errorf(t, "expected an expression, found "+t.describe())
	if !p.atClauseEnd() && !p.isOp(",") {
		p.advance()
		return &Opaque{From: t.Pos, To: t.End}
	}
	return &Opaque{From: t.Pos, To: t.Pos}
}

func (p *parser) call() Expr {
	name := p.advance()
	open := p.advance() // (
	c := &Call{From: name.Pos, Name: name.Text}
	if p.kw("distinct", "all") {
		p.advance()
	}
	for !p.isOp(")") && p.tok().Kind != EOF {
		start := p.i
		if p.isOp(",") { // an empty argument: p_occurs_since('1 d', , ts)
			p.advance()
			continue
		}
		if p.isOp("*") {
			t := p.advance()
			c.Args = append(c.Args, &Opaque{From: t.Pos, To: t.End})
		} else {
			if (p.tok().Kind == IDENT) && p.peek(1).Kind == OP && p.peek(1).Text == "=>" {
				p.advance()
				p.advance()
			}
			c.Args = append(c.Args, p.expr())
			if p.kw("as") { // CAST(x AS type)
				p.advance()
				p.advance()
				if p.isOp("(") {
					p.skipBalanced()
				}
			}
			if !p.isOp(")") && !p.isOp(",") {
				// Anything else up to the next argument belongs to this one:
				// ORDER BY, IGNORE NULLS, FROM (EXTRACT), SEPARATOR, and
				// Panther's macro units (p_occurs_since(1 hour), 1h).
				argStart := c.Args[len(c.Args)-1].Pos()
				for !p.isOp(")") && !p.isOp(",") && p.tok().Kind != EOF {
					if p.isOp("(") {
						p.skipBalanced()
						continue
					}
					p.advance()
				}
				c.Args[len(c.Args)-1] = &Opaque{From: argStart, To: p.prevEnd()}
			}
		}
		if !p.isOp(",") {
			break
		}
		p.advance()
		if p.i == start {
			break
		}
	}
	p.closeParenOf(open)
	// WITHIN GROUP (...), OVER (...), FILTER (...), IGNORE NULLS.
	for {
		switch {
		case p.kw("within") && p.peek(1).keyword("group"):
			p.advance()
			p.advance()
			if p.isOp("(") {
				p.skipBalanced()
			}
		case p.kw("over"), p.kw("filter") && p.peek(1).Kind == OP && p.peek(1).Text == "(":
			p.advance()
			if p.isOp("(") {
				p.skipBalanced()
			} else if p.tok().Kind == IDENT {
				p.advance()
			}
		case p.kw("ignore", "respect") && p.peek(1).keyword("nulls"):
			p.advance()
			p.advance()
		default:
			c.To = p.prevEnd()
			return c
		}
	}
}
