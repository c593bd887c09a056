package sqlite

import (
	"math"
	"slices"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/idset"
	"github.com/diembao/diembao/query"
)

// A date order wants the matches with the best publication times, which
// their IDs do not give: an archive is stored in about the order its
// articles are published, but not quite (articles found late, older
// archives imported). A search in date order therefore reads the archive
// block by block (blockBits), in the order of the best time each block may
// hold (attrs.latest and attrs.earliest), and stops once no block left can
// change the answer: the page is full and no block left may place an
// article on it, and the total is past the count limit (see query.Limits).
// On an archive stored in publication order the newest matches come from
// its last blocks; on one whose IDs say nothing of the dates every block is
// read, as a single pass would. Facets count every match, so a faceted
// search reads every block.

// blockBits is the base-2 logarithm of the number of IDs of a block: those
// of one group of the token sets (see groupBits), which the sets read in
// one statement per token.
const blockBits = idset.ChunkBits + groupBits

// dateBlock is a block of IDs, lo to hi (clipped to the span of a search),
// with the best place an article of it may have in a date order.
type dateBlock struct {
	lo, hi int64
	best   query.Cursor
}

// unknownKey is the key of an article without a publication time in a
// date order: last, newest or oldest first (coalesce(published, …) in SQL).
func unknownKey(newest bool) int64 {
	if newest {
		return math.MinInt64 + 1
	}
	return math.MaxInt64
}

// dateBlocks returns the blocks of the IDs of span in the order a date order
// reads them, best first. The caller holds a.mu.
func (a *attrs) dateBlocks(span idSpan, newest bool) []dateBlock {
	if span.lo > span.hi {
		return nil
	}
	var out []dateBlock
	for b := span.lo >> blockBits; b <= span.hi>>blockBits; b++ {
		blk := dateBlock{lo: max(b<<blockBits, span.lo), hi: min((b+1)<<blockBits-1, span.hi)}
		// An article of the block comes at best with the block's best
		// time and, on equal times, its largest ID (newest first) or
		// smallest (oldest first).
		blk.best = query.Cursor{Key: unknownKey(newest), ID: blk.hi}
		if !newest {
			blk.best.ID = blk.lo
		}
		if b < int64(len(a.latest)) {
			switch {
			case newest && a.latest[b] != noTime:
				blk.best.Key = a.latest[b]
			case !newest && a.earliest[b] != math.MaxInt64:
				blk.best.Key = a.earliest[b]
			}
		}
		out = append(out, blk)
	}
	slices.SortFunc(out, func(x, y dateBlock) int {
		switch {
		case keyAfter(y.best, x.best, newest):
			return -1
		case keyAfter(x.best, y.best, newest):
			return 1
		}
		return 0
	})
	return out
}

// walk reads blocks in their order with read(lo, hi), which visits the
// matches of IDs lo to hi with s, until the blocks left cannot change the
// answer: s's page is full and no block left may place an article on it,
// and the total is past count. With every set (facets, or no count limit),
// it reads every block. With merge, read gets runs of blocks adjacent in
// IDs, the first run one block and each next one up to twice as many blocks
// as the last: a walk through every block then takes a few reads, not one
// per block, and reads at most about twice the blocks it needs.
func (s *scan) walk(blocks []dateBlock, count int, every, merge bool, read func(lo, hi int64) error) error {
	newest := s.order == diembao.SortNewest
	run := 1 // blocks in the next run
	for i := 0; i < len(blocks); {
		b := blocks[i]
		if !every && count > 0 && s.total > count && len(s.top.c) >= s.limit &&
			(s.limit == 0 || keyAfter(b.best, s.top.c[0], newest)) {
			return nil
		}
		lo, hi, j := b.lo, b.hi, i+1
		for merge && j < len(blocks) && j-i < run {
			next := blocks[j]
			if next.hi+1 != lo && next.lo != hi+1 {
				break
			}
			lo, hi = min(lo, next.lo), max(hi, next.hi)
			j++
		}
		if err := read(lo, hi); err != nil {
			return err
		}
		i, run = j, 2*run
	}
	return nil
}
