// Package markdown reads generic markdown documents that carry KQL in
// fenced code blocks (tagged kql, KQL, kusto, C#, or untagged but parseable
// as KQL): hunting write-ups, blog-style READMEs, collections of queries.
//
// The title is the first heading, the description the prose; ATT&CK comes
// from any table with a technique column and from bare technique ids (T1055,
// T1055.002) in the prose and in the queries' comments. A file gives one
// rule per query block, titled by the heading (or label line) above it; or,
// when its blocks are the same detection for different platforms (each
// introduced by a heading or label naming Defender XDR, Sentinel, Log
// Analytics, ...), one rule whose first block is the query and the others
// variants. Markdown without a KQL block is not a rule file: it gives no
// document.
package markdown

import (
	"slices"
	"strconv"
	"strings"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/kustorule"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// Format is the reader's name.
const Format = "markdown"

// Reader reads markdown with KQL code blocks.
type Reader struct{}

// New returns the generic markdown reader.
func New() formats.Reader { return Reader{} }

// Format implements formats.Reader.
func (Reader) Format() string { return Format }

// Language implements formats.Reader.
func (Reader) Language() string { return rule.LangKusto }

// Detect takes .md files with at least one KQL code block.
func (Reader) Detect(f *formats.File) bool {
	switch kustorule.Ext(f.Base()) {
	case "md", "markdown":
	default:
		return false
	}
	if !formats.IsText(kustorule.Head(f.Data, 8192)) {
		return false
	}
	for _, b := range kustorule.ParseMarkdown(string(f.Data)).Blocks {
		if b.Kind == kustorule.Code && isKQLBlock(b) {
			return true
		}
	}
	return false
}

// isKQLBlock reports whether a code block holds KQL: tagged kql or kusto,
// or tagged C# (as many KQL authors do, for the highlighting) or untagged
// and parseable as KQL.
func isKQLBlock(b *kustorule.Block) bool {
	if strings.TrimSpace(b.Text) == "" {
		return false
	}
	switch b.Lang() {
	case "kql", "kusto", "kusto-query", "csl":
		return true
	case "c#", "csharp", "cs", "", "text", "sql":
		return kustorule.Parseable(b.Text)
	}
	return false
}

// Read implements formats.Reader.
func (r Reader) Read(f *formats.File, env *formats.Env) []*rule.Document {
	text, diags, ok := kustorule.Decode(f.Path, f.Data)
	if !ok {
		return kustorule.Unreadable(r, f, diags)
	}
	md := kustorule.ParseMarkdown(text)
	rd := &reading{r: r, f: f, text: text, md: md, cat: kustorule.Catalog(env)}
	for _, b := range md.Blocks {
		if b.Kind == kustorule.Code && isKQLBlock(b) {
			rd.blocks = append(rd.blocks, b)
		}
	}
	if len(rd.blocks) == 0 {
		return nil // not a rule file
	}
	docs := rd.read()
	for _, x := range diags {
		docs[0].Diagnose(x)
	}
	return docs
}

type reading struct {
	r      Reader
	f      *formats.File
	text   string
	md     *kustorule.Markdown
	cat    *attack.Catalog
	blocks []*kustorule.Block
	// title is the document's title heading (nil when it has none).
	title *kustorule.Block
	// headingOf maps each query block to the nearest heading above it,
	// queriesUnder counts the query blocks under each heading.
	headingOf    map[*kustorule.Block]*kustorule.Block
	queriesUnder map[*kustorule.Block]int
	// sections are the document's sections with what fill needs of them;
	// sectionOf maps each query block to the index of its own section.
	sections  []sectionInfo
	sectionOf map[*kustorule.Block]int
	// shared is what every rule of the file takes: the prose before the
	// first heading (or under the title), the prose sections that hold no
	// query, and their author and references.
	shared struct {
		intro, allQueries []string
		author            string
		refs              []string
		sections          []rule.Section
	}
}

// sectionInfo is a section and what every rule of the file takes from it.
type sectionInfo struct {
	s        *kustorule.Section
	hasQuery bool
	prose    string
	author   string
	refs     []string
}

// platformWords name the platforms whose versions of one detection a file
// may give side by side.
var platformWords = []string{"defender", "m365", "microsoft 365", "mde", "xdr", "advanced hunting", "sentinel",
	"log analytics", "azure monitor", "mdatp", "atp"}

func (rd *reading) read() []*rule.Document {
	md := rd.md
	for _, b := range md.Blocks {
		if b.Kind == kustorule.Heading {
			rd.title = b
			break
		}
	}
	rd.index()
	base := kustorule.NewDocument(rd.r, rd.f, rd.text, 1)
	if rd.title != nil {
		base.Title = kustorule.PlainText(rd.title.Text)
	}
	// Document-wide facts: the technique tables, the prose sections that
	// hold no query.
	var techniques []kustorule.Ref
	var tactics []kustorule.Ref
	for _, b := range md.Blocks {
		if b.Kind == kustorule.Table {
			rd.attackTable(b, &techniques, &tactics)
		}
	}
	var pieces []kustorule.Piece
	split := false
	for _, b := range rd.blocks {
		ps := kustorule.BlockPieces(b)
		split = split || len(ps) > 1
		pieces = append(pieces, ps...)
	}
	pieces = kustorule.CapPieces(base, pieces)
	labels := make([]string, len(pieces))
	platformish := len(pieces) > 1 && !split
	for i, p := range pieces {
		if labels[i] = p.Title(); labels[i] == "" {
			labels[i] = rd.label(p.Block)
		}
		if !isPlatformLabel(labels[i]) {
			platformish = false
		}
	}
	if platformish && distinct(labels) {
		d := base
		rd.fill(d, pieces[0], techniques, tactics, true)
		for i, p := range pieces[1:] {
			d.Variants = append(d.Variants, rule.Variant{Name: labels[i+1], QueryLanguage: kustorule.QueryLanguage, Query: p.Query})
		}
		kustorule.SetExtra(d, "variant", labels[0])
		return []*rule.Document{d}
	}
	if len(pieces) == 1 {
		rd.fill(base, pieces[0], techniques, tactics, true)
		return []*rule.Document{base}
	}
	var out []*rule.Document
	seen := map[string]int{}
	for i, p := range pieces {
		d := kustorule.Clone(base)
		if i > 0 {
			d.ID = rule.MakeID(rule.LangKusto, rd.f.Path, strconv.Itoa(i+1))
		}
		rd.fill(d, p, techniques, tactics, false)
		name := labels[i]
		if name == "" {
			name = base.Title + " (" + strconv.Itoa(i+1) + ")"
		}
		seen[name]++
		if seen[name] > 1 {
			name += " (" + strconv.Itoa(seen[name]) + ")"
		}
		d.Title = name
		out = append(out, d)
	}
	return out
}

// label names a block: the heading above it when no other query shares
// that heading (and it is not the document's title), else the line that
// introduces the block, else that heading.
func (rd *reading) label(b *kustorule.Block) string {
	h := rd.headingOf[b]
	shared := rd.queriesUnder[h] > 1 // another query block under the same heading
	if h != nil && h != rd.title && !shared {
		return kustorule.PlainText(h.Text)
	}
	if l := kustorule.BlockLabel(rd.md, b); l != "" && !strings.EqualFold(l, "query") {
		return l
	}
	if h != nil && h != rd.title {
		return kustorule.PlainText(h.Text)
	}
	return ""
}

// onlyCode reports whether a section holds nothing but code blocks.
func onlyCode(s *kustorule.Section) bool {
	for _, b := range s.Blocks {
		if b.Kind != kustorule.Code {
			return false
		}
	}
	return true
}

// index computes, in one pass each, what the rules of the file share: the
// heading above each query block, the number of query blocks under each
// heading, and each section's prose.
func (rd *reading) index() {
	rd.headingOf = map[*kustorule.Block]*kustorule.Block{}
	rd.queriesUnder = map[*kustorule.Block]int{}
	query := map[*kustorule.Block]bool{}
	for _, b := range rd.blocks {
		query[b] = true
	}
	var h *kustorule.Block
	for _, x := range rd.md.Blocks {
		if x.Kind == kustorule.Heading {
			h = x
		}
		if query[x] {
			rd.headingOf[x] = h
			rd.queriesUnder[h]++
		}
	}
	rd.sectionOf = map[*kustorule.Block]int{}
	sh := &rd.shared
	for i, s := range rd.md.Sections(6) {
		si := sectionInfo{s: s}
		for _, x := range s.Blocks {
			if query[x] {
				si.hasQuery = true
				rd.sectionOf[x] = i
			}
		}
		si.prose, si.author, si.refs = rd.prose(s.Blocks)
		switch {
		case s.Heading == nil || s.Heading == rd.title:
			if si.prose != "" {
				sh.intro = append(sh.intro, si.prose)
			}
			if sh.author == "" {
				sh.author = si.author
			}
			sh.refs = kustorule.AppendUnique(sh.refs, si.refs...)
		case si.hasQuery:
			if si.prose != "" {
				sh.allQueries = append(sh.allQueries, si.prose)
			}
		case !onlyCode(s):
			if body := rd.md.Body(s); !kustorule.IsNone(body) {
				sh.sections = append(sh.sections, rule.Section{Title: s.Title(), Text: body})
				sh.refs = kustorule.AppendUnique(sh.refs, kustorule.URLs(body)...)
			}
		}
		rd.sections = append(rd.sections, si)
	}
	sh.sections = slices.Clip(sh.sections)
}

func isPlatformLabel(l string) bool {
	l = strings.ToLower(l)
	for _, w := range platformWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

func distinct(ls []string) bool {
	seen := map[string]bool{}
	for _, l := range ls {
		k := strings.ToLower(l)
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

// fill completes a rule read from block b. whole says whether the rule is
// the file's only one (its description is all the prose, its sections the
// prose sections) or one of several (its description is the prose of its
// own section).
func (rd *reading) fill(d *rule.Document, p kustorule.Piece, techniques, tactics []kustorule.Ref, whole bool) {
	b := p.Block
	sh := &rd.shared
	prose := slices.Clone(sh.intro)
	if whole {
		prose = append(prose, sh.allQueries...)
	} else if i, ok := rd.sectionOf[b]; ok && rd.sections[i].s.Heading != nil && rd.sections[i].s.Heading != rd.title {
		si := rd.sections[i]
		if si.prose != "" {
			prose = append(prose, si.prose)
		}
		if si.author != "" && d.Author == "" {
			d.Author = si.author
		}
		d.References = kustorule.AppendUnique(d.References, si.refs...)
	}
	if sh.author != "" && d.Author == "" {
		d.Author = sh.author
	}
	d.Sections = sh.sections
	// Comments at the top of the query describe it too.
	lines := kustorule.SplitLines(p.Query)
	var h kustorule.Header
	if p.Header != nil {
		h = *p.Header
		if desc := p.Description(); desc != "" {
			prose = append(prose, desc)
		}
	} else {
		var comments []string
		for _, l := range lines {
			t := strings.TrimSpace(l)
			if !strings.HasPrefix(t, "//") {
				break
			}
			comments = append(comments, strings.TrimSpace(strings.TrimPrefix(t, "//")))
		}
		h = kustorule.ParseHeader(comments, b.Line+1)
		if desc := h.Description(); desc != "" && !whole {
			prose = append(prose, desc)
		}
	}
	d.Description = strings.Join(prose, "\n\n")
	d.References = kustorule.AppendUnique(d.References, kustorule.URLs(d.Description)...)
	d.References = kustorule.AppendUnique(d.References, h.References...)
	d.References = kustorule.AppendUnique(d.References, sh.refs...)
	if h.Author != "" {
		d.Author = h.Author
	}
	d.Tags = kustorule.AppendUnique(d.Tags, h.Tags...)
	d.Query, d.QueryOrigin = p.Query, p.Origin
	if !b.Closed {
		d.Diagnose(source.Diagnostic{Code: kustorule.CodeUnclosedFence, Severity: source.Warning, Line: b.Line, Col: b.Indent + 1,
			Message: "code block is never closed; it runs to the end of the file"})
	}
	techs := append([]kustorule.Ref(nil), techniques...)
	for _, id := range kustorule.TechniqueRefs(d.Description) {
		techs = append(techs, kustorule.Ref{Value: id})
	}
	for k, l := range lines {
		if t := strings.TrimSpace(l); strings.Contains(t, "//") {
			for _, id := range kustorule.TechniqueRefs(t[strings.Index(t, "//"):]) {
				techs = append(techs, kustorule.Ref{Value: id, Line: p.Origin.Line + k})
			}
		}
	}
	for _, id := range h.Techniques {
		techs = append(techs, kustorule.Ref{Value: id, Line: h.Line})
	}
	kustorule.MapAttackRefs(d, rd.cat, techs, tactics)
	kustorule.ParseQuery(d)
}

// attackTable reads a table with a technique column (ids, or names the
// catalog knows) and an optional tactic column.
func (rd *reading) attackTable(b *kustorule.Block, techniques, tactics *[]kustorule.Ref) {
	if len(b.Cells) < 2 {
		return
	}
	techCol, tacticCol, subCol := -1, -1, -1
	for i, h := range b.Cells[0] {
		switch l := strings.ToLower(h); {
		case strings.Contains(l, "subtechnique") || strings.Contains(l, "sub-technique"):
			subCol = i
		case strings.Contains(l, "technique") && techCol < 0:
			techCol = i
		case strings.Contains(l, "tactic") && tacticCol < 0:
			tacticCol = i
		}
	}
	if techCol < 0 && tacticCol < 0 {
		return
	}
	for i, row := range b.Cells[1:] {
		line := b.Line + 2 + i
		if techCol >= 0 && techCol < len(row) {
			ids := kustorule.TechniqueRefs(row[techCol])
			if len(ids) == 1 && subCol >= 0 && subCol < len(row) && !strings.Contains(ids[0], ".") {
				if sub := strings.TrimSpace(row[subCol]); len(sub) == 3 {
					ids[0] += "." + sub
				}
			}
			if len(ids) == 0 {
				if t, ok := kustorule.TechniqueByName(rd.cat, kustorule.PlainText(row[techCol])); ok {
					ids = []string{t.ID}
				}
			}
			for _, id := range ids {
				*techniques = append(*techniques, kustorule.Ref{Value: id, Line: line})
			}
		}
		if tacticCol >= 0 && tacticCol < len(row) {
			name := kustorule.PlainText(row[tacticCol])
			if id, _, ok := strings.Cut(name, " - "); ok && strings.HasPrefix(id, "TA") {
				name = id
			}
			if _, ok := rd.cat.Tactic(name); ok {
				*tactics = append(*tactics, kustorule.Ref{Value: name, Line: line})
			}
		}
	}
}

// prose returns the paragraphs of blocks joined by blank lines. A paragraph
// made only of // comment lines (a query header pasted as text) is read as
// a comment header: its author and references are returned, its prose kept.
func (rd *reading) prose(blocks []*kustorule.Block) (text, author string, refs []string) {
	var parts []string
	for _, b := range blocks {
		if b.Kind != kustorule.Paragraph || rd.md.IsBlockLabel(b) {
			continue
		}
		lines := kustorule.SplitLines(b.Text)
		comments := true
		for _, l := range lines {
			if !strings.HasPrefix(strings.TrimSpace(l), "//") {
				comments = false
			}
		}
		if !comments {
			parts = append(parts, strings.TrimSpace(b.Text))
			continue
		}
		for i, l := range lines {
			lines[i] = strings.TrimPrefix(strings.TrimSpace(strings.TrimSpace(l)[2:]), " ")
		}
		h := kustorule.ParseHeader(lines, b.Line)
		if author == "" {
			author = h.Author
		}
		refs = kustorule.AppendUnique(refs, h.References...)
		if desc := h.Description(); desc != "" {
			parts = append(parts, desc)
		}
	}
	return strings.Join(parts, "\n\n"), author, refs
}
