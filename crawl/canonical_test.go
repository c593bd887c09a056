package crawl

import (
	"net/url"
	"testing"
)

func TestCanonicalize(t *testing.T) {
	base, _ := url.Parse("https://baomau.vn/thoi-su/index.html")
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "HTTPS://BaoMau.VN:443/a.html#binh-luan", want: "https://baomau.vn/a.html"},
		{in: "http://baomau.vn:80", want: "http://baomau.vn/"},
		{in: "http://baomau.vn:8080/a", want: "http://baomau.vn:8080/a"},
		{in: "/tin/1.html?utm_source=fb&utm_medium=social&id=3&fbclid=xyz", want: "https://baomau.vn/tin/1.html?id=3"},
		{in: "tin-2.html?b=2&a=1&gclid=1", want: "https://baomau.vn/thoi-su/tin-2.html?a=1&b=2"},
		{in: "https://user:pass@baomau.vn/x", want: "https://baomau.vn/x"},
		{in: "https://baomau.vn/x?", want: "https://baomau.vn/x"},
		{in: "https://baomau.vn./x", want: "https://baomau.vn/x"},
		{in: "https://[::1]:443/x", want: "https://[::1]/x"},
		{in: "https://[2001:db8::1]:8443/x", want: "https://[2001:db8::1]:8443/x"},
		{in: "https://baomau.vn/tin%20m%E1%BB%9Bi.html", want: "https://baomau.vn/tin%20m%E1%BB%9Bi.html"},
		{in: "https://baomau.vn/?q=h%C3%A0+n%E1%BB%99i&UTM_Campaign=x", want: "https://baomau.vn/?q=h%C3%A0+n%E1%BB%99i"},
		{in: "mailto:toasoan@baomau.vn", wantErr: true},
		{in: "javascript:void(0)", wantErr: true},
		{in: "", wantErr: true},
		{in: "http://", wantErr: true},
		{in: "ftp://baomau.vn/a", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Canonicalize(tt.in, base)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Canonicalize(%q) = %q, want an error", tt.in, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Canonicalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			// Canonical URLs are fixed points.
			if again, err := Canonicalize(got, nil); err != nil || again != got {
				t.Fatalf("Canonicalize(%q) = %q, %v; not a fixed point", got, again, err)
			}
		})
	}
}

func FuzzCanonicalize(f *testing.F) {
	for _, s := range []string{"https://baomau.vn/a?utm_source=x#f", "http://[::1]:80/", "/rel?b=1&a=2", "%zz", "http://a:b@c:99999/"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://baomau.vn/dir/")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Canonicalize(s, base)
		if err != nil {
			return
		}
		again, err := Canonicalize(got, nil)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", got, s, err)
		}
		if again != got {
			t.Fatalf("Canonicalize not idempotent: %q -> %q -> %q", s, got, again)
		}
	})
}

func BenchmarkCanonicalize(b *testing.B) {
	base, _ := url.Parse("https://baomau.vn/thoi-su/")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Canonicalize("/kinh-te/gia-vang-hom-nay-tang-manh-123456.html?utm_source=rss&id=7#top", base); err != nil {
			b.Fatal(err)
		}
	}
}
