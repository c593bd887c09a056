package crawl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// ErrForbiddenAddress is wrapped by the errors of fetches refused because
// the host resolves to a loopback, private, link-local, multicast or
// otherwise non-public address.
var ErrForbiddenAddress = errors.New("address is not public")

// nonPublic lists the ranges the guard refuses besides those netip
// classifies (loopback, private, link-local, multicast, unspecified).
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this" network
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved and broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("fc00::/7"),        // unique local
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated)
}

// Guard decides which addresses the crawler may connect to. The zero Guard
// allows only public addresses.
type Guard struct {
	// AllowPrivate allows every address (intranet sources, tests, the
	// demo).
	AllowPrivate bool
	// Allow lists ranges allowed although not public.
	Allow []netip.Prefix
	// Resolver resolves host names (default net.DefaultResolver).
	Resolver *net.Resolver
}

// ParseAllowList parses addresses and CIDR ranges ("10.1.0.0/16",
// "192.168.1.5", "::1") for Guard.Allow.
func ParseAllowList(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("crawl: allow list: %q is neither an address nor a range", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// IsPublic reports whether a is a public unicast address. IPv4-mapped IPv6
// addresses are judged by their IPv4 address.
func IsPublic(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	if a.Is6() {
		// IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d)
		// addresses carry an IPv4 address that decides.
		b := a.As16()
		var zero [12]byte
		nat64 := netip.MustParsePrefix("64:ff9b::/96")
		if [12]byte(b[:12]) == zero || nat64.Contains(a) {
			return IsPublic(netip.AddrFrom4([4]byte(b[12:])))
		}
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// CheckAddr returns an error wrapping ErrForbiddenAddress when a may not be
// connected to.
func (g *Guard) CheckAddr(a netip.Addr) error {
	a = a.Unmap()
	if g == nil || g.AllowPrivate || IsPublic(a) {
		return nil
	}
	for _, p := range g.Allow {
		if p.Contains(a) {
			return nil
		}
	}
	return fmt.Errorf("crawl: %s: %w", a, ErrForbiddenAddress)
}

// CheckURL resolves the host of u and refuses it when any of its addresses
// may not be connected to.
func (g *Guard) CheckURL(ctx context.Context, u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("crawl: %s: only http and https are fetched", u.Redacted())
	}
	host := u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		return g.CheckAddr(a)
	}
	if g != nil && g.AllowPrivate {
		return nil
	}
	r := net.DefaultResolver
	if g != nil && g.Resolver != nil {
		r = g.Resolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		// A DNS error names the resolver; what the user needs is the host
		// and the reason ("no such host", "i/o timeout").
		return &resolveError{host: host, err: err}
	}
	for _, a := range addrs {
		if err := g.CheckAddr(a); err != nil {
			return fmt.Errorf("crawl: %s resolves to %s: %w", host, a, ErrForbiddenAddress)
		}
	}
	return nil
}

// Control is a net.Dialer Control function that refuses connections to
// addresses the guard forbids; it runs after name resolution, for the very
// address connected to, so a name that resolves differently the second time
// (DNS rebinding) is caught.
func (g *Guard) Control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("crawl: dial %s: %w", address, err)
	}
	return g.CheckAddr(ap.Addr())
}

// resolveError is a failed DNS lookup. Its message names the host and the
// reason ("no such host", "i/o timeout"), not the resolver; Unwrap gives the
// lookup's own error.
type resolveError struct {
	host string
	err  error
}

func (e *resolveError) Error() string {
	var de *net.DNSError
	if errors.As(e.err, &de) && de.Err != "" {
		return "crawl: cannot resolve " + e.host + ": " + de.Err
	}
	return "crawl: cannot resolve " + e.host + ": " + e.err.Error()
}

func (e *resolveError) Unwrap() error { return e.err }
