// Package examples holds a handful of detection rules written for detwiki,
// one per supported rule format (Sentinel YAML, FalconFriday-style markdown,
// Defender hunting-query markdown, any markdown with a KQL block, plain
// .kql, Sigma, Elastic TOML rules and hunts, Splunk YAML with its macros,
// Chronicle YARA-L, Panther YAML with Python, Sublime MQL). `detwiki serve` shows them
// when it is given no rule folder, and tests use them as a small mixed
// corpus. They are original content, not copies of any public rule.
package examples

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
)

//go:embed rules
var files embed.FS

// FS returns the example rules: one top-level folder per format.
func FS() fs.FS {
	sub, err := fs.Sub(files, "rules")
	if err != nil {
		panic(err)
	}
	return sub
}

// Formats lists the top-level folders of FS, one per rule format, sorted.
func Formats() []string {
	entries, _ := fs.ReadDir(FS(), ".")
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

// Extract writes the example rules under dir (creating it) and returns the
// source folders to read, one per format. Files already there with the same
// content are left alone.
func Extract(dir string) ([]string, error) {
	root := FS()
	err := fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		if old, err := os.ReadFile(target); err == nil && string(old) == string(data) {
			return nil
		}
		// Write and rename, so that another detwiki reading the same folder
		// never sees a half-written file.
		tmp := fmt.Sprintf("%s.%d.tmp", target, os.Getpid())
		if err := os.WriteFile(tmp, data, 0o644); err != nil {
			return err
		}
		return os.Rename(tmp, target)
	})
	if err != nil {
		return nil, fmt.Errorf("writing the example rules: %w", err)
	}
	var sources []string
	for _, name := range Formats() {
		sources = append(sources, filepath.Join(dir, name))
	}
	return sources, nil
}

// ExtractTemp writes the example rules into a folder under the system
// temporary directory named after their content, so that every run of one
// detwiki version reuses the same folder, and returns the source folders.
func ExtractTemp() ([]string, error) {
	h := sha256.New()
	fs.WalkDir(FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := fs.ReadFile(FS(), p)
			fmt.Fprintf(h, "%s\x00%d\x00", path.Clean(p), len(data))
			h.Write(data)
		}
		return nil
	})
	dir := filepath.Join(os.TempDir(), "detwiki-examples-"+hex.EncodeToString(h.Sum(nil))[:12])
	return Extract(dir)
}
