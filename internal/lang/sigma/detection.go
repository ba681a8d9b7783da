package sigma

import (
	"strings"

	"github.com/detwiki/detwiki/internal/source"
)

// Detection is a rule's detection section (or a filter's): its search
// identifiers in file order and its conditions.
type Detection struct {
	// Pos is the position of the detection (or filter) key.
	Pos      source.Pos
	Searches []*Search
	// Conditions are the condition, or each entry of a condition list
	// (linked with or: each one is a query of its own).
	Conditions []*Condition
	// Timeframe is the obsolete Sigma 1 detection.timeframe, as written.
	Timeframe string

	index map[string]*Search
}

// Search is a search identifier: a named selection. It matches when any of
// its Groups matches (a list of maps is an OR); a group matches when all of
// its Items match (a map is an AND).
type Search struct {
	Name   string
	Pos    source.Pos // the identifier's key
	Groups []*Group
}

// Group is a map of detection items (linked with AND).
type Group struct {
	Pos   source.Pos
	Items []*Item
}

// Item is one detection item: a field with its modifiers and values, or (with
// Field == "") keywords, matched against the whole event. Values are linked
// with OR, or with AND when All.
type Item struct {
	// Field is the field as written, without modifiers ("" for keywords).
	Field string
	// Key is the whole key as written ("CommandLine|contains|all"); "" for
	// a keyword list.
	Key string
	Pos source.Pos
	// Modifiers in the order written (which is the order they apply in).
	Modifiers []Modifier
	Values    []*Value

	// What the modifiers amount to.
	Compare  Compare
	All      bool   // |all: every value must match
	Cased    bool   // |cased: case-sensitive (regular expressions: see RegexFlags)
	FieldRef bool   // |fieldref: values name another field of the event
	Expand   bool   // |expand: values hold %placeholders%
	Regex    string // flags of |re, in the order i, m, s ("" for none)
	TimePart string // minute, hour, day, week, month or year (Sigma 2.1 time modifiers)
}

// ValueType is the YAML type of a value.
type ValueType uint8

// The value types.
const (
	ValueString ValueType = iota
	ValueNumber
	ValueBool
	ValueNull
)

var valueTypeNames = [...]string{"string", "number", "bool", "null"}

// String returns the type's name.
func (t ValueType) String() string {
	if int(t) < len(valueTypeNames) {
		return valueTypeNames[t]
	}
	return "value?"
}

// Value is one value of a detection item.
type Value struct {
	Pos  source.Pos
	Type ValueType
	// Raw is the scalar as YAML decoded it ("" for null). Regular
	// expressions, CIDR ranges, numbers for gt/gte/lt/lte and field names
	// of |fieldref are Raw.
	Raw string
	// Str is Raw decoded as a Sigma string (wildcards, escapes, and
	// placeholders with |expand) for the string comparisons (equal,
	// contains, startswith, endswith, neq); Plain(Raw) otherwise.
	Str String
}

// IsKeyword reports whether the item is a keyword search (no field).
func (it *Item) IsKeyword() bool { return it.Field == "" }

// Encodings returns the value-transforming modifiers of the item, in order.
func (it *Item) Encodings() []Modifier {
	var out []Modifier
	for _, m := range it.Modifiers {
		if m.IsEncoding() {
			out = append(out, m)
		}
	}
	return out
}

// HasModifier reports whether the item has the (canonical) modifier.
func (it *Item) HasModifier(name string) bool {
	for _, m := range it.Modifiers {
		if m.Name == name {
			return true
		}
	}
	return false
}

// IsStringCompare reports whether the item's values are Sigma strings
// (with wildcards) rather than regular expressions, ranges or numbers.
func (it *Item) IsStringCompare() bool {
	switch it.Compare {
	case CompareEqual, CompareContains, CompareStartsWith, CompareEndsWith, CompareNotEqual:
		return !it.FieldRef
	}
	return false
}

// Search returns the search identifier called name, or nil. A Detection
// from ParseFile is read-only and safe for concurrent use; one built by hand
// gets its index on the first call.
func (d *Detection) Search(name string) *Search {
	if d.index == nil {
		d.buildIndex()
	}
	return d.index[name]
}

func (d *Detection) buildIndex() {
	d.index = make(map[string]*Search, len(d.Searches))
	for _, s := range d.Searches {
		if _, dup := d.index[s.Name]; !dup {
			d.index[s.Name] = s
		}
	}
}

// Of returns the search identifiers an "x of" expression ranges over: those
// whose names match its pattern (* matches any run of characters), or for
// "them" every identifier that does not start with an underscore. The
// order is the file order.
func (d *Detection) Of(x *OfExpr) []*Search {
	var out []*Search
	for _, s := range d.Searches {
		if x.Them {
			if !strings.HasPrefix(s.Name, "_") {
				out = append(out, s)
			}
			continue
		}
		if MatchPattern(x.Pattern, s.Name) {
			out = append(out, s)
		}
	}
	return out
}

// Referenced returns the search identifiers an expression uses, in the
// order it names them, each once.
func (d *Detection) Referenced(x Expr) []*Search {
	var out []*Search
	seen := map[*Search]bool{}
	add := func(s *Search) {
		if s != nil && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	Inspect(x, func(n Expr) bool {
		switch n := n.(type) {
		case *Ident:
			add(d.Search(n.Name))
		case *OfExpr:
			for _, s := range d.Of(n) {
				add(s)
			}
		}
		return true
	})
	return out
}

// MatchPattern reports whether name matches an identifier pattern in which
// * stands for any run of characters.
func MatchPattern(pattern, name string) bool {
	star := strings.IndexByte(pattern, '*')
	if star < 0 {
		return pattern == name
	}
	prefix := pattern[:star]
	if !strings.HasPrefix(name, prefix) {
		return false
	}
	name = name[len(prefix):]
	rest := pattern[star+1:]
	for {
		star = strings.IndexByte(rest, '*')
		if star < 0 {
			return strings.HasSuffix(name, rest)
		}
		seg := rest[:star]
		i := strings.Index(name, seg)
		if i < 0 {
			return false
		}
		name = name[i+len(seg):]
		rest = rest[star+1:]
	}
}
