package panther

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/lang/sql"
	"github.com/detwiki/detwiki/internal/rule"
)

// corpus is what every rule of one panther-analysis source shares: the
// rules and queries by their Panther ids (to link correlation rules and
// scheduled rules), the log types and their SQL tables, the data models
// and the global helpers with what each helper function checks. It is
// built once per source folder and read concurrently afterwards.
type corpus struct {
	root string
	// rules maps a RuleID (or PolicyID) to its document id.
	rules map[string]string
	// queries maps a QueryName to the query's document id and log types.
	queries map[string]*queryInfo
	// queryUsers maps a QueryName to the scheduled rules that run on it.
	queryUsers map[string][]string
	// logTypes maps the SQL table name of a log type (aws_cloudtrail) to
	// the log type (AWS.CloudTrail).
	logTypes map[string]string
	// models maps a lower-case log type to its data models.
	models map[string][]*dataModel
	// helpers maps a module name (panther_aws_helpers) to the module.
	helpers map[string]*module
}

type queryInfo struct {
	id       string
	logTypes []string
}

// dataModel is a Panther data model: names (source_ip) mapped to paths
// (sourceIPAddress) or to methods of its Python file.
type dataModel struct {
	id       string
	logTypes []string
	// fields maps a name to the event field it reads ("" when the mapping
	// is a method whose field could not be told).
	fields map[string]string
}

// corpusFor returns the shared state of the source f belongs to.
func corpusFor(env *formats.Env, f *formats.File) *corpus {
	// The root is found once per folder (a few stats up the tree).
	dir := filepath.Dir(f.Abs)
	root := env.Shared("panther:root:"+f.Root+"\x00"+dir, func() any { return findRoot(f) }).(string)
	return env.Shared("panther:"+root, func() any { return buildCorpus(root) }).(*corpus)
}

// findRoot returns the panther-analysis folder of a file: the nearest
// folder up from it that holds global_helpers or data_models (at most a
// few levels up), else the source folder given to the run.
func findRoot(f *formats.File) string {
	if f.Abs == "" {
		return f.Root
	}
	dir := filepath.Dir(f.Abs)
	for i := 0; i < 6; i++ {
		for _, sub := range []string{"global_helpers", "data_models"} {
			if st, err := os.Stat(filepath.Join(dir, sub)); err == nil && st.IsDir() {
				return dir
			}
		}
		if dir == f.Root {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return f.Root
}

// topKeys is a quick line scan of a YAML file's top-level scalar keys and
// the scalar items of top-level lists (no full YAML parse).
func topKeys(data []byte, want map[string]bool) map[string][]string {
	out := map[string][]string{}
	cur := ""
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		if line[0] != ' ' && line[0] != '-' && line[0] != '\t' {
			cur = ""
			k, v, ok := strings.Cut(line, ":")
			if !ok || !want[k] {
				continue
			}
			cur = k
			if v = cleanScalar(v); v != "" {
				out[k] = append(out[k], v)
			}
			continue
		}
		if cur == "" {
			continue
		}
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "- ") {
			if v := cleanScalar(t[2:]); v != "" {
				out[cur] = append(out[cur], v)
			}
		}
	}
	return out
}

func cleanScalar(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	if v == "|" || v == ">" || v == "|-" || v == ">-" {
		return ""
	}
	return strings.Trim(v, `"'`)
}

var indexKeys = map[string]bool{"AnalysisType": true, "RuleID": true, "PolicyID": true, "QueryName": true,
	"LogTypes": true, "Filename": true, "ResourceTypes": true, "ScheduledQueries": true}

func buildCorpus(root string) *corpus {
	c := &corpus{root: root, rules: map[string]string{}, queries: map[string]*queryInfo{}, queryUsers: map[string][]string{},
		logTypes: map[string]string{}, models: map[string][]*dataModel{}, helpers: map[string]*module{}}
	if root == "" {
		return c
	}
	type modelFile struct{ rel, abs string }
	var models, queries []modelFile
	var helperFiles []string
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "__pycache__") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		switch strings.ToLower(path.Ext(name)) {
		case ".py":
			if strings.HasPrefix(rel, "global_helpers/") && !strings.HasSuffix(name, "_test.py") {
				helperFiles = append(helperFiles, p)
			}
			return nil
		case ".yml", ".yaml":
		default:
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil || len(data) > formats.MaxFileSize {
			return nil
		}
		keys := topKeys(data, indexKeys)
		typ := first(keys["AnalysisType"])
		switch typ {
		case typeRule, typeScheduledRule, typeCorrelation, typePolicy:
			id := rule.MakeID(rule.LangPanther, rel, "")
			for _, rid := range append(keys["RuleID"], keys["PolicyID"]...) {
				c.rules[rid] = id
			}
			for _, lt := range keys["LogTypes"] {
				c.addLogType(lt)
			}
			for _, qn := range keys["ScheduledQueries"] {
				c.queryUsers[qn] = append(c.queryUsers[qn], id)
			}
		case typeScheduled, typeSaved:
			queries = append(queries, modelFile{rel, p})
		case typeDataModel:
			models = append(models, modelFile{rel, p})
			for _, lt := range keys["LogTypes"] {
				c.addLogType(lt)
			}
		}
		return nil
	})
	sort.Strings(helperFiles)
	for _, p := range helperFiles {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(p), ".py")
		rel, _ := filepath.Rel(root, p)
		c.helpers[name] = newModule(name, filepath.ToSlash(rel), string(data))
	}
	for _, q := range queries {
		c.addQuery(q.rel, q.abs)
	}
	for _, mf := range models {
		c.addModel(mf.rel, mf.abs)
	}
	// What each helper function checks, computed once for all rules.
	for _, name := range sortedKeys(c.helpers) {
		c.helpers[name].summarizeAll(c)
	}
	for _, h := range c.helpers {
		h.frozen = true
	}
	return c
}

func first(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (c *corpus) addLogType(lt string) {
	lt = strings.TrimSpace(lt)
	if lt == "" {
		return
	}
	c.logTypes[tableOf(lt)] = lt
}

// tableOf is the Snowflake table name of a log type: AWS.CloudTrail is
// aws_cloudtrail.
func tableOf(logType string) string {
	return strings.ToLower(strings.ReplaceAll(logType, ".", "_"))
}

// logTypeOfTable returns the log type a SQL table holds
// (panther_logs.public.aws_cloudtrail is AWS.CloudTrail), or "".
func (c *corpus) logTypeOfTable(table string) string {
	parts := strings.Split(strings.ToLower(table), ".")
	name := parts[len(parts)-1]
	if len(parts) >= 2 {
		switch parts[0] {
		case "panther_logs", "panther_cloudsecurity", "panther_views":
		default:
			if len(parts) == 3 {
				return ""
			}
		}
	}
	return c.logTypes[name]
}

func (c *corpus) addQuery(rel, abs string) {
	data, err := os.ReadFile(abs)
	if err != nil {
		return
	}
	var y struct {
		QueryName string `yaml:"QueryName"`
		Query     string `yaml:"Query"`
	}
	if yaml.Unmarshal(data, &y) != nil || y.QueryName == "" {
		return
	}
	qi := &queryInfo{id: rule.MakeID(rule.LangPanther, rel, "")}
	q, _ := sql.Parse(y.Query)
	for _, s := range q.Selects {
		for _, t := range s.Tables {
			if lt := c.logTypeOfTable(t.Name); lt != "" && !contains(qi.logTypes, lt) {
				qi.logTypes = append(qi.logTypes, lt)
			}
		}
	}
	c.queries[y.QueryName] = qi
}

func (c *corpus) addModel(rel, abs string) {
	data, err := os.ReadFile(abs)
	if err != nil {
		return
	}
	var y struct {
		DataModelID string   `yaml:"DataModelID"`
		LogTypes    []string `yaml:"LogTypes"`
		Filename    string   `yaml:"Filename"`
		Mappings    []struct {
			Name   string `yaml:"Name"`
			Path   string `yaml:"Path"`
			Method string `yaml:"Method"`
		} `yaml:"Mappings"`
	}
	if yaml.Unmarshal(data, &y) != nil {
		return
	}
	dm := &dataModel{id: y.DataModelID, logTypes: y.LogTypes, fields: map[string]string{}}
	var mod *module
	if y.Filename != "" {
		py := filepath.Join(filepath.Dir(abs), filepath.FromSlash(y.Filename))
		if r, err := filepath.Rel(c.root, py); err == nil && !strings.HasPrefix(r, "..") {
			if src, err := os.ReadFile(py); err == nil {
				mod = newModule(strings.TrimSuffix(filepath.Base(py), ".py"), filepath.ToSlash(r), string(src))
			}
		}
	}
	for _, m := range y.Mappings {
		switch {
		case m.Path != "":
			dm.fields[m.Name] = jsonPathField(m.Path)
		case m.Method != "" && mod != nil:
			dm.fields[m.Name] = mod.returnedField(c, m.Method)
		default:
			dm.fields[m.Name] = ""
		}
	}
	for _, lt := range y.LogTypes {
		k := strings.ToLower(lt)
		c.models[k] = append(c.models[k], dm)
	}
}

// jsonPathField turns a data-model JSONPath ($.responseElements.user.userName,
// $.actor[*].id) into a field path (responseElements.user.userName,
// actor[].id).
func jsonPathField(p string) string {
	p = strings.TrimSpace(p)
	p = strings.TrimPrefix(p, "$")
	p = strings.TrimPrefix(p, ".")
	p = strings.ReplaceAll(p, "[*]", "[]")
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		// $['key with dots'] -> key with dots
		if p[i] == '[' && i+1 < len(p) && (p[i+1] == '\'' || p[i+1] == '"') {
			q := p[i+1]
			j := strings.IndexByte(p[i+2:], q)
			if j >= 0 {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(p[i+2 : i+2+j])
				i = i + 2 + j + 1
				continue
			}
		}
		b.WriteByte(p[i])
	}
	return strings.TrimPrefix(b.String(), ".")
}

// udmField resolves event.udm(name) for a rule of the given log types: the
// field the data models map the name to when they all agree, else
// "udm:name".
func (c *corpus) udmField(name string, logTypes []string) string {
	field := ""
	for _, lt := range logTypes {
		for _, dm := range c.models[strings.ToLower(lt)] {
			f := dm.fields[name]
			if f == "" || field != "" && f != field {
				return "udm:" + name
			}
			field = f
		}
	}
	if field == "" {
		return "udm:" + name
	}
	return field
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
