package tables

import (
	"sort"

	"github.com/detwiki/detwiki/internal/engine"
)

// Event time.
//
// Every adapted table's TimeGenerated (and the Defender tables' Timestamp)
// is the event's time in UTC, from one clock:
//
//   - an event with a Sysmon UtcTime field takes it: Sysmon writes it in
//     UTC itself;
//   - any other event takes its TimeCreated (in the OTRF/NXLog records the
//     first of TimeCreated, EventTime, @timestamp), corrected by its host's
//     clock offset.
//
// The offset exists because the collectors of the OTRF datasets wrote the
// host's local time (EventTime, no zone) or local time mislabelled as UTC
// (TimeCreated ending in Z): TimeCreated runs 4 h, 7 h or 16 h behind the
// Sysmon UtcTime of the same event depending on the dataset. A host's
// offset is the most frequent difference UtcTime - TimeCreated over its
// Sysmon events, rounded to 15 minutes (time zones are whole quarter
// hours); hosts without Sysmon events take the most frequent offset of the
// whole catalog, and a catalog without Sysmon events none. Replay time
// (Catalog.Latest, the default now()) is the latest event time on the same
// clock, so `TimeGenerated > ago(1h)` keeps the last hour of every table.

const quarterHour = 15 * engine.TicksPerMinute

// clockSamples counts, per host, the rounded UtcTime - TimeCreated
// differences of one block.
type clockSamples map[string]map[int64]int

// sampleClock adds the block's differences to s.
func (rb *rawBlock) sampleClock(s clockSamples) {
	utc, created, host := rb.cols["UtcTime"], rb.cols["TimeCreated"], rb.cols["Computer"]
	if utc == nil || created == nil {
		return
	}
	utcT, createdT := parseDict(utc), parseDict(created)
	for r := 0; r < rb.n; r++ {
		u, c := utcT[utc.Codes[r]], createdT[created.Codes[r]]
		if u == noTime || c == noTime {
			continue
		}
		d := u - c
		off := (d + quarterHour/2) / quarterHour * quarterHour
		if d < 0 {
			off = -((-d + quarterHour/2) / quarterHour * quarterHour)
		}
		h := ""
		if host != nil {
			h = host.Dict[host.Codes[r]]
		}
		if s[h] == nil {
			s[h] = map[int64]int{}
		}
		s[h][off]++
	}
}

const noTime = int64(-1 << 63)

// parseDict parses every entry of a dictionary column as a datetime
// (noTime when it is none).
func parseDict(c *engine.Column) []int64 {
	out := make([]int64, len(c.Dict))
	for i, s := range c.Dict {
		out[i] = noTime
		if s == "" {
			continue
		}
		if t, ok := engine.ParseDateTime(s); ok {
			out[i] = t
		}
	}
	return out
}

// clockOffsets turns samples into an offset per host plus a default.
type clockOffsets struct {
	host map[string]int64
	def  int64
}

func (s clockSamples) offsets() *clockOffsets {
	o := &clockOffsets{host: map[string]int64{}}
	all := map[int64]int{}
	for h, counts := range s {
		o.host[h] = mostFrequent(counts)
		for k, v := range counts {
			all[k] += v
		}
	}
	o.def = mostFrequent(all)
	return o
}

func (o *clockOffsets) of(host string) int64 {
	if off, ok := o.host[host]; ok {
		return off
	}
	return o.def
}

// mostFrequent returns the most frequent key (the smallest on a tie), 0
// for none.
func mostFrequent(counts map[int64]int) int64 {
	keys := make([]int64, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	best, n := int64(0), 0
	for _, k := range keys {
		if counts[k] > n {
			best, n = k, counts[k]
		}
	}
	return best
}

// eventTimes returns the event time of the rows (noTime when an event has
// none).
func (rb *rawBlock) eventTimes(rows []int32, off *clockOffsets) []int64 {
	out := make([]int64, len(rows))
	utc, created, host := rb.cols["UtcTime"], rb.cols["TimeCreated"], rb.cols["Computer"]
	var utcT, createdT []int64
	if utc != nil {
		utcT = parseDict(utc)
	}
	if created != nil {
		createdT = parseDict(created)
	}
	for i, r := range rows {
		out[i] = noTime
		if utc != nil {
			if t := utcT[utc.Codes[r]]; t != noTime {
				out[i] = t
				continue
			}
		}
		if created != nil {
			if t := createdT[created.Codes[r]]; t != noTime {
				h := ""
				if host != nil {
					h = host.Dict[host.Codes[r]]
				}
				out[i] = t + off.of(h)
			}
		}
	}
	return out
}

// timeColumn is the pseudo-column _Time: eventTimes as a datetime column.
func (rb *rawBlock) timeColumn(rows []int32, off *clockOffsets) *engine.Column {
	ts := rb.eventTimes(rows, off)
	col := &engine.Column{T: engine.TypeDateTime, N: len(rows), I: ts}
	for i, t := range ts {
		if t == noTime {
			if col.Null == nil {
				col.Null = make([]bool, len(ts))
			}
			col.Null[i] = true
			ts[i] = 0
		}
	}
	return col
}

// allRows returns 0..n-1.
func allRows(n int) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(i)
	}
	return out
}
