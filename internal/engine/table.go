package engine

import "strings"

// ColumnDef is one column of a schema. Unfilled marks a column the table
// declares (it is part of the real table's schema) but whose source cannot
// fill: queries may name it, its values are empty, and a query that reads it
// gets a warning.
type ColumnDef struct {
	Name     string
	Type     Type
	Unfilled bool
}

// Schema is an ordered list of columns.
type Schema []ColumnDef

// Index returns the position of the column named name, or -1. Column names
// are case-sensitive in Kusto.
func (s Schema) Index(name string) int {
	for i, c := range s {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// IndexFold returns the position of the column whose name equals name
// ignoring case, or -1 (for "did you mean" hints).
func (s Schema) IndexFold(name string) int {
	for i, c := range s {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// Names returns the column names.
func (s Schema) Names() []string {
	out := make([]string, len(s))
	for i, c := range s {
		out[i] = c.Name
	}
	return out
}

func (s Schema) clone() Schema { return append(Schema(nil), s...) }

// Table is a named source of rows.
//
// Scan returns the rows with the columns marked in need filled (others may
// be nil): the columns a query reads flow down to the scan, so a table that
// derives its columns computes only those. Implementations must be safe for
// concurrent use; the chunks they return are read-only.
type Table interface {
	Name() string
	Schema() Schema
	Scan(need []bool) ([]*Chunk, error)
}

// Catalog resolves table names.
type Catalog interface {
	// Table returns the table named name (Kusto table names are
	// case-sensitive).
	Table(name string) (Table, bool)
}

// MemTable is a table held in memory.
type MemTable struct {
	TableName string
	Cols      Schema
	Chunks    []*Chunk
}

// Name returns the table name.
func (t *MemTable) Name() string { return t.TableName }

// Schema returns the columns.
func (t *MemTable) Schema() Schema { return t.Cols }

// Scan returns every chunk (all columns are in memory already).
func (t *MemTable) Scan(need []bool) ([]*Chunk, error) { return t.Chunks, nil }

// Rows returns the number of rows.
func (t *MemTable) Rows() int {
	n := 0
	for _, ch := range t.Chunks {
		n += ch.N
	}
	return n
}

// NewMemTable builds a table from rows of values (each converted to its
// column's type).
func NewMemTable(name string, schema Schema, rows [][]Value) *MemTable {
	bs := make([]*builder, len(schema))
	for i, c := range schema {
		bs[i] = newBuilder(c.Type, len(rows))
	}
	for _, row := range rows {
		for i := range schema {
			if i < len(row) {
				bs[i].Append(row[i])
			} else {
				bs[i].Append(NullOf(schema[i].Type))
			}
		}
	}
	ch := &Chunk{N: len(rows), Cols: make([]*Column, len(schema))}
	for i := range bs {
		ch.Cols[i] = bs[i].Build()
	}
	t := &MemTable{TableName: name, Cols: schema}
	if len(rows) > 0 {
		t.Chunks = []*Chunk{ch}
	}
	return t
}

// MapCatalog is a Catalog over a map.
type MapCatalog map[string]Table

// Table returns the table named name.
func (m MapCatalog) Table(name string) (Table, bool) {
	t, ok := m[name]
	return t, ok
}
