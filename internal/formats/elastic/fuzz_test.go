package elastic

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/source"
)

// FuzzRead feeds arbitrary TOML files to both readers (rules and hunts),
// called directly so that a panic fails the target (formats.ReadFile would
// turn it into a READ0002 diagnostic). Each reader must return a document,
// and every diagnostic must point inside the file: the query locator
// (locate.go) and the relocation of query diagnostics are exercised on
// every input.
func FuzzRead(f *testing.F) {
	filepath.WalkDir("testdata", func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(p, ".toml") {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(string(data))
			}
		}
		return nil
	})
	for _, tt := range explainTests {
		f.Add("[rule]\nname = 'x'\ntype = 'query'\nlanguage = '" + tt.lang + "'\nquery = '''\n" + tt.query + "\n'''\n")
	}
	f.Add("[rule]\ntype = \"eql\"\nlanguage = \"eql\"\nquery = \"process where\\n\\n\\n a == )\"\n")
	f.Add("[hunt]\nname = \"h\"\nlanguage = [\"ES|QL\"]\nquery = [\"from a\\n| where x = 1\", '''sql\nSELECT 1''']\n")
	env := &formats.Env{Attack: attack.Default()}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 1<<15 {
			return
		}
		lines := source.NewLineTable("", text).LineCount()
		for _, r := range []formats.Reader{New(), NewHunt()} {
			file := &formats.File{Repo: "r", Root: "/r", Path: "rules/x.toml", Abs: "/r/rules/x.toml", Data: []byte(text)}
			docs := r.Read(file, env)
			if len(docs) == 0 {
				t.Fatalf("%s: no document", r.Format())
			}
			for _, d := range docs {
				for _, x := range d.Analysis.Diagnostics {
					if x.Line < 0 || x.Line > lines || x.EndLine > lines {
						t.Fatalf("%s: diagnostic outside the %d lines of the file: %s", r.Format(), lines, x)
					}
				}
			}
		}
	})
}
