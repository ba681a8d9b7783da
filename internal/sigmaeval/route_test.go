package sigmaeval

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/lang/sigma"
)

// windowsEvents are flat (NXLog-style) Windows records of several channels,
// then (in a file of its own, as files have one shape) an EVTX-JSON document
// and, in a third, an event without a channel.
var windowsEvents = []string{lines(
	// 0: Sysmon 1
	`{"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 1, "Image": "C:\\Windows\\System32\\whoami.exe", "ParentImage": "C:\\Windows\\System32\\cmd.exe", "CommandLine": "whoami /all"}`,
	// 1: Security 4688
	`{"Channel": "Security", "EventID": 4688, "NewProcessName": "C:\\Windows\\System32\\whoami.exe", "ParentProcessName": "C:\\Windows\\System32\\cmd.exe", "CommandLine": "whoami /all"}`,
	// 2: Sysmon 3 with an Image too
	`{"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 3, "Image": "C:\\Windows\\System32\\whoami.exe", "DestinationIp": "10.0.0.1"}`,
	// 3: Sysmon 12 CreateKey, 4: Sysmon 12 DeleteKey, 5: Sysmon 13 SetValue
	`{"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 12, "EventType": "CreateKey", "TargetObject": "HKLM\\SOFTWARE\\Test"}`,
	`{"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 12, "EventType": "DeleteKey", "TargetObject": "HKLM\\SOFTWARE\\Test"}`,
	`{"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": "13", "EventType": "SetValue", "TargetObject": "HKLM\\SOFTWARE\\Test", "Details": "DWORD (0x00000001)"}`,
	// 6: Security 4624
	`{"Channel": "security", "EventID": 4624, "LogonType": "3", "TargetUserName": "alice"}`,
	// 7: System 7045
	`{"Channel": "System", "EventID": 7045, "SourceName": "Service Control Manager", "ServiceName": "evil", "ImagePath": "C:\\evil.exe"}`,
), lines(
	// 8: EVTX-JSON Sysmon 1
	`{"Event": {"System": {"Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}}, "EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": "wks"}, "EventData": {"Image": "C:\\Tools\\whoami.exe", "CommandLine": "whoami"}}}`,
), lines(
	// 9: no channel
	`{"Image": "C:\\x\\whoami.exe", "eventName": "ConsoleLogin"}`,
), lines(
	// 10: a Sysmon event without an event ID, in a block of its own: in
	// no lane that names event IDs (it was in all of them)
	`{"Channel": "Microsoft-Windows-Sysmon/Operational", "Image": "C:\\x\\whoami.exe"}`,
)}

func TestRouting(t *testing.T) {
	rule := func(logsource, detection string) string {
		return "title: t\nlogsource:\n" + logsource + "detection:\n" + detection
	}
	whoami := "    sel:\n        Image|endswith: '\\whoami.exe'\n    condition: sel\n"
	tests := []struct {
		name      string
		logsource string
		detection string
		want      []int32
		problem   bool
	}{
		{"process_creation runs on Sysmon 1 and Security 4688 (renamed)", "    product: windows\n    category: process_creation\n", whoami, []int32{0, 1, 8, 9}, false},
		{"4688 ParentProcessName is ParentImage", "    product: windows\n    category: process_creation\n",
			"    sel:\n        ParentImage|endswith: '\\cmd.exe'\n    condition: sel\n", []int32{0, 1}, false},
		{"network_connection runs on Sysmon 3", "    product: windows\n    category: network_connection\n", whoami, []int32{2, 9}, false},
		{"registry_add takes CreateKey only", "    product: windows\n    category: registry_add\n",
			"    sel:\n        TargetObject|contains: '\\Test'\n    condition: sel\n", []int32{3}, false},
		{"registry_delete takes Sysmon 12", "    product: windows\n    category: registry_delete\n",
			"    sel:\n        TargetObject|contains: '\\Test'\n    condition: sel\n", []int32{3, 4}, false},
		{"registry_event takes 12, 13 and 14", "    product: windows\n    category: registry_event\n",
			"    sel:\n        TargetObject|contains: '\\Test'\n    condition: sel\n", []int32{3, 4, 5}, false},
		{"service security is the Security channel, any case", "    product: windows\n    service: security\n",
			"    sel:\n        EventID:\n            - 4624\n            - 4688\n    condition: sel\n", []int32{1, 6}, false},
		{"service system with Provider_Name", "    product: windows\n    service: system\n",
			"    sel:\n        Provider_Name: 'Service Control Manager'\n        EventID: 7045\n    condition: sel\n", []int32{7}, false},
		{"service sysmon is every Sysmon event", "    product: windows\n    service: sysmon\n",
			"    sel:\n        Image|endswith: '\\whoami.exe'\n    condition: sel\n", []int32{0, 2, 8, 9, 10}, false},
		{"product windows alone: every Windows event", "    product: windows\n",
			"    sel:\n        EventID: 1\n    condition: sel\n", []int32{0, 8}, false},
		{"Computer is the system property", "    product: windows\n    category: process_creation\n",
			"    sel:\n        Computer: WKS\n    condition: sel\n", []int32{8}, false},
		{"an unknown windows service runs on channel-less events only", "    product: windows\n    service: no-such-service\n", whoami, []int32{9}, true},
		{"a cloud rule runs on channel-less events", "    product: aws\n    service: cloudtrail\n",
			"    sel:\n        eventName: ConsoleLogin\n    condition: sel\n", []int32{9}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sr, lines := parseRule(t, rule(tc.logsource, tc.detection))
			r := Compile(sr, lines, nil)
			if got := r.Route().Problem != ""; got != tc.problem {
				t.Errorf("route problem %q", r.Route().Problem)
			}
			var got []int32
			base := int32(0)
			for _, file := range windowsEvents {
				for _, b := range readBlocks(t, file) {
					for _, row := range NewBlock(b, nil).Match(r, nil) {
						got = append(got, base+row)
					}
					base += int32(b.Len)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("rows %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRouterLanes(t *testing.T) {
	r := DefaultRouter()
	tests := []struct {
		ls   sigma.Logsource
		want []string
	}{
		{sigma.Logsource{Product: "windows", Category: "process_creation"}, []string{"Security 4688", "Sysmon 1"}},
		{sigma.Logsource{Product: "windows", Category: "ps_script"}, []string{"PowerShell 4104"}},
		{sigma.Logsource{Product: "windows", Category: "ps_classic_start"}, []string{"PowerShell-Classic 400"}},
		{sigma.Logsource{Product: "windows", Category: "file_event"}, []string{"Sysmon 11"}},
		{sigma.Logsource{Product: "windows", Category: "dns_query"}, []string{"Sysmon 22"}},
		{sigma.Logsource{Product: "windows", Category: "pipe_created"}, []string{"Sysmon 17", "Sysmon 18"}},
		{sigma.Logsource{Product: "linux", Category: "process_creation"}, []string{"Sysmon-Linux 1"}},
		{sigma.Logsource{Product: "windows", Service: "applocker"}, []string{"applocker"}},
		{sigma.Logsource{Product: "windows", Service: "windefend"}, []string{"Windows-Defender"}},
		{sigma.Logsource{Product: "aws", Service: "cloudtrail"}, nil},
	}
	for _, tc := range tests {
		var got []string
		for _, l := range r.Route(tc.ls).Lanes {
			got = append(got, l.Name)
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: lanes %v, want %v", tc.ls.Table(), got, tc.want)
		}
	}
	sec := r.Route(sigma.Logsource{Product: "windows", Category: "process_creation"})
	for _, l := range sec.Lanes {
		if l.Provider == "Security" && l.Renames["Image"] != "NewProcessName" {
			t.Errorf("4688 renames %v", l.Renames)
		}
	}
	ps := r.Route(sigma.Logsource{Product: "windows", Service: "powershell"})
	if len(ps.Lanes) != 1 || strings.Join(ps.Lanes[0].Channels, ",") != "microsoft-windows-powershell/operational,powershellcore/operational" {
		t.Errorf("powershell channels %v", ps.Lanes)
	}
}

func TestRouterRejectsBadFacts(t *testing.T) {
	r := DefaultRouter()
	for _, bad := range []string{
		"taxonomy_providers: {windows: [NoSuchProvider]}\n",
		"renamed_providers: [{provider: Nobody, schema: windows, context: security}]\n",
		"system_fields: {EventID: NoSuchProperty}\n",
		"unknown_key: 1\n",
	} {
		if _, err := NewRouter(r.catalog, r.fields, []byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
