package demosite

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/viet"
)

// Mismatches compares an extracted article with the gold one and returns
// one line per field that differs ("title: got …, want …"), or nil when the
// extraction is right. Texts are compared after Unicode normalization and
// with runs of white space folded; the published time is compared at the
// gold precision (the day, or the minute); fields the gold leaves empty are
// not compared.
func (a *Article) Mismatches(got *diembao.Article) []string {
	var out []string
	diff := func(field, g, w string) {
		if g, w = clean(g), clean(w); g != w {
			out = append(out, fmt.Sprintf("%s: got %q, want %q", field, clip(g), clip(w)))
		}
	}
	diff("title", got.Title, a.Title)
	diff("sapo", got.Sapo, a.Sapo)
	if len(got.Body) != len(a.Body) {
		out = append(out, fmt.Sprintf("body: got %d paragraphs, want %d", len(got.Body), len(a.Body)))
	}
	for i := range min(len(got.Body), len(a.Body)) {
		if g, w := clean(got.Body[i].Text), clean(a.Body[i].Text); g != w {
			out = append(out, fmt.Sprintf("body[%d]: got %q, want %q", i, clip(g), clip(w)))
			break
		}
	}
	if !slices.Equal(cleanAll(got.Captions), cleanAll(a.Captions)) {
		out = append(out, fmt.Sprintf("captions: got %q, want %q", got.Captions, a.Captions))
	}
	diff("author", got.Author, a.Author)
	diff("attribution", got.Attribution.String(), a.Attribution.String())
	if a.Section != "" {
		diff("section", got.Section, a.Section)
	}
	if !sameTime(got.Published, a.Published, a.PublishedPrecision) {
		out = append(out, fmt.Sprintf("published: got %s, want %s (%s)", stamp(got.Published), stamp(a.Published), a.PublishedPrecision))
	}
	if !a.PageDate.IsZero() && !sameTime(got.PageDate, a.PageDate, diembao.PrecisionDay) {
		out = append(out, fmt.Sprintf("page date: got %s, want %s", stamp(got.PageDate), stamp(a.PageDate)))
	}
	return out
}

// sameTime reports whether got equals want at precision p, in Vietnam's
// time zone.
func sameTime(got, want time.Time, p diembao.Precision) bool {
	if got.IsZero() || want.IsZero() {
		return got.IsZero() == want.IsZero()
	}
	layout := "2006-01-02 15:04"
	if p == diembao.PrecisionDay {
		layout = "2006-01-02"
	}
	return got.In(diembao.Vietnam).Format(layout) == want.In(diembao.Vietnam).Format(layout)
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.In(diembao.Vietnam).Format("2006-01-02 15:04")
}

// clean normalizes a text for comparison.
func clean(s string) string { return strings.Join(strings.Fields(viet.Normalize(s)), " ") }

func cleanAll(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, clean(s))
	}
	return out
}

// clip shortens a text for a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:77]) + "…"
	}
	return s
}
