package query

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"

	"github.com/diembao/diembao"
)

// sortedFacet is TopFacet by sorting every value, as it was written first.
func sortedFacet(name string, counts map[string]int) []diembao.FacetCount {
	out := []diembao.FacetCount{}
	for v, n := range counts {
		if v != "" && n > 0 {
			out = append(out, diembao.FacetCount{Value: v, Count: n})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if name == "day" {
			return out[i].Value > out[j].Value
		}
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	return out[:min(len(out), MaxFacetValues)]
}

func TestTopFacet(t *testing.T) {
	tests := []struct {
		name   string
		facet  string
		counts map[string]int
		want   []diembao.FacetCount
	}{
		{"empty", "source", map[string]int{}, []diembao.FacetCount{}},
		{"empty value and zero left out", "source", map[string]int{"": 5, "a": 0, "b": 2}, []diembao.FacetCount{{Value: "b", Count: 2}}},
		{"count then value", "section", map[string]int{"c": 1, "b": 3, "a": 1},
			[]diembao.FacetCount{{Value: "b", Count: 3}, {Value: "a", Count: 1}, {Value: "c", Count: 1}}},
		{"days newest first", "day", map[string]int{"2024-01-02": 1, "2025-03-01": 1, "2024-12-31": 9},
			[]diembao.FacetCount{{Value: "2025-03-01", Count: 1}, {Value: "2024-12-31", Count: 9}, {Value: "2024-01-02", Count: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TopFacet(tt.facet, tt.counts); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("TopFacet = %v, want %v", got, tt.want)
			}
		})
	}
	// Many values, with ties on counts: the values kept as they come are
	// those of sorting them all.
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{5, 20, 21, 300, 4000} {
		for _, facet := range []string{"source", "day"} {
			counts := map[string]int{}
			for i := range n {
				counts[fmt.Sprintf("v%05d", r.IntN(10*n))] = r.IntN(5) + i%2
			}
			if got, want := TopFacet(facet, counts), sortedFacet(facet, counts); !reflect.DeepEqual(got, want) {
				t.Errorf("%s of %d values: TopFacet = %v, want %v", facet, n, got, want)
			}
		}
	}
}

func TestTopDays(t *testing.T) {
	counts := map[int64]int{}
	named := map[string]int{}
	for d := int64(-40); d < 20000; d += 7 {
		counts[d] = int((d%5+5)%5) + 1
		if d%3 == 0 {
			counts[d] = 0
		}
		named[DayValue(d)] = counts[d]
	}
	if got, want := TopDays(counts), TopFacet("day", named); !reflect.DeepEqual(got, want) || len(got) != MaxFacetValues {
		t.Errorf("TopDays = %v, want %v", got, want)
	}
	if got := DayValue(19723); got != "2024-01-01" {
		t.Errorf("DayValue(19723) = %q, want 2024-01-01", got)
	}
}
