// Command gen writes internal/schema/events.json, the event-equivalence
// table package schema embeds, from the curated classes (classes.yaml) and
// the OSSEM-DM relationships in ../shared/reference/ossem-dm. Run it with
// `go generate ./internal/schema`.
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"

	"github.com/detwiki/detwiki/internal/schema/eventgen"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

// OSSEMCommit is the OTRF/OSSEM-DM commit of ../shared/reference/ossem-dm
// (see ../shared/PROVENANCE.md).
const OSSEMCommit = "9f9373d86ab9dab66445ecbb0a0db1c3d440852f"

// OSSEMPath is the relationships file inside the OSSEM-DM repository.
const OSSEMPath = "relationships/_all_ossem_relationships.yml"

func main() {
	root, _ := sharedtest.Root()
	ossem := flag.String("ossem", filepath.Join(root, "reference", "ossem-dm", OSSEMPath), "OSSEM-DM relationships file")
	commit := flag.String("ossem-commit", OSSEMCommit, "OSSEM-DM commit the relationships file comes from")
	classes := flag.String("classes", "classes.yaml", "curated classes file")
	out := flag.String("out", "events.json", "output file")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("schema/gen: ")
	cb, err := os.ReadFile(*classes)
	if err != nil {
		log.Fatal(err)
	}
	ob, err := os.ReadFile(*ossem)
	if err != nil {
		log.Fatal(err)
	}
	t, err := eventgen.Generate(eventgen.Inputs{Classes: cb, ClassesPath: "internal/schema/classes.yaml",
		OSSEM: ob, OSSEMPath: OSSEMPath, OSSEMCommit: *commit})
	if err != nil {
		log.Fatal(err)
	}
	b, err := eventgen.Marshal(t)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		log.Fatal(err)
	}
}
