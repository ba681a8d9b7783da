package kql

// Test helpers for the external test package kql_test, which may import
// the readers (they import kql, so the package's own tests cannot).
var (
	RunOracleForTest    = runOracle
	LoadVerdictsForTest = loadVerdicts
)
