package viet

import (
	"unicode"
	"unicode/utf8"
)

// Tone marks, in the order used by the letter tables below.
const (
	toneNone  = 0
	toneGrave = 1 // huyền
	toneAcute = 2 // sắc
	toneHook  = 3 // hỏi
	toneTilde = 4 // ngã
	toneDot   = 5 // nặng
)

// vowelRows lists the twelve Vietnamese vowel letters, each followed by its
// five toned forms (grave, acute, hook above, tilde, dot below).
var vowelRows = [12]string{
	"aàáảãạ", "ăằắẳẵặ", "âầấẩẫậ", "eèéẻẽẹ", "êềếểễệ", "iìíỉĩị",
	"oòóỏõọ", "ôồốổỗộ", "ơờớởỡợ", "uùúủũụ", "ưừứửữự", "yỳýỷỹỵ",
}

// letterInfo describes one Vietnamese vowel letter: which of the twelve
// vowels it is (1-based, 0 = not a Vietnamese vowel), its tone and its case.
type letterInfo struct {
	vowel uint8
	tone  uint8
	upper bool
}

// letterTable is the immutable table of the Vietnamese vowel letters and
// their toned forms, indexed by rune, with the composed forms for the
// reverse direction.
type letterTable struct {
	// low covers U+0000..U+01FF, ext covers U+1E00..U+1EFF.
	low [0x200]letterInfo
	ext [0x100]letterInfo
	// compose[vowel-1][tone][upper] is the precomposed letter.
	compose [12][6][2]rune
}

var letters = buildLetters()

func buildLetters() *letterTable {
	t := &letterTable{}
	for v, row := range vowelRows {
		tone := 0
		for _, r := range row {
			for up := 0; up < 2; up++ {
				c := r
				if up == 1 {
					c = unicode.ToUpper(r)
				}
				t.compose[v][tone][up] = c
				info := letterInfo{vowel: uint8(v + 1), tone: uint8(tone), upper: up == 1}
				switch {
				case c < 0x200:
					t.low[c] = info
				case c >= 0x1E00 && c < 0x1F00:
					t.ext[c-0x1E00] = info
				}
			}
			tone++
		}
	}
	return t
}

// vowelOf returns the letter information of r (vowel 0 when r is not a
// Vietnamese vowel letter).
func (t *letterTable) info(r rune) letterInfo {
	switch {
	case r < 0x200:
		return t.low[r]
	case r >= 0x1E00 && r < 0x1F00:
		return t.ext[r-0x1E00]
	}
	return letterInfo{}
}

// Vowel indexes (1-based) into vowelRows.
const (
	vA = 1 + iota
	vAbreve
	vAcirc
	vE
	vEcirc
	vI
	vO
	vOcirc
	vOhorn
	vU
	vUhorn
	vY
)

// hasModifier reports whether vowel v carries a circumflex, breve or horn.
func hasModifier(v uint8) bool {
	switch v {
	case vAbreve, vAcirc, vEcirc, vOcirc, vOhorn, vUhorn:
		return true
	}
	return false
}

// maxSyllableRunes bounds the length of a letter run treated as a syllable
// ("nghiêng" has 7 letters).
const maxSyllableRunes = 8

// syllableParts is a letter run split into Vietnamese letters.
type syllableParts struct {
	n     int
	r     [maxSyllableRunes]rune
	info  [maxSyllableRunes]letterInfo
	lower [maxSyllableRunes]rune
}

// baseVowels is the lower-case, toneless form of each of the twelve vowels.
var baseVowels = [12]rune{'a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y'}

// split fills p from word and reports whether word is short enough and made
// of Vietnamese letters only.
func (p *syllableParts) split(word string) bool {
	p.n = 0
	for _, r := range word {
		if p.n == maxSyllableRunes {
			return false
		}
		info := letters.info(r)
		lr := r
		switch {
		case info.vowel != 0:
			lr = baseVowels[info.vowel-1]
		case r >= 'A' && r <= 'Z':
			lr = r + 'a' - 'A'
		case r == 'Đ':
			lr = 'đ'
		case r >= 'a' && r <= 'z', r == 'đ':
		default:
			return false
		}
		p.r[p.n] = r
		p.info[p.n] = info
		p.lower[p.n] = lr
		p.n++
	}
	return p.n > 0
}

// lowerString appends the lower-case toneless letters [i, j) to dst.
func (p *syllableParts) lowerString(dst []byte, i, j int) []byte {
	for k := i; k < j; k++ {
		dst = utf8.AppendRune(dst, p.lower[k])
	}
	return dst
}

// validOnset reports whether o is a Vietnamese initial consonant ("qu"
// and "gi" are handled apart).
func validOnset(o string) bool {
	switch o {
	case "", "b", "c", "ch", "d", "đ", "g", "gh", "h", "k", "kh", "l", "m", "n", "ng", "ngh",
		"nh", "p", "ph", "r", "s", "t", "th", "tr", "v", "x":
		return true
	}
	return false
}

// validCoda reports whether c is a Vietnamese final consonant.
func validCoda(c string) bool {
	switch c {
	case "", "c", "ch", "m", "n", "ng", "nh", "p", "t":
		return true
	}
	return false
}

// validNucleus reports whether n is a Vietnamese vowel cluster (toneless).
func validNucleus(n string) bool {
	switch n {
	case "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y",
		"ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi",
		"ôi", "ơi", "ua", "uâ", "uê", "ui", "uô", "uơ", "uy", "ưa", "ưi", "ưu", "ươ", "yê", "oo",
		"iêu", "yêu", "oai", "oao", "oay", "oeo", "uây", "uôi", "uya", "uyê", "uyu", "ươi", "ươu":
		return true
	}
	return false
}

// toneTarget finds, for a parsed syllable, the index of the letter that
// carries the tone in the canonical ("new") placement, the tone itself, and
// whether the run is a well-formed Vietnamese syllable with at most one tone.
func (p *syllableParts) toneTarget() (target int, tone uint8, ok bool) {
	return p.placement(true)
}

// placement finds the canonical tone position like toneTarget; when
// validate is false it skips the checks of the initial, vowel cluster and
// final consonant, which only matter when the tone is to be moved.
func (p *syllableParts) placement(validate bool) (target int, tone uint8, ok bool) {
	// Find the tone (at most one).
	for i := 0; i < p.n; i++ {
		if t := p.info[i].tone; t != toneNone {
			if tone != toneNone {
				return 0, 0, false
			}
			tone = t
		}
	}
	// Onset: consonants before the first vowel; the "u" of "qu" and the
	// "i" of "gi" before another vowel belong to it.
	i := 0
	for i < p.n && p.info[i].vowel == 0 {
		i++
	}
	onsetEnd := i
	switch {
	case i == 1 && p.lower[0] == 'q' && i < p.n && p.lower[i] == 'u':
		i++
	case i == 1 && p.lower[0] == 'g' && i+1 < p.n && p.lower[i] == 'i' && p.info[i+1].vowel != 0:
		i++
	}
	start := i
	for i < p.n && p.info[i].vowel != 0 {
		i++
	}
	end := i
	if start == end {
		return 0, 0, false
	}
	if validate {
		var buf [3 * maxSyllableRunes]byte
		if start == onsetEnd && !validOnset(string(p.lowerString(buf[:0], 0, onsetEnd))) ||
			!validNucleus(string(p.lowerString(buf[:0], start, end))) ||
			!validCoda(string(p.lowerString(buf[:0], end, p.n))) {
			return 0, 0, false
		}
	} else if end < p.n && p.info[p.n-1].vowel != 0 {
		return 0, 0, false // vowels after the final consonant: not a syllable
	}
	// Placement: the last vowel with a modifier; else the last vowel when a
	// final consonant follows; else by cluster.
	target = -1
	for k := start; k < end; k++ {
		if hasModifier(p.info[k].vowel) {
			target = k
		}
	}
	if target < 0 {
		switch n := end - start; {
		case end < p.n:
			target = end - 1
		case n == 1:
			target = start
		case n == 2:
			target = start
			switch a, b := p.info[start].vowel, p.info[start+1].vowel; {
			case a == vO && (b == vA || b == vE), a == vU && b == vY:
				target = start + 1
			}
		default:
			target = start + 1
		}
	}
	return target, tone, true
}

// appendCanonical appends the syllable with its tone moved to target.
func (p *syllableParts) appendCanonical(dst []byte, target int, tone uint8) []byte {
	for i := 0; i < p.n; i++ {
		info := p.info[i]
		if info.vowel == 0 {
			dst = utf8.AppendRune(dst, p.r[i])
			continue
		}
		t := uint8(toneNone)
		if i == target {
			t = tone
		}
		up := 0
		if info.upper {
			up = 1
		}
		dst = utf8.AppendRune(dst, letters.compose[info.vowel-1][t][up])
	}
	return dst
}

// isSyllable reports whether the letter run word is a well-formed Vietnamese
// syllable (any case, any tone placement).
func isSyllable(word string) bool {
	var p syllableParts
	if !p.split(word) {
		return false
	}
	_, _, ok := p.toneTarget()
	return ok
}
