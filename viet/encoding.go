package viet

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/diembao/diembao/viet/vietdata"
)

// Encoding is a way of writing Vietnamese text as bytes.
type Encoding int

// The encodings Decode and Encode know.
const (
	// UTF8 is Unicode in UTF-8 with precomposed letters (NFC).
	UTF8 Encoding = iota
	// NFD is Unicode in UTF-8 with decomposed letters: a base letter followed
	// by combining marks, as some systems and keyboards write it.
	NFD
	// TCVN3 is TCVN 5712:1993 (ABC, VN3), the 8-bit encoding of the
	// .VnTime fonts.
	TCVN3
	// VNI is the VNI-Windows font encoding: a base letter followed by mark
	// bytes, read through Windows-1252.
	VNI
	// VIQR is the 7-bit ASCII quoting convention ("Vie^.t Nam").
	VIQR
	// VISCII is the 8-bit Vietnamese Standard Code for Information
	// Interchange (RFC 1456).
	VISCII
	// CP1258 is Windows-1258: precomposed base letters and combining tone
	// marks.
	CP1258
)

var encodingNames = [...]string{"UTF-8", "NFD", "TCVN3", "VNI", "VIQR", "VISCII", "CP1258"}

// String returns the usual name of the encoding ("UTF-8", "TCVN3", …).
func (e Encoding) String() string {
	if e >= 0 && int(e) < len(encodingNames) {
		return encodingNames[e]
	}
	return "Encoding(" + strconv.Itoa(int(e)) + ")"
}

// ParseEncoding returns the encoding named name (as String writes it, in any
// case; "ABC", "VN3", "Windows-1258" and "UTF8" are accepted too).
func ParseEncoding(name string) (Encoding, error) {
	switch strings.ToUpper(strings.TrimSpace(name)) {
	case "UTF-8", "UTF8", "NFC":
		return UTF8, nil
	case "NFD":
		return NFD, nil
	case "TCVN3", "TCVN", "ABC", "VN3", "TCVN5712", "TCVN5712-1":
		return TCVN3, nil
	case "VNI", "VNI-WINDOWS":
		return VNI, nil
	case "VIQR":
		return VIQR, nil
	case "VISCII":
		return VISCII, nil
	case "CP1258", "WINDOWS-1258":
		return CP1258, nil
	}
	return 0, fmt.Errorf("viet: unknown encoding %q", name)
}

// ErrUnencodable is returned (wrapped) by Encode when the text holds a
// character the target encoding cannot write.
var ErrUnencodable = errors.New("viet: character not representable")

// cp1252High maps bytes 0x80..0x9F of Windows-1252 to runes; bytes that
// Windows-1252 leaves undefined read as the C1 control of the same value.
var cp1252High = [32]rune{
	0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
	0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
}

// cp1252Rune returns the Windows-1252 reading of byte b.
func cp1252Rune(b byte) rune {
	if b >= 0x80 && b < 0xA0 {
		return cp1252High[b-0x80]
	}
	return rune(b)
}

// byteTable is a single-byte encoding: each byte's rune, and the reverse.
type byteTable struct {
	dec [256]rune
	enc map[rune]byte
}

// tables holds every conversion table, parsed once from package vietdata.
type tables struct {
	tcvn3, viscii, cp1258 byteTable
	cp1252                map[rune]byte
	// vni maps Unicode letters to their VNI form (read through cp1252) and
	// back; vniLongest is the longest VNI form in runes.
	vniEnc map[rune]string
	vniDec map[string]rune
	// viqrEnc maps letters to VIQR.
	viqrEnc map[rune]string
}

var encTables = sync.OnceValue(func() *tables {
	t, err := parseTables()
	if err != nil {
		panic(err) // the embedded tables are part of the program
	}
	return t
})

// parseCharmap reads a GNU C Library charmap into a single-byte table;
// multi-byte lines are skipped.
func parseCharmap(data string, t *byteTable) error {
	t.enc = map[rune]byte{}
	for i := range t.dec {
		t.dec[i] = utf8.RuneError
	}
	in := false
	for line := range strings.Lines(data) {
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
			continue
		case f[0] == "CHARMAP":
			in = true
			continue
		case f[0] == "END":
			in = false
			continue
		}
		if !in || len(f) < 2 || !strings.HasPrefix(f[0], "<U") || len(f[1]) != 4 || !strings.HasPrefix(f[1], "/x") {
			continue
		}
		r, err1 := strconv.ParseUint(strings.Trim(f[0], "<U>"), 16, 32)
		b, err2 := strconv.ParseUint(f[1][2:], 16, 8)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("viet: charmap line %q", strings.TrimSpace(line))
		}
		t.dec[b] = rune(r)
		if _, dup := t.enc[rune(r)]; !dup {
			t.enc[rune(r)] = byte(b)
		}
	}
	return nil
}

func parseTables() (*tables, error) {
	t := &tables{cp1252: map[rune]byte{}, vniEnc: map[rune]string{}, vniDec: map[string]rune{}, viqrEnc: map[rune]string{}}
	for _, c := range []struct {
		data string
		t    *byteTable
	}{{vietdata.CharmapTCVN3, &t.tcvn3}, {vietdata.CharmapVISCII, &t.viscii}, {vietdata.CharmapCP1258, &t.cp1258}} {
		if err := parseCharmap(c.data, c.t); err != nil {
			return nil, err
		}
	}
	for b := 0; b < 256; b++ {
		t.cp1252[cp1252Rune(byte(b))] = byte(b)
	}
	first := true
	for line := range strings.Lines(vietdata.LetterTable) {
		if first {
			first = false
			continue
		}
		f := strings.Split(strings.TrimRight(line, "\r\n"), "\t")
		if len(f) < 5 {
			continue
		}
		r, _ := utf8.DecodeRuneInString(f[0])
		vni, viqr := f[2], f[4]
		// The source table gives "ỹ" and "Ỹ" the VNI form of "ì" and "Ì";
		// VNI writes them as y/Y with the tilde byte, like every other tilde.
		switch r {
		case 'ỹ':
			vni = "yõ"
		case 'Ỹ':
			vni = "YÕ"
		}
		t.vniEnc[r] = vni
		if _, dup := t.vniDec[vni]; !dup {
			t.vniDec[vni] = r
		}
		t.viqrEnc[r] = viqr
	}
	return t, nil
}

// Decode converts b, written in enc, to Unicode text in NFC (see Normalize
// for the tone-mark placement it applies). Bytes that enc leaves undefined
// become U+FFFD; invalid UTF-8 in UTF8 and NFD input does too.
func Decode(b []byte, enc Encoding) (string, error) {
	t := encTables()
	switch enc {
	case UTF8, NFD:
		return Normalize(strings.ToValidUTF8(string(b), "\uFFFD")), nil
	case TCVN3:
		return decodeBytes(b, &t.tcvn3), nil
	case VISCII:
		return decodeBytes(b, &t.viscii), nil
	case CP1258:
		return decodeBytes(b, &t.cp1258), nil
	case VNI:
		return decodeVNI(cp1252String(b), t), nil
	case VIQR:
		return decodeVIQR(strings.ToValidUTF8(string(b), "\uFFFD")), nil
	}
	return "", fmt.Errorf("viet: decode: unknown encoding %d", int(enc))
}

// cp1252String reads b as Windows-1252.
func cp1252String(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/2)
	for _, c := range b {
		sb.WriteRune(cp1252Rune(c))
	}
	return sb.String()
}

func decodeBytes(b []byte, t *byteTable) string {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/2)
	for _, c := range b {
		sb.WriteRune(t.dec[c])
	}
	return Normalize(sb.String())
}

// decodeVNI converts text in VNI (read through cp1252) by longest match of
// the letter table: a base letter with its mark characters first.
func decodeVNI(s string, t *tables) string {
	var sb strings.Builder
	sb.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if size2 := nextRuneLen(s, i+size); size2 > 0 {
			if u, ok := t.vniDec[s[i:i+size+size2]]; ok {
				sb.WriteRune(u)
				i += size + size2
				continue
			}
		}
		if u, ok := t.vniDec[s[i:i+size]]; ok {
			r = u
		}
		sb.WriteRune(r)
		i += size
	}
	return Normalize(sb.String())
}

func nextRuneLen(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	_, size := utf8.DecodeRuneInString(s[i:])
	return size
}

// Encode converts Unicode text s to enc. Characters that enc cannot write
// make it fail with an error wrapping ErrUnencodable; for UTF8 and NFD it
// never fails. Text is written with the canonical tone placement.
func Encode(s string, enc Encoding) ([]byte, error) {
	t := encTables()
	s = Normalize(s)
	switch enc {
	case UTF8:
		return []byte(s), nil
	case NFD:
		return []byte(norm.NFD.String(s)), nil
	case TCVN3:
		return encodeBytes(s, &t.tcvn3, "TCVN3")
	case VISCII:
		return encodeBytes(s, &t.viscii, "VISCII")
	case CP1258:
		return encodeBytes(s, &t.cp1258, "CP1258")
	case VNI:
		var out []byte
		for _, r := range s {
			if v, ok := t.vniEnc[r]; ok {
				for _, c := range v {
					out = append(out, t.cp1252[c])
				}
				continue
			}
			b, ok := t.cp1252[r]
			if !ok {
				return nil, fmt.Errorf("viet: encode VNI %q: %w", r, ErrUnencodable)
			}
			out = append(out, b)
		}
		return out, nil
	case VIQR:
		return encodeVIQR(s, t)
	}
	return nil, fmt.Errorf("viet: encode: unknown encoding %d", int(enc))
}

// encodeBytes writes s in a single-byte table, decomposing letters the
// table has no precomposed byte for into base letter and combining marks.
func encodeBytes(s string, t *byteTable, name string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if b, ok := t.enc[r]; ok {
			out = append(out, b)
			continue
		}
		enc, ok := encodeDecomposed(out, r, t)
		if !ok {
			return nil, fmt.Errorf("viet: encode %s %q: %w", name, r, ErrUnencodable)
		}
		out = enc
	}
	return out, nil
}

// encodeDecomposed writes r as a precomposed letter the table holds
// followed by combining marks: first the letter without its tone and the
// tone mark (CP1258 writes "ộ" as "ô" and a dot below), then the longest
// precomposed prefix of the decomposition with the remaining marks.
func encodeDecomposed(out []byte, r rune, t *byteTable) ([]byte, bool) {
	d := []rune(norm.NFD.String(string(r)))
	var base, tones []rune
	for _, m := range d {
		switch m {
		case 0x0300, 0x0301, 0x0303, 0x0309, 0x0323:
			tones = append(tones, m)
		default:
			base = append(base, m)
		}
	}
	if len(tones) > 0 {
		if res, ok := encodeWith(out, []rune(norm.NFC.String(string(base))), tones, t); ok {
			return res, true
		}
	}
	for k := len(d) - 1; k >= 1; k-- {
		if res, ok := encodeWith(out, []rune(norm.NFC.String(string(d[:k]))), d[k:], t); ok {
			return res, true
		}
	}
	return out, false
}

// encodeWith appends the single rune of base and the marks when the table
// holds them all.
func encodeWith(out []byte, base, marks []rune, t *byteTable) ([]byte, bool) {
	if len(base) != 1 {
		return out, false
	}
	b, ok := t.enc[base[0]]
	if !ok {
		return out, false
	}
	res := append(out, b)
	for _, m := range marks {
		mb, ok := t.enc[m]
		if !ok {
			return out, false
		}
		res = append(res, mb)
	}
	return res, true
}
