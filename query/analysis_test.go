package query

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/viet"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		in            string
		exact, folded string
	}{
		{"Hà Nội", "hà nội", "ha noi"},
		{"HÀ NỘI", "hà nội", "ha noi"},
		{"hòa bình", "hoà bình", "hoa binh"},
		{"Thủy lợi", "thuỷ lợi", "thuy loi"},
		{"Chủ tịch HĐND tỉnh", "chủ tịch hđnd tỉnh", "chu tich hdnd tinh"},
		{"TP.HCM, 13/01/2020", "tp hcm 13 01 2020", "tp hcm 13 01 2020"},
		{"Covid-19: 6,5%", "covid 19 6 5", "covid 19 6 5"},
		{"Ha\u0300 No\u0323\u0302i", "hà nội", "ha noi"},
		{"Đà Nẵng!!!", "đà nẵng", "da nang"},
		{"— … ©", "", ""},
	}
	a := DefaultAnalyzer()
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			exact, folded := a.Tokens(tt.in)
			if got := strings.Join(exact, " "); got != tt.exact {
				t.Errorf("exact %q, want %q", got, tt.exact)
			}
			if got := strings.Join(folded, " "); got != tt.folded {
				t.Errorf("folded %q, want %q", got, tt.folded)
			}
		})
	}
}

func TestDocument(t *testing.T) {
	a := DefaultAnalyzer()
	d := a.Document(&diembao.Article{
		Title:      "Hà Nội mở rộng đường vành đai",
		Sapo:       "Thành phố Hà Nội khởi công dự án.",
		Body:       []diembao.Paragraph{{Text: "Ủy ban nhân dân thành phố cho biết."}},
		Captions:   []string{"Công trường."},
		Author:     "Lê Thu Hà",
		SourceName: "Báo Mẫu",
		Section:    "Thời sự",
	})
	checks := []struct{ name, got, want string }{
		{"title", d.Title, "hà nội mở rộng đường vành đai"},
		{"title folded", d.TitleFolded, "ha noi mo rong duong vanh dai"},
		{"body", d.Body, "thành phố hà nội khởi công dự án uỷ ban nhân dân thành phố cho biết công trường"},
		{"author", d.Author, "lê thu hà le thu ha"},
		{"source", d.Source, "báo mẫu bao mau"},
		{"section", d.Section, "thời sự thoi su"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	words := strings.Fields(d.Words)
	for _, w := range []string{"hà_nội", "thành_phố"} {
		if !slices.Contains(words, w) {
			t.Errorf("words %q lack %q", d.Words, w)
		}
	}
	for _, w := range words {
		if !strings.Contains(w, "_") {
			t.Errorf("word %q of one syllable indexed as a word", w)
		}
	}
	if viet.Fold(d.Words) != d.WordsFolded {
		t.Errorf("folded words %q do not fold %q", d.WordsFolded, d.Words)
	}
}

// seedArticle reads the seed article from ../../shared/fixtures/seed (the
// page's visible text: a date line, the headline, then the text), or skips.
func seedArticle(t *testing.T) (*diembao.Article, []string) {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "fixtures", "seed")
	buf, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Skipf("seed fixture not available (%v)", err)
	}
	var expected struct {
		Title   string   `json:"title"`
		Queries []string `json:"queries_that_must_find_it"`
	}
	if err := json.Unmarshal(buf, &expected); err != nil {
		t.Fatal(err)
	}
	texts, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	if len(texts) == 0 {
		t.Skip("seed text not available")
	}
	raw, err := os.ReadFile(texts[0])
	if err != nil {
		t.Fatal(err)
	}
	a := &diembao.Article{Title: expected.Title}
	for _, p := range strings.Split(string(raw), "\n\n") {
		if p = strings.TrimSpace(p); p != "" && p != expected.Title {
			a.Body = append(a.Body, diembao.Paragraph{Text: p})
		}
	}
	return a, expected.Queries
}

func TestSeedQueries(t *testing.T) {
	art, queries := seedArticle(t)
	a := DefaultAnalyzer()
	doc := a.Document(art)
	other := a.Document(&diembao.Article{Title: "Hội thi nấu ăn ở Đà Nẵng", Body: []diembao.Paragraph{{Text: "Ban tổ chức trao giải cho đội bạn."}}})
	if len(queries) == 0 {
		t.Fatal("the seed lists no query")
	}
	for _, q := range queries {
		t.Run(q, func(t *testing.T) {
			n, err := Parse(q, testNow)
			if err != nil {
				t.Fatal(err)
			}
			p, err := a.Prepare(n, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !Matches(p, &doc, testNow) {
				t.Errorf("%q (prepared %s) does not match the seed article", q, p)
			}
			if Matches(p, &other, testNow) {
				t.Errorf("%q matches an unrelated article", q)
			}
		})
	}
}

func TestPrepare(t *testing.T) {
	tests := []struct {
		in       string
		noExpand bool
		want     string // the prepared tree
		boosts   int    // at least this many Boost terms in the first boosted And
	}{
		{in: "ha noi", want: "ha AND noi", boosts: 1},
		{in: "Hà Nội", want: "Hà AND Nội", boosts: 2},
		{in: "HĐND", want: `HĐND OR "Hội đồng Nhân dân"`},
		{in: "HĐND", noExpand: true, want: "HĐND"},
		{in: "hđnd", want: "hđnd"},
		{in: "Hội đồng nhân dân tỉnh", want: "((Hội AND đồng AND nhân AND dân) OR HĐND) AND tỉnh", boosts: 2},
		{in: `"Hội đồng nhân dân"`, want: `"Hội đồng nhân dân" OR "HĐND"`},
		{in: "a !!! b", want: "a AND b", boosts: 1},
		{in: "a (b c)", want: "a AND (b AND c)", boosts: 1},
		{in: "title:a b c", want: "title:a AND (b AND c)", boosts: 1},
	}
	a := DefaultAnalyzer()
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := Parse(tt.in, testNow)
			if err != nil {
				t.Fatal(err)
			}
			p, err := a.Prepare(n, Options{NoExpand: tt.noExpand})
			if err != nil {
				t.Fatal(err)
			}
			if got := p.String(); got != tt.want {
				t.Errorf("Prepare(%q) = %s, want %s", tt.in, got, tt.want)
			}
			boosts := -1
			Walk(p, func(x Node) bool {
				if and, ok := x.(*And); ok && len(and.Boost) > 0 && boosts < 0 {
					boosts = len(and.Boost)
				}
				return true
			})
			if tt.boosts > 0 && boosts < tt.boosts {
				t.Errorf("boost terms %d, want %d", boosts, tt.boosts)
			}
		})
	}
}

func TestPrepareBoostPairs(t *testing.T) {
	tests := []struct {
		in   string
		want []string // the folded tokens of each phrase Boost term, in order
	}{
		{"lua gao", []string{"lua gao"}},
		{"lua gao ngo", []string{"lua gao ngo", "lua gao", "gao ngo"}},
		{"Lúa gạo ngô khoai", []string{"lua gao ngo khoai", "lua gao", "gao ngo", "ngo khoai"}},
		{"lua gao lua gao", []string{"lua gao lua gao", "lua gao", "gao lua"}},
	}
	a := NewAnalyzer(nil) // no segmented words: only the phrase boosts
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := Parse(tt.in, testNow)
			if err != nil {
				t.Fatal(err)
			}
			p, err := a.Prepare(n, Options{NoExpand: true})
			if err != nil {
				t.Fatal(err)
			}
			and, ok := p.(*And)
			if !ok {
				t.Fatalf("Prepare(%q) = %s, want an And", tt.in, p)
			}
			var got []string
			for _, b := range and.Boost {
				if !b.Phrase {
					t.Errorf("boost %q is not a phrase", b.Text)
				}
				if len(b.Exact) > 0 && len(b.Exact) != len(b.Folded) {
					t.Errorf("boost %q: exact %q and folded %q differ in length", b.Text, b.Exact, b.Folded)
				}
				got = append(got, strings.Join(b.Folded, " "))
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("boost phrases %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPrepareErrors(t *testing.T) {
	tests := []struct {
		in  string
		pos int
	}{
		{"!!!", 0},
		{"a OR -b", 5},
		{"a OR published:>now-7d", 5},
		{"-(a published:2020)", 4},
		{"a OR (-b -c)", 6},
	}
	a := DefaultAnalyzer()
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := Parse(tt.in, testNow)
			if err != nil {
				t.Fatal(err)
			}
			_, err = a.Prepare(n, Options{})
			e, ok := err.(*diembao.Error)
			if !ok || e.Code != diembao.EINVALID {
				t.Fatalf("error %v, want EINVALID", err)
			}
			if e.Pos != tt.pos {
				t.Errorf("Pos %d, want %d (%s)", e.Pos, tt.pos, e.Message)
			}
		})
	}
}
