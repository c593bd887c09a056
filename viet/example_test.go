package viet_test

import (
	"fmt"

	"golang.org/x/text/encoding/charmap"

	"github.com/diembao/diembao/viet"
)

func ExampleNormalize() {
	fmt.Println(viet.Normalize("Ủy ban tỉnh Khánh Hòa chăm lo sức khỏe"))
	fmt.Println(viet.Normalize("quý giá") == "quý giá")
	// Output:
	// Uỷ ban tỉnh Khánh Hoà chăm lo sức khoẻ
	// true
}

func ExampleFold() {
	fmt.Println(viet.Fold("Hà Nội"), "|", viet.Fold("Đà Nẵng"))
	// Output: ha noi | da nang
}

func ExampleAppendFold() {
	buf := make([]byte, 0, 64)
	buf = viet.AppendFold(buf, "Thủ đô ")
	buf = viet.AppendFold(buf, "HÀ NỘI")
	fmt.Println(string(buf))
	// Output: thu do ha noi
}

func ExampleTokenize() {
	for _, t := range viet.Tokenize("UBND TP.HCM chi 1.000 tỷ (6,5%)") {
		fmt.Printf("%s %s [%d,%d)\n", t.Kind, t.Text, t.Start, t.End)
	}
	// Output:
	// Abbrev UBND [0,4)
	// Abbrev TP.HCM [5,11)
	// Syllable chi [12,15)
	// Number 1.000 [16,21)
	// Syllable tỷ [22,26)
	// Punct ( [27,28)
	// Number 6,5% [28,32)
	// Punct ) [32,33)
}

func ExampleSegmenter_Segment() {
	g := viet.DefaultSegmenter()
	fmt.Printf("%q\n", g.Segment("Ban Chỉ đạo"))
	fmt.Printf("%q\n", g.Segment("nền tảng tư tưởng"))
	// Output:
	// ["Ban" "Chỉ đạo"]
	// ["nền tảng" "tư tưởng"]
}

func ExampleSegmenter_AppendWords() {
	text := "Bộ Tài chính đề xuất tăng thuế."
	toks := viet.Tokenize(text)
	for _, w := range viet.DefaultSegmenter().AppendWords(nil, text, toks) {
		fmt.Printf("%s|%s ", text[w.Start:w.End], viet.Fold(text[w.Start:w.End]))
	}
	fmt.Println()
	// Output: Bộ|bo Tài chính|tai chinh đề xuất|de xuat tăng|tang thuế|thue
}

func ExampleExpansions() {
	fmt.Println(viet.Expansions("HĐND"))
	fmt.Println(viet.Abbreviations("hội đồng nhân dân"))
	// Output:
	// [Hội đồng Nhân dân]
	// [HĐND]
}

func ExampleEncode() {
	b, _ := viet.Encode("Hà Nội", viet.VNI)
	fmt.Printf("% x\n", b)
	s, _ := viet.Decode(b, viet.DetectBytes(b))
	fmt.Println(s)
	// Output:
	// 48 61 f8 20 4e 6f e4 69
	// Hà Nội
}

func ExampleFixMojibake() {
	// Text typed in a .VnTime font and taken for Windows-1252 reads "Hµ Néi…".
	b, _ := viet.Encode("Hà Nội mùa thu", viet.TCVN3)
	moji, _ := charmap.Windows1252.NewDecoder().Bytes(b)
	s, enc := viet.FixMojibake(string(moji))
	fmt.Println(s, enc)
	s, enc = viet.FixMojibake("Hà Nội mùa thu")
	fmt.Println(s, enc)
	// Output:
	// Hà Nội mùa thu TCVN3
	// Hà Nội mùa thu UTF-8
}
