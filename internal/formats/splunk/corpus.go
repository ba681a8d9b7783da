package splunk

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/lang/spl"
)

// Corpus is what the detections of one security_content checkout share: its
// macros, analytic stories and data sources. It is built once per run and
// root (Env.Shared) and only read afterwards.
type Corpus struct {
	// Root is the folder holding macros/, stories/ and data_sources/ ("" when
	// none was found above the detection).
	Root   string
	Macros *spl.Macros
	// Stories and DataSources map a lower-case name to its file.
	Stories     map[string]Ref
	DataSources map[string]Ref
}

// Ref names one story or data source file.
type Ref struct {
	Name string
	// Path is slash-separated and relative to the corpus root
	// (stories/3cx_supply_chain_attack.yml).
	Path string
}

// builtinMacros are macros security_content calls but does not define: the
// Splunk apps a detection runs in ship them.
var builtinMacros = []*spl.Macro{
	{Name: "drop_dm_object_name", Args: []string{"object"}, Definition: "rename $object$.* AS *", Source: "Splunk_SA_CIM",
		Description: "strips the dataset prefix (Processes.) from the fields of a datamodel search"},
}

// maxRootLevels bounds how far above a detection the corpus root is looked
// for.
const maxRootLevels = 6

// corpusFor returns the corpus the detection f belongs to, finding its root
// (the nearest folder above it with a macros/ folder) and loading it once.
func corpusFor(f *formats.File, env *formats.Env) *Corpus {
	dir := filepath.Dir(f.Abs)
	root := env.Shared("splunk-root:"+dir, func() any { return findRoot(dir) }).(string)
	return env.Shared("splunk:"+root, func() any { return LoadCorpus(root) }).(*Corpus)
}

func findRoot(dir string) string {
	return formats.NearestDirWith(dir, "macros", maxRootLevels)
}

// LoadCorpus reads the macros, stories and data sources under root. Files
// that cannot be read are skipped: a detection that uses a macro from one of
// them reports the macro as unknown.
func LoadCorpus(root string) *Corpus {
	c := &Corpus{Root: root, Macros: spl.NewMacros(), Stories: map[string]Ref{}, DataSources: map[string]Ref{}}
	for _, m := range builtinMacros {
		c.Macros.Add(m)
	}
	if root == "" {
		return c
	}
	for _, p := range yamlFiles(filepath.Join(root, "macros")) {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var m struct {
			Name        string   `yaml:"name"`
			Definition  string   `yaml:"definition"`
			Arguments   []string `yaml:"arguments"`
			Description string   `yaml:"description"`
		}
		if yaml.Unmarshal(data, &m) != nil || m.Name == "" {
			continue
		}
		rel, _ := filepath.Rel(root, p)
		c.Macros.Add(&spl.Macro{Name: m.Name, Args: m.Arguments, Definition: m.Definition, Description: strings.TrimSpace(m.Description), Source: filepath.ToSlash(rel)})
	}
	for dir, into := range map[string]map[string]Ref{"stories": c.Stories, "data_sources": c.DataSources} {
		for _, p := range yamlFiles(filepath.Join(root, dir)) {
			name := topLevelName(p)
			if name == "" {
				continue
			}
			rel, _ := filepath.Rel(root, p)
			into[strings.ToLower(name)] = Ref{Name: name, Path: filepath.ToSlash(rel)}
		}
	}
	return c
}

func yamlFiles(dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if !d.IsDir() && (path.Ext(d.Name()) == ".yml" || path.Ext(d.Name()) == ".yaml") {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// topLevelName returns the value of the file's top-level name: key. It
// decodes just that line (story and data source files are large, and only
// their names are needed), and the whole file when the line is not a simple
// scalar.
func topLevelName(p string) string {
	data, err := os.ReadFile(p)
	if err != nil {
		return ""
	}
	var line []byte
	switch i := bytes.Index(data, []byte("\nname:")); {
	case bytes.HasPrefix(data, []byte("name:")):
		line = data
	case i >= 0:
		line = data[i+1:]
	}
	if line != nil {
		if end := bytes.IndexByte(line, '\n'); end >= 0 {
			line = line[:end]
		}
		var v struct {
			Name string `yaml:"name"`
		}
		if yaml.Unmarshal(line, &v) == nil && v.Name != "" {
			return v.Name
		}
	}
	var v struct {
		Name string `yaml:"name"`
	}
	if yaml.Unmarshal(data, &v) != nil {
		return ""
	}
	return v.Name
}
