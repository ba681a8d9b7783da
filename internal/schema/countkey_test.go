package schema_test

import (
	"testing"

	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/schema"
)

// enrichedKey runs Enrich on a one-indicator document and returns the
// count key of its first value.
func enrichedKey(t *testing.T, d *rule.Document) string {
	t.Helper()
	schema.Enrich(d)
	if len(d.Analysis.Indicators) == 0 {
		t.Fatal("no indicator")
	}
	in := d.Analysis.Indicators[0]
	k, ok := schema.CountKey(d.Language, in, in.Values[0])
	if !ok {
		t.Fatalf("no key for %+v", in)
	}
	return k
}

func withPredicate(d *rule.Document, p rule.Predicate) *rule.Document {
	d.Analysis.AddPredicate(p)
	return d
}

func TestCountKeyAcrossLanguages(t *testing.T) {
	sigmaPC := func() *rule.Document {
		return &rule.Document{Language: rule.LangSigma, Extra: map[string]any{"logsource": map[string]any{"product": "windows", "category": "process_creation"}}}
	}
	for _, group := range []struct {
		want string
		docs []*rule.Document
	}{
		{"process.parent.name|eq|mmc.exe", []*rule.Document{
			withPredicate(&rule.Document{Language: rule.LangKusto, Analysis: rule.Analysis{Tables: []string{"DeviceProcessEvents"}}}, pred("InitiatingProcessFileName", rule.KindEq, "mmc.exe")),
			withPredicate(sigmaPC(), pred("ParentImage", rule.KindEndsWith, `\mmc.exe`)),
			withPredicate(&rule.Document{Language: rule.LangSplunk, Analysis: rule.Analysis{Tables: []string{"Endpoint.Processes"}}}, pred("Processes.parent_process_name", rule.KindEq, "mmc.exe")),
			withPredicate(&rule.Document{Language: rule.LangElastic}, pred("process.parent.name", rule.KindEq, "MMC.EXE")),
			withPredicate(&rule.Document{Language: rule.LangElastic}, pred("process.parent.name", rule.KindIn, "mmc.exe")),
			withPredicate(&rule.Document{Language: rule.LangKusto, Analysis: rule.Analysis{Tables: []string{"SecurityEvent"}}}, pred("ParentProcessName", rule.KindEndsWith, `C:\Windows\System32\mmc.exe`)),
			withPredicate(&rule.Document{Language: rule.LangChronicle}, pred("principal.process.file.full_path", rule.KindEndsWith, `\mmc.exe`)),
			withPredicate(&rule.Document{Language: rule.LangKusto, Analysis: rule.Analysis{Tables: []string{"imProcessCreate"}}}, pred("ActingProcessName", rule.KindEndsWith, `\mmc.exe`)),
		}},
		{"process.name|eq|certutil.exe", []*rule.Document{
			withPredicate(&rule.Document{Language: rule.LangKusto, Analysis: rule.Analysis{Tables: []string{"DeviceProcessEvents"}}}, pred("FileName", rule.KindIn, "certutil.exe")),
			withPredicate(sigmaPC(), pred("Image", rule.KindEndsWith, `\certutil.exe`)),
			withPredicate(&rule.Document{Language: rule.LangSplunk}, pred("Processes.process_name", rule.KindEq, "certutil.exe")),
			withPredicate(&rule.Document{Language: rule.LangElastic}, pred("process.name", rule.KindEq, "certutil.exe")),
			// An ECS .caseless multi-field counts with its base field.
			withPredicate(&rule.Document{Language: rule.LangElastic}, pred("process.name.caseless", rule.KindEq, "certutil.exe")),
			withPredicate(&rule.Document{Language: rule.LangElastic}, pred("process.executable.caseless", rule.KindEndsWith, `\certutil.exe`)),
			withPredicate(&rule.Document{Language: rule.LangChronicle}, pred("target.process.file.full_path", rule.KindEndsWith, `/certutil.exe`)),
			// Outside DeviceProcessEvents the initiating process is the actor.
			withPredicate(&rule.Document{Language: rule.LangKusto, Analysis: rule.Analysis{Tables: []string{"DeviceNetworkEvents"}}}, pred("InitiatingProcessFileName", rule.KindEq, "CertUtil.exe")),
		}},
		{"process.command_line|contains|-urlcache", []*rule.Document{
			withPredicate(&rule.Document{Language: rule.LangKusto, Analysis: rule.Analysis{Tables: []string{"DeviceProcessEvents"}}}, pred("ProcessCommandLine", rule.KindContains, "-urlcache")),
			withPredicate(sigmaPC(), pred("CommandLine", rule.KindContains, "-urlcache")),
			withPredicate(&rule.Document{Language: rule.LangSplunk}, pred("Processes.process", rule.KindContains, "-urlcache")),
			withPredicate(&rule.Document{Language: rule.LangChronicle}, pred("target.process.command_line", rule.KindContains, "-URLCache")),
		}},
		{"registry.path|contains|\\currentversion\\run", []*rule.Document{
			withPredicate(&rule.Document{Language: rule.LangKusto, Analysis: rule.Analysis{Tables: []string{"DeviceRegistryEvents"}}}, pred("RegistryKey", rule.KindContains, `\CurrentVersion\Run`)),
			withPredicate(&rule.Document{Language: rule.LangSigma, Extra: map[string]any{"logsource": map[string]any{"product": "windows", "category": "registry_set"}}}, pred("TargetObject", rule.KindContains, `\CurrentVersion\Run`)),
			withPredicate(&rule.Document{Language: rule.LangSplunk}, pred("Registry.registry_path", rule.KindContains, `\CurrentVersion\Run`)),
			withPredicate(&rule.Document{Language: rule.LangChronicle}, pred("target.registry.registry_key", rule.KindContains, `\CurrentVersion\Run`)),
		}},
		{"event.action|eq|stoplogging", []*rule.Document{
			withPredicate(&rule.Document{Language: rule.LangPanther, Analysis: rule.Analysis{Tables: []string{"AWS.CloudTrail"}}}, pred("eventName", rule.KindEq, "StopLogging")),
			withPredicate(&rule.Document{Language: rule.LangSigma, Extra: map[string]any{"logsource": map[string]any{"product": "aws", "service": "cloudtrail"}}}, pred("eventName", rule.KindEq, "StopLogging")),
			withPredicate(&rule.Document{Language: rule.LangElastic}, pred("event.action", rule.KindEq, "StopLogging")),
			withPredicate(&rule.Document{Language: rule.LangKusto, Analysis: rule.Analysis{Tables: []string{"AWSCloudTrail"}}}, pred("EventName", rule.KindEq, "StopLogging")),
		}},
		{"destination.ip|eq|10.0.0.1", []*rule.Document{
			withPredicate(&rule.Document{Language: rule.LangKusto, Analysis: rule.Analysis{Tables: []string{"DeviceNetworkEvents"}}}, pred("RemoteIP", rule.KindEq, "10.0.0.1")),
			withPredicate(&rule.Document{Language: rule.LangSigma, Extra: map[string]any{"logsource": map[string]any{"product": "windows", "category": "network_connection"}}}, pred("DestinationIp", rule.KindEq, "10.0.0.1")),
			withPredicate(&rule.Document{Language: rule.LangChronicle}, pred("target.ip", rule.KindEq, "10.0.0.1")),
			withPredicate(&rule.Document{Language: rule.LangSplunk, Analysis: rule.Analysis{Tables: []string{"Network_Traffic"}}}, pred("All_Traffic.dest_ip", rule.KindEq, "10.0.0.1")),
		}},
		{"email.attachments.file.extension|eq|html", []*rule.Document{
			withPredicate(&rule.Document{Language: rule.LangSublime}, pred("attachments[].file_extension", rule.KindIn, "html")),
			withPredicate(&rule.Document{Language: rule.LangKusto, Analysis: rule.Analysis{Tables: []string{"EmailAttachmentInfo"}}}, pred("FileType", rule.KindEq, "HTML")),
		}},
	} {
		for i, d := range group.docs {
			if got := enrichedKey(t, d); got != group.want {
				t.Errorf("%s doc %d (%s %s): key %q, want %q", group.want, i, d.Language, d.Analysis.Indicators[0].Field, got, group.want)
			}
		}
	}
}

func TestCountKeyRules(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ind    rule.Indicator
		v      rule.Value
		want   string
		wantOK bool
	}{
		{"eq and in share a class", rule.Indicator{Field: "FileName", CanonicalField: "process.name", Kind: rule.KindIn}, rule.Value{Value: " CMD.exe "}, "process.name|eq|cmd.exe", true},
		{"suffix without separator stays", rule.Indicator{Field: "Image", CanonicalField: "process.executable", Kind: rule.KindEndsWith}, rule.Value{Value: "mmc.exe"}, "process.executable|ends_with|mmc.exe", true},
		{"unix path", rule.Indicator{Field: "Image", CanonicalField: "process.executable", Kind: rule.KindEndsWith}, rule.Value{Value: "/usr/bin/curl"}, "process.name|eq|curl", true},
		{"folder suffix stays", rule.Indicator{Field: "TargetFilename", CanonicalField: "file.path", Kind: rule.KindEndsWith}, rule.Value{Value: `\Temp\`}, `file.path|ends_with|\temp\`, true},
		{"wildcard basename stays", rule.Indicator{Field: "Image", CanonicalField: "process.executable", Kind: rule.KindEndsWith}, rule.Value{Value: `\*.exe`}, `process.executable|ends_with|\*.exe`, true},
		{"non-path field keeps suffix", rule.Indicator{Field: "CommandLine", CanonicalField: "process.command_line", Kind: rule.KindEndsWith}, rule.Value{Value: `\x.ps1`}, `process.command_line|ends_with|\x.ps1`, true},
		{"file path", rule.Indicator{Field: "TargetFilename", CanonicalField: "file.path", Kind: rule.KindEndsWith}, rule.Value{Value: `\Startup\evil.lnk`}, "file.name|eq|evil.lnk", true},
		{"dll path", rule.Indicator{Field: "ImageLoaded", CanonicalField: "dll.path", Kind: rule.KindEndsWith}, rule.Value{Value: `\dbghelp.dll`}, "dll.name|eq|dbghelp.dll", true},
		{"unmapped field stays in its language", rule.Indicator{Field: "Foo", Kind: rule.KindEq}, rule.Value{Value: "x"}, "kusto:Foo|eq|x", true},
		{"field reference", rule.Indicator{Field: "ProcessId", CanonicalField: "process.pid", Kind: rule.KindNe}, rule.Value{Value: "InitiatingProcessId", Transforms: []string{rule.TransformFieldRef}}, "", false},
		{"expression", rule.Indicator{Field: "x", Kind: rule.KindEq}, rule.Value{Value: "tolower(y)", Transforms: []string{rule.TransformExpression}}, "", false},
		{"empty value", rule.Indicator{Field: "x", Kind: rule.KindEq}, rule.Value{}, "", false},
		{"is_not_null", rule.Indicator{Field: "x", CanonicalField: "user.name", Kind: rule.KindIsNotNull}, rule.Value{}, "user.name|is_not_null|", true},
		{"regex kept", rule.Indicator{Field: "x", CanonicalField: "url.original", Kind: rule.KindRegex}, rule.Value{Value: `A.*B`}, "url.original|regex|a.*b", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := schema.CountKey("kusto", tc.ind, tc.v)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("CountKey = %q, %v; want %q, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
