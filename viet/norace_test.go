//go:build !race

package viet

// raceEnabled is true when the race detector is on.
const raceEnabled = false
