package query

import (
	"slices"
	"testing"

	"github.com/diembao/diembao"
)

func TestCursor(t *testing.T) {
	for _, order := range []diembao.Sort{diembao.SortRelevance, diembao.SortNewest, diembao.SortOldest} {
		t.Run(string(order), func(t *testing.T) {
			c := Cursor{Score: -12.345678901234567, Key: 1580000000, ID: 42}
			got, err := DecodeCursor(c.Encode(order), order)
			if err != nil {
				t.Fatal(err)
			}
			if order == diembao.SortRelevance {
				c.Key = 0
			} else {
				c.Score = 0
			}
			if *got != c {
				t.Errorf("cursor round trip = %+v, want %+v", *got, c)
			}
		})
	}
	for _, bad := range []string{"!!", "cjox", Cursor{ID: 1}.Encode(diembao.SortNewest)} {
		if _, err := DecodeCursor(bad, diembao.SortRelevance); diembao.ErrorCode(err) != diembao.EINVALID {
			t.Errorf("DecodeCursor(%q) = %v, want EINVALID", bad, err)
		}
	}
}

func TestScorePage(t *testing.T) {
	hits := func() []Cursor {
		return []Cursor{{ID: 4, Score: -1}, {ID: 2, Score: -3}, {ID: 3, Score: -1}, {ID: 1, Score: -2}, {ID: 5, Score: -1}}
	}
	ids := func(cs []Cursor) []int64 {
		var out []int64
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	tests := []struct {
		name string
		cur  *Cursor
		n    int
		want []int64
		more bool
	}{
		{"first page", nil, 2, []int64{2, 1}, true},
		{"everything", nil, 10, []int64{2, 1, 3, 4, 5}, false},
		{"after a score", &Cursor{ID: 1, Score: -2}, 2, []int64{3, 4}, true},
		{"within equal scores", &Cursor{ID: 3, Score: -1}, 5, []int64{4, 5}, false},
		{"after the last", &Cursor{ID: 5, Score: -1}, 5, nil, false},
		{"a cursor between hits", &Cursor{ID: 9, Score: -2.5}, 1, []int64{1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, more := ScorePage(hits(), tt.cur, tt.n)
			if got := ids(page); !slices.Equal(got, tt.want) || more != tt.more {
				t.Errorf("page %v (more %v), want %v (%v)", got, more, tt.want, tt.more)
			}
		})
	}
}
