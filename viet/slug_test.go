package viet

import "testing"

func TestSlug(t *testing.T) {
	tests := map[string]string{
		"Hà Nội":                  "ha-noi",
		"Văn hoá - Xã hội":        "van-hoa-xa-hoi",
		"  Đời sống  ":            "doi-song",
		"Nông nghiệp - Nông thôn": "nong-nghiep-nong-thon",
		"COVID-19 (mới)":          "covid-19-moi",
		"":                        "",
		"---":                     "",
		"Thời sự":                 "thoi-su",
		"Văn hóa - Xã hội":        "van-hoa-xa-hoi",
		"ĐỜI SỐNG":                "doi-song",
		"  U17 khu vực ":          "u17-khu-vuc",
	}
	for in, want := range tests {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}
