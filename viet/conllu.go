package viet

import (
	"bufio"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"
)

// maxCoNLLULine bounds one line of a CoNLL-U file.
const maxCoNLLULine = 1 << 20

// ReadCoNLLU reads the word forms of each sentence of a CoNLL-U file. A form
// with inner spaces is one multi-syllable word ("chủ tịch"). Comment lines,
// multi-word token ranges ("3-4") and empty nodes ("5.1") are skipped. Forms
// are returned as written.
func ReadCoNLLU(r io.Reader) ([][]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxCoNLLULine)
	var sents [][]string
	var cur []string
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			if len(cur) > 0 {
				sents = append(sents, cur)
				cur = nil
			}
			continue
		}
		if strings.HasPrefix(text, "#") {
			continue
		}
		id, rest, ok := strings.Cut(text, "\t")
		if !ok {
			return nil, fmt.Errorf("viet: conllu line %d: no tab-separated fields", line)
		}
		if strings.ContainsAny(id, "-.") {
			continue
		}
		form, _, _ := strings.Cut(rest, "\t")
		form = strings.Join(strings.Fields(form), " ")
		if form == "" {
			return nil, fmt.Errorf("viet: conllu line %d: empty form", line)
		}
		cur = append(cur, form)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("viet: conllu line %d: %w", line+1, err)
	}
	if len(cur) > 0 {
		sents = append(sents, cur)
	}
	return sents, nil
}

// Scores are word-segmentation figures: precision, recall and F1 over
// words, where a predicted word counts when its syllable span matches a gold
// word exactly.
type Scores struct {
	// Gold and Predicted count the gold and predicted words, Correct the
	// predicted words whose span is a gold word's.
	Gold, Predicted, Correct int
	// Syllables counts the syllables (gold tokens) segmented.
	Syllables int
}

// Precision is Correct/Predicted.
func (s Scores) Precision() float64 { return ratio(s.Correct, s.Predicted) }

// Recall is Correct/Gold.
func (s Scores) Recall() float64 { return ratio(s.Correct, s.Gold) }

// F1 is the harmonic mean of precision and recall.
func (s Scores) F1() float64 {
	p, r := s.Precision(), s.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// goldSentence is a sentence as syllables, its text and tokens, and the gold
// word spans over the syllables.
type goldSentence struct {
	text  string
	toks  []Token
	spans [][2]int // gold words as [first, last) syllable indexes
}

// newGoldSentence lays out the words of a gold sentence: syllables are
// normalized, joined by single spaces, and each syllable is one token whose
// kind is what Tokenize would give it.
func newGoldSentence(words []string) goldSentence {
	var g goldSentence
	var sb strings.Builder
	for _, w := range words {
		first := len(g.toks)
		for _, syl := range strings.Fields(w) {
			syl = Normalize(syl)
			if sb.Len() > 0 {
				sb.WriteByte(' ')
			}
			start := sb.Len()
			sb.WriteString(syl)
			g.toks = append(g.toks, Token{Start: start, End: sb.Len(), Kind: kindOf(syl)})
		}
		g.spans = append(g.spans, [2]int{first, len(g.toks)})
	}
	g.text = sb.String()
	for i := range g.toks {
		g.toks[i].Text = g.text[g.toks[i].Start:g.toks[i].End]
	}
	return g
}

// kindOf returns the kind Tokenize gives s when s is one token, and Symbol
// when it is not.
func kindOf(s string) Kind {
	var buf [4]Token
	toks := AppendTokens(buf[:0], s)
	if len(toks) == 1 && toks[0].Start == 0 && toks[0].End == len(s) {
		return toks[0].Kind
	}
	return Symbol
}

// EvaluateSegmenter segments the gold syllables of each sentence (each
// sentence a list of words, syllables separated by spaces, as ReadCoNLLU
// returns them) and counts the words whose syllable span matches a gold
// word. Punctuation and symbol tokens, which the segmenter does not turn
// into words, count as predicted words of their own.
func EvaluateSegmenter(g *Segmenter, sents [][]string) Scores {
	var s Scores
	var words []Word
	for _, sent := range sents {
		gs := newGoldSentence(sent)
		words = g.AppendWords(words[:0], gs.text, gs.toks)
		s.add(gs, words)
	}
	return s
}

// add counts one segmented sentence.
func (s *Scores) add(gs goldSentence, words []Word) {
	gold := make(map[[2]int]bool, len(gs.spans))
	for _, sp := range gs.spans {
		gold[sp] = true
	}
	s.Gold += len(gs.spans)
	s.Syllables += len(gs.toks)
	count := func(sp [2]int) {
		s.Predicted++
		if gold[sp] {
			s.Correct++
		}
	}
	for _, w := range words {
		count([2]int{w.First, w.Last})
	}
	for i, t := range gs.toks {
		if t.Kind == Punct || t.Kind == Symbol {
			count([2]int{i, i + 1})
		}
	}
}

// Throughput is a segmentation speed measurement.
type Throughput struct {
	// Syllables is the number of syllables segmented in one round.
	Syllables int
	// Wall is the wall-clock time of the fastest round.
	Wall time.Duration
	// CPU is the CPU time of the calling thread in the round with the
	// least, or 0 where the system does not report it.
	CPU time.Duration
}

// PerSecond returns syllables per second of CPU time on one core when it
// was measured, else per second of wall-clock time. On a busy machine the
// wall-clock figure understates the speed; the CPU figure does not.
func (t Throughput) PerSecond() float64 {
	d := t.Wall
	if t.CPU > 0 {
		d = t.CPU
	}
	if d <= 0 {
		return 0
	}
	return float64(t.Syllables) / d.Seconds()
}

// WallPerSecond returns syllables per second of wall-clock time.
func (t Throughput) WallPerSecond() float64 {
	if t.Wall <= 0 {
		return 0
	}
	return float64(t.Syllables) / t.Wall.Seconds()
}

// MeasureSegmenter measures the segmenter on the calling goroutine, locked
// to its thread: the gold sentences are laid out as text and tokens first,
// then segmented rounds times; the fastest round counts.
func MeasureSegmenter(g *Segmenter, sents [][]string, rounds int) Throughput {
	golds := make([]goldSentence, len(sents))
	var t Throughput
	for i, s := range sents {
		golds[i] = newGoldSentence(s)
		t.Syllables += len(golds[i].toks)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var words []Word
	for range max(rounds, 1) {
		cpu0, okCPU := threadCPUTime()
		start := time.Now()
		for _, gs := range golds {
			words = g.AppendWords(words[:0], gs.text, gs.toks)
		}
		wall := time.Since(start)
		if t.Wall == 0 || wall < t.Wall {
			t.Wall = wall
		}
		if cpu1, ok := threadCPUTime(); ok && okCPU {
			if d := cpu1 - cpu0; d > 0 && (t.CPU == 0 || d < t.CPU) {
				t.CPU = d
			}
		}
	}
	return t
}
