package chronicle

import "strings"

// titleFromName makes a readable title of a rule identifier, for rules whose
// meta names no title (rule_name, title) or names one that is an identifier
// too (GCP_Unauthorized_GKE_Pod_Token_Endpoint_Usage): malware_sload_dropper becomes
// "Malware Sload Dropper". Words are capitalised, the short joining words
// (of, via, and, ...) stay lower case after the first, well-known acronyms
// are upper case (RDP, DLL, APT29, TA505), mitre_attack is MITRE ATT&CK, an
// ATT&CK technique written T1564_001 becomes T1564.001 and cve_2021_44228
// or cve202144228 becomes CVE-2021-44228.
// Words the identifier writes with capitals keep them. The identifier
// itself stays in Extra["rule"].
func titleFromName(name string) string {
	var words []string
	for _, w := range strings.Split(name, "_") {
		if w != "" {
			words = append(words, w)
		}
	}
	out := make([]string, 0, len(words))
	for i := 0; i < len(words); i++ {
		w := strings.ToLower(words[i])
		switch {
		case isTechnique(w) && i+1 < len(words) && isDigits(words[i+1]) && len(words[i+1]) == 3:
			out = append(out, strings.ToUpper(w)+"."+words[i+1])
			i++
			continue
		case w == "mitre" && i+1 < len(words) && strings.EqualFold(words[i+1], "attack"):
			out = append(out, "MITRE ATT&CK")
			i++
			continue
		case w == "cve" && i+2 < len(words) && isDigits(words[i+1]) && isDigits(words[i+2]):
			out = append(out, "CVE-"+words[i+1]+"-"+words[i+2])
			i += 2
			continue
		case strings.HasPrefix(w, "cve") && len(w) >= 3+8 && isDigits(w[3:]):
			// cve20201350: the year, then the number.
			out = append(out, "CVE-"+w[3:7]+"-"+w[7:])
			continue
		}
		if words[i] != w && !isTechnique(w) && titleSpellings[w] == "" {
			// The identifier's own capitals (GKE, PowerView) are kept.
			out = append(out, strings.ToUpper(words[i][:1])+words[i][1:])
			continue
		}
		out = append(out, titleWord(w, len(out) == 0))
	}
	return strings.Join(out, " ")
}

// titleWord writes one lower-case word of a title.
func titleWord(w string, first bool) string {
	if s, ok := titleSpellings[w]; ok {
		return s
	}
	if acronyms[w] || acronyms[strings.TrimRight(w, "0123456789")] && w != strings.TrimRight(w, "0123456789") {
		return strings.ToUpper(w)
	}
	if isTechnique(w) {
		return strings.ToUpper(w)
	}
	if !first && minorWords[w] {
		return w
	}
	return strings.ToUpper(w[:1]) + w[1:]
}

// isIdentifier reports whether a meta title is written as an identifier:
// words joined by underscores, no space.
func isIdentifier(s string) bool {
	return strings.Contains(s, "_") && !strings.ContainsAny(s, " \t")
}

// isTechnique reports whether w is an ATT&CK technique id (t1059).
func isTechnique(w string) bool {
	return len(w) == 5 && (w[0] == 't' || w[0] == 'T') && isDigits(w[1:])
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// minorWords stay lower case inside a title.
var minorWords = map[string]bool{
	"a": true, "an": true, "and": true, "as": true, "at": true, "by": true, "for": true, "from": true,
	"in": true, "into": true, "of": true, "on": true, "or": true, "the": true, "to": true, "via": true,
	"with": true,
}

// acronyms are written in capitals, alone or followed by digits (apt29,
// ta505).
var acronyms = map[string]bool{
	"ad": true, "api": true, "apt": true, "aws": true, "c2": true, "cc": true, "cli": true, "cmd": true,
	"cve": true, "dc": true, "dll": true, "dns": true, "ek": true, "exe": true, "f5": true,
	"gcp": true, "gpo": true, "hta": true, "html": true, "http": true, "https": true, "iis": true,
	"ip": true, "iso": true, "ldap": true, "lnk": true, "lsass": true, "mfa": true, "mitre": true,
	"ntlm": true, "os": true, "rat": true, "rce": true, "rdp": true, "rid": true, "sam": true,
	"sid": true, "smb": true, "smtp": true, "sql": true, "ssh": true, "ta": true, "tcp": true,
	"udp": true, "uac": true, "url": true, "usb": true, "vba": true, "vbs": true, "vpn": true,
	"wmi": true, "xp": true,
}

// titleSpellings are words with a spelling of their own.
var titleSpellings = map[string]string{
	"macos": "macOS", "powershell": "PowerShell", "psexec": "PsExec", "github": "GitHub",
	"onedrive": "OneDrive", "sharepoint": "SharePoint", "dos": "DoS",
}
