package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/lang/kql"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
)

func init() {
	register(&command{name: "kql", summary: "check or format Kusto (KQL) queries", run: runKQL})
}

func kqlUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage:")
	fmt.Fprintln(w, "  detwiki kql check [--jsonl] [FILE|DIR...]   report syntax errors (stdin when no file)")
	fmt.Fprintln(w, "  detwiki kql fmt [FILE...]                   print the formatted query")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "check reads .kql and .csl files (folders are searched recursively), or the queries of")
	fmt.Fprintln(w, "Kusto rule files named on the command line (Sentinel YAML, FalconFriday and Defender")
	fmt.Fprintln(w, "markdown), and prints file:line:col: message for every error. With --jsonl it reads lines")
	fmt.Fprintln(w, `{"id": ..., "query": "..."} and writes one line per input:`)
	fmt.Fprintln(w, `{"id": ..., "ok": true|false, "diagnostics": [{"line": n, "col": n, "message": "..."}]}`)
	fmt.Fprintln(w, `(a line that is not such an object gets {"id": null, "ok": false, ...} and exit status 2).`)
	fmt.Fprintln(w, "A binary file is one error, not a query. The exit status is 1 when any query")
	fmt.Fprintln(w, "has an error, 2 when a path cannot be read (the other paths are still checked).")
}

func runKQL(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		kqlUsage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	switch args[0] {
	case "check":
		return runKQLCheck(args[1:], stdout, stderr)
	case "fmt":
		return runKQLFmt(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "detwiki kql: unknown subcommand %q\n\n", args[0])
	kqlUsage(stderr)
	return 2
}

func runKQLCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kql check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	jsonl := fs.Bool("jsonl", false, `read {"id","query"} JSON lines and write one verdict line per query`)
	fs.Usage = func() { kqlUsage(stderr); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return 2
	}
	out := bufio.NewWriterSize(stdout, 64<<10)
	defer out.Flush()
	failed := false
	if *jsonl {
		inputs := fs.Args()
		if len(inputs) == 0 {
			inputs = []string{"-"}
		}
		inputErr := false
		for _, name := range inputs {
			bad, err := checkJSONL(name, out)
			if err != nil {
				fmt.Fprintln(stderr, "detwiki kql:", err)
				inputErr = true
			}
			failed = failed || bad
		}
		if inputErr {
			return 2
		}
	} else {
		files, pathErrs := kqlFiles(fs.Args())
		for _, err := range pathErrs {
			fmt.Fprintln(stderr, "detwiki kql:", err)
		}
		for _, name := range files {
			text, err := readInput(name)
			if err != nil {
				fmt.Fprintln(stderr, "detwiki kql:", err)
				pathErrs = append(pathErrs, err)
				continue
			}
			display := name
			if name == "-" {
				display = "<stdin>"
			}
			if !formats.IsText([]byte(text)) {
				fmt.Fprintf(out, "%s:1:1: %s\n", display, notTextMessage)
				failed = true
				continue
			}
			queries, err := kqlQueriesOf(name, text)
			if err != nil {
				fmt.Fprintln(stderr, "detwiki kql:", err)
				pathErrs = append(pathErrs, err)
				continue
			}
			for _, q := range queries {
				_, errs := kql.Parse(q.text)
				lt := source.NewLineTable(display, q.text)
				for _, e := range errs {
					p := lt.Position(e.Pos)
					d := source.Diagnostic{Line: p.Line, Col: p.Column}.Relocate(display, q.origin)
					fmt.Fprintf(out, "%s:%d:%d: %s\n", display, d.Line, d.Col, e.Msg)
				}
				failed = failed || len(errs) > 0
			}
		}
		if len(pathErrs) > 0 {
			return 2
		}
	}
	if failed {
		return 1
	}
	return 0
}

// notTextMessage is the one diagnostic of an input that is not UTF-8 text
// (a binary file), instead of an error per byte.
const notTextMessage = "not a text file (binary data or invalid UTF-8), so not a KQL query"

// kqlFiles expands the arguments: "-" or nothing is stdin, folders give
// their .kql and .csl files. A path that cannot be read is an error of its
// own; the other paths are still listed.
func kqlFiles(args []string) ([]string, []error) {
	if len(args) == 0 {
		return []string{"-"}, nil
	}
	var files []string
	var errs []error
	for _, a := range args {
		if a == "-" {
			files = append(files, a)
			continue
		}
		st, err := os.Stat(a)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		err = filepath.WalkDir(a, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, err)
				return nil
			}
			if !d.IsDir() {
				switch strings.ToLower(filepath.Ext(path)) {
				case ".kql", ".csl":
					files = append(files, path)
				}
			}
			return nil
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return files, errs
}

// embeddedQuery is a KQL query inside a file and where it starts there.
type embeddedQuery struct {
	text   string
	origin source.Origin
}

// kqlQueriesOf returns the queries to check in a file: the file itself for
// stdin and .kql/.csl/.txt files, else the Kusto queries of the rules the
// file holds (Sentinel YAML, FalconFriday and Defender markdown), placed
// in the file. A rule file of another language is an error (its text is
// not KQL); a file no reader takes is checked as a query.
func kqlQueriesOf(name, text string) ([]embeddedQuery, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".kql", ".csl", ".txt":
		return []embeddedQuery{{text: text}}, nil
	}
	if name == "-" {
		return []embeddedQuery{{text: text}}, nil
	}
	res, err := formats.Read([]string{name}, formats.Options{})
	if err != nil {
		return nil, err
	}
	var out []embeddedQuery
	for _, d := range res.Documents {
		if d.Language == rule.LangKusto && strings.TrimSpace(d.Query) != "" {
			out = append(out, embeddedQuery{text: d.Query, origin: d.QueryOrigin})
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	for _, d := range res.Documents {
		if d.Language != rule.LangKusto && d.Language != "" {
			return nil, fmt.Errorf("%s is a %s rule, not a Kusto query", name, d.Language)
		}
	}
	return []embeddedQuery{{text: text}}, nil
}

func readInput(name string) (string, error) {
	if name == "-" {
		b, err := io.ReadAll(os.Stdin)
		return string(b), err
	}
	b, err := os.ReadFile(name)
	return string(b), err
}

type jsonlDiagnostic struct {
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Message string `json:"message"`
}

type jsonlVerdict struct {
	ID          json.RawMessage   `json:"id"`
	OK          bool              `json:"ok"`
	Diagnostics []jsonlDiagnostic `json:"diagnostics"`
}

// checkJSONL checks every {"id","query"} line of the named input and writes
// one verdict line each. It reports whether any query has an error.
func checkJSONL(name string, out *bufio.Writer) (bool, error) {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return false, err
		}
		defer f.Close()
		r = f
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	failed := false
	line := 0
	var inputErrs []error
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var in struct {
			ID    json.RawMessage `json:"id"`
			Query string          `json:"query"`
		}
		if err := json.Unmarshal(b, &in); err != nil {
			// Still one verdict per input line, so that verdicts stay in
			// step with the input; the error is the caller's to report.
			v := jsonlVerdict{ID: json.RawMessage("null"), Diagnostics: []jsonlDiagnostic{{Message: "not a {\"id\", \"query\"} JSON object: " + err.Error()}}}
			if err := enc.Encode(v); err != nil {
				return failed, err
			}
			failed = true
			inputErrs = append(inputErrs, fmt.Errorf("%s:%d: %v", name, line, err))
			continue
		}
		if in.ID == nil {
			in.ID = json.RawMessage("null")
		}
		v := jsonlVerdict{ID: in.ID, OK: true, Diagnostics: []jsonlDiagnostic{}}
		if _, errs := kql.Parse(in.Query); len(errs) > 0 {
			v.OK = false
			failed = true
			lt := source.NewLineTable("", in.Query)
			for _, e := range errs {
				p := lt.Position(e.Pos)
				v.Diagnostics = append(v.Diagnostics, jsonlDiagnostic{Line: p.Line, Col: p.Column, Message: e.Msg})
			}
		}
		if err := enc.Encode(v); err != nil {
			return failed, err
		}
	}
	if err := sc.Err(); err != nil {
		return failed, err
	}
	return failed, errors.Join(inputErrs...)
}

func runKQLFmt(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kql fmt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { kqlUsage(stderr) }
	if err := fs.Parse(args); err != nil {
		return 2
	}
	inputs := fs.Args()
	if len(inputs) == 0 {
		inputs = []string{"-"}
	}
	status := 0
	for _, name := range inputs {
		text, err := readInput(name)
		if err != nil {
			fmt.Fprintln(stderr, "detwiki kql:", err)
			status = 2
			continue
		}
		display := name
		if name == "-" {
			display = "<stdin>"
		}
		if !formats.IsText([]byte(text)) {
			fmt.Fprintf(stderr, "%s:1:1: %s\n", display, notTextMessage)
			status = max(status, 1)
			continue
		}
		script, errs := kql.Parse(text)
		if len(errs) > 0 {
			lt := source.NewLineTable(display, text)
			for _, e := range errs {
				p := lt.Position(e.Pos)
				fmt.Fprintf(stderr, "%s:%d:%d: %s\n", display, p.Line, p.Column, e.Msg)
			}
			status = max(status, 1)
			continue
		}
		out := kql.Print(script)
		if !strings.HasSuffix(out, "\n") {
			out += "\n"
		}
		io.WriteString(stdout, out)
	}
	return status
}
