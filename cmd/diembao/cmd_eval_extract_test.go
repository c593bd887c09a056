package main

import (
	"math"
	"testing"
	"time"

	"github.com/diembao/diembao"
)

func TestShinglePR(t *testing.T) {
	tests := []struct {
		name, gold, pred string
		p, r             float64
	}{
		{"same", "một hai ba bốn năm", "Một, hai ba bốn năm!", 1, 1},
		{"both empty", "", "", 1, 1},
		{"nothing extracted", "một hai ba bốn năm", "", 0, 0},
		{"half extra", "a b c d e", "a b c d e x y z w v", 2.0 / 7, 1},
		{"short texts", "a b", "a b", 1, 1},
		{"repeats count", "a b c d a b c d", "a b c d", 1, 1.0 / 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, r := shinglePR(tt.gold, tt.pred)
			if math.Abs(p-tt.p) > 1e-9 || math.Abs(r-tt.r) > 1e-9 {
				t.Errorf("shinglePR = %.4f, %.4f; want %.4f, %.4f", p, r, tt.p, tt.r)
			}
		})
	}
}

func TestSapoOnce(t *testing.T) {
	const sapo = "Chiều 10/1, đoàn công tác đến thăm tỉnh."
	tests := []struct {
		name string
		pred string
		body []string
		want bool
	}{
		{"once in sapo", "(Dân trí) - " + sapo, []string{"Thân bài."}, true},
		{"repeated in body", sapo, []string{sapo, "Thân bài."}, false},
		{"only in body", "", []string{sapo, "Thân bài."}, true},
		{"missing", "Khác hẳn.", []string{"Thân bài."}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sapoOnce(sapo, tt.pred, tt.body); got != tt.want {
				t.Errorf("sapoOnce = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOutletOf(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Theo BBC", "BBC"}, {"Nguồn Báo Hà Nam", "Báo Hà Nam"}, {"Nguồn: Báo Nam Định", "Báo Nam Định"},
		{"(Chinhphu.vn)", "Chinhphu.vn"}, {"", ""}, {"Theodore News", "Theodore News"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := outletOf(tt.in); got != tt.want {
				t.Errorf("outletOf(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPublishedRight(t *testing.T) {
	gold := time.Date(2020, 1, 13, 8, 30, 0, 0, diembao.Vietnam)
	tests := []struct {
		name      string
		p         prediction
		precision string
		want      bool
	}{
		{"same minute other zone", prediction{published: gold.UTC()}, "minute", true},
		{"other minute", prediction{published: gold.Add(time.Minute)}, "minute", false},
		{"day only for minute", prediction{published: gold, dayOnly: true}, "minute", false},
		{"same day", prediction{published: time.Date(2020, 1, 13, 0, 0, 0, 0, diembao.Vietnam)}, "date", true},
		{"day only extractor", prediction{published: time.Date(2020, 1, 13, 0, 0, 0, 0, time.UTC), dayOnly: true}, "relative_lead", true},
		{"other day", prediction{published: gold.AddDate(0, 0, 1)}, "date", false},
		{"missing", prediction{}, "date", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := publishedRight(gold, tt.p, tt.precision); got != tt.want {
				t.Errorf("publishedRight = %v, want %v", got, tt.want)
			}
		})
	}
}
