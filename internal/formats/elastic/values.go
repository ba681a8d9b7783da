package elastic

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/detwiki/detwiki/internal/source"
)

// table is a decoded TOML table with typed getters that report values of
// the wrong type as warnings instead of dropping them silently.
type table struct {
	name string
	m    map[string]any
	warn func(msg string)
}

func (t table) has(key string) bool {
	_, ok := t.m[key]
	return ok
}

func (t table) wrongType(key, want string, v any) {
	if t.warn != nil {
		t.warn(fmt.Sprintf("%s.%s should be %s, found %s", t.name, key, want, tomlType(v)))
	}
}

func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T", v)
}

// str returns a string value ("" when absent).
func (t table) str(key string) string {
	v, ok := t.m[key]
	if !ok {
		return ""
	}
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	t.wrongType(key, "a string", v)
	return ""
}

// strs returns a list of strings; a single string counts as a list of one.
func (t table) strs(key string) []string {
	v, ok := t.m[key]
	if !ok {
		return nil
	}
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			} else {
				t.wrongType(key, "an array of strings", x)
			}
		}
		return out
	}
	t.wrongType(key, "an array of strings", v)
	return nil
}

// sub returns a sub-table (an empty one when absent).
func (t table) sub(key string) table {
	out := table{name: t.name + "." + key, warn: t.warn}
	v, ok := t.m[key]
	if !ok {
		return out
	}
	if m, ok := v.(map[string]any); ok {
		out.m = m
		return out
	}
	t.wrongType(key, "a table", v)
	return out
}

// tables returns an array of tables.
func (t table) tables(key string) []table {
	v, ok := t.m[key]
	if !ok {
		return nil
	}
	var list []any
	switch v := v.(type) {
	case []any:
		list = v
	case []map[string]any:
		for _, m := range v {
			list = append(list, m)
		}
	default:
		t.wrongType(key, "an array of tables", v)
		return nil
	}
	out := make([]table, 0, len(list))
	for i, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			t.wrongType(key, "an array of tables", x)
			continue
		}
		out = append(out, table{name: fmt.Sprintf("%s.%s[%d]", t.name, key, i), m: m, warn: t.warn})
	}
	return out
}

// value returns the raw decoded value.
func (t table) value(key string) (any, bool) {
	v, ok := t.m[key]
	return v, ok
}

// normalizeText collapses the line breaks and indentation of a wrapped TOML
// string into single spaces.
func normalizeText(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// isoDate turns the 2023/01/11 dates of detection-rules into 2023-01-11.
func isoDate(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == 10 && s[4] == '/' && s[7] == '/' {
		return s[:4] + "-" + s[5:7] + "-" + s[8:]
	}
	return s
}

// diag builds a diagnostic.
func diag(code string, sev source.Severity, msg string) source.Diagnostic {
	return source.Diagnostic{Code: code, Severity: sev, Message: msg}
}
