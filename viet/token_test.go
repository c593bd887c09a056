package viet

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// tok is a compact expected token: text and kind.
type tok struct {
	text string
	kind Kind
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []tok
	}{
		{"syllables", "Hà Nội mùa thu", []tok{{"Hà", Syllable}, {"Nội", Syllable}, {"mùa", Syllable}, {"thu", Syllable}}},
		{"date", "ngày 13/01/2020.", []tok{{"ngày", Syllable}, {"13/01/2020", Number}, {".", Punct}}},
		{"thousands", "1.000 tỷ", []tok{{"1.000", Number}, {"tỷ", Syllable}}},
		{"percent", "tăng 6,5%", []tok{{"tăng", Syllable}, {"6,5%", Number}}},
		{"time", "lúc 19h30", []tok{{"lúc", Syllable}, {"19h30", Number}}},
		{"url", "xem https://vnexpress.net/thoi-su/a-1.html.", []tok{{"xem", Syllable}, {"https://vnexpress.net/thoi-su/a-1.html", URL}, {".", Punct}}},
		{"www", "(www.chinhphu.vn)", []tok{{"(", Punct}, {"www.chinhphu.vn", URL}, {")", Punct}}},
		{"email", "gửi toasoan@baomoi.com.vn,", []tok{{"gửi", Syllable}, {"toasoan@baomoi.com.vn", Email}, {",", Punct}}},
		{"not email", "a@b", []tok{{"a", Syllable}, {"@", Punct}, {"b", Syllable}}},
		{"dotted abbreviation", "UBND TP.HCM", []tok{{"UBND", Abbrev}, {"TP.HCM", Abbrev}}},
		{"mixed case dotted", "Tp.HCM và PGS.TS", []tok{{"Tp.HCM", Abbrev}, {"và", Syllable}, {"PGS.TS", Abbrev}}},
		{"upper abbreviation", "HĐND tỉnh", []tok{{"HĐND", Abbrev}, {"tỉnh", Syllable}}},
		{"upper syllables stay syllables", "HÀ NỘI", []tok{{"HÀ", Syllable}, {"NỘI", Syllable}}},
		{"listed mixed case", "ThS Lan", []tok{{"ThS", Abbrev}, {"Lan", Syllable}}},
		{"code", "đội U23 và H5N1", []tok{{"đội", Syllable}, {"U23", Abbrev}, {"và", Syllable}, {"H5N1", Abbrev}}},
		{"code then letter", "U23Ã", []tok{{"U23", Abbrev}, {"Ã", Syllable}}},
		{"sentence end not abbreviation", "ở Hà Nội.Ông", []tok{{"ở", Syllable}, {"Hà", Syllable}, {"Nội", Syllable}, {".", Punct}, {"Ông", Syllable}}},
		{"ellipsis", "chờ... và…", []tok{{"chờ", Syllable}, {"...", Punct}, {"và", Syllable}, {"…", Punct}}},
		{"quotes", "“Đổi mới”", []tok{{"“", Punct}, {"Đổi", Syllable}, {"mới", Syllable}, {"”", Punct}}},
		{"symbols", "giá $5 + 3", []tok{{"giá", Syllable}, {"$", Symbol}, {"5", Number}, {"+", Symbol}, {"3", Number}}},
		{"nbsp separates", "Hà\u00a0Nội", []tok{{"Hà", Syllable}, {"Nội", Syllable}}},
		{"decomposed letters stay one token", "Vie\u0302\u0323t", []tok{{"Vie\u0302\u0323t", Syllable}}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Tokenize(tt.in)
			var gotc []tok
			for _, g := range got {
				if tt.in[g.Start:g.End] != g.Text {
					t.Errorf("token %q has offsets [%d,%d) = %q", g.Text, g.Start, g.End, tt.in[g.Start:g.End])
				}
				gotc = append(gotc, tok{g.Text, g.Kind})
			}
			if len(gotc) != len(tt.want) {
				t.Fatalf("Tokenize(%q) = %v, want %v", tt.in, gotc, tt.want)
			}
			for i := range gotc {
				if gotc[i] != tt.want[i] {
					t.Errorf("token %d = %v, want %v", i, gotc[i], tt.want[i])
				}
			}
		})
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Syllable: "Syllable", Abbrev: "Abbrev", Symbol: "Symbol", Kind(42): "Kind(42)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
}

func TestAppendTokensNoAlloc(t *testing.T) {
	s := strings.Repeat("Ngày 13/01/2020, UBND TP.HCM họp bàn kế hoạch. ", 4)
	buf := make([]Token, 0, 256)
	allocs := testing.AllocsPerRun(50, func() { buf = AppendTokens(buf[:0], s) })
	if allocs != 0 {
		t.Errorf("AppendTokens allocates %v times", allocs)
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"Hà Nội 13/01/2020", "TP.HCM https://a.vn/x a@b.vn", "6,5% U23 ...", "\xff\xfe", "Vie\u0302\u0323t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		prev := 0
		for _, tk := range Tokenize(s) {
			if tk.Start < prev || tk.End <= tk.Start || tk.End > len(s) {
				t.Fatalf("bad offsets [%d,%d) after %d in %q", tk.Start, tk.End, prev, s)
			}
			if s[tk.Start:tk.End] != tk.Text {
				t.Fatalf("token %q does not match text %q", tk.Text, s[tk.Start:tk.End])
			}
			if utf8.ValidString(s) && !utf8.ValidString(tk.Text) {
				t.Fatalf("token %q cuts a character in %q", tk.Text, s)
			}
			if tk.Kind < Syllable || tk.Kind > Symbol {
				t.Fatalf("token %q has kind %d", tk.Text, tk.Kind)
			}
			prev = tk.End
		}
	})
}
