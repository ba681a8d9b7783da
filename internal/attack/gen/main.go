// Command gen writes the compact ATT&CK data embedded in package attack from
// the MITRE ATT&CK Enterprise STIX bundle in ../shared/attack. Run it with
// `go generate ./internal/attack`.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"

	"github.com/detwiki/detwiki/internal/attack"
	"github.com/detwiki/detwiki/internal/sharedtest"
)

func main() {
	root, _ := sharedtest.Root()
	bundle := flag.String("bundle", filepath.Join(root, "attack", "enterprise-attack", "enterprise-attack-18.1.reconstructed-stix2.0.json"), "ATT&CK Enterprise STIX bundle")
	out := flag.String("out", "enterprise.json", "output file")
	version := flag.String("version", "", "ATT&CK version (default: from the bundle or its file name)")
	flag.Parse()
	c, err := attack.LoadBundle(*bundle)
	if err != nil {
		log.Fatal(err)
	}
	if *version != "" {
		c.Version = *version
	} else if c.Version == "" {
		if m := regexp.MustCompile(`(\d+\.\d+)`).FindString(filepath.Base(*bundle)); m != "" {
			c.Version = m
		}
	}
	c.Source = fmt.Sprintf("MITRE ATT&CK Enterprise v%s (mitre/cti, %s)", c.Version, filepath.Base(*bundle))
	b, err := json.MarshalIndent(c, "", " ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
}
