package query

// IndexTokens splits a column text of a Document into the tokens the index
// holds, as SQLite FTS5's "ascii" tokenizer with tokenchars '_' splits it:
// a token is a run of ASCII letters and digits, '_' and bytes outside
// ASCII, with ASCII letters lowered. Both stores index these tokens, so
// that they count the same ones.
func IndexTokens(s string) []string {
	var toks []string
	start := -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && isTokenByte(s[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			toks = append(toks, asciiLower(s[start:i]))
			start = -1
		}
	}
	return toks
}

// DistinctTokens returns the distinct tokens of every column of d (see
// IndexTokens): what makes d count in a token's document frequency.
func (d *Document) DistinctTokens() []string {
	seen := map[string]bool{}
	var out []string
	for _, col := range d.Values() {
		for _, tok := range IndexTokens(col) {
			if !seen[tok] {
				seen[tok] = true
				out = append(out, tok)
			}
		}
	}
	return out
}

// FoldedTokens returns the distinct tokens of d's folded title, body and
// words columns (see IndexTokens): the tokens by which a search without a
// field finds d, whatever diacritics its words were typed with. Syllables
// (title and body) and segmented words (joined by '_') never coincide.
func (d *Document) FoldedTokens() []string {
	seen := map[string]bool{}
	var out []string
	for _, col := range []string{d.TitleFolded, d.BodyFolded, d.WordsFolded} {
		for _, tok := range IndexTokens(col) {
			if !seen[tok] {
				seen[tok] = true
				out = append(out, tok)
			}
		}
	}
	return out
}

func isTokenByte(c byte) bool {
	return c >= 0x80 || c == '_' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
