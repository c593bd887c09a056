package extract

import (
	"strings"
	"testing"

	"golang.org/x/net/html/atom"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, page string
		text       string // text that must be in a <p> of the tree
	}{
		{"plain", "<html><body><p>Xin chào</p></body></html>", "Xin chào"},
		{"missing head end", "<html><head><title>t</title><div><p>Nội dung trang</p></div>", "Nội dung trang"},
		{"self-closing title in svg", "<svg><title/><path d='M0'/></svg><p>Sau hình</p>", "Sau hình"},
		{"unclosed button", "<div><button>Chia sẻ</div><p>Sau nút</p>", "Sau nút"},
		{"implicit p end", "<p>Một<p>Hai", "Hai"},
		{"entities", "<p>Tôm &amp; cua &#7843;</p>", "Tôm & cua ả"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, _ := parse([]byte(tt.page))
			found := false
			walk(root, func(n *node) bool {
				if n.tag == atom.P && strings.Contains(textOf(n), tt.text) && !hasAncestor(n, func(p *node) bool { return p.tag == atom.Head }) {
					found = true
				}
				return !found
			})
			if !found {
				t.Errorf("no <p> outside <head> holds %q", tt.text)
			}
		})
	}
}

func TestNegativeness(t *testing.T) {
	tests := []struct {
		cid  string
		want int
	}{
		{"box-tinlienquan", 2}, {"tt_tinchitiet_tinlienquan", 2}, {"comment-list", 2},
		{"full news subjective commentary article", 0}, {"sidebar-1", 1}, {"elementor-widget-text-editor", 1},
		{"fck_detail", 0}, {"singular-content", 0}, {"entry-crumbs", 2}, {"", 0},
	}
	for _, tt := range tests {
		t.Run(tt.cid, func(t *testing.T) {
			if got := negativeness(tt.cid); got != tt.want {
				t.Errorf("negativeness(%q) = %d, want %d", tt.cid, got, tt.want)
			}
		})
	}
}
