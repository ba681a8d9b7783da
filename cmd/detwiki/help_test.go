package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandHelp: `detwiki help <command>` and `detwiki <command> --help`
// print the command's usage with its flags on standard output and exit 0;
// flag names come out as written (no back-quoted word taken for one).
func TestCommandHelp(t *testing.T) {
	for name := range commands {
		for _, args := range [][]string{{"help", name}, {name, "--help"}, {name, "-h"}} {
			out, errs, code := runKQLCmd(t, args...)
			if code != 0 || errs != "" || !strings.Contains(out, "Usage") {
				t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errs)
			}
			// The flag package takes the first back-quoted words of a
			// flag's usage for its argument's name ("-catalog detwiki
			// build"): a flag line is the flag and at most one name.
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, "  -") && len(strings.Fields(line)) > 2 {
					t.Errorf("%v: a back-quoted phrase became the flag's argument name: %q", args, line)
				}
			}
		}
	}
	if _, _, code := runKQLCmd(t, "help", "no-such-command"); code != 2 {
		t.Errorf("help of an unknown command: exit %d, want 2", code)
	}
	if out, _, _ := runKQLCmd(t, "help", "test"); !strings.Contains(out, "Kusto") || strings.Contains(out, "Sigma today") {
		t.Errorf("test help does not say that Kusto rules run on --events too:\n%s", out)
	}
	out, _, _ := runKQLCmd(t, "help", "analyze")
	for _, f := range []string{"md", "html", "jsonl"} {
		if !strings.Contains(out, f) {
			t.Errorf("analyze help does not mention --format %s:\n%s", f, out)
		}
	}
}

// TestAnalyzeBadInput: an unknown --format is refused before anything is
// read, and a run that reads no rule names the files it could not take.
func TestAnalyzeBadInput(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "empty.yml"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "binary.yml"), []byte{0, 1, 2, 0xff, 0xfe}, 0o644)
	_, errs, code := runKQLCmd(t, "analyze", "--format", "xml", filepath.Join(dir, "missing"))
	if code != 2 || !strings.Contains(errs, `unknown --format "xml"`) || strings.Contains(errs, "missing") {
		t.Errorf("unknown format: exit %d, stderr %q (want the format refused before the paths are read)", code, errs)
	}
	out, errs, code := runKQLCmd(t, "analyze", dir)
	if code != 1 || strings.TrimSpace(out) != "[]" {
		t.Errorf("no rule: exit %d, stdout %q", code, out)
	}
	for _, name := range []string{"empty.yml", "binary.yml"} {
		if !strings.Contains(errs, name+": not recognised") {
			t.Errorf("stderr does not name %s:\n%s", name, errs)
		}
	}
}

// TestAttackLayerBadInput: an unknown --lang is a usage error before any
// reading, and a source with no rule is an error, not an empty layer.
func TestAttackLayerBadInput(t *testing.T) {
	if _, errs, code := runKQLCmd(t, "attack", "layer", "--lang", "kql", "missing"); code != 2 || !strings.Contains(errs, `unknown --lang "kql"`) {
		t.Errorf("unknown --lang: exit %d, stderr %q", code, errs)
	}
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "README.txt"), []byte("no rules here"), 0o644)
	out, errs, code := runKQLCmd(t, "attack", "layer", empty)
	if code != 1 || out != "" || !strings.Contains(errs, "no rule was read") {
		t.Errorf("%s: exit %d, stdout %q, stderr %q", empty, code, out, errs)
	}
	// A path that does not exist is refused before anything is read, also
	// next to a good one.
	missing := filepath.Join(empty, "missing")
	for _, srcs := range [][]string{{missing}, {empty, missing}} {
		out, errs, code := runKQLCmd(t, append([]string{"attack", "layer"}, srcs...)...)
		if code != 2 || out != "" || !strings.Contains(errs, "no such rule folder or file: "+missing) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", srcs, code, out, errs)
		}
	}
}
