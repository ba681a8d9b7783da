package kusto_test

import (
	"testing"

	"github.com/detwiki/detwiki/internal/analysis/kusto"
	"github.com/detwiki/detwiki/internal/lang/kql"
	"github.com/detwiki/detwiki/internal/rule"
)

// FuzzAnalyze checks that the analysis never fails on any text the parser
// accepts or recovers from: no panic, no internal-error diagnostic, and
// stages numbered in order. Seeds: every query of the table tests and
// testdata/fuzz/FuzzAnalyze.
func FuzzAnalyze(f *testing.F) {
	for _, tc := range operatorCases {
		f.Add(tc.query)
	}
	for _, tc := range predicateCases {
		f.Add(tc.query)
	}
	f.Fuzz(func(t *testing.T, q string) {
		d := &rule.Document{Query: q, Analysis: rule.Analysis{Outputs: []rule.Output{{Field: "X", Source: "entityMappings"}}}}
		s, _ := kql.Parse(q)
		kusto.Analyze(d, s)
		for _, x := range d.Analysis.Diagnostics {
			if x.Code == kusto.CodeInternal {
				t.Fatalf("%q: %s", q, x.Message)
			}
		}
		for i, st := range d.Analysis.Stages {
			if st.N != i+1 || st.Pipeline == "" {
				t.Fatalf("%q: stage %d %+v", q, i, st)
			}
		}
	})
}
