package viet

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// detectSample bounds how much of a text detection reads.
const detectSample = 64 << 10

// DetectBytes reports which encoding the raw bytes b are written in. Valid
// UTF-8 is UTF8 (or NFD when its Vietnamese letters are mostly decomposed,
// or VIQR when it is ASCII that reads as VIQR Vietnamese); other bytes are
// decoded as TCVN3, VNI, VISCII and CP1258 and the encoding whose reading
// gives the most Vietnamese syllables wins. Ordinary UTF-8 text in any
// language is UTF8. Text declared UTF-8 but typed in a legacy font is
// FixMojibake's case, not this one's.
func DetectBytes(b []byte) Encoding {
	sample := b
	if len(sample) > detectSample {
		sample = sample[:detectSample]
		// Do not let a rune cut at the end make valid UTF-8 look invalid.
		for k := 0; k < utf8.UTFMax && len(sample) > 0 && !utf8.RuneStart(sample[len(sample)-1]); k++ {
			sample = sample[:len(sample)-1]
		}
		if len(sample) > 0 && sample[len(sample)-1] >= utf8.RuneSelf {
			sample = sample[:len(sample)-1]
		}
	}
	if utf8.Valid(sample) {
		s := string(sample)
		if isASCII(s) {
			if looksVIQR(s) {
				return VIQR
			}
			return UTF8
		}
		if decomposed(s) {
			return NFD
		}
		return UTF8
	}
	best, bestScore := CP1258, 0
	for _, enc := range []Encoding{TCVN3, VNI, VISCII, CP1258} {
		text, err := Decode(sample, enc)
		if err != nil {
			continue
		}
		good, bad := vietScore(text)
		if score := good - 2*bad; score > bestScore {
			best, bestScore = enc, score
		}
	}
	return best
}

// decomposed reports whether s writes its Vietnamese diacritics mostly as
// combining marks after the base letter.
func decomposed(s string) bool {
	marks, composed := 0, 0
	prevLetter := false
	for _, r := range s {
		switch {
		case r >= 0x0300 && r <= 0x036F:
			if prevLetter {
				marks++
			}
			continue
		case letters.info(r).vowel != 0 && r >= utf8.RuneSelf, r == 'đ', r == 'Đ':
			composed++
		}
		prevLetter = isLetterRune(r)
	}
	return marks > 0 && marks >= composed
}

// vietScore counts the words of s of two characters or more that hold
// non-ASCII characters: good ones are Vietnamese syllables, bad ones are
// not. Words are split at white space, ASCII punctuation and digits.
func vietScore(s string) (good, bad int) {
	syl := syllableSet()
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if wordBreak(r) {
			i += size
			continue
		}
		j, nonASCII, runes := i, false, 0
		for j < len(s) {
			q, n := utf8.DecodeRuneInString(s[j:])
			if wordBreak(q) {
				break
			}
			nonASCII = nonASCII || q >= utf8.RuneSelf
			j += n
			runes++
		}
		// One-character words ("ở", "•", "£") say too little either way.
		if nonASCII && runes > 1 {
			word := s[i:j]
			if !quickNFC(word) {
				word = Normalize(word) // decomposed letters
			}
			if syl.has(hashSyllable(word)) {
				good++
			} else {
				bad++
			}
		}
		i = j
	}
	return good, bad
}

// wordBreak reports whether r separates words for vietScore.
func wordBreak(r rune) bool {
	if r < utf8.RuneSelf {
		return !((r|0x20) >= 'a' && (r|0x20) <= 'z')
	}
	return unicode.IsSpace(r) || oddSpace(r) || invisible(r) || r == utf8.RuneError ||
		unicode.In(r, unicode.Pi, unicode.Pf, unicode.Pd, unicode.Ps, unicode.Pe) || r == '…'
}

// looksVIQR reports whether ASCII text s reads as VIQR Vietnamese: vowels
// followed by the VIQR circumflex, breve or horn marks inside words, and
// most marked words reading as Vietnamese syllables.
func looksVIQR(s string) bool {
	modifiers := 0
	for i := 1; i+1 < len(s); i++ {
		c := s[i]
		if (c == '^' || c == '+' || c == '(') && isASCIIVowel(s[i-1]) && i+1 < len(s) {
			modifiers++
		}
	}
	if modifiers < 2 {
		return false
	}
	good, bad := vietScore(decodeVIQR(s))
	return good >= 3 && good >= 4*bad
}

func isASCIIVowel(c byte) bool {
	switch c | 0x20 {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// viqrTones maps the VIQR tone characters to tones.
func viqrTone(c byte) uint8 {
	switch c {
	case '`':
		return toneGrave
	case '\'':
		return toneAcute
	case '?':
		return toneHook
	case '~':
		return toneTilde
	case '.':
		return toneDot
	}
	return toneNone
}

// isVIQRMark reports whether c is a VIQR mark character.
func isVIQRMark(c byte) bool {
	return viqrTone(c) != toneNone || c == '^' || c == '(' || c == '+'
}

// vowelIndex returns the 1-based vowel index of ASCII vowel c with VIQR
// modifier m (0 when the pair is not a Vietnamese letter).
func vowelIndex(c, m byte) uint8 {
	switch c | 0x20 {
	case 'a':
		switch m {
		case 0:
			return vA
		case '(':
			return vAbreve
		case '^':
			return vAcirc
		}
	case 'e':
		switch m {
		case 0:
			return vE
		case '^':
			return vEcirc
		}
	case 'i':
		if m == 0 {
			return vI
		}
	case 'o':
		switch m {
		case 0:
			return vO
		case '^':
			return vOcirc
		case '+':
			return vOhorn
		}
	case 'u':
		switch m {
		case 0:
			return vU
		case '+':
			return vUhorn
		}
	case 'y':
		if m == 0 {
			return vY
		}
	}
	return 0
}

// decodeVIQR converts VIQR text as RFC 1456 defines it: a vowel takes the
// modifier (^ ( +) and then the tone (' ` ? ~ .) that follow it, "dd" is
// "đ", and a backslash makes the next mark character literal ("vui\." is
// "vui." where "vui." would be "vụi").
func decodeVIQR(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && (isVIQRMark(s[i+1]) || s[i+1] == '\\' || s[i+1]|0x20 == 'd'):
			sb.WriteByte(s[i+1])
			i++
			continue
		case c|0x20 == 'd' && i+1 < len(s) && s[i+1]|0x20 == 'd':
			if c == 'D' {
				sb.WriteRune('Đ')
			} else {
				sb.WriteRune('đ')
			}
			i++
			continue
		case !isASCIIVowel(c):
			sb.WriteByte(c)
			continue
		}
		j := i + 1
		v := vowelIndex(c, 0)
		if j < len(s) {
			if w := vowelIndex(c, s[j]); w != 0 && (s[j] == '^' || s[j] == '(' || s[j] == '+') {
				v = w
				j++
			}
		}
		tone := uint8(toneNone)
		if j < len(s) {
			if t := viqrTone(s[j]); t != toneNone {
				tone = t
				j++
			}
		}
		up := 0
		if c < 'a' {
			up = 1
		}
		sb.WriteRune(letters.compose[v-1][tone][up])
		i = j - 1
	}
	return Normalize(sb.String())
}

// encodeVIQR writes s in VIQR, escaping with a backslash every literal mark
// character that would otherwise read as a mark.
func encodeVIQR(s string, t *tables) ([]byte, error) {
	out := make([]byte, 0, len(s)+len(s)/4)
	for _, r := range s {
		if v, ok := t.viqrEnc[r]; ok {
			out = append(out, v...)
			continue
		}
		if r >= utf8.RuneSelf {
			return nil, fmt.Errorf("viet: encode VIQR %q: %w", r, ErrUnencodable)
		}
		c := byte(r)
		if n := len(out); n > 0 {
			prev := out[n-1]
			escaped := n > 1 && out[n-2] == '\\'
			afterModifier := (prev == '^' || prev == '(' || prev == '+') && n > 1 && isASCIIVowel(out[n-2])
			switch {
			case c == '\\':
				out = append(out, '\\')
			case isVIQRMark(c) && isASCIIVowel(prev), viqrTone(c) != toneNone && afterModifier:
				out = append(out, '\\')
			case c|0x20 == 'd' && prev|0x20 == 'd' && !escaped:
				out = append(out, '\\')
			}
		} else if c == '\\' {
			out = append(out, '\\')
		}
		out = append(out, c)
	}
	return out, nil
}

// FixMojibake repairs text that was typed in a legacy font (.VnTime for
// TCVN3, VNI-Times for VNI) but stored or declared as Windows-1252/UTF-8, so
// that it reads "Hµ Néi" or "Haø Noäi" instead of "Hà Nội". It returns the
// repaired text in NFC and the encoding it was typed in; ordinary text in
// any language, including correct Vietnamese, comes back unchanged with
// UTF8.
func FixMojibake(s string) (string, Encoding) {
	if isASCII(s) {
		return s, UTF8
	}
	sample := s
	if len(sample) > detectSample {
		sample = strings.ToValidUTF8(sample[:detectSample], "")
	}
	good0, bad0 := vietScore(sample)
	if bad0 == 0 || bad0 <= good0 {
		return s, UTF8
	}
	b, ok := cp1252Bytes(sample)
	if !ok {
		return s, UTF8
	}
	t := encTables()
	best, bestScore := UTF8, good0-2*bad0
	for _, enc := range []Encoding{TCVN3, VNI} {
		var text string
		if enc == TCVN3 {
			text = decodeBytes(b, &t.tcvn3)
		} else {
			text = decodeVNI(string(cp1252Runes(b)), t)
		}
		good, bad := vietScore(text)
		if good < 2 || 4*bad > good {
			continue
		}
		if score := good - 2*bad; score > bestScore {
			best, bestScore = enc, score
		}
	}
	if best == UTF8 {
		return s, UTF8
	}
	if len(sample) != len(s) {
		b, ok = cp1252Bytes(s)
		if !ok {
			return s, UTF8
		}
	}
	if best == TCVN3 {
		return decodeBytes(b, &t.tcvn3), TCVN3
	}
	return decodeVNI(string(cp1252Runes(b)), t), VNI
}

// cp1252Bytes maps each rune of s back to its Windows-1252 byte; ok is false
// when a rune has none.
func cp1252Bytes(s string) ([]byte, bool) {
	t := encTables()
	out := make([]byte, 0, len(s))
	for _, r := range s {
		b, ok := t.cp1252[r]
		if !ok {
			return nil, false
		}
		out = append(out, b)
	}
	return out, true
}

// cp1252Runes reads b as Windows-1252.
func cp1252Runes(b []byte) []rune {
	out := make([]rune, len(b))
	for i, c := range b {
		out[i] = cp1252Rune(c)
	}
	return out
}
