// Package progress reports the progress of long work: a redrawn bar on a
// terminal, plain log lines (at most one every few seconds) otherwise.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// Bar reports progress of one piece of work. It is safe for concurrent use.
type Bar struct {
	mu       sync.Mutex
	w        io.Writer
	label    string
	tty      bool
	start    time.Time
	last     time.Time
	lastDone int
	finished bool
}

// New returns a bar writing to w (usually os.Stderr). The bar is drawn in
// place when w is a terminal.
func New(w io.Writer, label string) *Bar {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &Bar{w: w, label: label, tty: tty, start: time.Now()}
}

// Update reports that done of total items are finished.
func (b *Bar) Update(done, total int) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	interval := 3 * time.Second
	if b.tty {
		interval = 80 * time.Millisecond
	}
	if done < total && now.Sub(b.last) < interval {
		return
	}
	b.last = now
	b.lastDone = done
	if b.tty {
		const width = 30
		filled := 0
		if total > 0 {
			filled = done * width / total
		}
		fmt.Fprintf(b.w, "\r%s [%s%s] %d/%d %s", b.label, strings.Repeat("=", filled), strings.Repeat(" ", width-filled), done, total, since(b.start))
		if done >= total {
			fmt.Fprintln(b.w)
			b.finished = true
		}
		return
	}
	if done >= total {
		if b.finished {
			return
		}
		b.finished = true
	}
	fmt.Fprintf(b.w, "%s: %d/%d (%s)\n", b.label, done, total, since(b.start))
}

func since(t time.Time) string {
	return time.Since(t).Round(100 * time.Millisecond).String()
}
