package kql

import "github.com/detwiki/detwiki/internal/source"

// InlineExternalTableOp is inline_external_table [(schema)] kind=storage|delta
// [partition by (col:type [= expr], ...)] [pathformat = ("sep" elem ...)]
// dataformat=fmt (connection strings) [with (props)].
type InlineExternalTableOp struct {
	op
	Schema            *Schema // nil when omitted (delta tables)
	Kind              *Ident
	Partitions        []*Param // Default holds the partition expression
	PathFormat        []Expr   // separator strings, column names, datetime_pattern(...) calls
	DataFormat        *Ident   // nil when omitted (delta tables)
	ConnectionStrings []Expr
	With              []*NamedParam
}

// scanExternalTableSchema reports whether a ( at offset o opens a schema:
// a ':' comes before the closing ')'.
func (p *parser) scanExternalTableSchema(o int) bool {
	if p.kind(o) != LPAREN {
		return false
	}
	for i := o + 1; ; i++ {
		switch p.kind(i) {
		case EOF, COLON:
			return true
		case RPAREN:
			return false
		}
	}
}

func (p *parser) parseInlineExternalTable() Operator {
	if !(p.scanExternalTableSchema(1) || p.kind(1) == KIND) {
		return nil
	}
	o := &InlineExternalTableOp{}
	p.startOp(&o.op)
	if p.scanExternalTableSchema(0) {
		o.Schema = p.parseRowSchema(true)
	}
	kindErrs, schemaPos := len(p.errs), p.nodePos()
	if _, ok := p.got(KIND); ok {
		p.expect(ASSIGN)
		if t := p.tok(0); p.text(t) == "storage" || p.text(t) == "delta" {
			p.advance()
			o.Kind = p.identOf(t)
		} else {
			p.errExpected("Expected one of: storage, delta", codeExpected)
		}
	} else {
		p.errMissing("External Table Kind definition is expected.", codeMissing)
	}
	delta := o.Kind != nil && o.Kind.Name == "delta"
	if o.Schema == nil && !delta {
		// The schema comes first in the tree: report it before the kind.
		nerr := len(p.errs)
		p.errMissing("Missing schema declaration", codeMissing)
		p.moveErrors(kindErrs, nerr, schemaPos)
	}
	if _, ok := p.got(PARTITION); ok {
		p.expect(BY)
		p.expect(LPAREN)
		p.got(COMMA)
		o.Partitions = commaList(p, func() (*Param, bool) {
			prm := &Param{Name: p.parseName(true), Assign: source.NoPos}
			if prm.Name == nil {
				prm.Name = p.missingNameQuiet()
			}
			prm.Colon = p.expect(COLON)
			switch t := p.tok(0); t.kind {
			case TYPE_DATETIME, TYPE_LONG, TYPE_STRING:
				p.advance()
				prm.Type = p.typeOf(t)
			default:
				if t.kind != EOF {
					p.advance()
				}
				p.errAt(t.pos, t.end, "External Table Partition Column type is not supported.", codeTypeName)
				prm.Type = p.typeOf(t)
			}
			if pos, ok := p.got(ASSIGN); ok {
				prm.Assign = pos
				prm.Default = p.parseUnnamedExpr()
			}
			return prm, true
		}, func() *Param {
			p.errMissing("Partition column definition is expected.", codeMissing)
			return &Param{Name: p.missingNameQuiet(), Colon: source.NoPos, Assign: source.NoPos}
		}, p.atCommonEnd, false, true)
		p.expect(RPAREN)
	}
	if _, ok := p.got(PATHFORMAT); ok {
		p.expect(ASSIGN)
		p.expect(LPAREN)
		if p.kind(0) == STRING {
			o.PathFormat = append(o.PathFormat, p.parseLiteral())
		}
		n := 0
		for !p.atCommonEnd() {
			var x Expr
			if p.kind(0) == DATETIME_PATTERN {
				fun := p.identOf(p.advance())
				c := &CallExpr{Fun: fun}
				c.Lparen = p.expect(LPAREN)
				if p.kind(0) == STRING {
					c.Args = append(c.Args, p.parseLiteral())
				}
				p.expect(COMMA)
				if id := p.parseName(false); id != nil {
					c.Args = append(c.Args, id)
				}
				c.Rparen = p.closeOf(RPAREN)
				x = c
			} else if id := p.parseName(false); id != nil {
				x = id
			} else {
				t := p.advance()
				p.errMissing("External Table Path Format syntax has unsupported expresion.", codeUnexpected)
				x = &BadExpr{From: source.Pos(t.pos), To: source.Pos(t.end)}
			}
			o.PathFormat = append(o.PathFormat, x)
			if p.kind(0) == STRING {
				o.PathFormat = append(o.PathFormat, p.parseLiteral())
			}
			n++
		}
		if n == 0 {
			p.errMissing("External Table Path Format is empty.", codeMissing)
		}
		p.expect(RPAREN)
	}
	if _, ok := p.got(DATAFORMAT); ok {
		p.expect(ASSIGN)
		if t := p.tok(0); t.kind == IDENT {
			p.advance()
			o.DataFormat = p.identOf(t)
		} else {
			p.errExpected("Missing name", codeMissing)
		}
	} else if !delta {
		p.errMissing("DataFormat definition is expected.", codeMissing)
	}
	if _, ok := p.got(LPAREN); ok {
		o.ConnectionStrings = commaList(p, exprOf(p.parseExpr), func() Expr { return p.missing("value") }, p.atCommonEnd, false, true)
		p.expect(RPAREN)
	} else {
		p.errMissing("Connection strings definition is expected.", codeMissing)
	}
	if _, ok := p.got(WITH); ok {
		p.expect(LPAREN)
		o.With = commaList(p, p.parseProperty, p.missingNamedParam, p.atCommonEnd, false, false)
		p.expect(RPAREN)
	}
	return p.endOp(&o.op, o)
}
