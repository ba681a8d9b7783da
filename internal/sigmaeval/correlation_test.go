package sigmaeval

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/detwiki/detwiki/internal/lang/sigma"
)

// logonEvents: failed logons for alice (five within two minutes, two more
// an hour later) and bob (two), then successful logons, network
// connections and bytes sent.
var logonEvents = lines(
	`{"EventID": 4625, "TargetUserName": "alice", "IpAddress": "10.0.0.5", "TimeCreated": "2024-01-01T10:00:00Z"}`,
	`{"EventID": 4625, "TargetUserName": "alice", "IpAddress": "10.0.0.6", "TimeCreated": "2024-01-01T10:00:30Z"}`,
	`{"EventID": 4625, "TargetUserName": "alice", "IpAddress": "10.0.0.5", "TimeCreated": "2024-01-01T10:01:00Z"}`,
	`{"EventID": 4625, "TargetUserName": "alice", "IpAddress": "10.0.0.7", "TimeCreated": "2024-01-01T10:01:30Z"}`,
	`{"EventID": 4625, "TargetUserName": "alice", "IpAddress": "10.0.0.5", "TimeCreated": "2024-01-01T10:02:00Z"}`,
	`{"EventID": 4625, "TargetUserName": "bob", "IpAddress": "10.0.0.9", "TimeCreated": "2024-01-01T10:00:10Z"}`,
	`{"EventID": 4625, "TargetUserName": "bob", "IpAddress": "10.0.0.9", "TimeCreated": "2024-01-01T10:00:20Z"}`,
	`{"EventID": 4624, "TargetUserName": "alice", "IpAddress": "10.0.0.5", "TimeCreated": "2024-01-01T10:03:00Z"}`,
	`{"EventID": 4624, "TargetUserName": "bob", "IpAddress": "10.0.0.9", "TimeCreated": "2024-01-01T09:59:00Z"}`,
	`{"EventID": 4625, "TargetUserName": "alice", "IpAddress": "10.0.0.5", "TimeCreated": "2024-01-01T11:00:00Z"}`,
	`{"EventID": 4625, "TargetUserName": "alice", "IpAddress": "10.0.0.5", "TimeCreated": "2024-01-01T11:00:05Z"}`,
	`{"EventID": 3, "SourceIp": "10.0.0.5", "DestinationIp": "10.0.0.1", "TimeCreated": "2024-01-01T10:03:05Z"}`,
	`{"EventID": 99, "User": "carol", "BytesSent": "600", "TimeCreated": "2024-01-01T12:00:00Z"}`,
	`{"EventID": 99, "User": "carol", "BytesSent": "700", "TimeCreated": "2024-01-01T12:10:00Z"}`,
	`{"EventID": 99, "User": "dave", "BytesSent": "100", "TimeCreated": "2024-01-01T12:10:00Z"}`,
)

const correlationRules = `title: Failed logon
name: failed_logon
logsource:
    product: test
detection:
    sel:
        EventID: 4625
    condition: sel
---
title: Successful logon
name: successful_logon
id: 7a8e0b6c-0000-4000-8000-000000000001
logsource:
    product: test
detection:
    sel:
        EventID: 4624
    condition: sel
---
title: Network connection
name: network_connection
logsource:
    product: test
detection:
    sel:
        EventID: 3
    condition: sel
---
title: Bytes
name: bytes_sent
logsource:
    product: test
detection:
    sel:
        EventID: 99
    condition: sel
---
title: Many failed logons
name: many_failed
correlation:
    type: event_count
    rules: failed_logon
    group-by: [TargetUserName]
    timespan: 5m
    condition:
        gte: 4
---
title: Failed logons from many addresses
correlation:
    type: value_count
    rules: [failed_logon]
    group-by: [TargetUserName]
    timespan: 5m
    condition:
        field: IpAddress
        gte: 3
---
title: Failed then successful, any order
correlation:
    type: temporal
    rules: [failed_logon, 7a8e0b6c-0000-4000-8000-000000000001]
    group-by: [TargetUserName]
    timespan: 10m
---
title: Failed then successful, in order
correlation:
    type: temporal_ordered
    rules: [failed_logon, successful_logon]
    group-by: [TargetUserName]
    timespan: 10m
---
title: Logon then connection from the same address
correlation:
    type: temporal_ordered
    rules: [successful_logon, network_connection]
    group-by: [ip]
    timespan: 1m
    aliases:
        ip:
            successful_logon: IpAddress
            network_connection: SourceIp
---
title: Many failed logons then a successful one (chained)
correlation:
    type: temporal_ordered
    rules: [many_failed, successful_logon]
    group-by: [TargetUserName]
    timespan: 10m
---
title: Exfiltration
correlation:
    type: value_sum
    rules: [bytes_sent]
    group-by: [User]
    timespan: 1h
    condition:
        field: BytesSent
        gt: 1000
---
title: Average
correlation:
    type: value_avg
    rules: [bytes_sent]
    group-by: [User]
    timespan: 1h
    condition:
        field: BytesSent
        lt: 200
---
title: Rare address
correlation:
    type: value_percentile
    rules: [failed_logon]
    group-by: [TargetUserName]
    timespan: 5m
    condition:
        field: IpAddress
        lte: 20
---
title: Broken reference
correlation:
    type: event_count
    rules: [no_such_rule]
    group-by: [User]
    timespan: 5m
    condition:
        gte: 1
`

func TestCorrelations(t *testing.T) {
	f := sigma.Parse(correlationRules)
	byRef := map[string]any{}
	var rules []*Rule
	var corrs []*Correlation
	for _, sr := range f.Rules {
		if sr.Kind == sigma.KindDetection {
			r := Compile(sr, f.Lines, nil)
			rules = append(rules, r)
			byRef[sr.Name] = r
			if sr.ID != "" {
				byRef[sr.ID] = r
			}
		}
	}
	for _, sr := range f.Rules {
		if sr.Kind == sigma.KindCorrelation {
			c := CompileCorrelation(sr, f.Lines, func(ref string) any { return byRef[ref] })
			corrs = append(corrs, c)
			if sr.Name != "" {
				byRef[sr.Name] = c
			}
		}
	}
	run := NewRun(corrs)
	for _, b := range readBlocks(t, logonEvents) {
		blk := NewBlock(b, nil)
		for _, r := range rules {
			run.Observe(blk, r, blk.Match(r, nil))
		}
	}
	alerts, _ := run.Finish()
	got := map[string][]string{}
	for _, c := range corrs {
		if !c.Runnable() {
			got[c.Source.Title] = []string{"not runnable: " + c.Diagnostics[0].Message}
			continue
		}
		for _, a := range alerts[c] {
			got[c.Source.Title] = append(got[c.Source.Title], strings.Join(a.Group, "/")+" "+a.Start.Format("15:04:05")+"-"+a.End.Format("15:04:05")+" "+ftoa(a.Value))
		}
	}
	want := map[string][]string{
		"Many failed logons":                                 {"alice 10:00:00-10:02:00 5"},
		"Failed logons from many addresses":                  {"alice 10:00:00-10:02:00 3"},
		"Failed then successful, any order":                  {"alice 10:00:00-10:03:00 2", "bob 09:59:00-10:00:20 2"},
		"Failed then successful, in order":                   {"alice 10:00:00-10:03:00 2"},
		"Logon then connection from the same address":        {"10.0.0.5 10:03:00-10:03:05 2"},
		"Many failed logons then a successful one (chained)": {"alice 10:02:00-10:03:00 2"},
		"Exfiltration":     {"carol 12:00:00-12:10:00 1300"},
		"Average":          {"dave 12:10:00-12:10:00 100"},
		"Rare address":     {"alice 10:00:00-10:02:00 20"},
		"Broken reference": {`not runnable: the correlation references "no_such_rule", which is no rule given`},
	}
	for k := range want {
		if !reflect.DeepEqual(got[k], want[k]) {
			t.Errorf("%s: %q, want %q", k, got[k], want[k])
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected alerts of %s: %q", k, got[k])
		}
	}
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// BenchmarkCorrelationWindows slides value_count windows over 100,000
// events of one group that never satisfy the condition (the worst case of a
// window that is tried from every event): linear in the events.
func BenchmarkCorrelationWindows(b *testing.B) {
	c := &Correlation{typ: "value_count", window: time.Hour, conds: []countCond{{op: "gte", value: 1e9}}, refs: []corrRef{{}}, ok: true}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	evs := make([]corrEvent, 100000)
	for i := range evs {
		evs[i] = corrEvent{t: base.Add(time.Duration(i) * time.Second), value: strconv.Itoa(i % 5000)}
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if got := c.evaluate(append([]corrEvent(nil), evs...)); len(got) != 0 {
			b.Fatal(got)
		}
	}
}
