package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/sharedtest"
)

func runSchemaCmd(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return out.String() + errb.String(), code
}

func TestEventsCommand(t *testing.T) {
	out, code := runSchemaCmd(t, "events", "create_remote_thread")
	if code != 0 || !strings.Contains(out, "CreateRemoteThreadApiCall") || !strings.Contains(out, "Sysmon") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if out, code := runSchemaCmd(t, "events", "no_such_class"); code != 2 || !strings.Contains(out, "unknown event class") {
		t.Errorf("unknown class: exit %d:\n%s", code, out)
	}
	if out, code := runSchemaCmd(t, "events", "--provider", "Sysmn"); code != 2 || !strings.Contains(out, "unknown provider") {
		t.Errorf("unknown provider: exit %d:\n%s", code, out)
	}
	if out, code := runSchemaCmd(t, "events", "--provider", "sysmon", "process_creation"); code != 0 || !strings.Contains(out, "Sysmon") {
		t.Errorf("provider in another case: exit %d:\n%s", code, out)
	}
	out, _ = runSchemaCmd(t, "events", "--providers")
	for _, p := range []string{"Threat-Intelligence", "Defender-DeviceEvents", "UDM"} {
		if !strings.Contains(out, p) {
			t.Errorf("--providers lacks %s", p)
		}
	}
}

func TestFieldsCommand(t *testing.T) {
	out, code := runSchemaCmd(t, "fields", "--table")
	if code != 0 || !strings.Contains(out, "InitiatingProcessFileName") || !strings.Contains(out, "process.parent.name") {
		t.Fatalf("--table: exit %d", code)
	}
	rule := sharedtest.Path(t, "corpus", "sigma", "rules", "windows", "process_creation", "proc_creation_win_mmc_mmc20_lateral_movement.yml")
	out, code = runSchemaCmd(t, "fields", rule)
	if code != 0 || !strings.Contains(out, "sigma: 1 rules") || !strings.Contains(out, "process.parent.executable") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	out, code = runSchemaCmd(t, "fields", "--unmapped", "--format", "json", rule)
	var uses []fieldUse
	if code != 0 || json.Unmarshal([]byte(out), &uses) != nil || len(uses) != 0 {
		t.Fatalf("--unmapped: exit %d, %d fields:\n%s", code, len(uses), out)
	}
}

// TestFieldsBadFlags: an unknown --format or --language is refused before
// anything is read, and a long field name does not widen the text table.
func TestFieldsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"fields", "--format", "xml", "missing"}, {"fields", "--language", "kql", "missing"}} {
		out, code := runSchemaCmd(t, args...)
		if code != 2 || !strings.Contains(out, "unknown --") || strings.Contains(out, "missing") {
			t.Errorf("%v: exit %d:\n%s", args, code, out)
		}
	}
	long := strings.Repeat("ml.link_analysis(body.links[]).", 10)
	if got := shortField(long); utf8.RuneCountInString(got) != maxFieldWidth || !strings.HasSuffix(got, "…") {
		t.Errorf("shortField = %q", got)
	}
	if got := shortField("sender.email.domain.root_domain"); got != "sender.email.domain.root_domain" {
		t.Errorf("short name changed: %q", got)
	}
}
