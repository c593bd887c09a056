package viet

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// cpuClock measures the CPU time of the benchmark's thread, which a busy
// machine does not inflate the way it inflates wall-clock time.
type cpuClock struct {
	b     *testing.B
	start time.Duration
	ok    bool
	n     int
}

func startCPU(b *testing.B) *cpuClock {
	runtime.LockOSThread()
	c := &cpuClock{b: b}
	c.start, c.ok = threadCPUTime()
	return c
}

// report adds "cpu-MB/s" (when bytes > 0) and, when units > 0, "cpu-<unit>/s"
// metrics for c.n iterations, each processing bytes bytes and units units.
func (c *cpuClock) report(bytes, units int, unit string) {
	end, ok := threadCPUTime()
	runtime.UnlockOSThread()
	d := end - c.start
	if !c.ok || !ok || d <= 0 || c.n == 0 {
		return
	}
	if bytes > 0 {
		c.b.ReportMetric(float64(bytes)*float64(c.n)/d.Seconds()/1e6, "cpu-MB/s")
	}
	if units > 0 {
		c.b.ReportMetric(float64(units)*float64(c.n)/d.Seconds(), "cpu-"+unit+"/s")
	}
}

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
			clock := startCPU(b)
			for b.Loop() {
				_ = Normalize(c.text)
				clock.n++
			}
			clock.report(len(c.text), 0, "")
		})
	}
}

func BenchmarkAppendFold(b *testing.B) {
	text := benchText(b)
	buf := make([]byte, 0, len(text))
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	clock := startCPU(b)
	for b.Loop() {
		buf = AppendFold(buf[:0], text)
		clock.n++
	}
	clock.report(len(text), 0, "")
}

func BenchmarkNormalizeFold(b *testing.B) {
	text := oldStyle(benchText(b))
	buf := make([]byte, 0, len(text))
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	clock := startCPU(b)
	for b.Loop() {
		buf = AppendFold(buf[:0], Normalize(text))
		clock.n++
	}
	clock.report(len(text), 0, "")
}

func BenchmarkTokenize(b *testing.B) {
	text := benchText(b)
	toks := AppendTokens(nil, text)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	clock := startCPU(b)
	for b.Loop() {
		toks = AppendTokens(toks[:0], text)
		clock.n++
	}
	clock.report(len(text), 0, "")
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
	clock := startCPU(b)
	for b.Loop() {
		words = g.AppendWords(words[:0], text, toks)
		clock.n++
	}
	b.ReportMetric(float64(syl)*float64(clock.n)/b.Elapsed().Seconds(), "syllables/s")
	clock.report(0, syl, "syllables")
}

func BenchmarkTokenizeSegment(b *testing.B) {
	text := benchText(b)
	toks := Tokenize(text)
	g := DefaultSegmenter()
	words := g.AppendWords(nil, text, toks)
	syl := countSyllables(toks)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	clock := startCPU(b)
	for b.Loop() {
		toks = AppendTokens(toks[:0], text)
		words = g.AppendWords(words[:0], text, toks)
		clock.n++
	}
	b.ReportMetric(float64(syl)*float64(clock.n)/b.Elapsed().Seconds(), "syllables/s")
	clock.report(len(text), syl, "syllables")
}

// vietOnly keeps the first 8 KB of the benchmark text, cut at a rune
// boundary, with the dash TCVN3 cannot write replaced.
func vietOnly(b *testing.B) string {
	text := strings.ReplaceAll(benchText(b), "–", "-")
	n := 8 << 10
	for n > 0 && !utf8.RuneStart(text[n]) {
		n--
	}
	return text[:n]
}

func BenchmarkFixMojibake(b *testing.B) {
	text := vietOnly(b)
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
	text := vietOnly(b)
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
