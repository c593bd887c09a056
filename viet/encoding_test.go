package viet

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/diembao/diembao/viet/vietdata"
)

// letterRows returns the rows of the embedded letter table.
func letterRows(t *testing.T) [][]string {
	t.Helper()
	var rows [][]string
	for i, line := range strings.Split(strings.TrimSpace(vietdata.LetterTable), "\n") {
		if i == 0 {
			continue
		}
		f := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if len(f) != 5 {
			t.Fatalf("letter table line %d has %d fields", i+1, len(f))
		}
		rows = append(rows, f)
	}
	if len(rows) != 134 {
		t.Fatalf("letter table has %d letters, want 134", len(rows))
	}
	return rows
}

// cp1252Read reads bytes as Windows-1252, the way text typed in a legacy
// font shows when it is taken for ordinary text.
func cp1252Read(b []byte) string {
	return string(cp1252Runes(b))
}

var legacy = []Encoding{NFD, TCVN3, VNI, VIQR, VISCII, CP1258}

func TestEncodeDecodeEveryLetter(t *testing.T) {
	for _, row := range letterRows(t) {
		letter := row[0]
		for _, enc := range legacy {
			t.Run(enc.String()+"/"+letter, func(t *testing.T) {
				b, err := Encode(letter, enc)
				if err != nil {
					t.Fatalf("Encode(%q, %s): %v", letter, enc, err)
				}
				got, err := Decode(b, enc)
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if got != letter {
					t.Errorf("Decode(Encode(%q, %s)) = %q (bytes % x)", letter, enc, got, b)
				}
			})
		}
	}
}

func TestEncodeMatchesLetterTable(t *testing.T) {
	for _, row := range letterRows(t) {
		letter, vni, tcvn3, viqr := row[0], row[2], row[3], row[4]
		r, _ := utf8.DecodeRuneInString(letter)
		t.Run(letter, func(t *testing.T) {
			if r == 'ỹ' || r == 'Ỹ' {
				vni = map[rune]string{'ỹ': "yõ", 'Ỹ': "YÕ"}[r] // corrected; see parseTables
			}
			if b, err := Encode(letter, VNI); err != nil || cp1252Read(b) != vni {
				t.Errorf("VNI %q = %q, %v; table says %q", letter, cp1252Read(b), err, vni)
			}
			if b, err := Encode(letter, VIQR); err != nil || string(b) != viqr {
				t.Errorf("VIQR %q = %q, %v; table says %q", letter, b, err, viqr)
			}
			// The table gives TCVN3 upper case in the .VnTimeH convention;
			// the lower-case letters and those with a byte of their own
			// must agree with the TCVN 5712 charmap.
			if utf8.RuneCountInString(tcvn3) == 1 {
				b, err := Encode(letter, TCVN3)
				if err != nil || cp1252Read(b) != tcvn3 {
					t.Errorf("TCVN3 %q = %q, %v; table says %q", letter, cp1252Read(b), err, tcvn3)
				}
			}
		})
	}
}

// sentences are project-written Vietnamese sentences for round trips.
var sentences = []string{
	"Người dân Hà Nội đón Tết Nguyên đán với niềm vui và hy vọng.",
	"Uỷ ban nhân dân tỉnh Khánh Hoà họp bàn kế hoạch phát triển kinh tế - xã hội năm 2025",
	"ĐẢNG CỘNG SẢN VIỆT NAM QUANG VINH MUÔN NĂM",
	"Chị Thuỷ khoẻ mạnh, quý trọng giá trị gia đình; ông Quỳnh giữ gìn truyền thống.",
	"Trường THPT Nguyễn Trãi tuyển sinh 450 học sinh lớp 10 (tăng 5%).",
}

func TestRoundTripSentences(t *testing.T) {
	for _, enc := range legacy {
		for i, s := range sentences {
			t.Run(enc.String()+"/"+strconv.Itoa(i), func(t *testing.T) {
				b, err := Encode(s, enc)
				if err != nil {
					t.Fatalf("Encode: %v", err)
				}
				got, err := Decode(b, enc)
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if want := Normalize(s); got != want {
					t.Errorf("Decode(Encode(%q, %s)) = %q", s, enc, got)
				}
				if det := DetectBytes(b); det != enc {
					t.Errorf("DetectBytes(%s bytes of %q) = %s", enc, s, det)
				}
			})
		}
	}
}

func TestEncodeUnencodable(t *testing.T) {
	for _, enc := range []Encoding{TCVN3, VNI, VIQR, VISCII, CP1258} {
		t.Run(enc.String(), func(t *testing.T) {
			_, err := Encode("Hà Nội 北京", enc)
			if !errors.Is(err, ErrUnencodable) {
				t.Errorf("Encode of Chinese text to %s: err = %v, want ErrUnencodable", enc, err)
			}
		})
	}
	if _, err := Encode("x", Encoding(99)); err == nil {
		t.Error("Encode with an unknown encoding did not fail")
	}
	if _, err := Decode([]byte("x"), Encoding(99)); err == nil {
		t.Error("Decode with an unknown encoding did not fail")
	}
}

func TestParseEncoding(t *testing.T) {
	for _, enc := range []Encoding{UTF8, NFD, TCVN3, VNI, VIQR, VISCII, CP1258} {
		got, err := ParseEncoding(strings.ToLower(enc.String()))
		if err != nil || got != enc {
			t.Errorf("ParseEncoding(%q) = %v, %v", enc.String(), got, err)
		}
	}
	if _, err := ParseEncoding("latin-9"); err == nil {
		t.Error("ParseEncoding accepted an unknown name")
	}
}

func TestFixMojibake(t *testing.T) {
	for _, enc := range []Encoding{TCVN3, VNI} {
		for i, s := range sentences {
			t.Run(enc.String()+"/"+strconv.Itoa(i), func(t *testing.T) {
				b, err := Encode(s, enc)
				if err != nil {
					t.Fatal(err)
				}
				moji := cp1252Read(b)
				got, det := FixMojibake(moji)
				if det != enc || got != Normalize(s) {
					t.Errorf("FixMojibake(%q) = %q, %s; want %q, %s", moji, got, det, Normalize(s), enc)
				}
			})
		}
	}
	t.Run("short title", func(t *testing.T) {
		b, _ := Encode("Hà Nội", TCVN3)
		if got, det := FixMojibake(cp1252Read(b)); got != "Hà Nội" || det != TCVN3 {
			t.Errorf("FixMojibake(%q) = %q, %s", cp1252Read(b), got, det)
		}
	})
}

// checkOrdinary asserts that detection leaves ordinary text alone.
func checkOrdinary(t *testing.T, s string) {
	t.Helper()
	if got, enc := FixMojibake(s); enc != UTF8 || got != s {
		t.Errorf("FixMojibake misfired (%s) on %.120q → %.120q", enc, s, got)
	}
	if enc := DetectBytes([]byte(s)); enc != UTF8 && enc != NFD {
		t.Errorf("DetectBytes = %s on ordinary text %.120q", enc, s)
	}
}

func TestDetectionDoesNotMisfire(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "ordinary.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for i := 0; sc.Scan(); i++ {
		line := sc.Text()
		t.Run("line"+strconv.Itoa(i+1), func(t *testing.T) {
			checkOrdinary(t, line)
			if enc := DetectBytes([]byte(line)); enc != UTF8 {
				t.Errorf("DetectBytes = %s, want UTF-8", enc)
			}
		})
	}
}

// sharedData returns the path of a file under ../shared/data, skipping the
// test when the data is absent.
func sharedData(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "shared", "data", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Skipf("evaluation data %s is absent (it lives in ../shared/data beside the repository)", rel)
	}
	return p
}

func TestDetectionDoesNotMisfireOnNews(t *testing.T) {
	p := sharedData(t, "vntc/vntc_10topics_train.jsonl.gz")
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(zr)
	n := 0
	for n < 3000 {
		var doc struct{ Text string }
		if err := dec.Decode(&doc); err != nil {
			break
		}
		n++
		checkOrdinary(t, doc.Text)
	}
	if n == 0 {
		t.Fatal("no articles read")
	}
}

func TestDetectionDoesNotMisfireOnWebPages(t *testing.T) {
	dir := sharedData(t, "extraction-multilingual/pages")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".gz") {
			continue
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			continue
		}
		var sb strings.Builder
		_, _ = bufio.NewReader(zr).WriteTo(&sb)
		f.Close()
		page := sb.String()
		if !utf8.ValidString(page) {
			continue // a page in a legacy Western encoding says nothing here
		}
		n++
		t.Run(e.Name(), func(t *testing.T) { checkOrdinary(t, page) })
	}
	if n == 0 {
		t.Skip("no UTF-8 pages found")
	}
}

func TestDetectionDoesNotMisfireOnVietnamesePages(t *testing.T) {
	dir := sharedData(t, "vnpages-dev/pages")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".html") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(b) {
			continue
		}
		n++
		t.Run(e.Name(), func(t *testing.T) {
			checkOrdinary(t, string(b))
			// Some pages write their letters decomposed; NFD is then the
			// right answer, and decoding gives the page in NFC.
			if enc := DetectBytes(b); enc == NFD {
				if got, _ := Decode(b, NFD); got != Normalize(string(b)) || decomposed(got) {
					t.Errorf("Decode of a decomposed page did not compose it")
				}
			}
		})
	}
	if n == 0 {
		t.Skip("no UTF-8 pages found")
	}
}

func TestDetectBytesLegacyPage(t *testing.T) {
	text := strings.Join(sentences, "\n")
	for _, enc := range []Encoding{TCVN3, VNI, VISCII, CP1258, VIQR, NFD} {
		t.Run(enc.String(), func(t *testing.T) {
			b, err := Encode(text, enc)
			if err != nil {
				t.Fatal(err)
			}
			if got := DetectBytes(b); got != enc {
				t.Errorf("DetectBytes = %s, want %s", got, enc)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range sentences[:2] {
		for _, enc := range legacy {
			b, _ := Encode(s, enc)
			f.Add(b, uint8(enc))
		}
	}
	f.Add([]byte{0xff, 0x00, 0xb0, 0xb4, '\\', '.'}, uint8(VIQR))
	f.Fuzz(func(t *testing.T, b []byte, e uint8) {
		enc := Encoding(e % 7)
		s, err := Decode(b, enc)
		if err != nil {
			t.Fatalf("Decode(%s): %v", enc, err)
		}
		if !utf8.ValidString(s) {
			t.Fatalf("Decode(%s) returned invalid UTF-8", enc)
		}
		if Normalize(s) != s {
			t.Fatalf("Decode(%s) result is not normalized: %q", enc, s)
		}
		_ = DetectBytes(b)
		if out, err := Encode(s, enc); err == nil {
			if back, _ := Decode(out, enc); back != s && enc != VIQR {
				t.Fatalf("Decode(Encode(%q, %s)) = %q", s, enc, back)
			}
		}
	})
}

func FuzzFixMojibake(f *testing.F) {
	for _, s := range sentences[:2] {
		for _, enc := range []Encoding{TCVN3, VNI} {
			b, _ := Encode(s, enc)
			f.Add(cp1252Read(b))
		}
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, enc := FixMojibake(s)
		if enc == UTF8 && got != s {
			t.Fatalf("FixMojibake changed text but reported UTF-8")
		}
	})
}
