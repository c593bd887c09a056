package viet

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestSegment(t *testing.T) {
	g := DefaultSegmenter()
	tests := []struct {
		in   string
		want []string
	}{
		{"Ban Chỉ đạo", []string{"Ban", "Chỉ đạo"}},
		{"nền tảng tư tưởng", []string{"nền tảng", "tư tưởng"}},
		{"Bộ Tài chính đề xuất tăng thuế.", []string{"Bộ", "Tài chính", "đề xuất", "tăng", "thuế"}},
		{"HĐND tỉnh họp ngày 13/01/2020", []string{"HĐND", "tỉnh", "họp", "ngày", "13/01/2020"}},
		{"", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := g.Segment(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Segment(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSegmentOldTonePlacement(t *testing.T) {
	g := DefaultSegmenter()
	old := "Ủy ban nhân dân tỉnh Khánh Hòa chăm lo sức khỏe người dân"
	oldWords := g.Segment(old)
	newWords := g.Segment(Normalize(old))
	if len(oldWords) != len(newWords) {
		t.Fatalf("old placement %q, new %q", oldWords, newWords)
	}
	for i := range oldWords {
		if Normalize(oldWords[i]) != newWords[i] {
			t.Errorf("word %d: %q (old placement) vs %q", i, oldWords[i], newWords[i])
		}
	}
}

func TestAppendWordsSpans(t *testing.T) {
	g := DefaultSegmenter()
	text := "Thủ tướng Chính phủ yêu cầu các bộ, ngành\nkhẩn trương triển khai (xem www.chinhphu.vn)."
	toks := Tokenize(text)
	words := g.AppendWords(nil, text, toks)
	last := 0
	for _, w := range words {
		if w.First < 0 || w.Last > len(toks) || w.First >= w.Last {
			t.Fatalf("bad token range %+v", w)
		}
		if w.Start != toks[w.First].Start || w.End != toks[w.Last-1].End || w.Start < last {
			t.Fatalf("word %+v does not match its tokens", w)
		}
		for k := w.First; k < w.Last; k++ {
			if w.Last-w.First > 1 && toks[k].Kind != Syllable {
				t.Errorf("multi-token word %q joins a %s token", text[w.Start:w.End], toks[k].Kind)
			}
		}
		if strings.Contains(text[w.Start:w.End], "\n") {
			t.Errorf("word %q spans a line break", text[w.Start:w.End])
		}
		last = w.End
	}
}

func TestAppendWordsNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items; allocation counts mean nothing")
	}
	g := DefaultSegmenter()
	text := "Thủ tướng Chính phủ yêu cầu các bộ, ngành khẩn trương triển khai kế hoạch phát triển kinh tế."
	toks := Tokenize(text)
	words := make([]Word, 0, 64)
	words = g.AppendWords(words[:0], text, toks)
	allocs := testing.AllocsPerRun(100, func() { words = g.AppendWords(words[:0], text, toks) })
	if allocs != 0 {
		t.Errorf("AppendWords allocates %v times per call", allocs)
	}
}

func TestSegmenterConcurrent(t *testing.T) {
	g := DefaultSegmenter()
	text := "Bộ Giáo dục và Đào tạo công bố phương án thi tốt nghiệp trung học phổ thông năm nay."
	want := g.Segment(text)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if got := g.Segment(text); !reflect.DeepEqual(got, want) {
					t.Errorf("concurrent Segment = %q, want %q", got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestModelRoundTrip(t *testing.T) {
	g := DefaultSegmenter()
	b, err := g.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	h, err := LoadSegmenter(b)
	if err != nil {
		t.Fatal(err)
	}
	text := "Chủ tịch nước tiếp đoàn đại biểu cựu chiến binh tiêu biểu toàn quốc"
	if a, b := g.Segment(text), h.Segment(text); !reflect.DeepEqual(a, b) {
		t.Errorf("reloaded model segments %q as %q, want %q", text, b, a)
	}
	for _, bad := range [][]byte{nil, []byte("not gzip"), b[:len(b)/2]} {
		if _, err := LoadSegmenter(bad); err == nil {
			t.Errorf("LoadSegmenter accepted %d damaged bytes", len(bad))
		}
	}
}

func TestTrainSegmenter(t *testing.T) {
	f, err := os.Open("testdata/sample.conllu")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sents, err := ReadCoNLLU(f)
	if err != nil {
		t.Fatal(err)
	}
	train := append(sents, [][]string{{"Hội đồng", "quản trị", "họp", "."}, {"Ban", "Chỉ đạo", "quản trị", "."}}...)
	var news strings.Builder
	for i := range minPairCount {
		// Distinct lines: repeated texts are counted once.
		fmt.Fprintf(&news, "Ông Trần Văn Ba nói hội đồng quản trị đã họp lần %d.\n", i)
	}
	g, err := TrainSegmenter(train, TrainOptions{Epochs: 5, Folds: 1, Models: 2, Unlabelled: textLines(news.String())})
	if err != nil {
		t.Fatal(err)
	}
	if s := EvaluateSegmenter(g, train); s.F1() < 0.9 {
		t.Errorf("training-set F1 = %.3f, want ≥ 0.9", s.F1())
	}
	if !slices.Contains(g.names, "trần văn ba") {
		t.Errorf("names from unlabelled text = %q, want \"trần văn ba\" among them", g.names)
	}
	if code := g.stats.code(hashSyllable("quản"), hashSyllable("trị")); code == 0 {
		t.Error("no statistics for a pair seen in every unlabelled line")
	}
	b, err := g.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	h, err := LoadSegmenter(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(h.names, g.names) || len(h.pairKeys) != len(g.pairKeys) || len(h.splits) != len(g.splits) {
		t.Error("a reloaded trained model differs from the trained one")
	}
	if _, err := TrainSegmenter(nil, TrainOptions{}); err == nil {
		t.Error("TrainSegmenter without sentences did not fail")
	}
}

// TestSegmenterOnTreebank checks the embedded model on the UD-VTB dev set;
// the figure the eval command reports is the same computation.
func TestSegmenterOnTreebank(t *testing.T) {
	p := sharedData(t, "ud-vtb/vi_vtb-ud-dev.conllu")
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sents, err := ReadCoNLLU(f)
	if err != nil {
		t.Fatal(err)
	}
	s := EvaluateSegmenter(DefaultSegmenter(), sents)
	t.Logf("UD-VTB dev: precision %.4f recall %.4f F1 %.4f", s.Precision(), s.Recall(), s.F1())
	if s.F1() < 0.97 {
		t.Errorf("F1 on UD-VTB dev = %.4f, want ≥ 0.97", s.F1())
	}
}
