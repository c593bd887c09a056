//go:build race

package viet

// raceEnabled is true when the race detector is on; sync.Pool then drops
// items at random, so allocation counts mean nothing.
const raceEnabled = true
