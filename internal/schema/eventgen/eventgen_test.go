package eventgen_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/schema/eventgen"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

const ossemPath = "relationships/_all_ossem_relationships.yml"

// TestGeneratedUpToDate regenerates the event table in memory from the
// curated classes and ../shared/reference/ossem-dm and checks that the
// committed internal/schema/events.json is the same.
func TestGeneratedUpToDate(t *testing.T) {
	ossem, err := os.ReadFile(sharedtest.Path(t, "reference", "ossem-dm", ossemPath))
	if err != nil {
		t.Fatal(err)
	}
	classes, err := os.ReadFile(filepath.Join("..", "classes.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tab, err := eventgen.Generate(eventgen.Inputs{Classes: classes, ClassesPath: "internal/schema/classes.yaml",
		OSSEM: ossem, OSSEMPath: ossemPath, OSSEMCommit: "9f9373d86ab9dab66445ecbb0a0db1c3d440852f"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := eventgen.Marshal(tab)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join("..", "events.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, committed) {
		t.Fatal("internal/schema/events.json is out of date: run `go generate ./internal/schema`")
	}
	// OSSEM facts made it in: Sysmon 1, Security 4688 and the Defender
	// process event share the process_creation class.
	var pc *eventgen.Class
	for i := range tab.Classes {
		if tab.Classes[i].Name == "process_creation" {
			pc = &tab.Classes[i]
		}
	}
	if pc == nil {
		t.Fatal("no process_creation class")
	}
	want := map[string]string{"Sysmon/1": "", "Security/4688": "", "Defender-DeviceProcessEvents/ProcessCreated": ""}
	for _, e := range pc.Events {
		if _, ok := want[e.Provider+"/"+e.Event]; ok {
			want[e.Provider+"/"+e.Event] = e.Source
		}
	}
	for k, src := range want {
		if !strings.HasPrefix(src, "ossem:REL-") {
			t.Errorf("%s: source %q, want an OSSEM relationship", k, src)
		}
	}
}

const miniOSSEM = `
- relationship_id: REL-1
  name: Process created Process
  security_events:
  - {event_id: '4688', name: A new process has been created., channel: Security, log_source: Microsoft-Windows-Security-Auditing}
  - {event_id: '1', name: Process Creation., log_source: Microsoft-Windows-Sysmon}
  - {event_id: DeviceProcessEvents, name: DeviceProcessEvents, log_source: Microsoft Defender for Endpoint, filter_in: [{ActionType: ProcessCreated}]}
`

const miniHead = `
version: 1
providers:
  - {name: Security, title: Security}
  - {name: Sysmon, title: Sysmon}
  - {name: Defender-DeviceProcessEvents, title: Defender}
ossem_log_sources:
  Microsoft-Windows-Security-Auditing: Security
  Microsoft-Windows-Sysmon: Sysmon
  Microsoft Defender for Endpoint: Defender-
titles:
  Defender-DeviceProcessEvents/ProcessCreated: Process created
`

func TestGenerateErrors(t *testing.T) {
	for _, tc := range []struct {
		name, classes, want string
	}{
		{"ok", miniHead + "classes:\n  - {name: pc, title: PC, ossem: [REL-1]}\n", ""},
		{"pick", miniHead + "classes:\n  - {name: pc, title: PC, ossem: [\"REL-1:4688,ProcessCreated\"]}\n", ""},
		{"unknown relationship", miniHead + "classes:\n  - {name: pc, title: PC, ossem: [REL-2]}\n", "REL-2 not found"},
		{"unknown picked event", miniHead + "classes:\n  - {name: pc, title: PC, ossem: [\"REL-1:4689\"]}\n", `has no event "4689"`},
		{"unknown provider", miniHead + "classes:\n  - {name: pc, title: PC, events: [{provider: Nope, event: x, title: y}]}\n", `provider "Nope"`},
		{"unknown parent", miniHead + "classes:\n  - {name: pc, title: PC, parent: nope}\n", "unknown parent"},
		{"typo key", miniHead + "clases: []\n", "unknown top-level keys clases"},
		{"no title", miniHead + "classes:\n  - {name: pc, title: PC, events: [{provider: Sysmon, event: '99'}]}\n", "has no title"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := eventgen.Generate(eventgen.Inputs{Classes: []byte(tc.classes), ClassesPath: "classes.yaml", OSSEM: []byte(miniOSSEM), OSSEMPath: "ossem.yml"})
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if n := len(tab.Classes[0].Events); n != 3 && tc.name == "ok" || n != 2 && tc.name == "pick" {
					t.Errorf("%d events: %+v", n, tab.Classes[0].Events)
				}
				if _, err := eventgen.Marshal(tab); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}
