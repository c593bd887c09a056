package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/archive"
)

// importWARC stores the article of every HTML response in a WARC file. A
// record that is not an article is skipped; a damaged file stops at the
// damage, keeping what came before it.
func importWARC(ctx context.Context, in *ingester, path string, stats *importStats) error {
	r, err := archive.Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	n, bad := 0, 0
	var firstErr error
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if n == 0 {
				return err
			}
			return fmt.Errorf("after %d records: %w", n, err)
		}
		n++
		if !rec.IsHTTPResponse() || rec.StatusCode != 200 || !isHTML(rec.Header.Get("Content-Type")) {
			stats.skipped++
			continue
		}
		if rec.Truncated {
			stats.failedRecords++
			continue
		}
		f := &diembao.Fetch{URL: rec.TargetURI, Status: rec.StatusCode, Header: rec.Header, FetchedAt: rec.Date.In(diembao.Vietnam), WARCFile: rec.File, WARCOffset: rec.Offset}
		res, err := in.page(ctx, nil, f, rec.Payload, nil)
		if err != nil {
			bad++
			stats.failedRecords++
			if firstErr == nil {
				firstErr = fmt.Errorf("%s: %w", rec.TargetURI, err)
			}
			continue
		}
		stats.add(res)
	}
	if n == 0 {
		return errors.New("no WARC records in the file")
	}
	if bad > 0 {
		in.warn(fmt.Sprintf("%s: %d responses gave no article; first: %v", path, bad, firstErr))
	}
	return nil
}

// isHTML reports whether a Content-Type names an HTML page (or none at all).
func isHTML(ct string) bool {
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.Contains(strings.ToLower(ct), "html")
	}
	return mt == "text/html" || mt == "application/xhtml+xml"
}
