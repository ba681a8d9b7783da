package schema_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/schema"
)

// equivalent reports whether event b is among the equivalents of event a.
func equivalent(c *schema.Catalog, ap, ae, bp, be string) bool {
	for _, cl := range c.ClassesOf(ap, ae) {
		for _, ce := range c.Equivalents(cl) {
			if strings.EqualFold(ce.Event.Provider, bp) && strings.EqualFold(ce.Event.Event, be) {
				return true
			}
		}
	}
	return false
}

func TestEventEquivalences(t *testing.T) {
	c := schema.Events()
	for _, tc := range []struct {
		a, b [2]string
		want bool
	}{
		// FalconFriday example pages.
		{[2]string{"Defender-DeviceEvents", "CreateRemoteThreadApiCall"}, [2]string{"Sysmon", "8"}, true},
		{[2]string{"Sysmon", "8"}, [2]string{"Defender-DeviceEvents", "CreateRemoteThreadApiCall"}, true},
		{[2]string{"Sysmon", "1"}, [2]string{"Security", "4688"}, true},
		{[2]string{"Security", "4688"}, [2]string{"Defender-DeviceProcessEvents", "ProcessCreated"}, true},
		{[2]string{"Defender-DeviceProcessEvents", "ProcessCreated"}, [2]string{"Sysmon", "1"}, true},
		{[2]string{"Defender-DeviceEvents", "NtAllocateVirtualMemoryRemoteApiCall"}, [2]string{"Threat-Intelligence", "1"}, true},
		{[2]string{"Defender-DeviceEvents", "NtMapViewOfSectionRemoteApiCall"}, [2]string{"Threat-Intelligence", "3"}, true},
		{[2]string{"Defender-DeviceEvents", "QueueUserApcRemoteApiCall"}, [2]string{"Threat-Intelligence", "4"}, true},
		{[2]string{"Defender-DeviceEvents", "SetThreadContextRemoteApiCall"}, [2]string{"Threat-Intelligence", "5"}, true},
		// Siblings are not equivalent: an APC queue is no section map.
		{[2]string{"Threat-Intelligence", "4"}, [2]string{"Threat-Intelligence", "3"}, false},
		{[2]string{"Sysmon", "8"}, [2]string{"Sysmon", "1"}, false},
		// A broad event covers its narrower ones, and they it.
		{[2]string{"UDM", "PROCESS_INJECTION"}, [2]string{"Threat-Intelligence", "1"}, true},
		{[2]string{"Sysmon", "8"}, [2]string{"UDM", "PROCESS_INJECTION"}, true},
		{[2]string{"Sysmon", "13"}, [2]string{"Defender-DeviceRegistryEvents", "RegistryValueSet"}, true},
		{[2]string{"Sysmon", "13"}, [2]string{"Security", "4657"}, true},
		{[2]string{"Sysmon", "13"}, [2]string{"CIM", "Endpoint.Registry"}, true},
		{[2]string{"Sysmon", "13"}, [2]string{"Sysmon", "14"}, false},
		{[2]string{"Sysmon", "22"}, [2]string{"Defender-DeviceEvents", "DnsQueryResponse"}, true},
		{[2]string{"Sysmon", "3"}, [2]string{"Defender-DeviceNetworkEvents", "ConnectionSuccess"}, true},
		{[2]string{"Sysmon", "3"}, [2]string{"Security", "5156"}, true},
		{[2]string{"Sysmon", "7"}, [2]string{"Defender-DeviceImageLoadEvents", "ImageLoaded"}, true},
		{[2]string{"Sysmon", "10"}, [2]string{"Defender-DeviceEvents", "OpenProcessApiCall"}, true},
		{[2]string{"Sysmon", "11"}, [2]string{"Defender-DeviceFileEvents", "FileCreated"}, true},
		{[2]string{"Sysmon", "23"}, [2]string{"Defender-DeviceFileEvents", "FileDeleted"}, true},
		{[2]string{"Sysmon", "6"}, [2]string{"Defender-DeviceEvents", "DriverLoaded"}, true},
		{[2]string{"Sysmon", "19"}, [2]string{"Defender-DeviceEvents", "WmiBindEventFilterToConsumer"}, true},
		{[2]string{"PowerShell", "4104"}, [2]string{"Sigma", "ps_script"}, true},
		{[2]string{"PowerShell", "4103"}, [2]string{"Defender-DeviceEvents", "PowerShellCommand"}, true},
		{[2]string{"Security", "4697"}, [2]string{"System", "7045"}, true},
		{[2]string{"System", "7045"}, [2]string{"Defender-DeviceEvents", "ServiceInstalled"}, true},
		{[2]string{"Security", "4698"}, [2]string{"Defender-DeviceEvents", "ScheduledTaskCreated"}, true},
		{[2]string{"Security", "4624"}, [2]string{"Defender-DeviceLogonEvents", "LogonSuccess"}, true},
		{[2]string{"Security", "4624"}, [2]string{"Security", "4625"}, false},
		{[2]string{"Security", "4720"}, [2]string{"Defender-DeviceEvents", "UserAccountCreated"}, true},
		{[2]string{"Security", "4728"}, [2]string{"Security", "4732"}, true},
		{[2]string{"Security", "4728"}, [2]string{"Security", "4729"}, false},
		{[2]string{"Security", "1102"}, [2]string{"System", "104"}, true},
		{[2]string{"Sigma", "process_creation"}, [2]string{"UDM", "PROCESS_LAUNCH"}, true},
		{[2]string{"Sigma", "process_creation"}, [2]string{"CIM", "Endpoint.Processes"}, true},
		{[2]string{"Sigma", "process_creation"}, [2]string{"ECS", "process/start"}, true},
		{[2]string{"Sigma", "registry_event"}, [2]string{"Sysmon", "14"}, true},
		{[2]string{"CloudTrail", "StopLogging"}, [2]string{"CloudTrail", "DeleteTrail"}, true},
		{[2]string{"CloudTrail", "ConsoleLogin"}, [2]string{"Okta", "user.session.start"}, true},
		{[2]string{"Sublime-MDM", "inbound"}, [2]string{"Defender-EmailEvents", "*"}, true},
		{[2]string{"Sublime-MDM", "outbound"}, [2]string{"Defender-EmailEvents", "*"}, true},
		{[2]string{"Sublime-MDM", "internal"}, [2]string{"ECS", "email"}, true},
		{[2]string{"Sublime-MDM", "inbound"}, [2]string{"Sublime-MDM", "outbound"}, false},
		{[2]string{"Sublime-MDM", "outbound"}, [2]string{"Sublime-MDM", "internal"}, false},
	} {
		if got := equivalent(c, tc.a[0], tc.a[1], tc.b[0], tc.b[1]); got != tc.want {
			t.Errorf("%s/%s ~ %s/%s = %v, want %v", tc.a[0], tc.a[1], tc.b[0], tc.b[1], got, tc.want)
		}
	}
}

// The Sysmon pipeline's category -> event ID facts are all in the table.
func TestSigmaCategoriesHaveSysmonEvents(t *testing.T) {
	c := schema.Events()
	for cat, ids := range map[string][]string{
		"process_creation": {"1"}, "file_change": {"2"}, "network_connection": {"3"}, "process_termination": {"5"},
		"driver_load": {"6"}, "image_load": {"7"}, "create_remote_thread": {"8"}, "raw_access_thread": {"9"},
		"process_access": {"10"}, "file_event": {"11"}, "registry_add": {"12"}, "registry_delete": {"12"},
		"registry_set": {"13"}, "registry_rename": {"14"}, "create_stream_hash": {"15"}, "pipe_created": {"17", "18"},
		"wmi_event": {"19", "20", "21"}, "dns_query": {"22"}, "file_delete": {"23", "26"}, "clipboard_capture": {"24"},
		"process_tampering": {"25"}, "file_block_executable": {"27"}, "file_block_shredding": {"28"},
		"file_executable_detected": {"29"}, "sysmon_status": {"4", "16"}, "sysmon_error": {"255"},
		"ps_module": nil, "ps_script": nil, "ps_classic_start": nil,
	} {
		cl := c.ClassOfSigma(cat)
		if cl == nil {
			t.Errorf("Sigma category %s has no class", cat)
			continue
		}
		for _, id := range ids {
			if !equivalent(c, "Sigma", cat, "Sysmon", id) {
				t.Errorf("Sigma %s: Sysmon %s is not among its equivalents", cat, id)
			}
		}
	}
	for cat, id := range map[string]string{"ps_module": "4103", "ps_script": "4104"} {
		if !equivalent(c, "Sigma", cat, "PowerShell", id) {
			t.Errorf("Sigma %s: PowerShell %s missing", cat, id)
		}
	}
	for cat, id := range map[string]string{"ps_classic_start": "400", "ps_classic_provider_start": "600", "ps_classic_script": "800"} {
		if !equivalent(c, "Sigma", cat, "PowerShell-Classic", id) {
			t.Errorf("Sigma %s: PowerShell-Classic %s missing", cat, id)
		}
	}
}

func TestCatalogConsistency(t *testing.T) {
	c := schema.Events()
	if len(c.Classes) < 80 || len(c.Providers) < 40 {
		t.Errorf("%d classes, %d providers: table shrank", len(c.Classes), len(c.Providers))
	}
	for _, cl := range c.Classes {
		if cl.Title == "" || len(cl.Events) == 0 {
			t.Errorf("class %s: title %q, %d events", cl.Name, cl.Title, len(cl.Events))
		}
		for _, e := range cl.Events {
			if e.Title == "" || e.Source == "" {
				t.Errorf("class %s: event %s/%s lacks title or source", cl.Name, e.Provider, e.Event)
			}
		}
	}
	// Every provider is documented.
	docs, err := os.ReadFile(filepath.Join("..", "..", "docs", "schema.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range c.ProviderNames() {
		if strings.HasPrefix(p, "Defender-") {
			continue // documented as Defender-<Table>
		}
		if !strings.Contains(string(docs), "`"+p+"`") {
			t.Errorf("provider %s is not documented in docs/schema.md", p)
		}
	}
}

func TestFieldMappings(t *testing.T) {
	ft := schema.Fields()
	for _, tc := range []struct {
		schema  string
		context []string
		field   string
		want    string
	}{
		// Defender XDR: the initiating process is the parent in
		// DeviceProcessEvents and the actor elsewhere.
		{"defender", []string{"DeviceProcessEvents"}, "InitiatingProcessFileName", "process.parent.name"},
		{"defender", []string{"DeviceProcessEvents"}, "FileName", "process.name"},
		{"defender", []string{"DeviceProcessEvents"}, "ProcessCommandLine", "process.command_line"},
		{"defender", []string{"DeviceProcessEvents"}, "FolderPath", "process.executable"},
		{"defender", []string{"DeviceProcessEvents"}, "InitiatingProcessCommandLine", "process.parent.command_line"},
		{"defender", []string{"DeviceProcessEvents"}, "ProcessVersionInfoOriginalFileName", "process.pe.original_file_name"},
		{"defender", []string{"DeviceProcessEvents"}, "InitiatingProcessParentFileName", ""},
		{"defender", []string{"DeviceEvents"}, "InitiatingProcessFileName", "process.name"},
		{"defender", []string{"DeviceNetworkEvents"}, "InitiatingProcessParentFileName", "process.parent.name"},
		{"defender", []string{"DeviceFileEvents"}, "FileName", "file.name"},
		{"defender", []string{"DeviceFileEvents"}, "FolderPath", "file.path"},
		{"defender", []string{"DeviceImageLoadEvents"}, "FileName", "dll.name"},
		{"defender", []string{"DeviceNetworkEvents"}, "RemoteIP", "destination.ip"},
		{"defender", []string{"DeviceNetworkEvents"}, "RemoteUrl", "destination.domain"},
		{"defender", []string{"DeviceLogonEvents"}, "RemoteIP", "source.ip"},
		{"defender", []string{"DeviceRegistryEvents"}, "RegistryKey", "registry.path"},
		{"defender", []string{"DeviceRegistryEvents"}, "RegistryValueData", "registry.data.strings"},
		{"defender", nil, "DeviceName", "host.name"},
		{"defender", nil, "actiontype", "event.action"}, // case-insensitive
		{"defender", []string{"EmailEvents"}, "SenderFromAddress", "email.from.address"},
		// Sysmon / Sigma taxonomy, per category.
		{"windows", []string{"process_creation"}, "Image", "process.executable"},
		{"windows", []string{"process_creation"}, "ParentImage", "process.parent.executable"},
		{"windows", []string{"process_creation"}, "OriginalFileName", "process.pe.original_file_name"},
		{"windows", []string{"image_load"}, "OriginalFileName", "dll.pe.original_file_name"},
		{"windows", []string{"file_event"}, "TargetFilename", "file.path"},
		{"windows", []string{"registry_set"}, "TargetObject", "registry.path"},
		{"windows", []string{"registry_set"}, "Details", "registry.data.strings"},
		{"windows", []string{"network_connection"}, "DestinationIp", "destination.ip"},
		{"windows", []string{"network_connection"}, "Initiated", "network.direction"},
		{"windows", []string{"dns_query"}, "QueryName", "dns.question.name"},
		{"windows", []string{"ps_script"}, "ScriptBlockText", "powershell.file.script_block_text"},
		{"windows", []string{"process_access"}, "GrantedAccess", "winlog.event_data.GrantedAccess"},
		// SecurityEvent 4688.
		{"windows", []string{"security"}, "NewProcessName", "process.executable"},
		{"windows", []string{"security"}, "ParentProcessName", "process.parent.executable"},
		{"windows", []string{"security"}, "CommandLine", "process.command_line"},
		{"windows", []string{"security"}, "SubjectUserName", "user.name"},
		{"windows", []string{"security"}, "LogonType", "winlog.logon.type"},
		// ASIM.
		{"asim", []string{"ProcessEvent"}, "TargetProcessCommandLine", "process.command_line"},
		{"asim", []string{"ProcessEvent"}, "ActingProcessName", "process.parent.executable"},
		{"asim", nil, "ActingProcessName", "process.executable"},
		{"asim", nil, "DnsQuery", "dns.question.name"},
		// Splunk CIM.
		{"cim", []string{"Processes"}, "parent_process_name", "process.parent.name"},
		{"cim", []string{"Processes"}, "process_name", "process.name"},
		{"cim", []string{"Processes"}, "process", "process.command_line"},
		{"cim", []string{"Processes"}, "parent_process_path", "process.parent.executable"},
		{"cim", []string{"Processes"}, "process_integrity_level", "winlog.event_data.IntegrityLevel"},
		{"cim", []string{"Registry"}, "registry_value_data", "registry.data.strings"},
		{"cim", []string{"Filesystem"}, "file_path", "file.path"},
		{"cim", []string{"Web"}, "http_user_agent", "user_agent.original"},
		{"cim", []string{"DNS"}, "query", "dns.question.name"},
		{"cim", []string{"All_Traffic"}, "dest_port", "destination.port"},
		// Chronicle UDM.
		{"udm", []string{"launch"}, "principal.process.file.full_path", "process.parent.executable"},
		{"udm", []string{"launch"}, "target.process.command_line", "process.command_line"},
		{"udm", []string{"actor"}, "principal.process.command_line", "process.command_line"},
		{"udm", nil, "network.dns.questions.name", "dns.question.name"},
		{"udm", nil, "target.registry.registry_key", "registry.path"},
		// Panther / cloud.
		{"cloudtrail", nil, "eventName", "event.action"},
		{"cloudtrail", nil, "sourceIPAddress", "source.ip"},
		{"okta", nil, "client.ipAddress", "source.ip"},
		{"gcp-audit", nil, "protoPayload.methodName", "event.action"},
		{"sentinel", []string{"AWSCloudTrail"}, "EventName", "event.action"},
		{"sentinel", []string{"SigninLogs"}, "IPAddress", "source.ip"},
		// Sublime.
		{"sublime", nil, "subject.subject", "email.subject"},
		{"sublime", nil, "headers.reply_to.email.email", "email.reply_to.address"},
	} {
		s := ft.Schema(tc.schema)
		if s == nil {
			t.Fatalf("no schema %s", tc.schema)
		}
		mp, ok := s.Lookup(tc.context, tc.field)
		if tc.want == "" && ok && mp.ECS != "" || tc.want != "" && mp.ECS != tc.want {
			t.Errorf("%s%v %s = %q (%s), want %q", tc.schema, tc.context, tc.field, mp.ECS, mp.Via, tc.want)
		}
	}
}

// Composed facts say which Sigma field and backend they come from.
func TestFieldCompositionThroughSigma(t *testing.T) {
	ft := schema.Fields()
	mp, ok := ft.Schema("defender").Lookup([]string{"DeviceProcessEvents"}, "LogonId")
	if !ok || mp.Via != "sigma LogonId (kusto)" {
		t.Errorf("LogonId: %+v, %v", mp, ok)
	}
	mp, _ = ft.Schema("cim").Lookup([]string{"Processes"}, "process_integrity_level")
	if mp.Via != "sigma IntegrityLevel (splunk)" {
		t.Errorf("process_integrity_level: %+v", mp)
	}
	if len(ft.Conflicts) == 0 {
		t.Error("expected the documented conflicts (e.g. CIM DNS reply_code_id)")
	}
	for _, c := range ft.Conflicts {
		if c.Direct == "" || c.Composed == "" {
			t.Errorf("bad conflict %+v", c)
		}
	}
	var total int
	for _, s := range ft.Schemas {
		total += s.Len()
	}
	if total < 700 {
		t.Errorf("%d field mappings: table shrank", total)
	}
	if !slices.ContainsFunc(ft.Sources, func(s schema.FieldSource) bool {
		return s.Repo == "AttackIQ/pySigma-backend-kusto" && len(s.Commit) == 40
	}) {
		t.Error("kusto backend source and commit missing")
	}
}

func TestParseFieldsErrors(t *testing.T) {
	for _, tc := range []struct{ data, want string }{
		{"version: 1\nschemaz: []\n", "unknown top-level keys"},
		{"sources: [{id: a}]\nschemas: [{name: windows, source: [b]}]\n", `unknown source "b"`},
		{"schemas: [{name: x}, {name: x}]\n", "listed twice"},
		{"schemas: [{name: x}]\n", "windows and web schemas are required"},
		{"schemas: [{name: windows}, {name: web}]\nproviders: {P: nope}\n", `unknown schema "nope"`},
	} {
		_, err := schema.ParseFields([]byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.data, err, tc.want)
		}
	}
}
