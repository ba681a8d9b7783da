// Package defendermd reads the Microsoft 365 Defender hunting queries
// (microsoft/Microsoft-365-Defender-Hunting-Queries): markdown files with a
// title, prose, a "## Query" section holding the query block (or, in a few
// files, the query as plain lines), a "## Category" table where a "v" marks
// the tactics and states the query covers, and contributor info; and the
// repository's plain-KQL .txt files (and extensionless ones), whose leading
// `//` comments describe the query.
//
// A markdown file with several query blocks is one rule whose first block is
// the query and whose other blocks are variants (the repository uses them
// for a generic and a specific version of one hunt). A text file with
// several queries separated by blank lines gives one rule per query.
package defendermd

import (
	"bytes"
	"path"
	"strconv"
	"strings"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/kustorule"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// Format is the reader's name.
const Format = "defender-markdown"

// Reader reads Defender hunting-query markdown and text.
type Reader struct{}

// New returns the Defender hunting-query reader.
func New() formats.Reader { return Reader{} }

// Format implements formats.Reader.
func (Reader) Format() string { return Format }

// Language implements formats.Reader.
func (Reader) Language() string { return rule.LangKusto }

// Detect takes markdown with the Defender hunting-query layout (a "## Query"
// section with a "## Category" table or contributor info, or the "Covered?
// (v=yes)" table) and .txt or extensionless text that looks like KQL.
func (Reader) Detect(f *formats.File) bool {
	head := kustorule.Head(f.Data, 64<<10)
	switch kustorule.Ext(f.Base()) {
	case "md", "markdown":
		if bytes.Contains(head, []byte("(v=yes)")) {
			return true
		}
		return bytes.Contains(head, []byte("## Query")) &&
			(bytes.Contains(head, []byte("## Category")) || bytes.Contains(head, []byte("## Contributor")))
	case "txt", "":
		return formats.IsText(head) && kustorule.LooksLikeKQL(string(head))
	}
	return false
}

// Read implements formats.Reader.
func (r Reader) Read(f *formats.File, env *formats.Env) []*rule.Document {
	text, diags, ok := kustorule.Decode(f.Path, f.Data)
	if !ok {
		return kustorule.Unreadable(r, f, diags)
	}
	switch kustorule.Ext(f.Base()) {
	case "md", "markdown":
	default:
		return kustorule.ReadKQLText(r, f, text, diags, env, kustorule.TitleFromFileName)
	}
	d := kustorule.NewDocument(r, f, text, 1)
	for _, x := range diags {
		d.Diagnose(x)
	}
	rd := &reading{f: f, d: d, md: kustorule.ParseMarkdown(text), cat: kustorule.Catalog(env)}
	return rd.read()
}

type reading struct {
	f   *formats.File
	d   *rule.Document
	md  *kustorule.Markdown
	cat *attack.Catalog
}

// coveredMarks are the cell values that mark a category as covered.
var coveredMarks = map[string]bool{"v": true, "x": true, "yes": true, "y": true, "✓": true, "✔": true, "✅": true}

func (rd *reading) read() []*rule.Document {
	d, md := rd.d, rd.md
	d.Kind = "hunting"
	for _, b := range md.Blocks {
		if b.Kind == kustorule.Heading && b.Level == 1 {
			d.Title = kustorule.PlainText(b.Text)
			break
		}
	}
	var desc []string
	var blocks []*kustorule.Block
	var querySection *kustorule.Section
	for _, s := range md.Sections(2) {
		title := strings.ToLower(strings.TrimSpace(s.Title()))
		switch {
		case s.Heading == nil || s.Heading.Level == 1:
			if p := proseOf(md, s.Blocks, nil); p != "" {
				desc = append(desc, p)
			}
		case title == "query" || title == "queries":
			querySection = s
			if p := proseOf(md, s.Blocks, firstCode(s.Blocks)); p != "" {
				desc = append(desc, p)
			}
		case title == "category":
			rd.category(s)
		case strings.HasPrefix(title, "contributor"):
			rd.contributor(s)
		case title == "see also":
			rd.seeAlso(s)
		default:
			if body := md.Body(s); !kustorule.IsNone(body) {
				d.Sections = append(d.Sections, rule.Section{Title: s.Title(), Text: body})
			}
		}
		for _, b := range s.Blocks {
			if b.Kind == kustorule.Code && isQueryBlock(b) {
				blocks = append(blocks, b)
			}
		}
	}
	d.Description = strings.Join(desc, "\n\n")
	d.References = kustorule.AppendUnique(d.References, kustorule.URLs(d.Description)...)
	for _, s := range d.Sections {
		d.References = kustorule.AppendUnique(d.References, kustorule.URLs(s.Text)...)
	}
	var pieces []kustorule.Piece
	split := false
	for _, b := range blocks {
		ps := kustorule.BlockPieces(b)
		split = split || len(ps) > 1
		pieces = append(pieces, ps...)
	}
	pieces = kustorule.CapPieces(d, pieces)
	if len(pieces) == 0 && querySection != nil {
		rd.plainQuery(querySection)
	}
	if len(pieces) == 0 && d.Query == "" {
		d.Diagnose(source.Diagnostic{Code: kustorule.CodeNoQueryBlock, Severity: source.Error, Line: 1, Col: 1,
			Message: "no KQL query found in the markdown"})
	}
	if !split {
		// One query, or one hunt in several versions: the first block is
		// the query, the others its variants.
		if len(pieces) > 0 {
			rd.setQuery(d, pieces[0])
		}
		for i, p := range pieces[min(1, len(pieces)):] {
			name := kustorule.BlockLabel(md, p.Block)
			if name == "" {
				name = "Variant " + strconv.Itoa(i+2)
			}
			d.Variants = append(d.Variants, rule.Variant{Name: name, QueryLanguage: kustorule.QueryLanguage, Query: p.Query})
		}
		rd.finish(d)
		return []*rule.Document{d}
	}
	// A block holding several queries: one rule each.
	var out []*rule.Document
	for i, p := range pieces {
		doc := kustorule.Clone(d)
		if i > 0 {
			doc.ID = rule.MakeID(rule.LangKusto, rd.f.Path, strconv.Itoa(i+1))
		}
		if t := p.Title(); t != "" {
			doc.Title = d.Title + ": " + t
		} else {
			doc.Title = d.Title + " (" + strconv.Itoa(i+1) + ")"
		}
		if desc := p.Description(); desc != "" {
			doc.Description = strings.TrimSpace(doc.Description + "\n\n" + desc)
		}
		rd.setQuery(doc, p)
		if p.Header != nil {
			doc.References = kustorule.AppendUnique(doc.References, p.Header.References...)
		}
		rd.finish(doc)
		out = append(out, doc)
	}
	return out
}

func (rd *reading) setQuery(d *rule.Document, p kustorule.Piece) {
	d.Query, d.QueryOrigin = p.Query, p.Origin
	if b := p.Block; !b.Closed {
		d.Diagnose(source.Diagnostic{Code: kustorule.CodeUnclosedFence, Severity: source.Warning, Line: b.Line, Col: b.Indent + 1,
			Message: "code block is never closed; it runs to the end of the file"})
	}
}

// finish maps the technique ids of the description and of the query's
// comments and parses the query.
func (rd *reading) finish(d *rule.Document) {
	techniques := kustorule.TechniqueRefs(d.Description)
	for _, l := range kustorule.SplitLines(d.Query) {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "//") {
			techniques = kustorule.AppendUnique(techniques, kustorule.TechniqueRefs(t)...)
		}
	}
	kustorule.MapAttack(d, rd.cat, techniques, nil, 0)
	kustorule.ParseQuery(d)
}

// plainQuery takes a query written as plain lines under "## Query" (no
// code fence): the first paragraph that looks like KQL, with the ones that
// follow it directly.
func (rd *reading) plainQuery(s *kustorule.Section) {
	for i, b := range s.Blocks {
		if b.Kind != kustorule.Paragraph || !kustorule.LooksLikeKQL(b.Text) {
			continue
		}
		end := b.EndLine
		for _, n := range s.Blocks[i+1:] {
			if n.Kind != kustorule.Paragraph || !startsLikeKQLContinuation(n.Text) {
				break
			}
			end = n.EndLine
		}
		rd.d.Query = rd.md.Source(b.Line, end)
		rd.d.QueryOrigin = source.Origin{Line: b.Line, Col: 1}
		return
	}
}

func startsLikeKQLContinuation(t string) bool {
	t = strings.TrimSpace(t)
	return strings.HasPrefix(t, "|") || strings.HasPrefix(t, "//")
}

// proseOf returns the paragraphs of blocks before stop (nil: all) as
// written, joined by blank lines.
func proseOf(md *kustorule.Markdown, blocks []*kustorule.Block, stop *kustorule.Block) string {
	var parts []string
	for _, b := range blocks {
		if b == stop {
			break
		}
		if b.Kind == kustorule.Paragraph && !kustorule.LooksLikeKQL(b.Text) && !md.IsBlockLabel(b) {
			parts = append(parts, md.Source(b.Line, b.EndLine))
		}
	}
	return strings.Join(parts, "\n\n")
}

func firstCode(blocks []*kustorule.Block) *kustorule.Block {
	for _, b := range blocks {
		if b.Kind == kustorule.Code {
			return b
		}
	}
	return nil
}

// isQueryBlock reports whether a code block holds KQL: tagged kusto, kql,
// C# or nothing, and parseable.
func isQueryBlock(b *kustorule.Block) bool {
	switch b.Lang() {
	case "", "kusto", "kql", "c#", "csharp", "sql":
	default:
		return false
	}
	return strings.TrimSpace(b.Text) != "" && kustorule.Parseable(b.Text)
}

// category reads the "Technique, tactic, or state | Covered? (v=yes)"
// table: covered tactics go to ATT&CK, covered states (Vulnerability,
// Ransomware, Malware, component, ...) to tags.
func (rd *reading) category(s *kustorule.Section) {
	var tactics []kustorule.Ref
	var covered []string
	for _, b := range s.Blocks {
		if b.Kind != kustorule.Table || len(b.Cells) < 2 {
			continue
		}
		for i, row := range b.Cells[1:] {
			if len(row) < 2 || !coveredMarks[strings.ToLower(kustorule.PlainText(row[1]))] {
				continue
			}
			name := kustorule.PlainText(row[0])
			covered = append(covered, name)
			if _, ok := rd.cat.Tactic(name); ok {
				tactics = append(tactics, kustorule.Ref{Value: name, Line: b.Line + 2 + i})
			} else {
				rd.d.Tags = kustorule.AppendUnique(rd.d.Tags, name)
			}
		}
	}
	if len(covered) > 0 {
		kustorule.SetExtra(rd.d, "category", covered)
	}
	kustorule.MapAttackRefs(rd.d, rd.cat, nil, tactics)
}

// contributor reads "## Contributor info": the contributor is the author;
// alias, organization and contact go to extra.
func (rd *reading) contributor(s *kustorule.Section) {
	info := map[string]string{}
	for _, fl := range kustorule.Fields(s.Blocks) {
		v := kustorule.PlainText(fl.Value)
		if v == "" {
			continue
		}
		key := strings.ToLower(fl.Key)
		if key == "contributor" || key == "contributors" {
			rd.d.Author = v
			continue
		}
		info[strings.Join(strings.Fields(key), "_")] = v
	}
	if len(info) > 0 {
		kustorule.SetExtra(rd.d, "contributor", info)
	}
}

// seeAlso reads "## See also": links to other hunting queries become links
// to their rules, other addresses references.
func (rd *reading) seeAlso(s *kustorule.Section) {
	body := rd.md.Body(s)
	for _, it := range kustorule.ListItems(body) {
		text, target := link(it)
		switch {
		case target == "":
		case strings.Contains(target, "://"):
			rd.d.References = kustorule.AppendUnique(rd.d.References, target)
		default:
			p := path.Join(path.Dir(rd.f.Path), unescape(target))
			rd.d.Links = append(rd.d.Links, rule.Link{Kind: "see_also", Target: rule.MakeID(rule.LangKusto, p, ""), Title: text})
		}
	}
}

// link returns the text and target of the first markdown link in s.
func link(s string) (string, string) {
	i := strings.IndexByte(s, '[')
	if i < 0 {
		return "", ""
	}
	j := strings.Index(s[i:], "](")
	if j < 0 {
		return "", ""
	}
	k := strings.IndexByte(s[i+j:], ')')
	if k < 0 {
		return "", ""
	}
	return s[i+1 : i+j], strings.TrimSpace(s[i+j+2 : i+j+k])
}

func unescape(p string) string {
	return strings.ReplaceAll(p, "%20", " ")
}
