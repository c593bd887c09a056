package extract

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

// fetchedAt is the fetch time the tests give the extractor.
var fetchedAt = time.Date(2024, 6, 1, 10, 0, 0, 0, diembao.Vietnam)

func extractFile(t *testing.T, name string) *diembao.Article {
	t.Helper()
	page, err := os.ReadFile(filepath.Join("testdata", "pages", name))
	if err != nil {
		t.Fatal(err)
	}
	a, err := Article(page, "https://example.vn/"+name, fetchedAt, nil)
	if err != nil {
		t.Fatalf("Article(%s): %v", name, err)
	}
	return a
}

// TestGolden compares the whole extraction of each test page with its golden
// file; run "go test -run TestGolden -update" after an intended change and
// review the diff.
func TestGolden(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join("testdata", "pages", "*.html"))
	if err != nil || len(pages) == 0 {
		t.Fatal("no test pages")
	}
	for _, p := range pages {
		name := filepath.Base(p)
		t.Run(name, func(t *testing.T) {
			a := extractFile(t, name)
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			if err := enc.Encode(a); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(name, ".html")+".json")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("extraction differs from %s:\n%s", golden, buf.String())
			}
		})
	}
}

// TestLayoutTricks checks, page by page, the property each test page was
// written for, independently of the golden files.
func TestLayoutTricks(t *testing.T) {
	const sapoKhanhHoa = "Một hợp tác xã ở xã Ninh Hải đưa 20 hộ dân vào mô hình nuôi rong sụn trên dây treo, hy vọng có thêm nguồn thu khi mùa cá cơm vãn."
	tests := []struct {
		page          string
		title         string
		sapo          string
		author        string
		outlet        string
		published     string // RFC 3339
		precision     diembao.Precision
		from          string
		pageDate      string // YYYY-MM-DD or ""
		captions      int
		firstBody     string
		heading       string // a body paragraph that must be a subheading
		notInBody     []string
		canonicalPart string
	}{
		{
			page: "national-sapo-repeated.html", title: "Hợp tác xã ven biển thử nghiệm nuôi rong sụn",
			sapo: sapoKhanhHoa, author: "Minh Khôi", outlet: "Báo Biển Xanh",
			published: "2024-03-05T09:15:00+07:00", precision: diembao.PrecisionMinute, from: "meta",
			pageDate: "2024-03-05", captions: 1,
			firstBody:     "Theo ban quản trị, mỗi hộ nhận 300 mét dây giống",
			heading:       "Đầu ra còn bấp bênh",
			notInBody:     []string{"Xem thêm", "Tin liên quan", "Mô hình rất hay", "Giá vàng hôm nay", "Minh Khôi", "Giấy phép"},
			canonicalPart: "https://example.vn/kinh-te/hop-tac-xa-rong-sun-101.html",
		},
		{
			page: "cp1258.html", title: "Hợp tác xã ven biển thử nghiệm nuôi rong sụn",
			sapo: sapoKhanhHoa, author: "Minh Khôi", outlet: "Báo Biển Xanh",
			published: "2024-03-05T09:15:00+07:00", precision: diembao.PrecisionMinute, from: "meta",
			pageDate: "2024-03-05", captions: 1, firstBody: "Theo ban quản trị",
		},
		{
			page: "utf8-stale-meta.html", title: "Hợp tác xã ven biển thử nghiệm nuôi rong sụn",
			sapo: sapoKhanhHoa, author: "Minh Khôi", outlet: "Báo Biển Xanh",
			published: "2024-03-05T09:15:00+07:00", precision: diembao.PrecisionMinute, from: "meta",
			pageDate: "2024-03-05", captions: 1, firstBody: "Theo ban quản trị",
		},
		{
			page: "portal-relative-lead.html", title: "Tỉnh ra quân dọn vệ sinh kênh mương trước mùa mưa",
			sapo:   "Sáng 10/4, hơn 2.000 đoàn viên, thanh niên và người dân các huyện đồng loạt ra quân nạo vét kênh mương, thu gom rác thải để chuẩn bị cho mùa mưa bão.",
			author: "Nhóm PV", outlet: "Báo Đồng Mẫu",
			published: "2024-04-10T00:00:00+07:00", precision: diembao.PrecisionDay, from: "dateline",
			pageDate: "2024-04-12", captions: 1, firstBody: "Tại huyện Đông Hòa",
			notInBody: []string{"Các tin khác", "Khởi công tuyến đê", "In bài", "Nguồn"},
		},
		{
			page: "nfd.html", title: "Tỉnh ra quân dọn vệ sinh kênh mương trước mùa mưa",
			author: "Nhóm PV", outlet: "Báo Đồng Mẫu",
			published: "2024-04-10T00:00:00+07:00", precision: diembao.PrecisionDay, from: "dateline",
			pageDate: "2024-04-12", captions: 1, firstBody: "Tại huyện Đông Hòa",
		},
		{
			page: "jsonld-wallclock-utc.html", title: "Trường học vùng cao đón học sinh trở lại sau lũ",
			sapo:   "Sau hai tuần nghỉ vì lũ quét, gần 400 học sinh của trường phổ thông dân tộc bán trú ở xã Nậm Mẫu đã trở lại lớp trong niềm vui của thầy cô.",
			author: "Theo TTXVN",
			// The JSON-LD says 14:30Z, the page 14:30 in Vietnam: what
			// readers see wins.
			published: "2024-05-20T14:30:00+07:00", precision: diembao.PrecisionMinute, from: "dateline",
			captions: 1, firstBody: "Nước lũ cuốn trôi", heading: "Thiếu sách vở, áo ấm",
			notInBody: []string{"Đọc thêm", "Cảm ơn các thầy cô", "Ảnh: Hà Vy"},
		},
		{
			page: "relative-ago.html", title: "Mưa lớn gây ngập nhiều tuyến phố",
			author:    "Quốc Trung",
			published: "2024-06-01T00:00:00+07:00", precision: diembao.PrecisionDay, from: "dateline",
			firstBody: "Cơn mưa kéo dài hơn một giờ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			a := extractFile(t, tt.page)
			if a.Title != tt.title {
				t.Errorf("title %q, want %q", a.Title, tt.title)
			}
			if tt.sapo != "" && a.Sapo != tt.sapo {
				t.Errorf("sapo %q, want %q", a.Sapo, tt.sapo)
			}
			if a.Sapo != "" {
				for _, p := range a.Body {
					if p.Text == a.Sapo {
						t.Errorf("sapo repeated in the body")
					}
				}
			}
			if a.Author != tt.author {
				t.Errorf("author %q, want %q", a.Author, tt.author)
			}
			switch {
			case tt.outlet == "" && a.Attribution != nil:
				t.Errorf("attribution %q, want none", a.Attribution.String())
			case tt.outlet != "" && (a.Attribution == nil || a.Attribution.Outlet != tt.outlet):
				t.Errorf("attribution %+v, want outlet %q", a.Attribution, tt.outlet)
			}
			if got := a.Published.Format(time.RFC3339); got != tt.published || a.PublishedPrecision != tt.precision || a.PublishedFrom != tt.from {
				t.Errorf("published %s (%s, from %s), want %s (%s, from %s)", got, a.PublishedPrecision, a.PublishedFrom, tt.published, tt.precision, tt.from)
			}
			pd := ""
			if !a.PageDate.IsZero() {
				pd = a.PageDate.Format("2006-01-02")
			}
			if pd != tt.pageDate {
				t.Errorf("page date %q, want %q", pd, tt.pageDate)
			}
			if len(a.Captions) != tt.captions {
				t.Errorf("captions %q, want %d", a.Captions, tt.captions)
			}
			if len(a.Body) == 0 || !strings.HasPrefix(a.Body[0].Text, tt.firstBody) {
				t.Errorf("body %+v, want it to start with %q", a.Body, tt.firstBody)
			}
			body := a.BodyText()
			for _, s := range tt.notInBody {
				if strings.Contains(body, s) {
					t.Errorf("body holds %q", s)
				}
			}
			if tt.heading != "" {
				found := false
				for _, p := range a.Body {
					if p.Text == tt.heading {
						found = p.Heading
					}
				}
				if !found {
					t.Errorf("subheading %q missing or not marked as one", tt.heading)
				}
			}
			if tt.canonicalPart != "" && a.URL != tt.canonicalPart {
				t.Errorf("URL %q, want %q", a.URL, tt.canonicalPart)
			}
			if a.Language != "vi" {
				t.Errorf("language %q, want vi", a.Language)
			}
		})
	}
}

func TestArticleNoText(t *testing.T) {
	tests := []struct {
		name string
		page string
	}{
		{"empty", ""},
		{"markup only", "<html><head></head><body><div></div></body></html>"},
		{"binary", "\x00\x01\x02\xff\xfe\x89PNG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Article([]byte(tt.page), "https://example.vn/x", time.Time{}, nil)
			if err == nil || a == nil {
				t.Fatalf("Article = %+v, %v; want an article and ErrNoArticle", a, err)
			}
			if !strings.Contains(err.Error(), ErrNoArticle.Error()) {
				t.Errorf("error %v, want %v", err, ErrNoArticle)
			}
		})
	}
}
