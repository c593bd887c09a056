package extract

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestHostileInput checks that hostile pages are extracted, or refused,
// without running away: deep nesting, a huge page, truncated markup, and
// elements that never close.
func TestHostileInput(t *testing.T) {
	para := "<p>Người dân các xã ven sông đã chủ động gia cố nhà cửa, chuẩn bị lương thực và phương tiện trước mùa lũ năm nay.</p>\n"
	huge := strings.Repeat("<div class=\"box\">"+strings.Repeat(para, 10)+"</div>", 20<<20/(len(para)*10))
	tests := []struct {
		name     string
		page     string
		wantText string // the body must hold it; "" when anything goes
	}{
		{"100000 nested divs", strings.Repeat("<div>", 100000) + para + strings.Repeat("</div>", 100000), "Người dân các xã"},
		{"100000 unclosed divs", "<html><body>" + strings.Repeat("<div>", 100000) + para, "Người dân các xã"},
		{"20 MB page", "<html><body><h1>Tiêu đề</h1>" + huge + "</body></html>", "Người dân các xã"},
		{"truncated", "<html><body><h1>Tiêu đề</h1>" + para + "<p>Câu cuối bị cắt ngang giữa chừng và không có thẻ đóng", "Người dân các xã"},
		{"unclosed svg", "<html><body><svg><path d=\"M0\">" + para, ""},
		{"self-closing title in svg", "<svg><title/></svg>" + para, "Người dân các xã"},
		{"unclosed comment", "<p>" + para + "<!-- never closed " + para, "Người dân các xã"},
		{"100000 attributes", "<div " + strings.Repeat("a=b ", 100000) + ">" + para + "</div>", "Người dân các xã"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := Article([]byte(tt.page), "https://example.vn/a", time.Time{}, nil)
			if a == nil {
				t.Fatal("nil article")
			}
			if tt.wantText != "" && !strings.Contains(a.Text(), tt.wantText) {
				t.Errorf("text %.200q, want it to hold %q", a.Text(), tt.wantText)
			}
		})
	}
}

// TestParseDepthBound checks that the tree never grows deeper than maxDepth.
func TestParseDepthBound(t *testing.T) {
	page := bytes.Repeat([]byte("<div><span>"), 50000)
	root, _ := parse(page)
	depth, deepest := 0, 0
	var visit func(n *node, d int)
	visit = func(n *node, d int) {
		if d > deepest {
			deepest = d
		}
		for _, c := range n.children {
			visit(c, d+1)
		}
	}
	visit(root, depth)
	if deepest > maxDepth+1 {
		t.Errorf("tree depth %d, want at most %d", deepest, maxDepth+1)
	}
}
