package extract

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/diembao/diembao"
)

// maxDateText is the longest text ParseDate reads; a dateline is short, and
// the cap bounds the time spent on hostile input.
const maxDateText = 512

var (
	reISO = regexp.MustCompile(`(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(z|[+-]\d{2}:?\d{2})?)?`)
	// reDMY matches 13/01/2020, 13-01-2020, 13.01.2020 and two-digit years.
	reDMY = regexp.MustCompile(`(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*[/.-]\s*(\d{4}|\d{2})`)
	// reWords matches "10 tháng 1 năm 2020", "ngày 10 tháng 01, 2020" and
	// "10 tháng 1" (no year).
	reWords = regexp.MustCompile(`(\d{1,2})\s+(?:tháng|thang)\s+(\d{1,2})(?:\s*(?:năm|nam|,)\s*(\d{4}))?`)
	// reDM matches a day and month without a year ("10/1").
	reDM = regexp.MustCompile(`(\d{1,2})\s*/\s*(\d{1,2})`)
	// reTime matches 08:30, 8h30, 8h, 14 giờ 05, 8 giờ 30 phút, with an
	// optional period word after it ("8 giờ sáng").
	reTime = regexp.MustCompile(`(\d{1,2})\s*(?:giờ|gio|:|h|g)\s*(\d{2})?(?:\s*(?:phút|phut|p))?(?:\s*(sáng|sang|trưa|trua|chiều|chieu|tối|toi|đêm|dem|am|pm))?`)
	// reAgo matches "2 giờ trước", "15 phút trước", "3 ngày trước".
	reAgo = regexp.MustCompile(`(\d{1,3})\s*(phút|phut|giờ|gio|tiếng|tieng|ngày|ngay|tuần|tuan)\s*(?:trước|truoc)`)
	// reRelDay matches "hôm nay", "sáng nay", "hôm qua", "tối qua", "hôm kia".
	reRelDay = regexp.MustCompile(`(hôm|hom|sáng|sang|trưa|trua|chiều|chieu|tối|toi|đêm|dem)\s+(nay|qua|kia)\b`)
	// rePeriodBefore matches the word that introduces a day without a year
	// ("Chiều 10/1", "ngày 10/1").
	rePeriodBefore = regexp.MustCompile(`(?:sáng|sang|trưa|trua|chiều|chieu|tối|toi|đêm|dem|ngày|ngay|hôm|hom|khuya|rạng sáng)\s*$`)
	reZone         = regexp.MustCompile(`(?:gmt|utc)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?`)
)

// ParseDate reads a Vietnamese dateline or an ISO 8601 time in text and
// returns the time in diembao.Vietnam with its precision. base is the fetch
// time and pageDate the date a site header printed (either may be zero):
// they resolve datelines without a year ("Chiều 10/1") and relative ones
// ("hôm qua", "2 giờ trước"); without them such datelines give no date. ok
// is false when text holds no date; ParseDate never guesses.
//
// A time of day written with a period word is read in that period: "3 giờ
// chiều" is 15:00, "11 giờ đêm" is 23:00. A zone written as "GMT+7" (or an
// ISO offset) is honoured; a time without a zone is Vietnam's wall clock.
func ParseDate(text string, base, pageDate time.Time) (t time.Time, p diembao.Precision, ok bool) {
	if len(text) > maxDateText {
		text = text[:maxDateText]
	}
	s := strings.ToLower(collapse(norm.NFC.String(text)))
	if s == "" {
		return time.Time{}, diembao.PrecisionNone, false
	}
	zone := diembao.Vietnam
	if m := reZone.FindStringSubmatchIndex(s); m != nil {
		h, _ := strconv.Atoi(s[m[4]:m[5]])
		min := 0
		if m[6] >= 0 {
			min, _ = strconv.Atoi(s[m[6]:m[7]])
		}
		off := h*3600 + min*60
		if s[m[2]:m[3]] == "-" {
			off = -off
		}
		if h <= 14 && off != 7*3600 {
			zone = time.FixedZone("", off)
		}
		s = s[:m[0]] + strings.Repeat(" ", m[1]-m[0]) + s[m[1]:]
	}

	// ISO 8601 first: it carries its own zone.
	if m := reISO.FindStringSubmatchIndex(s); m != nil {
		y, mo, d := atoi(s, m, 1), atoi(s, m, 2), atoi(s, m, 3)
		if !validDate(y, mo, d) {
			return time.Time{}, diembao.PrecisionNone, false
		}
		if m[8] < 0 {
			return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, diembao.Vietnam), diembao.PrecisionDay, true
		}
		hh, mm := atoi(s, m, 4), atoi(s, m, 5)
		sec := 0
		if m[12] >= 0 {
			sec = atoi(s, m, 6)
		}
		if hh > 23 || mm > 59 || sec > 60 {
			return time.Time{}, diembao.PrecisionNone, false
		}
		loc := zone
		if m[14] >= 0 {
			loc = isoZone(s[m[14]:m[15]])
		}
		t := time.Date(y, time.Month(mo), d, hh, mm, sec, 0, loc)
		return t.In(diembao.Vietnam), diembao.PrecisionMinute, true
	}

	y, mo, d := 0, 0, 0
	var rest string
	switch m := reDMY.FindStringSubmatchIndex(s); {
	case m != nil:
		d, mo, y = atoi(s, m, 1), atoi(s, m, 3), atoi(s, m, 4)
		if m[9]-m[8] == 2 {
			y += 2000
			if y > time.Now().Year()+1 {
				y -= 100
			}
		}
		rest = blank(s, m[0], m[1])
	default:
		if m := reWords.FindStringSubmatchIndex(s); m != nil {
			d, mo = atoi(s, m, 1), atoi(s, m, 2)
			if m[6] >= 0 {
				y = atoi(s, m, 3)
			}
			rest = blank(s, m[0], m[1])
			break
		}
		for _, m := range reDM.FindAllStringSubmatchIndex(s, -1) {
			after := s[m[1]:]
			if after != "" && (after[0] >= '0' && after[0] <= '9' || after[0] == '/') {
				continue
			}
			if m[0] > 0 && s[m[0]-1] >= '0' && s[m[0]-1] <= '9' {
				continue
			}
			before := strings.TrimSpace(strings.TrimRight(s[:m[0]], ", "))
			if !rePeriodBefore.MatchString(before) && len(strings.TrimSpace(s)) > m[1]-m[0]+2 &&
				!reTime.MatchString(blank(s, m[0], m[1])) {
				continue
			}
			d, mo = atoi(s, m, 1), atoi(s, m, 2)
			rest = blank(s, m[0], m[1])
			break
		}
	}
	if d != 0 {
		if y == 0 {
			ref := pageDate
			if ref.IsZero() {
				ref = base
			}
			if ref.IsZero() {
				return time.Time{}, diembao.PrecisionNone, false
			}
			ref = ref.In(diembao.Vietnam)
			y = ref.Year()
			if !validDate(y, mo, d) && !(mo == 2 && d == 29) {
				return time.Time{}, diembao.PrecisionNone, false
			}
			if time.Date(y, time.Month(mo), d, 0, 0, 0, 0, diembao.Vietnam).After(ref.AddDate(0, 0, 1)) {
				y--
			}
		}
		if !validDate(y, mo, d) || y < 1900 || y > 2200 {
			return time.Time{}, diembao.PrecisionNone, false
		}
		if hh, mm, ok := findTime(rest); ok {
			t := time.Date(y, time.Month(mo), d, hh, mm, 0, 0, zone)
			return t.In(diembao.Vietnam), diembao.PrecisionMinute, true
		}
		return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, diembao.Vietnam), diembao.PrecisionDay, true
	}

	// Relative datelines.
	if m := reAgo.FindStringSubmatchIndex(s); m != nil && !base.IsZero() {
		n := atoi(s, m, 1)
		b := base.In(diembao.Vietnam)
		switch s[m[4]:m[5]] {
		case "phút", "phut":
			return b.Add(-time.Duration(n) * time.Minute).Truncate(time.Minute), diembao.PrecisionMinute, true
		case "giờ", "gio", "tiếng", "tieng":
			return dayOf(b.Add(-time.Duration(n) * time.Hour)), diembao.PrecisionDay, true
		case "ngày", "ngay":
			return dayOf(b.AddDate(0, 0, -n)), diembao.PrecisionDay, true
		default:
			return dayOf(b.AddDate(0, 0, -7*n)), diembao.PrecisionDay, true
		}
	}
	if m := reRelDay.FindStringSubmatchIndex(s); m != nil {
		ref := pageDate
		if ref.IsZero() {
			ref = base
		}
		if ref.IsZero() {
			return time.Time{}, diembao.PrecisionNone, false
		}
		day := dayOf(ref.In(diembao.Vietnam))
		switch s[m[4]:m[5]] {
		case "qua":
			day = day.AddDate(0, 0, -1)
		case "kia":
			day = day.AddDate(0, 0, -2)
		}
		if hh, mm, ok := findTime(blank(s, m[0], m[1])); ok {
			return time.Date(day.Year(), day.Month(), day.Day(), hh, mm, 0, 0, diembao.Vietnam), diembao.PrecisionMinute, true
		}
		return day, diembao.PrecisionDay, true
	}
	return time.Time{}, diembao.PrecisionNone, false
}

// findTime finds a time of day in s, honouring a period word after it.
func findTime(s string) (hh, mm int, ok bool) {
	for _, m := range reTime.FindAllStringSubmatchIndex(s, -1) {
		// The hour must not be glued to a preceding digit or letter.
		if m[0] > 0 {
			c := s[m[0]-1]
			if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' {
				continue
			}
		}
		sep := strings.TrimSpace(s[m[3]:])
		hasMin := m[4] >= 0
		// A bare "8h" or "8 giờ" counts; "8g" alone is too ambiguous.
		if !hasMin && strings.HasPrefix(sep, "g") && !strings.HasPrefix(sep, "giờ") && !strings.HasPrefix(sep, "gio") {
			continue
		}
		if !hasMin && m[6] < 0 && m[1] < len(s) {
			// "5 học sinh" is no time: a bare hour must end the word.
			if c := s[m[1]]; c >= 'a' && c <= 'z' || c >= 0x80 {
				continue
			}
		}
		hh = atoi(s, m, 1)
		if hasMin {
			mm = atoi(s, m, 2)
		}
		if m[6] >= 0 {
			switch s[m[6]:m[7]] {
			case "chiều", "chieu", "tối", "toi", "pm":
				if hh < 12 {
					hh += 12
				}
			case "trưa", "trua":
				if hh < 6 {
					hh += 12
				}
			case "đêm", "dem":
				if hh >= 7 && hh < 12 {
					hh += 12
				}
			case "am":
				if hh == 12 {
					hh = 0
				}
			}
		}
		if hh > 23 || mm > 59 {
			continue
		}
		return hh, mm, true
	}
	return 0, 0, false
}

func dayOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, diembao.Vietnam)
}

func isoZone(z string) *time.Location {
	if z == "z" {
		return time.UTC
	}
	sign := 1
	if z[0] == '-' {
		sign = -1
	}
	z = strings.ReplaceAll(z[1:], ":", "")
	h, _ := strconv.Atoi(z[:2])
	m, _ := strconv.Atoi(z[2:])
	return time.FixedZone("", sign*(h*3600+m*60))
}

func atoi(s string, m []int, i int) int {
	if m[2*i] < 0 {
		return 0
	}
	n, _ := strconv.Atoi(s[m[2*i]:m[2*i+1]])
	return n
}

func blank(s string, i, j int) string {
	return s[:i] + strings.Repeat(" ", j-i) + s[j:]
}

func validDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 || d > 31 || y < 1 {
		return false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t.Day() == d
}
