package main

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/sqlite"
	"github.com/diembao/diembao/viet"
)

// searchArchive makes a data directory holding three articles written for
// these tests.
func searchArchive(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlite.OpenDir(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	day := func(d int) time.Time { return time.Date(2020, 1, d, 9, 0, 0, 0, diembao.Vietnam) }
	arts := []*diembao.Article{
		{URL: "https://a.example/1", SourceName: "Báo Mẫu", Title: "Hội đồng nhân dân tỉnh họp phiên cuối năm",
			Sapo: "Kỳ họp bàn về ngân sách và nền tảng tư tưởng.", Published: day(10)},
		{URL: "https://a.example/2", SourceName: "Tin Mẫu", Title: "Chủ tịch HĐND thăm trường học",
			Body: []diembao.Paragraph{{Text: "Đoàn tặng bàn ghế cho học sinh."}}, Published: day(12)},
		{URL: "https://a.example/3", SourceName: "Tin Mẫu", Title: "Bán hàng trực tuyến tăng mạnh",
			Body: []diembao.Paragraph{{Text: "Doanh số cuối năm tăng gấp đôi."}}, Published: day(14)},
	}
	if _, err := sqlite.NewArticleService(db).PutArticles(context.Background(), arts); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestSearchCommand(t *testing.T) {
	dir := searchArchive(t)
	tests := []struct {
		name string
		args []string
		want []string // URLs in order
	}{
		{"folded", []string{"hoi dong nhan dan"}, []string{"https://a.example/1"}},
		{"expansion", []string{"--sort", "oldest", "Hội đồng nhân dân"}, []string{"https://a.example/1", "https://a.example/2"}},
		{"no expansion", []string{"--no-expand", "HĐND"}, []string{"https://a.example/2"}},
		{"newest", []string{"--sort", "newest", "năm"}, []string{"https://a.example/3", "https://a.example/1"}},
		{"oldest", []string{"--sort", "oldest", "năm"}, []string{"https://a.example/1", "https://a.example/3"}},
		{"since", []string{"--since", "2020-01-11", "--sort", "newest", "năm OR học"}, []string{"https://a.example/3", "https://a.example/2"}},
		{"source name", []string{"--source", "Tin Mẫu", "--sort", "oldest", "năm OR học"}, []string{"https://a.example/2", "https://a.example/3"}},
		{"limit", []string{"--limit", "1", "--sort", "oldest", "năm"}, []string{"https://a.example/1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"search", "--data", dir, "--json"}, tt.args...)
			code, out, errs := run(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var res struct {
				Total   int `json:"total"`
				Results []struct {
					URL     string  `json:"url"`
					Title   string  `json:"title"`
					Snippet string  `json:"snippet"`
					Score   float64 `json:"score"`
				} `json:"results"`
				NextCursor *string `json:"next_cursor"`
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			if res.NextCursor == nil {
				t.Error("next_cursor is missing")
			}
			var got []string
			for _, r := range res.Results {
				got = append(got, r.URL)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("results %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSearchCommandText(t *testing.T) {
	dir := searchArchive(t)
	code, out, errs := run(t, "search", "--data", dir, "--facets", "source", "bàn ghế")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Chủ tịch HĐND thăm trường học", "https://a.example/2", "1 of 1 articles", "By source:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestSearchCommandErrors(t *testing.T) {
	dir := searchArchive(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unclosed quote", []string{`bàn "ghế`}, "bàn \"ghế\n    ^"},
		{"bad sort", []string{"--sort", "random", "bàn"}, "unknown sort"},
		{"bad since", []string{"--since", "hôm qua", "bàn"}, "--since"},
		{"bad cursor", []string{"--cursor", "xyz", "bàn"}, "cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := run(t, append([]string{"search", "--data", dir}, tt.args...)...)
			if code == 0 {
				t.Fatal("exit 0, want an error")
			}
			if !strings.Contains(errs, tt.want) {
				t.Errorf("stderr %q lacks %q", errs, tt.want)
			}
			if strings.Contains(errs, "panic") || strings.Contains(errs, "Internal error") {
				t.Errorf("stderr: %s", errs)
			}
		})
	}
}

func TestEvalSearchCommand(t *testing.T) {
	dir := searchArchive(t)
	qfile := filepath.Join(t.TempDir(), "q.jsonl")
	lines := `{"query": "trực tuyến", "relevant": ["https://a.example/3"], "kind": "typed"}
{"query": "truc tuyen", "relevant": ["https://a.example/3"], "kind": "folded"}
{"query": "tàu vũ trụ", "relevant": ["https://a.example/1"], "kind": "typed"}
`
	if err := os.WriteFile(qfile, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "eval", "search", "--data", dir, "--queries", qfile, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep struct {
		Articles int `json:"articles"`
		Scores   []struct {
			Kind     string  `json:"kind"`
			Queries  int     `json:"queries"`
			MRR      float64 `json:"mrr_at_10"`
			Recall10 float64 `json:"recall_at_10"`
		} `json:"scores"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := map[string][3]float64{"typed": {2, 0.5, 0.5}, "folded": {1, 1, 1}, "all": {3, 2.0 / 3, 2.0 / 3}}
	if rep.Articles != 3 || len(rep.Scores) != len(want) {
		t.Fatalf("report %+v", rep)
	}
	for _, s := range rep.Scores {
		w := want[s.Kind]
		if float64(s.Queries) != w[0] || s.MRR-w[1] > 1e-9 || w[1]-s.MRR > 1e-9 || s.Recall10-w[2] > 1e-9 || w[2]-s.Recall10 > 1e-9 {
			t.Errorf("%s: %+v, want queries %v MRR %v recall %v", s.Kind, s, w[0], w[1], w[2])
		}
	}
}

func TestMistype(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := [][]string{
		{"nền", "tảng", "tư", "tưởng"},
		{"Hà", "Nội"},
		{"ban", "chi", "dao"},
		{"Iran", "Ali"},
	}
	for _, words := range tests {
		t.Run(strings.Join(words, " "), func(t *testing.T) {
			for range 20 {
				got := mistype(words, rng)
				changed := 0
				for i := range words {
					if got[i] != words[i] {
						changed++
						if viet.Fold(got[i]) != viet.Fold(words[i]) {
							t.Errorf("%q became %q: more than a tone changed", words[i], got[i])
						}
					}
				}
				if changed != 1 {
					t.Errorf("%v → %v: %d words changed, want 1", words, got, changed)
				}
			}
		})
	}
}

func TestPhraseWindowsPrefersRareWords(t *testing.T) {
	df := map[string]int{"ha": 90, "noi": 90, "tong": 5, "bi": 80, "thu": 80, "ong": 70, "pham": 2, "sy": 1, "loi": 3, "phat": 60, "bieu": 60}
	text := "Hà Nội, tổng bí thư.\nÔng Phạm Sỹ Lợi phát biểu."
	ws := phraseWindows(text, df, 100, 3, 1)
	if len(ws) != 1 || strings.Join(ws[0].words, " ") != "Phạm Sỹ Lợi" {
		t.Errorf("phraseWindows = %+v, want Phạm Sỹ Lợi", ws)
	}
	if ws := phraseWindows("một, hai.", df, 100, 3, 1); len(ws) != 0 {
		t.Errorf("phraseWindows of a text without a window = %+v", ws)
	}
}
