package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

// Options configure a build.
type Options struct {
	// Sources are rule folders (or files), read recursively.
	Sources []string
	// Out is the catalog folder to write (and to reuse the previous build
	// from); empty builds in memory only.
	Out string
	// Full ignores the previous build and reads every file.
	Full bool
	// Attack names tactics and techniques (default: the built-in data).
	Attack *attack.Catalog
	// Workers reading files at once (default GOMAXPROCS).
	Workers int
	// Progress is called as files are read, with the files done and the
	// total to read.
	Progress func(done, total int)
	// Version is the detwiki version recorded in the catalog.
	Version string
	// Events are event files or folders: every rule that can run runs on
	// them and on its own sample events (package ruletest), and its page
	// shows where it fired. Empty: rules are not run.
	Events []string
	// EventsProgress is called as event files are done.
	EventsProgress func(done, total int)
}

// Report says what a build did.
type Report struct {
	// Files is the number of candidate files, Read those read this time,
	// Reused those whose rules came from the previous build.
	Files  int
	Read   int
	Reused int
	// Relinked counts the unchanged files read again because a rule of
	// theirs links to a rule of a changed or removed file (included in
	// Read).
	Relinked int
	// Full is true when the previous build could not be reused at all, and
	// Why says why.
	Full bool
	Why  string
	// Wrote is true when the catalog folder was (re)written; a rebuild with
	// nothing changed, or one that read no rule, leaves it as it is.
	Wrote bool
	// Phases are the build's steps with their durations, in order.
	Phases []Phase
	// Total is the whole build's duration.
	Total time.Duration
}

// linkingToChanged returns the files of reused documents with a link to a
// rule the previous build read from a file for which changed reports true.
func linkingToChanged(prev *stored, reused []storedDoc, changed func(fileKey) bool) (map[fileKey]bool, error) {
	hasLinks := false
	for _, sd := range reused {
		hasLinks = hasLinks || len(sd.doc.Links) > 0
	}
	if !hasLinks {
		return nil, nil
	}
	ids, err := prev.readIDs()
	if err != nil {
		return nil, err
	}
	out := map[fileKey]bool{}
	for _, sd := range reused {
		for _, l := range sd.doc.Links {
			for _, k := range ids[l.Target] {
				if changed(k) {
					out[fileKey{sd.place.root, sd.place.path}] = true
				}
			}
		}
	}
	return out, nil
}

// Phase is one timed step of a build.
type Phase struct {
	Name     string
	Duration time.Duration
}

// Build reads the sources, builds the catalog and, when opt.Out is set,
// writes it there. A file that cannot be read never stops a build: it
// becomes a diagnostic of its rule or of its source.
func Build(opt Options) (*Catalog, *Report, error) {
	start := time.Now()
	rep := &Report{}
	phase := func(name string, since time.Time) time.Time {
		now := time.Now()
		rep.Phases = append(rep.Phases, Phase{name, now.Sub(since)})
		return now
	}
	ac := opt.Attack
	if ac == nil {
		ac = attack.Default()
	}
	attackJSON, err := json.Marshal(ac)
	if err != nil {
		return nil, nil, err
	}
	files, listDiags := formats.List(opt.Sources)
	sources := nameSources(opt.Sources, files)
	rep.Files = len(files)
	t := phase("list", start)

	var prev *stored
	dbPath := ""
	if opt.Out != "" {
		dbPath = filepath.Join(opt.Out, DBName)
		if !opt.Full {
			prev, err = openStored(dbPath)
			if err != nil {
				prev = nil
			}
		}
	}
	defer prev.close()
	switch {
	case opt.Out == "":
		rep.Full, rep.Why = true, "in-memory build"
	case opt.Full:
		rep.Full, rep.Why = true, "full rebuild asked for"
	case prev == nil:
		rep.Full, rep.Why = true, "no previous catalog"
	case prev.fingerprint != fingerprint():
		rep.Full, rep.Why = true, "detwiki changed since the previous build"
		prev.close()
		prev = nil
	case !sameAttack(prev.attackJSON, attackJSON, ac):
		rep.Full, rep.Why = true, "the ATT&CK data changed"
		prev.close()
		prev = nil
	}
	if prev != nil {
		if err := prev.loadFiles(); err != nil {
			prev.close()
			prev = nil
			rep.Full, rep.Why = true, "previous catalog unreadable: "+err.Error()
		}
	}

	// Stat and hash every file; unchanged files keep their rules.
	records := make([]FileRecord, len(files))
	changed := make([]bool, len(files))
	touched := make([]bool, len(files)) // unchanged content, new modification time
	statErr := make([]*source.Diagnostic, len(files))
	parallel(len(files), func(i int) {
		f := files[i]
		rec := FileRecord{Root: f.Root, Path: f.Path}
		st, err := os.Stat(f.Abs)
		if err != nil {
			statErr[i] = &source.Diagnostic{Code: "READ0001", Severity: source.Error, Path: f.Path, Message: "cannot read: " + err.Error()}
			changed[i] = true
			records[i] = rec
			return
		}
		rec.Size, rec.MTimeNS = st.Size(), st.ModTime().UnixNano()
		var old FileRecord
		var known bool
		if prev != nil {
			old, known = prev.files[fileKey{f.Root, f.Path}]
		}
		if known && old.Size == rec.Size && old.MTimeNS == rec.MTimeNS {
			records[i] = old
			return
		}
		// Hash the file (the reader reads it again later: keeping every
		// file's bytes until then would double the memory of a build).
		if st.Size() <= formats.MaxFileSize {
			rec.SHA256 = hashFile(f.Abs)
		}
		if known && rec.SHA256 != "" && old.SHA256 == rec.SHA256 {
			old.Size, old.MTimeNS = rec.Size, rec.MTimeNS
			records[i] = old
			touched[i] = true
			return
		}
		changed[i] = true
		records[i] = rec
	})
	// Roots whose support files (macros, helpers, data models: files that
	// give no rule) changed, appeared or disappeared are read again whole:
	// readers share per-source state built from them.
	rereadRoot := map[string]bool{}
	if prev != nil {
		present := map[fileKey]bool{}
		for i, f := range files {
			present[fileKey{f.Root, f.Path}] = true
			if changed[i] {
				if old, ok := prev.files[fileKey{f.Root, f.Path}]; !ok || old.Rules == 0 {
					rereadRoot[f.Root] = true
				}
			}
		}
		for k, old := range prev.files {
			if !present[k] && old.Rules == 0 {
				rereadRoot[k.root] = true
			}
		}
	}
	var toRead []*formats.File
	readIdx := map[*formats.File]int{}
	for i, f := range files {
		if prev == nil || changed[i] || rereadRoot[f.Root] {
			if statErr[i] != nil {
				continue
			}
			toRead = append(toRead, f)
			readIdx[f] = i
		}
	}
	rep.Read = len(toRead)
	rep.Reused = len(files) - len(toRead)
	// Nothing to write when no file changed, appeared, disappeared or was
	// touched since the previous build: its database is this build's.
	dirty := prev == nil || rep.Read > 0 || len(prev.files) != len(files)
	for i := range files {
		if touched[i] || statErr[i] != nil {
			dirty = true
		}
	}
	t = phase("check", t)

	// Reuse the documents of unchanged files.
	var docs []*rule.Document
	places := map[*rule.Document]placement{}
	if prev != nil && rep.Reused > 0 {
		reading := map[fileKey]bool{}
		for _, f := range toRead {
			reading[fileKey{f.Root, f.Path}] = true
		}
		inBuild := map[fileKey]bool{}
		for _, f := range files {
			inBuild[fileKey{f.Root, f.Path}] = true
		}
		old, err := prev.loadDocs(func(root, path string) bool {
			k := fileKey{root, path}
			return inBuild[k] && !reading[k]
		})
		if err != nil {
			return nil, nil, fmt.Errorf("reusing the previous catalog: %w", err)
		}
		// A rule that links to a rule of a file read again or gone (a
		// Sigma correlation naming the rules it correlates, a related
		// rule) is read again too: its reader resolves the link to the
		// rule's id and title as they are now.
		var relink map[fileKey]bool
		if rep.Read > 0 || len(prev.files) != len(files) {
			relink, err = linkingToChanged(prev, old, func(k fileKey) bool { return reading[k] || !inBuild[k] })
			if err != nil {
				return nil, nil, fmt.Errorf("reusing the previous catalog: %w", err)
			}
		}
		if len(relink) > 0 {
			kept := old[:0]
			for _, sd := range old {
				if !relink[fileKey{sd.place.root, sd.place.path}] {
					kept = append(kept, sd)
				}
			}
			old = kept
			for i, f := range files {
				if k := (fileKey{f.Root, f.Path}); relink[k] && !reading[k] {
					reading[k] = true
					toRead = append(toRead, f)
					readIdx[f] = i
				}
			}
			rep.Read = len(toRead)
			rep.Reused = len(files) - len(toRead)
			rep.Relinked = len(relink)
			dirty = true
		}
		repoOf := map[string]string{}
		for _, f := range files {
			repoOf[f.Root] = f.Repo
		}
		for _, sd := range old {
			sd.doc.Source.Repo = repoOf[sd.place.root]
			docs = append(docs, sd.doc)
			places[sd.doc] = sd.place
		}
		t = phase("reuse", t)
	}

	// Read the rest.
	res, err := formats.ReadFiles(toRead, nil, formats.Options{Attack: ac, Workers: opt.Workers, Progress: opt.Progress})
	if err != nil {
		return nil, nil, err
	}
	perFile := map[fileKey]int{}
	docs = append(docs, res.Documents...)
	// Documents do not carry their root: map them back through the files
	// read, in order (ReadFiles keeps the order of the files).
	fileOf := map[string]*formats.File{}
	for _, f := range toRead {
		fileOf[f.Repo+"\x00"+f.Path] = f
	}
	for _, d := range res.Documents {
		f := fileOf[d.Source.Repo+"\x00"+d.Source.Path]
		p := placement{path: d.Source.Path, readID: d.ID}
		if f != nil {
			p.root = f.Root
		}
		k := fileKey{p.root, p.path}
		p.seq = perFile[k]
		perFile[k]++
		places[d] = p
	}
	skipped := map[string]bool{}
	for _, s := range res.Skipped {
		skipped[s] = true
	}
	fileDiag := map[string]source.Diagnostic{}
	for _, d := range res.Diagnostics {
		fileDiag[d.Path] = d
	}
	for _, f := range toRead {
		i := readIdx[f]
		rec := &records[i]
		rec.Rules = perFile[fileKey{f.Root, f.Path}]
		rec.Skipped = skipped[f.Path] && rec.Rules == 0
		if d, ok := fileDiag[f.Path]; ok {
			rec.Diagnostic = &d
		}
		if rec.SHA256 == "" {
			rec.SHA256 = hashFile(f.Abs)
		}
	}
	t = phase("read", t)

	// Source summaries.
	for i := range files {
		if statErr[i] != nil {
			records[i].Diagnostic = statErr[i]
		}
	}
	var keep []FileRecord
	for i := range files {
		if statErr[i] == nil {
			keep = append(keep, records[i])
		}
	}
	info := Info{Built: time.Now().UTC(), Detwiki: opt.Version, Attack: ac.Version, Files: len(files), Reread: rep.Read}
	info.Sources = summarizeSources(sources, files, records, docs, listDiags)

	// Run the rules on events (or drop the runs of a previous build).
	if len(opt.Events) > 0 {
		rootOf := func(d *rule.Document) string { return places[d].root }
		if err := runEvents(docs, rootOf, opt.Events, opt.EventsProgress); err != nil {
			return nil, nil, fmt.Errorf("running rules on events: %w", err)
		}
		dirty = true
		t = phase("events", t)
	} else {
		for _, d := range docs {
			if d.Runs != nil {
				d.Runs = nil
				dirty = true
			}
		}
	}

	c := New(docs, info, ac)
	t = phase("analyze", t)
	if opt.Out != "" && !dirty {
		// Keep the previous build's record of when it was built.
		c.Info.Built, c.Info.Duration = prev.info.Built, prev.info.Duration
	}
	if len(docs) == 0 {
		// No rule read (a folder of something else): never replace a
		// catalog with an empty one.
		dirty = false
	}
	rep.Wrote = opt.Out != "" && dirty
	if rep.Wrote {
		prev.close()
		prev = nil
		c.Info.Duration = time.Since(start)
		if err := save(dbPath, c, keep, places, attackJSON); err != nil {
			return nil, nil, err
		}
		t = phase("write", t)
		// The duration of the build shown to readers includes writing,
		// which is known only now: the stored info is updated (one row).
		c.Info.Duration = time.Since(start)
		if err := saveInfo(dbPath, c.Info); err != nil {
			return nil, nil, err
		}
	} else if dirty {
		c.Info.Duration = time.Since(start)
	}
	rep.Total = time.Since(start)
	return c, rep, nil
}

// sameAttack reports whether the ATT&CK data a previous build stored are
// those of this build: the same version, tactics and techniques, wherever
// they came from (the built-in data or a bundle given with --attack).
func sameAttack(stored, current []byte, ac *attack.Catalog) bool {
	if string(stored) == string(current) {
		return true
	}
	prev, err := attack.FromJSON(stored)
	return err == nil && prev.SameData(ac)
}

// hashFile returns the SHA-256 of a file's content ("" when it cannot be
// read).
func hashFile(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sourceRef is one source folder given to a build.
type sourceRef struct {
	arg  string // as given
	root string // absolute folder
	name string // unique name (the rules' source.repo)
}

// nameSources gives every source folder a unique name (its base name, then
// "-2", "-3" for folders with the same base name) and renames the files'
// Repo accordingly.
func nameSources(args []string, files []*formats.File) []sourceRef {
	var refs []sourceRef
	byRoot := map[string]*sourceRef{}
	used := map[string]bool{}
	add := func(arg, root, base string) *sourceRef {
		if r, ok := byRoot[root]; ok {
			return r
		}
		name := base
		for n := 2; used[strings.ToLower(name)]; n++ {
			name = base + "-" + strconv.Itoa(n)
		}
		used[strings.ToLower(name)] = true
		refs = append(refs, sourceRef{arg: arg, root: root, name: name})
		byRoot[root] = &refs[len(refs)-1]
		return byRoot[root]
	}
	for _, a := range args {
		abs, err := filepath.Abs(a)
		if err != nil {
			abs = a
		}
		root := abs
		if st, err := os.Stat(abs); err == nil && !st.IsDir() {
			root = filepath.Dir(abs)
		}
		add(a, root, filepath.Base(root))
	}
	// refs may have moved when appended: rebuild the map.
	byRoot = map[string]*sourceRef{}
	for i := range refs {
		byRoot[refs[i].root] = &refs[i]
	}
	for _, f := range files {
		if r, ok := byRoot[f.Root]; ok {
			f.Repo = r.name
		}
	}
	return refs
}

// summarizeSources counts files, rules and diagnostics per source.
func summarizeSources(refs []sourceRef, files []*formats.File, records []FileRecord, docs []*rule.Document, listDiags source.Diagnostics) []SourceInfo {
	out := make([]SourceInfo, len(refs))
	byName := map[string]*SourceInfo{}
	byRoot := map[string]*SourceInfo{}
	for i, r := range refs {
		out[i] = SourceInfo{Name: r.name, Root: r.root, URL: RepoURL(r.name), ByLanguage: map[string]int{}}
		byName[r.name] = &out[i]
		byRoot[r.root] = &out[i]
	}
	for i, f := range files {
		s := byRoot[f.Root]
		if s == nil {
			continue
		}
		s.Files++
		if records[i].Skipped {
			s.Skipped++
		}
		if d := records[i].Diagnostic; d != nil {
			s.Diagnostics = append(s.Diagnostics, *d)
			s.Errors++
		}
	}
	for _, d := range docs {
		s := byName[d.Source.Repo]
		if s == nil {
			continue
		}
		s.Rules++
		s.ByLanguage[d.Language]++
		for _, diag := range d.Analysis.Diagnostics {
			switch diag.Severity {
			case source.Error:
				s.Errors++
			case source.Warning:
				s.Warnings++
			}
		}
	}
	// Problems listing a source (a folder that does not exist) belong to
	// the source they name.
	for _, d := range listDiags {
		matched := false
		for i := range out {
			if abs, _ := filepath.Abs(d.Path); abs == out[i].Root || strings.HasPrefix(abs, out[i].Root+string(filepath.Separator)) || d.Path == refs[i].arg {
				out[i].Diagnostics = append(out[i].Diagnostics, d)
				out[i].Errors++
				matched = true
				break
			}
		}
		if !matched && len(out) > 0 {
			out[0].Diagnostics = append(out[0].Diagnostics, d)
			out[0].Errors++
		}
	}
	for i := range out {
		source.Diagnostics(out[i].Diagnostics).Sort()
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

var (
	fingerprintOnce sync.Once
	fingerprintVal  string
)

// fingerprint identifies the detwiki build that reads files: the running
// executable's content, the readers it has and the schema version. A
// catalog written by another fingerprint is rebuilt in full.
func fingerprint() string {
	fingerprintOnce.Do(func() {
		h := sha256.New()
		fmt.Fprintf(h, "schema %d\n", SchemaVersion)
		for _, n := range formats.FormatNames() {
			fmt.Fprintf(h, "reader %s\n", n)
		}
		if exe, err := os.Executable(); err == nil {
			if f, err := os.Open(exe); err == nil {
				io.Copy(h, f)
				f.Close()
			}
		}
		fingerprintVal = hex.EncodeToString(h.Sum(nil))[:32]
	})
	return fingerprintVal
}
