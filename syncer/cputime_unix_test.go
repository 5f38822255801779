//go:build unix

package syncer

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used, every thread's, the collector's included.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
