package viet

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Kind is the kind of a token.
type Kind uint8

// The kinds of token Tokenize produces.
const (
	// Syllable is a word-like run of letters ("Hà", "nội", "online").
	Syllable Kind = iota + 1
	// Number is a number, date, time, ratio or percentage ("1.000",
	// "13/01/2020", "6,5%", "19h30").
	Number
	// URL is a web address ("https://vnexpress.net/…", "www.gov.vn").
	URL
	// Email is an e-mail address.
	Email
	// Abbrev is an abbreviation: an upper-case letter run that is not a
	// Vietnamese syllable ("HĐND", "UBND"), a dotted abbreviation ("TP.HCM",
	// "PGS.TS") or a code of letters and digits ("U23", "H5N1").
	Abbrev
	// Punct is punctuation ("," "." "…" "(").
	Punct
	// Symbol is any other visible character ("$", "+", "©", an emoji).
	Symbol
)

var kindNames = [...]string{"Invalid", "Syllable", "Number", "URL", "Email", "Abbrev", "Punct", "Symbol"}

// String returns the name of the kind ("Syllable", "Number", …).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Token is one token of a text: its text, its byte offsets in the text
// (text[Start:End] == Text) and its kind.
type Token struct {
	Text       string
	Start, End int
	Kind       Kind
}

// Tokenize splits s into tokens: syllables, numbers, URLs, e-mail addresses,
// abbreviations, punctuation and symbols, with byte offsets into s. White
// space separates tokens and makes none. Tokenize works on any text; text
// passed through Normalize first gives the most consistent tokens.
func Tokenize(s string) []Token {
	return AppendTokens(nil, s)
}

// AppendTokens appends the tokens of s (see Tokenize) to dst and returns the
// extended slice. It allocates only when dst must grow.
func AppendTokens(dst []Token, s string) []Token {
	for i := 0; i < len(s); {
		r, size := decodeRune(s, i)
		if isSpace(r) {
			i += size
			continue
		}
		end, kind := scanToken(s, i, r, size)
		dst = append(dst, Token{Text: s[i:end], Start: i, End: end, Kind: kind})
		i = end
	}
	return dst
}

// decodeRune decodes the rune at s[i:].
func decodeRune(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

// isSpace reports whether r separates tokens: white space, and the invisible
// characters Normalize removes.
func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\f' || r == '\v'
	}
	return unicode.IsSpace(r) || oddSpace(r) || invisible(r)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Letter classes of a rune.
const (
	classLetter = 1 << iota // a letter or a combining mark
	classUpper              // an upper-case letter
	classMark               // a combining mark
)

// classTable caches the classes of the runes below U+0370 and of Latin
// Extended Additional (U+1E00..U+1EFF), where Vietnamese letters live.
var classTable = func() *[0x470]uint8 {
	var t [0x470]uint8
	for i := range t {
		r := rune(i)
		if i >= 0x370 {
			r = 0x1E00 + rune(i-0x370)
		}
		t[i] = slowClass(r)
	}
	return &t
}()

func slowClass(r rune) uint8 {
	var c uint8
	if unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) {
		c |= classLetter
	}
	if unicode.IsUpper(r) {
		c |= classUpper
	}
	if unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) {
		c |= classMark
	}
	return c
}

// runeClass returns the letter classes of r.
func runeClass(r rune) uint8 {
	switch {
	case r < 0x370:
		return classTable[r]
	case r >= 0x1E00 && r < 0x1F00:
		return classTable[r-0x1E00+0x370]
	}
	return slowClass(r)
}

// isLetterRune reports whether r is a letter or a combining mark.
func isLetterRune(r rune) bool {
	if r < utf8.RuneSelf {
		return (r|0x20) >= 'a' && (r|0x20) <= 'z'
	}
	return runeClass(r)&classLetter != 0
}

// scanToken scans the token starting at s[i:], whose first rune is r.
func scanToken(s string, i int, r rune, size int) (int, Kind) {
	if r < utf8.RuneSelf && ((r|0x20) >= 'a' && (r|0x20) <= 'z' || isDigit(byte(r))) {
		if end := scanURL(s, i); end > i {
			return end, URL
		}
		if end := scanEmail(s, i); end > i {
			return end, Email
		}
	}
	switch {
	case r < utf8.RuneSelf && isDigit(byte(r)):
		return scanNumber(s, i)
	case isLetterRune(r):
		return scanWord(s, i)
	case r == '.':
		j := i
		for j < len(s) && s[j] == '.' {
			j++
		}
		return j, Punct
	case unicode.IsPunct(r):
		return i + size, Punct
	}
	return i + size, Symbol
}

// hasPrefixFold reports whether s[i:] starts with the ASCII prefix p, in any
// case.
func hasPrefixFold(s string, i int, p string) bool {
	if len(s)-i < len(p) {
		return false
	}
	for k := 0; k < len(p); k++ {
		c := s[i+k]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != p[k] {
			return false
		}
	}
	return true
}

// scanURL returns the end of a URL starting at s[i:], or i.
func scanURL(s string, i int) int {
	var n int
	switch {
	case hasPrefixFold(s, i, "https://"):
		n = 8
	case hasPrefixFold(s, i, "http://"):
		n = 7
	case hasPrefixFold(s, i, "www."):
		n = 4
	default:
		return i
	}
	j := i + n
	for j < len(s) {
		r, size := decodeRune(s, j)
		if isSpace(r) || r == '<' || r == '>' || r == '"' || r == '`' || r == '{' || r == '}' || r == '|' || r == '\\' || r == '^' {
			break
		}
		if r >= utf8.RuneSelf && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		j += size
	}
	// Trailing punctuation belongs to the sentence, not to the address.
	for j > i+n {
		c := s[j-1]
		if c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == ')' || c == ']' || c == '\'' {
			j--
			continue
		}
		break
	}
	if j <= i+n {
		return i
	}
	return j
}

func isEmailLocal(c byte) bool {
	return (c|0x20) >= 'a' && (c|0x20) <= 'z' || isDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func isDomainByte(c byte) bool {
	return (c|0x20) >= 'a' && (c|0x20) <= 'z' || isDigit(c) || c == '-' || c == '.'
}

// scanEmail returns the end of an e-mail address starting at s[i:], or i.
func scanEmail(s string, i int) int {
	j := i
	for j < len(s) && isEmailLocal(s[j]) {
		j++
	}
	if j == i || j >= len(s) || s[j] != '@' || s[j-1] == '.' {
		return i
	}
	k := j + 1
	for k < len(s) && isDomainByte(s[k]) {
		k++
	}
	for k > j+1 && (s[k-1] == '.' || s[k-1] == '-') {
		k--
	}
	// The domain needs a dot followed by a letter top-level domain.
	dom := s[j+1 : k]
	dot := -1
	for p := len(dom) - 1; p >= 0; p-- {
		if dom[p] == '.' {
			dot = p
			break
		}
	}
	if dot <= 0 || len(dom)-dot-1 < 2 {
		return i
	}
	for p := dot + 1; p < len(dom); p++ {
		if (dom[p]|0x20) < 'a' || (dom[p]|0x20) > 'z' {
			return i
		}
	}
	return k
}

// scanNumber scans a number: digits with inner separators (. , / : -),
// an optional percent sign, and letters glued to it ("19h30", "5km").
func scanNumber(s string, i int) (int, Kind) {
	j := i
	for j < len(s) {
		c := s[j]
		switch {
		case isDigit(c):
			j++
		case (c == '.' || c == ',' || c == '/' || c == ':' || c == '-') && j+1 < len(s) && isDigit(s[j+1]):
			j += 2
		default:
			goto done
		}
	}
done:
	if j < len(s) && s[j] == '%' {
		return j + 1, Number
	}
	// Letters and digits glued to the number ("19h30", "5km", "3G").
	for j < len(s) {
		r, size := decodeRune(s, j)
		if !isLetterRune(r) && !(r < utf8.RuneSelf && isDigit(byte(r))) {
			break
		}
		j += size
	}
	return j, Number
}

// scanWord scans a letter run, with digits glued to it ("U23") and dotted
// abbreviations ("TP.HCM").
func scanWord(s string, i int) (int, Kind) {
	j, upper, letters := scanLetters(s, i)
	kind := Syllable
	if j < len(s) && isDigit(s[j]) {
		// A code such as "U23" or "H5N1".
		for j < len(s) && (isDigit(s[j]) || (s[j]|0x20) >= 'a' && (s[j]|0x20) <= 'z') {
			j++
		}
		return j, Abbrev
	}
	// Dotted abbreviation: "TP.HCM", "Tp.HCM", "PGS.TS", "T.Ư": a first run
	// in upper case (or a short capitalized one) and then upper-case runs,
	// each after a single dot.
	if upper > 0 && j+1 < len(s) && s[j] == '.' {
		first := upper == letters || letters <= 3
		if r, _ := decodeRune(s, i); !unicode.IsUpper(r) {
			first = false
		}
		end := j
		for first && end+1 < len(s) && s[end] == '.' {
			k, u, l := scanLetters(s, end+1)
			if l == 0 || u != l {
				break
			}
			end = k
		}
		if end > j {
			return end, Abbrev
		}
	}
	if upper >= 2 {
		word := s[i:j]
		if upper == letters && !isSyllable(word) {
			kind = Abbrev
		} else if upper < letters && hasAbbreviation(word) {
			kind = Abbrev
		}
	}
	return j, kind
}

// scanLetters scans a run of letters and combining marks, counting the
// upper-case letters and letters.
func scanLetters(s string, i int) (end, upper, letters int) {
	j := i
	for j < len(s) {
		c := s[j]
		if c < utf8.RuneSelf {
			if (c|0x20) < 'a' || (c|0x20) > 'z' {
				break
			}
			if c <= 'Z' {
				upper++
			}
			letters++
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		cl := runeClass(r)
		if cl&classLetter == 0 {
			break
		}
		if cl&classUpper != 0 {
			upper++
		}
		if cl&classMark == 0 {
			letters++
		}
		j += size
	}
	return j, upper, letters
}
