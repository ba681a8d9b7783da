package events

import (
	"slices"
	"strings"
)

// BlockSize is the largest number of events in a Block.
const BlockSize = 8192

// Kind is the JSON kind of a field value.
type Kind uint8

// The value kinds.
const (
	Null   Kind = iota // absent, JSON null, or an empty CSV cell
	String             // a string, Text is its decoded value
	Number             // a number, Text is the literal as written (4688, 1.5e3)
	Bool               // true or false, Text is "true" or "false"
	Object             // a JSON object kept whole, Text is its raw JSON
	Array              // a JSON array kept whole, Text is its raw JSON
)

var kindNames = [...]string{"null", "string", "number", "bool", "object", "array"}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind?"
}

// Value is one field value of one event.
type Value struct {
	Kind Kind
	Text string
}

// IsNull reports whether the value is absent or null.
func (v Value) IsNull() bool { return v.Kind == Null }

// Field is one named column of a Block, dictionary-encoded: Dict holds the
// distinct values (Dict[0] is the null value, the code of events that lack
// the field) and Codes one index into Dict per event.
//
// A Field is read-only once its Block is returned; it may be shared by views
// (Windows) and read from several goroutines.
type Field struct {
	Name  string
	Dict  []Value
	Codes []uint32

	// while building: the codes of string values and of other values
	strIndex map[string]uint32
	numIndex map[string]uint32
	index    map[Value]uint32
}

// Value returns the field's value in event row.
func (f *Field) Value(row int) Value {
	if f == nil || row >= len(f.Codes) {
		return Value{}
	}
	return f.Dict[f.Codes[row]]
}

// Text returns the field's text in event row ("" when absent).
func (f *Field) Text(row int) string { return f.Value(row).Text }

// Block is up to BlockSize events in columnar form.
type Block struct {
	// Source names where the events come from: the file path, with the
	// archive member after a '!' for zip files (a.zip!a.json).
	Source string
	// First is the index in Source of the block's first event.
	First int
	// Len is the number of events.
	Len int
	// Fields in the order their names were first seen.
	Fields []*Field

	byName map[string]*Field
}

// Field returns the field named name, or nil.
func (b *Block) Field(name string) *Field {
	if b == nil {
		return nil
	}
	return b.byName[name]
}

// FieldFold returns the field named name, matching case-insensitively when
// no field has exactly that name.
func (b *Block) FieldFold(name string) *Field {
	if f := b.Field(name); f != nil {
		return f
	}
	for _, f := range b.Fields {
		if strings.EqualFold(f.Name, name) {
			return f
		}
	}
	return nil
}

// Row returns the non-null fields of event row as name/value pairs, in field
// order (for printing and tests).
func (b *Block) Row(row int) []NamedValue {
	var out []NamedValue
	for _, f := range b.Fields {
		if v := f.Value(row); !v.IsNull() {
			out = append(out, NamedValue{f.Name, v})
		}
	}
	return out
}

// NamedValue is a field name and its value.
type NamedValue struct {
	Name  string
	Value Value
}

// blockBuilder accumulates events into a Block.
type blockBuilder struct {
	b   *Block
	row int // the event being added
}

func newBlockBuilder(source string, first int) *blockBuilder {
	return &blockBuilder{b: &Block{Source: source, First: first, byName: map[string]*Field{}}}
}

// field returns the field named name, adding it when new.
func (bb *blockBuilder) field(name []byte) *Field {
	f := bb.b.byName[string(name)]
	if f == nil {
		f = &Field{Name: string(name), Dict: []Value{{}}, strIndex: map[string]uint32{}, numIndex: map[string]uint32{}, index: map[Value]uint32{{}: 0}}
		bb.b.byName[f.Name] = f
		bb.b.Fields = append(bb.b.Fields, f)
	}
	return f
}

// set stores name=v in the current event. Setting a name twice in one event
// keeps the last value.
func (bb *blockBuilder) set(name string, v Value) {
	if v.Kind == String {
		bb.setString([]byte(name), []byte(v.Text))
		return
	}
	bb.setKind([]byte(name), v.Kind, []byte(v.Text))
}

// setString stores a string value; text is copied only when new.
func (bb *blockBuilder) setString(name, text []byte) {
	f := bb.field(name)
	code, ok := f.strIndex[string(text)]
	if !ok {
		code = uint32(len(f.Dict))
		v := Value{Kind: String, Text: string(text)}
		f.Dict = append(f.Dict, v)
		f.strIndex[v.Text] = code
	}
	bb.setCode(f, code)
}

// setKind stores a value of another kind than String.
func (bb *blockBuilder) setKind(name []byte, kind Kind, text []byte) {
	f := bb.field(name)
	if kind == Number {
		code, ok := f.numIndex[string(text)]
		if !ok {
			code = uint32(len(f.Dict))
			v := Value{Kind: Number, Text: string(text)}
			f.Dict = append(f.Dict, v)
			f.numIndex[v.Text] = code
		}
		bb.setCode(f, code)
		return
	}
	v := Value{Kind: kind, Text: string(text)}
	code, ok := f.index[v]
	if !ok {
		code = uint32(len(f.Dict))
		f.Dict = append(f.Dict, v)
		f.index[v] = code
	}
	bb.setCode(f, code)
}

func (bb *blockBuilder) setCode(f *Field, code uint32) {
	if n := len(f.Codes); n < bb.row {
		// pad the events that lacked the field (code 0: absent) without
		// a temporary slice
		f.Codes = slices.Grow(f.Codes, bb.row+1-n)[:bb.row]
		clear(f.Codes[n:])
	}
	if len(f.Codes) == bb.row {
		f.Codes = append(f.Codes, code)
	} else {
		f.Codes[bb.row] = code
	}
}

// endEvent finishes the current event.
func (bb *blockBuilder) endEvent() { bb.row++ }

// full reports whether the block holds BlockSize events.
func (bb *blockBuilder) full() bool { return bb.row >= BlockSize }

// finish pads every field to the block length and returns the block.
func (bb *blockBuilder) finish() *Block {
	b := bb.b
	b.Len = bb.row
	for _, f := range b.Fields {
		if n := len(f.Codes); n < b.Len {
			f.Codes = slices.Grow(f.Codes, b.Len-n)[:b.Len]
			clear(f.Codes[n:])
		}
		f.index, f.strIndex, f.numIndex = nil, nil, nil
	}
	return b
}
