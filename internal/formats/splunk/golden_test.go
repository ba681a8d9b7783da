package splunk

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenDetections are representative detections of the corpus: tstats over
// datamodels, raw Sysmon, PowerShell and Windows event searches, eval/where
// heavy searches, lookups, correlations, subsearches (join, append,
// appendpipe, foreach), unknown macros, ML and a deprecated one.
var goldenDetections = []string{
	"detections/endpoint/mmc_lolbas_execution_process_spawn.yml",                     // tstats Endpoint.Processes, IN list, drop_dm_object_name
	"detections/endpoint/windows_disable_memory_crash_dump.yml",                      // tstats Endpoint.Registry, span in BY
	"detections/network/internal_horizontal_port_scan.yml",                           // tstats Network_Traffic, eval and where
	"detections/endpoint/process_deleting_its_process_file_path.yml",                 // raw Sysmon search, like() in eval
	"detections/endpoint/get_domainuser_with_powershell_script_block.yml",            // PowerShell 4104, wildcard contains
	"detections/endpoint/windows_steal_authentication_certificates_cryptoapi.yml",    // xmlkv
	"detections/application/windows_ad_dangerous_deny_acl_modification.yml",          // eval/rex/lookup heavy, comments, mvexpand
	"detections/endpoint/windows_multiple_ntlm_null_domain_authentications.yml",      // filter macro mid-search, comments, eventstats
	"detections/network/excessive_dns_failures.yml",                                  // lookup update=true, unknown macro get_asset
	"detections/deprecated/detection_of_dns_tunnels.yml",                             // append subsearch, nodename, unknown macro
	"detections/application/detect_password_spray_attempts.yml",                      // appendpipe, foreach, replace
	"detections/web/log4shell_jndi_payload_injection_with_outbound_connection.yml",   // join subsearch
	"detections/deprecated/dns_record_changed.yml",                                   // inputlookup
	"detections/web/proxyshell_proxynotshell_behavior_detected.yml",                  // Correlation over Risk.All_Risk
	"detections/application/okta_risk_threshold_exceeded.yml",                        // Correlation
	"detections/deprecated/correlation_by_user_and_risk.yml",                         // deprecated correlation
	"detections/cloud/aws_ecr_container_scanning_findings_high.yml",                  // CloudTrail, spath
	"detections/endpoint/linux_auditd_base64_decode_files.yml",                       // auditd, foreach, rex
	"detections/endpoint/potentially_malicious_code_on_commandline.yml",              // MLTK apply, eval-heavy
	"detections/cloud/kubernetes_anomalous_inbound_to_outbound_network_io_ratio.yml", // mstats, eval field with ':'
}

// TestGolden compares the rule documents of goldenDetections with
// testdata/golden/<name>.json. The file body is left out of the golden
// files (it is the corpus file itself); everything detwiki derives is in.
func TestGolden(t *testing.T) {
	docs := corpusDocuments(t)
	if len(goldenDetections) != 20 {
		t.Errorf("%d golden detections, want 20", len(goldenDetections))
	}
	for _, p := range goldenDetections {
		d := docs[p]
		if d == nil {
			t.Errorf("%s: not read", p)
			continue
		}
		c := *d
		c.Body = fmt.Sprintf("(%d bytes of %s, not kept in the golden file)", len(d.Body), p)
		got, err := json.MarshalIndent(&c, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		file := filepath.Join("testdata", "golden", path.Base(p[:len(p)-len(path.Ext(p))])+".json")
		if *update {
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Errorf("%s: %v (run go test ./internal/formats/splunk -run TestGolden -update)", p, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: rule document differs from %s (run with -update and review the diff)", p, file)
		}
	}
}
