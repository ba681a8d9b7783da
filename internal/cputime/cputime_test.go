//go:build unix

package cputime

import (
	"testing"
	"time"
)

func TestNowCountsWork(t *testing.T) {
	start := Now()
	if start <= 0 {
		t.Fatalf("Now() = %v at the start of a test, want the time spent so far", start)
	}
	x := 0
	for deadline := time.Now().Add(50 * time.Millisecond); time.Now().Before(deadline); {
		x++
	}
	if used := Now() - start; used <= 0 {
		t.Errorf("Now() did not advance over %d loops of busy work", x)
	}
}
