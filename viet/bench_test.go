package viet

import (
	"os"
	"strings"
	"testing"
)

// benchText returns the Vietnamese lines of testdata/ordinary.txt repeated
// to about 64 KB.
func benchText(b *testing.B) string {
	b.Helper()
	data, err := os.ReadFile("testdata/ordinary.txt")
	if err != nil {
		b.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")[:10]
	para := strings.Join(lines, " ")
	return strings.Repeat(para+"\n", (64<<10)/len(para)+1)
}

// oldStyle rewrites the benchmark text with the old tone placement so that
// Normalize has work to do.
func oldStyle(s string) string {
	return strings.NewReplacer("oà", "òa", "uỷ", "ủy", "Uỷ", "Ủy", "oẻ", "ỏe", "oá", "óa").Replace(s)
}

func BenchmarkNormalize(b *testing.B) {
	for _, c := range []struct {
		name string
		text string
	}{{"normal", benchText(b)}, {"old-placement", oldStyle(benchText(b))}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			b.ReportAllocs()
			for b.Loop() {
				_ = Normalize(c.text)
			}
		})
	}
}

func BenchmarkAppendFold(b *testing.B) {
	text := benchText(b)
	buf := make([]byte, 0, len(text))
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendFold(buf[:0], text)
	}
}

func BenchmarkNormalizeFold(b *testing.B) {
	text := oldStyle(benchText(b))
	buf := make([]byte, 0, len(text))
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendFold(buf[:0], Normalize(text))
	}
}

func BenchmarkTokenize(b *testing.B) {
	text := benchText(b)
	toks := AppendTokens(nil, text)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		toks = AppendTokens(toks[:0], text)
	}
}

// countSyllables counts the Syllable tokens.
func countSyllables(toks []Token) int {
	n := 0
	for _, t := range toks {
		if t.Kind == Syllable {
			n++
		}
	}
	return n
}

func BenchmarkAppendWords(b *testing.B) {
	text := benchText(b)
	toks := Tokenize(text)
	g := DefaultSegmenter()
	words := g.AppendWords(nil, text, toks)
	syl := countSyllables(toks)
	b.ReportAllocs()
	for b.Loop() {
		words = g.AppendWords(words[:0], text, toks)
	}
	b.ReportMetric(float64(syl)*float64(b.N)/b.Elapsed().Seconds(), "syllables/s")
}

func BenchmarkTokenizeSegment(b *testing.B) {
	text := benchText(b)
	toks := Tokenize(text)
	g := DefaultSegmenter()
	words := g.AppendWords(nil, text, toks)
	syl := countSyllables(toks)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		toks = AppendTokens(toks[:0], text)
		words = g.AppendWords(words[:0], text, toks)
	}
	b.ReportMetric(float64(syl)*float64(b.N)/b.Elapsed().Seconds(), "syllables/s")
}

func BenchmarkFixMojibake(b *testing.B) {
	text := benchText(b)[:8<<10]
	enc, err := Encode(text, TCVN3)
	if err != nil {
		b.Fatal(err)
	}
	moji := string(cp1252Runes(enc))
	for _, c := range []struct{ name, text string }{{"ordinary", text}, {"tcvn3", moji}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			b.ReportAllocs()
			for b.Loop() {
				_, _ = FixMojibake(c.text)
			}
		})
	}
}

func BenchmarkDetectBytes(b *testing.B) {
	text := benchText(b)[:8<<10]
	for _, enc := range []Encoding{UTF8, TCVN3, VNI} {
		data, err := Encode(text, enc)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(enc.String(), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				_ = DetectBytes(data)
			}
		})
	}
}
