package extract

import (
	"testing"
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
