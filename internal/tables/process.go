package tables

import (
	"strings"

	"github.com/detwiki/detwiki/internal/engine"
	"github.com/detwiki/detwiki/internal/events"
)

// Process tracking.
//
// Defender fills a row's InitiatingProcess* columns (command line, parent
// name, integrity level, hashes, version info) from what it knows of the
// process; a Sysmon event names the process only by its GUID (ProcessGuid,
// SourceProcessGUID), and DeviceProcessEvents' initiating process is the
// new process's parent (ParentProcessGuid). The catalog indexes every Sysmon
// process creation (event 1) by ProcessGuid, and two families of
// pseudo-columns read it:
//
//   - _Init_<Field>: <Field> of the creation event of the row's process
//     (SourceProcessGuid, else ProcessGuid);
//   - _Parent_<Field>: <Field> of the creation event of the row's parent
//     process (ParentProcessGuid).
//
// A process created before the events begin is unknown: its columns stay
// empty, as they would for Defender without the process in its tables.

// processIndex maps a process GUID (lower case) to its creation event.
type processIndex map[string]procRef

type procRef struct {
	rb  *rawBlock
	row int
}

const sysmonChannel = "microsoft-windows-sysmon/operational"

// indexProcesses adds the block's Sysmon process creations to idx.
func (rb *rawBlock) indexProcesses(idx processIndex) {
	chans, ids, guids := rb.cols["Channel"], rb.cols["EventID"], rb.dataColumn("ProcessGuid")
	if chans == nil || ids == nil || guids == nil {
		return
	}
	for r := 0; r < rb.n; r++ {
		if ids.Dict[ids.Codes[r]] != "1" || !strings.EqualFold(chans.Dict[chans.Codes[r]], sysmonChannel) {
			continue
		}
		if g := guids.Dict[guids.Codes[r]]; g != "" {
			idx[strings.ToLower(g)] = procRef{rb: rb, row: r}
		}
	}
}

// dataColumn returns the raw column of an event-data field, matching its
// name without regard to case (Sysmon writes SourceProcessGUID, rules and
// other events ProcessGuid).
func (rb *rawBlock) dataColumn(name string) *engine.Column {
	if c := rb.cols[name]; c != nil {
		return c
	}
	for n, c := range rb.cols {
		if strings.EqualFold(n, name) {
			return c
		}
	}
	return nil
}

// processColumn builds _Init_<Field> or _Parent_<Field> for rows.
func (rb *rawBlock) processColumn(name string, rows []int32, idx processIndex) *engine.Column {
	var field string
	var keys []*engine.Column
	switch {
	case strings.HasPrefix(name, "_Init_"):
		field = name[len("_Init_"):]
		keys = []*engine.Column{rb.dataColumn("SourceProcessGuid"), rb.dataColumn("ProcessGuid")}
	case strings.HasPrefix(name, "_Parent_"):
		field = name[len("_Parent_"):]
		keys = []*engine.Column{rb.dataColumn("ParentProcessGuid")}
	default:
		return nil
	}
	out := make([]string, len(rows))
	fields := map[*rawBlock]*events.Field{}
	for i, r := range rows {
		guid := ""
		for _, k := range keys {
			if k != nil {
				if g := k.Dict[k.Codes[r]]; g != "" {
					guid = g
					break
				}
			}
		}
		if guid == "" {
			continue
		}
		ref, ok := idx[strings.ToLower(guid)]
		if !ok {
			continue
		}
		f, seen := fields[ref.rb]
		if !seen {
			f = ref.rb.win.Data(field)
			fields[ref.rb] = f
		}
		if f != nil {
			out[i] = f.Value(ref.row).Text
		}
	}
	return (&engine.Column{T: engine.TypeString, N: len(rows), S: out}).Compact()
}
