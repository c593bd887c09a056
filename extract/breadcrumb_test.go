package extract

import (
	"reflect"
	"testing"
	"time"
)

// testBody is an article body of three paragraphs.
const testBody = `<div class="noi-dung">
<p>Ban quản lý dự án cho biết, sau ba tháng thi công, cây cầu đã hoàn thành phần móng và trụ, đang lắp dầm cho nhịp chính.</p>
<p>Theo kế hoạch, công trình sẽ thông xe trước Tết, giúp người dân hai bên sông đi lại thuận tiện, không phải chờ phà như trước.</p>
<p>Tổng vốn đầu tư của dự án hơn 120 tỷ đồng, lấy từ ngân sách tỉnh và vốn hỗ trợ của trung ương cho vùng khó khăn.</p>
</div>`

// articlePage wraps the markup around a headline and testBody into a page;
// head goes into <head>.
func articlePage(head, before, after string) []byte {
	return []byte(`<html><head><title>Cầu mới sắp thông xe - Báo Mẫu</title>` + head + `</head><body>` +
		before + `<h1>Cầu mới sắp thông xe</h1>` + testBody + after + `</body></html>`)
}

func TestSection(t *testing.T) {
	tests := []struct {
		name         string
		head, before string
		want         string
	}{
		{"breadcrumb class", "",
			`<ul class="breadcrumb"><li><a href="/">Trang chủ</a></li><li><a href="/kinh-te">Kinh tế</a></li></ul>`, "Kinh tế"},
		{"portal path box", "",
			`<div class="DuongDan"><a href="/">Trang chủ</a> » <a href="/Default.aspx?tabid=85&amp;CateID=22">Giao thông</a></div>`, "Giao thông"},
		{"pathway", "",
			`<div class="pathway"><a href="/">Home</a> / <a href="/xa-hoi">Xã hội</a></div>`, "Xã hội"},
		{"navigation trail", "",
			`<div id="navtrail"><a href="/">Trang chủ</a> &gt; <a href="/the-thao">Thể thao</a></div>`, "Thể thao"},
		{"nav aria-label", "",
			`<nav aria-label="Đường dẫn"><a href="/">Trang chủ</a> <a href="/giao-duc">Giáo dục</a></nav>`, "Giáo dục"},
		{"microdata BreadcrumbList", "",
			`<ol itemscope itemtype="https://schema.org/BreadcrumbList">` +
				`<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem"><a itemprop="item" href="/"><span itemprop="name">Trang chủ</span></a><meta itemprop="position" content="1"></li>` +
				`<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem"><a itemprop="item" href="/y-te"><span itemprop="name">Y tế</span></a><meta itemprop="position" content="2"></li></ol>`, "Y tế"},
		{"JSON-LD BreadcrumbList", `<script type="application/ld+json">{"@context":"https://schema.org","@type":"BreadcrumbList","itemListElement":[` +
			`{"@type":"ListItem","position":2,"name":"Văn hoá","item":"https://example.vn/van-hoa"},` +
			`{"@type":"ListItem","position":1,"name":"Trang chủ","item":"https://example.vn/"}]}</script>`, "", "Văn hoá"},
		{"JSON-LD breadcrumb of a WebPage", `<script type="application/ld+json">{"@type":"WebPage","breadcrumb":{"@type":"BreadcrumbList","itemListElement":[` +
			`{"@type":"ListItem","position":1,"item":{"@id":"https://example.vn/","name":"Báo Mẫu"}},` +
			`{"@type":"ListItem","position":2,"item":{"@id":"https://example.vn/phap-luat","name":"Pháp luật"}}]}}</script>`, "", "Pháp luật"},
		{"trail ending with the headline", "",
			`<div class="breadcrumbs"><a href="/">Trang chủ</a> › <a href="/kinh-te">Kinh tế</a> › <span>Cầu mới sắp thông xe</span></div>`, "Kinh tế"},
		{"unmarked trail from the home page", "",
			`<table><tr><td><a href="http://example.vn/">Báo Mẫu</a> &gt; <a href="/Default.aspx?CateID=25">Lưu trữ</a></td></tr></table>`, "Lưu trữ"},
		{"trailer is not a trail", "",
			`<div class="video-trailer"><a href="/">Trang chủ</a> <a href="/phim">Phim mới</a></div>`, ""},
		{"nav-path", "",
			`<div class="nav-path"><a href="/">Trang chủ</a> / <a href="/du-lich">Du lịch</a></div>`, "Du lịch"},
		{"menu is not a trail", "",
			`<div><a href="/">Trang chủ</a> | <a href="/kinh-te">Kinh tế</a> | <a href="/xa-hoi">Xã hội</a></div>`, ""},
		{"links not from the home page", "",
			`<div><a href="/kinh-te">Kinh tế</a> &gt; <a href="/xa-hoi">Xã hội</a></div>`, ""},
		{"related box of the same section is not a trail", "",
			`<div class="tin-cungchuyenmuc"><a href="/a">Bài một</a></div>`, ""},
		{"metadata", `<meta property="article:section" content="Thời sự">`, "", "Thời sự"},
		{"marked breadcrumb before metadata", `<meta property="article:section" content="Tin tức">`,
			`<div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/thoi-su">Thời sự</a></div>`, "Thời sự"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Article(articlePage(tt.head, tt.before, ""), "https://example.vn/bai.html", time.Time{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if a.Section != tt.want {
				t.Errorf("section %q, want %q", a.Section, tt.want)
			}
		})
	}
}

func TestLeadPictureCaptions(t *testing.T) {
	tests := []struct {
		name, before, between string
		want                  []string
	}{
		{"figure between headline and body", "",
			`<figure class="photo"><img src="/a.jpg"><figcaption>Công nhân lắp dầm cầu.</figcaption></figure>`,
			[]string{"Công nhân lắp dầm cầu."}},
		{"figure with a photo credit", "",
			`<figure><img src="/a.jpg"><figcaption>Công nhân lắp dầm cầu. <span class="photo-author">Ảnh: Hà Vy</span></figcaption></figure>`,
			[]string{"Công nhân lắp dầm cầu. Ảnh: Hà Vy"}},
		{"picture table with a picture class", "",
			`<table class="image-box"><tr><td><img src="/a.jpg"></td></tr><tr><td>Cây cầu nhìn từ trên cao.</td></tr></table>`,
			[]string{"Cây cầu nhìn từ trên cao."}},
		{"byline with portrait", "",
			`<div class="author-box"><img src="/avatar.png"><span class="author-name">Minh Anh</span></div>`,
			nil},
		{"box without a picture class", "",
			`<div><img src="/icon.png"><span>Thứ hai, 20/05/2024 - 14:30</span></div>`,
			nil},
		{"figure outside the article", `<div class="promo"><figure><img src="/b.jpg"><figcaption>Quảng cáo</figcaption></figure></div>`,
			"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := `<html><head><title>Cầu mới sắp thông xe</title></head><body>` + tt.before +
				`<article><h1>Cầu mới sắp thông xe</h1>` + tt.between + testBody + `</article></body></html>`
			a, err := Article([]byte(page), "https://example.vn/bai.html", time.Time{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Captions) == 0 && len(tt.want) == 0 {
				return
			}
			if !reflect.DeepEqual(a.Captions, tt.want) {
				t.Errorf("captions %q, want %q", a.Captions, tt.want)
			}
			if len(a.Body) != 3 {
				t.Errorf("%d body paragraphs, want 3: %v", len(a.Body), a.Body)
			}
		})
	}
}

func TestPageDateOneTableLayout(t *testing.T) {
	tests := []struct {
		name, header string
		want         string
	}{
		{"header date row", `<tr><td class="ngay">Thứ 6 Ngày 09/01/2004</td></tr>`, "2004-01-09"},
		{"date with a time is a dateline", `<tr><td class="ngay">Thứ 6, 09/01/2004 08:30</td></tr>`, ""},
		{"no weekday", `<tr><td>09/01/2004</td></tr>`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := `<html><head><title>Tổng kết năm</title></head><body><table>` + tt.header +
				`<tr><td class="tieude">Tổng kết phong trào xây dựng làng văn hoá</td></tr>
<tr><td><p>Năm qua, toàn tỉnh có thêm 56 làng, thôn được công nhận danh hiệu làng văn hoá, nâng tổng số lên 312 làng.</p>
<p>Nhiều địa phương đã xây dựng hương ước, quy ước mới phù hợp với pháp luật, thực hiện nếp sống văn minh.</p></td></tr>
</table></body></html>`
			a, err := Article([]byte(page), "https://example.vn/tin1.htm", time.Time{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if !a.PageDate.IsZero() {
				got = a.PageDate.Format("2006-01-02")
			}
			if got != tt.want {
				t.Errorf("page date %q, want %q", got, tt.want)
			}
		})
	}
}
