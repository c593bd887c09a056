package viet

import (
	"strings"
	"testing"

	"github.com/diembao/diembao/viet/vietdata"

	"golang.org/x/text/unicode/norm"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ascii unchanged", "Hello, world 123", "Hello, world 123"},
		{"empty", "", ""},
		{"oa old to new", "hòa", "hoà"},
		{"oa new kept", "hoà", "hoà"},
		{"uy old to new", "thủy", "thuỷ"},
		{"oe old to new", "khỏe", "khoẻ"},
		{"uy alone", "ủy ban", "uỷ ban"},
		{"capital", "Hòa Bình", "Hoà Bình"},
		{"all caps", "HÒA THỦY", "HOÀ THUỶ"},
		{"qu keeps tone on y", "quý", "quý"},
		{"qu keeps tone on a", "quá", "quá"},
		{"qu misplaced tone", "qúa", "quá"},
		{"gi keeps tone on a", "giá", "giá"},
		{"gi misplaced tone", "gía", "giá"},
		{"gi alone", "gì", "gì"},
		{"gin", "gìn giữ", "gìn giữ"},
		{"final consonant", "hoạch toán", "hoạch toán"},
		{"final consonant misplaced", "hòan", "hoàn"},
		{"modifier wins", "ngừơi", "người"},
		{"uô", "mùôn", "muồn"},
		{"triple vowel", "ngoải", "ngoải"},
		{"triple misplaced", "ngòai", "ngoài"},
		{"uyu", "khủyu", "khuỷu"},
		{"first of pair", "mùa tài", "mùa tài"},
		{"ia", "mía", "mía"},
		{"foreign word untouched", "café crème", "café crème"},
		{"two tones untouched", "hòà", "hòà"},
		{"decomposed to composed", "Vie\u0302\u0323t Nam", "Việt Nam"},
		{"decomposed old placement", "ho\u0300a", "hoà"},
		{"nbsp", "Hà\u00a0Nội", "Hà Nội"},
		{"narrow nbsp", "10\u202f000", "10 000"},
		{"ideographic space", "a\u3000b", "a b"},
		{"zero width space", "Hà\u200bNội", "HàNội"},
		{"soft hyphen", "thông\u00adtin", "thôngtin"},
		{"bom", "\ufeffxin chào", "xin chào"},
		{"zwj", "a\u200db", "ab"},
		{"joined mark after removal", "a\u200b\u0301", "á"},
		{"line breaks kept", "dòng 1\ndòng 2\ttab", "dòng 1\ndòng 2\ttab"},
		{"eth typed for d stroke", "Ðảng và Nhà nước ðã", "Đảng và Nhà nước đã"},
		{"eth kept outside Vietnamese", "Ðað og ðetta", "Ðað og ðetta"},
		{"mixed sentence", "Ủy ban nhân dân tỉnh Khánh Hòa", "Uỷ ban nhân dân tỉnh Khánh Hoà"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Normalize(tt.in)
			if got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Normalize(got); again != got {
				t.Errorf("Normalize not idempotent: %q → %q", got, again)
			}
			if !norm.NFC.IsNormalString(got) {
				t.Errorf("Normalize(%q) = %q is not NFC", tt.in, got)
			}
		})
	}
}

func TestNormalizeAllVowelPairs(t *testing.T) {
	// Every syllable of the embedded list keeps one tone and is a fixed
	// point after normalization.
	for line := range strings.Lines(vietdata.Syllables) {
		s := strings.TrimSpace(line)
		n := Normalize(s)
		if Normalize(n) != n {
			t.Errorf("Normalize(Normalize(%q)) changed", s)
		}
		if Fold(n) != Fold(s) {
			t.Errorf("Fold differs for %q and %q", s, n)
		}
	}
}

func TestNormalizeNoAllocWhenNormal(t *testing.T) {
	s := "Uỷ ban nhân dân thành phố Hà Nội hôm nay họp bàn kế hoạch năm mới."
	allocs := testing.AllocsPerRun(100, func() { _ = Normalize(s) })
	if allocs != 0 {
		t.Errorf("Normalize of normalized text allocates %v times", allocs)
	}
}

func TestFold(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ascii", "Hello World", "hello world"},
		{"already folded", "ha noi", "ha noi"},
		{"ha noi", "Hà Nội", "ha noi"},
		{"d stroke", "Đà Nẵng đẹp", "da nang dep"},
		{"all vowels", "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ",
			"aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyy"},
		{"decomposed", "Vie\u0302\u0323t", "viet"},
		{"eth as d stroke", "Ðà", "da"},
		{"latin accents", "Ça été Müller Ångström", "ca ete muller angstrom"},
		{"nbsp", "a\u00a0b", "a b"},
		{"zero width", "a\u200bb", "ab"},
		{"greek keeps letters", "Ωμέγα", "ωμεγα"},
		{"cjk unchanged", "北京", "北京"},
		{"digits and punctuation", "6,5% (2020)", "6,5% (2020)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fold(tt.in); got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := string(AppendFold([]byte("x"), tt.in)); got != "x"+tt.want {
				t.Errorf("AppendFold(%q) = %q, want %q", tt.in, got, "x"+tt.want)
			}
			if a, b := Fold(Normalize(tt.in)), Fold(tt.in); a != b {
				t.Errorf("Fold(Normalize(%q)) = %q, Fold = %q", tt.in, a, b)
			}
		})
	}
}

func TestAppendFoldNoAlloc(t *testing.T) {
	s := "Uỷ ban nhân dân thành phố Hà Nội hôm nay họp bàn kế hoạch năm mới."
	buf := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(100, func() { buf = AppendFold(buf[:0], s) })
	if allocs != 0 {
		t.Errorf("AppendFold allocates %v times", allocs)
	}
}
