package sharedtest

import (
	"errors"
	"io/fs"
	"os"
	"strings"
)

// UpdateDocSection replaces, in the markdown file at path, the section
// named name: the text between the lines
//
//	<!-- begin name -->
//	<!-- end name -->
//
// (added at the end of the file when absent; the file is created when
// missing). Several generators can so share one file, each rewriting only
// its own section (docs/validation.md: the Kusto and the Sigma results).
func UpdateDocSection(path, name, content string) error {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	text := string(data)
	begin, end := "<!-- begin "+name+" -->\n", "<!-- end "+name+" -->\n"
	if !strings.HasSuffix(content, "\n") {
		content += "\n"
	}
	block := begin + content + end
	i := strings.Index(text, begin)
	j := strings.Index(text, end)
	switch {
	case i >= 0 && j > i:
		text = text[:i] + block + text[j+len(end):]
	case text == "":
		text = block
	default:
		if !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		text += "\n" + block
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

// DocSection returns the content of the named section of a markdown file
// (see UpdateDocSection), and whether it is there.
func DocSection(path, name string) (string, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", false
	}
	text := string(data)
	begin, end := "<!-- begin "+name+" -->\n", "<!-- end "+name+" -->\n"
	i := strings.Index(text, begin)
	j := strings.Index(text, end)
	if i < 0 || j < i {
		return "", false
	}
	return text[i+len(begin) : j], true
}
