package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/web"
)

func init() {
	register(&command{name: "serve", summary: "serve the wiki and its JSON API over a catalog or rule folders", run: runServe})
}

// serveFunc serves the wiki (a web.Gate that opens once the catalog is
// loaded) until it fails; tests replace it.
var serveFunc = func(h http.Handler, ln net.Listener) error { return web.ServeHandler(h, ln) }

func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	catDir := fs.String("catalog", "", "serve the catalog in `DIR`, built with detwiki build (instead of reading rule folders)")
	out := fs.String("out", "", "catalog folder to keep the build in (default: a folder in the detwiki cache, so restarts are fast)")
	attackFile := fs.String("attack", "", attackUsage)
	baseURL := fs.String("base-url", "", "public URL of the wiki, for the rule links of Navigator layers (default: from each request)")
	quiet := fs.Bool("quiet", false, "no progress bar and no build summary")
	warm := fs.Bool("warm", true, "render every rule page into the page cache in the background after start (while the server is idle)")
	cacheMB := fs.Int("cache-mb", 256, "memory for rendered pages, kept gzip-compressed (0: no cache, every page rendered on each request)")
	renderSlots := fs.Int("render-slots", 0, "pages rendered at once; the others wait their turn (default: the number of cores)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: detwiki serve [--addr 127.0.0.1:8080] [--catalog DIR | SOURCE...]")
		fmt.Fprintln(stderr, "Serves the wiki and the JSON API (docs/api.md). Without --catalog or SOURCE: the repositories")
		fmt.Fprintln(stderr, "`detwiki sync` keeps, else the example rules built into detwiki.")
		fs.PrintDefaults()
	}
	sources, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	// A mistyped folder is refused before listening.
	var choice *sourceChoice
	if *catDir == "" {
		if choice, err = chooseSources(sources); err != nil {
			return errorf(stderr, "%v", err)
		}
	} else if len(sources) > 0 {
		return errorf(stderr, "give either --catalog or rule folders, not both")
	}
	// Listen at once and load behind a gate: the address answers (503 and
	// a page that reloads itself) while the catalog loads.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return errorf(stderr, "%v", err)
	}
	gate := web.NewGate("loading the catalog")
	served := make(chan error, 1)
	go func() { served <- serveFunc(gate, ln) }()
	fail := func(format string, args ...any) int {
		ln.Close()
		<-served
		return errorf(stderr, format, args...)
	}
	var c *catalog.Catalog
	var notes []string
	start := time.Now()
	limitMemory()
	if *catDir != "" {
		c, err = catalog.Load(*catDir)
		if err != nil {
			return fail("%v", err)
		}
		fmt.Fprintf(stderr, "detwiki: loaded %d rules from %s in %s\n", len(c.Rules), *catDir, time.Since(start).Round(10*time.Millisecond))
	} else {
		if choice.Examples {
			fmt.Fprint(stderr, examplesHint)
		}
		notes = choice.Notes
		ac, err := loadAttack(*attackFile)
		if err != nil {
			return fail("%v", err)
		}
		gate.SetStatus("reading the rule folders")
		dir := *out
		if dir == "" {
			dir = catalogDirFor(choice.Sources)
		}
		var rep *catalog.Report
		c, rep, err = buildCatalog(catalog.Options{Sources: choice.Sources, Out: dir, Attack: ac}, stderr, *quiet)
		if err != nil {
			// The cache folder may not be writable: build in memory.
			c, rep, err = buildCatalog(catalog.Options{Sources: choice.Sources, Attack: ac}, stderr, *quiet)
			if err != nil {
				return fail("%v", err)
			}
		}
		if !*quiet {
			printSummary(stderr, c, rep)
		}
		if c.Info.Rules == 0 {
			fail("no rule was read from %s", strings.Join(choice.Sources, ", "))
			return 1
		}
	}
	serveMemory()
	cacheBytes := *cacheMB << 20
	if *cacheMB <= 0 {
		cacheBytes = -1
	}
	gate.Open(web.New(c, web.Options{BaseURL: *baseURL, Notes: notes, Warm: *warm, CacheBytes: cacheBytes, RenderSlots: *renderSlots, Logger: log.New(os.Stderr, "detwiki: ", log.LstdFlags)}))
	fmt.Fprintf(stderr, "detwiki: serving %d rules on http://%s/ (Ctrl-C to stop)\n", len(c.Rules), ln.Addr())
	if err := <-served; err != nil {
		return errorf(stderr, "%v", err)
	}
	return 0
}

// serveMemory sets the collector of the server (unless GOGC or GOMEMLIMIT
// say otherwise). A served catalog is a large heap that never changes
// (half a gigabyte over the full corpus) plus short-lived garbage from
// each page: each cycle marks the whole catalog, so the server lets the
// heap grow to three times the live data (GOGC=200) before collecting, up
// to a soft limit of 1.5 GiB, rather than collecting twice as often.
func serveMemory() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(3 << 29)
	}
}
