//go:build baseline

package main

import (
	"bytes"
	"net/url"
	"strings"

	trafilatura "github.com/markusmobius/go-trafilatura"
)

// baselineExtract is go-trafilatura, the baseline of eval extract. It is
// built only with -tags baseline: its date library's initialisation would
// otherwise cost every command about a quarter of a second.
var baselineExtract = runTrafilatura

// runTrafilatura extracts a page with go-trafilatura's default options.
func runTrafilatura(page []byte, rawURL string) prediction {
	opts := trafilatura.Options{}
	if u, err := url.Parse(rawURL); err == nil && rawURL != "" {
		opts.OriginalURL = u
	}
	res, err := trafilatura.Extract(bytes.NewReader(page), opts)
	if err != nil || res == nil {
		return prediction{}
	}
	p := prediction{title: res.Metadata.Title, author: res.Metadata.Author, dayOnly: true}
	if !res.Metadata.Date.IsZero() {
		p.published = res.Metadata.Date
	}
	for _, line := range strings.Split(res.ContentText, "\n") {
		if strings.TrimSpace(line) != "" {
			p.body = append(p.body, line)
		}
	}
	return p
}
