package query

import (
	"cmp"
	"slices"
	"time"

	"github.com/diembao/diembao"
)

// MaxFacetValues is how many values a facet lists.
const MaxFacetValues = 20

// TopFacet orders the counts of one facet as every store lists them: days
// newest first, sources and sections by count then value; empty values are
// left out, and at most MaxFacetValues are kept. It keeps the best values
// as it goes instead of sorting them all: the day facet of a search over
// ten years holds thousands.
func TopFacet(name string, counts map[string]int) []diembao.FacetCount {
	before := func(a, b diembao.FacetCount) int { // < 0: a is listed first
		if name == "day" {
			return cmp.Compare(b.Value, a.Value)
		}
		if a.Count != b.Count {
			return cmp.Compare(b.Count, a.Count)
		}
		return cmp.Compare(a.Value, b.Value)
	}
	out := make([]diembao.FacetCount, 0, min(len(counts), MaxFacetValues+1))
	for v, n := range counts {
		if v == "" || n <= 0 {
			continue
		}
		fc := diembao.FacetCount{Value: v, Count: n}
		if len(out) == MaxFacetValues && before(fc, out[len(out)-1]) >= 0 {
			continue
		}
		i, _ := slices.BinarySearchFunc(out, fc, before)
		out = slices.Insert(out, i, fc)
		if len(out) > MaxFacetValues {
			out = out[:MaxFacetValues]
		}
	}
	return out
}

// TopDays returns the day facet of the counts by day (days since
// 1970-01-01 of the dates the stores give the articles), as TopFacet
// orders it: only the days it lists are written as dates.
func TopDays(counts map[int64]int) []diembao.FacetCount {
	days := make([]int64, 0, len(counts))
	for d, n := range counts {
		if n > 0 {
			days = append(days, d)
		}
	}
	slices.Sort(days)
	days = days[max(0, len(days)-MaxFacetValues):]
	named := make(map[string]int, len(days))
	for _, d := range days {
		named[DayValue(d)] += counts[d]
	}
	return TopFacet("day", named)
}

// DayValue returns the value of the day facet for a day (days since
// 1970-01-01): its date, as 2006-01-02.
func DayValue(day int64) string {
	return time.Unix(day*86400, 0).UTC().Format(time.DateOnly)
}
