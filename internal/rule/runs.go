package rule

// Runs is what running a rule on events found (package ruletest).
type Runs struct {
	// Datasets are the event data sets the rule fired on, most hits first.
	Datasets []DatasetHits `json:"datasets,omitempty"`
	// Of is how many data sets the rule ran on.
	Of int `json:"of"`
	// Tests are the rule's positive tests: its own sample events, which
	// must make it fire.
	Tests []TestRun `json:"tests,omitempty"`
	// Samples are a few matching events from the data sets.
	Samples []RunSample `json:"samples,omitempty"`
}

// Fires reports whether the rule fired on some data set or passed a
// positive test.
func (r *Runs) Fires() bool {
	if r == nil {
		return false
	}
	if len(r.Datasets) > 0 {
		return true
	}
	for _, t := range r.Tests {
		if t.OK && t.Hits > 0 {
			return true
		}
	}
	return false
}

// DatasetHits is a data set and how often a rule fired on it (matching
// events, or alerts for correlations and aggregations).
type DatasetHits struct {
	Dataset string `json:"dataset"`
	Hits    int    `json:"hits"`
}

// TestRun is one positive test of a rule: its sample events and whether the
// rule fired on them.
type TestRun struct {
	Dataset string `json:"dataset"`
	Hits    int    `json:"hits"`
	OK      bool   `json:"ok"`
	// Problem says why a test could not run ("" when it ran).
	Problem string `json:"problem,omitempty"`
}

// RunSample is one matching event (or, for a correlation, one alert): its
// fields in event order, values as text (untrusted: escape when shown).
type RunSample struct {
	Dataset string        `json:"dataset"`
	Fields  []SampleField `json:"fields"`
}

// SampleField is one field of a sample event.
type SampleField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}
