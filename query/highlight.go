package query

import (
	"bytes"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/viet"
)

// Highlighter marks the words of a prepared query in original text.
type Highlighter struct {
	words    map[string]bool
	prefixes []string
	// first marks the first bytes of the folded words and prefixes, and
	// every byte when a prefix is empty: a run of text whose first
	// letter folds to another byte is no query word, and is neither
	// normalized nor folded (see mayMatch).
	first [256]bool
}

// NewHighlighter returns a highlighter for the positive terms of a prepared
// tree (see Positive): their folded tokens, and the prefixes of wildcard
// terms.
func NewHighlighter(n Node) *Highlighter {
	h := &Highlighter{words: map[string]bool{}}
	for _, t := range Positive(n) {
		for i, tok := range t.Folded {
			if strings.Contains(tok, "_") {
				continue
			}
			if t.Prefix && i == len(t.Folded)-1 {
				h.prefixes = append(h.prefixes, tok)
				continue
			}
			h.words[tok] = true
		}
	}
	for _, w := range append(slices.Collect(maps.Keys(h.words)), h.prefixes...) {
		if w == "" {
			for i := range h.first {
				h.first[i] = true
			}
			break
		}
		h.first[w[0]] = true
	}
	return h
}

// mayMatch reports whether a run of text whose first rune is r may be a
// query word. Normalizing the run moves tone marks and composes letters
// with their marks, which leaves the folded form of its first letter or
// digit as it is; a run beginning otherwise (a combining mark) is looked
// at whole.
func (h *Highlighter) mayMatch(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		c := byte(r)
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		return h.first[c]
	case !unicode.IsLetter(r) && !unicode.IsDigit(r):
		return true
	}
	var b [8]byte
	f := viet.AppendFold(b[:0], string(r))
	return len(f) == 0 || h.first[f[0]]
}

// match reports whether a folded token is a query word, and which. It
// allocates only for a query word.
func (h *Highlighter) match(folded []byte) (string, bool) {
	if h.words[string(folded)] {
		return string(folded), true
	}
	for _, p := range h.prefixes {
		if bytes.HasPrefix(folded, []byte(p)) {
			return p + "*", true
		}
	}
	return "", false
}

// Spans returns the byte spans of the query's words in text.
func (h *Highlighter) Spans(text string) []diembao.Span {
	var spans []diembao.Span
	h.scan(text, func(start, end int, _ string) {
		spans = append(spans, diembao.Span{Start: start, End: end})
	})
	return spans
}

// scan calls fn for each token run of text that matches a query word, with
// its byte span in text.
func (h *Highlighter) scan(text string, fn func(start, end int, word string)) {
	if len(h.words) == 0 && len(h.prefixes) == 0 {
		return
	}
	var buf []byte
	for _, t := range viet.Tokenize(text) {
		switch t.Kind {
		case viet.Punct, viet.Symbol:
			continue
		}
		// A token may hold several runs ("TP.HCM", "13/01/2020").
		s := t.Text
		start, may := -1, false
		for i := 0; i <= len(s); {
			var r rune
			size := 1
			if i < len(s) {
				r, size = utf8.DecodeRuneInString(s[i:])
			}
			in := i < len(s) && isTokenRune(r)
			if in && start < 0 {
				start, may = i, h.mayMatch(r)
			} else if !in && start >= 0 {
				if may {
					buf = viet.AppendFold(buf[:0], viet.Normalize(s[start:i]))
					if w, ok := h.match(buf); ok {
						fn(t.Start+start, t.Start+i, w)
					}
				}
				start = -1
			}
			i += size
		}
	}
}

// Snippet returns an excerpt of text of at most about maxBytes bytes around
// the densest cluster of query words, cut at word boundaries, with "…" where
// text was cut, and the spans of the query words in the excerpt. With no
// query word in text it returns the beginning of text.
func (h *Highlighter) Snippet(text string, maxBytes int) (string, []diembao.Span) {
	text = strings.TrimSpace(text)
	if maxBytes <= 0 {
		maxBytes = 240
	}
	type hit struct {
		start, end int
		word       string
	}
	var hits []hit
	h.scan(text, func(start, end int, word string) {
		hits = append(hits, hit{start, end, word})
	})
	// The window with the most distinct words, then the most hits.
	bestStart, bestDistinct, bestCount := 0, 0, 0
	for i := range hits {
		seen := map[string]bool{}
		count := 0
		for j := i; j < len(hits) && hits[j].end-hits[i].start <= maxBytes; j++ {
			seen[hits[j].word] = true
			count++
		}
		if len(seen) > bestDistinct || len(seen) == bestDistinct && count > bestCount {
			bestStart, bestDistinct, bestCount = hits[i].start, len(seen), count
		}
	}
	// Begin a little before the first hit, at a word boundary.
	from := 0
	if bestDistinct > 0 && bestStart > maxBytes/5 {
		from = wordStart(text, bestStart-maxBytes/5)
	}
	to := len(text)
	if to-from > maxBytes {
		to = wordEnd(text, from+maxBytes)
	}
	var b strings.Builder
	offset := 0
	if from > 0 {
		b.WriteString("…")
		offset = len("…") - from
	}
	b.WriteString(strings.Join(strings.Fields(text[from:to]), " "))
	excerpt := text[from:to]
	if to < len(text) {
		b.WriteString("…")
	}
	snippet := b.String()
	if strings.Join(strings.Fields(excerpt), " ") != excerpt {
		// White space was collapsed: find the spans again in the snippet.
		return snippet, h.Spans(snippet)
	}
	var spans []diembao.Span
	for _, x := range hits {
		if x.start >= from && x.end <= to {
			spans = append(spans, diembao.Span{Start: x.start + offset, End: x.end + offset})
		}
	}
	return snippet, spans
}

// wordStart moves i back to the start of the word it falls in.
func wordStart(text string, i int) int {
	for i > 0 && !utf8.RuneStart(text[i]) {
		i--
	}
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:i])
		if r == ' ' || r == '\n' || r == '\t' {
			break
		}
		i -= size
	}
	return i
}

// wordEnd moves i back to the end of the last whole word before it (or
// leaves it inside the word when the word is longer than the excerpt).
func wordEnd(text string, i int) int {
	if i >= len(text) {
		return len(text)
	}
	for i > 0 && !utf8.RuneStart(text[i]) {
		i--
	}
	for k := i; k > 0; {
		r, size := utf8.DecodeLastRuneInString(text[:k])
		if r == ' ' || r == '\n' || r == '\t' {
			if end := len(strings.TrimRight(text[:k], " \n\t")); end > 0 {
				return end
			}
			break
		}
		k -= size
	}
	return i
}
