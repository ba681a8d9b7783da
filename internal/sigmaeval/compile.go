package sigmaeval

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/detwiki/detwiki/internal/lang/sigma"
	"github.com/detwiki/detwiki/internal/source"
)

// Diagnostic codes of compilation: what keeps a rule (or a part of it) from
// running. They name the rule file's line and column.
const (
	// CodeUnsupported: a construct the evaluator does not run (the Sigma 1
	// near aggregation, an aggregation in a condition list).
	CodeUnsupported = "EVAL1001"
	// CodeRegex: a regular expression RE2 cannot compile (Perl look-around,
	// back-references); its item never matches.
	CodeRegex = "EVAL1002"
	// CodePlaceholder: an |expand placeholder without a value; its item
	// never matches.
	CodePlaceholder = "EVAL1003"
	// CodeCondition: a condition that does not parse or names an unknown
	// search identifier.
	CodeCondition = "EVAL1004"
	// CodeRoute: a logsource that names no events detwiki can route.
	CodeRoute = "EVAL1005"
	// CodeCorrelation: a correlation rule whose references or condition
	// cannot be resolved.
	CodeCorrelation = "EVAL1006"
	// CodeValue: a value its modifiers cannot take (a bad CIDR range, a
	// non-number for gt); its item never matches.
	CodeValue = "EVAL1007"
	// CodeInvalid: the rule has an error of the Sigma front end that would
	// change what it matches (an unknown modifier, which the model leaves
	// out; a value of the wrong shape; a duplicate key): it does not run,
	// as pySigma refuses such a rule.
	CodeInvalid = "EVAL1008"
)

// Options configure compilation.
type Options struct {
	// Placeholders gives the values of |expand placeholders, by name
	// (without the percent signs). Values are Sigma strings: wildcards
	// work in them.
	Placeholders map[string][]string
	// Router routes the rule's logsource (nil: DefaultRouter).
	Router *Router
}

// Rule is a compiled Sigma detection rule. It is read-only once compiled.
type Rule struct {
	// Source is the rule as package sigma read it.
	Source *sigma.Rule
	// Fields are the Sigma field names the rule reads, in first-use order
	// (field references included).
	Fields []string
	// Diagnostics say what could not be compiled, with file positions.
	Diagnostics []source.Diagnostic

	route    *Route
	searches []*search
	cond     *node // nil when the rule cannot run at all
	agg      *aggregation
	keywords bool // some item matches keywords
	// filters are filter meta-rules whose conditions the rule's matches
	// must satisfy too (AddFilter).
	filters []*Rule
}

// Runnable reports whether the rule can be evaluated (a rule with an
// unsupported part in one item still runs; one with a broken condition
// does not).
func (r *Rule) Runnable() bool { return r != nil && r.cond != nil }

// search is a compiled search identifier: an OR of groups, each an AND of
// items.
type search struct {
	name   string
	groups [][]*item
}

// itemKind says how an item tests a value.
type itemKind uint8

const (
	itemStrings  itemKind = iota // string patterns (and null)
	itemNotEqual                 // |neq: present and none of the patterns
	itemRegex                    // |re
	itemCIDR                     // |cidr
	itemCompare                  // |gt |gte |lt |lte
	itemExists                   // |exists
	itemFieldRef                 // |fieldref
	itemTimePart                 // |minute ... |year
	itemNever                    // cannot match (a compile problem)
)

// item is a compiled detection item.
type item struct {
	src   *sigma.Item
	kind  itemKind
	field int // index into Rule.Fields; -1 for keywords
	all   bool
	cased bool
	// per value (OR, or AND with all)
	values []valueTest
	exists bool // itemExists: the wanted presence
	// itemFieldRef: how to compare with the referenced fields
	refCompare sigma.Compare
	// kw finds keyword values in one pass (keywords of plain ASCII text)
	kw *keywordSet
}

// valueTest is one value of an item.
type valueTest struct {
	null  bool          // Sigma null: the field is absent or null
	pats  []strPattern  // any one matches (itemStrings, itemNotEqual)
	num   float64       // itemCompare, itemTimePart; number equality
	isNum bool          // the value is a number (equality also numerically)
	op    sigma.Compare // itemCompare, itemTimePart: the comparison
	re    *regexp.Regexp
	cidr  netip.Prefix
	ref   int // itemFieldRef: index into Rule.Fields
}

// node is a compiled condition.
type node struct {
	op     nodeOp
	search int // opSearch
	kids   []*node
	n      int // opAtLeast
}

type nodeOp uint8

const (
	opFalse nodeOp = iota
	opSearch
	opAnd
	opOr
	opNot
	opAtLeast
)

// aggregation is a Sigma 1 aggregation after the condition's pipe.
type aggregation struct {
	fn       string // count, min, max, avg, sum
	field    int    // the function's argument (-1 for count())
	groupBy  []int
	op       string // gt, gte, lt, lte, eq, neq
	value    float64
	window   time.Duration // detection.timeframe (0: the whole data)
	function string        // the aggregation as written, for reports
}

// compiler holds the state of one compilation.
type compiler struct {
	r     *Rule
	opt   *Options
	lines *source.LineTable
	field map[string]int
}

// Compile compiles a Sigma detection rule. lines (the file's line table,
// sigma.File.Lines) gives diagnostics their line and column; it may be nil.
// A rule of another kind (correlation, filter) compiles to a Rule that does
// not run (see CompileSet for correlations).
func Compile(sr *sigma.Rule, lines *source.LineTable, opt *Options) *Rule {
	if opt == nil {
		opt = &Options{}
	}
	c := &compiler{r: &Rule{Source: sr}, opt: opt, lines: lines, field: map[string]int{}}
	if sr == nil || sr.Kind != sigma.KindDetection || sr.Detection == nil {
		if sr != nil && sr.Kind == sigma.KindFilter {
			c.diag(sr.Pos, CodeUnsupported, "a filter meta-rule does not run on its own")
		}
		return c.r
	}
	router := opt.Router
	if router == nil {
		router = DefaultRouter()
	}
	c.r.route = router.Route(sr.Logsource)
	if c.r.route.Problem != "" {
		c.diag(sr.Logsource.Pos, CodeRoute, "logsource "+sr.Logsource.Table()+": "+c.r.route.Problem+"; the rule runs only on events that name no channel")
	}
	if c.invalid(sr) {
		return c.r
	}
	c.compileDetection(sr.Detection)
	return c.r
}

// invalid reports (as a CodeInvalid error) a front-end error that changes
// what the rule would match: the rule is not compiled and does not run.
func (c *compiler) invalid(sr *sigma.Rule) bool {
	for _, d := range sr.Diagnostics {
		if d.Severity != source.Error {
			continue
		}
		switch d.Code {
		case sigma.CodeModifier, sigma.CodeBadShape, sigma.CodeDuplicateKey:
			c.r.Diagnostics = append(c.r.Diagnostics, source.Diagnostic{Code: CodeInvalid, Severity: source.Error,
				Message: fmt.Sprintf("the rule does not run: %s [%s]", d.Message, d.Code), Line: d.Line, Col: d.Col})
			return true
		}
	}
	return false
}

// Route returns where the rule runs.
func (r *Rule) Route() *Route { return r.route }

func (c *compiler) diag(pos source.Pos, code, msg string) {
	d := source.Diagnostic{Code: code, Severity: source.Warning, Message: msg}
	if c.lines != nil && pos.IsValid() {
		p := c.lines.Position(pos)
		d.Line, d.Col = p.Line, p.Column
	}
	c.r.Diagnostics = append(c.r.Diagnostics, d)
}

func (c *compiler) errorf(pos source.Pos, code, format string, args ...any) {
	c.diag(pos, code, fmt.Sprintf(format, args...))
	c.r.Diagnostics[len(c.r.Diagnostics)-1].Severity = source.Error
}

// fieldIndex returns the index of a Sigma field name in Rule.Fields.
func (c *compiler) fieldIndex(name string) int {
	if i, ok := c.field[name]; ok {
		return i
	}
	i := len(c.r.Fields)
	c.r.Fields = append(c.r.Fields, name)
	c.field[name] = i
	return i
}

func (c *compiler) compileDetection(d *sigma.Detection) {
	index := map[*sigma.Search]int{}
	for _, s := range d.Searches {
		cs := &search{name: s.Name}
		for _, g := range s.Groups {
			var items []*item
			for _, it := range g.Items {
				items = append(items, c.compileItem(it))
			}
			cs.groups = append(cs.groups, items)
		}
		index[s] = len(c.r.searches)
		c.r.searches = append(c.r.searches, cs)
	}
	if len(d.Conditions) == 0 {
		c.errorf(d.Pos, CodeCondition, "the detection has no condition")
		return
	}
	var conds []*node
	for _, cond := range d.Conditions {
		if len(cond.Errors) > 0 {
			c.errorf(d.Pos, CodeCondition, "condition %q does not parse: %s", cond.Text, cond.Errors[0].Msg)
			return
		}
		n, ok := c.compileExpr(d, cond.Expr, index, 0)
		if !ok {
			return
		}
		if cond.Aggregation != nil {
			if len(d.Conditions) > 1 {
				c.errorf(d.Pos, CodeUnsupported, "an aggregation in a condition list is not supported")
				return
			}
			if !c.compileAggregation(d, cond.Aggregation) {
				return
			}
		}
		conds = append(conds, n)
	}
	if len(conds) == 1 {
		c.r.cond = conds[0]
	} else {
		c.r.cond = &node{op: opOr, kids: conds}
	}
}

// compileExpr compiles a condition expression; false when it cannot run.
func (c *compiler) compileExpr(d *sigma.Detection, x sigma.Expr, index map[*sigma.Search]int, depth int) (*node, bool) {
	if depth > sigma.MaxDepth+10 {
		c.errorf(d.Pos, CodeCondition, "the condition nests too deeply")
		return nil, false
	}
	switch x := x.(type) {
	case *sigma.Ident:
		s := d.Search(x.Name)
		if s == nil {
			c.errorf(d.Pos, CodeCondition, "the condition names %q, which is no search identifier", x.Name)
			return nil, false
		}
		return &node{op: opSearch, search: index[s]}, true
	case *sigma.OfExpr:
		var kids []*node
		for _, s := range d.Of(x) {
			kids = append(kids, &node{op: opSearch, search: index[s]})
		}
		if len(kids) == 0 {
			// pySigma refuses a pattern that matches nothing; it can never hold
			return &node{op: opFalse}, true
		}
		switch {
		case x.All:
			return &node{op: opAnd, kids: kids}, true
		case x.Count <= 1:
			return &node{op: opOr, kids: kids}, true
		default:
			return &node{op: opAtLeast, kids: kids, n: x.Count}, true
		}
	case *sigma.NotExpr:
		k, ok := c.compileExpr(d, x.X, index, depth+1)
		if !ok {
			return nil, false
		}
		return &node{op: opNot, kids: []*node{k}}, true
	case *sigma.ParenExpr:
		return c.compileExpr(d, x.X, index, depth+1)
	case *sigma.BinaryExpr:
		l, ok := c.compileExpr(d, x.X, index, depth+1)
		if !ok {
			return nil, false
		}
		r, ok := c.compileExpr(d, x.Y, index, depth+1)
		if !ok {
			return nil, false
		}
		op := opAnd
		if x.Op == sigma.OR {
			op = opOr
		}
		n := &node{op: op}
		for _, k := range []*node{l, r} {
			if k.op == op {
				n.kids = append(n.kids, k.kids...)
			} else {
				n.kids = append(n.kids, k)
			}
		}
		return n, true
	}
	c.errorf(d.Pos, CodeCondition, "the condition does not parse")
	return nil, false
}

func (c *compiler) compileAggregation(d *sigma.Detection, a *sigma.Aggregation) bool {
	if a.Func == "near" {
		c.errorf(d.Pos, CodeUnsupported, "the Sigma 1 near aggregation is not supported (use a temporal correlation rule)")
		return false
	}
	ag := &aggregation{fn: a.Func, field: -1}
	switch a.Func {
	case "count", "min", "max", "avg", "sum":
	default:
		c.errorf(d.Pos, CodeUnsupported, "unknown aggregation function %s", a.Func)
		return false
	}
	if a.Field != "" {
		ag.field = c.fieldIndex(a.Field)
	} else if a.Func != "count" {
		c.errorf(d.Pos, CodeUnsupported, "%s() needs a field", a.Func)
		return false
	}
	for _, g := range a.GroupBy {
		ag.groupBy = append(ag.groupBy, c.fieldIndex(g))
	}
	switch a.Op {
	case sigma.GT:
		ag.op = "gt"
	case sigma.GE:
		ag.op = "gte"
	case sigma.LT:
		ag.op = "lt"
	case sigma.LE:
		ag.op = "lte"
	case sigma.EQ:
		ag.op = "eq"
	case sigma.NE:
		ag.op = "neq"
	default:
		c.errorf(d.Pos, CodeUnsupported, "an aggregation without a comparison is not supported")
		return false
	}
	v, err := strconv.ParseFloat(a.Value, 64)
	if err != nil {
		c.errorf(d.Pos, CodeUnsupported, "aggregation threshold %q is not a number", a.Value)
		return false
	}
	ag.value = v
	if tf := strings.TrimSpace(d.Timeframe); tf != "" {
		dur, ok := sigma.ParseTimespan(tf)
		if !ok {
			c.errorf(d.Pos, CodeUnsupported, "timeframe %q is not a timespan", tf)
			return false
		}
		ag.window = dur
	}
	ag.function = a.Func
	c.r.agg = ag
	return true
}

// compileItem compiles one detection item.
func (c *compiler) compileItem(it *sigma.Item) *item {
	ci := &item{src: it, field: -1, all: it.All, cased: it.Cased}
	if it.IsKeyword() {
		c.r.keywords = true
	} else {
		ci.field = c.fieldIndex(it.Field)
	}
	never := func(code, format string, args ...any) *item {
		c.errorf(it.Pos, code, "%s: "+format, append([]any{keyText(it)}, args...)...)
		ci.kind = itemNever
		ci.values = nil
		return ci
	}
	if it.TimePart != "" {
		ci.kind = itemTimePart
		for _, v := range it.Values {
			n, ok := parseNumber(v.Raw)
			if !ok {
				return never(CodeValue, "%q is not a number", v.Raw)
			}
			op := it.Compare
			if op == sigma.CompareEqual || op == sigma.CompareNotEqual {
				// neq on a time part: compared as not-equal
			} else if op < sigma.CompareGT || op > sigma.CompareLTE {
				return never(CodeUnsupported, "a time part compared with %s", op)
			}
			ci.values = append(ci.values, valueTest{num: n, op: op, isNum: true})
		}
		return ci
	}
	if it.FieldRef {
		ci.kind = itemFieldRef
		ci.refCompare = it.Compare
		for _, v := range it.Values {
			ci.values = append(ci.values, valueTest{ref: c.fieldIndex(strings.TrimSpace(v.Raw))})
		}
		return ci
	}
	switch it.Compare {
	case sigma.CompareExists:
		ci.kind = itemExists
		ci.exists = true
		if len(it.Values) > 0 {
			raw := strings.ToLower(strings.TrimSpace(it.Values[0].Raw))
			if raw != "true" && raw != "false" {
				return never(CodeValue, "exists takes true or false, not %q", it.Values[0].Raw)
			}
			ci.exists = raw == "true"
		}
		return ci
	case sigma.CompareRegex:
		ci.kind = itemRegex
		flags := ""
		if strings.Contains(it.Regex, "i") {
			flags += "i"
		}
		if strings.Contains(it.Regex, "m") {
			flags += "m"
		}
		if strings.Contains(it.Regex, "s") {
			flags += "s"
		}
		for _, v := range it.Values {
			expr := v.Raw
			if flags != "" {
				expr = "(?" + flags + ")" + expr
			}
			re, err := regexp.Compile(expr)
			if err != nil {
				return never(CodeRegex, "regular expression %q cannot run in RE2: %v", v.Raw, err)
			}
			ci.values = append(ci.values, valueTest{re: re})
		}
		return ci
	case sigma.CompareCIDR:
		ci.kind = itemCIDR
		for _, v := range it.Values {
			p, err := netip.ParsePrefix(strings.TrimSpace(v.Raw))
			if err != nil {
				return never(CodeValue, "%q is not a CIDR range", v.Raw)
			}
			ci.values = append(ci.values, valueTest{cidr: p.Masked()})
		}
		return ci
	case sigma.CompareGT, sigma.CompareGTE, sigma.CompareLT, sigma.CompareLTE:
		ci.kind = itemCompare
		for _, v := range it.Values {
			n, ok := parseNumber(v.Raw)
			if !ok {
				return never(CodeValue, "%s compares numbers; %q is not a number", it.Compare, v.Raw)
			}
			ci.values = append(ci.values, valueTest{num: n, op: it.Compare, isNum: true})
		}
		return ci
	}
	// String comparisons: equal (with wildcards), contains, startswith,
	// endswith, neq; encodings and windash through Item.Patterns.
	ci.kind = itemStrings
	if it.Compare == sigma.CompareNotEqual {
		ci.kind = itemNotEqual
	}
	for _, v := range it.Values {
		if v.Type == sigma.ValueNull {
			ci.values = append(ci.values, valueTest{null: true})
			continue
		}
		vt := valueTest{}
		if v.Type == sigma.ValueNumber {
			vt.num, vt.isNum = parseNumber(v.Raw)
		}
		for _, val := range c.expand(it, v) {
			pats, err := it.Patterns(val)
			if err != nil {
				return never(CodeValue, "%v", err)
			}
			for _, p := range pats {
				if it.IsKeyword() {
					// keywords match anywhere in the event
					p = p.Wrap(true, true)
				}
				vt.pats = append(vt.pats, compilePattern(p, it.Cased))
			}
		}
		if len(vt.pats) == 0 && !vt.isNum {
			return never(CodePlaceholder, "placeholder %s has no value (give it one in the placeholder options)", placeholderList(v.Str))
		}
		ci.values = append(ci.values, vt)
	}
	if it.IsKeyword() {
		ci.kw = newKeywordSet(ci.values, it.Cased)
	}
	return ci
}

// expand replaces the |expand placeholders of a value with the configured
// values (every combination); a placeholder without values gives none.
func (c *compiler) expand(it *sigma.Item, v *sigma.Value) []*sigma.Value {
	if !it.Expand || !v.Str.HasPlaceholders() {
		return []*sigma.Value{v}
	}
	variants := []sigma.String{{}}
	for _, p := range v.Str.Parts {
		if p.Kind != sigma.PartPlaceholder {
			for i := range variants {
				variants[i].Parts = append(append([]sigma.Part(nil), variants[i].Parts...), p)
			}
			continue
		}
		vals := c.opt.Placeholders[p.Text]
		if len(vals) == 0 {
			return nil
		}
		var next []sigma.String
		for _, base := range variants {
			for _, val := range vals {
				s := sigma.ParseString(val, false)
				next = append(next, sigma.String{Parts: append(append([]sigma.Part(nil), base.Parts...), s.Parts...)})
				if len(next) > sigma.MaxExpansion {
					return nil
				}
			}
		}
		variants = next
	}
	out := make([]*sigma.Value, len(variants))
	for i, s := range variants {
		cp := *v
		cp.Str = s
		out[i] = &cp
	}
	return out
}

func placeholderList(s sigma.String) string {
	var names []string
	for _, n := range s.Placeholders() {
		names = append(names, "%"+n+"%")
	}
	return strings.Join(names, ", ")
}

// keyText names an item in messages: its key, or "keywords".
func keyText(it *sigma.Item) string {
	if it.Key != "" {
		return it.Key
	}
	return "keywords"
}

// parseNumber reads a decimal number or a hexadecimal one written 0x...
func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		u, err := strconv.ParseUint(s[2:], 16, 64)
		return float64(u), err == nil
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}
