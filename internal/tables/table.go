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
	win   *events.WinView
	n     int
	names []string
	cols  map[string]*engine.Column
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

// pseudoColumn builds the pseudo-column name (_EventDataXml,
// _EventDataItemXml, _EventData, _Title or _Time) for the rows rows of the
// block; nil for another name.
func (rb *rawBlock) pseudoColumn(name string, rows []int32, off *clockOffsets) *engine.Column {
	data := rb.win.DataFields()
	n := len(rows)
	switch name {
	case "_EventDataXml", "_EventDataItemXml":
		xml := make([]string, n)
		var times []int64
		item := name == "_EventDataItemXml"
		if item {
			times = rb.eventTimes(rows, off)
		}
		var buf []byte // reused: one allocation per row, the string
		for i, r := range rows {
			buf = buf[:0]
			if item {
				// the Event table wraps the event data as the Log Analytics
				// agent sends it
				buf = append(buf, `<DataItem type="System.XmlData" time="`...)
				if times[i] != noTime {
					buf = engine.TicksToTime(times[i]).AppendFormat(buf, "2006-01-02T15:04:05.0000000Z07:00")
				}
				buf = append(buf, `">`...)
			}
			buf = append(buf, `<EventData xmlns="http://schemas.microsoft.com/win/2004/08/events/event">`...)
			for _, d := range data {
				v := d.Field.Value(int(r))
				if v.IsNull() {
					continue
				}
				buf = append(buf, `<Data Name="`...)
				buf = xmlEscape(buf, d.Name)
				buf = append(buf, `">`...)
				buf = xmlEscape(buf, v.Text)
				buf = append(buf, `</Data>`...)
			}
			buf = append(buf, `</EventData>`...)
			if item {
				buf = append(buf, `</DataItem>`...)
			}
			xml[i] = string(buf)
		}
		return &engine.Column{T: engine.TypeString, N: n, S: xml}
	case "_EventData":
		bags := make([]any, n)
		for i, r := range rows {
			bag := &engine.Bag{}
			for _, d := range data {
				if v := d.Field.Value(int(r)); !v.IsNull() {
					bag.Set(d.Name, v.Text)
				}
			}
			bags[i] = bag
		}
		return &engine.Column{T: engine.TypeDynamic, N: n, D: bags}
	case "_Title":
		titles := make([]string, n)
		for i, r := range rows {
			titles[i] = rb.title(int(r))
		}
		return (&engine.Column{T: engine.TypeString, N: n, S: titles}).Compact()
	case "_Time":
		return rb.timeColumn(rows, off)
	}
	return nil
}

// title returns the event's title as Sentinel's Activity shows it after
// "<EventID> - ": the first line of the rendered message when the event has
// one (Windows renders the title there: "A new process has been
// created."), else the title of the schema's event table with a final
// period, else "".
func (rb *rawBlock) title(r int) string {
	if msg := rb.win.System(events.SysMessage); msg != nil {
		line := msg.Text(r)
		if i := strings.IndexAny(line, "\r\n"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if strings.HasSuffix(line, ".") && len(line) < 200 && !strings.ContainsAny(line, "\t:") {
			return line
		}
	}
	chans := rb.win.System(events.SysChannel)
	ids := rb.win.System(events.SysEventID)
	if chans == nil || ids == nil {
		return ""
	}
	t := schema.Events().Title(providerOfChannel(chans.Text(r)), ids.Text(r))
	if t != "" && !strings.HasSuffix(t, ".") {
		t += "."
	}
	return t
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

// xmlEscape appends s with XML's special characters escaped.
func xmlEscape(b []byte, s string) []byte {
	for {
		i := strings.IndexAny(s, `<>&"`)
		if i < 0 {
			return append(b, s...)
		}
		b = append(b, s[:i]...)
		switch s[i] {
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '&':
			b = append(b, "&amp;"...)
		case '"':
			b = append(b, "&quot;"...)
		}
		s = s[i+1:]
	}
}

// Table is an adapted table: the rows of each raw block its route selects,
// with columns derived on first use.
type Table struct {
	def    *Def
	schema engine.Schema
	raw    engine.Schema // the raw columns derivations read
	derive []engine.Expr // per column; nil: unfilled
	reads  [][]int       // per column: the raw columns its derivation reads
	parts  []*part
}

// part is the rows of one raw block a table's route selects. Raw columns
// are gathered to those rows and derived columns computed from them, each
// once, on first use.
type part struct {
	rb  *rawBlock
	sel []int32
	mu  sync.Mutex
	raw map[string]*engine.Column // raw and pseudo-columns of the selected rows
	// clock gives the hosts' clock offsets (_Time)
	clock *clockOffsets
	// procs indexes the process creations (_Init_*, _Parent_*)
	procs processIndex
	cols  []*engine.Column
	once  []sync.Once
	// noDash: a Defender table, whose Sysmon fields say "-" for no value
	// (DestinationHostname, Company, User, ...) where Defender leaves the
	// column empty
	noDash bool
}

// rawColumn returns the raw (or pseudo-) column name over the part's rows;
// nil when the block has no such field.
func (p *part) rawColumn(name string) *engine.Column {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.raw[name]; ok {
		return c
	}
	var c *engine.Column
	if strings.HasPrefix(name, "_Init_") || strings.HasPrefix(name, "_Parent_") {
		c = p.rb.processColumn(name, p.sel, p.procs)
		if p.noDash {
			c = blankDash(c)
		}
	} else if strings.HasPrefix(name, "_") {
		c = p.rb.pseudoColumn(name, p.sel, p.clock)
	} else if src := p.rb.cols[name]; src != nil {
		c = src.Gather(p.sel).Compact()
		if p.noDash {
			c = blankDash(c)
		}
	}
	p.raw[name] = c
	return c
}

// blankDash returns string column c with the values "-" made empty, c
// itself when it has none.
func blankDash(c *engine.Column) *engine.Column {
	if c == nil || c.T != engine.TypeString {
		return c
	}
	// swap returns a copy of vals with "-" made empty, nil when none is
	swap := func(vals []string) []string {
		var out []string
		for i, v := range vals {
			if v == "-" {
				if out == nil {
					out = append([]string(nil), vals...)
				}
				out[i] = ""
			}
		}
		return out
	}
	switch {
	case c.Const != nil:
		if c.Const.S == "-" {
			return engine.ConstColumn(engine.String(""), c.N)
		}
	case c.Codes != nil:
		if d := swap(c.Dict); d != nil {
			return &engine.Column{T: c.T, N: c.N, Dict: d, Codes: c.Codes}
		}
	case c.S != nil:
		if v := swap(c.S); v != nil {
			return &engine.Column{T: c.T, N: c.N, S: v, Null: c.Null}
		}
	}
	return c
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
	delete(set, "_EventDataItemXml")
	delete(set, "_EventData")
	delete(set, "_Title")
	delete(set, "_Time")
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	s := make(engine.Schema, 0, len(names)+5)
	for _, n := range names {
		s = append(s, engine.ColumnDef{Name: n, Type: engine.TypeString})
	}
	s = append(s,
		engine.ColumnDef{Name: "_EventDataXml", Type: engine.TypeString},
		engine.ColumnDef{Name: "_EventDataItemXml", Type: engine.TypeString},
		engine.ColumnDef{Name: "_EventData", Type: engine.TypeDynamic},
		engine.ColumnDef{Name: "_Title", Type: engine.TypeString},
		engine.ColumnDef{Name: "_Time", Type: engine.TypeDateTime})
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
	t.reads = make([][]int, len(t.schema))
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
		t.reads[i] = engine.ColumnIndexes(e)
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
		t.parts = append(t.parts, &part{rb: rb, sel: sel, clock: c.clock(), procs: c.processes(), raw: map[string]*engine.Column{}, cols: make([]*engine.Column, len(t.schema)), once: make([]sync.Once, len(t.schema)), noDash: d.Provider != ""})
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
				raw := &engine.Chunk{N: len(p.sel), Cols: make([]*engine.Column, len(t.raw))}
				for _, j := range t.reads[i] {
					raw.Cols[j] = p.rawColumn(t.raw[j].Name)
				}
				var col *engine.Column
				col, err = engine.EvalScalar(t.derive[i], raw)
				if err == nil {
					p.cols[i] = col.Compact()
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
