package sqlite

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/viet"
)

const (
	urlBanChiDao = "https://bao-mau.example/chinh-tri/ban-chi-dao-35-trien-khai-nhiem-vu-2020.html"
	urlBanGhe    = "https://bao-mau.example/xa-hoi/ban-ghe-moi-cho-truong-hoc.html"
	urlBanSac    = "https://tin-mau.example/van-hoa/ban-sac-van-hoa-dan-toc.html"
	urlBanHang   = "https://tin-mau.example/kinh-te/ban-hang-truc-tuyen-tang-manh.html"
	urlHDND      = "https://tin-mau.example/thoi-su/hoi-dong-nhan-dan-thanh-pho-hop-ky-cuoi-nam.html"
	urlHoaBinh   = "https://tin-mau.example/thoi-su/hoa-binh-va-hop-tac.html"
)

// searchFixture is the fixture corpus with the clock set to 20 January 2020.
func searchFixture(t *testing.T) *SearchService {
	db := openTest(t)
	db.Now = func() time.Time { return testNowSearch }
	loadFixtures(t, db)
	return NewSearchService(db)
}

func urls(res *diembao.SearchResult) []string {
	var list []string
	for _, h := range res.Hits {
		list = append(list, h.URL)
	}
	return list
}

func TestSearch(t *testing.T) {
	svc := searchFixture(t)
	tests := []struct {
		name     string
		query    string
		noExpand bool
		top      string   // the first hit, when set
		want     []string // hits that must be present
		not      []string // hits that must be absent
		exact    bool     // want is the whole result set
	}{
		{name: "folded words", query: "ban chi dao 35", top: urlBanChiDao},
		{name: "accented words", query: "Ban Chỉ đạo 35", top: urlBanChiDao},
		{name: "phrase", query: `"nền tảng tư tưởng"`, want: []string{urlBanChiDao}, exact: true},
		{name: "folded phrase words", query: "nen tang tu tuong", top: urlBanChiDao},
		{name: "person", query: "Phạm Sỹ Lợi", want: []string{urlBanChiDao}, exact: true},
		{name: "person folded", query: "pham sy loi", want: []string{urlBanChiDao}, exact: true},
		{name: "abbreviation expands", query: "HĐND", want: []string{urlBanChiDao, urlHDND}, exact: true},
		{name: "expansion off", query: "HĐND", noExpand: true, want: []string{urlBanChiDao}, exact: true},
		{name: "expansion finds abbreviation", query: "Hội đồng nhân dân", want: []string{urlBanChiDao, urlHDND}, exact: true},
		{name: "exact diacritics first", query: "bản", top: urlBanSac, want: []string{urlBanGhe, urlBanHang}},
		{name: "another tone first", query: "bàn ghế", top: urlBanGhe},
		{name: "tone placement hoà", query: "hoà bình", top: urlHoaBinh},
		{name: "tone placement hòa", query: "hòa bình", top: urlHoaBinh},
		{name: "prefix", query: "chuyển*", want: []string{urlBanChiDao, urlBanHang, urlHoaBinh}, exact: true},
		{name: "title field", query: "title:bàn", top: urlBanGhe, not: []string{urlHDND, urlHoaBinh}},
		{name: "title field folded", query: "title:ghe", want: []string{urlBanGhe}, exact: true},
		{name: "source field", query: `source:"tin mau"`, want: []string{urlBanSac, urlBanHang, urlHDND, urlHoaBinh}, exact: true},
		{name: "author field", query: `author:"Lê Minh"`, want: []string{urlBanSac}, exact: true},
		{name: "section field", query: `section:"kinh te"`, want: []string{urlBanHang}, exact: true},
		{name: "date range", query: "published:[2020-01-01 TO 2020-01-12] (nhiệm vụ OR học)", want: []string{urlBanChiDao, urlBanGhe, urlHoaBinh}, exact: true},
		{name: "relative date", query: "published:>now-9d", want: []string{urlBanSac, urlBanGhe}, exact: true},
		{name: "exclusion", query: "hội -HĐND", noExpand: true, want: []string{urlBanSac, urlHDND}, not: []string{urlBanChiDao}},
		{name: "only exclusion", query: "-ban -bàn -bán -bản", want: []string{urlHoaBinh}, not: []string{urlBanChiDao}},
		{name: "or", query: "bàn OR bán", want: []string{urlBanGhe, urlBanHang}},
		{name: "group", query: "(bàn OR bán) -ghế", want: []string{urlBanHang}, not: []string{urlBanGhe}},
		{name: "caption text", query: "quang cảnh", want: []string{urlBanChiDao}},
		{name: "nothing", query: "tàu vũ trụ", exact: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := svc.Search(context.Background(), diembao.SearchRequest{Query: tt.query, NoExpand: tt.noExpand, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			got := urls(res)
			if res.Total != len(got) {
				t.Errorf("total %d, %d hits", res.Total, len(got))
			}
			if tt.top != "" && (len(got) == 0 || got[0] != tt.top) {
				t.Errorf("hits %v, want %s first", got, tt.top)
			}
			for _, u := range tt.want {
				if !slices.Contains(got, u) {
					t.Errorf("hits %v lack %s", got, u)
				}
			}
			for _, u := range tt.not {
				if slices.Contains(got, u) {
					t.Errorf("hits %v hold %s", got, u)
				}
			}
			if tt.exact && len(got) != len(tt.want) {
				t.Errorf("hits %v, want exactly %v", got, tt.want)
			}
		})
	}
}

func TestSearchHighlights(t *testing.T) {
	svc := searchFixture(t)
	for _, q := range []string{"ban chi dao", "Phạm Sỹ Lợi", `"nền tảng"`, "chuyển*", "hoà bình"} {
		t.Run(q, func(t *testing.T) {
			res, err := svc.Search(context.Background(), diembao.SearchRequest{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 {
				t.Fatal("no hit")
			}
			words := strings.Fields(viet.Fold(strings.Trim(q, `"*`)))
			for _, h := range res.Hits {
				if len(h.Highlights) == 0 {
					t.Errorf("%s: no highlight in %q", h.URL, h.Snippet)
				}
				for _, sp := range h.Highlights {
					if sp.Start < 0 || sp.End > len(h.Snippet) || sp.Start >= sp.End {
						t.Fatalf("%s: span %v outside the snippet of %d bytes", h.URL, sp, len(h.Snippet))
					}
					marked := viet.Fold(h.Snippet[sp.Start:sp.End])
					ok := false
					for _, w := range words {
						if marked == w || strings.HasSuffix(q, "*") && strings.HasPrefix(marked, w) {
							ok = true
						}
					}
					if !ok {
						t.Errorf("%s: highlighted %q, not a query word of %q", h.URL, h.Snippet[sp.Start:sp.End], q)
					}
				}
			}
		})
	}
}

func TestSearchSortAndPages(t *testing.T) {
	svc := searchFixture(t)
	ctx := context.Background()
	for _, sort := range []diembao.Sort{diembao.SortRelevance, diembao.SortNewest, diembao.SortOldest} {
		t.Run(string(sort), func(t *testing.T) {
			req := diembao.SearchRequest{Query: "năm OR hội OR bàn OR hoà", Sort: sort, Limit: 2}
			all, err := svc.Search(ctx, diembao.SearchRequest{Query: req.Query, Sort: sort, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var paged []diembao.Hit
			for page := 0; page < 10; page++ {
				res, err := svc.Search(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				if res.Total != all.Total {
					t.Errorf("page %d total %d, want %d", page, res.Total, all.Total)
				}
				paged = append(paged, res.Hits...)
				if res.NextCursor == "" {
					break
				}
				req.Cursor = res.NextCursor
			}
			if len(paged) != len(all.Hits) {
				t.Fatalf("pages hold %d hits, one page %d", len(paged), len(all.Hits))
			}
			for i := range paged {
				if paged[i].ID != all.Hits[i].ID {
					t.Errorf("hit %d: paged %s, unpaged %s", i, paged[i].URL, all.Hits[i].URL)
				}
			}
			for i := 1; i < len(all.Hits); i++ {
				a, b := all.Hits[i-1], all.Hits[i]
				switch sort {
				case diembao.SortRelevance:
					if a.Score < b.Score {
						t.Errorf("score %f before %f", a.Score, b.Score)
					}
				case diembao.SortNewest:
					if a.Published.Before(b.Published) {
						t.Errorf("%v before %v", a.Published, b.Published)
					}
				case diembao.SortOldest:
					if a.Published.After(b.Published) {
						t.Errorf("%v before %v", a.Published, b.Published)
					}
				}
			}
		})
	}
}

func TestSearchFacets(t *testing.T) {
	svc := searchFixture(t)
	res, err := svc.Search(context.Background(), diembao.SearchRequest{Query: "năm OR hội", Facets: []string{"source", "section", "day"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"source", "section", "day"} {
		sum := 0
		for _, c := range res.Facets[name] {
			sum += c.Count
		}
		if sum != res.Total {
			t.Errorf("facet %s counts %d articles, total %d", name, sum, res.Total)
		}
	}
	if days := res.Facets["day"]; len(days) == 0 || len(days[0].Value) != len("2020-01-15") {
		t.Errorf("day facet %v", days)
	}
}

func TestSearchBadRequests(t *testing.T) {
	svc := searchFixture(t)
	tests := []struct {
		name string
		req  diembao.SearchRequest
		pos  int
	}{
		{"unclosed quote", diembao.SearchRequest{Query: `ban "nền tảng`}, 4},
		{"unclosed group", diembao.SearchRequest{Query: `(ban OR bàn`}, 0},
		{"stray parenthesis", diembao.SearchRequest{Query: `ban)`}, 3},
		{"empty field", diembao.SearchRequest{Query: `title:`}, 6},
		{"bad date", diembao.SearchRequest{Query: `published:[2020-13-01 TO 2020-14-01]`}, 11},
		{"not inside or", diembao.SearchRequest{Query: `ban OR -bàn`}, 7},
		{"punctuation only", diembao.SearchRequest{Query: `!!!`}, 0},
		{"bad cursor", diembao.SearchRequest{Query: "ban", Cursor: "xyz"}, -1},
		{"bad sort", diembao.SearchRequest{Query: "ban", Sort: "random"}, -1},
		{"bad facet", diembao.SearchRequest{Query: "ban", Facets: []string{"colour"}}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Search(context.Background(), tt.req)
			e, ok := err.(*diembao.Error)
			if !ok || e.Code != diembao.EINVALID {
				t.Fatalf("error %v, want an EINVALID *diembao.Error", err)
			}
			if e.Pos != tt.pos {
				t.Errorf("Pos = %d, want %d (%s)", e.Pos, tt.pos, e.Message)
			}
		})
	}
}

// testNowSearch is the clock of the search tests: 20 January 2020, noon in
// Vietnam.
var testNowSearch = time.Date(2020, 1, 20, 12, 0, 0, 0, diembao.Vietnam)
