package query

import (
	"testing"

	"github.com/diembao/diembao"
)

func TestContentHash(t *testing.T) {
	a := &diembao.Article{Title: "Hoà bình", Body: []diembao.Paragraph{{Text: "Thuỷ lợi"}}}
	b := &diembao.Article{Title: "Hòa bình", Body: []diembao.Paragraph{{Text: "Thủy lợi"}}}
	c := &diembao.Article{Title: "Hoà bình", Body: []diembao.Paragraph{{Text: "Thuỷ điện"}}}
	d := &diembao.Article{Title: "Hoà bình", Body: []diembao.Paragraph{{Text: "Thuỷ lợi"}}, Captions: []string{"Ảnh: PV"}}
	if ContentHash(a) != ContentHash(b) {
		t.Error("tone placement changes the content hash")
	}
	if ContentHash(a) == ContentHash(c) {
		t.Error("different text gives the same content hash")
	}
	if ContentHash(a) == ContentHash(d) {
		t.Error("a caption does not change the content hash")
	}
}

func TestValidateArticle(t *testing.T) {
	tests := []struct {
		name string
		a    diembao.Article
		ok   bool
	}{
		{"title only", diembao.Article{URL: "https://a.vn/1", Title: "Tin"}, true},
		{"text only", diembao.Article{URL: "https://a.vn/1", Body: []diembao.Paragraph{{Text: "Nội dung"}}}, true},
		{"no URL", diembao.Article{Title: "Tin"}, false},
		{"nothing", diembao.Article{URL: "https://a.vn/1", Title: "  "}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := ValidateArticle(&tt.a); (err == nil) != tt.ok {
				t.Fatalf("ValidateArticle = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
