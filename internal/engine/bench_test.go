package engine

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkWhereDict measures a single where over a loaded, dictionary-encoded
// string column: the predicate runs once per distinct value, then one code
// lookup per row.
func BenchmarkWhereDict(b *testing.B) {
	const n = 1 << 20
	dict := make([]string, 512)
	for i := range dict {
		dict[i] = fmt.Sprintf(`C:\Windows\System32\tool%03d.exe -arg %d`, i, i*7)
	}
	codes := make([]uint32, n)
	for i := range codes {
		codes[i] = uint32(i*2654435761) % uint32(len(dict))
	}
	ch := &Chunk{N: n, Cols: []*Column{DictColumn(dict, codes)}}
	tbl := &MemTable{TableName: "T", Cols: Schema{{Name: "Cmd", Type: TypeString}}, Chunks: []*Chunk{ch}}
	q, diags := Compile(`T | where Cmd has "tool042.exe" | count`, Options{Catalog: MapCatalog{"T": tbl}, Now: time.Now()})
	if q == nil {
		b.Fatal(diags)
	}
	b.ReportAllocs()
	b.SetBytes(n * 4)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := q.Run()
		if err != nil || res.Rows() != 1 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
}

// BenchmarkWhereLong measures a comparison on a long column.
func BenchmarkWhereLong(b *testing.B) {
	const n = 1 << 20
	vals := make([]int64, n)
	for i := range vals {
		vals[i] = int64(i % 5000)
	}
	ch := &Chunk{N: n, Cols: []*Column{{T: TypeLong, N: n, I: vals}}}
	tbl := &MemTable{TableName: "T", Cols: Schema{{Name: "EventID", Type: TypeLong}}, Chunks: []*Chunk{ch}}
	q, _ := Compile(`T | where EventID == 4688 | count`, Options{Catalog: MapCatalog{"T": tbl}, Now: time.Now()})
	b.ReportAllocs()
	b.SetBytes(n * 8)
	for i := 0; i < b.N; i++ {
		if _, err := q.Run(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
}
