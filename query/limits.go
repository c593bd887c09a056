package query

// Limits bounds the work of one search on a large archive. Every backend
// applies them the same way, so that both stores still give the same
// answers.
type Limits struct {
	// Window is how many matching articles relevance order ranks. When
	// more articles match (after every filter), the Window matching
	// articles stored last — the highest IDs, the newest in a news archive
	// — are ranked and the older matches are not part of the relevance
	// order; date orders, the total and facets still see every match.
	// Zero ranks every match.
	Window int
	// Count is how far a search without facets counts its matches: when
	// more articles match, the result's Total is Count and its
	// TotalLowerBound is set. A search with facets counts every match.
	// Zero counts every match.
	Count int
}

// DefaultLimits returns the limits of diembao's stores: relevance ranks
// the newest 5,000 matches, and totals are exact up to 10,000 (where
// Elasticsearch stops counting by default, track_total_hits): past that a
// result says "more than 10,000", which is all a reader needs of a list,
// and counting the matches of common words costs more than finding them.
func DefaultLimits() Limits { return Limits{Window: 5000, Count: 10000} }

// Total returns what a result reports for n matching articles: n, or
// Count with lowerBound set when the search has no facets and n exceeds
// Count.
func (l Limits) Total(n int, facets bool) (total int, lowerBound bool) {
	if !facets && l.Count > 0 && n > l.Count {
		return l.Count, true
	}
	return n, false
}

// Ranked returns what a result in relevance order reports as ranked for
// total matching articles: Window when more articles match than the window
// holds, or 0 when every match was ranked.
func (l Limits) Ranked(total int) int {
	if l.Window > 0 && total > l.Window {
		return l.Window
	}
	return 0
}
