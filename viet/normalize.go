package viet

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns s in the form every stage of diembao compares and
// indexes: Unicode NFC; one canonical tone-mark placement in each Vietnamese
// syllable (hòa → hoà, thủy → thuỷ, khỏe → khoẻ, while quý and giá keep
// theirs); zero-width characters, soft hyphens and direction marks removed;
// no-break and other odd spaces replaced by an ordinary space. Case, line
// breaks and everything else are kept. Normalize is idempotent and returns s
// itself, without allocating, when s is already normalized. Callers keep the
// original text for display.
func Normalize(s string) string {
	if out, ok := placeTonesChecked(s, true); ok {
		return out // nothing to clean, certainly NFC: one pass
	}
	t := clean(s)
	if !quickNFC(t) && !norm.NFC.IsNormalString(t) {
		t = norm.NFC.String(t)
	}
	return placeTones(t)
}

// quickNFC reports whether s is certainly in NFC because every rune is
// ASCII, a Latin letter or symbol below the combining marks, a precomposed
// letter of Latin Extended Additional or a punctuation or currency sign;
// false means "look closer".
func quickNFC(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if !quickRune(r) {
			return false
		}
	}
	return true
}

// quickRune reports whether the non-ASCII rune r is certainly unchanged by
// Normalize's cleaning and NFC whatever surrounds it.
func quickRune(r rune) bool {
	switch {
	case r > 0x00A0 && r < 0x0300 && r != 0x00AD:
	case r >= 0x1E00 && r < 0x1F00:
	case r >= 0x2010 && r < 0x20D0 && !invisible(r) && !oddSpace(r):
	default:
		return false
	}
	return true
}

// isASCII reports whether s holds only ASCII bytes.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// invisible reports whether r is a character Normalize removes: zero-width
// spaces and joiners, the soft hyphen, direction marks and the byte order mark.
func invisible(r rune) bool {
	switch {
	case r == 0x00AD, r == 0x180E, r == 0xFEFF:
		return true
	case r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E:
		return true
	case r >= 0x2060 && r <= 0x2064, r >= 0x2066 && r <= 0x206F:
		return true
	}
	return false
}

// oddSpace reports whether r is a space character Normalize replaces with
// U+0020.
func oddSpace(r rune) bool {
	switch {
	case r == 0x00A0, r == 0x1680, r == 0x202F, r == 0x205F, r == 0x3000:
		return true
	case r >= 0x2000 && r <= 0x200A:
		return true
	}
	return false
}

// clean removes invisible characters and replaces odd spaces; it returns s
// when there is nothing to change.
func clean(s string) string {
	var out []byte
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case invisible(r):
			out = append(out, s[last:i]...)
			last = i + size
		case oddSpace(r):
			out = append(out, s[last:i]...)
			out = append(out, ' ')
			last = i + size
		}
		i += size
	}
	if out == nil && last == 0 {
		return s
	}
	out = append(out, s[last:]...)
	return string(out)
}

// isWordRune reports whether r belongs to a letter run: a letter or a
// combining mark.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return (r|0x20) >= 'a' && (r|0x20) <= 'z'
	}
	if r >= 0x1EA0 && r <= 0x1EF9 || letters.info(r).vowel != 0 || r == 'đ' || r == 'Đ' {
		return true
	}
	return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r)
}

// placeTones moves each syllable's tone mark to its canonical vowel; it
// returns s when nothing moves.
func placeTones(s string) string {
	out, _ := placeTonesChecked(s, false)
	return out
}

// placeTonesChecked is placeTones; with check set it gives up (ok false) as
// soon as it meets a rune that clean would change or that quickNFC does not
// accept.
func placeTonesChecked(s string, check bool) (string, bool) {
	var out []byte
	var p syllableParts
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf && !((c|0x20) >= 'a' && (c|0x20) <= 'z') {
			i++
			continue
		}
		j, vowels, toned, eth := i, 0, false, false
		for j < len(s) {
			r, size := rune(s[j]), 1
			if r >= utf8.RuneSelf {
				r, size = utf8.DecodeRuneInString(s[j:])
			}
			if !isWordRune(r) {
				break
			}
			if info := letters.info(r); info.vowel != 0 {
				vowels++
				toned = toned || info.tone != toneNone
			} else if check && r >= utf8.RuneSelf && !quickRune(r) {
				return "", false
			}
			eth = eth || r == 'Ð' || r == 'ð'
			j += size
		}
		if eth {
			// "Ð" (eth) typed for "Đ": fix it when the word then reads as a
			// Vietnamese syllable ("Ðảng" → "Đảng"), never in other languages.
			var buf [4 * maxSyllableRunes]byte
			if fixed, ok := fixEth(buf[:0], s[i:j]); ok && p.split(string(fixed)) {
				if target, tone, ok := p.toneTarget(); ok {
					out = append(out, s[last:i]...)
					out = p.appendCanonical(out, target, tone)
					last = j
				}
			}
			i = j
			continue
		}
		if j == i { // a non-ASCII rune that is not part of a word
			r, size := utf8.DecodeRuneInString(s[i:])
			if check && !quickRune(r) {
				return "", false
			}
			i += size
			continue
		}
		if toned && vowels >= 2 && p.split(s[i:j]) && p.misplaced() {
			if target, tone, ok := p.toneTarget(); ok && p.info[target].tone != tone {
				out = append(out, s[last:i]...)
				out = p.appendCanonical(out, target, tone)
				last = j
			}
		}
		i = j
	}
	if out == nil {
		return s, true
	}
	out = append(out, s[last:]...)
	return string(out), true
}

// fixEth appends word with "Ð"/"ð" (eth) replaced by "Đ"/"đ"; ok is false
// when the word is too long to be a syllable.
func fixEth(dst []byte, word string) ([]byte, bool) {
	if len(word) > cap(dst) {
		return dst, false
	}
	for _, r := range word {
		switch r {
		case 'Ð':
			r = 'Đ'
		case 'ð':
			r = 'đ'
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst, true
}

// misplaced reports whether the tone of a split syllable may sit elsewhere
// than its canonical place, checking the structure only roughly; callers
// confirm with toneTarget.
func (p *syllableParts) misplaced() bool {
	target, tone, ok := p.placement(false)
	return ok && p.info[target].tone != tone
}
