package catalog

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/detwiki/detwiki/internal/rule"
)

// Limits on search queries: longer queries are refused, never truncated.
const (
	MaxQueryLen   = 1024
	MaxQueryTerms = 32
)

// ErrQueryTooLong is returned for queries over MaxQueryLen bytes or
// MaxQueryTerms terms.
var ErrQueryTooLong = errors.New("query too long")

// Query is a parsed search query: free-text words that must all appear in a
// rule's title, description, query or metadata, and structured terms.
//
// The syntax is a list of space-separated items. An item is a word, a
// "quoted phrase" or key:value (key:"quoted value"); a leading '-' negates
// it. Keys (and their aliases):
//
//	field (f)        an indicator's field, as written or canonical
//	kind (op)        an indicator's kind (eq, in, contains, match, ...)
//	value (v)        an indicator's value contains this (value:=x: equals x)
//	lang (language)  the rule family: kusto, sigma, elastic, ...
//	technique (t)    an ATT&CK technique id; T1003 includes T1003.001
//	tactic           an ATT&CK tactic id, name or shortname
//	table (ds)       a table / index / datamodel / logsource the rule reads
//	event            provider/event (sysmon/1), a provider, or an event class
//	source (repo)    the rule folder
//	severity, status, platform, format, author, tag, id
//	tested           fires, failing or silent: what running the rule on
//	                 events found (catalogs built with --events)
//	is               feed, deprecated, error (rules with error diagnostics),
//	                 tested (rules that ran on events)
//
// field:, kind: and value: in one query apply to the same indicator.
// Unknown keys are searched as words ("c:\windows" is a word).
type Query struct {
	Words []string
	// NotWords are the negated words and phrases (-word): no rule holding
	// one is selected.
	NotWords []string
	Terms    []Term
}

// Term is one key:value item of a query.
type Term struct {
	Key     string
	Value   string
	Negated bool
}

// queryKeys maps every accepted key spelling to its canonical key.
var queryKeys = map[string]string{
	"field": "field", "f": "field",
	"kind": "kind", "op": "kind",
	"value": "value", "v": "value", "val": "value",
	"lang": "lang", "language": "lang",
	"technique": "technique", "t": "technique", "attack": "technique",
	"tactic": "tactic",
	"table":  "table", "ds": "table", "datasource": "table", "data_source": "table",
	"event":  "event",
	"source": "source", "repo": "source",
	"severity": "severity", "level": "severity",
	"status":   "status",
	"platform": "platform", "os": "platform",
	"format": "format",
	"tested": "tested",
	"author": "author",
	"tag":    "tag",
	"id":     "id",
	"is":     "is",
}

// ParseQuery parses the search syntax described on Query.
func ParseQuery(s string) (*Query, error) {
	if len(s) > MaxQueryLen {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrQueryTooLong, len(s), MaxQueryLen)
	}
	q := &Query{}
	i := 0
	items := 0
	for i < len(s) {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			break
		}
		items++
		if items > MaxQueryTerms {
			return nil, fmt.Errorf("%w: more than %d terms", ErrQueryTooLong, MaxQueryTerms)
		}
		neg := false
		if s[i] == '-' && i+1 < len(s) && !isSpace(s[i+1]) {
			neg = true
			i++
		}
		if s[i] == '"' {
			phrase, n := readQuoted(s[i:])
			i += n
			if w := strings.ToLower(strings.TrimSpace(phrase)); w != "" {
				q.addWord(w, neg)
			}
			continue
		}
		start := i
		for i < len(s) && !isSpace(s[i]) && s[i] != ':' && s[i] != '"' {
			i++
		}
		if i < len(s) && s[i] == ':' {
			if key, ok := queryKeys[strings.ToLower(s[start:i])]; ok {
				i++
				var val string
				if i < len(s) && s[i] == '"' {
					var n int
					val, n = readQuoted(s[i:])
					i += n
				} else {
					vs := i
					for i < len(s) && !isSpace(s[i]) {
						i++
					}
					val = s[vs:i]
				}
				val = strings.TrimSpace(val)
				if val == "" {
					continue
				}
				if key == "kind" {
					k := strings.ToLower(val)
					if !slices.Contains(rule.Kinds, k) {
						return nil, fmt.Errorf("unknown kind %q (kinds: %s)", val, strings.Join(rule.Kinds, ", "))
					}
					val = k
				}
				q.Terms = append(q.Terms, Term{Key: key, Value: val, Negated: neg})
				continue
			}
		}
		// A plain word (which may hold ':' or '"').
		for i < len(s) && !isSpace(s[i]) {
			i++
		}
		if w := strings.ToLower(s[start:i]); w != "" {
			q.addWord(w, neg)
		}
	}
	return q, nil
}

func (q *Query) addWord(w string, neg bool) {
	if neg {
		q.NotWords = append(q.NotWords, w)
	} else {
		q.Words = append(q.Words, w)
	}
}

// readQuoted reads a "quoted" string at the start of s (no escapes: the
// string ends at the next quote or the end of s) and returns its content
// and the bytes consumed.
func readQuoted(s string) (string, int) {
	end := strings.IndexByte(s[1:], '"')
	if end < 0 {
		return s[1:], len(s)
	}
	return s[1 : 1+end], end + 2
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// String prints the query back in the search syntax.
func (q *Query) String() string {
	var parts []string
	word := func(w, neg string) {
		if strings.ContainsAny(w, " \t\"") || strings.Contains(w, ":") {
			parts = append(parts, neg+`"`+strings.ReplaceAll(w, `"`, "")+`"`)
		} else {
			parts = append(parts, neg+w)
		}
	}
	for _, w := range q.Words {
		word(w, "")
	}
	for _, w := range q.NotWords {
		word(w, "-")
	}
	for _, t := range q.Terms {
		v := t.Value
		if strings.ContainsAny(v, " \t") {
			v = `"` + strings.ReplaceAll(v, `"`, "") + `"`
		}
		p := t.Key + ":" + v
		if t.Negated {
			p = "-" + p
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

// IsEmpty reports whether the query has neither words nor terms.
func (q *Query) IsEmpty() bool {
	return q == nil || len(q.Words) == 0 && len(q.NotWords) == 0 && len(q.Terms) == 0
}
