package main

import (
	"io"

	"github.com/detwiki/detwiki/internal/rule"
)

// renderers are the extra output formats of `detwiki analyze` (md, html),
// added by the packages that render rule pages.
var renderers = map[string]func(w io.Writer, docs []*rule.Document) error{}
