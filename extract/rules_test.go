package extract

import (
	"golang.org/x/net/html"

	"strings"
	"testing"
	"time"
)

func TestLoadRules(t *testing.T) {
	tests := []struct {
		name, src string
		wantErr   bool
	}{
		{"good", "[[site]]\nhosts = [\"www.example.vn\"]\nbody = \"div.noi-dung\"\ndrop = [\".hop-tin\"]\n", false},
		{"no hosts", "[[site]]\nbody = \"div.x\"\n", true},
		{"descendant selector", "[[site]]\nhosts = [\"a.vn\"]\nbody = \"div p\"\n", true},
		{"bad toml", "[[site]\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadRules(strings.NewReader(tt.src))
			if (err != nil) != tt.wantErr {
				t.Errorf("LoadRules error %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

// TestSiteRules shows rules fixing a page whose generic reading is wrong:
// the outlet's name sits in the first <h1>, the headline in a plain box,
// and an advertisement box has a class the generic rules do not know.
func TestSiteRules(t *testing.T) {
	page := []byte(`<html><head><meta charset="utf-8"><title>Đường mới thông xe sau ba năm | Báo Mẫu</title></head><body>
<h1 class="ten-bao">Báo Mẫu</h1>
<div class="tieu-de-bai">Đường mới thông xe sau ba năm</div>
<div class="noi-dung">
<p>Tuyến đường nối hai huyện miền núi đã thông xe sau ba năm thi công, rút ngắn thời gian đi lại từ hai giờ xuống còn bốn mươi phút.</p>
<p class="hop-rao-vat">Rao vặt: mua bán đất nền giá tốt, liên hệ ngay hôm nay để nhận nhiều ưu đãi hấp dẫn trong tháng này.</p>
<p>Người dân hai bên đường cho biết việc chở nông sản ra chợ huyện nay thuận tiện hơn nhiều, nhất là vào mùa mưa.</p>
</div>
</body></html>`)
	rules, err := LoadRules(strings.NewReader("[[site]]\nhosts = [\"baomau.vn\"]\ntitle = \"div.tieu-de-bai\"\ndrop = [\"p.hop-rao-vat\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	ex := New(Options{Rules: rules})
	tests := []struct {
		name, url string
		ruled     bool
	}{
		{"rule applies", "https://www.baomau.vn/a.html", true},
		{"other host", "https://khac.vn/a.html", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ex.Extract(page, tt.url, time.Time{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := a.Title == "Đường mới thông xe sau ba năm"; got != tt.ruled {
				t.Errorf("title %q; right = %v, want %v", a.Title, got, tt.ruled)
			}
			if got := !strings.Contains(a.BodyText(), "Rao vặt"); got != tt.ruled {
				t.Errorf("body %q; advertisement dropped = %v, want %v", a.BodyText(), got, tt.ruled)
			}
			if !strings.Contains(a.BodyText(), "Tuyến đường nối hai huyện") {
				t.Errorf("body %q lost the article", a.BodyText())
			}
		})
	}
}

func TestSelector(t *testing.T) {
	n := &node{name: "div", attrs: attrsOf("class", "a b", "id", "x")}
	tests := []struct {
		sel  string
		want bool
	}{
		{"div", true}, {".a", true}, {"div.a.b", true}, {"#x", true}, {"div#x.b", true},
		{"p", false}, {".c", false}, {"div.a.c", false}, {"#y", false},
	}
	for _, tt := range tests {
		t.Run(tt.sel, func(t *testing.T) {
			s, err := parseSelector(tt.sel)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.match(n); got != tt.want {
				t.Errorf("%q matches = %v, want %v", tt.sel, got, tt.want)
			}
		})
	}
}

func attrsOf(kv ...string) []html.Attribute {
	var out []html.Attribute
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, html.Attribute{Key: kv[i], Val: kv[i+1]})
	}
	return out
}
