package events

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/detwiki/detwiki/internal/sharedtest"
)

// otrfSample returns the decompressed JSON lines of one OTRF dataset.
func otrfSample(b *testing.B) []byte {
	root := sharedtest.Path(b, "datasets", "otrf", "datasets", "atomic", "windows", "lateral_movement", "host")
	zr, err := zip.OpenReader(filepath.Join(root, "empire_psexec_dcerpc_tcp_svcctl.zip"))
	if err != nil {
		b.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if filepath.Ext(f.Name) == ".json" {
			rc, _ := f.Open()
			data, _ := io.ReadAll(rc)
			rc.Close()
			return data
		}
	}
	b.Fatal("no json member")
	return nil
}

// BenchmarkDecode compares this package's decoder (into dictionary-encoded
// blocks) with encoding/json and go-json-experiment/json decoding each line
// into a map.
func BenchmarkDecode(b *testing.B) {
	data := otrfSample(b)
	b.Run("events", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			r, _ := NewReader(bytes.NewReader(data), "x.json")
			for {
				if _, err := r.Next(); err != nil {
					break
				}
			}
		}
	})
	lines := bytes.Split(data, []byte("\n"))
	b.Run("encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			for _, l := range lines {
				if len(l) == 0 {
					continue
				}
				var m map[string]any
				json.Unmarshal(l, &m)
			}
		}
	})
	b.Run("go_json_experiment", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			for _, l := range lines {
				if len(l) == 0 {
					continue
				}
				var m map[string]any
				jsonv2.Unmarshal(l, &m)
			}
		}
	})
}
