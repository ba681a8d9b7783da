// Package cputime reads the CPU time the process has used. Benchmarks report
// it per operation ("cpu-ns/op") beside wall time: on a shared, loaded machine
// it measures the work, where the wall clock also measures the neighbours.
package cputime
