package formats

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// MaxFileSize is the largest file a run reads; bigger files become a
// diagnostic. No real rule comes near it.
const MaxFileSize = 8 << 20

// Options configure a run.
type Options struct {
	// Format forces one reader for every file instead of detecting it.
	Format string
	// Workers is the number of files read at once (default GOMAXPROCS).
	Workers int
	// Attack resolves ATT&CK names (default attack.Default()).
	Attack *attack.Catalog
	// Progress, when set, is called after each file with the files done so
	// far and the total.
	Progress func(done, total int)
}

// Result is what a run read.
type Result struct {
	// Documents in the order of the files they came from.
	Documents []*rule.Document
	// Diagnostics are problems with files that produced no document (a path
	// that does not exist, a file too big to read).
	Diagnostics source.Diagnostics
	// Files is the number of candidate files, Skipped those no reader took.
	Files   int
	Skipped []string
}

// skipDir reports whether a folder is never searched for rules.
func skipDir(name string) bool {
	return name != "." && strings.HasPrefix(name, ".") || name == "node_modules" || name == "__pycache__"
}

// List returns the candidate files under paths (files are taken as they are;
// folders are walked recursively, skipping hidden folders), in a stable order.
func List(paths []string) ([]*File, source.Diagnostics) {
	var files []*File
	var diags source.Diagnostics
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			diags = append(diags, source.Diagnostic{Code: "READ0001", Severity: source.Error, Path: p, Message: err.Error()})
			continue
		}
		st, err := os.Stat(abs)
		if err != nil {
			diags = append(diags, source.Diagnostic{Code: "READ0001", Severity: source.Error, Path: p, Message: "cannot read: " + errText(err)})
			continue
		}
		if !st.IsDir() {
			files = append(files, &File{Repo: filepath.Base(filepath.Dir(abs)), Root: filepath.Dir(abs), Path: filepath.Base(abs), Abs: abs})
			continue
		}
		repo := filepath.Base(abs)
		err = filepath.WalkDir(abs, func(fp string, d fs.DirEntry, err error) error {
			if err != nil {
				diags = append(diags, source.Diagnostic{Code: "READ0001", Severity: source.Error, Path: fp, Message: "cannot read: " + errText(err)})
				return nil
			}
			if d.IsDir() {
				if fp != abs && skipDir(d.Name()) {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() {
				return nil
			}
			rel, _ := filepath.Rel(abs, fp)
			files = append(files, &File{Repo: repo, Root: abs, Path: filepath.ToSlash(rel), Abs: fp})
			return nil
		})
		if err != nil {
			diags = append(diags, source.Diagnostic{Code: "READ0001", Severity: source.Error, Path: p, Message: err.Error()})
		}
	}
	return files, diags
}

func errText(err error) string {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// Read lists the files under paths and reads every one that a reader takes.
func Read(paths []string, opt Options) (*Result, error) {
	files, diags := List(paths)
	return ReadFiles(files, diags, opt)
}

// ReadFiles reads the given files (see Read).
func ReadFiles(files []*File, diags source.Diagnostics, opt Options) (*Result, error) {
	var forced Reader
	if opt.Format != "" {
		r, ok := Lookup(opt.Format)
		if !ok {
			return nil, fmt.Errorf("unknown format %q (known: %s)", opt.Format, strings.Join(FormatNames(), ", "))
		}
		forced = r
	}
	env := &Env{Attack: opt.Attack}
	if env.Attack == nil {
		env.Attack = attack.Default()
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	res := &Result{Files: len(files), Diagnostics: diags}
	perFile := make([][]*rule.Document, len(files))
	fileDiags := make([]*source.Diagnostic, len(files))
	skipped := make([]bool, len(files))
	var done int
	var mu sync.Mutex
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				perFile[i], fileDiags[i], skipped[i] = readOne(files[i], forced, env)
				files[i].Data = nil // let the bytes go; documents keep their body
				if opt.Progress != nil {
					mu.Lock()
					done++
					opt.Progress(done, len(files))
					mu.Unlock()
				}
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	for i := range files {
		res.Documents = append(res.Documents, perFile[i]...)
		if fileDiags[i] != nil {
			res.Diagnostics = append(res.Diagnostics, *fileDiags[i])
		}
		if skipped[i] {
			res.Skipped = append(res.Skipped, files[i].Path)
		}
	}
	sort.Strings(res.Skipped)
	return res, nil
}

func readOne(f *File, forced Reader, env *Env) ([]*rule.Document, *source.Diagnostic, bool) {
	st, err := os.Stat(f.Abs)
	if err != nil {
		return nil, &source.Diagnostic{Code: "READ0001", Severity: source.Error, Path: f.Path, Message: "cannot read: " + errText(err)}, false
	}
	if st.Size() > MaxFileSize {
		if forced == nil && !ruleLikeName(f.Path) {
			return nil, nil, true
		}
		return nil, &source.Diagnostic{Code: "READ0003", Severity: source.Error, Path: f.Path, Line: 1, Col: 1,
			Message: fmt.Sprintf("file is %d bytes, larger than the %d-byte limit for a rule file; not read", st.Size(), MaxFileSize)}, false
	}
	if f.Data == nil {
		data, err := os.ReadFile(f.Abs)
		if err != nil {
			return nil, &source.Diagnostic{Code: "READ0001", Severity: source.Error, Path: f.Path, Message: "cannot read: " + errText(err)}, false
		}
		f.Data = data
	}
	r := forced
	if r == nil {
		r = Detect(f)
	}
	if r == nil {
		return nil, nil, true
	}
	docs := ReadFile(r, f, env)
	for _, d := range docs {
		enrichSafely(d)
	}
	return docs, nil, false
}

// ruleLikeName reports whether a file name has an extension some rule format
// uses, so that an oversized one is reported rather than silently skipped.
func ruleLikeName(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".yaml", ".yml", ".md", ".kql", ".csl", ".txt", ".toml", ".yaral", ".py", ".json":
		return true
	}
	return false
}

// FormatNames lists the registered readers' names.
func FormatNames() []string {
	var names []string
	for _, r := range Readers() {
		names = append(names, r.Format())
	}
	return names
}

// IsText reports whether data looks like text a reader can show: valid UTF-8
// (after an optional BOM) with no NUL bytes in its first 8 KiB.
func IsText(data []byte) bool {
	head := data
	if len(head) > 8192 {
		head = head[:8192]
	}
	for _, b := range head {
		if b == 0 {
			return false
		}
	}
	return utf8.Valid(data)
}

// enrichSafely runs the enrichers, turning a panic into a diagnostic.
func enrichSafely(d *rule.Document) {
	defer func() {
		if p := recover(); p != nil {
			d.Diagnose(source.Diagnostic{Code: "READ0004", Severity: source.Error,
				Message: fmt.Sprintf("internal error while enriching the rule (a detwiki bug): %v", p)})
		}
	}()
	Enrich(d)
	d.Normalize()
}
