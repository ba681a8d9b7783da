package events

import "strings"

// SysField is a Windows event system property.
type SysField int

// The system properties, named as the EVTX System element names them.
const (
	SysChannel SysField = iota
	SysEventID
	SysComputer
	SysProvider
	SysProviderGuid
	SysTimeCreated
	SysRecordID
	SysLevel
	SysTask
	SysOpcode
	SysKeywords
	SysVersion
	SysProcessID
	SysThreadID
	SysUserID
	SysMessage
	numSys
)

// sysAliases lists, per system property, the field names it has in each
// input shape: EVTX-JSON, the flat NXLog records of the OTRF datasets, and
// the names Winlogbeat and older Mordor files use.
var sysAliases = [numSys]struct {
	name    string
	aliases []string
}{
	SysChannel:      {"Channel", []string{"Event.System.Channel", "Channel", "winlog.channel", "log_name"}},
	SysEventID:      {"EventID", []string{"Event.System.EventID", "EventID", "winlog.event_id", "event_id", "EventId"}},
	SysComputer:     {"Computer", []string{"Event.System.Computer", "Hostname", "Computer", "winlog.computer_name", "computer_name", "host_name"}},
	SysProvider:     {"Provider", []string{"Event.System.Provider.Name", "SourceName", "ProviderName", "Provider", "winlog.provider_name", "source_name"}},
	SysProviderGuid: {"ProviderGuid", []string{"Event.System.Provider.Guid", "ProviderGuid", "winlog.provider_guid"}},
	SysTimeCreated:  {"TimeCreated", []string{"Event.System.TimeCreated.SystemTime", "TimeCreated", "EventTime", "@timestamp", "TimeGenerated", "Timestamp"}},
	SysRecordID:     {"EventRecordID", []string{"Event.System.EventRecordID", "RecordNumber", "EventRecordID", "winlog.record_id", "record_number"}},
	SysLevel:        {"Level", []string{"Event.System.Level", "Level", "SeverityValue"}},
	SysTask:         {"Task", []string{"Event.System.Task", "Task"}},
	SysOpcode:       {"Opcode", []string{"Event.System.Opcode", "OpcodeValue"}},
	SysKeywords:     {"Keywords", []string{"Event.System.Keywords", "Keywords"}},
	SysVersion:      {"Version", []string{"Event.System.Version", "Version"}},
	SysProcessID:    {"ProcessID", []string{"Event.System.Execution.ProcessID", "ExecutionProcessID"}},
	SysThreadID:     {"ThreadID", []string{"Event.System.Execution.ThreadID", "ThreadID"}},
	SysUserID:       {"UserID", []string{"Event.System.Security.UserID", "UserID"}},
	SysMessage:      {"Message", []string{"Event.RenderingInfo.Message", "Message", "message"}},
}

// Name returns the property's canonical name (Channel, EventID, ...).
func (s SysField) Name() string {
	if s >= 0 && s < numSys {
		return sysAliases[s].name
	}
	return ""
}

// SysFields returns every system property.
func SysFields() []SysField {
	out := make([]SysField, numSys)
	for i := range out {
		out[i] = SysField(i)
	}
	return out
}

// flatMetadata are the top-level names of a flat (NXLog, Winlogbeat-like)
// record that describe the record rather than carry event data.
var flatMetadata = map[string]bool{
	"@timestamp": true, "@version": true, "Category": true, "Channel": true, "EventID": true,
	"EventReceivedTime": true, "EventTime": true, "EventType": true, "EventTypeOrignal": true,
	"ExecutionProcessID": true, "Hostname": true, "Keywords": true, "Level": true, "Message": true,
	"Opcode": true, "OpcodeValue": true, "ProviderGuid": true, "RecordNumber": true, "Severity": true,
	"SeverityValue": true, "SourceModuleName": true, "SourceModuleType": true, "SourceName": true,
	"Task": true, "ThreadID": true, "TimeCreated": true, "UserID": true, "Version": true, "host": true,
	"port": true, "tags": true, "AccountName": true, "AccountType": true, "Domain": true,
}

// nxlogEventTypes are the values of NXLog's EventType, the record's type
// (from the event's level and keywords), as the OTRF records carry them.
var nxlogEventTypes = map[string]bool{
	"INFO": true, "WARNING": true, "ERROR": true, "CRITICAL": true, "VERBOSE": true,
	"AUDIT_SUCCESS": true, "AUDIT_FAILURE": true,
}

// eventDataType returns the events' event-data EventType of a flat record's
// EventType field: the field with NXLog's record types as null, sharing its
// codes; nil when no event has another value.
func eventDataType(f *Field) *Field {
	dict := make([]Value, len(f.Dict))
	keep := false
	for i, v := range f.Dict {
		if v.IsNull() || v.Kind == String && nxlogEventTypes[v.Text] {
			continue
		}
		dict[i] = v
		keep = true
	}
	if !keep {
		return nil
	}
	return &Field{Name: f.Name, Dict: dict, Codes: f.Codes}
}

// WinView is a Block seen as Windows events: system properties under
// canonical names and event-data fields by their own names. It shares the
// block's fields.
type WinView struct {
	Block  *Block
	system [numSys]*Field
	data   []DataField
	byName map[string]*Field
}

// DataField is one event-data field of a WinView.
type DataField struct {
	Name  string
	Field *Field
}

// Windows returns the Windows view of b. EVTX-JSON blocks (fields under
// Event.) take their event data from Event.EventData.* and
// Event.UserData.<element>.*; flat records take every top-level field that is
// not record metadata.
func Windows(b *Block) *WinView {
	w := &WinView{Block: b, byName: map[string]*Field{}}
	for s := SysField(0); s < numSys; s++ {
		for _, a := range sysAliases[s].aliases {
			if f := b.Field(a); f != nil {
				w.system[s] = f
				break
			}
		}
	}
	evtx := false
	for _, f := range b.Fields {
		if strings.HasPrefix(f.Name, "Event.") {
			evtx = true
			break
		}
	}
	for _, f := range b.Fields {
		name := ""
		switch {
		case evtx && strings.HasPrefix(f.Name, "Event.EventData."):
			name = f.Name[len("Event.EventData."):]
		case evtx && strings.HasPrefix(f.Name, "Event.UserData."):
			rest := f.Name[len("Event.UserData."):]
			if i := strings.IndexByte(rest, '.'); i >= 0 {
				name = rest[i+1:]
			}
		case !evtx && f.Name == "EventType":
			// NXLog's record type (INFO, AUDIT_SUCCESS, ...) unless the
			// event has event data of that name, which NXLog writes over it
			// (Sysmon's CreateKey, SetValue, RenameKey, CreatePipe, ...)
			if f = eventDataType(f); f != nil {
				name = f.Name
			}
		case !evtx && !flatMetadata[f.Name]:
			name = f.Name
		}
		if name == "" {
			continue
		}
		if _, dup := w.byName[name]; dup {
			continue
		}
		w.byName[name] = f
		w.data = append(w.data, DataField{name, f})
	}
	return w
}

// System returns the field holding system property s, or nil.
func (w *WinView) System(s SysField) *Field {
	if s < 0 || s >= numSys {
		return nil
	}
	return w.system[s]
}

// Data returns the event-data field named name (exact case first, then
// ignoring case), or nil.
func (w *WinView) Data(name string) *Field {
	if f := w.byName[name]; f != nil {
		return f
	}
	for _, d := range w.data {
		if strings.EqualFold(d.Name, name) {
			return d.Field
		}
	}
	return nil
}

// DataFields returns the event-data fields in block order.
func (w *WinView) DataFields() []DataField { return w.data }

// Lookup returns the field a Windows rule means by name: a system property
// by its canonical name or any alias, else event data.
func (w *WinView) Lookup(name string) *Field {
	for s := SysField(0); s < numSys; s++ {
		if sysAliases[s].name == name {
			return w.system[s]
		}
	}
	if f := w.Data(name); f != nil {
		return f
	}
	return w.Block.Field(name)
}
