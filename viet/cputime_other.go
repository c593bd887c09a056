//go:build !linux

package viet

import "time"

// threadCPUTime reports that thread CPU time is not available here.
func threadCPUTime() (time.Duration, bool) { return 0, false }
