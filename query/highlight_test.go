package query

import (
	"reflect"
	"testing"
)

// unfiltered returns a copy of h that looks at every run of text whole.
func unfiltered(h *Highlighter) *Highlighter {
	u := *h
	for i := range u.first {
		u.first[i] = true
	}
	return &u
}

var highlightTexts = []string{
	"Hội đồng nhân dân thành phố Hà Nội họp phiên bất thường.",
	"HỘI ĐỒNG NHÂN DÂN TP. HÀ NỘI, ngày 13/01/2020",
	"Ha\u0300 No\u0323\u0302i và ho\u0300a bình; hòa giải, hoà giải",
	"Đà Nẵng, đà nẵng, DA NANG, Dà Nẵng",
	"\u0301ha noi bắt đầu bằng một dấu rời",
	"Khoẻ, khỏe, thuỷ, thủy — quý, giá",
	"UBND tỉnh Quảng Nam; Ủy ban nhân dân; ủy ban",
	"chuyển đổi số, chuyển giao, chuyên môn 2020 2021",
	"e-mail: ha.noi@example.vn https://hanoi.example.vn/tin-tuc, email",
	"",
}

// TestHighlighterFirstLetter checks that skipping the runs whose first
// letter cannot begin a query word finds the same spans and snippets as
// looking at every run.
func TestHighlighterFirstLetter(t *testing.T) {
	a := DefaultAnalyzer()
	for _, q := range []string{"hà nội", "HỘI ĐỒNG nhân dân", "hòa", "hoà giải", "đà nẵng", "khỏe thủy", "ủy ban",
		"UBND", "chuyển*", "2020", "em*", "ha noi", `"nhân dân" -bất`, "quý OR giá"} {
		n, err := Parse(q, testNow)
		if err != nil {
			t.Fatal(q, err)
		}
		p, err := a.Prepare(n, Options{})
		if err != nil {
			t.Fatal(q, err)
		}
		h := NewHighlighter(p)
		ref := unfiltered(h)
		found := 0
		for _, text := range highlightTexts {
			got, want := h.Spans(text), ref.Spans(text)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%q in %q: spans %v, looking at every run %v", q, text, got, want)
			}
			found += len(want)
			gs, gsp := h.Snippet(text, 60)
			ws, wsp := ref.Snippet(text, 60)
			if gs != ws || !reflect.DeepEqual(gsp, wsp) {
				t.Errorf("%q in %q: snippet %q %v, looking at every run %q %v", q, text, gs, gsp, ws, wsp)
			}
		}
		if found == 0 {
			t.Errorf("%q: no span in any text", q)
		}
	}
}

// FuzzHighlighterFirstLetter checks the same on any text.
func FuzzHighlighterFirstLetter(f *testing.F) {
	for _, text := range highlightTexts {
		f.Add(text)
	}
	a := DefaultAnalyzer()
	var hs []*Highlighter
	for _, q := range []string{"hà nội", "đà nẵng hòa", "chuyển* ủy", "em*", "2020"} {
		n, err := Parse(q, testNow)
		if err != nil {
			f.Fatal(err)
		}
		p, err := a.Prepare(n, Options{})
		if err != nil {
			f.Fatal(err)
		}
		hs = append(hs, NewHighlighter(p))
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, h := range hs {
			if got, want := h.Spans(text), unfiltered(h).Spans(text); !reflect.DeepEqual(got, want) {
				t.Errorf("%q: spans %v, looking at every run %v", text, got, want)
			}
		}
	})
}
