package sigma

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/formats"
	lang "github.com/detwiki/detwiki/internal/lang/sigma"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// ruleRef is what the rule index knows of a rule: its document id and title.
type ruleRef struct {
	ID    string
	Title string
}

// ruleIndex maps Sigma rule ids and names under one source root to their
// documents. It is built once per root, the first time a rule references
// another (related, correlation, filter), by a light scan of each YAML
// document's top-level id, name and title lines.
type ruleIndex struct {
	refs map[string]ruleRef
}

// maxIndexFiles bounds the files the rule index scans under one root.
const maxIndexFiles = 100000

func buildRuleIndex(root string) *ruleIndex {
	idx := &ruleIndex{refs: map[string]ruleRef{}}
	buf := make([]byte, indexHeadSize)
	n := 0
	filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := de.Name()
		if de.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "regression_data") {
				return filepath.SkipDir
			}
			return nil
		}
		ext := strings.ToLower(filepath.Ext(name))
		if ext != ".yml" && ext != ".yaml" {
			return nil
		}
		if n++; n > maxIndexFiles {
			return filepath.SkipAll
		}
		data, err := readHead(p, buf)
		if err != nil || !looksLikeSigma(data) {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return nil
		}
		idx.scan(filepath.ToSlash(rel), data)
		return nil
	})
	return idx
}

// indexHeadSize is how much of a file the rule index reads: the top-level
// id, name and title of a Sigma rule come first. A file whose head holds a
// document marker is read whole (its later rules matter too).
const indexHeadSize = 4096

// readHead returns the first indexHeadSize bytes of a file, read into buf,
// or all of it when it is a multi-document file.
func readHead(p string, buf []byte) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	n, err := io.ReadFull(f, buf)
	buf = buf[:n]
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return buf, nil
	}
	if err != nil {
		return nil, err
	}
	if bytes.Contains(buf, []byte("\n---")) || bytes.HasPrefix(buf, []byte("---")) {
		rest, err := io.ReadAll(f)
		if err != nil {
			return nil, err
		}
		return append(append([]byte(nil), buf...), rest...), nil
	}
	// Cut at the last complete line.
	if nl := bytes.LastIndexByte(buf, '\n'); nl >= 0 {
		buf = buf[:nl+1]
	}
	return buf, nil
}

// scan records the rules of one file. Rule numbering follows Read: each
// document that is not a global, reset or repeat action is a rule.
func (idx *ruleIndex) scan(rel string, data []byte) {
	var id, name, title string
	isRule := true
	k := 0
	flush := func() {
		if !isRule || id == "" && name == "" && title == "" {
			id, name, title, isRule = "", "", "", true
			return
		}
		k++
		suffix := ""
		if k > 1 {
			suffix = strconv.Itoa(k)
		}
		ref := ruleRef{ID: rule.MakeID(rule.LangSigma, rel, suffix), Title: title}
		for _, key := range []string{id, name} {
			if _, dup := idx.refs[key]; key != "" && !dup {
				idx.refs[key] = ref
			}
		}
		id, name, title, isRule = "", "", "", true
	}
	for len(data) > 0 {
		line := data
		if nl := bytes.IndexByte(data, '\n'); nl >= 0 {
			line, data = data[:nl], data[nl+1:]
		} else {
			data = nil
		}
		line = bytes.TrimRight(line, "\r")
		switch {
		case bytes.HasPrefix(line, []byte("---")):
			flush()
		case bytes.HasPrefix(line, []byte("id:")):
			id = scalarText(line[3:])
		case bytes.HasPrefix(line, []byte("name:")):
			name = scalarText(line[5:])
		case bytes.HasPrefix(line, []byte("title:")):
			title = scalarText(line[6:])
		case bytes.HasPrefix(line, []byte("action:")):
			isRule = false
		}
	}
	flush()
}

// scalarText returns the text of a one-line YAML scalar: quotes and a
// trailing comment removed.
func scalarText(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	if i := strings.Index(s, " #"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// link resolves the documents' links (related, correlates, filter_for):
// first to the rules of the same file, then to the rules under the same
// source root. A reference that resolves nowhere keeps the id or name the
// rule wrote.
func (c *fileContext) link(docs []*rule.Document) {
	local := map[string]ruleRef{}
	for i, sr := range c.file.Rules {
		ref := ruleRef{ID: docs[i].ID, Title: docs[i].Title}
		for _, key := range []string{sr.ID, sr.Name} {
			if _, dup := local[key]; key != "" && !dup {
				local[key] = ref
			}
		}
	}
	byID := make(map[string]*rule.Document, len(docs))
	for _, d := range docs {
		byID[d.ID] = d
	}
	var idx *ruleIndex
	for _, d := range docs {
		for i := range d.Links {
			l := &d.Links[i]
			ref, ok := local[l.Target]
			if !ok && c.f.Root != "" && c.env != nil {
				if idx == nil {
					idx = c.env.Shared(Format+":rules:"+c.f.Root, func() any { return buildRuleIndex(c.f.Root) }).(*ruleIndex)
				}
				ref, ok = idx.refs[l.Target]
			}
			if ok && ref.ID != d.ID {
				l.Target = ref.ID
				l.Title = ref.Title
			}
		}
	}
	// A correlation reads what the rules it correlates read: their tables
	// (and data sources), through chains of correlations in the same file.
	for range 4 {
		changed := false
		for _, d := range docs {
			if d.Kind != "correlation" {
				continue
			}
			for _, l := range d.Links {
				ref := byID[l.Target]
				if l.Kind != LinkCorrelates || ref == nil || ref == d {
					continue
				}
				for _, t := range ref.Analysis.Tables {
					if !slices.Contains(d.Analysis.Tables, t) {
						d.Analysis.AddTable(t)
						d.DataSources = append(d.DataSources, t)
						changed = true
					}
				}
				for _, p := range ref.Platforms {
					if !slices.Contains(d.Platforms, p) {
						d.Platforms = append(d.Platforms, p)
					}
				}
			}
			if ls := sharedLogsource(d, byID); ls != nil {
				if d.Extra == nil {
					d.Extra = map[string]any{}
				}
				d.Extra["logsource"] = ls
				changed = true
			}
		}
		if !changed {
			break
		}
	}
}

// sharedLogsource returns, for a correlation without a logsource of its
// own, the logsource every rule it correlates in the same file has, when
// they share one (so that the schema pass gives the correlation their
// events); else nil.
func sharedLogsource(d *rule.Document, byID map[string]*rule.Document) map[string]any {
	if _, has := d.Extra["logsource"]; has {
		return nil
	}
	var shared map[string]any
	for _, l := range d.Links {
		ref := byID[l.Target]
		if l.Kind != LinkCorrelates || ref == nil || ref == d {
			continue
		}
		ls, ok := ref.Extra["logsource"].(map[string]any)
		if !ok {
			return nil
		}
		if shared == nil {
			shared = ls
		} else if !maps.Equal(shared, ls) {
			return nil
		}
	}
	if shared == nil {
		return nil
	}
	return maps.Clone(shared)
}

// regressionIndex holds the SigmaHQ regression data of a source: where
// regression_data is, and its tests by rule folder.
type regressionIndex struct {
	// repo is the folder that holds regression_data (the Sigma
	// repository root); "" when there is none.
	repo string
	// tests maps the folder of an info.yml, relative to repo
	// (regression_data/rules/windows/.../rule_name), to its tests.
	tests map[string][]rule.Test
	// problems are per-folder problems (an unreadable info.yml).
	problems map[string]string
}

// findRegressionRepo returns root or the nearest of its parents (up to
// eight levels: a single rule file given on its own sits deep in a SigmaHQ
// checkout) that holds a regression_data folder.
func findRegressionRepo(root string) string {
	return formats.NearestDirWith(root, "regression_data", 9)
}

func buildRegressionIndex(root string) *regressionIndex {
	idx := &regressionIndex{tests: map[string][]rule.Test{}, problems: map[string]string{}}
	idx.repo = findRegressionRepo(root)
	if idx.repo == "" {
		return idx
	}
	base := filepath.Join(idx.repo, "regression_data")
	filepath.WalkDir(base, func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() || de.Name() != "info.yml" {
			return nil
		}
		dir := filepath.Dir(p)
		relDir, err := filepath.Rel(idx.repo, dir)
		if err != nil {
			return nil
		}
		relDir = filepath.ToSlash(relDir)
		data, err := os.ReadFile(p)
		if err != nil {
			idx.problems[relDir] = err.Error()
			return nil
		}
		info, err := lang.ParseRegressionInfo(data)
		if err != nil {
			idx.problems[relDir] = err.Error()
			return nil
		}
		entries, _ := os.ReadDir(dir)
		present := map[string]bool{}
		for _, e := range entries {
			present[e.Name()] = true
		}
		for _, t := range info.Tests {
			file := eventFile(t.Path, present)
			if file == "" {
				idx.problems[relDir] = "regression event file " + t.Path + " is missing"
				continue
			}
			name := t.Name
			if name == "" {
				name = file
			}
			idx.tests[relDir] = append(idx.tests[relDir], rule.Test{Name: name, Expect: "match", Path: relDir + "/" + file,
				Event: inlineEvent(filepath.Join(dir, file))})
		}
		return nil
	})
	return idx
}

// maxInlineEvent is the largest regression event file whose text a rule
// document carries (Test.Event), so that rule pages show the sample event
// itself; the SigmaHQ files are 1 to 14 KB.
const maxInlineEvent = 32 << 10

// inlineEvent returns the text of a regression event file when it is small
// JSON (one event, or several in a row), else "" (the test keeps only its path).
func inlineEvent(p string) string {
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() || st.Size() > maxInlineEvent {
		return ""
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return ""
	}
	data = bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(data) == 0 || !utf8.Valid(data) {
		return ""
	}
	// One JSON value, or several one after the other (JSON lines, or the
	// pretty-printed events SigmaHQ concatenates).
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var v json.RawMessage
		if err := dec.Decode(&v); err == io.EOF {
			return string(data)
		} else if err != nil {
			return ""
		}
	}
}

// eventFile picks the event file of a test in its folder: the JSON form of
// the named file (SigmaHQ names the .evtx, and ships the JSON export beside
// it), or the named file itself.
func eventFile(p string, present map[string]bool) string {
	name := path.Base(filepath.ToSlash(p))
	stem := strings.TrimSuffix(name, path.Ext(name))
	for _, cand := range []string{stem + ".json", name} {
		if present[cand] {
			return cand
		}
	}
	return ""
}

// regression lists the rule's regression events as tests: the folder its
// regression_tests_path names, or the folder matching its path under
// regression_data.
func (c *fileContext) regression(d *rule.Document, sr *lang.Rule) {
	if c.f.Root == "" || c.env == nil {
		return
	}
	hasPath := strings.TrimSpace(sr.RegressionTestsPath) != ""
	if !hasPath && !underRules(c.f) {
		return
	}
	idx := c.env.Shared(Format+":regression:"+c.f.Root, func() any { return buildRegressionIndex(c.f.Root) }).(*regressionIndex)
	if idx.repo == "" {
		return
	}
	// The rule's path relative to the repository root.
	prefix, err := filepath.Rel(idx.repo, c.f.Root)
	if err != nil {
		return
	}
	relRule := path.Join(filepath.ToSlash(prefix), c.f.Path)
	var dirs []string
	if hasPath {
		dirs = append(dirs, path.Dir(path.Clean(strings.TrimSpace(sr.RegressionTestsPath))))
	}
	dirs = append(dirs, "regression_data/"+strings.TrimSuffix(relRule, path.Ext(relRule)))
	for _, dir := range dirs {
		tests, ok := idx.tests[dir]
		if !ok {
			if msg, bad := idx.problems[dir]; bad {
				d.Diagnose(source.Diagnostic{Code: lang.CodeReference, Severity: source.Warning, Message: msg, Line: keyLine(c, sr, "regression_tests_path")})
				return
			}
			continue
		}
		for _, t := range tests {
			// Test paths are relative to the source root.
			if p, err := filepath.Rel(c.f.Root, filepath.Join(idx.repo, filepath.FromSlash(t.Path))); err == nil {
				t.Path = filepath.ToSlash(p)
			}
			d.Tests = append(d.Tests, t)
		}
		return
	}
	if hasPath {
		d.Diagnose(source.Diagnostic{Code: lang.CodeReference, Severity: source.Warning,
			Message: "regression_tests_path " + sr.RegressionTestsPath + " names no regression data", Line: keyLine(c, sr, "regression_tests_path")})
	}
}

// underRules reports whether a file sits in a SigmaHQ rules folder (rules,
// rules-emerging-threats, ...), the folders regression_data mirrors.
func underRules(f *formats.File) bool {
	if strings.HasPrefix(f.Path, "rules") {
		return true
	}
	for dir := filepath.Clean(f.Root); ; {
		if strings.HasPrefix(filepath.Base(dir), "rules") {
			return true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return false
		}
		dir = parent
	}
}

// keyLine returns the file line of a rule's top-level key (0 if absent).
func keyLine(c *fileContext, sr *lang.Rule, key string) int {
	for _, k := range sr.Keys {
		if k.Name == key && k.Pos.IsValid() {
			return c.file.Lines.Position(k.Pos).Line
		}
	}
	return 0
}
