package extract

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/diembao/diembao/viet"
)

func TestDecode(t *testing.T) {
	const viet = "Hà Nội mùa thu, phố cổ rợp bóng cây và tiếng rao đêm khuya."
	cp1258 := mustEncode(t, decomposeTones(viet))
	tests := []struct {
		name   string
		page   []byte
		header http.Header
		want   string // text the result must contain
		from   string
	}{
		{"utf-8", []byte("<p>" + viet), nil, viet, "utf-8"},
		{"bom", append([]byte{0xEF, 0xBB, 0xBF}, []byte("<p>"+viet)...), nil, viet, "bom"},
		{"utf-8 with stale 1252 meta", []byte(`<meta charset="windows-1252"><p>` + viet), nil, viet, "utf-8"},
		{"utf-8 with stale 1258 header", []byte("<p>" + viet), http.Header{"Content-Type": {"text/html; charset=windows-1258"}}, viet, "utf-8"},
		{"nfd becomes nfc", []byte("<p>" + norm.NFD.String(viet)), nil, viet, "utf-8"},
		{"1258 by meta", append([]byte(`<meta http-equiv="Content-Type" content="text/html; charset=windows-1258"><p>`), cp1258...), nil, viet, "meta"},
		{"1258 by header", append([]byte("<p>"), cp1258...), http.Header{"Content-Type": {"text/html; charset=Windows-1258"}}, viet, "header"},
		{"1258 sniffed", append([]byte("<p>"), cp1258...), nil, viet, "sniff"},
		{"1258 declared 1252", append([]byte(`<meta charset="iso-8859-1"><p>`), cp1258...), nil, viet, "sniff"},
		{"latin-1 kept", []byte("<meta charset=\"iso-8859-1\"><p>Gr\xfc\xdfe aus M\xfcnchen"), nil, "Grüße aus München", "meta"},
		{"undeclared bytes are not 1252", []byte("<p>caf\xe9 au lait"), nil, "caf\uFFFD au lait", "default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, cs := Decode(tt.page, tt.header)
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("Decode = %q, want it to contain %q", out, tt.want)
			}
			if cs.From != tt.from {
				t.Errorf("decided from %q (%s), want %q", cs.From, cs.Name, tt.from)
			}
			if !norm.NFC.IsNormal(out) {
				t.Errorf("Decode output is not NFC")
			}
		})
	}
}

func TestMetaCharset(t *testing.T) {
	tests := []struct{ page, want string }{
		{`<meta charset="utf-8">`, "utf-8"},
		{`<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=Windows-1258">`, "windows-1258"},
		{`<meta charset='tcvn3'/>`, "tcvn3"},
		{`<meta name="x" content="y">`, ""},
		{`<meta charset=`, ""},
		{``, ""},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			if got := metaCharset([]byte(tt.page)); got != tt.want {
				t.Errorf("metaCharset(%q) = %q, want %q", tt.page, got, tt.want)
			}
		})
	}
}

// decomposeTones writes s as Windows-1258 does: base letters precomposed,
// tone marks combining.
func decomposeTones(s string) string {
	var b strings.Builder
	for _, r := range s {
		d := norm.NFD.String(string(r))
		var base, marks strings.Builder
		for _, c := range d {
			switch c {
			case '\u0300', '\u0301', '\u0303', '\u0309', '\u0323':
				marks.WriteRune(c)
			default:
				base.WriteRune(c)
			}
		}
		b.WriteString(norm.NFC.String(base.String()) + marks.String())
	}
	return b.String()
}

func mustEncode(t *testing.T, s string) []byte {
	t.Helper()
	out, err := charmap.Windows1258.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDecodeLegacyFonts(t *testing.T) {
	const text = "Ủy ban nhân dân tỉnh họp bàn kế hoạch phát triển kinh tế xã hội năm tới, với nhiều ý kiến đóng góp của người dân."
	for _, enc := range []viet.Encoding{viet.TCVN3, viet.VNI, viet.VISCII} {
		t.Run(enc.String(), func(t *testing.T) {
			raw, err := viet.Encode(text, enc)
			if err != nil {
				t.Fatal(err)
			}
			page := append([]byte("<html><body><p>"), raw...)
			out, cs := Decode(page, nil)
			if cs.From != "sniff" || !strings.Contains(norm.NFC.String(viet.Normalize(string(out))), viet.Normalize(text)) {
				t.Errorf("Decode = %q (%s from %s), want the text back", out, cs.Name, cs.From)
			}
		})
	}
}
