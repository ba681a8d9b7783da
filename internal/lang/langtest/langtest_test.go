package langtest

import (
	"fmt"
	"testing"

	"github.com/detwiki/detwiki/internal/source"
)

// span is a tree node for the tests: a span and children.
type span struct {
	pos, end source.Pos
	kids     []*span
}

func (s *span) Pos() source.Pos { return s.pos }
func (s *span) End() source.Pos { return s.end }

// inspect walks spans as the front ends' Inspect walks their Node interface.
func inspect(n Node, f func(Node) bool) {
	if !f(n) {
		return
	}
	for _, k := range n.(*span).kids {
		inspect(k, f)
	}
	f(nil)
}

// recorder is a testing.TB that keeps the errors it is given.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, a ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, a...))
}

func TestCheckSpans(t *testing.T) {
	g := Grammar[Node]{Inspect: inspect}
	good := &span{0, 5, []*span{{0, 2, nil}, {3, 5, nil}}}
	r := &recorder{TB: t}
	g.CheckSpans(r, "abcde", good)
	if len(r.errors) != 0 {
		t.Errorf("good tree: %v", r.errors)
	}
	bad := &span{0, 5, []*span{{1, 6, nil}, {4, 3, nil}}}
	r = &recorder{TB: t}
	g.CheckSpans(r, "abcde", bad)
	if len(r.errors) != 3 { // past the text, outside the parent, end before start
		t.Errorf("bad tree: %d errors %v, want 3", len(r.errors), r.errors)
	}
}

func TestUnmark(t *testing.T) {
	if src, at := Unmark("a == /*ERROR*/)"); src != "a == )" || at != 5 {
		t.Errorf("Unmark = %q, %d", src, at)
	}
	if src, at := Unmark("a == 1"); src != "a == 1" || at != -1 {
		t.Errorf("Unmark without a mark = %q, %d", src, at)
	}
}
