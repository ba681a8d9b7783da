package schema

import (
	"strings"

	"github.com/detwiki/detwiki/internal/rule"
)

// Key is what the catalog counts indicators by across languages (spec §2,
// "Corpus counts"): the canonical field, the kind class and the normalised
// value.
type Key struct {
	Field string
	Kind  string
	Value string
}

// String joins the key's parts with "|" (field and kind never contain one).
func (k Key) String() string { return k.Field + "|" + k.Kind + "|" + k.Value }

// pathNames maps path-valued canonical fields to the field holding the
// path's last element.
var pathNames = map[string]string{
	"process.executable":          "process.name",
	"process.parent.executable":   "process.parent.name",
	"Target.process.executable":   "Target.process.name",
	"file.path":                   "file.name",
	"dll.path":                    "dll.name",
	"email.attachments.file.path": "email.attachments.file.name",
}

// CountKey returns the key a value of an indicator counts under, so that
// Defender `InitiatingProcessFileName =~ "mmc.exe"`, Sigma
// `ParentImage|endswith: '\mmc.exe'`, Splunk
// `Processes.parent_process_name=mmc.exe` and ECS `process.parent.name :
// mmc.exe` share one key:
//
//   - the field is the indicator's canonical field; an indicator without
//     one counts under "<language>:<field>" (same-language rules only);
//   - eq and in share a class (rule.KindClass); every other kind is its own;
//   - values are compared case-insensitively (lower-cased, trimmed);
//   - an ends_with value holding a path separator on a path-valued field
//     (process.executable, process.parent.executable, file.path, dll.path,
//     ...) is reduced to its last element and counts as eq on the matching
//     name field (process.name, ...), unless that element still holds a
//     wildcard.
//
// ok is false for values that name no literal (a column reference or an
// expression) and for empty values of kinds that need one.
func CountKey(language string, ind rule.Indicator, v rule.Value) (string, bool) {
	k, ok := CountKeyParts(language, ind, v)
	if !ok {
		return "", false
	}
	return k.String(), true
}

// CountKeyParts is CountKey with the key's parts.
func CountKeyParts(language string, ind rule.Indicator, v rule.Value) (Key, bool) {
	for _, t := range v.Transforms {
		if t == rule.TransformFieldRef || t == rule.TransformExpression {
			return Key{}, false
		}
	}
	field := ind.CanonicalField
	if field == "" {
		if ind.Field == "" {
			return Key{}, false
		}
		field = language + ":" + ind.Field
	}
	kind := rule.KindClass(ind.Kind)
	value := strings.ToLower(strings.TrimSpace(v.Value))
	if value == "" && kind != rule.KindIsNull && kind != rule.KindIsNotNull {
		return Key{}, false
	}
	if kind == rule.KindEndsWith {
		if name, ok := pathNames[field]; ok {
			if i := strings.LastIndexAny(value, `\/`); i >= 0 && i < len(value)-1 {
				base := value[i+1:]
				if !strings.ContainsAny(base, "*?") {
					field, kind, value = name, rule.KindEq, base
				}
			}
		}
	}
	return Key{Field: field, Kind: kind, Value: value}, true
}
