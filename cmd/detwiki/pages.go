package main

import (
	"io"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/rulepage"
)

// The rule page formats of `detwiki analyze`: md and html. With more than
// one rule, the rules read together form a small catalog, so their pages
// show corpus counts and related rules among them.
func init() {
	renderers["md"] = func(w io.Writer, docs []*rule.Document) error {
		for i, p := range rulePages(docs) {
			if i > 0 {
				if _, err := io.WriteString(w, "\n---\n\n"); err != nil {
					return err
				}
			}
			if err := rulepage.RenderMarkdown(w, p); err != nil {
				return err
			}
		}
		return nil
	}
	renderers["html"] = func(w io.Writer, docs []*rule.Document) error {
		pages := rulePages(docs)
		if len(pages) == 1 {
			return rulepage.RenderHTML(w, pages[0])
		}
		return rulepage.RenderHTMLPages(w, pages)
	}
}

func rulePages(docs []*rule.Document) []*rulepage.Page {
	var pages []*rulepage.Page
	if len(docs) == 1 {
		return []*rulepage.Page{{Doc: docs[0], URLs: rulepage.Server}}
	}
	c := catalog.New(docs, catalog.Info{}, nil)
	for _, r := range c.Rules {
		pages = append(pages, &rulepage.Page{Doc: r.Document, Rule: r, Catalog: c, URLs: rulepage.Server})
	}
	return pages
}
