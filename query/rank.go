package query

import (
	"math"
	"unicode"
	"unicode/utf8"
)

// Ranking is the definition of relevance every backend shares: the index
// columns of a Document, the BM25 weight of each column, and how the
// optional Boost terms of an And add to the score. Every store computes
// the same BM25 (see BM25 and PhraseIDF) with these weights.
type Ranking struct {
	// Columns names the indexed columns in the order of Document's fields.
	Columns [9]string
	// Weights weighs a match in each column: the title above the text, an
	// exact form above a folded one ("bản" is not drowned by "ban").
	Weights [9]float64
	// BoostWeights weighs the Boost terms (a run of words as a phrase, its
	// pairs of adjacent words, its segmented words): adjacency is evidence
	// wherever it occurs, so the text counts as much as the title.
	BoostWeights [9]float64
	// BoostFactor scales the Boost score before it is added to the score of
	// the match.
	BoostFactor float64
}

// DefaultRanking returns the ranking of diembao's stores.
func DefaultRanking() Ranking {
	return Ranking{
		Columns:      [9]string{"title", "title_f", "body", "body_f", "words", "words_f", "author", "source", "section"},
		Weights:      [9]float64{10, 4, 1, 0.4, 1.5, 0.6, 1, 1, 1},
		BoostWeights: [9]float64{4, 2, 4, 2, 2, 1, 1, 1, 1},
		BoostFactor:  4,
	}
}

// Values returns the column texts of d in the order of Ranking.Columns.
func (d *Document) Values() [9]string {
	return [9]string{d.Title, d.TitleFolded, d.Body, d.BodyFolded, d.Words, d.WordsFolded, d.Author, d.Source, d.Section}
}

// BM25 parameters (those of SQLite FTS5's bm25()).
const (
	BM25K1 = 1.2
	BM25B  = 0.75
)

// BM25 returns the score of an article length tokens long in a collection
// whose articles are avgdl tokens long on average, given the weighted
// frequency of each phrase of the query in the article (the column weights
// of its instances, summed) and each phrase's inverse document frequency.
// The score is negative and lower is better, as FTS5's bm25() returns it;
// the expression and its order of evaluation are those of bm25(), so that
// every store computes the same bits.
func BM25(freq, idf []float64, length, avgdl float64) float64 {
	score := 0.0
	for i, f := range freq {
		score += idf[i] * (f * (BM25K1 + 1.0) / (f + BM25K1*(1-BM25B+BM25B*length/avgdl)))
	}
	return -1.0 * score
}

// TokenIDF returns the inverse document frequency of a token found in df
// of rows articles: log((rows - df + 0.5) / (df + 0.5)), or 1e-6 when that
// is not positive (a token in more than half of the articles), as in FTS5.
func TokenIDF(rows, df int64) float64 {
	v := math.Log((float64(rows) - float64(df) + 0.5) / (float64(df) + 0.5))
	if v <= 0 {
		return 1e-6
	}
	return v
}

// PhraseIDF returns the inverse document frequency of a phrase: the sum of
// those of its tokens, each found in dfs[i] of rows articles (a token's
// document frequency counts the articles that hold it in any column; a
// prefix's is the largest of the tokens it begins, as Lucene weighs a
// group of synonyms, so that the stores read it from their token
// statistics instead of running the prefix over the index).
//
// This is how Lucene weighs a phrase, and it is what makes the statistics
// cheap: the stores keep the document frequency of every token as they
// write (FTS5 itself would count a phrase's articles by running it over the
// whole index in every statement).
func PhraseIDF(rows int64, dfs []int64) float64 {
	v := 0.0
	for _, df := range dfs {
		v += TokenIDF(rows, df)
	}
	return v
}

// Phrase is one phrase of a compiled full-text expression: its tokens, in
// order, and whether the last is a prefix.
type Phrase struct {
	Tokens []string
	Prefix bool
}

// TokenStats is what a store reads to weigh the phrases of a query: the
// document frequency of each distinct token, and for each distinct prefix
// the largest document frequency of the tokens it begins.
type TokenStats struct {
	Tokens, Prefixes []string
	// DF holds the frequencies read, by token; a prefix's count is keyed
	// by the prefix followed by "*", which no token holds.
	DF map[string]int64
}

// NewTokenStats lists the distinct tokens and prefixes of phrases, with
// frequencies of zero until the store sets them.
func NewTokenStats(phrases []Phrase) *TokenStats {
	s := &TokenStats{DF: map[string]int64{}}
	for _, ph := range phrases {
		for j, t := range ph.Tokens {
			k := ph.key(j)
			if _, ok := s.DF[k]; ok {
				continue
			}
			s.DF[k] = 0
			if k != t {
				s.Prefixes = append(s.Prefixes, t)
			} else {
				s.Tokens = append(s.Tokens, t)
			}
		}
	}
	return s
}

// SetPrefix sets the document frequency of prefix: the largest of the
// tokens it begins (see PrefixBounds).
func (s *TokenStats) SetPrefix(prefix string, n int64) { s.DF[prefix+"*"] = n }

// PrefixBounds returns the range of the tokens that prefix begins, in the
// order of their UTF-8 bytes: every such token t has lo <= t < hi. hi is
// prefix with its last character replaced by the next one, or "" when there
// is none (the last character is U+10FFFF, or prefix does not end in valid
// UTF-8, which the query parser never lets through): the range then has no
// upper end.
func PrefixBounds(prefix string) (lo, hi string) {
	r, size := utf8.DecodeLastRuneInString(prefix)
	if r == utf8.RuneError && size < 3 || r >= unicode.MaxRune {
		return prefix, ""
	}
	next := r + 1
	if next >= 0xD800 && next <= 0xDFFF { // surrogates are not characters
		next = 0xE000
	}
	return prefix, prefix[:len(prefix)-size] + string(next)
}

// PhraseDFs returns, for each phrase, the document frequencies of its
// tokens in order (see PhraseIDF).
func (s *TokenStats) PhraseDFs(phrases []Phrase) [][]int64 {
	out := make([][]int64, len(phrases))
	for i, ph := range phrases {
		out[i] = make([]int64, len(ph.Tokens))
		for j := range ph.Tokens {
			out[i][j] = s.DF[ph.key(j)]
		}
	}
	return out
}

// key returns the key of token j of ph in TokenStats.DF.
func (ph Phrase) key(j int) string {
	if ph.Prefix && j == len(ph.Tokens)-1 {
		return ph.Tokens[j] + "*"
	}
	return ph.Tokens[j]
}
