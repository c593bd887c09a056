package postgres

import (
	"math"
	"testing"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/query"
)

// prepare parses and prepares q as the search does, with abbreviation
// expansion off so that the trees do not depend on the lexicon.
func prepare(t testing.TB, q string) query.Node {
	t.Helper()
	n, err := query.Parse(q, time.Date(2020, 2, 1, 0, 0, 0, 0, diembao.Vietnam))
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	n, err = query.DefaultAnalyzer().Prepare(n, query.Options{NoExpand: true})
	if err != nil {
		t.Fatalf("prepare %q: %v", q, err)
	}
	text, _, ok := query.Split(n)
	if !ok {
		t.Fatalf("split %q", q)
	}
	return text
}

func TestCompileTsquery(t *testing.T) {
	tests := []struct {
		name, query, match string
		exclude            []string
	}{
		{"folded word", "ha", `(('tf:ha') | ('bf:ha'))`, nil},
		// A word is found by its folded form alone (see termExpr); a
		// phrase in both forms.
		{"accented word", "hà", `(('tf:ha') | ('bf:ha'))`, nil},
		{"phrase", `"nền tảng"`,
			`((('t:nền' <-> 't:tảng') | ('b:nền' <-> 'b:tảng')) | (('tf:nen' <-> 'tf:tang') | ('bf:nen' <-> 'bf:tang')))`, nil},
		{"prefix", "chuyen*", `(('tf:chuyen':*) | ('bf:chuyen':*))`, nil},
		{"title field", "title:ha", `(('tf:ha'))`, nil},
		{"author field", `author:"lê"`, `(('a:le'))`, nil},
		{"author phrase", `author:"lê văn"`, `((('a:lê' <-> 'a:văn')) | (('a:le' <-> 'a:van')))`, nil},
		{"fields holding both forms", "author:Minh source:VnExpress section:thời",
			`((('a:minh')) & (('s:vnexpress')) & (('c:thoi')))`, nil},
		{"not binds to its and", "lua OR gao -ngo",
			`((('tf:lua') | ('bf:lua')) | (((('tf:gao') | ('bf:gao'))) & !(('tf:ngo') | ('bf:ngo'))))`, nil},
		{"grouped or and not", "(lua OR gao) -ngo",
			`((((('tf:lua') | ('bf:lua')) | (('tf:gao') | ('bf:gao')))) & !(('tf:ngo') | ('bf:ngo')))`, nil},
		{"only exclusions", "-lua -gao", "", []string{`(('tf:lua') | ('bf:lua'))`, `(('tf:gao') | ('bf:gao'))`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := compile(prepare(t, tt.query))
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if c.match != nil {
				got = c.match.tsquery()
			}
			if got != tt.match {
				t.Errorf("match of %q =\n%s\nwant\n%s", tt.query, got, tt.match)
			}
			if len(c.exclude) != len(tt.exclude) {
				t.Fatalf("%d exclusions, want %d", len(c.exclude), len(tt.exclude))
			}
			for i, x := range c.exclude {
				if x.tsquery() != tt.exclude[i] {
					t.Errorf("exclusion %d = %s, want %s", i, x.tsquery(), tt.exclude[i])
				}
			}
		})
	}
}

func TestBoost(t *testing.T) {
	c, err := compile(prepare(t, "hà nội"))
	if err != nil {
		t.Fatal(err)
	}
	if c.boost == nil {
		t.Fatal("a run of two words has no boost terms")
	}
	want := `(((('t:hà' <-> 't:nội') | ('b:hà' <-> 'b:nội')) | (('tf:ha' <-> 'tf:noi') | ('bf:ha' <-> 'bf:noi'))) | (('wf:ha_noi')))`
	if got := c.boost.tsquery(); got != want {
		t.Errorf("boost =\n%s\nwant the run as a phrase, then the segmented word:\n%s", got, want)
	}
	ph := c.boost.phrases()
	if len(ph) < 2 || len(ph[0].tokens) != 2 || ph[0].tokens[0] != "hà" {
		t.Errorf("boost phrases %+v, want the run as a phrase first", ph)
	}
}

func TestOccurrences(t *testing.T) {
	d := docPositions{
		"b:nền": {4, 10}, "b:tảng": {5, 20}, "t:nền": {1},
		"bf:chuyen": {1}, "bf:chuyenđoi": {7}, "bf:chuyển": {9},
	}
	tests := []struct {
		name string
		ph   *expr
		want []int
	}{
		{"phrase in body", &expr{cols: []int{0, 2}, tokens: []string{"nền", "tảng"}}, []int{2}},
		{"word in title and body", &expr{cols: []int{2, 0}, tokens: []string{"nền"}}, []int{0, 2, 2}},
		{"absent", &expr{cols: []int{0}, tokens: []string{"tảng"}}, nil},
		{"prefix", &expr{cols: []int{3}, tokens: []string{"chuyen"}, prefix: true}, []int{3, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := d.occurrences(tt.ph)
			if len(got) != len(tt.want) {
				t.Fatalf("occurrences = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("occurrences = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestBM25(t *testing.T) {
	// One phrase in the folded title of a document of 128 tokens among 20
	// documents of 2798 tokens, 6 of which contain it.
	ph := &expr{op: opPhrase, cols: []int{1, 3}, tokens: []string{"ha"}}
	d := docPositions{"tf:ha": {1}}
	got := bm25(d, 128, ph, []*expr{ph}, []float64{query.TokenIDF(20, 6)}, &ranking.Weights, 2798.0/20)
	want := -math.Log(14.5/6.5) * (4 * 2.2) / (4 + 1.2*(0.25+0.75*128/(2798.0/20)))
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("bm25 = %v, want %v", got, want)
	}
	t.Run("unmatched branch counts nothing", func(t *testing.T) {
		a := &expr{op: opPhrase, cols: []int{1}, tokens: []string{"ha"}}
		b := &expr{op: opPhrase, cols: []int{1}, tokens: []string{"noi"}}
		c := &expr{op: opPhrase, cols: []int{1}, tokens: []string{"hdnd"}}
		x := &expr{op: opOr, kids: []*expr{{op: opAnd, kids: []*expr{a, b}}, c}}
		doc := docPositions{"tf:ha": {1}, "tf:hdnd": {2}}
		idfs := []float64{1, 1, 1}
		got := bm25(doc, 100, x, []*expr{a, b, c}, idfs, &ranking.Weights, 100)
		only := bm25(doc, 100, c, []*expr{c}, idfs[:1], &ranking.Weights, 100)
		if got != only {
			t.Errorf("score %v counts the phrase of an AND that does not match; want %v", got, only)
		}
	})
}

func TestColumnsFollowRanking(t *testing.T) {
	for i, c := range columns {
		if name := query.DefaultRanking().Columns[i]; c.name != name {
			t.Errorf("column %d is %q here, %q in query.Ranking", i, c.name, name)
		}
	}
}

// FuzzCompile checks that every query the parser and Prepare accept
// compiles to well-formed tsquery text (balanced parentheses and quotes) or
// to an EINVALID error, and never panics.
func FuzzCompile(f *testing.F) {
	for _, q := range []string{"Hà Nội", `"nền tảng" -lúa`, "title:chuyển* OR author:\"lê\"", "(a OR b) c",
		"-a -b", "published:>now-7d HĐND", `it's \ "x`} {
		f.Add(q)
	}
	now := time.Date(2020, 2, 1, 0, 0, 0, 0, diembao.Vietnam)
	f.Fuzz(func(t *testing.T, q string) {
		n, err := query.Parse(q, now)
		if err != nil {
			return
		}
		n, err = query.DefaultAnalyzer().Prepare(n, query.Options{})
		if err != nil {
			return
		}
		text, _, ok := query.Split(n)
		if !ok {
			return
		}
		c, err := compile(text)
		if err != nil {
			if diembao.ErrorCode(err) != diembao.EINVALID {
				t.Fatalf("compile %q: %v", q, err)
			}
			return
		}
		all := append([]*expr(nil), c.exclude...)
		if c.match != nil {
			all = append(all, c.match)
		}
		if c.boost != nil {
			all = append(all, c.boost)
		}
		for _, x := range all {
			if !wellFormed(x.tsquery()) {
				t.Fatalf("compile %q: malformed tsquery %s", q, x.tsquery())
			}
		}
	})
}

// wellFormed reports whether tsquery text has balanced quotes and, outside
// them, balanced parentheses.
func wellFormed(s string) bool {
	depth, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\'' && i+1 < len(s) && s[i+1] == '\'':
			i++
		case quoted && c == '\\':
			i++
		case c == '\'':
			quoted = !quoted
		case !quoted && c == '(':
			depth++
		case !quoted && c == ')':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0 && !quoted && s != ""
}
