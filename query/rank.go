package query

// Ranking is the definition of relevance every backend shares: the index
// columns of a Document, the BM25 weight of each column, and how the
// optional Boost terms of an And add to the score. The SQLite store hands
// the weights to FTS5's bm25(); other backends compute the same BM25.
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
