package viet

import (
	"syscall"
	"time"
)

// rusageThread is RUSAGE_THREAD: the resource usage of the calling thread.
const rusageThread = 1

// threadCPUTime returns the CPU time the calling OS thread has used, and
// whether it could be read.
func threadCPUTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
