package tables

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/detwiki/detwiki/internal/engine"
	"github.com/detwiki/detwiki/internal/events"
	"github.com/detwiki/detwiki/internal/schema"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

func TestDefsParse(t *testing.T) {
	for _, d := range Defs() {
		if len(d.Schema()) < 10 {
			t.Errorf("%s: %d columns", d.Name, len(d.Schema()))
		}
	}
	// the Sysmon events come from the schema's event-equivalence table
	// (DeviceRegistryEvents' 14, RegistryKeyRenamed, from tables.yaml)
	want := map[string]string{
		"DeviceProcessEvents": "1", "DeviceNetworkEvents": "3", "DeviceImageLoadEvents": "7",
		"DeviceRegistryEvents": "12,13,14", "DeviceFileEvents": "11,23,26", "DeviceEvents": "6,8,10,17,18,19,20,21,22",
	}
	for _, d := range Defs() {
		if w, ok := want[d.Name]; ok {
			if got := strings.Join(d.Events(), ","); got != w {
				t.Errorf("%s events %s, want %s", d.Name, got, w)
			}
		}
	}
}

// TestDefsDuplicateColumn: a column listed twice (SecurityEvent had
// ManagementGroupName twice, so its rows had two such keys) is an error.
func TestDefsDuplicateColumn(t *testing.T) {
	_, err := parseDefs([]byte("tables:\n  - name: T\n    channel: Security\n    columns: A:string, B:long, A:string\n"))
	if err == nil || !strings.Contains(err.Error(), "column A listed twice") {
		t.Errorf("err %v", err)
	}
	if _, err := parseDefs([]byte("tables:\n  - name: T\n    channel: Security\n    columns: A:string, B:long\n")); err != nil {
		t.Error(err)
	}
}

// TestColumnFacts checks plain copies of an event field against the
// canonical-field facts of package schema: the Defender column and the
// Sysmon field it copies name the same ECS field.
func TestColumnFacts(t *testing.T) {
	ft := schema.Fields()
	def, win := ft.Schema("defender"), ft.Schema("windows")
	checked := 0
	for _, d := range Defs() {
		if !strings.HasPrefix(d.Name, "Device") {
			continue
		}
		for col, expr := range d.Derive {
			if !isIdent(expr) || expr == col {
				continue
			}
			a, ok1 := def.Lookup([]string{d.Name}, col)
			b, ok2 := win.Lookup(nil, expr)
			if !ok1 || !ok2 || a.ECS == "" || b.ECS == "" || strings.HasPrefix(b.ECS, "winlog.") {
				continue
			}
			checked++
			if known := knownDifferences[d.Name+"."+col]; known != "" {
				continue
			}
			if a.ECS != b.ECS && !(col == "FolderPath" || strings.HasSuffix(col, "FolderPath")) {
				t.Errorf("%s.%s = %s: schema says %s vs %s", d.Name, col, expr, a.ECS, b.ECS)
			}
		}
	}
	if checked < 5 {
		t.Errorf("only %d facts checked", checked)
	}
}

// knownDifferences are plain copies whose ECS names differ, with why.
var knownDifferences = map[string]string{
	// pySigma-backend-kusto maps Sigma FileVersion to this column; ECS keeps
	// file and product versions apart
	"DeviceProcessEvents.ProcessVersionInfoProductVersion": "backend mapping",
	// Defender reports DNS queries in DeviceEvents with the name in RemoteUrl
	"DeviceEvents.RemoteUrl": "DnsQueryResponse",
}

func isIdent(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// TestWindowsEventChannels checks which channels each Windows table holds:
// WindowsEvent every one, Security included (the agent's
// Microsoft-WindowsEvent stream takes whatever channels a data collection
// rule names, and Microsoft's RDP rules read 4624 from it); SecurityEvent
// the Security channel; Event every other one.
func TestWindowsEventChannels(t *testing.T) {
	const evs = `{"Event": {"System": {"Provider": {"#attributes": {"Name": "Microsoft-Windows-Security-Auditing"}}, "EventID": 4624,
  "TimeCreated": {"#attributes": {"SystemTime": "2024-01-01T10:00:00Z"}}, "EventRecordID": 1, "Channel": "Security", "Computer": "host1"},
 "EventData": {"TargetUserName": "alice", "TargetDomainName": "CORP", "LogonType": "10", "IpAddress": "10.0.0.5"}}}
{"Event": {"System": {"Provider": {"#attributes": {"Name": "Service Control Manager"}}, "EventID": 7045,
  "TimeCreated": {"#attributes": {"SystemTime": "2024-01-01T10:01:00Z"}}, "EventRecordID": 2, "Channel": "System", "Computer": "host1"},
 "EventData": {"ServiceName": "svc"}}}
`
	cat := loadEvents(t, "rdp.json", evs)
	now, _ := cat.Latest()
	for _, tc := range []struct{ query, want string }{
		// the WindowsEvent leg of Azure-Sentinel's RDP_Nesting.yaml
		{`WindowsEvent | where EventID == 4624 and EventData has ("10") | extend LogonType = toint(EventData.LogonType) | where LogonType == 10
		  | project Account = strcat(tostring(EventData.TargetDomainName), "\\", tostring(EventData.TargetUserName)), IpAddress = tostring(EventData.IpAddress)`, "CORP\\alice 10.0.0.5"},
		{`WindowsEvent | summarize n = count() by Channel | order by Channel asc`, "Security 1; System 1"},
		{`SecurityEvent | project EventID`, "4624"},
		{`Event | project EventLog, EventID`, "System 7045"},
	} {
		if got, ok := queryRows(t, cat, now, tc.query, " "); ok && got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.query, got, tc.want)
		}
	}
}

// TestRegistryActions: DeviceRegistryEvents from flat NXLog Sysmon records
// as the OTRF datasets have them, where the event's EventType (CreateKey,
// RenameKey, ...) takes the place of NXLog's own: the ActionType follows it,
// a renamed key is RegistryKeyRenamed with its old name in
// PreviousRegistryKey, and an event collected without EventType gets no
// ActionType rather than a guess. The event data of WindowsEvent and Event
// keep EventType.
func TestRegistryActions(t *testing.T) {
	const evs = `{"Hostname":"h1","SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":12,"EventType":"CreateKey","UtcTime":"2024-01-01 10:00:00.000","TargetObject":"HKLM\\SOFTWARE\\A"}
{"Hostname":"h1","SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":12,"EventType":"DeleteKey","UtcTime":"2024-01-01 10:00:01.000","TargetObject":"HKLM\\SOFTWARE\\B"}
{"Hostname":"h1","SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":12,"EventType":"DeleteValue","UtcTime":"2024-01-01 10:00:02.000","TargetObject":"HKLM\\SOFTWARE\\C\\Val"}
{"Hostname":"h1","SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":13,"EventType":"SetValue","UtcTime":"2024-01-01 10:00:03.000","TargetObject":"HKU\\S-1\\D\\Run","Details":"DWORD (0x00000001)"}
{"Hostname":"h1","SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":14,"EventType":"RenameKey","UtcTime":"2024-01-01 10:00:04.000","TargetObject":"HKLM\\SOFTWARE\\Old","NewName":"HKLM\\SOFTWARE\\New"}
{"Hostname":"h1","SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":12,"UtcTime":"2024-01-01 10:00:05.000","TargetObject":"HKLM\\SOFTWARE\\E"}
{"Hostname":"h1","SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"EventType":"INFO","UtcTime":"2024-01-01 10:00:06.000","Image":"C:\\a.exe"}
`
	cat := loadEvents(t, "registry.json", evs)
	now, _ := cat.Latest()
	for _, tc := range []struct{ query, want string }{
		{`DeviceRegistryEvents | project ActionType, RegistryKey, RegistryValueName, PreviousRegistryKey`,
			`RegistryKeyCreated|HKEY_LOCAL_MACHINE\SOFTWARE\A||; ` +
				`RegistryKeyDeleted|HKEY_LOCAL_MACHINE\SOFTWARE\B||; ` +
				`RegistryValueDeleted|HKEY_LOCAL_MACHINE\SOFTWARE\C|Val|; ` +
				`RegistryValueSet|HKEY_USERS\S-1\D|Run|; ` +
				`RegistryKeyRenamed|HKEY_LOCAL_MACHINE\SOFTWARE\New||HKEY_LOCAL_MACHINE\SOFTWARE\Old; ` +
				`|HKEY_LOCAL_MACHINE\SOFTWARE\E||`},
		{`WindowsEvent | project EventID, Type = tostring(EventData.EventType)`, "12|CreateKey; 12|DeleteKey; 12|DeleteValue; 13|SetValue; 14|RenameKey; 12|; 1|"},
		{`Event | where EventID == 14 | project EventData has '<Data Name="EventType">RenameKey</Data>'`, "true"},
		{`Event | where EventID == 1 | project EventData has "EventType"`, "false"},
		// DeviceId: one 40-hex id per host, the same in every Defender table
		{`union DeviceRegistryEvents, DeviceProcessEvents | distinct DeviceId`, "ac4ae97285c19b13201deb9b192d921316db3447"},
	} {
		if got, ok := queryRows(t, cat, now, tc.query, "|"); ok && got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.query, got, tc.want)
		}
	}
}

// TestLoadLeavesOutBadFiles: one unreadable event file (a binary .evtx, a
// broken JSON file) does not stop the others; the events before a bad one
// are kept; the error names each file. A path that does not exist fails.
func TestLoadLeavesOutBadFiles(t *testing.T) {
	dir := t.TempDir()
	rec := func(host string) string {
		return `{"Hostname":"` + host + `","Channel":"Security","EventID":4624,"EventTime":"2024-01-01 10:00:00"}` + "\n"
	}
	os.WriteFile(filepath.Join(dir, "a.json"), []byte(rec("h1")), 0o644)
	os.WriteFile(filepath.Join(dir, "b.json"), []byte(rec("h2")+"{\"broken\n"+rec("h9")), 0o644)
	os.WriteFile(filepath.Join(dir, "c.evtx"), []byte("ElfFile\x00"), 0o644)
	os.WriteFile(filepath.Join(dir, "d.json"), []byte(rec("h3")), 0o644)
	cat, err := Load([]string{dir})
	var le *LoadError
	if !errors.As(err, &le) || len(le.Files) != 2 || !strings.Contains(le.Files[0].Error(), "b.json:2") || !strings.Contains(le.Files[1].Error(), "c.evtx") {
		t.Fatalf("err %v", err)
	}
	if got := strings.Join(cat.Hosts(), ","); got != "h1,h2,h3" {
		t.Errorf("hosts %s, want h1,h2,h3", got)
	}
	if _, err := Load([]string{filepath.Join(dir, "missing")}); err == nil || errors.As(err, &le) {
		t.Errorf("missing path: %v", err)
	}
}

// TestUnfilledColumnWarning: a column the adapter cannot fill (Defender's
// AccountUpn has no Sysmon source) is reported where the query reads it,
// not silently empty; a derived column is not.
func TestUnfilledColumnWarning(t *testing.T) {
	cat := NewCatalog()
	q, diags := engine.Compile("DeviceProcessEvents\n| where AccountUpn == 'x' and FileName == 'a.exe'", engine.Options{Catalog: cat, Now: time.Now()})
	if q == nil {
		t.Fatal(diags)
	}
	if len(q.Warnings) != 1 {
		t.Fatalf("warnings %v", q.Warnings)
	}
	w := q.Warnings[0]
	if w.Code != engine.CodeUnfilledColumn || w.Line != 2 || w.Col != 9 || !strings.Contains(w.Message, "AccountUpn") {
		t.Errorf("warning %+v", w)
	}
}

// TestSysmonDash: Sysmon writes "-" for a value it does not have
// (DestinationHostname, User, Company, ...); Defender leaves the column
// empty, so isnotempty(RemoteUrl) does not hold for every connection (the
// "low count FQDN" hunting query fired on "-" in 16 OTRF datasets). The raw
// event data keeps the "-".
func TestSysmonDash(t *testing.T) {
	const evs = `{"Hostname":"h1","SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":3,"UtcTime":"2024-01-01 10:00:00.000","Image":"C:\\a.exe","User":"-","Initiated":"true","DestinationHostname":"-","DestinationIp":"10.0.0.1","DestinationPort":"445"}
{"Hostname":"h1","SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":3,"UtcTime":"2024-01-01 10:00:01.000","Image":"C:\\a.exe","User":"CORP\\bob","Initiated":"true","DestinationHostname":"dc1.corp","DestinationIp":"10.0.0.2","DestinationPort":"445"}
`
	cat := loadEvents(t, "net.json", evs)
	now, _ := cat.Latest()
	for _, tc := range []struct{ query, want string }{
		{`DeviceNetworkEvents | project RemoteUrl, InitiatingProcessAccountName, RemoteIP`, "||10.0.0.1; dc1.corp|bob|10.0.0.2"},
		{`DeviceNetworkEvents | where isnotempty(RemoteUrl) | count`, "1"},
		{`WindowsEvent | project tostring(EventData.DestinationHostname)`, "-; dc1.corp"},
	} {
		if got, ok := queryRows(t, cat, now, tc.query, "|"); ok && got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.query, got, tc.want)
		}
	}
}

func TestEmptyCatalog(t *testing.T) {
	cat := NewCatalog()
	for _, name := range Names() {
		tbl, ok := cat.Table(name)
		if !ok || tbl.(*Table).Rows() != 0 {
			t.Fatalf("%s", name)
		}
	}
}

func TestOTRFDataset(t *testing.T) {
	root := sharedtest.Path(t, "datasets", "otrf", "datasets", "atomic", "windows", "defense_evasion", "host")
	cat, err := Load([]string{filepath.Join(root, "psh_mavinject_dll_notepad.zip")})
	if err != nil {
		t.Fatal(err)
	}
	now, _ := cat.Latest()
	for _, tc := range []struct {
		query string
		min   int
	}{
		{"SecurityEvent | where EventID == 4688 | project TimeGenerated, Account, NewProcessName, CommandLine, Activity", 1},
		{"DeviceProcessEvents | where FileName =~ \"mavinject.exe\" | project Timestamp, FolderPath, ProcessCommandLine, InitiatingProcessFileName, ActionType", 1},
		{"DeviceEvents | summarize count() by ActionType", 1},
		{"Event | where EventLog == \"Microsoft-Windows-Sysmon/Operational\" | extend x = parse_xml(EventData) | take 3", 1},
		{"WindowsEvent | where EventData.Image endswith \"notepad.exe\" | take 5", 1},
		{"DeviceProcessEvents | where Timestamp > ago(1d) | count", 1},
		// process tracking: the image loads of mavinject carry its command line
		{`DeviceImageLoadEvents | where InitiatingProcessFileName =~ "mavinject.exe" and InitiatingProcessCommandLine has "INJECTRUNNING" | take 1`, 1},
		// union over a table wildcard
		{"union withsource=Table Device* | summarize count() by Table", 3},
		// Event's EventData is wrapped as the agent sends it
		{`Event | where EventData startswith "<DataItem" | take 1`, 1},
	} {
		res, diags, err := engine.Run(tc.query, engine.Options{Catalog: cat, Now: now})
		if res == nil || err != nil {
			t.Errorf("%s: %v %v", tc.query, diags, err)
			continue
		}
		if res.Rows() < tc.min {
			t.Errorf("%s: %d rows", tc.query, res.Rows())
		}
		if testing.Verbose() {
			n := 0
			res.Each(func(row []engine.Value) {
				if n < 2 {
					t.Logf("%s\n  %v", tc.query, row)
				}
				n++
			})
		}
	}
}

// TestClock checks that every table's TimeGenerated is on one clock: the
// dataset's TimeCreated runs 16 h behind the Sysmon UtcTime of the same
// events, and the Security event of a process creation lines up with the
// Sysmon one after the host's offset. Activity never ends in a dangling
// " - ".
func TestClock(t *testing.T) {
	root := sharedtest.Path(t, "datasets", "otrf", "datasets", "atomic", "windows", "defense_evasion", "host")
	cat, err := Load([]string{filepath.Join(root, "psh_mavinject_dll_notepad.zip")})
	if err != nil {
		t.Fatal(err)
	}
	if off := cat.ClockOffset("WORKSTATION5"); off != 16*time.Hour {
		t.Errorf("clock offset of WORKSTATION5 = %v, want 16h", off)
	}
	now, _ := cat.Latest()
	one := func(q string) engine.Value {
		res, diags, err := engine.Run(q, engine.Options{Catalog: cat, Now: now})
		if res == nil || err != nil || res.Rows() != 1 {
			t.Fatalf("%s: %v %v", q, diags, err)
		}
		var v engine.Value
		res.Each(func(row []engine.Value) { v = row[0] })
		return v
	}
	sec := one(`SecurityEvent | where EventID == 4688 and NewProcessName endswith "mavinject.exe" | summarize min(TimeGenerated)`)
	sys := one(`DeviceProcessEvents | where FileName =~ "mavinject.exe" | summarize min(Timestamp)`)
	if d := sec.I - sys.I; d < -2*engine.TicksPerSecond || d > 2*engine.TicksPerSecond {
		t.Errorf("Security 4688 at %v, Sysmon 1 at %v: not on one clock", sec, sys)
	}
	latest := one(`union SecurityEvent, DeviceProcessEvents, Event | summarize max(TimeGenerated)`)
	if engine.TicksToTime(latest.I) != now {
		t.Errorf("latest TimeGenerated %v, Latest() %v", latest, now)
	}
	if n := one(`SecurityEvent | where Activity endswith " - " or isempty(Activity) | count`); n.I != 0 {
		t.Errorf("%d SecurityEvent rows with an empty or dangling Activity", n.I)
	}
	if n := one(`SecurityEvent | where Activity == "4688 - A new process has been created." | count`); n.I == 0 {
		t.Error("no 4688 Activity with its title")
	}
}

// loadEvents reads events (as a file called name would be read) into a new
// catalog.
func loadEvents(t *testing.T, name, evs string) *Catalog {
	t.Helper()
	r, err := events.NewReader(strings.NewReader(evs), name)
	if err != nil {
		t.Fatal(err)
	}
	cat := NewCatalog()
	for {
		b, err := r.Next()
		if err == io.EOF {
			return cat
		}
		if err != nil {
			t.Fatal(err)
		}
		cat.Add(b)
	}
}

// queryRows runs query on cat and returns its rows, the cells of a row
// joined by sep and the rows by "; "; a query that fails is an error of
// the test (ok false).
func queryRows(t *testing.T, cat *Catalog, now time.Time, query, sep string) (rows string, ok bool) {
	t.Helper()
	res, diags, err := engine.Run(query, engine.Options{Catalog: cat, Now: now})
	if res == nil || err != nil {
		t.Errorf("%s: %v %v", query, diags, err)
		return "", false
	}
	var out []string
	res.Each(func(row []engine.Value) {
		var cells []string
		for _, v := range row {
			cells = append(cells, v.String())
		}
		out = append(out, strings.Join(cells, sep))
	})
	return strings.Join(out, "; "), true
}
