package viet

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns the search form of s: lower case, without diacritics
// ("Hà Nội" → "ha noi", "Đà Nẵng" → "da nang"), with the invisible
// characters Normalize removes dropped and odd spaces made ordinary spaces.
// Every text and its normalized form fold alike: Fold(Normalize(x)) ==
// Fold(x). Fold returns s itself when s is already folded.
func Fold(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || (c >= 'A' && c <= 'Z') {
			return string(AppendFold(make([]byte, 0, len(s)), s))
		}
	}
	return s
}

// AppendFold appends the folded form of s (see Fold) to dst and returns the
// extended buffer. It allocates only when dst must grow.
func AppendFold(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r < foldLowSize:
			if f := folds.low[r]; f >= 0 {
				dst = utf8.AppendRune(dst, f)
			}
		case r >= 0x1E00 && r < 0x1F00:
			if f := folds.ext[r-0x1E00]; f >= 0 {
				dst = utf8.AppendRune(dst, f)
			}
		default:
			dst = appendFoldRune(dst, r)
		}
	}
	return dst
}

// foldLowSize is the end of the directly tabled range (Latin, Latin-1,
// Latin Extended-A and -B, IPA extensions, combining diacritical marks).
const foldLowSize = 0x370

// foldTable maps a rune to its folded rune, or -1 when it folds to nothing.
type foldTable struct {
	low [foldLowSize]rune
	ext [0x100]rune
}

var folds = buildFolds()

func buildFolds() *foldTable {
	t := &foldTable{}
	var buf []byte
	one := func(r rune) rune {
		buf = appendFoldRune(buf[:0], r)
		if len(buf) == 0 {
			return -1
		}
		f, size := utf8.DecodeRune(buf)
		if size != len(buf) {
			// Never the case for these ranges; keep the rune itself.
			return unicode.ToLower(r)
		}
		return f
	}
	for r := rune(0); r < foldLowSize; r++ {
		t.low[r] = one(r)
	}
	for r := rune(0); r < 0x100; r++ {
		t.ext[r] = one(0x1E00 + r)
	}
	return t
}

// appendFoldRune folds one rune the slow way: canonical decomposition,
// lower case, combining marks dropped, a few letters without decomposition
// (đ, ð, ø, ł, ı) mapped to their base letter.
func appendFoldRune(dst []byte, r rune) []byte {
	switch {
	case invisible(r):
		return dst
	case oddSpace(r):
		return append(dst, ' ')
	case r >= 0x2000 && r < 0x2070, r >= 0x20A0 && r < 0x20D0:
		// Punctuation and currency signs: nothing to decompose or lower.
		return utf8.AppendRune(dst, r)
	}
	var tmp [utf8.UTFMax]byte
	n := utf8.EncodeRune(tmp[:], r)
	var dec [64]byte
	d := norm.NFD.Append(dec[:0], tmp[:n]...)
	for k := 0; k < len(d); {
		q, size := utf8.DecodeRune(d[k:])
		if unicode.Is(unicode.Mn, q) || norm.NFD.Properties(d[k:k+size]).CCC() != 0 {
			k += size
			continue
		}
		k += size
		switch q = unicode.ToLower(q); q {
		case 'đ', 'ð':
			q = 'd'
		case 'ø':
			q = 'o'
		case 'ł':
			q = 'l'
		case 'ı':
			q = 'i'
		}
		dst = utf8.AppendRune(dst, q)
	}
	return dst
}
