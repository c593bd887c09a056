package extract

import (
	"bytes"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"
)

// Charset is how a page's bytes were turned into text: the encoding used and
// where the decision came from.
type Charset struct {
	// Name is the encoding's label ("utf-8", "windows-1258", …).
	Name string
	// From is "bom", "utf-8" (the bytes are valid UTF-8), "header", "meta",
	// "sniff" or "default".
	From string
}

// Decode turns a page into NFC-normalised UTF-8 text. The order of evidence:
// a byte-order mark; bytes that are valid UTF-8 are UTF-8 whatever a stale
// declaration says; then the charset of the HTTP Content-Type header, then a
// <meta> declaration, then sniffing for legacy Vietnamese encodings. A page
// with no declaration is never decoded as Windows-1252 by default: invalid
// bytes become U+FFFD instead.
func Decode(page []byte, header http.Header) ([]byte, Charset) {
	switch {
	case bytes.HasPrefix(page, []byte{0xEF, 0xBB, 0xBF}):
		return nfc(page[3:]), Charset{"utf-8", "bom"}
	case bytes.HasPrefix(page, []byte{0xFF, 0xFE}):
		return decodeWith(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), page), Charset{"utf-16le", "bom"}
	case bytes.HasPrefix(page, []byte{0xFE, 0xFF}):
		return decodeWith(unicode.UTF16(unicode.BigEndian, unicode.UseBOM), page), Charset{"utf-16be", "bom"}
	}
	if utf8.Valid(page) {
		return nfc(page), Charset{"utf-8", "utf-8"}
	}
	label, from := "", ""
	if header != nil {
		if _, params, err := mime.ParseMediaType(header.Get("Content-Type")); err == nil && params["charset"] != "" {
			label, from = strings.ToLower(strings.TrimSpace(params["charset"])), "header"
		}
	}
	if label == "" {
		if l := metaCharset(page); l != "" {
			label, from = l, "meta"
		}
	}
	if label != "" && !isUTF8Label(label) {
		if out, ok := decodeLegacy(label, page); ok {
			return out, Charset{label, from}
		}
		if enc, err := htmlindex.Get(label); err == nil {
			out := decodeWith(enc, page)
			if !isWestern(label) {
				return out, Charset{label, from}
			}
			// Vietnamese pages typed in legacy fonts are often declared as
			// Windows-1252: trust the declaration unless the text reads as
			// such a font.
			if l, ok := legacyInWestern(page, out); ok {
				if out, ok := decodeLegacy(l, page); ok {
					return out, Charset{l, "sniff"}
				}
			}
			return out, Charset{label, from}
		}
	}
	// Nothing usable was declared (or the declaration was UTF-8, which the
	// bytes contradict): sniff for legacy Vietnamese encodings, and never
	// fall back to Windows-1252.
	if l, ok := sniffLegacy(page); ok {
		if out, ok := decodeLegacy(l, page); ok {
			return out, Charset{l, "sniff"}
		}
	}
	return nfc(bytes.ToValidUTF8(page, []byte("\uFFFD"))), Charset{"utf-8", "default"}
}

func isUTF8Label(l string) bool {
	return l == "utf-8" || l == "utf8" || l == "unicode-1-1-utf-8"
}

// isWestern reports whether label names a Western European single-byte code
// page. Vietnamese pages that declare one are nearly always mislabelled
// legacy Vietnamese, so the bytes are sniffed first.
func isWestern(l string) bool {
	switch l {
	case "windows-1252", "cp1252", "iso-8859-1", "latin1", "iso8859-1", "us-ascii", "ascii":
		return true
	}
	return false
}

func nfc(b []byte) []byte {
	if isASCII(b) || norm.NFC.IsNormal(b) {
		return b
	}
	return norm.NFC.Bytes(b)
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func decodeWith(enc encoding.Encoding, page []byte) []byte {
	out, err := enc.NewDecoder().Bytes(page)
	if err != nil {
		return nfc(bytes.ToValidUTF8(page, []byte("\uFFFD")))
	}
	return nfc(bytes.ToValidUTF8(out, []byte("\uFFFD")))
}

// metaCharset finds the charset declared by a <meta> element in the first
// 4 KB of the page ("" when none).
func metaCharset(page []byte) string {
	head := page
	if len(head) > 4096 {
		head = head[:4096]
	}
	lower := bytes.ToLower(head)
	for i := 0; i < len(lower); {
		j := bytes.Index(lower[i:], []byte("<meta"))
		if j < 0 {
			return ""
		}
		start := i + j
		end := bytes.IndexByte(lower[start:], '>')
		if end < 0 {
			return ""
		}
		tag := lower[start : start+end]
		if k := bytes.Index(tag, []byte("charset")); k >= 0 {
			rest := bytes.TrimLeft(tag[k+len("charset"):], " \t\n\r")
			if len(rest) > 0 && rest[0] == '=' {
				rest = bytes.TrimLeft(rest[1:], " \t\n\r\"'")
				e := bytes.IndexAny(rest, " \t\n\r\"';/>")
				if e < 0 {
					e = len(rest)
				}
				if e > 0 {
					return string(rest[:e])
				}
			}
		}
		i = start + end + 1
	}
	return ""
}
