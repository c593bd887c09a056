package viet

import "strings"

// Slug returns s as an ASCII URL segment: folded ("Hà Nội" → "ha noi"), with
// every run of characters other than a–z and 0–9 turned into one "-" and no
// "-" at either end ("Văn hoá - Xã hội" → "van-hoa-xa-hoi").
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range Fold(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
