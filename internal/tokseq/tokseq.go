// Package tokseq holds the scored text of an article, its title and body
// columns, as the sequences of their token IDs (a forward index), in the
// compact form a store keeps one of per article: what a phrase search
// reads to check that the words of a phrase follow each other in a
// candidate article and how many times, without the posting lists of its
// words.
//
// A token ID stands for an exact token (normalized, lower-case, as the
// exact columns of the full-text index hold it); the store's dictionary
// gives each ID the ID of its folded form (diacritics removed), which is
// itself a token ID. A folded column holds the folded form of every token
// of its exact column in the same order, so one sequence of exact IDs
// serves both.
//
// The stored form is, for the title and then the body, the number of
// tokens as an unsigned varint followed by their IDs, each as an unsigned
// varint.
package tokseq

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/diembao/diembao/internal/varint"
)

// Columns is the number of columns a count covers: in the order of the
// full-text index (that of tokfreq), title, folded title, body, folded
// body.
const Columns = 4

// MaxTokens is the largest number of tokens a stored column may hold.
const MaxTokens = 1 << 24

// Seq is the token IDs of an article's title and body, in order.
type Seq struct {
	Title, Body []uint32
}

// ErrCorrupt reports a stored sequence that cannot be decoded.
var ErrCorrupt = errors.New("tokseq: corrupt sequence")

// Append appends the stored form of s to dst. It panics when a column holds
// more than MaxTokens tokens, which no analysed text does.
func Append(dst []byte, s Seq) []byte {
	for _, col := range [2][]uint32{s.Title, s.Body} {
		if len(col) > MaxTokens {
			panic("tokseq: column too long")
		}
		dst = binary.AppendUvarint(dst, uint64(len(col)))
		for _, id := range col {
			dst = binary.AppendUvarint(dst, uint64(id))
		}
	}
	return dst
}

// Decode decodes a stored sequence into s, reusing its slices.
func Decode(b []byte, s *Seq) error {
	i := 0
	var err error
	if s.Title, i, err = column(b, i, s.Title[:0]); err != nil {
		return err
	}
	if s.Body, i, err = column(b, i, s.Body[:0]); err != nil {
		return err
	}
	if i != len(b) {
		return ErrCorrupt
	}
	return nil
}

// column decodes the column at b[i:] into dst and returns the index after
// it.
func column(b []byte, i int, dst []uint32) ([]uint32, int, error) {
	n, i := varint.Long(b, i, MaxTokens)
	if i < 0 || int(n) > len(b)-i {
		// Every ID takes at least a byte.
		return dst, 0, ErrCorrupt
	}
	dst = dst[:0]
	for range n {
		// One- and two-byte IDs, the common ones, are read here (a
		// call per ID would double the time; see package varint).
		if i < len(b) && b[i] < 0x80 {
			dst = append(dst, uint32(b[i]))
			i++
			continue
		}
		if i+1 < len(b) && b[i+1] < 0x80 && b[i+1] != 0 {
			dst = append(dst, uint32(b[i]&0x7f)|uint32(b[i+1])<<7)
			i += 2
			continue
		}
		var v uint64
		if v, i = varint.Long(b, i, math.MaxUint32); i < 0 {
			return dst, 0, ErrCorrupt
		}
		dst = append(dst, uint32(v))
	}
	return dst, i, nil
}

// Phrase is a phrase to look for in sequences: the IDs of its exact tokens
// and of their folded forms, in order. Exact is nil when some exact token
// has no ID (the phrase then has no exact instance).
type Phrase struct {
	Exact, Folded []uint32
}

// Count returns the instances of p in each column of s: in the title and
// body, where its exact tokens follow each other, and in their folded
// forms, where its folded tokens do. fold[id] is the folded ID of id, 0
// for a token whose folded form is empty (a lone combining mark), which
// the folded column does not hold; an ID of s past the end of fold makes
// Count fail (ok false). An instance begins at each position where the
// phrase is found, as in FTS5: "a a" is twice in "a a a". scratch is a
// buffer Count may reuse between calls.
func Count(s *Seq, p Phrase, fold []uint32, scratch *[]uint32) (n [Columns]int, ok bool) {
	if len(p.Folded) == 0 {
		return n, true
	}
	for c, col := range [2][]uint32{s.Title, s.Body} {
		var ok bool
		if n[2*c+1], ok = foldedInstances(col, p.Folded, fold, scratch); !ok {
			return n, false
		}
		if p.Exact != nil && n[2*c+1] > 0 {
			// An exact instance is a folded one.
			n[2*c] = instances(col, p.Exact)
		}
	}
	return n, true
}

// foldedInstances returns the number of positions of the folded column of
// col where phrase begins, looking the folded IDs up as it goes; only a
// column holding a token whose folded form is empty is folded into
// scratch first.
func foldedInstances(col, phrase []uint32, fold []uint32, scratch *[]uint32) (int, bool) {
	n, k, first := 0, len(phrase), phrase[0]
next:
	for i, id := range col {
		if int(id) >= len(fold) {
			return 0, false
		}
		f := fold[id]
		if f == 0 {
			return foldedSlow(col, phrase, fold, scratch)
		}
		if f != first || i+k > len(col) {
			continue
		}
		for j := 1; j < k; j++ {
			id := col[i+j]
			if int(id) >= len(fold) || fold[id] != phrase[j] {
				continue next
			}
		}
		n++
	}
	return n, true
}

// foldedSlow is foldedInstances for a column holding a token whose folded
// form is empty.
func foldedSlow(col, phrase []uint32, fold []uint32, scratch *[]uint32) (int, bool) {
	folded := (*scratch)[:0]
	for _, id := range col {
		if int(id) >= len(fold) {
			return 0, false
		}
		if f := fold[id]; f != 0 {
			folded = append(folded, f)
		}
	}
	*scratch = folded
	return instances(folded, phrase), true
}

// instances returns the number of positions of col where phrase begins.
func instances(col, phrase []uint32) int {
	n, k, first := 0, len(phrase), phrase[0]
next:
	for i := 0; i+k <= len(col); i++ {
		if col[i] != first {
			continue
		}
		for j := 1; j < k; j++ {
			if col[i+j] != phrase[j] {
				continue next
			}
		}
		n++
	}
	return n
}

// ring is the number of tokens a Matcher remembers: the longest phrase
// it counts without decoding the sequence first.
const ring = 64

// A Matcher counts one phrase's instances in stored sequences (see
// Append) as it decodes them, without a decoded copy: a search checks
// thousands of candidate articles per phrase. It looks a token's folded
// form up only where an instance may end: a bit per token ID up to the
// largest marked (a few kilobytes at most, where the dictionary's folded
// IDs take a few hundred) marks the tokens folding to the phrase's last
// folded token, and those whose folded form is empty (see Count).
type Matcher struct {
	p     Phrase
	fold  []uint32
	marks []uint64
}

// NewMatcher returns the matcher of p over the dictionary fold (see
// Count). It reads the whole of fold: a caller makes one per phrase and
// search.
func NewMatcher(p Phrase, fold []uint32) *Matcher {
	var marked []uint32
	if k := len(p.Folded); k > 0 && k <= ring {
		last := p.Folded[k-1]
		for id, f := range fold {
			if f == last || f == 0 {
				marked = append(marked, uint32(id))
			}
		}
	}
	return NewMatcherOf(p, fold, marked)
}

// NewMatcherOf is NewMatcher for a caller that knows the IDs of fold
// whose folded form is p's last folded token or empty (marked; IDs past
// fold are left out): it reads only those of fold.
func NewMatcherOf(p Phrase, fold, marked []uint32) *Matcher {
	m := &Matcher{p: p, fold: fold}
	if k := len(p.Folded); k > 0 && k <= ring {
		// Bits up to the largest ID marked: the IDs past it are not.
		top := uint32(0)
		for _, id := range marked {
			if int(id) < len(fold) {
				top = max(top, id)
			}
		}
		m.marks = make([]uint64, top/64+1)
		for _, id := range marked {
			if int(id) < len(fold) {
				m.marks[id>>6] |= 1 << (id & 63)
			}
		}
	}
	return m
}

// Count returns Count of the stored sequence b. It returns ErrCorrupt for
// a sequence Decode rejects, and ok false where Count does. scratch is a
// buffer Count may reuse between calls.
func (m *Matcher) Count(b []byte, scratch *[]uint32) (n [Columns]int, ok bool, err error) {
	k := len(m.p.Folded)
	if m.marks == nil {
		// No phrase, or one longer than the ring.
		return m.decoded(b, scratch)
	}
	var exact [ring]uint32
	fold, marks, last := m.fold, m.marks, m.p.Folded[:k-1]
	i := 0
	for c := range 2 {
		cnt, j := varint.Long(b, i, MaxTokens)
		if j < 0 || int(cnt) > len(b)-j {
			return n, false, ErrCorrupt
		}
		i = j
		for pos := 0; pos < int(cnt); pos++ {
			var id uint32
			switch {
			case i < len(b) && b[i] < 0x80:
				id = uint32(b[i])
				i++
			case i+1 < len(b) && b[i+1] < 0x80 && b[i+1] != 0:
				id = uint32(b[i]&0x7f) | uint32(b[i+1])<<7
				i += 2
			default:
				var v uint64
				if v, i = varint.Long(b, i, math.MaxUint32); i < 0 {
					return n, false, ErrCorrupt
				}
				id = uint32(v)
			}
			if int(id) >= len(fold) {
				return n, false, nil
			}
			exact[pos%ring] = id
			if w := int(id >> 6); w >= len(marks) || marks[w]&(1<<(id&63)) == 0 {
				continue
			}
			if fold[id] == 0 {
				// A token the folded column lacks: positions no
				// longer agree; count on a decoded copy.
				return m.decoded(b, scratch)
			}
			if pos+1 < k {
				continue
			}
			// The token folds to the phrase's last: compare the
			// folded forms of the ones before it.
			start := pos + 1 - k
			match := true
			for j, f := range last {
				if fold[exact[(start+j)%ring]] != f {
					match = false
					break
				}
			}
			if !match {
				continue
			}
			n[2*c+1]++
			if m.p.Exact == nil {
				continue
			}
			for j, id := range m.p.Exact {
				if exact[(start+j)%ring] != id {
					match = false
					break
				}
			}
			if match {
				n[2*c]++
			}
		}
	}
	if i != len(b) {
		return n, false, ErrCorrupt
	}
	return n, true, nil
}

// decoded returns Count of the stored sequence b on a decoded copy.
func (m *Matcher) decoded(b []byte, scratch *[]uint32) (n [Columns]int, ok bool, err error) {
	var s Seq
	if err := Decode(b, &s); err != nil {
		return n, false, err
	}
	n, ok = Count(&s, m.p, m.fold, scratch)
	return n, ok, nil
}
