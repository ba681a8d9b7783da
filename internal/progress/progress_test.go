package progress

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestPlainLines: off a terminal, a line for the first update, none for
// updates within the interval, one for the end, and the end only once.
func TestPlainLines(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "reading")
	if b.tty {
		t.Fatal("a buffer taken for a terminal")
	}
	b.Update(1, 100)
	b.Update(2, 100)
	b.Update(50, 100)
	b.Update(100, 100)
	b.Update(100, 100)
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "reading: 1/100 (") || !strings.HasPrefix(lines[1], "reading: 100/100 (") {
		t.Errorf("plain progress:\n%s", buf.String())
	}
	if strings.Contains(buf.String(), "\r") {
		t.Error("plain progress redraws in place")
	}
}

// TestTerminalBar: on a terminal the bar is redrawn in place (a carriage
// return, no newline) and ends with a full bar and a newline.
func TestTerminalBar(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "reading")
	b.tty = true
	b.Update(5, 10)
	if s := buf.String(); !strings.HasPrefix(s, "\rreading [===============               ] 5/10 ") || strings.Contains(s, "\n") {
		t.Errorf("half-way bar: %q", s)
	}
	b.Update(10, 10)
	if s := buf.String(); !strings.Contains(s, "\rreading [==============================] 10/10 ") || !strings.HasSuffix(s, "\n") {
		t.Errorf("finished bar: %q", s)
	}
}

// TestNotATerminal: a file that is not a terminal gets plain lines, and a
// nil bar ignores updates.
func TestNotATerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if New(f, "x").tty {
		t.Error("a regular file taken for a terminal")
	}
	var b *Bar
	b.Update(1, 2)
}
