package query

import (
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
