package sigma

import "testing"

// BenchmarkParseFiles decodes every Sigma file of the corpus into the rule
// model (YAML, detection items, conditions, checks).
func BenchmarkParseFiles(b *testing.B) {
	_, paths, data := corpusFiles(b)
	var size int64
	for _, p := range paths {
		size += int64(len(data[p]))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range paths {
			ParseFile(data[p])
		}
	}
}

// BenchmarkParseCondition parses every condition of the corpus (4,041).
func BenchmarkParseCondition(b *testing.B) {
	_, paths, data := corpusFiles(b)
	var conds []string
	var size int64
	for _, p := range paths {
		for _, r := range ParseFile(data[p]).Rules {
			if r.Detection == nil {
				continue
			}
			for _, c := range r.Detection.Conditions {
				conds = append(conds, c.Text)
				size += int64(len(c.Text))
			}
		}
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range conds {
			ParseCondition(c)
		}
	}
	b.ReportMetric(float64(len(conds))*float64(b.N)/b.Elapsed().Seconds(), "conditions/s")
}
