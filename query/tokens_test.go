package query

import (
	"reflect"
	"testing"
)

func TestIndexTokens(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"empty", "", nil},
		{"spaces", "hà nội  thủ đô", []string{"hà", "nội", "thủ", "đô"}},
		{"ascii upper case folds", "TP HCM", []string{"tp", "hcm"}},
		{"non-ASCII upper case stays", "HÀ", []string{"hÀ"}},
		{"punctuation splits", "covid-19,2020", []string{"covid", "19", "2020"}},
		{"underscore joins", "hà_nội chủ_tịch", []string{"hà_nội", "chủ_tịch"}},
		{"quote splits", "o'neil", []string{"o", "neil"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IndexTokens(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("IndexTokens(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDistinctTokens(t *testing.T) {
	d := &Document{Title: "Hà Nội hà", TitleFolded: "ha noi ha", Body: "hà nội_mới", Author: "HÀ ha"}
	got := d.DistinctTokens()
	want := []string{"hà", "nội", "ha", "noi", "nội_mới", "hÀ"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DistinctTokens = %q, want %q", got, want)
	}
}

func TestFoldedTokens(t *testing.T) {
	d := &Document{Title: "Hà Nội", TitleFolded: "ha noi ha", Body: "bão về", BodyFolded: "bao ve noi",
		Words: "hà_nội", WordsFolded: "ha_noi", Author: "lan", Source: "vnexpress", Section: "thoi su"}
	got := d.FoldedTokens()
	want := []string{"ha", "noi", "bao", "ve", "ha_noi"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FoldedTokens = %q, want %q", got, want)
	}
}
