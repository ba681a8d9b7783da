package kustorule

import "strings"

// defenderStates are the non-ATT&CK rows of the Defender hunting queries'
// category table ("Technique, tactic, or state"); the Sentinel copies of
// those queries list them among their tactics.
var defenderStates = map[string]bool{"vulnerability": true, "exploit": true, "misconfiguration": true,
	"malware, component": true, "malware": true, "ransomware": true}

// IsDefenderState reports whether a "tactic" is one of the Defender hunting
// queries' category states (Vulnerability, Exploit, Misconfiguration,
// Malware, component, Ransomware): a tag, not an ATT&CK tactic.
func IsDefenderState(s string) bool {
	return defenderStates[strings.ToLower(strings.TrimSpace(s))]
}
