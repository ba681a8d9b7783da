package catalog

import (
	"strings"

	"github.com/detwiki/detwiki/internal/rule"
)

// EventSample is a sample of an event for its page: an event of a data set
// that rules matched when the catalog was built with events (rule.Runs), or
// a sample event a rule ships with (rule.Test). Its text is untrusted.
type EventSample struct {
	// Dataset is the event data set the event comes from ("" for a sample
	// event a rule ships with).
	Dataset string
	// Fields are the event's fields in event order (events of data sets).
	Fields []rule.SampleField
	// Text is the event as the rule ships it (JSON, for samples of rules).
	Text string
	// Rules matched the event, or ship it (at most maxSampleRules of them);
	// RulesTotal counts them all.
	Rules      []*Rule
	RulesTotal int
}

// maxSampleRules is the number of rules an EventSample lists.
const maxSampleRules = 5

// eventIDFields are the field names under which events of data sets carry
// their event id (Windows event logs, Sysmon, their ECS and OSSEM forms).
var eventIDFields = []string{"EventID", "EventCode", "event_id", "event.code", "winlog.event_id"}

// channelFields name the log an event was written to.
var channelFields = []string{"Channel", "channel", "winlog.channel", "SourceName", "Provider_Name", "provider_name"}

// sampleIs reports whether a sample of a data set is an event of e: its
// event id is e's, and the log it names, when it names one, is e's
// provider's (Microsoft-Windows-Sysmon/Operational for Sysmon).
func sampleIs(s rule.RunSample, e *EventStat) bool {
	id, channel := sampleIDs(s)
	if id == "" || !strings.EqualFold(id, e.Event) {
		return false
	}
	return channel == "" || strings.Contains(strings.ToLower(channel), strings.ToLower(e.Provider))
}

// sampleIsNot reports whether a sample says it is another event than e:
// e is numbered (Sysmon 1, Security 4688) and the sample's event id is
// another number. A sample of a rule that reads only e is e's unless it
// says otherwise (a Sigma rule of a log source category matches events of
// several ids).
func sampleIsNot(s rule.RunSample, e *EventStat) bool {
	id, _ := sampleIDs(s)
	return id != "" && isNumber(e.Event) && !strings.EqualFold(id, e.Event)
}

func isNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// sampleIDs returns the event id and the log a sample names ("" when not).
func sampleIDs(s rule.RunSample) (id, channel string) {
	for _, f := range s.Fields {
		for _, n := range eventIDFields {
			if id == "" && f.Name == n {
				id = f.Value
			}
		}
		for _, n := range channelFields {
			if channel == "" && f.Name == n {
				channel = f.Value
			}
		}
	}
	return id, channel
}

// directEvents returns the events a rule reads itself (not equivalents).
func directEvents(r *Rule) []rule.Event {
	var out []rule.Event
	for _, e := range r.Analysis.Events {
		if e.Via != rule.ViaEquivalent {
			out = append(out, e)
		}
	}
	return out
}

// EventSamples returns up to max distinct sample events of e: the events of
// data sets that the rules reading e (or an equivalent of it) matched, and
// the positive sample events that rules reading only e ship with. The
// samples of a rule that reads only e are e's unless their event id says
// otherwise; the samples of other rules are e's when their event id (and
// log) say so.
func (c *Catalog) EventSamples(e *EventStat, max int) []EventSample {
	var out []EventSample
	index := map[string]int{} // sample key -> position in out
	add := func(key string, s EventSample, r *Rule) {
		if i, ok := index[key]; ok {
			o := &out[i]
			if len(o.Rules) == 0 || o.Rules[len(o.Rules)-1] != r {
				if len(o.Rules) < maxSampleRules {
					o.Rules = append(o.Rules, r)
				}
				o.RulesTotal++
			}
			return
		}
		if len(out) >= max {
			return
		}
		index[key] = len(out)
		s.Rules, s.RulesTotal = []*Rule{r}, 1
		out = append(out, s)
	}
	only := func(r *Rule) bool {
		d := directEvents(r)
		return len(d) == 1 && d[0].Provider == e.Provider && d[0].Event == e.Event
	}
	for _, idx := range [][]int32{e.Rules, e.Equivalent} {
		for _, r := range c.RulesAt(idx) {
			if r.Runs != nil {
				single := only(r)
				for _, s := range r.Runs.Samples {
					if single && !sampleIsNot(s, e) || sampleIs(s, e) {
						add(sampleKey(s), EventSample{Dataset: s.Dataset, Fields: s.Fields}, r)
					}
				}
			}
			if only(r) {
				for _, t := range r.Tests {
					if t.Event != "" && t.Expect == "match" {
						add("\x00"+t.Event, EventSample{Text: t.Event}, r)
					}
				}
			}
		}
	}
	return out
}

// sampleKey identifies an event of a data set (two rules matching the same
// event give the same sample).
func sampleKey(s rule.RunSample) string {
	var b strings.Builder
	b.WriteString(s.Dataset)
	for _, f := range s.Fields {
		b.WriteByte(0)
		b.WriteString(f.Name)
		b.WriteByte(1)
		b.WriteString(f.Value)
	}
	return b.String()
}
