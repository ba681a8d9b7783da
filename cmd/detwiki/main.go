// Command detwiki reads detection rules in every major rule language, explains
// each one and publishes them as a searchable wiki. Run `detwiki help`.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	_ "github.com/detwiki/detwiki/internal/formats/all"
)

// command is one subcommand of the CLI.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]*command{}

// register adds a subcommand; each lives in a file of its own.
func register(c *command) { commands[c.name] = c }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || isHelpFlag(args[0]) {
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				return commandHelp(c, stdout)
			}
			fmt.Fprintf(stderr, "detwiki: unknown command %q\n\n", args[1])
			usage(stderr)
			return 2
		}
		usage(stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "detwiki: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	if len(args) > 1 && isHelpFlag(args[1]) {
		return commandHelp(c, stdout)
	}
	return c.run(args[1:], stdout, stderr)
}

func isHelpFlag(a string) bool { return a == "-h" || a == "--help" || a == "-help" }

// commandHelp prints a command's usage and flags, asked for with `detwiki
// help <command>` or `detwiki <command> --help`, on standard output: asking
// for help is not an error, so the exit status is 0.
func commandHelp(c *command, stdout io.Writer) int {
	c.run([]string{"-h"}, stdout, stdout)
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "detwiki explains detection rules (Kusto, Sigma, Elastic, Splunk, Chronicle, Panther, Sublime) and publishes them as a wiki.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: detwiki <command> [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'detwiki help <command>' for a command's flags.")
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
