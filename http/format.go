package http

import (
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/diembao/diembao"
)

// highlight renders snippet as HTML: every byte of it escaped, and the
// spans wrapped in <mark>. Spans are byte offsets into snippet; spans out of
// range are clipped, overlapping spans merged, and offsets that fall inside a
// UTF-8 sequence moved to the start of its character, so that no character
// is ever cut.
func highlight(snippet string, spans []diembao.Span) template.HTML {
	spans = normalizeSpans(snippet, spans)
	var b strings.Builder
	b.Grow(len(snippet) + len(spans)*13 + 16)
	last := 0
	for _, sp := range spans {
		b.WriteString(template.HTMLEscapeString(snippet[last:sp.Start]))
		b.WriteString("<mark>")
		b.WriteString(template.HTMLEscapeString(snippet[sp.Start:sp.End]))
		b.WriteString("</mark>")
		last = sp.End
	}
	b.WriteString(template.HTMLEscapeString(snippet[last:]))
	return template.HTML(b.String())
}

// normalizeSpans returns the spans of s sorted, clipped to s, aligned on
// character boundaries, without empty spans and with overlapping or touching
// spans merged.
func normalizeSpans(s string, spans []diembao.Span) []diembao.Span {
	out := make([]diembao.Span, 0, len(spans))
	for _, sp := range spans {
		start, end := runeStart(s, sp.Start), runeStart(s, sp.End)
		if end > start {
			out = append(out, diembao.Span{Start: start, End: end})
		}
	}
	slices.SortFunc(out, func(a, b diembao.Span) int { return a.Start - b.Start })
	merged := out[:0]
	for _, sp := range out {
		if n := len(merged); n > 0 && sp.Start <= merged[n-1].End {
			merged[n-1].End = max(merged[n-1].End, sp.End)
			continue
		}
		merged = append(merged, sp)
	}
	return merged
}

// runeStart clips i to [0, len(s)] and moves it back to the start of the
// UTF-8 sequence it falls in.
func runeStart(s string, i int) int {
	if i <= 0 {
		return 0
	}
	if i >= len(s) {
		return len(s)
	}
	for j := i; j >= 0 && i-j < utf8.UTFMax; j-- {
		if utf8.RuneStart(s[j]) {
			return j
		}
	}
	return i
}

// weekdays are the Vietnamese names of the days of the week.
var weekdays = [...]string{"Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}

// vnDate formats t as a date in Vietnam's time zone: "Thứ Sáu, 10/01/2020".
func vnDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(diembao.Vietnam)
	return weekdays[t.Weekday()] + ", " + t.Format("02/01/2006")
}

// vnTime formats t as a date and time in Vietnam's time zone:
// "Thứ Sáu, 10/01/2020 14:30".
func vnTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return vnDate(t) + " " + t.In(diembao.Vietnam).Format("15:04")
}

// hitTime formats the published time of a search result: the date alone
// when the time is exactly midnight in Vietnam (which is how day-precise
// dates are stored), the date and time otherwise.
func hitTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	v := t.In(diembao.Vietnam)
	if v.Hour() == 0 && v.Minute() == 0 && v.Second() == 0 {
		return vnDate(t)
	}
	return vnTime(t)
}

// isoTime formats t for a <time datetime> attribute.
func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(diembao.Vietnam).Format(time.RFC3339)
}

// publishedTime formats an article's published time to its precision.
func publishedTime(a *diembao.Article) string {
	if a.PublishedPrecision == diembao.PrecisionDay {
		return vnDate(a.Published)
	}
	return vnTime(a.Published)
}

// precisionLabel says in Vietnamese how precisely a published time is known.
func precisionLabel(p diembao.Precision) string {
	switch p {
	case diembao.PrecisionDay:
		return "chỉ biết ngày"
	case diembao.PrecisionMinute:
		return "chính xác đến phút"
	default:
		return "không rõ độ chính xác"
	}
}

// publishedFromLabel says in Vietnamese where a published time was found.
func publishedFromLabel(from string) string {
	switch from {
	case "jsonld":
		return "dữ liệu cấu trúc JSON-LD của trang"
	case "meta":
		return "thẻ meta của trang"
	case "dateline":
		return "dòng ngày tháng trong bài"
	case "feed":
		return "nguồn tin RSS"
	case "import":
		return "dữ liệu nhập vào"
	case "fetch":
		return "thời điểm lấy về (trang không ghi ngày đăng)"
	default:
		return from
	}
}

// kindLabel names a kind of outlet in Vietnamese.
func kindLabel(k diembao.SourceKind) string {
	switch k {
	case diembao.KindNational:
		return "Báo trung ương"
	case diembao.KindAgency:
		return "Hãng thông tấn"
	case diembao.KindParty:
		return "Báo Đảng"
	case diembao.KindSector:
		return "Báo ngành"
	case diembao.KindProvincial:
		return "Báo địa phương"
	case diembao.KindOther, "":
		return "Khác"
	default:
		return string(k)
	}
}

// statusLabel names a source status word (diembao.SourceHealth.Status) in
// Vietnamese.
func statusLabel(status string) string {
	switch status {
	case "ok":
		return "Bình thường"
	case "failing":
		return "Đang lỗi"
	case "silent":
		return "Im lặng bất thường"
	case "new":
		return "Chưa lấy tin lần nào"
	default:
		return status
	}
}

// sortLabels names the sort orders in Vietnamese, in display order.
var sortLabels = []struct {
	Sort  diembao.Sort
	Label string
}{
	{diembao.SortRelevance, "Liên quan nhất"},
	{diembao.SortNewest, "Mới nhất"},
	{diembao.SortOldest, "Cũ nhất"},
}

// facetLabel names a facet in Vietnamese.
func facetLabel(name string) string {
	switch name {
	case "source":
		return "Nguồn"
	case "section":
		return "Chuyên mục"
	case "day":
		return "Ngày đăng"
	default:
		return name
	}
}

// dayLabel formats a day facet value (YYYY-MM-DD) as "10/01/2020"; other
// values are returned as they are.
func dayLabel(v string) string {
	d, err := time.Parse(dayLayout, v)
	if err != nil {
		return v
	}
	return d.Format("02/01/2006")
}

// externalURL returns u when it is an absolute http or https URL and ""
// otherwise, so that links to original pages never carry another scheme.
func externalURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return u
}

// columnOf returns the 1-based character column of byte offset pos in s.
func columnOf(s string, pos int) int {
	pos = runeStart(s, pos)
	return utf8.RuneCountInString(s[:pos]) + 1
}

// formatCount formats n with dots between groups of three digits, as
// Vietnamese writes numbers: 1.234.567.
func formatCount(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String()
}
