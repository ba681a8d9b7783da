package tables

import (
	"strings"
	"testing"
	"time"

	"github.com/detwiki/detwiki/internal/engine"
)

func TestZZReasons(t *testing.T) {
	cat := NewCatalog()
	for _, r := range kustoRules(t) {
		if !r.adapted {
			continue
		}
		_, diags := engine.Compile(r.doc.Query, engine.Options{Catalog: cat, Now: time.Now()})
		if len(diags) == 0 {
			continue
		}
		d := diags[len(diags)-1]
		if strings.Contains(d.Message, "FileProfile") || strings.Contains(d.Message, "externaldata") {
			continue
		}
		lines := strings.Split(r.doc.Query, "\n")
		ctx := ""
		if d.Line > 0 && d.Line <= len(lines) {
			ctx = strings.TrimSpace(lines[d.Line-1])
		}
		t.Logf("%s | %s:%d | %s", d.Message, r.doc.Source.Path, d.Line, ctx)
	}
}
