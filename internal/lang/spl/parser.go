package spl

import (
	"fmt"
	"strings"

	"github.com/detwiki/detwiki/internal/source"
)

// MaxDepth bounds the nesting of parentheses, subsearches and operators; a
// search nested deeper is reported (CodeDepth) and parsing stops there.
const MaxDepth = 200

// maxErrors is how many errors a parse reports before it gives up.
const maxErrors = 20

// bailout is the private panic that stops a parse (too deep, too many
// errors); ParseQuery and ParseExpr recover it.
type bailout struct{}

type parser struct {
	src     string
	sc      scanner
	errors  ErrorList
	pending []*Error // lexical errors of the current token, kept until it is consumed
	tok     Token
	pos     int
	end     int
	lastEnd int // end of the last consumed token
	mode    mode
	depth   int
	quiet   bool // while skipping: drop lexical errors
}

func newParser(src string) *parser {
	p := &parser{src: src}
	p.sc = scanner{src: src}
	p.sc.err = func(pos, end source.Pos, code, msg string) {
		if p.quiet {
			return
		}
		p.pending = append(p.pending, &Error{Pos: pos, End: end, Code: code, Msg: msg})
	}
	return p
}

// ParseQuery parses a whole search. It always returns a tree (partial when
// there are errors) and never panics.
func ParseQuery(src string) (pl *Pipeline, errs ErrorList) {
	p := newParser(src)
	pl = &Pipeline{Start: 0}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
		}
		p.commitPending()
		if pl.Stop < pl.Start {
			pl.Stop = pl.Start
		}
		p.errors.Sort()
		errs = p.errors
	}()
	p.mode = modeSearch
	p.scanTok()
	pl.Start = source.Pos(p.pos)
	p.parsePipelineInto(pl, false)
	if p.tok != EOF {
		p.errorf(p.pos, p.end, CodeSyntax, "unexpected %s", p.describe())
	}
	return pl, nil
}

// ParseExpr parses one eval expression (what eval assigns and where
// tests).
func ParseExpr(src string) (x Expr, errs ErrorList) {
	p := newParser(src)
	x = &BadExpr{From: 0, To: source.Pos(len(src))}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
		}
		p.commitPending()
		p.errors.Sort()
		errs = p.errors
	}()
	p.mode = modeEval
	p.scanTok()
	x = p.parseExpr()
	if p.tok != EOF {
		p.errorf(p.pos, p.end, CodeSyntax, "unexpected %s after the expression", p.describe())
	}
	return x, nil
}

// ---------------------------------------------------------------------------
// Tokens and errors

func (p *parser) scanTok() {
	p.pending = p.pending[:0]
	t, a, b := p.sc.scan(p.mode)
	p.tok, p.pos, p.end = t, a, b
}

func (p *parser) commitPending() {
	for _, e := range p.pending {
		p.addError(e)
	}
	p.pending = p.pending[:0]
}

// next consumes the current token and scans the next one in the current
// mode.
func (p *parser) next() {
	if !p.quiet {
		p.commitPending()
	}
	p.lastEnd = p.end
	p.scanTok()
}

// nextIn consumes the current token and scans the next one in mode m,
// which becomes the current mode.
func (p *parser) nextIn(m mode) {
	p.mode = m
	p.next()
}

// setMode rescans the current, not yet consumed, token in mode m.
func (p *parser) setMode(m mode) {
	if p.mode == m {
		return
	}
	p.mode = m
	p.sc.off = p.pos
	p.scanTok()
}

// peek returns the token after the current one, scanned in mode m, without
// consuming anything.
func (p *parser) peek(m mode) (Token, int, int) {
	off := p.sc.off
	q := p.quiet
	p.quiet = true
	t, a, b := p.sc.scan(m)
	p.quiet = q
	p.sc.off = off
	return t, a, b
}

func (p *parser) lit() string { return p.src[p.pos:p.end] }

// isWord reports whether the current token is the bare word w, ignoring
// case.
func (p *parser) isWord(w string) bool {
	return p.tok == WORD && p.end-p.pos == len(w) && strings.EqualFold(p.lit(), w)
}

// isKeyword reports whether the current token is the upper-case search
// keyword k (AND, OR, NOT must be capitalised in the search command).
func (p *parser) isKeyword(k string) bool {
	return p.tok == WORD && p.lit() == k
}

func (p *parser) atCommandEnd() bool {
	return p.tok == PIPE || p.tok == EOF || p.tok == RBRACK
}

func (p *parser) describe() string {
	switch p.tok {
	case WORD, STRING, FIELDSTR, NUMBER, MACRO, ILLEGAL:
		s := p.lit()
		if len(s) > 40 {
			s = s[:37] + "..."
		}
		return fmt.Sprintf("%s %q", p.tok, s)
	case EOF:
		return "end of search"
	}
	return "'" + p.tok.String() + "'"
}

func (p *parser) addError(e *Error) {
	for _, x := range p.errors {
		if x.Pos == e.Pos {
			return // one error per position
		}
	}
	p.errors = append(p.errors, e)
	if len(p.errors) >= maxErrors {
		p.errors = append(p.errors, &Error{Pos: e.Pos, End: e.End, Code: CodeSyntax, Msg: "too many errors; parsing stopped"})
		panic(bailout{})
	}
}

func (p *parser) errorf(pos, end int, code, format string, args ...any) {
	p.commitPending()
	p.addError(&Error{Pos: source.Pos(pos), End: source.Pos(end), Code: code, Msg: fmt.Sprintf(format, args...)})
}

// errorRelated reports an error that also names the place related, such as
// the opening bracket a missing closing one belongs to; msg ends with the
// words that place completes ("... to close the '('").
func (p *parser) errorRelated(pos, end int, related source.Span, code, msg string) {
	p.commitPending()
	p.addError(&Error{Pos: source.Pos(pos), End: source.Pos(end), Code: code, Msg: msg, Related: related})
}

// closeMissing reports that the closer of the bracket at open, what, is
// missing here.
func (p *parser) closeMissing(closer string, open int, what string) {
	p.errorRelated(p.pos, p.end, source.Span{Start: source.Pos(open), End: source.Pos(open + 1)}, CodeSyntax,
		"expected '"+closer+"', found "+p.describe()+", to close "+what)
}

// enter counts one level of nesting, stopping the parse past MaxDepth.
func (p *parser) enter() {
	p.depth++
	if p.depth > MaxDepth {
		p.errorf(p.pos, p.end, CodeDepth, "search nested deeper than %d levels", MaxDepth)
		panic(bailout{})
	}
}

func (p *parser) leave() { p.depth-- }

// expectClose consumes the closing token t and returns its position, or
// reports it missing and returns NoPos.
func (p *parser) expectClose(t Token, open int) source.Pos {
	if p.tok == t {
		pos := p.pos
		p.next()
		return source.Pos(pos)
	}
	p.closeMissing(t.String(), open, "the '"+openOf(t)+"'")
	return source.NoPos
}

func openOf(t Token) string {
	switch t {
	case RPAREN:
		return "("
	case RBRACK:
		return "["
	}
	return "?"
}

// skipToCommandEnd consumes tokens up to the next '|' (or the ']' closing
// the current subsearch, or the end), skipping balanced brackets.
func (p *parser) skipToCommandEnd() {
	p.quiet = true
	p.pending = p.pending[:0]
	defer func() { p.quiet = false }()
	p.setMode(modeArgs)
	depth := 0
	for {
		switch p.tok {
		case EOF:
			return
		case PIPE:
			if depth == 0 {
				return
			}
		case RBRACK:
			if depth == 0 {
				return
			}
			depth--
		case LBRACK:
			depth++
		}
		p.next()
	}
}

func (p *parser) word() *Word {
	w := &Word{ValuePos: source.Pos(p.pos), Tok: p.tok, Raw: p.lit()}
	if p.tok == MACRO {
		w.Value = w.Raw
	} else {
		w.Value = Unquote(w.Raw)
	}
	return w
}

// ---------------------------------------------------------------------------
// Pipelines and commands

// parsePipelineInto parses commands into pl until the end of the search,
// or until the ']' that closes a subsearch when inSub.
func (p *parser) parsePipelineInto(pl *Pipeline, inSub bool) {
	first := true
	for {
		if p.tok == EOF {
			break
		}
		if p.tok == RBRACK {
			if inSub {
				break
			}
			p.errorf(p.pos, p.end, CodeSyntax, "unexpected ']' outside a subsearch")
			p.next()
			continue
		}
		pipe := source.NoPos
		if p.tok == PIPE {
			pipe = source.Pos(p.pos)
			p.nextIn(modeArgs)
		} else if !first {
			p.errorf(p.pos, p.end, CodeSyntax, "expected '|' before %s", p.describe())
			p.skipToCommandEnd()
			continue
		}
		cmd := p.parseCommand(pipe, first && !pipe.IsValid(), inSub)
		pl.Commands = append(pl.Commands, cmd)
		if cmd.End() > pl.Stop {
			pl.Stop = cmd.End()
		}
		first = false
	}
	if pl.Stop < pl.Start {
		pl.Stop = pl.Start
	}
}

// subpipelineCommands are the commands a subsearch may start with, without
// a pipe, besides search: the bracketed pipelines of foreach, appendpipe and
// append hold commands ([eval x=1], [stats count], [tstats ...]).
var subpipelineCommands = map[string]bool{
	"eval": true, "where": true, "stats": true, "eventstats": true, "streamstats": true,
	"tstats": true, "table": true, "fields": true, "rename": true, "lookup": true,
	"inputlookup": true, "rex": true, "spath": true, "dedup": true, "sort": true,
	"head": true, "tail": true, "bin": true, "bucket": true, "fillnull": true, "convert": true,
	"mvexpand": true, "makemv": true, "chart": true, "timechart": true, "top": true,
	"rare": true, "makeresults": true, "datamodel": true, "from": true, "mstats": true,
}

// parseCommand parses one command. implicit is true for the first command
// of a search written without a leading pipe: an implicit search unless it
// starts with the word "search" (or, in a subsearch, with the name of a
// command that may start a bracketed pipeline).
func (p *parser) parseCommand(pipe source.Pos, implicit, inSub bool) Command {
	if implicit {
		p.setMode(modeSearch)
		explicit := false
		if p.isWord("search") || inSub && p.tok == WORD && subpipelineCommands[strings.ToLower(p.lit())] {
			t, _, _ := p.peek(modeSearch)
			explicit = t != EQ && t != NEQ && t != EQL
		}
		if !explicit {
			b := CmdBase{Pipe: pipe, NamePos: source.NoPos, Start: source.Pos(p.pos)}
			return p.parseSearchCmd(b)
		}
	}
	p.setMode(modeArgs)
	switch p.tok {
	case WORD:
	case MACRO:
		b := CmdBase{Pipe: pipe, NamePos: source.Pos(p.pos), Start: source.Pos(p.pos)}
		w := p.word()
		b.Cmd = w.Raw
		p.next()
		c := &MacroCmd{CmdBase: b, Macro: w}
		p.endCommand(&c.CmdBase)
		return c
	default:
		start := p.pos
		if pipe.IsValid() && p.atCommandEnd() {
			p.errorf(int(pipe), int(pipe)+1, CodeSyntax, "empty command after '|'")
			start = int(pipe) + 1
		} else {
			p.errorf(p.pos, p.end, CodeSyntax, "expected a command name, found %s", p.describe())
		}
		c := &BadCmd{CmdBase{Pipe: pipe, NamePos: source.NoPos, Cmd: "?", Start: source.Pos(start)}}
		p.skipToCommandEnd()
		c.Stop = source.Pos(max(p.lastEnd, start))
		return c
	}
	b := CmdBase{Pipe: pipe, NamePos: source.Pos(p.pos), Cmd: p.lit(), Start: source.Pos(p.pos)}
	name := strings.ToLower(b.Cmd)
	switch name {
	case "search":
		p.nextIn(modeSearch)
		return p.parseSearchCmd(b)
	case "tstats":
		p.nextIn(modeArgs)
		return p.parseTstats(b)
	case "stats", "eventstats", "streamstats", "chart", "timechart":
		p.nextIn(modeArgs)
		return p.parseStats(b)
	case "eval":
		p.nextIn(modeEval)
		return p.parseEval(b)
	case "where":
		p.nextIn(modeEval)
		return p.parseWhere(b)
	case "inputlookup":
		p.nextIn(modeArgs)
		return p.parseInputlookup(b)
	}
	p.nextIn(modeArgs)
	args := p.parseArgs()
	c := p.typedArgsCommand(ArgsCmd{CmdBase: b, Args: args})
	p.endCommand(c.Base())
	return c
}

// endCommand checks that the command ends at a '|' (or ']' or the end) and
// records where it stops.
func (p *parser) endCommand(b *CmdBase) {
	if !p.atCommandEnd() {
		p.errorf(p.pos, p.end, CodeSyntax, "unexpected %s in the %s command", p.describe(), b.Name())
		p.skipToCommandEnd()
	}
	b.Stop = source.Pos(max(p.lastEnd, int(b.Start)))
}

func (p *parser) parseSearchCmd(b CmdBase) *SearchCmd {
	p.setMode(modeSearch)
	c := &SearchCmd{CmdBase: b}
	if !p.atCommandEnd() {
		c.Expr = p.parseSearchExpr(false)
	}
	p.endCommand(&c.CmdBase)
	return c
}

// optionAhead reports whether the current word starts a key=value option.
func (p *parser) optionAhead() bool {
	if p.tok != WORD {
		return false
	}
	t, _, _ := p.peek(modeArgs)
	return t == EQ
}

func (p *parser) parseOption() *Option {
	o := &Option{Key: p.word()}
	p.next()
	o.OpPos, o.Op = source.Pos(p.pos), p.tok
	p.next()
	o.Value = p.parseArgValue(o)
	return o
}

func (p *parser) parseTstats(b CmdBase) *TstatsCmd {
	c := &TstatsCmd{CmdBase: b, FromPos: source.NoPos, WherePos: source.NoPos, ByPos: source.NoPos}
	for !p.atCommandEnd() {
		switch {
		case p.tok == COMMA:
			p.next()
		case p.tok == MACRO:
			c.Macros = append(c.Macros, p.word())
			p.next()
		case p.isWord("from") && !c.FromPos.IsValid():
			c.FromPos = source.Pos(p.pos)
			p.next()
			if p.optionAhead() {
				c.Datamodel = p.parseOption()
				if c.Datamodel.Name() != "datamodel" {
					p.errorf(int(c.Datamodel.Pos()), int(c.Datamodel.End()), CodeSyntax, "expected datamodel=<name> after FROM, found %s=", c.Datamodel.Key.Raw)
				}
			} else {
				p.errorf(p.pos, p.end, CodeSyntax, "expected datamodel=<name> after FROM, found %s", p.describe())
			}
		case p.isWord("where") && !c.WherePos.IsValid():
			c.WherePos = source.Pos(p.pos)
			p.nextIn(modeSearch)
			if !p.atCommandEnd() && !p.isWord("by") {
				c.Where = p.parseSearchExpr(true)
			} else {
				p.errorf(p.pos, p.end, CodeSyntax, "expected a search after WHERE, found %s", p.describe())
			}
			p.setMode(modeArgs)
		case p.isWord("by") && !c.ByPos.IsValid():
			c.ByPos = source.Pos(p.pos)
			p.next()
			c.By = p.parseByList(&c.Trailing)
			if len(c.By) == 0 {
				p.errorf(int(c.ByPos), int(c.ByPos)+2, CodeSyntax, "expected a field after BY")
			}
		case p.optionAhead():
			o := p.parseOption()
			if len(c.Aggs) == 0 {
				c.Options = append(c.Options, o)
			} else {
				c.Trailing = append(c.Trailing, o)
			}
		case (p.tok == WORD || p.tok == STRING) && !c.FromPos.IsValid() && !c.WherePos.IsValid() && !c.ByPos.IsValid():
			c.Aggs = append(c.Aggs, p.parseAggregation())
		default:
			p.errorf(p.pos, p.end, CodeSyntax, "unexpected %s in the tstats command", p.describe())
			p.skipToCommandEnd()
		}
	}
	if len(c.Aggs) == 0 {
		p.errorf(int(c.NamePos), int(c.NamePos)+len(c.Cmd), CodeSyntax, "tstats needs at least one statistical function (count, values(x), ...)")
	}
	p.endCommand(&c.CmdBase)
	return c
}

// parseByList reads the fields of a BY clause (separated by spaces or
// commas) until the end of the command; options written among them (span=1h)
// go to *trailing.
func (p *parser) parseByList(trailing *[]*Option) []*Word {
	var out []*Word
	for !p.atCommandEnd() {
		switch {
		case p.tok == COMMA:
			p.next()
		case p.optionAhead():
			*trailing = append(*trailing, p.parseOption())
		case (p.tok == WORD || p.tok == STRING) && !p.isWord("over") && !p.isWord("by") && !p.isWord("where"):
			out = append(out, p.word())
			p.next()
		default:
			return out
		}
	}
	return out
}

func (p *parser) parseStats(b CmdBase) *StatsCmd {
	c := &StatsCmd{CmdBase: b, OverPos: source.NoPos, ByPos: source.NoPos}
	for !p.atCommandEnd() {
		switch {
		case p.tok == COMMA:
			p.next()
		case p.tok == MACRO:
			c.Macros = append(c.Macros, p.word())
			p.next()
		case p.isWord("by") && !c.ByPos.IsValid():
			c.ByPos = source.Pos(p.pos)
			p.next()
			c.By = p.parseByList(&c.Trailing)
			if len(c.By) == 0 {
				p.errorf(int(c.ByPos), int(c.ByPos)+2, CodeSyntax, "expected a field after BY")
			}
		case p.isWord("over") && b.Name() == "chart" && !c.OverPos.IsValid():
			c.OverPos = source.Pos(p.pos)
			p.next()
			if p.tok == WORD || p.tok == STRING {
				c.Over = p.word()
				p.next()
			} else {
				p.errorf(p.pos, p.end, CodeSyntax, "expected a field after OVER, found %s", p.describe())
			}
		case p.optionAhead():
			o := p.parseOption()
			if len(c.Aggs) == 0 {
				c.Options = append(c.Options, o)
			} else {
				c.Trailing = append(c.Trailing, o)
			}
		case (p.tok == WORD || p.tok == STRING) && !c.ByPos.IsValid() && !c.OverPos.IsValid():
			c.Aggs = append(c.Aggs, p.parseAggregation())
		default:
			p.errorf(p.pos, p.end, CodeSyntax, "unexpected %s in the %s command", p.describe(), b.Name())
			p.skipToCommandEnd()
		}
	}
	if len(c.Aggs) == 0 && b.Name() != "timechart" && b.Name() != "chart" {
		p.errorf(int(c.NamePos), int(c.NamePos)+len(c.Cmd), CodeSyntax, "%s needs at least one statistical function (count, values(x), ...)", b.Name())
	}
	p.endCommand(&c.CmdBase)
	return c
}

// parseAggregation reads func, func(args) and either with AS alias.
func (p *parser) parseAggregation() *Aggregation {
	a := &Aggregation{Func: p.word(), Lparen: source.NoPos, Rparen: source.NoPos, AsPos: source.NoPos}
	p.next()
	if p.tok == LPAREN && source.Pos(p.pos) == a.Func.End() {
		a.Lparen = source.Pos(p.pos)
		p.enter()
		p.next()
		for p.tok != RPAREN && !p.atCommandEnd() {
			if p.isWord("eval") {
				if t, at, _ := p.peek(modeArgs); t == LPAREN && at == p.end {
					a.Args = append(a.Args, p.parseEvalArg())
					continue
				}
			}
			a.Args = append(a.Args, p.parseArg())
		}
		a.Rparen = p.expectClose(RPAREN, int(a.Lparen))
		p.leave()
	}
	if p.isWord("as") {
		a.AsPos = source.Pos(p.pos)
		p.next()
		if p.tok == WORD || p.tok == STRING {
			a.Alias = p.word()
			p.next()
			if p.tok == LPAREN && p.pos == int(a.Alias.End()) {
				// values(x) AS name(suffix): Splunk keeps the parenthesised
				// part in the field name.
				g := p.parseGroup()
				a.Alias.Raw = p.src[a.Alias.ValuePos:g.End()]
				a.Alias.Value = Unquote(a.Alias.Raw)
				a.Alias.Tok = WORD
			}
		} else {
			p.errorf(p.pos, p.end, CodeSyntax, "expected a field name after AS, found %s", p.describe())
		}
	}
	return a
}

// parseEvalArg reads eval(expression) inside a stats function.
func (p *parser) parseEvalArg() *EvalArg {
	e := &EvalArg{Eval: p.word(), Rparen: source.NoPos}
	p.next()
	e.Lparen = source.Pos(p.pos)
	p.enter()
	p.nextIn(modeEval)
	e.X = p.parseExpr()
	p.setMode(modeArgs)
	e.Rparen = p.expectClose(RPAREN, int(e.Lparen))
	p.leave()
	return e
}

func (p *parser) parseEval(b CmdBase) *EvalCmd {
	c := &EvalCmd{CmdBase: b}
	for !p.atCommandEnd() {
		a := &Assignment{Eq: source.NoPos}
		switch p.tok {
		case WORD:
			// Splunk takes any characters up to '=' as the name of the field
			// eval assigns (unusual_cmdline_feature_-value=...).
			p.setMode(modeArgs)
			a.Field = &Ident{NamePos: source.Pos(p.pos), Raw: p.lit(), Name: p.lit()}
		case FIELDSTR:
			a.Field = &Ident{NamePos: source.Pos(p.pos), Raw: p.lit(), Name: unquoteField(p.lit()), Quoted: true}
		case STRING:
			a.Field = &Ident{NamePos: source.Pos(p.pos), Raw: p.lit(), Name: Unquote(p.lit()), Quoted: true}
		default:
			p.errorf(p.pos, p.end, CodeSyntax, "expected a field name to assign, found %s", p.describe())
			p.skipToCommandEnd()
			continue
		}
		p.nextIn(modeArgs)
		if p.tok != EQ {
			p.errorf(p.pos, p.end, CodeSyntax, "expected '=' after the field name in eval, found %s", p.describe())
			p.skipToCommandEnd()
			c.Assigns = append(c.Assigns, a)
			continue
		}
		a.Eq = source.Pos(p.pos)
		p.nextIn(modeEval)
		a.Value = p.parseExpr()
		c.Assigns = append(c.Assigns, a)
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	if len(c.Assigns) == 0 {
		p.errorf(int(c.NamePos), int(c.NamePos)+len(c.Cmd), CodeSyntax, "eval needs at least one field=expression")
	}
	p.endCommand(&c.CmdBase)
	return c
}

func (p *parser) parseWhere(b CmdBase) *WhereCmd {
	c := &WhereCmd{CmdBase: b}
	if p.atCommandEnd() {
		p.errorf(p.pos, p.end, CodeSyntax, "where needs a condition")
	} else {
		c.Cond = p.parseExpr()
	}
	p.endCommand(&c.CmdBase)
	return c
}

func (p *parser) parseInputlookup(b CmdBase) *InputlookupCmd {
	c := &InputlookupCmd{CmdBase: b, WherePos: source.NoPos}
	for !p.atCommandEnd() {
		if p.isWord("where") {
			c.WherePos = source.Pos(p.pos)
			p.nextIn(modeSearch)
			if !p.atCommandEnd() {
				c.Where = p.parseSearchExpr(false)
			}
			p.setMode(modeArgs)
			break
		}
		a := p.parseArg()
		c.Args = append(c.Args, a)
		if w, ok := a.(*Word); ok && c.Table == nil {
			c.Table = w
		}
	}
	if c.Table == nil {
		p.errorf(int(c.NamePos), int(c.NamePos)+len(c.Cmd), CodeSyntax, "inputlookup needs a lookup table name")
	}
	p.endCommand(&c.CmdBase)
	return c
}

// ---------------------------------------------------------------------------
// Arguments

func (p *parser) parseArgs() []Arg {
	var args []Arg
	for !p.atCommandEnd() {
		args = append(args, p.parseArg())
	}
	return args
}

// parseArg reads one argument. It always consumes at least one token.
func (p *parser) parseArg() Arg {
	switch p.tok {
	case WORD, STRING, MACRO:
		w := p.word()
		p.next()
		if p.tok == LPAREN && p.pos == int(w.End()) && w.Tok == WORD {
			return &Call{Name: w, Args: p.parseGroup()}
		}
		if p.tok == EQ || p.tok == NEQ || p.tok == EQL {
			o := &Option{Key: w, OpPos: source.Pos(p.pos), Op: p.tok}
			p.next()
			o.Value = p.parseArgValue(o)
			return o
		}
		return w
	case LPAREN:
		return p.parseGroup()
	case LBRACK:
		return p.parseSubsearch()
	case COMMA:
		a := &Punct{TokPos: source.Pos(p.pos), Tok: COMMA}
		p.next()
		return a
	}
	a := &Punct{TokPos: source.Pos(p.pos), Tok: p.tok}
	if p.tok != ILLEGAL {
		p.errorf(p.pos, p.end, CodeSyntax, "unexpected %s", p.describe())
	}
	if p.tok == ILLEGAL {
		// Keep the illegal text as a word so the tree covers it.
		w := p.word()
		p.next()
		return w
	}
	p.next()
	return a
}

// parseArgValue reads the value of key=value.
func (p *parser) parseArgValue(o *Option) Arg {
	switch p.tok {
	case WORD, STRING, MACRO:
		w := p.word()
		p.next()
		if p.tok == LPAREN && p.pos == int(w.End()) && w.Tok == WORD {
			return &Call{Name: w, Args: p.parseGroup()}
		}
		return w
	case LPAREN:
		return p.parseGroup()
	case LBRACK:
		return p.parseSubsearch()
	}
	p.errorf(p.pos, p.end, CodeSyntax, "missing value after %s%s", o.Key.Raw, o.Op)
	return nil
}

func (p *parser) parseGroup() *Group {
	g := &Group{Lparen: source.Pos(p.pos), Rparen: source.NoPos}
	p.enter()
	p.next()
	for p.tok != RPAREN && !p.atCommandEnd() {
		g.Args = append(g.Args, p.parseArg())
	}
	g.Rparen = p.expectClose(RPAREN, int(g.Lparen))
	p.leave()
	return g
}

func (p *parser) parseSubsearch() *Subsearch {
	s := &Subsearch{Lbrack: source.Pos(p.pos), Rbrack: source.NoPos}
	outer := p.mode
	p.enter()
	p.nextIn(modeSearch)
	s.Pipeline = &Pipeline{Start: source.Pos(p.pos), Stop: source.Pos(p.pos)}
	p.parsePipelineInto(s.Pipeline, true)
	p.mode = outer
	if p.tok == RBRACK {
		s.Rbrack = source.Pos(p.pos)
		p.next()
	} else {
		p.closeMissing("]", int(s.Lbrack), "the subsearch")
	}
	p.leave()
	return s
}

// ---------------------------------------------------------------------------
// Search expressions

// searchContinues reports whether another term follows in a search
// expression.
func (p *parser) searchContinues(stopBy bool) bool {
	switch p.tok {
	case EOF, PIPE, RBRACK, RPAREN:
		return false
	}
	return !(stopBy && p.isWord("by"))
}

// parseSearchExpr reads terms joined by AND (written or implied). OR binds
// tighter than AND in the search command. stopBy stops at the word BY (the
// WHERE clause of tstats).
func (p *parser) parseSearchExpr(stopBy bool) SearchExpr {
	x := p.parseSearchOr(stopBy)
	for p.searchContinues(stopBy) {
		opPos := source.NoPos
		if p.isKeyword("AND") {
			opPos = source.Pos(p.pos)
			p.next()
		}
		y := p.parseSearchOr(stopBy)
		x = &SearchBinary{X: x, OpPos: opPos, Op: "AND", Y: y}
	}
	return x
}

func (p *parser) parseSearchOr(stopBy bool) SearchExpr {
	x := p.parseSearchNot(stopBy)
	for p.isKeyword("OR") {
		opPos := source.Pos(p.pos)
		p.next()
		y := p.parseSearchNot(stopBy)
		x = &SearchBinary{X: x, OpPos: opPos, Op: "OR", Y: y}
	}
	return x
}

func (p *parser) parseSearchNot(stopBy bool) SearchExpr {
	if p.isKeyword("NOT") {
		pos := source.Pos(p.pos)
		p.enter()
		p.next()
		x := p.parseSearchNot(stopBy)
		p.leave()
		return &SearchNot{Not: pos, X: x}
	}
	return p.parseSearchPrimary(stopBy)
}

// directiveAhead reports whether the current word is CASE or TERM written
// right before '('.
func (p *parser) directiveAhead() bool {
	if p.tok != WORD || p.end >= len(p.src) || p.src[p.end] != '(' {
		return false
	}
	return p.isWord("CASE") || p.isWord("TERM")
}

func (p *parser) parseSearchPrimary(stopBy bool) SearchExpr {
	switch p.tok {
	case LPAREN:
		lp := p.pos
		p.enter()
		p.next()
		var x SearchExpr
		if p.tok != RPAREN {
			x = p.parseSearchExpr(false)
		}
		rp := p.expectClose(RPAREN, lp)
		p.leave()
		return &SearchParen{Lparen: source.Pos(lp), X: x, Rparen: rp}
	case LBRACK:
		return &SearchTerm{Value: p.parseSubsearch()}
	case MACRO:
		w := p.word()
		p.next()
		return &SearchTerm{Value: w}
	case WORD, STRING:
		if p.isKeyword("AND") || p.isKeyword("OR") {
			p.errorf(p.pos, p.end, CodeSyntax, "missing a search term before %s", p.lit())
			bad := &BadSearch{From: source.Pos(p.pos), To: source.Pos(p.end)}
			p.next()
			return bad
		}
		if p.directiveAhead() {
			return &SearchTerm{Value: p.parseDirective(modeSearch)}
		}
		field := p.word()
		p.next()
		if p.tok.IsComparison() {
			c := &SearchCompare{Field: field, OpPos: source.Pos(p.pos), Op: p.tok}
			p.nextIn(modeValue)
			c.Value = p.parseOperand(modeSearch)
			if c.Value == nil {
				p.errorf(p.pos, p.end, CodeSyntax, "missing value after %s%s", field.Raw, c.Op)
			}
			p.setMode(modeSearch)
			return c
		}
		if p.isWord("IN") {
			if t, _, _ := p.peek(modeSearch); t == LPAREN {
				return p.parseSearchIn(field)
			}
		}
		return &SearchTerm{Value: field}
	}
	p.errorf(p.pos, p.end, CodeSyntax, "unexpected %s in a search", p.describe())
	bad := &BadSearch{From: source.Pos(p.pos), To: source.Pos(p.end)}
	if p.tok != EOF && p.tok != PIPE && p.tok != RBRACK && !(p.tok == RPAREN && p.depth > 0) {
		p.next()
	}
	return bad
}

// parseOperand reads a value (scanned in value mode) and scans the token
// after it in mode after. It returns nil, consuming nothing, when there is
// no value.
func (p *parser) parseOperand(after mode) Operand {
	switch p.tok {
	case WORD, STRING, MACRO:
		if p.directiveAhead() {
			d := p.parseDirective(after)
			return d
		}
		w := p.word()
		p.nextIn(after)
		return w
	case LBRACK:
		p.mode = modeSearch
		s := p.parseSubsearch()
		p.setMode(after)
		return s
	}
	return nil
}

// parseDirective reads CASE(value) or TERM(value) and scans the token after
// it in mode after.
func (p *parser) parseDirective(after mode) *Directive {
	d := &Directive{Name: p.word(), Rparen: source.NoPos}
	p.next() // the name; the current token is '('
	d.Lparen = source.Pos(p.pos)
	p.nextIn(modeValue)
	if p.tok == WORD || p.tok == STRING {
		d.Value = p.word()
		p.next()
	}
	p.mode = after
	if p.tok == RPAREN {
		d.Rparen = source.Pos(p.pos)
		p.next()
	} else {
		p.setMode(after)
		p.closeMissing(")", int(d.Lparen), d.Name.Raw+"(")
	}
	return d
}

func (p *parser) parseSearchIn(field *Word) *SearchIn {
	in := &SearchIn{Field: field, In: source.Pos(p.pos), Rparen: source.NoPos}
	p.next()
	in.Lparen = source.Pos(p.pos)
	p.enter()
	p.nextIn(modeValue)
	for p.tok != RPAREN && !p.atCommandEnd() {
		if p.tok == COMMA {
			p.next()
			continue
		}
		v := p.parseOperand(modeValue)
		if v == nil {
			p.errorf(p.pos, p.end, CodeSyntax, "unexpected %s in an IN list", p.describe())
			p.next()
			continue
		}
		in.Values = append(in.Values, v)
	}
	p.mode = modeSearch
	if p.tok == RPAREN {
		in.Rparen = source.Pos(p.pos)
		p.next()
	} else {
		p.setMode(modeSearch)
		p.closeMissing(")", int(in.Lparen), "the IN list")
	}
	p.leave()
	return in
}

// ---------------------------------------------------------------------------
// Eval expressions

// Operator precedence of eval expressions, loosest first. NOT applies to a
// comparison.
const (
	precXor = 1 + iota
	precOr
	precAnd
	precNot
	precCompare
	precAdd
	precMul
)

func (p *parser) parseExpr() Expr { return p.parseBinary(precXor) }

// binaryOp returns the operator at the current token and its precedence (0
// when it is not a binary operator).
func (p *parser) binaryOp() (string, int) {
	switch p.tok {
	case WORD:
		switch strings.ToUpper(p.lit()) {
		case "XOR":
			return "XOR", precXor
		case "OR":
			return "OR", precOr
		case "AND":
			return "AND", precAnd
		case "LIKE":
			return "LIKE", precCompare
		case "IN":
			if t, _, _ := p.peek(modeEval); t == LPAREN {
				return "IN", precCompare
			}
		}
	case EQ, EQL, NEQ, LSS, LEQ, GTR, GEQ:
		return p.tok.String(), precCompare
	case ADD, SUB, CONCAT:
		return p.tok.String(), precAdd
	case MUL, QUO, REM:
		return p.tok.String(), precMul
	}
	return "", 0
}

func (p *parser) parseBinary(prec1 int) Expr {
	x := p.parseUnary()
	for {
		op, prec := p.binaryOp()
		if prec < prec1 || prec == 0 {
			return x
		}
		if op == "IN" {
			x = p.parseInExpr(x)
			continue
		}
		opPos, opLen := p.pos, p.end-p.pos
		p.next()
		p.enter()
		y := p.parseBinary(prec + 1)
		p.leave()
		x = &BinaryExpr{X: x, OpPos: source.Pos(opPos), Op: op, OpLen: opLen, Y: y}
	}
}

func (p *parser) parseUnary() Expr {
	switch {
	case p.tok == WORD && strings.EqualFold(p.lit(), "NOT"):
		pos := p.pos
		p.enter()
		p.next()
		x := p.parseBinary(precCompare)
		p.leave()
		return &UnaryExpr{OpPos: source.Pos(pos), Op: "NOT", X: x}
	case p.tok == SUB || p.tok == ADD:
		pos, op := p.pos, p.tok.String()
		p.enter()
		p.next()
		x := p.parseUnary()
		p.leave()
		return &UnaryExpr{OpPos: source.Pos(pos), Op: op, X: x}
	}
	return p.parsePrimary()
}

func (p *parser) parsePrimary() Expr {
	switch p.tok {
	case WORD:
		switch strings.ToUpper(p.lit()) {
		case "AND", "OR", "XOR":
			p.errorf(p.pos, p.end, CodeSyntax, "missing an operand before %s", p.lit())
			return &BadExpr{From: source.Pos(p.pos), To: source.Pos(p.pos)}
		}
		id := &Ident{NamePos: source.Pos(p.pos), Raw: p.lit(), Name: p.lit()}
		p.next()
		if p.tok == LPAREN {
			return p.parseCall(id)
		}
		return id
	case FIELDSTR:
		id := &Ident{NamePos: source.Pos(p.pos), Raw: p.lit(), Name: unquoteField(p.lit()), Quoted: true}
		p.next()
		return id
	case STRING:
		s := &StringLit{ValuePos: source.Pos(p.pos), Raw: p.lit(), Value: Unquote(p.lit())}
		p.next()
		return s
	case NUMBER:
		n := &NumberLit{ValuePos: source.Pos(p.pos), Raw: p.lit()}
		p.next()
		return n
	case MACRO:
		m := &MacroExpr{ValuePos: source.Pos(p.pos), Raw: p.lit()}
		p.next()
		return m
	case LPAREN:
		lp := p.pos
		p.enter()
		p.next()
		x := p.parseExpr()
		rp := p.expectClose(RPAREN, lp)
		p.leave()
		return &ParenExpr{Lparen: source.Pos(lp), X: x, Rparen: rp}
	}
	p.errorf(p.pos, p.end, CodeSyntax, "expected an expression, found %s", p.describe())
	bad := &BadExpr{From: source.Pos(p.pos), To: source.Pos(p.end)}
	switch p.tok {
	case EOF, PIPE, RBRACK, RPAREN, COMMA:
		bad.To = bad.From
	default:
		p.next()
	}
	return bad
}

func (p *parser) parseCall(fun *Ident) *CallExpr {
	c := &CallExpr{Fun: fun, Lparen: source.Pos(p.pos), Rparen: source.NoPos}
	p.enter()
	p.next()
	for p.tok != RPAREN && !p.atCommandEnd() {
		c.Args = append(c.Args, p.parseExpr())
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	c.Rparen = p.expectClose(RPAREN, int(c.Lparen))
	p.leave()
	return c
}

func (p *parser) parseInExpr(x Expr) *InExpr {
	in := &InExpr{X: x, In: source.Pos(p.pos), Rparen: source.NoPos}
	p.next()
	in.Lparen = source.Pos(p.pos)
	p.enter()
	p.next()
	for p.tok != RPAREN && !p.atCommandEnd() {
		in.List = append(in.List, p.parseExpr())
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	in.Rparen = p.expectClose(RPAREN, int(in.Lparen))
	p.leave()
	return in
}
