package spl

import (
	"strings"
)

// typedArgsCommand gives the commands detwiki knows a typed view of their
// arguments; every other command is a *GenericCmd.
func (p *parser) typedArgsCommand(a ArgsCmd) Command {
	switch a.Name() {
	case "table", "fields":
		return p.fieldsCmd(a)
	case "rename":
		return p.renameCmd(a)
	case "lookup":
		return p.lookupCmd(a)
	case "rex":
		return p.rexCmd(a)
	case "regex":
		return p.regexCmd(a)
	case "spath":
		return spathCmd(a)
	case "join":
		return p.joinCmd(a)
	case "append", "appendcols", "appendpipe":
		return p.appendCmd(a)
	case "dedup":
		return dedupCmd(a)
	case "sort":
		return sortCmd(a)
	case "head":
		return headCmd(a)
	case "bin", "bucket":
		return binCmd(a)
	case "transaction":
		return transactionCmd(a)
	case "mvexpand":
		return p.mvexpandCmd(a)
	case "makemv":
		return makemvCmd(a)
	case "fillnull":
		return fillnullCmd(a)
	case "convert":
		return convertCmd(a)
	case "xmlkv":
		return xmlkvCmd(a)
	}
	return &GenericCmd{a}
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isWordArg(a Arg, w string) bool {
	x, ok := a.(*Word)
	return ok && x.Tok == WORD && strings.EqualFold(x.Raw, w)
}

func (p *parser) fieldsCmd(a ArgsCmd) *FieldsCmd {
	c := &FieldsCmd{ArgsCmd: a}
	for i, arg := range a.Args {
		w, ok := arg.(*Word)
		if call, isCall := arg.(*Call); isCall {
			// A field named like a call: predicted(x), the output of MLTK's
			// apply.
			w, ok = &Word{ValuePos: call.Pos(), Tok: WORD, Raw: Print(call)}, true
			w.Value = w.Raw
		}
		if !ok {
			if _, comma := arg.(*Punct); !comma {
				p.errorf(int(arg.Pos()), int(arg.End()), CodeSyntax, "expected a field name in %s", a.Name())
			}
			continue
		}
		if i == 0 && a.Name() == "fields" && w.Tok == WORD && (w.Raw == "-" || w.Raw == "+") {
			c.Remove = w.Raw == "-"
			continue
		}
		c.Fields = append(c.Fields, w)
	}
	return c
}

// words returns the word arguments, reporting any other argument but commas.
func (p *parser) words(a ArgsCmd) []*Word {
	var out []*Word
	for _, arg := range a.Args {
		switch x := arg.(type) {
		case *Word:
			out = append(out, x)
		case *Punct:
		default:
			p.errorf(int(arg.Pos()), int(arg.End()), CodeSyntax, "unexpected %s in the %s command", printArg(arg), a.Name())
		}
	}
	return out
}

func (p *parser) renameCmd(a ArgsCmd) *RenameCmd {
	c := &RenameCmd{ArgsCmd: a}
	ws := p.words(a)
	for i := 0; i < len(ws); {
		from := ws[i]
		if i+1 >= len(ws) || !isWordArg(ws[i+1], "as") {
			p.errorf(int(from.Pos()), int(from.End()), CodeSyntax, "expected AS <new name> after %s in rename", from.Raw)
			c.Pairs = append(c.Pairs, RenamePair{From: from})
			i++
			continue
		}
		if i+2 >= len(ws) {
			p.errorf(int(ws[i+1].Pos()), int(ws[i+1].End()), CodeSyntax, "expected a new name after AS in rename")
			c.Pairs = append(c.Pairs, RenamePair{From: from})
			break
		}
		c.Pairs = append(c.Pairs, RenamePair{From: from, To: ws[i+2]})
		i += 3
	}
	if len(a.Args) == 0 {
		p.errorf(int(a.NamePos), int(a.NamePos)+len(a.Cmd), CodeSyntax, "rename needs a field AS new name")
	}
	return c
}

func (p *parser) lookupCmd(a ArgsCmd) *LookupCmd {
	c := &LookupCmd{ArgsCmd: a}
	var ws []*Word
	for _, arg := range a.Args {
		switch x := arg.(type) {
		case *Option:
			c.Options = append(c.Options, x)
		case *Word:
			ws = append(ws, x)
		case *Punct:
		default:
			p.errorf(int(arg.Pos()), int(arg.End()), CodeSyntax, "unexpected %s in the lookup command", printArg(arg))
		}
	}
	if len(ws) == 0 {
		p.errorf(int(a.NamePos), int(a.NamePos)+len(a.Cmd), CodeSyntax, "lookup needs a lookup table name")
		return c
	}
	c.Table = ws[0]
	out := false
	for i := 1; i < len(ws); i++ {
		w := ws[i]
		if w.Tok == WORD && (strings.EqualFold(w.Raw, "OUTPUT") || strings.EqualFold(w.Raw, "OUTPUTNEW")) {
			c.Output = strings.ToUpper(w.Raw)
			out = true
			continue
		}
		f := FieldAs{Field: w}
		if i+2 < len(ws) && isWordArg(ws[i+1], "as") {
			f.As = ws[i+2]
			i += 2
		} else if i+1 < len(ws) && isWordArg(ws[i+1], "as") {
			p.errorf(int(ws[i+1].Pos()), int(ws[i+1].End()), CodeSyntax, "expected a field name after AS in lookup")
			i++
		}
		if out {
			c.Outputs = append(c.Outputs, f)
		} else {
			c.Inputs = append(c.Inputs, f)
		}
	}
	return c
}

func (p *parser) rexCmd(a ArgsCmd) *RexCmd {
	c := &RexCmd{ArgsCmd: a, Field: "_raw"}
	for _, arg := range a.Args {
		switch x := arg.(type) {
		case *Option:
			c.Options = append(c.Options, x)
			switch x.Name() {
			case "field":
				c.Field = x.Text()
			case "mode":
				c.Sed = strings.EqualFold(x.Text(), "sed")
			}
		case *Word:
			if c.Regex == nil {
				c.Regex = x
			} else {
				p.errorf(int(x.Pos()), int(x.End()), CodeSyntax, "rex takes one regular expression; found another: %s", x.Raw)
			}
		case *Punct:
		default:
			p.errorf(int(arg.Pos()), int(arg.End()), CodeSyntax, "unexpected %s in the rex command", printArg(arg))
		}
	}
	if c.Regex == nil {
		p.errorf(int(a.NamePos), int(a.NamePos)+len(a.Cmd), CodeSyntax, "rex needs a regular expression")
	}
	return c
}

func (p *parser) regexCmd(a ArgsCmd) *RegexCmd {
	c := &RegexCmd{ArgsCmd: a, Field: "_raw"}
	if len(a.Args) == 1 {
		switch x := a.Args[0].(type) {
		case *Word:
			c.Pattern = x
			return c
		case *Option:
			if w, ok := x.Value.(*Word); ok && x.Op != EQL {
				c.Field = x.Key.Value
				c.Negated = x.Op == NEQ
				c.Pattern = w
				return c
			}
		}
	}
	p.errorf(int(a.NamePos), int(a.NamePos)+len(a.Cmd), CodeSyntax, "regex takes one [field=|field!=]\"regex\" argument")
	return c
}

func spathCmd(a ArgsCmd) *SpathCmd {
	c := &SpathCmd{ArgsCmd: a}
	for _, arg := range a.Args {
		switch x := arg.(type) {
		case *Option:
			c.Options = append(c.Options, x)
			if x.Name() == "path" {
				if w, ok := x.Value.(*Word); ok {
					c.Path = w
				}
			}
		case *Word:
			if c.Path == nil {
				c.Path = x
			}
		}
	}
	return c
}

func (p *parser) joinCmd(a ArgsCmd) *JoinCmd {
	c := &JoinCmd{ArgsCmd: a}
	for _, arg := range a.Args {
		switch x := arg.(type) {
		case *Option:
			c.Options = append(c.Options, x)
		case *Word:
			c.Fields = append(c.Fields, x)
		case *Subsearch:
			c.Sub = x
		}
	}
	if c.Sub == nil {
		p.errorf(int(a.NamePos), int(a.NamePos)+len(a.Cmd), CodeSyntax, "join needs a [subsearch]")
	}
	return c
}

func (p *parser) appendCmd(a ArgsCmd) *AppendCmd {
	c := &AppendCmd{ArgsCmd: a}
	for _, arg := range a.Args {
		switch x := arg.(type) {
		case *Option:
			c.Options = append(c.Options, x)
		case *Subsearch:
			c.Sub = x
		}
	}
	if c.Sub == nil {
		p.errorf(int(a.NamePos), int(a.NamePos)+len(a.Cmd), CodeSyntax, "%s needs a [subsearch]", a.Name())
	}
	return c
}

// sortKeys reads [+|-]field, [+|-]func(field) and a lone sign before the next
// key.
func sortKeys(args []Arg) []SortKey {
	var keys []SortKey
	desc := false
	for _, arg := range args {
		switch x := arg.(type) {
		case *Word:
			v := x.Value
			if x.Tok == WORD && (v == "-" || v == "+") {
				desc = v == "-"
				continue
			}
			if x.Tok == WORD && len(v) > 1 && (v[0] == '-' || v[0] == '+') {
				desc = v[0] == '-'
				v = v[1:]
			}
			keys = append(keys, SortKey{Descending: desc, Field: v})
			desc = false
		case *Call:
			name := x.Name.Value
			if len(name) > 1 && (name[0] == '-' || name[0] == '+') {
				desc = name[0] == '-'
				name = name[1:]
			}
			field := ""
			for _, g := range x.Args.Args {
				if w, ok := g.(*Word); ok {
					field = w.Value
					break
				}
			}
			keys = append(keys, SortKey{Descending: desc, Func: strings.ToLower(name), Field: field})
			desc = false
		}
	}
	return keys
}

func dedupCmd(a ArgsCmd) *DedupCmd {
	c := &DedupCmd{ArgsCmd: a}
	for i, arg := range a.Args {
		if isWordArg(arg, "sortby") {
			c.SortBy = sortKeys(a.Args[i+1:])
			break
		}
		switch x := arg.(type) {
		case *Option:
			c.Options = append(c.Options, x)
		case *Word:
			if i == 0 && isNumber(x.Raw) {
				c.Count = x
				continue
			}
			c.Fields = append(c.Fields, x)
		}
	}
	return c
}

func sortCmd(a ArgsCmd) *SortCmd {
	c := &SortCmd{ArgsCmd: a}
	args := a.Args
	if len(args) > 0 {
		if w, ok := args[0].(*Word); ok && isNumber(w.Raw) {
			c.Count = w
			args = args[1:]
		}
	}
	var keyArgs []Arg
	for i, arg := range args {
		if _, ok := arg.(*Option); ok {
			continue
		}
		if i == len(args)-1 && (isWordArg(arg, "desc") || isWordArg(arg, "d")) && len(keyArgs) > 0 {
			c.Desc = true
			continue
		}
		keyArgs = append(keyArgs, arg)
	}
	c.Keys = sortKeys(keyArgs)
	return c
}

func headCmd(a ArgsCmd) *HeadCmd {
	c := &HeadCmd{ArgsCmd: a}
	for _, arg := range a.Args {
		switch x := arg.(type) {
		case *Option:
			c.Options = append(c.Options, x)
		case *Word:
			if c.Count == nil {
				c.Count = x
			}
		}
	}
	return c
}

func binCmd(a ArgsCmd) *BinCmd {
	c := &BinCmd{ArgsCmd: a}
	for i := 0; i < len(a.Args); i++ {
		switch x := a.Args[i].(type) {
		case *Option:
			c.Options = append(c.Options, x)
		case *Word:
			if isWordArg(x, "as") && i+1 < len(a.Args) {
				if w, ok := a.Args[i+1].(*Word); ok {
					c.Alias = w
					i++
					continue
				}
			}
			if c.Field == nil {
				c.Field = x
			}
		}
	}
	return c
}

func transactionCmd(a ArgsCmd) *TransactionCmd {
	c := &TransactionCmd{ArgsCmd: a}
	for _, arg := range a.Args {
		switch x := arg.(type) {
		case *Option:
			c.Options = append(c.Options, x)
		case *Word:
			c.Fields = append(c.Fields, x)
		}
	}
	return c
}

func (p *parser) mvexpandCmd(a ArgsCmd) *MvexpandCmd {
	c := &MvexpandCmd{ArgsCmd: a}
	for _, arg := range a.Args {
		switch x := arg.(type) {
		case *Option:
			c.Options = append(c.Options, x)
		case *Word:
			if c.Field == nil {
				c.Field = x
			}
		}
	}
	if c.Field == nil {
		p.errorf(int(a.NamePos), int(a.NamePos)+len(a.Cmd), CodeSyntax, "mvexpand needs a field")
	}
	return c
}

func makemvCmd(a ArgsCmd) *MakemvCmd {
	c := &MakemvCmd{ArgsCmd: a}
	for _, arg := range a.Args {
		switch x := arg.(type) {
		case *Option:
			c.Options = append(c.Options, x)
		case *Word:
			c.Field = x
		}
	}
	return c
}

func fillnullCmd(a ArgsCmd) *FillnullCmd {
	c := &FillnullCmd{ArgsCmd: a}
	for _, arg := range a.Args {
		switch x := arg.(type) {
		case *Option:
			c.Options = append(c.Options, x)
		case *Word:
			c.Fields = append(c.Fields, x)
		}
	}
	return c
}

func convertCmd(a ArgsCmd) *ConvertCmd {
	c := &ConvertCmd{ArgsCmd: a}
	for i := 0; i < len(a.Args); i++ {
		switch x := a.Args[i].(type) {
		case *Option:
			c.Options = append(c.Options, x)
		case *Call:
			conv := Conversion{Func: strings.ToLower(x.Name.Value)}
			for _, g := range x.Args.Args {
				if w, ok := g.(*Word); ok {
					conv.Field = w.Value
					break
				}
			}
			if i+2 < len(a.Args) && isWordArg(a.Args[i+1], "as") {
				if w, ok := a.Args[i+2].(*Word); ok {
					conv.Alias = w.Value
					i += 2
				}
			}
			c.Conversions = append(c.Conversions, conv)
		}
	}
	return c
}

func xmlkvCmd(a ArgsCmd) *XmlkvCmd {
	c := &XmlkvCmd{ArgsCmd: a}
	for _, arg := range a.Args {
		switch x := arg.(type) {
		case *Option:
			c.Options = append(c.Options, x)
		case *Word:
			if c.Field == nil {
				c.Field = x
			}
		}
	}
	return c
}
