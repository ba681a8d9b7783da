package kql

import (
	"strings"

	"github.com/detwiki/detwiki/internal/source"
)

// Operator parameters (kind=inner, hint.strategy=shuffle, withsource=T,
// isfuzzy=true, ...) follow the reference parser: each operator declares
// the parameters it knows; names of other known parameters are accepted too
// (and left for semantic checks), and unknown names are not parameters.

type paramKind uint8

const (
	pvAny        paramKind = iota // a literal, a word or a name
	pvWord                        // a word such as inner, shuffle (keywords allowed)
	pvName                        // a declared name (withsource=Source)
	pvColumn                      // a column reference (hint.shufflekey=x)
	pvColumnList                  // a comma-separated list of columns (render ... by a, b)
	pvString                      // a string expression (render title)
)

type paramSpec struct {
	name     string
	kind     paramKind
	missing  string   // what the "Missing ..." error calls an absent value
	noEquals bool     // the name is not followed by '=' (render with "x", render by a)
	values   []string // the words a pvWord parameter takes (kind=inner, ...)
}

// with returns a copy of s that takes the given words.
func (s paramSpec) with(values ...string) paramSpec {
	s.values = values
	return s
}

var (
	hintStrategies     = []string{"auto", "broadcast", "centralized", "shuffle"}
	hintDistributions  = []string{"single", "per_node", "per_shard", "default"}
	hintRemotes        = []string{"auto", "local"}
	hintSpreads        = []string{"auto", "local"}
	hintConcurrencies  = []string{"auto", "left", "local", "right", "unresolved"}
	mvExpandKinds      = []string{"bag", "array"}
	joinKinds          = []string{"inner", "fullouter", "innerunique", "leftanti", "leftantisemi", "anti", "leftouter", "leftsemi", "rightanti", "rightantisemi", "rightouter", "rightsemi"}
	chartKinds         = []string{"default", "unstacked", "stacked", "stacked100", "map"}
	partitionHintStrat = []string{"shuffle", "native", "legacy"}
)

type allowNames uint8

const (
	allowDeclaredOrKnown allowNames = iota
	allowKnown
	allowDeclared
)

var (
	pHintMaterialized  = paramSpec{name: "hint.materialized", kind: pvAny, missing: "boolean"}
	pHintShuffleKey    = paramSpec{name: "hint.shufflekey", kind: pvColumn}
	pHintStrategy      = paramSpec{name: "hint.strategy", kind: pvWord, values: hintStrategies}
	pHintNumPartitions = paramSpec{name: "hint.num_partitions", kind: pvAny, missing: "number"}
	pHintDistribution  = paramSpec{name: "hint.distribution", kind: pvWord, values: hintDistributions}
	pHintRemote        = paramSpec{name: "hint.remote", kind: pvWord, values: hintRemotes}
	pHintConcurrency   = paramSpec{name: "hint.concurrency", kind: pvWord, values: hintConcurrencies}
	pHintSpread        = paramSpec{name: "hint.spread", kind: pvWord, values: hintSpreads}
	pHintProgressive   = paramSpec{name: "hint.progressive_top", kind: pvAny, missing: "boolean"}
	pKind              = paramSpec{name: "kind", kind: pvWord}
	pWithSource        = paramSpec{name: "withsource", kind: pvName}
	pWithSourceAlias   = paramSpec{name: "with_source", kind: pvName}
	pIsFuzzy           = paramSpec{name: "isfuzzy", kind: pvAny, missing: "boolean"}
	pIsFuzzyAlias      = paramSpec{name: "__isFuzzy", kind: pvAny, missing: "boolean"}
	pBestEffort        = paramSpec{name: "best_effort", kind: pvAny, missing: "boolean"}
	pWithItemIndex     = paramSpec{name: "with_itemindex", kind: pvName}
	pBagExpansion      = paramSpec{name: "bagexpansion", kind: pvWord, values: mvExpandKinds}
	pWithMatchID       = paramSpec{name: "with_match_id", kind: pvName}
	pDecodeBlocks      = paramSpec{name: "decodeblocks", kind: pvAny, missing: "boolean"}
	pFlags             = paramSpec{name: "flags", kind: pvWord}

	kindParam = paramSpec{name: "kind", kind: pvWord, values: []string{"nooptimization"}}

	asParams          = []paramSpec{pHintMaterialized}
	consumeParams     = []paramSpec{pDecodeBlocks}
	distinctParams    = []paramSpec{pHintShuffleKey, pHintStrategy, pHintNumPartitions}
	evaluateParams    = []paramSpec{pHintDistribution, pHintRemote}
	findParams        = []paramSpec{pWithSource, pWithSourceAlias}
	joinParams        = []paramSpec{pKind.with(joinKinds...), pHintRemote.with(hintConcurrencies...), pHintShuffleKey, pHintStrategy, pHintNumPartitions}
	lookupParams      = []paramSpec{pKind.with("inner", "leftouter")}
	makeSeriesParams  = []paramSpec{pHintShuffleKey, pKind.with("nonempty")}
	mvApplyParams     = []paramSpec{pWithItemIndex}
	mvExpandParams    = []paramSpec{pKind.with(mvExpandKinds...), pBagExpansion, pWithItemIndex}
	parseOpParams     = []paramSpec{pKind.with("simple", "regex", "relaxed"), pFlags}
	partitionParams   = []paramSpec{pHintConcurrency, pHintSpread, pHintMaterialized, pHintShuffleKey, pHintStrategy.with(partitionHintStrat...)}
	scanParams        = []paramSpec{pKind.with("partial", "full"), pWithMatchID}
	searchParams      = []paramSpec{pKind.with("default", "case_insensitive", "case_sensitive")}
	sortParams        = []paramSpec{pHintStrategy.with("splitBlock", "multipleBlocks")}
	summarizeParams   = []paramSpec{pHintShuffleKey, pHintStrategy.with("shuffle"), pHintNumPartitions}
	topParams         = []paramSpec{pHintProgressive}
	unionParams       = []paramSpec{pKind.with("inner", "outer"), pWithSource, pWithSourceAlias, pIsFuzzy, pIsFuzzyAlias, pBestEffort, pHintConcurrency, pHintSpread}
	getSchemaParams   = []paramSpec{pKind.with("csl")}
	reduceWithParams  = []paramSpec{{name: "threshold", kind: pvAny, missing: "number"}, {name: "characters", kind: pvAny, missing: "string"}}
	parseKvWithParams = []paramSpec{
		{name: "pair_delimiter", kind: pvAny, missing: "string"},
		{name: "kv_delimiter", kind: pvAny, missing: "string"},
		{name: "regex", kind: pvAny, missing: "string"},
		{name: "quote", kind: pvAny, missing: "string"},
		{name: "escape", kind: pvAny, missing: "string"},
		{name: "greedy", kind: pvAny, missing: "boolean"},
	}
	renderWithParams = []paramSpec{
		{name: "kind", kind: pvWord, values: chartKinds},
		{name: "title", kind: pvString},
		{name: "accumulate", kind: pvAny, missing: "boolean"},
		{name: "xcolumn", kind: pvColumn},
		{name: "ycolumns", kind: pvColumnList},
		{name: "anomalycolumns", kind: pvColumnList},
		{name: "series", kind: pvColumnList},
		{name: "xtitle", kind: pvString},
		{name: "ytitle", kind: pvString},
		{name: "xaxis", kind: pvWord, values: []string{"linear", "log"}},
		{name: "yaxis", kind: pvWord, values: []string{"linear", "log"}},
		{name: "legend", kind: pvWord, values: []string{"visible", "hidden"}},
		{name: "ysplit", kind: pvWord, values: []string{"none", "axes", "panels"}},
		{name: "ymin", kind: pvAny, missing: "number"},
		{name: "ymax", kind: pvAny, missing: "number"},
		{name: "xmin", kind: pvAny},
		{name: "xmax", kind: pvAny},
	}
	renderLegacyParams = []paramSpec{
		{name: "kind", kind: pvWord, values: chartKinds},
		{name: "title", kind: pvString},
		{name: "accumulate", kind: pvAny, missing: "boolean"},
	}
)

// knownParams are the parameter names every operator recognises as such
// (other than its own), with how their values parse.
var knownParams = map[string]paramSpec{}

// multiTokenParams are known parameter names that the lexer splits into
// several tokens.
var multiTokenParams []string

func init() {
	for _, s := range []paramSpec{
		pBagExpansion, {name: "bin_legacy"}, {name: "__crossCluster"}, {name: "__crossDB"},
		pDecodeBlocks, {name: "expandoutput"}, pHintConcurrency, pHintDistribution, pHintMaterialized,
		pHintNumPartitions, {name: "hint.pass_filters"}, {name: "hint.pass_filters_column", kind: pvColumn},
		pHintProgressive, pHintRemote, pHintShuffleKey, pHintSpread, pHintStrategy, {name: "__id"},
		pIsFuzzy, pIsFuzzyAlias, pKind, {name: "__noWithSource"}, {name: "__packedColumn", kind: pvColumn},
		{name: "__sourceColumnIndex"}, {name: "cycles", kind: pvWord, values: []string{"none", "all", "unique_edges"}}, pWithMatchID, pWithItemIndex,
		pWithSource, pWithSourceAlias, {name: "with_step_name", kind: pvName}, {name: "force_remote", missing: "boolean"},
	} {
		knownParams[s.name] = s
		if Lookup(s.name) == IDENT && !isPlainIdent(s.name) {
			multiTokenParams = append(multiTokenParams, s.name)
		}
	}
}

func isPlainIdent(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentChar(s[i]) {
			return false
		}
	}
	return true
}

func findSpec(specs []paramSpec, name string) (paramSpec, bool) {
	for _, s := range specs {
		if s.name == name {
			return s, true
		}
	}
	return paramSpec{}, false
}

// matchText returns how many adjacent tokens from offset o spell text
// exactly, or 0.
func (p *parser) matchText(o int, text string) int {
	n := 0
	for len(text) > 0 {
		t := p.tok(o + n)
		if t.kind == EOF || (n > 0 && t.sp) {
			return 0
		}
		s := p.text(t)
		if len(s) > len(text) || text[:len(s)] != s {
			return 0
		}
		text = text[len(s):]
		n++
	}
	return n
}

// scanParamName returns the number of tokens of a parameter name at
// offset o (0 when none) and how the parameter's value parses.
func (p *parser) scanParamName(specs []paramSpec, allow allowNames, equalsNeeded bool, o int) (int, paramSpec) {
	t := p.tok(o)
	wordLike := t.kind == IDENT || t.kind.IsKeyword()
	if allow != allowKnown && wordLike {
		if s, ok := findSpec(specs, p.text(t)); ok {
			if s.noEquals || !equalsNeeded || p.kind(o+1) == ASSIGN {
				return 1, s
			}
			return 0, s
		}
	}
	if allow == allowDeclared {
		return 0, paramSpec{}
	}
	n := 0
	var spec paramSpec
	if wordLike {
		if s, ok := knownParams[p.text(t)]; ok {
			n, spec = 1, s
		} else if s, ok := findSpec(specs, p.text(t)); ok {
			n, spec = 1, s
		}
	}
	if n == 0 {
		for _, name := range multiTokenParams {
			if m := p.matchText(o, name); m > 0 {
				n, spec = m, knownParams[name]
				break
			}
		}
	}
	if n > 0 && equalsNeeded && p.kind(o+n) != ASSIGN {
		return 0, spec
	}
	return n, spec
}

// parseParams parses a run of operator parameters name=value.
func (p *parser) parseParams(specs []paramSpec, allow allowNames, equalsNeeded bool) []*NamedParam {
	var out []*NamedParam
	for {
		n, spec := p.scanParamName(specs, allow, equalsNeeded, 0)
		if n <= 0 {
			return out
		}
		out = append(out, p.finishParam(n, spec, specs, true))
	}
}

// finishParam parses the name (n tokens), '=' and the value.
func (p *parser) finishParam(n int, spec paramSpec, specs []paramSpec, withEquals bool) *NamedParam {
	first, last := p.tok(0), p.tok(n-1)
	np := &NamedParam{NamePos: source.Pos(first.pos), Name: p.src[first.pos:last.end], Assign: source.NoPos}
	p.skip(n)
	if withEquals {
		np.Assign = p.expect(ASSIGN)
	}
	np.Value = p.parseParamValue(spec, specs)
	return np
}

// parseNamedParam parses one specific parameter when it is next:
// name = value (or name value for parameters without '=').
func (p *parser) parseNamedParam(spec paramSpec, allow allowNames, _ bool) *NamedParam {
	n := p.matchText(0, spec.name)
	if n <= 0 {
		return nil
	}
	if spec.noEquals {
		return p.finishParam(n, spec, nil, false)
	}
	if p.kind(n) == ASSIGN {
		return p.finishParam(n, spec, nil, true)
	}
	return nil
}

func (p *parser) parseParamValue(spec paramSpec, specs []paramSpec) Expr {
	switch spec.kind {
	case pvString:
		if x := p.parsePostfix(); x != nil {
			return x
		}
		return p.missing("value")
	case pvWord:
		if len(spec.values) > 0 {
			for _, v := range spec.values {
				if n := p.matchText(0, v); n > 0 {
					first, last := p.tok(0), p.tok(n-1)
					p.skip(n)
					return &Ident{NamePos: source.Pos(first.pos), EndPos: source.Pos(last.end), Name: p.src[first.pos:last.end]}
				}
			}
			if x := p.anyParamValue(); x != nil {
				return x
			}
			if len(spec.values) == 1 {
				p.errMissing("Expected: "+spec.values[0], codeExpected)
			} else {
				p.errMissing("Expected one of: "+strings.Join(spec.values, ", "), codeExpected)
			}
			return p.bad()
		}
	case pvName, pvColumn:
		if id := p.parseName(false); id != nil {
			return id
		}
		if x := p.anyParamValue(); x != nil {
			return x
		}
		return p.missingName()
	case pvColumnList:
		names := commaList(p, func() (Expr, bool) {
			if n, _ := p.scanParamName(specs, allowDeclared, true, 0); n > 0 {
				return nil, false
			}
			id := p.parseName(true)
			return id, id != nil
		}, func() Expr { return p.missingName() }, func() bool {
			if spec.noEquals {
				// render ... by a, b ends at the next legacy property word.
				switch p.text(p.tok(0)) {
				case "kind", "title", "accumulate", "with", "by":
					return true
				}
				return false
			}
			return p.atParamListEnd(specs)
		}, true, false)
		return &ListExpr{Lparen: source.NoPos, Elems: names, Rparen: source.NoPos}
	}
	if x := p.anyParamValue(); x != nil {
		return x
	}
	what := spec.missing
	if what == "" {
		what = "value"
	}
	return p.missing(what)
}

// atParamListEnd ends a column list value at the next parameter name.
func (p *parser) atParamListEnd(specs []paramSpec) bool {
	if p.kind(0) == COMMA {
		n, _ := p.scanParamName(specs, allowKnown, false, 1)
		return n > 0 || isCommonEnd(p.kind(1))
	}
	n, _ := p.scanParamName(specs, allowKnown, true, 0)
	return n > 0 || p.atCommonEnd()
}

// anyParamValue parses a literal, a word or a name.
func (p *parser) anyParamValue() Expr {
	if x := p.parseLiteral(); x != nil {
		return x
	}
	if id := p.parseIdentOrKeywordToken(); id != nil {
		return id
	}
	if id := p.parseName(false); id != nil {
		return id
	}
	return nil
}
