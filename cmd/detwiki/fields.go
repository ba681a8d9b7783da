package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/detwiki/detwiki/internal/formats"
	"github.com/detwiki/detwiki/internal/progress"
	"github.com/detwiki/detwiki/internal/rule"
	"github.com/detwiki/detwiki/internal/schema"
)

func init() {
	register(&command{name: "fields", summary: "list the fields rules compare and their canonical (ECS) names", run: runFields})
	register(&command{name: "events", summary: "list the event classes and each provider's events", run: runEvents})
}

// fieldUse counts one (language, field) over the rules read.
type fieldUse struct {
	Language  string `json:"language"`
	Field     string `json:"field"`
	Canonical string `json:"canonical_field,omitempty"`
	Rules     int    `json:"rules"`
	Values    int    `json:"values"`
}

func runFields(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fields", flag.ContinueOnError)
	fs.SetOutput(stderr)
	unmapped := fs.Bool("unmapped", false, "list only the fields that have no canonical mapping")
	lang := fs.String("language", "", "only rules of this language (kusto, sigma, elastic, splunk, chronicle, panther, sublime)")
	format := fs.String("format", "text", "output: text or json")
	limit := fs.Int("limit", 0, "list at most this many fields per language (0: all)")
	table := fs.Bool("table", false, "print the canonical-field table itself (schema, context, field, ECS name, source) and exit")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: detwiki fields [--unmapped] [--language L] [--format text|json] PATH...")
		fmt.Fprintln(stderr, "       detwiki fields --table")
		fmt.Fprintln(stderr, "Reads rules and lists the fields their indicators and exclusions compare, per language,")
		fmt.Fprintln(stderr, "with the number of rules using each and its canonical (ECS) name. The text table shortens")
		fmt.Fprintf(stderr, "field names longer than %d characters; --format json keeps them whole.\n", maxFieldWidth)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *table {
		return printFieldTable(stdout)
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	// Checked before reading: a typo must not cost a read of the corpus.
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "detwiki: unknown --format %q (text or json)\n", *format)
		return 2
	}
	if *lang != "" && !slices.Contains(ruleLanguages, *lang) {
		fmt.Fprintf(stderr, "detwiki: unknown --language %q (%s)\n", *lang, strings.Join(ruleLanguages, ", "))
		return 2
	}
	bar := progress.New(stderr, "reading")
	res, err := formats.Read(fs.Args(), formats.Options{Progress: func(done, total int) {
		if total >= 200 {
			bar.Update(done, total)
		}
	}})
	if err != nil {
		fmt.Fprintln(stderr, "detwiki:", err)
		return 2
	}
	for _, d := range res.Diagnostics {
		fmt.Fprintln(stderr, d)
	}
	uses, totals := countFields(res.Documents, *lang, *unmapped)
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if uses == nil {
			uses = []fieldUse{}
		}
		if err := enc.Encode(uses); err != nil {
			fmt.Fprintln(stderr, "detwiki:", err)
			return 2
		}
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	langs := make([]string, 0, len(totals))
	for l := range totals {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		t := totals[l]
		fmt.Fprintf(tw, "# %s: %d rules, %d distinct fields, %d unmapped; %d of %d indicator values on mapped fields (%.1f%%)\n",
			l, t.rules, t.fields, t.unmappedFields, t.mappedValues, t.values, pct(t.mappedValues, t.values))
		fmt.Fprintln(tw, "rules\tvalues\tfield\tcanonical")
		n := 0
		for _, u := range uses {
			if u.Language != l {
				continue
			}
			if *limit > 0 && n >= *limit {
				break
			}
			n++
			c := u.Canonical
			if c == "" {
				c = "-"
			}
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\n", u.Rules, u.Values, shortField(u.Field), c)
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return 2
	}
	return 0
}

// ruleLanguages are the values of --language.
var ruleLanguages = []string{rule.LangKusto, rule.LangSigma, rule.LangElastic, rule.LangSplunk,
	rule.LangChronicle, rule.LangPanther, rule.LangSublime}

// maxFieldWidth bounds the field column of the text table: one long
// computed path (a Sublime ml.link_analysis(...) chain) must not push the
// canonical names of every other row off the screen. --format json keeps
// every name whole.
const maxFieldWidth = 80

func shortField(f string) string {
	if utf8.RuneCountInString(f) <= maxFieldWidth {
		return f
	}
	r := []rune(f)
	return string(r[:maxFieldWidth-1]) + "…"
}

type fieldTotals struct {
	rules, fields, unmappedFields, values, mappedValues int
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// countFields counts, per language and field, the rules whose indicators or
// exclusions use the field and the values they compare it with.
func countFields(docs []*rule.Document, lang string, onlyUnmapped bool) ([]fieldUse, map[string]*fieldTotals) {
	type key struct{ lang, field string }
	uses := map[key]*fieldUse{}
	totals := map[string]*fieldTotals{}
	for _, d := range docs {
		if lang != "" && d.Language != lang {
			continue
		}
		t := totals[d.Language]
		if t == nil {
			t = &fieldTotals{}
			totals[d.Language] = t
		}
		t.rules++
		seen := map[string]bool{}
		for _, list := range [][]rule.Indicator{d.Analysis.Indicators, d.Analysis.Exclusions} {
			for _, in := range list {
				t.values += len(in.Values)
				if in.CanonicalField != "" {
					t.mappedValues += len(in.Values)
				}
				k := key{d.Language, in.Field}
				u := uses[k]
				if u == nil {
					u = &fieldUse{Language: d.Language, Field: in.Field, Canonical: in.CanonicalField}
					uses[k] = u
				}
				if u.Canonical == "" {
					u.Canonical = in.CanonicalField
				}
				u.Values += len(in.Values)
				if !seen[in.Field] {
					seen[in.Field] = true
					u.Rules++
				}
			}
		}
	}
	var out []fieldUse
	for _, u := range uses {
		t := totals[u.Language]
		t.fields++
		if u.Canonical == "" {
			t.unmappedFields++
		}
		if onlyUnmapped && u.Canonical != "" {
			continue
		}
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Language != b.Language {
			return a.Language < b.Language
		}
		if a.Rules != b.Rules {
			return a.Rules > b.Rules
		}
		return a.Field < b.Field
	})
	return out, totals
}

func printFieldTable(stdout io.Writer) int {
	ft := schema.Fields()
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "schema\tcontext\tfield\tcanonical\tsource")
	for _, s := range ft.Schemas {
		for _, ctx := range append([]string{""}, s.Contexts()...) {
			for _, m := range s.Mappings(ctx) {
				c := m.ECS
				if c == "" {
					c = "-"
				}
				cx := ctx
				if cx == "" {
					cx = "*"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Name, cx, m.Field, c, m.Via)
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return 2
	}
	return 0
}

func runEvents(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("events", flag.ContinueOnError)
	fs.SetOutput(stderr)
	provider := fs.String("provider", "", "only events of this provider (Sysmon, Security, Defender-DeviceEvents, ...)")
	providers := fs.Bool("providers", false, "list the providers instead of the classes")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: detwiki events [--provider P] [--providers] [CLASS...]")
		fmt.Fprintln(stderr, "Lists the event classes of the event-equivalence table and each provider's events.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cat := schema.Events()
	if *provider != "" && !slices.ContainsFunc(cat.Providers, func(p schema.Provider) bool { return strings.EqualFold(p.Name, *provider) }) {
		fmt.Fprintf(stderr, "detwiki: unknown provider %q (see detwiki events --providers)\n", *provider)
		return 2
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	if *providers {
		fmt.Fprintln(tw, "provider\ttitle")
		for _, p := range cat.Providers {
			fmt.Fprintf(tw, "%s\t%s\n", p.Name, p.Title)
		}
		if err := tw.Flush(); err != nil {
			return 2
		}
		return 0
	}
	want := map[string]bool{}
	for _, a := range fs.Args() {
		if cat.Class(a) == nil {
			fmt.Fprintf(stderr, "detwiki: unknown event class %q\n", a)
			return 2
		}
		want[a] = true
	}
	for _, cl := range cat.Classes {
		if len(want) > 0 && !want[cl.Name] {
			continue
		}
		var lines []string
		for _, e := range cl.Events {
			if *provider != "" && !strings.EqualFold(e.Provider, *provider) {
				continue
			}
			lines = append(lines, fmt.Sprintf("  %s\t%s\t%s\t%s", e.Provider, e.Event, e.Title, e.Source))
		}
		if len(lines) == 0 {
			continue
		}
		head := cl.Name + " — " + cl.Title
		if cl.Parent != "" {
			head += " (in " + cl.Parent + ")"
		}
		if len(cl.Sigma) > 0 {
			head += " [sigma: " + strings.Join(cl.Sigma, ", ") + "]"
		}
		fmt.Fprintln(tw, head)
		for _, l := range lines {
			fmt.Fprintln(tw, l)
		}
	}
	if err := tw.Flush(); err != nil {
		return 2
	}
	return 0
}
