package events

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// FuzzJSON feeds arbitrary bytes to the JSON stream decoder: it must never
// panic, and every block it returns must be well formed.
func FuzzJSON(f *testing.F) {
	f.Add([]byte(`{"a":"x","n":1,"o":{"p":[1,{"q":2}],"#text":"t"}}`))
	f.Add([]byte(`[{"a":1},{"a":2}] {"b":"\ud83d\ude00"}`))
	f.Add([]byte(`{"Event":{"EventData":{"Data":[{"#attributes":{"Name":"X"},"#text":"v"}]}}}`))
	// a bad event after good ones: the block before it comes first
	f.Add([]byte("{\"n\":1}\n{\"n\":2,\"x\":\"unterminated\n{\"n\":3}"))
	if data, err := os.ReadFile("testdata/evtx.json"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		r, err := NewReader(bytes.NewReader(data), "fuzz.json")
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 100; i++ {
			b, err := r.Next()
			if err != nil {
				if err == io.EOF {
					return
				}
				return
			}
			for _, fl := range b.Fields {
				if len(fl.Codes) != b.Len {
					t.Fatalf("field %s has %d codes for %d events", fl.Name, len(fl.Codes), b.Len)
				}
				for _, c := range fl.Codes {
					if int(c) >= len(fl.Dict) {
						t.Fatalf("code out of range")
					}
				}
			}
			Windows(b)
		}
	})
}
