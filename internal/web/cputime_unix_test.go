//go:build unix

package web_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user and system) the test process has used:
// benchmarks report it per operation (cpu-ms/op), a steadier measure than
// wall time on a busy machine.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
