package main

import "os"

// envSet reports whether the environment variable is set.
func envSet(name string) bool {
	_, ok := os.LookupEnv(name)
	return ok
}
