// Package formats finds rule files under source folders, picks the reader for
// each file (auto-detected, or forced with a format name) and turns every file
// into rule documents, in parallel. Readers live in sub-packages, one per
// format, and are registered in order by package formats/all.
//
// A file that cannot be read never stops a run: it becomes a rule document
// carrying a diagnostic, and a reader that panics is a bug reported as a
// diagnostic on that file only.
package formats

import (
	"fmt"
	"path"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// File is one candidate rule file.
type File struct {
	// Repo names the source folder given to the run (its base name), Root is
	// that folder and Path the file's slash-separated path inside it.
	Repo string
	Root string
	Path string
	// Abs is the file's path on disk.
	Abs  string
	Data []byte
}

// Ext returns the file's lower-case extension, with its dot ("" for none).
func (f *File) Ext() string { return strings.ToLower(path.Ext(f.Path)) }

// Base returns the file's name.
func (f *File) Base() string { return path.Base(f.Path) }

// Reader reads one rule format. Implementations must be safe for concurrent
// use: Read is called from several goroutines at once.
type Reader interface {
	// Format is the reader's name (sentinel, falconfriday, sigma, ...).
	Format() string
	// Language is the rule family the reader produces (rule.LangKusto, ...).
	Language() string
	// Detect reports whether f looks like this format. It must be cheap: it
	// is asked for every file until one reader says yes.
	Detect(f *File) bool
	// Read turns f into rule documents. It never panics on bad input: what it
	// cannot read becomes a document with diagnostics (or, for files that
	// are not rules after all, no document and no diagnostic).
	Read(f *File, env *Env) []*rule.Document
}

// Env is what readers share during one run.
type Env struct {
	// Attack resolves ATT&CK names.
	Attack *attack.Catalog
	state  sync.Map // key -> *lazy
}

type lazy struct {
	once sync.Once
	v    any
}

// Shared returns the value build makes for key, building it once per run even
// when called from many goroutines. Readers use it for per-source state such
// as Splunk macros or Panther data models (key them by format and f.Root).
func (e *Env) Shared(key string, build func() any) any {
	l, _ := e.state.LoadOrStore(key, new(lazy))
	lz := l.(*lazy)
	lz.once.Do(func() { lz.v = build() })
	return lz.v
}

var (
	regMu     sync.RWMutex
	readers   []Reader
	enrichers []func(*rule.Document)
)

// AddEnricher registers a pass that runs on every document a run reads, after
// its reader, in registration order: the shared passes that fill canonical
// fields and equivalent events (package schema) register here.
func AddEnricher(fn func(*rule.Document)) {
	regMu.Lock()
	defer regMu.Unlock()
	enrichers = append(enrichers, fn)
}

// Enrich runs the registered enrichers over d.
func Enrich(d *rule.Document) {
	regMu.RLock()
	fns := enrichers
	regMu.RUnlock()
	for _, fn := range fns {
		fn(d)
	}
}

// Register adds readers, in detection priority order: the first reader whose
// Detect accepts a file reads it.
func Register(rs ...Reader) {
	regMu.Lock()
	defer regMu.Unlock()
	for _, r := range rs {
		for _, old := range readers {
			if old.Format() == r.Format() {
				panic("formats: reader " + r.Format() + " registered twice")
			}
		}
		readers = append(readers, r)
	}
}

// Readers returns the registered readers in priority order.
func Readers() []Reader {
	regMu.RLock()
	defer regMu.RUnlock()
	return append([]Reader(nil), readers...)
}

// Lookup returns the reader named format.
func Lookup(format string) (Reader, bool) {
	for _, r := range Readers() {
		if r.Format() == format {
			return r, true
		}
	}
	return nil, false
}

// Detect returns the first registered reader that accepts f, or nil.
func Detect(f *File) Reader {
	for _, r := range Readers() {
		if r.Detect(f) {
			return r
		}
	}
	return nil
}

// ReadFile runs r over f, turning a panic into a diagnostic document, and
// fills the defaults every document must have.
func ReadFile(r Reader, f *File, env *Env) (docs []*rule.Document) {
	defer func() {
		if p := recover(); p != nil {
			d := StubDocument(r, f, "")
			d.Diagnose(source.Diagnostic{Code: "READ0002", Severity: source.Error,
				Message: fmt.Sprintf("internal error in the %s reader (a detwiki bug): %v\n%s", r.Format(), p, firstFrames(debug.Stack()))})
			d.Normalize()
			docs = []*rule.Document{d}
		}
	}()
	docs = r.Read(f, env)
	for _, d := range docs {
		if d.Source.Path == "" {
			d.Source = rule.Source{Repo: f.Repo, Path: f.Path}
		}
		if d.Format == "" {
			d.Format = r.Format()
		}
		if d.Language == "" {
			d.Language = r.Language()
		}
		if d.ID == "" {
			d.ID = rule.MakeID(d.Language, f.Path, "")
		}
		// One severity vocabulary whatever the source's spelling
		// (Sentinel "High", Panther "Info"): docs/rule-model.md.
		d.Severity = rule.NormalizeSeverity(d.Severity)
		for i := range d.Analysis.Diagnostics {
			if d.Analysis.Diagnostics[i].Path == "" {
				d.Analysis.Diagnostics[i].Path = f.Path
			}
		}
		d.Normalize()
	}
	return docs
}

// StubDocument returns a document for f that holds no more than where it came
// from: the start of a rule that could not be read, to which the reader adds
// diagnostics. title defaults to the file name.
func StubDocument(r Reader, f *File, title string) *rule.Document {
	if title == "" {
		title = strings.TrimSuffix(f.Base(), path.Ext(f.Base()))
	}
	return &rule.Document{
		ID:       rule.MakeID(r.Language(), f.Path, ""),
		Language: r.Language(),
		Format:   r.Format(),
		Source:   rule.Source{Repo: f.Repo, Path: f.Path},
		Title:    title,
		Body:     string(f.Data),
	}
}

func firstFrames(stack []byte) string {
	lines := strings.Split(string(stack), "\n")
	if len(lines) > 16 {
		lines = lines[:16]
	}
	return strings.Join(lines, "\n")
}
