// Package tables presents raw Windows events (package events) as the tables
// Kusto rules read: SecurityEvent, Event, WindowsEvent and the Defender XDR
// tables built from Sysmon (DeviceProcessEvents, DeviceNetworkEvents,
// DeviceEvents, DeviceImageLoadEvents, DeviceRegistryEvents,
// DeviceFileEvents).
//
// The adapters are data (tables.yaml): each table's published column list
// and a KQL expression per derived column, evaluated by package engine over
// the raw event. Which Sysmon events feed which Defender table, and with
// which ActionType, comes from the event-equivalence table of package
// schema; event titles (SecurityEvent's Activity) too.
//
// Columns are derived lazily, once per block and column, when a query
// first reads them (the engine pushes the needed columns down to Scan).
package tables

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/engine"
	"github.com/detwiki/detwiki/internal/events"
	"github.com/detwiki/detwiki/internal/schema"
)

//go:embed tables.yaml
var tablesYAML []byte

// Def is one table adapter as tables.yaml declares it.
type Def struct {
	Name     string            `yaml:"name"`
	Provider string            `yaml:"provider"` // Sysmon: events chosen by the schema's classes
	Channel  string            `yaml:"channel"`  // a channel, !channel for every other one, * for every one
	Columns  string            `yaml:"columns"`
	Derive   map[string]string `yaml:"derive"`
	Actions  map[string]string `yaml:"actions"`

	schema engine.Schema
	// events maps a Sysmon event ID to its ActionType expression
	events map[string]string
}

type file struct {
	Common map[string]string `yaml:"defender_common"`
	Tables []*Def            `yaml:"tables"`
}

var (
	defsOnce sync.Once
	defs     []*Def
	defsErr  error
)

// Defs returns the table adapters.
func Defs() []*Def {
	defsOnce.Do(func() { defs, defsErr = parseDefs(tablesYAML) })
	if defsErr != nil {
		panic("tables: embedded tables.yaml: " + defsErr.Error())
	}
	return defs
}

// Names returns the names of the adapted tables.
func Names() []string {
	var out []string
	for _, d := range Defs() {
		out = append(out, d.Name)
	}
	return out
}

func parseDefs(data []byte) ([]*Def, error) {
	var f file
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	cat := schema.Events()
	for _, d := range f.Tables {
		for _, c := range strings.Split(d.Columns, ",") {
			name, typ, ok := strings.Cut(strings.TrimSpace(c), ":")
			t, ok2 := engine.ParseType(typ)
			if !ok || !ok2 {
				return nil, fmt.Errorf("%s: bad column %q", d.Name, c)
			}
			if d.schema.Index(name) >= 0 {
				return nil, fmt.Errorf("%s: column %s listed twice", d.Name, name)
			}
			d.schema = append(d.schema, engine.ColumnDef{Name: name, Type: t})
		}
		for col := range d.Derive {
			if d.schema.Index(col) < 0 {
				if _, common := f.Common[col]; common {
					delete(d.Derive, col) // a shared derivation of a column this table lacks
					continue
				}
				return nil, fmt.Errorf("%s: derivation of unknown column %s", d.Name, col)
			}
		}
		if d.Provider != "" {
			d.events = map[string]string{}
			for _, cl := range cat.Classes {
				action := ""
				for _, e := range cl.Events {
					if e.Provider == "Defender-"+d.Name && e.Event != "*" && action == "" {
						action = e.Event
					}
				}
				if action == "" {
					continue
				}
				for _, e := range cl.Events {
					if e.Provider == d.Provider && d.events[e.Event] == "" {
						d.events[e.Event] = engineQuote(action)
					}
				}
			}
			for id, expr := range d.Actions {
				d.events[id] = expr
			}
			if len(d.events) == 0 {
				return nil, fmt.Errorf("%s: the event-equivalence table gives no %s event", d.Name, d.Provider)
			}
		}
	}
	return f.Tables, nil
}

func engineQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// Schema returns the table's columns.
func (d *Def) Schema() engine.Schema { return d.schema }

// Events returns the Sysmon event IDs the table is built from, sorted.
func (d *Def) Events() []string {
	var out []string
	for id := range d.events {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) < len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

// route returns the KQL predicate selecting the table's raw events, and the
// ActionType expression.
func (d *Def) route() (pred, action string) {
	switch {
	case d.Provider != "":
		p := schema.Events().Provider(d.Provider)
		var chans []string
		for _, c := range p.Channels {
			chans = append(chans, engineQuote(c))
		}
		var ids []string
		var cases []string
		for _, id := range d.Events() {
			ids = append(ids, engineQuote(id))
			cases = append(cases, "EventID == "+engineQuote(id), d.events[id])
		}
		pred = "Channel in~ (" + strings.Join(chans, ", ") + ") and EventID in (" + strings.Join(ids, ", ") + ")"
		action = "case(" + strings.Join(cases, ", ") + `, "")`
	case d.Channel == "*":
		pred = "isnotempty(Channel)"
	case strings.HasPrefix(d.Channel, "!"):
		pred = "Channel !~ " + engineQuote(d.Channel[1:]) + " and isnotempty(Channel)"
	default:
		pred = "Channel =~ " + engineQuote(d.Channel)
	}
	return pred, action
}

// Catalog holds the adapted tables of a set of events. Add blocks, then
// use it as an engine.Catalog. A Catalog is safe for concurrent queries once
// every block is added.
type Catalog struct {
	blocks  []*rawBlock
	tables  map[string]*Table
	samples clockSamples  // UtcTime - TimeCreated differences per host
	procs   processIndex  // Sysmon process creations by GUID, built on first use
	offsets *clockOffsets // from samples, once every block is added
	latest  int64
	hasTime bool
	mu      sync.Mutex
	names   map[string]bool // raw field names over all blocks
}

// NewCatalog returns an empty catalog: its tables exist and have no rows
// (the corpus check runs every rule over it).
func NewCatalog() *Catalog {
	return &Catalog{tables: map[string]*Table{}, names: map[string]bool{}, samples: clockSamples{}}
}

// Load reads every event file under paths (events.Files) into a catalog.
// A path that does not exist is an error and no catalog. A file that cannot
// be read, or the rest of a file after a bad event, is left out and the
// others are read: Load then returns the catalog of every event read and a
// *LoadError naming each file's problem.
func Load(paths []string) (*Catalog, error) {
	files, err := events.Files(paths)
	if err != nil {
		return nil, err
	}
	c := NewCatalog()
	var skipped []error
	for _, f := range files {
		err := events.ReadFile(f, func(b *events.Block) error {
			c.Add(b)
			return nil
		})
		if err != nil {
			skipped = append(skipped, err)
		}
	}
	if len(skipped) > 0 {
		return c, &LoadError{Files: skipped}
	}
	return c, nil
}

// LoadError lists the event files, or the rests of files, Load left out;
// the catalog it returns with it holds every other event.
type LoadError struct {
	Files []error // one per file, naming it (and the bad event's line)
}

// Error lists the problems one a line.
func (e *LoadError) Error() string {
	msgs := make([]string, len(e.Files))
	for i, f := range e.Files {
		msgs[i] = f.Error()
	}
	return strings.Join(msgs, "\n")
}

// Add adds a block of events.
func (c *Catalog) Add(b *events.Block) {
	rb := newRawBlock(b)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.blocks = append(c.blocks, rb)
	for _, n := range rb.names {
		c.names[n] = true
	}
	rb.sampleClock(c.samples)
	c.offsets = nil
	c.procs = nil
	c.tables = map[string]*Table{} // rebuilt on next use
}

// processes returns the index of process creations; c.mu is held.
func (c *Catalog) processes() processIndex {
	if c.procs == nil {
		c.procs = processIndex{}
		for _, rb := range c.blocks {
			rb.indexProcesses(c.procs)
		}
	}
	return c.procs
}

// clock returns the hosts' clock offsets; c.mu is held.
func (c *Catalog) clock() *clockOffsets {
	if c.offsets == nil {
		c.offsets = c.samples.offsets()
		c.latest, c.hasTime = 0, false
		for _, rb := range c.blocks {
			for _, t := range rb.eventTimes(allRows(rb.n), c.offsets) {
				if t != noTime && (!c.hasTime || t > c.latest) {
					c.latest, c.hasTime = t, true
				}
			}
		}
	}
	return c.offsets
}

// Latest returns the time of the latest event, on the clock of the tables'
// TimeGenerated and Timestamp (see clock.go): the replay time for now().
func (c *Catalog) Latest() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clock()
	if !c.hasTime {
		return time.Time{}, false
	}
	return engine.TicksToTime(c.latest), true
}

// Hosts returns the hosts (Computer) of the events, sorted.
func (c *Catalog) Hosts() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	set := map[string]bool{}
	for _, rb := range c.blocks {
		if col := rb.cols["Computer"]; col != nil {
			for _, h := range col.Dict {
				if h != "" { // the code of events without one
					set[h] = true
				}
			}
		}
	}
	out := make([]string, 0, len(set))
	for h := range set {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// ClockOffset returns the correction added to the TimeCreated of host's
// events (see clock.go).
func (c *Catalog) ClockOffset(host string) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Duration(c.clock().of(host) * 100)
}

// Events returns the number of raw events.
func (c *Catalog) Events() int {
	n := 0
	for _, b := range c.blocks {
		n += b.n
	}
	return n
}

// TableNames returns the names of the adapted tables (for table wildcards:
// union Device*).
func (c *Catalog) TableNames() []string { return Names() }

// Table returns the adapted table named name.
func (c *Catalog) Table(name string) (engine.Table, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.tables[name]; ok {
		return t, true
	}
	for _, d := range Defs() {
		if d.Name == name {
			t, err := c.build(d)
			if err != nil {
				panic("tables: adapter " + name + ": " + err.Error())
			}
			c.tables[name] = t
			return t, true
		}
	}
	return nil, false
}
