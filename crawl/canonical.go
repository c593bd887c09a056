package crawl

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"sort"
	"strings"
)

// trackingParams are query parameters that name a campaign or a click, not
// a page; Canonicalize removes them. Names ending in "*" are prefixes.
var trackingParams = []string{
	"utm_*", "fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid",
	"_ga", "_gl", "igshid", "zarsrc", "zacc", "gidzl", "refid", "ref_src",
}

func isTracking(name string) bool {
	name = strings.ToLower(name)
	for _, p := range trackingParams {
		if prefix, ok := strings.CutSuffix(p, "*"); ok {
			if strings.HasPrefix(name, prefix) {
				return true
			}
		} else if name == p {
			return true
		}
	}
	return false
}

// Canonicalize resolves ref against base (which may be nil) and returns the
// canonical form the frontier keys URLs by: scheme and host lower-cased,
// default ports, fragment, user information and tracking parameters
// (utm_*, fbclid, gclid, …) removed, an empty path made "/", the remaining
// query parameters sorted. Only http and https URLs are accepted.
func Canonicalize(ref string, base *url.URL) (string, error) {
	u, err := canonicalURL(ref, base)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

func canonicalURL(ref string, base *url.URL) (*url.URL, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, errors.New("crawl: empty URL")
	}
	u, err := url.Parse(ref)
	if err != nil {
		return nil, fmt.Errorf("crawl: bad URL %q: %w", ref, err)
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("crawl: %q is not an http or https URL", ref)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return nil, fmt.Errorf("crawl: %q has no host", ref)
	}
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		if _, err := netip.ParseAddr(host); err != nil {
			return nil, fmt.Errorf("crawl: %q has a bad host", ref)
		}
		host = "[" + host + "]"
	}
	if port != "" {
		host = net.JoinHostPort(strings.Trim(host, "[]"), port)
	}
	u.Host = host
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	}
	if u.RawQuery != "" {
		u.RawQuery = cleanQuery(u.RawQuery)
	}
	u.ForceQuery = false
	return u, nil
}

// cleanQuery drops tracking parameters and sorts the others, keeping their
// original encoding.
func cleanQuery(raw string) string {
	parts := strings.Split(raw, "&")
	kept := parts[:0]
	for _, p := range parts {
		if p == "" {
			continue
		}
		name, _, _ := strings.Cut(p, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if isTracking(name) {
			continue
		}
		kept = append(kept, escapeQuery(p))
	}
	sort.SliceStable(kept, func(i, j int) bool {
		a, _, _ := strings.Cut(kept[i], "=")
		b, _, _ := strings.Cut(kept[j], "=")
		return a < b
	})
	return strings.Join(kept, "&")
}

// escapeQuery percent-encodes the bytes a query may not hold raw (spaces,
// controls, non-ASCII, quotes, angle brackets), leaving existing escapes.
func escapeQuery(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"<>\\^`{|}#", c) >= 0 {
			if b.Len() == 0 {
				b.WriteString(s[:i])
			}
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return s
	}
	return b.String()
}

// hostKey is the key of per-host politeness: host and port.
func hostKey(u *url.URL) string {
	return strings.ToLower(u.Host)
}
