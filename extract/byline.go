package extract

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/diembao/diembao"
)

var (
	// reAttribution matches "Theo TTXVN", "Nguồn: Báo Hà Nam", "(Theo BBC)".
	reAttribution = regexp.MustCompile(`^\(?\s*(Theo|THEO|theo|Nguồn|NGUỒN|nguồn|Nguồn tin|Nguon)\s*:?\s+([^()]{2,80}?)\s*\)?\s*\.?$`)
	// reNameThenAttribution matches "Văn Nam (Theo BBC)".
	reNameThenAttribution = regexp.MustCompile(`^(.{2,60}?)\s*[(\[]\s*(Theo|Nguồn)\s*:?\s+([^()]{2,60}?)\s*[)\]]\s*\.?$`)
	// reParenOutlet matches a bare "(Chinhphu.vn)" or "(TTXVN)".
	reParenOutlet = regexp.MustCompile(`^\(\s*([^()]{2,40}?)\s*\)$`)
	// reAuthorPrefix strips "Tác giả:", "Bài:", "By", "|" before a name.
	reAuthorPrefix = regexp.MustCompile(`(?i)^(?:[|·•\-–—]\s*)?(?:(?:tác giả|bài và ảnh|bài|ảnh|by|bởi|người viết|phóng viên)\s*:?(?:\s+|$))?`)
)

// groupBylines are the credit words that count as an author on their own.
var groupBylines = map[string]bool{
	"pv": true, "nhóm pv": true, "nhóm phóng viên": true, "phóng viên": true, "ctv": true,
	"nhóm ctv": true, "btv": true, "ttxvn": true, "vna": true, "pv-ctv": true, "pv - ctv": true,
	"ban biên tập": true, "thanh niên": true, "vov": true, "vtv": true,
}

// compiledCredits are end-of-article notes that name no outlet: "(Tổng
// hợp)" (compiled), "(ST)" (collected), "Lược dịch" (abridged translation).
var compiledCredits = map[string]bool{
	"tổng hợp": true, "st": true, "sưu tầm": true, "lược dịch": true, "dịch": true,
	"tổng hợp từ nhiều nguồn": true, "nhiều nguồn": true, "theo nhiều nguồn": true,
}

// parseAttribution reads an attribution line; ok is false when t is none.
func parseAttribution(t string) (*diembao.Attribution, bool) {
	m := reAttribution.FindStringSubmatch(t)
	if m == nil {
		return nil, false
	}
	kind := "Theo"
	if strings.HasPrefix(strings.ToLower(m[1]), "ngu") {
		kind = "Nguồn"
	}
	outlet := strings.TrimRight(strings.TrimSpace(m[2]), ".")
	if !looksLikeOutlet(outlet) {
		return nil, false
	}
	return &diembao.Attribution{Kind: kind, Outlet: outlet}, true
}

// looksLikeOutlet reports whether s can be an outlet's name: short, and
// starting with a capital letter or a digit.
func looksLikeOutlet(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > 60 || len(strings.Fields(s)) > 8 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r) || unicode.IsDigit(r)
}

// looksLikeName reports whether s can be a byline: a few capitalised words
// ("Minh Anh", "Ngọc Lan - Phương Thảo") or a group credit ("Nhóm PV").
func looksLikeName(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > 60 {
		return false
	}
	if groupBylines[strings.ToLower(s)] {
		return true
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '-' || r == '–' || r == '&' || r == '/' })
	if len(words) == 0 || len(words) > 9 {
		return false
	}
	if strings.ContainsAny(s, ":;!?\"“”") || strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "vn.") {
		return false
	}
	for _, w := range words {
		switch strings.ToLower(w) {
		case "và", "theo", "nhóm", "thực", "hiện":
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// cleanAuthor strips the wording around a byline.
func cleanAuthor(s string) string {
	s = strings.TrimSpace(s)
	s = reAuthorPrefix.ReplaceAllString(s, "")
	s = strings.TrimSpace(strings.Trim(s, "|·•"))
	if m := reParenOutlet.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	return strings.TrimSpace(s)
}

// byline is what the last lines of an article say about who wrote it.
type byline struct {
	author      string
	attribution *diembao.Attribution
	// credit is set when author is an agency credit signed in place of a
	// byline ("Theo TTXVN" in bold): below a person's byline, the same line
	// names the source instead.
	credit bool
}

// publicationKinds are the words that open the name of a newspaper, a
// magazine or a news website ("Báo Hà Nam", "Tạp chí Cộng sản", "Cổng
// thông tin điện tử tỉnh …"). A credit naming a publication says where a
// republished article came from; an agency or a broadcaster ("TTXVN",
// "VOV") signs the copy it wrote in place of a byline.
var publicationKinds = []string{
	"báo", "nhật báo", "tuần báo", "thời báo", "nguyệt san", "bán nguyệt san", "đặc san",
	"tập san", "tạp chí", "trang tin", "trang thông tin", "cổng thông tin", "cổng ttđt", "bản tin",
}

// namesPublication reports whether an outlet's name opens with the kind of
// publication it is ("Báo Sông Hồng", "Tạp chí Tài chính").
func namesPublication(outlet string) bool {
	l := strings.ToLower(strings.TrimSpace(outlet))
	for _, k := range publicationKinds {
		if strings.HasPrefix(l, k+" ") {
			return true
		}
	}
	return false
}

// readByline interprets one short line at the end of an article; ok is
// false when the line is ordinary text. A bold line names the author, even
// when it is an agency credit ("Theo TTXVN" alone on the byline); a
// "Theo …" line that names a publication ("Theo Báo Hà Nam"), a "Nguồn …"
// line, an italic or plain "Theo …" line, or one in parentheses after a
// name, is the attribution.
func readByline(b block) (byline, bool) {
	t := strings.TrimSpace(b.text)
	if t == "" || utf8.RuneCountInString(t) > 100 {
		return byline{}, false
	}
	if compiledCredits[strings.ToLower(strings.Trim(t, "() ."))] {
		return byline{}, true
	}
	bold := b.boldLen > 0 && b.boldLen*10 >= len(b.text)*8 && b.emLen*2 < len(b.text)
	if m := reNameThenAttribution.FindStringSubmatch(t); m != nil {
		name := cleanAuthor(m[1])
		if looksLikeName(name) {
			kind := "Theo"
			if strings.HasPrefix(m[2], "Ngu") {
				kind = "Nguồn"
			}
			return byline{author: name, attribution: &diembao.Attribution{Kind: kind, Outlet: strings.TrimSpace(m[3])}}, true
		}
	}
	if a, ok := parseAttribution(t); ok {
		if bold && a.Kind == "Theo" && !namesPublication(a.Outlet) {
			return byline{author: strings.Trim(t, "()"), credit: true}, true
		}
		return byline{attribution: a}, true
	}
	if m := reParenOutlet.FindStringSubmatch(t); m != nil && looksLikeOutlet(m[1]) {
		if bold {
			return byline{author: m[1]}, true
		}
		return byline{attribution: &diembao.Attribution{Outlet: m[1]}}, true
	}
	name := cleanAuthor(t)
	if (bold || b.right) && looksLikeName(name) {
		return byline{author: name}, true
	}
	return byline{}, false
}
