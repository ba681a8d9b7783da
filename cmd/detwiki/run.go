package main

import (
	"bufio"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/engine"
	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/source"
	"github.com/detwiki/detwiki/internal/tables"
)

func init() {
	register(&command{name: "run", summary: "run a Kusto query or rule on event files", run: runRun})
}

func runUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: detwiki run [--events PATH]... [--now TIME] [--format table|jsonl|csv] (--query TEXT | FILE)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Runs a Kusto query on events: JSON lines, .gz/.zip of JSON lines, EVTX-JSON, CSV")
	fmt.Fprintln(w, "(--events takes files or folders), presented as SecurityEvent, Event, WindowsEvent and the")
	fmt.Fprintln(w, "Defender XDR tables. FILE may be a rule file of any Kusto format (its query is run).")
	fmt.Fprintln(w, "now() and ago() are relative to --now (default: the latest event). The exit status is 1")
	fmt.Fprintln(w, "when the query cannot run.")
}

func runRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var eventPaths stringList
	fs.Var(&eventPaths, "events", "event file or folder (repeatable)")
	nowFlag := fs.String("now", "", "replay time for now() and ago() (default: the latest event)")
	format := fs.String("format", "table", "output format: table, jsonl or csv")
	queryText := fs.String("query", "", "the query text")
	fs.Usage = func() { runUsage(stderr); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *format != "table" && *format != "jsonl" && *format != "csv" {
		fmt.Fprintf(stderr, "detwiki run: unknown format %q\n", *format)
		return 2
	}
	text, origin, err := runQueryText(*queryText, fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, "detwiki run:", err)
		return 2
	}
	if origin.note != "" {
		fmt.Fprintln(stderr, "detwiki run:", origin.note)
	}
	cat := tables.NewCatalog()
	if len(eventPaths) > 0 {
		loaded, err := tables.Load(eventPaths)
		var skipped *tables.LoadError
		switch {
		case errors.As(err, &skipped):
			// the other files are read: say what was left out and go on
			for _, e := range skipped.Files {
				fmt.Fprintf(stderr, "detwiki run: events left out: %v\n", e)
			}
		case err != nil:
			fmt.Fprintln(stderr, "detwiki run:", err)
			return 1
		}
		cat = loaded
	}
	now := time.Now().UTC()
	if latest, ok := cat.Latest(); ok {
		now = latest
	}
	if *nowFlag != "" {
		ticks, ok := engine.ParseDateTime(*nowFlag)
		if !ok {
			fmt.Fprintf(stderr, "detwiki run: --now %q is not a datetime\n", *nowFlag)
			return 2
		}
		now = engine.TicksToTime(ticks)
	}
	q, diags := engine.Compile(text, engine.Options{Catalog: cat, Now: now})
	for _, d := range diags {
		fmt.Fprintln(stderr, d.Relocate(origin.path, origin.origin).String())
	}
	if q == nil {
		return 1
	}
	for _, d := range q.Warnings {
		fmt.Fprintln(stderr, d.Relocate(origin.path, origin.origin).String())
	}
	res, err := q.Run()
	if err != nil {
		fmt.Fprintln(stderr, "detwiki run:", err)
		return 1
	}
	out := bufio.NewWriterSize(stdout, 64<<10)
	defer out.Flush()
	writeResult(out, res, *format)
	return 0
}

type queryOrigin struct {
	path   string
	origin source.Origin
	note   string // a remark for the user (which of several queries runs)
}

// runQueryText returns the query to run: --query, or the query of a rule
// file (any Kusto format), or a plain .kql file.
func runQueryText(query string, args []string) (string, queryOrigin, error) {
	switch {
	case query != "" && len(args) > 0:
		return "", queryOrigin{}, fmt.Errorf("give --query or a FILE, not both")
	case query != "":
		return query, queryOrigin{path: "query"}, nil
	case len(args) != 1:
		return "", queryOrigin{}, fmt.Errorf("give --query TEXT or one FILE")
	}
	res, err := formats.Read([]string{args[0]}, formats.Options{})
	if err != nil {
		return "", queryOrigin{}, err
	}
	var kusto []*rule.Document
	for _, d := range res.Documents {
		if d.Language == rule.LangKusto && strings.TrimSpace(d.Query) != "" {
			kusto = append(kusto, d)
		}
	}
	if len(kusto) > 0 {
		o := queryOrigin{path: args[0], origin: kusto[0].QueryOrigin}
		if len(kusto) > 1 {
			o.note = fmt.Sprintf("%s holds %d Kusto queries; running the first (%s)", args[0], len(kusto), kusto[0].ID)
		}
		return kusto[0].Query, o, nil
	}
	for _, d := range res.Documents {
		if d.Language != rule.LangKusto && d.Language != "" {
			// Its text is not KQL: parsing it as a query gives only noise.
			hint := ""
			if d.Language == rule.LangSigma {
				hint = "; detwiki test runs Sigma rules on events"
			}
			return "", queryOrigin{}, fmt.Errorf("%s is a %s rule, not a Kusto query: run takes Kusto queries and rules%s", args[0], d.Language, hint)
		}
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		return "", queryOrigin{}, err
	}
	return string(data), queryOrigin{path: args[0]}, nil
}

// maxCellRunes is the widest a table cell is shown.
const maxCellRunes = 120

// tableCell is how the table format shows a value: on one line, at most
// maxCellRunes characters (cut on a character boundary), and with control
// characters and invalid UTF-8 escaped (\x1b, \xff): event data is
// untrusted and must not drive the terminal.
func tableCell(s string) string {
	var b strings.Builder
	n := 0
	for i, r := range s {
		if n == maxCellRunes-3 && utf8.RuneCountInString(s[i:]) > 3 {
			b.WriteString("...")
			break
		}
		n++
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case unicode.IsControl(r) || !unicode.IsPrint(r) && !unicode.IsSpace(r):
			b.WriteString(strings.Trim(strconv.QuoteRuneToASCII(r), "'"))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func writeResult(w io.Writer, res *engine.Result, format string) {
	names := res.Schema.Names()
	switch format {
	case "jsonl":
		var b []byte
		res.Each(func(row []engine.Value) {
			b = append(b[:0], '{')
			for i, v := range row {
				if i > 0 {
					b = append(b, ',')
				}
				b = engine.AppendJSON(b, names[i])
				b = append(b, ':')
				b = engine.AppendValueJSON(b, v)
			}
			b = append(b, '}', '\n')
			w.Write(b)
		})
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(names)
		res.Each(func(row []engine.Value) {
			rec := make([]string, len(row))
			for i, v := range row {
				rec[i] = v.String()
			}
			cw.Write(rec)
		})
		cw.Flush()
	default:
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(names, "\t"))
		res.Each(func(row []engine.Value) {
			rec := make([]string, len(row))
			for i, v := range row {
				rec[i] = tableCell(v.String())
			}
			fmt.Fprintln(tw, strings.Join(rec, "\t"))
		})
		tw.Flush()
		fmt.Fprintf(w, "(%d rows)\n", res.Rows())
	}
}
