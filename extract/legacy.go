package extract

import (
	"golang.org/x/text/encoding/charmap"
)

// decodeLegacy decodes a page in a legacy Vietnamese encoding named by
// label; ok is false when the label is not one.
func decodeLegacy(label string, page []byte) ([]byte, bool) {
	switch label {
	case "windows-1258", "cp1258", "x-cp1258":
		return decodeWith(charmap.Windows1258, page), true
	}
	return nil, false
}

// sniffLegacy guesses the legacy Vietnamese encoding of bytes that are not
// UTF-8. It looks for the combining tone marks of Windows-1258 (0xCC, 0xEC,
// 0xD2, 0xDE, 0xF2) following a Latin letter.
func sniffLegacy(page []byte) (string, bool) {
	tones, high := 0, 0
	for i := 1; i < len(page); i++ {
		c := page[i]
		if c < 0x80 {
			continue
		}
		high++
		switch c {
		case 0xCC, 0xEC, 0xD2, 0xDE, 0xF2:
			p := page[i-1]
			if p|0x20 >= 'a' && p|0x20 <= 'z' || p >= 0xC0 {
				tones++
			}
		}
	}
	if high > 0 && tones*10 >= high {
		return "windows-1258", true
	}
	return "", false
}
