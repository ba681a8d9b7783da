package kustorule

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/source"
)

// Decode turns a rule file's bytes into text a reader can index: a UTF-8 BOM
// is dropped, UTF-16 with a BOM is converted, a lone CR (a line end of old
// Mac files, which YAML and editors count as one) becomes LF, byte for byte,
// so that every position agrees with YAML's lines, and bytes that are not UTF-8
// are replaced by U+FFFD with a warning. ok is false when the file cannot be
// read at all (binary or too large); the diagnostics then say why, with the
// line and column of the problem.
func Decode(path string, data []byte) (text string, diags []source.Diagnostic, ok bool) {
	if len(data) > formats.MaxFileSize {
		return "", []source.Diagnostic{{Code: CodeTooLarge, Severity: source.Error, Path: path, Line: 1, Col: 1,
			Message: fmt.Sprintf("file is %d bytes, larger than the %d-byte limit for a rule file; not read", len(data), formats.MaxFileSize)}}, false
	}
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case len(data) >= 2 && (data[0] == 0xFF && data[1] == 0xFE || data[0] == 0xFE && data[1] == 0xFF):
		data = []byte(fromUTF16(data[2:], data[0] == 0xFE))
	}
	data = loneCRToLF(data)
	if i := bytes.IndexByte(data, 0); i >= 0 {
		line, col := lineCol(data, i)
		return "", []source.Diagnostic{{Code: CodeBinary, Severity: source.Error, Path: path, Line: line, Col: col,
			Message: "file is not text (a NUL byte); not read"}}, false
	}
	if !utf8.Valid(data) {
		i := firstInvalid(data)
		line, col := lineCol(data, i)
		diags = append(diags, source.Diagnostic{Code: CodeEncoding, Severity: source.Warning, Path: path, Line: line, Col: col,
			Message: fmt.Sprintf("file is not valid UTF-8 (byte 0x%02X); invalid bytes are read as U+FFFD", data[i])})
		return strings.ToValidUTF8(string(data), "\uFFFD"), diags, true
	}
	return string(data), nil, true
}

// loneCRToLF returns data with every CR not followed by LF replaced by LF
// (a copy; data itself is left alone).
func loneCRToLF(data []byte) []byte {
	copied := false
	for i := bytes.IndexByte(data, '\r'); i >= 0 && i < len(data); {
		if i+1 >= len(data) || data[i+1] != '\n' {
			if !copied {
				data = bytes.Clone(data)
				copied = true
			}
			data[i] = '\n'
		}
		j := bytes.IndexByte(data[i+1:], '\r')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return data
}

func fromUTF16(b []byte, bigEndian bool) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	return string(utf16.Decode(u))
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return 0
}

// lineCol returns the 1-based line and byte column of offset i in b.
func lineCol(b []byte, i int) (int, int) {
	line := 1 + bytes.Count(b[:i], []byte{'\n'})
	start := bytes.LastIndexByte(b[:i], '\n') + 1
	return line, i - start + 1
}

// LineCol returns the 1-based line and byte column of offset i in s.
func LineCol(s string, i int) (int, int) {
	if i > len(s) {
		i = len(s)
	}
	line := 1 + strings.Count(s[:i], "\n")
	start := strings.LastIndexByte(s[:i], '\n') + 1
	return line, i - start + 1
}

// Ext returns a file's extension as its owner meant it: lower case, without
// the dot and without spaces ("Rule. yaml" has the extension "yaml").
func Ext(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return ""
	}
	ext := strings.ToLower(strings.TrimSpace(name[i+1:]))
	if len(ext) > 8 || strings.ContainsAny(ext, " /") {
		return ""
	}
	return ext
}

// Stem returns a file name without its extension (as Ext sees it).
func Stem(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if Ext(name) == "" {
		return name
	}
	return strings.TrimSpace(name[:strings.LastIndexByte(name, '.')])
}

// Head returns at most n bytes of data from its start, cut at a line end, for
// cheap format detection.
func Head(data []byte, n int) []byte {
	if len(data) <= n {
		return data
	}
	h := data[:n]
	if i := bytes.LastIndexByte(h, '\n'); i > 0 {
		h = h[:i]
	}
	return h
}
