package viet

import (
	"strings"
	"sync"

	"github.com/diembao/diembao/viet/vietdata"
)

// abbrevIndex is the parsed abbreviation list, built once on first use.
type abbrevIndex struct {
	expansions map[string][]string // abbreviation → expansions
	reverse    map[string][]string // lower-case normalized phrase → abbreviations
}

var abbrevs = sync.OnceValue(func() *abbrevIndex {
	return parseAbbreviations(vietdata.Abbreviations)
})

// parseAbbreviations reads "ABBR:expansion" lines.
func parseAbbreviations(data string) *abbrevIndex {
	idx := &abbrevIndex{expansions: map[string][]string{}, reverse: map[string][]string{}}
	seen := map[string]bool{}
	upperPairs := map[string]bool{}
	type pair struct{ abbr, exp string }
	var pairs []pair
	for line := range strings.Lines(data) {
		line = strings.TrimSpace(line)
		abbr, exp, ok := strings.Cut(line, ":")
		abbr, exp = Normalize(strings.TrimSpace(abbr)), Normalize(strings.Join(strings.Fields(exp), " "))
		if !ok || abbr == "" || exp == "" || seen[abbr+"\x00"+exp] {
			continue
		}
		seen[abbr+"\x00"+exp] = true
		pairs = append(pairs, pair{abbr, exp})
		upperPairs[abbr+"\x00"+strings.ToLower(exp)] = true
	}
	for _, p := range pairs {
		idx.expansions[p.abbr] = append(idx.expansions[p.abbr], p.exp)
		key := strings.ToLower(p.exp)
		if up := strings.ToUpper(p.abbr); up != p.abbr && upperPairs[up+"\x00"+key] {
			continue // "hđnd" next to "HĐND": one entry is enough
		}
		if !containsString(idx.reverse[key], p.abbr) {
			idx.reverse[key] = append(idx.reverse[key], p.abbr)
		}
	}
	return idx
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Expansions returns the expansions of the abbreviation abbr from the
// embedded abbreviation list ("HĐND" → ["Hội đồng nhân dân"]), or nil when
// it is not listed. The lookup is exact first, then in upper case, so
// "hđnd" finds the expansions of "HĐND". The caller owns the returned slice.
func Expansions(abbr string) []string {
	abbr = Normalize(strings.TrimSpace(abbr))
	idx := abbrevs()
	list := idx.expansions[abbr]
	if list == nil {
		list = idx.expansions[strings.ToUpper(abbr)]
	}
	if list == nil {
		return nil
	}
	return append([]string(nil), list...)
}

// Abbreviations returns the abbreviations of phrase from the embedded list
// ("hội đồng nhân dân" → ["HĐND"]), or nil. Case, tone placement and spacing
// of phrase do not matter. The caller owns the returned slice.
func Abbreviations(phrase string) []string {
	key := strings.ToLower(Normalize(strings.Join(strings.Fields(phrase), " ")))
	list := abbrevs().reverse[key]
	if list == nil {
		return nil
	}
	return append([]string(nil), list...)
}

// hasAbbreviation reports whether word is listed as an abbreviation, exactly
// as written.
func hasAbbreviation(word string) bool {
	_, ok := abbrevs().expansions[word]
	return ok
}
