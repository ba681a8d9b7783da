package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

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
	cat := tables.NewCatalog()
	if len(eventPaths) > 0 {
		if cat, err = tables.Load(eventPaths); err != nil {
			fmt.Fprintln(stderr, "detwiki run:", err)
			return 1
		}
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
	for _, d := range res.Documents {
		if d.Language == rule.LangKusto && strings.TrimSpace(d.Query) != "" {
			return d.Query, queryOrigin{path: args[0], origin: d.QueryOrigin}, nil
		}
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		return "", queryOrigin{}, err
	}
	return string(data), queryOrigin{path: args[0]}, nil
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
				s := v.String()
				s = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
				if len(s) > 120 {
					s = s[:117] + "..."
				}
				rec[i] = s
			}
			fmt.Fprintln(tw, strings.Join(rec, "\t"))
		})
		tw.Flush()
		fmt.Fprintf(w, "(%d rows)\n", res.Rows())
	}
}
