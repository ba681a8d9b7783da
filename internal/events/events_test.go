package events

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/sharedtest"
)

func TestJSONLines(t *testing.T) {
	in := `{"a": "x", "n": 1, "b": true, "o": {"p": [1, 2], "q": null}, "s": "tab\tq\"\u0041"}
{"a": "x", "n": 2.5e3, "o": {"p": []}}

{"a": "y"}`
	b, err := decodeJSONEvents([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if b.Len != 3 {
		t.Fatalf("len %d", b.Len)
	}
	tests := []struct {
		field string
		row   int
		want  Value
	}{
		{"a", 0, Value{String, "x"}},
		{"a", 2, Value{String, "y"}},
		{"n", 0, Value{Number, "1"}},
		{"n", 1, Value{Number, "2.5e3"}},
		{"n", 2, Value{}},
		{"b", 0, Value{Bool, "true"}},
		{"o.p", 0, Value{Array, "[1, 2]"}},
		{"o.p", 1, Value{Array, "[]"}},
		{"o.q", 0, Value{}},
		{"s", 0, Value{String, "tab\tq\"A"}},
	}
	for _, tc := range tests {
		if got := b.Field(tc.field).Value(tc.row); got != tc.want {
			t.Errorf("%s[%d] = %+v, want %+v", tc.field, tc.row, got, tc.want)
		}
	}
	// the dictionary holds each distinct value once
	if d := b.Field("a").Dict; len(d) != 3 {
		t.Errorf("dict of a = %v", d)
	}
}

func TestJSONArrayAndConcatenated(t *testing.T) {
	in := `[{"a":1},{"a":2}] {"a":3}
	[]`
	b, err := decodeJSONEvents([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := 0; i < b.Len; i++ {
		got = append(got, b.Field("a").Text(i))
	}
	if strings.Join(got, ",") != "1,2,3" {
		t.Errorf("got %v", got)
	}
}

// TestJSONArrayStreams: a top-level array is read an element at a time,
// never held whole: a 5 MB array of events goes through the reader's first
// 256 KiB buffer, and scalars or arrays among its elements are no events.
func TestJSONArrayStreams(t *testing.T) {
	var b strings.Builder
	b.WriteString("[\n")
	const n = 40000
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"EventID": %d, "CommandLine": "cmd.exe /c echo %0100d"}`, i, i)
	}
	b.WriteString(", 7, [{\"EventID\": -1}]\n]\n{\"EventID\": -2}")
	if b.Len() < 5<<20 {
		t.Fatalf("input %d bytes", b.Len())
	}
	jr := newJSONReader(strings.NewReader(b.String()), "big.json")
	events := 0
	last := ""
	for {
		blk, err := jr.blocks()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		events += blk.Len
		last = blk.Field("EventID").Text(blk.Len - 1)
	}
	if events != n+1 || last != "-2" {
		t.Errorf("%d events, last EventID %s; want %d, -2", events, last, n+1)
	}
	if len(jr.buf) > 256<<10 {
		t.Errorf("the reader's buffer grew to %d bytes: the array was held whole", len(jr.buf))
	}
}

func TestJSONErrors(t *testing.T) {
	for _, in := range []string{`{"a": }`, `{"a" 1}`, `{"a": "x"`, `{"a": tru}`, `{"a": "\x"}`, strings.Repeat("[", 300) + strings.Repeat("]", 300)} {
		r, err := NewReader(strings.NewReader(in), "bad.json")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Next(); err == nil || err == io.EOF {
			t.Errorf("%q: no error (%v)", in, err)
		}
	}
}

func TestBlockSplit(t *testing.T) {
	var sb strings.Builder
	for i := 0; i < BlockSize+10; i++ {
		sb.WriteString(`{"i": "v"}` + "\n")
	}
	r, _ := NewReader(strings.NewReader(sb.String()), "x.jsonl")
	var lens []int
	for {
		b, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		lens = append(lens, b.Len)
	}
	if len(lens) != 2 || lens[0] != BlockSize || lens[1] != 10 {
		t.Errorf("blocks %v", lens)
	}
}

func TestEVTXJSON(t *testing.T) {
	var blocks []*Block
	if err := ReadFile("testdata/evtx.json", func(b *Block) error { blocks = append(blocks, b); return nil }); err != nil {
		t.Fatal(err)
	}
	b := blocks[0]
	if b.Len != 2 {
		t.Fatalf("len %d", b.Len)
	}
	for name, want := range map[string]string{
		"Event.System.Provider.Name":          "Microsoft-Windows-Sysmon",
		"Event.System.TimeCreated.SystemTime": "2025-11-27T07:40:10.165324Z",
		"Event.EventData.CommandLine":         `cmd.exe /c "echo é"`,
		"Event.EventData.ProcessId":           "4460",
		"Event.xmlns":                         "http://schemas.microsoft.com/win/2004/08/events/event",
	} {
		if got := b.Field(name).Text(0); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	w := Windows(b)
	if got := w.System(SysEventID).Text(1); got != "4688" {
		t.Errorf("EventID = %q", got)
	}
	if got := w.System(SysComputer).Text(0); got != "host1" {
		t.Errorf("Computer = %q", got)
	}
	if got := w.Data("NewProcessName").Text(1); got != `C:\x.exe` {
		t.Errorf("NewProcessName = %q", got)
	}
	if got := w.Data("image").Text(0); got != `C:\Windows\System32\cmd.exe` {
		t.Errorf("Image = %q", got)
	}
	if w.Data("Provider.Name") != nil || w.Data("xmlns") != nil {
		t.Error("system properties seen as event data")
	}
}

func TestCSV(t *testing.T) {
	var b *Block
	if err := ReadFile("testdata/flat.csv", func(x *Block) error { b = x; return nil }); err != nil {
		t.Fatal(err)
	}
	if b.Len != 2 || b.Field("CommandLine").Text(0) != `cmd /c "a,b"` || !b.Field("CommandLine").Value(1).IsNull() {
		t.Fatalf("csv: %+v", b.Row(0))
	}
	w := Windows(b)
	if w.System(SysComputer).Text(1) != "h2" || w.Data("CommandLine") == nil || w.Data("Hostname") != nil {
		t.Error("flat Windows view")
	}
}

// TestFlatEventType: in a flat NXLog record EventType is the record's type
// (INFO, AUDIT_SUCCESS) unless the event has event data of that name, which
// NXLog writes over it (Sysmon's registry and pipe events, as in the OTRF
// datasets): that is event data, the record types are not.
func TestFlatEventType(t *testing.T) {
	in := `{"Hostname":"h","SourceName":"Microsoft-Windows-Sysmon","EventID":12,"EventType":"CreateKey","TargetObject":"HKLM\\A"}
{"Hostname":"h","SourceName":"Microsoft-Windows-Sysmon","EventID":1,"EventType":"INFO","Image":"C:\\a.exe"}
{"Hostname":"h","SourceName":"Microsoft-Windows-Security-Auditing","EventID":4688,"EventType":"AUDIT_SUCCESS"}
{"Hostname":"h","SourceName":"Microsoft-Windows-Sysmon","EventID":14,"EventType":"RenameKey","NewName":"HKLM\\B"}
{"Hostname":"h","SourceName":"Microsoft-Windows-Sysmon","EventID":13}`
	b, err := decodeJSONEvents([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	w := Windows(b)
	et := w.Data("EventType")
	if et == nil {
		t.Fatal("no EventType event data")
	}
	for row, want := range []string{"CreateKey", "", "", "RenameKey", ""} {
		if got := et.Text(row); got != want {
			t.Errorf("row %d: EventType %q, want %q", row, got, want)
		}
	}
	if !et.Value(1).IsNull() || !et.Value(2).IsNull() {
		t.Error("NXLog record types kept as event data")
	}
	if b.Field("EventType").Text(1) != "INFO" {
		t.Error("the block's own field was changed")
	}
	security, err := decodeJSONEvents([]byte(`{"Hostname":"h","EventID":4624,"EventType":"AUDIT_SUCCESS","TargetUserName":"u"}`))
	if err != nil {
		t.Fatal(err)
	}
	if Windows(security).Data("EventType") != nil {
		t.Error("a block with only NXLog record types has EventType event data")
	}
}

// TestBadEventKeepsEarlier: a bad event ends its file, but the events
// before it in the same block are kept (JSON and CSV), and the error names
// the file and where.
func TestBadEventKeepsEarlier(t *testing.T) {
	for _, tc := range []struct{ name, data, err string }{
		{"a.jsonl", "{\"n\": 1}\n{\"n\": 2}\n{\"n\": 3, \"x\": \"unterminated\n", "a.jsonl:3"},
		{"a.csv", "n,x\n1,a\n2,b\n3,\"bad\"quote\n4,d\n", "a.csv"},
	} {
		r, err := NewReader(strings.NewReader(tc.data), tc.name)
		if err != nil {
			t.Fatal(err)
		}
		b, err := r.Next()
		if err != nil || b.Len != 2 || b.Field("n").Text(1) != "2" {
			t.Fatalf("%s: first block %v, err %v", tc.name, b, err)
		}
		for _, f := range b.Fields {
			if len(f.Codes) != b.Len {
				t.Errorf("%s: field %s has %d codes for %d events", tc.name, f.Name, len(f.Codes), b.Len)
			}
		}
		if _, err := r.Next(); err == nil || err == io.EOF || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: then %v, want an error naming %s", tc.name, err, tc.err)
		}
		if _, err := r.Next(); err == nil || err == io.EOF {
			t.Errorf("%s: the error is not kept: %v", tc.name, err)
		}
	}
}

func TestGzipAndZip(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`{"a":"1"}` + "\n" + `{"a":"2"}`))
	zw.Close()
	gz := filepath.Join(dir, "e.json.gz")
	os.WriteFile(gz, buf.Bytes(), 0o644)
	n := 0
	if err := ReadFile(gz, func(b *Block) error { n += b.Len; return nil }); err != nil || n != 2 {
		t.Errorf("gz: %d events, %v", n, err)
	}
	if _, err := Open(filepath.Join(dir, "x.evtx")); err == nil || !strings.Contains(err.Error(), "evtx") {
		t.Errorf("evtx: %v", err)
	}
}

// otrfCounts pins the events of each OTRF dataset (zip members that are not
// JSON, the pcaps of the network dataset, hold none).
var otrfCounts = map[string]int{
	"psh_mavinject_dll_notepad.zip":                          509,
	"empire_dcom_shellwindows_stager.zip":                    32706,
	"empire_dllinjection_LoadLibrary_CreateRemoteThread.zip": 12200,
	"empire_dcom_shellwindows.zip":                           0,
}

func TestOTRFDatasets(t *testing.T) {
	root := sharedtest.Path(t, "datasets", "otrf", "datasets")
	files, err := Files([]string{root})
	if err != nil {
		t.Fatal(err)
	}
	var zips []string
	for _, f := range files {
		if strings.HasSuffix(f, ".zip") {
			zips = append(zips, f)
		}
	}
	if len(zips) != 20 {
		t.Fatalf("%d datasets, want 20", len(zips))
	}
	total := 0
	for _, z := range zips {
		n := 0
		err := ReadFile(z, func(b *Block) error {
			w := Windows(b)
			if w.System(SysEventID) == nil || w.System(SysChannel) == nil {
				t.Errorf("%s: no EventID/Channel", b.Source)
			}
			n += b.Len
			return nil
		})
		if err != nil {
			t.Errorf("%s: %v", z, err)
		}
		if want, ok := otrfCounts[filepath.Base(z)]; ok && n != want {
			t.Errorf("%s: %d events, want %d", filepath.Base(z), n, want)
		}
		total += n
	}
	t.Logf("%d OTRF events", total)
	if total < 100000 {
		t.Errorf("only %d events", total)
	}
}

func TestSigmaRegressionData(t *testing.T) {
	root := sharedtest.Path(t, "corpus", "sigma", "regression_data")
	files, err := Files([]string{root})
	if err != nil {
		t.Fatal(err)
	}
	n, events := 0, 0
	for _, f := range files {
		if !strings.HasSuffix(f, ".json") {
			continue
		}
		n++
		err := ReadFile(f, func(b *Block) error {
			w := Windows(b)
			for i := 0; i < b.Len; i++ {
				if w.System(SysEventID).Value(i).IsNull() {
					t.Errorf("%s: event %d has no EventID", f, i)
				}
			}
			events += b.Len
			return nil
		})
		if err != nil {
			t.Errorf("%v", err)
		}
	}
	t.Logf("%d files, %d events", n, events)
	if n < 150 || events < n {
		t.Errorf("%d files, %d events", n, events)
	}
}
