// Package events reads event files into typed, dictionary-encoded column
// blocks, a block of at most BlockSize events at a time, so that neither a
// whole file nor a whole event stream is ever decoded into one value.
//
// Inputs (Open picks the decoder from the name and the first bytes):
//
//   - JSON lines, and more generally any stream of JSON values separated by
//     white space (one event per line, pretty-printed documents one after the
//     other, or arrays of events, read an element at a time): .json, .jsonl,
//     .ndjson, .log;
//   - the same compressed: .gz, and .zip archives (every member is read in
//     turn; the OTRF datasets are zipped JSON lines);
//   - EVTX-JSON documents as evtx_dump and the Sigma regression data write
//     them ({"Event": {"System": {...}, "EventData": {...}}}): nested objects
//     are flattened to dotted names with the "#attributes" level dropped
//     (Event.System.Provider.Name, Event.System.TimeCreated.SystemTime,
//     Event.EventData.CommandLine), "#text" becomes the value of its parent,
//     and EventData.Data arrays of {"#attributes": {"Name": n}, "#text": v}
//     become Event.EventData.<n>;
//   - CSV with a header line (.csv).
//
// Binary .evtx files are a documented gap: the Go module proxy serves no
// maintained EVTX reader (github.com/0xrawsec/golang-evtx and
// www.velocidex.com/golang/evtx are refused), so Open returns ErrEVTX.
//
// A Block holds one Field per name seen in its events; each field is a
// dictionary of distinct values (Dict[0] is always the absent value) and one
// code per event. Values keep their JSON kind (string, number, bool, object or
// array as raw JSON text, null), so consumers convert each distinct value once.
//
// Windows events arrive in two shapes: the flat NXLog-style records of the
// OTRF datasets (Channel, EventID, Hostname, SourceName and the event data at
// the top level) and EVTX-JSON. Windows gives one view of both: the system
// properties under canonical names (Channel, EventID, Computer, Provider,
// TimeCreated, ...) and the event-data fields by their own names.
//
//	err := events.Walk([]string{"datasets/"}, func(b *events.Block) error {
//		w := events.Windows(b)
//		id := w.System(events.SysEventID)
//		for row := 0; row < b.Len; row++ {
//			fmt.Println(id.Value(row).Text, w.Data("CommandLine").Value(row).Text)
//		}
//		return nil
//	})
package events
