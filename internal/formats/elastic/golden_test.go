package elastic

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/golden"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenRules are representative rules of the corpus, one golden document
// each: every rule type and query language, and the constructs that need
// care.
var goldenRules = []string{
	"rules/windows/defense_evasion_timestomp_sysmon.toml",                                              // EQL event query
	"rules/windows/collection_email_outlook_mailbox_via_com.toml",                                      // EQL sequence with maxspan and per-step keys
	"rules/integrations/okta/credential_access_okta_mfa_bombing_via_push_notifications.toml",           // EQL sequence with until
	"rules/linux/credential_access_potential_linux_ssh_bruteforce_external.toml",                       // EQL sequence of one step with runs=N
	"rules/cross-platform/defense_evasion_missing_events_after_alert.toml",                             // EQL missing event ![...]
	"rules/linux/execution_shell_via_meterpreter_linux.toml",                                           // EQL sample
	"rules/integrations/aws/persistence_rds_db_instance_password_modified.toml",                        // event_category_override
	"rules_building_block/defense_evasion_masquerading_browsers.toml",                                  // building block
	"rules/windows/execution_posh_psreflect.toml",                                                      // kuery query
	"rules/windows/command_and_control_new_terms_rmm_signer.toml",                                      // kuery new_terms
	"rules/network/discovery_potential_syn_port_scan_detected.toml",                                    // kuery threshold with cardinality
	"rules/threat_intel/threat_intel_indicator_match_email.toml",                                       // kuery threat_match
	"rules/_deprecated/privilege_escalation_setgid_bit_set_via_chmod.toml",                             // Lucene, deprecated
	"rules/_deprecated/apm_null_user_agent.toml",                                                       // Kibana filters
	"rules/promotions/credential_access_endgame_cred_dumping_detected.toml",                            // promotion (third-party feed)
	"rules/windows/impact_high_freq_file_renames_by_kernel.toml",                                       // ES|QL with STATS
	"rules/cross-platform/command_and_control_curl_activity_auditd_llm_triage.toml",                    // ES|QL with INLINE STATS, COMPLETION, KQL()
	"rules/integrations/google_workspace/initial_access_google_workspace_login_impossible_travel.toml", // alert_suppression, investigation_fields
	"rules/integrations/gcp/ml_gcp_rare_method_by_city.toml",                                           // machine learning, one job
	"rules/ml/persistence_ml_rare_process_by_host_linux.toml",                                          // machine learning, job list
	"hunting/windows/queries/createremotethread_by_source_process_with_low_occurrence.toml",            // hunt, ES|QL
	"hunting/linux/queries/persistence_general_kernel_manipulation.toml",                               // hunt, ES|QL and SQL queries, fence lines
	"hunting/macos/queries/execution_suspicious_executable_file_modification_via_docker.toml",          // hunt, EQL
}

// redact replaces long verbatim texts (file body, query, prose) by their
// length and a hash, so the golden files hold what detwiki derived, not
// copies of the corpus.
func redact(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = redact(x)
		}
	case []any:
		for i, x := range v {
			v[i] = redact(x)
		}
	case string:
		if len(v) > 120 {
			sum := sha256.Sum256([]byte(v))
			return "<" + hex.EncodeToString(sum[:6]) + ", " + strconv.Itoa(len(v)) + " bytes>"
		}
	}
	return v
}

func TestGolden(t *testing.T) {
	root := sharedtest.Corpus(t, "elastic-detection-rules")
	env := &formats.Env{Attack: attack.Default()}
	for _, rel := range goldenRules {
		t.Run(path.Base(rel), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
			if err != nil {
				t.Fatal(err)
			}
			f := &formats.File{Repo: "elastic-detection-rules", Root: root, Path: rel, Abs: filepath.Join(root, rel), Data: data}
			r := readerFor(f)
			if r == nil {
				t.Fatal("no reader")
			}
			docs := formats.ReadFile(r, f, env)
			raw, err := json.Marshal(docs)
			if err != nil {
				t.Fatal(err)
			}
			var generic any
			if err := json.Unmarshal(raw, &generic); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			if err := enc.Encode(redact(generic)); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "golden", strings.TrimSuffix(path.Base(rel), ".toml")+".json"), buf.Bytes(), *update)
		})
	}
}
