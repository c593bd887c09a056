// Package crashtest holds the crash-safety test of package crawl: a crawl of
// the demo site in a subprocess killed with SIGKILL at random moments and
// restarted, after which every article must be stored exactly once, every
// WARC file must read to its end, and no page may have been fetched more
// often than the frontier's retry rules allow. It lives apart from package
// crawl because it needs the real store (package sqlite, a later stage).
package crashtest
