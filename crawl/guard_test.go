package crawl

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"testing"
	"time"
)

func TestIsPublic(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"203.113.131.1", true}, // a Vietnamese public address
		{"8.8.8.8", true},
		{"2405:4800::1", true},
		{"127.0.0.1", false},
		{"127.1.2.3", false},
		{"10.0.0.1", false},
		{"172.16.5.4", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false},
		{"100.64.0.1", false},
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"224.0.0.1", false},
		{"255.255.255.255", false},
		{"::1", false},
		{"::", false},
		{"fe80::1", false},
		{"fd00::1", false},
		{"ff02::1", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:10.1.2.3", false},
		{"::ffff:8.8.8.8", true},
		{"::127.0.0.1", false},
		{"64:ff9b::a9fe:a9fe", false}, // NAT64 of 169.254.169.254
		{"64:ff9b::808:808", true},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := IsPublic(netip.MustParseAddr(tt.addr)); got != tt.want {
				t.Fatalf("IsPublic(%s) = %v, want %v", tt.addr, got, tt.want)
			}
		})
	}
}

func TestGuard(t *testing.T) {
	allow, err := ParseAllowList([]string{"10.1.0.0/16", "192.168.1.5", " "})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseAllowList([]string{"not-an-address"}); err == nil {
		t.Fatal("ParseAllowList accepted a bad entry")
	}
	tests := []struct {
		name  string
		guard *Guard
		url   string
		ok    bool
	}{
		{"public literal", &Guard{}, "http://8.8.8.8/", true},
		{"loopback refused", &Guard{}, "http://127.0.0.1:8080/", false},
		{"mapped loopback refused", &Guard{}, "http://[::ffff:127.0.0.1]/", false},
		{"localhost name refused", &Guard{}, "http://localhost/", false},
		{"allow list", &Guard{Allow: allow}, "http://10.1.200.3/", true},
		{"outside the allow list", &Guard{Allow: allow}, "http://10.2.0.1/", false},
		{"single allowed address", &Guard{Allow: allow}, "http://192.168.1.5/", true},
		{"allowance", &Guard{AllowPrivate: true}, "http://127.0.0.1/", true},
		{"scheme", &Guard{AllowPrivate: true}, "file:///etc/passwd", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, _ := url.Parse(tt.url)
			err := tt.guard.CheckURL(context.Background(), u)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckURL(%s) = %v, want ok=%v", tt.url, err, tt.ok)
			}
		})
	}
}

// TestGuardAtConnect checks that the dialer refuses a forbidden address
// even when the URL check was passed (as after DNS rebinding).
func TestGuardAtConnect(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	tests := []struct {
		name  string
		guard *Guard
		ok    bool
	}{
		{"refused", &Guard{}, false},
		{"allowed", &Guard{AllowPrivate: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := net.Dialer{Timeout: time.Second, Control: tt.guard.Control}
			c, err := d.Dial("tcp", ln.Addr().String())
			if c != nil {
				c.Close()
			}
			if tt.ok != (err == nil) {
				t.Fatalf("dial = %v, want ok=%v", err, tt.ok)
			}
			if !tt.ok && !errors.Is(err, ErrForbiddenAddress) {
				t.Fatalf("dial error %v does not wrap ErrForbiddenAddress", err)
			}
		})
	}
}

func TestResolveErrorMessage(t *testing.T) {
	dns := &net.DNSError{Err: "no such host", Name: "khong-co.example", Server: "192.0.2.53:53", IsNotFound: true}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"dns", &resolveError{host: "khong-co.example", err: dns}, "crawl: cannot resolve khong-co.example: no such host"},
		{"other", &resolveError{host: "a.example", err: errors.New("boom")}, "crawl: cannot resolve a.example: boom"},
		{"in a fetch error", &Error{URL: "https://khong-co.example/rss", Err: &resolveError{host: "khong-co.example", err: dns}},
			"crawl: https://khong-co.example/rss: cannot resolve khong-co.example: no such host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	var de *net.DNSError
	if !errors.As(&resolveError{host: "h", err: dns}, &de) {
		t.Fatal("the DNS error is not kept")
	}
}
