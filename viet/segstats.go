package viet

import (
	"iter"
	"math"
	"slices"
	"strings"
)

// bigramStats maps a pair of syllables to a small code summarizing how
// strongly they go together in unlabelled text: pointwise mutual
// information, frequency, and how often each predicts the other.
type bigramStats struct {
	keys  []uint32 // open addressing, 0 = empty
	codes []uint16
	mask  uint32
}

// pairKey hashes a syllable pair to a non-zero key.
func pairKey(a, b uint64) uint32 {
	k := uint32(mix64(a*0x9e3779b97f4a7c15^b) >> 32)
	if k == 0 {
		k = 1
	}
	return k
}

func newBigramStats(keys []uint32, codes []uint16) *bigramStats {
	size := 1024
	for size < 2*len(keys) {
		size <<= 1
	}
	s := &bigramStats{keys: make([]uint32, size), codes: make([]uint16, size), mask: uint32(size - 1)}
	for i, k := range keys {
		for j := mix32(k) & s.mask; ; j = (j + 1) & s.mask {
			if s.keys[j] == 0 || s.keys[j] == k {
				s.keys[j], s.codes[j] = k, codes[i]
				break
			}
		}
	}
	return s
}

// code returns the code of the pair (0 when unseen or rare).
func (s *bigramStats) code(a, b uint64) uint16 {
	if s == nil || len(s.keys) == 0 {
		return 0
	}
	k := pairKey(a, b)
	for j := mix32(k) & s.mask; ; j = (j + 1) & s.mask {
		switch s.keys[j] {
		case k:
			return s.codes[j]
		case 0:
			return 0
		}
	}
}

// minPairCount is how often a pair must occur to be kept.
const minPairCount = 5

// minNameCount is how often a run of capitalized syllables must occur to
// be kept as a name.
const minNameCount = 2

// countBigrams counts the syllables and syllable pairs of unlabelled texts
// (each normalized, tokenized, cut at anything but syllables; repeated
// texts counted once) and returns the codes of the pairs seen at least
// minPairCount times, and the runs of two to four capitalized syllables
// (not counting a capital that starts a sentence) seen at least
// minNameCount times, in lower case.
func countBigrams(texts iter.Seq[string]) (keys []uint32, codes []uint16, names []string, syllables int) {
	uni := map[uint64]uint32{}
	type pair struct{ a, b uint64 }
	bi := map[pair]uint32{}
	seen := map[uint64]bool{}
	nameCount := map[string]int{}
	var toks []Token
	for text := range texts {
		th := hashLowerRunes([]byte(text))
		if seen[th] {
			continue
		}
		seen[th] = true
		text = Normalize(text)
		toks = AppendTokens(toks[:0], text)
		countNames(nameCount, text, toks)
		prev := uint64(0)
		for i, t := range toks {
			if t.Kind != Syllable || (i > 0 && lineBreak(text, toks[i-1].End, t.Start)) {
				prev = 0
				if t.Kind != Syllable {
					continue
				}
			}
			h := hashSyllable(t.Text)
			uni[h]++
			syllables++
			if prev != 0 {
				bi[pair{prev, h}]++
			}
			prev = h
		}
	}
	n := float64(syllables)
	byKey := map[uint32]uint16{}
	for p, c := range bi {
		if c < minPairCount {
			continue
		}
		ca, cb := float64(uni[p.a]), float64(uni[p.b])
		pmi := math.Log2(float64(c) * n / (ca * cb))
		code := uint16(bucket(pmi, -2, 2, 7)) | uint16(bucket(math.Log2(float64(c)), 2, 2, 7))<<3 |
			uint16(bucket(float64(c)/ca, 0, 0.2, 3))<<6 | uint16(bucket(float64(c)/cb, 0, 0.2, 3))<<8 | 1<<10
		// Two pairs may hash to one key; keep the larger code, so that the
		// result does not depend on the order of the map.
		k := pairKey(p.a, p.b)
		if old, ok := byKey[k]; !ok || code > old {
			byKey[k] = code
		}
	}
	keys = make([]uint32, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	codes = make([]uint16, len(keys))
	for i, k := range keys {
		codes[i] = byKey[k]
	}
	for name, c := range nameCount {
		if c >= minNameCount {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return keys, codes, names, syllables
}

// countNames counts the runs of capitalized syllables of a tokenized text.
func countNames(count map[string]int, text string, toks []Token) {
	sentenceStart := true
	for i := 0; i < len(toks); {
		t := toks[i]
		if t.Kind != Syllable || shapeOf(t.Text) != shapeTitle {
			switch {
			case t.Kind == Punct && strings.ContainsAny(t.Text, ".!?:…"):
				sentenceStart = true
			case t.Kind != Punct:
				sentenceStart = false
			}
			i++
			continue
		}
		j := i + 1
		for j < len(toks) && toks[j].Kind == Syllable && shapeOf(toks[j].Text) == shapeTitle && !lineBreak(text, toks[j-1].End, toks[j].Start) {
			j++
		}
		first := i
		if sentenceStart {
			first++
		}
		if n := j - first; n >= 2 && n <= 4 {
			count[strings.ToLower(text[toks[first].Start:toks[j-1].End])]++
		}
		sentenceStart = false
		i = j
	}
}

// bucket maps x to 0..top in steps of width from lo.
func bucket(x, lo, width float64, top int) int {
	b := int(math.Floor((x - lo) / width))
	return max(0, min(top, b))
}

// textLines yields the non-empty lines of s (for tests and small corpora).
func textLines(s string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for line := range strings.Lines(s) {
			if strings.TrimSpace(line) != "" && !yield(line) {
				return
			}
		}
	}
}
