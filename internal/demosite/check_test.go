package demosite

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao"
)

func TestMismatches(t *testing.T) {
	s := startSite(t)
	var seed Article
	for _, a := range s.Articles() {
		if a.Seed {
			seed = a
		}
		if m := a.Mismatches(&a.Article); m != nil {
			t.Errorf("%s: gold differs from itself: %q", a.URL, m)
		}
	}
	tests := []struct {
		name   string
		change func(g *diembao.Article)
		want   []string // prefixes of the expected lines
	}{
		{"identical but spacing", func(g *diembao.Article) { g.Title = "  " + strings.ReplaceAll(g.Title, " ", "\u00a0 ") }, nil},
		{"lead left in the body", func(g *diembao.Article) {
			g.Body = append([]diembao.Paragraph{{Text: g.Sapo}}, g.Body...)
		}, []string{"body: got 5 paragraphs", "body[0]:"}},
		{"boilerplate in the body", func(g *diembao.Article) {
			g.Body = append(slices.Clone(g.Body), diembao.Paragraph{Text: "Các tin khác"})
		}, []string{"body: got 5"}},
		{"attribution as author", func(g *diembao.Article) {
			g.Author, g.Attribution = "Nguồn Báo Hà Nam", nil
		}, []string{"author:", "attribution:"}},
		{"page date taken for the article's", func(g *diembao.Article) { g.Published = g.PageDate }, []string{"published:"}},
		{"time within the day", func(g *diembao.Article) { g.Published = g.Published.Add(15 * time.Hour) }, nil},
		{"no caption", func(g *diembao.Article) { g.Captions = nil }, []string{"captions:"}},
		{"no page date", func(g *diembao.Article) { g.PageDate = time.Time{} }, []string{"page date:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := seed.Article
			tt.change(&got)
			m := seed.Mismatches(&got)
			if len(m) != len(tt.want) {
				t.Fatalf("Mismatches = %q, want %d lines %q", m, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(m[i], w) {
					t.Errorf("line %d %q, want prefix %q", i, m[i], w)
				}
			}
		})
	}
}
