package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver
)

// DBName is the file name of the catalog database inside a catalog folder.
const DBName = "catalog.db"

// SchemaVersion is the version of the database layout (PRAGMA
// user_version); a catalog of another version is rebuilt from scratch.
const SchemaVersion = 1

// schema is the catalog database layout; docs/catalog.md describes it.
const dbSchema = `
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources(name TEXT PRIMARY KEY, root TEXT, url TEXT, files INTEGER, skipped INTEGER,
  rules INTEGER, errors INTEGER, warnings INTEGER);
CREATE TABLE files(root TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
  sha256 TEXT NOT NULL, rules INTEGER NOT NULL, skipped INTEGER NOT NULL, diagnostic TEXT,
  PRIMARY KEY(root, path));
CREATE TABLE rules(id TEXT PRIMARY KEY, read_id TEXT NOT NULL, root TEXT NOT NULL, path TEXT NOT NULL,
  seq INTEGER NOT NULL, language TEXT, query_language TEXT, format TEXT, repo TEXT, title TEXT,
  severity TEXT, status TEXT, kind TEXT, third_party_feed INTEGER, deprecated INTEGER,
  errors INTEGER, warnings INTEGER, document TEXT NOT NULL);
CREATE TABLE rule_attack(rule_id TEXT NOT NULL, tactic_id TEXT, tactic TEXT, technique_id TEXT, technique TEXT);
CREATE TABLE rule_events(rule_id TEXT NOT NULL, provider TEXT, event TEXT, title TEXT, via TEXT, class TEXT);
CREATE TABLE rule_tables(rule_id TEXT NOT NULL, name TEXT);
CREATE TABLE indicators(id INTEGER PRIMARY KEY, field TEXT, kind TEXT, value TEXT, normalized_value TEXT,
  rules INTEGER, by_language TEXT, slug TEXT);
CREATE TABLE rule_indicators(rule_id TEXT NOT NULL, field TEXT, canonical_field TEXT, kind TEXT, value TEXT,
  transforms TEXT, negated INTEGER, indicator_id INTEGER);
CREATE TABLE neighbours(rule_id TEXT NOT NULL, other_id TEXT NOT NULL, relation TEXT NOT NULL, diff TEXT);
`

// indexes are created after the rows are in (faster than maintaining them).
const indexes = `
CREATE INDEX rules_file ON rules(root, path);
CREATE INDEX rule_attack_technique ON rule_attack(technique_id);
CREATE INDEX rule_events_event ON rule_events(provider, event);
CREATE INDEX rule_indicators_rule ON rule_indicators(rule_id);
CREATE INDEX rule_indicators_indicator ON rule_indicators(indicator_id);
CREATE INDEX indicators_value ON indicators(field, kind, normalized_value);
CREATE INDEX neighbours_rule ON neighbours(rule_id);
`

// FileRecord is what the catalog remembers of a source file, to re-read
// only the files that changed.
type FileRecord struct {
	Root    string
	Path    string
	Size    int64
	MTimeNS int64
	SHA256  string
	// Rules is the number of rule documents the file gave; Skipped is true
	// when no reader took it.
	Rules   int
	Skipped bool
	// Diagnostic is a problem with the file that produced no document.
	Diagnostic *source.Diagnostic
}

// placement says which file (and which rule of the file) a document came
// from, and the id its reader gave it.
type placement struct {
	root, path string
	seq        int
	readID     string
}

func openDB(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// save writes c into a fresh database at path (replacing any file there
// once the new one is complete).
func save(path string, c *Catalog, files []FileRecord, places map[*rule.Document]placement, attackJSON []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	os.Remove(tmp)
	db, err := openDB(tmp)
	if err != nil {
		return err
	}
	err = writeAll(db, c, files, places, attackJSON)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing the catalog %s: %w", path, err)
	}
	os.Remove(path + "-wal")
	os.Remove(path + "-shm")
	return os.Rename(tmp, path)
}

// saveInfo replaces the Info stored in the catalog at path (one row: how
// long a build took is known only once the catalog is written).
func saveInfo(path string, info Info) error {
	b, err := json.Marshal(info)
	if err != nil {
		return err
	}
	db, err := openDB(path)
	if err != nil {
		return err
	}
	_, err = db.Exec("UPDATE meta SET value = ? WHERE key = 'info'", string(b))
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing the catalog %s: %w", path, err)
	}
	return nil
}

func writeAll(db *sql.DB, c *Catalog, files []FileRecord, places map[*rule.Document]placement, attackJSON []byte) error {
	ctx := context.Background()
	for _, p := range []string{"PRAGMA journal_mode=OFF", "PRAGMA synchronous=OFF", "PRAGMA cache_size=-65536",
		fmt.Sprintf("PRAGMA user_version=%d", SchemaVersion)} {
		if _, err := db.ExecContext(ctx, p); err != nil {
			return err
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(dbSchema); err != nil {
		return err
	}
	info, _ := json.Marshal(c.Info)
	if err := insertRows(tx, "INSERT INTO meta VALUES(?,?)", [][]any{
		{"info", string(info)},
		{"attack", string(attackJSON)},
		{"built", c.Info.Built.Format(time.RFC3339)},
		{"detwiki", c.Info.Detwiki},
		{"fingerprint", fingerprint()},
	}); err != nil {
		return err
	}
	var rows [][]any
	for _, s := range c.Info.Sources {
		rows = append(rows, []any{s.Name, s.Root, s.URL, s.Files, s.Skipped, s.Rules, s.Errors, s.Warnings})
	}
	if err := insertRows(tx, "INSERT OR REPLACE INTO sources VALUES(?,?,?,?,?,?,?,?)", rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, f := range files {
		var diag any
		if f.Diagnostic != nil {
			b, _ := json.Marshal(f.Diagnostic)
			diag = string(b)
		}
		rows = append(rows, []any{f.Root, f.Path, f.Size, f.MTimeNS, f.SHA256, f.Rules, boolInt(f.Skipped), diag})
	}
	if err := insertRows(tx, "INSERT OR REPLACE INTO files VALUES(?,?,?,?,?,?,?,?)", rows); err != nil {
		return err
	}
	if err := writeRules(tx, c, places); err != nil {
		return err
	}
	if err := writeStats(tx, c); err != nil {
		return err
	}
	if _, err := tx.Exec(indexes); err != nil {
		return err
	}
	return tx.Commit()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// batch inserts rows into a table many at a time (one statement per
// batchRows rows): far fewer round trips through database/sql than one
// statement per row.
type batch struct {
	tx      *sql.Tx
	table   string
	cols    int
	args    []any
	stmt    *sql.Stmt
	pending int
}

const batchRows = 256

func newBatch(tx *sql.Tx, table string, cols int) *batch {
	return &batch{tx: tx, table: table, cols: cols}
}

func (b *batch) statement(rows int) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO " + b.table + " VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", b.cols), ",") + ")"
	for i := 0; i < rows; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(row)
	}
	return sb.String()
}

// add queues one row.
func (b *batch) add(values ...any) error {
	b.args = append(b.args, values...)
	b.pending++
	if b.pending == batchRows {
		if b.stmt == nil {
			st, err := b.tx.Prepare(b.statement(batchRows))
			if err != nil {
				return err
			}
			b.stmt = st
		}
		if _, err := b.stmt.Exec(b.args...); err != nil {
			return fmt.Errorf("%s: %w", b.table, err)
		}
		b.args, b.pending = b.args[:0], 0
	}
	return nil
}

// flush writes the queued rows.
func (b *batch) flush() error {
	defer func() {
		if b.stmt != nil {
			b.stmt.Close()
			b.stmt = nil
		}
	}()
	if b.pending == 0 {
		return nil
	}
	_, err := b.tx.Exec(b.statement(b.pending), b.args...)
	b.args, b.pending = b.args[:0], 0
	if err != nil {
		return fmt.Errorf("%s: %w", b.table, err)
	}
	return nil
}

func insertRows(tx *sql.Tx, stmt string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	st, err := tx.Prepare(stmt)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, r := range rows {
		if _, err := st.Exec(r...); err != nil {
			return err
		}
	}
	return nil
}

// encodeChunk is the number of documents encoded at once: enough to keep
// every core busy, few enough that the encoded JSON of the whole catalog
// is never in memory at once.
const encodeChunk = 512

// writeRules stores every rule document, encoding them to JSON in parallel,
// a chunk at a time.
func writeRules(tx *sql.Tx, c *Catalog, places map[*rule.Document]placement) error {
	encoded := make([][]byte, len(c.Rules))
	encodeFrom := func(from int) error {
		to := min(from+encodeChunk, len(c.Rules))
		errs := make([]error, to-from)
		parallel(to-from, func(i int) {
			encoded[from+i], errs[i] = json.Marshal(c.Rules[from+i].Document)
		})
		return errors.Join(errs...)
	}
	rules := newBatch(tx, "rules", 18)
	att := newBatch(tx, "rule_attack", 5)
	ev := newBatch(tx, "rule_events", 6)
	tb := newBatch(tx, "rule_tables", 2)
	for i, r := range c.Rules {
		if i%encodeChunk == 0 {
			if err := encodeFrom(i); err != nil {
				return err
			}
		}
		p := places[r.Document]
		if p.readID == "" {
			p.readID = r.ID
		}
		nerr, nwarn := 0, 0
		for _, d := range r.Analysis.Diagnostics {
			switch d.Severity {
			case source.Error:
				nerr++
			case source.Warning:
				nwarn++
			}
		}
		if err := rules.add(r.ID, p.readID, p.root, p.path, p.seq, r.Language, r.QueryLanguage, r.Format, r.Source.Repo,
			r.Title, r.Severity, r.Status, r.Kind, boolInt(r.ThirdPartyFeed), boolInt(r.Deprecated), nerr, nwarn, string(encoded[i])); err != nil {
			return fmt.Errorf("rule %s: %w", r.ID, err)
		}
		encoded[i] = nil
		for _, a := range r.Attack {
			if err := att.add(r.ID, a.TacticID, a.Tactic, a.TechniqueID, a.Technique); err != nil {
				return err
			}
		}
		for _, e := range r.Analysis.Events {
			if err := ev.add(r.ID, e.Provider, e.Event, e.Title, e.Via, e.Class); err != nil {
				return err
			}
		}
		for _, t := range r.Analysis.Tables {
			if err := tb.add(r.ID, t); err != nil {
				return err
			}
		}
	}
	for _, b := range []*batch{rules, att, ev, tb} {
		if err := b.flush(); err != nil {
			return err
		}
	}
	return nil
}

// writeStats stores the indicator statistics, each rule's indicators and
// exclusions, and the neighbours.
func writeStats(tx *sql.Tx, c *Catalog) error {
	ids := make(map[*IndicatorStat]int, len(c.Indicators))
	st := newBatch(tx, "indicators", 8)
	for i, ind := range c.Indicators {
		ids[ind] = i + 1
		bl, _ := json.Marshal(ind.ByLanguage)
		if err := st.add(i+1, ind.Field, ind.Kind, ind.Value, ind.Key.Value, ind.Total, string(bl), ind.Slug); err != nil {
			return err
		}
	}
	ri := newBatch(tx, "rule_indicators", 8)
	for _, r := range c.Rules {
		for neg, list := range [][]rule.Indicator{r.Analysis.Indicators, r.Analysis.Exclusions} {
			for _, ind := range list {
				for _, v := range ind.Values {
					var id any
					if k, ok := CountKey(r.Language, ind, v); ok && neg == 0 {
						if s := c.indicatorByKey[k]; s != nil {
							id = ids[s]
						}
					}
					var tf any
					if len(v.Transforms) > 0 {
						tf = strings.Join(v.Transforms, ",")
					}
					if err := ri.add(r.ID, ind.Field, ind.CanonicalField, ind.Kind, v.Value, tf, neg, id); err != nil {
						return err
					}
				}
			}
		}
	}
	nb := newBatch(tx, "neighbours", 4)
	for _, r := range c.Rules {
		for _, rel := range []struct {
			name string
			list []Related
		}{{"narrower", r.Neighbours.Narrower}, {"broader", r.Neighbours.Broader}, {"same", r.Neighbours.Same}, {"same_action", r.SameAction}} {
			for _, o := range rel.list {
				d, _ := json.Marshal(o.Diff)
				if err := nb.add(r.ID, o.ID, rel.name, string(d)); err != nil {
					return err
				}
			}
		}
	}
	for _, b := range []*batch{st, ri, nb} {
		if err := b.flush(); err != nil {
			return err
		}
	}
	return nil
}

// parallel runs fn(0..n-1) on GOMAXPROCS goroutines.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), max(n, 1))
	var wg sync.WaitGroup
	var mu sync.Mutex
	next := 0
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next += 16
				mu.Unlock()
				if i >= n {
					return
				}
				for j := i; j < min(i+16, n); j++ {
					fn(j)
				}
			}
		}()
	}
	wg.Wait()
}

// stored is what a previous build left in its database.
type stored struct {
	info        Info
	attackJSON  []byte
	fingerprint string
	files       map[fileKey]FileRecord
	db          *sql.DB
}

type fileKey struct{ root, path string }

// openStored opens the database of a previous build for reuse (nil, nil
// when there is none or it has another schema version).
func openStored(path string) (*stored, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, nil
	}
	db, err := openDB(path)
	if err != nil {
		return nil, err
	}
	var version int
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != SchemaVersion {
		db.Close()
		return nil, nil
	}
	s := &stored{db: db, files: map[fileKey]FileRecord{}}
	rows, err := db.Query("SELECT key, value FROM meta")
	if err != nil {
		db.Close()
		return nil, err
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			db.Close()
			return nil, err
		}
		switch k {
		case "info":
			json.Unmarshal([]byte(v), &s.info)
		case "attack":
			s.attackJSON = []byte(v)
		case "fingerprint":
			s.fingerprint = v
		}
	}
	rows.Close()
	return s, nil
}

func (s *stored) close() {
	if s != nil && s.db != nil {
		s.db.Close()
	}
}

// loadFiles reads the file records of the previous build.
func (s *stored) loadFiles() error {
	rows, err := s.db.Query("SELECT root, path, size, mtime_ns, sha256, rules, skipped, diagnostic FROM files")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var f FileRecord
		var skipped int
		var diag sql.NullString
		if err := rows.Scan(&f.Root, &f.Path, &f.Size, &f.MTimeNS, &f.SHA256, &f.Rules, &skipped, &diag); err != nil {
			return err
		}
		f.Skipped = skipped != 0
		if diag.Valid && diag.String != "" {
			var d source.Diagnostic
			if json.Unmarshal([]byte(diag.String), &d) == nil {
				f.Diagnostic = &d
			}
		}
		s.files[fileKey{f.Root, f.Path}] = f
	}
	return rows.Err()
}

// storedDoc is a document of the previous build with where it came from.
type storedDoc struct {
	place placement
	doc   *rule.Document
}

// docJSONOptions decode stored documents with encoding/json's leniency
// (names matched without regard to case, duplicate names and invalid
// UTF-8 accepted) using the JSON v2 implementation, which decodes the
// catalog's documents more than twice as fast (TestLoadDecodesAsJSONv1
// checks that the result is the same).
var docJSONOptions = jsonv2.JoinOptions(jsonv2.MatchCaseInsensitiveNames(true),
	jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))

// decodeDocument decodes a stored rule document.
func decodeDocument(raw []byte) (*rule.Document, error) {
	d := new(rule.Document)
	if err := jsonv2.Unmarshal(raw, d, docJSONOptions); err != nil {
		return nil, err
	}
	return d, nil
}

// loadDocs reads the documents of the previous build that keep returns
// true for (all when keep is nil). Rows are read on one goroutine while
// the others decode them; each decoder interns the strings of what it
// decodes (see interner). Corpus counts are dropped and the ids are the
// readers' (before disambiguation).
// readIDs returns the reader's id of every rule of the previous build with
// the file it came from.
func (s *stored) readIDs() (map[string][]fileKey, error) {
	rows, err := s.db.Query("SELECT read_id, root, path FROM rules")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]fileKey{}
	for rows.Next() {
		var id string
		var k fileKey
		if err := rows.Scan(&id, &k.root, &k.path); err != nil {
			return nil, err
		}
		out[id] = append(out[id], k)
	}
	return out, rows.Err()
}

func (s *stored) loadDocs(keep func(root, path string) bool) ([]storedDoc, error) {
	rows, err := s.db.Query("SELECT root, path, seq, read_id, document FROM rules ORDER BY root, path, seq")
	if err != nil {
		return nil, err
	}
	type job struct {
		i   int
		raw []byte
	}
	const batchSize = 32
	batches := make(chan []job, 16)
	var (
		mu   sync.Mutex
		out  []storedDoc
		docs = map[int]*rule.Document{}
		errs = map[int]error{}
	)
	var wg sync.WaitGroup
	for w := 0; w < max(runtime.GOMAXPROCS(0), 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := newInterner()
			type result struct {
				i   int
				doc *rule.Document
				err error
			}
			var done []result
			for batch := range batches {
				done = done[:0]
				for _, j := range batch {
					d, err := decodeDocument(j.raw)
					if err == nil {
						for a := range d.Analysis.Indicators {
							for b := range d.Analysis.Indicators[a].Values {
								d.Analysis.Indicators[a].Values[b].Corpus = nil
							}
						}
						in.value(reflect.ValueOf(d))
					}
					done = append(done, result{j.i, d, err})
				}
				mu.Lock()
				for _, r := range done {
					if r.err != nil {
						errs[r.i] = r.err
					} else {
						docs[r.i] = r.doc
					}
				}
				mu.Unlock()
			}
		}()
	}
	var batch []job
	n := 0
	var scanErr error
	for rows.Next() {
		var p placement
		var raw []byte
		if err := rows.Scan(&p.root, &p.path, &p.seq, &p.readID, &raw); err != nil {
			scanErr = err
			break
		}
		if keep != nil && !keep(p.root, p.path) {
			continue
		}
		mu.Lock()
		out = append(out, storedDoc{place: p})
		mu.Unlock()
		batch = append(batch, job{n, raw})
		n++
		if len(batch) == batchSize {
			batches <- batch
			batch = nil
		}
	}
	if len(batch) > 0 {
		batches <- batch
	}
	close(batches)
	wg.Wait()
	rows.Close()
	if scanErr == nil {
		scanErr = rows.Err()
	}
	if scanErr != nil {
		return nil, scanErr
	}
	var all []error
	for i := range out {
		if d := docs[i]; d != nil {
			d.ID = out[i].place.readID
			out[i].doc = d
		} else if err := errs[i]; err != nil {
			all = append(all, fmt.Errorf("stored rule %s: %w", out[i].place.readID, err))
		}
	}
	return out, errors.Join(all...)
}

// Load reads the catalog in the folder dir (or the database file dir).
func Load(dir string) (*Catalog, error) {
	path := dir
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		path = filepath.Join(dir, DBName)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no catalog at %s (build one with `detwiki build --out %s SOURCE...`)", path, dir)
	}
	s, err := openStored(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if s == nil {
		return nil, fmt.Errorf("%s: not a detwiki catalog of this version (schema %d); rebuild it", path, SchemaVersion)
	}
	defer s.close()
	docs, err := s.loadDocs(nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ac := attack.Default()
	if len(s.attackJSON) > 0 {
		if c, err := attack.FromJSON(s.attackJSON); err == nil {
			ac = c
		}
	}
	list := make([]*rule.Document, len(docs))
	for i, d := range docs {
		list[i] = d.doc
	}
	return New(list, s.info, ac), nil
}
