package viet

import (
	"strings"
)

// lexicon is a set of multi-syllable words, kept as hashes of their
// syllable sequences, each with flags telling where it comes from.
type lexicon struct {
	keys  []uint64 // open addressing, 0 = empty
	flags []uint8
	mask  uint64
	n     int
}

// Sources of lexicon words.
const (
	fromVocab   = 1 // the embedded VnVocab list
	fromTrained = 2 // the words of the training data
	// fromSplit marks a pair of syllables the training data shows side by
	// side in two different words; it is not a word.
	fromSplit = 4
	// fromNames marks a run of capitalized syllables frequent in
	// unlabelled text (names of people, places, organisations).
	fromNames = 8
	// fromPrefix marks the proper prefixes (of two syllables or more) of
	// the words and names, so that a lookup can stop early.
	fromPrefix = 16
	// fromWords are the sources of words.
	fromWords = fromVocab | fromTrained
)

func newLexicon(capacity int) *lexicon {
	size := 1024
	for size < 2*capacity {
		size <<= 1
	}
	return &lexicon{keys: make([]uint64, size), flags: make([]uint8, size), mask: uint64(size - 1)}
}

// addHash adds a sequence hash with the given source flags.
func (l *lexicon) addHash(h uint64, flags uint8) {
	if h == 0 {
		h = 1
	}
	if 2*(l.n+1) > len(l.keys) {
		oldKeys, oldFlags := l.keys, l.flags
		l.keys = make([]uint64, 2*len(oldKeys))
		l.flags = make([]uint8, 2*len(oldKeys))
		l.mask = uint64(len(l.keys) - 1)
		l.n = 0
		for i, k := range oldKeys {
			if k != 0 {
				l.addHash(k, oldFlags[i])
			}
		}
	}
	for i := h & l.mask; ; i = (i + 1) & l.mask {
		switch l.keys[i] {
		case h:
			l.flags[i] |= flags
			return
		case 0:
			l.keys[i] = h
			l.flags[i] = flags
			l.n++
			return
		}
	}
}

// get returns the source flags of the sequence hash h (0 when absent).
func (l *lexicon) get(h uint64) uint8 {
	if h == 0 {
		h = 1
	}
	for i := h & l.mask; ; i = (i + 1) & l.mask {
		switch l.keys[i] {
		case h:
			return l.flags[i]
		case 0:
			return 0
		}
	}
}

// has reports whether the sequence hash h is in the lexicon.
func (l *lexicon) has(h uint64) bool { return l.get(h) != 0 }

// addWord adds a word written with spaces between its syllables; words of
// one syllable or more than maxWordLen syllables are ignored.
func (l *lexicon) addWord(word string, flags uint8) {
	h, n := uint64(seqStart), 0
	fields := strings.Fields(word)
	if len(fields) < 2 || len(fields) > maxWordLen {
		return
	}
	for _, syl := range fields {
		if n >= 2 && flags&(fromWords|fromNames) != 0 {
			l.addHash(h, fromPrefix)
		}
		h = seqNext(h, hashSyllable(syl))
		n++
	}
	l.addHash(h, flags)
}

// addWords adds one word a line.
func (l *lexicon) addWords(text string, flags uint8) {
	for line := range strings.Lines(text) {
		l.addWord(line, flags)
	}
}

// weightTable maps feature keys to weights (open addressing, key 0 empty).
type weightTable struct {
	slots []weightSlot
	mask  uint32
}

type weightSlot struct {
	key uint32
	w   float32
}

func newWeightTable(keys []uint32, ws []float32) weightTable {
	size := 1024
	for size < 2*len(keys) {
		size <<= 1
	}
	t := weightTable{slots: make([]weightSlot, size), mask: uint32(size - 1)}
	for i, k := range keys {
		for j := mix32(k) & t.mask; ; j = (j + 1) & t.mask {
			if t.slots[j].key == 0 || t.slots[j].key == k {
				t.slots[j] = weightSlot{k, ws[i]}
				break
			}
		}
	}
	return t
}

func mix32(k uint32) uint32 {
	k ^= k >> 16
	k *= 0x7feb352d
	k ^= k >> 15
	return k
}

// get returns the weight of key (0 when absent).
func (t *weightTable) get(key uint32) float32 {
	if len(t.slots) == 0 {
		return 0
	}
	for j := mix32(key) & t.mask; ; j = (j + 1) & t.mask {
		s := t.slots[j]
		if s.key == key {
			return s.w
		}
		if s.key == 0 {
			return 0
		}
	}
}

// Feature templates.
const (
	fBias = iota
	fW0
	fW1
	fW0W1
	fWm1W0
	fW1W2
	fWm1W0W1
	fW0W1W2
	fWm1W1
	fShape01
	fShape4
	fLex
	fLexW0W1
	fMatch
	fPrev
	fPrevShape
	fPrevLex
	fWordLen
	fValid
	fW0S1
	fS0W1
	fPairW0
	fPairW1
	fStats
	fStatsShape
	fStatsLex
	fStatsPrev
	fSource
	fSourceShape
	fSourceW0W1
	fCapSpan
	fCurLen
	fPairCtx
	numFeatures
)

// syllable hashes standing for the places before and after a run.
const (
	hashBOS = 0x1b873593
	hashEOS = 0xcc9e2d51
)

func (sc *segScratch) hashAt(k int) uint64 {
	switch {
	case k < 0:
		return hashBOS
	case k >= len(sc.hash):
		return hashEOS
	}
	return sc.hash[k]
}

func (sc *segScratch) pairAt(k int) uint64 {
	if k < 0 || k >= len(sc.pair)-1 {
		return 0xffff
	}
	return uint64(sc.pair[k])
}

// pairSrcAt returns the lexicon sources of the pair of syllables k, k+1.
func (sc *segScratch) pairSrcAt(k int) uint64 {
	if k < 0 || k >= len(sc.pairSrc)-1 {
		return 0xff
	}
	return uint64(sc.pairSrc[k])
}

func (sc *segScratch) validAt(k int) uint64 {
	if k < 0 || k >= len(sc.valid) {
		return 2
	}
	if sc.valid[k] {
		return 1
	}
	return 0
}

func (sc *segScratch) shapeAt(k int) uint64 {
	if k < 0 || k >= len(sc.shape) {
		return shapeBoundary
	}
	return uint64(sc.shape[k])
}

// feat hashes a template and its values to a non-zero key.
func feat(tpl int, a, b, c uint64) uint32 {
	x := mix64(uint64(tpl+1)*0x9e3779b97f4a7c15 ^ a ^ (b*0xc2b2ae3d27d4eb4f + c*0x165667b19e3779f9 + (b>>29)*0x27d4eb2f165667c5))
	k := uint32(x >> 32)
	if k == 0 {
		k = 1
	}
	return k
}

// features fills f with the feature keys of the space between syllables k
// and k+1, given the number of syllables cur of the word that syllable k
// ends so far (1 when the previous space was a word boundary).
func (sc *segScratch) features(k, cur int, f *[numFeatures]uint32) {
	w0, w1 := sc.hashAt(k), sc.hashAt(k+1)
	wm1, w2 := sc.hashAt(k-1), sc.hashAt(k+2)
	s0, s1 := sc.shapeAt(k), sc.shapeAt(k+1)
	sm1, s2 := sc.shapeAt(k-1), sc.shapeAt(k+2)
	// Lexicon: the longest word covering the space, the longest word ending
	// at k and starting at k+1, and whether the pair is a word.
	cover := 0
	for st := max(0, k-maxWordLen+2); st <= k; st++ {
		m := sc.startMask[st] >> uint(k+2-st)
		if m != 0 {
			if l := longestBit(sc.startMask[st]); l > cover {
				cover = l
			}
		}
	}
	pair := uint64(sc.startMask[k]>>2) & 1
	srcPair := uint64(sc.pairSrc[k])
	srcCover := uint64(sc.coverSrc[k])
	endLen := uint64(sc.endMax[k])
	startLen := uint64(longestBit(sc.startMask[k+1]))
	lex := uint64(cover) | pair<<4 | endLen<<8 | startLen<<12
	var match uint64
	if sc.fmm[k] {
		match |= 1
	}
	if sc.bmm[k] {
		match |= 2
	}
	var p uint64
	if cur > 1 {
		p = 1
	}
	f[fBias] = feat(fBias, 0, 0, 0)
	f[fW0] = feat(fW0, w0, 0, 0)
	f[fW1] = feat(fW1, w1, 0, 0)
	f[fW0W1] = feat(fW0W1, w0, w1, 0)
	f[fWm1W0] = feat(fWm1W0, wm1, w0, 0)
	f[fW1W2] = feat(fW1W2, w1, w2, 0)
	f[fWm1W0W1] = feat(fWm1W0W1, wm1, w0, w1)
	f[fW0W1W2] = feat(fW0W1W2, w0, w1, w2)
	f[fWm1W1] = feat(fWm1W1, wm1, w1, 0)
	f[fShape01] = feat(fShape01, s0, s1, 0)
	f[fShape4] = feat(fShape4, sm1|s0<<4|s1<<8|s2<<12, 0, 0)
	f[fLex] = feat(fLex, lex, 0, 0)
	f[fLexW0W1] = feat(fLexW0W1, w0, w1, pair|match<<1)
	f[fMatch] = feat(fMatch, match, s0|s1<<4, 0)
	f[fPrev] = feat(fPrev, p, 0, 0)
	f[fPrevShape] = feat(fPrevShape, p, s0|s1<<4, 0)
	f[fPrevLex] = feat(fPrevLex, p, lex, 0)
	f[fWordLen] = feat(fWordLen, p, uint64(min(cover, 4)), pair)
	v0, v1 := sc.validAt(k), sc.validAt(k+1)
	f[fValid] = feat(fValid, v0|v1<<1, s0|s1<<4, 0)
	f[fW0S1] = feat(fW0S1, w0, s1, 0)
	f[fS0W1] = feat(fS0W1, w1, s0, 0)
	f[fPairW0] = feat(fPairW0, w0, pair|match<<1, 0)
	f[fPairW1] = feat(fPairW1, w1, pair|match<<1, 0)
	code := uint64(sc.pair[k])
	f[fStats] = feat(fStats, code, 0, 0)
	f[fStatsShape] = feat(fStatsShape, code&0x3f, s0|s1<<4, 0)
	f[fStatsLex] = feat(fStatsLex, code&0x3f, lex, match)
	f[fStatsPrev] = feat(fStatsPrev, code&0x7, p, sc.pairAt(k-1)&0x7)
	// The run of capitalized syllables around the space: its length and
	// the place of the space in it ("Lý Bỉnh Sâm", "Sea Games").
	var capSpan uint64
	if s0 == shapeTitle && s1 == shapeTitle {
		a, b := k, k+1
		for a > 0 && sc.shape[a-1] == shapeTitle {
			a--
		}
		for b+1 < len(sc.shape) && sc.shape[b+1] == shapeTitle {
			b++
		}
		capSpan = uint64(min(b-a+1, 6)) | uint64(min(k-a, 4))<<4 | (v0|v1<<2)<<8
	}
	f[fCapSpan] = feat(fCapSpan, capSpan, p, srcCover&fromNames)
	f[fCurLen] = feat(fCurLen, uint64(min(cur, 4)), uint64(cover), pair|srcPair<<1)
	f[fPairCtx] = feat(fPairCtx, sc.pairSrcAt(k-1), srcPair, sc.pairSrcAt(k+1))
	f[fSource] = feat(fSource, srcPair, srcCover, 0)
	f[fSourceShape] = feat(fSourceShape, srcPair, srcCover, s0|s1<<4)
	f[fSourceW0W1] = feat(fSourceW0W1, w0, w1, srcPair|srcCover<<4)
}
