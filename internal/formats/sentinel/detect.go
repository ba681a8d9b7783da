package sentinel

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/formats/kustorule"
)

// ruleFolders are folder names under which the Azure-Sentinel repository
// (and its Solutions) keeps rules, compared without case. A file in one of
// them that cannot even be decoded is still taken, so that it gets a
// diagnostic rather than being skipped silently.
var ruleFolders = []string{"detections", "hunting queries", "analytic rules", "analytics rules", "analytical rules", "detection queries", "huntingqueries", "analyticrules"}

// Detect takes YAML files (any of .yaml, .yml, no extension) whose top-level
// keys are those of a Sentinel rule: query or requiredDataConnectors with
// none of the keys of the other YAML rule formats (detection, logsource,
// search, source, AnalysisType), or a "moved" stub (id, name and a
// description saying the rule moved).
func (Reader) Detect(f *formats.File) bool {
	switch kustorule.Ext(f.Base()) {
	case "yaml", "yml", "":
	default:
		return false
	}
	if !formats.IsText(kustorule.Head(f.Data, 8192)) {
		where := f.Path
		if f.Abs != "" {
			where = filepath.ToSlash(f.Abs) // a file given on its own: its folders on disk
		}
		return kustorule.Ext(f.Base()) != "" && inRuleFolder(where)
	}
	keys := topLevelKeys(f.Data)
	for _, k := range []string{"detection", "logsource", "search", "source", "AnalysisType", "rule", "metadata"} {
		if keys[k] {
			return false
		}
	}
	if keys["query"] || keys["requiredDataConnectors"] {
		return true
	}
	return keys["id"] && keys["name"] && keys["description"] && len(keys) <= 5 && isMovedText(string(kustorule.Head(f.Data, 4096)))
}

func inRuleFolder(p string) bool {
	dirs := strings.Split(p, "/")
	for _, d := range dirs[:len(dirs)-1] {
		for _, r := range ruleFolders {
			if strings.EqualFold(d, r) {
				return true
			}
		}
	}
	return false
}

// topLevelKeys returns the keys written at the indentation of the first
// key of a YAML text (documents indented as a whole are seen too).
func topLevelKeys(data []byte) map[string]bool {
	keys := map[string]bool{}
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	base := -1
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		ind := 0
		for ind < len(line) && line[ind] == ' ' {
			ind++
		}
		rest := bytes.TrimRight(line[ind:], " \t\r")
		if len(rest) == 0 || rest[0] == '#' || bytes.Equal(rest, []byte("---")) {
			continue
		}
		if base < 0 {
			base = ind
		}
		if ind != base {
			continue
		}
		colon := bytes.IndexByte(rest, ':')
		if colon <= 0 || colon+1 < len(rest) && rest[colon+1] != ' ' && rest[colon+1] != '\t' {
			continue
		}
		key := string(bytes.TrimSpace(rest[:colon]))
		key = strings.Trim(key, `"'`)
		if key != "" && !strings.HasPrefix(key, "-") && !strings.ContainsAny(key, "[{") {
			keys[key] = true
		}
	}
	return keys
}

// isMovedText reports whether a description says the rule moved elsewhere.
func isMovedText(s string) bool {
	l := strings.ToLower(s)
	return strings.Contains(l, "moved to new location") || strings.Contains(l, "moved to a new location") ||
		strings.Contains(l, "has been moved") || strings.Contains(l, "file is moved")
}
