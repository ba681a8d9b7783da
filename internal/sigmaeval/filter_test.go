package sigmaeval

import (
	"reflect"
	"testing"

	"github.com/detwiki/detwiki/internal/lang/sigma"
)

// TestFilters: a filter meta-rule AND-s its condition into the rules it
// applies to (pySigma), on every lane with the lane's field names; its
// logsource must cover the rule's.
func TestFilters(t *testing.T) {
	f := sigma.Parse(`title: Whoami
id: 11111111-2222-4333-8444-555555555555
logsource:
    product: windows
    category: process_creation
detection:
    sel:
        Image|endswith: '\whoami.exe'
    condition: sel
---
title: Not the admins
logsource:
    product: windows
    category: process_creation
filter:
    rules:
        - 11111111-2222-4333-8444-555555555555
    selection:
        User|startswith: 'adm_'
    parent:
        ParentImage|endswith: '\mmc.exe'
    condition: not selection and not parent
---
title: Only on servers
logsource:
    product: linux
filter:
    rules: any
    selection:
        Computer: 'srv*'
    condition: selection
`)
	if len(f.Rules) != 3 {
		t.Fatalf("%d rules: %v", len(f.Rules), f.Diagnostics)
	}
	evs := lines(
		`{"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 1, "Image": "C:\\Windows\\System32\\whoami.exe", "User": "CORP\\bob", "ParentImage": "C:\\Windows\\explorer.exe"}`,
		`{"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 1, "Image": "C:\\Windows\\System32\\whoami.exe", "User": "adm_alice", "ParentImage": "C:\\Windows\\explorer.exe"}`,
		`{"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 1, "Image": "C:\\Windows\\System32\\whoami.exe", "User": "CORP\\bob", "ParentImage": "C:\\Windows\\System32\\mmc.exe"}`,
		// Security 4688: ParentImage is ParentProcessName there
		`{"Channel": "Security", "EventID": 4688, "NewProcessName": "C:\\Windows\\System32\\whoami.exe", "ParentProcessName": "C:\\Windows\\System32\\mmc.exe"}`,
		`{"Channel": "Security", "EventID": 4688, "NewProcessName": "C:\\Windows\\System32\\whoami.exe", "ParentProcessName": "C:\\Windows\\explorer.exe"}`,
	)
	match := func(r *Rule) []int32 {
		var rows []int32
		for _, b := range readBlocks(t, evs) {
			rows = append(rows, NewBlock(b, nil).Match(r, nil)...)
		}
		return rows
	}
	r := Compile(f.Rules[0], f.Lines, nil)
	if got := match(r); !reflect.DeepEqual(got, []int32{0, 1, 2, 3, 4}) {
		t.Fatalf("without the filter: rows %v", got)
	}
	admins := CompileFilter(f.Rules[1], f.Lines, nil)
	if !admins.Runnable() || !FilterApplies(f.Rules[1], f.Rules[0]) {
		t.Fatalf("filter: runnable %v, applies %v, %v", admins.Runnable(), FilterApplies(f.Rules[1], f.Rules[0]), admins.Diagnostics)
	}
	if refs, every := FilterRefs(f.Rules[1]); len(refs) != 1 || every {
		t.Errorf("refs %v, every %v", refs, every)
	}
	r.AddFilter(admins)
	if got := match(r); !reflect.DeepEqual(got, []int32{0, 4}) {
		t.Errorf("with the filter: rows %v, want [0 4]", got)
	}
	// a filter of another logsource does not apply; rules: any is every rule
	if FilterApplies(f.Rules[2], f.Rules[0]) {
		t.Error("a linux filter applies to a windows rule")
	}
	if _, every := FilterRefs(f.Rules[2]); !every {
		t.Error("rules: any is not every rule")
	}
	if FilterApplies(f.Rules[1], f.Rules[1]) {
		t.Error("a filter applies to a filter")
	}
}
