//go:build !baseline

package main

// baselineExtract is nil: this binary was built without -tags baseline,
// so eval extract --baseline is refused (see baseline.go).
var baselineExtract func(page []byte, rawURL string) prediction
