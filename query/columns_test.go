package query

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// names returns the names of index columns, so that the tables below read
// as the index does.
func names(cols []int) []string {
	if cols == nil {
		return nil
	}
	all := DefaultRanking().Columns
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = all[c]
	}
	return out
}

func TestTermColumns(t *testing.T) {
	tests := []struct {
		name          string
		term          Term
		exact, folded []string
		same          bool
	}{
		{"word typed without diacritics", Term{Folded: []string{"ha"}},
			nil, []string{"title_f", "body_f"}, false},
		{"word with diacritics", Term{Exact: []string{"hà"}, Folded: []string{"ha"}},
			[]string{"title", "body"}, []string{"title_f", "body_f"}, false},
		{"plain word in a query with diacritics", Term{Exact: []string{"ha"}, Folded: []string{"ha"}},
			[]string{"title", "body"}, []string{"title_f", "body_f"}, false},
		{"prefix phrase", Term{Phrase: true, Prefix: true, Exact: []string{"nền", "tả"}, Folded: []string{"nen", "ta"}},
			[]string{"title", "body"}, []string{"title_f", "body_f"}, false},
		{"title", Term{Field: FieldTitle, Exact: []string{"bão"}, Folded: []string{"bao"}},
			[]string{"title"}, []string{"title_f"}, false},
		{"title without diacritics", Term{Field: FieldTitle, Folded: []string{"bao"}},
			nil, []string{"title_f"}, false},
		{"author", Term{Field: FieldAuthor, Exact: []string{"lê", "minh"}, Folded: []string{"le", "minh"}},
			[]string{"author"}, []string{"author"}, true},
		{"author, exact form equal to folded", Term{Field: FieldAuthor, Exact: []string{"minh"}, Folded: []string{"minh"}},
			nil, []string{"author"}, true},
		{"author without diacritics", Term{Field: FieldAuthor, Folded: []string{"le"}},
			nil, []string{"author"}, true},
		{"source", Term{Field: FieldSource, Exact: []string{"báo"}, Folded: []string{"bao"}},
			[]string{"source"}, []string{"source"}, true},
		{"section", Term{Field: FieldSection, Exact: []string{"thời", "sự"}, Folded: []string{"thoi", "su"}},
			[]string{"section"}, []string{"section"}, true},
		{"segmented word as a term", Term{Exact: []string{"hà_nội"}, Folded: []string{"ha_noi"}},
			[]string{"title", "body"}, []string{"title_f", "body_f"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := tt.term.Columns()
			if got := names(cs.Exact); !slices.Equal(got, tt.exact) {
				t.Errorf("exact columns %v, want %v", got, tt.exact)
			}
			if got := names(cs.Folded); !slices.Equal(got, tt.folded) {
				t.Errorf("folded columns %v, want %v", got, tt.folded)
			}
			if cs.Same != tt.same {
				t.Errorf("same = %v, want %v", cs.Same, tt.same)
			}
		})
	}
}

func TestBoostColumns(t *testing.T) {
	tests := []struct {
		name          string
		term          Term
		exact, folded []string
	}{
		{"segmented word", Term{Exact: []string{"hà_nội"}, Folded: []string{"ha_noi"}},
			[]string{"words"}, []string{"words_f"}},
		{"segmented word without diacritics", Term{Folded: []string{"ha_noi"}},
			nil, []string{"words_f"}},
		{"run as a phrase", Term{Phrase: true, Exact: []string{"hà", "nội"}, Folded: []string{"ha", "noi"}},
			[]string{"title", "body"}, []string{"title_f", "body_f"}},
		{"single syllable", Term{Exact: []string{"hà"}, Folded: []string{"ha"}},
			[]string{"title", "body"}, []string{"title_f", "body_f"}},
		{"two words, one segmented", Term{Phrase: true, Exact: []string{"hà_nội", "mới"}, Folded: []string{"ha_noi", "moi"}},
			[]string{"title", "body"}, []string{"title_f", "body_f"}},
		{"field wins over segmentation", Term{Field: FieldTitle, Exact: []string{"hà_nội"}, Folded: []string{"ha_noi"}},
			[]string{"title"}, []string{"title_f"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := BoostTerm{Term: &tt.term}.Columns()
			if got := names(cs.Exact); !slices.Equal(got, tt.exact) {
				t.Errorf("exact columns %v, want %v", got, tt.exact)
			}
			if got := names(cs.Folded); !slices.Equal(got, tt.folded) {
				t.Errorf("folded columns %v, want %v", got, tt.folded)
			}
		})
	}
}

func TestBoosts(t *testing.T) {
	term := func(s string) *Term { return &Term{Text: s, Folded: []string{s}} }
	a, b, c, d := term("a"), term("b"), term("c"), term("d")
	ab, cd, a2 := term("a b"), term("c d"), term("a_b")
	inner := &And{Children: []Node{c, d}, Boost: []*Term{cd}}
	excluded := &And{Children: []Node{c, d}, Boost: []*Term{cd}}
	outer := &And{Children: []Node{a, b, inner}, Boost: []*Term{ab, a2}}
	tests := []struct {
		name string
		tree Node
		want []BoostTerm
	}{
		{"nil tree", nil, nil},
		{"term", a, nil},
		{"and without boost", &And{Children: []Node{a, b}}, nil},
		{"outer before inner, in order", outer,
			[]BoostTerm{{ab, outer}, {a2, outer}, {cd, inner}}},
		{"under or", &Or{Children: []Node{a, inner}}, []BoostTerm{{cd, inner}}},
		{"not skipped", &And{Children: []Node{a, &Not{Child: excluded}}}, nil},
		{"not skipped, sibling kept", &Or{Children: []Node{&And{Children: []Node{b, &Not{Child: excluded}}}, inner}},
			[]BoostTerm{{cd, inner}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Boosts(tt.tree); !slices.Equal(got, tt.want) {
				t.Errorf("Boosts = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestBoostsOfPrepared checks Boosts and the columns of boost terms on
// trees Prepare builds: a run of words boosts its phrase in the title and
// text and its segmented words in the words columns, and an excluded run
// boosts nothing.
func TestBoostsOfPrepared(t *testing.T) {
	tests := []struct {
		query string
		// want lists each boost as its folded tokens and folded columns.
		want []string
	}{
		{"ha noi", []string{"ha noi in title_f body_f"}},
		{"hà nội", []string{"ha noi in title_f body_f", "ha_noi in words_f"}},
		{"hà nội -\"lúa gạo\"", []string{"ha noi in title_f body_f", "ha_noi in words_f"}},
		{"bão -(hà nội)", nil},
		{"author:minh", nil},
	}
	a := DefaultAnalyzer()
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			n, err := Parse(tt.query, time.Date(2020, 2, 1, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			if n, err = a.Prepare(n, Options{NoExpand: true}); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, b := range Boosts(n) {
				got = append(got, strings.Join(b.Term.Folded, " ")+" in "+strings.Join(names(b.Columns().Folded), " "))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("boosts %q, want %q", got, tt.want)
			}
		})
	}
}
