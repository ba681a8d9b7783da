// Package highlight colours rule text for HTML pages: a small tokenizer per
// language (KQL, SPL, EQL, ES|QL, Kibana KQL, Lucene, YARA-L, Python, SQL,
// MQL, and the YAML, TOML and markdown files rules live in) splits the text
// into comments, strings, numbers, keywords, variables, operators and plain
// words. It never recovers structure, only token classes; every byte of the
// input comes out escaped, so any text is safe to show.
package highlight

import (
	"html/template"
	"strings"
	"unicode/utf8"
)

// Token classes, used as CSS class names.
const (
	Plain    = ""
	Comment  = "c"
	String   = "s"
	Number   = "n"
	Keyword  = "k"
	Variable = "v"
	Operator = "o"
	Key      = "y" // a YAML/TOML key, a markdown heading
	Regex    = "r"
)

// Token is a class and a byte range of the text.
type Token struct {
	Class      string
	Start, End int
}

// spec describes one language's tokens.
type spec struct {
	lineComments  []string
	blockComments [][2]string
	strs          []delim
	keywords      map[string]bool
	foldKeywords  bool // keywords are case-insensitive
	varPrefix     string
	slashRegex    bool // /.../ is a regex literal where a value is expected (YARA-L)
	keyColon      bool // identifier followed by ':' is a key (YAML)
	tomlKeys      bool // identifier followed by '=' at line start is a key, [sections]
	markdown      bool
	identExtra    string // characters allowed inside identifiers besides letters, digits, '_'
}

type delim struct {
	open, close string
	escape      bool // backslash escapes the next byte
}

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

var specs = map[string]*spec{}

func init() {
	kql := &spec{
		lineComments: []string{"//"},
		strs: []delim{{"```", "```", false}, {`@"`, `"`, false}, {`@'`, `'`, false}, {`h"`, `"`, true}, {`h'`, `'`, true},
			{`"`, `"`, true}, {`'`, `'`, true}},
		keywords: words(`let where extend project summarize by join kind on union lookup parse with and or not in
			has contains startswith endswith between materialize datatable distinct sort order top take limit count
			mv-expand mv-apply make-series evaluate project-away project-rename project-reorder project-keep invoke as
			asc desc render dynamic true false null has_any has_all has_cs contains_cs startswith_cs endswith_cs in~
			matches regex inner leftouter rightouter fullouter leftanti rightanti leftsemi rightsemi innerunique
			parse-where parse-kv getschema search find range print serialize sample sample-distinct partition scan
			declare pattern set alias view isfuzzy withsource nulls first last fork facet externaldata toscalar iff iif
			case ago now bin tostring toint tolower toupper strcat isnotempty isempty isnotnull isnull`),
		identExtra: "-",
	}
	specs["kql"], specs["kusto"] = kql, kql
	spl := &spec{
		blockComments: [][2]string{{"```", "```"}},
		strs:          []delim{{`"`, `"`, true}, {"`", "`", false}},
		keywords: words(`search tstats stats eval where table rename lookup inputlookup outputlookup fields dedup sort
			head tail rex regex spath bin bucket transaction join append appendpipe eventstats streamstats chart
			timechart top rare mvexpand makemv fillnull convert iplocation return format foreach map datamodel from by
			as AND OR NOT IN OUTPUT OUTPUTNEW count values min max avg sum dc latest earliest summariesonly
			allow_old_summaries nodename where_clause inputs multisearch union mstats collect sendalert fieldformat
			addinfo localize case if like match isnull isnotnull`),
		varPrefix: "$",
	}
	specs["spl"], specs["splunk"] = spl, spl
	eql := &spec{
		lineComments:  []string{"//"},
		blockComments: [][2]string{{"/*", "*/"}},
		strs:          []delim{{`"""`, `"""`, false}, {`?"`, `"`, true}, {`"`, `"`, true}, {`'`, `'`, true}},
		keywords: words(`sequence sample by with maxspan where and or not in like like~ regex regex~ in~ any process file
			network registry library dns driver api true false null until runs of join head tail filter unique count
			descendant child_of event_of`),
	}
	specs["eql"] = eql
	esql := &spec{
		lineComments:  []string{"//"},
		blockComments: [][2]string{{"/*", "*/"}},
		strs:          []delim{{`"""`, `"""`, false}, {`"`, `"`, true}},
		keywords: words(`from where eval stats by keep drop rename sort limit dissect grok enrich mv_expand metadata
			and or not in like rlike is null true false asc desc nulls first last row show inlinestats lookup join on
			with as count values case`),
		foldKeywords: true,
	}
	specs["esql"], specs["es|ql"] = esql, esql
	kuery := &spec{
		strs:         []delim{{`"`, `"`, true}},
		keywords:     words(`and or not to`),
		foldKeywords: true,
	}
	specs["kuery"], specs["lucene"] = kuery, kuery
	yaral := &spec{
		lineComments:  []string{"//"},
		blockComments: [][2]string{{"/*", "*/"}},
		strs:          []delim{{"`", "`", false}, {`"`, `"`, true}},
		keywords: words(`rule meta events match outcome condition options over before after and or not nocase any all
			if in by count count_distinct sum min max array array_distinct max math re strings net timestamp cidr
			regex true false null for`),
		varPrefix:  "$%",
		slashRegex: true,
	}
	specs["yaral"], specs["yara-l"] = yaral, yaral
	python := &spec{
		lineComments: []string{"#"},
		strs: []delim{{`"""`, `"""`, true}, {`'''`, `'''`, true}, {`f"`, `"`, true}, {`f'`, `'`, true}, {`r"`, `"`, false},
			{`r'`, `'`, false}, {`"`, `"`, true}, {`'`, `'`, true}},
		keywords: words(`def return if elif else and or not in is None True False import from for while with as class
			lambda try except finally raise pass break continue yield global nonlocal del assert async await`),
	}
	specs["python"], specs["py"] = python, python
	sql := &spec{
		lineComments:  []string{"--"},
		blockComments: [][2]string{{"/*", "*/"}},
		strs:          []delim{{`'`, `'`, false}, {`"`, `"`, false}},
		keywords: words(`select from where and or not in is null as on join left right inner outer full group by order
			having limit with union all distinct case when then else end like ilike between exists qualify over
			partition lateral flatten true false asc desc count sum min max`),
		foldKeywords: true,
	}
	specs["sql"], specs["snowflake"] = sql, sql
	mql := &spec{
		lineComments: []string{"//"},
		strs:         []delim{{`"`, `"`, true}, {`'`, `'`, true}},
		keywords:     words(`and or not in in~ any all filter map length distinct sum ratio type true false null`),
		varPrefix:    "$",
	}
	specs["mql"], specs["sublime"] = mql, mql
	yaml := &spec{
		lineComments: []string{"#"},
		strs:         []delim{{`"`, `"`, true}, {`'`, `'`, false}},
		keywords:     words(`true false null yes no`),
		keyColon:     true,
		identExtra:   "-.|",
	}
	specs["yaml"], specs["yml"], specs["sigma"] = yaml, yaml, yaml
	toml := &spec{
		lineComments: []string{"#"},
		strs:         []delim{{`'''`, `'''`, false}, {`"""`, `"""`, true}, {`"`, `"`, true}, {`'`, `'`, false}},
		keywords:     words(`true false`),
		tomlKeys:     true,
		identExtra:   "-.",
	}
	specs["toml"] = toml
	md := &spec{markdown: true}
	specs["markdown"], specs["md"] = md, md
}

// Languages lists the language names Tokens knows.
func Languages() []string {
	var out []string
	for k := range specs {
		out = append(out, k)
	}
	return out
}

// ForPath returns the language of a rule file from its name, "" when
// unknown.
func ForPath(path string) string {
	p := strings.ToLower(path)
	switch {
	case strings.HasSuffix(p, ".yml"), strings.HasSuffix(p, ".yaml"):
		return "yaml"
	case strings.HasSuffix(p, ".toml"):
		return "toml"
	case strings.HasSuffix(p, ".md"):
		return "markdown"
	case strings.HasSuffix(p, ".py"):
		return "python"
	case strings.HasSuffix(p, ".kql"), strings.HasSuffix(p, ".csl"):
		return "kql"
	case strings.HasSuffix(p, ".yaral"):
		return "yaral"
	case strings.HasSuffix(p, ".sql"):
		return "sql"
	}
	return ""
}

// Tokens splits text into classified tokens that cover it entirely, in
// order. An unknown language gives one plain token.
func Tokens(text, lang string) []Token {
	var toks []Token
	eachToken(text, lang, func(t Token) { toks = append(toks, t) })
	return toks
}

// eachToken calls yield with the tokens of text in order (what Tokens
// returns, without building the slice: a page of rule text holds
// thousands).
func eachToken(text, lang string, yield func(Token)) {
	sp := specs[strings.ToLower(lang)]
	if sp == nil || text == "" {
		if text != "" {
			yield(Token{Plain, 0, len(text)})
		}
		return
	}
	if sp.markdown {
		for _, t := range markdownTokens(text) {
			yield(t)
		}
		return
	}
	// pending is the last token, held back so that the next one of the
	// same class can extend it.
	var pending Token
	have := false
	emit := func(class string, start, end int) {
		if end <= start {
			return
		}
		if have && pending.Class == class && pending.End == start {
			pending.End = end
			return
		}
		if have {
			yield(pending)
		}
		pending, have = Token{class, start, end}, true
	}
	defer func() {
		if have {
			yield(pending)
		}
	}()
	lineStart := true
	prevSignificant := byte(0)
	noRegexBefore := 0 // a failed regex scan found no closing '/' before this offset
	i := 0
	for i < len(text) {
		c := text[i]
		if c == '\n' {
			emit(Plain, i, i+1)
			i++
			lineStart = true
			continue
		}
		if c == ' ' || c == '\t' || c == '\r' {
			emit(Plain, i, i+1)
			i++
			continue
		}
		atLineStart := lineStart
		lineStart = false
		if n := matchAny(text[i:], sp.lineComments); n > 0 && (sp.keyColon == false || i == 0 || isSpaceByte(text[i-1])) {
			end := strings.IndexByte(text[i:], '\n')
			if end < 0 {
				end = len(text) - i
			}
			emit(Comment, i, i+end)
			i += end
			continue
		}
		if end, ok := matchBlock(text, i, sp.blockComments); ok {
			emit(Comment, i, end)
			i = end
			continue
		}
		if end, ok := matchString(text, i, sp.strs); ok {
			class := String
			if sp.keyColon && isKeyAfter(text, end) {
				class = Key
			}
			emit(class, i, end)
			i = end
			prevSignificant = '"'
			continue
		}
		if sp.slashRegex && c == '/' && i >= noRegexBefore && (prevSignificant == '=' || prevSignificant == '(' || prevSignificant == ',' || prevSignificant == 0) {
			end, stop := scanRegex(text, i)
			if end > i {
				emit(Regex, i, end)
				i = end
				prevSignificant = '/'
				continue
			}
			noRegexBefore = stop
		}
		if sp.tomlKeys && atLineStart && c == '[' {
			end := strings.IndexByte(text[i:], '\n')
			if end < 0 {
				end = len(text) - i
			}
			emit(Key, i, i+end)
			i += end
			continue
		}
		if sp.varPrefix != "" && strings.IndexByte(sp.varPrefix, c) >= 0 && i+1 < len(text) && isIdentStart(text[i+1]) {
			end := i + 1
			for end < len(text) && (isIdentByte(text[end]) || text[end] == '.') {
				end++
			}
			if end < len(text) && c == '$' && text[end] == '$' { // SPL $token$
				end++
			}
			emit(Variable, i, end)
			i = end
			prevSignificant = 'a'
			continue
		}
		if c >= '0' && c <= '9' {
			end := i
			for end < len(text) && (isIdentByte(text[end]) || text[end] == '.') {
				end++
			}
			emit(Number, i, end)
			i = end
			prevSignificant = '0'
			continue
		}
		if isIdentStart(c) || c >= utf8.RuneSelf {
			end := i
			for end < len(text) {
				b := text[end]
				if isIdentByte(b) || b >= utf8.RuneSelf || b != 0 && strings.IndexByte(sp.identExtra, b) >= 0 && end+1 < len(text) && isIdentByte(text[end+1]) {
					end++
					continue
				}
				if b == '~' && sp.keywords[text[i:end]+"~"] {
					end++
				}
				break
			}
			word := text[i:end]
			class := Plain
			kw := word
			if sp.foldKeywords {
				kw = strings.ToLower(word)
			}
			switch {
			case sp.keyColon && isKeyAfter(text, end):
				class = Key
			case sp.tomlKeys && atLineStart && isTomlKey(text, end):
				class = Key
			case sp.keywords[kw]:
				class = Keyword
			}
			emit(class, i, end)
			i = end
			prevSignificant = 'a'
			continue
		}
		// Operators and punctuation: one byte (or a whole rune).
		_, size := utf8.DecodeRuneInString(text[i:])
		class := Operator
		if strings.IndexByte("()[]{},;", c) >= 0 {
			class = Plain
		}
		emit(class, i, i+size)
		prevSignificant = c
		i += size
	}
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIdentByte(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9'
}

func matchAny(s string, prefixes []string) int {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return len(p)
		}
	}
	return 0
}

func matchBlock(text string, i int, blocks [][2]string) (int, bool) {
	for _, b := range blocks {
		if strings.HasPrefix(text[i:], b[0]) {
			end := strings.Index(text[i+len(b[0]):], b[1])
			if end < 0 {
				return len(text), true
			}
			return i + len(b[0]) + end + len(b[1]), true
		}
	}
	return 0, false
}

func matchString(text string, i int, ds []delim) (int, bool) {
	for _, d := range ds {
		if !strings.HasPrefix(text[i:], d.open) {
			continue
		}
		// A one-letter prefix (f", r", h", @") must not be the end of a word.
		if len(d.open) == 2 && isIdentByte(d.open[0]) && i > 0 && isIdentByte(text[i-1]) {
			continue
		}
		j := i + len(d.open)
		for j < len(text) {
			if d.escape && text[j] == '\\' && len(d.close) == 1 {
				j += 2
				continue
			}
			if strings.HasPrefix(text[j:], d.close) {
				return j + len(d.close), true
			}
			// Single-line strings end at the line's end.
			if text[j] == '\n' && len(d.close) == 1 && d.close != "`" {
				return j, true
			}
			j++
		}
		return len(text), true
	}
	return 0, false
}

// scanRegex returns the end of the /regex/ at text[i], or i and the offset
// where the scan stopped (the end of the line) when it is not closed.
func scanRegex(text string, i int) (end, stop int) {
	j := i + 1
	for j < len(text) && text[j] != '\n' {
		if text[j] == '\\' {
			j += 2
			continue
		}
		if text[j] == '/' {
			return j + 1, 0
		}
		j++
	}
	return i, j
}

// isKeyAfter reports whether text[end:] starts (after spaces) with ':' and
// a space or end of line: a YAML mapping key.
func isKeyAfter(text string, end int) bool {
	for end < len(text) && (text[end] == ' ' || text[end] == '\t') {
		end++
	}
	return end < len(text) && text[end] == ':' && (end+1 == len(text) || isSpaceByte(text[end+1]))
}

func isTomlKey(text string, end int) bool {
	for end < len(text) && (text[end] == ' ' || text[end] == '\t') {
		end++
	}
	return end < len(text) && text[end] == '='
}

// markdownTokens marks headings and fenced code in markdown.
func markdownTokens(text string) []Token {
	var toks []Token
	inFence := false
	for off := 0; off < len(text); {
		end := strings.IndexByte(text[off:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += off + 1
		}
		line := text[off:end]
		trim := strings.TrimSpace(line)
		class := Plain
		switch {
		case strings.HasPrefix(trim, "```") || strings.HasPrefix(trim, "~~~"):
			inFence = !inFence
			class = Comment
		case inFence:
			class = String
		case strings.HasPrefix(trim, "#"):
			class = Key
		}
		toks = append(toks, Token{class, off, end})
		off = end
	}
	return toks
}

// HTML returns text with its tokens wrapped in <i class="X">, escaped.
func HTML(text, lang string) template.HTML {
	return template.HTML(AppendHTML(nil, text, lang))
}

// AppendHTML appends text highlighted as by HTML to dst.
func AppendHTML(dst []byte, text, lang string) []byte {
	return AppendLines(dst, text, lang, func(dst []byte, n int) []byte {
		if n > 1 {
			dst = append(dst, '\n')
		}
		return dst
	}, "")
}

// Lines returns the highlighted HTML of each line of text (without the
// line breaks); spans never cross lines.
func Lines(text, lang string) []template.HTML {
	var lines []template.HTML
	var buf []byte
	start := 0
	buf = AppendLines(buf, text, lang, func(dst []byte, n int) []byte {
		if n > 1 {
			lines = append(lines, template.HTML(dst[start:]))
			start = len(dst)
		}
		return dst
	}, "")
	return append(lines, template.HTML(buf[start:]))
}

// AppendLines appends the highlighted HTML of text to dst one line at a
// time: open is called before each line (numbered from 1) and close is
// appended after it (line breaks are left out; spans never cross lines).
// Writing a whole block into one buffer this way is the cheap path for
// long rule text.
func AppendLines(dst []byte, text, lang string, open func(dst []byte, n int) []byte, close string) []byte {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	n := 1
	dst = open(dst, n)
	eachToken(text, lang, func(t Token) {
		seg := text[t.Start:t.End]
		for {
			nl := strings.IndexByte(seg, '\n')
			part := seg
			if nl >= 0 {
				part = seg[:nl]
			}
			if part != "" {
				if t.Class != Plain {
					dst = append(dst, tokenOpen...)
					dst = append(dst, t.Class...)
					dst = append(dst, tokenOpenEnd...)
				}
				dst = AppendEscape(dst, part)
				if t.Class != Plain {
					dst = append(dst, tokenClose...)
				}
			}
			if nl < 0 {
				break
			}
			dst = append(dst, close...)
			n++
			dst = open(dst, n)
			seg = seg[nl+1:]
		}
	})
	return append(dst, close...)
}

// The markup of a token: <i class="X">text</i>, short because a page of
// rule text holds thousands (the stylesheet styles "pre i.X").
const (
	tokenOpen    = `<i class="`
	tokenOpenEnd = `">`
	tokenClose   = `</i>`
)

// Escape writes s HTML-escaped (& < > " ' and NUL) to b; invalid UTF-8
// becomes U+FFFD.
func Escape(b *strings.Builder, s string) {
	if !needsEscape(s) {
		b.WriteString(s)
		return
	}
	b.Write(AppendEscape(make([]byte, 0, len(s)+16), s))
}

// needsEscape reports whether s has a byte Escape changes (or any
// non-ASCII byte, which it checks).
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= utf8.RuneSelf, c == '&', c == '<', c == '>', c == '"', c == '\'', c == 0:
			return true
		}
	}
	return false
}

// AppendEscape appends s HTML-escaped as Escape writes it to dst.
func AppendEscape(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			var rep string
			switch c {
			case '&':
				rep = "&amp;"
			case '<':
				rep = "&lt;"
			case '>':
				rep = "&gt;"
			case '"':
				rep = "&#34;"
			case '\'':
				rep = "&#39;"
			case 0:
				rep = "\uFFFD"
			default:
				i++
				continue
			}
			dst = append(dst, s[last:i]...)
			dst = append(dst, rep...)
			i++
			last = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[last:i]...)
			dst = append(dst, "\uFFFD"...)
			i++
			last = i
			continue
		}
		i += size
	}
	return append(dst, s[last:]...)
}
