package sigma

import (
	"fmt"

	yaml "go.yaml.in/yaml/v3"
)

// RegressionInfo is a SigmaHQ regression test description: the info.yml in
// regression_data/<rules folder>/<rule path without .yml>/, which a rule
// names in its regression_tests_path.
type RegressionInfo struct {
	ID          string `yaml:"id"`
	Description string `yaml:"description"`
	Date        string `yaml:"date"`
	Author      string `yaml:"author"`
	// Rules are the rules the tests are for (rule_metadata).
	Rules []RegressionRule `yaml:"rule_metadata"`
	// Tests are the test cases (regression_tests_info).
	Tests []RegressionTest `yaml:"regression_tests_info"`
}

// RegressionRule names a rule of a regression test.
type RegressionRule struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
}

// RegressionTest is one test case: an event file and how many times the
// rule must match it.
type RegressionTest struct {
	Name string `yaml:"name"`
	// Type is the event format (evtx).
	Type     string `yaml:"type"`
	Provider string `yaml:"provider"`
	// MatchCount is how many events must match.
	MatchCount int `yaml:"match_count"`
	// Path is the event file relative to the Sigma repository root, as
	// written (SigmaHQ names the .evtx file; its JSON form sits beside it).
	Path string `yaml:"path"`
}

// ParseRegressionInfo reads an info.yml.
func ParseRegressionInfo(data []byte) (*RegressionInfo, error) {
	var info RegressionInfo
	if err := yaml.Unmarshal(data, &info); err != nil {
		return nil, fmt.Errorf("regression info: %w", err)
	}
	return &info, nil
}
