// Package falconfriday reads FalconFriday detections: the markdown files of
// FalconForce's FalconFriday repository. Three layouts are read:
//
//   - the detection layout (0xFF-NNNN-*.md): "## Metadata" (ID, OS, FP
//     rate), an ATT&CK table, a "Utilized Data Sources" table, prose
//     sections, "## Detection" (language, platform, the query in a code
//     block tagged C#, kql or nothing) and a version history table;
//   - the older hunts layout (hunts/*.md): "## Hunt Tags" (ID, last
//     modified, author, references), ATT&CK tactic and technique by name,
//     "## Hunt details" with one or more query blocks, each its own rule;
//   - "This detection has been replaced by [...]" stubs, read as deprecated
//     rules that link to their replacement.
package falconfriday

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
const Format = "falconfriday"

// Reader reads FalconFriday markdown.
type Reader struct{}

// New returns the FalconFriday reader.
func New() formats.Reader { return Reader{} }

// Format implements formats.Reader.
func (Reader) Format() string { return Format }

// Language implements formats.Reader.
func (Reader) Language() string { return rule.LangKusto }

const replacedPrefix = "This detection has been replaced by"

// Detect takes markdown files (.md or no extension) with the headings only
// FalconFriday uses ("## Metadata" with a 0xFF ID, "## Hunt Tags", "##
// Detection Blind Spots") and "replaced by" stubs.
func (Reader) Detect(f *formats.File) bool {
	switch kustorule.Ext(f.Base()) {
	case "md", "markdown", "":
	default:
		return false
	}
	head := kustorule.Head(f.Data, 64<<10)
	head = bytes.TrimPrefix(head, []byte{0xEF, 0xBB, 0xBF})
	if bytes.HasPrefix(bytes.TrimSpace(head), []byte(replacedPrefix)) {
		return true
	}
	return bytes.Contains(head, []byte("## Metadata")) && bytes.Contains(head, []byte("**ID:** 0xFF")) ||
		bytes.Contains(head, []byte("\n## Hunt Tags")) || bytes.Contains(head, []byte("\n## Detection Blind Spots"))
}

// Read implements formats.Reader.
func (r Reader) Read(f *formats.File, env *formats.Env) []*rule.Document {
	text, diags, ok := kustorule.Decode(f.Path, f.Data)
	if !ok {
		return kustorule.Unreadable(r, f, diags)
	}
	d := kustorule.NewDocument(r, f, text, 1)
	for _, x := range diags {
		d.Diagnose(x)
	}
	if t := strings.TrimSpace(text); strings.HasPrefix(t, replacedPrefix) {
		replaced(d, f, t)
		return []*rule.Document{d}
	}
	rd := &reading{r: r, f: f, d: d, md: kustorule.ParseMarkdown(text), cat: kustorule.Catalog(env)}
	return rd.read()
}

// replaced reads a "This detection has been replaced by [name](file)" stub.
func replaced(d *rule.Document, f *formats.File, text string) {
	d.Deprecated = true
	rest := strings.TrimSpace(strings.TrimPrefix(text, replacedPrefix))
	title, target := "", ""
	if i := strings.IndexByte(rest, '['); i >= 0 {
		if j := strings.Index(rest[i:], "]("); j > 0 {
			title = rest[i+1 : i+j]
			if k := strings.IndexByte(rest[i+j:], ')'); k > 0 {
				target = rest[i+j+2 : i+j+k]
			}
		}
	}
	if target == "" {
		target = title
	}
	where := title
	if target != "" && !strings.Contains(target, "://") {
		p := path.Join(path.Dir(f.Path), target)
		d.Links = append(d.Links, rule.Link{Kind: "replaced_by", Target: rule.MakeID(rule.LangKusto, p, ""), Title: title})
	} else if target != "" {
		d.Links = append(d.Links, rule.Link{Kind: "replaced_by", Target: target, Title: title})
	}
	if where == "" {
		where = "another detection"
	}
	d.Description = text
	kustorule.SetExtra(d, "id", kustorule.Stem(f.Base()))
	d.Diagnose(source.Diagnostic{Code: kustorule.CodeReplaced, Severity: source.Warning, Line: 1, Col: 1,
		Message: "the detection was replaced by " + where + "; this file is a stub without a query"})
}

// reading is the state of reading one file.
type reading struct {
	r   Reader
	f   *formats.File
	d   *rule.Document
	md  *kustorule.Markdown
	cat *attack.Catalog
	// blocks are the query blocks found, in order, and whether the file has
	// the detection layout (one rule, extra blocks are variants).
	blocks    []*kustorule.Block
	detection bool
	hunt      bool
}

// structured sections are read into fields, not shown as prose.
var structured = map[string]bool{"metadata": true, "att&ck tags": true, "utilized data sources": true,
	"utilized data source": true, "detection": true, "hunt details": true, "version history": true,
	"hunt tags": true, "references": true, "false positives": true}

// descriptionSections name the section that becomes the description, best first.
var descriptionSections = []string{"detection description", "description of the hunt", "technical description of the attack", "description of the attack"}

func (rd *reading) read() []*rule.Document {
	d, md := rd.d, rd.md
	for _, b := range md.Blocks {
		if b.Kind == kustorule.Heading && b.Level == 1 {
			d.Title = kustorule.PlainText(b.Text)
			break
		}
	}
	sections := md.Sections(2)
	descFrom := ""
	for _, want := range descriptionSections {
		for _, s := range sections {
			if strings.EqualFold(s.Title(), want) && !kustorule.IsNone(md.Body(s)) {
				d.Description = md.Body(s)
				descFrom = s.Title()
				break
			}
		}
		if descFrom != "" {
			break
		}
	}
	for _, s := range sections {
		title := strings.ToLower(strings.TrimSpace(s.Title()))
		switch title {
		case "metadata":
			rd.metadata(s)
		case "hunt tags":
			rd.huntTags(s)
			rd.hunt = true
		case "att&ck tags":
			rd.attackTags(s)
		case "utilized data sources", "utilized data source":
			rd.dataSources(s)
		case "detection":
			rd.detection = true
			rd.detectionFields(s)
		case "hunt details":
			rd.hunt = true
			rd.detectionFields(s)
		case "version history":
			rd.versionHistory(s)
		case "references":
			for _, it := range kustorule.ListItems(md.Body(s)) {
				if urls := kustorule.URLs(it); len(urls) > 0 {
					d.References = kustorule.AppendUnique(d.References, urls...)
				} else if !kustorule.IsNone(it) {
					d.References = kustorule.AppendUnique(d.References, it)
				}
			}
		case "false positives":
			for _, it := range kustorule.ListItems(md.Body(s)) {
				if !kustorule.IsNone(it) {
					d.FalsePositives = append(d.FalsePositives, it)
				}
			}
		}
		if s.Heading != nil && !structured[title] && s.Title() != descFrom {
			if body := md.Body(s); !kustorule.IsNone(body) && !onlyCode(s) {
				d.Sections = append(d.Sections, rule.Section{Title: s.Title(), Text: body})
			}
		}
		for _, b := range s.Blocks {
			if b.Kind == kustorule.Code && isQueryBlock(b) {
				rd.blocks = append(rd.blocks, b)
			}
		}
	}
	if d.Author == "" {
		d.Author = "FalconForce"
	}
	if rd.hunt || strings.HasPrefix(rd.f.Path, "hunts/") || strings.Contains(rd.f.Path, "/hunts/") {
		d.Kind = "hunting"
	}
	rd.platformsFromName()
	return rd.rules()
}

// onlyCode reports whether a section holds nothing but code and fields.
func onlyCode(s *kustorule.Section) bool {
	for _, b := range s.Blocks {
		if b.Kind == kustorule.Paragraph || b.Kind == kustorule.Table {
			return false
		}
	}
	return true
}

// isQueryBlock reports whether a code block holds a KQL query: tagged C#,
// kql, kusto or nothing, and parseable as KQL.
func isQueryBlock(b *kustorule.Block) bool {
	switch b.Lang() {
	case "c#", "csharp", "cs", "kql", "kusto", "":
	default:
		return false
	}
	return strings.TrimSpace(b.Text) != "" && kustorule.Parseable(b.Text)
}

// rules turns the query blocks into rules: the detection layout has one
// rule (further queries are variants); a hunt has one rule per query (a
// block holding several queries separated by blank lines gives several).
func (rd *reading) rules() []*rule.Document {
	d := rd.d
	if len(rd.blocks) == 0 {
		d.Diagnose(source.Diagnostic{Code: kustorule.CodeNoQueryBlock, Severity: source.Error, Line: 1, Col: 1,
			Message: "no KQL query block found in the markdown"})
		return []*rule.Document{d}
	}
	var pieces []kustorule.Piece
	for _, b := range rd.blocks {
		pieces = append(pieces, kustorule.BlockPieces(b)...)
	}
	pieces = kustorule.CapPieces(d, pieces)
	if rd.detection || len(pieces) == 1 {
		rd.setQuery(d, pieces[0])
		for i, p := range pieces[1:] {
			name := p.Title()
			if name == "" {
				name = kustorule.BlockLabel(rd.md, p.Block)
			}
			if name == "" || strings.EqualFold(name, "query") {
				name = "Variant " + strconv.Itoa(i+2)
			}
			d.Variants = append(d.Variants, rule.Variant{Name: name, QueryLanguage: kustorule.QueryLanguage, Query: p.Query})
		}
		kustorule.ParseQuery(d)
		return []*rule.Document{d}
	}
	var out []*rule.Document
	for i, p := range pieces {
		doc := kustorule.Clone(d)
		if i > 0 {
			doc.ID = rule.MakeID(rule.LangKusto, rd.f.Path, strconv.Itoa(i+1))
		}
		label := p.Title()
		if label == "" {
			label = kustorule.BlockLabel(rd.md, p.Block)
		}
		if label != "" && !strings.EqualFold(label, "query") {
			doc.Title = d.Title + ": " + label
		} else {
			doc.Title = d.Title + " (" + strconv.Itoa(i+1) + ")"
		}
		if desc := p.Description(); desc != "" {
			doc.Description = strings.TrimSpace(doc.Description + "\n\n" + desc)
		}
		rd.setQuery(doc, p)
		kustorule.ParseQuery(doc)
		out = append(out, doc)
	}
	return out
}

func (rd *reading) setQuery(d *rule.Document, p kustorule.Piece) {
	b := p.Block
	d.Query = p.Query
	d.QueryOrigin = p.Origin
	if !b.Closed {
		d.Diagnose(source.Diagnostic{Code: kustorule.CodeUnclosedFence, Severity: source.Warning, Line: b.Line, Col: b.Indent + 1,
			Message: "code block is never closed; it runs to the end of the file"})
	}
	// Technique ids in the query's comments count too (hunts cite them).
	refs := kustorule.TechniqueRefs(commentText(p.Query))
	if p.Header != nil {
		refs = kustorule.AppendUnique(refs, p.Header.Techniques...)
		d.References = kustorule.AppendUnique(d.References, p.Header.References...)
	}
	kustorule.MapAttack(d, rd.cat, refs, nil, b.Line)
}

// commentText returns the // comment lines of a query.
func commentText(q string) string {
	var b strings.Builder
	for _, l := range kustorule.SplitLines(q) {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "//") {
			b.WriteString(t)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
