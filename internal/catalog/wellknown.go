package catalog

import "strings"

// KnownRepo is a well-known public rule repository: `detwiki sync` clones
// it, and pages link a rule of a folder with its name to its public source.
type KnownRepo struct {
	// Name is the folder name (the rules' source.repo); Aliases are other
	// folder names it is often checked out under.
	Name    string
	Aliases []string
	// URL is the repository (https, no trailing slash).
	URL string
	// Formats says what it holds, for the docs and `detwiki sync --list`.
	Formats string
}

// KnownRepos are the public rule repositories detwiki knows, in the order
// `detwiki sync` fetches them.
var KnownRepos = []KnownRepo{
	{Name: "Azure-Sentinel", URL: "https://github.com/Azure/Azure-Sentinel", Formats: "Microsoft Sentinel analytics and hunting queries (KQL, YAML)"},
	{Name: "FalconFriday", URL: "https://github.com/FalconForceTeam/FalconFriday", Formats: "FalconFriday detections (KQL, markdown)"},
	{Name: "Microsoft-365-Defender-Hunting-Queries", URL: "https://github.com/microsoft/Microsoft-365-Defender-Hunting-Queries", Formats: "Defender XDR hunting queries (KQL, markdown; archived)"},
	{Name: "sigma", URL: "https://github.com/SigmaHQ/sigma", Formats: "Sigma rules (YAML)"},
	{Name: "elastic-detection-rules", Aliases: []string{"detection-rules"}, URL: "https://github.com/elastic/detection-rules", Formats: "Elastic detection rules (EQL, KQL, Lucene, ES|QL; TOML)"},
	{Name: "security_content", URL: "https://github.com/splunk/security_content", Formats: "Splunk detections (SPL, YAML with macros)"},
	{Name: "chronicle-detection-rules", URL: "https://github.com/chronicle/detection-rules", Formats: "Google SecOps / Chronicle rules (YARA-L 2.0)"},
	{Name: "panther-analysis", URL: "https://github.com/panther-labs/panther-analysis", Formats: "Panther detections (Python, YAML)"},
	{Name: "sublime-rules", URL: "https://github.com/sublime-security/sublime-rules", Formats: "Sublime Security rules (MQL, YAML)"},
}

// RepoURL returns the public repository URL of a rule folder name ("" when
// detwiki does not know it).
func RepoURL(name string) string {
	for _, k := range KnownRepos {
		if strings.EqualFold(k.Name, name) {
			return k.URL
		}
		for _, a := range k.Aliases {
			if strings.EqualFold(a, name) {
				return k.URL
			}
		}
	}
	return ""
}

// SourceURL returns the public URL of a file of a known repository ("" when
// the repository is not known).
func SourceURL(repo, path string) string {
	u := RepoURL(repo)
	if u == "" {
		return ""
	}
	return u + "/blob/HEAD/" + escapePath(path)
}

// escapePath escapes each segment of a slash-separated path for a URL.
func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = pathEscape(s)
	}
	return strings.Join(parts, "/")
}

func pathEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
