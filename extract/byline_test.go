package extract

import (
	"strings"
	"testing"
	"time"
)

func TestReadByline(t *testing.T) {
	tests := []struct {
		name   string
		b      block
		ok     bool
		author string
		kind   string
		outlet string
	}{
		{"name then source", block{text: "Văn Nam (Theo BBC)", boldLen: 8}, true, "Văn Nam", "Theo", "BBC"},
		{"bold name right", block{text: "Minh Anh", boldLen: 8, right: true}, true, "Minh Anh", "", ""},
		{"two authors", block{text: "Ngọc Lan - Phương Thảo", boldLen: 28}, true, "Ngọc Lan - Phương Thảo", "", ""},
		{"group credit", block{text: "Nhóm PV", boldLen: 8}, true, "Nhóm PV", "", ""},
		{"italic source", block{text: "Theo Kyodo", emLen: 10}, true, "", "Theo", "Kyodo"},
		{"plain parenthesised source", block{text: "(Theo CNN)"}, true, "", "Theo", "CNN"},
		{"nguon with colon", block{text: "Nguồn: Báo Hà Nam", boldLen: 19, emLen: 19}, true, "", "Nguồn", "Báo Hà Nam"},
		{"nguon bold is still attribution", block{text: "Nguồn Báo Vĩnh Phúc", boldLen: 21}, true, "", "Nguồn", "Báo Vĩnh Phúc"},
		{"bold agency alone is the byline", block{text: "Theo TTXVN", boldLen: 10}, true, "Theo TTXVN", "", ""},
		{"bold agency and its site is the byline", boldLine("Theo TTXVN/Vietnam+"), true, "Theo TTXVN/Vietnam+", "", ""},
		{"bold broadcaster is the byline", boldLine("Theo VOV"), true, "Theo VOV", "", ""},
		{"bold newspaper is the attribution", boldLine("Theo Báo Sông Hồng"), true, "", "Theo", "Báo Sông Hồng"},
		{"bold magazine is the attribution", boldLine("Theo Tạp chí Cộng sản"), true, "", "Theo", "Tạp chí Cộng sản"},
		{"bold news site is the attribution", boldLine("(Theo Cổng thông tin điện tử tỉnh Hà Nam)"), true, "", "Theo", "Cổng thông tin điện tử tỉnh Hà Nam"},
		{"bare outlet", block{text: "(Chinhphu.vn)"}, true, "", "", "Chinhphu.vn"},
		{"compiled", block{text: "(Tổng hợp)"}, true, "", "", ""},
		{"sentence", block{text: "Theo ông Nam, dự án sẽ hoàn thành vào cuối năm nay."}, false, "", "", ""},
		{"lower-case outlet", block{text: "theo tôi là vậy"}, false, "", "", ""},
		{"plain short sentence", block{text: "Cảm ơn bạn đọc."}, false, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bl, ok := readByline(tt.b)
			if ok != tt.ok {
				t.Fatalf("readByline(%q) ok = %v, want %v", tt.b.text, ok, tt.ok)
			}
			if bl.author != tt.author {
				t.Errorf("author %q, want %q", bl.author, tt.author)
			}
			kind, outlet := "", ""
			if bl.attribution != nil {
				kind, outlet = bl.attribution.Kind, bl.attribution.Outlet
			}
			if kind != tt.kind || outlet != tt.outlet {
				t.Errorf("attribution %q %q, want %q %q", kind, outlet, tt.kind, tt.outlet)
			}
		})
	}
}

// boldLine is a line set in bold, right-aligned as bylines are.
func boldLine(s string) block {
	return block{text: s, boldLen: len(s), right: true}
}

func TestNamesPublication(t *testing.T) {
	tests := []struct {
		outlet string
		want   bool
	}{
		{"Báo Hà Nam", true},
		{"báo Nhân Dân", true},
		{"Nhật báo Phương Nam", true},
		{"Tạp chí Tài chính", true},
		{"Trang tin điện tử huyện Bình Lục", true},
		{"Cổng thông tin điện tử Chính phủ", true},
		{"TTXVN", false},
		{"VOV", false},
		{"Đài Tiếng nói Việt Nam", false},
		{"Báo", false},
		{"Báomới", false},
		{"BBC", false},
	}
	for _, tt := range tests {
		t.Run(tt.outlet, func(t *testing.T) {
			if got := namesPublication(tt.outlet); got != tt.want {
				t.Errorf("namesPublication(%q) = %v, want %v", tt.outlet, got, tt.want)
			}
		})
	}
}

// TestTrailingCredits reads the last lines of whole articles: an agency
// credit alone signs the article; below a person's byline it names the
// source; a newspaper named after "Theo" is the source however it is set.
func TestTrailingCredits(t *testing.T) {
	tests := []struct {
		name, tail     string
		author, outlet string
	}{
		{"agency alone", `<p style="text-align:right"><strong>Theo TTXVN</strong></p>`, "Theo TTXVN", ""},
		{"person then agency", `<p style="text-align:right"><strong>Minh Anh</strong></p><p style="text-align:right"><strong>Theo TTXVN</strong></p>`, "Minh Anh", "TTXVN"},
		{"newspaper in bold", `<p>&nbsp;</p><p style="text-align: right;"><b>Theo Báo Sông Hồng</b></p>`, "", "Báo Sông Hồng"},
		{"person then newspaper in bold", `<p style="text-align:right"><b>Thu Hà</b></p><p style="text-align:right"><b>Theo Báo Sông Hồng</b></p>`, "Thu Hà", "Báo Sông Hồng"},
		{"newspaper in italics", `<p><em>Theo Báo Hà Nam</em></p>`, "", "Báo Hà Nam"},
		{"agency in the author box", `</div><div class="author"><strong>Theo VTV</strong>`, "Theo VTV", ""},
		{"newspaper in the author box", `</div><div class="author"><strong>Theo Báo Hà Nam</strong>`, "", "Báo Hà Nam"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := `<html><head><title>Cầu mới sắp thông xe</title></head><body><h1>Cầu mới sắp thông xe</h1>` +
				strings.Replace(testBody, "</div>", tt.tail+"</div>", 1) + `</body></html>`
			a, err := Article([]byte(page), "https://example.vn/bai.html", time.Time{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			outlet := ""
			if a.Attribution != nil {
				outlet = a.Attribution.Outlet
			}
			if a.Author != tt.author || outlet != tt.outlet {
				t.Errorf("author %q, attribution %q; want %q, %q", a.Author, outlet, tt.author, tt.outlet)
			}
			if len(a.Body) != 3 {
				t.Errorf("%d body paragraphs, want 3: %v", len(a.Body), a.Body)
			}
		})
	}
}

func TestStripSapoPrefix(t *testing.T) {
	tests := []struct{ in, want string }{
		{"(Dân trí) - Các nhà khoa học đã tạo ra", "Các nhà khoa học đã tạo ra"},
		{"TTO - Sáng 10/1, đoàn công tác", "Sáng 10/1, đoàn công tác"},
		{"NDĐT - Chiều nay, Bộ Y tế", "Chiều nay, Bộ Y tế"},
		{"HÀ NỘI - Ngày 5/3, thành phố", "Ngày 5/3, thành phố"},
		{"PHS-SIM dành cho máy Cityphone", "PHS-SIM dành cho máy Cityphone"},
		{"Người dân - nhất là người cao tuổi", "Người dân - nhất là người cao tuổi"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := stripSapoPrefix(tt.in); got != tt.want {
				t.Errorf("stripSapoPrefix(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
