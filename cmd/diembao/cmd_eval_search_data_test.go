package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/diembao/diembao/viet"
)

// phraseTexts is a small made-up corpus: "họp bất thường" occurs in four
// texts, while "chợ", "mở" and "sớm" are each more common words but never
// follow one another outside text 0.
var phraseTexts = []string{
	"Họp bất thường.\nChợ mở sớm.",
	"Hội đồng họp bất thường hôm nay.",
	"Ban quản lý họp bất thường về giá.",
	"Tổ dân phố họp bất thường.",
	"Chợ đông người. Cửa hàng mở sớm.",
	"Sáng nay chợ vắng, quán mở muộn, về sớm.",
	"Chợ hoa mở cửa; trời sáng sớm.",
	"Bão tan nhanh.\nChợ mở muộn.",
}

// newTestCorpus builds a phrase corpus of distinct texts, one document each.
func newTestCorpus(texts []string) *phraseCorpus {
	copies := make([]int, len(texts))
	for i := range copies {
		copies[i] = 1
	}
	return newPhraseCorpus(texts, copies)
}

func TestRarestPhrase(t *testing.T) {
	tests := []struct {
		name       string
		texts      []string
		doc, n     int
		want       string
		wantOthers int
		idfBest    string // the window of the largest idf sum, for contrast
	}{
		{
			name:  "a phrase shared by other texts loses to one of this text only",
			texts: phraseTexts, doc: 0, n: 3,
			want: "Chợ mở sớm", wantOthers: 0, idfBest: "Họp bất thường",
		},
		{
			name:  "between phrases of no other text the rarer words win",
			texts: phraseTexts, doc: 7, n: 3,
			want: "Bão tan nhanh", wantOthers: 0, idfBest: "Bão tan nhanh",
		},
		{
			name:  "when every phrase is shared the least shared wins",
			texts: append(append([]string(nil), phraseTexts...), "Người bán nói: chợ, mở sớm thì chợ mở sớm."),
			doc:   0, n: 3,
			want: "Chợ mở sớm", wantOthers: 1, idfBest: "Họp bất thường",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestCorpus(tt.texts)
			ws := phraseWindows(tt.texts[tt.doc], c.df, c.docs, tt.n, phraseCandidates)
			if len(ws) == 0 {
				t.Fatal("no window")
			}
			if got := strings.Join(ws[0].words, " "); got != tt.idfBest {
				t.Errorf("largest idf sum: %q, want %q", got, tt.idfBest)
			}
			c.countPhrases([][]phraseWindow{ws})
			got := rarestPhrase(ws)
			if strings.Join(got.words, " ") != tt.want || got.others != tt.wantOthers {
				t.Errorf("rarestPhrase = %q in %d other texts, want %q in %d", strings.Join(got.words, " "), got.others, tt.want, tt.wantOthers)
			}
		})
	}
}

func TestCountPhrases(t *testing.T) {
	texts := []string{
		"Họp bất thường.\nChợ mở sớm.",
		"Hội đồng họp bất thường hôm nay.",
		"Chợ mở sớm, chợ mở sớm.",
		"Chợ, mở sớm!",
		"Sớm mở chợ.",
		"Họp bất\nthường kỳ.",
		"HỌP BẤT THƯỜNG",
	}
	tests := []struct {
		name   string
		phrase string // folded
		want   int
	}{
		{"case, diacritics and line breaks do not matter", "hop bat thuong", 3},
		{"a text counts once and punctuation is skipped", "cho mo som", 2},
		{"words in another order do not count", "mo som", 2},
		{"one word", "som", 3},
		{"words the corpus does not have", "mua lon keo", 0},
	}
	c := newTestCorpus(texts)
	set := make([]phraseWindow, len(tests))
	for i, tt := range tests {
		set[i] = phraseWindow{folded: strings.Fields(tt.phrase)}
	}
	c.countPhrases([][]phraseWindow{set})
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if set[i].others != tt.want {
				t.Errorf("%q: %d other texts, want %d", tt.phrase, set[i].others, tt.want)
			}
		})
	}
}

func TestPhraseWindows(t *testing.T) {
	c := newTestCorpus(phraseTexts)
	tests := []struct {
		name string
		text string
		n, k int
		want []string
	}{
		{"best idf sum first", phraseTexts[0], 3, 5, []string{"Họp bất thường", "Chợ mở sớm"}},
		{"at most k", phraseTexts[0], 3, 1, []string{"Họp bất thường"}},
		{"no window of n words", phraseTexts[0], 4, 5, nil},
		{"a window stays within one line", "Mưa lớn\nkéo dài ba.", 3, 5, []string{"kéo dài ba"}},
		{"operators and punctuation end a window", "Giá AND lương, thưởng tết.", 2, 5, []string{"thưởng tết"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, w := range phraseWindows(tt.text, c.df, c.docs, tt.n, tt.k) {
				got = append(got, strings.Join(w.words, " "))
				if f := viet.Fold(strings.Join(w.words, " ")); f != strings.Join(w.folded, " ") {
					t.Errorf("folded %q, want %q", w.folded, f)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("windows %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMakeKnownItemQueries(t *testing.T) {
	var recs []vntcRecord
	for i, text := range phraseTexts {
		recs = append(recs, vntcRecord{Label: "Thoi su", File: "ts-" + string(rune('a'+i)) + ".txt", Text: text})
	}
	// A text with windows of every length, and a copy of it differing only
	// in case and spacing.
	recs = append(recs,
		vntcRecord{Label: "Thoi su", File: "ts-night.txt", Text: "Phiên chợ đêm của phường mở cửa đến khuya."},
		vntcRecord{Label: "Thoi su", File: "ts-night-copy.txt", Text: "phiên chợ đêm  của phường\tmở cửa đến khuya."})
	qs, unique := makeKnownItemQueries(recs, len(recs), 7)
	again, _ := makeKnownItemQueries(recs, len(recs), 7)
	if !reflect.DeepEqual(qs, again) {
		t.Error("two runs with the same seed differ")
	}
	if len(qs) == 0 || len(qs)%4 != 0 || unique > len(qs)/4 {
		t.Fatalf("%d queries, %d unique phrases", len(qs), unique)
	}
	kinds := []string{"typed", "folded", "dropped", "tone"}
	night := 0
	for i := 0; i < len(qs); i += 4 {
		typed := qs[i].Query
		t.Run(typed, func(t *testing.T) {
			for j, k := range kinds {
				if qs[i+j].Kind != k || !reflect.DeepEqual(qs[i+j].Relevant, qs[i].Relevant) {
					t.Errorf("query %d: %+v", j, qs[i+j])
				}
			}
			if n := len(strings.Fields(typed)); n < 3 || n > 6 {
				t.Errorf("%d words", n)
			}
			if qs[i+1].Query != viet.Fold(typed) {
				t.Errorf("folded %q", qs[i+1].Query)
			}
			if len(strings.Fields(qs[i+2].Query)) != len(strings.Fields(typed))-1 {
				t.Errorf("dropped %q", qs[i+2].Query)
			}
			if strings.Contains(qs[i].Relevant[0], "/ts-night") {
				night++
				want := []string{"https://vntc.example/thoi-su/ts-night", "https://vntc.example/thoi-su/ts-night-copy"}
				if !reflect.DeepEqual(qs[i].Relevant, want) {
					t.Errorf("relevant %q, want the text and its copy %q", qs[i].Relevant, want)
				}
			}
		})
	}
	if night != 2 {
		t.Errorf("%d phrases from the text with a copy, want 2 (one per document)", night)
	}
}
