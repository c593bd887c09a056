package viet

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/diembao/diembao/viet/vietdata"
)

// Word is one word of a segmented text: its byte span in the text and the
// range [First, Last) of the tokens it joins. A word of several syllables
// spans the spaces between them.
type Word struct {
	Start, End  int
	First, Last int
}

// Segmenter groups syllables into words. It combines a lexicon (the
// embedded VnVocab word list and the multi-syllable words of its training
// data) with an averaged-perceptron classifier that decides, left to right,
// whether each space between two syllables is inside a word or between two
// words; the classifier's features are the neighbouring syllables, their
// letter case, what the lexicon finds around the space (the longest words
// covering it, forward and backward longest matching), how strongly the two
// syllables go together in unlabelled news text, and the previous decision. A Segmenter is immutable once built and safe for concurrent use.
type Segmenter struct {
	lex     *lexicon
	stats   *bigramStats
	weights weightTable
	scratch sync.Pool
	// words are the lexicon words the model adds to VnVocab; keys and ws
	// its feature weights, kept for MarshalBinary.
	words  []string
	splits []string
	names  []string
	keys   []uint32
	ws     []float32
	// pairKeys and pairCodes are the bigram statistics, kept for
	// MarshalBinary.
	pairKeys  []uint32
	pairCodes []uint16
}

var defaultSegmenter = sync.OnceValue(func() *Segmenter {
	g, err := LoadSegmenter(vietdata.SegmentModel)
	if err != nil {
		panic(fmt.Sprintf("viet: embedded segmentation model: %v", err))
	}
	return g
})

// syllableSet is the set of hashes of the embedded syllable list.
var syllableSet = sync.OnceValue(func() *lexicon {
	lex := newLexicon(20000)
	for line := range strings.Lines(vietdata.Syllables) {
		if syl := strings.TrimSpace(line); syl != "" {
			lex.addHash(hashSyllable(syl), fromVocab)
		}
	}
	return lex
})

// DefaultSegmenter returns the segmenter built from the embedded model,
// loaded on first use and shared; it is safe for concurrent use.
func DefaultSegmenter() *Segmenter { return defaultSegmenter() }

// newSegmenter builds a segmenter from a lexicon, bigram statistics and
// weights.
func newSegmenter(lex *lexicon, stats *bigramStats, w weightTable) *Segmenter {
	g := &Segmenter{lex: lex, stats: stats, weights: w}
	g.scratch.New = func() any { return new(segScratch) }
	return g
}

// Segment tokenizes text and returns its words as they are written in
// text, multi-syllable words with their inner spaces ("Ban Chỉ đạo" →
// ["Ban", "Chỉ đạo"]). Punctuation and symbols make no word.
func (g *Segmenter) Segment(text string) []string {
	toks := Tokenize(text)
	words := g.AppendWords(nil, text, toks)
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = text[w.Start:w.End]
	}
	return out
}

// AppendWords appends the words of text to dst and returns the extended
// slice. toks are text's tokens (from Tokenize or AppendTokens). Each run of
// consecutive Syllable tokens, not broken by a line break, is split into
// words; a Number, URL, Email or Abbrev token is a word of its own;
// punctuation and symbols make no word. AppendWords allocates only when dst
// must grow. For the best results text should be normalized (Normalize);
// syllables with the old tone placement are recognised too.
func (g *Segmenter) AppendWords(dst []Word, text string, toks []Token) []Word {
	sc := g.scratch.Get().(*segScratch)
	for i := 0; i < len(toks); {
		t := toks[i]
		switch t.Kind {
		case Syllable:
			j := i + 1
			for j < len(toks) && toks[j].Kind == Syllable && !lineBreak(text, toks[j-1].End, toks[j].Start) {
				j++
			}
			dst = g.appendRun(dst, sc, toks, i, j)
			i = j
			continue
		case Number, URL, Email, Abbrev:
			dst = append(dst, Word{Start: t.Start, End: t.End, First: i, Last: i + 1})
		}
		i++
	}
	g.scratch.Put(sc)
	return dst
}

// lineBreak reports whether text[from:to] holds a line break.
func lineBreak(text string, from, to int) bool {
	if from < 0 || to > len(text) || from >= to {
		return false
	}
	return strings.IndexByte(text[from:to], '\n') >= 0
}

// maxRun bounds the syllables classified together; longer runs are cut.
const maxRun = 512

// appendRun segments the syllable tokens toks[first:last].
func (g *Segmenter) appendRun(dst []Word, sc *segScratch, toks []Token, first, last int) []Word {
	for first < last {
		end := min(last, first+maxRun)
		sc.load(toks[first:end], g.lex, g.stats)
		n := len(sc.hash)
		start := 0
		cur := 1
		for k := 0; k < n-1; k++ {
			join := g.joins(sc, k, cur)
			if !join {
				dst = append(dst, Word{Start: toks[first+start].Start, End: toks[first+k].End, First: first + start, Last: first + k + 1})
				start = k + 1
			}
			if join {
				cur++
			} else {
				cur = 1
			}
		}
		dst = append(dst, Word{Start: toks[first+start].Start, End: toks[first+n-1].End, First: first + start, Last: first + n})
		first = end
	}
	return dst
}

// joins decides whether syllables k and k+1 of the loaded run belong to one
// word; cur is the length so far of the word syllable k ends.
func (g *Segmenter) joins(sc *segScratch, k, cur int) bool {
	var f [numFeatures]uint32
	sc.features(k, cur, &f)
	var score float32
	for _, key := range f {
		score += g.weights.get(key)
	}
	return score > 0
}

// Shapes of a syllable's letter case.
const (
	shapeLower = iota
	shapeTitle
	shapeUpper
	shapeOther
	shapeBoundary
)

// segScratch holds the per-run arrays of one segmentation; segmenters keep
// them in a pool so that segmenting allocates nothing in the steady state.
type segScratch struct {
	hash  []uint64
	shape []uint8
	valid []bool // the syllable is in the embedded syllable list
	// pair[k] is the bigram statistics code of syllables k and k+1.
	pair []uint16
	// pairSrc[k] holds the sources of the word made of syllables k and
	// k+1; coverSrc[k] the sources of every word covering that space.
	pairSrc, coverSrc []uint8
	// startMask[k] has bit L set when the lexicon holds the L syllables
	// from k; endMax[k] is the length of the longest word ending at k.
	startMask []uint16
	endMax    []uint8
	// fmm and bmm mark the spaces that forward and backward longest
	// matching put inside a word (space k is between k and k+1).
	fmm, bmm []bool
}

// load fills the scratch arrays for a run of syllable tokens.
func (sc *segScratch) load(toks []Token, lex *lexicon, stats *bigramStats) {
	n := len(toks)
	sc.hash = sc.hash[:0]
	sc.shape = sc.shape[:0]
	for _, t := range toks {
		sc.hash = append(sc.hash, hashSyllable(t.Text))
		sc.shape = append(sc.shape, shapeOf(t.Text))
	}
	sc.analyse(n, lex, stats)
}

// analyse runs the lexicon over the loaded syllables.
func (sc *segScratch) analyse(n int, lex *lexicon, stats *bigramStats) {
	syl := syllableSet()
	sc.valid = resize(sc.valid, n)
	sc.pair = resize(sc.pair, n)
	for k, h := range sc.hash {
		sc.valid[k] = syl.has(h)
		if k+1 < n {
			sc.pair[k] = stats.code(h, sc.hash[k+1])
		}
	}
	sc.startMask = resize(sc.startMask, n)
	sc.endMax = resize(sc.endMax, n)
	sc.fmm = resize(sc.fmm, n)
	sc.bmm = resize(sc.bmm, n)
	sc.pairSrc = resize(sc.pairSrc, n)
	sc.coverSrc = resize(sc.coverSrc, n)
	clear(sc.pairSrc)
	clear(sc.coverSrc)
	clear(sc.endMax)
	clear(sc.fmm)
	clear(sc.bmm)
	for k := 0; k < n; k++ {
		var mask uint16
		h := uint64(seqStart)
		for l := 1; l <= maxWordLen && k+l <= n; l++ {
			h = seqNext(h, sc.hash[k+l-1])
			if l < 2 {
				continue
			}
			src := lex.get(h)
			if l == 2 {
				sc.pairSrc[k] = src & (fromWords | fromSplit | fromNames)
			}
			if src&(fromWords|fromNames|fromPrefix) == 0 {
				break // no longer word starts with these syllables
			}
			if src&(fromWords|fromNames) != 0 {
				for m := k; m < k+l-1; m++ {
					sc.coverSrc[m] |= src & (fromWords | fromNames)
				}
			}
			if src&fromWords != 0 {
				mask |= 1 << l
				if e := k + l - 1; uint8(l) > sc.endMax[e] {
					sc.endMax[e] = uint8(l)
				}
			}
		}
		sc.startMask[k] = mask
	}
	// Forward longest matching.
	for k := 0; k < n; {
		l := longestBit(sc.startMask[k])
		if l < 2 {
			k++
			continue
		}
		for m := k; m < k+l-1; m++ {
			sc.fmm[m] = true
		}
		k += l
	}
	// Backward longest matching.
	for e := n - 1; e >= 0; {
		l := int(sc.endMax[e])
		if l < 2 {
			e--
			continue
		}
		for m := e - l + 1; m < e; m++ {
			sc.bmm[m] = true
		}
		e -= l
	}
}

func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// longestBit returns the highest length set in a start mask.
func longestBit(m uint16) int {
	l := 0
	for m != 0 {
		m >>= 1
		if m != 0 {
			l++
		}
	}
	return l
}

// shapeOf classifies the letter case of a syllable.
func shapeOf(s string) uint8 {
	upper, lower := 0, 0
	firstUpper := false
	for i, r := range s {
		var up, low bool
		switch {
		case r < utf8.RuneSelf:
			up, low = r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z'
		case r == 'Đ':
			up = true
		case r == 'đ':
			low = true
		default:
			if info := letters.info(r); info.vowel != 0 {
				up, low = info.upper, !info.upper
			} else {
				up, low = unicode.IsUpper(r), unicode.IsLower(r)
			}
		}
		if up {
			upper++
			firstUpper = firstUpper || i == 0
		} else if low {
			lower++
		}
	}
	switch {
	case upper == 0 && lower > 0:
		return shapeLower
	case firstUpper && upper == 1:
		return shapeTitle
	case lower == 0 && upper > 1:
		return shapeUpper
	}
	return shapeOther
}

// Hashing of syllables and syllable sequences.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
	seqStart  = 0x6a09e667f3bcc908
	// maxWordLen is the longest lexicon word, in syllables, the segmenter
	// looks for.
	maxWordLen = 6
)

// mix64 is the splitmix64 finalizer.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// seqNext extends the hash of a syllable sequence by one syllable.
func seqNext(h, syl uint64) uint64 { return mix64(h*31 + syl) }

// hashSyllable hashes the lower-case, canonically toned form of a syllable.
func hashSyllable(s string) uint64 {
	h := uint64(fnvOffset)
	vowels, toned := 0, false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if isASCIIVowel(c) {
				vowels++
			}
			h = (h ^ uint64(c)) * fnvPrime
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if info := letters.info(r); info.vowel != 0 {
			vowels++
			toned = toned || info.tone != toneNone
			r = letters.compose[info.vowel-1][info.tone][0]
		} else {
			r = lowerLetter(r)
		}
		var buf [utf8.UTFMax]byte
		n := utf8.EncodeRune(buf[:], r)
		for _, b := range buf[:n] {
			h = (h ^ uint64(b)) * fnvPrime
		}
	}
	if toned && vowels >= 2 {
		var p syllableParts
		if p.split(s) && p.misplaced() {
			if target, tone, ok := p.toneTarget(); ok && p.info[target].tone != tone {
				var buf [4 * maxSyllableRunes]byte
				return hashLowerRunes(p.appendCanonical(buf[:0], target, tone))
			}
		}
	}
	return h
}

// hashLowerRunes hashes the lower-case form of the UTF-8 text b, like
// hashSyllable does, without moving tone marks.
func hashLowerRunes(b []byte) uint64 {
	h := uint64(fnvOffset)
	for _, r := range string(b) {
		if info := letters.info(r); info.vowel != 0 {
			r = letters.compose[info.vowel-1][info.tone][0]
		} else {
			r = lowerLetter(r)
		}
		var buf [utf8.UTFMax]byte
		n := utf8.EncodeRune(buf[:], r)
		for _, c := range buf[:n] {
			h = (h ^ uint64(c)) * fnvPrime
		}
	}
	return h
}

// lowerLetter lower-cases r for hashing, reading "Ð"/"ð" (eth), often typed
// for it, as "đ".
func lowerLetter(r rune) rune {
	switch r {
	case 'Ð', 'ð', 'Đ':
		return 'đ'
	}
	return unicode.ToLower(r)
}
