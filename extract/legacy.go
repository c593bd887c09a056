package extract

import (
	"golang.org/x/text/encoding/charmap"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/viet"
)

// decodeLegacy decodes a page in a legacy Vietnamese encoding named by
// label (TCVN3, VNI, VISCII, VIQR, Windows-1258) through the viet package;
// ok is false when the label names none of them.
func decodeLegacy(label string, page []byte) ([]byte, bool) {
	enc, err := viet.ParseEncoding(label)
	if err != nil || enc == viet.UTF8 || enc == viet.NFD {
		return nil, false
	}
	if enc == viet.CP1258 {
		// Windows-1258 maps to Unicode letter for letter: decode it as
		// written (NFC only), as UTF-8 pages are, and leave the canonical
		// tone placement of viet.Normalize to the analysis stage.
		return decodeWith(charmap.Windows1258, page), true
	}
	s, err := viet.Decode(page, enc)
	if err != nil {
		return nil, false
	}
	return []byte(s), true
}

// sniffLegacy guesses the legacy Vietnamese encoding of bytes that are not
// UTF-8. Windows-1258, the detector's fallback, must also show its
// combining tone marks after letters.
func sniffLegacy(page []byte) (string, bool) {
	switch enc := viet.DetectBytes(page); enc {
	case viet.UTF8, viet.NFD, viet.VIQR:
		return "", false
	case viet.CP1258:
		return enc.String(), cp1258Tones(page)
	default:
		return enc.String(), true
	}
}

// legacyInWestern reports the legacy encoding of a page declared as a
// Western code page whose decoded text reads as a legacy Vietnamese font.
func legacyInWestern(page, decoded []byte) (string, bool) {
	sample := decoded
	if len(sample) > 64<<10 {
		sample = sample[:64<<10]
	}
	if _, enc := viet.FixMojibake(string(sample)); enc != viet.UTF8 {
		return enc.String(), true
	}
	if cp1258Tones(page) {
		return viet.CP1258.String(), true
	}
	return "", false
}

// cp1258Tones reports whether the combining tone marks of Windows-1258
// (0xCC, 0xEC, 0xD2, 0xDE, 0xF2) follow letters often enough to be
// Vietnamese text.
func cp1258Tones(page []byte) bool {
	if len(page) > 64<<10 {
		page = page[:64<<10]
	}
	tones, high := 0, 0
	for i := 1; i < len(page); i++ {
		c := page[i]
		if c < 0x80 {
			continue
		}
		high++
		switch c {
		case 0xCC, 0xEC, 0xD2, 0xDE, 0xF2:
			if p := page[i-1]; p|0x20 >= 'a' && p|0x20 <= 'z' || p >= 0xC0 {
				tones++
			}
		}
	}
	return high > 0 && tones*10 >= high && tones >= 3
}

// fixMojibake repairs an article typed in a legacy font but served as
// Unicode ("Hµ Néi" for "Hà Nội"): when the title, lead and body read as
// such, every text field is repaired.
func fixMojibake(a *diembao.Article) {
	sample := a.Title + "\n" + a.Sapo
	for i := 0; i < len(a.Body) && len(sample) < 4096; i++ {
		sample += "\n" + a.Body[i].Text
	}
	if _, enc := viet.FixMojibake(sample); enc == viet.UTF8 {
		return
	}
	fix := func(s string) string {
		t, _ := viet.FixMojibake(s)
		return t
	}
	a.Title, a.Sapo, a.Author = fix(a.Title), fix(a.Sapo), fix(a.Author)
	for i := range a.Body {
		a.Body[i].Text = fix(a.Body[i].Text)
	}
	for i := range a.Captions {
		a.Captions[i] = fix(a.Captions[i])
	}
	for i := range a.Images {
		a.Images[i].Caption = fix(a.Images[i].Caption)
	}
	if a.Attribution != nil {
		a.Attribution.Outlet = fix(a.Attribution.Outlet)
	}
}
