package catalog

import (
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/ruletest"
)

// runEvents runs every rule that can run (package ruletest) on the event
// data sets under paths, and on its own sample events, and stores what it
// found in the documents (rule.Document.Runs; nil for rules that did not
// run). rootOf gives the folder a document's source path is relative to.
func runEvents(docs []*rule.Document, rootOf func(*rule.Document) string, paths []string, progress func(done, total int)) error {
	set := ruletest.NewSet(docs, rootOf, nil)
	rep, err := set.Run(&ruletest.RunOptions{Events: paths, Progress: progress})
	if err != nil {
		return err
	}
	rep.Apply(set)
	return nil
}

// testedValue is a rule's value of the tested filter: "fires" (it fired on
// an event data set or on its own sample events), "failing" (a positive
// test did not fire), "silent" (it ran and never fired), or "" when it did
// not run.
func testedValue(d *rule.Document) string {
	r := d.Runs
	if r == nil {
		return ""
	}
	for _, t := range r.Tests {
		if !t.OK {
			return "failing"
		}
	}
	if r.Fires() {
		return "fires"
	}
	return "silent"
}

// TestedValue is a rule's value of the tested filter and search term:
// "fires", "failing", "silent", or "" for a rule that did not run on
// events (see Options.Events).
func TestedValue(d *rule.Document) string { return testedValue(d) }
