package postgres

import (
	"reflect"
	"strings"
	"testing"

	"github.com/diembao/diembao/query"
)

func TestFtsTokens(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"empty", "", nil},
		{"spaces", "hà nội  thủ đô", []string{"hà", "nội", "thủ", "đô"}},
		{"ascii upper case folds", "TP HCM", []string{"tp", "hcm"}},
		{"non-ASCII upper case stays", "HÀ", []string{"hÀ"}},
		{"punctuation splits", "covid-19,2020", []string{"covid", "19", "2020"}},
		{"underscore joins", "hà_nội chủ_tịch", []string{"hà_nội", "chủ_tịch"}},
		{"quote splits", "o'neil", []string{"o", "neil"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ftsTokens(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ftsTokens(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestBuildEntry(t *testing.T) {
	doc := &query.Document{
		Title: "hà nội hà", TitleFolded: "ha noi ha",
		Body: "it's", BodyFolded: `a\b`,
		Words: "hà_nội", WordsFolded: "ha_noi",
	}
	e := buildEntry(doc)
	want := `'b:it':1 'b:s':2 'bf:a':1 'bf:b':2 't:hà':1,3 't:nội':2 'tf:ha':1,3 'tf:noi':2 'w:hà_nội':1 'wf:ha_noi':1`
	if e.tsv != want {
		t.Errorf("tsv =\n%s\nwant\n%s", e.tsv, want)
	}
	if e.ntokens != 12 {
		t.Errorf("ntokens = %d, want 12", e.ntokens)
	}
	t.Run("round trip", func(t *testing.T) {
		d := parseTsvector(e.tsv)
		if !reflect.DeepEqual(d["t:hà"], []int{1, 3}) || !reflect.DeepEqual(d["wf:ha_noi"], []int{1}) || len(d) != 10 {
			t.Errorf("parseTsvector = %v", d)
		}
	})
	t.Run("limits", func(t *testing.T) {
		long := strings.Repeat("a ", maxPos+300)
		e := buildEntry(&query.Document{Body: long})
		d := parseTsvector(e.tsv)
		if n := len(d["b:a"]); n != maxPositions {
			t.Errorf("%d positions kept, want PostgreSQL's limit %d", n, maxPositions)
		}
		if e.ntokens != maxPos+300 {
			t.Errorf("ntokens = %d, want every token counted", e.ntokens)
		}
	})
}

func TestParseTsvector(t *testing.T) {
	tests := []struct {
		name, in string
		want     docPositions
	}{
		{"empty", "", docPositions{}},
		{"weights", `'t:hà':1A,5A 'b:x':3`, docPositions{"t:hà": {1, 5}, "b:x": {3}}},
		{"quote", `'b:it''s':2B`, docPositions{"b:it's": {2}}},
		{"backslash", `'b:a\\b':7`, docPositions{`b:a\b`: {7}}},
		{"no positions", `'b:x'`, docPositions{"b:x": nil}},
		{"garbage stops", `'b:x':1 ???`, docPositions{"b:x": {1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseTsvector(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseTsvector(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzParseTsvector checks that reading server text never panics and that
// what buildEntry writes reads back.
func FuzzParseTsvector(f *testing.F) {
	f.Add("hà nội", "ha noi")
	f.Add("it's a \\ test", "'''")
	f.Fuzz(func(t *testing.T, title, body string) {
		e := buildEntry(&query.Document{Title: title, Body: body})
		d := parseTsvector(e.tsv)
		for _, tok := range ftsTokens(title) {
			if len(d["t:"+tok]) == 0 {
				t.Fatalf("token %q of %q lost in %q", tok, title, e.tsv)
			}
		}
		parseTsvector(title + body)
	})
}

// benchDocument is an analysed article of about the size of a news story.
func benchDocument() *query.Document {
	words := strings.Fields("chiều 10 1 ban chỉ đạo bảo vệ nền tảng tư tưởng của đảng tỉnh tổ chức hội nghị triển khai nhiệm vụ năm 2020")
	var body []string
	for i := 0; i < 30; i++ {
		body = append(body, words...)
	}
	// The folded columns repeat the exact ones: folding does not change
	// the cost.
	text := strings.Join(body, " ")
	return &query.Document{Title: strings.Join(words[:10], " "), TitleFolded: strings.Join(words[:10], " "),
		Body: text, BodyFolded: text}
}

func BenchmarkBuildEntry(b *testing.B) {
	doc := benchDocument()
	b.ReportAllocs()
	for b.Loop() {
		buildEntry(doc)
	}
}

func BenchmarkScoreArticle(b *testing.B) {
	doc := benchDocument()
	e := buildEntry(doc)
	ph := []*expr{
		{op: opPhrase, cols: []int{0, 2}, tokens: []string{"nền", "tảng"}},
		{op: opPhrase, cols: []int{1, 3}, tokens: []string{"tư"}},
	}
	x := &expr{op: opAnd, kids: ph}
	idfs := []float64{2, 1}
	b.ReportAllocs()
	for b.Loop() {
		d := parseTsvector(e.tsv)
		bm25(d, e.ntokens, x, ph, idfs, &ranking.Weights, 1000)
	}
}
