package sqlite

import (
	"maps"

	"context"
	"errors"
	"github.com/diembao/diembao/internal/storetest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/query"
)

func TestCompile(t *testing.T) {
	tests := []struct {
		in    string
		match string
		excl  int
		boost bool
	}{
		{"bao", `{title_f body_f} : "bao"`, 0, false},
		{"bản", `({title body} : "bản" OR {title_f body_f} : "ban")`, 0, false},
		{"ha noi", `({title_f body_f} : "ha" AND {title_f body_f} : "noi")`, 0, true},
		{`"ha noi"`, `{title_f body_f} : "ha noi"`, 0, false},
		{"chuyen*", `{title_f body_f} : "chuyen" *`, 0, false},
		{"title:bao", `{title_f} : "bao"`, 0, false},
		{`author:"Lê Minh"`, `{author} : ("lê minh" OR "le minh")`, 0, false},
		{"a -b", `(({title_f body_f} : "a") NOT {title_f body_f} : "b")`, 0, false},
		{"-a -b", "", 2, false},
		{"a OR b", `({title_f body_f} : "a" OR {title_f body_f} : "b")`, 0, false},
		{"author:Minh source:VnExpress section:thời",
			`({author} : "minh" AND {source} : "vnexpress" AND {section} : ("thời" OR "thoi"))`, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c := compileQuery(t, tt.in)
			if c.Match != tt.match {
				t.Errorf("match %s, want %s", c.Match, tt.match)
			}
			if len(c.Exclude) != tt.excl {
				t.Errorf("%d exclusions, want %d", len(c.Exclude), tt.excl)
			}
			if (c.Boost != "") != tt.boost {
				t.Errorf("boost %q, want one: %v", c.Boost, tt.boost)
			}
		})
	}
}

// TestScoreMatch checks the expression that scores articles known to
// match: without the exclusions of the top AND, its phrases the first of
// the match's, and with a prefix spelled out as the tokens it begins.
func TestScoreMatch(t *testing.T) {
	tests := []struct {
		in      string
		ex      *expansion
		match   string
		n       int
		logical []int
	}{
		{"a -b", nil, `{title_f body_f} : "a"`, 1, nil},
		{"-b a", nil, `{title_f body_f} : "a"`, 1, nil},
		{"a OR c", nil, `({title_f body_f} : "a" OR {title_f body_f} : "c")`, 2, nil},
		{"(a OR c) -b -d", nil, `({title_f body_f} : "a" OR {title_f body_f} : "c")`, 2, nil},
		// Exclusions below the top stay: "" is the match itself.
		{"a OR (c -b)", nil, "", 3, nil},
		{"chuy* -b", &expansion{tokens: [2]map[string][]string{{}, {"chuy": {"chuyen", "chuyet"}}}},
			`({title_f body_f} : "chuyen" OR {title_f body_f} : "chuyet")`, 1, []int{0, 0}},
		{"nộ* a", &expansion{tokens: [2]map[string][]string{{"nộ": {"nội"}}, {"no": {"noi", "nong"}}}},
			`((({title body} : "nội") OR ({title_f body_f} : "noi" OR {title_f body_f} : "nong")) AND ({title body} : "a" OR {title_f body_f} : "a"))`,
			4, []int{0, 1, 1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			tree := prepareQuery(t, tt.in)
			c, err := compile(tree)
			if err != nil {
				t.Fatal(err)
			}
			if tt.match == "" {
				tt.match = c.Match
			}
			match, np, err := scoreMatch(tree, tt.ex)
			if err != nil {
				t.Fatal(err)
			}
			if match != tt.match || np != tt.n {
				t.Errorf("%s with %d phrases, want %s with %d", match, np, tt.match, tt.n)
			}
			if tt.ex != nil && !slices.Equal(tt.ex.logical, tt.logical) {
				t.Errorf("logical %v, want %v", tt.ex.logical, tt.logical)
			}
			if np > len(c.Phrases) {
				t.Fatalf("%d phrases, the match has %d", np, len(c.Phrases))
			}
		})
	}
}

// prepareQuery parses and prepares a query, without abbreviation
// expansion.
func prepareQuery(t *testing.T, in string) query.Node {
	t.Helper()
	n, err := query.Parse(in, testNowSearch)
	if err != nil {
		t.Fatal(err)
	}
	p, err := query.DefaultAnalyzer().Prepare(n, query.Options{NoExpand: true})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// compileQuery parses, prepares (without abbreviation expansion) and
// compiles a query.
func compileQuery(t *testing.T, in string) compiled {
	t.Helper()
	c, err := compile(prepareQuery(t, in))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCompileBoost checks the optional terms of runs of words: the run as
// a phrase in the title and text, its segmented words in the words columns,
// and nothing for a run that the query excludes.
func TestCompileBoost(t *testing.T) {
	tests := []struct{ in, boost string }{
		{"ha noi", `{title_f body_f} : "ha noi"`},
		{"hà nội", `({title body} : "hà nội" OR {title_f body_f} : "ha noi") OR ({words} : "hà_nội" OR {words_f} : "ha_noi")`},
		{"bão -(hà nội)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c := compileQuery(t, tt.in)
			if c.Boost != tt.boost {
				t.Errorf("boost %s, want %s", c.Boost, tt.boost)
			}
		})
	}
}

// FuzzCompile checks that every query the parser and Prepare accept
// compiles to FTS5 expressions that SQLite runs, and that they find exactly
// the fixture articles that query.Matches, the reference semantics, finds.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"ban chi dao 35", `"nền tảng tư tưởng"`, "a OR (b -c)", `title:bão source:"Báo"`,
		"published:[2020-01-01 TO 2020-01-31] chuyển*", "published:>now-7d HĐND", "-ban -bàn",
		"author:(Minh OR Hà)", `"bàn" "ghế"*`, "Hội đồng nhân dân tỉnh", "covid-19 TP.HCM", "(hội nghị) OR (bàn -ghế)",
		"bản", "chuyển*", `section:"kinh te" OR title:hoà`,
	} {
		f.Add(s)
	}
	db := openTest(f)
	db.Now = func() time.Time { return testNowSearch }
	byURL := loadFixtures(f, db)
	a := query.DefaultAnalyzer()
	docs := map[string]query.Document{}
	for u, art := range byURL {
		docs[u] = a.Document(art)
	}
	svc := NewSearchService(db)
	f.Fuzz(func(t *testing.T, in string) {
		for _, noExpand := range []bool{false, true} {
			res, err := svc.Search(context.Background(), diembao.SearchRequest{Query: in, NoExpand: noExpand, Limit: maxLimit, Facets: []string{"day"}})
			if err != nil {
				var e *diembao.Error
				if !errors.As(err, &e) || e.Code != diembao.EINVALID {
					t.Fatalf("Search(%q): %v", in, err)
				}
				if strings.Contains(e.Message, "fts5") {
					t.Fatalf("Search(%q) leaks an FTS5 error: %v", in, err)
				}
				continue
			}
			n, _ := query.Parse(in, testNowSearch)
			p, err := a.Prepare(n, query.Options{NoExpand: noExpand})
			if err != nil {
				t.Fatalf("Search accepted %q, Prepare did not: %v", in, err)
			}
			got := map[string]bool{}
			for _, h := range res.Hits {
				got[h.URL] = true
			}
			for u, art := range byURL {
				d := docs[u]
				if want := query.Matches(p, &d, art.Published); want != got[u] {
					t.Errorf("%q (prepared %s): SQLite found %s: %v, reference: %v", in, p, u, got[u], want)
				}
			}
		}
	})
}

// TestSetFindsWhatMatchFinds checks that the folded-only expression of a
// query (compiled.Set) finds exactly the articles its full expression
// (compiled.Match) finds, on the conformance corpus and a few articles
// written for the edge cases: capitals, tone placement, a stray combining
// mark, a word with a letter the tables fold to two.
func TestSetFindsWhatMatchFinds(t *testing.T) {
	ctx := context.Background()
	db := openCorpus(t)
	extra := []diembao.Article{
		{URL: "https://example.vn/a", Title: "HOÀ BÌNH Đón Xuân", Body: []diembao.Paragraph{{Text: "Người dân hòa bình đón xuân ở Hoà Bình."}}},
		{URL: "https://example.vn/b", Title: "Dấu \u0301 lạc", Body: []diembao.Paragraph{{Text: "Một dấu \u0301 đứng riêng giữa hai từ; chữ Æsir và straße."}}},
		{URL: "https://example.vn/c", Title: "Chuyển đổi số", Body: []diembao.Paragraph{{Text: "Chuyển giao, chuyên môn và chuyến đi."}}},
	}
	for i := range extra {
		if _, err := NewArticleService(db).PutArticle(ctx, &extra[i]); err != nil {
			t.Fatal(err)
		}
	}
	qs, err := storetest.Queries()
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"hoà bình", "HÒA BÌNH", `"hòa bình đón"`, "đón -xuân", "chuyển*", "chuyê*", "chuyen*",
		`title:"dấu lạc"`, "dấu \u0301 lạc", `"dấu \u0301 đứng"`, "æsir OR straße", "title:hoà -bình", `(hoà OR chuyển) -"đón xuân"`}
	for _, q := range qs {
		texts = append(texts, q.Query)
	}
	ids := func(match string) map[int64]bool {
		t.Helper()
		rows, err := db.db.QueryContext(ctx, `SELECT rowid FROM article_index WHERE article_index MATCH ?`, match)
		if err != nil {
			t.Fatalf("%s: %v", match, err)
		}
		defer rows.Close()
		out := map[int64]bool{}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			out[id] = true
		}
		return out
	}
	compared := 0
	for _, in := range texts {
		n, err := query.Parse(in, testNowSearch)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		p, err := query.DefaultAnalyzer().Prepare(n, query.Options{})
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		text, _, ok := query.Split(p)
		if !ok {
			continue
		}
		c, err := compile(text)
		if err != nil || c.Match == "" {
			continue
		}
		want, got := ids(c.Match), ids(c.Set)
		if !maps.Equal(want, got) {
			t.Errorf("%s: Match %s finds %v, Set %s finds %v", in, c.Match, want, c.Set, got)
		}
		compared++
	}
	if compared < len(qs)/2 {
		t.Fatalf("only %d of %d queries compared", compared, len(texts))
	}
}
