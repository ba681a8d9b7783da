package events

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ErrEVTX is returned for binary .evtx files: no maintained Go EVTX reader is
// served by the Go module proxy, so detwiki reads EVTX exported as JSON
// (evtx_dump -o json, the Sigma regression data) instead.
var ErrEVTX = errors.New("binary .evtx files are not supported: export them as JSON (evtx_dump -o json) and read that")

// Reader yields the blocks of one event file. It is not safe for concurrent
// use; blocks it returns are immutable and may be shared.
type Reader struct {
	source  string
	next    func() (*Block, error)
	closers []io.Closer
}

// Next returns the next block, or io.EOF after the last one.
func (r *Reader) Next() (*Block, error) { return r.next() }

// Close releases the file.
func (r *Reader) Close() error {
	var err error
	for i := len(r.closers) - 1; i >= 0; i-- {
		if e := r.closers[i].Close(); e != nil && err == nil {
			err = e
		}
	}
	r.closers = nil
	return err
}

// Source returns the name the reader was opened with.
func (r *Reader) Source() string { return r.source }

// eventExts are the extensions Walk and zip archives read.
var eventExts = map[string]bool{".json": true, ".jsonl": true, ".ndjson": true, ".log": true, ".csv": true, ".gz": true, ".zip": true, ".evtx": true}

// IsEventFile reports whether name has an extension Open reads.
func IsEventFile(name string) bool { return eventExts[strings.ToLower(filepath.Ext(name))] }

// Open opens an event file; the decoder is chosen by extension (.zip, .gz,
// .csv, .evtx, anything else is a JSON stream).
func Open(path string) (*Reader, error) {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".evtx":
		return nil, fmt.Errorf("%s: %w", path, ErrEVTX)
	case ".zip":
		return openZip(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := NewReader(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closers = append([]io.Closer{f}, r.closers...)
	return r, nil
}

// NewReader decodes the events in src; name (a file name) chooses the
// decoder as in Open and names the blocks' Source. Zip archives need Open.
func NewReader(src io.Reader, name string) (*Reader, error) {
	ext := strings.ToLower(filepath.Ext(name))
	r := &Reader{source: name}
	switch ext {
	case ".evtx":
		return nil, fmt.Errorf("%s: %w", name, ErrEVTX)
	case ".zip":
		return nil, fmt.Errorf("%s: zip archives must be opened by path", name)
	case ".gz":
		zr, err := gzip.NewReader(bufio.NewReaderSize(src, 64<<10))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		inner, err := NewReader(zr, strings.TrimSuffix(name, filepath.Ext(name)))
		if err != nil {
			return nil, err
		}
		inner.source = name
		inner.closers = append(inner.closers, zr)
		return inner, nil
	case ".csv":
		r.next = csvBlocks(src, name)
	default:
		r.next = newJSONReader(src, name).blocks
	}
	return r, nil
}

func openZip(path string) (*Reader, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var members []*zip.File
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || strings.HasPrefix(filepath.Base(f.Name), ".") || strings.HasPrefix(f.Name, "__MACOSX/") {
			continue
		}
		switch strings.ToLower(filepath.Ext(f.Name)) {
		case ".json", ".jsonl", ".ndjson", ".log", ".csv", ".gz":
			members = append(members, f)
		}
	}
	sort.Slice(members, func(i, j int) bool { return members[i].Name < members[j].Name })
	r := &Reader{source: path, closers: []io.Closer{zr}}
	var cur *Reader
	r.next = func() (*Block, error) {
		for {
			if cur != nil {
				b, err := cur.Next()
				if err != io.EOF {
					return b, err
				}
				cur.Close()
				cur = nil
			}
			if len(members) == 0 {
				return nil, io.EOF
			}
			m := members[0]
			members = members[1:]
			rc, err := m.Open()
			if err != nil {
				return nil, fmt.Errorf("%s!%s: %w", path, m.Name, err)
			}
			cur, err = NewReader(rc, path+"!"+m.Name)
			if err != nil {
				rc.Close()
				return nil, err
			}
			cur.closers = append([]io.Closer{rc}, cur.closers...)
		}
	}
	return r, nil
}

// ReadFile calls fn with every block of the event file at path.
func ReadFile(path string, fn func(*Block) error) error {
	r, err := Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		b, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(b); err != nil {
			return err
		}
	}
}

// Files lists the event files under paths: files are taken as they are,
// folders are searched recursively for names IsEventFile accepts (hidden
// folders skipped), in a stable order.
func Files(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(fp string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if fp != p && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if IsEventFile(fp) {
				out = append(out, fp)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Walk calls fn with every block of every event file under paths (see
// Files). The first error stops the walk.
func Walk(paths []string, fn func(*Block) error) error {
	files, err := Files(paths)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := ReadFile(f, fn); err != nil {
			return err
		}
	}
	return nil
}

// blocks returns the next block of a JSON stream.
func (r *jsonReader) blocks() (*Block, error) {
	if r.failed != nil {
		return nil, r.failed
	}
	bb := newBlockBuilder(r.source, r.events)
	p := &parser{bb: bb, scratch: r.scratch}
	defer func() { r.scratch = p.scratch }()
	for !bb.full() {
		v, err := r.nextValue()
		if err != nil {
			return r.fail(bb, err)
		}
		if v == nil {
			break
		}
		if v[0] == '[' {
			continue // an array inside the top-level array is no event
		}
		if err := r.parseEvent(p, v); err != nil {
			return r.fail(bb, err)
		}
	}
	if bb.row == 0 {
		return nil, io.EOF
	}
	return bb.finish(), nil
}

// fail ends the stream at err: the events of bb before the bad one are
// returned as a block first (a bad event loses only itself and what follows
// it in its file), err on the next call.
func (r *jsonReader) fail(bb *blockBuilder, err error) (*Block, error) {
	r.failed = err
	if bb.row == 0 {
		return nil, err
	}
	for _, f := range bb.b.Fields {
		// the bad event's values
		if len(f.Codes) > bb.row {
			f.Codes = f.Codes[:bb.row]
		}
	}
	return bb.finish(), nil
}

func (r *jsonReader) parseEvent(p *parser, v []byte) error {
	p.data, p.i = v, 0
	err := p.event()
	if err == errNotObject {
		return nil // a scalar at the top level is no event
	}
	if err != nil {
		// drop the partial event's values
		return fmt.Errorf("%s: event %d: %w", r.source, r.events+1, err)
	}
	p.bb.endEvent()
	r.events++
	return nil
}

// csvBlocks decodes CSV with a header line.
func csvBlocks(src io.Reader, name string) func() (*Block, error) {
	cr := csv.NewReader(bufio.NewReaderSize(src, 64<<10))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var header [][]byte
	n := 0
	var failed error // a bad record ended the stream; its block went first
	return func() (*Block, error) {
		if failed != nil {
			return nil, failed
		}
		if header == nil {
			rec, err := cr.Read()
			if err == io.EOF {
				return nil, io.EOF
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			for i, h := range rec {
				h = strings.TrimSpace(h)
				if i == 0 {
					h = strings.TrimPrefix(h, "\ufeff")
				}
				header = append(header, []byte(h))
			}
		}
		bb := newBlockBuilder(name, n)
		for !bb.full() {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				failed = fmt.Errorf("%s: %w", name, err)
				if bb.row == 0 {
					return nil, failed
				}
				return bb.finish(), nil
			}
			for i, v := range rec {
				if i < len(header) && v != "" {
					bb.setString(header[i], []byte(v))
				}
			}
			bb.endEvent()
			n++
		}
		if bb.row == 0 {
			return nil, io.EOF
		}
		return bb.finish(), nil
	}
}

// decodeJSONEvents decodes a JSON text (for tests and small inputs).
func decodeJSONEvents(data []byte) (*Block, error) {
	r, err := NewReader(bytes.NewReader(data), "input.json")
	if err != nil {
		return nil, err
	}
	return r.Next()
}
