package engine

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// The script tests follow Prometheus' promqltest: plain-text files under
// testdata/scripts with commands
//
//	load NAME                    a table: then 'columns a:string, b:long' and 'row [json values]' lines
//	eval QUERY                   expected result: 'columns a, b' and 'row [...]' lines (any order);
//	                             'norows' for none; 'columns' alone checks only the columns
//	eval_ordered QUERY           the same, rows in order
//	eval_fail QUERY              expected error: 'error CODE [message part]'
//
// A query may continue on following lines that start with '|' or two spaces.
// '#' starts a comment line. now() is 2024-01-31T10:00:00Z in every script.
func TestScripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/scripts/*.kqltest")
	if len(files) == 0 {
		t.Fatal("no scripts")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runScript(t, f) })
	}
}

var scriptNow = time.Date(2024, 1, 31, 10, 0, 0, 0, time.UTC)

type scriptCmd struct {
	line    int
	kind    string
	arg     string
	columns string
	rows    []string
	err     string
}

func parseScript(t *testing.T, path string) []*scriptCmd {
	cmds, err := parseScriptFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return cmds
}

// parseScriptFile reads a script's commands.
func parseScriptFile(path string) ([]*scriptCmd, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cmds []*scriptCmd
	var cur *scriptCmd
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
			continue
		case cur != nil && cur.kind != "load" && len(cur.rows) == 0 && cur.columns == "" && cur.err == "" &&
			(strings.HasPrefix(trimmed, "|") || strings.HasPrefix(line, "  ")):
			cur.arg += "\n" + line
		case strings.HasPrefix(trimmed, "columns "):
			cur.columns = strings.TrimPrefix(trimmed, "columns ")
		case strings.HasPrefix(trimmed, "row "):
			cur.rows = append(cur.rows, strings.TrimPrefix(trimmed, "row "))
		case strings.HasPrefix(trimmed, "error "):
			cur.err = strings.TrimPrefix(trimmed, "error ")
		case trimmed == "norows":
			cur.rows = []string{}
		default:
			kind, arg, _ := strings.Cut(trimmed, " ")
			switch kind {
			case "load", "eval", "eval_ordered", "eval_fail":
			default:
				return nil, fmt.Errorf("%s:%d: unknown command %q", path, n, kind)
			}
			cur = &scriptCmd{line: n, kind: kind, arg: arg}
			cmds = append(cmds, cur)
		}
	}
	return cmds, sc.Err()
}

func runScript(t *testing.T, path string) {
	cat := MapCatalog{}
	for _, cmd := range parseScript(t, path) {
		where := fmt.Sprintf("%s:%d", filepath.Base(path), cmd.line)
		switch cmd.kind {
		case "load":
			tbl, err := loadScriptTable(cmd)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			cat[cmd.arg] = tbl
		case "eval", "eval_ordered":
			res, diags, err := Run(cmd.arg, Options{Catalog: cat, Now: scriptNow})
			if res == nil || err != nil {
				t.Errorf("%s: %s\nfailed: %v %v", where, cmd.arg, diags, err)
				continue
			}
			if cmd.columns != "" {
				want := strings.Join(strings.Fields(strings.ReplaceAll(cmd.columns, ",", " ")), ",")
				got := strings.Join(res.Schema.Names(), ",")
				if got != want {
					t.Errorf("%s: %s\ncolumns %s, want %s", where, cmd.arg, got, want)
				}
			}
			if cmd.rows == nil && cmd.columns != "" {
				continue // only the columns are checked
			}
			var got []string
			res.Each(func(row []Value) { got = append(got, rowJSON(row)) })
			want := make([]string, len(cmd.rows))
			for i, r := range cmd.rows {
				d, ok := ParseJSON(r)
				if !ok {
					t.Fatalf("%s: bad row %s", where, r)
				}
				want[i] = string(AppendJSON(nil, d))
			}
			if cmd.kind == "eval" {
				sort.Strings(got)
				sort.Strings(want)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s: %s\ngot:\n  %s\nwant:\n  %s", where, cmd.arg, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		case "eval_fail":
			q, diags := Compile(cmd.arg, Options{Catalog: cat, Now: scriptNow})
			var msg string
			if q != nil {
				_, err := q.Run()
				if err == nil {
					t.Errorf("%s: %s: no error", where, cmd.arg)
					continue
				}
				msg = CodeRuntime + " " + err.Error()
			} else {
				d := diags[len(diags)-1]
				msg = d.Code + " " + d.Message
				if d.Line == 0 && d.Code != CodeNoQuery {
					t.Errorf("%s: diagnostic without a position: %v", where, d)
				}
			}
			if !strings.Contains(msg, cmd.err) {
				t.Errorf("%s: %s\nerror %q, want it to contain %q", where, cmd.arg, msg, cmd.err)
			}
		}
	}
}

func rowJSON(row []Value) string {
	b := []byte{'['}
	for i, v := range row {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendValueJSON(b, v)
	}
	return string(append(b, ']'))
}

func loadScriptTable(cmd *scriptCmd) (*MemTable, error) {
	var schema Schema
	for _, c := range strings.Split(cmd.columns, ",") {
		name, typ, ok := strings.Cut(strings.TrimSpace(c), ":")
		if !ok {
			return nil, fmt.Errorf("column %q needs a type", c)
		}
		t, ok := ParseType(typ)
		if !ok {
			return nil, fmt.Errorf("unknown type %q", typ)
		}
		schema = append(schema, ColumnDef{Name: name, Type: t})
	}
	var rows [][]Value
	for _, r := range cmd.rows {
		d, ok := ParseJSON(r)
		arr, isArr := d.([]any)
		if !ok || !isArr || len(arr) != len(schema) {
			return nil, fmt.Errorf("bad row %s", r)
		}
		row := make([]Value, len(schema))
		for i, e := range arr {
			if schema[i].Type == TypeDynamic {
				row[i] = Dyn(e)
			} else {
				row[i] = convertDynamic(e, schema[i].Type)
			}
		}
		rows = append(rows, row)
	}
	return NewMemTable(cmd.arg, schema, rows), nil
}
