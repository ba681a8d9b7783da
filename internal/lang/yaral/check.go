package yaral

import (
	"regexp/syntax"
	"strings"

	"github.com/detwiki/detwiki/internal/source"
)

// Vars is what a rule declares: its event variables, placeholders, outcome
// and match variables, and the reference lists it reads, each in order of
// first appearance (names without the sigil).
type Vars struct {
	Events       []string
	Placeholders []string
	Outcomes     []string
	Match        []string
	RefLists     []string
	// Joins maps each event variable to the placeholders and other event
	// variables it is compared with in the events section, in order.
	Joins map[string][]string
}

// IsEvent reports whether name is an event variable of the rule.
func (v *Vars) IsEvent(name string) bool { return contains(v.Events, name) }

// IsPlaceholder reports whether name is a placeholder of the rule.
func (v *Vars) IsPlaceholder(name string) bool { return contains(v.Placeholders, name) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func addName(list *[]string, s string) {
	if !contains(*list, s) {
		*list = append(*list, s)
	}
}

// Declared collects the variables of a rule. An event variable is a
// variable written with a field path in the events section ($e.metadata...);
// a placeholder is a variable written bare there ($hostname).
func Declared(r *Rule) *Vars {
	v := &Vars{}
	if r.Events != nil {
		// Event variables first, so that a bare use of an event variable
		// ($e in `$e.x = $e2.y`-style joins are paths) is not a placeholder.
		for _, s := range r.Events.Stmts {
			Inspect(s, func(n Node) bool {
				if f, ok := n.(*FieldPath); ok {
					addName(&v.Events, f.Var.Name)
				}
				return true
			})
		}
		for _, s := range r.Events.Stmts {
			Inspect(s, func(n Node) bool {
				switch n := n.(type) {
				case *FieldPath:
					for _, e := range n.Path {
						inspectExpr(e.Key, func(m Node) bool {
							if x, ok := m.(*VarRef); ok && !v.IsEvent(x.Name) {
								addName(&v.Placeholders, x.Name)
							}
							return true
						})
					}
					return false
				case *VarRef:
					if !v.IsEvent(n.Name) {
						addName(&v.Placeholders, n.Name)
					}
				case *RefListRef:
					addName(&v.RefLists, n.Name)
				}
				return true
			})
		}
	}
	v.Joins = map[string][]string{}
	if r.Events != nil {
		for _, s := range r.Events.Stmts {
			Inspect(s, func(n Node) bool {
				c, ok := n.(*Comparison)
				if !ok {
					return true
				}
				var events, others []string
				Inspect(c, func(m Node) bool {
					switch m := m.(type) {
					case *FieldPath:
						addName(&events, m.Var.Name)
						return false
					case *VarRef:
						addName(&others, m.Name)
					}
					return true
				})
				for _, e := range events {
					list := v.Joins[e]
					for _, o := range others {
						addName(&list, o)
					}
					for _, o := range events {
						if o != e {
							addName(&list, o)
						}
					}
					v.Joins[e] = list
				}
				return false
			})
		}
	}
	if r.Match != nil {
		for _, x := range r.Match.Vars {
			if x, ok := x.(*VarRef); ok {
				addName(&v.Match, x.Name)
			}
		}
	}
	if r.Outcome != nil {
		for _, a := range r.Outcome.Assigns {
			addName(&v.Outcomes, a.Var.Name)
			Inspect(a.Value, func(n Node) bool {
				if l, ok := n.(*RefListRef); ok {
					addName(&v.RefLists, l.Name)
				}
				return true
			})
		}
	}
	return v
}

// Check runs the semantic checks on a parsed file and returns rule-quality
// warnings (codes YARAL2xxx): variables used but never declared, event
// variables the condition never names, match variables without a window,
// string literals that span lines, meta keys given twice.
func Check(f *File) ErrorList {
	var errs ErrorList
	for _, r := range f.Rules {
		checkRule(r, &errs)
	}
	checkStrings(f, &errs)
	checkRegexes(f, &errs)
	errs.Sort()
	return errs
}

func checkRule(r *Rule, errs *ErrorList) {
	v := Declared(r)
	known := func(name string) bool {
		return v.IsEvent(name) || v.IsPlaceholder(name) || contains(v.Outcomes, name)
	}
	undeclared := func(n Node, name, what string) {
		errs.Add(n.Pos(), n.End(), CodeUndeclared, what+" $"+name+" is not declared in the events section")
	}
	if r.Match != nil {
		for _, x := range r.Match.Vars {
			if x, ok := x.(*VarRef); ok && !v.IsPlaceholder(x.Name) {
				if v.IsEvent(x.Name) {
					errs.Add(x.Pos(), x.End(), CodeUndeclared, "match variable $"+x.Name+" is an event variable; match on placeholders")
				} else {
					undeclared(x, x.Name, "match variable")
				}
			}
		}
		if len(r.Match.Vars) > 0 && r.Match.Duration == nil {
			errs.Add(r.Match.Pos(), r.Match.End(), CodeMatchNoWindow, "match section has no time window (over 10m, by 1h)")
		}
		if p, ok := r.Match.Pivot.(*VarRef); ok && !v.IsEvent(p.Name) {
			undeclared(p, p.Name, "pivot event variable")
		}
	}
	if r.Outcome != nil {
		for i, a := range r.Outcome.Assigns {
			earlier := v.Outcomes[:min(i, len(v.Outcomes))]
			Inspect(a.Value, func(n Node) bool {
				switch n := n.(type) {
				case *FieldPath:
					if !v.IsEvent(n.Var.Name) {
						undeclared(n.Var, n.Var.Name, "event variable")
					}
					return false
				case *VarRef:
					if !v.IsPlaceholder(n.Name) && !v.IsEvent(n.Name) && !contains(earlier, n.Name) && !contains(v.Outcomes, n.Name) {
						undeclared(n, n.Name, "variable")
					}
				}
				return true
			})
		}
	}
	named := map[string]bool{}
	if r.Condition != nil && r.Condition.Expr != nil {
		Inspect(r.Condition.Expr, func(n Node) bool {
			switch n := n.(type) {
			case *VarRef:
				named[n.Name] = true
				if !known(n.Name) {
					undeclared(n, n.Name, "variable")
				}
			case *CountRef:
				named[n.Name] = true
				if !v.IsEvent(n.Name) && !v.IsPlaceholder(n.Name) {
					errs.Add(n.Pos(), n.End(), CodeUndeclared, "#"+n.Name+" counts a variable that is not declared in the events section")
				}
			case *FieldPath:
				named[n.Var.Name] = true
				return false
			}
			return true
		})
		for _, e := range v.Events {
			bound := named[e]
			for _, p := range v.Joins[e] {
				bound = bound || v.IsPlaceholder(p) && named[p]
			}
			if !bound && r.Events != nil {
				pos := firstUse(r.Events, e)
				errs.Add(pos, pos+source.Pos(len(e)+1), CodeUnusedEvent, "event variable $"+e+" is never named in the condition")
			}
		}
	}
	if r.Meta != nil {
		seen := map[string]bool{}
		for _, e := range r.Meta.Entries {
			k := strings.ToLower(e.Key.Name)
			if seen[k] {
				errs.Add(e.Key.Pos(), e.Key.End(), CodeMetaDuplicate, "meta key "+e.Key.Name+" is given more than once")
			}
			seen[k] = true
		}
	}
}

func firstUse(s *EventsSection, name string) source.Pos {
	pos := s.Pos()
	found := false
	for _, x := range s.Stmts {
		Inspect(x, func(n Node) bool {
			if found {
				return false
			}
			if f, ok := n.(*FieldPath); ok && f.Var.Name == name {
				pos, found = f.Var.Pos(), true
				return false
			}
			return true
		})
		if found {
			break
		}
	}
	return pos
}

// checkStrings warns about double-quoted string literals that run over
// several lines: some Sigma conversions turned "\r" in a path into a line
// break, so the value no longer matches what the rule meant.
func checkStrings(f *File, errs *ErrorList) {
	Inspect(f, func(n Node) bool {
		if l, ok := n.(*BasicLit); ok && l.Kind == LitString && strings.IndexByte(l.Value, '\n') >= 0 {
			errs.Add(l.Pos(), l.Pos()+1, CodeMultiline, "string literal spans several lines; a line break inside a value is rarely meant (was a \\r or \\n written unescaped?)")
		}
		return true
	})
}

// checkRegexes compiles every regular expression the rule gives as a
// literal (/pattern/, the pattern argument of re.regex, re.capture and
// re.replace) with Go's RE2 syntax, which is the syntax YARA-L uses, and
// warns about those that do not compile.
func checkRegexes(f *File, errs *ErrorList) {
	check := func(n Node, pattern string) {
		if _, err := syntax.Parse(pattern, syntax.Perl); err != nil {
			msg := err.Error()
			if e, ok := err.(*syntax.Error); ok {
				msg = e.Code.String()
				if e.Expr != "" {
					msg += ": " + e.Expr
				}
			}
			errs.Add(n.Pos(), n.End(), CodeBadRegex, "invalid regular expression (RE2): "+msg)
		}
	}
	Inspect(f, func(n Node) bool {
		switch n := n.(type) {
		case *MetaSection:
			return false
		case *RegexLit:
			check(n, n.Pattern())
		case *Call:
			switch strings.ToLower(n.Func) {
			case "re.regex", "re.capture", "re.replace":
				if len(n.Args) >= 2 {
					if lit, ok := n.Args[1].(*BasicLit); ok && (lit.Kind == LitString || lit.Kind == LitRawString) {
						check(lit, lit.Unquote())
					}
				}
			}
		}
		return true
	})
}
