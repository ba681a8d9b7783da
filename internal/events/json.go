package events

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxNesting bounds the depth of JSON values (deeper values are an error).
const maxNesting = 200

// maxEventBytes bounds one top-level JSON value.
const maxEventBytes = 64 << 20

// jsonReader decodes a stream of JSON values into blocks. Each top-level
// object is one event; each element of a top-level array is one event.
type jsonReader struct {
	src     io.Reader
	source  string
	buf     []byte
	pos     int // next unread byte in buf
	end     int // bytes of buf filled
	eof     bool
	events  int // events read so far
	line    int // line of pos (for errors), counted lazily
	scratch []byte
	err     error
	failed  error // a bad event ended the stream (see fail)
	// inArray: inside a top-level array, whose elements are read one at a
	// time like a stream of values (never the whole array as one value)
	inArray bool
}

func newJSONReader(r io.Reader, source string) *jsonReader {
	return &jsonReader{src: r, source: source, buf: make([]byte, 256<<10)}
}

// fill reads more input after discarding the consumed prefix. It reports
// whether more bytes arrived.
func (r *jsonReader) fill() bool {
	if r.eof {
		return false
	}
	if r.pos > 0 {
		r.line += countLines(r.buf[:r.pos])
		n := copy(r.buf, r.buf[r.pos:r.end])
		r.end, r.pos = n, 0
	}
	if r.end == len(r.buf) {
		if len(r.buf) >= maxEventBytes {
			r.err = fmt.Errorf("%s: an event is larger than %d MiB", r.source, maxEventBytes>>20)
			return false
		}
		nb := make([]byte, 2*len(r.buf))
		copy(nb, r.buf[:r.end])
		r.buf = nb
	}
	n, err := io.ReadAtLeast(r.src, r.buf[r.end:], 1)
	r.end += n
	if err != nil {
		r.eof = true
		if err != io.EOF && err != io.ErrUnexpectedEOF {
			r.err = fmt.Errorf("%s: %w", r.source, err)
		}
	}
	return n > 0
}

func countLines(b []byte) int {
	n := 0
	for _, c := range b {
		if c == '\n' {
			n++
		}
	}
	return n
}

// nextValue returns the bytes of the next top-level JSON value, or nil at
// the end of the stream.
func (r *jsonReader) nextValue() ([]byte, error) {
	for {
		// skip white space (and a UTF-8 byte order mark)
		for r.pos < r.end {
			c := r.buf[r.pos]
			if c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == ',' {
				r.pos++
				continue
			}
			// a top-level array: its elements are the values that follow
			if c == '[' && !r.inArray || c == ']' && r.inArray {
				r.inArray = c == '['
				r.pos++
				continue
			}
			if c == 0xEF && r.pos+2 < r.end && r.buf[r.pos+1] == 0xBB && r.buf[r.pos+2] == 0xBF {
				r.pos += 3
				continue
			}
			break
		}
		if r.pos < r.end {
			break
		}
		if !r.fill() {
			return nil, r.err
		}
	}
	for {
		n, complete := valueLen(r.buf[r.pos:r.end])
		if complete {
			v := r.buf[r.pos : r.pos+n]
			r.pos += n
			return v, nil
		}
		if n < 0 {
			return nil, r.syntaxError(r.pos - n - 1)
		}
		if !r.fill() {
			if r.err != nil {
				return nil, r.err
			}
			return nil, fmt.Errorf("%s:%d: unexpected end of input inside a JSON value", r.source, r.line+1)
		}
	}
}

func (r *jsonReader) syntaxError(at int) error {
	line := r.line + countLines(r.buf[:min(at, r.end)]) + 1
	return fmt.Errorf("%s:%d: invalid JSON", r.source, line)
}

// valueLen returns the length of the JSON value at the start of b and true
// when b holds all of it; (k, false) with k >= 0 when b ends inside it;
// (-i-1, false) for a syntax error at offset i. It only tracks strings and
// nesting; the parser validates the rest.
func valueLen(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	switch b[0] {
	case '{', '[':
		depth := 0
		for i := 0; i < len(b); i++ {
			switch b[i] {
			case '"':
				i++
				for i < len(b) && b[i] != '"' {
					if b[i] == '\\' {
						i++
					}
					i++
				}
				if i >= len(b) {
					return len(b), false
				}
			case '{', '[':
				depth++
				if depth > maxNesting {
					return -i - 1, false
				}
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
		}
		return len(b), false
	default:
		// a bare scalar at the top level: up to the next white space
		for i := 0; i < len(b); i++ {
			switch b[i] {
			case ' ', '\n', '\r', '\t':
				return i, true
			}
		}
		return len(b), false
	}
}

// errNotObject marks top-level values that are not events.
var errNotObject = errors.New("not a JSON object")

// parser decodes one JSON value into flattened fields.
type parser struct {
	data    []byte
	i       int
	bb      *blockBuilder
	path    []byte // current dotted prefix
	scratch []byte
}

func (p *parser) fail() error {
	return fmt.Errorf("invalid JSON at byte %d of an event", p.i)
}

func (p *parser) ws() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\n', '\r', '\t':
			p.i++
		default:
			return
		}
	}
}

// event parses one top-level object as an event.
func (p *parser) event() error {
	p.ws()
	if p.i >= len(p.data) || p.data[p.i] != '{' {
		return errNotObject
	}
	p.path = p.path[:0]
	return p.object(0)
}

// object parses {...} at p.i, storing leaves under p.path.
func (p *parser) object(depth int) error {
	if depth > maxNesting {
		return p.fail()
	}
	p.i++ // '{'
	base := len(p.path)
	p.ws()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		return nil
	}
	for {
		p.ws()
		if p.i >= len(p.data) || p.data[p.i] != '"' {
			return p.fail()
		}
		key, err := p.str()
		if err != nil {
			return err
		}
		p.ws()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			return p.fail()
		}
		p.i++
		p.ws()
		p.path = p.path[:base]
		switch string(key) {
		case "#attributes":
			// the attributes of an element are its fields: keep the prefix
		case "#text":
			// the element's text is the element's value
		default:
			if base > 0 {
				p.path = append(p.path, '.')
			}
			p.path = append(p.path, key...)
		}
		if err := p.member(depth); err != nil {
			return err
		}
		p.path = p.path[:base]
		p.ws()
		if p.i >= len(p.data) {
			return p.fail()
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return nil
		default:
			return p.fail()
		}
	}
}

// member parses the value of a member whose name is p.path.
func (p *parser) member(depth int) error {
	if p.i >= len(p.data) {
		return p.fail()
	}
	switch c := p.data[p.i]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		start := p.i
		if p.isDataArray() {
			return p.dataArray(depth + 1)
		}
		if err := p.skip(depth + 1); err != nil {
			return err
		}
		p.bb.setKind(p.path, Array, p.data[start:p.i])
		return nil
	case c == '"':
		s, err := p.str()
		if err != nil {
			return err
		}
		p.bb.setString(p.path, s)
		return nil
	case c == 't' || c == 'f' || c == 'n':
		return p.literal()
	default:
		start := p.i
		if err := p.number(); err != nil {
			return err
		}
		p.bb.setKind(p.path, Number, p.data[start:p.i])
		return nil
	}
}

func (p *parser) literal() error {
	rest := p.data[p.i:]
	switch {
	case hasPrefix(rest, "true"):
		p.i += 4
		p.bb.setKind(p.path, Bool, []byte("true"))
	case hasPrefix(rest, "false"):
		p.i += 5
		p.bb.setKind(p.path, Bool, []byte("false"))
	case hasPrefix(rest, "null"):
		p.i += 4
		// null leaves the field absent
	default:
		return p.fail()
	}
	return nil
}

func hasPrefix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[:len(s)]) == s
}

func (p *parser) number() error {
	start := p.i
	if p.i < len(p.data) && (p.data[p.i] == '-' || p.data[p.i] == '+') {
		p.i++
	}
	digits := 0
	for p.i < len(p.data) {
		c := p.data[p.i]
		if c >= '0' && c <= '9' {
			digits++
		} else if c != '.' && c != 'e' && c != 'E' && c != '-' && c != '+' {
			break
		}
		p.i++
	}
	if digits == 0 || p.i == start {
		return p.fail()
	}
	return nil
}

// isDataArray reports whether the array at p.i is an EVTX EventData.Data
// list ([{"#attributes": {"Name": ...}, "#text": ...}, ...]): the path ends
// in ".Data" and the first element is an object.
func (p *parser) isDataArray() bool {
	n := len(p.path)
	if n < 5 || string(p.path[n-5:]) != ".Data" {
		return false
	}
	j := p.i + 1
	for j < len(p.data) && (p.data[j] == ' ' || p.data[j] == '\n' || p.data[j] == '\r' || p.data[j] == '\t') {
		j++
	}
	return j < len(p.data) && p.data[j] == '{'
}

// dataArray stores each {"#attributes":{"Name":n},"#text":v} element as
// <parent>.<n> = v (the ".Data" step dropped).
func (p *parser) dataArray(depth int) error {
	if depth > maxNesting {
		return p.fail()
	}
	parent := append([]byte(nil), p.path[:len(p.path)-5]...)
	p.i++ // '['
	for {
		p.ws()
		if p.i >= len(p.data) {
			return p.fail()
		}
		if p.data[p.i] == ']' {
			p.i++
			return nil
		}
		if p.data[p.i] == ',' {
			p.i++
			continue
		}
		if p.data[p.i] != '{' {
			return p.fail()
		}
		// decode the element into a throwaway builder, then rename
		sub := &parser{data: p.data, i: p.i, bb: newBlockBuilder("", 0)}
		if err := sub.object(depth + 1); err != nil {
			return err
		}
		p.i = sub.i
		elem := sub.bb.finish()
		name := elem.Field("Name").Text(0)
		var val Value
		for _, f := range elem.Fields {
			if f.Name == "Name" {
				continue
			}
			val = f.Value(0)
		}
		if name == "" {
			continue
		}
		p.bb.set(string(parent)+"."+name, val)
	}
}

// skip passes over one JSON value, validating its structure.
func (p *parser) skip(depth int) error {
	if depth > maxNesting {
		return p.fail()
	}
	p.ws()
	if p.i >= len(p.data) {
		return p.fail()
	}
	switch c := p.data[p.i]; {
	case c == '{' || c == '[':
		close := byte('}')
		if c == '[' {
			close = ']'
		}
		p.i++
		p.ws()
		if p.i < len(p.data) && p.data[p.i] == close {
			p.i++
			return nil
		}
		for {
			if c == '{' {
				p.ws()
				if p.i >= len(p.data) || p.data[p.i] != '"' {
					return p.fail()
				}
				if _, err := p.str(); err != nil {
					return err
				}
				p.ws()
				if p.i >= len(p.data) || p.data[p.i] != ':' {
					return p.fail()
				}
				p.i++
			}
			if err := p.skip(depth + 1); err != nil {
				return err
			}
			p.ws()
			if p.i >= len(p.data) {
				return p.fail()
			}
			if p.data[p.i] == ',' {
				p.i++
				continue
			}
			if p.data[p.i] == close {
				p.i++
				return nil
			}
			return p.fail()
		}
	case c == '"':
		_, err := p.str()
		return err
	case c == 't' || c == 'f' || c == 'n':
		rest := p.data[p.i:]
		switch {
		case hasPrefix(rest, "true"), hasPrefix(rest, "null"):
			p.i += 4
		case hasPrefix(rest, "false"):
			p.i += 5
		default:
			return p.fail()
		}
		return nil
	default:
		return p.number()
	}
}

// str decodes the string at p.i (which is '"').
func (p *parser) str() ([]byte, error) {
	p.i++
	start := p.i
	// fast path: no escapes
	for p.i < len(p.data) {
		c := p.data[p.i]
		if c == '"' {
			s := p.data[start:p.i]
			p.i++
			return s, nil
		}
		if c == '\\' {
			break
		}
		p.i++
	}
	buf := append(p.scratch[:0], p.data[start:p.i]...)
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			p.i++
			p.scratch = buf
			return buf, nil
		case c == '\\':
			if p.i+1 >= len(p.data) {
				return nil, p.fail()
			}
			e := p.data[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return nil, p.fail()
				}
				if utf16.IsSurrogate(r) {
					r2 := rune(utf8.RuneError)
					if p.i+1 < len(p.data) && p.data[p.i] == '\\' && p.data[p.i+1] == 'u' {
						save := p.i
						p.i += 2
						if x, ok := p.hex4(); ok {
							r2 = x
						} else {
							p.i = save
						}
					}
					r = utf16.DecodeRune(r, r2)
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return nil, p.fail()
			}
		default:
			buf = append(buf, c)
			p.i++
		}
	}
	return nil, p.fail()
}

func (p *parser) hex4() (rune, bool) {
	if p.i+4 > len(p.data) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(p.data[p.i:p.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(v), true
}
