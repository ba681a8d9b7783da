package tables

import (
	"errors"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/detwiki/detwiki/internal/engine"
	"github.com/detwiki/detwiki/internal/events"
	"github.com/detwiki/detwiki/internal/schema"
	"github.com/detwiki/detwiki/internal/source"
)

// rawBlock is one events block seen as a chunk of string columns named as
// derivations name them (system properties canonically, event data by
// name), plus the pseudo-columns _EventDataXml, _EventData and _Title.
type rawBlock struct {
	win    *events.WinView
	n      int
	names  []string
	cols   map[string]*engine.Column
	once   sync.Once
	pseudo map[string]*engine.Column
}

func newRawBlock(b *events.Block) *rawBlock {
	w := events.Windows(b)
	rb := &rawBlock{win: w, n: b.Len, cols: map[string]*engine.Column{}}
	add := func(name string, f *events.Field) {
		if f == nil || rb.cols[name] != nil {
			return
		}
		dict := make([]string, len(f.Dict))
		for i, v := range f.Dict {
			dict[i] = v.Text
		}
		rb.cols[name] = engine.DictColumn(dict, f.Codes)
		rb.names = append(rb.names, name)
	}
	for _, s := range events.SysFields() {
		add(s.Name(), w.System(s))
	}
	for _, d := range w.DataFields() {
		add(d.Name, d.Field)
	}
	return rb
}

// latest returns the block's latest event time.
func (rb *rawBlock) latest() (int64, bool) {
	c := rb.cols["TimeCreated"]
	if c == nil {
		return 0, false
	}
	best, ok := int64(0), false
	for _, s := range c.Dict {
		if t, good := engine.ParseDateTime(s); good && (!ok || t > best) {
			best, ok = t, true
		}
	}
	return best, ok
}

// pseudoColumns builds _EventDataXml, _EventData and _Title once.
func (rb *rawBlock) pseudoColumns() map[string]*engine.Column {
	rb.once.Do(func() {
		xml := make([]string, rb.n)
		bags := make([]any, rb.n)
		titles := make([]string, rb.n)
		data := rb.win.DataFields()
		cat := schema.Events()
		chans := rb.win.System(events.SysChannel)
		ids := rb.win.System(events.SysEventID)
		var sb strings.Builder
		for r := 0; r < rb.n; r++ {
			sb.Reset()
			sb.WriteString(`<EventData xmlns="http://schemas.microsoft.com/win/2004/08/events/event">`)
			bag := &engine.Bag{}
			for _, d := range data {
				v := d.Field.Value(r)
				if v.IsNull() {
					continue
				}
				sb.WriteString(`<Data Name="`)
				xmlEscape(&sb, d.Name)
				sb.WriteString(`">`)
				xmlEscape(&sb, v.Text)
				sb.WriteString(`</Data>`)
				bag.Set(d.Name, v.Text)
			}
			sb.WriteString(`</EventData>`)
			xml[r] = sb.String()
			bags[r] = bag
			provider := providerOfChannel(chans.Text(r))
			titles[r] = cat.Title(provider, ids.Text(r))
		}
		rb.pseudo = map[string]*engine.Column{
			"_EventDataXml": {T: engine.TypeString, N: rb.n, S: xml},
			"_EventData":    {T: engine.TypeDynamic, N: rb.n, D: bags},
			"_Title":        {T: engine.TypeString, N: rb.n, S: titles},
		}
	})
	return rb.pseudo
}

var channelProvider sync.Map

func providerOfChannel(ch string) string {
	if v, ok := channelProvider.Load(ch); ok {
		return v.(string)
	}
	name := ""
	for _, p := range schema.Events().Providers {
		for _, c := range p.Channels {
			if strings.EqualFold(c, ch) {
				name = p.Name
			}
		}
	}
	channelProvider.Store(ch, name)
	return name
}

func xmlEscape(sb *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '<':
			sb.WriteString("&lt;")
		case '>':
			sb.WriteString("&gt;")
		case '&':
			sb.WriteString("&amp;")
		case '"':
			sb.WriteString("&quot;")
		default:
			sb.WriteByte(c)
		}
	}
}

// Table is an adapted table: the rows of each raw block its route selects,
// with columns derived on first use.
type Table struct {
	def    *Def
	schema engine.Schema
	raw    engine.Schema // the raw columns derivations read
	derive []engine.Expr // per column; nil: unfilled
	parts  []*part
	mu     sync.Mutex
}

type part struct {
	rb    *rawBlock
	chunk *engine.Chunk // raw columns in t.raw order
	sel   []int32
	cols  []*engine.Column
	once  []sync.Once
}

// rawSchema lists every raw column name as a string column (and the pseudo
// columns), so derivations of fields a dataset lacks compile and give "".
func (c *Catalog) rawSchema(d *Def) engine.Schema {
	set := map[string]bool{}
	for n := range c.names {
		set[n] = true
	}
	for _, s := range events.SysFields() {
		set[s.Name()] = true
	}
	// every identifier a derivation might read: columns of the table's own
	// schema and the fields the derivations name
	for _, col := range d.schema {
		set[col.Name] = true
	}
	for _, expr := range d.Derive {
		for _, w := range identifiers(expr) {
			set[w] = true
		}
	}
	for _, expr := range d.Actions {
		for _, w := range identifiers(expr) {
			set[w] = true
		}
	}
	for _, w := range []string{"UtcTime", "Hashes", "Image", "SourceImage", "User", "SourceUser", "ProcessId", "SourceProcessId"} {
		set[w] = true
	}
	delete(set, "_EventDataXml")
	delete(set, "_EventData")
	delete(set, "_Title")
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	s := make(engine.Schema, 0, len(names)+3)
	for _, n := range names {
		s = append(s, engine.ColumnDef{Name: n, Type: engine.TypeString})
	}
	s = append(s,
		engine.ColumnDef{Name: "_EventDataXml", Type: engine.TypeString},
		engine.ColumnDef{Name: "_EventData", Type: engine.TypeDynamic},
		engine.ColumnDef{Name: "_Title", Type: engine.TypeString})
	return s
}

// identifiers returns the words of an expression that look like names.
func identifiers(expr string) []string {
	var out []string
	inStr := byte(0)
	start := -1
	for i := 0; i <= len(expr); i++ {
		var ch byte
		if i < len(expr) {
			ch = expr[i]
		}
		if inStr != 0 {
			if ch == '\\' && i+1 < len(expr) && inStr == '"' {
				i++
				continue
			}
			if ch == inStr {
				inStr = 0
			}
			continue
		}
		isWord := ch == '_' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' && start >= 0
		if isWord {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			w := expr[start:i]
			if !(i < len(expr) && expr[i] == '(') {
				out = append(out, w)
			}
			start = -1
		}
		if ch == '"' || ch == '\'' {
			inStr = ch
		}
	}
	return out
}

// build makes the adapted table over the catalog's blocks.
func (c *Catalog) build(d *Def) (*Table, error) {
	t := &Table{def: d, schema: d.schema.Clone(), raw: c.rawSchema(d)}
	now := time.Now()
	pred, action := d.route()
	predExpr, diags := engine.CompileScalar(pred, t.raw, now)
	if diags != nil {
		return nil, diagsErr(diags)
	}
	t.derive = make([]engine.Expr, len(t.schema))
	for i, col := range t.schema {
		text, ok := d.Derive[col.Name]
		switch {
		case col.Name == "ActionType" && action != "":
			text = action
		case col.Name == "Type":
			text = engineQuote(d.Name)
		case !ok && c.names[col.Name]:
			text = col.Name
		case !ok:
			t.schema[i].Unfilled = true
			continue
		}
		e, diags := engine.CompileScalar(text, t.raw, now)
		if diags != nil {
			return nil, diagsErr(diags)
		}
		if e.Type() != col.Type {
			e = engine.ConvertExpr(e, col.Type)
		}
		t.derive[i] = e
	}
	for _, rb := range c.blocks {
		ch := &engine.Chunk{N: rb.n, Cols: make([]*engine.Column, len(t.raw))}
		for j, col := range t.raw {
			ch.Cols[j] = rb.cols[col.Name]
		}
		res, err := engine.EvalScalar(predExpr, ch)
		if err != nil {
			return nil, err
		}
		sel := engine.SelectTrue(res, rb.n)
		if len(sel) == 0 {
			continue
		}
		t.parts = append(t.parts, &part{rb: rb, chunk: ch, sel: sel, cols: make([]*engine.Column, len(t.schema)), once: make([]sync.Once, len(t.schema))})
	}
	return t, nil
}

func diagsErr(d source.Diagnostics) error {
	var msgs []string
	for _, x := range d {
		msgs = append(msgs, x.Message)
	}
	return errors.New(strings.Join(msgs, "; "))
}

// Name returns the table name.
func (t *Table) Name() string { return t.def.Name }

// Schema returns the table's columns; Unfilled marks those no derivation
// or event field fills.
func (t *Table) Schema() engine.Schema { return t.schema }

// Rows returns the number of rows.
func (t *Table) Rows() int {
	n := 0
	for _, p := range t.parts {
		n += len(p.sel)
	}
	return n
}

// Scan derives the needed columns of every part (once each) and returns
// the chunks.
func (t *Table) Scan(need []bool) ([]*engine.Chunk, error) {
	out := make([]*engine.Chunk, 0, len(t.parts))
	for _, p := range t.parts {
		ch := &engine.Chunk{N: len(p.sel), Cols: make([]*engine.Column, len(t.schema))}
		for i := range t.schema {
			if i < len(need) && !need[i] || t.derive[i] == nil {
				continue
			}
			var err error
			p.once[i].Do(func() {
				raw := p.chunk
				if usesPseudo(t.derive[i]) {
					raw = withPseudo(p, t.raw)
				}
				var col *engine.Column
				col, err = engine.EvalScalar(t.derive[i], raw)
				if err == nil {
					p.cols[i] = col.Gather(p.sel)
				}
			})
			if err != nil {
				return nil, err
			}
			ch.Cols[i] = p.cols[i]
		}
		out = append(out, ch)
	}
	return out, nil
}

func usesPseudo(e engine.Expr) bool { return engine.ReadsColumnPrefix(e, "_") }

// withPseudo returns the part's raw chunk with the pseudo columns filled.
func withPseudo(p *part, raw engine.Schema) *engine.Chunk {
	ps := p.rb.pseudoColumns()
	ch := &engine.Chunk{N: p.chunk.N, Cols: append([]*engine.Column(nil), p.chunk.Cols...)}
	for j, col := range raw {
		if c, ok := ps[col.Name]; ok {
			ch.Cols[j] = c
		}
	}
	return ch
}
